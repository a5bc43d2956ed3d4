//! What support uses: the diagnostics bundle and the session recording.

use tauri::State;

use crate::AppError;
use crate::provider::EngineSlot;

/// Writes the diagnostics bundle for support into the Downloads folder.
#[tauri::command]
#[specta::specta]
pub(crate) async fn save_diagnostics(
    slot: State<'_, EngineSlot>,
) -> Result<guardian_core::diagnostics::DiagnosticsSaved, AppError> {
    let engine = slot.get().await?;
    let out = guardian_core::downloads_file(&format!(
        "guardian-diagnostics-{}.zip",
        engine.now().format("%Y%m%d-%H%M%S")
    ));
    let webkit = tauri::webview_version().ok();
    Ok(engine.write_diagnostics(&out, webkit.as_deref()).await?)
}

/// "Record this session for support": while on, what the guardian does is appended to a flow
/// file in the Downloads folder (names as references, the PIN as the sandbox's). Returns the
/// file when recording starts.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_recording(slot: State<'_, EngineSlot>, on: bool) -> Result<Option<String>, AppError> {
    let engine = slot.get().await?;
    let file = on.then(|| {
        guardian_core::downloads_file(&format!(
            "guardian-session-{}.toml",
            engine.now().format("%Y%m%d-%H%M%S")
        ))
    });
    engine.record_session(file.clone());
    Ok(file.map(|f| f.display().to_string()))
}
