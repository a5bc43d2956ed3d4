//! Friend requests, contacts, the parental PIN and child settings.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    Agreement, ApproveRequest, ChildSettingsPatch, Contact, ContactStatus, Direction, Discoverability,
    ErrorCode, FriendApproval, FriendRequest, GuardianCheck, MAX_TRIAL_DAYS, Page, PageQuery, RequestStatus,
    SetPin, is_valid_pin,
};
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx::SqliteConnection;

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, encode_cursor, page_limit};

/// A friend request not decided within this time expires.
pub(crate) const REQUEST_LIFETIME: Duration = Duration::days(14);
/// Wrong PINs allowed before delays start, and before a reset is required.
const FREE_ATTEMPTS: i64 = 5;
pub(crate) const RESET_AFTER: i64 = 10;

/// The child's friend-approval mode, if this guardian is one of the child's guardians;
/// otherwise 404 (nothing about other families).
pub(crate) async fn owned_child(
    db: &sqlx::SqlitePool,
    guardian_id: &str,
    child_id: &str,
) -> ApiResult<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT c.friend_approval FROM children c JOIN child_guardians g ON g.child_id = c.id \
         WHERE c.id = ? AND g.guardian_id = ?",
    )
    .bind(child_id)
    .bind(guardian_id)
    .fetch_optional(db)
    .await?;
    row.map(|(approval,)| approval).ok_or_else(|| ApiError::not_found("child"))
}

