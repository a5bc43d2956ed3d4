//! The child's friend requests: listing them, and the guardian's approvals and denials, each
//! queued in the outbox before it is sent.

use guardian_domain::{FriendApproval, is_valid_pin};

use crate::decisions::Decision;
use crate::flow::{self, Planned};
use crate::outbox::refused;
use crate::views::{DecisionOutcome, OutcomeState, RequestView};
use crate::{CoreError, Engine, Secret};

impl Engine {
    /// The child's friend requests as last synced, each with any decision still queued.
    pub async fn friend_requests(&self, child: &str) -> Result<Vec<RequestView>, CoreError> {
        let child = self.find_child(child).await?;
        let store = self.store().await?;
        let queued = self.queued_by_subject().await?;
        Ok(store
            .friend_requests(&child.id)
            .await?
            .into_iter()
            .map(|r| RequestView {
                queued: queued.iter().find(|(s, _)| *s == r.id).map(|(_, k)| *k),
                id: r.id,
                child_id: r.child_id,
                other_name: r.other_name,
                direction: r.direction,
                status: r.status,
                expires_at: r.expires_at.to_rfc3339(),
                approved_by: r.approved_by,
            })
            .collect())
    }

    /// Approves a friend request. In the PIN-required mode the child's PIN is needed. With
    /// `trial_days`, the friendship ends after that many days unless the guardian confirms it.
    pub async fn approve_request(
        &self,
        child: &str,
        request_id: &str,
        pin: Option<&Secret>,
        trial_days: Option<u32>,
    ) -> Result<DecisionOutcome, CoreError> {
        if trial_days.is_some_and(|d| !(1..=guardian_domain::MAX_TRIAL_DAYS).contains(&d)) {
            return Err(CoreError::Invalid("a trial lasts 1 to 30 days".into()));
        }
        let child = self.find_child(child).await?;
        let needs_pin = child.friend_approval == FriendApproval::PinRequired;
        if needs_pin {
            match pin {
                Some(pin) if is_valid_pin(pin.expose()) => {}
                Some(_) => return Err(crate::decisions::pin_format_error()),
                None => {
                    return Err(CoreError::Invalid(format!(
                        "enter the {}-digit parental PIN to approve",
                        guardian_domain::PIN_DIGITS
                    )));
                }
            }
        }
        self.known_request(&child.id, request_id).await?;
        let plan = async || {
            Ok(Some(Planned::Approve {
                child: flow::child_ref(self, &child.id).await?,
                request: flow::request_ref(self, &child.id, request_id).await?,
                needs_pin,
                trial_days,
            }))
        };
        let result = self
            .recorded(
                plan,
                refused,
                self.decide(Decision::ApproveRequest {
                    child_id: child.id.clone(),
                    request_id: request_id.to_owned(),
                    pin: pin.map(|p| p.expose().to_owned()),
                    trial_days,
                }),
            )
            .await;
        match result {
            Ok(outcome) if outcome.state == OutcomeState::Sent => {
                self.awaiting_guardians(&child.id, request_id, outcome).await
            }
            other => other,
        }
    }

    /// Where all the child's guardians must agree, a sent approval may still wait for others.
    async fn awaiting_guardians(
        &self,
        child_id: &str,
        request_id: &str,
        sent: DecisionOutcome,
    ) -> Result<DecisionOutcome, CoreError> {
        let requests = self.store().await?.friend_requests(child_id).await?;
        Ok(match requests.into_iter().find(|r| r.id == request_id) {
            Some(r) if r.status == guardian_domain::RequestStatus::Pending && !r.approved_by.is_empty() => {
                DecisionOutcome {
                    reason: None,
                    refusal: None,
                    state: OutcomeState::AwaitingGuardians,
                    message: Some(format!(
                        "your approval is recorded; the child's other guardians must approve too (approved so far: {})",
                        r.approved_by.join(", ")
                    )),
                }
            }
            _ => sent,
        })
    }

    pub async fn deny_request(&self, child: &str, request_id: &str) -> Result<DecisionOutcome, CoreError> {
        let child = self.find_child(child).await?;
        self.known_request(&child.id, request_id).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(flow::Step::Deny {
                child: flow::child_ref(self, &child.id).await?,
                request: flow::request_ref(self, &child.id, request_id).await?,
            })))
        };
        self.recorded(
            plan,
            refused,
            self.decide(Decision::DenyRequest {
                child_id: child.id.clone(),
                request_id: request_id.to_owned(),
            }),
        )
        .await
    }

    async fn known_request(&self, child_id: &str, request_id: &str) -> Result<(), CoreError> {
        let store = self.store().await?;
        if store.friend_requests(child_id).await?.iter().any(|r| r.id == request_id) {
            Ok(())
        } else {
            Err(CoreError::Invalid(format!("there is no friend request {request_id} for this child")))
        }
    }
}
