//! Export jobs: the provider prepares an archive of one child's data (the format is documented
//! in `docs/export-format.md`), then serves it with HTTP Range so a download can resume.

use crate::SandboxError;
use std::io::Write as _;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    ActivityRow, Child, Contact, EXPORT_FORMAT, ExportJob, ExportManifest, ExportStatus, FriendRequest,
    ManifestEntry, Page, PageQuery,
};
use sha2::{Digest as _, Sha256};
use sqlx::AssertSqlSafe;

use crate::AppState;
use crate::auth::Authed;
use crate::contacts::{CONTACT_COLUMNS, contact_from_row};
use crate::error::{ApiError, ApiResult};
use crate::friend_requests::{REQUEST_COLUMNS, request_from_row};
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::routes::{ApiPath, ApiQuery, decode_cursor, load_children, page_limit};

/// What an export leaves out on purpose, and why (no message content is kept at all: promise 4, docs/policy-promises.md).
pub(crate) const EXCLUDED: &[&str] = &[
    "Message and call content: the service never stores it, so there is nothing to export.",
    "Other people's profiles beyond the name your child sees: they belong to those people.",
    "Security data such as password hashes and session tokens: they would only help an attacker.",
];

type JobRow = (String, String, String, i64, DateTime<Utc>, Option<String>, Option<String>, Option<i64>);

const JOB_COLUMNS: &str =
    "id, child_id, status, progress, created_at, sha256, manifest_sha256, length(archive)";

fn job_from_row(row: JobRow) -> ExportJob {
    let (id, child_id, status, progress, created_at, sha256, manifest_sha256, size) = row;
    ExportJob {
        id,
        child_id,
        status: match status.as_str() {
            "ready" => ExportStatus::Ready,
            "failed" => ExportStatus::Failed,
            _ => ExportStatus::Preparing,
        },
        progress: u8::try_from(progress.clamp(0, 100)).unwrap_or(0),
        created_at,
        size: size.and_then(|s| u64::try_from(s).ok()),
        sha256,
        manifest_sha256,
    }
}

async fn own_job(state: &AppState, guardian_id: &str, id: &str) -> ApiResult<ExportJob> {
    let row: Option<JobRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE id = ? AND guardian_id = ?"
    )))
    .bind(id)
    .bind(guardian_id)
    .fetch_optional(&state.db)
    .await?;
    row.map(job_from_row).ok_or_else(|| ApiError::not_found("export"))
}

pub(crate) async fn create_export(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    headers: HeaderMap,
    ApiPath(child_id): ApiPath<String>,
) -> Response {
    let chinese = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("zh"));
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        let id = format!("exp-{}", uuid::Uuid::new_v4().simple());
        let row: JobRow = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO exports (id, guardian_id, child_id, status, created_at) VALUES (?, ?, ?, 'preparing', ?) \
             RETURNING {JOB_COLUMNS}"
        )))
        .bind(&id)
        .bind(&auth.guardian_id)
        .bind(&child_id)
        .bind(state.clock.now())
        .fetch_one(&state.db)
        .await?;
        // Prepared in the background, as a real provider would; clients poll the job.
        let worker = state.clone();
        let guardian_id = auth.guardian_id.clone();
        tokio::spawn(async move {
            if let Err(error) = prepare(&worker, &guardian_id, &id, &child_id, chinese).await {
                tracing::error!(error = %error.message, "export failed");
                let _ = sqlx::query("UPDATE exports SET status = 'failed' WHERE id = ?")
                    .bind(&id)
                    .execute(&worker.db)
                    .await;
            }
        });
        Ok((StatusCode::ACCEPTED, serde_json::to_value(job_from_row(row))?))
    })
    .await
}