/// Puts a change in the feed of `guardian_id` and of every guardian of the child it concerns.
pub(crate) async fn record_change(
    conn: &mut SqliteConnection,
    guardian_id: &str,
    entity: &str,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let (kind, id) = entity.split_once(':').unwrap_or((entity, ""));
    let child_id = match kind {
        "friend_request" => {
            let row: Option<(String,)> = sqlx::query_as("SELECT child_id FROM friend_requests WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|(c,)| c).unwrap_or_default()
        }
        _ => id.split('/').next().unwrap_or("").to_owned(),
    };
    sqlx::query(
        "INSERT INTO changes (guardian_id, entity, at) SELECT ?, ?, ? \
         UNION SELECT guardian_id, ?, ? FROM child_guardians WHERE child_id = ?",
    )
    .bind(guardian_id)
    .bind(entity)
    .bind(at)
    .bind(entity)
    .bind(at)
    .bind(child_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A pending incoming friend request to `child_id` from `from`, in the change feed of every
/// guardian of the child; its ID.
pub(crate) async fn incoming_request(state: &AppState, child_id: &str, from: &str) -> ApiResult<String> {
    let now = state.clock.now();
    let id = format!("fr-{:012x}", rand::random::<u64>() >> 16);
    let mut tx = state.db.begin().await?;
    let guardian: Option<String> =
        sqlx::query_scalar("SELECT guardian_id FROM child_guardians WHERE child_id = ? LIMIT 1")
            .bind(child_id)
            .fetch_optional(&mut *tx)
            .await?;
    let guardian = guardian.ok_or_else(|| ApiError::not_found("child"))?;
    sqlx::query(
        "INSERT INTO friend_requests (id, child_id, other_name, direction, status, created_at, expires_at) \
         VALUES (?, ?, ?, 'incoming', 'pending', ?, ?)",
    )
    .bind(&id)
    .bind(child_id)
    .bind(from)
    .bind(now)
    .bind(now + REQUEST_LIFETIME)
    .execute(&mut *tx)
    .await?;
    record_change(&mut tx, &guardian, &format!("friend_request:{id}"), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes an entry in the child's decision log, which every guardian of the child can read.
pub(crate) async fn log_decision(
    conn: &mut SqliteConnection,
    child_id: &str,
    guardian_id: &str,
    action: &str,
    subject: &str,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO decision_log (child_id, guardian_id, guardian_name, action, subject, at) \
         SELECT ?, id, display_name, ?, ?, ? FROM guardians WHERE id = ?",
    )
    .bind(child_id)
    .bind(action)
    .bind(subject)
    .bind(at)
    .bind(guardian_id)
    .execute(conn)
    .await?;
    Ok(())
}

type RequestRow = (String, String, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, String);

pub(crate) fn request_from_row(row: RequestRow) -> FriendRequest {
    let (id, child_id, other_name, direction, status, created_at, expires_at, approved_by) = row;
    let status = RequestStatus::parse(&status).unwrap_or(RequestStatus::Pending);
    FriendRequest {
        id,
        child_id,
        other_name,
        direction: if direction == "outgoing" { Direction::Outgoing } else { Direction::Incoming },
        status,
        created_at,
        expires_at: expires_at.unwrap_or(created_at + REQUEST_LIFETIME),
        approved_by: match status {
            RequestStatus::Pending => serde_json::from_str(&approved_by).unwrap_or_default(),
            _ => Vec::new(),
        },
    }
}

/// The last column lists the guardians who approved so far (a JSON array of names).
pub(crate) const REQUEST_COLUMNS: &str = "id, child_id, other_name, direction, status, created_at, expires_at, \
     (SELECT json_group_array(g.display_name) FROM approval_votes v JOIN guardians g ON g.id = v.guardian_id \
      WHERE v.request_id = friend_requests.id)";

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

/// Pending requests past their expiry become `expired` (and are announced in the feed).
async fn expire_requests(state: &AppState, guardian_id: &str) -> ApiResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let expired: Vec<(String,)> = sqlx::query_as(
        "UPDATE friend_requests SET status = 'expired' WHERE status = 'pending' AND expires_at <= ? \
         AND child_id IN (SELECT child_id FROM child_guardians WHERE guardian_id = ?) RETURNING id",
    )
    .bind(now)
    .bind(guardian_id)
    .fetch_all(&mut *tx)
    .await?;
    for (id,) in expired {
        record_change(&mut tx, guardian_id, &format!("friend_request:{id}"), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn list_requests(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<FriendRequest>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    expire_requests(&state, &auth.guardian_id).await?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<RequestRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE child_id = ? AND id > ? ORDER BY id LIMIT ?"
    )))
    .bind(&child_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(paged(rows.into_iter().map(request_from_row).collect(), limit, |r| r.id.clone())))
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

pub(crate) fn paged<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|i| encode_cursor(&key(i))) } else { None };
    Page { items, next_cursor }
}

/// Checks a PIN with attempt counting: 5 free tries, then growing delays, then a reset.
/// The guardian's word for a guardian-only change to `child_id` (loosening a protection,
/// unblocking a contact, the co-guardians' rules): the child's PIN, whose wrong tries count
/// towards its lock like an approval's, or, for a child with no PIN yet, a fresh proof taken for
/// `change_protection`. Whoever sits at an unlocked session cannot make these changes alone.
pub(crate) async fn check_guardian(
    state: &AppState,
    guardian_id: &str,
    child_id: &str,
    pin: Option<&str>,
    proof: Option<&str>,
) -> ApiResult<()> {
    let has_pin: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM pins WHERE child_id = ?")
        .bind(child_id)
        .fetch_optional(&state.db)
        .await?;
    match (has_pin, proof) {
        (Some(_), _) => check_pin(state, child_id, pin).await,
        (None, Some(proof)) => {
            let purpose = guardian_domain::ReauthPurpose::ChangeProtection;
            crate::rights::check_proof(state, guardian_id, proof, purpose).await
        }
        (None, None) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthRequired,
            "this child has no parental PIN yet: set one, or confirm who you are again, first",
        )),
    }
}

