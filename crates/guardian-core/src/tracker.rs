//! The rights-request tracker: everything the guardian asked the provider for that has a legal
//! deadline — rights requests, reports and account deletions — in one list, open ones first,
//! each counting down to its due date and flagged when the provider is late.

use chrono::{DateTime, Utc};
use guardian_domain::{CreateRightsRequest, RightsRequest, RightsRequestKind};
use guardian_store::subject_ref;
use serde::Serialize;

use crate::{CoreError, Engine};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackedRequest {
    pub id: String,
    /// `access`, `correction`, `explanation`, `other`, `report` or `deletion`.
    pub kind: String,
    /// The child it is about (none for the guardian's own account).
    pub child_id: Option<String>,
    pub child_name: Option<String>,
    /// The guardian's words, a report's category, or what is being deleted.
    pub summary: String,
    /// The provider's status word.
    pub status: String,
    pub done: bool,
    pub created_at: String,
    pub due_at: String,
    /// Whole days until `due_at`; negative when overdue.
    pub days_left: i32,
    /// Still open after its due date.
    pub overdue: bool,
    /// The provider's answer or outcome, once done.
    pub receipt: Option<String>,
    /// A completed deletion: the categories deleted (words for the UI to translate).
    pub deleted: Vec<String>,
}

/// Whole days until `due`, rounded away from zero: a request filed now is due in 15 days, and
/// one an hour late is a day overdue.
pub fn days_until(now: DateTime<Utc>, due: DateTime<Utc>) -> i32 {
    const DAY: i64 = 86_400;
    let seconds = (due - now).num_seconds();
    let days = if seconds >= 0 { (seconds + DAY - 1) / DAY } else { -((-seconds + DAY - 1) / DAY) };
    i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX })
}

/// Builds one row; `done` requests are never overdue.
#[allow(clippy::too_many_arguments)]
fn tracked(
    now: DateTime<Utc>,
    id: String,
    kind: &str,
    child: Option<(&str, &str)>,
    summary: String,
    status: &str,
    done: bool,
    created_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    receipt: Option<String>,
) -> TrackedRequest {
    TrackedRequest {
        id,
        kind: kind.to_owned(),
        child_id: child.map(|(id, _)| id.to_owned()),
        child_name: child.map(|(_, name)| name.to_owned()),
        summary,
        status: status.to_owned(),
        done,
        created_at: created_at.to_rfc3339(),
        due_at: due_at.to_rfc3339(),
        days_left: days_until(now, due_at),
        overdue: !done && now > due_at,
        receipt,
        deleted: Vec::new(),
    }
}

pub(crate) fn from_rights(now: DateTime<Utc>, r: RightsRequest, name: &str) -> TrackedRequest {
    let done = r.status == "completed";
    tracked(
        now,
        r.id,
        r.kind.as_str(),
        Some((&r.child_id, name)),
        r.details,
        &r.status,
        done,
        r.created_at,
        r.due_at,
        r.receipt,
    )
}

/// Open requests first (soonest due first), then finished ones (newest first).
pub fn order_tracked(requests: &mut [TrackedRequest]) {
    requests.sort_by(|a, b| {
        a.done.cmp(&b.done).then_with(|| match a.done {
            false => a.due_at.cmp(&b.due_at),
            true => b.created_at.cmp(&a.created_at),
        })
    });
}

impl Engine {
    /// Every request with a deadline the guardian has made, across all children (online).
    pub async fn tracked_requests(&self) -> Result<Vec<TrackedRequest>, CoreError> {
        let now = self.now();
        let mut out = Vec::new();
        let children = self.children().await?;
        for child in &children {
            let name = child.display_name.as_str();
            for r in self.client.rights_requests(&child.id).await? {
                out.push(from_rights(now, r, name));
            }
            for r in self.client.reports(&child.id).await? {
                let done = r.status == "resolved";
                out.push(tracked(
                    now,
                    r.id,
                    "report",
                    Some((&child.id, name)),
                    r.category.as_str().to_owned(),
                    &r.status,
                    done,
                    r.created_at,
                    r.due_at,
                    r.outcome,
                ));
            }
        }
        for d in self.deletion_requests().await? {
            let child = d.child_id.as_deref().map(|id| {
                let name = children.iter().find(|c| c.id == id).map_or("", |c| c.display_name.as_str());
                (id, name)
            });
            let status = d.status.as_str();
            let done = status != "cooling_off";
            let mut row = tracked(
                now,
                d.id.clone(),
                "deletion",
                child,
                d.subject.clone(),
                status,
                done,
                d.requested_at,
                d.due_at,
                None,
            );
            if status == "completed" {
                row.deleted = d.deleted;
            }
            out.push(row);
        }
        order_tracked(&mut out);
        Ok(out)
    }

    /// Asks the provider for access, a correction or an explanation for the child.
    pub async fn ask_provider(
        &self,
        child: &str,
        kind: &str,
        details: &str,
    ) -> Result<TrackedRequest, CoreError> {
        let child = self.find_child(child).await?;
        let Some(kind) = RightsRequestKind::parse(kind) else {
            let known: Vec<_> = RightsRequestKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(CoreError::Invalid(format!("ask for one of: {}", known.join(", "))));
        };
        let details = details.trim();
        if details.is_empty() {
            return Err(CoreError::Invalid("say what you are asking for".into()));
        }
        let body = CreateRightsRequest { kind, details: details.to_owned() };
        let key = crate::decisions::idempotency_key("rights");
        let request = self.client.create_rights_request(&child.id, &body, &key).await?;
        self.audit("rights_request_filed", &subject_ref("child", &child.id), kind.as_str()).await;
        Ok(from_rights(self.now(), request, &child.display_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("a time")
    }

    #[test]
    fn open_requests_come_first_and_a_late_one_is_flagged() {
        let now = at("2026-11-30T12:00:00Z");
        let row = |id: &str, done: bool, created: &str, due: &str| {
            tracked(now, id.into(), "other", None, String::new(), "x", done, at(created), at(due), None)
        };
        let mut rows = vec![
            row("done-old", true, "2026-10-01T00:00:00Z", "2026-10-16T00:00:00Z"),
            row("late", false, "2026-11-01T00:00:00Z", "2026-11-16T00:00:00Z"),
            row("done-new", true, "2026-11-20T00:00:00Z", "2026-12-05T00:00:00Z"),
            row("soon", false, "2026-11-20T00:00:00Z", "2026-12-05T00:00:00Z"),
        ];
        order_tracked(&mut rows);
        let ids: Vec<_> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["late", "soon", "done-new", "done-old"]);
        assert!(rows[0].overdue && rows[0].days_left < 0);
        assert!(!rows[1].overdue && rows[1].days_left == 5, "4.5 days is 5 days left");
        assert_eq!(rows[0].days_left, -15);
        // Finished after its due date is not overdue: it was answered.
        assert!(!rows[3].overdue);
    }
}
