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
    #[error("the provider refused the request: {}", .body.message)]
    Provider {
        status: u16,
        body: ErrorBody,
        /// Seconds from the `Retry-After` header, when the provider asked to wait.
        retry_after: Option<u64>,
    },
    #[error("the provider cannot be reached: {0}")]
    Network(String),
    #[error("the provider sent a response this app cannot read: {0}")]
    Decode(String),
    #[error("the provider's response was larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// Writing a download to disk failed (e.g. the disk is full).
    #[error("could not save the file: {0}")]
    File(String),
}

impl ClientError {
    /// The provider's error code, when the provider answered with one.
    pub fn provider_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Provider { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// Whether the request never reached a provider that answered (offline, DNS, timeouts).
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Network(_))
    }

    /// Whether sending the same request again later may succeed: offline, a provider error
    /// (5xx), rate limiting (429), a timeout (408), or a reply that was cut off or garbled.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::Decode(_) | Self::TooLarge(_) => true,
            Self::Provider { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
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
        if error.is_decode() {
            Self::Decode(error.to_string())
        } else {
            // Strip the URL: it may carry IDs; the kind of failure is what matters.
            Self::Network(error.without_url().to_string())
        }
    }
}
