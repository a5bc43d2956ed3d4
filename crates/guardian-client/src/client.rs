//! The client for one provider and its transport: every request goes through `send`/`open` here
//! (bounded bodies, one error mapper, a refresh and one retry on a rejected token). The session
//! is in `session.rs`; the endpoints are in the files named for their area.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use guardian_domain::{API_VERSION, Clock, ErrorBody, ErrorCode, Page};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use zeroize::Zeroizing;

use crate::session::Session;
use crate::{ClientError, Secret, SecretStore};

/// Responses larger than this are refused rather than read into memory.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// A request that takes longer than this fails (and a queued decision is retried later).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The authenticated client for one provider.
pub struct ProviderClient {
    pub(crate) http: reqwest::Client,
    /// For the push stream: no limit on the whole response, only on silence between events.
    pub(crate) stream_http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The session in memory; the lock makes refresh single-flight.
    pub(crate) session: Mutex<Option<Session>>,
    /// Told of every exchange (method, path, status, time), for flow transcripts.
    pub(crate) recorder: std::sync::Mutex<Option<Recorder>>,
}

/// Receives `(method, path, status, elapsed)` for each request; never headers or bodies.
pub type Recorder = Arc<dyn Fn(&str, &str, u16, Duration) + Send + Sync>;

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

pub(crate) async fn blocking<T: Send + 'static>(
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
