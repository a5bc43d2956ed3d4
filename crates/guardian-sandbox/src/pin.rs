//! The parental PIN: setting it, and checking it with attempts counted (free tries, growing
//! delays, then a reset), and the guardian's word for guardian-only changes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{ErrorCode, SetPin, is_valid_pin};
use serde_json::json;

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::routes::{ApiJson, ApiPath};

/// Wrong PINs allowed before delays start, and before a reset is required.
const FREE_ATTEMPTS: i64 = 5;
pub(crate) const RESET_AFTER: i64 = 10;

/// Checks a PIN with attempt counting: 5 free tries, then growing delays, then a reset.
/// The guardian's word for a guardian-only change to `child_id` (loosening a protection,
/// unblocking a contact, the co-guardians' rules): the child's PIN, whose wrong tries count
/// towards its lock like an approval's, or, for a child with no PIN yet, a fresh proof taken for
/// `change_protection`. Whoever sits at an unlocked session cannot make these changes alone.
pub(crate) async fn check_guardian(
    state: &AppState,
    guardian_id: &str,
    child_id: &str,
    pin: Option<&str>,
    proof: Option<&str>,
) -> ApiResult<()> {
    let has_pin: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM pins WHERE child_id = ?")
        .bind(child_id)
        .fetch_optional(&state.db)
        .await?;
    match (has_pin, proof) {
        (Some(_), _) => check_pin(state, child_id, pin).await,
        (None, Some(proof)) => {
            let purpose = guardian_domain::ReauthPurpose::ChangeProtection;
            crate::rights::check_proof(state, guardian_id, proof, purpose).await
        }
        (None, None) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthRequired,
            "this child has no parental PIN yet: set one, or confirm who you are again, first",
        )),
    }
}

pub(crate) async fn check_pin(state: &AppState, child_id: &str, pin: Option<&str>) -> ApiResult<()> {
    let now = state.clock.now();
    let row: Option<(String, i64, Option<DateTime<Utc>>, bool)> = sqlx::query_as(
        "SELECT pin_hash, failed_attempts, locked_until, reset_required FROM pins WHERE child_id = ?",
    )
    .bind(child_id)
    .fetch_optional(&state.db)
    .await?;
    let Some((hash, failed, locked_until, reset_required)) = row else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::PinNotSet,
            "set a parental PIN for this child first",
        ));
    };
    if reset_required {
        return Err(pin_locked(None, true));
    }
    if let Some(until) = locked_until.filter(|u| *u > now) {
        return Err(pin_locked(Some((until - now).num_seconds().max(1)), false));
    }
    let pin = pin.unwrap_or_default();
    if is_valid_pin(pin) && crate::auth::verify_secret(pin, &hash) {
        sqlx::query("UPDATE pins SET failed_attempts = 0, locked_until = NULL WHERE child_id = ?")
            .bind(child_id)
            .execute(&state.db)
            .await?;
        return Ok(());
    }
    let failed = failed + 1;
    let (locked_until, reset) = if failed >= RESET_AFTER {
        (None, true)
    } else if failed >= FREE_ATTEMPTS {
        // 30 s after the 5th wrong PIN, doubling each time after.
        (Some(now + Duration::seconds(30 << (failed - FREE_ATTEMPTS))), false)
    } else {
        (None, false)
    };
    sqlx::query(
        "UPDATE pins SET failed_attempts = ?, locked_until = ?, reset_required = ? WHERE child_id = ?",
    )
    .bind(failed)
    .bind(locked_until)
    .bind(reset)
    .bind(child_id)
    .execute(&state.db)
    .await?;
    if reset {
        return Err(pin_locked(None, true));
    }
    if let Some(until) = locked_until {
        return Err(pin_locked(Some((until - now).num_seconds()), false));
    }
    Err(ApiError {
        details: json!({ "attempts_left": FREE_ATTEMPTS - failed }),
        ..ApiError::new(StatusCode::FORBIDDEN, ErrorCode::PinIncorrect, "the parental PIN is not correct")
    })
}

fn pin_locked(retry_after: Option<i64>, reset_required: bool) -> ApiError {
    let message = if reset_required {
        "too many wrong PINs: reset the PIN after signing in again"
    } else {
        "too many wrong PINs: wait before trying again"
    };
    ApiError {
        details: json!({ "retry_after_seconds": retry_after, "reset_required": reset_required }),
        ..ApiError::new(StatusCode::FORBIDDEN, ErrorCode::PinLocked, message)
    }
}

pub(crate) async fn set_pin(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<SetPin>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        if !is_valid_pin(&body.new_pin) {
            return Err(ApiError::validation("new_pin", "a parental PIN is exactly 4 digits"));
        }
        let exists: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM pins WHERE child_id = ?")
            .bind(&child_id)
            .fetch_optional(&state.db)
            .await?;
        if exists.is_some() {
            match body.reauth_proof.as_deref() {
                // A reset: the guardian proved who they are again; the old PIN is not needed.
                Some(proof) => {
                    let purpose = guardian_domain::ReauthPurpose::ResetPin;
                    crate::rights::check_proof(&state, &auth.guardian_id, proof, purpose).await?;
                }
                None => check_pin(&state, &child_id, body.current_pin.as_deref()).await?,
            }
        }
        sqlx::query(
            "INSERT INTO pins (child_id, pin_hash) VALUES (?, ?) ON CONFLICT(child_id) DO UPDATE SET \
             pin_hash = excluded.pin_hash, failed_attempts = 0, locked_until = NULL, reset_required = 0",
        )
        .bind(&child_id)
        .bind(crate::auth::hash_secret(&body.new_pin)?)
        .execute(&state.db)
        .await?;
        Ok((StatusCode::OK, json!({ "pin_set": true })))
    })
    .await
}
