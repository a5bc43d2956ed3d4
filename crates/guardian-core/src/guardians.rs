//! Co-guardians (flow 10): the child's guardians, invitations, whether one or all must agree to
//! a friend approval, and the decision log every guardian of the child reads. Online: these are
//! the provider's records, read when the guardian looks.

use guardian_domain::{
    Agreement, Answer, CoGuardians, DecisionEntry, GuardianInvite, GuardianMember, Proposal, ProposalKind,
    ProposalStatus, Removal, SentInvite,
};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::decisions::idempotency_key;
use crate::flow::{Planned, Step};
use crate::{CoreError, Engine, Secret};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GuardianMemberView {
    pub id: String,
    pub display_name: String,
    /// Whether this is the signed-in guardian.
    pub you: bool,
    pub joined_at: String,
}

impl From<GuardianMember> for GuardianMemberView {
    fn from(g: GuardianMember) -> Self {
        Self { id: g.id, display_name: g.display_name, you: g.you, joined_at: g.joined_at.to_rfc3339() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SentInviteView {
    pub id: String,
    /// All but the last four digits hidden.
    pub phone_masked: String,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

impl From<SentInvite> for SentInviteView {
    fn from(i: SentInvite) -> Self {
        Self {
            id: i.id,
            phone_masked: i.phone_masked,
            status: i.status,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
        }
    }
}

/// A child's guardians, the agreement rule and the invitations waiting for an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CoGuardiansView {
    pub child_id: String,
    /// `one`: any guardian decides a friend request; `all`: every guardian must approve.
    pub agreement: Agreement,
    pub guardians: Vec<GuardianMemberView>,
    pub invites: Vec<SentInviteView>,
    /// Changes waiting for the other guardians.
    pub proposals: Vec<ProposalView>,
}

impl From<CoGuardians> for CoGuardiansView {
    fn from(c: CoGuardians) -> Self {
        Self {
            child_id: c.child_id,
            agreement: c.agreement,
            guardians: c.guardians.into_iter().map(Into::into).collect(),
            invites: c.invites.into_iter().map(Into::into).collect(),
            proposals: c.proposals.into_iter().map(Into::into).collect(),
        }
    }
}

/// A change that protects the child less, proposed by one guardian: it takes effect once the
/// others accept, or at `takes_effect_at` unless one of them vetoes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProposalView {
    pub id: String,
    pub kind: ProposalKind,
    /// For a removal: the guardian who would be taken off.
    pub guardian_name: Option<String>,
    pub proposed_by: String,
    pub you_proposed: bool,
    pub created_at: String,
    pub takes_effect_at: String,
    pub status: ProposalStatus,
    /// The other guardians who have not answered yet.
    pub awaiting: Vec<String>,
    /// This guardian is one of those asked, and has not answered.
    pub yours_to_answer: bool,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        let open = p.status == ProposalStatus::Open;
        Self {
            awaiting: p
                .answers
                .iter()
                .filter(|a| a.answer == Answer::Awaited)
                .map(|a| a.guardian_name.clone())
                .collect(),
            yours_to_answer: open && p.answers.iter().any(|a| a.you && a.answer == Answer::Awaited),
            id: p.id,
            kind: p.kind,
            guardian_name: p.guardian_name,
            proposed_by: p.proposed_by,
            you_proposed: p.you_proposed,
            created_at: p.created_at.to_rfc3339(),
            takes_effect_at: p.takes_effect_at.to_rfc3339(),
            status: p.status,
        }
    }
}

/// What asking to take a guardian off did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RemovalOutcome {
    /// This guardian left (the child's data has left this computer).
    Removed { guardian: GuardianMemberView },
    /// Taking another guardian off waits for the child's other guardians.
    Proposed { proposal: ProposalView },
}

/// An invitation to become a co-guardian, waiting for this guardian's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InviteView {
    pub id: String,
    pub child_name: String,
    pub invited_by: String,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

impl From<GuardianInvite> for InviteView {
    fn from(i: GuardianInvite) -> Self {
        Self {
            id: i.id,
            child_name: i.child_name,
            invited_by: i.invited_by,
            status: i.status,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
        }
    }
}

/// Who decided what about the child, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DecisionEntryView {
    pub id: String,
    pub guardian_name: String,
    pub you: bool,
    /// e.g. `friend_request_approved`, `approval_recorded`, `pin_used`, `contact_blocked`,
    /// `agreement_changed`, `guardian_joined`.
    pub action: String,
    pub subject: String,
    pub at: String,
}

impl From<DecisionEntry> for DecisionEntryView {
    fn from(e: DecisionEntry) -> Self {
        Self {
            id: e.id,
            guardian_name: e.guardian_name,
            you: e.you,
            action: e.action,
            subject: e.subject,
            at: e.at.to_rfc3339(),
        }
    }
}

