//! The engine end to end: real sandbox over loopback HTTP, real encrypted cache file, and (in
//! `keyring_*` tests) the real OS keyring.

mod common;

use common::{World, contains, files_below};
use guardian_client::{KeyringSecrets, SecretStore};
use guardian_core::{Engine, ProviderChoice, Secret, Settings};
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Sandbox};
use std::path::Path;

fn settings(provider: ProviderChoice, data_dir: &Path, keyring_service: Option<&str>) -> Settings {
    Settings {
        provider: Some(provider),
        data_dir: data_dir.to_owned(),
        keyring_service: keyring_service.unwrap_or("unused").to_owned(),
        use_keyring: keyring_service.is_some(),
        request_timeout: guardian_client::DEFAULT_TIMEOUT,
    }
}

fn names(children: &[guardian_core::ChildSummary]) -> Vec<String> {
    children.iter().map(|c| c.display_name.clone()).collect()
}

fn file_bytes(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    files_below(dir)
        .into_iter()
        .filter_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .collect()
}

#[tokio::test]
async fn a_configured_provider_shows_no_demo_data_until_sign_in() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let engine =
        Engine::start(settings(ProviderChoice::Url(sandbox.url()), dir.path(), None)).await.expect("start");
    let dashboard = engine.dashboard().await.expect("dashboard");
    assert_eq!(dashboard.status.provider.kind, guardian_core::ProviderKind::Custom);
    assert_eq!(dashboard.status.provider.demo, None, "no demo credentials on a real provider");
    assert!(!dashboard.status.signed_in);
    assert!(dashboard.children.is_empty(), "nothing shown before sign-in");

    let error = engine.sign_in(DEMO_PHONE, &Secret::new("nope")).await.expect_err("wrong password");
    assert_eq!(error.code(), "invalid_credentials", "{error}");
    assert!(engine.children().await.is_err(), "still locked");

    engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    assert_eq!(names(&engine.children().await.expect("children")), ["Ava", "Leo", "Mei"]);
}

#[tokio::test]
async fn offline_the_cache_still_answers_and_the_status_says_so() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let engine =
        Engine::start(settings(ProviderChoice::Url(sandbox.url()), dir.path(), None)).await.expect("start");
    engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    sandbox.stop().await;

    let error = engine.sync().await.expect_err("provider gone");
    assert_eq!(error.code(), "offline");
    let dashboard = engine.dashboard().await.expect("dashboard");
    assert!(dashboard.status.offline, "offline shown");
    assert_eq!(names(&dashboard.children), ["Ava", "Leo", "Mei"], "cached children still shown");
}

/// Keyring tests use their own service name so they never touch a real user's entries.
fn keyring(service: &str, profile: &str) -> KeyringSecrets {
    KeyringSecrets::open(service, profile).expect("an OS keyring is required (make test starts one)")
}

#[tokio::test]
async fn keyring_holds_tokens_and_key_until_sign_out_and_the_cache_holds_no_plaintext() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let service = format!("guardian-test-{}-a", std::process::id());
    let provider = ProviderChoice::Url(sandbox.url());
    let entries = keyring(&service, &provider.profile());
    let engine = Engine::start(settings(provider.clone(), dir.path(), Some(&service))).await.expect("start");
    assert!(engine.status().await.secure_storage, "the OS keyring is in use");
    engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");

    let session = entries.get("session").expect("read").expect("tokens are in the keyring");
    assert!(entries.get("db-key").expect("read").is_some(), "the cache key is in the keyring");
    let session: serde_json::Value = serde_json::from_str(session.expose()).expect("json");
    let access = session["access_token"].as_str().expect("access token").to_owned();
    let refresh = session["refresh_token"].as_str().expect("refresh token").to_owned();

    let files = file_bytes(dir.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("cache.db")), "the cache is on disk: {files:?}");
    for (path, bytes) in &files {
        assert!(!bytes.starts_with(b"SQLite format 3"), "{path:?} has a plaintext SQLite header");
        // Names long enough that encrypted bytes cannot contain them by chance.
        for secret in ["Grandma Lin", "FreeGems4U", "Cousin Hua", &access, &refresh, DEMO_PHONE] {
            assert!(!contains(bytes, secret), "{path:?} holds plaintext {secret:?}");
        }
    }

    // A second start (the app relaunched) restores the session from the keyring.
    drop(engine);
    let again = Engine::start(settings(provider.clone(), dir.path(), Some(&service))).await.expect("restart");
    assert!(again.status().await.signed_in, "session restored from the keyring");
    assert_eq!(names(&again.children().await.expect("cached children")), ["Ava", "Leo", "Mei"]);

    again.sign_out().await.expect("sign out");
    assert!(entries.get("session").expect("read").is_none(), "tokens removed on sign-out");
    assert!(entries.get("db-key").expect("read").is_none(), "key removed on sign-out");
    assert!(file_bytes(dir.path()).is_empty(), "cache removed on sign-out");
}

