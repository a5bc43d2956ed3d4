//! The child's profile picture and who can find the child, over loopback HTTP.

mod common;

use base64::Engine as _;
use common::{Api, code};
use guardian_domain::{Avatar, Change, ErrorCode};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The header of a `w`×`h` PNG: what the provider reads to check a picture.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&w.to_be_bytes());
    bytes.extend_from_slice(&h.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn a_profile_picture_is_checked_kept_served_and_announced() {
    let api = Api::start().await;
    let (_, cursor) = api.drain(None).await;
    let path = "/v1/children/c-leo/avatar";
    let (status, body) = api.call(Method::GET, path, None, None).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, ErrorCode::NotFound), "no picture yet");

    let picture = png(256, 256);
    let upload = json!({ "content_type": "image/png", "data": b64(&picture) });
    let (status, body) = api.call_if_match(Method::PUT, path, "a-1", "1", upload.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "2");
    let url = body["avatar_url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("/v1/children/c-leo/avatar?v="), "{url}");

    let (status, body) = api.call(Method::GET, &url, None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let served: Avatar = serde_json::from_value(body).expect("avatar");
    assert_eq!((served.data, served.width, served.height), (b64(&picture), 256, 256));

    // The child's new version and URL reach the feed; the decision log names who changed it.
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Child { data } if data.avatar_url.as_deref() == Some(&url)))
    );
    let (_, log) = api.call(Method::GET, "/v1/children/c-leo/decision-log", None, None).await;
    assert_eq!(log["items"][0]["action"], "avatar_changed", "{log}");

    // Bad pictures change nothing: each gets a clear error naming the field.
    let cases = [
        (json!({ "content_type": "image/gif", "data": b64(&picture) }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "content_type": "image/jpeg", "data": b64(&picture) }), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({ "content_type": "image/png", "data": b64(b"<svg onload=alert(1)>") }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "content_type": "image/png", "data": "%%%" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "content_type": "image/png", "data": b64(&png(8, 8)) }), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({ "content_type": "image/png", "data": b64(&vec![0; 600 * 1024]) }),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (i, (body, expected)) in cases.into_iter().enumerate() {
        let (status, answer) = api.call_if_match(Method::PUT, path, &format!("bad-{i}"), "2", body).await;
        assert_eq!(status, expected, "case {i}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
    let (_, children) = api.call(Method::GET, "/v1/children", None, None).await;
    let leo = children["items"].as_array().expect("items").iter().find(|c| c["id"] == "c-leo").cloned();
    assert_eq!(leo.expect("leo")["version"], "2", "nothing changed");

    // A stale version, another family's child.
    let (status, body) = api.call_if_match(Method::PUT, path, "a-2", "1", upload.clone()).await;
    assert_eq!((status, body["details"]["version"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("2")));
    let (status, _) = api.call_if_match(Method::PUT, "/v1/children/c-other/avatar", "a-3", "1", upload).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleting the category removes the picture itself, not only the link.
    let (status, proof) = api
        .call(
            Method::POST,
            "/v1/auth/reauth",
            Some("r-1"),
            Some(json!({ "password": guardian_sandbox::DEMO_PASSWORD, "purpose": "delete_data" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    let deletion = json!({ "category": "avatar", "reauth_proof": proof["proof"] });
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/data-deletions", Some("d-1"), Some(deletion)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = api.call(Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the picture is gone");
}

#[tokio::test]
async fn who_can_find_the_child_is_a_setting_with_a_log_entry() {
    let api = Api::start().await;
    let path = "/v1/children/c-mei/settings";
    let (status, body) =
        api.call_if_match(Method::PATCH, path, "s-1", "1", json!({ "discoverable_by": "nobody" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["discoverable_by"].as_str(), body["friend_approval"].as_str()),
        (Some("nobody"), Some("pin_required"))
    );
    let (_, children) = api.call(Method::GET, "/v1/children", None, None).await;
    let mei = children["items"].as_array().expect("items").iter().find(|c| c["id"] == "c-mei").cloned();
    assert_eq!(mei.expect("mei")["discoverable_by"], "nobody");
    let (_, log) = api.call(Method::GET, "/v1/children/c-mei/decision-log", None, None).await;
    assert_eq!(
        (log["items"][0]["action"].as_str(), log["items"][0]["subject"].as_str()),
        (Some("discovery_changed"), Some("nobody"))
    );

    // Nothing to change, or an unknown value: 422 / 400, nothing changed.
    let (status, body) = api.call_if_match(Method::PATCH, path, "s-2", "2", json!({})).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation), "{body}");
    let (status, _) =
        api.call_if_match(Method::PATCH, path, "s-3", "2", json!({ "discoverable_by": "everyone" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api.call_if_match(Method::PATCH,
        path,
        "s-4",
        "2",
        json!({ "discoverable_by": "id_or_phone", "friend_approval": "child_may_add", "pin": guardian_sandbox::DEMO_PIN }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "3", "both in one change");
}

#[tokio::test]
async fn contacts_see_the_name_id_picture_and_online_status_only() {
    let mut api = Api::start().await;
    // Mei's tablet was seen a moment ago.
    let (status, body) = api.call(Method::GET, "/v1/children/c-mei/public-profile", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["avatar_url", "display_name", "id", "online"], "nothing else: {body}");
    assert_eq!(
        (body["display_name"].as_str(), body["online"].as_bool()),
        (Some("Mei"), Some(true)),
        "{body}"
    );
    // A day later no device has been seen: offline.
    api.advance(chrono::Duration::days(1)).await;
    let (_, body) = api.call(Method::GET, "/v1/children/c-mei/public-profile", None, None).await;
    assert_eq!(body["online"], false, "{body}");
    let (status, _) = api.call(Method::GET, "/v1/children/c-other/public-profile", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
