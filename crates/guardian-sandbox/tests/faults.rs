//! The fault API over HTTP, as support staff and the CLI's fault matrix use it: every kind of
//! fault the sandbox knows is injected with `POST /admin/faults` and then met by a request.

use std::time::Duration;

use guardian_sandbox::FaultKind;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

mod common;

use common::Api;

/// What a plain client meets on `GET /v1/guardian` after the fault was injected.
#[derive(Debug, PartialEq)]
enum Met {
    Status(u16),
    /// 200, but the body is not the guardian (cut off, not JSON, too large, connection dropped).
    Unreadable,
    /// No answer within the client's timeout.
    TimedOut,
}

async fn meet(http: &Client, api: &Api) -> Met {
    let sent = http.get(format!("{}/v1/guardian", api.sandbox.url())).bearer_auth(&api.token).send().await;
    let response = match sent {
        Ok(response) => response,
        Err(error) if error.is_timeout() => return Met::TimedOut,
        Err(error) => panic!("the request itself failed: {error}"),
    };
    let status = response.status();
    let body = response.bytes().await;
    if status != StatusCode::OK {
        return Met::Status(status.as_u16());
    }
    match body.ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok()) {
        Some(guardian) if guardian["id"].is_string() => Met::Status(200),
        _ => Met::Unreadable,
    }
}

fn expected(kind: &FaultKind) -> Met {
    match kind {
        FaultKind::Unavailable | FaultKind::LoseResponse => Met::Status(503),
        FaultKind::Status { status } | FaultKind::HtmlError { status } => Met::Status(*status),
        FaultKind::RateLimited { .. } => Met::Status(429),
        FaultKind::Latency { .. } => Met::TimedOut,
        FaultKind::Truncated
        | FaultKind::Malformed
        | FaultKind::Oversized
        | FaultKind::Interrupted
        | FaultKind::Reset => Met::Unreadable,
    }
}

#[tokio::test]
async fn every_fault_kind_can_be_injected_over_http_and_happens_once() {
    let api = Api::start().await;
    let http = Client::builder().timeout(Duration::from_millis(1500)).build().expect("client");
    let faults = format!("{}/admin/faults", api.sandbox.url());
    for (name, kind) in FaultKind::all() {
        let mut body = serde_json::to_value(&kind).expect("json");
        body["path_prefix"] = json!("/v1/guardian");
        let added = http.post(&faults).json(&body).send().await.expect("POST /admin/faults");
        assert_eq!(added.status(), StatusCode::NO_CONTENT, "{name}: {body}");
        let listed: Vec<Value> = http.get(&faults).send().await.expect("list").json().await.expect("json");
        assert_eq!(listed.len(), 1, "{name}: the fault waits: {listed:?}");

        assert_eq!(meet(&http, &api).await, expected(&kind), "{name}");
        if let FaultKind::RateLimited { retry_after } = kind {
            // Checked again on a second injection: the header is there only when asked for.
            http.post(&faults).json(&body).send().await.expect("again");
            let response = http
                .get(format!("{}/v1/guardian", api.sandbox.url()))
                .bearer_auth(&api.token)
                .send()
                .await
                .expect("429");
            let header = response.headers().get("Retry-After").map(|v| v.to_str().unwrap_or("").to_owned());
            assert_eq!(header, retry_after.map(|s| s.to_string()), "{name}: Retry-After");
        }
        assert_eq!(meet(&http, &api).await, Met::Status(200), "{name}: once, by default");
    }
}

#[tokio::test]
async fn faults_can_repeat_be_cleared_and_bad_ones_are_refused() {
    let api = Api::start().await;
    let http = Client::new();
    let faults = format!("{}/admin/faults", api.sandbox.url());
    let body = json!({ "path_prefix": "/v1/guardian", "kind": "status", "status": 502, "times": 3 });
    assert_eq!(http.post(&faults).json(&body).send().await.expect("add").status(), StatusCode::NO_CONTENT);
    assert_eq!(meet(&http, &api).await, Met::Status(502));
    assert_eq!(http.delete(&faults).send().await.expect("clear").status(), StatusCode::NO_CONTENT);
    assert_eq!(meet(&http, &api).await, Met::Status(200), "cleared before its three times were up");

    for bad in [
        json!({ "path_prefix": "/v1", "kind": "latency", "milis": 5 }),
        json!({ "path_prefix": "/v1", "kind": "unavailable", "extra": true }),
        json!({ "path_prefix": "/v1", "kind": "no_such_fault" }),
        json!({ "path_prefix": "/v1", "kind": "status", "status": 200 }),
        json!({ "path_prefix": "/v1", "kind": "unavailable", "chance": 2.0 }),
    ] {
        let response = http.post(&faults).json(&bad).send().await.expect("refused");
        assert!(response.status().is_client_error(), "{bad} is refused: {}", response.status());
        let error: Value = response.json().await.expect("error body");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{bad}: says why: {error}");
    }
    let listed: Vec<Value> = http.get(&faults).send().await.expect("list").json().await.expect("json");
    assert!(listed.is_empty(), "nothing bad was kept: {listed:?}");
}
