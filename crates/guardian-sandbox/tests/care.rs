//! Devices and reports over loopback HTTP, with the sandbox's clock.

mod common;

use chrono::Duration;
use common::{Api, code};
use guardian_domain::{Device, ErrorCode, Page, Report};
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
