//! The provider fault matrix at the engine: every way the sandbox can fail, on the change feed
//! and on a decision. Each is "provider unavailable": the cache stays sound and is what the
//! guardian sees, a decision stays queued with the reason and its next try, and the next sync
//! recovers. (The CLI's matrix, over every kind of action, is `guardian-cli/tests/fault_matrix.rs`.)

mod common;

use chrono::Duration;
use common::World;
use guardian_core::OutcomeState;
use guardian_core::Secret;
use guardian_sandbox::{DEMO_PIN, Fault, FaultKind};

const FEED: &str = "/v1/changes";
const APPROVE: &str = "/v1/children/c-leo/friend-requests/fr-1";

/// The code the guardian is shown for each kind of failure.
fn expected_code(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::Unavailable
        | FaultKind::Status { .. }
        | FaultKind::HtmlError { .. }
        | FaultKind::LoseResponse => "provider_unavailable",
        FaultKind::RateLimited { .. } => "provider_busy",
        FaultKind::Latency { .. } => "provider_timeout",
        FaultKind::Truncated
        | FaultKind::Malformed
        | FaultKind::Oversized
        | FaultKind::Interrupted
        | FaultKind::Reset => "provider_response",
    }
}

#[tokio::test]
async fn feed_faults_keep_the_cache_sound_and_recover_on_the_next_sync() {
    for (name, kind) in FaultKind::all() {
        let world = World::with_timeout(std::time::Duration::from_millis(800)).await;
        let before = world.engine.children().await.expect("children");
        world.sandbox().inject(Fault::once(FEED, kind.clone()));
        let error = world.engine.sync().await.expect_err(name);
        assert_eq!(error.code(), expected_code(&kind), "{name}: {error}");
        let status = world.engine.status().await;
        assert!(status.offline, "{name}: the provider is unavailable, as when offline");
        assert_eq!(status.unavailable.as_deref(), Some(expected_code(&kind)), "{name}: says why");
        assert_eq!(world.engine.children().await.expect("children"), before, "{name}: cache unchanged");
        world.engine.check_cache_integrity().await.expect(name);
        world.engine.sync().await.unwrap_or_else(|e| panic!("{name}: the next sync recovers: {e}"));
        let status = world.engine.status().await;
        assert!(!status.offline && status.unavailable.is_none(), "{name}: back online");
    }
}

#[tokio::test]
async fn decision_faults_keep_the_decision_queued_until_it_is_applied_once() {
    for (name, kind) in FaultKind::all() {
        let world = World::with_timeout(std::time::Duration::from_millis(800)).await;
        world.sandbox().inject(Fault::once(APPROVE, kind.clone()));
        let outcome = world
            .engine
            .approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(outcome.state, guardian_core::OutcomeState::Queued, "{name}: {outcome:?}");
        assert_eq!(outcome.reason.as_deref(), Some(expected_code(&kind)), "{name}: the reason travels");
        let pending = world.engine.pending_decisions().await.expect("pending");
        assert_eq!((pending.len(), pending[0].state), (1, guardian_core::PendingState::Queued), "{name}");
        assert_eq!(pending[0].reason.as_deref(), Some(expected_code(&kind)), "{name}");
        assert!(pending[0].next_try_at.is_some(), "{name}: the next try is known");
        world.engine.check_cache_integrity().await.expect(name);

        world.clock.advance(Duration::minutes(10));
        world.engine.sync().await.unwrap_or_else(|e| panic!("{name}: retry: {e}"));
        let status = world.engine.status().await;
        assert_eq!((status.queued_decisions, status.refused_decisions), (0, 0), "{name}: sent, not refused");
        assert_eq!(world.request_status("Leo", "fr-1").await.0, "approved", "{name}");
    }
}

/// `sync_now` sends a decision that waits out its retry delay (the guardian asked for it).
#[tokio::test]
async fn sync_now_sends_what_waits_for_its_next_try() {
    let world = World::new().await;
    world.sandbox().inject(Fault::once(APPROVE, FaultKind::Unavailable));
    world.engine.approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None).await.expect("queued");
    world.engine.sync().await.expect("nothing due: the sync itself is fine");
    assert_eq!(world.engine.status().await.queued_decisions, 1, "held until its next try");
    world.engine.sync_now().await.expect("sync now");
    assert_eq!(world.engine.status().await.queued_decisions, 0, "sent without waiting");
    assert_eq!(world.request_status("Leo", "fr-1").await.0, "approved");
}

/// A wrong PIN is refused; once the right one is accepted the refusals leave the pending list.
#[tokio::test]
async fn refusals_of_a_decision_go_once_it_is_accepted() {
    let world = World::new().await;
    let mut tries_left = Vec::new();
    for _ in 0..2 {
        let wrong = world
            .engine
            .approve_request("Leo", "fr-1", Some(&Secret::new("0000")), None)
            .await
            .expect("answered");
        assert_eq!((wrong.state, wrong.reason.as_deref()), (OutcomeState::Refused, Some("pin_incorrect")));
        let refusal = wrong.refusal.expect("the provider's refusal, kept with its facts");
        assert_eq!(refusal.code, guardian_domain::ErrorCode::PinIncorrect);
        tries_left.push(refusal.attempts_left);
    }
    assert_eq!(tries_left, [Some(4), Some(3)], "each wrong try says how many are left");
    let pending = world.engine.pending_decisions().await.expect("pending");
    assert_eq!(
        pending[0].refusal.as_ref().and_then(|r| r.attempts_left),
        Some(3),
        "kept for the pending list"
    );
    assert_eq!(world.engine.status().await.refused_decisions, 1, "one refusal per decision, not per try");
    let right = world.engine.approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None).await;
    assert_eq!(right.expect("approved").state, OutcomeState::Sent);
    let pending = world.engine.pending_decisions().await.expect("pending");
    assert!(pending.is_empty(), "the refusals no longer apply: {pending:?}");
}
