//! What front ends show. These cross to TypeScript (generated bindings), so IDs, timestamps and
//! counts use strings and 32-bit numbers.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderInfo {
    /// `"demo"` for the embedded demo provider, `"custom"` for a configured one.
    pub kind: String,
    /// The provider's address (the demo's is on this computer).
    pub url: String,
}

/// Something the guardian should know about the app's state, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    pub code: String,
    pub message: String,
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
    /// The last sync could not reach the provider.
    pub offline: bool,
    pub notices: Vec<Notice>,
}

#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChildSummary {
    pub id: String,
    pub display_name: String,
    /// Whole years, when the guardian gave a birthday.
    pub age: Option<i32>,
    pub avatar_url: Option<String>,
    /// `"pin_required"` or `"child_may_add"`.
    pub friend_approval: String,
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
