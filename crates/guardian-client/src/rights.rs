//! Data rights over the provider API: re-authentication, deletion, consent, policy versions and
//! exports (with a resumable, streamed download).

use std::path::Path;

use guardian_domain::{
    AgreeToDeletion, AutomatedDecision, ConsentLedger, ConsentPurpose, CreateReport, CreateRightsRequest,
    DataCategory, DataCategoryPreview, DataDeletionReceipt, DeleteData, DeletionRequest, Device, ExportJob,
    Group, PolicyVersion, ReauthProof, ReauthPurpose, Reauthenticate, Report, RequestChildDeletion,
    RequestGuardianDeletion, RetentionNote, RightsRequest, SecurityNotice, SetConsent, SmsCodeSent,
    StaffAccess,
};
use reqwest::{Method, StatusCode, header};

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

/// How the guardian proves again who they are, before something irreversible.
#[derive(Debug, Clone)]
pub enum Reauth {
    /// Their password.
    Password(Secret),
    /// A code sent to their own number (`send_reauth_code`): for guardians without a password.
    SmsCode(Secret),
}

impl ProviderClient {
    /// Proves again who the guardian is; the proof is good once, for `purpose`, for a few minutes.
    pub async fn reauthenticate(&self, with: &Reauth, purpose: ReauthPurpose) -> Result<Secret, ClientError> {
        let body = match with {
            Reauth::Password(password) => {
                Reauthenticate { password: Some(password.expose().to_owned()), sms_code: None, purpose }
            }
            Reauth::SmsCode(code) => {
                Reauthenticate { password: None, sms_code: Some(code.expose().trim().to_owned()), purpose }
            }
        };
        // Not an Idempotency-Key mutation: a proof is worth having twice.
        let mut proof: ReauthProof =
            self.call(Method::POST, "/v1/auth/reauth", Some(to_json(&body)?)).await?;
        Ok(Secret::new(std::mem::take(&mut proof.proof)))
    }

    /// Sends a code by SMS to the signed-in guardian's own number, for [`Reauth::SmsCode`].
    pub async fn send_reauth_code(&self) -> Result<SmsCodeSent, ClientError> {
        self.call(Method::POST, "/v1/auth/reauth/sms", None).await
    }

    pub async fn retention_notes(&self) -> Result<Vec<RetentionNote>, ClientError> {
        self.all_pages("/v1/retention").await
    }

