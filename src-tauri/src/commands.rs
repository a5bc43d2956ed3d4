use std::sync::Arc;

use guardian_core::{Dashboard, Engine, Secret, Settings};
use tauri::{AppHandle, Manager as _, State};
use tokio::sync::OnceCell;

use crate::AppError;

/// The engine, started once, on first use.
#[derive(Default)]
pub struct EngineSlot(OnceCell<Arc<Engine>>);

impl EngineSlot {
    async fn get(&self) -> Result<Arc<Engine>, AppError> {
        self.0
            .get_or_try_init(|| async { Engine::start(Settings::from_env()).await.map(Arc::new) })
            .await
            .cloned()
            .map_err(AppError::from)
    }
}

pub(crate) fn warm_up(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = app.state::<EngineSlot>().get().await {
            tracing::error!(code = %error.code, "engine failed to start");
        }
    });
}

/// Every command the web view may call (each must also be granted in `capabilities/`).
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![get_dashboard, sync_now, sign_in, sign_out])
        .error_handling(tauri_specta::ErrorHandlingMode::Result)
}

/// Status and children from the local cache (no network).
#[tauri::command]
#[specta::specta]
async fn get_dashboard(slot: State<'_, EngineSlot>) -> Result<Dashboard, AppError> {
    Ok(slot.get().await?.dashboard().await?)
}

/// Fetches fresh data from the provider into the cache.
#[tauri::command]
#[specta::specta]
async fn sync_now(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    Ok(slot.get().await?.sync().await?)
}

#[tauri::command]
#[specta::specta]
async fn sign_in(slot: State<'_, EngineSlot>, phone: String, password: String) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_in(&phone, &Secret::new(password)).await?)
}

#[tauri::command]
#[specta::specta]
async fn sign_out(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_out().await?)
}
