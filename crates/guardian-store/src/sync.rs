//! What the change feed and the outbox need from the cache. Each function is one transaction:
//! the feed position is stored together with the changes it covers, and every local decision
//! is stored in one piece.

use chrono::{DateTime, NaiveDate, Utc};
use guardian_domain::{ActivityRow, Change, Contact, FriendRequest};
use sqlx::SqliteConnection;

use crate::{Result, Store};

const CURSOR: &str = "feed_cursor";

/// Where a decision in the outbox stands (the `state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum OutboxState {
    /// Waiting to be sent (or for its next try).
    Queued,
    /// Refused by the provider, kept until the guardian has read why.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Failed => "failed",
        }
    }
}

/// A decision waiting in the outbox (or refused by the provider).
#[derive(Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub seq: i64,
    pub idempotency_key: String,
    pub child_id: Option<String>,
    pub kind: String,
    /// JSON; may hold a PIN, so it never leaves the encrypted cache except to the provider.
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub state: OutboxState,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// A stable code for why it waits or was refused (`provider_unavailable`, `pin_incorrect`…),
    /// for front ends to word in the guardian's language; `last_error` keeps the detail.
    pub reason: Option<String>,
    /// For a refused decision, the facts the provider gave beside its code (JSON, see
    /// `guardian_core`'s `Refusal`).
    pub refusal: Option<String>,
}

