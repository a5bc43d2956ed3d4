//! `Idempotency-Key` on every mutating request: the first response is stored, a replay with the
//! same request gets it back unchanged, and the same key with a different request is refused.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use guardian_domain::Clock as _;
use guardian_domain::ErrorCode;
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

pub(crate) struct IdempotencyKey(String);

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> ApiResult<Self> {
        let key = parts
            .headers
            .get("Idempotency-Key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| is_valid_key(k))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::IdempotencyKeyRequired,
                    "mutating requests need an Idempotency-Key header (1 to 128 printable ASCII characters)",
                )
            })?;
        Ok(Self(key.to_owned()))
    }
}

/// 1 to 128 printable ASCII characters, as the contract says (no tabs or control characters).
fn is_valid_key(key: &str) -> bool {
    (1..=128).contains(&key.len()) && key.bytes().all(|b| (b' '..=b'~').contains(&b))
}

impl IdempotencyKey {
    /// Runs `work` once per key. `request` identifies the request (method, path and body).
    pub async fn run<F>(self, state: &AppState, guardian_id: &str, request: &str, work: F) -> Response
    where
        F: std::future::Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
    {
        match self.run_inner(state, guardian_id, request, work).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    async fn run_inner<F>(
        self,
        state: &AppState,
        guardian_id: &str,
        request: &str,
        work: F,
    ) -> ApiResult<Response>
    where
        F: std::future::Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
    {
        let fingerprint = format!("{:x}", Sha256::digest(request.as_bytes()));
        // One writer at a time in the sandbox: the lock makes check-then-store atomic.
        let _guard = state.write_lock.lock().await;
        let stored: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT fingerprint, status, body FROM idempotency WHERE guardian_id = ? AND key = ?",
        )
        .bind(guardian_id)
        .bind(&self.0)
        .fetch_optional(&state.db)
        .await?;
        if let Some((stored_fingerprint, status, body)) = stored {
            if stored_fingerprint != fingerprint {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::IdempotencyMismatch,
                    "this Idempotency-Key was already used for a different request",
                ));
            }
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, [("content-type", "application/json")], body).into_response();
            response
                .headers_mut()
                .insert("Idempotent-Replayed", axum::http::HeaderValue::from_static("true"));
            return Ok(response);
        }
        let (status, body, response) = match work.await {
            Ok((status, body)) => {
                let text = body.to_string();
                (status, text.clone(), (status, [("content-type", "application/json")], text).into_response())
            }
            Err(error) => {
                let status = error.status;
                let body = error.body();
                let text = serde_json::to_string(&body).unwrap_or_default();
                (status, text, error.into_response())
            }
        };
        if status.is_success() {
            // Signed-in clients of this guardian hear that changes are waiting (push).
            let _ = state.pushes.send(guardian_id.to_owned());
            sqlx::query("INSERT INTO mutation_log (guardian_id, key, status, at) VALUES (?, ?, ?, ?)")
                .bind(guardian_id)
                .bind(&self.0)
                .bind(i64::from(status.as_u16()))
                .bind(state.clock.now())
                .execute(&state.db)
                .await?;
        }
        // Server errors are not stored: the client may retry them with the same key.
        if !status.is_server_error() {
            sqlx::query(
                "INSERT INTO idempotency (guardian_id, key, fingerprint, status, body, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(guardian_id)
            .bind(&self.0)
            .bind(&fingerprint)
            .bind(i64::from(status.as_u16()))
            .bind(&body)
            .bind(state.clock.now())
            .execute(&state.db)
            .await?;
        }
        Ok(response)
    }
}
