//! After sign-in, a full sync, a set of decisions (sent, queued offline, refused), a PIN change,
//! a profile correction, a question to the provider and a group report, no token, PIN, phone
//! number, child name or typed text may be readable in the cache file, its WAL, the logs, or
//! anything left in the temporary folder.
//! Uses the real OS keyring (make test provides one).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{contains, files_below};
use guardian_client::{KeyringSecrets, SecretStore};
use guardian_core::{Engine, ProviderChoice, Secret, Settings};
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, DEMO_PIN, Sandbox};

/// Log lines written during the test, at the most verbose level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Distinctive personal data typed in during the test.
const NEW_NAME: &str = "Zephyrine Quillfeather";
const QUESTION: &str = "Why did Ms Okonkwo-Brandt limit the account on 2 November?";
const EVIDENCE: &str = "A stranger called Bartholomew Pennywhistle joined the class group";

#[tokio::test]
async fn no_secret_or_personal_data_is_readable_on_disk_or_in_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    // The app's own filter, asked for everything.
    tracing_subscriber::fmt()
        .with_env_filter(guardian_core::logging::filter("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    // What Guardian or SQLite leave in the temporary folder is searched too.
    let temp_before: std::collections::HashSet<_> = files_below(&std::env::temp_dir()).into_iter().collect();
    let provider_dir = tempfile::tempdir().expect("temp dir");
    let mut sandbox = Some(
        Sandbox::start(Config { database: Some(provider_dir.path().join("p.db")), ..Config::default() })
            .await
            .expect("sandbox"),
    );
    let addr = sandbox.as_ref().expect("running").addr();
    let data = tempfile::tempdir().expect("temp dir");
    let service = format!("guardian-sweep-{}", std::process::id());
    let provider = ProviderChoice::Url(format!("http://{addr}"));
    let settings = Settings {
        provider: Some(provider.clone()),
        data_dir: data.path().to_owned(),
        keyring_service: service.clone(),
        use_keyring: true,
        request_timeout: std::time::Duration::from_secs(5),
    };
    let engine = Engine::start(settings).await.expect("engine");
    engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    let sent =
        engine.approve_request("Leo", "fr-1", Some(&Secret::new(DEMO_PIN)), None).await.expect("approve");
    assert_eq!(sent.state, guardian_core::OutcomeState::Sent);
    let refused =
        engine.approve_request("Leo", "fr-2", Some(&Secret::new("9876")), None).await.expect("decided");
    assert_eq!(refused.state, guardian_core::OutcomeState::Refused);
    // A new PIN, a corrected name, a question to the provider and a group report: all personal.
    engine.set_pin("Ava", &Secret::new("5829"), Some(&Secret::new(DEMO_PIN))).await.expect("PIN changed");
    let correction = guardian_core::ProfileCorrection {
        display_name: NEW_NAME.into(),
        country: Some("IS".into()),
        gender: None,
        birthday: Some("2020-03-02".into()),
    };
    engine.correct_child_profile("Mei", correction).await.expect("profile corrected");
    engine.ask_provider(NEW_NAME, "explanation", QUESTION).await.expect("asked");
    engine
        .report_group("Leo", "grp-class-4b", guardian_core::ReportCategory::Harassment, EVIDENCE)
        .await
        .expect("reported");
    // Deleting by category and asking why a machine decided: the password and the decision text.
    engine
        .delete_data("Leo", "contact_history", &guardian_core::Reauth::Password(Secret::new(DEMO_PASSWORD)))
        .await
        .expect("deleted");
    engine.explain_decision("Ava", "ad-ava-1").await.expect("explanation asked");
    if let Some(s) = sandbox.take() {
        s.stop().await;
    }
    let queued =
        engine.approve_request(NEW_NAME, "fr-3", Some(&Secret::new("4321")), None).await.expect("queued");
    assert_eq!(
        queued.state,
        guardian_core::OutcomeState::Queued,
        "offline: the PIN waits in the encrypted outbox"
    );

    let keyring = KeyringSecrets::open(&service, &provider.profile()).expect("keyring");
    let session = keyring.get("session").expect("read").expect("session in the keyring");
    let session: serde_json::Value = serde_json::from_str(session.expose()).expect("json");
    let db_key = keyring.get("db-key").expect("read").expect("key in the keyring");
    let secrets = [
        session["access_token"].as_str().expect("access").to_owned(),
        session["refresh_token"].as_str().expect("refresh").to_owned(),
        db_key.expose().to_owned(),
        DEMO_PHONE.to_owned(),
        DEMO_PASSWORD.to_owned(),
        "\"pin\":\"4321\"".to_owned(),
        "\"pin\":\"1234\"".to_owned(),
        "Grandma Lin".to_owned(),
        "Cousin Hua".to_owned(),
        "FreeGems4U".to_owned(),
        "\"new_pin\":\"5829\"".to_owned(),
        NEW_NAME.to_owned(),
        QUESTION.to_owned(),
        EVIDENCE.to_owned(),
    ];
    // Short names could turn up in encrypted bytes by chance (a 3-byte string in ~1 MiB of random
    // data: a few per cent), so they are looked for in the logs, which are text, only.
    let short_names = ["Mei", "Leo", "Ava", "Oliver", "Ethan"];

    let mut files = Vec::new();
    for entry in std::fs::read_dir(data.path().join(provider.profile())).expect("profile dir").flatten() {
        files.push((entry.path(), std::fs::read(entry.path()).expect("read")));
    }
    assert!(files.iter().any(|(p, _)| p.ends_with("cache.db")), "the cache is on disk");
    for path in files_below(&std::env::temp_dir()) {
        // New files of SQLite (`etilqs_*`) or of Guardian's own; other programs' files are not ours.
        let ours = path.to_string_lossy().contains("guardian")
            || path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("etilqs"));
        if !ours || temp_before.contains(&path) || path.starts_with(provider_dir.path()) {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&path) {
            files.push((path, bytes));
        }
    }
    let log_bytes = logs.0.lock().expect("logs").clone();
    assert!(!log_bytes.is_empty(), "the logs were captured");
    files.push(("logs".into(), log_bytes));
    for (path, bytes) in &files {
        for secret in &secrets {
            assert!(!contains(bytes, secret), "{path:?} holds {secret:?} in plain bytes");
        }
    }
    let logs_text = String::from_utf8_lossy(&files.last().expect("logs").1).into_owned();
    for name in short_names {
        assert!(!logs_text.contains(name), "the logs name a child or contact: {name:?}");
    }

    // Inside the encrypted cache, a PIN lives only as long as its decision waits.
    let key = guardian_store::DbKey::from_hex(db_key.expose()).expect("key");
    let cache = data.path().join(provider.profile()).join("cache.db");
    let beside = guardian_store::Store::open(&cache, &key).await.expect("the cache, opened beside the app");
    let holding = |pin: &'static str| {
        let pool = beside.pool().clone();
        async move {
            let pattern = format!("%\"{pin}\"%");
            let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE payload LIKE ?")
                .bind(pattern)
                .fetch_one(&pool)
                .await
                .expect("outbox");
            rows
        }
    };
    assert_eq!(holding("4321").await, 1, "the waiting decision keeps its PIN (encrypted)");
    assert_eq!(holding("9876").await, 0, "a refused decision keeps no PIN");
    let secure_delete: i64 =
        sqlx::query_scalar("PRAGMA secure_delete").fetch_one(beside.pool()).await.expect("pragma");
    assert_eq!(secure_delete, 1, "deleted rows are overwritten, not left in free pages");
    let back = Config { database: Some(provider_dir.path().join("p.db")), addr, ..Config::default() };
    let sandbox = Sandbox::start(back).await.expect("the provider is back");
    engine.sync_now().await.expect("sent");
    assert_eq!(holding("4321").await, 0, "sent: the PIN is gone from the cache");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
        .fetch_one(beside.pool())
        .await
        .expect("outbox");
    assert_eq!(left, 0, "nothing waits");
    beside.close().await;
    sandbox.stop().await;
    engine.sign_out().await.expect("clean up");
}
