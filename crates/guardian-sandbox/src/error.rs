//! The one error shape of the provider API: `{code, message, request_id, details}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guardian_domain::{ErrorBody, ErrorCode};

#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: serde_json::Value,
    /// Seconds for a `Retry-After` header, when the client should wait before trying again.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: serde_json::Value::Null, retry_after: None }
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    pub fn validation(field: &str, message: &str) -> Self {
        Self {
            details: serde_json::json!({ "field": field }),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation, message)
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error")
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "internal error")
    }
}

impl ApiError {
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code,
            message: self.message.clone(),
            request_id: uuid::Uuid::new_v4().to_string(),
            details: self.details.clone(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such {what}"))
    }

    pub fn conflict(message: impl Into<String>, details: serde_json::Value) -> Self {
        Self { details, ..Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, message) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("Retry-After", seconds.into());
        }
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// An answer whose error may ask the client to wait (`Retry-After`, in seconds).
pub(crate) fn with_retry_after(
    answer: Result<axum::response::Response, (ApiError, Option<u64>)>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match answer {
        Ok(response) => response,
        Err((error, retry)) => {
            let mut response = error.into_response();
            if let Some(retry) = retry {
                response.headers_mut().insert("Retry-After", retry.into());
            }
            response
        }
    }
}
