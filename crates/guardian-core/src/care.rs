//! A child's devices and the reports a guardian files on the child's behalf (online: the
//! provider's answer is what the guardian needs to see).

use std::path::Path;

use base64::Engine as _;
use guardian_domain::{
    ChildSettingsPatch, CreateReport, Device, Discoverability, ErrorCode, EvidenceImage, FriendApproval,
    Group, Report, ReportCategory,
};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::flow::{Planned, Step};
use crate::{CoreError, Engine, Reauth, Secret};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub platform: String,
    pub last_seen: String,
    pub signed_in: bool,
}

impl From<Device> for DeviceView {
    fn from(d: Device) -> Self {
        Self {
            id: d.id,
            name: d.name,
            platform: d.platform,
            last_seen: d.last_seen.to_rfc3339(),
            signed_in: d.signed_in,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportView {
    pub id: String,
    pub target_kind: String,
    pub target_id: String,
    pub category: ReportCategory,
    pub evidence_text: String,
    pub image_count: u32,
    /// `submitted`, `reviewing` or `resolved`.
    pub status: String,
    pub outcome: Option<String>,
    pub created_at: String,
    /// 15 days after filing: the provider's deadline.
    pub due_at: String,
    /// Whole days left until `due_at` (negative when overdue and still open).
    pub days_left: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupMemberView {
    pub user_id: String,
    pub display_name: String,
    /// One of the child's approved contacts.
    pub approved: bool,
}

/// A group the child is in. `flagged` when someone in it was never approved by the guardian.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub members: Vec<GroupMemberView>,
    pub unapproved: i32,
    pub flagged: bool,
    pub joined_at: String,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        let unapproved = g.members.iter().filter(|m| !m.approved_contact).count();
        Self {
            id: g.id,
            name: g.name,
            members: g
                .members
                .into_iter()
                .map(|m| GroupMemberView {
                    user_id: m.user_id,
                    display_name: m.display_name,
                    approved: m.approved_contact,
                })
                .collect(),
            unapproved: i32::try_from(unapproved).unwrap_or(i32::MAX),
            flagged: unapproved > 0,
            joined_at: g.joined_at.to_rfc3339(),
        }
    }
}

/// A report's category as a guardian names it (the command line, a flow file); an unknown name
/// is refused with the known ones.
pub fn report_category(name: &str) -> Result<ReportCategory, CoreError> {
    ReportCategory::parse(name.trim()).ok_or_else(|| {
        let known: Vec<_> = ReportCategory::ALL.iter().map(|c| c.as_str()).collect();
        CoreError::Invalid(format!("choose a category: {}", known.join(", ")))
    })
}

/// The largest evidence image accepted (the provider's limit).
const MAX_IMAGE_BYTES: u64 = guardian_domain::MAX_EVIDENCE_IMAGE_BYTES as u64;

impl Engine {
    fn report_view(&self, r: Report) -> ReportView {
        let days_left = crate::tracker::days_until(self.now(), r.due_at);
        ReportView {
            id: r.id,
            target_kind: r.target_kind,
            target_id: r.target_id,
            category: r.category,
            evidence_text: r.evidence_text,
            image_count: r.image_count,
            status: r.status,
            outcome: r.outcome,
            created_at: r.created_at.to_rfc3339(),
            due_at: r.due_at.to_rfc3339(),
            days_left,
        }
    }

    /// Sets the child's parental PIN, or changes it (the current one is then needed).
    pub async fn set_pin(
        &self,
        child: &str,
        new_pin: &Secret,
        current: Option<&Secret>,
    ) -> Result<(), CoreError> {
        self.store_pin(child, new_pin, current, None).await
    }

    /// Resets a forgotten or locked PIN after the guardian confirms the password; nothing else changes.
    pub async fn reset_pin(&self, child: &str, new_pin: &Secret, reauth: &Reauth) -> Result<(), CoreError> {
        let proof = self.reauthenticate(reauth, guardian_domain::ReauthPurpose::ResetPin).await?;
        self.store_pin(child, new_pin, None, Some(&proof)).await
    }

    async fn store_pin(
        &self,
        child: &str,
        new_pin: &Secret,
        current: Option<&Secret>,
        proof: Option<&Secret>,
    ) -> Result<(), CoreError> {
        let child = self.find_child(child).await?;
        if !guardian_domain::is_valid_pin(new_pin.expose()) {
            return Err(crate::decisions::pin_format_error());
        }
        let key = crate::decisions::idempotency_key("pin");
        let result = self.client.set_pin(&child.id, new_pin, current, proof, &key).await;
        let outcome = match (&result, proof) {
            (Ok(_), Some(_)) => "reset",
            (Ok(_), None) => "changed",
            (Err(_), _) => "refused",
        };
        self.audit("pin_used", &subject_ref("child", &child.id), outcome).await;
        result.map(drop).map_err(Into::into)
    }

    /// Switches how the child's new friends are approved (each with the guardian's PIN, or by
    /// the child alone; the guardian still sees, blocks and removes every contact). The
    /// guardian's change alone, so it needs the child's PIN: a child at an unlocked session
    /// cannot switch approvals off.
    pub async fn set_friend_approval(
        &self,
        child: &str,
        mode: FriendApproval,
        pin: &Secret,
    ) -> Result<(), CoreError> {
        let pin = crate::decisions::guardian_pin(Some(pin))?;
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(Step::ApprovalMode {
                child: crate::flow::child_ref(self, &child.id).await?,
                mode,
                pin: None,
            })))
        };
        let patch = ChildSettingsPatch {
            friend_approval: Some(mode),
            discoverable_by: None,
            pin: Some(pin.expose().to_owned()),
            reauth_proof: None,
        };
        let result = self.recorded(plan, |_| false, self.change_settings(&child.id, &patch)).await;
        let outcome = if result.is_ok() { mode.as_str() } else { "refused" };
        self.audit("approval_mode_changed", &subject_ref("child", &child.id), outcome).await;
        result
    }

    /// Who can find the child to send a friend request; every request still goes through the
    /// approval mode. Letting more people find the child needs the child's PIN; fewer does not.
    pub async fn set_discoverability(
        &self,
        child: &str,
        who: Discoverability,
        pin: Option<&Secret>,
    ) -> Result<(), CoreError> {
        let child = self.find_child(child).await?;
        let plan = async || {
            Ok(Some(Planned::Fixed(Step::Discovery {
                child: crate::flow::child_ref(self, &child.id).await?,
                who,
                pin: None,
            })))
        };
        let widens = child.discoverable_by.widens_to(who);
        let pin = if widens { Some(crate::decisions::guardian_pin(pin)?) } else { pin };
        let patch = ChildSettingsPatch {
            friend_approval: None,
            discoverable_by: Some(who),
            pin: pin.map(|p| p.expose().to_owned()),
            reauth_proof: None,
        };
        let result = self.recorded(plan, |_| false, self.change_settings(&child.id, &patch)).await;
        let outcome = if result.is_ok() { who.as_str() } else { "refused" };
        self.audit("discovery_changed", &subject_ref("child", &child.id), outcome).await;
        result
    }

    /// Sends a settings change on the cached version of the child. If the child changed
    /// elsewhere meanwhile, the latest version is fetched and the change is made once more on
    /// top of it (each setting is independent, so nothing else is overwritten).
    async fn change_settings(&self, child_id: &str, patch: &ChildSettingsPatch) -> Result<(), CoreError> {
        let key = || crate::decisions::idempotency_key("settings");
        let version = self.cached_child(child_id).await?.version;
        let mut result = self.client.set_child_settings(child_id, patch, &version, &key()).await;
        if matches!(&result, Err(e) if e.provider_code() == Some(ErrorCode::PreconditionFailed)) {
            self.sync().await?;
            let version = self.cached_child(child_id).await?.version;
            result = self.client.set_child_settings(child_id, patch, &version, &key()).await;
        }
        result?;
        // Bring the cached child (and its version) up to date; offline, the provider already has it.
        if let Err(error) = self.sync().await {
            tracing::info!(code = error.code(), "the setting changed; the cache catches up at the next sync");
        }
        Ok(())
    }

    pub async fn devices(&self, child: &str) -> Result<Vec<DeviceView>, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.client.devices(&child.id).await?.into_iter().map(Into::into).collect())
    }

    pub async fn sign_out_device(&self, child: &str, device_id: &str) -> Result<DeviceView, CoreError> {
        let child = self.find_child(child).await?;
        let key = crate::decisions::idempotency_key("device");
        let device = self.client.sign_out_device(&child.id, device_id, &key).await?;
        self.audit("device_signed_out", &subject_ref("child", &child.id), "signed_out").await;
        Ok(device.into())
    }

    /// The groups the child is in, those with members the guardian never approved first.
    pub async fn groups(&self, child: &str) -> Result<Vec<GroupView>, CoreError> {
        let child = self.find_child(child).await?;
        let mut groups: Vec<GroupView> =
            self.client.groups(&child.id).await?.into_iter().map(Into::into).collect();
        groups.sort_by(|a, b| b.flagged.cmp(&a.flagged).then_with(|| a.name.cmp(&b.name)));
        Ok(groups)
    }

    /// Takes the child out of a group.
    pub async fn leave_group(&self, child: &str, group_id: &str) -> Result<GroupView, CoreError> {
        let child = self.find_child(child).await?;
        let key = crate::decisions::idempotency_key("group");
        let group = self.client.leave_group(&child.id, group_id, &key).await?;
        self.audit("group_left", &subject_ref("child", &child.id), "left").await;
        Ok(group.into())
    }

    pub async fn reports(&self, child: &str) -> Result<Vec<ReportView>, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.client.reports(&child.id).await?.into_iter().map(|r| self.report_view(r)).collect())
    }

    /// Reports one of the child's contacts. `images` are PNG or JPEG files (at most three).
    pub async fn report_contact(
        &self,
        child: &str,
        contact_id: &str,
        category: ReportCategory,
        evidence: &str,
        images: &[&Path],
    ) -> Result<ReportView, CoreError> {
        self.report(child, "contact", contact_id, category, evidence, images).await
    }

    /// Reports a group the child is (or was) in.
    pub async fn report_group(
        &self,
        child: &str,
        group_id: &str,
        category: ReportCategory,
        evidence: &str,
    ) -> Result<ReportView, CoreError> {
        self.report(child, "group", group_id, category, evidence, &[]).await
    }

    async fn report(
        &self,
        child: &str,
        target_kind: &str,
        target_id: &str,
        category: ReportCategory,
        evidence: &str,
        images: &[&Path],
    ) -> Result<ReportView, CoreError> {
        let child = self.find_child(child).await?;
        let mut attached = Vec::new();
        for path in images {
            let bytes =
                std::fs::read(path).map_err(|e| CoreError::File(format!("{}: {e}", path.display())))?;
            let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                "image/png"
            } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
                "image/jpeg"
            } else {
                return Err(CoreError::Invalid(format!("{} is not a PNG or JPEG image", path.display())));
            };
            if bytes.len() as u64 > MAX_IMAGE_BYTES {
                return Err(CoreError::Invalid(format!("{} is larger than 16 KiB", path.display())));
            }
            attached.push(EvidenceImage {
                content_type: content_type.into(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            });
        }
        let body = CreateReport {
            target_kind: target_kind.into(),
            target_id: target_id.to_owned(),
            category,
            evidence_text: evidence.trim().to_owned(),
            images: attached,
        };
        let key = crate::decisions::idempotency_key("report");
        let report = self.client.create_report(&child.id, &body, &key).await?;
        self.audit("report_filed", &subject_ref("child", &child.id), category.as_str()).await;
        Ok(self.report_view(report))
    }
}
