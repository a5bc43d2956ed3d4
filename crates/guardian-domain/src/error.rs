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
    /// The parental PIN was wrong; `details.attempts_left` says how many tries remain.
    PinIncorrect,
    /// Too many wrong PINs: wait `details.retry_after_seconds`, or reset the PIN after
    /// re-authenticating when `details.reset_required` is true.
    PinLocked,
    /// The child has no parental PIN yet.
    PinNotSet,
    /// The same Idempotency-Key was sent with a different request.
    IdempotencyMismatch,
    /// A mutating request without an Idempotency-Key.
    IdempotencyKeyRequired,
    /// A sensitive action needs a fresh re-authentication (`POST /v1/auth/reauth`).
    ReauthRequired,
    /// A third-party identity no Guardian account uses yet: bind a phone number to it
    /// (`details.binding_token`, `POST /v1/auth/identities/bind-phone`).
    PhoneBindingRequired,
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
