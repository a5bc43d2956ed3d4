//! The children: adding one, each child's profile, safety settings, activity, devices and groups.

use guardian_core::{
    ActivityView, ChildProfile, ChildSummary, DeviceView, Discoverability, FriendApproval, GroupView,
    NewChild, ProfileCorrection, Reauth, Secret,
};
use tauri::State;

use super::session::ReauthInput;
use crate::AppError;
use crate::provider::EngineSlot;

/// Makes a child's account with the guardian's consent under the policy in force.
#[tauri::command]
#[specta::specta]
pub(crate) async fn add_child(
    slot: State<'_, EngineSlot>,
    child: NewChild,
) -> Result<ChildSummary, AppError> {
    Ok(slot.get().await?.add_child(child).await?)
}

/// The child's profile from the cache, what contacts see, and the age planner.
#[tauri::command]
#[specta::specta]
pub(crate) async fn child_profile(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<ChildProfile, AppError> {
    Ok(slot.get().await?.child_profile(&child_id).await?)
}

/// Corrects the child's name and optional demographics (empty ones are removed).
#[tauri::command]
#[specta::specta]
pub(crate) async fn correct_child_profile(
    slot: State<'_, EngineSlot>,
    child_id: String,
    correction: ProfileCorrection,
) -> Result<ChildProfile, AppError> {
    Ok(slot.get().await?.correct_child_profile(&child_id, correction).await?)
}

/// Uploads a PNG or JPEG as the child's profile picture (the window makes it 256 px first).
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_avatar(
    slot: State<'_, EngineSlot>,
    child_id: String,
    picture: Vec<u8>,
) -> Result<(), AppError> {
    Ok(slot.get().await?.set_avatar(&child_id, picture).await?)
}

/// Switches between "PIN required for each new friend" and "child may add friends" (with the
/// child's PIN either way).
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_friend_approval(
    slot: State<'_, EngineSlot>,
    child_id: String,
    mode: FriendApproval,
    pin: String,
) -> Result<(), AppError> {
    Ok(slot.get().await?.set_friend_approval(&child_id, mode, &Secret::new(pin)).await?)
}

/// Who can find the child (more people: with the PIN).
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_discoverability(
    slot: State<'_, EngineSlot>,
    child_id: String,
    who: Discoverability,
    pin: Option<String>,
) -> Result<(), AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.set_discoverability(&child_id, who, pin.as_ref()).await?)
}

/// Sets the child's parental PIN, or changes it (then the current one is needed).
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_pin(
    slot: State<'_, EngineSlot>,
    child_id: String,
    new_pin: String,
    current_pin: Option<String>,
) -> Result<(), AppError> {
    let (new_pin, current_pin) = (Secret::new(new_pin), current_pin.map(Secret::new));
    Ok(slot.get().await?.set_pin(&child_id, &new_pin, current_pin.as_ref()).await?)
}

/// Replaces a forgotten or locked PIN after the guardian proves who they are.
#[tauri::command]
#[specta::specta]
pub(crate) async fn reset_pin(
    slot: State<'_, EngineSlot>,
    child_id: String,
    new_pin: String,
    reauth: ReauthInput,
) -> Result<(), AppError> {
    let (new_pin, reauth) = (Secret::new(new_pin), Reauth::from(reauth));
    Ok(slot.get().await?.reset_pin(&child_id, &new_pin, &reauth).await?)
}

/// The child's use by day and week over the last `days` days, from the cache.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_activity(
    slot: State<'_, EngineSlot>,
    child_id: String,
    days: u32,
) -> Result<ActivityView, AppError> {
    Ok(slot.get().await?.activity(&child_id, days).await?)
}

/// The child's devices, from the provider.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_devices(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DeviceView>, AppError> {
    Ok(slot.get().await?.devices(&child_id).await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_out_device(
    slot: State<'_, EngineSlot>,
    child_id: String,
    device_id: String,
) -> Result<DeviceView, AppError> {
    Ok(slot.get().await?.sign_out_device(&child_id, &device_id).await?)
}

/// The groups the child is in, with members the guardian never approved flagged.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_groups(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<GroupView>, AppError> {
    Ok(slot.get().await?.groups(&child_id).await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn leave_group(
    slot: State<'_, EngineSlot>,
    child_id: String,
    group_id: String,
) -> Result<GroupView, AppError> {
    Ok(slot.get().await?.leave_group(&child_id, &group_id).await?)
}
