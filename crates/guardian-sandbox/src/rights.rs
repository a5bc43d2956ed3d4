//! Re-authentication, account deletion (with a cooling-off period), retention notes, the consent
//! ledger and policy versions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    AgreeToDeletion, ConsentEvent, ConsentLedger, ConsentPurpose, DeletionAgreement, DeletionRequest,
    DeletionStatus, ErrorCode, Page, PageQuery, PolicyVersion, ReauthProof, ReauthPurpose, Reauthenticate,
    RequestChildDeletion, RequestGuardianDeletion, RetentionNote, SetConsent,
};
use serde_json::json;
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::{Authed, new_token, token_hash, verify_secret};
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::pin::check_pin;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, page_limit};

/// How long a re-authentication proof is good for.
const REAUTH_TTL: Duration = Duration::minutes(5);
/// Wrong passwords allowed per window before `429`.
const REAUTH_ATTEMPTS: i64 = 5;
const ATTEMPT_WINDOW: Duration = Duration::minutes(15);
/// A deletion can be cancelled during this period; nothing is deleted before it ends.
pub(crate) const COOLING_OFF: Duration = Duration::days(7);
/// The provider completes a deletion request within this time (15 days: promise 11, docs/policy-promises.md).
const DELETION_DUE: Duration = Duration::days(15);

/// What this provider keeps after a deletion, for how long and why.
pub(crate) fn retention_notes() -> Vec<RetentionNote> {
    let note = |category: &str, what: &str, days: Option<u32>, reason: &str| RetentionNote {
        category: category.into(),
        what: what.into(),
        kept_for_days: days,
        reason: reason.into(),
    };
    vec![
        note(
            "abuse_records",
            "Records of an account banned for abuse, and reports against it",
            Some(365),
            "Kept at least one year to protect other children and to answer lawful requests.",
        ),
        note(
            "undelivered_messages",
            "Messages sent to the child that were never delivered",
            Some(15),
            "Deleted automatically 15 days after they were sent.",
        ),
        note(
            "legal_hold",
            "Anything under a legal hold",
            None,
            "Kept only while a court or regulator requires it, then deleted.",
        ),
        note(
            "deletion_receipt",
            "This deletion request and its receipt (no personal data)",
            Some(1095),
            "Proof that the deletion was carried out.",
        ),
    ]
}

/// What a child deletion removes.
const CHILD_CATEGORIES: &[&str] = &[
    "profile",
    "devices",
    "reports",
    "groups",
    "rights_requests",
    "transparency_records",
    "demographics",
    "avatar",
    "contacts",
    "friend_requests",
    "activity",
    "parental_pin",
    "consents",
    "exports",
];

pub(crate) async fn reauthenticate(
    State(state): State<AppState>,
    auth: Authed,
    ApiJson(body): ApiJson<Reauthenticate>,
) -> Response {
    let answer = match (&body.password, &body.sms_code) {
        (Some(password), None) => reauth_inner(&state, &auth.guardian_id, password).await,
        (None, Some(code)) => reauth_by_code(&state, &auth.guardian_id, code).await.map_err(|e| (e, None)),
        _ => Err((ApiError::validation("password", "send either the password or the SMS code"), None)),
    };
    let answer = match answer {
        Ok(()) => issue_proof(&state, &auth.guardian_id, body.purpose).await.map_err(|e| (e, None)),
        Err(e) => Err(e),
    };
    crate::error::with_retry_after(answer.map(|proof| Json(proof).into_response()))
}

/// `POST /v1/auth/reauth/sms`: sends a code to the signed-in guardian's own number, for
/// [`reauthenticate`] (the same code, limits and stand-in gateway as an SMS sign-in).
pub(crate) async fn send_reauth_code(State(state): State<AppState>, auth: Authed) -> Response {
    let phone: Result<(String,), _> = sqlx::query_as("SELECT phone FROM guardians WHERE id = ?")
        .bind(&auth.guardian_id)
        .fetch_one(&state.db)
        .await;
    let answer = match phone {
        Ok((phone,)) => crate::sms::request_inner(&state, &phone).await,
        Err(e) => Err((e.into(), None)),
    };
    crate::error::with_retry_after(answer.map(|sent| (StatusCode::ACCEPTED, Json(sent)).into_response()))
}

