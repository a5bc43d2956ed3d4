//! The notification centre: new friend requests (from the cache, offline too), report outcomes,
//! automated decisions, announced policy changes and security notices (from the provider), in
//! one list, newest first, each once (a stable ID), with what the guardian has read kept in the
//! encrypted cache. Front ends word each kind themselves; `subject` and `detail` are the
//! provider's words.

use std::collections::HashSet;

use serde::Serialize;

use crate::{CoreError, Engine};

/// What a notification is about; front ends word each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    FriendRequest,
    TrialEnding,
    ReportOutcome,
    AutomatedDecision,
    PolicyChange,
    SecurityNotice,
    GuardianInvite,
    ProposalRelaxAgreement,
    ProposalRemoveGuardian,
}

impl NotificationKind {
    /// The first part of a notification's stable ID.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FriendRequest => "friend_request",
            Self::TrialEnding => "trial_ending",
            Self::ReportOutcome => "report_outcome",
            Self::AutomatedDecision => "automated_decision",
            Self::PolicyChange => "policy_change",
            Self::SecurityNotice => "security_notice",
            Self::GuardianInvite => "guardian_invite",
            Self::ProposalRelaxAgreement => "proposal_relax_agreement",
            Self::ProposalRemoveGuardian => "proposal_remove_guardian",
        }
    }
}

