use guardian_client::{ClientError, SecretError};
use guardian_store::StoreError;

/// The one error type of the use cases. Front ends show `message` and branch only on `code`.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Client(#[from] ClientError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Secrets(#[from] SecretError),
    #[error("the demo provider could not start: {0}")]
    Demo(String),
    #[error("{0}")]
    Invalid(String),
    #[error("could not use the file: {0}")]
    File(String),
    #[error("{0}")]
    Archive(String),
    #[error("your Guardian account has been deleted; its data was removed from this computer")]
    AccountDeleted,
}

impl CoreError {
    /// A stable, machine-readable code for front ends.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Client(ClientError::SignInRequired) => "sign_in_required",
            Self::Client(ClientError::InvalidCredentials) => "invalid_credentials",
            Self::Client(ClientError::InvalidUrl(_)) => "invalid_provider_url",
            Self::Client(ClientError::Network(_)) => "offline",
            Self::Client(ClientError::Provider { .. }) => "provider_error",
            Self::Client(ClientError::Decode(_) | ClientError::TooLarge(_)) => "provider_response",
            Self::Client(ClientError::Secrets(_)) | Self::Secrets(_) => "secure_storage",
            Self::Store(_) => "local_cache",
            Self::Demo(_) => "demo_provider",
            Self::Invalid(_) => "invalid_input",
            Self::Client(ClientError::File(_)) | Self::File(_) => "file",
            Self::Archive(_) => "archive_invalid",
            Self::AccountDeleted => "account_deleted",
        }
    }
}