/// The code sent to the guardian's own number, used up.
async fn reauth_by_code(state: &AppState, guardian_id: &str, code: &str) -> ApiResult<()> {
    let (phone,): (String,) = sqlx::query_as("SELECT phone FROM guardians WHERE id = ?")
        .bind(guardian_id)
        .fetch_one(&state.db)
        .await?;
    // A wrong code is 403 here, not sign-in's 401: the session itself is still good.
    let owner = crate::sms::redeem_code(state, &phone, code).await.map_err(|mut e| {
        if e.status == StatusCode::UNAUTHORIZED {
            e.status = StatusCode::FORBIDDEN;
        }
        e
    })?;
    if owner != guardian_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidCredentials,
            "the code is not correct",
        ));
    }
    Ok(())
}

/// A fresh proof, good once and for `purpose` only, for a few minutes.
async fn issue_proof(state: &AppState, guardian_id: &str, purpose: ReauthPurpose) -> ApiResult<ReauthProof> {
    let proof = new_token();
    let expires_at = state.clock.now() + REAUTH_TTL;
    sqlx::query(
        "INSERT INTO reauth_proofs (proof_hash, guardian_id, expires_at, purpose) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash(&proof))
    .bind(guardian_id)
    .bind(expires_at)
    .bind(purpose.as_str())
    .execute(&state.db)
    .await?;
    Ok(ReauthProof { proof, expires_at })
}

async fn reauth_inner(
    state: &AppState,
    guardian_id: &str,
    password: &str,
) -> Result<(), (ApiError, Option<u64>)> {
    let now = state.clock.now();
    let window_start = now - ATTEMPT_WINDOW;
    let (failures, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT count(*), min(at) FROM attempts WHERE guardian_id = ? AND action = 'reauth' AND at > ?",
    )
    .bind(guardian_id)
    .bind(window_start)
    .fetch_one(&state.db)
    .await
    .map_err(|e| (e.into(), None))?;
    if failures >= REAUTH_ATTEMPTS {
        let retry = oldest.map_or(60, |o| (o + ATTEMPT_WINDOW - now).num_seconds().max(1));
        let error = ApiError {
            details: json!({ "retry_after_seconds": retry }),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many wrong passwords: wait before trying again",
            )
        };
        return Err((error, u64::try_from(retry).ok()));
    }
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM guardians WHERE id = ?")
        .bind(guardian_id)
        .fetch_one(&state.db)
        .await
        .map_err(|e| (e.into(), None))?;
    if !verify_secret(password, &hash) {
        sqlx::query("INSERT INTO attempts (guardian_id, action, at) VALUES (?, 'reauth', ?)")
            .bind(guardian_id)
            .bind(now)
            .execute(&state.db)
            .await
            .map_err(|e| (e.into(), None))?;
        let error = ApiError {
            details: json!({ "attempts_left": REAUTH_ATTEMPTS - failures - 1 }),
            ..ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InvalidCredentials,
                "the password is not correct",
            )
        };
        return Err((error, None));
    }
    Ok(())
}

/// Uses up a fresh re-authentication of this guardian taken for `purpose`, or answers
/// `403 reauth_required`. One statement finds and deletes it, so a proof works exactly once
/// even when two requests race with it.
pub(crate) async fn check_proof(
    state: &AppState,
    guardian_id: &str,
    proof: &str,
    purpose: ReauthPurpose,
) -> ApiResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "DELETE FROM reauth_proofs WHERE proof_hash = ? AND guardian_id = ? AND purpose = ? AND expires_at > ? \
         RETURNING 1",
    )
    .bind(token_hash(proof))
    .bind(guardian_id)
    .bind(purpose.as_str())
    .bind(state.clock.now())
    .fetch_optional(&state.db)
    .await?;
    found.map(|_| ()).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthRequired,
            "confirm who you are again first (a confirmation works once, for the action it was taken for, for five minutes)",
        )
    })
}

