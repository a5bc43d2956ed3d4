//! Push: a change at the provider reaches a watching engine through the server-sent-events
//! stream, and the sync it triggers brings the change into the cache.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::World;
use guardian_client::{MemorySecrets, ProviderClient, Secret};
use guardian_domain::SystemClock;
use guardian_sandbox::{DEMO_PASSWORD, DEMO_PHONE};

#[tokio::test]
async fn a_change_elsewhere_is_pushed_and_the_triggered_sync_brings_it_in() {
    let world = World::new().await;
    let other = other_device(&world).await;

    let (tx, mut pushed) = tokio::sync::mpsc::unbounded_channel();
    let watch = world.engine.watch(move || {
        let _ = tx.send(());
    });
    tokio::pin!(watch);
    tokio::select! {
        () = &mut watch => panic!("the watch ended"),
        () = tokio::time::sleep(Duration::from_millis(500)) => {}
    }
    other.set_contact_blocked("c-leo", "u-sam", true, None, "other-device-1").await.expect("change");
    let heard = tokio::select! {
        () = &mut watch => panic!("the watch ended"),
        heard = tokio::time::timeout(Duration::from_secs(5), pushed.recv()) => heard,
    };
    assert!(matches!(heard, Ok(Some(()))), "the change was pushed");
    world.engine.sync().await.expect("sync");
    let sam =
        world.engine.contacts("Leo").await.expect("contacts").into_iter().find(|c| c.contact_id == "u-sam");
    assert_eq!(sam.map(|c| c.status), Some(guardian_core::ContactStatus::Blocked));
}

/// The push stream under every kind of provider failure: the watch never ends (it would only
/// for a new sign-in) and, once the fault has passed, reconnects and hears the next change.
/// (Each fault runs against its own provider, all at once.)
#[tokio::test(flavor = "multi_thread")]
async fn the_push_stream_survives_every_fault_and_hears_the_next_change() {
    let cases = guardian_sandbox::FaultKind::all().into_iter().map(|(name, kind)| survives(name, kind));
    futures_util::future::join_all(cases).await;
}

async fn survives(name: &str, kind: guardian_sandbox::FaultKind) {
    let world = World::with_timeout(Duration::from_secs(1)).await;
    let other = other_device(&world).await;
    world.sandbox().inject(guardian_sandbox::Fault::once("/v1/events", kind));

    let (tx, mut pushed) = tokio::sync::mpsc::unbounded_channel();
    let watch = world.engine.watch(move || {
        let _ = tx.send(());
    });
    tokio::pin!(watch);
    // Changes keep coming until one is heard: the stream is back only after a retry.
    let mut n = 0;
    let heard = loop {
        n += 1;
        // Unblocking is the guardian's alone: it carries the child's PIN.
        let pin = guardian_core::Secret::new(guardian_sandbox::DEMO_PIN);
        let block = n % 2 == 1;
        other
            .set_contact_blocked("c-leo", "u-sam", block, (!block).then_some(&pin), &format!("{name}-{n}"))
            .await
            .expect("change");
        let heard = tokio::select! {
            () = &mut watch => panic!("{name}: the watch ended"),
            heard = tokio::time::timeout(Duration::from_secs(2), pushed.recv()) => heard,
        };
        if matches!(heard, Ok(Some(()))) || n >= 15 {
            break heard;
        }
    };
    assert!(matches!(heard, Ok(Some(()))), "{name}: a change was pushed after the fault passed");
    assert!(world.engine.status().await.signed_in, "{name}: still signed in");
}

/// Another device of the same guardian, signed in.
async fn other_device(world: &World) -> ProviderClient {
    let other = ProviderClient::new(
        &world.sandbox().url(),
        Arc::new(MemorySecrets::default()),
        Arc::new(SystemClock),
    )
    .expect("client");
    other.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    other
}
