//! The child's contacts: listing them, blocking, unblocking, removing, and trial friendships.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{Contact, ContactStatus, GuardianCheck, Page, PageQuery};
use serde_json::json;
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::pin::check_guardian;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, page_limit};

/// A `contacts` row, as `CONTACT_COLUMNS` selects it.
#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    child_id: String,
    contact_id: String,
    display_name: String,
    status: String,
    messages_7d: i64,
    calls_7d: i64,
    last_interaction: Option<DateTime<Utc>>,
    trial_until: Option<DateTime<Utc>>,
    banned_at: Option<DateTime<Utc>>,
}

pub(crate) fn contact_from_row(row: ContactRow) -> Contact {
    Contact {
        child_id: row.child_id,
        contact_id: row.contact_id,
        display_name: row.display_name,
        status: ContactStatus::parse(&row.status).unwrap_or(ContactStatus::Approved),
        messages_7d: u32::try_from(row.messages_7d).unwrap_or(0),
        calls_7d: u32::try_from(row.calls_7d).unwrap_or(0),
        last_interaction: row.last_interaction,
        trial_until: row.trial_until,
        banned_at: row.banned_at,
    }
}

pub(crate) const CONTACT_COLUMNS: &str = "child_id, contact_id, display_name, status, messages_7d, calls_7d, \
                                          last_interaction, trial_until, banned_at";

/// Trial friendships past their end, not confirmed, end: the contact is removed (and the
/// removal announced in the feed of every guardian of the child).
pub(crate) async fn end_trials(state: &AppState, guardian_id: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let ended: Vec<(String, String, String)> = sqlx::query_as(
        "DELETE FROM contacts WHERE trial_until IS NOT NULL AND trial_until <= ? \
         AND child_id IN (SELECT child_id FROM child_guardians WHERE guardian_id = ?) \
         RETURNING child_id, contact_id, display_name",
    )
    .bind(now)
    .bind(guardian_id)
    .fetch_all(&mut *tx)
    .await?;
    for (child_id, contact_id, name) in ended {
        record_change(&mut tx, guardian_id, &format!("contact:{child_id}/{contact_id}"), now).await?;
        log_decision(&mut tx, &child_id, guardian_id, "trial_ended", &name, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn list_contacts(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Contact>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    end_trials(&state, &auth.guardian_id).await?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<ContactRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE child_id = ? AND contact_id > ? ORDER BY contact_id LIMIT ?"
    )))
    .bind(&child_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(paged(rows.into_iter().map(contact_from_row).collect(), limit, |c| c.contact_id.clone())))
}

async fn set_contact_status(
    state: AppState,
    auth: Authed,
    key: IdempotencyKey,
    child_id: String,
    contact_id: String,
    status: ContactStatus,
    check: Option<GuardianCheck>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        if let Some(check) = &check {
            let (pin, proof) = (check.pin.as_deref(), check.reauth_proof.as_deref());
            check_guardian(&state, &auth.guardian_id, &child_id, pin, proof).await?;
        }
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if status == ContactStatus::Approved {
            let banned: Option<Option<DateTime<Utc>>> =
                sqlx::query_scalar("SELECT banned_at FROM contacts WHERE child_id = ? AND contact_id = ?")
                    .bind(&child_id)
                    .bind(&contact_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(Some(banned_at)) = banned {
                return Err(ApiError::conflict(
                    "this account was banned for abuse and stays blocked",
                    json!({ "banned_at": banned_at }),
                ));
            }
        }
        let row: Option<ContactRow> = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE contacts SET status = ? WHERE child_id = ? AND contact_id = ? RETURNING {CONTACT_COLUMNS}"
        )))
        .bind(status.as_str())
        .bind(&child_id)
        .bind(&contact_id)
        .fetch_optional(&mut *tx)
        .await?;
        let contact = contact_from_row(row.ok_or_else(|| ApiError::not_found("contact"))?);
        let action = match status {
            ContactStatus::Blocked => "contact_blocked",
            ContactStatus::Approved => "contact_unblocked",
        };
        log_decision(&mut tx, &child_id, &auth.guardian_id, action, &contact.display_name, now).await?;
        record_change(&mut tx, &auth.guardian_id, &format!("contact:{child_id}/{contact_id}"), now).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, serde_json::to_value(contact)?))
    })
    .await
}

pub(crate) async fn block_contact(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, contact_id)): ApiPath<(String, String)>,
) -> Response {
    set_contact_status(state, auth, key, child_id, contact_id, ContactStatus::Blocked, None).await
}

/// Unblocking needs the guardian's word ([`check_guardian`]): a blocked contact is a protection.
pub(crate) async fn unblock_contact(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, contact_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<GuardianCheck>,
) -> Response {
    set_contact_status(state, auth, key, child_id, contact_id, ContactStatus::Approved, Some(body)).await
}

/// Ends a friendship: the contact leaves the child's list (the provider keeps what the law
/// requires, such as a ban). Removing one already gone is `404`.
pub(crate) async fn remove_contact(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, contact_id)): ApiPath<(String, String)>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "DELETE FROM contacts WHERE child_id = ? AND contact_id = ? RETURNING display_name",
        )
        .bind(&child_id)
        .bind(&contact_id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| ApiError::not_found("contact"))?;
        log_decision(&mut tx, &child_id, &auth.guardian_id, "contact_removed", &name, now).await?;
        record_change(&mut tx, &auth.guardian_id, &format!("contact:{child_id}/{contact_id}"), now).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, json!({ "contact_id": contact_id, "removed": true })))
    })
    .await
}

/// Makes a trial friendship a lasting one.
pub(crate) async fn confirm_contact(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, contact_id)): ApiPath<(String, String)>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        end_trials(&state, &auth.guardian_id).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let row: Option<ContactRow> = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE contacts SET trial_until = NULL WHERE child_id = ? AND contact_id = ? RETURNING {CONTACT_COLUMNS}"
        )))
        .bind(&child_id)
        .bind(&contact_id)
        .fetch_optional(&mut *tx)
        .await?;
        // A trial that ended already took the contact away: nothing to confirm.
        let contact = contact_from_row(row.ok_or_else(|| ApiError::not_found("contact"))?);
        log_decision(&mut tx, &child_id, &auth.guardian_id, "trial_confirmed", &contact.display_name, now).await?;
        record_change(&mut tx, &auth.guardian_id, &format!("contact:{child_id}/{contact_id}"), now).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, serde_json::to_value(contact)?))
    })
    .await
}
