use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Sign in with phone number and password (`POST /v1/auth/password`).
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct PasswordSignIn {
    pub phone: String,
    pub password: String,
}

/// Ask for a sign-in code by SMS (`POST /v1/auth/sms/request`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsCodeRequest {
    pub phone: String,
}

/// The same answer whether or not the phone number has an account (nothing about who has one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmsCodeSent {
    /// When the code stops working.
    pub expires_at: DateTime<Utc>,
    /// When another code may be asked for.
    pub resend_after: DateTime<Utc>,
}

/// Sign in with the code sent by SMS (`POST /v1/auth/sms/verify`).
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct SmsSignIn {
    pub phone: String,
    pub code: String,
}

impl fmt::Debug for SmsSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsSignIn").finish_non_exhaustive()
    }
}

impl fmt::Debug for PasswordSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordSignIn").finish_non_exhaustive()
    }
}

/// Exchange a refresh token for a new pair (`POST /v1/auth/refresh`). Refresh tokens rotate:
/// each can be used once, and reusing one revokes its whole family.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

impl fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshRequest(<redacted>)")
    }
}

/// The tokens a successful sign-in or refresh returns.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    #[zeroize(skip)]
    pub expires_in: i64,
    pub guardian_id: String,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("guardian_id", &self.guardian_id)
            .finish_non_exhaustive()
    }
}

/// The signed-in guardian (`GET /v1/guardian`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guardian {
    pub id: String,
    pub display_name: String,
    /// The phone number with all but the last four digits masked.
    pub phone_masked: String,
    /// Third-party identities the guardian may also sign in with.
    #[serde(default)]
    pub identities: Vec<crate::LinkedIdentity>,
    #[serde(default)]
    pub real_name: crate::RealNameStatus,
}

/// How a child's new friends are approved (promise 2, docs/policy-promises.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FriendApproval {
    /// The guardian's 4-digit PIN approves each request.
    PinRequired,
    /// The child adds and accepts friends alone; the guardian still sees, blocks and removes.
    ChildMayAdd,
}

impl FriendApproval {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PinRequired => "pin_required",
            Self::ChildMayAdd => "child_may_add",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pin_required" => Some(Self::PinRequired),
            "child_may_add" => Some(Self::ChildMayAdd),
            _ => None,
        }
    }
}

/// Optional demographics: present only when the guardian chose to give them (promise 1,
/// docs/policy-promises.md). Contacts never see any of these (promise 3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Demographics {
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub birthday: Option<NaiveDate>,
}

/// A child account as the provider holds it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Child {
    pub id: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub friend_approval: FriendApproval,
    /// Who can find the child to send a friend request.
    #[serde(default)]
    pub discoverable_by: crate::Discoverability,
    #[serde(default)]
    pub demographics: Demographics,
    /// Friend requests waiting for the guardian.
    pub pending_requests: u32,
    /// Opaque version, also sent as the resource's `ETag`.
    pub version: String,
    pub updated_at: DateTime<Utc>,
}

// Child data is personal: Debug shows only the ID.
impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child").field("id", &self.id).finish_non_exhaustive()
    }
}

/// One page of a list. `next_cursor` is opaque; absent on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Query parameters of every list endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorBody, ErrorCode};

    #[test]
    fn debug_output_hides_secrets_and_personal_data() {
        let tokens = TokenResponse {
            access_token: "at-secret".into(),
            refresh_token: "rt-secret".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            guardian_id: "g1".into(),
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "tokens leaked through Debug: {shown}");

        let child = Child {
            id: "c1".into(),
            display_name: "Mei".into(),
            avatar_url: None,
            friend_approval: FriendApproval::PinRequired,
            discoverable_by: crate::Discoverability::IdOnly,
            demographics: Demographics::default(),
            pending_requests: 0,
            version: "1".into(),
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        };
        assert!(!format!("{child:?}").contains("Mei"), "child name leaked through Debug");
        let sign_in = PasswordSignIn { phone: "+8613800000000".into(), password: "pw".into() };
        assert!(!format!("{sign_in:?}").contains("138"), "phone leaked through Debug");
    }

    #[test]
    fn unknown_error_codes_decode_as_unknown() {
        let body: ErrorBody = serde_json::from_str(r#"{"code":"brand_new","message":"m","request_id":"r"}"#)
            .expect("an unknown code still decodes");
        assert_eq!(body.code, ErrorCode::Unknown);
    }
}
