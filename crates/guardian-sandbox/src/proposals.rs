//! Co-guardians agree on the rules that protect the child: a guardian who loosens the agreement
//! rule (`all` → `one`) or takes another guardian off only proposes it. The change takes effect
//! once every other guardian accepts, or when the notice period is over unless one vetoed it.
//! Due proposals are settled before any request is answered (`settle`), so every answer already
//! sees them in effect.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    Answer, GuardianCheck, PROPOSAL_NOTICE_DAYS, Proposal, ProposalAnswer, ProposalKind, ProposalStatus,
};
use serde_json::json;
use sqlx::SqliteConnection;

use crate::AppState;
use crate::auth::Authed;
use crate::decision_log::log_decision;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::routes::{ApiJson, ApiPath};

type Row = (String, String, String, Option<String>, String, DateTime<Utc>, DateTime<Utc>, String);

const SELECT: &str = "SELECT id, child_id, kind, guardian_id, proposed_by, created_at, takes_effect_at, status \
     FROM guardian_proposals";

fn kind_str(kind: ProposalKind) -> &'static str {
    kind.as_str()
}

fn parse_kind(kind: &str) -> ProposalKind {
    ProposalKind::parse(kind).unwrap_or(ProposalKind::RelaxAgreement)
}

fn parse_status(status: &str) -> ProposalStatus {
    match status {
        "in_effect" => ProposalStatus::InEffect,
        "vetoed" => ProposalStatus::Vetoed,
        _ => ProposalStatus::Open,
    }
}

async fn name_of(conn: &mut SqliteConnection, guardian_id: &str) -> ApiResult<String> {
    let name: Option<(String,)> = sqlx::query_as("SELECT display_name FROM guardians WHERE id = ?")
        .bind(guardian_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.map(|(n,)| n).unwrap_or_default())
}

/// The proposal as `me` sees it, with each other guardian's answer.
async fn view(conn: &mut SqliteConnection, me: &str, row: Row) -> ApiResult<Proposal> {
    let (id, child_id, kind, guardian_id, proposed_by, created_at, takes_effect_at, status) = row;
    let others: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT g.id, g.display_name, a.answer FROM child_guardians cg JOIN guardians g ON g.id = cg.guardian_id \
         LEFT JOIN proposal_answers a ON a.proposal_id = ? AND a.guardian_id = g.id \
         WHERE cg.child_id = ? AND g.id != ? ORDER BY cg.joined_at, g.id",
    )
    .bind(&id)
    .bind(&child_id)
    .bind(&proposed_by)
    .fetch_all(&mut *conn)
    .await?;
    let guardian_name = match &guardian_id {
        Some(g) => Some(name_of(conn, g).await?),
        None => None,
    };
    Ok(Proposal {
        answers: others
            .into_iter()
            .map(|(gid, guardian_name, answer)| ProposalAnswer {
                you: gid == me,
                guardian_name,
                answer: match answer.as_deref() {
                    Some("accepted") => Answer::Accepted,
                    Some("vetoed") => Answer::Vetoed,
                    _ => Answer::Awaited,
                },
            })
            .collect(),
        you_proposed: proposed_by == me,
        proposed_by: name_of(conn, &proposed_by).await?,
        kind: parse_kind(&kind),
        status: parse_status(&status),
        id,
        child_id,
        guardian_id,
        guardian_name,
        created_at,
        takes_effect_at,
    })
}

/// The child's open proposals, as `me` sees them.
pub(crate) async fn open_for(
    conn: &mut SqliteConnection,
    me: &str,
    child_id: &str,
) -> ApiResult<Vec<Proposal>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE child_id = ? AND status = 'open' ORDER BY created_at, id"
    )))
    .bind(child_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut proposals = Vec::with_capacity(rows.len());
    for row in rows {
        proposals.push(view(conn, me, row).await?);
    }
    Ok(proposals)
}