#[tokio::test]
async fn keyring_losing_the_cache_key_sets_the_cache_aside_and_rebuilds_it() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let service = format!("guardian-test-{}-b", std::process::id());
    let provider = ProviderChoice::Url(sandbox.url());
    let entries = keyring(&service, &provider.profile());
    let engine = Engine::start(settings(provider.clone(), dir.path(), Some(&service))).await.expect("start");
    engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    drop(engine);

    entries.delete("db-key").expect("lose the key");
    let engine = Engine::start(settings(provider, dir.path(), Some(&service))).await.expect("no crash");
    let status = engine.status().await;
    assert!(
        status.notices.iter().any(|n| n.code == guardian_core::NoticeCode::CacheRebuilt),
        "the guardian is told: {:?}",
        status.notices
    );
    engine.sync().await.expect("rebuild from the provider");
    assert_eq!(names(&engine.children().await.expect("children")), ["Ava", "Leo", "Mei"]);
    engine.sign_out().await.expect("clean up");
}

#[tokio::test]
async fn a_guardian_signs_in_with_a_code_sent_by_sms_and_a_wrong_code_changes_nothing() {
    let world = World::new().await;
    world.engine.sign_out().await.expect("sign out");
    let phone = guardian_sandbox::DEMO_PHONE;
    let sent = world.engine.request_sms_code(phone).await.expect("code sent");
    assert_eq!(sent.demo_code, None, "a real provider's code is never shown by the app");
    let error = world.engine.sign_in_sms(phone, &Secret::new("12ab")).await.expect_err("not 6 digits");
    assert_eq!(error.code(), "invalid_input");
    let code = world.sandbox().last_sms_code(phone).await.expect("db").expect("the gateway sent one");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = world.engine.sign_in_sms(phone, &Secret::new(wrong)).await.expect_err("wrong code");
    assert_eq!(error.code(), "invalid_credentials");
    assert!(!world.engine.dashboard().await.expect("dashboard").status.signed_in);
    world.engine.sign_in_sms(phone, &Secret::new(format!(" {code} "))).await.expect("signed in");
    let dashboard = world.engine.dashboard().await.expect("dashboard");
    assert!(dashboard.status.signed_in);
    assert_eq!(dashboard.children.len(), 3);
}

#[tokio::test]
async fn the_notification_centre_lists_each_thing_once_keeps_what_was_read_and_works_offline() {
    let mut world = World::new().await;
    let centre = world.engine.notifications().await.expect("notifications");
    assert!(centre.complete);
    let kinds: std::collections::HashSet<_> = centre.items.iter().map(|n| n.kind.as_str()).collect();
    for kind in ["friend_request", "automated_decision", "security_notice"] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }
    let ids: std::collections::HashSet<_> = centre.items.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), centre.items.len(), "each once");
    assert_eq!(centre.unread as usize, centre.items.len());
    assert!(centre.items.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    let oliver = centre.items.iter().find(|n| n.subject == "Oliver").expect("Oliver's request");
    assert_eq!((oliver.kind.as_str(), oliver.child_name.as_deref()), ("friend_request", Some("Leo")));

    world.engine.mark_notifications_read(std::slice::from_ref(&oliver.id)).await.expect("read");
    let again = world.engine.notifications().await.expect("notifications");
    assert_eq!(again.unread + 1, centre.unread);
    assert!(again.items.iter().any(|n| n.id == oliver.id && n.read));

    world.go_offline().await;
    let offline = world.engine.notifications().await.expect("offline too");
    assert!(!offline.complete);
    assert!(offline.items.iter().all(|n| n.kind == guardian_core::NotificationKind::FriendRequest));
    assert!(offline.items.iter().any(|n| n.id == oliver.id && n.read), "what was read stays read");
}

#[tokio::test]
async fn each_notification_is_announced_on_the_desktop_once_and_none_at_first_use() {
    let world = World::new().await;
    let ids: Vec<String> =
        world.engine.notifications().await.expect("centre").items.into_iter().map(|n| n.id).collect();
    assert!(!ids.is_empty());
    assert!(world.engine.announce(&ids).await.expect("announce").is_empty(), "no burst at first use");
    let mut next = ids.clone();
    next.push("security_notice:sn-new".into());
    assert_eq!(world.engine.announce(&next).await.expect("announce"), ["security_notice:sn-new"]);
    assert!(world.engine.announce(&next).await.expect("announce").is_empty(), "each once");
}

#[tokio::test]
async fn a_trial_friendship_is_in_the_notification_centre_for_when_it_ends_offline_too() {
    let mut world = World::new().await;
    let pin = Secret::new(guardian_sandbox::DEMO_PIN);
    let outcome = world.engine.approve_request("Leo", "fr-2", Some(&pin), Some(7)).await.expect("approved");
    assert_eq!(outcome.state, guardian_core::OutcomeState::Sent);
    world.go_offline().await;
    let centre = world.engine.notifications().await.expect("notifications");
    let trial = centre
        .items
        .iter()
        .find(|n| n.kind == guardian_core::NotificationKind::TrialEnding)
        .expect("the trial is listed");
    assert_eq!((trial.subject.as_str(), trial.child_name.as_deref()), ("Ethan", Some("Leo")));
    let contacts = world.engine.contacts("Leo").await.expect("contacts");
    let ethan = contacts.iter().find(|c| c.display_name == "Ethan").expect("Ethan");
    assert_eq!(ethan.trial_until.as_deref(), Some(trial.at.as_str()));
}
