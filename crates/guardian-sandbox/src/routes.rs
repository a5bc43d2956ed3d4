//! The `/v1` routes.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use guardian_domain::{
    Child, Demographics, Discoverability, ErrorCode, FriendApproval, Guardian, Page, PageQuery,
    RealNameStatus,
};
use serde::de::DeserializeOwned;
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::{self, Authed};
use crate::error::{ApiError, ApiResult};
use crate::{
    care, child_settings, contacts, exports, feed, friend_requests, guardians, paging, pin, proposals,
    rights, transparency,
};

/// Request bodies larger than this are refused with `413`.
const BODY_LIMIT: usize = 64 * 1024;
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/auth/password", post(auth::sign_in_password))
        .route("/v1/auth/sms/request", post(crate::sms::request_code))
        .route("/v1/auth/sms/verify", post(crate::sms::verify_code))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/auth/sign-out", post(auth::sign_out))
        .route("/v1/guardian", get(guardian))
        .route("/v1/auth/identities/{provider}/authorize", post(crate::identity::authorize))
        .route("/v1/auth/identities/{provider}/sign-in", post(crate::identity::sign_in))
        .route("/v1/auth/identities/bind-phone", post(crate::identity::bind_phone))
        .route("/v1/guardian/identities/{provider}", post(crate::identity::link_identity))
        .route("/v1/guardian/identities/{provider}/unlink", post(crate::identity::unlink_identity))
        // The stand-in third party's pages (its own site in real life, so not part of /v1).
        .route("/third-party/{provider}/authorize", get(crate::identity::consent_page))
        .route("/third-party/{provider}/allow", get(crate::identity::allow))
        .route("/v1/children", get(children).post(crate::profile::create_child))
        .route("/v1/children/{child_id}/friend-requests", get(friend_requests::list_requests))
        .route(
            "/v1/children/{child_id}/friend-requests/{request_id}/approve",
            post(friend_requests::approve_request),
        )
        .route(
            "/v1/children/{child_id}/friend-requests/{request_id}/deny",
            post(friend_requests::deny_request),
        )
        .route("/v1/children/{child_id}/contacts", get(contacts::list_contacts))
        .route("/v1/children/{child_id}/contacts/{contact_id}/block", post(contacts::block_contact))
        .route("/v1/children/{child_id}/contacts/{contact_id}/unblock", post(contacts::unblock_contact))
        .route("/v1/children/{child_id}/contacts/{contact_id}/confirm", post(contacts::confirm_contact))
        .route("/v1/children/{child_id}/contacts/{contact_id}/remove", post(contacts::remove_contact))
        .route("/v1/children/{child_id}/pin", put(pin::set_pin))
        .route("/v1/children/{child_id}/settings", patch(child_settings::patch_settings))
        .route("/v1/children/{child_id}/profile", put(crate::profile::put_profile))
        .route("/v1/children/{child_id}/public-profile", get(crate::avatar::public_profile))
        .route(
            "/v1/children/{child_id}/avatar",
            get(crate::avatar::get_avatar)
                .put(crate::avatar::put_avatar)
                .layer(DefaultBodyLimit::max(crate::avatar::AVATAR_BODY_LIMIT)),
        )
        .route("/v1/auth/reauth", post(rights::reauthenticate))
        .route("/v1/auth/reauth/sms", post(rights::send_reauth_code))
        .route("/v1/retention", get(rights::retention))
        .route("/v1/guardian/deletion", post(rights::request_guardian_deletion))
        .route("/v1/children/{child_id}/deletion", post(rights::request_child_deletion))
        .route("/v1/children/{child_id}/data-categories", get(crate::data::preview))
        .route(
            "/v1/children/{child_id}/data-deletions",
            get(crate::data::receipts).post(crate::data::delete_data),
        )
        .route("/v1/deletion-requests", get(rights::list_deletions))
        .route("/v1/deletion-requests/{deletion_id}", get(rights::get_deletion))
        .route("/v1/deletion-requests/{deletion_id}/cancel", post(rights::cancel_deletion))
        .route("/v1/deletion-requests/{deletion_id}/agree", post(rights::agree_to_deletion))
        .route("/v1/deletion-requests/{deletion_id}/refuse", post(rights::refuse_deletion))
        .route("/v1/children/{child_id}/consents", get(rights::consents))
        .route("/v1/children/{child_id}/consents/{purpose}", put(rights::set_consent))
        .route("/v1/policies", get(rights::policies))
        .route("/v1/policies/{version}/acknowledge", post(rights::acknowledge_policy))
        .route("/v1/children/{child_id}/exports", get(exports::list_exports).post(exports::create_export))
        .route("/v1/exports/{export_id}", get(exports::get_export))
        .route("/v1/exports/{export_id}/archive", get(exports::download_export))
        .route("/v1/children/{child_id}/devices", get(care::list_devices))
        .route("/v1/children/{child_id}/devices/{device_id}/sign-out", post(care::sign_out_device))
        .route("/v1/children/{child_id}/reports", get(care::list_reports).post(care::create_report))
        .route("/v1/children/{child_id}/groups", get(care::list_groups))
        .route(
            "/v1/children/{child_id}/rights-requests",
            get(crate::requests::list).post(crate::requests::create),
        )
        .route("/v1/children/{child_id}/groups/{group_id}/leave", post(care::leave_group))
        .route("/v1/children/{child_id}/staff-access", get(transparency::list_staff_access))
        .route("/v1/children/{child_id}/automated-decisions", get(transparency::list_automated_decisions))
        .route("/v1/security-notices", get(transparency::list_security_notices))
        .route("/v1/children/{child_id}/guardians", get(guardians::list))
        .route("/v1/children/{child_id}/guardians/invites", post(guardians::invite))
        .route("/v1/children/{child_id}/guardians/{guardian_id}/remove", post(guardians::remove))
        .route("/v1/children/{child_id}/agreement", put(guardians::set_agreement))
        .route("/v1/children/{child_id}/decision-log", get(guardians::decision_log))
        .route("/v1/proposals/{proposal_id}/accept", post(proposals::accept))
        .route("/v1/proposals/{proposal_id}/veto", post(proposals::veto))
        .route("/v1/guardian-invites", get(guardians::incoming))
        .route("/v1/guardian-invites/{invite_id}/accept", post(guardians::accept))
        .route("/v1/guardian-invites/{invite_id}/decline", post(guardians::decline))
        .route("/v1/changes", get(feed::changes))
        .route("/v1/events", get(crate::push::events))
        .route("/v1/openapi.yaml", get(openapi))
        // Axum still adds the `Allow` header to this answer.
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadRequest,
                "this method is not allowed here",
            )
        })
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such resource") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// JSON bodies whose rejections use the API's error shape.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "request body too large",
                ))
            }
            Err(rejection) => {
                Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, rejection.body_text()))
            }
        }
    }
}