pub(crate) async fn retention(State(_): State<AppState>, _auth: Authed) -> Json<Page<RetentionNote>> {
    Json(Page { items: retention_notes(), next_cursor: None })
}

type DeletionRow = (
    String,
    String,
    Option<String>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    String,
);

const DELETION_COLUMNS: &str =
    "id, subject, child_id, status, requested_at, cooling_off_until, due_at, completed_at, deleted";

fn deletion_from_row(row: DeletionRow) -> DeletionRequest {
    let (id, subject, child_id, status, requested_at, cooling_off_until, due_at, completed_at, deleted) = row;
    let status = DeletionStatus::parse(&status).unwrap_or(DeletionStatus::CoolingOff);
    DeletionRequest {
        id,
        subject,
        child_id,
        status,
        requested_at,
        cooling_off_until,
        due_at,
        completed_at,
        deleted: serde_json::from_str(&deleted).unwrap_or_default(),
        retained: if status == DeletionStatus::Cancelled { Vec::new() } else { retention_notes() },
        agreements: Vec::new(),
        requested_by: None,
    }
}

/// Adds, for the guardian reading, who asked (when someone else did) and every co-guardian's answer.
async fn for_reader(
    state: &AppState,
    reader: &str,
    mut request: DeletionRequest,
) -> ApiResult<DeletionRequest> {
    let (requester, name): (String, String) = sqlx::query_as(
        "SELECT d.guardian_id, coalesce(g.display_name, 'A former guardian') FROM deletion_requests d \
         LEFT JOIN guardians g ON g.id = d.guardian_id WHERE d.id = ?",
    )
    .bind(&request.id)
    .fetch_one(&state.db)
    .await?;
    request.requested_by = (requester != reader).then_some(name);
    let answers: Vec<(String, String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT a.guardian_id, coalesce(g.display_name, 'A former guardian'), a.answer, a.answered_at \
         FROM deletion_agreements a LEFT JOIN guardians g ON g.id = a.guardian_id \
         WHERE a.deletion_id = ? ORDER BY g.display_name",
    )
    .bind(&request.id)
    .fetch_all(&state.db)
    .await?;
    request.agreements = answers
        .into_iter()
        .map(|(id, guardian_name, answer, answered_at)| DeletionAgreement {
            guardian_name,
            you: id == reader,
            answer,
            answered_at,
        })
        .collect();
    Ok(request)
}

async fn active_deletion(state: &AppState, guardian_id: &str, child_id: Option<&str>) -> ApiResult<()> {
    // A child's account has one deletion request at a time, whichever guardian asked.
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM deletion_requests WHERE (guardian_id = ? OR child_id IS NOT NULL) AND child_id IS ? \
         AND status = 'cooling_off'",
    )
    .bind(guardian_id)
    .bind(child_id)
    .fetch_optional(&state.db)
    .await?;
    match existing {
        Some((id,)) => Err(ApiError::conflict(
            "a deletion request is already waiting out its cooling-off period",
            json!({ "request_id": id }),
        )),
        None => Ok(()),
    }
}

async fn insert_deletion(
    state: &AppState,
    guardian_id: &str,
    subject: &str,
    child_id: Option<&str>,
) -> ApiResult<(StatusCode, serde_json::Value)> {
    let now = state.clock.now();
    let id = format!("del-{}", uuid::Uuid::new_v4().simple());
    let mut tx = state.db.begin().await?;
    let row: DeletionRow = sqlx::query_as(AssertSqlSafe(format!(
        "INSERT INTO deletion_requests (id, guardian_id, subject, child_id, status, requested_at, \
         cooling_off_until, due_at) VALUES (?, ?, ?, ?, 'cooling_off', ?, ?, ?) RETURNING {DELETION_COLUMNS}"
    )))
    .bind(&id)
    .bind(guardian_id)
    .bind(subject)
    .bind(child_id)
    .bind(now)
    .bind(now + COOLING_OFF)
    .bind(now + DELETION_DUE)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(child_id) = child_id {
        // Where all guardians must agree, every other guardian is asked.
        sqlx::query(
            "INSERT INTO deletion_agreements (deletion_id, guardian_id, answer) \
             SELECT ?, cg.guardian_id, 'awaited' FROM child_guardians cg JOIN children c ON c.id = cg.child_id \
             WHERE cg.child_id = ? AND cg.guardian_id != ? AND c.agreement = 'all'",
        )
        .bind(&id)
        .bind(child_id)
        .bind(guardian_id)
        .execute(&mut *tx)
        .await?;
        log_decision(&mut tx, child_id, guardian_id, "deletion_requested", "", now).await?;
    }
    tx.commit().await?;
    let request = for_reader(state, guardian_id, deletion_from_row(row)).await?;
    Ok((StatusCode::ACCEPTED, serde_json::to_value(request)?))
}

