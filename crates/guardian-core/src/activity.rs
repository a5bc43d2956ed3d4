//! How a child uses the service, day by day and week by week, from the cache (works offline).
//! Only counts and minutes: the provider never sends what was said or shown (promise 4, docs/policy-promises.md).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use guardian_domain::ActivityRow;
use serde::Serialize;

use crate::{CoreError, Engine};

/// One day or one week of use. `uses` and `minutes` line up with [`ActivityView::features`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityPeriod {
    /// The first day (`YYYY-MM-DD`); for a week, its Monday.
    pub start: String,
    /// The last day, inclusive.
    pub end: String,
    pub uses: Vec<u32>,
    pub minutes: Vec<u32>,
    /// Voice and video calls together.
    pub call_minutes: u32,
    pub games_played: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityView {
    /// Features in a stable order: the common ones first, then any others by name.
    pub features: Vec<String>,
    /// Every day of the range, oldest first; days with no use are zeros, not gaps.
    pub days: Vec<ActivityPeriod>,
    /// Monday-to-Sunday weeks overlapping the range, oldest first.
    pub weeks: Vec<ActivityPeriod>,
}

/// The longest range shown at once.
pub const MAX_ACTIVITY_DAYS: u32 = 366;
const KNOWN_FEATURES: &[&str] = &["chat", "voice_call", "video_call", "games"];

/// Sums `rows` into the `days` days ending on `today` (inclusive), and into weeks.
pub fn summarise_activity(rows: &[ActivityRow], today: NaiveDate, days: u32) -> ActivityView {
    let days = days.clamp(1, MAX_ACTIVITY_DAYS);
    let first = today - Duration::days(i64::from(days) - 1);
    let in_range: Vec<&ActivityRow> = rows.iter().filter(|r| r.day >= first && r.day <= today).collect();

    let mut features: Vec<String> = KNOWN_FEATURES
        .iter()
        .filter(|f| in_range.iter().any(|r| r.feature == **f))
        .map(|f| (*f).to_owned())
        .collect();
    let mut others: Vec<String> = in_range
        .iter()
        .map(|r| r.feature.clone())
        .filter(|f| !KNOWN_FEATURES.contains(&f.as_str()))
        .collect();
    others.sort();
    others.dedup();
    features.extend(others);

    let mut by_day: BTreeMap<NaiveDate, Vec<&ActivityRow>> = BTreeMap::new();
    for row in &in_range {
        by_day.entry(row.day).or_default().push(*row);
    }
    let period = |start: NaiveDate, end: NaiveDate| {
        let mut p = ActivityPeriod {
            start: start.to_string(),
            end: end.to_string(),
            uses: vec![0; features.len()],
            minutes: vec![0; features.len()],
            call_minutes: 0,
            games_played: 0,
        };
        for (_, rows) in by_day.range(start..=end) {
            for row in rows {
                let Some(i) = features.iter().position(|f| *f == row.feature) else { continue };
                p.uses[i] = p.uses[i].saturating_add(row.uses);
                p.minutes[i] = p.minutes[i].saturating_add(row.minutes);
                match row.feature.as_str() {
                    "voice_call" | "video_call" => {
                        p.call_minutes = p.call_minutes.saturating_add(row.minutes)
                    }
                    "games" => p.games_played = p.games_played.saturating_add(row.uses),
                    _ => {}
                }
            }
        }
        p
    };

    let days_out = first.iter_days().take_while(|d| *d <= today).map(|d| period(d, d)).collect();
    let mut weeks = Vec::new();
    let mut monday = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    while monday <= today {
        let sunday = monday + Duration::days(6);
        weeks.push(period(monday, sunday));
        monday += Duration::days(7);
    }
    ActivityView { features, days: days_out, weeks }
}

impl Engine {
    /// The child's use over the last `days` days (ending today), as last synced.
    pub async fn activity(&self, child: &str, days: u32) -> Result<ActivityView, CoreError> {
        let child = self.find_child(child).await?;
        let today = self.now().date_naive();
        let first = today - Duration::days(i64::from(days.clamp(1, MAX_ACTIVITY_DAYS)) - 1);
        let rows = self.store().await?.activity(&child.id, first).await?;
        Ok(summarise_activity(&rows, today, days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, feature: &str, uses: u32, minutes: u32) -> ActivityRow {
        ActivityRow {
            child_id: "c".into(),
            day: day.parse().expect("a date"),
            feature: feature.into(),
            uses,
            minutes,
        }
    }

    #[test]
    fn days_are_filled_weeks_start_on_monday_and_calls_add_up() {
        // 2026-11-30 is a Monday.
        let today: NaiveDate = "2026-11-30".parse().expect("a date");
        let rows = [
            row("2026-11-30", "chat", 3, 20),
            row("2026-11-30", "video_call", 1, 15),
            row("2026-11-29", "voice_call", 2, 10),
            row("2026-11-28", "games", 4, 30),
            row("2026-11-28", "stickers", 9, 1),
            row("2026-11-01", "chat", 99, 99), // outside the range
        ];
        let view = summarise_activity(&rows, today, 3);
        assert_eq!(view.features, ["chat", "voice_call", "video_call", "games", "stickers"]);
        let days: Vec<_> = view.days.iter().map(|d| d.start.as_str()).collect();
        assert_eq!(days, ["2026-11-28", "2026-11-29", "2026-11-30"]);
        assert_eq!(view.days[0].games_played, 4);
        assert_eq!(view.days[0].minutes, [0, 0, 0, 30, 1]);
        assert_eq!(view.days[2].call_minutes, 15);
        // Saturday and Sunday belong to the week of Monday the 23rd; today starts a new week.
        assert_eq!(view.weeks.len(), 2);
        assert_eq!((view.weeks[0].start.as_str(), view.weeks[0].end.as_str()), ("2026-11-23", "2026-11-29"));
        assert_eq!(view.weeks[0].call_minutes, 10);
        assert_eq!(view.weeks[1].uses, [3, 0, 1, 0, 0]);
    }

    #[test]
    fn an_empty_range_is_zeros_and_the_range_is_bounded() {
        let today: NaiveDate = "2026-11-30".parse().expect("a date");
        let view = summarise_activity(&[], today, 0);
        assert_eq!(view.days.len(), 1);
        assert!(view.features.is_empty());
        assert_eq!(summarise_activity(&[], today, 100_000).days.len(), MAX_ACTIVITY_DAYS as usize);
    }
}
