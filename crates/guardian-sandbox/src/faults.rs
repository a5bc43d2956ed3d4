//! Fault injection: make chosen routes fail the way real providers fail, for the next N
//! requests. Tests use [`crate::Sandbox::inject`]; support staff use `POST /admin/faults`.

use std::sync::Mutex;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use guardian_domain::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultKind {
    /// `503 Service Unavailable` with the API's error body.
    Unavailable,
    /// `429 Too Many Requests` with `Retry-After: seconds`.
    RateLimited { retry_after: u64 },
    /// Answer after this many milliseconds.
    Latency { millis: u64 },
    /// `200 OK` whose JSON body is cut off halfway.
    Truncated,
    /// `200 OK` with a body that is not JSON at all.
    Malformed,
    /// Do the work, then answer `503` as if the connection dropped before the reply arrived.
    LoseResponse,
    /// Send the first half of the body, then drop the connection (a download cut off).
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Requests whose path starts with this are affected; `*` stands for any run of
    /// characters (`/v1/exports/*/archive`).
    pub path_prefix: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests fail before the route behaves again.
    pub times: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn add(&self, fault: Fault) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(fault);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// The fault for this path, if any, counting it as used.
    fn take(&self, path: &str) -> Option<FaultKind> {
        let mut faults = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let index = faults.iter().position(|f| prefix_matches(&f.path_prefix, path) && f.times > 0)?;
        faults[index].times -= 1;
        let kind = faults[index].kind.clone();
        faults.retain(|f| f.times > 0);
        Some(kind)
    }
}

/// Whether `path` starts with `pattern`, where `*` in the pattern matches any characters.
fn prefix_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(rest) = parts.next().and_then(|first| path.strip_prefix(first)) else { return false };
    let mut rest = rest;
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

pub(crate) async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(kind) = state.faults.take(request.uri().path()) else {
        return next.run(request).await;
    };
    let unavailable = || {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the provider is unavailable")
            .into_response()
    };
    match kind {
        FaultKind::Unavailable => unavailable(),
        FaultKind::RateLimited { retry_after } => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "too many requests")
                    .into_response();
            response.headers_mut().insert("Retry-After", HeaderValue::from(retry_after));
            response
        }
        FaultKind::Latency { millis } => {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            next.run(request).await
        }
        FaultKind::Truncated => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut parts = parts;
            parts.headers.remove("content-length");
            Response::from_parts(parts, Body::from(half))
        }
        FaultKind::Interrupted => {
            let (parts, body) = next.run(request).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            // Content-Length stays: the client sees the body end early, as when a line drops.
            let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
                vec![Ok(half), Err(std::io::Error::other("connection dropped"))];
            // A pause after the first half, so it is on the wire before the connection drops.
            let stream = futures_util::StreamExt::then(futures_util::stream::iter(chunks), |chunk| async {
                if chunk.is_err() {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                chunk
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        FaultKind::Malformed => {
            let _ = next.run(request).await;
            (StatusCode::OK, [("content-type", "application/json")], "<html>oops</html>").into_response()
        }
        FaultKind::LoseResponse => {
            let _ = next.run(request).await;
            unavailable()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_matches;

    #[test]
    fn fault_paths_are_prefixes_with_wildcards() {
        assert!(prefix_matches("/v1/children", "/v1/children/c-leo/contacts"));
        assert!(!prefix_matches("/v1/children", "/v1/changes"));
        assert!(prefix_matches("/v1/exports/*/archive", "/v1/exports/exp-1/archive"));
        assert!(!prefix_matches("/v1/exports/*/archive", "/v1/exports/exp-1"));
    }
}
