//! Reports of a contact or a group to the provider.

use guardian_core::ReportView;
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

/// Reports filed on the child's behalf, with status and days left until the provider's deadline.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_reports(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<ReportView>, AppError> {
    Ok(slot.get().await?.reports(&child_id).await?)
}

/// Reports one of the child's contacts (category and the guardian's own words).
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
    category: guardian_core::ReportCategory,
    evidence: String,
) -> Result<ReportView, AppError> {
    Ok(slot.get().await?.report_contact(&child_id, &contact_id, category, &evidence, &[]).await?)
}

/// Reports a group the child is in (category and the guardian's own words).
#[tauri::command]
#[specta::specta]
pub(crate) async fn report_group(
    slot: State<'_, EngineSlot>,
    child_id: String,
    group_id: String,
    category: guardian_core::ReportCategory,
    evidence: String,
) -> Result<ReportView, AppError> {
    Ok(slot.get().await?.report_group(&child_id, &group_id, category, &evidence).await?)
}
