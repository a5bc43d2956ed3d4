//! Devices and reports over loopback HTTP, with the sandbox's clock.

mod common;

use chrono::Duration;
use common::{Api, code};
use guardian_domain::{
    AutomatedDecision, Device, ErrorCode, Group, Page, Report, RightsRequest, RightsRequestKind,
    SecurityNotice, StaffAccess,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_device_is_signed_out_remotely_and_other_families_devices_stay_hidden() {
    let api = Api::start().await;
    let (status, body) = api.call(Method::GET, "/v1/children/c-leo/devices", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Page<Device> = serde_json::from_value(body).expect("page");
    assert_eq!(page.items.len(), 2);
    assert!(page.items.iter().all(|d| d.signed_in));
    let path = "/v1/children/c-leo/devices/dev-c-leo-1/sign-out";
    let (status, body) = api.call(Method::POST, path, Some("k-1"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["signed_in"], false);
    // Another child's device through this child is not found; nor is an unknown child.
    let (status, _) =
        api.call(Method::POST, "/v1/children/c-leo/devices/dev-c-mei-1/sign-out", Some("k-2"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.call(Method::GET, "/v1/children/c-other/devices", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_report_is_due_in_15_days_and_moves_from_submitted_to_resolved() {
    let mut api = Api::start().await;
    let report = |category: &str, target: &str, images: serde_json::Value| {
        json!({ "target_kind": "contact", "target_id": target, "category": category,
                "evidence_text": "Mean messages after school", "images": images })
    };
    // A category that does not exist, a contact the child does not have, a fake image.
    let path = "/v1/children/c-leo/reports";
    let (status, _) =
        api.call(Method::POST, path, Some("k-1"), Some(report("rudeness", "u-sam", json!([])))).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    let (status, body) =
        api.call(Method::POST, path, Some("k-2"), Some(report("bullying", "u-zoe", json!([])))).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation));
    assert_eq!(body["details"]["field"], "target_id");
    let fake = json!([{ "content_type": "image/png", "data_base64": "bm90IGFuIGltYWdl" }]);
    let (status, body) =
        api.call(Method::POST, path, Some("k-3"), Some(report("bullying", "u-sam", fake))).await;
    assert_eq!(body["details"]["field"], "images", "{status} {body}");

    let png = json!([{ "content_type": "image/png", "data_base64": "iVBORw0KGgoAAAANSUhEUg==" }]);
    let (status, body) =
        api.call(Method::POST, path, Some("k-4"), Some(report("bullying", "u-sam", png))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let filed: Report = serde_json::from_value(body).expect("report");
    assert_eq!((filed.status.as_str(), filed.image_count), ("submitted", 1));
    assert_eq!(filed.due_at - filed.created_at, Duration::days(15));

    api.advance(Duration::days(2)).await;
    let (_, body) = api.call(Method::GET, path, None, None).await;
    let page: Page<Report> = serde_json::from_value(body).expect("page");
    assert_eq!(page.items[0].status, "reviewing");
    api.advance(Duration::days(4)).await;
    let (_, body) = api.call(Method::GET, path, None, None).await;
    let page: Page<Report> = serde_json::from_value(body).expect("page");
    assert_eq!(page.items[0].status, "resolved");
    assert!(page.items[0].outcome.is_some());
}

#[tokio::test]
async fn groups_mark_members_who_are_not_approved_contacts_and_a_child_can_leave_one() {
    let api = Api::start().await;
    let (status, body) = api.call(Method::GET, "/v1/children/c-leo/groups", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Page<Group> = serde_json::from_value(body).expect("page");
    let [class] = page.items.as_slice() else { panic!("Leo is in one group: {page:?}") };
    let approved: Vec<_> = class.members.iter().map(|m| (m.user_id.as_str(), m.approved_contact)).collect();
    assert_eq!(approved, [("u-max", false), ("u-noah", true), ("u-sam", true)]);

    // Blocking Sam makes Sam no longer an approved contact in the group either.
    let (status, _) =
        api.call(Method::POST, "/v1/children/c-leo/contacts/u-sam/block", Some("k-b"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = api.call(Method::GET, "/v1/children/c-leo/groups", None, None).await;
    let sam = body["items"][0]["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == "u-sam")
        .cloned();
    assert_eq!(sam.map(|m| m["approved_contact"].clone()), Some(json!(false)));

    // A group can be reported by its ID; one that does not exist cannot.
    let report = |target: &str| json!({ "target_kind": "group", "target_id": target, "category": "harassment", "evidence_text": "" });
    let path = "/v1/children/c-leo/reports";
    let (status, body) = api.call(Method::POST, path, Some("k-r1"), Some(report("grp-class-4b"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = api.call(Method::POST, path, Some("k-r2"), Some(report("grp-nope"))).await;
    assert_eq!(
        (status, body["details"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("target_id"))
    );

    // Leaving: once (retried with the same key, the same answer), then the group is gone for Leo.
    let leave = "/v1/children/c-leo/groups/grp-class-4b/leave";
    let (status, first) = api.call(Method::POST, leave, Some("k-l1"), None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = api.call(Method::POST, leave, Some("k-l1"), None).await;
    assert_eq!((status, &again), (StatusCode::OK, &first), "an idempotent retry");
    let (_, body) = api.call(Method::GET, "/v1/children/c-leo/groups", None, None).await;
    assert_eq!(body["items"], json!([]));
    let (status, _) = api.call(Method::POST, leave, Some("k-l2"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another family's child, or a group through the wrong child: not found.
    let (status, _) =
        api.call(Method::POST, "/v1/children/c-mei/groups/grp-art-club/leave", Some("k-l3"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.call(Method::GET, "/v1/children/c-other/groups", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rights_requests_are_due_in_15_days_and_answered_or_left_overdue() {
    let mut api = Api::start().await;
    let path = "/v1/children/c-leo/rights-requests";
    let ask = |kind: &str, details: &str| json!({ "kind": kind, "details": details });
    let (status, body) = api.call(Method::POST, path, Some("k-0"), Some(ask("explanation", "   "))).await;
    assert_eq!(
        (status, body["details"]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("details"))
    );
    let (status, _) = api.call(Method::POST, path, Some("k-1"), Some(ask("gossip", "x"))).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");

    let (status, body) =
        api.call(Method::POST, path, Some("k-2"), Some(ask("explanation", "Why was Leo limited?"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let filed: RightsRequest = serde_json::from_value(body).expect("request");
    assert_eq!((filed.status.as_str(), filed.receipt.as_deref()), ("received", None));
    assert_eq!(filed.due_at - filed.created_at, Duration::days(15));
    let (status, _) =
        api.call(Method::POST, path, Some("k-3"), Some(ask("other", "Who looked at Leo's data?"))).await;
    assert_eq!(status, StatusCode::CREATED);

    api.advance(Duration::days(2)).await;
    assert!(rights_requests(&api).await.iter().all(|r| r.status == "in_progress"));
    api.advance(Duration::days(14)).await;
    let items = rights_requests(&api).await;
    let explanation = items.iter().find(|r| r.kind == RightsRequestKind::Explanation).expect("explanation");
    assert_eq!(explanation.status, "completed");
    assert!(explanation.receipt.as_deref().is_some_and(|r| r.contains("automated filter")));
    assert_eq!(explanation.completed_at, Some(explanation.created_at + Duration::days(10)));
    // `other` is never answered: past its due date it is still in progress (the tracker flags it).
    let other = items.iter().find(|r| r.kind == RightsRequestKind::Other).expect("other");
    assert_eq!((other.status.as_str(), other.receipt.is_none()), ("in_progress", true));

    let (status, _) = api.call(Method::GET, "/v1/children/c-other/rights-requests", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn rights_requests(api: &Api) -> Vec<RightsRequest> {
    let (_, body) = api.call(Method::GET, "/v1/children/c-leo/rights-requests", None, None).await;
    serde_json::from_value::<Page<RightsRequest>>(body).expect("page").items
}

#[tokio::test]
async fn a_profile_is_corrected_with_the_current_version_and_checked_field_by_field() {
    let api = Api::start().await;
    let good =
        json!({ "display_name": "Mei Mei", "country": null, "gender": "female", "birthday": "2020-03-02" });
    let (status, _) = put(&api, "k-1", None, good.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, body) = put(&api, "k-2", Some("999"), good.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let version = body["details"]["version"].as_str().expect("current version").to_owned();
    let version = version.as_str();
    for (field, bad) in [
        ("display_name", json!({ "display_name": "  ", "country": null, "gender": null, "birthday": null })),
        ("country", json!({ "display_name": "Mei", "country": "China", "gender": null, "birthday": null })),
        ("gender", json!({ "display_name": "Mei", "country": null, "gender": "robot", "birthday": null })),
        (
            "birthday",
            json!({ "display_name": "Mei", "country": null, "gender": null, "birthday": "1990-01-01" }),
        ),
    ] {
        let (status, body) = put(&api, &format!("k-bad-{field}"), Some(version), bad).await;
        assert_eq!(
            (status, body["details"]["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!(field))
        );
    }
    let (status, body) = put(&api, "k-3", Some(version), good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, children) = api.call(Method::GET, "/v1/children", None, None).await;
    let mei = children["items"]
        .as_array()
        .expect("children")
        .iter()
        .find(|c| c["id"] == "c-mei")
        .cloned()
        .expect("Mei");
    assert_eq!(mei["display_name"], "Mei Mei");
    assert_eq!(mei["demographics"]["country"], serde_json::Value::Null, "removed");
    assert_eq!(mei["demographics"]["gender"], "female");
    assert_eq!(mei["version"], body["version"]);
}

/// `PUT /v1/children/c-mei/profile`, with `If-Match` when a version is given.
async fn put(
    api: &Api,
    key: &str,
    version: Option<&str>,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let mut request = api
        .http
        .put(format!("{}/v1/children/c-mei/profile", api.sandbox.url()))
        .bearer_auth(&api.token)
        .header("Idempotency-Key", key)
        .json(&body);
    if let Some(version) = version {
        request = request.header("If-Match", version);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_profile_correction_must_name_every_field_even_as_null() {
    let api = Api::start().await;
    let (status, body) =
        put(&api, "k-1", Some("1"), json!({ "display_name": "Mei", "country": "CN", "gender": null })).await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status} {body}"
    );
}

#[tokio::test]
async fn staff_access_decisions_and_security_notices_are_disclosed() {
    let api = Api::start().await;
    let staff = |child: &'static str| {
        let api = &api;
        async move {
            let (status, body) =
                api.call(Method::GET, &format!("/v1/children/{child}/staff-access"), None, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<Page<StaffAccess>>(body).expect("page").items
        }
    };
    let before = staff("c-leo").await;
    assert!(before.iter().all(|a| !a.purpose.is_empty() && !a.approval_ref.is_empty()));

    // Filing a report is read by a reviewer, and that access is disclosed under the report's ID.
    let report = json!({ "target_kind": "contact", "target_id": "u-sam", "category": "bullying",
                         "evidence_text": "Mean messages", "images": [] });
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/reports", Some("k-1"), Some(report)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let after = staff("c-leo").await;
    assert_eq!(after.len(), before.len() + 1);
    let new = after.iter().find(|a| a.approval_ref == body["id"].as_str().expect("id")).expect("recorded");
    assert_eq!(new.staff_role, "trust_and_safety_reviewer");
    assert!(new.data_categories.contains(&"reports".to_owned()));

    let (_, body) = api.call(Method::GET, "/v1/children/c-ava/automated-decisions", None, None).await;
    let decisions: Page<AutomatedDecision> = serde_json::from_value(body).expect("page");
    assert!(decisions.items.iter().any(|d| d.kind == "contact_auto_blocked" && !d.human_reviewed));

    // The guardian's own sign-in is a notice, beside the notices for everyone.
    let (_, body) = api.call(Method::GET, "/v1/security-notices", None, None).await;
    let notices: Page<SecurityNotice> = serde_json::from_value(body).expect("page");
    assert!(notices.items.iter().any(|n| n.title.contains("sign-in")), "{notices:?}");
    assert!(notices.items.iter().any(|n| n.severity == "warning"));

    for path in ["/v1/children/c-other/staff-access", "/v1/children/c-other/automated-decisions"] {
        let (status, _) = api.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