impl Engine {
    pub async fn co_guardians(&self, child: &str) -> Result<CoGuardiansView, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.client.co_guardians(&child.id).await?.into())
    }

    /// Invites an adult by phone number to become one of the child's guardians.
    pub async fn invite_guardian(&self, child: &str, phone: &str) -> Result<SentInviteView, CoreError> {
        let child = self.find_child(child).await?;
        let phone: String = phone.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if phone.is_empty() {
            return Err(CoreError::Invalid("enter the phone number of the adult to invite".into()));
        }
        let invite = self.client.invite_guardian(&child.id, &phone, &idempotency_key("invite")).await?;
        self.audit("guardian_invited", &subject_ref("child", &child.id), "sent").await;
        Ok(invite.into())
    }

    /// A guardian who takes themselves off no longer sees the child (its data leaves this
    /// computer's cache with the next sync, done here); taking another guardian off is proposed
    /// to the child's other guardians.
    pub async fn remove_guardian(
        &self,
        child: &str,
        guardian_id: &str,
        pin: &Secret,
    ) -> Result<RemovalOutcome, CoreError> {
        let pin = crate::decisions::guardian_pin(Some(pin))?;
        let child = self.find_child(child).await?;
        let removal =
            self.client.remove_guardian(&child.id, guardian_id, pin, &idempotency_key("remove")).await?;
        let subject = subject_ref("child", &child.id);
        match removal {
            Removal::Removed(left) => {
                self.audit("guardian_removed", &subject, "left").await;
                self.sync().await?;
                Ok(RemovalOutcome::Removed { guardian: left.into() })
            }
            Removal::Proposed(proposal) => {
                self.audit("guardian_removal_proposed", &subject, "proposed").await;
                Ok(RemovalOutcome::Proposed { proposal: proposal.into() })
            }
        }
    }

    /// Accepts (with the child's PIN: it loosens a protection) or vetoes a change another
    /// guardian proposed; vetoing one's own proposal withdraws it.
    pub async fn answer_proposal(
        &self,
        child: &str,
        proposal_id: &str,
        accept: bool,
        pin: Option<&Secret>,
    ) -> Result<ProposalView, CoreError> {
        let child = self.find_child(child).await?;
        let proposal = match accept {
            true => {
                let pin = crate::decisions::guardian_pin(pin)?;
                self.client.accept_proposal(proposal_id, pin, &idempotency_key("proposal-accept")).await?
            }
            false => self.client.veto_proposal(proposal_id, &idempotency_key("proposal-veto")).await?,
        };
        let outcome = if accept { "accepted" } else { "vetoed" };
        self.audit("proposal_answered", &subject_ref("child", &child.id), outcome).await;
        if proposal.status == ProposalStatus::InEffect {
            // A guardian taken off leaves the family's caches with the next sync.
            self.sync().await?;
        }
        Ok(proposal.into())
    }

    /// Sets whether one (`"one"`) or all (`"all"`) of the child's guardians must approve a
    /// friend request.
    pub async fn set_agreement(
        &self,
        child: &str,
        agreement: &str,
        pin: &Secret,
    ) -> Result<CoGuardiansView, CoreError> {
        let pin = crate::decisions::guardian_pin(Some(pin))?;
        let agreement = Agreement::parse(agreement.trim()).ok_or_else(|| {
            CoreError::Invalid(
                "the agreement rule is \"one\" (any guardian) or \"all\" (every guardian)".into(),
            )
        })?;
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(Step::SetAgreement {
                child: crate::flow::child_ref(self, &child.id).await?,
                agreement: agreement.as_str().to_owned(),
                pin: None,
            })))
        };
        let result = self
            .recorded(plan, |_| false, async {
                self.client
                    .set_agreement(&child.id, agreement, pin, &idempotency_key("agreement"))
                    .await
                    .map_err(CoreError::from)
            })
            .await;
        let updated = result?;
        self.audit("agreement_changed", &subject_ref("child", &child.id), agreement.as_str()).await;
        Ok(updated.into())
    }

    /// The child's decision log, newest first.
    pub async fn decision_log(&self, child: &str) -> Result<Vec<DecisionEntryView>, CoreError> {
        let child = self.find_child(child).await?;
        let mut entries = self.client.decision_log(&child.id).await?;
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// Invitations to become a co-guardian, waiting for this guardian's answer.
    pub async fn guardian_invites(&self) -> Result<Vec<InviteView>, CoreError> {
        Ok(self.client.guardian_invites().await?.into_iter().map(Into::into).collect())
    }

    /// Accepts or declines an invitation. Accepting brings the child into the cache, history
    /// included (a fresh snapshot).
    pub async fn answer_invite(&self, invite_id: &str, accept: bool) -> Result<InviteView, CoreError> {
        let plan =
            async || Ok(Some(Planned::Fixed(Step::AnswerInvite { invite: invite_id.to_owned(), accept })));
        self.recorded(plan, |_| false, self.answer_invite_inner(invite_id, accept)).await
    }

    async fn answer_invite_inner(&self, invite_id: &str, accept: bool) -> Result<InviteView, CoreError> {
        let invites = self.client.guardian_invites().await?;
        let invite = invites
            .into_iter()
            .find(|i| i.id == invite_id)
            .ok_or_else(|| CoreError::Invalid("this invitation was answered already or has lapsed".into()))?;
        if accept {
            let child = self.client.accept_invite(&invite.id, &idempotency_key("accept")).await?;
            self.audit("guardian_invite_accepted", &subject_ref("child", &child.id), "joined").await;
            self.snapshot_again().await?;
        } else {
            self.client.decline_invite(&invite.id, &idempotency_key("decline")).await?;
            self.audit("guardian_invite_declined", &subject_ref("child", &invite.child_id), "declined").await;
        }
        let status = if accept { "accepted" } else { "declined" };
        Ok(InviteView { status: status.into(), ..invite.into() })
    }
}
