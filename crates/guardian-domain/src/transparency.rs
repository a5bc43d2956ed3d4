//! What the provider tells a guardian about itself (promises 15 and 16, docs/policy-promises.md):
//! when its staff looked at a child's data and why, the automated decisions that affected the
//! child, and security notices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A member of the provider's staff looked at the child's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffAccess {
    pub id: String,
    pub child_id: String,
    /// The role, never the person's name (e.g. `trust_and_safety_reviewer`).
    pub staff_role: String,
    pub accessed_at: DateTime<Utc>,
    /// Why, in words a guardian can read.
    pub purpose: String,
    /// The internal approval that allowed the access (a ticket or report ID).
    pub approval_ref: String,
    /// Which kinds of data were looked at (e.g. `profile`, `contacts`, `reports`).
    pub data_categories: Vec<String>,
}

/// A decision about the child made by a machine, not a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomatedDecision {
    pub id: String,
    pub child_id: String,
    /// e.g. `contact_auto_blocked`, `message_filtered`, `account_limited`.
    pub kind: String,
    /// What happened, in words a guardian can read.
    pub summary: String,
    pub decided_at: DateTime<Utc>,
    /// Whether a person has looked at the decision since.
    pub human_reviewed: bool,
}

/// A notice about the guardian's account or the service's security.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityNotice {
    pub id: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub title: String,
    pub body: String,
    pub published_at: DateTime<Utc>,
}
