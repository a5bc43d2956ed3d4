//! The guardian's decisions: written to the outbox first, so none is ever lost, then sent.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a decision does, without its details: how the outbox, the views and the app name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    ApproveRequest,
    DenyRequest,
    BlockContact,
    UnblockContact,
    RemoveContact,
}

impl DecisionKind {
    pub const ALL: [Self; 5] = [
        Self::ApproveRequest,
        Self::DenyRequest,
        Self::BlockContact,
        Self::UnblockContact,
        Self::RemoveContact,
    ];

    /// The name kept in the outbox (the same as the serialised form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApproveRequest => "approve_request",
            Self::DenyRequest => "deny_request",
            Self::BlockContact => "block_contact",
            Self::UnblockContact => "unblock_contact",
            Self::RemoveContact => "remove_contact",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A decision, as queued in the outbox.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    ApproveRequest {
        child_id: String,
        request_id: String,
        pin: Option<String>,
        /// Approved for a trial of this many days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trial_days: Option<u32>,
    },
    DenyRequest {
        child_id: String,
        request_id: String,
    },
    BlockContact {
        child_id: String,
        contact_id: String,
    },
    /// Lifting a block is the guardian's alone: it carries the child's PIN like an approval.
    UnblockContact {
        child_id: String,
        contact_id: String,
        #[serde(default)]
        pin: Option<String>,
    },
    /// Ends the friendship: the contact leaves the child's list.
    RemoveContact {
        child_id: String,
        contact_id: String,
    },
}

impl Decision {
    pub fn kind(&self) -> DecisionKind {
        match self {
            Self::ApproveRequest { .. } => DecisionKind::ApproveRequest,
            Self::DenyRequest { .. } => DecisionKind::DenyRequest,
            Self::BlockContact { .. } => DecisionKind::BlockContact,
            Self::UnblockContact { .. } => DecisionKind::UnblockContact,
            Self::RemoveContact { .. } => DecisionKind::RemoveContact,
        }
    }

    pub fn child_id(&self) -> &str {
        match self {
            Self::ApproveRequest { child_id, .. }
            | Self::DenyRequest { child_id, .. }
            | Self::BlockContact { child_id, .. }
            | Self::UnblockContact { child_id, .. }
            | Self::RemoveContact { child_id, .. } => child_id,
        }
    }

    /// The same decision with any PIN removed, for keeping after it was refused.
    pub fn without_secrets(&self) -> Self {
        match self {
            Self::ApproveRequest { child_id, request_id, trial_days, .. } => Self::ApproveRequest {
                child_id: child_id.clone(),
                request_id: request_id.clone(),
                pin: None,
                trial_days: *trial_days,
            },
            Self::UnblockContact { child_id, contact_id, .. } => {
                Self::UnblockContact { child_id: child_id.clone(), contact_id: contact_id.clone(), pin: None }
            }
            other => other.clone(),
        }
    }

    /// The friend request or contact the decision is about.
    pub fn subject(&self) -> &str {
        match self {
            Self::ApproveRequest { request_id, .. } | Self::DenyRequest { request_id, .. } => request_id,
            Self::BlockContact { contact_id, .. }
            | Self::UnblockContact { contact_id, .. }
            | Self::RemoveContact { contact_id, .. } => contact_id,
        }
    }
}

/// The child's PIN for a change only a guardian may make (approving, unblocking, loosening a
/// protection, the co-guardians' rules): present and four digits, or a clear error before
/// anything is sent.
pub(crate) fn guardian_pin(pin: Option<&crate::Secret>) -> Result<&crate::Secret, crate::CoreError> {
    match pin {
        Some(pin) if guardian_domain::is_valid_pin(pin.expose()) => Ok(pin),
        Some(_) => Err(pin_format_error()),
        None => Err(crate::CoreError::Invalid(format!(
            "enter the child's {}-digit parental PIN: only a guardian may make this change",
            guardian_domain::PIN_DIGITS
        ))),
    }
}

/// A PIN that is not the right number of digits.
pub(crate) fn pin_format_error() -> crate::CoreError {
    crate::CoreError::Invalid(format!("the parental PIN is exactly {} digits", guardian_domain::PIN_DIGITS))
}

// The PIN never reaches a log.
impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision").field("kind", &self.kind()).field("subject", &self.subject()).finish()
    }
}

/// A random 128-bit identifier in hex.
pub(crate) fn random_hex() -> String {
    use rand::Rng as _;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh idempotency key for one `kind` of request (`guardian-consent-…`): the provider applies
/// a request sent again with the same key once.
pub(crate) fn idempotency_key(kind: &str) -> String {
    format!("guardian-{kind}-{}", random_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_and_hide_the_pin() {
        let d = Decision::ApproveRequest {
            child_id: "c".into(),
            request_id: "r".into(),
            pin: Some("4821".into()),
            trial_days: Some(7),
        };
        let json = serde_json::to_string(&d).expect("json");
        assert_eq!(serde_json::from_str::<Decision>(&json).expect("parse"), d);
        assert!(json.contains("\"kind\":\"approve_request\""), "{json}");
        assert!(!format!("{d:?}").contains("4821"), "PIN printed by Debug");
    }
}
