//! Friend requests, contacts, the parental PIN and the change feed.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use chrono::{DateTime, Datelike as _, Utc};
use serde::{Deserialize, Serialize};

use crate::Child;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Someone asked to be the child's friend.
    Incoming,
    /// The child asked someone.
    Outgoing,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Incoming, Self::Outgoing].into_iter().find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
    Expired,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Denied, Self::Expired].into_iter().find(|v| v.as_str() == s)
    }
}

/// A friend request waiting for (or decided by) the guardian.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FriendRequest {
    pub id: String,
    pub child_id: String,
    /// The other user's display name (rendered as text, never as markup).
    pub other_name: String,
    pub direction: Direction,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Where all of the child's guardians must agree: those who approved so far while the
    /// request waits for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_by: Vec<String>,
}

impl fmt::Debug for FriendRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FriendRequest")
            .field("id", &self.id)
            .field("child_id", &self.child_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Approved,
    Blocked,
}

impl ContactStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Blocked].into_iter().find(|v| v.as_str() == s)
    }
}

/// One of the child's contacts, with interaction metadata only — never message content.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub child_id: String,
    pub contact_id: String,
    pub display_name: String,
    pub status: ContactStatus,
    /// Messages exchanged in the last 7 days (a count; the provider keeps no content).
    pub messages_7d: u32,
    /// Voice and video calls in the last 7 days.
    pub calls_7d: u32,
    pub last_interaction: Option<DateTime<Utc>>,
    /// A friendship approved for a trial ends then, unless a guardian confirms it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_until: Option<DateTime<Utc>>,
    /// The provider banned this account for abuse then: it is blocked for every child and stays
    /// blocked (an unblock is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact")
            .field("child_id", &self.child_id)
            .field("contact_id", &self.contact_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Approve a friend request. The PIN is required when the child is in `pin_required` mode.
#[derive(Clone, Default, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    #[serde(default)]
    pub pin: Option<String>,
    /// Approve for a trial of this many days (1 to 30): the friendship ends then unless a
    /// guardian confirms it.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "whole_number")]
    #[zeroize(skip)]
    pub trial_days: Option<u32>,
}

/// A JSON integer, which JSON Schema lets be written `7.0` as well as `7`.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let value: Option<f64> = Option::deserialize(deserializer)?;
    value
        .map(|n| {
            if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
                Ok(n as u32)
            } else {
                Err(serde::de::Error::custom(format!("{n} is not a whole number of days")))
            }
        })
        .transpose()
}

/// The longest trial a friendship can be approved for.
pub const MAX_TRIAL_DAYS: u32 = 30;

impl fmt::Debug for ApproveRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApproveRequest(<redacted>)")
    }
}

/// Set or change a child's parental PIN (4 digits). Changing one needs `current_pin`, or, to
/// reset a forgotten or locked PIN, a fresh re-authentication proof (`reauth_proof`).
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct SetPin {
    pub new_pin: String,
    #[serde(default)]
    pub current_pin: Option<String>,
    #[serde(default)]
    pub reauth_proof: Option<String>,
}

impl fmt::Debug for SetPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetPin(<redacted>)")
    }
}

/// Whether a string is a valid parental PIN: exactly four ASCII digits.
pub fn is_valid_pin(pin: &str) -> bool {
    pin.len() == crate::PIN_DIGITS && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Change the child's friend-approval mode, who can find the child, or both (sent with
/// `If-Match` of the child's version). At least one is given.
#[derive(Clone, Default, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct ChildSettingsPatch {
    // A setting is left out to keep it; `null` is not a setting.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[zeroize(skip)]
    pub friend_approval: Option<crate::FriendApproval>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[zeroize(skip)]
    pub discoverable_by: Option<crate::Discoverability>,
    /// The guardian's word (see [`GuardianCheck`]), needed to change the approval mode or to
    /// widen who can find the child.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub reauth_proof: Option<String>,
}

impl fmt::Debug for ChildSettingsPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSettingsPatch")
            .field("friend_approval", &self.friend_approval)
            .field("discoverable_by", &self.discoverable_by)
            .finish_non_exhaustive()
    }
}

/// The guardian's word for a change only a guardian may make (loosening a protection, unblocking
/// a contact, the co-guardians' rules): the child's parental PIN, or, for a child with no PIN
/// yet, a fresh re-authentication proof taken for `change_protection`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct GuardianCheck {
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub reauth_proof: Option<String>,
}

impl GuardianCheck {
    pub fn pin(pin: &str) -> Self {
        Self { pin: Some(pin.to_owned()), reauth_proof: None }
    }
}

impl fmt::Debug for GuardianCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuardianCheck(<redacted>)")
    }
}

/// An optional field that, when present, must hold a value (`null` is refused).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `PUT /v1/children/{id}/profile`: the guardian's correction of the child's profile. The whole
/// editable profile is sent; a `null` demographic is removed (promises 1 and 9,
/// docs/policy-promises.md).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildProfileUpdate {
    pub display_name: String,
    // Each demographic must be present, as a value or `null` (a missing one is a client bug).
    #[serde(deserialize_with = "Option::deserialize")]
    pub country: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub gender: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub birthday: Option<chrono::NaiveDate>,
}

impl fmt::Debug for ChildProfileUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildProfileUpdate").finish_non_exhaustive()
    }
}

