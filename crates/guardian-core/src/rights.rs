//! Data rights and account deletion: the use cases behind the walkthroughs in the desktop app
//! and `guardian account|consent|policy|export|audit`. Every sensitive action is written to
//! the local audit log (with opaque subjects, never names).

use std::path::{Path, PathBuf};

use guardian_client::{ClientError, ProviderClient};
use guardian_domain::{
    ConsentLedger, ConsentPurpose, DeletionRequest, DeletionStatus, ErrorCode, ExportJob, ExportStatus,
    PolicyVersion, ReauthPurpose, RetentionNote, is_valid_pin,
};
use guardian_store::subject_ref;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::archive::{self, ArchiveSummary};
use crate::flow::{self, Planned, Step};
use crate::{CoreError, Engine, Reauth, Secret};

/// The secret-store entry marking a requested deletion of the guardian's own account.
const GUARDIAN_DELETION: &str = "guardian-deletion";
/// How long to wait for the provider to prepare an export.
const EXPORT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// A consent purpose as a guardian names it (the command line, a flow file); an unknown name is
/// refused with the known ones.
pub fn consent_purpose(name: &str) -> Result<ConsentPurpose, CoreError> {
    ConsentPurpose::parse(name.trim()).ok_or_else(|| {
        let known: Vec<_> = ConsentPurpose::ALL.iter().map(|p| p.as_str()).collect();
        CoreError::Invalid(format!("unknown purpose {name:?}; one of: {}", known.join(", ")))
    })
}

/// What an export is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportStage {
    /// The provider is making the archive.
    Preparing,
    Downloading,
    /// The archive's checksums and signature are checked.
    Verifying,
}

impl ExportStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Downloading => "downloading",
            Self::Verifying => "verifying",
        }
    }
}

/// Where an export is, for a progress bar.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportProgress {
    pub stage: ExportStage,
    pub done: f64,
    pub total: f64,
}

/// Beside a partial download: which job it belongs to, so a later run can resume it.
#[derive(Serialize, serde::Deserialize)]
struct PartInfo {
    job_id: String,
    sha256: String,
}

impl Engine {
    pub(crate) async fn audit(&self, action: &str, subject: &str, outcome: &str) {
        let Ok(store) = self.store().await else { return };
        if let Err(error) = store.append_audit(self.clock.now(), action, subject, outcome).await {
            tracing::warn!(%error, action, "could not write the audit log");
        }
    }

    /// What the provider keeps after a deletion (its own words).
    pub async fn retention_notes(&self) -> Result<Vec<RetentionNote>, CoreError> {
        Ok(self.client.retention_notes().await?)
    }

