//! What is new: the notification centre, desktop notifications, the tray badge, security notices.

use guardian_core::{Notifications, SecurityNoticeView};
use tauri::{AppHandle, Manager as _, State};

use crate::AppError;
use crate::provider::EngineSlot;

/// What is new across children and the guardian's account, with what was read.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_notifications(slot: State<'_, EngineSlot>) -> Result<Notifications, AppError> {
    Ok(slot.get().await?.notifications().await?)
}

/// Shows the notifications not shown on the desktop before; returns how many were shown.
#[tauri::command]
#[specta::specta]
pub(crate) async fn announce_notifications(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    notices: Vec<crate::desktop_notify::DesktopNotice>,
) -> Result<u32, AppError> {
    let ids: Vec<String> = notices.iter().map(|n| n.id.clone()).collect();
    let fresh = slot.get().await?.announce(&ids).await?;
    let mut shown = 0;
    for notice in notices.into_iter().filter(|n| fresh.contains(&n.id)) {
        crate::desktop_notify::show(&app, notice);
        shown += 1;
    }
    Ok(shown)
}

/// Shows how many notification-centre items are unread on the tray icon (if the desktop has one).
#[tauri::command]
#[specta::specta]
pub(crate) fn show_tray_badge(app: AppHandle, badge: crate::tray::TrayBadge) -> Result<(), AppError> {
    // A tray that cannot be updated is not the guardian's problem: it is logged, not shown.
    if let Err(error) = app.state::<crate::tray::TraySlot>().show(badge) {
        tracing::info!(%error, "the tray icon could not be updated");
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn mark_notifications_read(
    slot: State<'_, EngineSlot>,
    ids: Vec<String>,
) -> Result<(), AppError> {
    Ok(slot.get().await?.mark_notifications_read(&ids).await?)
}

/// Security notices from the provider, newest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_security_notices(
    slot: State<'_, EngineSlot>,
) -> Result<Vec<SecurityNoticeView>, AppError> {
    Ok(slot.get().await?.security_notices().await?)
}
