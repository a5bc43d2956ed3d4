//! Signing in and out, the guardian's account and identities, and proving who they are again.

use guardian_core::{AccountView, IdentityOutcome, Reauth, Secret, SmsCodeView};
use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_in(
    slot: State<'_, EngineSlot>,
    phone: String,
    password: String,
) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_in(&phone, &Secret::new(password)).await?)
}

/// Asks the provider to text a sign-in code to the phone number.
#[tauri::command]
#[specta::specta]
pub(crate) async fn request_sms_code(
    slot: State<'_, EngineSlot>,
    phone: String,
) -> Result<SmsCodeView, AppError> {
    Ok(slot.get().await?.request_sms_code(&phone).await?)
}

/// Signs in with the code sent by SMS, then syncs.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_in_sms(
    slot: State<'_, EngineSlot>,
    phone: String,
    code: String,
) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_in_sms(&phone, &Secret::new(code)).await?)
}

/// Signs in with WeChat, QQ or Apple: the guardian agrees in their browser. The answer says
/// whether a phone number must be bound first (`bind_phone`).
#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_in_with_identity(
    slot: State<'_, EngineSlot>,
    provider: String,
) -> Result<IdentityOutcome, AppError> {
    Ok(slot.get().await?.sign_in_with_identity(&provider, guardian_core::open_in_browser).await?)
}

/// Binds a phone number (with the code sent to it) to the identity that asked for one; signs in.
#[tauri::command]
#[specta::specta]
pub(crate) async fn bind_phone(
    slot: State<'_, EngineSlot>,
    phone: String,
    code: String,
) -> Result<(), AppError> {
    Ok(slot.get().await?.bind_phone(&phone, &Secret::new(code)).await?)
}

/// The guardian's account: masked phone, real-name status, linked identities.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_account(slot: State<'_, EngineSlot>) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.account().await?)
}

/// Links a third-party identity (the guardian agrees in their browser).
#[tauri::command]
#[specta::specta]
pub(crate) async fn link_identity(
    slot: State<'_, EngineSlot>,
    provider: String,
) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.link_identity(&provider, guardian_core::open_in_browser).await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn unlink_identity(
    slot: State<'_, EngineSlot>,
    provider: String,
) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.unlink_identity(&provider).await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_out(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_out().await?)
}

/// How the guardian proves again who they are before something irreversible: the password, or
/// the code `send_reauth_code` sent by SMS to their number.
#[derive(serde::Deserialize, specta::Type)]
#[serde(tag = "kind", content = "secret", rename_all = "snake_case")]
pub(crate) enum ReauthInput {
    Password(String),
    SmsCode(String),
}

impl From<ReauthInput> for Reauth {
    fn from(input: ReauthInput) -> Self {
        match input {
            ReauthInput::Password(password) => Reauth::Password(Secret::new(password)),
            ReauthInput::SmsCode(code) => Reauth::SmsCode(Secret::new(code)),
        }
    }
}

/// Sends a code by SMS to the guardian's own number, to prove who they are with instead of a
/// password.
#[tauri::command]
#[specta::specta]
pub(crate) async fn send_reauth_code(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    slot.get().await?.send_reauth_code().await?;
    Ok(())
}
