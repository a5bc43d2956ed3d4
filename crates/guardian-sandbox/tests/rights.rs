//! Re-authentication, deletion with cooling-off, consent, policy versions and exports, over
//! loopback HTTP with the sandbox's clock.

mod common;

use std::io::Read as _;

use chrono::Duration;
use common::{Api, code};
use guardian_domain::{
    Change, ConsentLedger, DataCategory, DataCategoryPreview, DataDeletionReceipt, DeletionRequest,
    DeletionStatus, ErrorCode, ExportJob, ExportManifest, ExportStatus, Page, PolicyVersion,
};
use guardian_sandbox::{DEMO_PASSWORD, DEMO_PIN};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// A fresh proof for `purpose` (`delete_child`, `reset_pin`…): it works once, for that only.
async fn proof(api: &Api, purpose: &str) -> String {
    let body = json!({ "password": DEMO_PASSWORD, "purpose": purpose });
    let (status, body) = api.call(Method::POST, "/v1/auth/reauth", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["proof"].as_str().expect("proof").to_owned()
}

async fn delete_child(api: &Api, key: &str, child: &str, proof: &str, pin: &str) -> (StatusCode, Value) {
    let body = json!({ "reauth_proof": proof, "pin": pin });
    api.call(Method::POST, &format!("/v1/children/{child}/deletion"), Some(key), Some(body)).await
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited_with_retry_after() {
    let mut api = Api::start().await;
    for left in (0..5).rev() {
        let (status, body) = api
            .call(
                Method::POST,
                "/v1/auth/reauth",
                None,
                Some(json!({ "password": "nope", "purpose": "delete_data" })),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(code(&body), ErrorCode::InvalidCredentials);
        assert_eq!(body["details"]["attempts_left"], left);
    }
    let response = api
        .http
        .post(format!("{}/v1/auth/reauth", api.sandbox.url()))
        .bearer_auth(&api.token)
        .json(&json!({ "password": DEMO_PASSWORD, "purpose": "delete_data" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: i64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    api.advance(Duration::minutes(16)).await;
    proof(&api, "delete_data").await;
}

#[tokio::test]
async fn a_child_deletion_needs_a_fresh_proof_and_the_pin_then_cools_off_then_completes() {
    let mut api = Api::start().await;
    // No proof, a stale proof, a wrong PIN: nothing is requested.
    let (status, body) = delete_child(&api, "k-1", "c-leo", "made-up", DEMO_PIN).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::ReauthRequired), "{body}");
    let stale = proof(&api, "delete_child").await;
    api.sandbox.clock().advance(Duration::minutes(6));
    let (status, body) = delete_child(&api, "k-2", "c-leo", &stale, DEMO_PIN).await;
    assert_eq!(code(&body), ErrorCode::ReauthRequired, "{status} {body}");
    let fresh = proof(&api, "delete_child").await;
    let (status, body) = delete_child(&api, "k-3", "c-leo", &fresh, "9999").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::PinIncorrect));
    let (status, body) = delete_child(&api, "k-4", "c-mei", &fresh, DEMO_PIN).await;
    assert_eq!(code(&body), ErrorCode::ReauthRequired, "a proof works once: {status} {body}");
    let fresh = proof(&api, "delete_child").await;
    let (status, body) = delete_child(&api, "k-5", "c-mei", &fresh, DEMO_PIN).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let request: DeletionRequest = serde_json::from_value(body).expect("deletion request");
    assert_eq!(request.status, DeletionStatus::CoolingOff);
    assert_eq!(request.cooling_off_until - request.requested_at, Duration::days(7));
    assert_eq!(request.due_at - request.requested_at, Duration::days(15));
    assert!(request.retained.iter().any(|n| n.kept_for_days == Some(365)), "abuse records kept a year");
    let again = proof(&api, "delete_child").await;
    let (status, body) = delete_child(&api, "k-5b", "c-mei", &again, DEMO_PIN).await;
    assert_eq!(status, StatusCode::CONFLICT, "one request at a time: {body}");

    // During cooling-off the child is still there.
    let (_, cursor) = api.drain(None).await;
    api.advance(Duration::days(6)).await;
    assert_eq!(api.call(Method::GET, "/v1/children/c-mei/contacts", None, None).await.0, StatusCode::OK);
    // Then the deletion completes: the child is gone, the feed sends its tombstone.
    api.advance(Duration::days(1)).await;
    let (status, _) = api.call(Method::GET, "/v1/children/c-mei/contacts", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(changes.iter().any(|c| matches!(c, Change::ChildDeleted { id } if id == "c-mei")), "{changes:?}");
    let (_, body) = api.call(Method::GET, &format!("/v1/deletion-requests/{}", request.id), None, None).await;
    let done: DeletionRequest = serde_json::from_value(body).expect("deletion request");
    assert_eq!(done.status, DeletionStatus::Completed);
    assert!(done.deleted.contains(&"activity".to_owned()), "{:?}", done.deleted);
    // Too late to cancel now.
    let path = format!("/v1/deletion-requests/{}/cancel", request.id);
    assert_eq!(api.call(Method::POST, &path, Some("k-6"), None).await.0, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_deletion_cancelled_during_cooling_off_deletes_nothing() {
    let mut api = Api::with_scenario("deletion-pending").await;
    let (_, body) = api.call(Method::GET, "/v1/deletion-requests", None, None).await;
    let page: Page<DeletionRequest> = serde_json::from_value(body).expect("page");
    let pending = &page.items[0];
    assert_eq!(pending.child_id.as_deref(), Some("c-kai"));
    let path = format!("/v1/deletion-requests/{}/cancel", pending.id);
    let (status, body) = api.call(Method::POST, &path, Some("k-1"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "cancelled");
    api.advance(Duration::days(30)).await;
    let (status, body) = api.call(Method::GET, "/v1/children/c-kai/contacts", None, None).await;
    assert_eq!(status, StatusCode::OK, "Kai is still there: {body}");
}

#[tokio::test]
async fn the_guardian_account_waits_for_its_children_then_goes_with_its_sessions() {
    let mut api = Api::with_scenario("deletion-pending").await;
    let guardian = |proof: String| json!({ "reauth_proof": proof });
    let (status, body) = api
        .call(
            Method::POST,
            "/v1/guardian/deletion",
            Some("k-1"),
            Some(guardian(proof(&api, "delete_account").await)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "children remain: {body}");
    assert_eq!(body["details"]["children"], 2);
    // Kai's deletion completes; Rin's is requested and completes too.
    let fresh = proof(&api, "delete_child").await;
    assert_eq!(delete_child(&api, "k-2", "c-rin", &fresh, DEMO_PIN).await.0, StatusCode::ACCEPTED);
    api.advance(Duration::days(8)).await;
    let (status, body) = api
        .call(
            Method::POST,
            "/v1/guardian/deletion",
            Some("k-3"),
            Some(guardian(proof(&api, "delete_account").await)),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    api.sandbox.clock().advance(Duration::days(8));
    let (status, _) = api.call(Method::GET, "/v1/guardian", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session went with the account");
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/auth/password",
            None,
            Some(json!({ "phone": guardian_sandbox::DEMO_PHONE, "password": DEMO_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the account is gone");
}

#[tokio::test]
async fn consent_is_a_ledger_and_withdrawing_is_one_call() {
    let api = Api::start().await;
    let (_, body) = api.call(Method::GET, "/v1/children/c-leo/consents", None, None).await;
    let before: ConsentLedger = serde_json::from_value(body).expect("ledger");
    assert_eq!(before.current.len(), 4);
    let path = "/v1/children/c-leo/consents/crash_reporting";
    let (status, body) = api.call(Method::PUT, path, Some("k-1"), Some(json!({ "granted": false }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after: ConsentLedger = serde_json::from_value(body).expect("ledger");
    let crash = after.current.iter().find(|c| c.purpose.as_str() == "crash_reporting").expect("purpose");
    assert!(!crash.granted);
    assert_eq!(crash.policy_version, "2026-01", "the policy in force is recorded");
    assert_eq!(after.history.len(), before.history.len() + 1, "the earlier grant stays in the history");
    // Setting the same value again records nothing.
    let (_, body) = api.call(Method::PUT, path, Some("k-2"), Some(json!({ "granted": false }))).await;
    assert_eq!(
        serde_json::from_value::<ConsentLedger>(body).expect("ledger").history.len(),
        after.history.len()
    );
    let (status, _) = api
        .call(
            Method::PUT,
            "/v1/children/c-leo/consents/mind_reading",
            Some("k-3"),
            Some(json!({ "granted": true })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_pending_policy_is_listed_before_it_takes_effect_and_can_be_acknowledged() {
    let api = Api::with_scenario("policy-update-pending").await;
    let (_, body) = api.call(Method::GET, "/v1/policies", None, None).await;
    let page: Page<PolicyVersion> = serde_json::from_value(body).expect("page");
    let pending = page.items.iter().find(|p| p.version == "2026-12").expect("pending version");
    assert!(pending.major && pending.acknowledged_at.is_none());
    let days = (pending.effective_at - chrono::Utc::now()).num_days();
    assert!((9..=10).contains(&days), "{days}");
    let (status, body) = api.call(Method::POST, "/v1/policies/2026-12/acknowledge", Some("k-1"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["acknowledged_at"].is_string());
    assert_eq!(
        api.call(Method::POST, "/v1/policies/1999/acknowledge", Some("k-2"), None).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn ready_export(api: &Api, child: &str) -> ExportJob {
    let (status, body) =
        api.call(Method::POST, &format!("/v1/children/{child}/exports"), Some("k-x"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mut job: ExportJob = serde_json::from_value(body).expect("job");
    for _ in 0..200 {
        if job.status == ExportStatus::Ready {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        let (_, body) = api.call(Method::GET, &format!("/v1/exports/{}", job.id), None, None).await;
        job = serde_json::from_value(body).expect("job");
    }
    panic!("the export never became ready: {job:?}");
}

async fn download(api: &Api, id: &str, range: Option<&str>) -> reqwest::Response {
    let mut request =
        api.http.get(format!("{}/v1/exports/{id}/archive", api.sandbox.url())).bearer_auth(&api.token);
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    request.send().await.expect("download")
}

#[tokio::test]
async fn an_export_is_a_checksummed_archive_served_in_ranges() {
    let api = Api::start().await;
    let job = ready_export(&api, "c-ava").await;
    let whole = download(&api, &job.id, None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let bytes = whole.bytes().await.expect("archive");
    assert_eq!(Some(bytes.len() as u64), job.size);
    assert_eq!(Some(format!("{:x}", Sha256::digest(&bytes))), job.sha256);

    let tail = download(&api, &job.id, Some("bytes=100-")).await;
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.headers()["content-range"], format!("bytes 100-{}/{}", bytes.len() - 1, bytes.len()));
    assert_eq!(tail.bytes().await.expect("tail"), bytes.slice(100..));
    let beyond = download(&api, &job.id, Some(&format!("bytes={}-", bytes.len()))).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // The manifest is the one the job names, and lists every other file with its size and
    // SHA-256; no message content.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut manifest = String::new();
    zip.by_name("manifest.json").expect("manifest").read_to_string(&mut manifest).expect("read");
    assert_eq!(Some(format!("{:x}", Sha256::digest(manifest.as_bytes()))), job.manifest_sha256);
    let manifest: ExportManifest = serde_json::from_str(&manifest).expect("manifest");
    assert_eq!(manifest.files.len() + 1, zip.len());
    for entry in &manifest.files {
        let mut content = Vec::new();
        zip.by_name(&entry.path).expect("listed file").read_to_end(&mut content).expect("read");
        assert_eq!(format!("{:x}", Sha256::digest(&content)), entry.sha256, "{}", entry.path);
    }
    assert!(manifest.excluded.iter().any(|e| e.contains("Message")), "{:?}", manifest.excluded);
    let mut csv = String::new();
    zip.by_name("contacts.csv").expect("csv").read_to_string(&mut csv).expect("read");
    assert!(csv.contains("u-spam,FreeGems4U,blocked"), "{csv}");

    // Another family's export is not found.
    assert_eq!(download(&api, "exp-someone-else", None).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_locked_pin_is_reset_only_with_a_fresh_proof_and_works_again() {
    let mut api = Api::start().await;
    // Ten wrong PINs, with the waits in between, lock the PIN until it is reset.
    for attempt in 0..10 {
        let (_, body) = api.approve(&format!("w-{attempt}"), "c-leo", "fr-1", "0000").await;
        if body["code"] == "pin_locked" && body["details"]["reset_required"] == true {
            break;
        }
        api.advance(Duration::hours(1)).await;
    }
    let (_, body) = api.approve("w-x", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(body["details"]["reset_required"], true, "locked even for the right PIN: {body}");
    // Without a proof, the old PIN cannot be used to change it; a made-up proof is refused.
    let put = |key: &str, body: serde_json::Value| {
        let key = key.to_owned();
        let api = &api;
        async move { api.call(Method::PUT, "/v1/children/c-leo/pin", Some(&key), Some(body)).await }
    };
    let (status, body) = put("p-1", json!({ "new_pin": "2468", "reauth_proof": "made-up" })).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::ReauthRequired), "{body}");
    let fresh = proof(&api, "reset_pin").await;
    let (status, body) = put("p-2", json!({ "new_pin": "2468", "reauth_proof": fresh })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api.approve("w-y", "c-leo", "fr-1", "2468").await;
    assert_eq!(status, StatusCode::OK, "the new PIN approves: {body}");
}

#[tokio::test]
async fn data_is_deleted_by_category_after_reauth_with_a_receipt_and_a_feed_tombstone() {
    let api = Api::start().await;
    let previews = |child: &'static str| {
        let api = &api;
        async move {
            let (status, body) =
                api.call(Method::GET, &format!("/v1/children/{child}/data-categories"), None, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<Page<DataCategoryPreview>>(body).expect("page").items
        }
    };
    let items = |list: &[DataCategoryPreview], category: DataCategory| {
        list.iter().find(|p| p.category == category).expect("category").items
    };
    let before = previews("c-leo").await;
    assert_eq!(before.len(), DataCategory::ALL.len());
    assert_eq!(items(&before, DataCategory::Activity), 140);
    let reports = before.iter().find(|p| p.category == DataCategory::ResolvedReports).expect("reports");
    assert!(reports.kept.iter().any(|k| k.retention_days == Some(365)), "banned accounts: a year");
    let (_, cursor) = api.drain(None).await;

    // Irreversible: a stale or missing re-authentication is refused and nothing goes.
    let path = "/v1/children/c-leo/data-deletions";
    let body = |proof: &str| json!({ "category": "activity", "reauth_proof": proof });
    let (status, refused) = api.call(Method::POST, path, Some("k-1"), Some(body("forged"))).await;
    assert_eq!((status, code(&refused)), (StatusCode::FORBIDDEN, ErrorCode::ReauthRequired));
    assert_eq!(items(&previews("c-leo").await, DataCategory::Activity), 140);
    let (status, unknown) = api
        .call(Method::POST, path, Some("k-2"), Some(json!({ "category": "everything", "reauth_proof": "x" })))
        .await;
    assert!(status.is_client_error(), "{unknown}");

    let demographics = proof(&api, "delete_data").await;
    let proof = proof(&api, "delete_data").await;
    let (status, receipt) = api.call(Method::POST, path, Some("k-3"), Some(body(&proof))).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let receipt: DataDeletionReceipt = serde_json::from_value(receipt).expect("receipt");
    assert_eq!((receipt.category, receipt.deleted_items), (DataCategory::Activity, 140));
    assert_eq!(items(&previews("c-leo").await, DataCategory::Activity), 0);
    assert_eq!(items(&previews("c-mei").await, DataCategory::Activity), 140, "only Leo's went");
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(changes.contains(&Change::ActivityDeleted { child_id: "c-leo".into() }), "{changes:?}");
    let (_, listed) = api.call(Method::GET, path, None, None).await;
    let listed: Page<DataDeletionReceipt> = serde_json::from_value(listed).expect("page");
    assert_eq!(listed.items, vec![receipt]);

    // Demographics go from the child, whose new version the feed carries.
    let (status, _) = api
        .call(
            Method::POST,
            "/v1/children/c-mei/data-deletions",
            Some("k-4"),
            Some(json!({ "category": "demographics", "reauth_proof": demographics })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, children) = api.call(Method::GET, "/v1/children", None, None).await;
    let mei = children["items"].as_array().expect("items").iter().find(|c| c["id"] == "c-mei").cloned();
    let mei = mei.expect("Mei");
    assert!(mei["demographics"]["country"].is_null() && mei["demographics"]["birthday"].is_null(), "{mei}");

    let (status, _) = api.call(Method::GET, "/v1/children/c-other/data-categories", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_proof_works_once_and_only_for_what_it_was_taken_for() {
    let api = Api::start().await;
    let guardian = |proof: &str| json!({ "reauth_proof": proof });
    // A proof taken to reset a PIN cannot delete an account or a child.
    let for_pin = proof(&api, "reset_pin").await;
    let (status, body) =
        api.call(Method::POST, "/v1/guardian/deletion", Some("g-1"), Some(guardian(&for_pin))).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::ReauthRequired), "{body}");
    let (_, body) = delete_child(&api, "k-1", "c-leo", &for_pin, DEMO_PIN).await;
    assert_eq!(code(&body), ErrorCode::ReauthRequired, "{body}");
    // It still resets the PIN, once.
    let put = |key: &'static str, proof: &str| {
        let body = json!({ "new_pin": "2468", "reauth_proof": proof });
        let api = &api;
        async move { api.call(Method::PUT, "/v1/children/c-leo/pin", Some(key), Some(body)).await }
    };
    assert_eq!(put("p-1", &for_pin).await.0, StatusCode::OK);
    let (status, body) = put("p-2", &for_pin).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::ReauthRequired), "used up: {body}");
    // Replaying the same request (same key) answers as before without needing the proof again.
    assert_eq!(put("p-1", &for_pin).await.0, StatusCode::OK);
    // An unknown purpose, or none, is refused before any password is checked.
    for body in
        [json!({ "password": DEMO_PASSWORD }), json!({ "password": DEMO_PASSWORD, "purpose": "anything" })]
    {
        let (status, answer) = api.call(Method::POST, "/v1/auth/reauth", None, Some(body)).await;
        assert!(status.is_client_error(), "{answer}");
    }
}

#[tokio::test]
async fn a_guardian_without_a_password_reauthenticates_with_a_code_sent_to_their_number() {
    let api = Api::start().await;
    let (status, sent) = api.call(Method::POST, "/v1/auth/reauth/sms", None, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code_sent =
        api.sandbox.last_sms_code(guardian_sandbox::DEMO_PHONE).await.expect("db").expect("a code");
    let reauth = |code: &str| json!({ "sms_code": code, "purpose": "delete_data" });
    // A wrong code is 403 (the session stays), not the 401 that would sign the guardian out.
    let (status, body) = api.call(Method::POST, "/v1/auth/reauth", None, Some(reauth("000000"))).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, ErrorCode::InvalidCredentials), "{body}");
    let (status, body) = api.call(Method::POST, "/v1/auth/reauth", None, Some(reauth(&code_sent))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let proof = body["proof"].as_str().expect("proof");
    let deletion = json!({ "category": "activity", "reauth_proof": proof });
    let path = "/v1/children/c-leo/data-deletions";
    assert_eq!(api.call(Method::POST, path, Some("d-1"), Some(deletion)).await.0, StatusCode::CREATED);
    // The code worked once; the password and the code together are not a thing.
    let (status, _) = api.call(Method::POST, "/v1/auth/reauth", None, Some(reauth(&code_sent))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let both = json!({ "password": DEMO_PASSWORD, "sms_code": code_sent, "purpose": "delete_data" });
    let (status, _) = api.call(Method::POST, "/v1/auth/reauth", None, Some(both)).await;
    assert!(status.is_client_error());
}
