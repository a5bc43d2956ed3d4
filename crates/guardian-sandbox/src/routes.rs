//! The `/v1` routes.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use guardian_domain::{Child, Demographics, ErrorCode, FriendApproval, Guardian, Page, PageQuery};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{self, Authed};
use crate::error::{ApiError, ApiResult};

/// Request bodies larger than this are refused with `413`.
const BODY_LIMIT: usize = 64 * 1024;
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/auth/password", post(auth::sign_in_password))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/auth/sign-out", post(auth::sign_out))
        .route("/v1/guardian", get(guardian))
        .route("/v1/children", get(children))
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

async fn guardian(State(state): State<AppState>, auth: Authed) -> ApiResult<Json<Guardian>> {
    let (id, display_name, phone): (String, String, String) =
        sqlx::query_as("SELECT id, display_name, phone FROM guardians WHERE id = ?")
            .bind(&auth.guardian_id)
            .fetch_one(&state.db)
            .await?;
    let visible: String = phone.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    Ok(Json(Guardian { id, display_name, phone_masked: format!("••••{visible}") }))
}

/// Cursors are opaque to clients; here they carry the last ID of the previous page.
fn decode_cursor(cursor: Option<&str>) -> ApiResult<String> {
    let Some(cursor) = cursor else { return Ok(String::new()) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::validation("cursor", "the cursor is not valid"))
}

fn encode_cursor(last_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id)
}

fn page_limit(limit: Option<u32>) -> ApiResult<u32> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        0 => Err(ApiError::validation("limit", "limit must be at least 1")),
        n => Ok(n.min(MAX_PAGE)),
    }
}

type ChildRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    i64,
    DateTime<Utc>,
    i64,
);

async fn children(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Child>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<ChildRow> = sqlx::query_as(
        "SELECT c.id, c.display_name, c.avatar_url, c.friend_approval, c.country, c.gender, \
         c.birthday, c.version, c.updated_at, \
         (SELECT count(*) FROM friend_requests r WHERE r.child_id = c.id \
            AND r.direction = 'incoming' AND r.status = 'pending') \
         FROM children c WHERE c.guardian_id = ? AND c.id > ? ORDER BY c.id LIMIT ?",
    )
    .bind(&auth.guardian_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let more = rows.len() > limit as usize;
    let items: Vec<Child> = rows
        .into_iter()
        .take(limit as usize)
        .map(
            |(
                id,
                display_name,
                avatar_url,
                approval,
                country,
                gender,
                birthday,
                version,
                updated_at,
                pending,
            )| Child {
                id,
                display_name,
                avatar_url,
                friend_approval: FriendApproval::parse(&approval).unwrap_or(FriendApproval::PinRequired),
                demographics: Demographics { country, gender, birthday },
                pending_requests: u32::try_from(pending).unwrap_or(u32::MAX),
                version: version.to_string(),
                updated_at,
            },
        )
        .collect();
    let next_cursor = if more { items.last().map(|c| encode_cursor(&c.id)) } else { None };
    Ok(Json(Page { items, next_cursor }))
}