    /// Every deletion request of this guardian, newest first. When the guardian's own account
    /// has been deleted meanwhile, this computer's copy goes too (`account_deleted`).
    pub async fn deletion_requests(&self) -> Result<Vec<DeletionRequest>, CoreError> {
        match self.client.deletion_requests().await {
            Ok(mut requests) => {
                requests.sort_by_key(|r| std::cmp::Reverse(r.requested_at));
                Ok(requests)
            }
            Err(ClientError::SignInRequired) if self.guardian_deletion_due().await? => {
                self.forget_this_computer().await?;
                Err(CoreError::AccountDeleted)
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn remember_guardian_deletion(&self, request: Option<&DeletionRequest>) -> Result<(), CoreError> {
        let secrets = self.secrets.clone();
        let until = request.map(|r| Secret::new(r.cooling_off_until.to_rfc3339()));
        guardian_client::off_executor(move || match until {
            Some(until) => secrets.set(GUARDIAN_DELETION, &until),
            None => secrets.delete(GUARDIAN_DELETION),
        })
        .await?;
        Ok(())
    }

    async fn guardian_deletion_due(&self) -> Result<bool, CoreError> {
        let secrets = self.secrets.clone();
        let until = guardian_client::off_executor(move || secrets.get(GUARDIAN_DELETION)).await?;
        Ok(until
            .and_then(|u| chrono::DateTime::parse_from_rfc3339(u.expose()).ok())
            .is_some_and(|u| u <= self.clock.now()))
    }

    /// Proves again who the guardian is, for `purpose` only; a wrong password or code is a
    /// clear error, not a sign-out.
    pub(crate) async fn reauthenticate(
        &self,
        with: &Reauth,
        purpose: ReauthPurpose,
    ) -> Result<Secret, CoreError> {
        match self.client.reauthenticate(with, purpose).await {
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                Err(CoreError::Invalid(match with {
                    Reauth::Password(_) => "the password is not correct".into(),
                    Reauth::SmsCode(_) => "the code is not correct or has expired: ask for a new one".into(),
                }))
            }
            other => Ok(other?),
        }
    }

    /// Sends a code by SMS to the guardian's own number, to use as [`Reauth::SmsCode`] (for
    /// guardians who signed up with a code and have no password).
    pub async fn send_reauth_code(&self) -> Result<guardian_domain::SmsCodeSent, CoreError> {
        Ok(self.client.send_reauth_code().await?)
    }

    /// Asks the provider to delete a child's account. The guardian types the child's name,
    /// confirms the password and gives the child's PIN; nothing is deleted locally until the
    /// provider has completed the request (after its cooling-off period).
    pub async fn request_child_deletion(
        &self,
        child: &str,
        typed_name: &str,
        reauth: &Reauth,
        pin: &Secret,
    ) -> Result<DeletionRequest, CoreError> {
        let child = self.find_child(child).await?;
        if typed_name.trim() != child.display_name.trim() {
            return Err(CoreError::Invalid(format!(
                "type the child's name exactly as shown ({}) to confirm",
                child.display_name
            )));
        }
        if !is_valid_pin(pin.expose()) {
            return Err(crate::decisions::pin_format_error());
        }
        let plan = async || Ok(Some(Planned::Deletion { child: flow::child_ref(self, &child.id).await? }));
        self.recorded(plan, |_| false, self.submit_child_deletion(&child.id, reauth, pin)).await
    }

    async fn submit_child_deletion(
        &self,
        child_id: &str,
        reauth: &Reauth,
        pin: &Secret,
    ) -> Result<DeletionRequest, CoreError> {
        let proof = self.reauthenticate(reauth, ReauthPurpose::DeleteChild).await?;
        let key = crate::decisions::idempotency_key("delete");
        let subject = subject_ref("child", child_id);
        match self.client.request_child_deletion(child_id, &proof, pin, &key).await {
            Ok(request) => {
                self.audit("pin_used", &subject, "accepted").await;
                self.audit("deletion_requested", &subject, "cooling_off").await;
                Ok(request)
            }
            Err(error) => {
                if matches!(error.provider_code(), Some(ErrorCode::PinIncorrect | ErrorCode::PinLocked)) {
                    self.audit("pin_used", &subject, "refused").await;
                }
                Err(error.into())
            }
        }
    }

    /// Asks to delete the guardian's own account. Refused while children remain whose only
    /// guardian this is; children shared with a co-guardian stay with them.
    pub async fn request_guardian_deletion(&self, reauth: &Reauth) -> Result<DeletionRequest, CoreError> {
        let mut sole = Vec::new();
        for child in self.children().await? {
            if self.client.co_guardians(&child.id).await?.guardians.len() <= 1 {
                sole.push(child.display_name);
            }
        }
        if !sole.is_empty() {
            return Err(CoreError::Invalid(format!(
                "your account cannot be deleted while children remain whose only guardian you are ({}): \
                 delete each child's account, or invite a co-guardian to look after them, first",
                sole.join(", ")
            )));
        }
        let proof = self.reauthenticate(reauth, ReauthPurpose::DeleteAccount).await?;
        let key = crate::decisions::idempotency_key("delete");
        let request = self.client.request_guardian_deletion(&proof, &key).await?;
        self.audit("deletion_requested", "guardian", "cooling_off").await;
        // Once the provider has deleted the account it no longer answers for it; this marker
        // (a date, nothing personal) tells this computer to clean up then.
        self.remember_guardian_deletion(Some(&request)).await?;
        Ok(request)
    }

    /// Agrees, as one of the child's other guardians, to a request to delete the child's account
    /// (the password is checked again first).
    pub async fn agree_to_deletion(&self, id: &str, reauth: &Reauth) -> Result<DeletionRequest, CoreError> {
        let proof = self.reauthenticate(reauth, ReauthPurpose::AgreeToDeletion).await?;
        let key = crate::decisions::idempotency_key("agree");
        let request = self.client.agree_to_deletion(id, &proof, &key).await?;
        let subject = request.child_id.as_deref().map_or_else(String::new, |c| subject_ref("child", c));
        self.audit("deletion_agreed", &subject, "agreed").await;
        Ok(request)
    }

    /// Says no to a request to delete a child's account: it is cancelled and nothing is deleted.
    pub async fn refuse_deletion(&self, id: &str) -> Result<DeletionRequest, CoreError> {
        let key = crate::decisions::idempotency_key("refuse");
        let request = self.client.refuse_deletion(id, &key).await?;
        let subject = request.child_id.as_deref().map_or_else(String::new, |c| subject_ref("child", c));
        self.audit("deletion_refused", &subject, "cancelled").await;
        Ok(request)
    }

    /// Cancels a deletion during its cooling-off period: nothing has been deleted.
    pub async fn cancel_deletion(&self, id: &str) -> Result<DeletionRequest, CoreError> {
        let plan = async || {
            Ok({
                let requests = self.client.deletion_requests().await?;
                match requests.iter().find(|r| r.id == id).and_then(|r| r.child_id.clone()) {
                    Some(child) => Some(Planned::Fixed(Step::CancelDeletion {
                        child: flow::child_ref(self, &child).await?,
                    })),
                    None => None,
                }
            })
        };
        self.recorded(plan, |_| false, self.cancel_deletion_inner(id)).await
    }

    async fn cancel_deletion_inner(&self, id: &str) -> Result<DeletionRequest, CoreError> {
        let key = crate::decisions::idempotency_key("cancel");
        let request = self.client.cancel_deletion(id, &key).await?;
        if request.child_id.is_none() {
            self.remember_guardian_deletion(None).await?;
        }
        let subject =
            request.child_id.as_deref().map_or_else(|| "guardian".to_owned(), |id| subject_ref("child", id));
        self.audit("deletion_cancelled", &subject, "cancelled").await;
        Ok(request)
    }

    /// Brings local data in line with completed deletions: a deleted child's rows went with the
    /// sync's tombstone; the audit log records it. Returns
    /// the completed requests not seen before.
    pub async fn settle_deletions(&self) -> Result<Vec<DeletionRequest>, CoreError> {
        let store = self.store().await?;
        let mut newly = Vec::new();
        for request in self.client.deletion_requests().await? {
            if request.status != DeletionStatus::Completed {
                continue;
            }
            let seen_key = format!("deletion_settled:{}", request.id);
            if store.meta(&seen_key).await?.is_some() {
                continue;
            }
            if let Some(child_id) = &request.child_id {
                // The child's rows and queued decisions go with the feed's tombstone.
                let _ = self.sync().await;
                self.audit("deletion_completed", &subject_ref("child", child_id), "purged_locally").await;
            }
            store
                .set_meta(&seen_key, &request.completed_at.unwrap_or(request.requested_at).to_rfc3339())
                .await?;
            newly.push(request);
        }
        Ok(newly)
    }

    // ---- consent and policy ----

    pub async fn consents(&self, child: &str) -> Result<ConsentLedger, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.client.consents(&child.id).await?)
    }

