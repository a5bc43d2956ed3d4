//! The local audit log as front ends read it: what was done, when, about whom (an opaque
//! reference, never a name), with its hash chain; and where the chain breaks if it was changed.
//! The store's own row types stay inside the core.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{CoreError, Engine};

/// One entry of the local audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// What was done, e.g. `pin_used`, `deletion_requested`, `consent_withdrawn`.
    pub action: String,
    /// An opaque reference, never a name.
    pub subject: String,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the audit log's hash chain breaks: an entry was edited, removed or reordered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log was changed at entry {seq}: {reason}")]
pub struct AuditBreak {
    pub seq: i64,
    pub reason: String,
}

impl Engine {
    /// The local audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRecord>, CoreError> {
        let entries = self.store().await?.audit_entries().await?;
        Ok(entries
            .into_iter()
            .map(|e| AuditRecord {
                seq: e.seq,
                at: e.at,
                action: e.action,
                subject: e.subject,
                outcome: e.outcome,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect())
    }

    /// Checks the audit log's hash chain: the number of entries, or where it was changed.
    pub async fn verify_audit_log(&self) -> Result<Result<usize, AuditBreak>, CoreError> {
        let checked = self.store().await?.verify_audit().await?;
        Ok(checked.map_err(|broken| AuditBreak { seq: broken.seq, reason: broken.reason.to_owned() }))
    }
}