impl std::fmt::Debug for OutboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRow")
            .field("seq", &self.seq)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Where the change feed left off, if a full snapshot has been applied.
    pub async fn feed_cursor(&self) -> Result<Option<String>> {
        self.meta(CURSOR).await
    }

    /// Replaces everything with a full snapshot and stores its cursor, atomically.
    pub async fn apply_snapshot(&self, guardian_id: &str, changes: &[Change], cursor: &str) -> Result<()> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM activity").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM contacts").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM friend_requests").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM children").execute(&mut *tx).await?;
        for change in changes {
            apply(&mut tx, guardian_id, change).await?;
        }
        // Decisions about a child the provider no longer has can never apply.
        sqlx::query(
            "DELETE FROM outbox WHERE child_id IS NOT NULL AND child_id NOT IN (SELECT id FROM children)",
        )
        .execute(&mut *tx)
        .await?;
        crate::children::prune_avatars(&mut tx).await?;
        set_cursor(&mut tx, cursor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies one page of changes and moves the cursor past it, atomically.
    pub async fn apply_changes(&self, guardian_id: &str, changes: &[Change], cursor: &str) -> Result<()> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        for change in changes {
            apply(&mut tx, guardian_id, change).await?;
        }
        crate::children::prune_avatars(&mut tx).await?;
        set_cursor(&mut tx, cursor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a decision. Nothing else changes locally: the cache mirrors the provider, and the
    /// queue is shown beside it until the provider has the decision.
    pub async fn enqueue(
        &self,
        idempotency_key: &str,
        child_id: &str,
        kind: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (idempotency_key, child_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?) \
             RETURNING seq",
        )
        .bind(idempotency_key)
        .bind(child_id)
        .bind(kind)
        .bind(payload)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(seq)
    }

    /// Every queued or refused decision, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxRow>> {
        Ok(sqlx::query_as(
            "SELECT seq, idempotency_key, child_id, kind, payload, created_at, attempts, last_error, state, \
             next_attempt_at, reason, refusal FROM outbox ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The guardian has read a refused decision: remove it.
    pub async fn outbox_dismiss(&self, seq: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM outbox WHERE seq = ? AND state = 'failed'")
            .bind(seq)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The provider has the decision: forget it.
    pub async fn outbox_done(&self, seq: i64) -> Result<()> {
        sqlx::query("DELETE FROM outbox WHERE seq = ?").bind(seq).execute(self.pool()).await?;
        Ok(())
    }

    /// Sending failed for a passing reason (`reason`, a stable code): try again at
    /// `next_attempt_at`.
    pub async fn outbox_retry_at(
        &self,
        seq: i64,
        next_attempt_at: DateTime<Utc>,
        reason: &str,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, reason = ?, last_error = ? \
             WHERE seq = ?",
        )
        .bind(next_attempt_at)
        .bind(reason)
        .bind(error)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The provider refused the decision for good: keep it, with its code and words, for the
    /// guardian. `kept_payload` replaces the payload (callers drop any PIN from it).
    pub async fn outbox_refused(
        &self,
        seq: i64,
        reason: &str,
        provider_says: &str,
        refusal: Option<&str>,
        kept_payload: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, reason = ?, last_error = ?, \
             refusal = ?, payload = ?, next_attempt_at = NULL WHERE seq = ?",
        )
        .bind(reason)
        .bind(provider_says)
        .bind(refusal)
        .bind(kept_payload)
        .bind(seq)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets a category of a child's data the provider has deleted, without waiting for the
    /// change feed (which says the same at the next sync). `category` as in the provider API.
    pub async fn forget_child_data(&self, child_id: &str, category: &str) -> Result<()> {
        let statement = match category {
            "activity" => "DELETE FROM activity WHERE child_id = ?",
            "demographics" => {
                "UPDATE children SET country = NULL, gender = NULL, birthday = NULL WHERE id = ?"
            }
            "avatar" => {
                sqlx::query("DELETE FROM child_avatars WHERE child_id = ?")
                    .bind(child_id)
                    .execute(self.pool())
                    .await?;
                "UPDATE children SET avatar_url = NULL WHERE id = ?"
            }
            "contact_history" => {
                "UPDATE contacts SET messages_7d = 0, calls_7d = 0, last_interaction = NULL WHERE child_id = ?"
            }
            _ => return Ok(()),
        };
        sqlx::query(statement).bind(child_id).execute(self.pool()).await?;
        Ok(())
    }

    /// How many activity rows the cache holds for a child.
    pub async fn activity_rows(&self, child_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM activity WHERE child_id = ?")
            .bind(child_id)
            .fetch_one(self.pool())
            .await?)
    }

    /// The child's activity rows from `since` on, oldest first.
    pub async fn activity(&self, child_id: &str, since: NaiveDate) -> Result<Vec<ActivityRow>> {
        let rows: Vec<(String, NaiveDate, String, i64, i64)> = sqlx::query_as(
            "SELECT child_id, day, feature, uses, minutes FROM activity WHERE child_id = ? AND day >= ? \
             ORDER BY day, feature",
        )
        .bind(child_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(child_id, day, feature, uses, minutes)| ActivityRow {
                child_id,
                day,
                feature,
                uses: u32::try_from(uses).unwrap_or(0),
                minutes: u32::try_from(minutes).unwrap_or(0),
            })
            .collect())
    }

    pub async fn friend_requests(&self, child_id: &str) -> Result<Vec<FriendRequest>> {
        let rows: Vec<RequestRow> = sqlx::query_as(
            "SELECT id, child_id, other_name, direction, status, created_at, expires_at, approved_by \
             FROM friend_requests WHERE child_id = ? ORDER BY created_at, id",
        )
        .bind(child_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().filter_map(RequestRow::into_wire).collect())
    }

    pub async fn contacts(&self, child_id: &str) -> Result<Vec<Contact>> {
        self.first_contacts(child_id, None).await
    }

    /// The child's first `limit` contacts in name order (all of them without a limit).
    pub async fn first_contacts(&self, child_id: &str, limit: Option<u32>) -> Result<Vec<Contact>> {
        let rows: Vec<ContactRow> = sqlx::query_as(
            "SELECT child_id, contact_id, display_name, status, messages_7d, calls_7d, last_interaction, \
             trial_until, banned_at FROM contacts WHERE child_id = ? ORDER BY display_name COLLATE NOCASE, contact_id \
             LIMIT ?",
        )
        .bind(child_id)
        .bind(limit.map_or(-1, i64::from))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().filter_map(ContactRow::into_wire).collect())
    }
}

