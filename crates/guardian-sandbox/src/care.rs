//! A child's devices (signed out remotely) and reports filed on the child's behalf, with a case
//! status that moves with the sandbox's clock and a due date 15 days after filing.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{CreateReport, Device, Group, GroupMember, Page, PageQuery, Report, ReportCategory};
use guardian_domain::{
    MAX_EVIDENCE_CHARS, MAX_EVIDENCE_IMAGE_BYTES as MAX_IMAGE_BYTES, MAX_EVIDENCE_IMAGES as MAX_IMAGES,
};
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::routes::{ApiJson, ApiPath, ApiQuery, decode_cursor, page_limit};

/// The provider answers a report within this time (15 days: promise 11, docs/policy-promises.md).
const REPORT_DUE: Duration = Duration::days(15);
/// When a report moves on: under review after a day, resolved after five.
const REVIEW_AFTER: Duration = Duration::days(1);
pub(crate) const RESOLVED_AFTER: Duration = Duration::days(5);

type DeviceRow = (String, String, String, String, DateTime<Utc>, bool);
const DEVICE_COLUMNS: &str = "id, child_id, name, platform, last_seen, signed_in";

fn device_from_row((id, child_id, name, platform, last_seen, signed_in): DeviceRow) -> Device {
    Device { id, child_id, name, platform, last_seen, signed_in }
}

/// One page of a child's rows of `table` (ordered by `id`, one more than the limit to tell
/// whether more follow), after checking the child is the guardian's; with the page's limit.
pub(crate) async fn child_rows<R>(
    state: &AppState,
    auth: &Authed,
    child_id: &str,
    query: &PageQuery,
    table: &str,
    columns: &str,
) -> ApiResult<(Vec<R>, u32)>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    owned_child(&state.db, &auth.guardian_id, child_id).await?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {columns} FROM {table} WHERE child_id = ? AND id > ? ORDER BY id LIMIT ?"
    )))
    .bind(child_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    Ok((rows, limit))
}

pub(crate) async fn list_devices(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Device>>> {
    let (rows, limit) =
        child_rows::<DeviceRow>(&state, &auth, &child_id, &query, "devices", DEVICE_COLUMNS).await?;
    Ok(Json(paged(rows.into_iter().map(device_from_row).collect(), limit, |d| d.id.clone())))
}

pub(crate) async fn sign_out_device(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, device_id)): ApiPath<(String, String)>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let row: Option<DeviceRow> = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE devices SET signed_in = 0 WHERE id = ? AND child_id = ? RETURNING {DEVICE_COLUMNS}"
        )))
        .bind(&device_id)
        .bind(&child_id)
        .fetch_optional(&state.db)
        .await?;
        let device = device_from_row(row.ok_or_else(|| ApiError::not_found("device"))?);
        Ok((StatusCode::OK, serde_json::to_value(device)?))
    })
    .await
}

/// The child's groups after `after` (by ID), each with its members, approved contacts marked.
async fn groups_of(db: &sqlx::SqlitePool, child_id: &str, after: &str, limit: i64) -> ApiResult<Vec<Group>> {
    let groups: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT g.id, g.name, cg.joined_at FROM child_groups cg JOIN chat_groups g ON g.id = cg.group_id \
         WHERE cg.child_id = ? AND g.id > ? ORDER BY g.id LIMIT ?",
    )
    .bind(child_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut out = Vec::with_capacity(groups.len());
    for (id, name, joined_at) in groups {
        let members: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT m.user_id, m.display_name, EXISTS (SELECT 1 FROM contacts c WHERE c.child_id = ? \
             AND c.contact_id = m.user_id AND c.status = 'approved') FROM chat_group_members m \
             WHERE m.group_id = ? ORDER BY m.display_name, m.user_id",
        )
        .bind(child_id)
        .bind(&id)
        .fetch_all(db)
        .await?;
        let members = members
            .into_iter()
            .map(|(user_id, display_name, approved_contact)| GroupMember {
                user_id,
                display_name,
                approved_contact,
            })
            .collect();
        out.push(Group { id, child_id: child_id.to_owned(), name, members, joined_at });
    }
    Ok(out)
}

pub(crate) async fn list_groups(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Group>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let groups = groups_of(&state.db, &child_id, &after, i64::from(limit) + 1).await?;
    Ok(Json(paged(groups, limit, |g| g.id.clone())))
}

