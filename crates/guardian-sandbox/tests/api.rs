//! The sandbox's HTTP semantics, driven over loopback with plain HTTP requests.

use chrono::Duration;
use guardian_domain::{Change, ErrorCode, FriendRequest, RequestStatus};
use guardian_sandbox::{DEMO_PHONE, DEMO_PIN};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;

use common::{Api, code};

#[tokio::test]
async fn an_idempotent_replay_returns_the_first_answer_and_changes_nothing_twice() {
    let api = Api::start().await;
    let (status, first) = api.approve("k-1", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, replay) = api.approve("k-1", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "a replay is not a conflict");
    assert_eq!(first, replay, "the stored response comes back");
    let decided: FriendRequest = serde_json::from_value(first).expect("request");
    assert_eq!(decided.status, RequestStatus::Approved);

    // A new key for the same decision is a new request: the request is no longer pending.
    let (status, body) = api.approve("k-2", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The same key with a different request is refused.
    let (status, body) = api.approve("k-1", "c-leo", "fr-2", DEMO_PIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&body), ErrorCode::IdempotencyMismatch);
    // No key at all.
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/friend-requests/fr-2/deny", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), ErrorCode::IdempotencyKeyRequired);
}

#[tokio::test]
async fn wrong_pins_count_down_then_delay_then_require_a_reset() {
    let api = Api::start().await;
    for left in (0..5).rev() {
        let (status, body) = api.approve(&format!("w{left}"), "c-leo", "fr-1", "0000").await;
        if left > 0 {
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert_eq!(code(&body), ErrorCode::PinIncorrect);
            assert_eq!(body["details"]["attempts_left"], left, "{body}");
        } else {
            assert_eq!(code(&body), ErrorCode::PinLocked, "the 5th wrong PIN starts a delay: {body}");
            assert_eq!(body["details"]["retry_after_seconds"], 30);
        }
    }
    // Even the right PIN waits out the delay.
    let (_, body) = api.approve("r1", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(code(&body), ErrorCode::PinLocked);
    api.sandbox.clock().advance(Duration::seconds(31));
    let (status, body) = api.approve("r2", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "after the delay the right PIN works: {body}");
    // A wrong-length PIN is malformed input (the contract's pattern), not a try: no attempt is used.
    let (status, body) = api.approve("r3", "c-leo", "fr-2", "12345").await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation));
    let (_, body) = api.approve("r4", "c-leo", "fr-2", "0000").await;
    assert_eq!(body["details"]["attempts_left"], 4, "{body}");
}

