//! Seed scenarios: data files that describe a family and what is waiting for its guardian.

use crate::SandboxError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::SqlitePool;

pub use guardian_domain::{DEMO_PASSWORD, DEMO_PHONE, DEMO_PIN};

/// Every scenario this build ships: name and file contents.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("demo-family", include_str!("../scenarios/demo-family.json")),
    ("large-family", include_str!("../scenarios/large-family.json")),
    ("hostile-names", include_str!("../scenarios/hostile-names.json")),
    ("deletion-pending", include_str!("../scenarios/deletion-pending.json")),
    ("policy-update-pending", include_str!("../scenarios/policy-update-pending.json")),
    ("pin-locked", include_str!("../scenarios/pin-locked.json")),
    ("co-guardians", include_str!("../scenarios/co-guardians.json")),
    ("banned-contact", include_str!("../scenarios/banned-contact.json")),
    ("fault-drill", include_str!("../scenarios/fault-drill.json")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    guardians: Vec<SeedGuardian>,
    children: Vec<SeedChild>,
    #[serde(default)]
    contacts: Vec<SeedContact>,
    #[serde(default)]
    friend_requests: Vec<SeedFriendRequest>,
    #[serde(default)]
    pins: Vec<SeedPin>,
    /// Rows made up at seed time, for scenarios too large to list.
    #[serde(default)]
    generate: Option<Generate>,
    /// Policy versions; when none are listed, one version has been in force for 60 days.
    #[serde(default)]
    policies: Vec<SeedPolicy>,
    /// Deletion requests already waiting out their cooling-off period.
    #[serde(default)]
    deletions: Vec<SeedDeletion>,
    /// Group chats the children are in.
    #[serde(default)]
    groups: Vec<SeedGroup>,
    /// Times the provider's staff looked at a child's data.
    #[serde(default)]
    staff_access: Vec<SeedStaffAccess>,
    /// Decisions about a child made by a machine.
    #[serde(default)]
    automated_decisions: Vec<SeedDecision>,
    /// Security notices; to every guardian when `guardian_id` is absent.
    #[serde(default)]
    security_notices: Vec<SeedNotice>,
    /// Invitations to become a child's co-guardian, waiting for an answer.
    #[serde(default)]
    guardian_invites: Vec<SeedInvite>,
    /// Earlier entries of the children's decision logs.
    #[serde(default)]
    decision_log: Vec<SeedLogEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedInvite {
    id: String,
    child_id: String,
    invited_by: String,
    phone: String,
    days_ago: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedLogEntry {
    child_id: String,
    guardian_id: String,
    action: String,
    subject: String,
    days_ago: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedStaffAccess {
    child_id: String,
    staff_role: String,
    days_ago: i64,
    purpose: String,
    approval_ref: String,
    data_categories: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDecision {
    id: String,
    child_id: String,
    kind: String,
    summary: String,
    days_ago: i64,
    #[serde(default)]
    human_reviewed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedNotice {
    id: String,
    #[serde(default)]
    guardian_id: Option<String>,
    severity: String,
    title: String,
    body: String,
    days_ago: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedGroup {
    id: String,
    name: String,
    /// The children in the group.
    children: Vec<String>,
    /// Its other members: `[user_id, display_name]`.
    members: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedPolicy {
    version: String,
    /// Days from now (negative: already in force).
    effective_in_days: i64,
    #[serde(default)]
    major: bool,
    summary: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDeletion {
    child_id: String,
    requested_days_ago: i64,
}

/// Every child starts with these choices (made when the account was created).
pub(crate) const DEFAULT_CONSENTS: &[(&str, bool)] = &[
    ("analytics", false),
    ("sms_verification", true),
    ("crash_reporting", true),
    ("cross_border_transfer", false),
];

const FIRST_POLICY_TEXT: &str = "We collect only what the service needs to work. A guardian approves \
    every contact of a child under 14 and can see, correct, export or delete the child's data at any \
    time. We never keep message content.";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    /// Approved contacts per child, with deterministic names and interaction counts.
    contacts_per_child: u32,
    /// Pending incoming friend requests per child.
    #[serde(default)]
    requests_per_child: u32,
    /// Days of activity per child, one row per feature per day, ending today.
    #[serde(default)]
    activity_days: u32,
}

/// The features whose daily use the sandbox reports.
const FEATURES: &[&str] = &[
    "chat",
    "voice_call",
    "video_call",
    "games",
    "stickers",
    "photos",
    "stories",
    "quiz",
    "drawing",
    "music",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedPin {
    child_id: String,
    pin: String,
    /// Wrong PINs already entered (10 or more: only a reset through the guardian's password helps).
    #[serde(default)]
    failed_attempts: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedGuardian {
    id: String,
    display_name: String,
    phone: String,
    password: String,
    /// `unverified` (the default), `pending` or `verified`.
    #[serde(default)]
    real_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedChild {
    id: String,
    guardian_id: String,
    display_name: String,
    friend_approval: String,
    /// Who can find the child: `id_or_phone`, `id_only` (the default) or `nobody`.
    #[serde(default)]
    discoverable_by: Option<String>,
    #[serde(default)]
    birthday: Option<NaiveDate>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    /// Its other guardians (the first is `guardian_id`).
    #[serde(default)]
    co_guardians: Vec<String>,
    /// `one` (the default) or `all`: how many guardians must agree to a friend approval.
    #[serde(default)]
    agreement: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedContact {
    child_id: String,
    contact_id: String,
    display_name: String,
    status: String,
    #[serde(default)]
    messages_7d: u32,
    #[serde(default)]
    calls_7d: u32,
    /// The provider banned the account this many days ago (it must be blocked).
    #[serde(default)]
    banned_days_ago: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFriendRequest {
    id: String,
    child_id: String,
    other_name: String,
    direction: String,
    status: String,
    /// Guardians who approved it already while the others are awaited.
    #[serde(default)]
    approved_by: Vec<String>,
}

impl Scenario {
    pub fn named(name: &str) -> Result<Self, SandboxError> {
        let Some((_, text)) = SCENARIOS.iter().find(|(n, _)| *n == name) else {
            let known: Vec<_> = SCENARIOS.iter().map(|(n, _)| *n).collect();
            return Err(SandboxError::Scenario(format!(
                "unknown scenario {name:?}; known: {}",
                known.join(", ")
            )));
        };
        serde_json::from_str(text)
            .map_err(|e| SandboxError::Scenario(format!("scenario {name} is malformed: {e}")))
    }

    /// Gives every guardian of the scenario this password.
    pub(crate) fn set_passwords(&mut self, password: &str) {
        for guardian in &mut self.guardians {
            guardian.password = password.to_owned();
        }
    }

    pub(crate) async fn seed(&self, db: &SqlitePool, now: DateTime<Utc>) -> Result<(), SandboxError> {
        let mut tx = db.begin().await?;
        for g in &self.guardians {
            sqlx::query(
                "INSERT INTO guardians (id, display_name, phone, password_hash, real_name) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&g.id)
            .bind(&g.display_name)
            .bind(&g.phone)
            .bind(crate::auth::hash_secret(&g.password)?)
            .bind(g.real_name.as_deref().unwrap_or("unverified"))
                .execute(&mut *tx)
                .await?;
        }
        for c in &self.children {
            sqlx::query(
                "INSERT INTO children (id, guardian_id, display_name, discoverable_by, friend_approval, \
                 country, gender, birthday, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&c.id)
            .bind(&c.guardian_id)
            .bind(&c.display_name)
            .bind(c.discoverable_by.as_deref().unwrap_or("id_only"))
            .bind(&c.friend_approval)
            .bind(&c.country)
            .bind(&c.gender)
            .bind(c.birthday)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE children SET agreement = ? WHERE id = ?")
                .bind(c.agreement.as_deref().unwrap_or("one"))
                .bind(&c.id)
                .execute(&mut *tx)
                .await?;
            // A scenario's family has been using the service for a while.
            sqlx::query("UPDATE child_guardians SET joined_at = ? WHERE child_id = ?")
                .bind(now - chrono::Duration::days(90))
                .bind(&c.id)
                .execute(&mut *tx)
                .await?;
            for guardian_id in &c.co_guardians {
                sqlx::query(
                    "INSERT INTO child_guardians (child_id, guardian_id, joined_at) VALUES (?, ?, ?)",
                )
                .bind(&c.id)
                .bind(guardian_id)
                .bind(now - chrono::Duration::days(30))
                .execute(&mut *tx)
                .await?;
            }
        }
        for c in &self.contacts {
            sqlx::query(
                "INSERT INTO contacts (child_id, contact_id, display_name, status, messages_7d, calls_7d, \
                 last_interaction, banned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&c.child_id)
            .bind(&c.contact_id)
            .bind(&c.display_name)
            .bind(&c.status)
            .bind(c.messages_7d)
            .bind(c.calls_7d)
            .bind((c.messages_7d + c.calls_7d > 0).then(|| now - chrono::Duration::hours(3)))
            .bind(c.banned_days_ago.map(|days| now - chrono::Duration::days(days)))
            .execute(&mut *tx)
            .await?;
        }
        for r in &self.friend_requests {
            sqlx::query(
                "INSERT INTO friend_requests (id, child_id, other_name, direction, status, created_at, \
                 expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&r.id)
            .bind(&r.child_id)
            .bind(&r.other_name)
            .bind(&r.direction)
            .bind(&r.status)
            .bind(now)
            .bind(now + crate::friend_requests::REQUEST_LIFETIME)
            .execute(&mut *tx)
            .await?;
            for guardian_id in &r.approved_by {
                sqlx::query(
                    "INSERT INTO approval_votes (child_id, request_id, guardian_id, at) VALUES (?, ?, ?, ?)",
                )
                .bind(&r.child_id)
                .bind(&r.id)
                .bind(guardian_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        for i in &self.guardian_invites {
            let sent = now - chrono::Duration::days(i.days_ago);
            sqlx::query(
                "INSERT INTO guardian_invites (id, child_id, invited_by, phone, status, created_at, expires_at) \
                 VALUES (?, ?, ?, ?, 'pending', ?, ?)",
            )
            .bind(&i.id)
            .bind(&i.child_id)
            .bind(&i.invited_by)
            .bind(&i.phone)
            .bind(sent)
            .bind(sent + chrono::Duration::days(7))
            .execute(&mut *tx)
            .await?;
        }
        for e in &self.decision_log {
            crate::decision_log::log_decision(
                &mut tx,
                &e.child_id,
                &e.guardian_id,
                &e.action,
                &e.subject,
                now - chrono::Duration::days(e.days_ago),
            )
            .await
            .map_err(|e| SandboxError::Scenario(format!("decision log: {}", e.message)))?;
        }
        for p in &self.pins {
            sqlx::query(
                "INSERT INTO pins (child_id, pin_hash, failed_attempts, reset_required) VALUES (?, ?, ?, ?)",
            )
            .bind(&p.child_id)
            .bind(crate::auth::hash_secret(&p.pin)?)
            .bind(p.failed_attempts)
            .bind(p.failed_attempts >= crate::pin::RESET_AFTER)
            .execute(&mut *tx)
            .await?;
        }
        let default_policy = [SeedPolicy {
            version: "2026-01".into(),
            effective_in_days: -60,
            major: false,
            summary: "The first version of this policy.".into(),
            text: FIRST_POLICY_TEXT.into(),
        }];
        let policies = if self.policies.is_empty() { &default_policy[..] } else { &self.policies[..] };
        for p in policies {
            let effective_at = now + chrono::Duration::days(p.effective_in_days);
            sqlx::query(
                "INSERT INTO policies (version, published_at, effective_at, major, summary, text) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&p.version)
            .bind(effective_at.min(now) - chrono::Duration::days(30))
            .bind(effective_at)
            .bind(p.major)
            .bind(&p.summary)
            .bind(&p.text)
            .execute(&mut *tx)
            .await?;
        }
        let first_version = policies.iter().min_by_key(|p| p.effective_in_days).map(|p| p.version.clone());
        for child in &self.children {
            for (purpose, granted) in DEFAULT_CONSENTS {
                sqlx::query(
                    "INSERT INTO consent_events (child_id, purpose, granted, at, policy_version) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&child.id)
                .bind(purpose)
                .bind(granted)
                .bind(now - chrono::Duration::days(30))
                .bind(first_version.as_deref().unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            }
        }
        for g in &self.groups {
            sqlx::query("INSERT INTO chat_groups (id, name) VALUES (?, ?)")
                .bind(&g.id)
                .bind(&g.name)
                .execute(&mut *tx)
                .await?;
            for (user_id, display_name) in &g.members {
                sqlx::query(
                    "INSERT INTO chat_group_members (group_id, user_id, display_name) VALUES (?, ?, ?)",
                )
                .bind(&g.id)
                .bind(user_id)
                .bind(display_name)
                .execute(&mut *tx)
                .await?;
            }
            for child_id in &g.children {
                sqlx::query("INSERT INTO child_groups (child_id, group_id, joined_at) VALUES (?, ?, ?)")
                    .bind(child_id)
                    .bind(&g.id)
                    .bind(now - chrono::Duration::days(20))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        SandboxError::Scenario(format!("group {} of unknown child {child_id}: {e}", g.id))
                    })?;
            }
        }
        // Every child has a tablet and a phone, seen recently.
        for (i, child) in self.children.iter().enumerate() {
            for (n, (name, platform)) in [("Tablet", "android"), ("Phone", "ios")].into_iter().enumerate() {
                sqlx::query(
                    "INSERT INTO devices (id, child_id, name, platform, last_seen) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(format!("dev-{}-{}", child.id, n + 1))
                .bind(&child.id)
                .bind(name)
                .bind(platform)
                .bind(now - chrono::Duration::minutes(i64::try_from(i * 7 + n * 90).unwrap_or(0)))
                .execute(&mut *tx)
                .await?;
            }
        }
        for d in &self.deletions {
            let guardian: (String,) = sqlx::query_as("SELECT guardian_id FROM children WHERE id = ?")
                .bind(&d.child_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| {
                    SandboxError::Scenario(format!("deletion of unknown child {}: {e}", d.child_id))
                })?;
            let requested_at = now - chrono::Duration::days(d.requested_days_ago);
            sqlx::query(
                "INSERT INTO deletion_requests (id, guardian_id, subject, child_id, status, requested_at, \
                 cooling_off_until, due_at) VALUES (?, ?, 'child', ?, 'cooling_off', ?, ?, ?)",
            )
            .bind(format!("del-seed-{}", d.child_id))
            .bind(guardian.0)
            .bind(&d.child_id)
            .bind(requested_at)
            .bind(requested_at + crate::rights::COOLING_OFF)
            .bind(requested_at + chrono::Duration::days(15))
            .execute(&mut *tx)
            .await?;
        }
        for a in &self.staff_access {
            let categories: Vec<&str> = a.data_categories.iter().map(String::as_str).collect();
            crate::transparency::record_staff_access(
                &mut *tx,
                &a.child_id,
                &a.staff_role,
                now - chrono::Duration::days(a.days_ago),
                &a.purpose,
                &a.approval_ref,
                &categories,
            )
            .await
            .map_err(|e| {
                SandboxError::Scenario(format!("staff access to unknown child {}: {e}", a.child_id))
            })?;
        }
        for d in &self.automated_decisions {
            sqlx::query(
                "INSERT INTO automated_decisions (id, child_id, kind, summary, decided_at, human_reviewed) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&d.id)
            .bind(&d.child_id)
            .bind(&d.kind)
            .bind(&d.summary)
            .bind(now - chrono::Duration::days(d.days_ago))
            .bind(d.human_reviewed)
            .execute(&mut *tx)
            .await?;
        }
        for n in &self.security_notices {
            sqlx::query(
                "INSERT INTO security_notices (id, guardian_id, severity, title, body, published_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&n.id)
            .bind(&n.guardian_id)
            .bind(&n.severity)
            .bind(&n.title)
            .bind(&n.body)
            .bind(now - chrono::Duration::days(n.days_ago))
            .execute(&mut *tx)
            .await?;
        }
        if let Some(generate) = &self.generate {
            for child in &self.children {
                for i in 0..generate.contacts_per_child {
                    sqlx::query(
                        "INSERT INTO contacts (child_id, contact_id, display_name, status, messages_7d, calls_7d, \
                         last_interaction) VALUES (?, ?, ?, 'approved', ?, ?, ?)",
                    )
                    .bind(&child.id)
                    .bind(format!("u-{}-{i:05}", child.id))
                    .bind(format!("Friend {i:05} of {}", child.display_name))
                    .bind(i % 97)
                    .bind(i % 7)
                    .bind(now - chrono::Duration::minutes(i64::from(i)))
                    .execute(&mut *tx)
                    .await?;
                }
                for d in 0..generate.activity_days {
                    let day = (now - chrono::Duration::days(i64::from(d))).date_naive();
                    for (f, feature) in FEATURES.iter().enumerate() {
                        let seed = (d as usize * 31 + f * 7) % 13;
                        sqlx::query("INSERT INTO activity (child_id, day, feature, uses, minutes) VALUES (?, ?, ?, ?, ?)")
                            .bind(&child.id)
                            .bind(day)
                            .bind(*feature)
                            .bind(seed as i64)
                            .bind((seed * 4) as i64)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                for i in 0..generate.requests_per_child {
                    sqlx::query(
                        "INSERT INTO friend_requests (id, child_id, other_name, direction, status, created_at, \
                         expires_at) VALUES (?, ?, ?, 'incoming', 'pending', ?, ?)",
                    )
                    .bind(format!("fr-{}-{i:04}", child.id))
                    .bind(&child.id)
                    .bind(format!("Stranger {i:04}"))
                    .bind(now)
                    .bind(now + crate::friend_requests::REQUEST_LIFETIME)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_scenario_parses() {
        for (name, _) in SCENARIOS {
            let scenario = Scenario::named(name).expect("shipped scenarios parse");
            assert_eq!(&scenario.name, name, "a scenario's file names itself");
        }
    }

    #[test]
    fn an_unknown_scenario_names_the_known_ones() {
        let error = Scenario::named("nope").expect_err("unknown scenario").to_string();
        assert!(error.contains("demo-family"), "{error}");
    }
}
