//! The dashboard and syncing: the background sync and what waits for the guardian.

use std::sync::Arc;

use guardian_core::{Attention, Dashboard, PendingDecision};
use tauri::{AppHandle, Manager as _, State};

use crate::AppError;
use crate::provider::EngineSlot;

/// How often the app syncs in the background when nothing is pushed (it also syncs on start,
/// focus and network return, which the UI asks for).
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Told to the UI after every background sync, so it can refresh what it shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncFinished {
    pub ok: bool,
    pub offline: bool,
    pub queued_decisions: i32,
}

/// Starts the engine early, then syncs whenever the provider pushes a change and on a timer,
/// telling the UI each time.
pub(crate) fn start_background(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let slot = app.state::<EngineSlot>();
        let engine = match slot.get().await {
            Ok(engine) if slot.claim_background() => engine,
            Ok(_) => return,
            Err(error) if error.code == guardian_core::ErrorKind::NoProvider => {
                // The first screen asks; choosing starts this again.
                return;
            }
            Err(error) => {
                tracing::error!(code = error.code.as_str(), "engine failed to start");
                return;
            }
        };
        let pushed = Arc::new(tokio::sync::Notify::new());
        let watcher = engine.clone();
        let notify = pushed.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                let notify = notify.clone();
                watcher.watch(move || notify.notify_one()).await;
                // Signed out: look again later (the guardian may sign in).
                tokio::time::sleep(SYNC_EVERY).await;
            }
        });
        loop {
            tokio::select! {
                () = tokio::time::sleep(SYNC_EVERY) => {}
                () = pushed.notified() => {}
            }
            if !engine.status().await.signed_in {
                continue;
            }
            let ok = engine.sync().await.is_ok();
            let status = engine.status().await;
            let event =
                SyncFinished { ok, offline: status.offline, queued_decisions: status.queued_decisions };
            if let Err(error) = tauri_specta::Event::emit(&event, &app) {
                tracing::warn!(%error, "could not tell the window about a sync");
            }
        }
    });
}

/// Status and children from the local cache (no network).
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_dashboard(slot: State<'_, EngineSlot>) -> Result<Dashboard, AppError> {
    Ok(slot.get().await?.dashboard().await?)
}

/// Fetches fresh data from the provider into the cache.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_now(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    // The guardian asked: waiting decisions go now, without waiting out their retry delay.
    Ok(slot.get().await?.sync_now().await?)
}

/// Decisions the provider does not have yet, or refused.
#[tauri::command]
#[specta::specta]
pub(crate) async fn pending_decisions(slot: State<'_, EngineSlot>) -> Result<Vec<PendingDecision>, AppError> {
    Ok(slot.get().await?.pending_decisions().await?)
}

#[tauri::command]
#[specta::specta]
pub(crate) async fn dismiss_decision(slot: State<'_, EngineSlot>, id: String) -> Result<(), AppError> {
    Ok(slot.get().await?.dismiss_decision(&id).await?)
}

/// What is waiting for the guardian across all children (the cache, plus the provider when reachable).
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_attention(slot: State<'_, EngineSlot>) -> Result<Attention, AppError> {
    Ok(slot.get().await?.attention().await?)
}
