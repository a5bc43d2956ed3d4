//! Deleting a child's data by category, keeping the account: a preview from the provider of
//! what would go and what it keeps (and why), the guardian's password (irreversible), then a
//! receipt. What went is also gone from this computer before the call returns.

use guardian_domain::{DataCategory, DataCategoryPreview, DataDeletionReceipt, KeptNote};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::{CoreError, Engine, Reauth};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KeptView {
    pub what: String,
    pub why: String,
    /// `None`: as long as the account exists.
    pub retention_days: Option<u32>,
}

impl From<KeptNote> for KeptView {
    fn from(n: KeptNote) -> Self {
        Self { what: n.what, why: n.why, retention_days: n.retention_days }
    }
}

/// One category of a child's data: what deleting it would remove now, and what stays.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DataCategoryView {
    /// `activity`, `demographics`, `avatar`, `contact_history` or `resolved_reports`.
    pub category: String,
    pub description: String,
    pub items: u32,
    pub kept: Vec<KeptView>,
}

impl From<DataCategoryPreview> for DataCategoryView {
    fn from(p: DataCategoryPreview) -> Self {
        Self {
            category: p.category.as_str().into(),
            description: p.description,
            items: u32::try_from(p.items).unwrap_or(u32::MAX),
            kept: p.kept.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DataDeletionView {
    pub id: String,
    pub child_id: String,
    pub category: String,
    pub deleted_items: u32,
    pub deleted_at: String,
    pub kept: Vec<KeptView>,
}

impl From<DataDeletionReceipt> for DataDeletionView {
    fn from(r: DataDeletionReceipt) -> Self {
        Self {
            id: r.id,
            child_id: r.child_id,
            category: r.category.as_str().into(),
            deleted_items: u32::try_from(r.deleted_items).unwrap_or(u32::MAX),
            deleted_at: r.deleted_at.to_rfc3339(),
            kept: r.kept.into_iter().map(Into::into).collect(),
        }
    }
}

fn parse_category(category: &str) -> Result<DataCategory, CoreError> {
    DataCategory::parse(category).ok_or_else(|| {
        let known: Vec<_> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
        CoreError::Invalid(format!("choose what to delete: {}", known.join(", ")))
    })
}

impl Engine {
    /// Each category of the child's data with what deleting it would remove and keep (online).
    pub async fn data_categories(&self, child: &str) -> Result<Vec<DataCategoryView>, CoreError> {
        let child = self.find_child(child).await?;
        Ok(self.client.data_categories(&child.id).await?.into_iter().map(Into::into).collect())
    }

    /// Receipts of the child's data deleted by category, newest first.
    pub async fn data_deletions(&self, child: &str) -> Result<Vec<DataDeletionView>, CoreError> {
        let child = self.find_child(child).await?;
        let mut receipts = self.client.data_deletions(&child.id).await?;
        receipts.sort_by_key(|r| std::cmp::Reverse(r.deleted_at));
        Ok(receipts.into_iter().map(Into::into).collect())
    }

    /// Deletes one category of the child's data after the guardian's password; it is gone from
    /// the cache too before this returns, and the sync that follows brings the new versions.
    pub async fn delete_data(
        &self,
        child: &str,
        category: &str,
        reauth: &Reauth,
    ) -> Result<DataDeletionView, CoreError> {
        let child = self.find_child(child).await?;
        let category = parse_category(category)?;
        let proof = self.reauthenticate(reauth, guardian_domain::ReauthPurpose::DeleteData).await?;
        let key = crate::decisions::idempotency_key("data");
        let receipt = self.client.delete_data(&child.id, category, &proof, &key).await?;
        self.audit("data_deleted", &subject_ref("child", &child.id), category.as_str()).await;
        self.store().await?.forget_child_data(&child.id, category.as_str()).await?;
        if let Err(error) = self.sync().await {
            tracing::info!(code = error.code(), "data deleted; the cache catches up at the next sync");
        }
        Ok(receipt.into())
    }
}
