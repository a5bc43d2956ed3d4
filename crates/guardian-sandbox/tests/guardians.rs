//! Co-guardians over HTTP: invitations, the agreement rule for friend approvals, removal, the
//! decision log, and what each guardian's change feed carries.

use guardian_domain::{Change, CoGuardians, DecisionEntry, ErrorCode, FriendRequest, Page, RequestStatus};
use guardian_sandbox::DEMO_PIN;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;

use common::{Api, code};

const JUN: (&str, &str) = ("+8613800000002", "co-guardian-password");
const WEI: (&str, &str) = ("+8613800000003", "grandparent-password");

async fn co_guardians(api: &Api, child: &str) -> CoGuardians {
    let (status, body) = api.call(Method::GET, &format!("/v1/children/{child}/guardians"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("co-guardians")
}

async fn log(api: &Api, child: &str) -> Vec<DecisionEntry> {
    let (status, body) =
        api.call(Method::GET, &format!("/v1/children/{child}/decision-log?limit=200"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value::<Page<DecisionEntry>>(body).expect("log").items
}

/// The child's PIN, as a guardian-only change carries it.
fn pin() -> Option<Value> {
    Some(json!({ "pin": DEMO_PIN }))
}

#[tokio::test]
async fn where_all_must_agree_an_approval_waits_for_every_guardian_and_one_denial_decides() {
    let mut api = Api::with_scenario("co-guardians").await;
    let demo_token = api.token.clone();
    let leo = co_guardians(&api, "c-leo").await;
    assert_eq!(leo.agreement.as_str(), "all");
    let names: Vec<_> = leo.guardians.iter().map(|g| (g.display_name.as_str(), g.you)).collect();
    assert_eq!(names, [("Demo Guardian", true), ("Jun Chen", false)], "longest-standing first");

    // Jun approved Oliver already: the demo guardian's approval decides.
    let (status, body) = api.approve("a-1", "c-leo", "fr-1", DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "approved");

    // Nobody approved Mila: the demo guardian's approval waits for Jun's.
    let (status, body) = api.approve("a-2", "c-leo", "fr-2", DEMO_PIN).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let waiting: FriendRequest = serde_json::from_value(body).expect("request");
    assert_eq!(
        (waiting.status, waiting.approved_by.clone()),
        (RequestStatus::Pending, vec!["Demo Guardian".into()])
    );
    // Jun sees it waiting for them, and denies: one denial decides.
    api.token = api.token_for(JUN.0, JUN.1).await;
    let (changes, _) = api.drain(None).await;
    assert!(changes.iter().any(|c| matches!(c, Change::FriendRequest { data } if data.id == "fr-2" && data.approved_by == ["Demo Guardian"])));
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/friend-requests/fr-2/deny", Some("d-1"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The demo guardian's next approval conflicts with Jun's denial, and says so.
    api.token = demo_token;
    let (status, body) = api.approve("a-3", "c-leo", "fr-2", DEMO_PIN).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, ErrorCode::Conflict), "{body}");
    assert_eq!(body["details"]["decided_by"], "Jun Chen", "{body}");

    // Every step is in the log, seen by both guardians, newest first.
    let entries = log(&api, "c-leo").await;
    let recent: Vec<_> = entries
        .iter()
        .take(5)
        .map(|e| (e.guardian_name.as_str(), e.action.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        recent,
        [
            ("Jun Chen", "friend_request_denied", "Mila"),
            ("Demo Guardian", "approval_recorded", "Mila"),
            ("Demo Guardian", "pin_used", "Mila"),
            ("Demo Guardian", "friend_request_approved", "Oliver"),
            ("Demo Guardian", "pin_used", "Oliver"),
        ]
    );
    assert!(!entries[0].you && entries[1].you);
}

#[tokio::test]
async fn an_accepted_invitation_brings_the_child_through_the_feed_and_removal_takes_it_away() {
    let mut api = Api::with_scenario("co-guardians").await;
    let (_, cursor) = api.drain(None).await;
    let (status, body) = api.call(Method::GET, "/v1/guardian-invites", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["child_name"], "Kai");
    assert_eq!(body["items"][0]["invited_by"], "Jun Chen");

    let (status, body) =
        api.call(Method::POST, "/v1/guardian-invites/gi-kai/accept", Some("acc"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "Kai");
    let (changes, cursor) = api.drain(Some(cursor)).await;
    assert!(changes.iter().any(|c| matches!(c, Change::Child { data } if data.id == "c-kai")));
    assert!(changes.iter().any(|c| matches!(c, Change::FriendRequest { data } if data.id == "fr-3")));
    assert!(changes.iter().any(|c| matches!(c, Change::Contact { data } if data.contact_id == "u-tom")));
    // An answered invitation cannot be answered again.
    let (status, _) = api.call(Method::POST, "/v1/guardian-invites/gi-kai/decline", Some("dec"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Jun proposes taking the demo guardian off Kai; once the demo guardian accepts, it is done
    // and the demo guardian's feed drops the child.
    let demo_token = api.token.clone();
    let jun_token = api.token_for(JUN.0, JUN.1).await;
    api.token = jun_token.clone();
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-kai/guardians/g-demo/remove", Some("rm"), pin()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "taking another guardian off is a proposal: {body}");
    let proposal = body["id"].as_str().expect("proposal id").to_owned();
    api.token = demo_token.clone();
    let accept = format!("/v1/proposals/{proposal}/accept");
    let (status, body) = api.call(Method::POST, &accept, Some("acc-kai"), pin()).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("in_effect")), "{body}");
    // Jun is Kai's last guardian and cannot leave.
    api.token = jun_token;
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-kai/guardians/g-jun/remove", Some("rm2"), pin()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    api.token = demo_token;
    let (changes, _) = api.drain(Some(cursor)).await;
    assert!(changes.iter().any(|c| matches!(c, Change::ChildDeleted { id } if id == "c-kai")), "{changes:?}");
    let (status, _) = api.call(Method::GET, "/v1/children/c-kai/guardians", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing about a child no longer looked after");
}

#[tokio::test]
async fn an_invitation_answers_the_same_for_any_number_and_reaches_only_its_holder() {
    let mut api = Api::with_scenario("co-guardians").await;
    let invite = |key: &'static str, phone: &'static str| {
        let api = &api;
        async move {
            api.call(
                Method::POST,
                "/v1/children/c-leo/guardians/invites",
                Some(key),
                Some(json!({ "phone": phone })),
            )
            .await
        }
    };
    let (known, known_body) = invite("i-1", WEI.0).await;
    let (unknown, unknown_body) = invite("i-2", "+4915100000000").await;
    assert_eq!((known, unknown), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    let shape = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(shape(&known_body), shape(&unknown_body), "nothing tells an account holder apart");
    assert_eq!(known_body["phone_masked"], "••••0003");
    // Bad input: a number without its country code; a number that is already a guardian.
    let (status, body) = invite("i-3", "13800000003").await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation));
    let (status, _) = invite("i-4", JUN.0).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(co_guardians(&api, "c-leo").await.invites.len(), 2);

    // Only Wei sees the invitation; Jun does not.
    api.token = api.token_for(JUN.0, JUN.1).await;
    let (_, body) = api.call(Method::GET, "/v1/guardian-invites", None, None).await;
    assert_eq!(body["items"], json!([]));
    api.token = api.token_for(WEI.0, WEI.1).await;
    let (_, body) = api.call(Method::GET, "/v1/guardian-invites", None, None).await;
    assert_eq!(body["items"][0]["child_name"], "Leo");
    // Invitations lapse after a week.
    api.sandbox.clock().advance(chrono::Duration::days(8));
    api.token = api.token_for(WEI.0, WEI.1).await;
    let (_, body) = api.call(Method::GET, "/v1/guardian-invites", None, None).await;
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn the_agreement_rule_is_shared_and_a_guardian_leaves_shared_children_with_their_co_guardian() {
    let mut api = Api::with_scenario("co-guardians").await;
    let (status, body) = api
        .call(
            Method::PUT,
            "/v1/children/c-leo/agreement",
            Some("ag"),
            Some(json!({ "agreement": "one", "pin": DEMO_PIN })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "relaxing the rule is proposed to Jun: {body}");
    assert_eq!(body["agreement"], "all", "nothing changes yet");
    let proposal = body["proposals"][0]["id"].as_str().expect("the proposal").to_owned();
    let demo_token = api.token.clone();
    api.token = api.token_for(JUN.0, JUN.1).await;
    let accept = format!("/v1/proposals/{proposal}/accept");
    let (status, body) = api.call(Method::POST, &accept, Some("acc"), pin()).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("in_effect")), "{body}");
    api.token = demo_token;
    assert_eq!(co_guardians(&api, "c-leo").await.agreement.as_str(), "one");
    // Now one approval decides.
    let (status, body) = api.approve("a-1", "c-leo", "fr-2", DEMO_PIN).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("approved")));
    // Jun sees the change in the log.
    api.token = api.token_for(JUN.0, JUN.1).await;
    let entries = log(&api, "c-leo").await;
    assert!(entries.iter().any(|e| e.action == "agreement_changed" && e.subject == "one" && !e.you));

    // Jun's own account: Kai has no other guardian, so deletion is refused until Kai is shared.
    let (status, body) = delete_account(&api, JUN.1).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["details"]["children"], 1, "Leo is shared, Kai is not: {body}");

    // The demo guardian's only child is shared with Jun: the account may go, and Leo stays with Jun.
    api.token = api.token_for(common::DEMO.0, common::DEMO.1).await;
    let (status, body) = delete_account(&api, common::DEMO.1).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    api.sandbox.clock().advance(chrono::Duration::days(8));
    let (status, _) = api.call(Method::GET, "/v1/children", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the account is gone once the cooling-off period is over");
    api.token = api.token_for(JUN.0, JUN.1).await;
    let leo = co_guardians(&api, "c-leo").await;
    assert_eq!(leo.guardians.iter().map(|g| g.display_name.as_str()).collect::<Vec<_>>(), ["Jun Chen"]);
    let entries = log(&api, "c-leo").await;
    assert!(
        entries.iter().all(|e| e.guardian_name != "Demo Guardian"),
        "the log keeps no name of a deleted account"
    );
    assert!(entries.iter().any(|e| e.guardian_name == "A former guardian"));
}

async fn delete_account(api: &Api, password: &str) -> (StatusCode, Value) {
    let (_, body) = api
        .call(
            Method::POST,
            "/v1/auth/reauth",
            None,
            Some(json!({ "password": password, "purpose": "delete_account" })),
        )
        .await;
    let proof = body["proof"].as_str().expect("proof").to_owned();
    api.call(Method::POST, "/v1/guardian/deletion", Some(password), Some(json!({ "reauth_proof": proof })))
        .await
}

async fn ask_to_delete_leo(api: &Api) -> Value {
    let (_, body) = api
        .call(
            Method::POST,
            "/v1/auth/reauth",
            None,
            Some(json!({ "password": common::DEMO.1, "purpose": "delete_child" })),
        )
        .await;
    let proof = body["proof"].as_str().expect("proof").to_owned();
    let (status, body) = api
        .call(
            Method::POST,
            "/v1/children/c-leo/deletion",
            Some("del-leo"),
            Some(json!({ "reauth_proof": proof, "pin": DEMO_PIN })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body
}

#[tokio::test]
async fn deleting_a_shared_childs_account_waits_for_every_guardian() {
    let mut api = Api::with_scenario("co-guardians").await;
    let asked = ask_to_delete_leo(&api).await;
    assert_eq!(
        asked["agreements"],
        json!([{ "guardian_name": "Jun Chen", "you": false, "answer": "awaited", "answered_at": null }])
    );
    let id = asked["id"].as_str().expect("id").to_owned();

    // The cooling-off period passes, but Jun has not agreed: nothing is deleted.
    api.advance(chrono::Duration::days(8)).await;
    let (status, _) = api.call(Method::GET, "/v1/children/c-leo/guardians", None, None).await;
    assert_eq!(status, StatusCode::OK, "Leo is still there");

    // Jun is asked, and agrees after proving who they are.
    api.token = api.token_for(JUN.0, JUN.1).await;
    let (_, body) = api.call(Method::GET, "/v1/deletion-requests", None, None).await;
    let request = &body["items"][0];
    assert_eq!(
        (request["requested_by"].as_str(), request["agreements"][0]["you"].as_bool()),
        (Some("Demo Guardian"), Some(true))
    );
    let (status, body) = api
        .call(
            Method::POST,
            &format!("/v1/deletion-requests/{id}/agree"),
            Some("agree-1"),
            Some(json!({ "reauth_proof": "guess" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agreement needs a fresh sign-in proof: {body}");
    let (_, body) = api
        .call(
            Method::POST,
            "/v1/auth/reauth",
            None,
            Some(json!({ "password": JUN.1, "purpose": "agree_to_deletion" })),
        )
        .await;
    let proof = body["proof"].as_str().expect("proof").to_owned();
    let (status, body) = api
        .call(
            Method::POST,
            &format!("/v1/deletion-requests/{id}/agree"),
            Some("agree-2"),
            Some(json!({ "reauth_proof": proof })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["agreements"][0]["answer"], "agreed");
    // With every guardian agreed and the cooling-off period over, the account goes.
    let (status, _) = api.call(Method::GET, "/v1/children/c-leo/guardians", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = api.call(Method::GET, &format!("/v1/deletion-requests/{id}"), None, None).await;
    assert_eq!(body["status"], "completed", "{body}");
}

#[tokio::test]
async fn a_co_guardian_who_refuses_cancels_the_deletion_and_nothing_is_deleted() {
    let mut api = Api::with_scenario("co-guardians").await;
    let asked = ask_to_delete_leo(&api).await;
    let id = asked["id"].as_str().expect("id").to_owned();
    let demo = api.token.clone();
    api.token = api.token_for(JUN.0, JUN.1).await;
    let (status, body) =
        api.call(Method::POST, &format!("/v1/deletion-requests/{id}/refuse"), Some("no"), None).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("cancelled")), "{body}");
    let (status, _) = api
        .call(
            Method::POST,
            &format!("/v1/deletion-requests/{id}/agree"),
            Some("yes"),
            Some(json!({ "reauth_proof": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a refusal stands");

    api.token = demo;
    let (_, body) = api.call(Method::GET, &format!("/v1/deletion-requests/{id}"), None, None).await;
    assert_eq!(body["agreements"][0]["answer"], "refused");
    assert_eq!(body["agreements"][0]["guardian_name"], "Jun Chen");
    let entries = log(&api, "c-leo").await;
    assert_eq!(entries[0].action, "deletion_refused");
    api.advance(chrono::Duration::days(16)).await;
    let (status, _) = api.call(Method::GET, "/v1/children/c-leo/guardians", None, None).await;
    assert_eq!(status, StatusCode::OK, "nothing was deleted");
}

/// The guardian signed in asks that one guardian's approval be enough for Leo.
async fn relax(api: &Api, key: &str) -> (StatusCode, Value) {
    let body = json!({ "agreement": "one", "pin": DEMO_PIN });
    api.call(Method::PUT, "/v1/children/c-leo/agreement", Some(key), Some(body)).await
}

#[tokio::test]
async fn loosening_the_rule_or_taking_a_guardian_off_waits_for_the_others_who_can_veto() {
    let mut api = Api::with_scenario("co-guardians").await;
    let demo_token = api.token.clone();
    let jun_token = api.token_for(JUN.0, JUN.1).await;
    // The demo guardian proposes; nothing changes, and Jun sees what waits for his answer.
    let (status, body) = relax(&api, "p-1").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (again, body_again) = relax(&api, "p-2").await;
    assert_eq!(again, StatusCode::ACCEPTED);
    assert_eq!(body_again["proposals"], body["proposals"], "proposing again is the same proposal");
    api.token = jun_token.clone();
    let leo = co_guardians(&api, "c-leo").await;
    assert_eq!(leo.agreement.as_str(), "all");
    let proposal = &leo.proposals[0];
    assert_eq!((proposal.proposed_by.as_str(), proposal.you_proposed), ("Demo Guardian", false));
    assert_eq!(proposal.answers.len(), 1);
    assert!(proposal.answers[0].you, "Jun is the one asked");
    // The proposer cannot answer for the others.
    api.token = demo_token.clone();
    let accept = format!("/v1/proposals/{}/accept", proposal.id);
    let (status, _) = api.call(Method::POST, &accept, Some("self"), pin()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Accepting needs the child's PIN: a child at Jun's keyboard cannot accept.
    api.token = jun_token.clone();
    let (status, body) = api.call(Method::POST, &accept, Some("nopin"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Jun vetoes: nothing changes, and the proposal is settled.
    let veto = format!("/v1/proposals/{}/veto", proposal.id);
    let (status, body) = api.call(Method::POST, &veto, Some("veto"), None).await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("vetoed")), "{body}");
    let (status, _) = api.call(Method::POST, &accept, Some("late"), pin()).await;
    assert_eq!(status, StatusCode::CONFLICT, "a vetoed proposal cannot be accepted");
    assert_eq!(co_guardians(&api, "c-leo").await.agreement.as_str(), "all");
    assert!(co_guardians(&api, "c-leo").await.proposals.is_empty());

    // Proposed again, and not vetoed: after the notice period it is in effect.
    api.token = demo_token.clone();
    let (status, _) = relax(&api, "p-3").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    api.sandbox
        .clock()
        .advance(chrono::Duration::days(guardian_domain::PROPOSAL_NOTICE_DAYS) - chrono::Duration::hours(1));
    // (Access tokens last an hour: each guardian signs in again after the clock moves.)
    api.token = api.token_for(common::DEMO.0, common::DEMO.1).await;
    assert_eq!(co_guardians(&api, "c-leo").await.agreement.as_str(), "all", "not before its time");
    api.sandbox.clock().advance(chrono::Duration::hours(2));
    api.token = api.token_for(common::DEMO.0, common::DEMO.1).await;
    let leo = co_guardians(&api, "c-leo").await;
    assert_eq!(
        (leo.agreement.as_str(), leo.proposals.len()),
        ("one", 0),
        "in effect once the notice is over"
    );
    let jun_token = api.token_for(JUN.0, JUN.1).await;
    let demo_token = api.token.clone();
    api.token = jun_token.clone();
    assert!(log(&api, "c-leo").await.iter().any(|e| e.action == "agreement_changed" && e.subject == "one"));

    // Tightening applies at once.
    let (status, body) = api
        .call(
            Method::PUT,
            "/v1/children/c-leo/agreement",
            Some("t-1"),
            Some(json!({ "agreement": "all", "pin": DEMO_PIN })),
        )
        .await;
    assert_eq!((status, &body["agreement"]), (StatusCode::OK, &json!("all")), "{body}");

    // Jun proposes taking the demo guardian off Leo; the demo guardian vetoes and stays.
    let (status, body) =
        api.call(Method::POST, "/v1/children/c-leo/guardians/g-demo/remove", Some("rm"), pin()).await;
    assert_eq!((status, &body["kind"]), (StatusCode::ACCEPTED, &json!("remove_guardian")), "{body}");
    assert_eq!(body["guardian_name"], "Demo Guardian");
    api.token = demo_token;
    let veto = format!("/v1/proposals/{}/veto", body["id"].as_str().expect("id"));
    let (status, _) = api.call(Method::POST, &veto, Some("v-2"), None).await;
    assert_eq!(status, StatusCode::OK);
    api.sandbox.clock().advance(chrono::Duration::days(30));
    api.token = api.token_for(common::DEMO.0, common::DEMO.1).await;
    assert_eq!(co_guardians(&api, "c-leo").await.guardians.len(), 2, "a vetoed removal never happens");

    // A guardian nobody else shares the child with is not asked anything: Kai is Jun's alone.
    api.token = api.token_for(JUN.0, JUN.1).await;
    let _ = jun_token;
    let (status, body) = api
        .call(
            Method::PUT,
            "/v1/children/c-kai/agreement",
            Some("k-1"),
            Some(json!({ "agreement": "all", "pin": DEMO_PIN })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .call(
            Method::PUT,
            "/v1/children/c-kai/agreement",
            Some("k-2"),
            Some(json!({ "agreement": "one", "pin": DEMO_PIN })),
        )
        .await;
    assert_eq!((status, &body["agreement"]), (StatusCode::OK, &json!("one")), "{body}");
}
