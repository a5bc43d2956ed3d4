//! Co-guardians: who looks after the child, invitations, proposals and the agreement rule.

use guardian_core::{
    CoGuardiansView, DecisionEntryView, InviteView, ProposalView, RemovalOutcome, Secret, SentInviteView,
};
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

/// The child's guardians, whether one or all must agree to a friend approval, and open invitations.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_co_guardians(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<CoGuardiansView, AppError> {
    Ok(slot.get().await?.co_guardians(&child_id).await?)
}

/// Invites an adult, by phone number, to look after the child too.
#[tauri::command]
#[specta::specta]
pub(crate) async fn invite_guardian(
    slot: State<'_, EngineSlot>,
    child_id: String,
    phone: String,
) -> Result<SentInviteView, AppError> {
    Ok(slot.get().await?.invite_guardian(&child_id, &phone).await?)
}

/// Takes a guardian off the child, with the child's PIN (the signed-in guardian's own ID: stop looking after it).
#[tauri::command]
#[specta::specta]
pub(crate) async fn remove_guardian(
    slot: State<'_, EngineSlot>,
    child_id: String,
    guardian_id: String,
    pin: String,
) -> Result<RemovalOutcome, AppError> {
    Ok(slot.get().await?.remove_guardian(&child_id, &guardian_id, &Secret::new(pin)).await?)
}

/// Accepts (with the child's PIN) or vetoes a change another guardian proposed.
#[tauri::command]
#[specta::specta]
pub(crate) async fn answer_proposal(
    slot: State<'_, EngineSlot>,
    child_id: String,
    proposal_id: String,
    accept: bool,
    pin: Option<String>,
) -> Result<ProposalView, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.answer_proposal(&child_id, &proposal_id, accept, pin.as_ref()).await?)
}

/// `"one"`: any guardian decides a friend request; `"all"`: every guardian must approve.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_agreement(
    slot: State<'_, EngineSlot>,
    child_id: String,
    agreement: String,
    pin: String,
) -> Result<CoGuardiansView, AppError> {
    Ok(slot.get().await?.set_agreement(&child_id, &agreement, &Secret::new(pin)).await?)
}

/// Who decided what about the child, and when, newest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_decision_log(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DecisionEntryView>, AppError> {
    Ok(slot.get().await?.decision_log(&child_id).await?)
}

/// Invitations to look after a child, waiting for the guardian's answer.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_guardian_invites(slot: State<'_, EngineSlot>) -> Result<Vec<InviteView>, AppError> {
    Ok(slot.get().await?.guardian_invites().await?)
}

/// Accepts (the child comes into the cache) or declines an invitation.
#[tauri::command]
#[specta::specta]
pub(crate) async fn answer_invite(
    slot: State<'_, EngineSlot>,
    invite_id: String,
    accept: bool,
) -> Result<InviteView, AppError> {
    Ok(slot.get().await?.answer_invite(&invite_id, accept).await?)
}
