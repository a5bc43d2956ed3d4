//! Co-guardians over the provider API: the child's guardians, invitations, the agreement rule
//! and the decision log.

use guardian_domain::{
    Agreement, Child, CoGuardians, DecisionEntry, GuardianInvite, InviteGuardian, Proposal, Removal,
    SentInvite, SetAgreement,
};
use reqwest::Method;

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

impl ProviderClient {
    pub async fn co_guardians(&self, child_id: &str) -> Result<CoGuardians, ClientError> {
        self.get_json(&format!("/v1/children/{}/guardians", seg(child_id)), &[]).await
    }

    pub async fn invite_guardian(
        &self,
        child_id: &str,
        phone: &str,
        idempotency_key: &str,
    ) -> Result<SentInvite, ClientError> {
        let body = InviteGuardian { phone: phone.to_owned() };
        let path = format!("/v1/children/{}/guardians/invites", seg(child_id));
        self.mutate(Method::POST, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// This guardian leaves, or proposes taking another off, with the child's PIN.
    pub async fn remove_guardian(
        &self,
        child_id: &str,
        guardian_id: &str,
        pin: &Secret,
        idempotency_key: &str,
    ) -> Result<Removal, ClientError> {
        let path = format!("/v1/children/{}/guardians/{}/remove", seg(child_id), seg(guardian_id));
        let body = to_json(&crate::children::guardian_check(Some(pin)))?;
        self.mutate(Method::POST, &path, Some(body), idempotency_key, None).await
    }

    /// Changes the co-guardians' agreement rule, with the child's PIN.
    pub async fn set_agreement(
        &self,
        child_id: &str,
        agreement: Agreement,
        pin: &Secret,
        idempotency_key: &str,
    ) -> Result<CoGuardians, ClientError> {
        let body = SetAgreement { agreement, pin: Some(pin.expose().to_owned()), reauth_proof: None };
        let path = format!("/v1/children/{}/agreement", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// Accepts another guardian's proposal, with the child's PIN.
    pub async fn accept_proposal(
        &self,
        proposal_id: &str,
        pin: &Secret,
        idempotency_key: &str,
    ) -> Result<Proposal, ClientError> {
        let path = format!("/v1/proposals/{}/accept", seg(proposal_id));
        let body = to_json(&crate::children::guardian_check(Some(pin)))?;
        self.mutate(Method::POST, &path, Some(body), idempotency_key, None).await
    }

    /// Vetoes a proposal (the proposing guardian withdraws it).
    pub async fn veto_proposal(
        &self,
        proposal_id: &str,
        idempotency_key: &str,
    ) -> Result<Proposal, ClientError> {
        let path = format!("/v1/proposals/{}/veto", seg(proposal_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn decision_log(&self, child_id: &str) -> Result<Vec<DecisionEntry>, ClientError> {
        self.all_pages(&format!("/v1/children/{}/decision-log", seg(child_id))).await
    }

    pub async fn guardian_invites(&self) -> Result<Vec<GuardianInvite>, ClientError> {
        self.all_pages("/v1/guardian-invites").await
    }

    pub async fn accept_invite(&self, invite_id: &str, idempotency_key: &str) -> Result<Child, ClientError> {
        let path = format!("/v1/guardian-invites/{}/accept", seg(invite_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    pub async fn decline_invite(
        &self,
        invite_id: &str,
        idempotency_key: &str,
    ) -> Result<GuardianInvite, ClientError> {
        let path = format!("/v1/guardian-invites/{}/decline", seg(invite_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }
}
