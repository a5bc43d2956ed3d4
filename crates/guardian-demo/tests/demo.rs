//! The embedded demo, started as the shells start it: the demo family over loopback HTTP, a real
//! encrypted cache file, secrets in memory.

use guardian_core::{ProviderChoice, Settings};

fn names(children: &[guardian_core::ChildSummary]) -> Vec<String> {
    children.iter().map(|c| c.display_name.clone()).collect()
}

#[tokio::test]
async fn the_embedded_demo_signs_in_and_lists_the_demo_family() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = guardian_demo::start_engine(settings(dir.path())).await.expect("start");
    engine.sync().await.expect("sync");
    let dashboard = engine.dashboard().await.expect("dashboard");
    assert_eq!(dashboard.status.provider.kind, guardian_core::ProviderKind::Demo);
    assert!(dashboard.status.signed_in);
    assert!(dashboard.status.last_synced.is_some(), "sync time recorded");
    assert_eq!(names(&dashboard.children), ["Ava", "Leo", "Mei"]);
    let ages: Vec<_> = dashboard.children.iter().map(|c| c.age).collect();
    assert!(ages.iter().all(Option::is_some), "demo children have birthdays");
    assert_eq!(
        engine.activity_rows("Mei").await.expect("activity"),
        140,
        "two weeks × ten features of usage"
    );
    assert_eq!(
        dashboard.children.iter().map(|c| c.pending_requests).sum::<i32>(),
        3,
        "three incoming friend requests wait in the demo family"
    );
}

#[tokio::test]
async fn the_demo_guardian_password_is_random_and_the_well_known_one_does_not_sign_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = guardian_demo::start_engine(settings(dir.path())).await.expect("start");
    let status = engine.status().await;
    let shown = status.provider.demo.clone().expect("the demo shows how to sign in to it");
    assert_ne!(shown.password, guardian_domain::DEMO_PASSWORD);
    assert_eq!(shown.password.len(), 14, "three groups of four: {}", shown.password.len());

    // Anything else on this computer reaching the demo's port gets nowhere with the scenario's
    // well-known password, and is not signed in by the demo's start.
    let other_dir = tempfile::tempdir().expect("temp dir");
    let mut other = settings(other_dir.path());
    other.provider = Some(ProviderChoice::Url(status.provider.url.clone()));
    let outsider = guardian_core::Engine::start(other).await.expect("start on the demo's address");
    assert!(!outsider.status().await.signed_in);
    let refused = outsider
        .sign_in(&shown.phone, &guardian_core::Secret::new(guardian_domain::DEMO_PASSWORD))
        .await
        .expect_err("the well-known password is not the demo's");
    assert_eq!(refused.code(), "invalid_credentials");
    outsider
        .sign_in(&shown.phone, &guardian_core::Secret::new(shown.password.clone()))
        .await
        .expect("shown one");

    let again_dir = tempfile::tempdir().expect("temp dir");
    let again = guardian_demo::start_engine(settings(again_dir.path())).await.expect("start again");
    let second = again.status().await.provider.demo.expect("demo").password;
    assert_ne!(second, shown.password, "a new password at each start");
    outsider.close().await;
    again.close().await;
    engine.close().await;
}

#[tokio::test]
async fn with_no_provider_chosen_nothing_starts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut unchosen = settings(dir.path());
    unchosen.provider = None;
    let error = guardian_demo::start_engine(unchosen).await.err().expect("refused");
    assert_eq!(error.code(), "no_provider", "never the demo by default");
}

#[tokio::test]
async fn the_engine_alone_has_no_demo_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = guardian_core::Engine::start(settings(dir.path())).await.err().expect("refused");
    assert_eq!(error.code(), "demo_provider");
}

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        provider: Some(ProviderChoice::Demo),
        data_dir: data_dir.to_owned(),
        keyring_service: "unused".into(),
        use_keyring: false,
        request_timeout: std::time::Duration::from_secs(60),
    }
}
