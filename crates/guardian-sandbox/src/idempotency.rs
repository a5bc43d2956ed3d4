//! `Idempotency-Key` on every mutating request: the first response is stored, a replay with the
//! same request gets it back unchanged, and the same key with a different request is refused.
//! "The same request" is one fingerprint, made in one place ([`fingerprint`], a middleware):
//! HMAC-SHA-256, keyed with the server's secret, over the method, path, the headers that change
//! the answer and the JSON body without its secret fields, so the stored fingerprints hold no
//! PIN, password or proof in any form one could try guesses against.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use guardian_domain::Clock as _;
use guardian_domain::ErrorCode;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Body fields that never reach a fingerprint: secrets, and nothing else.
const SECRET_FIELDS: [&str; 10] = [
    "pin",
    "new_pin",
    "current_pin",
    "password",
    "reauth_proof",
    "code",
    "code_verifier",
    "refresh_token",
    "binding_token",
    "sms_code",
];

/// Headers that change what a request asks for.
const FINGERPRINTED_HEADERS: [&str; 2] = ["if-match", "accept-language"];

/// The largest body a mutating route takes (an avatar upload).
const BUFFERED_BODY_LIMIT: usize = crate::avatar::AVATAR_BODY_LIMIT;

/// A request's fingerprint, put into its extensions by [`fingerprint`].
#[derive(Clone)]
pub(crate) struct Fingerprint(String);

/// The server's key for fingerprints: made once, kept in the database.
pub(crate) async fn fingerprint_key(db: &sqlx::SqlitePool) -> Result<Vec<u8>, crate::SandboxError> {
    let mut fresh = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ('fingerprint', ?) ON CONFLICT(name) DO NOTHING",
    )
    .bind(fresh.as_slice())
    .execute(db)
    .await?;
    Ok(sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = 'fingerprint'")
        .fetch_one(db)
        .await?)
}

/// Fingerprints every mutating request (see the module's documentation).
pub(crate) async fn fingerprint(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if matches!(request.method(), &axum::http::Method::GET | &axum::http::Method::HEAD) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BUFFERED_BODY_LIMIT).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "the request is too large",
        )
        .into_response();
    };
    let print = fingerprint_of(&state.fingerprint_key, &parts, &bytes);
    parts.extensions.insert(Fingerprint(print));
    next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

fn fingerprint_of(key: &[u8], parts: &Parts, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(parts.method.as_str().as_bytes());
    mac.update(b"\n");
    mac.update(parts.uri.path().as_bytes());
    for name in FINGERPRINTED_HEADERS {
        mac.update(b"\n");
        mac.update(parts.headers.get(name).map_or(&b""[..], |v| v.as_bytes()));
    }
    mac.update(b"\n");
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut json) => {
            without_secrets(&mut json);
            // serde_json's maps are ordered by key: the same request gives the same bytes.
            mac.update(json.to_string().as_bytes());
        }
        Err(_) => mac.update(body),
    }
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn without_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|name, _| !SECRET_FIELDS.contains(&name.as_str()));
            map.values_mut().for_each(without_secrets);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_secrets),
        _ => {}
    }
}

pub(crate) struct IdempotencyKey {
    key: String,
    fingerprint: String,
}

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
        let fingerprint = parts.extensions.get::<Fingerprint>().map(|f| f.0.clone()).unwrap_or_default();
        Ok(Self { key: key.to_owned(), fingerprint })
    }
}

/// 1 to 128 printable ASCII characters, as the contract says (no tabs or control characters).
pub(crate) fn is_valid_key(key: &str) -> bool {
    (1..=128).contains(&key.len()) && key.bytes().all(|b| (b' '..=b'~').contains(&b))
}

impl IdempotencyKey {
    /// Runs `work` once per key and request.
    pub async fn run<F>(self, state: &AppState, guardian_id: &str, work: F) -> Response
    where
        F: std::future::Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
    {
        match self.run_inner(state, guardian_id, work).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    async fn run_inner<F>(self, state: &AppState, guardian_id: &str, work: F) -> ApiResult<Response>
    where
        F: std::future::Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
    {
        let fingerprint = self.fingerprint.clone();
        // One writer at a time in the sandbox: the lock makes check-then-store atomic.
        let _guard = state.write_lock.lock().await;
        let stored: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT fingerprint, status, body FROM idempotency WHERE guardian_id = ? AND key = ?",
        )
        .bind(guardian_id)
        .bind(&self.key)
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
                .bind(&self.key)
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
            .bind(&self.key)
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
