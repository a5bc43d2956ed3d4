//! Deleting a child's data by category, keeping the account: a preview of what would go and
//! what the provider keeps (and why), then the deletion itself after a fresh re-authentication,
//! with a receipt. The change feed tells the guardian's devices what went.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use guardian_domain::Clock as _;
use guardian_domain::{
    DataCategory, DataCategoryPreview, DataDeletionReceipt, DeleteData, KeptNote, Page, PageQuery,
};
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::AppState;
use crate::auth::Authed;
use crate::care::{RESOLVED_AFTER, child_rows};
use crate::error::ApiResult;
use crate::feed::record_change;
use crate::idempotency::IdempotencyKey;
use crate::ownership::owned_child;
use crate::paging::paged;
use crate::routes::{ApiJson, ApiPath, ApiQuery};

fn description(category: DataCategory) -> &'static str {
    match category {
        DataCategory::Activity => "Daily use of each feature, call minutes and games played",
        DataCategory::Demographics => "The optional country or region, gender and birthday",
        DataCategory::Avatar => "The profile picture",
        DataCategory::ContactHistory => {
            "How often the child messaged and called each contact, and when they last talked"
        }
        DataCategory::ResolvedReports => "Reports the provider has finished reviewing",
    }
}

fn note(what: &str, why: &str, retention_days: Option<u32>) -> KeptNote {
    KeptNote { what: what.into(), why: why.into(), retention_days }
}

/// What the provider keeps when a category is deleted (promise 8, docs/policy-promises.md).
fn kept(category: DataCategory) -> Vec<KeptNote> {
    match category {
        DataCategory::Activity | DataCategory::Avatar => Vec::new(),
        DataCategory::Demographics => vec![note(
            "The record of your consent when the account was made",
            "It proves a guardian agreed, which the law requires for a child's account",
            None,
        )],
        DataCategory::ContactHistory => vec![note(
            "The contacts and blocks themselves",
            "Removing a contact or lifting a block is a decision of its own, so no one is let back in by accident",
            None,
        )],
        DataCategory::ResolvedReports => vec![
            note(
                "The provider's record of action taken against a reported account",
                "Records of accounts banned for abuse are kept at least one year",
                Some(365),
            ),
            note("Reports still being reviewed", "They can be deleted once they are resolved", None),
        ],
    }
}

