//! Data rights over the provider API: re-authentication, deletion, consent, policy versions and
//! exports (with a resumable, streamed download).

use std::path::Path;

use guardian_domain::{
    AgreeToDeletion, AutomatedDecision, ConsentLedger, ConsentPurpose, CreateReport, CreateRightsRequest,
    DataCategory, DataCategoryPreview, DataDeletionReceipt, DeleteData, DeletionRequest, Device, ExportJob,
    Group, PolicyVersion, ReauthProof, Reauthenticate, Report, RequestChildDeletion, RequestGuardianDeletion,
    RetentionNote, RightsRequest, SecurityNotice, SetConsent, StaffAccess,
};
use reqwest::{Method, StatusCode, header};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

impl ProviderClient {
    /// Confirms the password again; the proof is good for a few minutes.
    pub async fn reauthenticate(&self, password: &Secret) -> Result<Secret, ClientError> {
        let body = Reauthenticate { password: password.expose().to_owned() };
        // Not an Idempotency-Key mutation: a proof is worth having twice.
        let proof: ReauthProof = self.call(Method::POST, "/v1/auth/reauth", Some(to_json(&body)?)).await?;
        Ok(Secret::new(proof.proof))
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
        response.json().await.map_err(|e| ClientError::Decode(e.without_url().to_string()))
    }

    pub async fn export_job(&self, id: &str) -> Result<ExportJob, ClientError> {
        self.get_json(&format!("/v1/exports/{}", seg(id)), &[]).await
    }

    /// Downloads an export's archive into `part`, resuming after whatever `part` already holds
    /// (HTTP Range, with `If-Range` so a changed archive starts over). Streams to disk: memory
    /// use does not grow with the archive. Calls `on_progress(bytes_done, bytes_total)`. Returns
    /// the SHA-256 (hex) of the whole file, hashed as it arrives (a resumed download hashes what
    /// it already had first), so checking it needs no second read.
    pub async fn download_export(
        &self,
        job: &ExportJob,
        part: &Path,
        mut on_progress: impl FnMut(u64, u64) + Send,
    ) -> Result<String, ClientError> {
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
        let mut response = match self.with_token(call).await {
            // Already complete: nothing left to fetch.
            Err(ClientError::Provider { status: 416, .. }) if Some(have) == job.size => {
                on_progress(have, have);
                return hash_prefix(part, have).await.map(|h| format!("{:x}", h.finalize()));
            }
            other => other?,
        };
        let resumed = response.status() == StatusCode::PARTIAL_CONTENT;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(part)
            .await
            .map_err(file_error)?;
        let mut done = if resumed { have } else { 0 };
        let mut hasher = if resumed { hash_prefix(part, have).await? } else { Sha256::new() };
        // The checksum is taken on another thread, a few chunks behind the download (bounded).
        let (to_hash, mut chunks) = tokio::sync::mpsc::channel::<bytes::Bytes>(16);
        let hashing = tokio::task::spawn_blocking(move || {
            while let Some(chunk) = chunks.blocking_recv() {
                hasher.update(&chunk);
            }
            hasher
        });
        let total = job.size.unwrap_or(0).max(done);
        on_progress(done, total);
        let received = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    // The hashing thread only stops early if it panicked; the join below says so.
                    let _ = to_hash.send(chunk.clone()).await;
                    file.write_all(&chunk).await.map_err(file_error)?;
                    done += chunk.len() as u64;
                    on_progress(done, total.max(done));
                }
                Ok(None) => break Ok(()),
                // reqwest calls a body cut off mid-way a decode error; here it is a dropped line.
                Err(_) => {
                    break Err(ClientError::Network("the connection dropped during the download".into()));
                }
            }
        };
        // What arrived is kept on disk even when the connection dropped: the next run resumes.
        file.flush().await.map_err(file_error)?;
        file.sync_all().await.map_err(file_error)?;
        drop(to_hash);
        let hasher = hashing.await.map_err(|e| ClientError::File(e.to_string()))?;
        received.map(|()| format!("{:x}", hasher.finalize()))
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
        body: Option<serde_json::Value>,
    ) -> Result<T, ClientError> {
        let call = |token: &Secret| {
            let request = self.http.request(method.clone(), self.url(path)).bearer_auth(token.expose());
            match &body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        let response = self.with_token(call).await?;
        response.json().await.map_err(|e| ClientError::Decode(e.without_url().to_string()))
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

/// The SHA-256 state after the first `len` bytes of `path` (what a resumed download already has).
async fn hash_prefix(path: &Path, len: u64) -> Result<Sha256, ClientError> {
    use tokio::io::AsyncReadExt as _;
    let file = tokio::fs::File::open(path).await.map_err(|e| ClientError::File(e.to_string()))?;
    let mut reader = file.take(len);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 256 * 1024];
    loop {
        let n = reader.read(&mut buffer).await.map_err(|e| ClientError::File(e.to_string()))?;
        if n == 0 {
            return Ok(hasher);
        }
        hasher.update(&buffer[..n]);
    }
}
