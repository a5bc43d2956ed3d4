//! Rights requests (access, correction, explanation of an automated decision, other): filed by
//! the guardian, answered within 15 days. Their status follows the sandbox's clock, and `other`
//! requests are never answered, so support and tests can see what an overdue request looks like.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::MAX_REQUEST_DETAILS_CHARS as MAX_DETAILS_CHARS;
use guardian_domain::{CreateRightsRequest, Page, PageQuery, RightsRequest, RightsRequestKind};
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::Authed;
use crate::care::child_rows;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::routes::{ApiJson, ApiPath, ApiQuery};

const DUE: Duration = Duration::days(15);
const STARTED_AFTER: Duration = Duration::days(1);

/// How long the sandbox's staff take to answer each kind, and what they answer.
fn answer(kind: RightsRequestKind) -> Option<(Duration, &'static str)> {
    match kind {
        RightsRequestKind::Correction => Some((Duration::days(3), "The data was corrected as you asked.")),
        RightsRequestKind::Access => Some((
            Duration::days(5),
            "A copy of the records you asked for was added to the child's next export.",
        )),
        RightsRequestKind::Explanation => Some((
            Duration::days(10),
            "The decision was made by an automated filter for spam accounts; a person reviewed it and \
             the filter no longer applies to this child.",
        )),
        RightsRequestKind::Other => None,
    }
}

type Row = (String, String, String, String, DateTime<Utc>, DateTime<Utc>);
const COLUMNS: &str = "id, child_id, kind, details, created_at, due_at";

fn from_row((id, child_id, kind, details, created_at, due_at): Row, now: DateTime<Utc>) -> RightsRequest {
    let kind = RightsRequestKind::parse(&kind).unwrap_or(RightsRequestKind::Other);
    let age = now - created_at;
    let done = answer(kind).filter(|(after, _)| age >= *after);
    let status = match (&done, age >= STARTED_AFTER) {
        (Some(_), _) => "completed",
        (None, true) => "in_progress",
        (None, false) => "received",
    };
    RightsRequest {
        id,
        child_id,
        kind,
        details,
        status: status.into(),
        created_at,
        due_at,
        completed_at: done.map(|(after, _)| created_at + after),
        receipt: done.map(|(_, text)| text.to_owned()),
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<RightsRequest>>> {
    let (rows, limit) =
        child_rows::<Row>(&state, &auth, &child_id, &query, "rights_requests", COLUMNS).await?;
    let now = state.clock.now();
    Ok(Json(paged(rows.into_iter().map(|r| from_row(r, now)).collect(), limit, |r| r.id.clone())))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<CreateRightsRequest>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        if body.details.trim().is_empty() {
            return Err(ApiError::validation("details", "say what you are asking for"));
        }
        if body.details.chars().count() > MAX_DETAILS_CHARS {
            return Err(ApiError::validation("details", "details are at most 2,000 characters"));
        }
        let now = state.clock.now();
        let row: Row = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO rights_requests ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        )))
        .bind(format!("rr-{}", uuid::Uuid::new_v4().simple()))
        .bind(&child_id)
        .bind(body.kind.as_str())
        .bind(body.details.trim())
        .bind(now)
        .bind(now + DUE)
        .fetch_one(&state.db)
        .await?;
        Ok((StatusCode::CREATED, serde_json::to_value(from_row(row, now))?))
    })
    .await
}
