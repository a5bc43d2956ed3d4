//! The guardian's decisions on the child's contacts: trials confirmed, blocks, removals.

use guardian_domain::Contact;
use reqwest::Method;

use crate::children::guardian_check;
use crate::client::{seg, to_json};
use crate::{ClientError, ProviderClient, Secret};

impl ProviderClient {
    /// Makes a trial friendship a lasting one.
    pub async fn confirm_contact(
        &self,
        child_id: &str,
        contact_id: &str,
        idempotency_key: &str,
    ) -> Result<Contact, ClientError> {
        let path = format!("/v1/children/{}/contacts/{}/confirm", seg(child_id), seg(contact_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }

    /// Blocks a contact, or unblocks one with the child's PIN (only a guardian lifts a block).
    pub async fn set_contact_blocked(
        &self,
        child_id: &str,
        contact_id: &str,
        blocked: bool,
        pin: Option<&Secret>,
        idempotency_key: &str,
    ) -> Result<Contact, ClientError> {
        let action = if blocked { "block" } else { "unblock" };
        let path = format!("/v1/children/{}/contacts/{}/{action}", seg(child_id), seg(contact_id));
        let body = match blocked {
            true => None,
            false => Some(to_json(&guardian_check(pin))?),
        };
        self.mutate(Method::POST, &path, body, idempotency_key, None).await
    }

    /// Ends a friendship: the contact leaves the child's list.
    pub async fn remove_contact(
        &self,
        child_id: &str,
        contact_id: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let path = format!("/v1/children/{}/contacts/{}/remove", seg(child_id), seg(contact_id));
        self.mutate(Method::POST, &path, None, idempotency_key, None).await
    }
}
