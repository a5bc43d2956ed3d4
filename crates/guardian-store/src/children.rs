use chrono::{DateTime, NaiveDate, Utc};
use guardian_domain::{Child, Demographics, Discoverability, FriendApproval};

use crate::{Result, Store};

/// A child as the cache holds it.
#[derive(Clone, PartialEq, sqlx::FromRow)]
pub struct CachedChild {
    pub id: String,
    pub guardian_id: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub friend_approval: String,
    pub discoverable_by: String,
    pub country: Option<String>,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub pending_requests: i64,
    pub version: String,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for CachedChild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedChild").field("id", &self.id).finish_non_exhaustive()
    }
}

impl CachedChild {
    /// The approval mode; a value this build does not know reads as the strictest.
    pub fn approval(&self) -> FriendApproval {
        FriendApproval::parse(&self.friend_approval).unwrap_or(FriendApproval::PinRequired)
    }

    /// Who can find the child; a value this build does not know reads as the default.
    pub fn discoverability(&self) -> Discoverability {
        Discoverability::parse(&self.discoverable_by).unwrap_or_default()
    }

    pub fn to_wire(&self) -> Child {
        Child {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            avatar_url: self.avatar_url.clone(),
            friend_approval: self.approval(),
            discoverable_by: self.discoverability(),
            demographics: Demographics {
                country: self.country.clone(),
                gender: self.gender.clone(),
                birthday: self.birthday,
            },
            pending_requests: u32::try_from(self.pending_requests).unwrap_or(0),
            version: self.version.clone(),
            updated_at: self.updated_at,
        }
    }
}

impl Store {
    /// Replaces the guardian's children with a complete list from the provider, in one
    /// transaction: a child the provider no longer lists is removed.
    pub async fn replace_children(&self, guardian_id: &str, children: &[Child]) -> Result<()> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM children WHERE guardian_id = ?").bind(guardian_id).execute(&mut *tx).await?;
        for child in children {
            upsert_child(&mut tx, guardian_id, child).await?;
        }
        prune_avatars(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Children whose profile picture is not cached yet: `(child_id, avatar_url)`.
    pub async fn avatars_to_fetch(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.avatar_url FROM children c LEFT JOIN child_avatars a \
             ON a.child_id = c.id AND a.avatar_url = c.avatar_url \
             WHERE c.avatar_url IS NOT NULL AND a.child_id IS NULL ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Keeps a downloaded picture, if the child still points at `avatar_url`.
    pub async fn save_avatar(
        &self,
        child_id: &str,
        avatar_url: &str,
        content_type: &str,
        data: &[u8],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO child_avatars (child_id, avatar_url, content_type, data) \
             SELECT id, avatar_url, ?, ? FROM children WHERE id = ? AND avatar_url = ? \
             ON CONFLICT (child_id) DO UPDATE SET avatar_url = excluded.avatar_url, \
             content_type = excluded.content_type, data = excluded.data",
        )
        .bind(content_type)
        .bind(data)
        .bind(child_id)
        .bind(avatar_url)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The child's cached picture: `(content_type, bytes)`.
    pub async fn avatar(&self, child_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT a.content_type, a.data FROM child_avatars a JOIN children c \
             ON c.id = a.child_id AND c.avatar_url = a.avatar_url WHERE a.child_id = ?",
        )
        .bind(child_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The cached children, youngest first is not assumed: ordered by name for display.
    pub async fn children(&self) -> Result<Vec<CachedChild>> {
        Ok(sqlx::query_as("SELECT * FROM children ORDER BY display_name COLLATE NOCASE, id")
            .fetch_all(self.pool())
            .await?)
    }
}

/// Inserts or updates one child (the provider's view of it).
pub(crate) async fn upsert_child(
    conn: &mut sqlx::SqliteConnection,
    guardian_id: &str,
    child: &Child,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO children (id, guardian_id, display_name, avatar_url, friend_approval, discoverable_by, \
         country, gender, birthday, pending_requests, version, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT(id) DO UPDATE SET guardian_id = excluded.guardian_id, display_name = excluded.display_name, \
         avatar_url = excluded.avatar_url, friend_approval = excluded.friend_approval, \
         discoverable_by = excluded.discoverable_by, \
         country = excluded.country, gender = excluded.gender, birthday = excluded.birthday, \
         pending_requests = excluded.pending_requests, version = excluded.version, \
         updated_at = excluded.updated_at",
    )
    .bind(&child.id)
    .bind(guardian_id)
    .bind(&child.display_name)
    .bind(&child.avatar_url)
    .bind(child.friend_approval.as_str())
    .bind(child.discoverable_by.as_str())
    .bind(&child.demographics.country)
    .bind(&child.demographics.gender)
    .bind(child.demographics.birthday)
    .bind(i64::from(child.pending_requests))
    .bind(&child.version)
    .bind(child.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes pictures whose child is gone or points elsewhere now (run after each sync step).
pub(crate) async fn prune_avatars(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    sqlx::query(
        "DELETE FROM child_avatars WHERE NOT EXISTS (SELECT 1 FROM children c \
         WHERE c.id = child_avatars.child_id AND c.avatar_url = child_avatars.avatar_url)",
    )
    .execute(conn)
    .await?;
    Ok(())
}