pub(crate) async fn check_pin(state: &AppState, child_id: &str, pin: Option<&str>) -> ApiResult<()> {
    let now = state.clock.now();
    let row: Option<(String, i64, Option<DateTime<Utc>>, bool)> = sqlx::query_as(
        "SELECT pin_hash, failed_attempts, locked_until, reset_required FROM pins WHERE child_id = ?",
    )
    .bind(child_id)
    .fetch_optional(&state.db)
    .await?;
    let Some((hash, failed, locked_until, reset_required)) = row else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::PinNotSet,
            "set a parental PIN for this child first",
        ));
    };
    if reset_required {
        return Err(pin_locked(None, true));
    }
    if let Some(until) = locked_until.filter(|u| *u > now) {
        return Err(pin_locked(Some((until - now).num_seconds().max(1)), false));
    }
    let pin = pin.unwrap_or_default();
    if is_valid_pin(pin) && crate::auth::verify_secret(pin, &hash) {
        sqlx::query("UPDATE pins SET failed_attempts = 0, locked_until = NULL WHERE child_id = ?")
            .bind(child_id)
            .execute(&state.db)
            .await?;
        return Ok(());
    }
    let failed = failed + 1;
    let (locked_until, reset) = if failed >= RESET_AFTER {
        (None, true)
    } else if failed >= FREE_ATTEMPTS {
        // 30 s after the 5th wrong PIN, doubling each time after.
        (Some(now + Duration::seconds(30 << (failed - FREE_ATTEMPTS))), false)
    } else {
        (None, false)
    };
    sqlx::query(
        "UPDATE pins SET failed_attempts = ?, locked_until = ?, reset_required = ? WHERE child_id = ?",
    )
    .bind(failed)
    .bind(locked_until)
    .bind(reset)
    .bind(child_id)
    .execute(&state.db)
    .await?;
    if reset {
        return Err(pin_locked(None, true));
    }
    if let Some(until) = locked_until {
        return Err(pin_locked(Some((until - now).num_seconds()), false));
    }
    Err(ApiError {
        details: json!({ "attempts_left": FREE_ATTEMPTS - failed }),
        ..ApiError::new(StatusCode::FORBIDDEN, ErrorCode::PinIncorrect, "the parental PIN is not correct")
    })
}

fn pin_locked(retry_after: Option<i64>, reset_required: bool) -> ApiError {
    let message = if reset_required {
        "too many wrong PINs: reset the PIN after signing in again"
    } else {
        "too many wrong PINs: wait before trying again"
    };
    ApiError {
        details: json!({ "retry_after_seconds": retry_after, "reset_required": reset_required }),
        ..ApiError::new(StatusCode::FORBIDDEN, ErrorCode::PinLocked, message)
    }
}

async fn pending_request(
    state: &AppState,
    guardian_id: &str,
    child_id: &str,
    request_id: &str,
) -> ApiResult<FriendRequest> {
    let row: Option<RequestRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE id = ? AND child_id = ?"
    )))
    .bind(request_id)
    .bind(child_id)
    .fetch_optional(&state.db)
    .await?;
    let request = request_from_row(row.ok_or_else(|| ApiError::not_found("friend request"))?);
    if request.direction != Direction::Incoming {
        return Err(ApiError::conflict("only incoming requests are decided by the guardian", json!({})));
    }
    if request.status == RequestStatus::Pending && request.expires_at <= state.clock.now() {
        return Err(ApiError::conflict("this friend request has expired", json!({ "status": "expired" })));
    }
    if request.status != RequestStatus::Pending {
        // Say so when another of the child's guardians made the decision.
        let by: Option<(String, String)> = sqlx::query_as(
            "SELECT guardian_id, guardian_name FROM decision_log WHERE child_id = ? AND action = ? \
             AND subject = ? ORDER BY seq DESC LIMIT 1",
        )
        .bind(child_id)
        .bind(format!("friend_request_{}", request.status.as_str()))
        .bind(&request.other_name)
        .fetch_optional(&state.db)
        .await?;
        let status = request.status.as_str();
        return Err(match by {
            Some((id, name)) if id != guardian_id => ApiError::conflict(
                format!("{name}, another of the child's guardians, already {status} this friend request"),
                json!({ "status": status, "decided_by": name }),
            ),
            _ => ApiError::conflict(
                format!("this friend request was already {status}"),
                json!({ "status": status }),
            ),
        });
    }
    Ok(request)
}

