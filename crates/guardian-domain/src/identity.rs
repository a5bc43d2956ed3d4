//! Signing in with a third-party identity (a simulated authorization-code flow with PKCE and a
//! loopback redirect, as native apps do it: RFC 8252), binding a phone number to a new one, and
//! the guardian's real-name verification status.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use serde::{Deserialize, Serialize};

/// The third parties a guardian may sign in with.
pub const IDENTITY_PROVIDERS: &[&str] = &["wechat", "qq", "apple"];

/// `POST /v1/auth/identities/{provider}/authorize`: where to send the guardian's browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityAuthorize {
    /// A loopback `http://127.0.0.1:PORT/…` address the app listens on.
    pub redirect_uri: String,
    /// BASE64URL(SHA-256(code_verifier)), without padding (PKCE, S256).
    pub code_challenge: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityAuthorization {
    /// The third party's page where the guardian agrees.
    pub authorize_url: String,
    /// Comes back with the code; the app checks it is the one it started.
    pub state: String,
    /// The identity services' hosts the provider sends guardians to (`https` only); a page
    /// anywhere else but the provider's own address is not opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity_hosts: Vec<String>,
}

/// The code the third party sent back, with the PKCE verifier only the app knows.
#[derive(Clone, PartialEq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct IdentityCode {
    pub code: String,
    pub code_verifier: String,
}

impl fmt::Debug for IdentityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentityCode(<redacted>)")
    }
}

/// `POST /v1/auth/identities/bind-phone`: a new third-party identity joins the Guardian account
/// of a phone number, proven with a code sent to it by SMS.
#[derive(Clone, PartialEq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct BindPhone {
    /// From the `phone_binding_required` answer to a sign-in.
    pub binding_token: String,
    pub phone: String,
    pub sms_code: String,
}

impl fmt::Debug for BindPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BindPhone(<redacted>)")
    }
}

/// A third-party identity linked to the guardian's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedIdentity {
    /// `wechat`, `qq` or `apple`.
    pub provider: String,
    /// The name the third party shows for the account.
    pub display_name: String,
    pub linked_at: chrono::DateTime<chrono::Utc>,
}

/// Whether the guardian's real name was verified (optional; required by some regions' rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealNameStatus {
    #[default]
    Unverified,
    Pending,
    Verified,
}

impl RealNameStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Pending => "pending",
            Self::Verified => "verified",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Unverified, Self::Pending, Self::Verified].into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether `uri` is a loopback `http` redirect (the only kind a native app may ask for).
pub fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
    matches!(name, "127.0.0.1" | "[::1]") && port.parse::<u16>().is_ok_and(|p| p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_with_a_port_are_allowed() {
        for ok in ["http://127.0.0.1:8123/callback", "http://[::1]:9000/", "http://127.0.0.1:1"] {
            assert!(is_loopback_redirect(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:8123/",
            "http://localhost:8123/",
            "http://127.0.0.1/",
            "http://127.0.0.1.evil.example:80/",
            "http://evil.example/?127.0.0.1:80",
            "http://127.0.0.1:0/",
            "ftp://127.0.0.1:21/",
        ] {
            assert!(!is_loopback_redirect(bad), "{bad}");
        }
    }
}
