//! `guardian guardians`: a child's co-guardians, invitations, the agreement rule and the
//! decision log.

use clap::Subcommand;
use guardian_core::{Engine, ProposalView, RemovalOutcome};
use guardian_domain::{Agreement, ProposalKind, ProposalStatus};

use crate::transparency::when;

#[derive(Subcommand)]
pub enum GuardiansAction {
    /// Invite an adult, by the phone number they sign in with, to look after the child too.
    Invite {
        /// Your phone number, as you signed up with it (e.g. +8613800000001).
        phone: String,
    },
    /// Take a guardian off the child (your own ID: stop looking after the child yourself).
    Remove {
        /// The co-guardian's ID, as `guardian guardians` lists it.
        guardian_id: String,
    },
    /// Whether `one` guardian decides a friend request or `all` must approve (a denial by any
    /// one guardian always decides).
    Rule {
        /// `one` (one guardian decides) or `all` (every guardian must approve).
        agreement: String,
    },
    /// Who decided what about the child, and when, newest first.
    Log {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Invitations to look after a child, waiting for your answer.
    Invitations {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Accept an invitation: the child appears on this computer too.
    Accept {
        /// The invitation's ID, as `guardian guardians` lists it.
        invite_id: String,
    },
    /// Decline an invitation.
    Decline {
        /// The invitation's ID, as `guardian guardians` lists it.
        invite_id: String,
    },
    /// Accept a change another guardian proposed (the child's PIN is read from the terminal).
    Agree {
        /// The proposal's ID, as `guardian guardians` lists it.
        proposal_id: String,
    },
    /// Veto a change another guardian proposed, or withdraw your own.
    Veto {
        /// The proposal's ID, as `guardian guardians` lists it.
        proposal_id: String,
    },
}

impl GuardiansAction {
    /// Whether the action is about one child (the others are about your invitations).
    pub fn needs_child(action: Option<&Self>) -> bool {
        !matches!(action, Some(Self::Invitations { .. } | Self::Accept { .. } | Self::Decline { .. }))
    }
}

fn rule_words(agreement: Agreement) -> &'static str {
    match agreement {
        Agreement::All => "every guardian must approve a friend request (one denial decides)",
        Agreement::One => "any one guardian decides a friend request",
    }
}

fn proposal_words(p: &ProposalView) -> String {
    let by = if p.you_proposed { "You" } else { p.proposed_by.as_str() };
    let what = match p.kind {
        ProposalKind::RelaxAgreement => format!("{by} proposed that one guardian's approval is enough"),
        ProposalKind::RemoveGuardian => {
            format!("{by} proposed taking {} off", p.guardian_name.as_deref().unwrap_or("a guardian"))
        }
    };
    let waiting = match p.awaiting.is_empty() {
        true => String::new(),
        false => format!("; not answered yet: {}", p.awaiting.join(", ")),
    };
    format!("{what}: in effect on {} unless a guardian vetoes it{waiting}", when(&p.takes_effect_at))
}

pub async fn guardians(
    engine: &Engine,
    child: Option<&str>,
    action: Option<GuardiansAction>,
    json: bool,
) -> anyhow::Result<()> {
    let child = child.unwrap_or_default();
    match action {
        None => {
            let view = engine.co_guardians(child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
                return Ok(());
            }
            println!("Rule: {}.", rule_words(view.agreement));
            println!("Guardians:");
            for g in &view.guardians {
                let you = if g.you { "  (you)" } else { "" };
                println!("  {:<10} {:<24} since {}{you}", g.id, g.display_name, when(&g.joined_at));
            }
            if !view.proposals.is_empty() {
                println!("Proposals waiting for the other guardians (guardian guardians agree|veto ID):");
                for p in &view.proposals {
                    println!("  {}  {}", p.id, proposal_words(p));
                }
            }
            if !view.invites.is_empty() {
                println!("Invitations waiting for an answer:");
                for i in &view.invites {
                    println!("  {}  {}  until {}", i.id, i.phone_masked, when(&i.expires_at));
                }
            }
        }
        Some(GuardiansAction::Invite { phone }) => {
            let invite = engine.invite_guardian(child, &phone).await?;
            println!(
                "Invitation {} sent to {}; it lapses on {} unless they accept.",
                invite.id,
                invite.phone_masked,
                when(&invite.expires_at)
            );
        }
        Some(GuardiansAction::Remove { guardian_id }) => {
            let pin = crate::terminal::read_child_pin(engine, child).await?;
            match engine.remove_guardian(child, &guardian_id, &pin).await? {
                RemovalOutcome::Removed { .. } => {
                    println!("You no longer look after this child; its data has left this computer.");
                }
                RemovalOutcome::Proposed { proposal } => {
                    println!("Proposal {}: {}.", proposal.id, proposal_words(&proposal));
                }
            }
        }
        Some(GuardiansAction::Rule { agreement }) => {
            let pin = crate::terminal::read_child_pin(engine, child).await?;
            let view = engine.set_agreement(child, &agreement, &pin).await?;
            match view.proposals.iter().find(|p| p.you_proposed && p.kind == ProposalKind::RelaxAgreement) {
                Some(p) if view.agreement == Agreement::All => {
                    println!("Proposal {}: {}.", p.id, proposal_words(p))
                }
                _ => println!("From now on {}.", rule_words(view.agreement)),
            }
        }
        Some(GuardiansAction::Log { json }) => {
            let entries = engine.decision_log(child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else if entries.is_empty() {
                println!("No decisions recorded yet.");
            } else {
                for e in entries {
                    let who = if e.you { "you".to_owned() } else { e.guardian_name };
                    println!("{}  {:<24} {:<24} {}", when(&e.at), who, e.action, e.subject);
                }
            }
        }
        Some(GuardiansAction::Invitations { json }) => {
            let invites = engine.guardian_invites().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&invites)?);
            } else if invites.is_empty() {
                println!("No invitations.");
            } else {
                for i in invites {
                    println!(
                        "{}  {} invites you to look after {} (until {})",
                        i.id,
                        i.invited_by,
                        i.child_name,
                        when(&i.expires_at)
                    );
                }
            }
        }
        Some(GuardiansAction::Accept { invite_id }) => {
            let invite = engine.answer_invite(&invite_id, true).await?;
            println!("You now look after {} too.", invite.child_name);
        }
        Some(GuardiansAction::Agree { proposal_id }) => {
            let pin = crate::terminal::read_child_pin(engine, child).await?;
            let p = engine.answer_proposal(child, &proposal_id, true, Some(&pin)).await?;
            match p.status {
                ProposalStatus::InEffect => println!("Everyone accepted: the change is in effect."),
                _ => println!("You accepted. {}.", proposal_words(&p)),
            }
        }
        Some(GuardiansAction::Veto { proposal_id }) => {
            engine.answer_proposal(child, &proposal_id, false, None).await?;
            println!("The proposal is withdrawn: nothing changes.");
        }
        Some(GuardiansAction::Decline { invite_id }) => {
            let invite = engine.answer_invite(&invite_id, false).await?;
            println!("Declined {}'s invitation to look after {}.", invite.invited_by, invite.child_name);
        }
    }
    Ok(())
}