pub(crate) async fn approve_request(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, request_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ApproveRequest>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let approval = owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        // A PIN, when sent, must look like one even where none is needed (the contract's pattern).
        if body.pin.as_deref().is_some_and(|pin| !is_valid_pin(pin)) {
            return Err(ApiError::validation("pin", "a parental PIN is exactly 4 digits"));
        }
        if body.trial_days.is_some_and(|d| !(1..=MAX_TRIAL_DAYS).contains(&d)) {
            return Err(ApiError::validation("trial_days", "a trial lasts 1 to 30 days"));
        }
        let request = pending_request(&state, &auth.guardian_id, &child_id, &request_id).await?;
        let pin_used = FriendApproval::parse(&approval) == Some(FriendApproval::PinRequired);
        if pin_used {
            check_pin(&state, &child_id, body.pin.as_deref()).await?;
        }
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if pin_used {
            log_decision(&mut tx, &child_id, &auth.guardian_id, "pin_used", &request.other_name, now).await?;
        }
        if let Some(waiting) = record_approval(&mut tx, &auth.guardian_id, &request, now).await? {
            tx.commit().await?;
            return Ok((StatusCode::ACCEPTED, serde_json::to_value(waiting)?));
        }
        let trial_until = body.trial_days.map(|d| now + Duration::days(i64::from(d)));
        decide(tx, &auth.guardian_id, &request, Decided::Approved { trial_until }, now).await
    })
    .await
}

/// How a friend request was decided.
enum Decided {
    /// Approved; for a trial when `trial_until` is set.
    Approved {
        trial_until: Option<DateTime<Utc>>,
    },
    Denied,
}

/// Where all guardians must agree and some have not approved yet: records this guardian's
/// approval and returns the request as it now waits. `None` when this approval decides.
async fn record_approval(
    tx: &mut SqliteConnection,
    guardian_id: &str,
    request: &FriendRequest,
    now: DateTime<Utc>,
) -> ApiResult<Option<FriendRequest>> {
    let (agreement,): (String,) = sqlx::query_as("SELECT agreement FROM children WHERE id = ?")
        .bind(&request.child_id)
        .fetch_one(&mut *tx)
        .await?;
    if agreement != Agreement::All.as_str() {
        return Ok(None);
    }
    let first = sqlx::query(
        "INSERT INTO approval_votes (child_id, request_id, guardian_id, at) VALUES (?, ?, ?, ?) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&request.child_id)
    .bind(&request.id)
    .bind(guardian_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let (awaited,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM child_guardians g WHERE g.child_id = ? AND NOT EXISTS \
         (SELECT 1 FROM approval_votes v WHERE v.request_id = ? AND v.guardian_id = g.guardian_id)",
    )
    .bind(&request.child_id)
    .bind(&request.id)
    .fetch_one(&mut *tx)
    .await?;
    if awaited == 0 {
        return Ok(None);
    }
    if first {
        log_decision(tx, &request.child_id, guardian_id, "approval_recorded", &request.other_name, now)
            .await?;
        record_change(tx, guardian_id, &format!("friend_request:{}", request.id), now).await?;
    }
    let row =
        sqlx::query_as(AssertSqlSafe(format!("SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE id = ?")))
            .bind(&request.id)
            .fetch_one(&mut *tx)
            .await?;
    Ok(Some(request_from_row(row)))
}

pub(crate) async fn deny_request(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, request_id)): ApiPath<(String, String)>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let request = pending_request(&state, &auth.guardian_id, &child_id, &request_id).await?;
        // One guardian's denial decides, whatever the agreement rule.
        let now = state.clock.now();
        decide(state.db.begin().await?, &auth.guardian_id, &request, Decided::Denied, now).await
    })
    .await
}