pub(crate) async fn request_child_deletion(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<RequestChildDeletion>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        check_proof(&state, &auth.guardian_id, &body.reauth_proof, ReauthPurpose::DeleteChild).await?;
        check_pin(&state, &child_id, Some(&body.pin)).await?;
        active_deletion(&state, &auth.guardian_id, Some(&child_id)).await?;
        insert_deletion(&state, &auth.guardian_id, "child", Some(&child_id)).await
    })
    .await
}

pub(crate) async fn request_guardian_deletion(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiJson(body): ApiJson<RequestGuardianDeletion>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        check_proof(&state, &auth.guardian_id, &body.reauth_proof, ReauthPurpose::DeleteAccount).await?;
        let (children,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM child_guardians cg WHERE cg.guardian_id = ? AND NOT EXISTS \
             (SELECT 1 FROM child_guardians o WHERE o.child_id = cg.child_id AND o.guardian_id != cg.guardian_id)",
        )
        .bind(&auth.guardian_id)
        .fetch_one(&state.db)
        .await?;
        if children > 0 {
            return Err(ApiError::conflict(
                "children remain whose only guardian is you: delete each child's account (or hand it \
                 to a co-guardian) first",
                json!({ "children": children }),
            ));
        }
        active_deletion(&state, &auth.guardian_id, None).await?;
        insert_deletion(&state, &auth.guardian_id, "guardian", None).await
    })
    .await
}

pub(crate) async fn list_deletions(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DeletionRequest>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<DeletionRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {DELETION_COLUMNS} FROM deletion_requests WHERE (guardian_id = ? OR id IN \
         (SELECT deletion_id FROM deletion_agreements WHERE guardian_id = ?)) AND id > ? ORDER BY id LIMIT ?"
    )))
    .bind(&auth.guardian_id)
    .bind(&auth.guardian_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let mut requests = Vec::with_capacity(rows.len());
    for row in rows {
        requests.push(for_reader(&state, &auth.guardian_id, deletion_from_row(row)).await?);
    }
    Ok(Json(paged(requests, limit, |d| d.id.clone())))
}

/// A deletion request the guardian made, or (`asked`) one they were asked to agree to.
async fn own_deletion(state: &AppState, guardian_id: &str, id: &str) -> ApiResult<DeletionRequest> {
    find_deletion(state, guardian_id, id, false).await
}

async fn find_deletion(
    state: &AppState,
    guardian_id: &str,
    id: &str,
    asked: bool,
) -> ApiResult<DeletionRequest> {
    let row: Option<DeletionRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {DELETION_COLUMNS} FROM deletion_requests WHERE id = ? AND (guardian_id = ? OR (? AND id IN \
         (SELECT deletion_id FROM deletion_agreements WHERE guardian_id = ?)))"
    )))
    .bind(id)
    .bind(guardian_id)
    .bind(asked)
    .bind(guardian_id)
    .fetch_optional(&state.db)
    .await?;
    let request = row.map(deletion_from_row).ok_or_else(|| ApiError::not_found("deletion request"))?;
    for_reader(state, guardian_id, request).await
}

pub(crate) async fn agree_to_deletion(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AgreeToDeletion>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let request = find_deletion(&state, &auth.guardian_id, &id, true).await?;
        awaited(&request)?;
        check_proof(&state, &auth.guardian_id, &body.reauth_proof, ReauthPurpose::AgreeToDeletion).await?;
        answer_deletion(&state, &auth.guardian_id, &request, Answer::Agreed).await
    })
    .await
}