/// Proposes `kind` (about `guardian_id`, for a removal) to the child's other guardians; the same
/// change proposed again is the proposal already open.
pub(crate) async fn propose(
    conn: &mut SqliteConnection,
    me: &str,
    child_id: &str,
    kind: ProposalKind,
    guardian_id: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Proposal> {
    let open: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE child_id = ? AND kind = ? AND guardian_id IS ? AND status = 'open'"
    )))
    .bind(child_id)
    .bind(kind_str(kind))
    .bind(guardian_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = open {
        return view(conn, me, row).await;
    }
    let id = format!("gp-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let takes_effect_at = now + Duration::days(PROPOSAL_NOTICE_DAYS);
    sqlx::query(
        "INSERT INTO guardian_proposals (id, child_id, kind, guardian_id, proposed_by, created_at, takes_effect_at, status) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open')",
    )
    .bind(&id)
    .bind(child_id)
    .bind(kind_str(kind))
    .bind(guardian_id)
    .bind(me)
    .bind(now)
    .bind(takes_effect_at)
    .execute(&mut *conn)
    .await?;
    log_decision(conn, child_id, me, "proposal_made", kind_str(kind), now).await?;
    let row = (
        id,
        child_id.to_owned(),
        kind_str(kind).to_owned(),
        guardian_id.map(str::to_owned),
        me.to_owned(),
        now,
        takes_effect_at,
        "open".to_owned(),
    );
    view(conn, me, row).await
}

/// Puts a proposal into effect (every other guardian accepted, or its notice period is over).
async fn apply(conn: &mut SqliteConnection, row: &Row, now: DateTime<Utc>) -> ApiResult<()> {
    let (id, child_id, kind, guardian_id, proposed_by, ..) = row;
    match (parse_kind(kind), guardian_id) {
        (ProposalKind::RelaxAgreement, _) => {
            sqlx::query("UPDATE children SET agreement = 'one' WHERE id = ?")
                .bind(child_id)
                .execute(&mut *conn)
                .await?;
            log_decision(conn, child_id, proposed_by, "agreement_changed", "one", now).await?;
        }
        (ProposalKind::RemoveGuardian, Some(removed)) => {
            let (guardians,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM child_guardians WHERE child_id = ?")
                    .bind(child_id)
                    .fetch_one(&mut *conn)
                    .await?;
            let name = name_of(conn, removed).await?;
            if guardians > 1 {
                crate::guardians::remove_membership(conn, child_id, removed, now).await?;
                log_decision(conn, child_id, proposed_by, "guardian_removed", &name, now).await?;
            }
        }
        (ProposalKind::RemoveGuardian, None) => {}
    }
    sqlx::query("UPDATE guardian_proposals SET status = 'in_effect' WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Before any request: proposals whose notice period is over, and no one vetoed, take effect.
pub(crate) async fn settle(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(error) = settle_due(&state).await {
        return axum::response::IntoResponse::into_response(error);
    }
    next.run(request).await
}

async fn settle_due(state: &AppState) -> ApiResult<()> {
    let now = state.clock.now();
    let due = sqlx::AssertSqlSafe(format!("{SELECT} WHERE status = 'open' AND takes_effect_at <= ?"));
    let (waiting,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM guardian_proposals WHERE status = 'open' AND takes_effect_at <= ?",
    )
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    if waiting == 0 {
        return Ok(());
    }
    let _guard = state.write_lock.lock().await;
    let mut tx = state.db.begin().await?;
    let rows: Vec<Row> = sqlx::query_as(due).bind(now).fetch_all(&mut *tx).await?;
    for row in rows {
        apply(&mut tx, &row, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A proposal about a child `me` looks after, still open.
async fn open_proposal(state: &AppState, me: &str, proposal_id: &str) -> ApiResult<Row> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = ?")))
        .bind(proposal_id)
        .fetch_optional(&state.db)
        .await?;
    let row = row.ok_or_else(|| ApiError::not_found("proposal"))?;
    owned_child(&state.db, me, &row.1).await.map_err(|_| ApiError::not_found("proposal"))?;
    if row.7 != "open" {
        return Err(ApiError::conflict("this proposal was settled already", json!({ "status": row.7 })));
    }
    Ok(row)
}

/// Another guardian accepts, with the child's PIN (accepting loosens a protection).
pub(crate) async fn accept(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(proposal_id): ApiPath<String>,
    ApiJson(check): ApiJson<GuardianCheck>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let row = open_proposal(&state, &auth.guardian_id, &proposal_id).await?;
        if row.4 == auth.guardian_id {
            return Err(ApiError::conflict(
                "the other guardians answer a proposal; the proposing guardian can only withdraw it",
                json!({}),
            ));
        }
        let (pin, proof) = (check.pin.as_deref(), check.reauth_proof.as_deref());
        crate::pin::check_guardian(&state, &auth.guardian_id, &row.1, pin, proof).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        answer(&mut tx, &row, &auth.guardian_id, "accepted", now).await?;
        let proposal = view(&mut tx, &auth.guardian_id, row.clone()).await?;
        let proposal = if proposal.answers.iter().all(|a| a.answer == Answer::Accepted) {
            apply(&mut tx, &row, now).await?;
            Proposal { status: ProposalStatus::InEffect, ..proposal }
        } else {
            proposal
        };
        tx.commit().await?;
        Ok((StatusCode::OK, serde_json::to_value(&proposal)?))
    })
    .await
}

/// Any guardian of the child vetoes (the proposing one withdraws): nothing changes.
pub(crate) async fn veto(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(proposal_id): ApiPath<String>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        let row = open_proposal(&state, &auth.guardian_id, &proposal_id).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        answer(&mut tx, &row, &auth.guardian_id, "vetoed", now).await?;
        sqlx::query("UPDATE guardian_proposals SET status = 'vetoed' WHERE id = ?")
            .bind(&row.0)
            .execute(&mut *tx)
            .await?;
        let vetoed = (row.0, row.1, row.2, row.3, row.4, row.5, row.6, "vetoed".to_owned());
        let proposal = view(&mut tx, &auth.guardian_id, vetoed).await?;
        tx.commit().await?;
        Ok((StatusCode::OK, serde_json::to_value(&proposal)?))
    })
    .await
}

async fn answer(
    conn: &mut SqliteConnection,
    row: &Row,
    me: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO proposal_answers (proposal_id, guardian_id, answer, at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (proposal_id, guardian_id) DO UPDATE SET answer = excluded.answer, at = excluded.at",
    )
    .bind(&row.0)
    .bind(me)
    .bind(answer)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    log_decision(conn, &row.1, me, &format!("proposal_{answer}"), &row.2, now).await
}
