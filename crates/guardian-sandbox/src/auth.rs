//! Sign-in, rotating refresh tokens and bearer authentication.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{ErrorCode, PasswordSignIn, RefreshRequest, TokenResponse};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiJson;

const ACCESS_TTL: Duration = Duration::minutes(15);
const REFRESH_TTL: Duration = Duration::days(30);

/// An argon2id hash of a password or PIN; the secret itself is never stored.
pub(crate) fn hash_secret(secret: &str) -> Result<String, crate::SandboxError> {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    let salt =
        SaltString::encode_b64(&raw).map_err(|e| crate::SandboxError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crate::SandboxError::Internal(format!("hashing failed: {e}")))
}

/// A hash no password matches, checked for a phone number without an account so that an unknown
/// number costs the same work (and time) as a known one.
static UNKNOWN_ACCOUNT_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut random = [0u8; 32];
    rand::rng().fill_bytes(&mut random);
    hash_secret(&base64::engine::general_purpose::STANDARD.encode(random)).unwrap_or_default()
});

pub(crate) fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are looked up by their SHA-256, so a leaked database holds no usable token.
pub(crate) fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

async fn issue(state: &AppState, family_id: &str, guardian_id: &str) -> ApiResult<TokenResponse> {
    let now = state.clock.now();
    let access = new_token();
    let refresh = new_token();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO access_tokens (token_hash, family_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_hash(&access))
        .bind(family_id)
        .bind(now + ACCESS_TTL)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_hash(&refresh))
        .bind(family_id)
        .bind(now + REFRESH_TTL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL.num_seconds(),
        guardian_id: guardian_id.to_owned(),
    })
}

pub(crate) async fn sign_in_password(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    ApiJson(body): ApiJson<PasswordSignIn>,
) -> ApiResult<Json<TokenResponse>> {
    if body.phone.trim().is_empty() {
        return Err(ApiError::validation("phone", "phone is required"));
    }
    let phone = body.phone.trim();
    crate::guessing::check(&state, phone, peer.ip()).await?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, password_hash FROM guardians WHERE phone = ?")
            .bind(body.phone.trim())
            .fetch_optional(&state.db)
            .await?;
    // An account whose deletion has just come due is deleted now, before anyone signs in to it.
    let row = match row {
        Some((id, _)) if crate::rights::settle(&state, &id).await? => None,
        other => other,
    };
    // The same answer, after the same work, for an unknown phone and a wrong password: nothing
    // tells who has an account.
    let hash = row.as_ref().map_or_else(|| UNKNOWN_ACCOUNT_HASH.as_str(), |(_, hash)| hash.as_str());
    let matches = verify_secret(&body.password, hash) && row.is_some();
    let Some((guardian_id, _)) = row.filter(|_| matches) else {
        crate::guessing::failed(&state, phone, peer.ip()).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "the phone number or password is not correct",
        ));
    };
    crate::guessing::succeeded(&state, phone).await?;
    Ok(Json(start_session(&state, &guardian_id, "a password").await?))
}

/// A new session family for the guardian, its first tokens, and a notice of the sign-in.
pub(crate) async fn start_session(
    state: &AppState,
    guardian_id: &str,
    how: &str,
) -> ApiResult<TokenResponse> {
    let family_id = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO token_families (id, guardian_id) VALUES (?, ?)")
        .bind(&family_id)
        .bind(guardian_id)
        .execute(&state.db)
        .await?;
    crate::transparency::notify_sign_in(state, guardian_id, how).await?;
    issue(state, &family_id, guardian_id).await
}

/// A refresh token with its session family.
#[derive(sqlx::FromRow)]
struct RefreshRow {
    family_id: String,
    guardian_id: String,
    expires_at: DateTime<Utc>,
    revoked: bool,
    /// The hashed Idempotency-Key it was spent with, once spent.
    spent_with: Option<String>,
}

/// Rotates the refresh token. A spent token that comes back is taken as stolen and ends the
/// family, unless it comes with the `Idempotency-Key` it was spent with: then it is the same
/// client retrying a refresh whose answer was lost, and the tokens it never received are
/// replaced. Spending is one conditional update, so of two refreshes racing with one token
/// exactly one wins.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let now = state.clock.now();
    let retry_key = match headers.get("Idempotency-Key") {
        None => None,
        Some(value) => {
            let key = value.to_str().ok().filter(|k| crate::idempotency::is_valid_key(k) && k.trim() == *k);
            let key = key.ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    "an Idempotency-Key is 1 to 128 printable ASCII characters, without spaces at either end",
                )
            })?;
            Some(token_hash(key))
        }
    };
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT f.id AS family_id, f.guardian_id, r.expires_at, f.revoked, r.spent_with FROM refresh_tokens r \
         JOIN token_families f ON f.id = r.family_id WHERE r.token_hash = ?",
    )
    .bind(token_hash(&body.refresh_token))
    .fetch_optional(&state.db)
    .await?;
    let Some(RefreshRow { family_id, guardian_id, expires_at, revoked, spent_with }) = row else {
        return Err(ApiError::unauthorized("the refresh token is not valid; sign in again"));
    };
    if revoked || expires_at <= now {
        return Err(ApiError::unauthorized("the session has ended; sign in again"));
    }
    let spent =
        sqlx::query("UPDATE refresh_tokens SET used = 1, spent_with = ? WHERE token_hash = ? AND used = 0")
            .bind(&retry_key)
            .bind(token_hash(&body.refresh_token))
            .execute(&state.db)
            .await?;
    if spent.rows_affected() == 0 {
        let same_client = retry_key.is_some() && retry_key == spent_with;
        if !same_client {
            // A spent refresh token came back: someone else may hold the family. End it.
            revoke_family(&state, &family_id).await?;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::TokenReused,
                "this session was ended because a refresh token was used twice; sign in again",
            ));
        }
        // The answer was lost: the refresh token it carried was never seen; it is spent now.
        sqlx::query("UPDATE refresh_tokens SET used = 1 WHERE family_id = ? AND used = 0")
            .bind(&family_id)
            .execute(&state.db)
            .await?;
    }
    Ok(Json(issue(&state, &family_id, &guardian_id).await?))
}

pub(crate) async fn sign_out(State(state): State<AppState>, auth: Authed) -> ApiResult<StatusCode> {
    revoke_family(&state, &auth.family_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_family(state: &AppState, family_id: &str) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE token_families SET revoked = 1 WHERE id = ?")
        .bind(family_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM access_tokens WHERE family_id = ?").bind(family_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A request carrying a valid bearer access token.
pub(crate) struct Authed {
    pub guardian_id: String,
    pub family_id: String,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("sign-in required"))?;
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT f.guardian_id, f.id, a.expires_at FROM access_tokens a \
             JOIN token_families f ON f.id = a.family_id WHERE a.token_hash = ? AND f.revoked = 0",
        )
        .bind(token_hash(token))
        .fetch_optional(&state.db)
        .await?;
        match row {
            Some((guardian_id, family_id, expires_at)) if expires_at > state.clock.now() => {
                // Deletions whose cooling-off period has ended are carried out first; a guardian
                // whose own account just went has no session any more.
                if crate::rights::settle(state, &guardian_id).await? {
                    return Err(ApiError::unauthorized("this account has been deleted"));
                }
                Ok(Self { guardian_id, family_id })
            }
            _ => Err(ApiError::unauthorized("the access token is not valid or has expired")),
        }
    }
}
