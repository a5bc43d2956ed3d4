//! Data rights: re-authentication, account deletion, consent, policy versions and exports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// `POST /v1/auth/reauth`: the guardian proves who they are again, before something
/// irreversible: with the password, or with a code sent by SMS to their own number (for
/// guardians who signed up with a code and have no password). Exactly one of the two.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Reauthenticate {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "string_if_sent")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "string_if_sent")]
    pub sms_code: Option<String>,
    /// The one action the proof will be good for.
    #[zeroize(skip)]
    pub purpose: ReauthPurpose,
}

/// A field that may be left out but, when sent, is a string (never `null`).
fn string_if_sent<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

/// What a re-authentication proof is for: a proof works once, and only for its purpose (one
/// taken to reset a PIN cannot delete an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReauthPurpose {
    ResetPin,
    DeleteChild,
    DeleteAccount,
    AgreeToDeletion,
    DeleteData,
    /// A guardian-only change to a child with no parental PIN yet (see `GuardianCheck`).
    ChangeProtection,
}

impl ReauthPurpose {
    pub const ALL: [Self; 6] = [
        Self::ResetPin,
        Self::DeleteChild,
        Self::DeleteAccount,
        Self::AgreeToDeletion,
        Self::DeleteData,
        Self::ChangeProtection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPin => "reset_pin",
            Self::DeleteChild => "delete_child",
            Self::DeleteAccount => "delete_account",
            Self::AgreeToDeletion => "agree_to_deletion",
            Self::DeleteData => "delete_data",
            Self::ChangeProtection => "change_protection",
        }
    }
}

/// A short-lived proof of a fresh re-authentication, sent with the sensitive request.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct ReauthProof {
    pub proof: String,
    #[zeroize(skip)]
    pub expires_at: DateTime<Utc>,
}

/// What the provider keeps after a deletion, for how long and why (from the provider, never
/// hard-coded in the client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionNote {
    pub category: String,
    pub what: String,
    /// `None` while a legal hold lasts.
    pub kept_for_days: Option<u32>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletionStatus {
    /// Waiting out the cooling-off period; may still be cancelled.
    CoolingOff,
    Cancelled,
    Completed,
}

impl DeletionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CoolingOff => "cooling_off",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::CoolingOff, Self::Cancelled, Self::Completed].into_iter().find(|v| v.as_str() == s)
    }
}

/// `POST /v1/children/{id}/deletion`: needs a fresh re-authentication and the child's PIN.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct RequestChildDeletion {
    pub reauth_proof: String,
    pub pin: String,
}

/// `POST /v1/guardian/deletion`: the guardian's own account.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct RequestGuardianDeletion {
    pub reauth_proof: String,
}

/// A deletion request and, once completed, its receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletionRequest {
    pub id: String,
    /// `child` or `guardian`.
    pub subject: String,
    pub child_id: Option<String>,
    pub status: DeletionStatus,
    pub requested_at: DateTime<Utc>,
    /// Until then the request can be cancelled and nothing is deleted.
    pub cooling_off_until: DateTime<Utc>,
    /// The provider's deadline to complete it (15 days: promise 11, docs/policy-promises.md).
    pub due_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// What was deleted (categories); filled in on completion.
    #[serde(default)]
    pub deleted: Vec<String>,
    /// What the provider keeps, for how long and why.
    #[serde(default)]
    pub retained: Vec<RetentionNote>,
    /// Where all of a child's guardians must agree: each other guardian's answer. Nothing is
    /// deleted until every one has agreed; one refusal cancels the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<DeletionAgreement>,
    /// The guardian who asked, when it was not the one reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
}

/// One co-guardian's answer to a request to delete a child's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletionAgreement {
    pub guardian_name: String,
    /// Whether this is the guardian reading.
    pub you: bool,
    /// `awaited`, `agreed` or `refused`.
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
}

/// `POST /v1/deletion-requests/{id}/agree`: a co-guardian agrees, after re-authenticating.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct AgreeToDeletion {
    pub reauth_proof: String,
}

impl std::fmt::Debug for AgreeToDeletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgreeToDeletion").finish_non_exhaustive()
    }
}

/// The purposes a guardian consents to separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    Analytics,
    SmsVerification,
    CrashReporting,
    CrossBorderTransfer,
}

impl ConsentPurpose {
    pub const ALL: [Self; 4] =
        [Self::Analytics, Self::SmsVerification, Self::CrashReporting, Self::CrossBorderTransfer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analytics => "analytics",
            Self::SmsVerification => "sms_verification",
            Self::CrashReporting => "crash_reporting",
            Self::CrossBorderTransfer => "cross_border_transfer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One grant or withdrawal; the ledger keeps every one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub at: DateTime<Utc>,
    /// The policy version in force when the choice was made.
    pub policy_version: String,
}

/// A child's consents now and their full history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentLedger {
    pub child_id: String,
    pub current: Vec<ConsentEvent>,
    pub history: Vec<ConsentEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetConsent {
    pub granted: bool,
}

/// A version of the provider's privacy policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub version: String,
    pub published_at: DateTime<Utc>,
    pub effective_at: DateTime<Utc>,
    /// A major change is announced prominently, before it takes effect.
    pub major: bool,
    pub summary: String,
    pub text: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Preparing,
    Ready,
    Failed,
}

