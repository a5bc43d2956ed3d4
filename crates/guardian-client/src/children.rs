//! The guardian's children: their accounts, profiles, pictures, PINs and settings.

use guardian_domain::{
    Avatar, AvatarUpload, Child, ChildProfileUpdate, ChildSettingsPatch, CreateChild, Guardian,
    GuardianCheck, SetPin,
};
use reqwest::Method;

use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

impl ProviderClient {
    pub async fn guardian(&self) -> Result<Guardian, ClientError> {
        self.get_json("/v1/guardian", &[]).await
    }

    /// Every child of the signed-in guardian, following pagination to the end.
    pub async fn children(&self) -> Result<Vec<Child>, ClientError> {
        self.all_pages("/v1/children").await
    }

    /// Makes a child's account with the guardian's consent under `update.policy_version`.
    pub async fn create_child(
        &self,
        child: &CreateChild,
        idempotency_key: &str,
    ) -> Result<Child, ClientError> {
        self.mutate(Method::POST, "/v1/children", Some(to_json(child)?), idempotency_key, None).await
    }

    pub async fn set_pin(
        &self,
        child_id: &str,
        new_pin: &Secret,
        current_pin: Option<&Secret>,
        reauth_proof: Option<&Secret>,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let body = SetPin {
            new_pin: new_pin.expose().to_owned(),
            current_pin: current_pin.map(|p| p.expose().to_owned()),
            reauth_proof: reauth_proof.map(|p| p.expose().to_owned()),
        };
        let path = format!("/v1/children/{}/pin", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(&body)?), idempotency_key, None).await
    }

    /// Changes how the child's friends are approved and/or who can find the child; `version` is
    /// the child's version as last seen (a stale one gets 412 with what the provider now has).
    pub async fn set_child_settings(
        &self,
        child_id: &str,
        patch: &ChildSettingsPatch,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/settings", seg(child_id));
        self.mutate(Method::PATCH, &path, Some(to_json(patch)?), idempotency_key, Some(version)).await
    }

    /// Uploads the child's profile picture; `version` as last seen (412 when stale).
    pub async fn upload_avatar(
        &self,
        child_id: &str,
        upload: &AvatarUpload,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/avatar", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(upload)?), idempotency_key, Some(version)).await
    }

    /// The child's profile picture.
    pub async fn avatar(&self, child_id: &str) -> Result<Avatar, ClientError> {
        self.get_json(&format!("/v1/children/{}/avatar", seg(child_id)), &[]).await
    }

    /// Replaces the child's editable profile; `version` as last seen (412 when stale).
    pub async fn correct_profile(
        &self,
        child_id: &str,
        update: &ChildProfileUpdate,
        version: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/profile", seg(child_id));
        self.mutate(Method::PUT, &path, Some(to_json(update)?), idempotency_key, Some(version)).await
    }
}

/// The guardian's word for a guardian-only change: the child's PIN.
pub(crate) fn guardian_check(pin: Option<&Secret>) -> GuardianCheck {
    GuardianCheck { pin: pin.map(|p| p.expose().to_owned()), reauth_proof: None }
}
