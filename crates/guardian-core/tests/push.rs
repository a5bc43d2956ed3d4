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
    // Another device of the same guardian.
    let other = ProviderClient::new(
        &world.sandbox().url(),
        Arc::new(MemorySecrets::default()),
        Arc::new(SystemClock),
    )
    .expect("client");
    other.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");

    let (tx, mut pushed) = tokio::sync::mpsc::unbounded_channel();
    let watch = world.engine.watch(move || {
        let _ = tx.send(());
    });
    tokio::pin!(watch);
    tokio::select! {
        () = &mut watch => panic!("the watch ended"),
        () = tokio::time::sleep(Duration::from_millis(500)) => {}
    }
    other.set_contact_blocked("c-leo", "u-sam", true, "other-device-1").await.expect("change");
    let heard = tokio::select! {
        () = &mut watch => panic!("the watch ended"),
        heard = tokio::time::timeout(Duration::from_secs(5), pushed.recv()) => heard,
    };
    assert!(matches!(heard, Ok(Some(()))), "the change was pushed");
    world.engine.sync().await.expect("sync");
    let sam =
        world.engine.contacts("Leo").await.expect("contacts").into_iter().find(|c| c.contact_id == "u-sam");
    assert_eq!(sam.map(|c| c.status), Some("blocked".to_owned()));
}
