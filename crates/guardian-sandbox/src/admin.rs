//! Controls for tests, demos and support staff: the clock and the feed. Served only when
//! enabled, and only on loopback.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use guardian_domain::Clock;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiResult;
use crate::routes::ApiJson;

/// The sandbox's time: a base clock plus an offset that only moves forward.
pub struct SandboxClock {
    base: Arc<dyn Clock>,
    offset: Mutex<Duration>,
}

impl SandboxClock {
    pub fn new(base: Arc<dyn Clock>) -> Self {
        Self { base, offset: Mutex::new(Duration::zero()) }
    }

    /// Moves the sandbox's time forward (e.g. past a 15-day deadline).
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *offset += by.max(Duration::zero());
    }
}

impl Clock for SandboxClock {
    fn now(&self) -> DateTime<Utc> {
        self.base.now() + *self.offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/admin/clock/advance", post(advance))
        .route("/admin/feed/compact", post(compact))
        .route("/admin/faults", post(add_fault).get(list_faults).delete(clear_faults))
        .route("/admin/sms", axum::routing::get(sms_sent))
        .with_state(state)
}

async fn advance(State(state): State<AppState>, ApiJson(body): ApiJson<Advance>) -> Json<serde_json::Value> {
    state.clock.advance(Duration::seconds(body.seconds));
    Json(serde_json::json!({ "now": state.clock.now() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmsQuery {
    phone: String,
}

/// The newest sign-in code "sent" to a phone number (`404` when none was).
async fn sms_sent(
    State(state): State<AppState>,
    crate::routes::ApiQuery(query): crate::routes::ApiQuery<SmsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let code = crate::sms::last_code(&state.db, &query.phone).await?;
    let code = code.ok_or_else(|| crate::error::ApiError::not_found("message"))?;
    Ok(Json(serde_json::json!({ "phone": query.phone, "code": code })))
}

async fn compact(State(state): State<AppState>) -> ApiResult<StatusCode> {
    crate::feed::compact(&state).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a fault (the JSON of [`crate::Fault`]); a misspelt or unknown field is refused, not
/// ignored (serde cannot deny unknown fields through the flattened kind, so they are checked
/// against what the fault reads back as).
async fn add_fault(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<StatusCode> {
    let invalid = |message: String| crate::error::ApiError::validation("fault", &message);
    let fault: crate::Fault = serde_json::from_value(body.clone()).map_err(|e| invalid(e.to_string()))?;
    let known = serde_json::to_value(&fault).map_err(|e| invalid(e.to_string()))?;
    let unknown = body
        .as_object()
        .into_iter()
        .flat_map(|fields| fields.keys())
        .find(|key| !matches!(key.as_str(), "times" | "chance") && known.get(key.as_str()).is_none());
    if let Some(key) = unknown {
        return Err(invalid(format!("unknown field `{key}`")));
    }
    fault.check().map_err(invalid)?;
    state.faults.add(fault);
    Ok(StatusCode::NO_CONTENT)
}

/// The faults still waiting to happen.
async fn list_faults(State(state): State<AppState>) -> Json<Vec<crate::Fault>> {
    Json(state.faults.list())
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
