//! The child's contacts: listing them, and the guardian's blocks, unblocks, removals and
//! confirmed trials.

use crate::decisions::Decision;
use crate::flow::{self, Planned};
use crate::outbox::refused;
use crate::views::{ContactView, DecisionOutcome};
use crate::{CoreError, Engine, Secret};

impl Engine {
    pub async fn contacts(&self, child: &str) -> Result<Vec<ContactView>, CoreError> {
        self.first_contacts(child, None).await
    }

    /// The child's first `limit` contacts in name order (all without a limit): a screenful to
    /// paint before the rest arrive.
    pub async fn first_contacts(
        &self,
        child: &str,
        limit: Option<u32>,
    ) -> Result<Vec<ContactView>, CoreError> {
        let child = self.find_child(child).await?;
        let store = self.store().await?;
        let queued = self.queued_by_subject().await?;
        Ok(store
            .first_contacts(&child.id, limit)
            .await?
            .into_iter()
            .map(|c| ContactView {
                queued: queued.iter().find(|(s, _)| *s == c.contact_id).map(|(_, k)| *k),
                child_id: c.child_id,
                contact_id: c.contact_id,
                display_name: c.display_name,
                status: c.status,
                messages_7d: i32::try_from(c.messages_7d).unwrap_or(i32::MAX),
                calls_7d: i32::try_from(c.calls_7d).unwrap_or(i32::MAX),
                last_interaction: c.last_interaction.map(|t| t.to_rfc3339()),
                trial_until: c.trial_until.map(|t| t.to_rfc3339()),
                banned_at: c.banned_at.map(|t| t.to_rfc3339()),
            })
            .collect())
    }

    /// Makes a trial friendship a lasting one (online: a trial that ended meanwhile cannot be).
    pub async fn confirm_contact(&self, child: &str, contact_id: &str) -> Result<ContactView, CoreError> {
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(flow::Step::ConfirmContact {
                child: flow::child_ref(self, &child.id).await?,
                contact: flow::contact_ref(self, &child.id, contact_id).await?,
            })))
        };
        let key = crate::decisions::idempotency_key("confirm");
        let result = self
            .recorded(plan, |_| false, async {
                self.client.confirm_contact(&child.id, contact_id, &key).await.map_err(CoreError::from)
            })
            .await;
        result?;
        self.audit("trial_confirmed", &guardian_store::subject_ref("child", &child.id), "confirmed").await;
        self.sync().await?;
        let contacts = self.contacts(&child.id).await?;
        contacts
            .into_iter()
            .find(|c| c.contact_id == contact_id)
            .ok_or_else(|| CoreError::Invalid("this contact is no longer there".into()))
    }

    /// Blocks a contact, or unblocks one with the child's PIN: lifting a block is the
    /// guardian's alone (the provider checks the PIN; offline, it waits in the encrypted outbox
    /// like an approval's).
    pub async fn set_contact_blocked(
        &self,
        child: &str,
        contact_id: &str,
        blocked: bool,
        pin: Option<&Secret>,
    ) -> Result<DecisionOutcome, CoreError> {
        let pin = if blocked { None } else { Some(crate::decisions::guardian_pin(pin)?) };
        let child = self.find_child(child).await?;
        let store = self.store().await?;
        let contacts = store.contacts(&child.id).await?;
        let Some(contact) = contacts.iter().find(|c| c.contact_id == contact_id) else {
            return Err(CoreError::Invalid(format!(
                "{} has no contact with the ID {contact_id}",
                child.display_name
            )));
        };
        // Refused here, offline too, rather than queued for the provider to refuse.
        let banned = (!blocked && contact.banned_at.is_some()).then(|| {
            CoreError::Invalid(format!(
                "{} was banned by the provider for abuse and stays blocked",
                contact.display_name
            ))
        });
        let plan = async || {
            Ok({
                let contact = flow::contact_ref(self, &child.id, contact_id).await?;
                let child = flow::child_ref(self, &child.id).await?;
                Some(Planned::Fixed(if blocked {
                    flow::Step::Block { child, contact }
                } else {
                    flow::Step::Unblock { child, contact, pin: None }
                }))
            })
        };
        if let Some(error) = banned {
            return self.recorded(plan, refused, std::future::ready(Err(error))).await;
        }
        let (child_id, contact_id) = (child.id.clone(), contact_id.to_owned());
        self.recorded(
            plan,
            refused,
            self.decide(if blocked {
                Decision::BlockContact { child_id, contact_id }
            } else {
                Decision::UnblockContact { child_id, contact_id, pin: pin.map(|p| p.expose().to_owned()) }
            }),
        )
        .await
    }

    /// Removes a contact from the child's list (the friendship ends). Queued first, so it
    /// survives a provider that cannot be used, like every decision.
    pub async fn remove_contact(&self, child: &str, contact_id: &str) -> Result<DecisionOutcome, CoreError> {
        let child = self.find_child(child).await?;
        let contacts = self.store().await?.contacts(&child.id).await?;
        if !contacts.iter().any(|c| c.contact_id == contact_id) {
            return Err(CoreError::Invalid(format!(
                "{} has no contact with the ID {contact_id}",
                child.display_name
            )));
        }
        let plan = async || {
            Ok(Some(Planned::Fixed(flow::Step::RemoveContact {
                contact: flow::contact_ref(self, &child.id, contact_id).await?,
                child: flow::child_ref(self, &child.id).await?,
            })))
        };
        self.recorded(
            plan,
            refused,
            self.decide(Decision::RemoveContact {
                child_id: child.id.clone(),
                contact_id: contact_id.to_owned(),
            }),
        )
        .await
    }
}
