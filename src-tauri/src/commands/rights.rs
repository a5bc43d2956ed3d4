//! Consent, policies, transparency and requests to the provider with a deadline.

use guardian_core::{ConsentView, PolicyView, TrackedRequest, Transparency};
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

#[tauri::command]
#[specta::specta]
pub(crate) async fn get_consents(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<ConsentView, AppError> {
    Ok(slot.get().await?.consents(&child_id).await?.into())
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn set_consent(
    slot: State<'_, EngineSlot>,
    child_id: String,
    purpose: guardian_core::ConsentPurpose,
    granted: bool,
) -> Result<ConsentView, AppError> {
    Ok(slot.get().await?.set_consent(&child_id, purpose, granted).await?.into())
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn list_policies(slot: State<'_, EngineSlot>) -> Result<Vec<PolicyView>, AppError> {
    Ok(slot.get().await?.policy_views().await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn acknowledge_policy(slot: State<'_, EngineSlot>, version: String) -> Result<(), AppError> {
    slot.get().await?.acknowledge_policy(&version).await?;
    Ok(())
}

/// When the provider's staff looked at the child's data, and the automated decisions about the child.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_transparency(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Transparency, AppError> {
    Ok(slot.get().await?.transparency(&child_id).await?)
}

/// Asks the provider to explain an automated decision (once; asking again finds the first request).
#[tauri::command]
#[specta::specta]
pub(crate) async fn explain_decision(
    slot: State<'_, EngineSlot>,
    child_id: String,
    decision_id: String,
) -> Result<TrackedRequest, AppError> {
    Ok(slot.get().await?.explain_decision(&child_id, &decision_id).await?)
}

/// Everything asked of the provider with a deadline, open first (online).
#[tauri::command]
#[specta::specta]
pub(crate) async fn tracked_requests(slot: State<'_, EngineSlot>) -> Result<Vec<TrackedRequest>, AppError> {
    Ok(slot.get().await?.tracked_requests().await?)
}

/// Asks the provider for access, a correction or an explanation about a child.
#[tauri::command]
#[specta::specta]
pub(crate) async fn ask_provider(
    slot: State<'_, EngineSlot>,
    child_id: String,
    kind: String,
    details: String,
) -> Result<TrackedRequest, AppError> {
    Ok(slot.get().await?.ask_provider(&child_id, &kind, &details).await?)
}
