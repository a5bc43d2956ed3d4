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
    assert_eq!(dashboard.status.provider.kind, "demo");
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
async fn the_engine_alone_has_no_demo_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = guardian_core::Engine::start(settings(dir.path())).await.err().expect("refused");
    assert_eq!(error.code(), "demo_provider");
}

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        provider: ProviderChoice::Demo,
        data_dir: data_dir.to_owned(),
        keyring_service: "unused".into(),
        use_keyring: false,
        request_timeout: std::time::Duration::from_secs(60),
    }
}
