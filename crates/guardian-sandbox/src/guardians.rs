//! Co-guardians: a child's guardians, invitations to become one, the agreement rule for friend
//! approvals, and the decision log every guardian of the child can read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    Agreement, CoGuardians, DecisionEntry, GuardianCheck, GuardianInvite, GuardianMember, InviteGuardian,
    Page, PageQuery, SentInvite, SetAgreement,
};
use serde_json::json;

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, mask_phone, page_limit};

/// An invitation not answered within this time lapses.
const INVITE_LIFETIME: Duration = Duration::days(7);
/// Open invitations per child, so a child's guardians cannot be used to text strangers at will.
const MAX_OPEN_INVITES: i64 = 5;

type InviteRow = (String, String, String, DateTime<Utc>, DateTime<Utc>);

async fn load(state: &AppState, me: &str, child_id: &str) -> ApiResult<CoGuardians> {
    let (agreement,): (String,) = sqlx::query_as("SELECT agreement FROM children WHERE id = ?")
        .bind(child_id)
        .fetch_one(&state.db)
        .await?;
    let members: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT g.id, g.display_name, cg.joined_at FROM child_guardians cg \
         JOIN guardians g ON g.id = cg.guardian_id WHERE cg.child_id = ? ORDER BY cg.joined_at, g.id",
    )
    .bind(child_id)
    .fetch_all(&state.db)
    .await?;
    let invites: Vec<InviteRow> = sqlx::query_as(
        "SELECT id, phone, status, created_at, expires_at FROM guardian_invites \
         WHERE child_id = ? AND status = 'pending' AND expires_at > ? ORDER BY created_at, id",
    )
    .bind(child_id)
    .bind(state.clock.now())
    .fetch_all(&state.db)
    .await?;
    let proposals = crate::proposals::open_for(&mut *state.db.acquire().await?, me, child_id).await?;
    Ok(CoGuardians {
        proposals,
        child_id: child_id.to_owned(),
        agreement: Agreement::parse(&agreement).unwrap_or_default(),
        guardians: members
            .into_iter()
            .map(|(id, display_name, joined_at)| GuardianMember {
                you: id == me,
                id,
                display_name,
                joined_at,
            })
            .collect(),
        invites: invites.into_iter().map(sent_invite).collect(),
    })
}

fn sent_invite((id, phone, status, created_at, expires_at): InviteRow) -> SentInvite {
    SentInvite { id, phone_masked: mask_phone(&phone), status, created_at, expires_at }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
) -> ApiResult<Json<CoGuardians>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    Ok(Json(load(&state, &auth.guardian_id, &child_id).await?))
}

/// A phone number as people sign in with it: `+`, then 8 to 15 digits.
fn valid_phone(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Invites an adult by phone number. The answer is the same whether or not the number has an
/// account, so the endpoint cannot be used to find out who uses the service.
pub(crate) async fn invite(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<InviteGuardian>,
) -> Response {
    let phone = body.phone.trim().to_owned();
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        if !valid_phone(&phone) {
            return Err(ApiError::validation(
                "phone",
                "enter the phone number with its country code, e.g. +8613800000002",
            ));
        }
        let already: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM child_guardians cg JOIN guardians g ON g.id = cg.guardian_id \
             WHERE cg.child_id = ? AND g.phone = ?",
        )
        .bind(&child_id)
        .bind(&phone)
        .fetch_optional(&state.db)
        .await?;
        if already.is_some() {
            return Err(ApiError::conflict("this number is already one of the child's guardians", json!({})));
        }
        let now = state.clock.now();
        let open: Vec<InviteRow> = sqlx::query_as(
            "SELECT id, phone, status, created_at, expires_at FROM guardian_invites \
             WHERE child_id = ? AND status = 'pending' AND expires_at > ?",
        )
        .bind(&child_id)
        .bind(now)
        .fetch_all(&state.db)
        .await?;
        if let Some(same) = open.iter().find(|(_, p, ..)| *p == phone) {
            return Ok((StatusCode::ACCEPTED, to_json(&sent_invite(same.clone()))?));
        }
        if open.len() as i64 >= MAX_OPEN_INVITES {
            return Err(ApiError::conflict(
                "too many invitations are waiting for an answer: withdraw one or wait until they lapse",
                json!({ "open": open.len() }),
            ));
        }
        let id = format!("gi-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let row: InviteRow = (id, phone, "pending".to_owned(), now, now + INVITE_LIFETIME);
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "INSERT INTO guardian_invites (id, child_id, invited_by, phone, status, created_at, expires_at) \
             VALUES (?, ?, ?, ?, 'pending', ?, ?)",
        )
        .bind(&row.0)
        .bind(&child_id)
        .bind(&auth.guardian_id)
        .bind(&row.1)
        .bind(row.3)
        .bind(row.4)
        .execute(&mut *tx)
        .await?;
        let invite = sent_invite(row);
        log_decision(&mut tx, &child_id, &auth.guardian_id, "guardian_invited", &invite.phone_masked, now)
            .await?;
        tx.commit().await?;
        Ok((StatusCode::ACCEPTED, to_json(&invite)?))
    })
    .await
}

fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}

async fn my_phone(state: &AppState, guardian_id: &str) -> ApiResult<(String, String)> {
    Ok(sqlx::query_as("SELECT phone, display_name FROM guardians WHERE id = ?")
        .bind(guardian_id)
        .fetch_one(&state.db)
        .await?)
}

type IncomingRow = (String, String, String, String, String, DateTime<Utc>, DateTime<Utc>);

const INCOMING_QUERY: &str = "SELECT i.id, i.child_id, c.display_name, g.display_name, i.status, i.created_at, \
     i.expires_at FROM guardian_invites i JOIN children c ON c.id = i.child_id \
     JOIN guardians g ON g.id = i.invited_by \
     WHERE i.phone = ? AND i.status = 'pending' AND i.expires_at > ?";

fn incoming_invite(row: IncomingRow) -> GuardianInvite {
    let (id, child_id, child_name, invited_by, status, created_at, expires_at) = row;
    GuardianInvite { id, child_id, child_name, invited_by, status, created_at, expires_at }
}

/// Invitations waiting for this guardian's answer.
pub(crate) async fn incoming(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<GuardianInvite>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let (phone, _) = my_phone(&state, &auth.guardian_id).await?;
    let rows: Vec<IncomingRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{INCOMING_QUERY} AND i.id > ? ORDER BY i.id LIMIT ?")))
            .bind(&phone)
            .bind(state.clock.now())
            .bind(&after)
            .bind(i64::from(limit) + 1)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(paged(rows.into_iter().map(incoming_invite).collect(), limit, |i| i.id.clone())))
}

pub(crate) async fn accept(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(invite_id): ApiPath<String>,
) -> Response {
    answer(state, auth, key, invite_id, true).await
}

pub(crate) async fn decline(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(invite_id): ApiPath<String>,
) -> Response {
    answer(state, auth, key, invite_id, false).await
}

/// Accepting makes this guardian one of the child's guardians: the child, its friend requests
/// and contacts come to them through the change feed (activity through a fresh snapshot).
async fn answer(
    state: AppState,
    auth: Authed,
    key: IdempotencyKey,
    invite_id: String,
    accept: bool,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let now = state.clock.now();
        let (phone, _) = my_phone(&state, &auth.guardian_id).await?;
        let row: Option<IncomingRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{INCOMING_QUERY} AND i.id = ?")))
                .bind(&phone)
                .bind(now)
                .bind(&invite_id)
                .fetch_optional(&state.db)
                .await?;
        let mut invite = incoming_invite(row.ok_or_else(|| ApiError::not_found("invitation"))?);
        invite.status = if accept { "accepted" } else { "declined" }.to_owned();
        let mut tx = state.db.begin().await?;
        sqlx::query("UPDATE guardian_invites SET status = ? WHERE id = ?")
            .bind(&invite.status)
            .bind(&invite.id)
            .execute(&mut *tx)
            .await?;
        let child = &invite.child_id;
        if !accept {
            log_decision(&mut tx, child, &auth.guardian_id, "guardian_invite_declined", "", now).await?;
            tx.commit().await?;
            return Ok((StatusCode::OK, to_json(&invite)?));
        }
        sqlx::query(
            "INSERT INTO child_guardians (child_id, guardian_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(child)
        .bind(&auth.guardian_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        log_decision(&mut tx, child, &auth.guardian_id, "guardian_joined", "", now).await?;
        for entities in [
            "SELECT 'friend_request:' || id AS entity FROM friend_requests WHERE child_id = ?",
            "SELECT 'contact:' || child_id || '/' || contact_id AS entity FROM contacts WHERE child_id = ?",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO changes (guardian_id, entity, at) SELECT ?, entity, ? FROM ({entities})"
            )))
            .bind(&auth.guardian_id)
            .bind(now)
            .bind(child)
            .execute(&mut *tx)
            .await?;
        }
        record_change(&mut tx, &auth.guardian_id, &format!("child:{child}"), now).await?;
        tx.commit().await?;
        let joined = crate::routes::load_children(&state.db, &auth.guardian_id, "c.id = ?", child, 1)
            .await?
            .pop()
            .ok_or_else(|| ApiError::not_found("child"))?;
        Ok((StatusCode::OK, to_json(&joined)?))
    })
    .await
}

