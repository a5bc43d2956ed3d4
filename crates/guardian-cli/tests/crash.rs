//! Crash safety: the `guardian` process is killed with SIGKILL at random moments while it
//! queues and sends decisions. Afterwards no decision that was reported queued is lost, none is
//! applied twice at the provider, and the cache passes `PRAGMA integrity_check`.
//!
//! `GUARDIAN_CRASH_TRIALS` sets the number of trials (default 200).

use std::collections::{BTreeMap, HashSet};
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use guardian_core::{Engine, ProviderChoice, Settings};
use guardian_domain::FixedClock;
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Sandbox};
use rand::Rng as _;

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_loses_nothing_and_applies_nothing_twice() {
    let trials: u32 = std::env::var("GUARDIAN_CRASH_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let data = tempfile::tempdir().expect("temp dir");
    let service = format!("guardian-crash-{}", std::process::id());
    let guardian = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_guardian"));
        command
            .args(args)
            .env("GUARDIAN_DATA_DIR", data.path())
            .env("GUARDIAN_KEYRING_SERVICE", &service)
            .env("GUARDIAN_PROVIDER_URL", sandbox.url())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    };

    let mut sign_in = guardian(&["sign-in", "--phone", DEMO_PHONE]).spawn().expect("sign in");
    std::io::Write::write_all(
        &mut sign_in.stdin.take().expect("stdin"),
        format!("{DEMO_PASSWORD}\n").as_bytes(),
    )
    .expect("password");
    assert!(sign_in.wait().expect("wait").success(), "signed in");

    let started = Instant::now();
    let mut queued: HashSet<String> = HashSet::new();
    let mut trials_with_work = 0;
    let mut rng = rand::rng();
    for _ in 0..trials {
        let mut worker = guardian(&["debug", "churn", "--child", "Leo", "--contact", "u-sam"])
            .spawn()
            .expect("spawn worker");
        std::thread::sleep(Duration::from_millis(rng.random_range(40..500)));
        worker.kill().expect("SIGKILL"); // SIGKILL on Unix
        let _ = worker.wait();
        let mut out = String::new();
        worker.stdout.take().expect("stdout").read_to_string(&mut out).expect("read stdout");
        let keys: Vec<String> =
            out.lines().filter_map(|l| l.strip_prefix("queued ")).map(str::to_owned).collect();
        if !keys.is_empty() {
            trials_with_work += 1;
        }
        queued.extend(keys);
    }

    // Later, with every retry due, the engine sends whatever is left.
    let settings = Settings {
        provider: ProviderChoice::Url(sandbox.url()),
        data_dir: data.path().to_owned(),
        keyring_service: service.clone(),
        use_keyring: true,
        request_timeout: Duration::from_secs(10),
    };
    let later = Arc::new(FixedClock::new(Utc::now() + chrono::Duration::hours(1)));
    let engine = Engine::start_with_clock(settings, later).await.expect("engine after the crashes");
    engine.check_cache_integrity().await.expect("PRAGMA integrity_check is ok");
    engine.sync().await.expect("final sync");
    let status = engine.status().await;
    assert_eq!(
        (status.queued_decisions, status.refused_decisions),
        (0, 0),
        "everything reached the provider"
    );
    engine.check_cache_integrity().await.expect("still sound after the final sync");

    let applied: BTreeMap<String, i64> =
        sandbox.applied_mutations().await.expect("mutations").into_iter().collect();
    let lost: Vec<_> = queued.iter().filter(|k| !applied.contains_key(*k)).collect();
    let twice: Vec<_> = applied.iter().filter(|(_, n)| **n > 1).collect();
    println!("crash-safety: {} s", started.elapsed().as_secs());
    println!(
        "| trials | trials that queued work | decisions queued | applied at provider | lost | applied twice | integrity |"
    );
    println!(
        "| {trials} | {trials_with_work} | {} | {} | {} | {} | ok |",
        queued.len(),
        applied.len(),
        lost.len(),
        twice.len()
    );
    assert!(
        trials_with_work * 2 >= trials,
        "most trials got as far as queuing work ({trials_with_work}/{trials})"
    );
    assert!(lost.is_empty(), "decisions lost: {lost:?}");
    assert!(twice.is_empty(), "decisions applied twice: {twice:?}");
    engine.sign_out().await.expect("clean up the keyring");
}