#[tokio::test]
async fn a_stale_if_match_gets_412_with_what_the_provider_now_says() {
    let api = Api::start().await;
    let path = "/v1/children/c-mei/settings";
    let patch = |version: &'static str, mode: &'static str| {
        let request = api
            .http
            .patch(format!("{}{path}", api.sandbox.url()))
            .bearer_auth(&api.token)
            .header("Idempotency-Key", format!("{version}-{mode}"))
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({ "friend_approval": mode, "pin": DEMO_PIN }));
        async move {
            let r = request.send().await.expect("send");
            (r.status(), r.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = patch("1", "child_may_add").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "2");
    let (status, body) = patch("1", "pin_required").await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(body["details"]["friend_approval"], "child_may_add", "{body}");
}

#[tokio::test]
async fn the_feed_bootstraps_then_sends_changes_and_expires_old_cursors() {
    let api = Api::start().await;
    let (snapshot, cursor) = api.drain(None).await;
    let children = snapshot.iter().filter(|c| matches!(c, Change::Child { .. })).count();
    let requests = snapshot.iter().filter(|c| matches!(c, Change::FriendRequest { .. })).count();
    let contacts = snapshot.iter().filter(|c| matches!(c, Change::Contact { .. })).count();
    assert_eq!((children, requests, contacts), (3, 4, 5), "the whole demo family, paged by 2");

    let (nothing, same) = api.drain(Some(cursor.clone())).await;
    assert!(nothing.is_empty(), "no changes yet");

    let (status, _) = api.approve("k", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK);
    let (changes, after) = api.drain(Some(same)).await;
    assert!(changes.iter().any(|c| matches!(c, Change::FriendRequest { data } if data.id == "fr-1" && data.status == RequestStatus::Approved)));
    assert!(changes.iter().any(|c| matches!(c, Change::Contact { data } if data.display_name == "Oliver")));
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Child { data } if data.id == "c-leo" && data.pending_requests == 1))
    );

    let compact =
        api.http.post(format!("{}/admin/feed/compact", api.sandbox.url())).send().await.expect("compact");
    assert_eq!(compact.status(), StatusCode::NO_CONTENT);
    let (status, body) = api.feed(Some(&cursor)).await;
    assert_eq!(status, StatusCode::GONE, "an old cursor is refused");
    assert_eq!(code(&body), ErrorCode::CursorExpired);
    let (_, fresh) = api.feed(Some(&after)).await;
    assert_eq!(fresh["changes"], json!([]), "the newest cursor still works");
    let (status, body) = api.feed(Some("not-a-cursor")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn requests_expire_and_other_families_stay_invisible() {
    let mut api = Api::start().await;
    api.sandbox.clock().advance(Duration::days(15));
    api.token = Api::sign_in(&api.sandbox).await;
    let (status, body) = api.approve("k", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, list) = api.call(Method::GET, "/v1/children/c-leo/friend-requests", None, None).await;
    assert!(list["items"].as_array().expect("items").iter().all(|r| r["status"] != "pending"), "{list}");

    for path in ["/v1/children/c-other/contacts", "/v1/children/c-other/friend-requests"] {
        let (status, body) = api.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
}

#[tokio::test]
async fn the_served_contract_is_the_repository_contract() {
    let api = Api::start().await;
    let served = api.http.get(format!("{}/v1/openapi.yaml", api.sandbox.url())).send().await.expect("get");
    let text = served.text().await.expect("text");
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../api/openapi.yaml"))
        .expect("file");
    assert_eq!(text, file, "the sandbox serves api/openapi.yaml unchanged");
}

#[tokio::test]
async fn a_cursor_from_another_provider_database_is_gone() {
    let first = Api::start().await;
    let (_, cursor) = first.drain(None).await;
    let second = Api::start().await;
    let (status, body) = second.feed(Some(&cursor)).await;
    assert_eq!(status, StatusCode::GONE, "a reset provider must not be trusted to continue: {body}");
    assert_eq!(code(&body), ErrorCode::CursorExpired);
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_with_the_error_body() {
    let api = Api::start().await;
    let cases: [(Method, &str, Option<&str>, StatusCode, ErrorCode); 6] = [
        (
            Method::GET,
            "/v1/children?limit=201",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
        ),
        (Method::GET, "/v1/children?limit=0", None, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation),
        (Method::GET, "/v1/changes?limit=many", None, StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (
            Method::GET,
            "/v1/children/c-leo/contacts?x=1",
            None,
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
        ),
        (Method::GET, "/v1/children/%FF/contacts", None, StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
        (
            Method::POST,
            "/v1/children/c-leo/contacts/u-sam/block",
            Some("tab\tinside"),
            StatusCode::BAD_REQUEST,
            ErrorCode::IdempotencyKeyRequired,
        ),
    ];
    for (method, path, key, status, error) in cases {
        let (got, body) = api.call(method, path, key, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(code(&body), error, "{path}");
    }
    let (status, body) = api.call(Method::GET, "/v1/children?limit=200", None, None).await;
    assert_eq!(status, StatusCode::OK, "the largest page is allowed: {body}");

    // A method the path does not offer: 405 with the error body, and what it does offer.
    let response =
        api.http.delete(format!("{}/v1/guardian", api.sandbox.url())).send().await.expect("delete");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(allow.contains("GET"), "Allow: {allow}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(code(&body), ErrorCode::BadRequest);
}

#[tokio::test]
async fn a_malformed_pin_is_refused_even_when_no_pin_is_needed() {
    let api = Api::start().await;
    // Ava may add friends alone: no PIN is needed, but a malformed one is still not accepted.
    let (status, body) = api.approve("k-1", "c-ava", "fr-4", "0000*").await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation), "{body}");
    assert_eq!(body["details"]["field"], "pin");
}

#[tokio::test]
async fn an_sms_code_signs_in_once_within_five_minutes_and_five_tries_and_never_comes_back_in_the_api() {
    let mut api = Api::start().await;
    let request = |phone: &str| json!({ "phone": phone });
    let (http, base) = (api.http.clone(), api.sandbox.url());
    let post = |path: &'static str, body: serde_json::Value| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let response = http.post(url).json(&body).send().await.expect("post");
            let status = response.status();
            let retry = response.headers().get("retry-after").map(|v| v.to_str().expect("ascii").to_owned());
            (status, retry, response.json::<serde_json::Value>().await.expect("json"))
        }
    };
    let (status, _, sent) = post("/v1/auth/sms/request", request(DEMO_PHONE)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    assert!(
        sent.get("code").is_none()
            && !sent
                .to_string()
                .contains(&api.sandbox.last_sms_code(DEMO_PHONE).await.expect("db").expect("sent"))
    );
    // An unknown number gets the same answer, and no message.
    let (status, _, other) = post("/v1/auth/sms/request", request("+8613899999999")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        other.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        sent.as_object().map(|o| o.keys().cloned().collect())
    );
    assert_eq!(api.sandbox.last_sms_code("+8613899999999").await.expect("db"), None);
    // Another code within a minute: 429 with Retry-After.
    let (status, retry, _) = post("/v1/auth/sms/request", request(DEMO_PHONE)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))));
    let (status, _, _) = post("/v1/auth/sms/request", request("not a phone")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let sms = api.sandbox.last_sms_code(DEMO_PHONE).await.expect("db").expect("a code was sent");
    let verify = |sms: &str| json!({ "phone": DEMO_PHONE, "code": sms });
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let (status, _, body) = post("/v1/auth/sms/verify", verify(wrong)).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials));
    let (status, _, tokens) = post("/v1/auth/sms/verify", verify(&sms)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["access_token"].is_string());
    let (status, _, _) = post("/v1/auth/sms/verify", verify(&sms)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works once");

    // Five wrong tries spend a code; and a code expires after five minutes.
    api.advance(Duration::seconds(61)).await;
    post("/v1/auth/sms/request", request(DEMO_PHONE)).await;
    let sms = api.sandbox.last_sms_code(DEMO_PHONE).await.expect("db").expect("sent");
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        post("/v1/auth/sms/verify", verify(wrong)).await;
    }
    let (status, _, _) = post("/v1/auth/sms/verify", verify(&sms)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no tries left");
    api.advance(Duration::seconds(61)).await;
    post("/v1/auth/sms/request", request(DEMO_PHONE)).await;
    let sms = api.sandbox.last_sms_code(DEMO_PHONE).await.expect("db").expect("sent");
    api.advance(Duration::minutes(6)).await;
    let (status, _, _) = post("/v1/auth/sms/verify", verify(&sms)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired");
}

#[tokio::test]
async fn a_child_is_added_with_consent_under_the_policy_in_force_and_announced_in_the_feed() {
    let api = Api::start().await;
    let (_, cursor) = api.drain(None).await;
    let child = |version: &str, consent: bool, birthday: &str| {
        json!({ "display_name": "Lin", "birthday": birthday, "country": "DE", "policy_version": version,
                "guardian_consent": consent })
    };
    let (status, body) =
        api.call(Method::POST, "/v1/children", Some("k-1"), Some(child("1999-01", true, "2017-05-04"))).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, ErrorCode::Conflict), "{body}");
    let in_force = body["details"]["version"].as_str().expect("the version in force").to_owned();
    let (status, body) = api
        .call(Method::POST, "/v1/children", Some("k-2"), Some(child(&in_force, false, "2017-05-04")))
        .await;
    assert_eq!(
        (status, body["details"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("guardian_consent"))
    );
    let (status, body) =
        api.call(Method::POST, "/v1/children", Some("k-3"), Some(child(&in_force, true, "1990-01-01"))).await;
    assert_eq!(
        (status, body["details"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("birthday"))
    );

    let (status, body) =
        api.call(Method::POST, "/v1/children", Some("k-4"), Some(child(&in_force, true, "2017-05-04"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (body["friend_approval"].as_str(), body["demographics"]["country"].as_str()),
        (Some("pin_required"), Some("DE"))
    );
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(changes.iter().any(|c| matches!(c, Change::Child { data } if data.id == id)), "{changes:?}");
    let (status, ledger) = api.call(Method::GET, &format!("/v1/children/{id}/consents"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    assert!(ledger.to_string().contains(&in_force), "the default consents name the policy: {ledger}");
}

#[tokio::test]
async fn a_friendship_approved_for_a_trial_ends_unless_a_guardian_confirms_it() {
    let mut api = Api::start().await;
    let (_, cursor) = api.drain(None).await;
    let path = "/v1/children/c-leo/friend-requests/fr-1/approve";
    let (status, body) =
        api.call(Method::POST, path, Some("t-0"), Some(json!({ "pin": DEMO_PIN, "trial_days": 31 }))).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation), "{body}");
    for (key, request) in [("t-1", "fr-1"), ("t-2", "fr-2")] {
        let path = format!("/v1/children/c-leo/friend-requests/{request}/approve");
        let (status, body) =
            api.call(Method::POST, &path, Some(key), Some(json!({ "pin": DEMO_PIN, "trial_days": 7 }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, contacts) = api.call(Method::GET, "/v1/children/c-leo/contacts", None, None).await;
    let trial =
        contacts["items"].as_array().expect("items").iter().find(|c| c["contact_id"] == "u-fr-1").cloned();
    assert!(trial.expect("the new friend")["trial_until"].is_string());
    // One trial is confirmed; the other ends after 7 days and the contact goes, announced in the feed.
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/contacts/u-fr-2/confirm", Some("c-1"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("trial_until").is_none(), "{body}");
    api.advance(Duration::days(8)).await;
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::ContactDeleted { contact_id, .. } if contact_id == "u-fr-1"))
    );
    let (_, contacts) = api.call(Method::GET, "/v1/children/c-leo/contacts", None, None).await;
    let ids: Vec<_> =
        contacts["items"].as_array().expect("items").iter().map(|c| c["contact_id"].clone()).collect();
    assert!(ids.contains(&json!("u-fr-2")) && !ids.contains(&json!("u-fr-1")), "{ids:?}");
    // A trial that ended cannot be confirmed any more.
    let (status, _) =
        api.call(Method::POST, "/v1/children/c-leo/contacts/u-fr-1/confirm", Some("c-2"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_account_banned_for_abuse_stays_blocked() {
    let api = Api::with_scenario("banned-contact").await;
    let (_, contacts) = api.call(Method::GET, "/v1/children/c-leo/contacts", None, None).await;
    let items = contacts["items"].as_array().expect("items");
    let rex = items.iter().find(|c| c["contact_id"] == "u-rex").expect("Rex");
    assert_eq!((rex["status"].as_str(), rex["banned_at"].is_string()), (Some("blocked"), true), "{rex}");
    let sam = items.iter().find(|c| c["contact_id"] == "u-sam").expect("Sam");
    assert!(sam.get("banned_at").is_none(), "{sam}");

    let pin = Some(json!({ "pin": DEMO_PIN }));
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/contacts/u-rex/unblock", Some("u-1"), pin.clone()).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, ErrorCode::Conflict), "{body}");
    assert!(body["details"]["banned_at"].is_string(), "{body}");
    // Blocking again is allowed (and changes nothing); another contact can still be unblocked.
    let (status, _) =
        api.call(Method::POST, "/v1/children/c-leo/contacts/u-rex/block", Some("b-1"), None).await;
    assert_eq!(status, StatusCode::OK);
    for (key, path) in [("b-2", "block"), ("u-2", "unblock")] {
        let (status, body) = api
            .call(Method::POST, &format!("/v1/children/c-leo/contacts/u-sam/{path}"), Some(key), pin.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// A refresh whose answer was lost is retried with the same Idempotency-Key and the session
/// survives; the spent token with another key (or none) is taken as stolen and ends the family;
/// of two refreshes racing with one token exactly one wins.
#[tokio::test]
async fn a_lost_refresh_answer_is_retried_with_its_key_and_a_reused_token_still_ends_the_session() {
    let api = Api::start().await;
    let url = |path: &str| format!("{}{path}", api.sandbox.url());
    let sign_in = || async {
        let tokens: Value = api
            .http
            .post(url("/v1/auth/password"))
            .json(&json!({ "phone": DEMO_PHONE, "password": guardian_sandbox::DEMO_PASSWORD }))
            .send()
            .await
            .expect("sign in")
            .json()
            .await
            .expect("tokens");
        tokens["refresh_token"].as_str().expect("refresh token").to_owned()
    };
    let refresh = |token: String, key: Option<&'static str>| {
        let mut request = api.http.post(url("/v1/auth/refresh")).json(&json!({ "refresh_token": token }));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        async move {
            let response = request.send().await.expect("refresh");
            let status = response.status();
            (status, response.json::<Value>().await.expect("json"))
        }
    };

    let first = sign_in().await;
    let (status, lost) = refresh(first.clone(), Some("k-1")).await;
    assert_eq!(status, StatusCode::OK, "{lost}");
    // The answer never arrived: the client retries with the same token and key.
    let (status, retried) = refresh(first.clone(), Some("k-1")).await;
    assert_eq!(status, StatusCode::OK, "the same client asking again: {retried}");
    let unseen = lost["refresh_token"].as_str().expect("token").to_owned();
    let (status, body) = refresh(unseen, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the tokens never received stop working: {body}");

    let second = sign_in().await;
    assert_eq!(refresh(second.clone(), Some("k-2")).await.0, StatusCode::OK);
    let (status, body) = refresh(second.clone(), Some("someone-else")).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, ErrorCode::TokenReused), "{body}");
    let (status, _) = refresh(second, Some("k-2")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the family is over, even for its own key");

    let third = sign_in().await;
    let (a, b) = tokio::join!(refresh(third.clone(), Some("race-a")), refresh(third, Some("race-b")));
    let wins = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
    assert!(wins <= 1, "at most one of two racing refreshes wins: {a:?} {b:?}");
    let loser = if a.0 == StatusCode::OK { &b.1 } else { &a.1 };
    assert_eq!(code(loser), ErrorCode::TokenReused, "the other ends the family: {loser}");
    if wins == 1 {
        let winner = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
        let next = winner["refresh_token"].as_str().expect("token").to_owned();
        assert_eq!(
            refresh(next, None).await.0,
            StatusCode::UNAUTHORIZED,
            "the winner's family is revoked too"
        );
    }
}

/// The table of stored requests holds nothing a PIN can be guessed back from: fingerprints are
/// keyed with the server's secret and leave secret fields out, so requests differing only in
/// their PIN share one, and no 4-digit PIN turns up in any of them.
#[tokio::test]
async fn no_pin_can_be_found_in_the_stored_fingerprints() {
    use sha2::{Digest as _, Sha256};
    let api = Api::start().await;
    // A refusal and an approval, with different PINs, each stored under its key.
    let (status, _) = api.approve("fp-wrong", "c-leo", "fr-1", "0417").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api.approve("fp-right", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api
        .call(
            Method::PUT,
            "/v1/children/c-mei/pin",
            Some("fp-pin"),
            Some(json!({ "new_pin": "4821", "current_pin": DEMO_PIN })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let stored = api.sandbox.stored_fingerprints().await.expect("fingerprints");
    assert!(stored.len() >= 3, "{stored:?}");
    // The same key again with another PIN is the same request: the answer is replayed, so the
    // fingerprint cannot depend on the PIN.
    let (status, _) = api.approve("fp-wrong", "c-leo", "fr-1", "9999").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "replayed, not a mismatch");

    let hash = |text: String| format!("{:x}", Sha256::digest(text.as_bytes()));
    for pin in (0..10_000).map(|n| format!("{n:04}")) {
        let guesses = [
            hash(pin.clone()),
            hash(format!("approve:c-leo:fr-1:{pin}:None")),
            hash(format!("pin:c-mei:{pin}:{DEMO_PIN}:")),
            hash(format!("pin:c-mei:4821:{pin}:")),
            hash(json!({ "pin": pin }).to_string()),
        ];
        for guess in guesses {
            assert!(!stored.contains(&guess), "a stored fingerprint gives away PIN {pin}");
        }
    }
}

/// Password sign-in resists guessing: an unknown number costs the same work as a known one;
/// after five failures for a number each try waits out a delay (before any password is
/// checked) that doubles; past its limit of failures (fifty here) one address makes every
/// number wait.
#[tokio::test]
async fn password_guessing_waits_out_growing_delays_per_number_and_per_address() {
    let limits = guardian_sandbox::SignInLimits { per_address: 50, ..Default::default() };
    let api =
        Api::with_config(guardian_sandbox::Config { sign_in_limits: limits, ..Default::default() }).await;
    let sign_in = |phone: String, password: &'static str| {
        let request = api
            .http
            .post(format!("{}/v1/auth/password", api.sandbox.url()))
            .json(&json!({ "phone": phone, "password": password }));
        async move {
            let response = request.send().await.expect("sign in");
            let status = response.status();
            let retry =
                response.headers().get("Retry-After").and_then(|v| v.to_str().ok()).map(str::to_owned);
            (status, retry)
        }
    };
    let demo = || DEMO_PHONE.to_owned();
    let password = guardian_sandbox::DEMO_PASSWORD;

    // The same work for a number without an account as for a wrong password.
    let timed = |phone: String| async move {
        let started = std::time::Instant::now();
        for _ in 0..3 {
            assert_eq!(sign_in(phone.clone(), "wrong").await.0, StatusCode::UNAUTHORIZED);
        }
        started.elapsed()
    };
    let known = timed(demo()).await;
    let unknown = timed("+8613999999999".to_owned()).await;
    assert!(
        unknown * 3 >= known,
        "an unknown number answers as slowly as a known one: {unknown:?} vs {known:?}"
    );
    assert_eq!(sign_in(demo(), password).await.0, StatusCode::OK, "a success clears the number's count");

    for _ in 0..5 {
        assert_eq!(sign_in(demo(), "wrong").await.0, StatusCode::UNAUTHORIZED);
    }
    // (The sandbox's clock runs on: a second may pass between the failure and the check.)
    let waits = |retry: Option<String>| retry.and_then(|r| r.parse::<i64>().ok()).unwrap_or(0);
    let (status, retry) = sign_in(demo(), password).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!((25..=30).contains(&waits(retry.clone())), "about 30 s: {retry:?}");
    api.sandbox.clock().advance(Duration::seconds(31));
    assert_eq!(sign_in(demo(), "wrong").await, (StatusCode::UNAUTHORIZED, None), "tried after the delay");
    let (status, retry) = sign_in(demo(), password).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!((55..=60).contains(&waits(retry.clone())), "the next delay is twice as long: {retry:?}");
    api.sandbox.clock().advance(Duration::seconds(61));
    assert_eq!(sign_in(demo(), password).await.0, StatusCode::OK);

    // One address guessing across many numbers: after fifty failures every number waits.
    let mut failures = 3 + 3 + 5 + 1;
    let mut n = 0;
    while failures < 50 {
        n += 1;
        assert_eq!(sign_in(format!("+86139{n:08}"), "guess").await.0, StatusCode::UNAUTHORIZED);
        failures += 1;
    }
    let (status, retry) = sign_in("+8613700000000".to_owned(), "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the address waits");
    assert!(retry.is_some(), "and is told how long");
}

/// DNS rebinding: a page whose name now resolves to 127.0.0.1 reaches the loopback port, but
/// with its own name in `Host`; the provider answers it nothing.
#[tokio::test]
async fn a_request_addressed_to_another_name_is_refused_on_loopback() {
    let api = Api::start().await;
    let port = api.sandbox.addr().port();
    let ask = |host: String| {
        let request = api
            .http
            .get(format!("{}/v1/children", api.sandbox.url()))
            .bearer_auth(&api.token)
            .header(reqwest::header::HOST, host);
        async move { request.send().await.expect("send").status() }
    };
    assert_eq!(ask(format!("rebound.example:{port}")).await, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(ask(format!("127.0.0.1:{}", port.wrapping_add(1))).await, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(ask(format!("localhost:{port}")).await, StatusCode::OK);
    assert_eq!(ask(format!("127.0.0.1:{port}")).await, StatusCode::OK);
}