async fn decide(
    mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
    guardian_id: &str,
    request: &FriendRequest,
    decided: Decided,
    now: DateTime<Utc>,
) -> ApiResult<(StatusCode, serde_json::Value)> {
    let (status, trial_until) = match decided {
        Decided::Approved { trial_until } => (RequestStatus::Approved, trial_until),
        Decided::Denied => (RequestStatus::Denied, None),
    };
    sqlx::query("UPDATE friend_requests SET status = ? WHERE id = ?")
        .bind(status.as_str())
        .bind(&request.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM approval_votes WHERE request_id = ?")
        .bind(&request.id)
        .execute(&mut *tx)
        .await?;
    let action = match trial_until {
        Some(_) => "friend_request_approved_for_trial".to_owned(),
        None => format!("friend_request_{}", status.as_str()),
    };
    log_decision(&mut tx, &request.child_id, guardian_id, &action, &request.other_name, now).await?;
    record_change(&mut tx, guardian_id, &format!("friend_request:{}", request.id), now).await?;
    record_change(&mut tx, guardian_id, &format!("child:{}", request.child_id), now).await?;
    if status == RequestStatus::Approved {
        let contact_id = format!("u-{}", request.id);
        sqlx::query(
            "INSERT INTO contacts (child_id, contact_id, display_name, status, trial_until) \
             VALUES (?, ?, ?, 'approved', ?) \
             ON CONFLICT(child_id, contact_id) DO UPDATE SET status = 'approved', trial_until = excluded.trial_until",
        )
        .bind(&request.child_id)
        .bind(&contact_id)
        .bind(&request.other_name)
        .bind(trial_until)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, guardian_id, &format!("contact:{}/{contact_id}", request.child_id), now)
            .await?;
    }
    tx.commit().await?;
    let decided = FriendRequest { status, approved_by: Vec::new(), ..request.clone() };
    Ok((StatusCode::OK, serde_json::to_value(decided)?))
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

pub(crate) async fn set_pin(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<SetPin>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        if !is_valid_pin(&body.new_pin) {
            return Err(ApiError::validation("new_pin", "a parental PIN is exactly 4 digits"));
        }
        let exists: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM pins WHERE child_id = ?")
            .bind(&child_id)
            .fetch_optional(&state.db)
            .await?;
        if exists.is_some() {
            match body.reauth_proof.as_deref() {
                // A reset: the guardian proved who they are again; the old PIN is not needed.
                Some(proof) => {
                    let purpose = guardian_domain::ReauthPurpose::ResetPin;
                    crate::rights::check_proof(&state, &auth.guardian_id, proof, purpose).await?;
                }
                None => check_pin(&state, &child_id, body.current_pin.as_deref()).await?,
            }
        }
        sqlx::query(
            "INSERT INTO pins (child_id, pin_hash) VALUES (?, ?) ON CONFLICT(child_id) DO UPDATE SET \
             pin_hash = excluded.pin_hash, failed_attempts = 0, locked_until = NULL, reset_required = 0",
        )
        .bind(&child_id)
        .bind(crate::auth::hash_secret(&body.new_pin)?)
        .execute(&state.db)
        .await?;
        Ok((StatusCode::OK, json!({ "pin_set": true })))
    })
    .await
}

/// The version the client last saw, from `If-Match` (quotes optional).
pub(crate) fn if_match(headers: &HeaderMap) -> Option<String> {
    headers.get("If-Match").and_then(|v| v.to_str().ok()).map(|v| v.trim_matches('"').to_owned())
}

/// The `If-Match` version a change to a child needs: without one, 428 Precondition Required.
pub(crate) fn required(if_match: Option<String>) -> ApiResult<String> {
    if_match.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionFailed,
            "send If-Match with the child's version",
        )
    })
}

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

/// The `412` for a change made on a stale version of the child, with the current version.
pub(crate) async fn stale_child(conn: &mut SqliteConnection, child_id: &str, message: &str) -> ApiError {
    let current: Result<(i64,), _> =
        sqlx::query_as("SELECT version FROM children WHERE id = ?").bind(child_id).fetch_one(conn).await;
    match current {
        Ok((version,)) => ApiError {
            details: json!({ "version": version.to_string() }),
            ..ApiError::new(StatusCode::PRECONDITION_FAILED, ErrorCode::PreconditionFailed, message)
        },
        Err(error) => error.into(),
    }
}
