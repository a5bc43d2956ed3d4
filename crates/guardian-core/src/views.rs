//! What front ends show. These cross to TypeScript (generated bindings), so IDs, timestamps and
//! counts use strings and 32-bit numbers.

use chrono::{Datelike, NaiveDate};
use guardian_domain::{Discoverability, FriendApproval};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderInfo {
    pub kind: ProviderKind,
    /// The provider's address (the demo's is on this computer).
    pub url: String,
    /// How to sign in to the demo family (its password is new at each start); `None` on a real
    /// provider.
    pub demo: Option<DemoCredentials>,
}

/// The embedded demo, or a provider the guardian chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Demo,
    Custom,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Demo => "demo",
            Self::Custom => "custom",
        }
    }
}

/// The demo family's fictional guardian, shown to whoever chose to try it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoCredentials {
    pub phone: String,
    pub password: String,
    /// The demo children's parental PIN.
    pub pin: String,
}

/// A sign-in code is on its way by SMS.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SmsCodeView {
    pub expires_at: String,
    /// When another code may be asked for.
    pub resend_after: String,
    /// The demo provider sends no real message; this is the code it would have sent.
    pub demo_code: Option<String>,
}

/// Something the guardian should know about the app's state, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    pub code: NoticeCode,
    /// In English, with what only the engine knows (where a damaged cache was set aside).
    pub message: String,
}

/// What a [`Notice`] is about; front ends word it in the guardian's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NoticeCode {
    /// No OS keyring: nothing is kept between runs.
    NoSecureStorage,
    /// The cache could not be read; it was set aside and is rebuilt from the provider.
    CacheRebuilt,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Status {
    pub provider: ProviderInfo,
    /// Whether tokens and the cache key are kept in the OS keyring.
    pub secure_storage: bool,
    pub signed_in: bool,
    /// RFC 3339 time of the last successful sync.
    pub last_synced: Option<String>,
    /// The provider could not be used at the last sync (for any reason): what is shown is the
    /// cache as of `last_synced`.
    pub offline: bool,
    /// Why, as an error code (`offline`, `provider_unavailable`, `provider_busy`, …).
    pub unavailable: Option<String>,
    /// When the next queued decision will be tried again (RFC 3339), if one waits for a time.
    pub next_retry_at: Option<String>,
    /// Decisions waiting to be sent.
    pub queued_decisions: i32,
    /// Decisions the provider refused, waiting for the guardian to read why.
    pub refused_decisions: i32,
    pub notices: Vec<Notice>,
}

#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChildSummary {
    pub id: String,
    pub display_name: String,
    /// Whole years, when the guardian gave a birthday.
    pub age: Option<i32>,
    /// The profile picture as a `data:` URL, when there is one.
    pub avatar: Option<String>,
    pub friend_approval: FriendApproval,
    /// Who can find the child.
    pub discoverable_by: Discoverability,
    pub pending_requests: i32,
}

impl std::fmt::Debug for ChildSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildSummary").field("id", &self.id).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub status: Status,
    pub children: Vec<ChildSummary>,
}

/// Age in whole years on `today`.
pub fn age_on(birthday: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birthday.year();
    if (today.month(), today.day()) < (birthday.month(), birthday.day()) {
        age -= 1;
    }
    age.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn ages_turn_over_on_the_birthday() {
        let cases = [
            (d(2013, 1, 27), d(2026, 1, 26), 12),
            (d(2013, 1, 27), d(2026, 1, 27), 13),
            (d(2020, 3, 2), d(2026, 11, 23), 6),
            (d(2016, 2, 29), d(2026, 2, 28), 9),
            (d(2016, 2, 29), d(2026, 3, 1), 10),
            (d(2030, 1, 1), d(2026, 1, 1), 0),
        ];
        for (birthday, today, expected) in cases {
            assert_eq!(age_on(birthday, today), expected, "born {birthday}, on {today}");
        }
    }
}

/// A friend request, with the guardian's queued decision if it has not reached the provider.
#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestView {
    pub id: String,
    pub child_id: String,
    pub other_name: String,
    pub direction: guardian_domain::Direction,
    /// As the provider last said.
    pub status: guardian_domain::RequestStatus,
    /// RFC 3339.
    pub expires_at: String,
    /// An approval or a denial that waits to be sent.
    pub queued: Option<crate::DecisionKind>,
    /// Where all the child's guardians must agree: who approved so far while the others are
    /// awaited.
    pub approved_by: Vec<String>,
}

/// A contact, with interaction metadata only (never message content).
#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ContactView {
    pub child_id: String,
    pub contact_id: String,
    pub display_name: String,
    /// As the provider last said.
    pub status: guardian_domain::ContactStatus,
    pub messages_7d: i32,
    pub calls_7d: i32,
    pub last_interaction: Option<String>,
    /// A block, an unblock or a removal that waits to be sent.
    pub queued: Option<crate::DecisionKind>,
    /// A friendship approved for a trial ends then (RFC 3339) unless the guardian confirms it.
    pub trial_until: Option<String>,
    /// The provider banned the account for abuse then (RFC 3339): blocked, and it stays so.
    pub banned_at: Option<String>,
}

/// A decision not yet accepted by the provider: queued, or refused with the provider's words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PendingDecision {
    pub id: String,
    pub kind: crate::DecisionKind,
    pub child_id: String,
    pub subject: String,
    pub state: PendingState,
    /// The provider's refusal, with the facts to word it (for a refused decision).
    pub refusal: Option<crate::Refusal>,
    pub attempts: i32,
    /// What the provider said (for a refused decision), or the last passing error.
    pub message: Option<String>,
    /// Why it waits or was refused, as an error code for the front ends to word: one of the
    /// unavailability codes, or the provider's own code for a refusal.
    pub reason: Option<String>,
    /// When it will be tried again (RFC 3339), for a queued decision that waits for a time.
    pub next_try_at: Option<String>,
}

/// Where a decision not yet accepted stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// It waits to be sent (or for its next try).
    Queued,
    /// The provider said no; `message` says why.
    Refused,
}

impl PendingState {
    /// As the bindings and `--json` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Refused => "refused",
        }
    }
}

/// What became of a decision just made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeState {
    /// The provider has it.
    Sent,
    /// It will be sent when possible.
    Queued,
    /// An approval the child's other guardians must give too.
    AwaitingGuardians,
    /// The provider said no; `message` says why.
    Refused,
}

/// What happened to a decision just made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DecisionOutcome {
    pub state: OutcomeState,
    pub message: Option<String>,
    /// Why it waits (an unavailability code) or was refused (the provider's code).
    pub reason: Option<String>,
    /// The provider's refusal, with the facts to word it (tries left, a lock's end).
    pub refusal: Option<crate::Refusal>,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}
redacted_debug!(RequestView, ContactView);
