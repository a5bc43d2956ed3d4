//! Decisions through the outbox against the real sandbox: online, offline, refused, rate
//! limited, and across a feed reset. The engine's clock is injected so retry times are exact.

mod common;

use chrono::Duration;
use common::World;
use guardian_core::{DecisionKind, Secret};
use guardian_sandbox::{DEMO_PIN, Fault, FaultKind};

#[tokio::test]
async fn an_approval_with_the_pin_reaches_the_provider_and_comes_back_through_the_feed() {
    let world = World::new().await;
    assert_eq!(world.request_status("Leo", "fr-1").await.0, "pending");
    let outcome = world
        .engine
        .approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None)
        .await
        .expect("approve");
    assert_eq!(outcome.state, guardian_core::OutcomeState::Sent, "{outcome:?}");
    assert_eq!(world.request_status("Leo", "fr-1").await, ("approved".into(), None));
    let contacts = world.engine.contacts("Leo").await.expect("contacts");
    assert!(contacts.iter().any(|c| c.display_name == "Oliver"), "the new friend is a contact now");
    let leo = world.engine.find_child("leo").await.expect("by name, any case");
    assert_eq!(leo.pending_requests, 1, "one request still waits");
}

#[tokio::test]
async fn offline_decisions_wait_in_the_queue_and_are_sent_when_the_provider_is_back() {
    let mut world = World::new().await;
    world.go_offline().await;

    let approve = world
        .engine
        .approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None)
        .await
        .expect("queued");
    assert_eq!(approve.state, guardian_core::OutcomeState::Queued);
    let deny = world.engine.deny_request("Mei", "fr-3").await.expect("queued");
    assert_eq!(deny.state, guardian_core::OutcomeState::Queued);
    let block = world.engine.set_contact_blocked("Leo", "u-sam", true, None).await.expect("queued");
    assert_eq!(block.state, guardian_core::OutcomeState::Queued);

    let status = world.engine.status().await;
    assert!(status.offline, "offline is shown");
    assert_eq!(status.queued_decisions, 3, "three decisions wait");
    assert_eq!(
        world.request_status("Leo", "fr-1").await,
        ("pending".into(), Some(DecisionKind::ApproveRequest))
    );

    world.come_back().await;
    // Retries were scheduled; the next sync after they are due sends everything.
    world.clock.advance(Duration::minutes(10));
    world.engine.sync().await.expect("sync");
    assert_eq!(world.engine.status().await.queued_decisions, 0, "nothing left behind");
    assert_eq!(world.request_status("Leo", "fr-1").await, ("approved".into(), None));
    assert_eq!(world.request_status("Mei", "fr-3").await, ("denied".into(), None));
    let sam =
        world.engine.contacts("Leo").await.expect("contacts").into_iter().find(|c| c.contact_id == "u-sam");
    assert_eq!(sam.expect("Sam").status, guardian_core::ContactStatus::Blocked);
}

#[tokio::test]
async fn a_refused_decision_is_kept_with_the_providers_words_and_without_the_pin() {
    let world = World::new().await;
    let outcome =
        world.engine.approve_request("Leo", "fr-1", Some(&Secret::new("9999")), None).await.expect("decided");
    assert_eq!(outcome.state, guardian_core::OutcomeState::Refused);
    assert!(outcome.message.as_deref().unwrap_or("").contains("PIN is not correct"), "{outcome:?}");
    let pending = world.engine.pending_decisions().await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].state.as_str(), pending[0].subject.as_str()), ("refused", "fr-1"));
    assert_eq!(
        world.request_status("Leo", "fr-1").await,
        ("pending".into(), None),
        "the cache shows the truth"
    );
    world.engine.dismiss_decision(&pending[0].id).await.expect("dismiss");
    assert!(world.engine.pending_decisions().await.expect("pending").is_empty());

    let error = world
        .engine
        .approve_request("Leo", "fr-1", Some(&Secret::new("12")), None)
        .await
        .expect_err("bad PIN");
    assert_eq!(error.code(), "invalid_input", "a wrong-length PIN is caught before anything is queued");
    let error = world.engine.approve_request("Leo", "fr-1", None, None).await.expect_err("no PIN");
    assert_eq!(error.code(), "invalid_input");
    assert!(
        world.engine.pending_decisions().await.expect("pending").is_empty(),
        "nothing queued by bad input"
    );
}

#[tokio::test]
async fn rate_limiting_is_honoured_and_a_lost_response_is_not_applied_twice() {
    let world = World::new().await;
    world.sandbox().inject(Fault {
        path_prefix: "/v1/children/c-leo/friend-requests/fr-1".into(),
        kind: FaultKind::RateLimited { retry_after: Some(120) },
        times: 1,
        chance: None,
    });
    let outcome = world
        .engine
        .approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None)
        .await
        .expect("queued");
    assert_eq!(outcome.state, guardian_core::OutcomeState::Queued, "{outcome:?}");
    world.clock.advance(Duration::seconds(60));
    world.engine.sync().await.expect("sync");
    assert_eq!(world.engine.status().await.queued_decisions, 1, "not sent before Retry-After");

    // The provider applies the approval but the reply is lost: the retry carries the same
    // Idempotency-Key, so the provider answers with the stored result instead of a conflict.
    world.sandbox().inject(Fault {
        path_prefix: "/v1/children/c-leo/friend-requests/fr-1".into(),
        kind: FaultKind::LoseResponse,
        times: 1,
        chance: None,
    });
    world.clock.advance(Duration::seconds(61));
    let _ = world.engine.sync().await;
    assert_eq!(world.engine.status().await.queued_decisions, 1, "lost reply: still queued");
    world.clock.advance(Duration::minutes(10));
    world.engine.sync().await.expect("sync");
    let status = world.engine.status().await;
    assert_eq!(
        (status.queued_decisions, status.refused_decisions),
        (0, 0),
        "sent once, not refused as a conflict"
    );
    assert_eq!(world.request_status("Leo", "fr-1").await.0, "approved");
}

#[tokio::test]
async fn an_expired_feed_position_rebuilds_from_a_snapshot() {
    let world = World::new().await;
    world.sandbox().compact_feed().await.expect("compact");
    // A change the old cursor can no longer reach.
    let outcome = world.engine.deny_request("Mei", "fr-3").await.expect("deny");
    assert_eq!(outcome.state, guardian_core::OutcomeState::Sent);
    assert_eq!(world.request_status("Mei", "fr-3").await.0, "denied", "re-bootstrapped after 410");
    let names: Vec<_> =
        world.engine.children().await.expect("children").into_iter().map(|c| c.display_name).collect();
    assert_eq!(names, ["Ava", "Leo", "Mei"]);
}
