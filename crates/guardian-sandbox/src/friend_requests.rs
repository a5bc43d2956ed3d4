//! Friend requests: listing them, and the guardians' approvals and denials (all guardians
//! agreeing where the child's rule asks for it).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    Agreement, ApproveRequest, Direction, FriendApproval, FriendRequest, MAX_TRIAL_DAYS, Page, PageQuery,
    RequestStatus, is_valid_pin,
};
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx::SqliteConnection;

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::pin::check_pin;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, page_limit};

/// A friend request not decided within this time expires.
pub(crate) const REQUEST_LIFETIME: Duration = Duration::days(14);

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

type RequestRow = (String, String, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, String);

pub(crate) fn request_from_row(row: RequestRow) -> FriendRequest {
    let (id, child_id, other_name, direction, status, created_at, expires_at, approved_by) = row;
    let status = RequestStatus::parse(&status).unwrap_or(RequestStatus::Pending);
    FriendRequest {
        id,
        child_id,
        other_name,
        direction: Direction::parse(&direction).unwrap_or(Direction::Incoming),
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
