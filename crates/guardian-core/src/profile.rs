//! A child's profile as the guardian sees it and corrects it, what the child's contacts see of
//! it (promise 3, docs/policy-promises.md), and an age planner: the birthdays on which the rules
//! that protect the child change (promise 14; COPPA, the GDPR's digital age of consent by country).

use chrono::{Datelike, Duration, NaiveDate};
use guardian_domain::{ChildProfileUpdate, CreateChild, ErrorCode, check_profile};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::{ChildSummary, CoreError, Engine};

/// What the child's contacts see: name, ID, avatar and online status — nothing else.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PublicProfile {
    pub display_name: String,
    pub id: String,
    /// The profile picture as a `data:` URL, when there is one.
    pub avatar: Option<String>,
}

/// A birthday on which a rule about the child changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AgeThreshold {
    pub age: i32,
    /// `service_consent` (under 14: the guardian's consent, promise 14 in docs/policy-promises.md
    /// and China's PIPL), `coppa` (under 13, United States), `gdpr` (the digital age of consent in
    /// the child's country), `adult` (18: guardian consent is no longer needed).
    pub rule: String,
    /// The day the child turns `age` (`YYYY-MM-DD`).
    pub on: String,
    pub passed: bool,
    /// Within the next 90 days: a warning before the threshold is crossed.
    pub soon: bool,
}

#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChildProfile {
    pub id: String,
    pub display_name: String,
    /// The profile picture as a `data:` URL, when there is one.
    pub avatar: Option<String>,
    /// Who can find the child.
    pub discoverable_by: guardian_domain::Discoverability,
    pub country: Option<String>,
    pub gender: Option<String>,
    pub birthday: Option<String>,
    pub age: Option<i32>,
    pub public: PublicProfile,
    /// Empty without a birthday.
    pub thresholds: Vec<AgeThreshold>,
}

/// An optional field as a front end sends it: trimmed, and empty means not given.
fn blank(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A new child as a front end sends it: empty optional fields are left out; `consent` is the
/// guardian's consent to the account under the policy in force.
#[derive(Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewChild {
    pub display_name: String,
    /// `YYYY-MM-DD`.
    pub birthday: String,
    pub country: Option<String>,
    pub gender: Option<String>,
    pub consent: bool,
}

impl std::fmt::Debug for NewChild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChild").finish_non_exhaustive()
    }
}

/// A correction as a front end sends it: empty optional fields are removed.
#[derive(Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProfileCorrection {
    pub display_name: String,
    pub country: Option<String>,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
}

impl std::fmt::Debug for ProfileCorrection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileCorrection").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ChildProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildProfile").field("id", &self.id).finish_non_exhaustive()
    }
}

/// The GDPR's digital age of consent (Art. 8) as set by each EEA country and the UK; countries
/// not listed use the regulation's default of 16. Local law may change: this is a planner.
const GDPR_AGE: &[(&str, i32)] = &[
    ("BE", 13),
    ("DK", 13),
    ("EE", 13),
    ("FI", 13),
    ("LV", 13),
    ("MT", 13),
    ("PT", 13),
    ("SE", 13),
    ("NO", 13),
    ("IS", 13),
    ("GB", 13),
    ("AT", 14),
    ("BG", 14),
    ("CY", 14),
    ("IT", 14),
    ("LT", 14),
    ("ES", 14),
    ("CZ", 15),
    ("FR", 15),
    ("GR", 15),
    ("SI", 15),
    ("DE", 16),
    ("HR", 16),
    ("HU", 16),
    ("IE", 16),
    ("LU", 16),
    ("NL", 16),
    ("PL", 16),
    ("RO", 16),
    ("SK", 16),
    ("LI", 16),
];

/// The day someone born on `birthday` turns `age` (29 February counts as 1 March otherwise).
fn turns(birthday: NaiveDate, age: i32) -> NaiveDate {
    let year = birthday.year() + age;
    birthday.with_year(year).unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).unwrap_or(birthday))
}

/// The thresholds that matter for a child born on `birthday` in `country`, in age order.
pub fn age_thresholds(birthday: NaiveDate, country: Option<&str>, today: NaiveDate) -> Vec<AgeThreshold> {
    let mut rules = vec![(14, "service_consent"), (18, "adult")];
    match country {
        Some("US") => rules.push((13, "coppa")),
        Some(code) => {
            if let Some((_, age)) = GDPR_AGE.iter().find(|(c, _)| *c == code) {
                rules.push((*age, "gdpr"));
            }
        }
        None => {}
    }
    rules.sort();
    rules
        .into_iter()
        .map(|(age, rule)| {
            let on = turns(birthday, age);
            AgeThreshold {
                age,
                rule: rule.to_owned(),
                on: on.to_string(),
                passed: on <= today,
                soon: on > today && on <= today + Duration::days(90),
            }
        })
        .collect()
}

