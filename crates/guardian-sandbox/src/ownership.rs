//! Whose child it is: nothing about another family's child is answered.

use crate::error::{ApiError, ApiResult};

/// The child's friend-approval mode, if this guardian is one of the child's guardians;
/// otherwise 404 (nothing about other families).
pub(crate) async fn owned_child(
    db: &sqlx::SqlitePool,
    guardian_id: &str,
    child_id: &str,
) -> ApiResult<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT c.friend_approval FROM children c JOIN child_guardians g ON g.child_id = c.id \
         WHERE c.id = ? AND g.guardian_id = ?",
    )
    .bind(child_id)
    .bind(guardian_id)
    .fetch_optional(db)
    .await?;
    row.map(|(approval,)| approval).ok_or_else(|| ApiError::not_found("child"))
}
