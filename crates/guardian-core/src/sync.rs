//! Sync is a plan and an apply. The plan (this module) is pure: given the outbox, the feed
//! position and the time, it says what to send and what to fetch. The engine does the I/O.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use guardian_store::{OutboxRow, OutboxState};

/// One thing to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send the queued decision with this outbox sequence number.
    Send { seq: i64 },
    /// No feed position yet: fetch a full snapshot.
    Bootstrap,
    /// Fetch what changed since the cursor.
    Pull { cursor: String },
}

/// Decisions go first (so the feed then reflects them), in the order they were made, per child;
/// a child whose oldest queued decision is waiting for its retry time holds back its later
/// ones, so the provider sees each child's decisions in order. Refused decisions wait for the
/// guardian and block nothing.
pub fn plan(outbox: &[OutboxRow], cursor: Option<&str>, now: DateTime<Utc>) -> Vec<Step> {
    let mut rows: Vec<&OutboxRow> = outbox.iter().filter(|r| r.state == OutboxState::Queued).collect();
    rows.sort_by_key(|r| r.seq);
    let mut held: HashSet<Option<&str>> = HashSet::new();
    let mut steps = Vec::new();
    for row in rows {
        let child = row.child_id.as_deref();
        if held.contains(&child) {
            continue;
        }
        if row.next_attempt_at.is_some_and(|at| at > now) {
            held.insert(child);
            continue;
        }
        steps.push(Step::Send { seq: row.seq });
    }
    steps.push(match cursor {
        Some(cursor) => Step::Pull { cursor: cursor.to_owned() },
        None => Step::Bootstrap,
    });
    steps
}

/// When to try a decision again: what the provider asked for (`Retry-After`), otherwise
/// exponential backoff from 2 s, capped at 5 minutes, with jitter (`jitter` in 0..=1) so many
/// clients do not retry in step.
pub fn retry_delay(attempts: u32, retry_after: Option<u64>, jitter: f64) -> Duration {
    if let Some(seconds) = retry_after {
        return Duration::seconds(i64::try_from(seconds.min(3600)).unwrap_or(3600));
    }
    let base_ms: i64 = (2_000_i64 << attempts.min(8)).min(300_000);
    let jitter = jitter.clamp(0.0, 1.0);
    // Half fixed, half random ("equal jitter").
    #[allow(clippy::cast_possible_truncation)]
    let random = ((base_ms / 2) as f64 * jitter) as i64;
    Duration::milliseconds(base_ms / 2 + random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().expect("date")
    }

    fn row(seq: i64, child: &str, state: OutboxState, next: Option<i64>) -> OutboxRow {
        OutboxRow {
            seq,
            idempotency_key: format!("k{seq}"),
            child_id: Some(child.to_owned()),
            kind: "approve_request".into(),
            payload: "{}".into(),
            created_at: now(),
            attempts: 0,
            last_error: None,
            state,
            next_attempt_at: next.map(|s| now() + Duration::seconds(s)),
            reason: None,
            refusal: None,
        }
    }

    fn sends(steps: &[Step]) -> Vec<i64> {
        steps.iter().filter_map(|s| if let Step::Send { seq } = s { Some(*seq) } else { None }).collect()
    }

    #[test]
    fn plans_are_table_tested() {
        /// (name, outbox, cursor, expected sends in order, expected last step)
        type Case<'a> = (&'a str, Vec<OutboxRow>, Option<&'a str>, Vec<i64>, Step);
        let cases: Vec<Case<'_>> = vec![
            ("nothing queued, first sync", vec![], None, vec![], Step::Bootstrap),
            ("nothing queued, later sync", vec![], Some("c1"), vec![], Step::Pull { cursor: "c1".into() }),
            (
                "all due: oldest first",
                vec![
                    row(3, "a", OutboxState::Queued, None),
                    row(1, "b", OutboxState::Queued, Some(-5)),
                    row(2, "a", OutboxState::Queued, None),
                ],
                Some("c"),
                vec![1, 2, 3],
                Step::Pull { cursor: "c".into() },
            ),
            (
                "a waiting row holds back later rows of its child only",
                vec![
                    row(1, "a", OutboxState::Queued, Some(60)),
                    row(2, "a", OutboxState::Queued, None),
                    row(3, "b", OutboxState::Queued, None),
                ],
                Some("c"),
                vec![3],
                Step::Pull { cursor: "c".into() },
            ),
            (
                "refused rows block nothing and are not resent",
                vec![row(1, "a", OutboxState::Failed, None), row(2, "a", OutboxState::Queued, None)],
                None,
                vec![2],
                Step::Bootstrap,
            ),
        ];
        for (name, outbox, cursor, expected_sends, last) in cases {
            let steps = plan(&outbox, cursor, now());
            assert_eq!(sends(&steps), expected_sends, "{name}");
            assert_eq!(steps.last(), Some(&last), "{name}: the feed comes last");
        }
    }

    #[test]
    fn retries_back_off_with_jitter_and_honour_retry_after() {
        assert_eq!(retry_delay(0, None, 0.0), Duration::seconds(1));
        assert_eq!(retry_delay(0, None, 1.0), Duration::seconds(2));
        assert_eq!(retry_delay(3, None, 0.0), Duration::seconds(8));
        assert_eq!(retry_delay(30, None, 1.0), Duration::seconds(300), "capped at 5 minutes");
        assert_eq!(retry_delay(0, Some(42), 0.9), Duration::seconds(42), "the provider's Retry-After wins");
        assert_eq!(
            retry_delay(9, Some(1_000_000), 0.0),
            Duration::hours(1),
            "an absurd Retry-After is capped"
        );
        for attempts in 0..12 {
            let low = retry_delay(attempts, None, 0.0);
            let high = retry_delay(attempts, None, 1.0);
            assert!(low <= high && high <= low * 2, "attempt {attempts}: jitter stays within [base/2, base]");
        }
    }
}
