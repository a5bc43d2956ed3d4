//! Transparency (promises 15 and 16, docs/policy-promises.md): records of staff access to a
//! child's data, automated decisions about the child, and security notices. A report filed by a
//! guardian is read by a reviewer, which is itself recorded as staff access; a new sign-in is a
//! security notice.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use guardian_domain::{AutomatedDecision, Page, PageQuery, SecurityNotice, StaffAccess};

use crate::AppState;
use crate::auth::Authed;
use crate::care::child_rows;
use crate::error::ApiResult;
use crate::paging::paged;
use crate::routes::{ApiPath, ApiQuery, decode_cursor, page_limit};

type StaffRow = (String, String, String, DateTime<Utc>, String, String, String);
const STAFF_COLUMNS: &str = "id, child_id, staff_role, accessed_at, purpose, approval_ref, data_categories";

pub(crate) async fn list_staff_access(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<StaffAccess>>> {
    let (rows, limit) =
        child_rows::<StaffRow>(&state, &auth, &child_id, &query, "staff_access", STAFF_COLUMNS).await?;
    let items = rows
        .into_iter()
        .map(|(id, child_id, staff_role, accessed_at, purpose, approval_ref, categories)| StaffAccess {
            id,
            child_id,
            staff_role,
            accessed_at,
            purpose,
            approval_ref,
            data_categories: serde_json::from_str(&categories).unwrap_or_default(),
        })
        .collect();
    Ok(Json(paged(items, limit, |a| a.id.clone())))
}

/// Records that a member of staff looked at a child's data.
pub(crate) async fn record_staff_access(
    db: impl sqlx::SqliteExecutor<'_>,
    child_id: &str,
    role: &str,
    at: DateTime<Utc>,
    purpose: &str,
    approval_ref: &str,
    categories: &[&str],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO staff_access (id, child_id, staff_role, accessed_at, purpose, approval_ref, \
         data_categories) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(format!("sa-{}", uuid::Uuid::new_v4().simple()))
    .bind(child_id)
    .bind(role)
    .bind(at)
    .bind(purpose)
    .bind(approval_ref)
    .bind(serde_json::to_string(categories).unwrap_or_else(|_| "[]".into()))
    .execute(db)
    .await?;
    Ok(())
}

type DecisionRow = (String, String, String, String, DateTime<Utc>, bool);
const DECISION_COLUMNS: &str = "id, child_id, kind, summary, decided_at, human_reviewed";

pub(crate) async fn list_automated_decisions(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<AutomatedDecision>>> {
    let (rows, limit) =
        child_rows::<DecisionRow>(&state, &auth, &child_id, &query, "automated_decisions", DECISION_COLUMNS)
            .await?;
    let items = rows
        .into_iter()
        .map(|(id, child_id, kind, summary, decided_at, human_reviewed)| AutomatedDecision {
            id,
            child_id,
            kind,
            summary,
            decided_at,
            human_reviewed,
        })
        .collect();
    Ok(Json(paged(items, limit, |d| d.id.clone())))
}

/// The notices for this guardian and those for everyone.
pub(crate) async fn list_security_notices(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<SecurityNotice>>> {
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<(String, String, String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, severity, title, body, published_at FROM security_notices \
         WHERE (guardian_id = ? OR guardian_id IS NULL) AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(&auth.guardian_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let items = rows
        .into_iter()
        .map(|(id, severity, title, body, published_at)| SecurityNotice {
            id,
            severity,
            title,
            body,
            published_at,
        })
        .collect();
    Ok(Json(paged(items, limit, |n| n.id.clone())))
}

/// Tells the guardian about a new sign-in to their account.
pub(crate) async fn notify_sign_in(state: &AppState, guardian_id: &str, how: &str) -> sqlx::Result<()> {
    use guardian_domain::Clock as _;
    let now = state.clock.now();
    sqlx::query(
        "INSERT INTO security_notices (id, guardian_id, severity, title, body, published_at) \
         VALUES (?, ?, 'info', 'New sign-in to your account', ?, ?)",
    )
    .bind(format!("sn-{}-{}", now.format("%Y%m%d%H%M%S"), uuid::Uuid::new_v4().simple()))
    .bind(guardian_id)
    .bind(format!(
        "Someone signed in to your Guardian account with {how} at {}. If this was not you, change your \
         password.",
        now.format("%Y-%m-%d %H:%M UTC")
    ))
    .bind(now)
    .execute(&state.db)
    .await?;
    Ok(())
}
