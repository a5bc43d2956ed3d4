//! Third-party sign-in, simulated end to end: the authorization-code flow with PKCE and a
//! loopback redirect (RFC 8252), the stand-in third party's consent page (outside `/v1`: in real
//! life it is the third party's site), linking and unlinking, and binding a phone number to an
//! identity no account uses yet (proven with an SMS code).

use crate::SandboxError;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse as _, Response};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    BindPhone, ErrorCode, IDENTITY_PROVIDERS, IdentityAuthorization, IdentityAuthorize, IdentityCode,
    LinkedIdentity, TokenResponse, is_loopback_redirect,
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::AppState;
use crate::auth::{Authed, new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::routes::{ApiJson, ApiPath, ApiQuery};

const GRANT_TTL: Duration = Duration::minutes(10);
const BINDING_TTL: Duration = Duration::minutes(15);

fn known(provider: &str) -> ApiResult<&str> {
    IDENTITY_PROVIDERS
        .iter()
        .find(|p| **p == provider)
        .copied()
        .ok_or_else(|| ApiError::not_found("identity provider"))
}

fn third_party_name(provider: &str) -> &'static str {
    match provider {
        "wechat" => "WeChat",
        "qq" => "QQ",
        _ => "Apple",
    }
}

/// `POST /v1/auth/identities/{provider}/authorize`
pub(crate) async fn authorize(
    State(state): State<AppState>,
    ApiPath(provider): ApiPath<String>,
    ApiJson(body): ApiJson<IdentityAuthorize>,
) -> ApiResult<Json<IdentityAuthorization>> {
    let provider = known(&provider)?;
    if !is_loopback_redirect(&body.redirect_uri) {
        return Err(ApiError::validation(
            "redirect_uri",
            "the redirect must be http://127.0.0.1:PORT/ (loopback)",
        ));
    }
    let challenge_ok = body.code_challenge.len() == 43
        && body.code_challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return Err(ApiError::validation("code_challenge", "the challenge is BASE64URL(SHA-256(verifier))"));
    }
    let grant = new_token();
    let now = state.clock.now();
    sqlx::query(
        "INSERT INTO identity_grants (state, provider, redirect_uri, code_challenge, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&grant)
    .bind(provider)
    .bind(&body.redirect_uri)
    .bind(&body.code_challenge)
    .bind(now + GRANT_TTL)
    .execute(&state.db)
    .await?;
    Ok(Json(IdentityAuthorization {
        authorize_url: format!("/third-party/{provider}/authorize?state={grant}"),
        state: grant,
        // The sandbox's stand-in pages are on its own address.
        identity_hosts: Vec::new(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct ConsentQuery {
    state: String,
    #[serde(default)]
    account: Option<String>,
}

/// The stand-in third party's page: which of its accounts to continue with.
pub(crate) async fn consent_page(
    ApiPath(provider): ApiPath<String>,
    ApiQuery(query): ApiQuery<ConsentQuery>,
) -> ApiResult<Html<String>> {
    let provider = known(&provider)?;
    let name = third_party_name(provider);
    // Encoded for the query, which also makes it safe inside the HTML attribute.
    let state: String = url::form_urlencoded::byte_serialize(query.state.as_bytes()).collect();
    Ok(Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} (sandbox)</title></head><body>\
         <h1>{name}: sign in to Guardian?</h1><p>This page stands in for {name} in the Guardian sandbox.</p>\
         <ul><li><a href=\"/third-party/{provider}/allow?state={state}&account=demo\">Continue as the demo \
         family's {name} account</a></li><li><a href=\"/third-party/{provider}/allow?state={state}&account=new\">\
         Continue as a {name} account Guardian does not know</a></li></ul></body></html>"
    )))
}

/// The guardian agreed: back to the app's loopback address with a one-time code.
pub(crate) async fn allow(
    State(state): State<AppState>,
    ApiPath(provider): ApiPath<String>,
    ApiQuery(query): ApiQuery<ConsentQuery>,
) -> ApiResult<Response> {
    let provider = known(&provider)?;
    let account = query.account.as_deref().unwrap_or("demo");
    let (subject, display_name) = match account {
        "demo" => {
            (format!("{provider}-demo-parent"), format!("Demo parent ({})", third_party_name(provider)))
        }
        _ => (
            format!("{provider}-{}", &new_token()[..12]),
            format!("New {} account", third_party_name(provider)),
        ),
    };
    let code = new_token();
    let now = state.clock.now();
    let redirect: Option<(String,)> = sqlx::query_as(
        "UPDATE identity_grants SET code_hash = ?, subject = ?, display_name = ? \
         WHERE state = ? AND provider = ? AND code_hash IS NULL AND expires_at > ? RETURNING redirect_uri",
    )
    .bind(token_hash(&code))
    .bind(&subject)
    .bind(&display_name)
    .bind(&query.state)
    .bind(provider)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let (redirect,) = redirect.ok_or_else(|| ApiError::not_found("authorization request"))?;
    let mut location = url::Url::parse(&redirect).map_err(|e| SandboxError::Internal(e.to_string()))?;
    location.query_pairs_mut().append_pair("code", &code).append_pair("state", &query.state);
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(location.as_str()).map_err(|e| SandboxError::Internal(e.to_string()))?,
    );
    Ok(response)
}

/// Redeems a code once, with the verifier whose challenge started the request.
async fn redeem(state: &AppState, provider: &str, body: &IdentityCode) -> ApiResult<(String, String)> {
    let now = state.clock.now();
    let row: Option<(String, String, String, DateTime<Utc>)> = sqlx::query_as(
        "DELETE FROM identity_grants WHERE code_hash = ? AND provider = ? \
         RETURNING code_challenge, subject, display_name, expires_at",
    )
    .bind(token_hash(&body.code))
    .bind(provider)
    .fetch_optional(&state.db)
    .await?;
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "the sign-in code is not valid: start again",
        )
    };
    let (challenge, subject, display_name, expires_at) = row.ok_or_else(refused)?;
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(body.code_verifier.as_bytes()));
    if expires_at <= now || computed != challenge {
        return Err(refused());
    }
    Ok((subject, display_name))
}