pub(crate) async fn refuse_deletion(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<String>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let request = find_deletion(&state, &auth.guardian_id, &id, true).await?;
        awaited(&request)?;
        answer_deletion(&state, &auth.guardian_id, &request, Answer::Refused).await
    })
    .await
}

/// Only a request still cooling off, and waiting for this guardian's answer, can be answered.
fn awaited(request: &DeletionRequest) -> ApiResult<()> {
    let mine = request.agreements.iter().find(|a| a.you);
    match mine {
        None => Err(ApiError::conflict("you were not asked to agree to this deletion", json!({}))),
        Some(_) if request.status != DeletionStatus::CoolingOff => Err(ApiError::conflict(
            format!("this deletion request is {}", request.status.as_str()),
            json!({ "status": request.status }),
        )),
        Some(a) if a.answer != "awaited" => Err(ApiError::conflict(
            format!(
                "you already {} to this deletion",
                if a.answer == "agreed" { "agreed" } else { "said no" }
            ),
            json!({ "answer": a.answer }),
        )),
        Some(_) => Ok(()),
    }
}

/// A co-guardian's answer to a child's deletion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Agreed,
    Refused,
}

impl Answer {
    fn as_str(self) -> &'static str {
        match self {
            Self::Agreed => "agreed",
            Self::Refused => "refused",
        }
    }
}

async fn answer_deletion(
    state: &AppState,
    guardian_id: &str,
    request: &DeletionRequest,
    answer: Answer,
) -> ApiResult<(StatusCode, serde_json::Value)> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE deletion_agreements SET answer = ?, answered_at = ? WHERE deletion_id = ? AND guardian_id = ?")
        .bind(answer.as_str())
        .bind(now)
        .bind(&request.id)
        .bind(guardian_id)
        .execute(&mut *tx)
        .await?;
    if answer == Answer::Refused {
        // One guardian's no is enough: nothing is deleted.
        sqlx::query("UPDATE deletion_requests SET status = 'cancelled' WHERE id = ?")
            .bind(&request.id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(child_id) = &request.child_id {
        let action = match answer {
            Answer::Agreed => "deletion_agreed",
            Answer::Refused => "deletion_refused",
        };
        log_decision(&mut tx, child_id, guardian_id, action, "", now).await?;
    }
    tx.commit().await?;
    let answered = find_deletion(state, guardian_id, &request.id, true).await?;
    Ok((StatusCode::OK, serde_json::to_value(answered)?))
}

pub(crate) async fn get_deletion(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DeletionRequest>> {
    Ok(Json(find_deletion(&state, &auth.guardian_id, &id, true).await?))
}

pub(crate) async fn cancel_deletion(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<String>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let request = own_deletion(&state, &auth.guardian_id, &id).await?;
        if request.status != DeletionStatus::CoolingOff {
            return Err(ApiError::conflict(
                format!(
                    "this deletion request is {} and can no longer be cancelled",
                    request.status.as_str()
                ),
                json!({ "status": request.status }),
            ));
        }
        sqlx::query("UPDATE deletion_requests SET status = 'cancelled' WHERE id = ?")
            .bind(&id)
            .execute(&state.db)
            .await?;
        let cancelled = own_deletion(&state, &auth.guardian_id, &id).await?;
        Ok((StatusCode::OK, serde_json::to_value(cancelled)?))
    })
    .await
}