    pub async fn request_child_deletion(
        &self,
        child_id: &str,
        proof: &Secret,
        pin: &Secret,
        idempotency_key: &str,
    ) -> Result<DeletionRequest, ClientError> {
        let body =
            RequestChildDeletion { reauth_proof: proof.expose().to_owned(), pin: pin.expose().to_owned() };
        let path = format!("/v1/children/{}/deletion", seg(child_id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    pub async fn request_guardian_deletion(
        &self,
        proof: &Secret,
        idempotency_key: &str,
    ) -> Result<DeletionRequest, ClientError> {
        let body = RequestGuardianDeletion { reauth_proof: proof.expose().to_owned() };
        self.mutate(Method::POST, "/v1/guardian/deletion", Some(to_json(&body)?), idempotency_key, None).await
    }

    /// What deleting each category of the child's data would remove, and what stays.
    pub async fn data_categories(&self, child_id: &str) -> Result<Vec<DataCategoryPreview>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/data-categories", seg(child_id))).await
    }

    pub async fn data_deletions(&self, child_id: &str) -> Result<Vec<DataDeletionReceipt>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/data-deletions", seg(child_id))).await
    }

    pub async fn delete_data(
        &self,
        child_id: &str,
        category: DataCategory,
        proof: &Secret,
        idempotency_key: &str,
    ) -> Result<DataDeletionReceipt, ClientError> {
        let body = DeleteData { category, reauth_proof: proof.expose().to_owned() };
        let path = format!("/v1/children/{}/data-deletions", seg(child_id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    pub async fn deletion_requests(&self) -> Result<Vec<DeletionRequest>, ClientError> {
        self.all_pages("/v1/deletion-requests").await
    }

    pub async fn cancel_deletion(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<DeletionRequest, ClientError> {
        let path = format!("/v1/deletion-requests/{}/cancel", seg(id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    /// A co-guardian agrees to a request to delete a child's account.
    pub async fn agree_to_deletion(
        &self,
        id: &str,
        proof: &Secret,
        idempotency_key: &str,
    ) -> Result<DeletionRequest, ClientError> {
        let body = AgreeToDeletion { reauth_proof: proof.expose().to_owned() };
        let path = format!("/v1/deletion-requests/{}/agree", seg(id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// A co-guardian says no: the request is cancelled.
    pub async fn refuse_deletion(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<DeletionRequest, ClientError> {
        let path = format!("/v1/deletion-requests/{}/refuse", seg(id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn consents(&self, child_id: &str) -> Result<ConsentLedger, ClientError> {
        self.get_json(&format!("/v1/children/{}/consents", seg(child_id)), &[]).await
    }

    pub async fn set_consent(
        &self,
        child_id: &str,
        purpose: ConsentPurpose,
        granted: bool,
        idempotency_key: &str,
    ) -> Result<ConsentLedger, ClientError> {
        let path = format!("/v1/children/{}/consents/{}", seg(child_id), purpose.as_str());
        self.mutate(Method::PUT, &path, Some(to_json(&SetConsent { granted })?), idempotency_key, None).await
    }

    pub async fn policies(&self) -> Result<Vec<PolicyVersion>, ClientError> {
        self.all_pages("/v1/policies").await
    }

    pub async fn acknowledge_policy(
        &self,
        version: &str,
        idempotency_key: &str,
    ) -> Result<PolicyVersion, ClientError> {
        let path = format!("/v1/policies/{}/acknowledge", seg(version));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    /// Starts an export; `language` picks the language of the readable report inside.
    pub async fn create_export(
        &self,
        child_id: &str,
        language: &str,
        idempotency_key: &str,
    ) -> Result<ExportJob, ClientError> {
        let path = format!("/v1/children/{}/exports", seg(child_id));
        let call = |token: &Secret| {
            self.http
                .post(self.url(&path))
                .bearer_auth(token.expose())
                .header("Idempotency-Key", idempotency_key)
                .header(header::ACCEPT_LANGUAGE, language)
        };
        let response = self.with_token(call).await?;
        crate::client::read_json(response).await
    }

    pub async fn export_job(&self, id: &str) -> Result<ExportJob, ClientError> {
        self.get_json(&format!("/v1/exports/{}", seg(id)), &[]).await
    }

    /// Downloads an export's archive into `part`, resuming after whatever `part` already holds
    /// (HTTP Range, with `If-Range` so a changed archive starts over). Streams to disk: memory
    /// use does not grow with the archive. Calls `on_progress(bytes_done, bytes_total)`.
    ///
    /// Every byte of the file, in order (what a resumed download already had first), passes
    /// through `tap` on a thread of its own, a few chunks behind the download, while another
    /// writes the file. Returns the tap, so checking the file needs no second read.
    pub async fn download_export<T: ByteTap>(
        &self,
        job: &ExportJob,
        part: &Path,
        tap: T,
        mut on_progress: impl FnMut(u64, u64) + Send,
    ) -> Result<T, ClientError> {
        let file_error = |e: std::io::Error| ClientError::File(e.to_string());
        let have = tokio::fs::metadata(part).await.map(|m| m.len()).unwrap_or(0);
        let etag = format!("\"{}\"", job.sha256.as_deref().unwrap_or_default());
        let path = format!("/v1/exports/{}/archive", seg(&job.id));
        let call = |token: &Secret| {
            let request = self.http.get(self.url(&path)).bearer_auth(token.expose());
            if have > 0 {
                request.header(header::RANGE, format!("bytes={have}-")).header(header::IF_RANGE, &etag)
            } else {
                request
            }
        };
        let response = match self.with_token(call).await {
            // Already complete: nothing left to fetch.
            Err(ClientError::Provider { status: 416, .. }) if Some(have) == job.size => None,
            other => Some(other?),
        };
        let kept = match &response {
            Some(response) if response.status() != StatusCode::PARTIAL_CONTENT => 0,
            _ => have,
        };
        let file = match &response {
            Some(_) => Some(
                private_options()
                    .create(true)
                    .write(true)
                    .append(kept > 0)
                    .truncate(kept == 0)
                    .open(part)
                    .map_err(file_error)?,
            ),
            None => None,
        };
        let (to_file, writing) = spawn_tap((), part, 0, file);
        let (to_tap, tapping) = spawn_tap(tap, part, kept, None);
        let received = match response {
            None => {
                on_progress(have, have);
                Ok(())
            }
            Some(mut response) => {
                let mut done = kept;
                let total = job.size.unwrap_or(0).max(done);
                on_progress(done, total);
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            done += chunk.len() as u64;
                            // The tap only stops early if it failed, the writer if the disk did:
                            // their joins below say so.
                            let _ = to_tap.send(chunk.clone()).await;
                            if to_file.send(chunk).await.is_err() {
                                break Ok(());
                            }
                            on_progress(done, total.max(done));
                        }
                        Ok(None) => break Ok(()),
                        // reqwest calls a body cut off mid-way a decode error; here it is a dropped line.
                        Err(_) => {
                            break Err(ClientError::Network(
                                "the connection dropped during the download".into(),
                            ));
                        }
                    }
                }
            }
        };
        // What arrived is on disk even when the connection dropped: the next run resumes.
        drop((to_file, to_tap));
        join_tap(writing).await?;
        let tap = join_tap(tapping).await?;
        received.map(|()| tap)
    }

    pub async fn devices(&self, child_id: &str) -> Result<Vec<Device>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/devices", seg(child_id))).await
    }

    pub async fn sign_out_device(
        &self,
        child_id: &str,
        device_id: &str,
        idempotency_key: &str,
    ) -> Result<Device, ClientError> {
        let path = format!("/v1/children/{}/devices/{}/sign-out", seg(child_id), seg(device_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn rights_requests(&self, child_id: &str) -> Result<Vec<RightsRequest>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/rights-requests", seg(child_id))).await
    }

    pub async fn create_rights_request(
        &self,
        child_id: &str,
        request: &CreateRightsRequest,
        idempotency_key: &str,
    ) -> Result<RightsRequest, ClientError> {
        let path = format!("/v1/children/{}/rights-requests", seg(child_id));
        self.mutate(Method::POST, &path, Some(to_json(request)?), idempotency_key, None).await
    }

    pub async fn staff_access(&self, child_id: &str) -> Result<Vec<StaffAccess>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/staff-access", seg(child_id))).await
    }

    pub async fn automated_decisions(&self, child_id: &str) -> Result<Vec<AutomatedDecision>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/automated-decisions", seg(child_id))).await
    }

    pub async fn security_notices(&self) -> Result<Vec<SecurityNotice>, ClientError> {
        self.all_pages("/v1/security-notices").await
    }

    pub async fn groups(&self, child_id: &str) -> Result<Vec<Group>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/groups", seg(child_id))).await
    }

    pub async fn leave_group(
        &self,
        child_id: &str,
        group_id: &str,
        idempotency_key: &str,
    ) -> Result<Group, ClientError> {
        let path = format!("/v1/children/{}/groups/{}/leave", seg(child_id), seg(group_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn reports(&self, child_id: &str) -> Result<Vec<Report>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/reports", seg(child_id))).await
    }

    pub async fn create_report(
        &self,
        child_id: &str,
        report: &CreateReport,
        idempotency_key: &str,
    ) -> Result<Report, ClientError> {
        let path = format!("/v1/children/{}/reports", seg(child_id));
        self.mutate(Method::POST, &path, Some(to_json(report)?), idempotency_key, None).await
    }

    /// A JSON call without an Idempotency-Key.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<crate::client::JsonBody>,
    ) -> Result<T, ClientError> {
        let call = |token: &Secret| {
            let request = self.http.request(method.clone(), self.url(path)).bearer_auth(token.expose());
            match &body {
                Some(body) => body.attach(request),
                None => request,
            }
        };
        let response = self.with_token(call).await?;
        crate::client::read_json(response).await
    }

    /// Sends `build(token)`, refreshing the session once after a 401, and returns the open
    /// response for the caller to read.
    async fn with_token(
        &self,
        build: impl Fn(&Secret) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let token = self.access_token().await?;
        match self.open(build(&token)).await {
            Err(ClientError::Provider { status: 401, .. }) => {
                let fresh = self.refresh_after_rejection(&token).await?;
                match self.open(build(&fresh)).await {
                    Err(ClientError::Provider { status: 401, .. }) => {
                        self.forget_session().await?;
                        Err(ClientError::SignInRequired)
                    }
                    other => other,
                }
            }
            other => other,
        }
    }
}

/// Sees the bytes of a download in order, on a thread of its own (see `download_export`).
pub trait ByteTap: Send + 'static {
    fn update(&mut self, bytes: &[u8]);
}

/// No tap.
impl ByteTap for () {
    fn update(&mut self, _: &[u8]) {}
}

/// Chunks a tap may fall behind by (about 10 MiB at most): enough to ride
/// out a thread's turn off the CPU without stalling the download.
const QUEUE: usize = 64;

type TapThread<T> = tokio::task::JoinHandle<std::io::Result<T>>;

/// Starts `tap` on a blocking thread: it first reads the `kept` bytes already in `path` (a resumed
/// download), then every chunk sent to it (bounded: the download waits if it falls behind),
/// appending each to `file` when there is one, which it flushes to the disk at the end. Stops at
/// the first error (a full disk), which its join returns.
fn spawn_tap<T: ByteTap>(
    mut tap: T,
    path: &Path,
    kept: u64,
    mut file: Option<std::fs::File>,
) -> (tokio::sync::mpsc::Sender<bytes::Bytes>, TapThread<T>) {
    use std::io::{Read as _, Write as _};
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<bytes::Bytes>(QUEUE);
    let path = path.to_owned();
    let thread = tokio::task::spawn_blocking(move || {
        if kept > 0 {
            let mut prefix = std::fs::File::open(&path)?.take(kept);
            let mut buffer = vec![0_u8; 256 * 1024];
            loop {
                match prefix.read(&mut buffer)? {
                    0 => break,
                    n => tap.update(&buffer[..n]),
                }
            }
        }
        while let Some(chunk) = chunks.blocking_recv() {
            tap.update(&chunk);
            if let Some(file) = &mut file {
                file.write_all(&chunk)?;
            }
        }
        if let Some(file) = file {
            file.sync_all()?;
        }
        Ok(tap)
    });
    (sender, thread)
}

async fn join_tap<T>(thread: TapThread<T>) -> Result<T, ClientError> {
    match thread.await {
        Ok(Ok(tap)) => Ok(tap),
        Ok(Err(error)) => Err(ClientError::File(error.to_string())),
        Err(error) => Err(ClientError::File(error.to_string())),
    }
}

/// A saved export holds a child's data: the file is the user's alone (0600 on Unix).
fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}
