//! What front ends show of data rights (strings for times, 32-bit numbers: they cross to
//! TypeScript).

use guardian_domain::{ConsentEvent, ConsentLedger, DeletionRequest, PolicyVersion, RetentionNote};
use serde::Serialize;

use crate::CoreError;
use crate::{DiffLine, Engine, policy_diff, policy_in_force_and_pending};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetentionView {
    pub category: String,
    pub what: String,
    /// `None` while a legal hold lasts.
    pub kept_for_days: Option<u32>,
    pub reason: String,
}

impl From<RetentionNote> for RetentionView {
    fn from(n: RetentionNote) -> Self {
        Self { category: n.category, what: n.what, kept_for_days: n.kept_for_days, reason: n.reason }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeletionView {
    pub id: String,
    /// `child` or `guardian`.
    pub subject: String,
    pub child_id: Option<String>,
    /// `cooling_off`, `cancelled` or `completed`.
    pub status: String,
    pub requested_at: String,
    pub cooling_off_until: String,
    pub due_at: String,
    pub completed_at: Option<String>,
    pub deleted: Vec<String>,
    pub retained: Vec<RetentionView>,
    /// Where all the child's guardians must agree: each other guardian's answer.
    pub agreements: Vec<DeletionAgreementView>,
    /// The guardian who asked, when it was someone else.
    pub requested_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeletionAgreementView {
    pub guardian_name: String,
    pub you: bool,
    /// `awaited`, `agreed` or `refused`.
    pub answer: String,
    pub answered_at: Option<String>,
}

impl From<DeletionRequest> for DeletionView {
    fn from(r: DeletionRequest) -> Self {
        Self {
            id: r.id,
            subject: r.subject,
            child_id: r.child_id,
            status: r.status.as_str().into(),
            requested_at: r.requested_at.to_rfc3339(),
            cooling_off_until: r.cooling_off_until.to_rfc3339(),
            due_at: r.due_at.to_rfc3339(),
            completed_at: r.completed_at.map(|t| t.to_rfc3339()),
            deleted: r.deleted,
            retained: r.retained.into_iter().map(Into::into).collect(),
            agreements: r
                .agreements
                .into_iter()
                .map(|a| DeletionAgreementView {
                    guardian_name: a.guardian_name,
                    you: a.you,
                    answer: a.answer,
                    answered_at: a.answered_at.map(|t| t.to_rfc3339()),
                })
                .collect(),
            requested_by: r.requested_by,
        }
    }
}

/// Step one of the deletion walkthrough: what the provider keeps, and requests in progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeletionInfo {
    pub retention: Vec<RetentionView>,
    pub requests: Vec<DeletionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConsentEventView {
    pub purpose: guardian_domain::ConsentPurpose,
    pub granted: bool,
    pub at: String,
    pub policy_version: String,
}

impl From<ConsentEvent> for ConsentEventView {
    fn from(e: ConsentEvent) -> Self {
        Self {
            purpose: e.purpose,
            granted: e.granted,
            at: e.at.to_rfc3339(),
            policy_version: e.policy_version,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConsentView {
    pub child_id: String,
    pub current: Vec<ConsentEventView>,
    /// Every grant and withdrawal, oldest first.
    pub history: Vec<ConsentEventView>,
}

impl From<ConsentLedger> for ConsentView {
    fn from(l: ConsentLedger) -> Self {
        Self {
            child_id: l.child_id,
            current: l.current.into_iter().map(Into::into).collect(),
            history: l.history.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PolicyView {
    pub version: String,
    pub effective_at: String,
    pub major: bool,
    pub summary: String,
    pub text: String,
    pub acknowledged_at: Option<String>,
    /// `in_force`, `pending` (announced, not yet in effect) or `replaced`.
    pub state: String,
    /// For a pending version: what changes from the version in force.
    pub changes: Vec<DiffLine>,
}

impl Engine {
    pub async fn deletion_info(&self) -> Result<DeletionInfo, CoreError> {
        let retention = self.retention_notes().await?.into_iter().map(Into::into).collect();
        let requests = self.deletion_requests().await?.into_iter().map(Into::into).collect();
        Ok(DeletionInfo { retention, requests })
    }

    /// Every policy version with its state; a pending one carries its changes.
    pub async fn policy_views(&self) -> Result<Vec<PolicyView>, CoreError> {
        let policies = self.policies().await?;
        let now = self.now();
        let (in_force, pending) = policy_in_force_and_pending(&policies, now);
        let view = |p: &PolicyVersion| {
            let state = if Some(p) == in_force {
                "in_force"
            } else if p.effective_at > now {
                "pending"
            } else {
                "replaced"
            };
            let changes = match (in_force, pending) {
                (Some(old), Some(new)) if new == p => policy_diff(&old.text, &new.text),
                _ => Vec::new(),
            };
            PolicyView {
                version: p.version.clone(),
                effective_at: p.effective_at.to_rfc3339(),
                major: p.major,
                summary: p.summary.clone(),
                text: p.text.clone(),
                acknowledged_at: p.acknowledged_at.map(|t| t.to_rfc3339()),
                state: state.into(),
                changes,
            }
        };
        Ok(policies.iter().map(view).collect())
    }
}

/// The Downloads folder (the home folder when there is none).
/// The Downloads folder (the home folder when there is none), where the app saves exports.
pub fn downloads_dir() -> std::path::PathBuf {
    let dirs = directories::UserDirs::new();
    dirs.as_ref()
        .and_then(|d| d.download_dir().map(std::path::Path::to_owned))
        .or_else(|| dirs.as_ref().map(|d| d.home_dir().to_owned()))
        .unwrap_or_else(std::env::temp_dir)
}

/// A file of this name in the Downloads folder.
pub fn downloads_file(name: &str) -> std::path::PathBuf {
    downloads_dir().join(name)
}

/// Where an export from the desktop app goes: the Downloads folder (the home folder when there
/// is none), under a name that does not replace an earlier finished export.
pub fn default_export_path(child_name: &str, today: chrono::NaiveDate) -> std::path::PathBuf {
    let folder = downloads_dir();
    let name: String =
        child_name.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect::<String>();
    let name = name.trim_matches('-');
    let name = if name.is_empty() { "child" } else { name };
    let base = format!("guardian-export-{name}-{today}");
    let mut candidate = folder.join(format!("{base}.zip"));
    let mut n = 2;
    // An interrupted export of the same name is not skipped: exporting again resumes it.
    while candidate.exists() && n < 1000 {
        candidate = folder.join(format!("{base}-{n}.zip"));
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_file_names_are_safe_and_never_replace_an_earlier_export() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let path = super::default_export_path("<img src=x>/../Mei", today);
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with("guardian-export-img-src-x-----Mei-2026-11-23"), "{name}");
        assert!(!name.contains('/') && !name.contains(".."), "{name}");
    }
}
