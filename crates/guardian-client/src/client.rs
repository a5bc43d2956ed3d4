//! One HTTP client, one error mapper, one refresh path.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use guardian_domain::{
    API_VERSION, ApproveRequest, Avatar, AvatarUpload, ChangePage, Child, ChildProfileUpdate,
    ChildSettingsPatch, Clock, Contact, CreateChild, ErrorBody, ErrorCode, FriendRequest, Guardian,
    GuardianCheck, Page, PasswordSignIn, RefreshRequest, SetPin, SmsCodeRequest, SmsCodeSent, SmsSignIn,
    TokenResponse,
};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{ClientError, Secret, SecretStore};

/// Responses larger than this are refused rather than read into memory.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// A request that takes longer than this fails (and a queued decision is retried later).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Refresh this long before the access token expires.
const REFRESH_AHEAD: chrono::Duration = chrono::Duration::seconds(60);
/// The keyring entry that holds the session (both tokens), written as one value.
const SESSION_SECRET: &str = "session";

/// The session as kept in the keyring. Serialised only into a [`Secret`]; zeroed when dropped.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct StoredSession {
    access_token: String,
    #[zeroize(skip)]
    access_expires_at: DateTime<Utc>,
    refresh_token: String,
    guardian_id: String,
    /// The Idempotency-Key of a refresh sent but not answered: the retry carries it, so the
    /// provider knows the same client is asking again (not a stolen token used twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_key: Option<String>,
}

/// The authenticated client for one provider.
pub struct ProviderClient {
    pub(crate) http: reqwest::Client,
    /// For the push stream: no limit on the whole response, only on silence between events.
    stream_http: reqwest::Client,
    base: Url,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    /// The session in memory; the lock makes refresh single-flight.
    session: Mutex<Option<Session>>,
    /// Told of every exchange (method, path, status, time), for flow transcripts.
    recorder: std::sync::Mutex<Option<Recorder>>,
}

/// Receives `(method, path, status, elapsed)` for each request; never headers or bodies.
pub type Recorder = Arc<dyn Fn(&str, &str, u16, Duration) + Send + Sync>;

struct Session {
    access: Secret,
    expires_at: DateTime<Utc>,
    refresh: Secret,
    guardian_id: String,
    /// See [`StoredSession::refresh_key`].
    refresh_key: Option<String>,
}

