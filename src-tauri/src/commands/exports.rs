//! Exports of a child's data: made, saved, opened and compared.

use guardian_core::archive::ArchiveDiff;
use guardian_core::{ExportView, SavedExport};
use tauri::{AppHandle, State};

use crate::AppError;
use crate::provider::EngineSlot;

/// Progress of an export, for the progress bar.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct ExportProgressed {
    pub child_id: String,
    /// `preparing`, `downloading` or `verifying`.
    pub stage: guardian_core::ExportStage,
    /// 0 to 100.
    pub percent: u32,
}

/// Where a finished export was saved.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct ExportSaved {
    pub path: String,
    pub files: u32,
}

/// Exports a child's data into the Downloads folder, verified, telling the window its progress.
#[tauri::command]
#[specta::specta]
pub(crate) async fn export_child(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    child_id: String,
    language: String,
) -> Result<ExportSaved, AppError> {
    let engine = slot.get().await?;
    let child = engine.find_child(&child_id).await?;
    let out = guardian_core::default_export_path(&child.display_name, engine.now().date_naive());
    let summary = engine
        .export_child(&child.id, &out, &language, |p| {
            let percent = if p.total > 0.0 { (p.done / p.total * 100.0).clamp(0.0, 100.0) as u32 } else { 0 };
            let event = ExportProgressed { child_id: child.id.clone(), stage: p.stage, percent };
            if let Err(error) = tauri_specta::Event::emit(&event, &app) {
                tracing::warn!(%error, "could not report export progress");
            }
        })
        .await?;
    Ok(ExportSaved {
        path: out.display().to_string(),
        files: u32::try_from(summary.files).unwrap_or(u32::MAX),
    })
}

/// The Guardian exports of a child saved in the Downloads folder, newest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_saved_exports(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<SavedExport>, AppError> {
    let engine = slot.get().await?;
    let child = engine.find_child(&child_id).await?;
    Ok(engine.saved_exports(&guardian_core::downloads_dir(), Some(&child.id)).await?)
}

/// Opens one saved export (by file name in the Downloads folder), verified.
#[tauri::command]
#[specta::specta]
pub(crate) async fn view_saved_export(
    slot: State<'_, EngineSlot>,
    file: String,
) -> Result<ExportView, AppError> {
    Ok(slot.get().await?.view_saved_export(&guardian_core::downloads_dir(), &file).await?)
}

/// What changed from an older saved export to a newer one.
#[tauri::command]
#[specta::specta]
pub(crate) async fn compare_saved_exports(
    slot: State<'_, EngineSlot>,
    older: String,
    newer: String,
) -> Result<ArchiveDiff, AppError> {
    Ok(slot.get().await?.compare_saved_exports(&guardian_core::downloads_dir(), &older, &newer).await?)
}
