//! Playing a flow against a provider, step by step, with a transcript for support.

use std::time::Instant;

use serde::Serialize;

use super::format::{Flow, Step};
use crate::{CoreError, Engine, Reauth, Secret};

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
        .filter(|r| r.direction == guardian_domain::Direction::Incoming)
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
            let purpose = crate::consent_purpose(purpose).map_err(fail)?;
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
            check(&format!("request {request}"), status, found.status.as_str())
        }
        Step::ExpectContact { child, contact, status } => {
            let child = child_id(engine, known, child).await?;
            let contact = contact_id(engine, &child, contact).await?;
            let contacts = engine.contacts(&child).await.map_err(fail)?;
            // `gone`: the contact is no longer the child's (e.g. a trial friendship that ended).
            match (contacts.iter().find(|c| c.contact_id == contact), status.as_str()) {
                (None, "gone") => Ok(()),
                (None, _) => Err(format!("no contact {contact}")),
                (Some(found), _) => check(&format!("contact {contact}"), status, found.status.as_str()),
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
            let category = crate::report_category(category).map_err(fail)?;
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
            let category = crate::report_category(category).map_err(fail)?;
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