impl Store {
    /// Puts rescued decisions back in the queue, keeping their idempotency keys (so one the
    /// provider already has is not applied twice). Returns how many were restored.
    pub(crate) async fn restore_outbox(&self, rows: &[OutboxRow]) -> Result<usize> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        for row in rows {
            sqlx::query(
                "INSERT OR IGNORE INTO outbox (idempotency_key, child_id, kind, payload, created_at, attempts, \
                 last_error, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&row.idempotency_key)
            .bind(&row.child_id)
            .bind(&row.kind)
            .bind(&row.payload)
            .bind(row.created_at)
            .bind(row.attempts)
            .bind(&row.last_error)
            .bind(row.state)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}

/// Reads whatever outbox rows a damaged cache still yields (nothing, if the key is wrong).
pub(crate) async fn rescue_outbox(path: &std::path::Path, key: &crate::DbKey) -> Vec<OutboxRow> {
    let options = sqlx::ConnectOptions::disable_statement_logging(
        sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true),
    );
    let Ok(pool) = crate::encrypted_pool(key, 1, "").connect_with(options).await else {
        return Vec::new();
    };
    let rows = sqlx::query_as(
        // A damaged cache may be of an older schema: only the columns every version has.
        "SELECT seq, idempotency_key, child_id, kind, payload, created_at, attempts, last_error, state, \
         next_attempt_at, NULL AS reason, NULL AS refusal FROM outbox ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_default();
    pool.close().await;
    rows
}

async fn set_cursor(conn: &mut SqliteConnection, cursor: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(CURSOR)
    .bind(cursor)
    .execute(conn)
    .await?;
    Ok(())
}

async fn apply(conn: &mut SqliteConnection, guardian_id: &str, change: &Change) -> Result<()> {
    match change {
        Change::Child { data } => crate::children::upsert_child(conn, guardian_id, data).await,
        Change::ChildDeleted { id } => {
            // Everything of the child goes, queued decisions included (they can never apply).
            for table in ["activity", "contacts", "friend_requests", "child_avatars", "outbox"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE child_id = ?")))
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("DELETE FROM children WHERE id = ?").bind(id).execute(&mut *conn).await?;
            Ok(())
        }
        Change::FriendRequest { data } => {
            sqlx::query(
                "INSERT INTO friend_requests (id, child_id, other_name, direction, status, created_at, expires_at, \
                 approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, \
                 other_name = excluded.other_name, expires_at = excluded.expires_at, \
                 approved_by = excluded.approved_by",
            )
            .bind(&data.id)
            .bind(&data.child_id)
            .bind(&data.other_name)
            .bind(serde_plain(&data.direction))
            .bind(data.status.as_str())
            .bind(data.created_at)
            .bind(data.expires_at)
            .bind(serde_json::to_string(&data.approved_by).unwrap_or_else(|_| "[]".into()))
            .execute(conn)
            .await?;
            Ok(())
        }
        Change::Contact { data } => {
            sqlx::query(
                "INSERT INTO contacts (child_id, contact_id, display_name, status, messages_7d, calls_7d, \
                 last_interaction, trial_until, banned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(child_id, contact_id) DO UPDATE SET display_name = excluded.display_name, \
                 status = excluded.status, messages_7d = excluded.messages_7d, calls_7d = excluded.calls_7d, \
                 last_interaction = excluded.last_interaction, trial_until = excluded.trial_until, \
                 banned_at = excluded.banned_at",
            )
            .bind(&data.child_id)
            .bind(&data.contact_id)
            .bind(&data.display_name)
            .bind(data.status.as_str())
            .bind(i64::from(data.messages_7d))
            .bind(i64::from(data.calls_7d))
            .bind(data.last_interaction)
            .bind(data.trial_until)
            .bind(data.banned_at)
            .execute(conn)
            .await?;
            Ok(())
        }
        Change::ActivityDeleted { child_id } => {
            sqlx::query("DELETE FROM activity WHERE child_id = ?").bind(child_id).execute(conn).await?;
            Ok(())
        }
        Change::Activity { data } => {
            sqlx::query(
                "INSERT INTO activity (child_id, day, feature, uses, minutes) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT(child_id, day, feature) DO UPDATE SET uses = excluded.uses, minutes = excluded.minutes",
            )
            .bind(&data.child_id)
            .bind(data.day)
            .bind(&data.feature)
            .bind(i64::from(data.uses))
            .bind(i64::from(data.minutes))
            .execute(conn)
            .await?;
            Ok(())
        }
        Change::ContactDeleted { child_id, contact_id } => {
            sqlx::query("DELETE FROM contacts WHERE child_id = ? AND contact_id = ?")
                .bind(child_id)
                .bind(contact_id)
                .execute(conn)
                .await?;
            Ok(())
        }
    }
}

fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: String,
    child_id: String,
    other_name: String,
    direction: String,
    status: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    approved_by: String,
}

impl RequestRow {
    fn into_wire(self) -> Option<FriendRequest> {
        Some(FriendRequest {
            id: self.id,
            child_id: self.child_id,
            other_name: self.other_name,
            direction: serde_json::from_value(serde_json::Value::String(self.direction)).ok()?,
            status: guardian_domain::RequestStatus::parse(&self.status)?,
            created_at: self.created_at,
            expires_at: self.expires_at,
            approved_by: serde_json::from_str(&self.approved_by).unwrap_or_default(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ContactRow {
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

impl ContactRow {
    fn into_wire(self) -> Option<Contact> {
        Some(Contact {
            child_id: self.child_id,
            contact_id: self.contact_id,
            display_name: self.display_name,
            status: guardian_domain::ContactStatus::parse(&self.status)?,
            messages_7d: u32::try_from(self.messages_7d).ok()?,
            calls_7d: u32::try_from(self.calls_7d).ok()?,
            last_interaction: self.last_interaction,
            trial_until: self.trial_until,
            banned_at: self.banned_at,
        })
    }
}
