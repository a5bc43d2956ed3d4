//! The child's profile picture and who can find the child, through the engine against a
//! sandbox on loopback: checked before sending, kept in the encrypted cache, shown offline,
//! and gone from the cache when the category is deleted.

mod common;

use common::World;
use guardian_core::{CoreError, Discoverability, FriendApproval, Secret};
use guardian_sandbox::{DEMO_PASSWORD, DEMO_PIN};

const PICTURE: &[u8] = include_bytes!("../../../tests/fixtures/avatar.png");

#[tokio::test]
async fn a_profile_picture_is_uploaded_cached_shown_offline_and_deleted_by_category() {
    let mut world = World::new().await;
    let engine = &world.engine;
    assert_eq!(engine.child_profile("Leo").await.expect("profile").avatar, None);

    // Wrong files are refused here, with a clear message, and nothing is sent.
    let cases: [(&[u8], &str); 3] = [
        (b"GIF89a\x01\x00\x01\x00", "not a PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG or JPEG"),
        (&[PICTURE, &vec![0; 600 * 1024]].concat(), "larger than 512 KiB"),
    ];
    for (bytes, says) in cases {
        match engine.set_avatar("Leo", bytes.to_vec()).await {
            Err(CoreError::Invalid(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("expected a clear refusal, got {other:?}"),
        }
    }

    engine.set_avatar("Leo", PICTURE.to_vec()).await.expect("upload");
    let profile = engine.child_profile("Leo").await.expect("profile");
    let shown = profile.avatar.clone().expect("the picture is cached");
    assert!(shown.starts_with("data:image/png;base64,"), "{}", &shown[..40]);
    assert_eq!(profile.public.avatar, profile.avatar, "contacts see the picture");
    let leo = engine.children().await.expect("children").into_iter().find(|c| c.display_name == "Leo");
    assert_eq!(leo.expect("leo").avatar.as_deref(), Some(shown.as_str()), "the card shows it too");

    // The export carries the picture itself, listed and verified like every other file.
    let folder = tempfile::tempdir().expect("temp dir");
    let file = folder.path().join("leo.zip");
    let summary = engine.export_child("Leo", &file, "en", |_| {}).await.expect("export");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).expect("archive")).expect("zip");
    let mut stored = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("images/avatar.png").expect("the picture"), &mut stored)
        .expect("read");
    assert_eq!(stored, PICTURE);
    assert_eq!(summary.files, 9, "eight files and the picture: {summary:?}");

    // Offline, the picture comes from the encrypted cache.
    world.go_offline().await;
    let engine = &world.engine;
    let _ = engine.sync().await;
    assert_eq!(engine.child_profile("Leo").await.expect("offline").avatar.as_deref(), Some(shown.as_str()));
    world.come_back().await;

    // Deleting the category removes it from the provider and from this computer.
    let engine = &world.engine;
    engine
        .delete_data("Leo", "avatar", &guardian_core::Reauth::Password(Secret::new(DEMO_PASSWORD)))
        .await
        .expect("delete");
    assert_eq!(engine.child_profile("Leo").await.expect("profile").avatar, None);
    engine.sync().await.expect("sync");
    assert_eq!(engine.child_profile("Leo").await.expect("profile").avatar, None, "not fetched again");
}

#[tokio::test]
async fn who_can_find_the_child_is_changed_and_kept_with_the_approval_mode() {
    let world = World::new().await;
    let engine = &world.engine;
    assert_eq!(engine.find_child("Mei").await.expect("mei").discoverable_by, Discoverability::IdOnly);
    engine.set_discoverability("Mei", Discoverability::Nobody, None).await.expect("fewer people need no PIN");
    engine
        .set_friend_approval("Mei", FriendApproval::ChildMayAdd, &Secret::new(DEMO_PIN))
        .await
        .expect("mode");
    let mei = engine.find_child("Mei").await.expect("mei");
    assert_eq!(
        (mei.discoverable_by, mei.friend_approval),
        (Discoverability::Nobody, FriendApproval::ChildMayAdd)
    );
    // A flow file naming a choice that does not exist is refused when read, saying what exists.
    let unknown = "format = \"guardian-flow/1\"\nname = \"x\"\nscenario = \"demo-family\"\n\n\
                   [[step]]\nstep = \"discovery\"\nchild = \"Mei\"\nwho = \"everyone\"\n";
    match guardian_core::flow::parse(unknown) {
        Err(CoreError::Invalid(message)) => assert!(message.contains("id_or_phone"), "{message}"),
        other => panic!("expected a clear refusal, got {:?}", other.map(|_| ())),
    }
    let log = engine.decision_log("Mei").await.expect("log");
    let subject = Discoverability::Nobody.as_str();
    assert!(log.iter().any(|e| e.action == "discovery_changed" && e.subject == subject), "{log:?}");
}