/// Checks a provider URL: `https`, or `http` only to this machine (loopback).
pub fn validate_provider_url(url: &str) -> Result<Url, ClientError> {
    let parsed = Url::parse(url).map_err(|e| ClientError::InvalidUrl(format!("{url}: {e}")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(ClientError::InvalidUrl(format!(
            "{url}: a provider must use https (plain http is allowed only on this computer)"
        ))),
    }
}

impl ProviderClient {
    pub fn new(
        base_url: &str,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ClientError> {
        Self::with_timeout(base_url, secrets, clock, DEFAULT_TIMEOUT)
    }

    /// As [`Self::new`], with `timeout` for a whole request (connecting gets at most 10 s of it).
    pub fn with_timeout(
        base_url: &str,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let base = validate_provider_url(base_url)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("Guardian/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .read_timeout(timeout.min(Duration::from_secs(30)))
            .timeout(timeout)
            .https_only(base.scheme() == "https")
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            // A redirect would send the body (a password, a refresh token, a PIN) elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        let stream_http = reqwest::Client::builder()
            .user_agent(concat!("Guardian/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // The provider sends a keep-alive at least every 15 s.
            .read_timeout(Duration::from_secs(45))
            .https_only(base.scheme() == "https")
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            // A redirect would send the body (a password, a refresh token, a PIN) elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(Self {
            http,
            stream_http,
            base,
            secrets,
            clock,
            session: Mutex::new(None),
            recorder: Default::default(),
        })
    }

    /// Reports every exchange to `recorder` from now on (flow transcripts).
    pub fn set_recorder(&self, recorder: Option<Recorder>) {
        *self.recorder.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = recorder;
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Loads a session kept in the keyring by an earlier run. Returns whether one was found.
    pub async fn restore_session(&self) -> Result<bool, ClientError> {
        let secrets = self.secrets.clone();
        let stored = blocking(move || secrets.get(SESSION_SECRET)).await?;
        let Some(stored) = stored else { return Ok(false) };
        let Ok(parsed) = serde_json::from_str::<StoredSession>(stored.expose()) else {
            tracing::warn!("stored session unreadable; a new sign-in is needed");
            return Ok(false);
        };
        *self.session.lock().await = Some(Session::from(parsed));
        Ok(true)
    }

    pub async fn is_signed_in(&self) -> bool {
        self.session.lock().await.is_some()
    }

    pub async fn guardian_id(&self) -> Option<String> {
        self.session.lock().await.as_ref().map(|s| s.guardian_id.clone())
    }

    /// Signs in with phone number and password. On failure the stored session is untouched.
    pub async fn sign_in_password(&self, phone: &str, password: &Secret) -> Result<(), ClientError> {
        let body = PasswordSignIn { phone: phone.to_owned(), password: password.expose().to_owned() };
        let request = to_json(&body)?.attach(self.http.post(self.url("/v1/auth/password")));
        let tokens: TokenResponse = match self.send(request).await {
            Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                return Err(ClientError::InvalidCredentials);
            }
            other => other?,
        };
        self.store_tokens(tokens).await
    }

    /// Asks the provider to send a sign-in code by SMS.
    pub async fn request_sms_code(&self, phone: &str) -> Result<SmsCodeSent, ClientError> {
        let body = SmsCodeRequest { phone: phone.to_owned() };
        self.send(to_json(&body)?.attach(self.http.post(self.url("/v1/auth/sms/request")))).await
    }

    /// Signs in with the code sent by SMS. On failure the stored session is untouched.
    pub async fn sign_in_sms(&self, phone: &str, code: &Secret) -> Result<(), ClientError> {
        let body = SmsSignIn { phone: phone.to_owned(), code: code.expose().to_owned() };
        let tokens: TokenResponse =
            match self.send(to_json(&body)?.attach(self.http.post(self.url("/v1/auth/sms/verify")))).await {
                Err(ClientError::Provider { body, .. }) if body.code == ErrorCode::InvalidCredentials => {
                    return Err(ClientError::InvalidCredentials);
                }
                other => other?,
            };
        self.store_tokens(tokens).await
    }

    /// Ends the session at the provider (best effort) and removes the tokens from the keyring.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let access = self.session.lock().await.as_ref().map(|s| s.access.clone());
        if let Some(access) = access {
            let request = self.http.post(self.url("/v1/auth/sign-out")).bearer_auth(access.expose());
            if let Err(error) = self.send_raw(request).await {
                tracing::info!(%error, "provider sign-out failed; removing the local session anyway");
            }
        }
        self.forget_session().await
    }

    /// Forgets the session locally (keyring and memory).
    pub async fn forget_session(&self) -> Result<(), ClientError> {
        *self.session.lock().await = None;
        let secrets = self.secrets.clone();
        blocking(move || secrets.delete(SESSION_SECRET)).await
    }

    pub async fn guardian(&self) -> Result<Guardian, ClientError> {
        self.get_json("/v1/guardian", &[]).await
    }

    /// Every child of the signed-in guardian, following pagination to the end.
    pub async fn children(&self) -> Result<Vec<Child>, ClientError> {
        self.all_pages("/v1/children").await
    }

    /// Every item of a paginated list, following `next_cursor` to the end.
    pub(crate) async fn all_pages<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, ClientError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("limit", "100".to_owned())];
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let page: Page<T> = self.get_json(path, &query).await?;
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Listens to the provider's push stream (`GET /v1/events`), calling `on_event` with each
    /// event's name (`ready` once subscribed, then `changes` whenever changes are waiting).
    /// Returns when the stream ends; the caller reconnects.
    pub async fn watch_events(&self, mut on_event: impl FnMut(&str) + Send) -> Result<(), ClientError> {
        const MAX_LINE: usize = 64 * 1024;
        let token = self.access_token().await?;
        let mut response = self
            .stream_http
            .get(self.url("/v1/events"))
            .bearer_auth(token.expose())
            .header("Accept", "text/event-stream")
            .header("Guardian-Api-Version", API_VERSION)
            .send()
            .await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            // Refresh (or learn that the session is over); the caller reconnects.
            self.refresh_after_rejection(&token).await?;
            return Ok(());
        }
        if !response.status().is_success() {
            let status = response.status().as_u16();
            return Err(ClientError::Network(format!("the push stream answered {status}")));
        }
        let mut buffer = String::new();
        let mut event = String::new();
        while let Some(chunk) = response.chunk().await? {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            if buffer.len() > MAX_LINE {
                return Err(ClientError::TooLarge(MAX_LINE));
            }
            while let Some(end) = buffer.find('\n') {
                let line: String = buffer.drain(..=end).collect();
                let line = line.trim_end_matches(['\r', '\n']);
                if line.is_empty() {
                    if !event.is_empty() {
                        on_event(&event);
                        event.clear();
                    }
                } else if let Some(name) = line.strip_prefix("event:") {
                    name.trim().clone_into(&mut event);
                }
            }
        }
        Ok(())
    }

    /// One page of the change feed; no cursor starts with a full snapshot.
    pub async fn changes(&self, cursor: Option<&str>, limit: u32) -> Result<ChangePage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        self.get_json("/v1/changes", &query).await
    }

    pub async fn approve_request(
        &self,
        child_id: &str,
        request_id: &str,
        pin: Option<&Secret>,
        trial_days: Option<u32>,
        idempotency_key: &str,
    ) -> Result<FriendRequest, ClientError> {
        let body = ApproveRequest { pin: pin.map(|p| p.expose().to_owned()), trial_days };
        let path = format!("/v1/children/{}/friend-requests/{}/approve", seg(child_id), seg(request_id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// Makes a trial friendship a lasting one.
    pub async fn confirm_contact(
        &self,
        child_id: &str,
        contact_id: &str,
        idempotency_key: &str,
    ) -> Result<Contact, ClientError> {
        let path = format!("/v1/children/{}/contacts/{}/confirm", seg(child_id), seg(contact_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn deny_request(
        &self,
        child_id: &str,
        request_id: &str,
        idempotency_key: &str,
    ) -> Result<FriendRequest, ClientError> {
        let path = format!("/v1/children/{}/friend-requests/{}/deny", seg(child_id), seg(request_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    /// Blocks a contact, or unblocks one with the child's PIN (only a guardian lifts a block).
    pub async fn set_contact_blocked(
        &self,
        child_id: &str,
        contact_id: &str,
        blocked: bool,
        pin: Option<&Secret>,
        idempotency_key: &str,
    ) -> Result<Contact, ClientError> {
        let action = if blocked { "block" } else { "unblock" };
        let path = format!("/v1/children/{}/contacts/{}/{action}", seg(child_id), seg(contact_id));
        let body = match blocked {
            true => None,
            false => Some(to_json(&guardian_check(pin))?),
        };
        self.mutate(Method::POST, &path, body, idempotency_key, None).await
    }

    /// Ends a friendship: the contact leaves the child's list.
    pub async fn remove_contact(
        &self,
        child_id: &str,
        contact_id: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/contacts/{}/remove", seg(child_id), seg(contact_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn set_pin(
        &self,
        child_id: &str,
        new_pin: &Secret,
        current_pin: Option<&Secret>,
        reauth_proof: Option<&Secret>,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let body = SetPin {
            new_pin: new_pin.expose().to_owned(),
            current_pin: current_pin.map(|p| p.expose().to_owned()),
            reauth_proof: reauth_proof.map(|p| p.expose().to_owned()),
        };
        let path = format!("/v1/children/{}/pin", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// Changes how the child's friends are approved and/or who can find the child; `version` is
    /// the child's version as last seen (a stale one gets 412 with what the provider now has).
    pub async fn set_child_settings(
        &self,
        child_id: &str,
        patch: &ChildSettingsPatch,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/settings", seg(child_id));
        self.mutate(Method::PATCH, &path, Some(to_json(patch)?), idempotency_key, Some(version)).await
    }

    /// Uploads the child's profile picture; `version` as last seen (412 when stale).
    pub async fn upload_avatar(
        &self,
        child_id: &str,
        upload: &AvatarUpload,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/avatar", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(upload)?), idempotency_key, Some(version)).await
    }

    /// The child's profile picture.
    pub async fn avatar(&self, child_id: &str) -> Result<Avatar, ClientError> {
        self.get_json(&format!("/v1/children/{}/avatar", seg(child_id)), &[]).await
    }

    /// Replaces the child's editable profile; `version` as last seen (412 when stale).
    pub async fn correct_profile(
        &self,
        child_id: &str,
        update: &ChildProfileUpdate,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/profile", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(update)?), idempotency_key, Some(version)).await
    }

    /// Makes a child's account with the guardian's consent under `update.policy_version`.
    pub async fn create_child(
        &self,
        child: &CreateChild,
        idempotency_key: &str,
    ) -> Result<Child, ClientError> {
        self.mutate(Method::POST, "/v1/children", Some(to_json(child)?), idempotency_key, None).await
    }

    // ---- the one request path ----

    pub(crate) fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ClientError> {
        let mut url = self.url(path);
        url.query_pairs_mut().extend_pairs(query);
        self.authorized(&Call { method: Method::GET, url, body: None, idempotency_key: None, if_match: None })
            .await
    }

    /// A mutating call: always with an Idempotency-Key, so a retry can never apply it twice.
    pub(crate) async fn mutate<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<JsonBody>,
        idempotency_key: &str,
        if_match: Option<&str>,
    ) -> Result<T, ClientError> {
        let call =
            Call { method, url: self.url(path), body, idempotency_key: Some(idempotency_key), if_match };
        self.authorized(&call).await
    }

    fn build(&self, call: &Call<'_>, token: &Secret) -> reqwest::RequestBuilder {
        let mut request =
            self.http.request(call.method.clone(), call.url.clone()).bearer_auth(token.expose());
        if let Some(key) = call.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(version) = call.if_match {
            request = request.header("If-Match", format!("\"{version}\""));
        }
        if let Some(body) = &call.body {
            request = body.attach(request);
        }
        request
    }

    /// Sends with the current access token, refreshing ahead of expiry and once after a 401.
    async fn authorized<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, ClientError> {
        let token = self.access_token().await?;
        match self.send(self.build(call, &token)).await {
            Err(ClientError::Provider { status: 401, .. }) => {
                let fresh = self.refresh_after_rejection(&token).await?;
                match self.send(self.build(call, &fresh)).await {
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

    pub(crate) async fn access_token(&self) -> Result<Secret, ClientError> {
        let mut session = self.session.lock().await;
        let Some(current) = session.as_ref() else { return Err(ClientError::SignInRequired) };
        if current.expires_at - REFRESH_AHEAD > self.clock.now() {
            return Ok(current.access.clone());
        }
        let refresh = current.refresh.clone();
        self.refresh_locked(&mut session, &refresh).await
    }

    pub(crate) async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, ClientError> {
        let mut session = self.session.lock().await;
        let Some(current) = session.as_ref() else { return Err(ClientError::SignInRequired) };
        // Another caller refreshed while we waited for the lock: use its token.
        if current.access != *rejected {
            return Ok(current.access.clone());
        }
        let refresh = current.refresh.clone();
        self.refresh_locked(&mut session, &refresh).await
    }

    /// Runs with the session lock held, so concurrent callers wait for this one refresh.
    async fn refresh_locked(
        &self,
        session: &mut Option<Session>,
        refresh: &Secret,
    ) -> Result<Secret, ClientError> {
        // The key goes to the keyring before the refresh is sent: if its answer is lost, the next
        // try (in this process or the next) is known as a retry, and the session survives.
        let key = match session.as_mut() {
            Some(current) if current.refresh_key.is_none() => {
                current.refresh_key = Some(random_key());
                self.persist(current).await?;
                current.refresh_key.clone()
            }
            Some(current) => current.refresh_key.clone(),
            None => None,
        };
        let body = RefreshRequest { refresh_token: refresh.expose().to_owned() };
        let mut request = to_json(&body)?.attach(self.http.post(self.url("/v1/auth/refresh")));
        if let Some(key) = &key {
            request = request.header("Idempotency-Key", key);
        }
        match self.send::<TokenResponse>(request).await {
            Ok(tokens) => {
                let fresh = Session::from_tokens(tokens, self.clock.now());
                // The rotated refresh token is in the keyring before it is ever used.
                self.persist(&fresh).await?;
                let access = fresh.access.clone();
                *session = Some(fresh);
                Ok(access)
            }
            Err(ClientError::Provider { status: 401, .. }) => {
                *session = None;
                let secrets = self.secrets.clone();
                blocking(move || secrets.delete(SESSION_SECRET)).await?;
                Err(ClientError::SignInRequired)
            }
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn store_tokens(&self, tokens: TokenResponse) -> Result<(), ClientError> {
        let fresh = Session::from_tokens(tokens, self.clock.now());
        self.persist(&fresh).await?;
        *self.session.lock().await = Some(fresh);
        Ok(())
    }

    async fn persist(&self, session: &Session) -> Result<(), ClientError> {
        let stored = StoredSession {
            access_token: session.access.expose().to_owned(),
            access_expires_at: session.expires_at,
            refresh_token: session.refresh.expose().to_owned(),
            guardian_id: session.guardian_id.clone(),
            refresh_key: session.refresh_key.clone(),
        };
        let value =
            Secret::new(serde_json::to_string(&stored).map_err(|e| ClientError::Decode(e.to_string()))?);
        let secrets = self.secrets.clone();
        blocking(move || secrets.set(SESSION_SECRET, &value)).await
    }

    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let (_, bytes) = self.send_raw(request).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// Sends a request and reads a bounded body; non-2xx answers become [`ClientError::Provider`].
    pub(crate) async fn send_raw(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let mut response = self.open(request).await?;
        Ok((response.status(), read_bounded(&mut response).await?))
    }

    /// Sends a request and returns the response to be read as a stream when it succeeded;
    /// non-2xx answers become [`ClientError::Provider`].
    pub(crate) async fn open(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let started = std::time::Instant::now();
        let recorder = self.recorder.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let described = recorder.as_ref().and_then(|_| request.try_clone()?.build().ok());
        let sent = request.header("Guardian-Api-Version", API_VERSION).send().await;
        if let (Some(record), Some(req)) = (&recorder, &described) {
            let status = sent.as_ref().map_or(0, |r| r.status().as_u16());
            record(req.method().as_str(), req.url().path(), status, started.elapsed());
        }
        let mut response = sent?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if status.is_redirection() {
            return Err(ClientError::Redirect(status.as_u16()));
        }
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = read_bounded(&mut response).await?;
        let error = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error) => error,
            // A refusal is the API's error body; anything else in front of a 4xx (a proxy's
            // HTML page) is not the provider's answer, so it counts as unavailable. A 401 still
            // means the token was refused.
            Err(_) if status.is_client_error() && !matches!(status.as_u16(), 401 | 408 | 429) => {
                return Err(ClientError::Decode(format!(
                    "the provider answered {status} with something other than the API's error"
                )));
            }
            Err(_) => ErrorBody {
                code: if status.is_server_error() { ErrorCode::Unavailable } else { ErrorCode::Unknown },
                message: format!("the provider answered {status}"),
                request_id: String::new(),
                details: serde_json::Value::Null,
            },
        };
        Err(ClientError::Provider { status: status.as_u16(), body: error, retry_after })
    }
}

/// Reads a bounded JSON body.
pub(crate) async fn read_json<T: DeserializeOwned>(
    mut response: reqwest::Response,
) -> Result<T, ClientError> {
    let bytes = read_bounded(&mut response).await?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
}

async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ClientError::TooLarge(MAX_BODY));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One request, rebuilt as-is if it must be sent again after a refresh.
struct Call<'a> {
    method: Method,
    url: Url,
    body: Option<JsonBody>,
    idempotency_key: Option<&'a str>,
    if_match: Option<&'a str>,
}

/// A path segment with anything but unreserved characters percent-encoded.
pub(crate) fn seg(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A request body, serialised once into memory that is zeroed when its last copy is dropped
/// (a body may hold a password, a PIN, an SMS code or a token). Clones share the bytes.
#[derive(Clone)]
pub(crate) struct JsonBody(bytes::Bytes);

impl JsonBody {
    /// `request` with this body, as JSON.
    pub(crate) fn attach(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header(reqwest::header::CONTENT_TYPE, "application/json").body(self.0.clone())
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<JsonBody, ClientError> {
    let failed = |e: serde_json::Error| ClientError::Decode(e.to_string());
    // Measured first, so the buffer is allocated once: growing would leave a copy behind.
    let mut length = Length(0);
    serde_json::to_writer(&mut length, value).map_err(failed)?;
    let mut buffer = Zeroizing::new(Vec::with_capacity(length.0));
    serde_json::to_writer(&mut *buffer, value).map_err(failed)?;
    debug_assert_eq!(buffer.capacity(), length.0, "the body buffer never grew");
    Ok(JsonBody(bytes::Bytes::from_owner(buffer)))
}

/// The guardian's word for a guardian-only change: the child's PIN.
pub(crate) fn guardian_check(pin: Option<&Secret>) -> GuardianCheck {
    GuardianCheck { pin: pin.map(|p| p.expose().to_owned()), reauth_proof: None }
}

/// A writer that only counts.
struct Length(usize);

impl std::io::Write for Length {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Session {
    /// Takes the tokens (the emptied response is zeroed when dropped).
    fn from_tokens(mut tokens: TokenResponse, now: DateTime<Utc>) -> Self {
        Self {
            access: Secret::new(std::mem::take(&mut tokens.access_token)),
            expires_at: now + chrono::Duration::seconds(tokens.expires_in),
            refresh: Secret::new(std::mem::take(&mut tokens.refresh_token)),
            guardian_id: std::mem::take(&mut tokens.guardian_id),
            refresh_key: None,
        }
    }
}

impl From<StoredSession> for Session {
    fn from(mut s: StoredSession) -> Self {
        Self {
            access: Secret::new(std::mem::take(&mut s.access_token)),
            expires_at: s.access_expires_at,
            refresh: Secret::new(std::mem::take(&mut s.refresh_token)),
            guardian_id: std::mem::take(&mut s.guardian_id),
            refresh_key: s.refresh_key.take(),
        }
    }
}

/// A random 128-bit key in hex.
fn random_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::SecretError> + Send + 'static,
) -> Result<T, ClientError> {
    Ok(crate::off_executor(f).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_providers_are_allowed() {
        for ok in
            ["https://provider.example", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"]
        {
            assert!(validate_provider_url(ok).is_ok(), "{ok} should be allowed");
        }
        for bad in ["http://provider.example", "http://10.0.0.5", "ftp://x", "file:///etc/passwd", "nonsense"]
        {
            assert!(validate_provider_url(bad).is_err(), "{bad} must be refused");
        }
    }
}
