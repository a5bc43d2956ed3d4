//! Fault injection: make chosen routes fail the way real providers fail, for the next N
//! requests (or at random, with a chance). Tests use [`crate::Sandbox::inject`]; support staff
//! use `POST /admin/faults` with the same JSON (see README.md).

use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use guardian_domain::ErrorCode;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::ApiError;

/// How a provider can fail. Every kind is one a real provider (or the network in front of it)
/// has been seen to produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultKind {
    /// `503 Service Unavailable` with the API's error body.
    Unavailable,
    /// Any status (a 5xx, or 408) with the API's error body.
    Status { status: u16 },
    /// `429 Too Many Requests`, with `Retry-After: seconds` when given.
    RateLimited {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// An HTML error page with this status, as a proxy or load balancer sends.
    HtmlError { status: u16 },
    /// Answer after this many milliseconds (past the client's timeout, a timeout).
    Latency { millis: u64 },
    /// `200 OK` whose JSON body is cut off halfway.
    Truncated,
    /// `200 OK` with a body that is not JSON at all.
    Malformed,
    /// `200 OK` with a body larger than any answer may be (16 MiB).
    Oversized,
    /// Do the work, then answer `503` as if the connection dropped before the reply arrived.
    LoseResponse,
    /// Send the first half of the body, then drop the connection (a download cut off).
    Interrupted,
    /// Drop the connection before any of the answer's body (nothing is done).
    Reset,
}

impl FaultKind {
    /// Every kind, with typical values: what the fault matrices run through.
    pub fn all() -> Vec<(&'static str, FaultKind)> {
        vec![
            ("503", Self::Unavailable),
            ("500", Self::Status { status: 500 }),
            ("429 with Retry-After", Self::RateLimited { retry_after: Some(30) }),
            ("429 without Retry-After", Self::RateLimited { retry_after: None }),
            ("HTML 502 page", Self::HtmlError { status: 502 }),
            ("timeout", Self::Latency { millis: 3_000 }),
            ("truncated body", Self::Truncated),
            ("malformed body", Self::Malformed),
            ("oversized body", Self::Oversized),
            ("lost reply", Self::LoseResponse),
            ("interrupted body", Self::Interrupted),
            ("connection reset", Self::Reset),
        ]
    }
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Requests whose path starts with this are affected; `*` stands for any run of
    /// characters (`/v1/exports/*/archive`).
    pub path_prefix: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests fail before the route behaves again (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// With a chance (0 to 1), each matching request fails only that often; `times` still
    /// counts the failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance: Option<f64>,
}

impl Fault {
    /// `kind` on the next request whose path starts with `path_prefix`.
    pub fn once(path_prefix: &str, kind: FaultKind) -> Self {
        Self { path_prefix: path_prefix.into(), kind, times: 1, chance: None }
    }

    /// Whether the fault can be served as asked.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(chance) = self.chance
            && !(0.0..=1.0).contains(&chance)
        {
            return Err("chance is between 0 and 1".into());
        }
        match self.kind {
            FaultKind::Status { status } if !(400..=599).contains(&status) || status == 429 => {
                Err("status is a 4xx or 5xx other than 429 (use rate_limited)".into())
            }
            FaultKind::HtmlError { status } if !(400..=599).contains(&status) => {
                Err("status is a 4xx or 5xx".into())
            }
            FaultKind::Latency { millis } if millis > 120_000 => Err("millis is at most 120000".into()),
            _ => Ok(()),
        }
    }
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