async fn set_progress(state: &AppState, id: &str, progress: i64) -> ApiResult<()> {
    sqlx::query("UPDATE exports SET progress = ? WHERE id = ?")
        .bind(progress)
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

async fn prepare(
    state: &AppState,
    guardian_id: &str,
    id: &str,
    child_id: &str,
    chinese: bool,
) -> ApiResult<()> {
    let child = load_children(&state.db, guardian_id, "c.id = ?", child_id, 1)
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("child"))?;
    let contacts: Vec<Contact> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE child_id = ? ORDER BY contact_id"
    )))
    .bind(child_id)
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(contact_from_row)
    .collect();
    set_progress(state, id, 25).await?;
    let requests: Vec<FriendRequest> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE child_id = ? ORDER BY id"
    )))
    .bind(child_id)
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(request_from_row)
    .collect();
    let activity: Vec<ActivityRow> = sqlx::query_as::<_, (String, chrono::NaiveDate, String, i64, i64)>(
        "SELECT child_id, day, feature, uses, minutes FROM activity WHERE child_id = ? ORDER BY day, feature",
    )
    .bind(child_id)
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|(child_id, day, feature, uses, minutes)| ActivityRow {
        child_id,
        day,
        feature,
        uses: u32::try_from(uses).unwrap_or(0),
        minutes: u32::try_from(minutes).unwrap_or(0),
    })
    .collect();
    set_progress(state, id, 50).await?;
    let consents: Vec<(String, bool, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT purpose, granted, at, policy_version FROM consent_events WHERE child_id = ? ORDER BY seq",
    )
    .bind(child_id)
    .fetch_all(&state.db)
    .await?;
    let consents: Vec<serde_json::Value> = consents
        .into_iter()
        .map(|(purpose, granted, at, version)| {
            serde_json::json!({ "purpose": purpose, "granted": granted, "at": at, "policy_version": version })
        })
        .collect();
    let avatar: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT content_type, bytes FROM child_avatars WHERE child_id = ?")
            .bind(&child.id)
            .fetch_optional(&state.db)
            .await?;
    let now = state.clock.now();
    let (archive, manifest_sha256) = tokio::task::spawn_blocking(move || {
        build_archive(&ArchiveData {
            child,
            avatar,
            contacts,
            requests,
            activity,
            consents,
            created_at: now,
            chinese,
        })
    })
    .await
    .map_err(|e| SandboxError::Internal(e.to_string()))??;
    set_progress(state, id, 90).await?;
    let sha256 = format!("{:x}", Sha256::digest(&archive));
    sqlx::query(
        "UPDATE exports SET status = 'ready', progress = 100, sha256 = ?, manifest_sha256 = ?, archive = ? \
         WHERE id = ?",
    )
    .bind(sha256)
    .bind(manifest_sha256)
    .bind(archive)
    .bind(id)
    .execute(&state.db)
    .await?;
    Ok(())
}

struct ArchiveData {
    child: Child,
    /// The profile picture: `(content_type, bytes)`.
    avatar: Option<(String, Vec<u8>)>,
    contacts: Vec<Contact>,
    requests: Vec<FriendRequest>,
    activity: Vec<ActivityRow>,
    consents: Vec<serde_json::Value>,
    created_at: DateTime<Utc>,
    chinese: bool,
}

/// Writes the archive: every category as JSON, tables also as CSV, a readable HTML report, and
/// `manifest.json` (written last) with each file's size and SHA-256. Returns the archive and the
/// manifest's SHA-256.
fn build_archive(data: &ArchiveData) -> Result<(Vec<u8>, String), SandboxError> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("child.json", pretty(&data.child)?),
        ("contacts.json", pretty(&data.contacts)?),
        ("contacts.csv", contacts_csv(&data.contacts)),
        ("friend_requests.json", pretty(&data.requests)?),
        ("activity.json", pretty(&data.activity)?),
        ("activity.csv", activity_csv(&data.activity)),
        ("consents.json", pretty(&data.consents)?),
        ("report.html", report_html(data).into_bytes()),
    ];
    if let Some((content_type, bytes)) = &data.avatar {
        let path = if content_type == "image/png" { "images/avatar.png" } else { "images/avatar.jpg" };
        files.push((path, bytes.clone()));
    }
    let manifest = ExportManifest {
        format: EXPORT_FORMAT.into(),
        child_id: data.child.id.clone(),
        created_at: data.created_at,
        files: files
            .iter()
            .map(|(path, bytes)| ManifestEntry {
                path: (*path).into(),
                size: bytes.len() as u64,
                sha256: format!("{:x}", Sha256::digest(bytes)),
            })
            .collect(),
        excluded: EXCLUDED.iter().map(|s| (*s).to_owned()).collect(),
    };
    let manifest = serde_json::to_vec_pretty(&manifest)?;
    let manifest_sha256 = format!("{:x}", Sha256::digest(&manifest));
    files.push(("manifest.json", manifest));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in files {
        zip.start_file(path, options)?;
        zip.write_all(&bytes)?;
    }
    Ok((zip.finish()?.into_inner(), manifest_sha256))
}

