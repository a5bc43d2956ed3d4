//! The child's contacts: trials confirmed, blocks, removals.

use guardian_core::{ContactView, DecisionOutcome, Secret};
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

/// A child's contacts from the cache, in name order; with `first`, only that many (a screenful
/// to paint before the rest arrive).
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_contacts(
    slot: State<'_, EngineSlot>,
    child_id: String,
    first: Option<u32>,
) -> Result<Vec<ContactView>, AppError> {
    Ok(slot.get().await?.first_contacts(&child_id, first).await?)
}

/// Keeps a friend approved for a trial: the friendship no longer ends.
#[tauri::command]
#[specta::specta]
pub(crate) async fn confirm_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
) -> Result<ContactView, AppError> {
    Ok(slot.get().await?.confirm_contact(&child_id, &contact_id).await?)
}

/// Blocks a contact, or unblocks one with the child's PIN (only a guardian lifts a block).
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_contact_blocked(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
    blocked: bool,
    pin: Option<String>,
) -> Result<DecisionOutcome, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.set_contact_blocked(&child_id, &contact_id, blocked, pin.as_ref()).await?)
}

/// Removes a contact: the friendship ends (queued first, like every decision).
#[tauri::command]
#[specta::specta]
pub(crate) async fn remove_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
) -> Result<DecisionOutcome, AppError> {
    Ok(slot.get().await?.remove_contact(&child_id, &contact_id).await?)
}
