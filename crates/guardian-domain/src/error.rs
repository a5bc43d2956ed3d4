use serde::{Deserialize, Serialize};

/// Machine-readable error codes. Clients branch on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

impl ErrorCode {
    /// Every code the contract (`api/openapi.yaml`, `Error.code`) lists, then [`Self::Unknown`].
    pub const ALL: [Self; 22] = [
        Self::BadRequest,
        Self::Validation,
        Self::InvalidCredentials,
        Self::Unauthorized,
        Self::TokenReused,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PayloadTooLarge,
        Self::RateLimited,
        Self::CursorExpired,
        Self::PinIncorrect,
        Self::PinLocked,
        Self::PinNotSet,
        Self::IdempotencyMismatch,
        Self::IdempotencyKeyRequired,
        Self::ReauthRequired,
        Self::PhoneBindingRequired,
        Self::Internal,
        Self::Unavailable,
        Self::Unknown,
    ];

    /// The code as the wire spells it (`pin_incorrect`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Validation => "validation",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Unauthorized => "unauthorized",
            Self::TokenReused => "token_reused",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition_failed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited => "rate_limited",
            Self::CursorExpired => "cursor_expired",
            Self::PinIncorrect => "pin_incorrect",
            Self::PinLocked => "pin_locked",
            Self::PinNotSet => "pin_not_set",
            Self::IdempotencyMismatch => "idempotency_mismatch",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::ReauthRequired => "reauth_required",
            Self::PhoneBindingRequired => "phone_binding_required",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(code: &str) -> Self {
        Self::ALL.into_iter().find(|c| c.as_str() == code).unwrap_or(Self::Unknown)
    }
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

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// The codes here are the contract's, in its order, and each is spelled as serde spells it.
    #[test]
    fn every_error_code_of_the_contract_is_known_and_spelled_as_on_the_wire() {
        let contract = include_str!("../../../api/openapi.yaml");
        let start = contract.find("enum: [bad_request").expect("the contract's error codes");
        let list = &contract[start + "enum: [".len()..];
        let listed: Vec<&str> =
            list[..list.find(']').expect("end of the list")].split(',').map(str::trim).collect();
        let known: Vec<&str> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).filter(|c| *c != "unknown").collect();
        assert_eq!(known, listed);
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).expect("json"), code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), code);
        }
    }
}
