use guardian_core::{CoreError, ErrorKind, Refusal};
use serde::Serialize;

/// The one error shape the web view sees. The UI branches on `code` and words a provider's
/// refusal from `refusal` in the guardian's language, never from `message`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppError {
    pub code: ErrorKind,
    pub message: String,
    /// The provider's refusal with its facts (tries left, a lock's end), when it refused.
    pub refusal: Option<Refusal>,
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        Self { code: error.kind(), message: error.to_string(), refusal: error.refusal() }
    }
}
