use serde::{Deserialize, Serialize};

/// Machine-readable error codes. Clients branch on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Validation,
    InvalidCredentials,
    Unauthorized,
    TokenReused,
    Forbidden,
    NotFound,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    RateLimited,
    CursorExpired,
    Internal,
    Unavailable,
    /// A code this build does not know yet (a newer provider).
    #[serde(other)]
    Unknown,
}

/// The one error body every provider response uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}
