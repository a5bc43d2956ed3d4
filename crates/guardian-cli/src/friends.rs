//! Friend requests and contacts: the decisions a guardian makes about who the child talks to.

use guardian_core::{DecisionKind, DecisionOutcome, Engine, OutcomeState};
use guardian_domain::{FriendApproval, PIN_DIGITS};

use crate::Ending;
use crate::args::{ContactAction, RequestAction};
use crate::children::one_child;
use crate::sync::sync_or_warn;
use crate::terminal::{capitalise, parse_time, read_child_pin, read_secret};
use crate::words::{self, Lang};

/// `guardian requests [approve | deny]`: the child's friend requests.
pub(crate) async fn requests(
    engine: &Engine,
    action: Option<RequestAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    // A decision is queued before anything is asked of the provider: only a listing syncs first.
    if action.is_none() {
        sync_or_warn(engine).await?;
    }
    let child = one_child(engine, child.as_deref()).await?;
    match action {
        None => {
            let requests = engine.friend_requests(&child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&requests)?);
            } else if requests.is_empty() {
                println!("No friend requests.");
            } else {
                println!("{:<8}  {:<9}  {:<9}  {:<24}  NOTE", "ID", "DIRECTION", "STATUS", "FROM / TO");
                for r in requests {
                    let waiting = format!("approved by {}; waiting for the others", r.approved_by.join(", "));
                    let note = match r.queued {
                        Some(DecisionKind::ApproveRequest) => "approval waiting to sync",
                        Some(DecisionKind::DenyRequest) => "denial waiting to sync",
                        Some(_) => "change waiting to sync",
                        _ if !r.approved_by.is_empty() => &waiting,
                        _ => "",
                    };
                    println!(
                        "{:<8}  {:<9}  {:<9}  {:<24}  {note}",
                        r.id,
                        r.direction.as_str(),
                        r.status.as_str(),
                        r.other_name
                    );
                }
            }
        }
        Some(RequestAction::Approve { request_id, trial_days }) => {
            let needs_pin = engine.find_child(&child).await?.friend_approval == FriendApproval::PinRequired;
            let pin = if needs_pin {
                Some(read_secret(&format!("Parental PIN ({PIN_DIGITS} digits): "))?)
            } else {
                None
            };
            let outcome = engine.approve_request(&child, &request_id, pin.as_ref(), trial_days).await?;
            match trial_days {
                Some(days) => report(engine, outcome, &format!("Approved for a {days}-day trial")).await?,
                None => report(engine, outcome, "Approved").await?,
            }
        }
        Some(RequestAction::Deny { request_id }) => {
            report(engine, engine.deny_request(&child, &request_id).await?, "Denied").await?;
        }
    }
    Ok(())
}

/// `guardian contacts [block | unblock | remove | confirm]`: the child's contacts.
pub(crate) async fn contacts(
    engine: &Engine,
    action: Option<ContactAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    if action.is_none() {
        sync_or_warn(engine).await?;
    }
    let child = one_child(engine, child.as_deref()).await?;
    match action {
        None => {
            let contacts = engine.contacts(&child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&contacts)?);
            } else if contacts.is_empty() {
                println!("No contacts.");
            } else {
                println!(
                    "{:<12}  {:<24}  {:<8}  {:>8}  {:>6}  NOTE",
                    "ID", "NAME", "STATUS", "MSGS/7D", "CALLS"
                );
                for c in contacts {
                    let trial = c.trial_until.as_deref().map(|t| format!("trial until {}", &t[..10]));
                    let note = match (&c.queued, &trial) {
                        _ if c.banned_at.is_some() => "banned by the provider",
                        (Some(_), _) => "change waiting to sync",
                        (None, Some(trial)) => trial.as_str(),
                        (None, None) => "",
                    };
                    println!(
                        "{:<12}  {:<24}  {:<8}  {:>8}  {:>6}  {note}",
                        c.contact_id,
                        c.display_name,
                        c.status.as_str(),
                        c.messages_7d,
                        c.calls_7d
                    );
                }
            }
        }
        Some(ContactAction::Block { contact_id }) => {
            report(engine, engine.set_contact_blocked(&child, &contact_id, true, None).await?, "Blocked")
                .await?;
        }
        Some(ContactAction::Unblock { contact_id }) => {
            let pin = read_child_pin(engine, &child).await?;
            report(
                engine,
                engine.set_contact_blocked(&child, &contact_id, false, Some(&pin)).await?,
                "Unblocked",
            )
            .await?;
        }
        Some(ContactAction::Remove { contact_id }) => {
            report(engine, engine.remove_contact(&child, &contact_id).await?, "Removed").await?;
        }
        Some(ContactAction::Confirm { contact_id }) => {
            let contact = engine.confirm_contact(&child, &contact_id).await?;
            println!("{} stays a friend: the trial is over.", contact.display_name);
        }
    }
    Ok(())
}

/// Prints what happened to a decision; a refusal is an error (exit code 6).
pub(crate) async fn report(engine: &Engine, outcome: DecisionOutcome, done: &str) -> anyhow::Result<()> {
    match outcome.state {
        OutcomeState::Sent => println!("{done}."),
        OutcomeState::Queued => {
            let next_try = engine.status().await.next_retry_at.as_deref().and_then(parse_time);
            println!(
                "{}",
                words::kept_for_later(Lang::from_env(), done, outcome.reason.as_deref(), next_try)
            );
        }
        OutcomeState::AwaitingGuardians => println!(
            "{}.",
            capitalise(outcome.message.as_deref().unwrap_or("waiting for the other guardians"))
        ),
        // The provider's refusal in the guardian's language, from its code and facts.
        OutcomeState::Refused => anyhow::bail!(Ending::Refused(match &outcome.refusal {
            Some(refusal) => words::refusal_line(Lang::from_env(), refusal),
            None => words::error_line(
                Lang::from_env(),
                "provider_error",
                outcome.message.as_deref().unwrap_or("the provider refused this"),
            ),
        })),
    }
    Ok(())
}
