//! Flow files (`docs/flows.md`): a guardian flow written down as steps and expectations, run
//! headless against a provider, with a transcript for support. The same use cases as the app:
//! a flow that passes here behaves the same for a guardian.

use std::time::Instant;

use guardian_domain::{Discoverability, FriendApproval};
use serde::{Deserialize, Serialize};

use crate::{CoreError, Engine, Reauth, Secret};

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
    fn redacted(&self) -> Self {
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

/// One HTTP exchange, as the transcript shows it (no headers, no bodies: no tokens, no data).
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub millis: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub n: usize,
    pub step: Step,
    pub outcome: String,
    pub error: Option<String>,
    pub millis: u64,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    pub flow: String,
    pub scenario: String,
    pub started_at: String,
    pub steps: Vec<StepRecord>,
    /// `passed`, or why the flow stopped.
    pub result: String,
}

/// What a flow needs besides the engine: moving the provider's clock.
pub trait FlowHost: Send + Sync {
    fn advance_clock(
        &self,
        by: chrono::Duration,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// A sandbox elsewhere, its clock moved through its admin endpoint (`sandbox serve --admin`).
pub struct RemoteSandbox(pub String);

impl FlowHost for RemoteSandbox {
    async fn advance_clock(&self, by: chrono::Duration) -> Result<(), String> {
        guardian_client::advance_sandbox_clock(&self.0, by.num_seconds()).await
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

/// Runs a flow to its end or its first failure. `exchanges` drains the HTTP exchanges made
/// since it was last called.
pub async fn run(
    engine: &Engine,
    host: &impl FlowHost,
    flow: &Flow,
    exchanges: impl Fn() -> Vec<Exchange>,
) -> Transcript {
    let mut transcript = Transcript {
        flow: flow.name.clone(),
        scenario: flow.scenario.clone(),
        started_at: engine.now().to_rfc3339(),
        steps: Vec::new(),
        result: "passed".into(),
    };
    let mut last_error: Option<String> = None;
    let mut known = Known::new();
    for (i, step) in flow.steps.iter().enumerate() {
        let started = Instant::now();
        let outcome = match step {
            Step::ExpectError { code } => match last_error.take() {
                Some(got) if &got == code => Ok(()),
                Some(got) => Err(format!("expected the last step to fail with {code}, it failed with {got}")),
                None => Err(format!("expected the last step to fail with {code}, it succeeded")),
            },
            _ => perform(engine, host, &mut known, step).await,
        };
        let failed_action = outcome.is_err() && !step.is_expectation();
        let (outcome_text, error) = match &outcome {
            Ok(()) => ("ok".to_owned(), None),
            Err(e) => ("failed".to_owned(), Some(e.clone())),
        };
        transcript.steps.push(StepRecord {
            n: i + 1,
            step: step.redacted(),
            outcome: outcome_text,
            error: error.clone(),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            exchanges: exchanges(),
        });
        // An action may fail on purpose when the next step expects it.
        if failed_action && matches!(flow.steps.get(i + 1), Some(Step::ExpectError { .. })) {
            last_error = outcome.err().map(|e| e.split(':').next().unwrap_or_default().to_owned());
            continue;
        }
        if let Some(error) = error {
            transcript.result = format!("step {} failed: {error}", i + 1);
            break;
        }
        last_error = None;
    }
    transcript
}

impl Step {
    fn is_expectation(&self) -> bool {
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

/// `code: message` for an engine error, so `expect_error` can match the code.
fn fail(e: CoreError) -> String {
    format!("{}: {e}", e.code())
}

fn nth(reference: &str) -> Option<usize> {
    reference.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()).filter(|n| *n > 0)
}

/// Children the flow has named so far, so a deleted child can still be referred to.
type Known = std::collections::HashMap<String, String>;

/// A step's PIN, or the scenario's when the flow file gives none.
fn scenario_pin(pin: &Option<String>) -> Secret {
    Secret::new(pin.clone().unwrap_or_else(|| guardian_domain::DEMO_PIN.into()))
}
async fn child_id(engine: &Engine, known: &mut Known, reference: &str) -> Result<String, String> {
    let found = if let Some(n) = nth(reference) {
        let mut children = engine.children().await.map_err(fail)?;
        children.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        children.get(n - 1).map(|c| c.id.clone()).ok_or_else(|| format!("there is no child {reference}"))
    } else {
        engine.find_child(reference).await.map(|c| c.id).map_err(fail)
    };
    match found {
        Ok(id) => {
            known.insert(reference.to_owned(), id.clone());
            Ok(id)
        }
        Err(error) => known.get(reference).cloned().ok_or(error),
    }
}

async fn request_id(engine: &Engine, child: &str, reference: &str) -> Result<String, String> {
    let Some(n) = nth(reference) else { return Ok(reference.to_owned()) };
    let mut ids: Vec<String> = engine
        .friend_requests(child)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|r| r.direction == "incoming")
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids.get(n - 1).cloned().ok_or_else(|| format!("there is no request {reference}"))
}

async fn contact_id(engine: &Engine, child: &str, reference: &str) -> Result<String, String> {
    let Some(n) = nth(reference) else { return Ok(reference.to_owned()) };
    let mut ids: Vec<String> =
        engine.contacts(child).await.map_err(fail)?.into_iter().map(|c| c.contact_id).collect();
    ids.sort();
    ids.get(n - 1).cloned().ok_or_else(|| format!("there is no contact {reference}"))
}

async fn device_id(engine: &Engine, child: &str, reference: &str) -> Result<String, String> {
    let Some(n) = nth(reference) else { return Ok(reference.to_owned()) };
    let mut ids: Vec<String> = engine.devices(child).await.map_err(fail)?.into_iter().map(|d| d.id).collect();
    ids.sort();
    ids.get(n - 1).cloned().ok_or_else(|| format!("there is no device {reference}"))
}

fn check(what: &str, expected: &str, actual: &str) -> Result<(), String> {
    if expected == actual {
        Ok(())
    } else {
        Err(format!("expected {what} to be {expected:?}, it is {actual:?}"))
    }
}

/// What the provider refused is an error for a flow (a guardian would see it as one).
fn decided(outcome: crate::DecisionOutcome) -> Result<(), String> {
    match outcome.state {
        crate::OutcomeState::Refused => Err(format!("refused: {}", outcome.message.unwrap_or_default())),
        crate::OutcomeState::Sent | crate::OutcomeState::Queued | crate::OutcomeState::AwaitingGuardians => {
            Ok(())
        }
    }
}

async fn perform(
    engine: &Engine,
    host: &impl FlowHost,
    known: &mut Known,
    step: &Step,
) -> Result<(), String> {
    match step {
        Step::SignIn { phone, password } => {
            let phone = phone.clone().unwrap_or_else(|| guardian_domain::DEMO_PHONE.into());
            let password =
                Secret::new(password.clone().unwrap_or_else(|| guardian_domain::DEMO_PASSWORD.into()));
            engine.sign_in(&phone, &password).await.map_err(fail)
        }
        Step::Sync => engine.sync().await.map_err(fail),
        Step::Approve { child, request, pin, trial_days } => {
            let child = child_id(engine, known, child).await?;
            let request = request_id(engine, &child, request).await?;
            let pin = pin.clone().map(Secret::new);
            decided(engine.approve_request(&child, &request, pin.as_ref(), *trial_days).await.map_err(fail)?)
        }
        Step::ConfirmContact { child, contact } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            engine.confirm_contact(&child, &contact).await.map(drop).map_err(fail)
        }
        Step::Deny { child, request } => {
            let child = child_id(engine, known, child).await?;
            let request = request_id(engine, &child, request).await?;
            decided(engine.deny_request(&child, &request).await.map_err(fail)?)
        }
        Step::Block { child, contact } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            decided(engine.set_contact_blocked(&child, &contact, true, None).await.map_err(fail)?)
        }
        Step::Unblock { child, contact, pin } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            let pin = scenario_pin(pin);
            decided(engine.set_contact_blocked(&child, &contact, false, Some(&pin)).await.map_err(fail)?)
        }
        Step::RemoveContact { child, contact } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            decided(engine.remove_contact(&child, &contact).await.map_err(fail)?)
        }
        Step::Consent { child, purpose, granted } => {
            let child = child_id(engine, known, child).await?;
            engine.set_consent(&child, purpose, *granted).await.map(drop).map_err(fail)
        }
        Step::AcknowledgePolicy { version } => {
            engine.acknowledge_policy(version).await.map(drop).map_err(fail)
        }
        Step::Export { child } => {
            let child = child_id(engine, known, child).await?;
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            engine
                .export_child(&child, &dir.path().join("export.zip"), "en", |_| {})
                .await
                .map(drop)
                .map_err(fail)
        }
        Step::RequestDeletion { child, pin, password } => {
            let child = child_id(engine, known, child).await?;
            let name = engine.find_child(&child).await.map_err(fail)?.display_name;
            let password = Reauth::Password(Secret::new(
                password.clone().unwrap_or_else(|| guardian_domain::DEMO_PASSWORD.into()),
            ));
            engine
                .request_child_deletion(&child, &name, &password, &Secret::new(pin.clone()))
                .await
                .map(drop)
                .map_err(fail)
        }
        Step::CancelDeletion { child } => {
            let child = child_id(engine, known, child).await?;
            let requests = engine.deletion_requests().await.map_err(fail)?;
            let request = requests
                .iter()
                .find(|r| r.child_id.as_deref() == Some(child.as_str()) && r.status.as_str() == "cooling_off")
                .ok_or("no deletion request of this child is cooling off")?;
            engine.cancel_deletion(&request.id).await.map(drop).map_err(fail)
        }
        Step::AdvanceClock { days, hours } => {
            host.advance_clock(chrono::Duration::days(*days) + chrono::Duration::hours(*hours)).await?;
            // What came due on the provider reaches this computer.
            engine.sync().await.map_err(fail)?;
            engine.settle_deletions().await.map(drop).map_err(fail)
        }
        Step::ExpectChildren { names } => {
            let mut actual: Vec<String> =
                engine.children().await.map_err(fail)?.into_iter().map(|c| c.display_name).collect();
            actual.sort();
            let mut expected = names.clone();
            expected.sort();
            check("the children", &expected.join(", "), &actual.join(", "))
        }
        Step::ExpectRequest { child, request, status } => {
            let child = child_id(engine, known, child).await?;
            let request = request_id(engine, &child, request).await?;
            let requests = engine.friend_requests(&child).await.map_err(fail)?;
            let found = requests.iter().find(|r| r.id == request).ok_or(format!("no request {request}"))?;
            check(&format!("request {request}"), status, &found.status)
        }
        Step::ExpectContact { child, contact, status } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            let contacts = engine.contacts(&child).await.map_err(fail)?;
            // `gone`: the contact is no longer the child's (e.g. a trial friendship that ended).
            match (contacts.iter().find(|c| c.contact_id == contact), status.as_str()) {
                (None, "gone") => Ok(()),
                (None, _) => Err(format!("no contact {contact}")),
                (Some(found), _) => check(&format!("contact {contact}"), status, &found.status),
            }
        }
        Step::ExpectPending { count } => {
            let pending = engine.pending_decisions().await.map_err(fail)?.len();
            check("the number of pending decisions", &count.to_string(), &pending.to_string())
        }
        Step::ExpectDeletion { child, status } => {
            // A deleted child is no longer in the cache; the flow remembers its ID.
            let child_key = child_id(engine, known, child).await?;
            let requests = engine.deletion_requests().await.map_err(fail)?;
            let found = requests
                .iter()
                .find(|r| r.child_id.as_deref() == Some(child_key.as_str()))
                .ok_or(format!("no deletion request for {child}"))?;
            check("the deletion", status, found.status.as_str())
        }
        Step::ExpectConsent { child, purpose, granted } => {
            let child = child_id(engine, known, child).await?;
            let ledger = engine.consents(&child).await.map_err(fail)?;
            let current = ledger
                .current
                .iter()
                .find(|c| c.purpose.as_str() == purpose)
                .ok_or(format!("no consent for {purpose}"))?;
            check(&format!("consent to {purpose}"), &granted.to_string(), &current.granted.to_string())
        }
        Step::Report { child, contact, category, evidence } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            engine.report_contact(&child, &contact, category, evidence, &[]).await.map(drop).map_err(fail)
        }
        Step::SignOutDevice { child, device } => {
            let child = child_id(engine, known, child).await?;
            let device = device_id(engine, &child, device).await?;
            engine.sign_out_device(&child, &device).await.map(drop).map_err(fail)
        }
        Step::LeaveGroup { child, group } => {
            let child = child_id(engine, known, child).await?;
            engine.leave_group(&child, group).await.map(drop).map_err(fail)
        }
        Step::ReportGroup { child, group, category, evidence } => {
            let child = child_id(engine, known, child).await?;
            engine.report_group(&child, group, category, evidence).await.map(drop).map_err(fail)
        }
        Step::ExpectGroup { child, group, member, flagged } => {
            let child = child_id(engine, known, child).await?;
            let groups = engine.groups(&child).await.map_err(fail)?;
            let found = groups.iter().find(|g| g.id == *group);
            check(&format!("membership of {group}"), &member.to_string(), &found.is_some().to_string())?;
            match (found, flagged) {
                (Some(g), Some(flagged)) => {
                    check(&format!("the flag of {group}"), &flagged.to_string(), &g.flagged.to_string())
                }
                _ => Ok(()),
            }
        }
        Step::AskProvider { child, kind, details } => {
            let child = child_id(engine, known, child).await?;
            engine.ask_provider(&child, kind, details).await.map(drop).map_err(fail)
        }
        Step::AddChild { name, birthday, country, consent } => {
            let child = crate::NewChild {
                display_name: name.clone(),
                birthday: birthday.clone(),
                country: country.clone(),
                gender: None,
                consent: consent.unwrap_or(true),
            };
            engine.add_child(child).await.map(drop).map_err(fail)
        }
        Step::DeleteData { child, category, password } => {
            let child = child_id(engine, known, child).await?;
            let password = Reauth::Password(Secret::new(
                password.clone().unwrap_or_else(|| guardian_domain::DEMO_PASSWORD.into()),
            ));
            engine.delete_data(&child, category, &password).await.map(drop).map_err(fail)
        }
        Step::ExpectData { child, category, items } => {
            let child = child_id(engine, known, child).await?;
            let categories = engine.data_categories(&child).await.map_err(fail)?;
            let found = categories
                .iter()
                .find(|c| c.category == *category)
                .ok_or(format!("no data category {category}"))?;
            check(&format!("the items of {category}"), &items.to_string(), &found.items.to_string())
        }
        Step::ExplainDecision { child, decision } => {
            let child = child_id(engine, known, child).await?;
            engine.explain_decision(&child, decision).await.map(drop).map_err(fail)
        }
        Step::ExpectStaffAccess { child, at_least, approval_ref } => {
            let child = child_id(engine, known, child).await?;
            let records = engine.transparency(&child).await.map_err(fail)?.staff_access;
            if records.len() < *at_least {
                return Err(format!(
                    "expected at least {at_least} staff access records, found {}",
                    records.len()
                ));
            }
            match approval_ref.as_deref() {
                Some("report") => {
                    let reports = engine.reports(&child).await.map_err(fail)?;
                    let newest = reports.iter().max_by(|a, b| a.created_at.cmp(&b.created_at));
                    let want = newest.map_or("", |r| r.id.as_str());
                    check(
                        "the newest access's approval",
                        want,
                        records.first().map_or("", |a| &a.approval_ref),
                    )
                }
                Some(want) => check(
                    "the newest access's approval",
                    want,
                    records.first().map_or("", |a| &a.approval_ref),
                ),
                None => Ok(()),
            }
        }
        Step::ExpectTracked { kind, status, overdue } => {
            let tracked = engine.tracked_requests().await.map_err(fail)?;
            let newest = tracked
                .iter()
                .filter(|r| r.kind == *kind)
                .max_by(|a, b| a.created_at.cmp(&b.created_at))
                .ok_or(format!("no {kind} request"))?;
            check(&format!("the {kind} request"), status, &newest.status)?;
            match overdue {
                Some(overdue) => check("overdue", &overdue.to_string(), &newest.overdue.to_string()),
                None => Ok(()),
            }
        }
        Step::CorrectProfile { child, name, country, gender, birthday } => {
            let child = child_id(engine, known, child).await?;
            let now = engine.child_profile(&child).await.map_err(fail)?;
            let correction = crate::ProfileCorrection {
                display_name: name.clone().unwrap_or(now.display_name),
                country: country.clone().or(now.country),
                gender: gender.clone().or(now.gender),
                birthday: birthday.clone().or(now.birthday),
            };
            engine.correct_child_profile(&child, correction).await.map(drop).map_err(fail)
        }
        Step::ExpectProfile { child, country, next_rule } => {
            let child = child_id(engine, known, child).await?;
            let profile = engine.child_profile(&child).await.map_err(fail)?;
            check("the country", country, profile.country.as_deref().unwrap_or(""))?;
            match next_rule {
                Some(rule) => {
                    let next = profile.thresholds.iter().find(|t| !t.passed).map_or("", |t| t.rule.as_str());
                    check("the next age rule", rule, next)
                }
                None => Ok(()),
            }
        }
        Step::SetPin { child, pin, current } => {
            let child = child_id(engine, known, child).await?;
            let current = current.clone().map(Secret::new);
            engine.set_pin(&child, &Secret::new(pin.clone()), current.as_ref()).await.map_err(fail)
        }
        Step::ResetPin { child, pin, password } => {
            let child = child_id(engine, known, child).await?;
            let password = Reauth::Password(Secret::new(
                password.clone().unwrap_or_else(|| guardian_domain::DEMO_PASSWORD.into()),
            ));
            engine.reset_pin(&child, &Secret::new(pin.clone()), &password).await.map_err(fail)
        }
        Step::ApprovalMode { child, mode, pin } => {
            let child = child_id(engine, known, child).await?;
            engine.set_friend_approval(&child, *mode, &scenario_pin(pin)).await.map_err(fail)
        }
        Step::Discovery { child, who, pin } => {
            let child = child_id(engine, known, child).await?;
            engine.set_discoverability(&child, *who, Some(&scenario_pin(pin))).await.map_err(fail)
        }
        Step::SetAgreement { child, agreement, pin } => {
            let child = child_id(engine, known, child).await?;
            engine.set_agreement(&child, agreement, &scenario_pin(pin)).await.map(drop).map_err(fail)
        }
        Step::AnswerInvite { invite, accept } => {
            engine.answer_invite(invite, *accept).await.map(drop).map_err(fail)
        }
        Step::ExpectDecision { child, action, subject } => {
            let child = child_id(engine, known, child).await?;
            let log = engine.decision_log(&child).await.map_err(fail)?;
            let newest = log.first().ok_or("the decision log is empty")?;
            check("the newest decision", action, &newest.action)?;
            match subject {
                Some(subject) => check("what it was about", subject, &newest.subject),
                None => Ok(()),
            }
        }
        Step::ExpectApprovalMode { child, mode } => {
            let child = child_id(engine, known, child).await?;
            let found = engine.find_child(&child).await.map_err(fail)?;
            check("the approval mode", mode.as_str(), found.friend_approval.as_str())
        }
        Step::ExpectDiscovery { child, who } => {
            let child = child_id(engine, known, child).await?;
            let found = engine.find_child(&child).await.map_err(fail)?;
            check("who can find the child", who.as_str(), found.discoverable_by.as_str())
        }
        Step::ExpectReport { child, status } => {
            let child = child_id(engine, known, child).await?;
            let reports = engine.reports(&child).await.map_err(fail)?;
            let newest = reports.iter().max_by(|a, b| a.created_at.cmp(&b.created_at)).ok_or("no report")?;
            check("the newest report", status, &newest.status)
        }
        Step::ExpectDevice { child, device, signed_in } => {
            let child = child_id(engine, known, child).await?;
            let device = device_id(engine, &child, device).await?;
            let devices = engine.devices(&child).await.map_err(fail)?;
            let found = devices.iter().find(|d| d.id == device).ok_or(format!("no device {device}"))?;
            check(&format!("device {device} signed in"), &signed_in.to_string(), &found.signed_in.to_string())
        }
        Step::ExpectError { .. } => Ok(()),
    }
}

