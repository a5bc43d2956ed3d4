//! The provider fault matrix: every way the sandbox can fail, on the change feed and on a
//! decision. Each must leave the cache sound and end in the state the guardian should see.

mod common;

use chrono::Duration;
use common::World;
use guardian_core::Secret;
use guardian_sandbox::{DEMO_PIN, Fault, FaultKind};

const FEED: &str = "/v1/changes";
const APPROVE: &str = "/v1/children/c-leo/friend-requests/fr-1";

fn fault(path: &str, kind: FaultKind) -> Fault {
    Fault { path_prefix: path.into(), kind, times: 1 }
}

/// What the guardian sees after a sync that met the fault.
struct Expect {
    code: &'static str,
    offline: bool,
}

#[tokio::test]
async fn feed_faults_keep_the_cache_sound_and_recover_on_the_next_sync() {
    let cases = [
        ("5xx", FaultKind::Unavailable, Expect { code: "provider_error", offline: false }),
        ("429", FaultKind::RateLimited { retry_after: 5 }, Expect { code: "provider_error", offline: false }),
        ("truncated body", FaultKind::Truncated, Expect { code: "provider_response", offline: false }),
        ("malformed body", FaultKind::Malformed, Expect { code: "provider_response", offline: false }),
        ("timeout", FaultKind::Latency { millis: 3_000 }, Expect { code: "offline", offline: true }),
    ];
    for (name, kind, expect) in cases {
        let world = World::with_timeout(std::time::Duration::from_millis(800)).await;
        let before = world.engine.children().await.expect("children");
        world.sandbox().inject(fault(FEED, kind));
        let error = world.engine.sync().await.expect_err(name);
        assert_eq!(error.code(), expect.code, "{name}: {error}");
        let status = world.engine.status().await;
        assert_eq!(status.offline, expect.offline, "{name}: offline banner");
        assert_eq!(world.engine.children().await.expect("children"), before, "{name}: cache unchanged");
        world.engine.check_cache_integrity().await.expect(name);
        world.engine.sync().await.unwrap_or_else(|e| panic!("{name}: the next sync recovers: {e}"));
        assert!(!world.engine.status().await.offline, "{name}: back online");
    }
}

#[tokio::test]
async fn decision_faults_keep_the_decision_queued_until_it_is_applied_once() {
    let cases = [
        ("5xx", FaultKind::Unavailable),
        ("429", FaultKind::RateLimited { retry_after: 30 }),
        ("truncated reply", FaultKind::Truncated),
        ("malformed reply", FaultKind::Malformed),
        ("lost reply", FaultKind::LoseResponse),
        ("timeout", FaultKind::Latency { millis: 3_000 }),
    ];
    for (name, kind) in cases {
        let world = World::with_timeout(std::time::Duration::from_millis(800)).await;
        world.sandbox().inject(fault(APPROVE, kind));
        let outcome = world
            .engine
            .approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(outcome.state, "queued", "{name}: {outcome:?}");
        let pending = world.engine.pending_decisions().await.expect("pending");
        assert_eq!((pending.len(), pending[0].state.as_str()), (1, "queued"), "{name}");
        assert!(pending[0].message.is_some(), "{name}: the last error is kept to explain the wait");
        world.engine.check_cache_integrity().await.expect(name);

        world.clock.advance(Duration::minutes(10));
        world.engine.sync().await.unwrap_or_else(|e| panic!("{name}: retry: {e}"));
        let status = world.engine.status().await;
        assert_eq!((status.queued_decisions, status.refused_decisions), (0, 0), "{name}: sent, not refused");
        assert_eq!(world.request_status("Leo", "fr-1").await.0, "approved", "{name}");
    }
}