    pub fn list(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The fault for this path, if any, counting it as used.
    fn take(&self, path: &str) -> Option<FaultKind> {
        let mut faults = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // The first matching fault that happens this time (one with a chance may not).
        let index = faults.iter().position(|f| {
            prefix_matches(&f.path_prefix, path)
                && f.times > 0
                && f.chance.is_none_or(|chance| rand::rng().random_bool(chance))
        })?;
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

/// A body that sends `first`, then breaks the connection (after a pause, so `first` is on the
/// wire before the connection drops).
fn broken_body(first: Bytes) -> Body {
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(first), Err(std::io::Error::other("connection dropped"))];
    let stream = futures_util::StreamExt::then(futures_util::stream::iter(chunks), |chunk| async {
        if chunk.is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        chunk
    });
    Body::from_stream(stream)
}

/// The answer's body, or what of it arrived within two seconds (the push stream never ends).
async fn whole_body(body: Body) -> Bytes {
    let read = axum::body::to_bytes(body, usize::MAX);
    tokio::time::timeout(std::time::Duration::from_secs(2), read)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default()
}

pub(crate) async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(kind) = state.faults.take(request.uri().path()) else {
        return next.run(request).await;
    };
    let api_error = |status: StatusCode, code: ErrorCode, message: &str| {
        ApiError::new(status, code, message).into_response()
    };
    match kind {
        FaultKind::Unavailable => {
            api_error(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the provider is unavailable")
        }
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            api_error(status, ErrorCode::Unavailable, "the provider failed")
        }
        FaultKind::RateLimited { retry_after } => {
            let mut response =
                api_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "too many requests");
            if let Some(seconds) = retry_after {
                response.headers_mut().insert("Retry-After", HeaderValue::from(seconds));
            }
            response
        }
        FaultKind::HtmlError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let page =
                format!("<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>");
            (status, [("content-type", "text/html")], page).into_response()
        }
        FaultKind::Latency { millis } => {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            next.run(request).await
        }
        FaultKind::Truncated => {
            let (mut parts, body) = next.run(request).await.into_parts();
            let bytes = whole_body(body).await;
            parts.headers.remove("content-length");
            Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
        }
        FaultKind::Interrupted => {
            let (parts, body) = next.run(request).await.into_parts();
            let bytes = whole_body(body).await;
            // Content-Length stays: the client sees the body end early, as when a line drops.
            Response::from_parts(parts, broken_body(bytes.slice(..bytes.len() / 2)))
        }
        FaultKind::Reset => (StatusCode::OK, broken_body(Bytes::new())).into_response(),
        FaultKind::Malformed => {
            let _ = next.run(request).await;
            (StatusCode::OK, [("content-type", "application/json")], "<html>oops</html>").into_response()
        }
        FaultKind::Oversized => {
            let _ = next.run(request).await;
            let mut body = vec![b' '; 16 * 1024 * 1024];
            body[0] = b'[';
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        FaultKind::LoseResponse => {
            let _ = next.run(request).await;
            api_error(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, "the provider is unavailable")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_paths_are_prefixes_with_wildcards() {
        assert!(prefix_matches("/v1/children", "/v1/children/c-leo/contacts"));
        assert!(!prefix_matches("/v1/children", "/v1/changes"));
        assert!(prefix_matches("/v1/exports/*/archive", "/v1/exports/exp-1/archive"));
        assert!(!prefix_matches("/v1/exports/*/archive", "/v1/exports/exp-1"));
    }

    /// The admin API's JSON: every kind reads back as itself, and unknown fields are refused.
    #[test]
    fn every_fault_kind_reads_from_json() {
        for (name, kind) in FaultKind::all() {
            let fault = Fault { path_prefix: "/v1/changes".into(), kind, times: 2, chance: Some(0.5) };
            let json = serde_json::to_string(&fault).expect("json");
            let back: Fault = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {json}: {e}"));
            assert_eq!(back, fault, "{name}");
        }
        let minimal: Fault =
            serde_json::from_str(r#"{"path_prefix":"/v1","kind":"unavailable"}"#).expect("defaults");
        assert_eq!(minimal, Fault::once("/v1", FaultKind::Unavailable), "times defaults to 1");
        let typo = serde_json::from_str::<Fault>(r#"{"path_prefix":"/v1","kind":"latency","milis":5}"#);
        assert!(typo.is_err(), "a misspelt field is refused, not ignored");
    }
}