    /// Grants or withdraws one purpose. Withdrawal does not undo earlier lawful processing.
    pub async fn set_consent(
        &self,
        child: &str,
        purpose: ConsentPurpose,
        granted: bool,
    ) -> Result<ConsentLedger, CoreError> {
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(Step::Consent {
                child: flow::child_ref(self, &child.id).await?,
                purpose: purpose.as_str().into(),
                granted,
            })))
        };
        let key = crate::decisions::idempotency_key("consent");
        let send = async {
            self.client.set_consent(&child.id, purpose, granted, &key).await.map_err(CoreError::from)
        };
        let result = self.recorded(plan, |_| false, send).await;
        let ledger = result?;
        let action = if granted { "consent_granted" } else { "consent_withdrawn" };
        self.audit(action, &subject_ref("child", &child.id), purpose.as_str()).await;
        Ok(ledger)
    }

    pub async fn policies(&self) -> Result<Vec<PolicyVersion>, CoreError> {
        Ok(self.client.policies().await?)
    }

    pub async fn acknowledge_policy(&self, version: &str) -> Result<PolicyVersion, CoreError> {
        let key = crate::decisions::idempotency_key("ack");
        let plan = async || Ok(Some(Step::AcknowledgePolicy { version: version.to_owned() }.into()));
        let send = async { self.client.acknowledge_policy(version, &key).await.map_err(CoreError::from) };
        let result = self.recorded(plan, |_| false, send).await;
        let policy = result?;
        self.audit("policy_acknowledged", "guardian", &policy.version).await;
        Ok(policy)
    }

    // ---- export ----

    /// Exports one child's data to `out`: the provider prepares the archive, it downloads (and
    /// resumes, if an earlier run was interrupted) beside `out`, is checked against its SHA-256
    /// and manifest, and only then takes the name `out`.
    pub async fn export_child(
        &self,
        child: &str,
        out: &Path,
        language: &str,
        mut on_progress: impl FnMut(ExportProgress) + Send,
    ) -> Result<ArchiveSummary, CoreError> {
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(Step::Export { child: flow::child_ref(self, &child.id).await? })))
        };
        self.recorded(plan, |_| false, self.export_inner(&child.id, out, language, &mut on_progress)).await
    }

    async fn export_inner(
        &self,
        child_id: &str,
        out: &Path,
        language: &str,
        on_progress: &mut (impl FnMut(ExportProgress) + Send),
    ) -> Result<ArchiveSummary, CoreError> {
        let part = part_path(out);
        let info_path = part.with_extension("part.json");
        let job = match self.resumable_job(&info_path).await {
            Some(job) => job,
            None => {
                remove_quietly(&part);
                let key = crate::decisions::idempotency_key("export");
                let job = self.client.create_export(child_id, language, &key).await?;
                self.wait_for_export(job, on_progress).await?
            }
        };
        let sha256 = job.sha256.clone().unwrap_or_default();
        let info = serde_json::to_vec(&PartInfo { job_id: job.id.clone(), sha256: sha256.clone() })
            .map_err(|e| CoreError::File(e.to_string()))?;
        std::fs::write(&info_path, info).map_err(|e| CoreError::File(e.to_string()))?;
        let progress = |done: u64, total: u64| ExportProgress {
            stage: ExportStage::Downloading,
            done: done as f64,
            total: total as f64,
        };
        let downloaded =
            download_verified(&self.client, &job, &part, |done, total| on_progress(progress(done, total)))
                .await;
        let summary = match downloaded {
            Ok(summary) => summary,
            // A full disk or an unwritable folder: nothing half-written is left behind.
            Err(ClientError::File(message)) => {
                remove_quietly(&part);
                remove_quietly(&info_path);
                return Err(CoreError::File(message));
            }
            // Offline or cut off: the partial file stays, and the next run resumes it.
            Err(other) => return Err(other.into()),
        };
        let summary = match summary {
            Ok(summary) => summary,
            Err(error) => {
                remove_quietly(&part);
                remove_quietly(&info_path);
                return Err(error);
            }
        };
        std::fs::rename(&part, out).map_err(|e| CoreError::File(e.to_string()))?;
        remove_quietly(&info_path);
        on_progress(ExportProgress { stage: ExportStage::Verifying, done: 1.0, total: 1.0 });
        self.audit("export_saved", &subject_ref("child", child_id), "verified").await;
        Ok(summary)
    }

    async fn resumable_job(&self, info_path: &Path) -> Option<ExportJob> {
        let info: PartInfo = serde_json::from_slice(&std::fs::read(info_path).ok()?).ok()?;
        let job = self.client.export_job(&info.job_id).await.ok()?;
        (job.status == ExportStatus::Ready && job.sha256.as_deref() == Some(info.sha256.as_str()))
            .then_some(job)
    }

    async fn wait_for_export(
        &self,
        mut job: ExportJob,
        on_progress: &mut (impl FnMut(ExportProgress) + Send),
    ) -> Result<ExportJob, CoreError> {
        let started = std::time::Instant::now();
        loop {
            on_progress(ExportProgress {
                stage: ExportStage::Preparing,
                done: f64::from(job.progress),
                total: 100.0,
            });
            match job.status {
                ExportStatus::Ready => return Ok(job),
                ExportStatus::Failed => {
                    return Err(CoreError::Archive(
                        "the provider could not prepare the export; try again".into(),
                    ));
                }
                ExportStatus::Preparing if started.elapsed() > EXPORT_PATIENCE => {
                    return Err(CoreError::Archive(
                        "the provider is taking too long to prepare the export; try again later".into(),
                    ));
                }
                ExportStatus::Preparing => {}
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            job = self.client.export_job(&job.id).await?;
        }
    }

    /// Verifies an export archive on disk and records that it was opened.
    pub async fn open_export(&self, path: &Path) -> Result<archive::ArchiveContents, CoreError> {
        let path = path.to_owned();
        let contents = crate::export_viewer::blocking(move || archive::read(&path)).await?;
        self.audit("export_opened", &subject_ref("child", &contents.summary.child_id), "verified").await;
        Ok(contents)
    }
}

