//! The change feed: a full snapshot for a client without a cursor, then every change in order.
//! Cursors are opaque to clients; here they are base64 JSON. A cursor older than the compaction
//! floor gets `410 Gone` and the client starts over.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use guardian_domain::{ActivityRow, Change, ChangePage, ChangeQuery, ErrorCode};
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::AppState;
use crate::auth::Authed;
use crate::contacts::{CONTACT_COLUMNS, contact_from_row};
use crate::error::{ApiError, ApiResult};
use crate::friend_requests::{REQUEST_COLUMNS, request_from_row};
use crate::routes::{ApiQuery, load_children, page_limit};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Cursor {
    /// The provider database the cursor belongs to.
    e: String,
    /// The last change sequence number covered.
    h: i64,
    /// During the snapshot: which collection (0 children, 1 friend requests, 2 contacts,
    /// 3 activity) and the
    /// last key sent in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<(u8, String)>,
}

/// Snapshot positions made of several key columns, joined with a separator no ID contains.
const KEY_SEPARATOR: char = '\u{1f}';

fn join_key(parts: &[&str]) -> String {
    parts.join(&KEY_SEPARATOR.to_string())
}

fn key_part(key: &str, index: usize) -> String {
    key.split(KEY_SEPARATOR).nth(index).unwrap_or("").to_owned()
}

fn encode(cursor: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

fn decode(text: &str) -> ApiResult<Cursor> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::validation("cursor", "the cursor is not valid"))
}

pub(crate) async fn changes(
    State(state): State<AppState>,
    auth: Authed,
    ApiQuery(query): ApiQuery<ChangeQuery>,
) -> ApiResult<Json<ChangePage>> {
    let limit = page_limit(query.limit)?;
    crate::contacts::end_trials(&state, &auth.guardian_id).await?;
    let (floor, epoch): (i64, String) =
        sqlx::query_as("SELECT floor, epoch FROM feed_state WHERE id = 1").fetch_one(&state.db).await?;
    let cursor = match query.cursor.as_deref() {
        None => {
            let (head,): (i64,) =
                sqlx::query_as("SELECT coalesce(max(seq), 0) FROM changes WHERE guardian_id = ?")
                    .bind(&auth.guardian_id)
                    .fetch_one(&state.db)
                    .await?;
            Cursor { e: epoch.clone(), h: head.max(floor), s: Some((0, String::new())) }
        }
        Some(text) => decode(text)?,
    };
    if cursor.h < floor || cursor.e != epoch {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::CursorExpired,
            "this sync position is too old; start again without a cursor",
        ));
    }
    match cursor.s {
        Some((collection, after)) => {
            snapshot(&state, &auth.guardian_id, &epoch, cursor.h, collection, after, limit).await
        }
        None => incremental(&state, &auth.guardian_id, &epoch, cursor.h, limit).await,
    }
    .map(Json)
}

// Snapshot pages are keyset-paged on each table's primary key. The row value must pick the index
// range: the `+` keeps SQLite from using the `IN` list instead, which would read each child's
// rows from its first on every page (a snapshot quadratic in the rows; 100,000 rows took seconds).
// A test below checks the plans.

fn contacts_page() -> String {
    format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE +child_id IN \
         (SELECT child_id FROM child_guardians WHERE guardian_id = ?) AND (child_id, contact_id) > (?, ?) \
         ORDER BY child_id, contact_id LIMIT ?"
    )
}

const ACTIVITY_PAGE: &str = "SELECT child_id, day, feature, uses, minutes FROM activity WHERE +child_id IN \
     (SELECT child_id FROM child_guardians WHERE guardian_id = ?) AND (child_id, day, feature) > (?, ?, ?) \
     ORDER BY child_id, day, feature LIMIT ?";