/// Carries out every deletion whose cooling-off period is over, as a provider's scheduled job
/// would (run here whenever a guardian calls). Returns true when the caller's own account is gone.
pub(crate) async fn settle(state: &AppState, caller: &str) -> ApiResult<bool> {
    /// ID, requesting guardian, subject, child (for a child's account), end of cooling-off.
    type Due = (String, String, String, Option<String>, DateTime<Utc>);
    let now = state.clock.now();
    let due: Vec<Due> = sqlx::query_as(
        "SELECT id, guardian_id, subject, child_id, cooling_off_until FROM deletion_requests d \
         WHERE status = 'cooling_off' AND cooling_off_until <= ? AND NOT EXISTS \
         (SELECT 1 FROM deletion_agreements a WHERE a.deletion_id = d.id AND a.answer != 'agreed')",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut guardian_gone = false;
    for (id, guardian_id, subject, child_id, completed_at) in due {
        let guardian_id = guardian_id.as_str();
        let mut tx = state.db.begin().await?;
        // Only the caller that flips the status carries the deletion out.
        let flipped = sqlx::query(
            "UPDATE deletion_requests SET status = 'completed', completed_at = ?, deleted = ? \
             WHERE id = ? AND status = 'cooling_off'",
        )
        .bind(completed_at)
        .bind(serde_json::to_string(if subject == "child" { CHILD_CATEGORIES } else { GUARDIAN_CATEGORIES })?)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if flipped.rows_affected() == 1 {
            match child_id {
                Some(child_id) => {
                    // Recorded first, so every guardian of the child gets the tombstone.
                    record_change(&mut tx, guardian_id, &format!("child:{child_id}"), now).await?;
                    delete_child(&mut tx, &child_id).await?;
                }
                None => {
                    // Children shared with co-guardians stay with them.
                    let shared: Vec<(String,)> =
                        sqlx::query_as("SELECT child_id FROM child_guardians WHERE guardian_id = ?")
                            .bind(guardian_id)
                            .fetch_all(&mut *tx)
                            .await?;
                    for (child_id,) in shared {
                        crate::guardians::remove_membership(&mut tx, &child_id, guardian_id, now).await?;
                    }
                    delete_guardian(&mut tx, guardian_id).await?;
                    guardian_gone |= guardian_id == caller;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(guardian_gone)
}

const GUARDIAN_CATEGORIES: &[&str] =
    &["profile", "phone_number", "password", "sessions", "policy_acknowledgments", "security_notices"];

async fn delete_child(conn: &mut sqlx::SqliteConnection, child_id: &str) -> ApiResult<()> {
    for table in [
        "contacts",
        "friend_requests",
        "activity",
        "pins",
        "consent_events",
        "exports",
        "devices",
        "reports",
        "child_groups",
        "child_avatars",
        "rights_requests",
        "staff_access",
        "automated_decisions",
        "data_deletions",
        "guardian_consents",
        "approval_votes",
        "guardian_invites",
        "decision_log",
        "child_guardians",
        "children",
    ] {
        let column = if table == "children" { "id" } else { "child_id" };
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE {column} = ?")))
            .bind(child_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn delete_guardian(conn: &mut sqlx::SqliteConnection, guardian_id: &str) -> ApiResult<()> {
    for statement in [
        "DELETE FROM access_tokens WHERE family_id IN (SELECT id FROM token_families WHERE guardian_id = ?)",
        "DELETE FROM refresh_tokens WHERE family_id IN (SELECT id FROM token_families WHERE guardian_id = ?)",
        "DELETE FROM token_families WHERE guardian_id = ?",
        "DELETE FROM reauth_proofs WHERE guardian_id = ?",
        "DELETE FROM attempts WHERE guardian_id = ?",
        "DELETE FROM policy_acks WHERE guardian_id = ?",
        "DELETE FROM guardian_identities WHERE guardian_id = ?",
        "DELETE FROM security_notices WHERE guardian_id = ?",
        "DELETE FROM idempotency WHERE guardian_id = ?",
        "DELETE FROM changes WHERE guardian_id = ?",
        "DELETE FROM exports WHERE guardian_id = ?",
        "DELETE FROM guardian_invites WHERE invited_by = ?",
        // The children's decision logs stay with their other guardians, without this one's name.
        "UPDATE decision_log SET guardian_name = 'A former guardian' WHERE guardian_id = ?",
        "DELETE FROM guardians WHERE id = ?",
    ] {
        sqlx::query(statement).bind(guardian_id).execute(&mut *conn).await?;
    }
    Ok(())
}

// ---- consent ----

/// The policy version in force at `at` (the latest one already effective).
pub(crate) async fn policy_in_force(db: &sqlx::SqlitePool, at: DateTime<Utc>) -> ApiResult<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT version FROM policies WHERE effective_at <= ? ORDER BY effective_at DESC LIMIT 1",
    )
    .bind(at)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(v,)| v).unwrap_or_default())
}

async fn ledger(db: &sqlx::SqlitePool, child_id: &str) -> ApiResult<ConsentLedger> {
    let rows: Vec<(String, bool, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT purpose, granted, at, policy_version FROM consent_events WHERE child_id = ? ORDER BY seq",
    )
    .bind(child_id)
    .fetch_all(db)
    .await?;
    let history: Vec<ConsentEvent> = rows
        .into_iter()
        .filter_map(|(purpose, granted, at, policy_version)| {
            Some(ConsentEvent { purpose: ConsentPurpose::parse(&purpose)?, granted, at, policy_version })
        })
        .collect();
    let current = ConsentPurpose::ALL
        .into_iter()
        .filter_map(|purpose| history.iter().rev().find(|e| e.purpose == purpose).cloned())
        .collect();
    Ok(ConsentLedger { child_id: child_id.to_owned(), current, history })
}

pub(crate) async fn consents(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
) -> ApiResult<Json<ConsentLedger>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    Ok(Json(ledger(&state.db, &child_id).await?))
}

pub(crate) async fn set_consent(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, purpose)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<SetConsent>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let purpose = ConsentPurpose::parse(&purpose).ok_or_else(|| ApiError::not_found("consent purpose"))?;
        let current = ledger(&state.db, &child_id).await?;
        let unchanged = current.current.iter().any(|e| e.purpose == purpose && e.granted == body.granted);
        if !unchanged {
            let now = state.clock.now();
            sqlx::query(
                "INSERT INTO consent_events (child_id, purpose, granted, at, policy_version) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&child_id)
            .bind(purpose.as_str())
            .bind(body.granted)
            .bind(now)
            .bind(policy_in_force(&state.db, now).await?)
            .execute(&state.db)
            .await?;
        }
        let updated = ledger(&state.db, &child_id).await?;
        Ok((StatusCode::OK, serde_json::to_value(updated)?))
    })
    .await
}

// ---- policy versions ----

type PolicyRow = (String, DateTime<Utc>, DateTime<Utc>, bool, String, String, Option<DateTime<Utc>>);

fn policy_from_row(row: PolicyRow) -> PolicyVersion {
    let (version, published_at, effective_at, major, summary, text, acknowledged_at) = row;
    PolicyVersion { version, published_at, effective_at, major, summary, text, acknowledged_at }
}

const POLICY_SELECT: &str = "SELECT p.version, p.published_at, p.effective_at, p.major, p.summary, p.text, a.at \
     FROM policies p LEFT JOIN policy_acks a ON a.version = p.version AND a.guardian_id = ?";

pub(crate) async fn policies(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<PolicyVersion>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<PolicyRow> = sqlx::query_as(AssertSqlSafe(format!(
        "{POLICY_SELECT} WHERE p.version > ? ORDER BY p.version LIMIT ?"
    )))
    .bind(&auth.guardian_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(paged(rows.into_iter().map(policy_from_row).collect(), limit, |p| p.version.clone())))
}

pub(crate) async fn acknowledge_policy(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(version): ApiPath<String>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let exists: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM policies WHERE version = ?")
            .bind(&version)
            .fetch_optional(&state.db)
            .await?;
        exists.ok_or_else(|| ApiError::not_found("policy version"))?;
        sqlx::query("INSERT OR IGNORE INTO policy_acks (guardian_id, version, at) VALUES (?, ?, ?)")
            .bind(&auth.guardian_id)
            .bind(&version)
            .bind(state.clock.now())
            .execute(&state.db)
            .await?;
        let row: PolicyRow = sqlx::query_as(AssertSqlSafe(format!("{POLICY_SELECT} WHERE p.version = ?")))
            .bind(&auth.guardian_id)
            .bind(&version)
            .fetch_one(&state.db)
            .await?;
        Ok((StatusCode::OK, serde_json::to_value(policy_from_row(row))?))
    })
    .await
}