impl Engine {
    /// The child's profile from the cache (offline too), with the contacts' view and the planner.
    pub async fn child_profile(&self, child: &str) -> Result<ChildProfile, CoreError> {
        let id = self.find_child(child).await?.id;
        let cached = self.cached_child(&id).await?;
        let today = self.now().date_naive();
        let avatar = self.avatar_url(&id).await?;
        Ok(ChildProfile {
            public: PublicProfile {
                display_name: cached.display_name.clone(),
                id: cached.id.clone(),
                avatar: avatar.clone(),
            },
            thresholds: cached
                .birthday
                .map(|b| age_thresholds(b, cached.country.as_deref(), today))
                .unwrap_or_default(),
            discoverable_by: cached.discoverability(),
            age: cached.birthday.map(|b| crate::age_on(b, today)),
            birthday: cached.birthday.map(|b| b.to_string()),
            id: cached.id,
            display_name: cached.display_name,
            avatar,
            country: cached.country,
            gender: cached.gender,
        })
    }

    /// Makes a child's account. The guardian's consent is recorded by the provider with the
    /// policy version in force, which this reads first; the new child is synced before this
    /// returns.
    pub async fn add_child(&self, child: NewChild) -> Result<ChildSummary, CoreError> {
        let birthday = NaiveDate::parse_from_str(child.birthday.trim(), "%Y-%m-%d")
            .map_err(|_| CoreError::Invalid("a birthday is written YYYY-MM-DD".into()))?;
        let policies = self.client.policies().await?;
        let (in_force, _) = crate::policy_in_force_and_pending(&policies, self.now());
        let policy_version = in_force
            .map(|p| p.version.clone())
            .ok_or_else(|| CoreError::Invalid("the provider has no policy in force yet".into()))?;
        let body = CreateChild {
            display_name: child.display_name.trim().to_owned(),
            birthday,
            country: blank(child.country).map(|c| c.to_uppercase()),
            gender: blank(child.gender),
            policy_version,
            guardian_consent: child.consent,
        };
        body.check(self.now().date_naive()).map_err(|(_, message)| CoreError::Invalid(message.to_owned()))?;
        let key = crate::decisions::idempotency_key("child");
        let created = self.client.create_child(&body, &key).await?;
        self.audit("child_added", &subject_ref("child", &created.id), &body.policy_version).await;
        self.sync().await?;
        self.children()
            .await?
            .into_iter()
            .find(|c| c.id == created.id)
            .ok_or_else(|| CoreError::Invalid("the new child did not arrive; try syncing again".into()))
    }

    /// Corrects the child's name and optional demographics (an empty one is removed). If the
    /// profile changed elsewhere meanwhile, nothing is overwritten: the cache is refreshed and
    /// the guardian is asked to look again.
    pub async fn correct_child_profile(
        &self,
        child: &str,
        correction: ProfileCorrection,
    ) -> Result<ChildProfile, CoreError> {
        let id = self.find_child(child).await?.id;
        let birthday = match blank(correction.birthday) {
            Some(text) => Some(
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| CoreError::Invalid("a birthday is written YYYY-MM-DD".into()))?,
            ),
            None => None,
        };
        let update = ChildProfileUpdate {
            display_name: correction.display_name.trim().to_owned(),
            country: blank(correction.country).map(|c| c.to_uppercase()),
            gender: blank(correction.gender),
            birthday,
        };
        check_profile(&update, self.now().date_naive())
            .map_err(|(_, message)| CoreError::Invalid(message.to_owned()))?;
        let version = self.cached_child(&id).await?.version;
        let key = crate::decisions::idempotency_key("profile");
        let result = self.client.correct_profile(&id, &update, &version, &key).await;
        let outcome = if result.is_ok() { "corrected" } else { "refused" };
        self.audit("profile_corrected", &subject_ref("child", &id), outcome).await;
        if let Err(error) = result {
            if error.provider_code() == Some(ErrorCode::PreconditionFailed) {
                self.sync().await?;
                return Err(CoreError::Invalid(
                    "the profile was changed elsewhere meanwhile; look at it again before correcting it"
                        .into(),
                ));
            }
            return Err(error.into());
        }
        self.sync().await?;
        self.child_profile(&id).await
    }

    pub(crate) async fn cached_child(&self, id: &str) -> Result<guardian_store::CachedChild, CoreError> {
        self.store()
            .await?
            .children()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| CoreError::Invalid(format!("no child {id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn thresholds_follow_the_country_and_warn_90_days_ahead() {
        let today = day("2026-11-30");
        let de = age_thresholds(day("2013-01-27"), Some("DE"), today);
        let rules: Vec<_> = de.iter().map(|t| (t.age, t.rule.as_str(), t.passed, t.soon)).collect();
        assert_eq!(
            rules,
            [(14, "service_consent", false, true), (16, "gdpr", false, false), (18, "adult", false, false)]
        );
        assert_eq!(de[0].on, "2027-01-27");

        let us = age_thresholds(day("2012-06-01"), Some("US"), today);
        assert_eq!((us[0].age, us[0].rule.as_str(), us[0].passed), (13, "coppa", true));
        // China and countries without a listed rule: the service's own 14 and 18.
        assert_eq!(age_thresholds(day("2020-03-02"), Some("CN"), today).len(), 2);
        assert_eq!(age_thresholds(day("2020-03-02"), None, today).len(), 2);
    }

    #[test]
    fn a_leap_day_birthday_turns_on_the_first_of_march() {
        assert_eq!(turns(day("2016-02-29"), 13), day("2029-03-01"));
        assert_eq!(turns(day("2016-02-29"), 12), day("2028-02-29"));
    }
}
