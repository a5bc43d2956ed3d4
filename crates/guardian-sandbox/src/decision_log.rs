//! The child's decision log, which every guardian of the child reads.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::error::ApiResult;

/// Writes an entry in the child's decision log, which every guardian of the child can read.
pub(crate) async fn log_decision(
    conn: &mut SqliteConnection,
    child_id: &str,
    guardian_id: &str,
    action: &str,
    subject: &str,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO decision_log (child_id, guardian_id, guardian_name, action, subject, at) \
         SELECT ?, id, display_name, ?, ?, ? FROM guardians WHERE id = ?",
    )
    .bind(child_id)
    .bind(action)
    .bind(subject)
    .bind(at)
    .bind(guardian_id)
    .execute(conn)
    .await?;
    Ok(())
}