async fn snapshot(
    state: &AppState,
    guardian_id: &str,
    epoch: &str,
    head: i64,
    collection: u8,
    after: String,
    limit: u32,
) -> ApiResult<ChangePage> {
    let fetch = i64::from(limit) + 1;
    let (mut changes, keys): (Vec<Change>, Vec<String>) = match collection {
        0 => load_children(&state.db, guardian_id, "c.id > ?", &after, fetch)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), Change::Child { data: c }))
            .map(|(k, c)| (c, k))
            .unzip(),
        1 => sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE child_id IN \
             (SELECT child_id FROM child_guardians WHERE guardian_id = ?) AND id > ? ORDER BY id LIMIT ?"
        )))
        .bind(guardian_id)
        .bind(&after)
        .bind(fetch)
        .fetch_all(&state.db)
        .await?
        .into_iter()
        .map(request_from_row)
        .map(|r| (r.id.clone(), Change::FriendRequest { data: r }))
        .map(|(k, c)| (c, k))
        .unzip(),
        2 => sqlx::query_as(AssertSqlSafe(contacts_page()))
            .bind(guardian_id)
            .bind(key_part(&after, 0))
            .bind(key_part(&after, 1))
            .bind(fetch)
            .fetch_all(&state.db)
            .await?
            .into_iter()
            .map(contact_from_row)
            .map(|c| (join_key(&[&c.child_id, &c.contact_id]), Change::Contact { data: c }))
            .map(|(k, c)| (c, k))
            .unzip(),
        _ => sqlx::query_as::<_, (String, chrono::NaiveDate, String, i64, i64)>(ACTIVITY_PAGE)
            .bind(guardian_id)
            .bind(key_part(&after, 0))
            .bind(key_part(&after, 1))
            .bind(key_part(&after, 2))
            .bind(fetch)
            .fetch_all(&state.db)
            .await?
            .into_iter()
            .map(|(child_id, day, feature, uses, minutes)| {
                let key = join_key(&[&child_id, &day.to_string(), &feature]);
                let data = ActivityRow {
                    child_id,
                    day,
                    feature,
                    uses: u32::try_from(uses).unwrap_or(0),
                    minutes: u32::try_from(minutes).unwrap_or(0),
                };
                (Change::Activity { data }, key)
            })
            .unzip(),
    };
    let more_here = changes.len() > limit as usize;
    changes.truncate(limit as usize);
    let next = if more_here {
        Cursor { e: epoch.to_owned(), h: head, s: Some((collection, keys[limit as usize - 1].clone())) }
    } else if collection < 3 {
        Cursor { e: epoch.to_owned(), h: head, s: Some((collection + 1, String::new())) }
    } else {
        Cursor { e: epoch.to_owned(), h: head, s: None }
    };
    let has_more = next.s.is_some();
    Ok(ChangePage { changes, cursor: encode(&next), has_more })
}

async fn incremental(
    state: &AppState,
    guardian_id: &str,
    epoch: &str,
    after: i64,
    limit: u32,
) -> ApiResult<ChangePage> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, entity FROM changes WHERE guardian_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(guardian_id)
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let has_more = rows.len() > limit as usize;
    let mut last = after;
    let mut changes = Vec::new();
    for (seq, entity) in rows.into_iter().take(limit as usize) {
        last = seq;
        changes.extend(resolve(state, guardian_id, &entity).await?);
    }
    Ok(ChangePage { changes, cursor: encode(&Cursor { e: epoch.to_owned(), h: last, s: None }), has_more })
}

/// The current state of a changed entity, or its tombstone; nothing for a friend request that is
/// gone or belongs to a child this guardian no longer looks after.
async fn resolve(state: &AppState, guardian_id: &str, entity: &str) -> ApiResult<Option<Change>> {
    let (kind, id) = entity.split_once(':').unwrap_or((entity, ""));
    Ok(Some(match kind {
        "child" => match load_children(&state.db, guardian_id, "c.id = ?", id, 1).await?.pop() {
            Some(child) => Change::Child { data: child },
            None => Change::ChildDeleted { id: id.to_owned() },
        },
        "activity" => Change::ActivityDeleted { child_id: id.to_owned() },
        "friend_request" => {
            let row = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE id = ? AND child_id IN \
                 (SELECT child_id FROM child_guardians WHERE guardian_id = ?)"
            )))
            .bind(id)
            .bind(guardian_id)
            .fetch_optional(&state.db)
            .await?;
            let Some(row) = row else { return Ok(None) };
            Change::FriendRequest { data: request_from_row(row) }
        }
        _ => {
            let (child_id, contact_id) = id.split_once('/').unwrap_or((id, ""));
            let row = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE child_id = ? AND contact_id = ? AND child_id IN \
                 (SELECT child_id FROM child_guardians WHERE guardian_id = ?)"
            )))
            .bind(child_id)
            .bind(contact_id)
            .bind(guardian_id)
            .fetch_optional(&state.db)
            .await?;
            match row {
                Some(row) => Change::Contact { data: contact_from_row(row) },
                None => Change::ContactDeleted {
                    child_id: child_id.to_owned(),
                    contact_id: contact_id.to_owned(),
                },
            }
        }
    }))
}

/// Forgets all changes so far: every cursor issued before now gets `410`. (Admin only.)
pub(crate) async fn compact(state: &AppState) -> ApiResult<()> {
    sqlx::query("UPDATE feed_state SET floor = (SELECT coalesce(max(seq), 0) FROM changes) WHERE id = 1")
        .execute(&state.db)
        .await?;
    sqlx::query("DELETE FROM changes").execute(&state.db).await?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each snapshot page starts where the last ended (the primary key's range), whatever the
    /// table holds; without it, the sandbox serves a large family's snapshot in quadratic time.
    #[tokio::test]
    async fn snapshot_pages_search_the_primary_key_from_the_cursor() {
        let (db, _temp) = crate::open_database(None).await.expect("database");
        for (sql, range) in [
            (contacts_page(), "((child_id,contact_id)>(?,?))"),
            (ACTIVITY_PAGE.into(), "((child_id,day,feature)>(?,?,?))"),
        ] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .fetch_all(&db)
                    .await
                    .expect("plan");
            let details: Vec<&str> = plan.iter().map(|(_, _, _, detail)| detail.as_str()).collect();
            assert!(details.iter().any(|d| d.starts_with("SEARCH") && d.ends_with(range)), "{details:?}");
        }
    }
}
