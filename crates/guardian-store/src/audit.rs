//! The local audit log: append-only (triggers refuse updates and deletes) and hash-chained, so
//! an edited, removed or reordered entry is found by [`Store::verify_audit`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::{Result, Store};

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// What was done, e.g. `pin_used`, `deletion_requested`, `consent_withdrawn`.
    pub action: String,
    /// An opaque reference (see [`subject_ref`]), never a name.
    pub subject: String,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log was changed at entry {seq}: {reason}")]
pub struct AuditBroken {
    pub seq: i64,
    pub reason: &'static str,
}

/// An opaque, stable reference to a provider ID (e.g. a child's), so the log names no one.
pub fn subject_ref(kind: &str, id: &str) -> String {
    let digest = Sha256::digest(format!("guardian-audit:{kind}:{id}").as_bytes());
    format!("{kind}:{}", &hex::encode(digest)[..16])
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: &DateTime<Utc>,
    action: &str,
    subject: &str,
    outcome: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [prev, &seq.to_string(), &at.to_rfc3339(), action, subject, outcome] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

type Row = (i64, DateTime<Utc>, String, String, String, String, String);

impl Store {
    /// Appends one entry, chained to the last.
    pub async fn append_audit(
        &self,
        at: DateTime<Utc>,
        action: &str,
        subject: &str,
        outcome: &str,
    ) -> Result<()> {
        // IMMEDIATE: take the write lock first, so a concurrent sync waits instead of failing.
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
        let seq = prev_seq + 1;
        let hash = entry_hash(&prev_hash, seq, &at, action, subject, outcome);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, action, subject, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(at)
        .bind(action)
        .bind(subject)
        .bind(outcome)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, action, subject, outcome, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, at, action, subject, outcome, prev_hash, hash)| AuditEntry {
                seq,
                at,
                action,
                subject,
                outcome,
                prev_hash,
                hash,
            })
            .collect())
    }

    /// Recomputes the chain: `Ok(n)` with the number of entries, or where it breaks.
    pub async fn verify_audit(&self) -> Result<std::result::Result<usize, AuditBroken>> {
        Ok(verify_chain(&self.audit_entries().await?))
    }
}

/// Checks numbering, links and hashes of a whole log, oldest first.
pub fn verify_chain(entries: &[AuditEntry]) -> std::result::Result<usize, AuditBroken> {
    let mut prev = GENESIS.to_owned();
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as i64 + 1 {
            return Err(AuditBroken { seq: e.seq, reason: "an entry is missing or out of order" });
        }
        if e.prev_hash != prev {
            return Err(AuditBroken { seq: e.seq, reason: "it does not follow the entry before it" });
        }
        if entry_hash(&prev, e.seq, &e.at, &e.action, &e.subject, &e.outcome) != e.hash {
            return Err(AuditBroken { seq: e.seq, reason: "its contents do not match its hash" });
        }
        prev = e.hash.clone();
    }
    Ok(entries.len())
}