// ---- recording ----

/// The `#N` reference of a child (by name order), as recordings write it.
pub async fn child_ref(engine: &Engine, child_id: &str) -> Result<String, CoreError> {
    let mut children = engine.children().await?;
    children.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let at = children.iter().position(|c| c.id == child_id).unwrap_or(0);
    Ok(format!("#{}", at + 1))
}

/// The `#N` reference of an incoming friend request (by ID order).
pub async fn request_ref(engine: &Engine, child_id: &str, request_id: &str) -> Result<String, CoreError> {
    let mut ids: Vec<String> = engine
        .friend_requests(child_id)
        .await?
        .into_iter()
        .filter(|r| r.direction == "incoming")
        .map(|r| r.id)
        .collect();
    ids.sort();
    Ok(format!("#{}", ids.iter().position(|id| id == request_id).unwrap_or(0) + 1))
}

/// The `#N` reference of a contact (by ID order).
pub async fn contact_ref(engine: &Engine, child_id: &str, contact_id: &str) -> Result<String, CoreError> {
    let mut ids: Vec<String> = engine.contacts(child_id).await?.into_iter().map(|c| c.contact_id).collect();
    ids.sort();
    Ok(format!("#{}", ids.iter().position(|id| id == contact_id).unwrap_or(0) + 1))
}

