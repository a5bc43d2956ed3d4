//! A new child's account (with the guardian's consent under the policy in force), and the
//! guardian's correction of a child's profile: name and optional demographics, replaced as
//! a whole with `If-Match` on the child's version (a stale version gets 412 and the current one).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use guardian_domain::Clock as _;
use guardian_domain::{ChildProfileUpdate, CreateChild, check_profile};
use serde_json::json;

use crate::AppState;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::preconditions::{if_match, required, stale_child};
use crate::routes::{ApiJson, ApiPath};

pub(crate) async fn put_profile(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    headers: HeaderMap,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<ChildProfileUpdate>,
) -> Response {
    let expected = if_match(&headers);
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let expected = required(expected)?;
        let now = state.clock.now();
        check_profile(&body, now.date_naive()).map_err(|(field, message)| ApiError::validation(field, message))?;
        let mut tx = state.db.begin().await?;
        let updated: Option<(i64,)> = sqlx::query_as(
            "UPDATE children SET display_name = ?, country = ?, gender = ?, birthday = ?, \
             version = version + 1, updated_at = ? WHERE id = ? AND CAST(version AS TEXT) = ? RETURNING version",
        )
        .bind(body.display_name.trim())
        .bind(&body.country)
        .bind(&body.gender)
        .bind(body.birthday)
        .bind(now)
        .bind(&child_id)
        .bind(&expected)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version,)) = updated else {
            return Err(stale_child(&mut tx, &child_id, "the child's profile changed since you last saw it").await);
        };
        record_change(&mut tx, &auth.guardian_id, &format!("child:{child_id}"), now).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, json!({ "version": version.to_string() })))
    })
    .await
}

/// A new child's account, made by the guardian with consent under the policy in force.
pub(crate) async fn create_child(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiJson(body): ApiJson<CreateChild>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let now = state.clock.now();
        body.check(now.date_naive()).map_err(|(field, message)| ApiError::validation(field, message))?;
        let in_force = crate::rights::policy_in_force(&state.db, now).await?;
        if body.policy_version != in_force {
            return Err(ApiError::conflict(
                format!("the policy in force is version {in_force}: read it before you consent"),
                json!({ "version": in_force }),
            ));
        }
        let child_id = format!("c-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "INSERT INTO children (id, guardian_id, display_name, friend_approval, country, gender, birthday, \
             updated_at) VALUES (?, ?, ?, 'pin_required', ?, ?, ?, ?)",
        )
        .bind(&child_id)
        .bind(&auth.guardian_id)
        .bind(body.display_name.trim())
        .bind(&body.country)
        .bind(&body.gender)
        .bind(body.birthday)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO guardian_consents (child_id, guardian_id, policy_version, given_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&child_id)
        .bind(&auth.guardian_id)
        .bind(&in_force)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (purpose, granted) in crate::scenario::DEFAULT_CONSENTS {
            sqlx::query(
                "INSERT INTO consent_events (child_id, purpose, granted, at, policy_version) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&child_id)
            .bind(purpose)
            .bind(granted)
            .bind(now)
            .bind(&in_force)
            .execute(&mut *tx)
            .await?;
        }
        record_change(&mut tx, &auth.guardian_id, &format!("child:{child_id}"), now).await?;
        tx.commit().await?;
        let child = crate::routes::load_children(&state.db, &auth.guardian_id, "c.id = ?", &child_id, 1)
            .await?
            .pop()
            .ok_or_else(|| ApiError::not_found("child"))?;
        Ok((StatusCode::CREATED, serde_json::to_value(child)?))
    })
    .await
}
