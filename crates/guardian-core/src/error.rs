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
    #[error("choose your provider's address, or try a demo family")]
    NoProvider,
    #[error("{0}")]
    Invalid(String),
    #[error("could not use the file: {0}")]
    File(String),
    #[error("{0}")]
    Archive(String),
    #[error("your Guardian account has been deleted; its data was removed from this computer")]
    AccountDeleted,
}

/// What went wrong, as front ends branch on it (`CoreError::kind`); each is worded in the app's
/// and the CLI's catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    SignInRequired,
    InvalidCredentials,
    InvalidProviderUrl,
    /// No connection to the provider.
    Offline,
    ProviderTimeout,
    /// The provider answered with a server error.
    ProviderUnavailable,
    /// The provider asked Guardian to slow down.
    ProviderBusy,
    /// An answer that cannot be read.
    ProviderResponse,
    /// The provider refused; `CoreError::refusal` has its code and facts.
    ProviderError,
    ProviderRedirect,
    SecureStorage,
    LocalCache,
    DemoProvider,
    /// No provider chosen on this computer yet.
    NoProvider,
    InvalidInput,
    File,
    ArchiveInvalid,
    AccountDeleted,
}

impl ErrorKind {
    pub const ALL: [Self; 18] = [
        Self::SignInRequired,
        Self::InvalidCredentials,
        Self::InvalidProviderUrl,
        Self::Offline,
        Self::ProviderTimeout,
        Self::ProviderUnavailable,
        Self::ProviderBusy,
        Self::ProviderResponse,
        Self::ProviderError,
        Self::ProviderRedirect,
        Self::SecureStorage,
        Self::LocalCache,
        Self::DemoProvider,
        Self::NoProvider,
        Self::InvalidInput,
        Self::File,
        Self::ArchiveInvalid,
        Self::AccountDeleted,
    ];

    /// The kinds that mean "the provider could not be used": the cache is shown, decisions wait.
    pub const UNAVAILABLE: [Self; 5] = [
        Self::Offline,
        Self::ProviderTimeout,
        Self::ProviderUnavailable,
        Self::ProviderBusy,
        Self::ProviderResponse,
    ];

    /// The stable code (as the bindings, `--json` and the outbox spell it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignInRequired => "sign_in_required",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidProviderUrl => "invalid_provider_url",
            Self::Offline => "offline",
            Self::ProviderTimeout => "provider_timeout",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderBusy => "provider_busy",
            Self::ProviderResponse => "provider_response",
            Self::ProviderError => "provider_error",
            Self::ProviderRedirect => "provider_redirect",
            Self::SecureStorage => "secure_storage",
            Self::LocalCache => "local_cache",
            Self::DemoProvider => "demo_provider",
            Self::NoProvider => "no_provider",
            Self::InvalidInput => "invalid_input",
            Self::File => "file",
            Self::ArchiveInvalid => "archive_invalid",
            Self::AccountDeleted => "account_deleted",
        }
    }

    pub fn is_unavailable(self) -> bool {
        Self::UNAVAILABLE.contains(&self)
    }
}

/// The kind for why the provider could not be used.
pub fn unavailable_kind(why: Unavailable) -> ErrorKind {
    match why {
        Unavailable::Unreachable => ErrorKind::Offline,
        Unavailable::TimedOut => ErrorKind::ProviderTimeout,
        Unavailable::ServerError => ErrorKind::ProviderUnavailable,
        Unavailable::RateLimited => ErrorKind::ProviderBusy,
        Unavailable::Unreadable => ErrorKind::ProviderResponse,
    }
}

impl CoreError {
    /// What went wrong, for front ends to branch on and word.
    pub fn kind(&self) -> ErrorKind {
        if let Some(why) = self.unavailable() {
            return unavailable_kind(why);
        }
        match self {
            Self::Client(ClientError::SignInRequired) => ErrorKind::SignInRequired,
            Self::Client(ClientError::InvalidCredentials) => ErrorKind::InvalidCredentials,
            Self::Client(ClientError::InvalidUrl(_)) => ErrorKind::InvalidProviderUrl,
            Self::Client(
                ClientError::Network(_)
                | ClientError::TimedOut(_)
                | ClientError::Decode(_)
                | ClientError::TooLarge(_),
            ) => ErrorKind::ProviderResponse,
            Self::Client(ClientError::Provider { .. }) => ErrorKind::ProviderError,
            Self::Client(ClientError::Redirect(_)) => ErrorKind::ProviderRedirect,
            Self::Client(ClientError::Secrets(_)) | Self::Secrets(_) => ErrorKind::SecureStorage,
            Self::Store(_) => ErrorKind::LocalCache,
            Self::Demo(_) => ErrorKind::DemoProvider,
            Self::NoProvider => ErrorKind::NoProvider,
            Self::Invalid(_) => ErrorKind::InvalidInput,
            Self::Client(ClientError::File(_)) | Self::File(_) => ErrorKind::File,
            Self::Archive(_) => ErrorKind::ArchiveInvalid,
            Self::AccountDeleted => ErrorKind::AccountDeleted,
        }
    }

    /// The stable code of [`CoreError::kind`].
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
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
    fn every_unavailability_is_an_unavailable_kind() {
        for why in [
            Unavailable::Unreachable,
            Unavailable::TimedOut,
            Unavailable::ServerError,
            Unavailable::RateLimited,
            Unavailable::Unreadable,
        ] {
            assert!(unavailable_kind(why).is_unavailable(), "{why:?}");
        }
    }

    #[test]
    fn each_kind_is_spelled_as_serde_spells_it() {
        for kind in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(kind).expect("json"), kind.as_str());
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
