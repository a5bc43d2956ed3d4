//! The flow file: its format, its steps, and how it is read.

use guardian_domain::{Discoverability, FriendApproval};
use serde::{Deserialize, Serialize};

use crate::CoreError;

pub const FLOW_FORMAT: &str = "guardian-flow/1";

/// A flow file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// `guardian-flow/1`.
    pub format: String,
    pub name: String,
    /// The sandbox scenario the flow is written for (when run on the in-process sandbox).
    #[serde(default = "default_scenario")]
    pub scenario: String,
    #[serde(rename = "step", default)]
    pub steps: Vec<Step>,
}

fn default_scenario() -> String {
    "demo-family".into()
}

/// One step. A child, request or contact is named as the guardian sees it, by ID, or as `#N`:
/// the N-th child by name, the N-th incoming request or contact by ID (what recordings use, so
/// no personal data is written down).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Signs in; the scenario's demo guardian when no phone is given.
    SignIn {
        phone: Option<String>,
        password: Option<String>,
    },
    Sync,
    Approve {
        child: String,
        request: String,
        pin: Option<String>,
        /// Approve for a trial of this many days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trial_days: Option<u32>,
    },
    /// Makes a trial friendship a lasting one.
    ConfirmContact {
        child: String,
        contact: String,
    },
    Deny {
        child: String,
        request: String,
    },
    Block {
        child: String,
        contact: String,
    },
    Unblock {
        child: String,
        contact: String,
        /// The child's PIN (the scenario's when none is given; never recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Removes a contact: the friendship ends.
    RemoveContact {
        child: String,
        contact: String,
    },
    Consent {
        child: String,
        purpose: String,
        granted: bool,
    },
    AcknowledgePolicy {
        version: String,
    },
    /// Exports the child's data to a temporary file and verifies it.
    Export {
        child: String,
    },
    RequestDeletion {
        child: String,
        pin: String,
        password: Option<String>,
    },
    CancelDeletion {
        child: String,
    },
    /// Reports one of the child's contacts.
    Report {
        child: String,
        contact: String,
        category: String,
        evidence: String,
    },
    SignOutDevice {
        child: String,
        device: String,
    },
    LeaveGroup {
        child: String,
        group: String,
    },
    ReportGroup {
        child: String,
        group: String,
        category: String,
        evidence: String,
    },
    /// Asks the provider for `access`, a `correction`, an `explanation` or something `other`.
    AskProvider {
        child: String,
        kind: String,
        details: String,
    },
    /// Makes a child's account with the guardian's consent (`consent = false` to see it refused).
    AddChild {
        name: String,
        birthday: String,
        country: Option<String>,
        consent: Option<bool>,
    },
    /// Deletes one category of the child's data (the password defaults to the demo guardian's).
    DeleteData {
        child: String,
        category: String,
        password: Option<String>,
    },
    /// How many items deleting a category would remove now.
    ExpectData {
        child: String,
        category: String,
        items: u32,
    },
    /// Asks the provider to explain one of its automated decisions about the child.
    ExplainDecision {
        child: String,
        decision: String,
    },
    /// At least `at_least` records of staff access to the child's data, the newest with
    /// `approval_ref` when given (`report` stands for the newest report's ID).
    ExpectStaffAccess {
        child: String,
        at_least: usize,
        approval_ref: Option<String>,
    },
    /// Whether `one` guardian decides a friend request or `all` must approve.
    SetAgreement {
        child: String,
        agreement: String,
        /// The child's PIN (the scenario's when none is given; never recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Accepts (or declines) an invitation to look after a child.
    AnswerInvite {
        invite: String,
        accept: bool,
    },
    /// The newest entry of the child's decision log, by any guardian: its action and, when
    /// given, its subject.
    ExpectDecision {
        child: String,
        action: String,
        subject: Option<String>,
    },
    /// Corrects the profile; fields not given stay, an empty one is removed.
    CorrectProfile {
        child: String,
        name: Option<String>,
        country: Option<String>,
        gender: Option<String>,
        birthday: Option<String>,
    },
    /// Sets or changes the child's parental PIN (`current` when one is set).
    SetPin {
        child: String,
        pin: String,
        current: Option<String>,
    },
    /// Resets the PIN with the guardian's password (the scenario's when none is given).
    ResetPin {
        child: String,
        pin: String,
        password: Option<String>,
    },
    /// `pin_required` or `child_may_add`.
    ApprovalMode {
        child: String,
        mode: FriendApproval,
        /// The child's PIN (the scenario's when none is given; never recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Who can find the child: `id_or_phone`, `id_only` or `nobody`.
    Discovery {
        child: String,
        who: Discoverability,
        /// The child's PIN (the scenario's when none is given; never recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Moves the provider's clock (the in-process sandbox, or a sandbox with `--admin`).
    AdvanceClock {
        #[serde(default)]
        days: i64,
        #[serde(default)]
        hours: i64,
    },
    ExpectChildren {
        names: Vec<String>,
    },
    ExpectRequest {
        child: String,
        request: String,
        status: String,
    },
    ExpectContact {
        child: String,
        contact: String,
        status: String,
    },
    ExpectPending {
        count: usize,
    },
    ExpectDeletion {
        child: String,
        status: String,
    },
    ExpectConsent {
        child: String,
        purpose: String,
        granted: bool,
    },
    /// The child's newest report has this status (`submitted`, `reviewing`, `resolved`).
    ExpectReport {
        child: String,
        status: String,
    },
    ExpectDevice {
        child: String,
        device: String,
        signed_in: bool,
    },
    ExpectApprovalMode {
        child: String,
        mode: FriendApproval,
    },
    ExpectDiscovery {
        child: String,
        who: Discoverability,
    },
    /// The newest tracked request of this kind has this status (and, when given, is overdue or not).
    ExpectTracked {
        kind: String,
        status: String,
        overdue: Option<bool>,
    },
    /// The cached profile's country (empty: not given) and, when given, the next age rule.
    ExpectProfile {
        child: String,
        country: String,
        next_rule: Option<String>,
    },
    /// Whether the child is in the group, and (when given) whether it is flagged for members
    /// the guardian never approved.
    ExpectGroup {
        child: String,
        group: String,
        #[serde(default = "yes")]
        member: bool,
        flagged: Option<bool>,
    },
    /// The step before this one failed with this error code (e.g. `provider_error`).
    ExpectError {
        code: String,
    },
}

impl Step {
    /// The step as written, with PINs, passwords and evidence text replaced, for the transcript.
    pub(super) fn redacted(&self) -> Self {
        let hidden = || "[redacted]".to_owned();
        let mut step = self.clone();
        match &mut step {
            Self::SignIn { password: Some(password), .. } => *password = hidden(),
            Self::Approve { pin: Some(pin), .. }
            | Self::Unblock { pin: Some(pin), .. }
            | Self::SetAgreement { pin: Some(pin), .. }
            | Self::ApprovalMode { pin: Some(pin), .. }
            | Self::Discovery { pin: Some(pin), .. } => *pin = hidden(),
            Self::Report { evidence, .. } | Self::ReportGroup { evidence, .. } => *evidence = hidden(),
            Self::AskProvider { details, .. } => *details = hidden(),
            Self::SetPin { pin, current, .. } => {
                *pin = hidden();
                if let Some(current) = current {
                    *current = hidden();
                }
            }
            Self::DeleteData { password: Some(password), .. } => *password = hidden(),
            Self::ResetPin { pin, password, .. } => {
                *pin = hidden();
                if let Some(password) = password {
                    *password = hidden();
                }
            }
            Self::RequestDeletion { pin, password, .. } => {
                *pin = hidden();
                if let Some(password) = password {
                    *password = hidden();
                }
            }
            _ => {}
        }
        step
    }
}

fn yes() -> bool {
    true
}

pub fn parse(text: &str) -> Result<Flow, CoreError> {
    let flow: Flow =
        toml::from_str(text).map_err(|e| CoreError::Invalid(format!("the flow file is not valid: {e}")))?;
    if flow.format != FLOW_FORMAT {
        return Err(CoreError::Invalid(format!(
            "this flow is in format {:?}; this version reads {FLOW_FORMAT:?}",
            flow.format
        )));
    }
    Ok(flow)
}

impl Step {
    pub(super) fn is_expectation(&self) -> bool {
        matches!(
            self,
            Self::ExpectChildren { .. }
                | Self::ExpectRequest { .. }
                | Self::ExpectContact { .. }
                | Self::ExpectPending { .. }
                | Self::ExpectDeletion { .. }
                | Self::ExpectConsent { .. }
                | Self::ExpectReport { .. }
                | Self::ExpectDevice { .. }
                | Self::ExpectDecision { .. }
                | Self::ExpectError { .. }
        )
    }
}
