//! Co-guardians: more than one adult looks after a child. Who they are, how they are invited,
//! whether one or all must agree to a friend approval, and the decision log they all can read.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many of a child's guardians must agree before a friend request is approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// Any one guardian decides.
    #[default]
    One,
    /// Every guardian must approve; any one guardian's denial decides.
    All,
}

impl Agreement {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::One => "one",
            Self::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::One, Self::All].into_iter().find(|v| v.as_str() == s)
    }
}

/// One of the child's guardians.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianMember {
    pub id: String,
    pub display_name: String,
    /// Whether this is the guardian asking.
    pub you: bool,
    pub joined_at: DateTime<Utc>,
}

/// An invitation this child's guardians sent, as they see it (the phone number masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentInvite {
    pub id: String,
    pub phone_masked: String,
    /// `pending`, `accepted`, `declined` or `revoked`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A child's guardians, the agreement rule, the invitations and the proposals still open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoGuardians {
    pub child_id: String,
    pub agreement: Agreement,
    pub guardians: Vec<GuardianMember>,
    pub invites: Vec<SentInvite>,
    /// Changes that wait for the other guardians (see [`Proposal`]).
    #[serde(default)]
    pub proposals: Vec<Proposal>,
}

/// What a guardian proposed that the child's other guardians must agree to: it takes effect once
/// each has accepted, or after the notice period ([`crate::PROPOSAL_NOTICE_DAYS`]) unless one
/// vetoes it first. Only a change that protects the child less is proposed; the rest apply at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub child_id: String,
    pub kind: ProposalKind,
    /// For `remove_guardian`: the guardian who would be taken off, and their name.
    pub guardian_id: Option<String>,
    pub guardian_name: Option<String>,
    /// The proposing guardian's display name.
    pub proposed_by: String,
    pub you_proposed: bool,
    pub created_at: DateTime<Utc>,
    pub takes_effect_at: DateTime<Utc>,
    pub status: ProposalStatus,
    /// Each other guardian's answer.
    pub answers: Vec<ProposalAnswer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// From "every guardian must agree" to "one is enough".
    RelaxAgreement,
    /// Taking another guardian off the child.
    RemoveGuardian,
}

impl ProposalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RelaxAgreement => "relax_agreement",
            Self::RemoveGuardian => "remove_guardian",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::RelaxAgreement, Self::RemoveGuardian].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    InEffect,
    Vetoed,
}

/// One other guardian's answer to a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalAnswer {
    pub guardian_name: String,
    pub you: bool,
    pub answer: Answer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Awaited,
    Accepted,
    Vetoed,
}

/// What `POST /v1/children/{id}/guardians/{guardian_id}/remove` did: a guardian left (`200`), or
/// taking another guardian off was proposed to the others (`202`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Removal {
    Proposed(Proposal),
    Removed(GuardianMember),
}

/// `POST /v1/children/{id}/guardians/invites`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteGuardian {
    /// The invited adult's phone number, as they sign in with it.
    pub phone: String,
}

impl fmt::Debug for InviteGuardian {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteGuardian").finish_non_exhaustive()
    }
}

/// `PUT /v1/children/{id}/agreement`.
#[derive(Clone, PartialEq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct SetAgreement {
    #[zeroize(skip)]
    pub agreement: Agreement,
    /// The child's PIN (or a proof, see `GuardianCheck`): only a guardian changes the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reauth_proof: Option<String>,
}

impl std::fmt::Debug for SetAgreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetAgreement").field("agreement", &self.agreement).finish_non_exhaustive()
    }
}

/// An invitation to become a co-guardian, as the invited guardian sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianInvite {
    pub id: String,
    pub child_id: String,
    pub child_name: String,
    /// The display name of the guardian who invited.
    pub invited_by: String,
    /// `pending`, `accepted`, `declined` or `revoked`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One entry of a child's decision log: who decided what, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub id: String,
    pub child_id: String,
    pub guardian_name: String,
    /// Whether the guardian asking made this decision.
    pub you: bool,
    /// e.g. `friend_request_approved`, `approval_recorded`, `contact_blocked`, `guardian_joined`.
    pub action: String,
    /// What it was about, in words (e.g. the other user's display name).
    pub subject: String,
    pub at: DateTime<Utc>,
}
