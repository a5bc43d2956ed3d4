//! Sign-in with a code sent by SMS. The sandbox's stand-in gateway keeps what it "sent" for
//! tests, demos and support (the admin endpoint, [`crate::Sandbox::last_sms_code`]); the API
//! never returns a code. Every phone number gets the same answer, with or without an account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{ErrorCode, SmsCodeRequest, SmsCodeSent, SmsSignIn, TokenResponse};
use rand::Rng as _;
use serde_json::json;

use crate::AppState;
use crate::auth::{hash_secret, verify_secret};
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiJson;

const CODE_TTL: Duration = Duration::minutes(5);
const RESEND_AFTER: Duration = Duration::seconds(60);
const ATTEMPTS: i64 = 5;

fn valid_phone(phone: &str) -> ApiResult<&str> {
    let phone = phone.trim();
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if digits.len() < 6 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(
            "phone",
            "a phone number is 6 to 15 digits, with + and the country code",
        ));
    }
    Ok(phone)
}

pub(crate) async fn request_code(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SmsCodeRequest>,
) -> Response {
    let answer = request_inner(&state, &body.phone).await;
    crate::error::with_retry_after(answer.map(|sent| (StatusCode::ACCEPTED, Json(sent)).into_response()))
}

pub(crate) async fn request_inner(
    state: &AppState,
    phone: &str,
) -> Result<SmsCodeSent, (ApiError, Option<u64>)> {
    let phone = valid_phone(phone).map_err(|e| (e, None))?;
    let now = state.clock.now();
    let last: Option<(DateTime<Utc>,)> = sqlx::query_as("SELECT sent_at FROM sms_codes WHERE phone = ?")
        .bind(phone)
        .fetch_optional(&state.db)
        .await
        .map_err(|e| (e.into(), None))?;
    if let Some((sent_at,)) = last.filter(|(at,)| now < *at + RESEND_AFTER) {
        let retry = (sent_at + RESEND_AFTER - now).num_seconds().max(1);
        let error = ApiError {
            details: json!({ "retry_after_seconds": retry }),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "a code was sent a moment ago",
            )
        };
        return Err((error, u64::try_from(retry).ok()));
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM guardians WHERE phone = ?")
        .bind(phone)
        .fetch_optional(&state.db)
        .await
        .map_err(|e| (e.into(), None))?;
    let hash = hash_secret(&code).map_err(|e| (e.into(), None))?;
    let mut tx = state.db.begin().await.map_err(|e| (e.into(), None))?;
    sqlx::query(
        "INSERT INTO sms_codes (phone, code_hash, sent_at, expires_at, attempts_left) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT(phone) DO UPDATE SET code_hash = excluded.code_hash, sent_at = excluded.sent_at, \
         expires_at = excluded.expires_at, attempts_left = excluded.attempts_left",
    )
    .bind(phone)
    .bind(&hash)
    .bind(now)
    .bind(now + CODE_TTL)
    .bind(ATTEMPTS)
    .execute(&mut *tx)
    .await
    .map_err(|e| (e.into(), None))?;
    // Only an account's own number gets a message.
    if known.is_some() {
        sqlx::query("INSERT INTO sms_outbox (phone, code, sent_at) VALUES (?, ?, ?)")
            .bind(phone)
            .bind(&code)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| (e.into(), None))?;
    }
    tx.commit().await.map_err(|e| (e.into(), None))?;
    Ok(SmsCodeSent { expires_at: now + CODE_TTL, resend_after: now + RESEND_AFTER })
}

fn wrong_code() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "the code is not correct or has expired: ask for a new one",
    )
}

pub(crate) async fn verify_code(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SmsSignIn>,
) -> ApiResult<Json<TokenResponse>> {
    let guardian_id = redeem_code(&state, &body.phone, &body.code).await?;
    Ok(Json(crate::auth::start_session(&state, &guardian_id, "a code sent by SMS").await?))
}

/// Uses up the code sent to `phone` and returns the guardian whose number it is. A wrong code, an
/// expired one, and a number without an account get the same answer.
pub(crate) async fn redeem_code(state: &AppState, phone: &str, code: &str) -> ApiResult<String> {
    let phone = valid_phone(phone)?;
    let now = state.clock.now();
    let row: Option<(String, DateTime<Utc>, i64)> =
        sqlx::query_as("SELECT code_hash, expires_at, attempts_left FROM sms_codes WHERE phone = ?")
            .bind(phone)
            .fetch_optional(&state.db)
            .await?;
    let Some((hash, _, attempts_left)) = row.filter(|(_, expires_at, left)| now < *expires_at && *left > 0)
    else {
        return Err(wrong_code());
    };
    if !verify_secret(code.trim(), &hash) {
        sqlx::query("UPDATE sms_codes SET attempts_left = ? WHERE phone = ?")
            .bind(attempts_left - 1)
            .bind(phone)
            .execute(&state.db)
            .await?;
        return Err(wrong_code());
    }
    // A code works once.
    sqlx::query("DELETE FROM sms_codes WHERE phone = ?").bind(phone).execute(&state.db).await?;
    let guardian: Option<(String,)> = sqlx::query_as("SELECT id FROM guardians WHERE phone = ?")
        .bind(phone)
        .fetch_optional(&state.db)
        .await?;
    guardian.map(|(id,)| id).ok_or_else(wrong_code)
}

/// The newest code the stand-in gateway sent to `phone`.
pub(crate) async fn last_code(db: &sqlx::SqlitePool, phone: &str) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT code FROM sms_outbox WHERE phone = ? ORDER BY seq DESC LIMIT 1")
            .bind(phone.trim())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(code,)| code))
}
