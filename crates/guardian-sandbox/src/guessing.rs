//! Password sign-in resists guessing: failures are counted per phone number and per network
//! address; past a few, each further try must wait out a delay that doubles (capped), answered
//! `429` with `Retry-After` before any password is checked. A success clears the phone's count.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::ErrorCode;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// How many failed sign-ins are free before the delays start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Per phone number.
    pub per_phone: i64,
    /// Per network address, across phone numbers (a school or a mobile carrier can put many
    /// families behind one address, so this is far higher).
    pub per_address: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self { per_phone: 5, per_address: 1000 }
    }
}
/// The first delay; each further failure doubles it.
const FIRST_DELAY: Duration = Duration::seconds(30);
const LONGEST_DELAY: Duration = Duration::hours(1);

/// The delay after `failures` failures, where `free` were free.
pub(crate) fn delay_after(failures: i64, free: i64) -> Option<Duration> {
    let over = failures - free;
    (over >= 0).then(|| {
        let doubled = FIRST_DELAY.num_seconds().saturating_mul(1_i64 << over.min(16));
        Duration::seconds(doubled.min(LONGEST_DELAY.num_seconds()))
    })
}

fn subjects(limits: SignInLimits, phone: &str, address: IpAddr) -> [(String, i64); 2] {
    [(format!("phone:{phone}"), limits.per_phone), (format!("address:{address}"), limits.per_address)]
}

/// Refuses the try while the phone number or the address waits out a delay.
pub(crate) async fn check(state: &AppState, phone: &str, address: IpAddr) -> ApiResult<()> {
    let now = state.clock.now();
    for (subject, _) in subjects(state.sign_in_limits, phone, address) {
        let until: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT locked_until FROM sign_in_failures WHERE subject = ?")
                .bind(&subject)
                .fetch_optional(&state.db)
                .await?;
        if let Some(Some(until)) = until
            && until > now
        {
            let wait = (until - now).num_seconds().max(1);
            return Err(ApiError {
                retry_after: Some(u64::try_from(wait).unwrap_or(1)),
                details: serde_json::json!({ "retry_after_seconds": wait }),
                ..ApiError::new(
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    "too many sign-in attempts: wait before trying again",
                )
            });
        }
    }
    Ok(())
}

/// Counts a failed try against the phone number and the address.
pub(crate) async fn failed(state: &AppState, phone: &str, address: IpAddr) -> ApiResult<()> {
    let now = state.clock.now();
    for (subject, free) in subjects(state.sign_in_limits, phone, address) {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_failures (subject, failures) VALUES (?, 1) \
             ON CONFLICT(subject) DO UPDATE SET failures = failures + 1 RETURNING failures",
        )
        .bind(&subject)
        .fetch_one(&state.db)
        .await?;
        if let Some(delay) = delay_after(failures, free) {
            sqlx::query("UPDATE sign_in_failures SET locked_until = ? WHERE subject = ?")
                .bind(now + delay)
                .bind(&subject)
                .execute(&state.db)
                .await?;
        }
    }
    Ok(())
}

/// A success clears the phone number's count (the address keeps its own).
pub(crate) async fn succeeded(state: &AppState, phone: &str) -> ApiResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE subject = ?")
        .bind(format!("phone:{phone}"))
        .execute(&state.db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_tries_then_double_up_to_an_hour() {
        let cases = [
            (4, None),
            (5, Some(30)),
            (6, Some(60)),
            (7, Some(120)),
            (11, Some(1920)),
            (12, Some(3600)),
            (500, Some(3600)),
        ];
        for (failures, seconds) in cases {
            let free = SignInLimits::default().per_phone;
            assert_eq!(delay_after(failures, free).map(|d| d.num_seconds()), seconds, "{failures}");
        }
    }
}
