//! Which notifications the guardian has read.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::{Result, Store};

impl Store {
    /// The IDs of every notification read on this computer.
    pub async fn notifications_read(&self) -> Result<HashSet<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM notifications_read").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Marks notifications read (again is harmless).
    pub async fn mark_notifications_read(&self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for id in ids {
            sqlx::query(
                "INSERT INTO notifications_read (id, read_at) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
