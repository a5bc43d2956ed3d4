//! The authenticated provider-API client and the secret store behind it.
//!
//! Tokens live only in the OS keyring (and, while in use, in memory wrapped in [`Secret`]); they
//! are never logged, serialised or handed to the web view.

mod children;
mod client;
mod contacts;
mod error;
mod feed;
mod friend_requests;
mod guardians;
mod identity;
mod rights;
mod sandbox_admin;
mod secrets;
mod session;

pub use client::{DEFAULT_TIMEOUT, ProviderClient, Recorder, validate_provider_url};
pub use error::{ClientError, Unavailable};
pub use identity::IdentitySignIn;
pub use rights::{ByteTap, Reauth};
pub use sandbox_admin::advance_sandbox_clock;
pub use secrets::{KeyringSecrets, MemorySecrets, Secret, SecretError, SecretStore, off_executor};