impl From<guardian_domain::ProposalKind> for NotificationKind {
    fn from(kind: guardian_domain::ProposalKind) -> Self {
        match kind {
            guardian_domain::ProposalKind::RelaxAgreement => Self::ProposalRelaxAgreement,
            guardian_domain::ProposalKind::RemoveGuardian => Self::ProposalRemoveGuardian,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NotificationView {
    /// Stable across runs: `kind:provider-id`.
    pub id: String,
    pub kind: NotificationKind,
    /// The child it is about, to open the right screen; none for the guardian's own notices.
    pub child_id: Option<String>,
    pub child_name: Option<String>,
    /// Who asked, the report's category, the decision, the policy version or the notice's title.
    pub subject: String,
    /// The outcome, the policy's summary of changes or the notice's text.
    pub detail: Option<String>,
    /// RFC 3339.
    pub at: String,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notifications {
    pub items: Vec<NotificationView>,
    pub unread: u32,
    /// False when the provider could not be reached: only what the cache holds is listed.
    pub complete: bool,
}

fn item(
    kind: NotificationKind,
    id: &str,
    child: Option<&crate::ChildSummary>,
    subject: String,
    detail: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
) -> NotificationView {
    NotificationView {
        id: format!("{}:{id}", kind.as_str()),
        kind,
        child_id: child.map(|c| c.id.clone()),
        child_name: child.map(|c| c.display_name.clone()),
        subject,
        detail,
        at: at.to_rfc3339(),
        read: false,
    }
}

impl Engine {
    pub async fn notifications(&self) -> Result<Notifications, CoreError> {
        let store = self.store().await?;
        let children = self.children().await?;
        let mut items = Vec::new();
        for child in &children {
            for r in store.friend_requests(&child.id).await? {
                let waiting = r.status == guardian_domain::RequestStatus::Pending
                    && r.direction == guardian_domain::Direction::Incoming;
                if waiting {
                    items.push(item(
                        NotificationKind::FriendRequest,
                        &r.id,
                        Some(child),
                        r.other_name,
                        None,
                        r.created_at,
                    ));
                }
            }
            // A friendship approved for a trial: listed for when it ends, so it can be kept.
            for c in store.contacts(&child.id).await? {
                if let Some(until) = c.trial_until {
                    items.push(item(
                        NotificationKind::TrialEnding,
                        &c.contact_id,
                        Some(child),
                        c.display_name,
                        None,
                        until,
                    ));
                }
            }
        }
        let online = self.online_notifications(&children).await;
        let complete = online.is_ok();
        if let Err(error) = &online {
            tracing::info!(%error, "the provider's notifications could not be loaded");
        }
        items.extend(online.unwrap_or_default());
        let read: HashSet<String> = store.notifications_read().await?;
        for n in &mut items {
            n.read = read.contains(&n.id);
        }
        items.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        items.dedup_by(|a, b| a.id == b.id);
        let unread = u32::try_from(items.iter().filter(|n| !n.read).count()).unwrap_or(u32::MAX);
        Ok(Notifications { items, unread, complete })
    }

    async fn online_notifications(
        &self,
        children: &[crate::ChildSummary],
    ) -> Result<Vec<NotificationView>, CoreError> {
        let mut items = Vec::new();
        for child in children {
            for r in self.client.reports(&child.id).await? {
                if r.status == "resolved" {
                    let category = r.category.as_str().to_owned();
                    items.push(item(
                        NotificationKind::ReportOutcome,
                        &r.id,
                        Some(child),
                        category,
                        r.outcome,
                        r.created_at,
                    ));
                }
            }
            for d in self.client.automated_decisions(&child.id).await? {
                items.push(item(
                    NotificationKind::AutomatedDecision,
                    &d.id,
                    Some(child),
                    d.summary,
                    None,
                    d.decided_at,
                ));
            }
            for p in self.client.co_guardians(&child.id).await?.proposals {
                let who = p.guardian_name.clone().unwrap_or_else(|| p.proposed_by.clone());
                items.push(item(p.kind.into(), &p.id, Some(child), who, None, p.created_at));
            }
        }
        let policies = self.client.policies().await?;
        let (_, pending) = crate::policy_in_force_and_pending(&policies, self.now());
        if let Some(p) = pending {
            items.push(item(
                NotificationKind::PolicyChange,
                &p.version,
                None,
                p.version.clone(),
                Some(p.summary.clone()),
                p.effective_at,
            ));
        }
        for n in self.client.security_notices().await? {
            items.push(item(
                NotificationKind::SecurityNotice,
                &n.id,
                None,
                n.title,
                Some(n.body),
                n.published_at,
            ));
        }
        for i in self.client.guardian_invites().await? {
            let invite =
                item(NotificationKind::GuardianInvite, &i.id, None, i.invited_by, None, i.created_at);
            items.push(NotificationView { child_name: Some(i.child_name), ..invite });
        }
        Ok(items)
    }

    /// Marks notifications read on this computer.
    pub async fn mark_notifications_read(&self, ids: &[String]) -> Result<(), CoreError> {
        Ok(self.store().await?.mark_notifications_read(ids, self.now()).await?)
    }

    /// Which of `ids` are new to the desktop (to announce with an OS notification), remembering
    /// them in the encrypted cache so each is announced once. The first call announces nothing:
    /// what is already there when Guardian is first used waits in the centre, not in a burst of
    /// pop-ups.
    pub async fn announce(&self, ids: &[String]) -> Result<Vec<String>, CoreError> {
        const KEY: &str = "announced_notifications";
        const KEEP: usize = 1000;
        // Two windows' loads at once must not both find the same item new.
        let _one_at_a_time = self.announcing.lock().await;
        let store = self.store().await?;
        let known: Option<Vec<String>> =
            store.meta(KEY).await?.map(|text| serde_json::from_str(&text).unwrap_or_default());
        let first = known.is_none();
        let mut known = known.unwrap_or_default();
        let seen: HashSet<&String> = known.iter().collect();
        let fresh: Vec<String> = ids.iter().filter(|id| !seen.contains(id)).cloned().collect();
        known.extend(fresh.iter().cloned());
        let excess = known.len().saturating_sub(KEEP);
        known.drain(..excess);
        let text = serde_json::to_string(&known).map_err(|e| CoreError::File(e.to_string()))?;
        store.set_meta(KEY, &text).await?;
        Ok(if first { Vec::new() } else { fresh })
    }
}