/// Query strings whose rejections use the API's error shape.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(q)| Self(q)).map_err(
            |r: QueryRejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, r.body_text()),
        )
    }
}

/// Path parameters whose rejections (e.g. a percent-encoded segment that is not UTF-8) use the
/// API's error shape.
pub(crate) struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(p)| Self(p)).map_err(
            |r: PathRejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, r.body_text()),
        )
    }
}

async fn guardian(State(state): State<AppState>, auth: Authed) -> ApiResult<Json<Guardian>> {
    let (id, display_name, phone, real_name): (String, String, String, String) =
        sqlx::query_as("SELECT id, display_name, phone, real_name FROM guardians WHERE id = ?")
            .bind(&auth.guardian_id)
            .fetch_optional(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("guardian"))?;
    Ok(Json(Guardian {
        identities: crate::identity::identities(&state.db, &id).await?,
        real_name: RealNameStatus::parse(&real_name).unwrap_or_default(),
        id,
        display_name,
        phone_masked: mask_phone(&phone),
    }))
}

/// A phone number with all but its last four digits hidden.
pub(crate) fn mask_phone(phone: &str) -> String {
    let visible: String = phone.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("••••{visible}")
}

/// Cursors are opaque to clients; here they carry the last ID of the previous page.
pub(crate) fn decode_cursor(cursor: Option<&str>) -> ApiResult<String> {
    let Some(cursor) = cursor else { return Ok(String::new()) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::validation("cursor", "the cursor is not valid"))
}

pub(crate) fn encode_cursor(last_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id)
}

/// The page size asked for: 1 to 200 as the contract says, 50 when not given.
pub(crate) fn page_limit(limit: Option<u32>) -> ApiResult<u32> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::validation("limit", "limit must be between 1 and 200")),
    }
}

/// The contract this server implements, served as-is.
async fn openapi() -> impl axum::response::IntoResponse {
    ([("content-type", "application/yaml")], crate::OPENAPI)
}

type ChildRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    i64,
    DateTime<Utc>,
    i64,
);

/// The guardian's children matching `filter` (a condition on `c`, with one `?` for `arg`).
pub(crate) async fn load_children(
    db: &sqlx::SqlitePool,
    guardian_id: &str,
    filter: &str,
    arg: &str,
    limit: i64,
) -> ApiResult<Vec<Child>> {
    let rows: Vec<ChildRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT c.id, c.display_name, c.avatar_url, c.friend_approval, c.discoverable_by, c.country, c.gender, \
         c.birthday, c.version, c.updated_at, \
         (SELECT count(*) FROM friend_requests r WHERE r.child_id = c.id \
            AND r.direction = 'incoming' AND r.status = 'pending') \
         FROM children c JOIN child_guardians g ON g.child_id = c.id WHERE g.guardian_id = ? AND {filter} ORDER BY c.id LIMIT ?"
    )))
    .bind(guardian_id)
    .bind(arg)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                display_name,
                avatar_url,
                approval,
                discoverable_by,
                country,
                gender,
                birthday,
                version,
                updated_at,
                pending,
            )| {
                Child {
                    id,
                    display_name,
                    avatar_url,
                    friend_approval: FriendApproval::parse(&approval).unwrap_or(FriendApproval::PinRequired),
                    discoverable_by: Discoverability::parse(&discoverable_by).unwrap_or_default(),
                    demographics: Demographics { country, gender, birthday },
                    pending_requests: u32::try_from(pending).unwrap_or(u32::MAX),
                    version: version.to_string(),
                    updated_at,
                }
            },
        )
        .collect())
}

async fn children(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Child>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let children =
        load_children(&state.db, &auth.guardian_id, "c.id > ?", &after, i64::from(limit) + 1).await?;
    Ok(Json(paging::paged(children, limit, |c| c.id.clone())))
}