/// Appends steps to a recording, starting the file (with its header) when it does not exist.
pub fn append_steps(path: &std::path::Path, steps: &[Step]) -> Result<(), CoreError> {
    use std::io::Write as _;
    let file_error = |e: std::io::Error| CoreError::File(e.to_string());
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(file_error)?;
    if new {
        writeln!(
            file,
            "# Recorded by `guardian --record`: names are #N references and the PIN is the sandbox's.\n\
             format = \"{FLOW_FORMAT}\"\nname = \"Recorded session\"\nscenario = \"demo-family\""
        )
        .map_err(file_error)?;
    }
    for step in steps {
        let table = toml::to_string(step).map_err(|e| CoreError::File(e.to_string()))?;
        write!(file, "\n[[step]]\n{table}").map_err(file_error)?;
    }
    Ok(())
}

/// The PIN recordings write: the sandbox's when the real one was accepted, a wrong one when it
/// was refused (so the replay is refused the same way).
pub fn recorded_pin(accepted: bool) -> String {
    if accepted { guardian_domain::DEMO_PIN.into() } else { "0000".into() }
}

/// A step to record, worked out before the action (references can shift after it). The PIN of
/// an approval or a deletion depends on whether the action was accepted.
pub(crate) enum Planned {
    Fixed(Step),
    Approve { child: String, request: String, needs_pin: bool, trial_days: Option<u32> },
    Deletion { child: String },
}

