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
    Provider { status: u16, body: ErrorBody },
    #[error("the provider cannot be reached: {0}")]
    Network(String),
    #[error("the provider sent a response this app cannot read: {0}")]
    Decode(String),
    #[error("the provider's response was larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Secrets(#[from] SecretError),
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
