//! The child's profile picture: uploaded by a guardian (type, size and sides checked), served
//! to the child's guardians; and what the child's contacts see of the profile. `children.avatar_url` names the picture with its hash, so a new
//! picture is a change the feed carries.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use guardian_domain::Clock as _;
use guardian_domain::{Avatar, AvatarProblem, AvatarUpload, ErrorCode, PublicProfile, check_avatar};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::preconditions::{if_match, required, stale_child};
use crate::routes::{ApiJson, ApiPath};

/// The body limit of an upload: the largest picture in base64, with room for the JSON around it.
pub(crate) const AVATAR_BODY_LIMIT: usize = guardian_domain::AVATAR_MAX_BYTES.div_ceil(3) * 4 + 1024;

pub(crate) async fn put_avatar(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    headers: HeaderMap,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<AvatarUpload>,
) -> Response {
    let expected = if_match(&headers);
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let expected = required(expected)?;
        let picture = check_avatar(&body).map_err(|problem| match problem {
            AvatarProblem::TooLarge => ApiError {
                details: json!({ "field": "data", "max_bytes": guardian_domain::AVATAR_MAX_BYTES }),
                ..ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "a profile picture is at most 512 KiB",
                )
            },
            AvatarProblem::Invalid(field, message) => ApiError::validation(field, message),
        })?;
        let sha256 = format!("{:x}", Sha256::digest(&picture.bytes));
        let url = format!("/v1/children/{child_id}/avatar?v={}", &sha256[..16]);
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let updated: Option<(i64,)> = sqlx::query_as(
            "UPDATE children SET avatar_url = ?, version = version + 1, updated_at = ? \
             WHERE id = ? AND CAST(version AS TEXT) = ? RETURNING version",
        )
        .bind(&url)
        .bind(now)
        .bind(&child_id)
        .bind(&expected)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version,)) = updated else {
            return Err(stale_child(&mut tx, &child_id, "the child's profile changed since you last saw it").await);
        };
        sqlx::query(
            "INSERT INTO child_avatars (child_id, content_type, bytes, sha256, width, height, uploaded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (child_id) DO UPDATE SET content_type = excluded.content_type, \
             bytes = excluded.bytes, sha256 = excluded.sha256, width = excluded.width, height = excluded.height, \
             uploaded_at = excluded.uploaded_at",
        )
        .bind(&child_id)
        .bind(&body.content_type)
        .bind(&picture.bytes)
        .bind(&sha256)
        .bind(picture.width)
        .bind(picture.height)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        log_decision(&mut tx, &child_id, &auth.guardian_id, "avatar_changed", "", now).await?;
        record_change(&mut tx, &auth.guardian_id, &format!("child:{child_id}"), now).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, json!({ "version": version.to_string(), "avatar_url": url })))
    })
    .await
}

pub(crate) async fn get_avatar(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
) -> ApiResult<Json<Avatar>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    let row: Option<(String, Vec<u8>, String, u32, u32)> = sqlx::query_as(
        "SELECT content_type, bytes, sha256, width, height FROM child_avatars WHERE child_id = ?",
    )
    .bind(&child_id)
    .fetch_optional(&state.db)
    .await?;
    let (content_type, bytes, sha256, width, height) =
        row.ok_or_else(|| ApiError::not_found("profile picture"))?;
    Ok(Json(Avatar {
        content_type,
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
        sha256,
        width,
        height,
    }))
}

/// What the child's contacts see, as the provider shows it to them.
pub(crate) async fn public_profile(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
) -> ApiResult<Json<PublicProfile>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    let recently = state.clock.now() - chrono::Duration::minutes(5);
    let (display_name, avatar_url, online): (String, Option<String>, bool) = sqlx::query_as(
        "SELECT display_name, avatar_url, EXISTS (SELECT 1 FROM devices d WHERE d.child_id = c.id \
         AND d.signed_in AND d.last_seen >= ?) FROM children c WHERE c.id = ?",
    )
    .bind(recently)
    .bind(&child_id)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(PublicProfile { id: child_id, display_name, avatar_url, online }))
}