/// An export job: the provider prepares an archive of one child's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    pub id: String,
    pub child_id: String,
    pub status: ExportStatus,
    /// 0 to 100.
    pub progress: u8,
    pub created_at: DateTime<Utc>,
    /// Set when ready: the archive's size in bytes and SHA-256 (hex), which names this version
    /// of the archive (a resumed download asks for the rest of the same one).
    pub size: Option<u64>,
    pub sha256: Option<String>,
    /// Set when ready: the SHA-256 (hex) of the archive's `manifest.json`. The manifest holds the
    /// SHA-256 of every other file, so checking it and them checks all the archive holds, without
    /// a second pass over every byte for the whole file's checksum.
    #[serde(default)]
    pub manifest_sha256: Option<String>,
}

/// `manifest.json` at the root of every export archive (see `docs/export-format.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportManifest {
    /// `guardian-export/1`.
    pub format: String,
    pub child_id: String,
    pub created_at: DateTime<Utc>,
    pub files: Vec<ManifestEntry>,
    /// What is left out on purpose, and why.
    pub excluded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The archive format this build reads and the sandbox writes.
pub const EXPORT_FORMAT: &str = "guardian-export/1";

/// One of the child's devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    pub child_id: String,
    pub name: String,
    pub platform: String,
    pub last_seen: DateTime<Utc>,
    pub signed_in: bool,
}

/// What a guardian may ask the provider for, beyond the self-serve flows (export, consent,
/// deletion), the guardian's rights (access, correction, explanation: promise 13, docs/policy-promises.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightsRequestKind {
    /// A copy of data not in the export (e.g. records of staff access).
    Access,
    /// Correct data the guardian cannot change in the app.
    Correction,
    /// Explain an automated decision that affected the child.
    Explanation,
    Other,
}

impl RightsRequestKind {
    pub const ALL: [Self; 4] = [Self::Access, Self::Correction, Self::Explanation, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Correction => "correction",
            Self::Explanation => "explanation",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `POST /v1/children/{id}/rights-requests`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRightsRequest {
    pub kind: RightsRequestKind,
    /// What the guardian asks, in their words (at most 2,000 characters).
    pub details: String,
}

/// A rights request and where it stands; `receipt` is the provider's answer once completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RightsRequest {
    pub id: String,
    pub child_id: String,
    pub kind: RightsRequestKind,
    pub details: String,
    /// `received`, `in_progress` or `completed`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// The provider answers within 15 days (promise 11, docs/policy-promises.md).
    pub due_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub receipt: Option<String>,
}

/// Someone in a group the child is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: String,
    pub display_name: String,
    /// Whether the member is one of the child's approved contacts (one the guardian let in).
    pub approved_contact: bool,
}

/// A group chat the child is in, with its other members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub child_id: String,
    pub name: String,
    pub members: Vec<GroupMember>,
    pub joined_at: DateTime<Utc>,
}

/// Why a contact or group is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReportCategory {
    Harassment,
    Bullying,
    SexualContent,
    Violence,
    Impersonation,
    Other,
}

impl ReportCategory {
    pub const ALL: [Self; 6] = [
        Self::Harassment,
        Self::Bullying,
        Self::SexualContent,
        Self::Violence,
        Self::Impersonation,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Harassment => "harassment",
            Self::Bullying => "bullying",
            Self::SexualContent => "sexual_content",
            Self::Violence => "violence",
            Self::Impersonation => "impersonation",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// An image attached as evidence (PNG or JPEG, base64).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceImage {
    pub content_type: String,
    pub data_base64: String,
}

/// `POST /v1/children/{id}/reports`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    /// `contact` or `group`.
    pub target_kind: String,
    pub target_id: String,
    pub category: ReportCategory,
    pub evidence_text: String,
    #[serde(default)]
    pub images: Vec<EvidenceImage>,
}

/// A report filed on the child's behalf, with its case status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub child_id: String,
    pub target_kind: String,
    pub target_id: String,
    pub category: ReportCategory,
    pub evidence_text: String,
    pub image_count: u32,
    /// `submitted`, `reviewing` or `resolved`.
    pub status: String,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The provider answers within 15 days of filing.
    pub due_at: DateTime<Utc>,
}

/// What a guardian can delete from a child's data one kind at a time, keeping the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Daily use of features, call minutes and games played.
    Activity,
    /// The optional country, gender and birthday.
    Demographics,
    Avatar,
    /// How often the child messaged and called each contact (the contacts themselves stay).
    ContactHistory,
    /// Reports the provider has finished with.
    ResolvedReports,
}

impl DataCategory {
    pub const ALL: [Self; 5] =
        [Self::Activity, Self::Demographics, Self::Avatar, Self::ContactHistory, Self::ResolvedReports];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Demographics => "demographics",
            Self::Avatar => "avatar",
            Self::ContactHistory => "contact_history",
            Self::ResolvedReports => "resolved_reports",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Something the provider keeps when data is deleted, why, and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptNote {
    pub what: String,
    pub why: String,
    /// `None`: as long as the account exists.
    pub retention_days: Option<u32>,
}

/// `GET /v1/children/{id}/data-categories`: what deleting a category would remove and keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCategoryPreview {
    pub category: DataCategory,
    pub description: String,
    /// How many items would be deleted now.
    pub items: u64,
    pub kept: Vec<KeptNote>,
}

/// `POST /v1/children/{id}/data-deletions`: irreversible, so it needs a fresh re-authentication.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct DeleteData {
    #[zeroize(skip)]
    pub category: DataCategory,
    pub reauth_proof: String,
}

/// The receipt of a deletion by category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataDeletionReceipt {
    pub id: String,
    pub child_id: String,
    pub category: DataCategory,
    pub deleted_items: u64,
    pub deleted_at: DateTime<Utc>,
    pub kept: Vec<KeptNote>,
}
