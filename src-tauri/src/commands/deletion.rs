//! Deleting a child's account, the guardian's, or one category of a child's data.

use guardian_core::{DataCategoryView, DataDeletionView, DeletionInfo, DeletionView, Reauth, Secret};
use tauri::State;

use super::session::ReauthInput;
use crate::AppError;
use crate::provider::EngineSlot;

/// What the provider keeps after a deletion, and the deletion requests in progress. Completed
/// deletions are applied to this computer first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn deletion_info(slot: State<'_, EngineSlot>) -> Result<DeletionInfo, AppError> {
    let engine = slot.get().await?;
    engine.settle_deletions().await?;
    Ok(engine.deletion_info().await?)
}

/// Submits a child's deletion: the typed name, the guardian's proof and the child's PIN.
#[tauri::command]
#[specta::specta]
pub(crate) async fn request_child_deletion(
    slot: State<'_, EngineSlot>,
    child_id: String,
    typed_name: String,
    reauth: ReauthInput,
    pin: String,
) -> Result<DeletionView, AppError> {
    let (reauth, pin) = (Reauth::from(reauth), Secret::new(pin));
    Ok(slot.get().await?.request_child_deletion(&child_id, &typed_name, &reauth, &pin).await?.into())
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn cancel_deletion(
    slot: State<'_, EngineSlot>,
    id: String,
) -> Result<DeletionView, AppError> {
    Ok(slot.get().await?.cancel_deletion(&id).await?.into())
}

/// Agrees, as one of the child's other guardians, to deleting the child's account (after proving who they are).
#[tauri::command]
#[specta::specta]
pub(crate) async fn agree_to_deletion(
    slot: State<'_, EngineSlot>,
    request_id: String,
    reauth: ReauthInput,
) -> Result<DeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.agree_to_deletion(&request_id, &reauth).await?.into())
}

/// Says no to deleting a child's account: the request is cancelled, nothing is deleted.
#[tauri::command]
#[specta::specta]
pub(crate) async fn refuse_deletion(
    slot: State<'_, EngineSlot>,
    request_id: String,
) -> Result<DeletionView, AppError> {
    Ok(slot.get().await?.refuse_deletion(&request_id).await?.into())
}

/// Asks to delete the guardian's own account after they prove who they are; refused while children remain.
#[tauri::command]
#[specta::specta]
pub(crate) async fn request_guardian_deletion(
    slot: State<'_, EngineSlot>,
    reauth: ReauthInput,
) -> Result<DeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.request_guardian_deletion(&reauth).await?.into())
}

/// What deleting each category of the child's data would remove now, and what stays and why.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_data_categories(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DataCategoryView>, AppError> {
    Ok(slot.get().await?.data_categories(&child_id).await?)
}

/// Deletes one category of the child's data after the guardian proves who they are; returns the receipt.
#[tauri::command]
#[specta::specta]
pub(crate) async fn delete_data(
    slot: State<'_, EngineSlot>,
    child_id: String,
    category: String,
    reauth: ReauthInput,
) -> Result<DataDeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.delete_data(&child_id, &category, &reauth).await?)
}

/// Receipts of the child's data deleted by category, newest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_data_deletions(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DataDeletionView>, AppError> {
    Ok(slot.get().await?.data_deletions(&child_id).await?)
}
