use guardian_client::{ClientError, SecretError, Unavailable};
use guardian_store::StoreError;

/// The one error type of the use cases. Front ends show `message` and branch only on `code`.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    // Transparent: the inner error is the whole message, so an error chain never says it twice.
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
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

/// The codes that mean "the provider could not be used" (see [`unavailable_code`]).
pub const UNAVAILABLE_CODES: [&str; 5] =
    ["offline", "provider_timeout", "provider_unavailable", "provider_busy", "provider_response"];

/// Every code [`CoreError::code`] can return: the front ends' catalogues word each one.
pub const ERROR_CODES: [&str; 17] = [
    "sign_in_required",
    "invalid_credentials",
    "invalid_provider_url",
    "offline",
    "provider_timeout",
    "provider_unavailable",
    "provider_busy",
    "provider_response",
    "provider_error",
    "provider_redirect",
    "secure_storage",
    "local_cache",
    "demo_provider",
    "invalid_input",
    "file",
    "archive_invalid",
    "account_deleted",
];

/// The stable code for why the provider could not be used.
pub fn unavailable_code(why: Unavailable) -> &'static str {
    match why {
        Unavailable::Unreachable => "offline",
        Unavailable::TimedOut => "provider_timeout",
        Unavailable::ServerError => "provider_unavailable",
        Unavailable::RateLimited => "provider_busy",
        Unavailable::Unreadable => "provider_response",
    }
}

impl CoreError {
    /// A stable, machine-readable code for front ends.
    pub fn code(&self) -> &'static str {
        if let Some(why) = self.unavailable() {
            return unavailable_code(why);
        }
        match self {
            Self::Client(ClientError::SignInRequired) => "sign_in_required",
            Self::Client(ClientError::InvalidCredentials) => "invalid_credentials",
            Self::Client(ClientError::InvalidUrl(_)) => "invalid_provider_url",
            Self::Client(
                ClientError::Network(_)
                | ClientError::TimedOut(_)
                | ClientError::Decode(_)
                | ClientError::TooLarge(_),
            ) => "provider_response",
            Self::Client(ClientError::Provider { .. }) => "provider_error",
            Self::Client(ClientError::Redirect(_)) => "provider_redirect",
            Self::Client(ClientError::Secrets(_)) | Self::Secrets(_) => "secure_storage",
            Self::Store(_) => "local_cache",
            Self::Demo(_) => "demo_provider",
            Self::Invalid(_) => "invalid_input",
            Self::Client(ClientError::File(_)) | Self::File(_) => "file",
            Self::Archive(_) => "archive_invalid",
            Self::AccountDeleted => "account_deleted",
        }
    }

    /// Why the provider could not be used, when that is what went wrong: the front ends then
    /// show the cache and keep decisions queued, never a refusal.
    pub fn unavailable(&self) -> Option<Unavailable> {
        match self {
            Self::Client(error) => error.unavailable(),
            _ => None,
        }
    }

    /// The provider's refusal with its facts, when it answered with a refusal (not when it
    /// could not be used).
    pub fn refusal(&self) -> Option<crate::Refusal> {
        match self {
            Self::Client(ClientError::Provider { body, retry_after, .. }) if self.unavailable().is_none() => {
                Some(crate::Refusal::from_body(body, *retry_after))
            }
            _ => None,
        }
    }

    /// The provider's own error code, when it refused with one (`pin_incorrect`, …).
    pub fn provider_code(&self) -> Option<guardian_domain::ErrorCode> {
        match self {
            Self::Client(error) => error.provider_code(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unavailability_has_a_listed_code() {
        for why in [
            Unavailable::Unreachable,
            Unavailable::TimedOut,
            Unavailable::ServerError,
            Unavailable::RateLimited,
            Unavailable::Unreadable,
        ] {
            let code = unavailable_code(why);
            assert!(UNAVAILABLE_CODES.contains(&code) && ERROR_CODES.contains(&code), "{code}");
        }
    }

    /// An error chain (`{:#}` in the CLI) says each thing once.
    #[test]
    fn a_client_error_is_not_repeated_by_its_wrapper() {
        let error = CoreError::from(ClientError::Network("connection refused".into()));
        let chain: Vec<String> =
            std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
                .map(ToString::to_string)
                .collect();
        let printed = chain.join(": ");
        assert_eq!(printed.matches("connection refused").count(), 1, "{printed}");
    }
}