/// The genders a guardian may give (optional).
pub const GENDERS: &[&str] = &["female", "male", "another"];

/// `POST /v1/children`: a new child's account, made by the guardian, whose consent is recorded
/// with the policy version in force (promise 14, docs/policy-promises.md: a child under 14 needs
/// a guardian's consent).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateChild {
    pub display_name: String,
    pub birthday: chrono::NaiveDate,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    /// The policy version the guardian read; it must be the one in force.
    pub policy_version: String,
    /// The guardian consents to the account (must be `true`).
    pub guardian_consent: bool,
}

impl fmt::Debug for CreateChild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateChild").field("policy_version", &self.policy_version).finish_non_exhaustive()
    }
}

impl CreateChild {
    /// The same checks as a profile correction, on the new child's profile.
    pub fn check(&self, today: chrono::NaiveDate) -> Result<(), (&'static str, &'static str)> {
        let profile = ChildProfileUpdate {
            display_name: self.display_name.clone(),
            country: self.country.clone(),
            gender: self.gender.clone(),
            birthday: Some(self.birthday),
        };
        check_profile(&profile, today)?;
        if !self.guardian_consent {
            return Err(("guardian_consent", "a guardian's consent is needed to make a child's account"));
        }
        Ok(())
    }
}

/// Checks a profile correction as the provider does: a name of 1 to 40 characters, a country as
/// two capital letters (ISO 3166-1), a known gender, and a birthday in the last 18 years.
pub fn check_profile(
    update: &ChildProfileUpdate,
    today: chrono::NaiveDate,
) -> Result<(), (&'static str, &'static str)> {
    let name = update.display_name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(("display_name", "a name is 1 to 40 characters"));
    }
    if let Some(country) = &update.country
        && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(("country", "a country is two capital letters, as in CN or DE"));
    }
    if let Some(gender) = &update.gender
        && !GENDERS.contains(&gender.as_str())
    {
        return Err(("gender", "a gender is female, male or another"));
    }
    if let Some(birthday) = update.birthday {
        let eighteen_years_ago = today.with_year(today.year() - 18).unwrap_or(today);
        if birthday > today || birthday <= eighteen_years_ago {
            return Err(("birthday", "a child's birthday is in the last 18 years"));
        }
    }
    Ok(())
}

/// One day of one feature's use by a child: how often and for how long. Usage only — never
/// what was said or shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub child_id: String,
    pub day: chrono::NaiveDate,
    /// `chat`, `voice_call`, `video_call`, `games`, … (providers may add more).
    pub feature: String,
    /// Times used that day.
    pub uses: u32,
    /// Minutes spent that day.
    pub minutes: u32,
}

/// What changed, in feed order. Deletions are tombstones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Child {
        data: Child,
    },
    FriendRequest {
        data: FriendRequest,
    },
    Contact {
        data: Contact,
    },
    Activity {
        data: ActivityRow,
    },
    ChildDeleted {
        id: String,
    },
    ContactDeleted {
        child_id: String,
        contact_id: String,
    },
    /// The guardian deleted the child's activity history: drop every activity row of the child.
    ActivityDeleted {
        child_id: String,
    },
}

/// One page of the change feed (`GET /v1/changes`). Keep `cursor` and send it back; while
/// `has_more` is true, ask again at once. A `410` with `cursor_expired` means: start over
/// without a cursor (the first pages are then a full snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    pub cursor: String,
    pub has_more: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_change_leaves_out_what_it_keeps_and_never_sends_null() {
        let only: ChildSettingsPatch = serde_json::from_str(r#"{"discoverable_by":"nobody"}"#).expect("one");
        assert_eq!(
            (only.friend_approval, only.discoverable_by),
            (None, Some(crate::Discoverability::Nobody))
        );
        assert!(serde_json::from_str::<ChildSettingsPatch>(r#"{"discoverable_by":null}"#).is_err());
        assert_eq!(serde_json::to_string(&only).expect("json"), r#"{"discoverable_by":"nobody"}"#);
    }

    #[test]
    fn pins_are_exactly_four_digits() {
        for ok in ["0000", "1234", "9876"] {
            assert!(is_valid_pin(ok), "{ok}");
        }
        for bad in ["", "123", "12345", "12a4", "١٢٣٤", " 123"] {
            assert!(!is_valid_pin(bad), "{bad:?} must be refused");
        }
    }

    #[test]
    fn pin_requests_never_print_the_pin() {
        let a = ApproveRequest { pin: Some("4821".into()), trial_days: None };
        let s = SetPin { new_pin: "4821".into(), current_pin: Some("1111".into()), reauth_proof: None };
        assert!(!format!("{a:?}{s:?}").contains("4821"));
    }

    #[test]
    fn trial_days_are_a_whole_number_however_written() {
        let parse = |json: &str| serde_json::from_str::<ApproveRequest>(json).map(|a| a.trial_days);
        assert_eq!(parse(r#"{"trial_days": 7}"#).ok(), Some(Some(7)));
        assert_eq!(parse(r#"{"trial_days": 7.0}"#).ok(), Some(Some(7)));
        assert_eq!(parse(r#"{"trial_days": null}"#).ok(), Some(None));
        assert_eq!(parse("{}").ok(), Some(None));
        assert!(parse(r#"{"trial_days": 7.5}"#).is_err());
        assert!(parse(r#"{"trial_days": -1}"#).is_err());
    }
}
