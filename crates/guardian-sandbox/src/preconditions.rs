//! Changes to a child are made on the version the guardian saw (`If-Match`), or refused.

use axum::http::{HeaderMap, StatusCode};
use guardian_domain::ErrorCode;
use serde_json::json;
use sqlx::SqliteConnection;

use crate::error::{ApiError, ApiResult};

/// The version the client last saw, from `If-Match` (quotes optional).
pub(crate) fn if_match(headers: &HeaderMap) -> Option<String> {
    headers.get("If-Match").and_then(|v| v.to_str().ok()).map(|v| v.trim_matches('"').to_owned())
}

/// The `If-Match` version a change to a child needs: without one, 428 Precondition Required.
pub(crate) fn required(if_match: Option<String>) -> ApiResult<String> {
    if_match.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionFailed,
            "send If-Match with the child's version",
        )
    })
}

/// The `412` for a change made on a stale version of the child, with the current version.
pub(crate) async fn stale_child(conn: &mut SqliteConnection, child_id: &str, message: &str) -> ApiError {
    let current: Result<(i64,), _> =
        sqlx::query_as("SELECT version FROM children WHERE id = ?").bind(child_id).fetch_one(conn).await;
    match current {
        Ok((version,)) => ApiError {
            details: json!({ "version": version.to_string() }),
            ..ApiError::new(StatusCode::PRECONDITION_FAILED, ErrorCode::PreconditionFailed, message)
        },
        Err(error) => error.into(),
    }
}
