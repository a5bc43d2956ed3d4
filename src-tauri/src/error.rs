use guardian_core::CoreError;
use serde::Serialize;

/// The one error shape the web view sees. The UI branches on `code`, never on `message`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        Self { code: error.code().to_owned(), message: error.to_string() }
    }
}
