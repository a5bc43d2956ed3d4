//! The in-app export viewer: Guardian exports saved in a folder (the app saves them in
//! Downloads), each verified before it is shown; one opened; two of the same child compared.
//! Only plain file names of exports in that folder are accepted, never a path.

use std::path::{Path, PathBuf};

use guardian_domain::ContactStatus;
use serde::Serialize;

use crate::archive::{self, ArchiveDiff};
use crate::{CoreError, Engine};

/// A file in the folder that looks like a Guardian export, and whether it verifies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedExport {
    /// The file's name (no folder).
    pub file: String,
    pub child_id: Option<String>,
    /// RFC 3339, when the provider made it.
    pub created_at: Option<String>,
    /// Why it cannot be opened (changed, damaged, not an export); `None` when it verifies.
    pub problem: Option<String>,
}

/// What the viewer shows of one verified export.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportView {
    pub file: String,
    pub child_id: String,
    /// RFC 3339, when the provider made it.
    pub created_at: String,
    pub files: u32,
    /// What the archive leaves out by design, and why (no message content).
    pub excluded: Vec<String>,
    pub child_name: String,
    pub contacts: u32,
    pub blocked: u32,
    pub friend_requests: u32,
    pub activity_rows: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The export of that name in `folder`, refusing anything but a plain export file name.
fn export_path(folder: &Path, file: &str) -> Result<PathBuf, CoreError> {
    let plain = !file.contains(['/', '\\']) && archive::is_safe_name(file);
    if !plain || !file.starts_with("guardian-export-") || !file.ends_with(".zip") {
        return Err(CoreError::Invalid(format!("{file:?} is not the name of a Guardian export")));
    }
    Ok(folder.join(file))
}

/// Archive work off the async threads (it reads and hashes whole files).
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, archive::ArchiveError> + Send + 'static,
) -> Result<T, CoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::File(e.to_string()))?
        .map_err(|e| CoreError::Archive(e.to_string()))
}

impl Engine {
    /// The Guardian exports in `folder` (of one child when given), newest first.
    pub async fn saved_exports(
        &self,
        folder: &Path,
        child_id: Option<&str>,
    ) -> Result<Vec<SavedExport>, CoreError> {
        let mut names: Vec<String> = match std::fs::read_dir(folder) {
            Ok(entries) => entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with("guardian-export-") && n.ends_with(".zip"))
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        let mut found = Vec::new();
        for file in names {
            let path = folder.join(&file);
            let checked = blocking(move || archive::verify(&path)).await;
            let export = match checked {
                Ok(summary) => SavedExport {
                    file,
                    child_id: Some(summary.child_id),
                    created_at: Some(summary.created_at),
                    problem: None,
                },
                Err(error) => {
                    SavedExport { file, child_id: None, created_at: None, problem: Some(error.to_string()) }
                }
            };
            if child_id.is_none() || export.child_id.as_deref() == child_id || export.problem.is_some() {
                found.push(export);
            }
        }
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.file.cmp(&a.file)));
        Ok(found)
    }

    /// Opens one export in `folder`, verified (and recorded in the audit log).
    pub async fn view_saved_export(&self, folder: &Path, file: &str) -> Result<ExportView, CoreError> {
        let contents = self.open_export(&export_path(folder, file)?).await?;
        Ok(ExportView {
            file: file.to_owned(),
            child_name: contents.child.display_name.clone(),
            contacts: count(contents.contacts.len()),
            blocked: count(contents.contacts.iter().filter(|c| c.status == ContactStatus::Blocked).count()),
            friend_requests: count(contents.friend_requests.len()),
            activity_rows: count(contents.activity.len()),
            child_id: contents.summary.child_id,
            created_at: contents.summary.created_at,
            files: count(contents.summary.files),
            excluded: contents.summary.excluded,
        })
    }

    /// What changed from the older export to the newer one (both of the same child).
    pub async fn compare_saved_exports(
        &self,
        folder: &Path,
        older: &str,
        newer: &str,
    ) -> Result<ArchiveDiff, CoreError> {
        let (a, b) = (export_path(folder, older)?, export_path(folder, newer)?);
        blocking(move || archive::diff(&a, &b)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_export_names_are_accepted() {
        let folder = Path::new("/downloads");
        assert!(export_path(folder, "guardian-export-Leo-2026-11-30.zip").is_ok());
        for bad in [
            "../guardian-export-x.zip",
            "guardian-export-../../etc.zip",
            "/etc/guardian-export-x.zip",
            "sub/guardian-export-x.zip",
            "guardian-export-x.zip\\..",
            "notes.txt",
            "guardian-diagnostics-1.zip",
        ] {
            assert!(export_path(folder, bad).is_err(), "{bad}");
        }
    }
}
