//! What the provider discloses about itself (promises 15 and 16, docs/policy-promises.md): staff
//! access to a child's data, automated decisions about the child (with "ask for an explanation"),
//! and security notices. Online: these are the provider's records, read when the guardian looks.

use guardian_domain::{AutomatedDecision, RightsRequestKind, SecurityNotice, StaffAccess};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::{CoreError, Engine, TrackedRequest};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StaffAccessView {
    pub id: String,
    /// A role such as `trust_and_safety_reviewer`, never a person's name.
    pub staff_role: String,
    pub accessed_at: String,
    pub purpose: String,
    pub approval_ref: String,
    pub data_categories: Vec<String>,
}

impl From<StaffAccess> for StaffAccessView {
    fn from(a: StaffAccess) -> Self {
        Self {
            id: a.id,
            staff_role: a.staff_role,
            accessed_at: a.accessed_at.to_rfc3339(),
            purpose: a.purpose,
            approval_ref: a.approval_ref,
            data_categories: a.data_categories,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AutomatedDecisionView {
    pub id: String,
    pub kind: String,
    pub summary: String,
    pub decided_at: String,
    pub human_reviewed: bool,
    /// The explanation request already filed for this decision, if any.
    pub explanation_request: Option<String>,
}

/// A child's transparency records, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Transparency {
    pub child_id: String,
    pub staff_access: Vec<StaffAccessView>,
    pub decisions: Vec<AutomatedDecisionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecurityNoticeView {
    pub id: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub title: String,
    pub body: String,
    pub published_at: String,
}

impl From<SecurityNotice> for SecurityNoticeView {
    fn from(n: SecurityNotice) -> Self {
        Self {
            id: n.id,
            severity: n.severity,
            title: n.title,
            body: n.body,
            published_at: n.published_at.to_rfc3339(),
        }
    }
}

/// How an explanation request names its decision, so a second ask finds the first.
fn decision_tag(decision_id: &str) -> String {
    format!("[decision {decision_id}]")
}

impl Engine {
    /// Staff access to the child's data and automated decisions about the child.
    pub async fn transparency(&self, child: &str) -> Result<Transparency, CoreError> {
        let child = self.find_child(child).await?;
        let mut staff_access = self.client.staff_access(&child.id).await?;
        staff_access.sort_by_key(|a| std::cmp::Reverse(a.accessed_at));
        let mut decisions = self.client.automated_decisions(&child.id).await?;
        decisions.sort_by_key(|d| std::cmp::Reverse(d.decided_at));
        let asked = self.client.rights_requests(&child.id).await?;
        let decisions = decisions
            .into_iter()
            .map(|d: AutomatedDecision| {
                let tag = decision_tag(&d.id);
                let explanation_request = asked
                    .iter()
                    .find(|r| r.kind == RightsRequestKind::Explanation && r.details.contains(&tag))
                    .map(|r| r.id.clone());
                AutomatedDecisionView {
                    id: d.id,
                    kind: d.kind,
                    summary: d.summary,
                    decided_at: d.decided_at.to_rfc3339(),
                    human_reviewed: d.human_reviewed,
                    explanation_request,
                }
            })
            .collect();
        Ok(Transparency {
            child_id: child.id,
            staff_access: staff_access.into_iter().map(Into::into).collect(),
            decisions,
        })
    }

    /// Asks the provider to explain an automated decision (a rights request, due in 15 days).
    /// Asking twice returns the first request.
    pub async fn explain_decision(
        &self,
        child: &str,
        decision_id: &str,
    ) -> Result<TrackedRequest, CoreError> {
        let child = self.find_child(child).await?;
        let decisions = self.client.automated_decisions(&child.id).await?;
        let decision = decisions.iter().find(|d| d.id == decision_id).ok_or_else(|| {
            CoreError::Invalid(format!("there is no automated decision {decision_id} for this child"))
        })?;
        let tag = decision_tag(&decision.id);
        let asked = self.client.rights_requests(&child.id).await?;
        if let Some(existing) =
            asked.into_iter().find(|r| r.kind == RightsRequestKind::Explanation && r.details.contains(&tag))
        {
            return Ok(crate::tracker::from_rights(self.now(), existing, &child.display_name));
        }
        let details = format!(
            "Please explain this automated decision of {} {tag}: {}",
            decision.decided_at.format("%Y-%m-%d"),
            decision.summary
        );
        let request = self.ask_provider(&child.id, RightsRequestKind::Explanation.as_str(), &details).await?;
        self.audit("explanation_requested", &subject_ref("child", &child.id), "filed").await;
        Ok(request)
    }

    /// Security notices for this guardian and for everyone, newest first.
    pub async fn security_notices(&self) -> Result<Vec<SecurityNoticeView>, CoreError> {
        let mut notices = self.client.security_notices().await?;
        notices.sort_by_key(|n| std::cmp::Reverse(n.published_at));
        Ok(notices.into_iter().map(Into::into).collect())
    }
}