fn pretty<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, SandboxError> {
    Ok(serde_json::to_vec_pretty(value)?)
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet
/// never runs a name as a formula.
pub(crate) fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

fn csv(header: &str, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = format!("{header}\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn contacts_csv(contacts: &[Contact]) -> Vec<u8> {
    csv(
        "contact_id,display_name,status,messages_7d,calls_7d,last_interaction",
        contacts.iter().map(|c| {
            vec![
                c.contact_id.clone(),
                c.display_name.clone(),
                c.status.as_str().to_owned(),
                c.messages_7d.to_string(),
                c.calls_7d.to_string(),
                c.last_interaction.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ]
        }),
    )
}

fn activity_csv(rows: &[ActivityRow]) -> Vec<u8> {
    csv(
        "day,feature,uses,minutes",
        rows.iter()
            .map(|r| vec![r.day.to_string(), r.feature.clone(), r.uses.to_string(), r.minutes.to_string()]),
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page that opens offline in any browser: no script, no remote resources.
fn report_html(data: &ArchiveData) -> String {
    let t = |en: &'static str, zh: &'static str| if data.chinese { zh } else { en };
    let name = escape_html(&data.child.display_name);
    let mut rows = String::new();
    for c in &data.contacts {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(&c.display_name),
            escape_html(c.status.as_str()),
            c.messages_7d,
            c.calls_7d
        ));
    }
    let minutes: u64 = data.activity.iter().map(|a| u64::from(a.minutes)).sum();
    let excluded: String = EXCLUDED.iter().map(|e| format!("<li>{}</li>", escape_html(e))).collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{title}: {name}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.2em .5em}}</style></head>\n\
         <body><h1>{title}: {name}</h1>\n<p>{created}: {created_at}</p>\n\
         <h2>{profile}</h2>{picture}<ul><li>ID: {id}</li><li>{approval}: {mode}</li><li>{found}: {found_by}</li></ul>\n\
         <h2>{contacts_h} ({n})</h2><table><tr><th>{name_h}</th><th>{status_h}</th><th>{msgs}</th><th>{calls}</th></tr>\n\
         {rows}</table>\n<h2>{activity_h}</h2><p>{activity_p}: {days} / {minutes} min</p>\n\
         <h2>{excluded_h}</h2><ul>{excluded}</ul></body></html>\n",
        lang = t("en", "zh-CN"),
        title = t("Data export", "数据导出"),
        created = t("Created", "生成时间"),
        created_at = data.created_at.to_rfc3339(),
        profile = t("Profile", "资料"),
        id = escape_html(&data.child.id),
        approval = t("Friend approval", "好友审批"),
        mode = data.child.friend_approval.as_str(),
        picture = data.avatar.as_ref().map_or_else(String::new, |(content_type, bytes)| {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            format!("<img src=\"data:{content_type};base64,{data}\" alt=\"\" width=\"96\" height=\"96\">")
        }),
        found = t("Who can find the child", "谁可以找到孩子"),
        found_by = data.child.discoverable_by.as_str(),
        contacts_h = t("Contacts", "联系人"),
        n = data.contacts.len(),
        name_h = t("Name", "名称"),
        status_h = t("Status", "状态"),
        msgs = t("Messages (7 days)", "消息（7天）"),
        calls = t("Calls (7 days)", "通话（7天）"),
        activity_h = t("Activity", "活动"),
        activity_p = t("Rows and total minutes", "记录数与总分钟数"),
        days = data.activity.len(),
        excluded_h = t("Not included, and why", "未包含的内容及原因"),
    )
}

pub(crate) async fn list_exports(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<ExportJob>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    let after = decode_cursor(query.cursor.as_deref())?;
    let limit = page_limit(query.limit)?;
    let rows: Vec<JobRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM exports WHERE child_id = ? AND id > ? ORDER BY id LIMIT ?"
    )))
    .bind(&child_id)
    .bind(&after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(paged(rows.into_iter().map(job_from_row).collect(), limit, |j| j.id.clone())))
}

