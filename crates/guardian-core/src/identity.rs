//! Signing in with a third-party identity, as a native app does it (RFC 8252): Guardian listens
//! once on a loopback port, the guardian agrees in their own browser, and the code comes back to
//! that port; PKCE ties the code to this app. A new identity is bound to the account of a phone
//! number proven with an SMS code. The guardian's linked identities and real-name status.

use std::time::Duration;

use base64::Engine as _;
use guardian_client::IdentitySignIn;
use guardian_domain::{IDENTITY_PROVIDERS, LinkedIdentity};
use rand::RngCore as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::{CoreError, Engine, Secret};

/// How long the guardian has to agree in the browser.
const BROWSER_WAIT: Duration = Duration::from_secs(300);

/// The guardian's account as the provider holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountView {
    pub display_name: String,
    pub phone_masked: String,
    /// `unverified`, `pending` or `verified`.
    pub real_name: String,
    pub identities: Vec<IdentityView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IdentityView {
    /// `wechat`, `qq` or `apple`.
    pub provider: String,
    pub display_name: String,
    /// RFC 3339.
    pub linked_at: String,
}

impl From<LinkedIdentity> for IdentityView {
    fn from(i: LinkedIdentity) -> Self {
        Self { provider: i.provider, display_name: i.display_name, linked_at: i.linked_at.to_rfc3339() }
    }
}

/// How a third-party sign-in ended: signed in, or a phone number must be bound first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum IdentityOutcome {
    SignedIn,
    PhoneBindingRequired,
}

fn known(provider: &str) -> Result<&str, CoreError> {
    IDENTITY_PROVIDERS.iter().find(|p| **p == provider).copied().ok_or_else(|| {
        CoreError::Invalid(format!("Guardian signs in with {}", IDENTITY_PROVIDERS.join(", ")))
    })
}

/// One round in the browser: the code the third party sent back, with this round's verifier.
struct Agreed {
    code: Secret,
    verifier: Secret,
}

impl Engine {
    /// Opens the third party's page with `open` (the system browser) and waits for the guardian
    /// to agree there.
    async fn agree_in_browser(&self, provider: &str, open: impl FnOnce(&str)) -> Result<Agreed, CoreError> {
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| CoreError::File(e.to_string()))?;
        let port = listener.local_addr().map_err(|e| CoreError::File(e.to_string()))?.port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let mut random = [0_u8; 32];
        rand::rng().fill_bytes(&mut random);
        let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random);
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let started = self.client.authorize_identity(provider, &redirect, &challenge).await?;
        let url = self
            .client
            .base_url()
            .join(&started.authorize_url)
            .map_err(|e| CoreError::Invalid(e.to_string()))?;
        check_authorize_url(self.client.base_url(), &url, &started.identity_hosts)?;
        open(url.as_str());
        let code =
            tokio::time::timeout(BROWSER_WAIT, receive_code(&listener, &started.state)).await.map_err(
                |_| CoreError::Invalid("no answer came from the browser within 5 minutes; try again".into()),
            )??;
        Ok(Agreed { code, verifier: Secret::new(verifier) })
    }

    /// Signs in with a third-party identity. When no account uses it yet, the answer asks for a
    /// phone number to bind ([`Engine::bind_phone`], after [`Engine::request_sms_code`]).
    pub async fn sign_in_with_identity(
        &self,
        provider: &str,
        open: impl FnOnce(&str),
    ) -> Result<IdentityOutcome, CoreError> {
        let provider = known(provider)?;
        let agreed = self.agree_in_browser(provider, open).await?;
        match self.client.sign_in_identity(provider, &agreed.code, &agreed.verifier).await? {
            IdentitySignIn::SignedIn => {
                self.after_sign_in().await?;
                Ok(IdentityOutcome::SignedIn)
            }
            IdentitySignIn::BindingRequired(token) => {
                *self.binding.lock().await = Some(token);
                Ok(IdentityOutcome::PhoneBindingRequired)
            }
        }
    }

    /// Binds the phone number (with the code sent to it) to the identity that just asked for one,
    /// and signs in.
    pub async fn bind_phone(&self, phone: &str, sms_code: &Secret) -> Result<(), CoreError> {
        let Some(token) = self.binding.lock().await.clone() else {
            return Err(CoreError::Invalid("start again: sign in with the third party first".into()));
        };
        self.client.bind_phone(&token, phone.trim(), &Secret::new(sms_code.expose().trim())).await?;
        self.binding.lock().await.take();
        self.after_sign_in().await
    }

    /// The guardian's account: name, masked phone, real-name status and linked identities.
    pub async fn account(&self) -> Result<AccountView, CoreError> {
        let me = self.client.guardian().await?;
        Ok(AccountView {
            display_name: me.display_name,
            phone_masked: me.phone_masked,
            real_name: me.real_name.as_str().into(),
            identities: me.identities.into_iter().map(Into::into).collect(),
        })
    }

    /// Links a third-party identity to the signed-in guardian (the guardian agrees in the browser).
    pub async fn link_identity(
        &self,
        provider: &str,
        open: impl FnOnce(&str),
    ) -> Result<AccountView, CoreError> {
        let provider = known(provider)?;
        let agreed = self.agree_in_browser(provider, open).await?;
        let key = crate::decisions::idempotency_key("identity");
        let result = self.client.link_identity(provider, &agreed.code, &agreed.verifier, &key).await;
        self.audit("identity_linked", provider, if result.is_ok() { "linked" } else { "refused" }).await;
        result?;
        self.account().await
    }

    pub async fn unlink_identity(&self, provider: &str) -> Result<AccountView, CoreError> {
        let provider = known(provider)?;
        let key = crate::decisions::idempotency_key("identity");
        let result = self.client.unlink_identity(provider, &key).await;
        self.audit("identity_unlinked", provider, if result.is_ok() { "unlinked" } else { "refused" }).await;
        result?;
        self.account().await
    }
}

