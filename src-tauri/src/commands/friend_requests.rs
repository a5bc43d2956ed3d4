//! The child's friend requests and the guardian's decisions on them.

use guardian_core::{DecisionOutcome, RequestView, Secret};
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

/// A child's friend requests from the cache, with decisions still waiting to be sent.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_requests(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<RequestView>, AppError> {
    Ok(slot.get().await?.friend_requests(&child_id).await?)
}

/// Approves a friend request; `pin` is the child's 4-digit parental PIN when one is required;
/// with `trial_days` the friendship ends after that many days unless confirmed.
#[tauri::command]
#[specta::specta]
pub(crate) async fn approve_request(
    slot: State<'_, EngineSlot>,
    child_id: String,
    request_id: String,
    pin: Option<String>,
    trial_days: Option<u32>,
) -> Result<DecisionOutcome, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.approve_request(&child_id, &request_id, pin.as_ref(), trial_days).await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn deny_request(
    slot: State<'_, EngineSlot>,
    child_id: String,
    request_id: String,
) -> Result<DecisionOutcome, AppError> {
    Ok(slot.get().await?.deny_request(&child_id, &request_id).await?)
}