impl Planned {
    /// The recorded steps: the action, and the error it met when it failed.
    pub(crate) fn steps(self, failed: Option<String>) -> Vec<Step> {
        let accepted = failed.is_none();
        let step = match self {
            Self::Fixed(step) => step,
            Self::Approve { child, request, needs_pin, trial_days } => {
                Step::Approve { child, request, pin: needs_pin.then(|| recorded_pin(accepted)), trial_days }
            }
            Self::Deletion { child } => {
                Step::RequestDeletion { child, pin: recorded_pin(accepted), password: None }
            }
        };
        let mut steps = vec![step];
        steps.extend(failed.map(|code| Step::ExpectError { code }));
        steps
    }
}

/// The error code a recording expects after an action: a refusal counts as `refused`.
pub(crate) fn failure_code<T>(result: &Result<T, CoreError>, refused: impl Fn(&T) -> bool) -> Option<String> {
    match result {
        Err(error) => Some(error.code().to_owned()),
        Ok(value) if refused(value) => Some("refused".to_owned()),
        Ok(_) => None,
    }
}

impl Engine {
    /// Starts (with a file) or stops recording what the guardian does, as a flow file.
    pub fn record_session(&self, file: Option<std::path::PathBuf>) {
        *self.recording.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = file;
    }

    pub(crate) fn is_recording(&self) -> bool {
        self.recording.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_some()
    }

    /// Appends a planned step and its outcome to the recording, if one is running.
    pub(crate) fn record(&self, planned: Option<Planned>, failed: Option<String>) {
        let file = self.recording.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let (Some(file), Some(planned)) = (file, planned)
            && let Err(error) = append_steps(&file, &planned.steps(failed))
        {
            tracing::warn!(%error, "could not write the session recording");
        }
    }
}
