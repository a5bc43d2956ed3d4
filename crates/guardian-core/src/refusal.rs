//! The provider's refusal, kept with its meaning: its code and the facts a guardian needs to act
//! on it (tries left, how long a lock lasts, which field was wrong). Front ends word it from their
//! catalogues in the guardian's language; the provider's own (English) words are never shown.

use chrono::{DateTime, Utc};
use guardian_domain::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

/// Why the provider said no.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Refusal {
    pub code: ErrorCode,
    /// Wrong tries left before a lock (a PIN, a password).
    pub attempts_left: Option<i32>,
    /// Seconds until the guardian may try again (a lock, a wait between codes), from when this
    /// was read.
    pub retry_after_seconds: Option<i32>,
    /// The lock ends only with a new PIN, set after re-authenticating.
    pub reset_required: bool,
    /// The input a validation error names (`pin`, `evidence`…).
    pub field: Option<String>,
}

/// What the cache keeps of a refusal beside its code: the wait as a moment, so it can be
/// counted down later.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempts_left: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    reset_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// A field name from the provider is hostile input: only a short identifier is kept.
fn field_name(value: &serde_json::Value) -> Option<String> {
    let name = value.as_str()?;
    (name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| name.to_owned())
}

fn small(value: &serde_json::Value) -> Option<i32> {
    value.as_i64().and_then(|n| i32::try_from(n.clamp(0, i64::from(i32::MAX))).ok())
}

impl Refusal {
    /// The refusal in an error body; `retry_after` is the `Retry-After` header's seconds.
    pub fn from_body(body: &ErrorBody, retry_after: Option<u64>) -> Self {
        let details = &body.details;
        Self {
            code: body.code,
            attempts_left: small(&details["attempts_left"]),
            retry_after_seconds: small(&details["retry_after_seconds"])
                .or_else(|| retry_after.and_then(|s| i32::try_from(s).ok())),
            reset_required: details["reset_required"].as_bool() == Some(true),
            field: field_name(&details["field"]),
        }
    }

    /// The facts beside the code, as the cache keeps them (JSON).
    pub(crate) fn to_kept(&self, now: DateTime<Utc>) -> String {
        let kept = Kept {
            attempts_left: self.attempts_left,
            retry_at: self.retry_after_seconds.map(|s| now + chrono::Duration::seconds(i64::from(s))),
            reset_required: self.reset_required,
            field: self.field.clone(),
        };
        serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into())
    }

    /// A kept refusal, its wait counted from `now`.
    pub(crate) fn from_kept(code: &str, kept: Option<&str>, now: DateTime<Utc>) -> Self {
        let kept: Kept = kept.and_then(|k| serde_json::from_str(k).ok()).unwrap_or_default();
        Self {
            code: ErrorCode::parse(code),
            attempts_left: kept.attempts_left,
            retry_after_seconds: kept
                .retry_at
                .map(|at| i32::try_from((at - now).num_seconds().max(0)).unwrap_or(i32::MAX)),
            reset_required: kept.reset_required,
            field: kept.field,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: ErrorCode, details: serde_json::Value) -> ErrorBody {
        ErrorBody { code, message: "ignored".into(), request_id: "r".into(), details }
    }

    #[test]
    fn the_facts_are_read_from_the_details_and_hostile_ones_dropped() {
        let cases = [
            (
                body(ErrorCode::PinIncorrect, serde_json::json!({ "attempts_left": 2 })),
                None,
                Some(2),
                None,
                false,
                None,
            ),
            (
                body(
                    ErrorCode::PinLocked,
                    serde_json::json!({ "retry_after_seconds": 900, "reset_required": true }),
                ),
                None,
                None,
                Some(900),
                true,
                None,
            ),
            (body(ErrorCode::RateLimited, serde_json::Value::Null), Some(30), None, Some(30), false, None),
            (
                body(ErrorCode::Validation, serde_json::json!({ "field": "pin" })),
                None,
                None,
                None,
                false,
                Some("pin"),
            ),
            (
                body(ErrorCode::Validation, serde_json::json!({ "field": "<script>", "attempts_left": -5 })),
                None,
                Some(0),
                None,
                false,
                None,
            ),
        ];
        for (body, header, attempts, wait, reset, field) in cases {
            let refusal = Refusal::from_body(&body, header);
            assert_eq!(
                (
                    refusal.attempts_left,
                    refusal.retry_after_seconds,
                    refusal.reset_required,
                    refusal.field.as_deref()
                ),
                (attempts, wait, reset, field),
                "{:?}",
                body.code
            );
        }
    }

    #[test]
    fn a_kept_lock_counts_down_from_when_it_was_read() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").expect("time").to_utc();
        let refusal = Refusal::from_body(
            &body(ErrorCode::PinLocked, serde_json::json!({ "retry_after_seconds": 600 })),
            None,
        );
        let kept = refusal.to_kept(at);
        let later = Refusal::from_kept("pin_locked", Some(&kept), at + chrono::Duration::seconds(240));
        assert_eq!((later.code, later.retry_after_seconds), (ErrorCode::PinLocked, Some(360)));
        let over = Refusal::from_kept("pin_locked", Some(&kept), at + chrono::Duration::hours(1));
        assert_eq!(over.retry_after_seconds, Some(0));
        assert_eq!(Refusal::from_kept("something_new", None, at).code, ErrorCode::Unknown);
    }
}