pub(crate) async fn leave_group(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath((child_id, group_id)): ApiPath<(String, String)>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        // The group as the child saw it, then the child leaves.
        let before = groups_of(&state.db, &child_id, "", i64::MAX).await?;
        let group =
            before.into_iter().find(|g| g.id == group_id).ok_or_else(|| ApiError::not_found("group"))?;
        sqlx::query("DELETE FROM child_groups WHERE child_id = ? AND group_id = ?")
            .bind(&child_id)
            .bind(&group_id)
            .execute(&state.db)
            .await?;
        Ok((StatusCode::OK, serde_json::to_value(group)?))
    })
    .await
}

type ReportRow = (String, String, String, String, String, String, i64, DateTime<Utc>, DateTime<Utc>);
const REPORT_COLUMNS: &str =
    "id, child_id, target_kind, target_id, category, evidence_text, image_count, created_at, due_at";

/// A report as of `now`: its status follows from how long ago it was filed.
fn report_from_row(row: ReportRow, now: DateTime<Utc>) -> Report {
    let (id, child_id, target_kind, target_id, category, evidence_text, images, created_at, due_at) = row;
    let age = now - created_at;
    let (status, outcome) = if age >= RESOLVED_AFTER {
        (
            "resolved",
            Some("The provider reviewed the report and took action against the reported account.".into()),
        )
    } else if age >= REVIEW_AFTER {
        ("reviewing", None)
    } else {
        ("submitted", None)
    };
    Report {
        id,
        child_id,
        target_kind,
        target_id,
        category: ReportCategory::parse(&category).unwrap_or(ReportCategory::Other),
        evidence_text,
        image_count: u32::try_from(images).unwrap_or(0),
        status: status.into(),
        outcome,
        created_at,
        due_at,
    }
}

pub(crate) async fn list_reports(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Report>>> {
    let (rows, limit) =
        child_rows::<ReportRow>(&state, &auth, &child_id, &query, "reports", REPORT_COLUMNS).await?;
    let now = state.clock.now();
    Ok(Json(paged(rows.into_iter().map(|r| report_from_row(r, now)).collect(), limit, |r| r.id.clone())))
}

/// PNG or JPEG, judged by the bytes, not the declared type alone.
fn is_image(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xff, 0xd8, 0xff]),
        _ => false,
    }
}

fn validate(body: &CreateReport) -> ApiResult<()> {
    if !matches!(body.target_kind.as_str(), "contact" | "group") {
        return Err(ApiError::validation("target_kind", "report a contact or a group"));
    }
    if body.evidence_text.chars().count() > MAX_EVIDENCE_CHARS {
        return Err(ApiError::validation("evidence_text", "evidence text is at most 2,000 characters"));
    }
    if body.images.len() > MAX_IMAGES {
        return Err(ApiError::validation("images", "at most 3 images"));
    }
    for image in &body.images {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&image.data_base64)
            .map_err(|_| ApiError::validation("images", "an image is not valid base64"))?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(ApiError::validation("images", "an image is larger than 16 KiB"));
        }
        if !is_image(&image.content_type, &bytes) {
            return Err(ApiError::validation("images", "images must be PNG or JPEG"));
        }
    }
    Ok(())
}

pub(crate) async fn create_report(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<CreateReport>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        validate(&body)?;
        let known: Option<(i64,)> = if body.target_kind == "contact" {
            sqlx::query_as("SELECT 1 FROM contacts WHERE child_id = ? AND contact_id = ?")
                .bind(&child_id)
                .bind(&body.target_id)
                .fetch_optional(&state.db)
                .await?
        } else {
            sqlx::query_as("SELECT 1 FROM chat_groups WHERE id = ?").bind(&body.target_id).fetch_optional(&state.db).await?
        };
        known.ok_or_else(|| ApiError::validation("target_id", &format!("there is no such {}", body.target_kind)))?;
        let now = state.clock.now();
        let row: ReportRow = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO reports (id, child_id, target_kind, target_id, category, evidence_text, image_count, \
             created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {REPORT_COLUMNS}"
        )))
        .bind(format!("rep-{}", uuid::Uuid::new_v4().simple()))
        .bind(&child_id)
        .bind(&body.target_kind)
        .bind(&body.target_id)
        .bind(body.category.as_str())
        .bind(&body.evidence_text)
        .bind(i64::try_from(body.images.len()).unwrap_or(0))
        .bind(now)
        .bind(now + REPORT_DUE)
        .fetch_one(&state.db)
        .await?;
        let report = report_from_row(row, now);
        crate::transparency::record_staff_access(
            &state.db,
            &child_id,
            "trust_and_safety_reviewer",
            now,
            "Reviewing a report filed by the guardian",
            &report.id,
            &["reports", "contacts"],
        )
        .await?;
        Ok((StatusCode::CREATED, serde_json::to_value(report)?))
    })
    .await
}