/// Downloads `job`'s archive into `part` (resuming what is already there) and checks it: the
/// manifest against the provider's checksum of it, and every file in the archive against the
/// manifest, hashed while the bytes arrive. The outer error is the download's (what arrived
/// stays, to be resumed); the inner one says the archive is not what the provider promised.
pub async fn download_verified(
    client: &ProviderClient,
    job: &ExportJob,
    part: &Path,
    on_progress: impl FnMut(u64, u64) + Send,
) -> Result<Result<ArchiveSummary, CoreError>, ClientError> {
    let streamed = client.download_export(job, part, archive::StreamCheck::new(), on_progress).await?;
    let expected = job.manifest_sha256.clone().unwrap_or_default();
    let part = part.to_owned();
    let checked = tokio::task::spawn_blocking(move || {
        archive::verify_download(&part, &streamed, &expected).map_err(|e| CoreError::Archive(e.to_string()))
    });
    Ok(checked.await.unwrap_or_else(|e| Err(CoreError::File(e.to_string()))))
}

/// The partial download beside the chosen file: `report.zip` downloads as `report.zip.part`.
fn part_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".part");
    out.with_file_name(name)
}

fn remove_quietly(path: &Path) {
    if let Err(error) = std::fs::remove_file(path)
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(%error, "could not remove a partial file");
    }
}

/// SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// One line of a policy diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub kind: String,
    pub text: String,
}

/// A readable line-by-line difference between two policy texts.
pub fn policy_diff(old: &str, new: &str) -> Vec<DiffLine> {
    // Both end with one newline, so a last line is not reported as changed for lacking one.
    let (old, new) = (format!("{}\n", old.trim_end()), format!("{}\n", new.trim_end()));
    similar::TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|change| DiffLine {
            kind: match change.tag() {
                similar::ChangeTag::Equal => "same",
                similar::ChangeTag::Delete => "removed",
                similar::ChangeTag::Insert => "added",
            }
            .into(),
            text: change.value().trim_end_matches(['\r', '\n']).to_owned(),
        })
        .collect()
}

/// The version in force at `now` and the newest one announced but not yet in force.
pub fn policy_in_force_and_pending(
    policies: &[PolicyVersion],
    now: chrono::DateTime<chrono::Utc>,
) -> (Option<&PolicyVersion>, Option<&PolicyVersion>) {
    let in_force = policies.iter().filter(|p| p.effective_at <= now).max_by_key(|p| p.effective_at);
    let pending = policies.iter().filter(|p| p.effective_at > now).max_by_key(|p| p.effective_at);
    (in_force, pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_diff_marks_added_and_removed_lines() {
        let diff = policy_diff("a\nb\nc", "a\nc\nd\n");
        let kinds: Vec<(&str, &str)> = diff.iter().map(|l| (l.kind.as_str(), l.text.as_str())).collect();
        assert_eq!(kinds, [("same", "a"), ("removed", "b"), ("same", "c"), ("added", "d")]);
    }
}