/// Answers the one browser request that comes back to the loopback port, and returns its code
/// (after checking the state is this round's). Other requests (a favicon) are answered and ignored.
async fn receive_code(listener: &TcpListener, state: &str) -> Result<Secret, CoreError> {
    loop {
        let (mut socket, _) = listener.accept().await.map_err(|e| CoreError::File(e.to_string()))?;
        let mut buffer = vec![0_u8; 8192];
        let read = socket.read(&mut buffer).await.unwrap_or(0);
        let request = String::from_utf8_lossy(&buffer[..read]);
        let target = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let parsed = url::Url::parse(&format!("http://127.0.0.1{target}")).ok();
        let query = |name: &str| {
            parsed
                .as_ref()
                .and_then(|u| u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()))
        };
        let (page, result) = match (parsed.as_ref().map(url::Url::path), query("code"), query("state")) {
            (Some("/callback"), Some(code), Some(got)) if got == state => (
                "You are signed in. You can close this page and go back to Guardian.",
                Some(Ok(Secret::new(code))),
            ),
            (Some("/callback"), _, _) => (
                "This answer was not for Guardian's request. Go back to Guardian and try again.",
                Some(Err(CoreError::Invalid(
                    "the browser's answer did not match this sign-in; try again".into(),
                ))),
            ),
            _ => ("", None),
        };
        let body = format!("<!doctype html><meta charset=\"utf-8\"><title>Guardian</title><p>{page}</p>");
        let response = format!(
            "HTTP/1.1 {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            if result.is_some() { "200 OK" } else { "404 Not Found" },
            body.len()
        );
        let _ = socket.write_all(response.as_bytes()).await;
        if let Some(result) = result {
            return result;
        }
    }
}

/// Opens a page in the guardian's browser: `$BROWSER` when set (as git and most tools do), else
/// the system's opener. The address is printed too, for a terminal without a browser.
/// Whether the page the provider asks to open is one the app may hand to the OS: on the
/// provider's own address (same scheme, host and port), or `https` on an identity host the
/// provider declared. Anything else (`file:`, `search-ms:`, a network share, another site) is
/// refused: the OS opener would run it.
pub(crate) fn check_authorize_url(
    provider: &url::Url,
    page: &url::Url,
    identity_hosts: &[String],
) -> Result<(), CoreError> {
    let same_origin = page.scheme() == provider.scheme()
        && page.host_str() == provider.host_str()
        && page.port_or_known_default() == provider.port_or_known_default();
    let declared = page.scheme() == "https"
        && page.username().is_empty()
        && page.host_str().is_some_and(|host| identity_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)));
    if same_origin || declared {
        return Ok(());
    }
    let shown = match page.host_str() {
        Some(host) => format!("{}://{host}", page.scheme()),
        None => format!("{}:", page.scheme()),
    };
    Err(CoreError::Invalid(format!(
        "the provider asked to open {shown}, which is neither its own address nor an identity service it \
         declared; Guardian did not open it"
    )))
}

pub fn open_in_browser(url: &str) {
    eprintln!("Agree in your browser. If no page opened, open this address:\n  {url}");
    let (program, args): (String, Vec<&str>) = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => (browser, vec![url]),
        _ if cfg!(target_os = "macos") => ("open".into(), vec![url]),
        _ if cfg!(windows) => ("explorer".into(), vec![url]),
        _ => ("xdg-open".into(), vec![url]),
    };
    let spawned = std::process::Command::new(&program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        tracing::info!(%error, "no browser could be started; the address is printed instead");
    }
}

#[cfg(test)]
mod authorize_url_tests {
    use super::check_authorize_url;
    use url::Url;

    fn check(provider: &str, page: &str) -> bool {
        let provider = Url::parse(provider).expect("provider");
        let page = provider.join(page).expect("page");
        check_authorize_url(&provider, &page, &["open.weixin.qq.com".to_owned()]).is_ok()
    }

    #[test]
    fn only_the_providers_own_pages_and_declared_identity_hosts_are_opened() {
        let provider = "https://provider.example/";
        for ok in [
            "/third-party/wechat/authorize?state=x",
            "https://provider.example/identity",
            "https://open.weixin.qq.com/connect/qrconnect?appid=1",
            "https://OPEN.WEIXIN.QQ.COM/connect",
        ] {
            assert!(check(provider, ok), "{ok} may be opened");
        }
        for hostile in [
            "file:///etc/passwd",
            "file://server/share/setup.exe",
            "\\\\server\\share\\setup.exe",
            "search-ms:query=invoice&crumb=location:\\\\evil\\share",
            "ms-msdt:/id PCWDiagnostic",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://open.weixin.qq.com/connect",
            "https://evil.example/login",
            "https://open.weixin.qq.com.evil.example/",
            "https://user@open.weixin.qq.com/",
            "http://provider.example/",
            "https://provider.example:8443/",
            "ftp://provider.example/",
        ] {
            assert!(!check(provider, hostile), "{hostile} must not be opened");
        }
        // A provider on this computer (the sandbox) opens its own loopback pages.
        assert!(check("http://127.0.0.1:5000/", "/third-party/qq/authorize?state=y"));
        assert!(!check("http://127.0.0.1:5000/", "http://127.0.0.1:5001/"));
    }
}
