use guardian_domain::{ErrorBody, ErrorCode};

use crate::SecretError;

/// Everything that can go wrong talking to the provider, in the words a guardian needs.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the provider address is not allowed: {0}")]
    InvalidUrl(String),
    #[error("please sign in again")]
    SignInRequired,
    #[error("the phone number or password is not correct")]
    InvalidCredentials,
    /// The provider's own answer: a well-formed error body (or a 5xx/429 with one).
    #[error("the provider refused the request: {}", .body.message)]
    Provider {
        status: u16,
        body: ErrorBody,
        /// Seconds from the `Retry-After` header, when the provider asked to wait.
        retry_after: Option<u64>,
    },
    #[error("the provider cannot be reached: {0}")]
    Network(String),
    #[error("the provider did not answer in time: {0}")]
    TimedOut(String),
    #[error("the provider sent a response this app cannot read: {0}")]
    Decode(String),
    #[error("the provider's response was larger than {0} bytes")]
    TooLarge(usize),
    /// The provider answered with a redirect (3xx): Guardian never follows one, since the
    /// request's body (a password, a token, a PIN) would go to another address.
    #[error(
        "the provider tried to send this request to another address (HTTP {0}); Guardian does not follow redirects"
    )]
    Redirect(u16),
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// Writing a download to disk failed (e.g. the disk is full).
    #[error("could not save the file: {0}")]
    File(String),
}

/// Why the provider could not be used. Each means "unavailable for now": reads come from the
/// cache and decisions wait in the outbox. None of them is the provider's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// No connection: no network, DNS, refused or reset before an answer.
    Unreachable,
    /// No answer in time (or the provider's 408).
    TimedOut,
    /// The provider answered 5xx.
    ServerError,
    /// The provider answered 429: too many requests.
    RateLimited,
    /// An answer that cannot be read: cut off, not JSON, too large, or an HTML error page.
    Unreadable,
}

impl ClientError {
    /// The provider's error code, when the provider answered with one.
    pub fn provider_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Provider { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// Why the provider could not be used, when that is what happened (rather than an answer).
    pub fn unavailable(&self) -> Option<Unavailable> {
        match self {
            Self::Network(_) => Some(Unavailable::Unreachable),
            Self::TimedOut(_) | Self::Provider { status: 408, .. } => Some(Unavailable::TimedOut),
            Self::Decode(_) | Self::TooLarge(_) => Some(Unavailable::Unreadable),
            Self::Provider { status: 429, .. } => Some(Unavailable::RateLimited),
            Self::Provider { status, .. } if *status >= 500 => Some(Unavailable::ServerError),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed: the provider was unavailable.
    pub fn is_transient(&self) -> bool {
        self.unavailable().is_some()
    }

    /// How long the provider asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Provider { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(error: reqwest::Error) -> Self {
        // Strip the URL: it may carry IDs; the kind of failure is what matters.
        let (timeout, cut_off) = (error.is_timeout(), error.is_decode() || error.is_body());
        let detail = error.without_url().to_string();
        if timeout {
            Self::TimedOut(detail)
        } else if cut_off {
            // The answer began but was cut off or garbled.
            Self::Decode(detail)
        } else {
            Self::Network(detail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(status: u16) -> ClientError {
        let body = ErrorBody {
            code: ErrorCode::Unknown,
            message: "x".into(),
            request_id: String::new(),
            details: serde_json::Value::Null,
        };
        ClientError::Provider { status, body, retry_after: None }
    }

    #[test]
    fn only_failures_to_answer_are_unavailability() {
        let cases = [
            ("no connection", ClientError::Network("refused".into()), Some(Unavailable::Unreachable)),
            ("timeout", ClientError::TimedOut("slow".into()), Some(Unavailable::TimedOut)),
            ("408", provider(408), Some(Unavailable::TimedOut)),
            ("garbled", ClientError::Decode("EOF".into()), Some(Unavailable::Unreadable)),
            ("too large", ClientError::TooLarge(1), Some(Unavailable::Unreadable)),
            ("429", provider(429), Some(Unavailable::RateLimited)),
            ("500", provider(500), Some(Unavailable::ServerError)),
            ("503", provider(503), Some(Unavailable::ServerError)),
            ("403 refusal", provider(403), None),
            ("409 refusal", provider(409), None),
            ("sign in", ClientError::SignInRequired, None),
        ];
        for (name, error, expected) in cases {
            assert_eq!(error.unavailable(), expected, "{name}");
            assert_eq!(error.is_transient(), expected.is_some(), "{name}");
        }
    }
}
