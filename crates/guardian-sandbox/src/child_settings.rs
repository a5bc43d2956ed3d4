//! The child's settings: who approves friends and who can find the child.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use guardian_domain::Clock as _;
use guardian_domain::{ChildSettingsPatch, Discoverability, FriendApproval};
use serde_json::json;

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::ApiError;
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::pin::check_guardian;
use crate::preconditions::{if_match, required, stale_child};
use crate::routes::{ApiJson, ApiPath};

pub(crate) async fn patch_settings(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    headers: HeaderMap,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<ChildSettingsPatch>,
) -> Response {
    let if_match = if_match(&headers);
    let approval = body.friend_approval.map(FriendApproval::as_str);
    let discovery = body.discoverable_by.map(Discoverability::as_str);
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let expected = required(if_match)?;
        if approval.is_none() && discovery.is_none() {
            return Err(ApiError::validation("friend_approval", "say which setting to change"));
        }
        // Changing the approval mode, or letting more people find the child, is the guardian's
        // alone; making the child harder to find is not guarded.
        let (mode_now, found_by_now): (String, String) =
            sqlx::query_as("SELECT friend_approval, discoverable_by FROM children WHERE id = ?")
                .bind(&child_id)
                .fetch_one(&state.db)
                .await?;
        let widens = body
            .discoverable_by
            .is_some_and(|to| Discoverability::parse(&found_by_now).unwrap_or_default().widens_to(to));
        if approval.is_some_and(|mode| mode != mode_now) || widens {
            let (pin, proof) = (body.pin.as_deref(), body.reauth_proof.as_deref());
            check_guardian(&state, &auth.guardian_id, &child_id, pin, proof).await?;
        }
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let before: (String, String) =
            sqlx::query_as("SELECT friend_approval, discoverable_by FROM children WHERE id = ?")
                .bind(&child_id)
                .fetch_one(&mut *tx)
                .await?;
        let updated: Option<(i64, String, String)> = sqlx::query_as(
            "UPDATE children SET friend_approval = coalesce(?, friend_approval), \
             discoverable_by = coalesce(?, discoverable_by), version = version + 1, updated_at = ? \
             WHERE id = ? AND CAST(version AS TEXT) = ? RETURNING version, friend_approval, discoverable_by",
        )
        .bind(approval)
        .bind(discovery)
        .bind(now)
        .bind(&child_id)
        .bind(&expected)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version, mode, found_by)) = updated else {
            let mut error =
                stale_child(&mut tx, &child_id, "the child's settings changed since you last saw them").await;
            error.details["friend_approval"] = json!(before.0);
            error.details["discoverable_by"] = json!(before.1);
            return Err(error);
        };
        if mode != before.0 {
            log_decision(&mut tx, &child_id, &auth.guardian_id, "friend_approval_changed", &mode, now)
                .await?;
        }
        if found_by != before.1 {
            log_decision(&mut tx, &child_id, &auth.guardian_id, "discovery_changed", &found_by, now).await?;
        }
        record_change(&mut tx, &auth.guardian_id, &format!("child:{child_id}"), now).await?;
        tx.commit().await?;
        Ok((
            StatusCode::OK,
            json!({ "version": version.to_string(), "friend_approval": mode, "discoverable_by": found_by }),
        ))
    })
    .await
}