pub(crate) async fn get_export(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ExportJob>> {
    Ok(Json(own_job(&state, &auth.guardian_id, &id).await?))
}

/// The archive, whole or one byte range (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`), with its
/// SHA-256 as the ETag so a resumed download can check it is still the same file (`If-Range`).
pub(crate) async fn download_export(
    State(state): State<AppState>,
    auth: Authed,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let job = own_job(&state, &auth.guardian_id, &id).await?;
    if job.status != ExportStatus::Ready {
        return Err(ApiError::conflict(
            "this export is not ready yet",
            serde_json::json!({ "status": job.status, "progress": job.progress }),
        ));
    }
    let (archive,): (Vec<u8>,) =
        sqlx::query_as("SELECT archive FROM exports WHERE id = ?").bind(&id).fetch_one(&state.db).await?;
    let etag = format!("\"{}\"", job.sha256.unwrap_or_default());
    let len = archive.len() as u64;
    let if_range_matches =
        headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.trim() == etag);
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).filter(|_| if_range_matches);
    let (status, start, end) = match range.map(|r| parse_range(r, len)) {
        None | Some(RangeAsk::Ignore) => (StatusCode::OK, 0, len),
        Some(RangeAsk::Bytes(start, end)) => (StatusCode::PARTIAL_CONTENT, start, end),
        Some(RangeAsk::Unsatisfiable) => {
            let mut response = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                guardian_domain::ErrorCode::BadRequest,
                "the requested range is outside the archive",
            )
            .into_response();
            insert(&mut response, header::CONTENT_RANGE, &format!("bytes */{len}"));
            return Ok(response);
        }
    };
    let body = archive[usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0)].to_vec();
    let mut response = (status, body).into_response();
    insert(&mut response, header::CONTENT_TYPE, "application/zip");
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(&mut response, header::ETAG, &etag);
    insert(
        &mut response,
        header::CONTENT_DISPOSITION,
        &format!("attachment; filename=\"guardian-export-{id}.zip\""),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        insert(&mut response, header::CONTENT_RANGE, &format!("bytes {start}-{}/{len}", end - 1));
    }
    Ok(response)
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

#[derive(Debug, PartialEq)]
enum RangeAsk {
    /// Not a single byte range this server understands: send the whole archive (RFC 9110).
    Ignore,
    /// `[start, end)`.
    Bytes(u64, u64),
    Unsatisfiable,
}

fn parse_range(value: &str, len: u64) -> RangeAsk {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return RangeAsk::Ignore };
    if spec.contains(',') {
        return RangeAsk::Ignore;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return RangeAsk::Ignore };
    let number = |s: &str| if s.is_empty() { Some(None) } else { s.parse::<u64>().ok().map(Some) };
    match (number(first.trim()), number(last.trim())) {
        (Some(Some(start)), Some(last)) => {
            if last.is_some_and(|l| l < start) {
                RangeAsk::Ignore
            } else if start >= len {
                RangeAsk::Unsatisfiable
            } else {
                RangeAsk::Bytes(start, last.map_or(len, |l| (l + 1).min(len)))
            }
        }
        (Some(None), Some(Some(suffix))) if suffix > 0 => RangeAsk::Bytes(len.saturating_sub(suffix), len),
        (Some(None), Some(Some(_))) => RangeAsk::Unsatisfiable,
        _ => RangeAsk::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-9", 100), RangeAsk::Bytes(0, 10));
        assert_eq!(parse_range("bytes=90-", 100), RangeAsk::Bytes(90, 100));
        assert_eq!(parse_range("bytes=90-500", 100), RangeAsk::Bytes(90, 100));
        assert_eq!(parse_range("bytes=-10", 100), RangeAsk::Bytes(90, 100));
        assert_eq!(parse_range("bytes=100-", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 100), RangeAsk::Ignore);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), RangeAsk::Ignore);
        assert_eq!(parse_range("items=0-1", 100), RangeAsk::Ignore);
        assert_eq!(parse_range("bytes=x-", 100), RangeAsk::Ignore);
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("Sam"), "Sam");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
