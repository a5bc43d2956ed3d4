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

/// What can go wrong starting, seeding or driving the sandbox (an API answer is an [`ApiError`]).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox's database failed: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the sandbox's database could not be prepared: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("could not encode: {0}")]
    Json(#[from] serde_json::Error),
    #[error("could not build the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("could not sign in to the sandbox: {0}")]
    Http(#[from] reqwest::Error),
    /// A scenario file that names something it does not define, or does not parse.
    #[error("{0}")]
    Scenario(String),
    /// A configuration the sandbox will not serve.
    #[error("{0}")]
    Config(String),
    /// The sandbox refused its own request (a test helper's).
    #[error("{0}")]
    Refused(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ApiError> for SandboxError {
    fn from(error: ApiError) -> Self {
        Self::Refused(error.message)
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        SandboxError::from(error).into()
    }
}

impl From<SandboxError> for ApiError {
    fn from(error: SandboxError) -> Self {
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