/// `POST /v1/auth/identities/{provider}/sign-in`: tokens for the account this identity is linked
/// to, or `409 phone_binding_required` with a binding token.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ApiPath(provider): ApiPath<String>,
    ApiJson(body): ApiJson<IdentityCode>,
) -> ApiResult<Json<TokenResponse>> {
    let provider = known(&provider)?;
    let (subject, display_name) = redeem(&state, provider, &body).await?;
    let linked: Option<(String,)> =
        sqlx::query_as("SELECT guardian_id FROM guardian_identities WHERE provider = ? AND subject = ?")
            .bind(provider)
            .bind(&subject)
            .fetch_optional(&state.db)
            .await?;
    if let Some((guardian_id,)) = linked {
        let how = format!("{} sign-in", third_party_name(provider));
        return Ok(Json(crate::auth::start_session(&state, &guardian_id, &how).await?));
    }
    let binding = new_token();
    sqlx::query(
        "INSERT INTO binding_tokens (token_hash, provider, subject, display_name, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(token_hash(&binding))
    .bind(provider)
    .bind(&subject)
    .bind(&display_name)
    .bind(state.clock.now() + BINDING_TTL)
    .execute(&state.db)
    .await?;
    Err(ApiError {
        details: json!({ "binding_token": binding, "provider": provider }),
        ..ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::PhoneBindingRequired,
            "no Guardian account uses this identity yet: bind your phone number to it",
        )
    })
}

/// `POST /v1/auth/identities/bind-phone`
pub(crate) async fn bind_phone(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BindPhone>,
) -> ApiResult<Json<TokenResponse>> {
    let now = state.clock.now();
    let binding: Option<(String, String, String)> = sqlx::query_as(
        "SELECT provider, subject, display_name FROM binding_tokens WHERE token_hash = ? AND expires_at > ?",
    )
    .bind(token_hash(&body.binding_token))
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let (provider, subject, display_name) = binding.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "the binding has expired: start again",
        )
    })?;
    let guardian_id = crate::sms::redeem_code(&state, &body.phone, &body.sms_code).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM binding_tokens WHERE token_hash = ?")
        .bind(token_hash(&body.binding_token))
        .execute(&mut *tx)
        .await?;
    link(&mut tx, &guardian_id, &provider, &subject, &display_name, now).await?;
    tx.commit().await?;
    let how = format!("{} sign-in, bound to the phone number", third_party_name(&provider));
    Ok(Json(crate::auth::start_session(&state, &guardian_id, &how).await?))
}

async fn link(
    conn: &mut sqlx::SqliteConnection,
    guardian_id: &str,
    provider: &str,
    subject: &str,
    display_name: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let taken: Option<(String,)> = sqlx::query_as(
        "SELECT guardian_id FROM guardian_identities WHERE (provider = ? AND subject = ?) OR (guardian_id = ? AND provider = ?)",
    )
    .bind(provider)
    .bind(subject)
    .bind(guardian_id)
    .bind(provider)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        return Err(ApiError::conflict(
            format!(
                "this {} account, or another one, is already linked: unlink it first",
                third_party_name(provider)
            ),
            json!({ "provider": provider }),
        ));
    }
    sqlx::query(
        "INSERT INTO guardian_identities (provider, subject, guardian_id, display_name, linked_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(provider)
    .bind(subject)
    .bind(guardian_id)
    .bind(display_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// `POST /v1/guardian/identities/{provider}`: links the identity to the signed-in guardian.
pub(crate) async fn link_identity(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(provider): ApiPath<String>,
    ApiJson(body): ApiJson<IdentityCode>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let provider = known(&provider)?;
        let (subject, display_name) = redeem(&state, provider, &body).await?;
        let mut tx = state.db.begin().await?;
        link(&mut tx, &auth.guardian_id, provider, &subject, &display_name, state.clock.now()).await?;
        tx.commit().await?;
        let linked = identities(&state.db, &auth.guardian_id).await?;
        Ok((StatusCode::CREATED, serde_json::to_value(linked)?))
    })
    .await
}

/// `POST /v1/guardian/identities/{provider}/unlink`
pub(crate) async fn unlink_identity(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(provider): ApiPath<String>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let provider = known(&provider)?;
        let removed = sqlx::query("DELETE FROM guardian_identities WHERE guardian_id = ? AND provider = ?")
            .bind(&auth.guardian_id)
            .bind(provider)
            .execute(&state.db)
            .await?;
        if removed.rows_affected() == 0 {
            return Err(ApiError::not_found("linked identity"));
        }
        let linked = identities(&state.db, &auth.guardian_id).await?;
        Ok((StatusCode::OK, serde_json::to_value(linked)?))
    })
    .await
}

pub(crate) async fn identities(db: &sqlx::SqlitePool, guardian_id: &str) -> ApiResult<Vec<LinkedIdentity>> {
    let rows: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT provider, display_name, linked_at FROM guardian_identities WHERE guardian_id = ? ORDER BY provider",
    )
    .bind(guardian_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(provider, display_name, linked_at)| LinkedIdentity { provider, display_name, linked_at })
        .collect())
}
