//! Where secrets are kept: the OS keyring (Secret Service, Keychain, Credential Manager), or,
//! when none is available, memory only — never a plain file.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string: zeroed on drop, `<redacted>` in Debug, and not serialisable.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No secure storage on this machine (e.g. no Secret Service on the session bus).
    #[error("no secure storage is available on this computer ({0})")]
    Unavailable(String),
    #[error("secure storage refused the operation ({0})")]
    Failed(String),
}

/// A place to keep named secrets. Calls may block (D-Bus, Keychain): call them off the async
/// executor.
pub trait SecretStore: Send + Sync + 'static {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError>;
    /// Removes the secret; removing one that is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    /// Whether secrets outlive the process.
    fn is_persistent(&self) -> bool;
}

/// The OS keyring, one entry per secret under service `service`, user `namespace/name`.
#[derive(Debug, Clone)]
pub struct KeyringSecrets {
    service: String,
    namespace: String,
}

impl KeyringSecrets {
    /// Connects to the platform keyring and checks that it answers.
    pub fn open(service: &str, namespace: &str) -> Result<Self, SecretError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError::Unavailable(e.to_string()));
        }
        let store = Self { service: service.to_owned(), namespace: namespace.to_owned() };
        // A read of an entry that need not exist proves the service is really there.
        store.get("probe").map_err(|e| match e {
            SecretError::Failed(m) | SecretError::Unavailable(m) => SecretError::Unavailable(m),
        })?;
        Ok(store)
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &format!("{}/{name}", self.namespace)).map_err(map_error)
    }
}

fn map_error(error: keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoDefaultStore | keyring::Error::NoStorageAccess(_) => {
            SecretError::Unavailable(error.to_string())
        }
        other => SecretError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.entry(name)?.set_password(value.expose()).map_err(map_error)
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// Secrets kept in this process's memory only: the fallback when no keyring exists, so the app
/// still works (sign in at each launch) without ever writing a secret to a file.
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<HashMap<String, Secret>>);

impl MemorySecrets {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self.map().get(name).cloned())
    }

    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.map().insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.map().remove(name);
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// Runs a secret-store call off the async executor (keyring calls may block on D-Bus).
pub async fn off_executor<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| SecretError::Failed(e.to_string()))?
}