/// How many items deleting `category` would remove now.
async fn count(
    conn: &mut SqliteConnection,
    child_id: &str,
    category: DataCategory,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let query = match category {
        DataCategory::Activity => "SELECT count(*) FROM activity WHERE child_id = ?1",
        DataCategory::Demographics => {
            "SELECT (country IS NOT NULL) + (gender IS NOT NULL) + (birthday IS NOT NULL) FROM children \
             WHERE id = ?1"
        }
        DataCategory::Avatar => "SELECT avatar_url IS NOT NULL FROM children WHERE id = ?1",
        DataCategory::ContactHistory => {
            "SELECT count(*) FROM contacts WHERE child_id = ?1 AND (messages_7d > 0 OR calls_7d > 0 \
             OR last_interaction IS NOT NULL)"
        }
        DataCategory::ResolvedReports => {
            "SELECT count(*) FROM reports WHERE child_id = ?1 AND created_at <= ?2"
        }
    };
    let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(query))
        .bind(child_id)
        .bind(now - RESOLVED_AFTER)
        .fetch_one(&mut *conn)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) async fn preview(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DataCategoryPreview>>> {
    owned_child(&state.db, &auth.guardian_id, &child_id).await?;
    // A short fixed list: one page, but the query parameters are still checked.
    crate::routes::decode_cursor(query.cursor.as_deref())?;
    crate::routes::page_limit(query.limit)?;
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let mut items = Vec::new();
    for category in DataCategory::ALL {
        items.push(DataCategoryPreview {
            category,
            description: description(category).into(),
            items: count(&mut conn, &child_id, category, now).await?,
            kept: kept(category),
        });
    }
    Ok(Json(Page { items, next_cursor: None }))
}

/// Deletes the category's data inside the transaction and records what devices must learn.
async fn delete(
    tx: &mut SqliteConnection,
    guardian_id: &str,
    child_id: &str,
    category: DataCategory,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let child_changed = match category {
        DataCategory::Activity => {
            sqlx::query("DELETE FROM activity WHERE child_id = ?").bind(child_id).execute(&mut *tx).await?;
            record_change(tx, guardian_id, &format!("activity:{child_id}"), now).await?;
            false
        }
        DataCategory::Demographics => {
            sqlx::query("UPDATE children SET country = NULL, gender = NULL, birthday = NULL WHERE id = ?")
                .bind(child_id)
                .execute(&mut *tx)
                .await?;
            true
        }
        DataCategory::Avatar => {
            sqlx::query("DELETE FROM child_avatars WHERE child_id = ?")
                .bind(child_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE children SET avatar_url = NULL WHERE id = ?")
                .bind(child_id)
                .execute(&mut *tx)
                .await?;
            true
        }
        DataCategory::ContactHistory => {
            let cleared: Vec<(String,)> = sqlx::query_as(
                "UPDATE contacts SET messages_7d = 0, calls_7d = 0, last_interaction = NULL WHERE child_id = ? \
                 AND (messages_7d > 0 OR calls_7d > 0 OR last_interaction IS NOT NULL) RETURNING contact_id",
            )
            .bind(child_id)
            .fetch_all(&mut *tx)
            .await?;
            for (contact_id,) in cleared {
                record_change(tx, guardian_id, &format!("contact:{child_id}/{contact_id}"), now).await?;
            }
            false
        }
        DataCategory::ResolvedReports => {
            sqlx::query("DELETE FROM reports WHERE child_id = ? AND created_at <= ?")
                .bind(child_id)
                .bind(now - RESOLVED_AFTER)
                .execute(&mut *tx)
                .await?;
            false
        }
    };
    if child_changed {
        sqlx::query("UPDATE children SET version = version + 1, updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(child_id)
            .execute(&mut *tx)
            .await?;
        record_change(tx, guardian_id, &format!("child:{child_id}"), now).await?;
    }
    Ok(())
}

pub(crate) async fn delete_data(
    State(state): State<AppState>,
    auth: Authed,
    key: IdempotencyKey,
    ApiPath(child_id): ApiPath<String>,
    ApiJson(body): ApiJson<DeleteData>,
) -> Response {
    key.run(&state.clone(), &auth.guardian_id.clone(), async move {
        owned_child(&state.db, &auth.guardian_id, &child_id).await?;
        crate::rights::check_proof(
            &state,
            &auth.guardian_id,
            &body.reauth_proof,
            guardian_domain::ReauthPurpose::DeleteData,
        )
        .await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let deleted_items = count(&mut tx, &child_id, body.category, now).await?;
        delete(&mut tx, &auth.guardian_id, &child_id, body.category, now).await?;
        let receipt = DataDeletionReceipt {
            id: format!("dd-{}", uuid::Uuid::new_v4().simple()),
            child_id: child_id.clone(),
            category: body.category,
            deleted_items,
            deleted_at: now,
            kept: kept(body.category),
        };
        sqlx::query(
            "INSERT INTO data_deletions (id, child_id, category, deleted_items, deleted_at, kept) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&receipt.id)
        .bind(&child_id)
        .bind(body.category.as_str())
        .bind(i64::try_from(deleted_items).unwrap_or(i64::MAX))
        .bind(now)
        .bind(serde_json::to_string(&receipt.kept)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((StatusCode::CREATED, serde_json::to_value(receipt)?))
    })
    .await
}

type ReceiptRow = (String, String, String, i64, DateTime<Utc>, String);

pub(crate) async fn receipts(
    State(state): State<AppState>,
    auth: Authed,
    ApiPath(child_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DataDeletionReceipt>>> {
    let (rows, limit) = child_rows::<ReceiptRow>(
        &state,
        &auth,
        &child_id,
        &query,
        "data_deletions",
        "id, child_id, category, deleted_items, deleted_at, kept",
    )
    .await?;
    let items = rows
        .into_iter()
        .filter_map(|(id, child_id, category, deleted_items, deleted_at, kept)| {
            Some(DataDeletionReceipt {
                id,
                child_id,
                category: DataCategory::parse(&category)?,
                deleted_items: u64::try_from(deleted_items).unwrap_or(0),
                deleted_at,
                kept: serde_json::from_str(&kept).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Json(paged(items, limit, |r| r.id.clone())))
}
