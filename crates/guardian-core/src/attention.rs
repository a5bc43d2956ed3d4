//! "Needs your attention": one list across all children of what is waiting for the guardian —
//! friend requests (from the cache, offline too), groups with members the guardian never
//! approved, requests the provider answered late and co-guardians' proposals (when the provider
//! can be reached).

use serde::Serialize;

use crate::{CoreError, Engine};

/// What waits for the guardian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    FriendRequest,
    /// A group with members the guardian never approved.
    FlaggedGroup,
    /// A request the provider answered late (or not yet).
    OverdueRequest,
    /// A co-guardian's proposal that one guardian's approval be enough.
    RelaxAgreement,
    /// A co-guardian's proposal to take a guardian off the child.
    RemoveGuardian,
}

impl From<guardian_domain::ProposalKind> for AttentionKind {
    fn from(kind: guardian_domain::ProposalKind) -> Self {
        match kind {
            guardian_domain::ProposalKind::RelaxAgreement => Self::RelaxAgreement,
            guardian_domain::ProposalKind::RemoveGuardian => Self::RemoveGuardian,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttentionItem {
    pub kind: AttentionKind,
    pub child_id: Option<String>,
    pub child_name: Option<String>,
    /// The request, group or tracked request it is about.
    pub id: String,
    /// Who asked, the group's name, or what was asked for.
    pub subject: String,
    /// RFC 3339: when a friend request expires, or when an overdue request was due.
    pub when: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attention {
    pub items: Vec<AttentionItem>,
    /// False when the provider could not be reached: only what the cache holds is listed.
    pub complete: bool,
}

impl Engine {
    pub async fn attention(&self) -> Result<Attention, CoreError> {
        let children = self.children().await?;
        let mut items = Vec::new();
        for child in &children {
            for r in self.friend_requests(&child.id).await? {
                if r.direction == guardian_domain::Direction::Incoming
                    && r.status == guardian_domain::RequestStatus::Pending
                    && r.queued.is_none()
                {
                    items.push(AttentionItem {
                        kind: AttentionKind::FriendRequest,
                        child_id: Some(child.id.clone()),
                        child_name: Some(child.display_name.clone()),
                        id: r.id,
                        subject: r.other_name,
                        when: Some(r.expires_at),
                    });
                }
            }
        }
        let online = self.online_attention(&children).await;
        let complete = online.is_ok();
        items.extend(online.unwrap_or_default());
        Ok(Attention { items, complete })
    }

    async fn online_attention(
        &self,
        children: &[crate::ChildSummary],
    ) -> Result<Vec<AttentionItem>, CoreError> {
        let mut items = Vec::new();
        for child in children {
            for g in self.groups(&child.id).await?.into_iter().filter(|g| g.flagged) {
                items.push(AttentionItem {
                    kind: AttentionKind::FlaggedGroup,
                    child_id: Some(child.id.clone()),
                    child_name: Some(child.display_name.clone()),
                    id: g.id,
                    subject: g.name,
                    when: None,
                });
            }
        }
        for child in children {
            for p in self.client.co_guardians(&child.id).await?.proposals {
                // Proposed by anyone: every guardian of the child sees it until it is settled.
                let who = p.guardian_name.clone().unwrap_or_else(|| p.proposed_by.clone());
                items.push(AttentionItem {
                    kind: p.kind.into(),
                    child_id: Some(child.id.clone()),
                    child_name: Some(child.display_name.clone()),
                    id: p.id,
                    subject: who,
                    when: Some(p.takes_effect_at.to_rfc3339()),
                });
            }
        }
        for r in self.tracked_requests().await?.into_iter().filter(|r| r.overdue) {
            items.push(AttentionItem {
                kind: AttentionKind::OverdueRequest,
                child_id: r.child_id,
                child_name: r.child_name,
                id: r.id,
                subject: r.summary,
                when: Some(r.due_at),
            });
        }
        Ok(items)
    }
}