/// Removes a guardian from the child (or lets a guardian leave). A child always keeps one.
pub(crate) async fn remove(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, guardian_id)): ApiPath<(String, String)>,
    ApiJson(check): ApiJson<GuardianCheck>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let current = load(&state, &auth.guardian_id, &child_id).await?;
        // Only a guardian takes a guardian away (the child's PIN, see `check_guardian`).
        let (pin, proof) = (check.pin.as_deref(), check.reauth_proof.as_deref());
        crate::pin::check_guardian(&state, &auth.guardian_id, &child_id, pin, proof).await?;
        let removed = current
            .guardians
            .iter()
            .find(|g| g.id == guardian_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("guardian"))?;
        if current.guardians.len() == 1 {
            return Err(ApiError::conflict(
                "a child always has a guardian: to stop looking after this child, delete the child's \
                 account instead",
                json!({}),
            ));
        }
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if !removed.you {
            // Taking another guardian off waits for the child's other guardians.
            let kind = guardian_domain::ProposalKind::RemoveGuardian;
            let me = &auth.guardian_id;
            let proposal =
                crate::proposals::propose(&mut tx, me, &child_id, kind, Some(&guardian_id), now).await?;
            tx.commit().await?;
            return Ok((StatusCode::ACCEPTED, to_json(&proposal)?));
        }
        remove_membership(&mut tx, &child_id, &guardian_id, now).await?;
        log_decision(&mut tx, &child_id, &auth.guardian_id, "guardian_left", &removed.display_name, now)
            .await?;
        tx.commit().await?;
        Ok((StatusCode::OK, to_json(&removed)?))
    })
    .await
}

/// Takes a guardian off a child: the account passes to another guardian if it was theirs, their
/// approvals still waiting are withdrawn, and their feed gets the child's tombstone.
pub(crate) async fn remove_membership(
    conn: &mut sqlx::SqliteConnection,
    child_id: &str,
    guardian_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    // Recorded while they are still a guardian, so their feed carries the tombstone.
    record_change(conn, guardian_id, &format!("child:{child_id}"), now).await?;
    sqlx::query("DELETE FROM child_guardians WHERE child_id = ? AND guardian_id = ?")
        .bind(child_id)
        .bind(guardian_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM approval_votes WHERE child_id = ? AND guardian_id = ?")
        .bind(child_id)
        .bind(guardian_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE children SET guardian_id = (SELECT guardian_id FROM child_guardians WHERE child_id = ? \
         ORDER BY joined_at LIMIT 1) WHERE id = ? AND guardian_id = ?",
    )
    .bind(child_id)
    .bind(child_id)
    .bind(guardian_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_agreement(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<SetAgreement>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let (pin, proof) = (body.pin.as_deref(), body.reauth_proof.as_deref());
        crate::pin::check_guardian(&state, &auth.guardian_id, &child_id, pin, proof).await?;
        let now = state.clock.now();
        let current = load(&state, &auth.guardian_id, &child_id).await?;
        let mut tx = state.db.begin().await?;
        if body.agreement == Agreement::One
            && current.agreement == Agreement::All
            && current.guardians.len() > 1
        {
            // One guardian alone does not loosen what all of them agreed on: the others are asked.
            let kind = guardian_domain::ProposalKind::RelaxAgreement;
            crate::proposals::propose(&mut tx, &auth.guardian_id, &child_id, kind, None, now).await?;
            tx.commit().await?;
            return Ok((StatusCode::ACCEPTED, to_json(&load(&state, &auth.guardian_id, &child_id).await?)?));
        }
        let changed = sqlx::query("UPDATE children SET agreement = ? WHERE id = ? AND agreement != ?")
            .bind(body.agreement.as_str())
            .bind(&child_id)
            .bind(body.agreement.as_str())
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 1 {
            let rule = body.agreement.as_str();
            log_decision(&mut tx, &child_id, &auth.guardian_id, "agreement_changed", rule, now).await?;
        }
        tx.commit().await?;
        Ok((StatusCode::OK, to_json(&load(&state, &auth.guardian_id, &child_id).await?)?))
    })
    .await
}

/// Who decided what about the child, newest first.
pub(crate) async fn decision_log(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DecisionEntry>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    let before = match decode_cursor(query.cursor.as_deref())?.as_str() {
        "" => i64::MAX,
        text => text.parse().map_err(|_| ApiError::validation("cursor", "the cursor is not valid"))?,
    };
    let limit = page_limit(query.limit)?;
    type Row = (i64, String, String, String, String, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, guardian_id, guardian_name, action, subject, at FROM decision_log \
         WHERE child_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    )
    .bind(&child_id)
    .bind(before)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let entries = rows
        .into_iter()
        .map(|(seq, guardian_id, guardian_name, action, subject, at)| DecisionEntry {
            id: format!("dl-{seq}"),
            child_id: child_id.clone(),
            guardian_name,
            you: guardian_id == auth.guardian_id,
            action,
            subject,
            at,
        })
        .collect();
    Ok(Json(paged(entries, limit, |e| e.id.trim_start_matches("dl-").to_owned())))
}
