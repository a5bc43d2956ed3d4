//! Crash safety: the `guardian` process is killed with SIGKILL at random moments while it
//! queues and sends decisions. Afterwards no decision that was reported queued is lost, none is
//! applied twice at the provider, and the cache passes `PRAGMA integrity_check`.
//!
//! `GUARDIAN_CRASH_TRIALS` sets the number of trials (default 200).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use guardian_core::{Engine, ProviderChoice, Settings};
use guardian_domain::FixedClock;
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Fault, FaultKind, Sandbox};
use rand::Rng as _;

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_loses_nothing_and_applies_nothing_twice() {
    let trials: u32 = std::env::var("GUARDIAN_CRASH_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    kill_at_random(&sandbox, trials, |_| {
        vec!["--child".into(), "Leo".into(), "--contact".into(), "u-sam".into()]
    })
    .await;
}

/// The same while the provider fails at random (5xx, 429, slow and cut-off answers, on the
/// decisions and on the feed), over approvals, removals, blocks and unblocks: each worker
/// approves one friend request and removes one contact of its own, then blocks and unblocks.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_while_the_provider_fails_still_applies_each_decision_once() {
    let trials: u32 =
        std::env::var("GUARDIAN_CRASH_FAULT_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(60).min(100);
    let config = Config { scenario: "large-family".into(), ..Config::default() };
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let faults = [
        FaultKind::Unavailable,
        FaultKind::Status { status: 502 },
        FaultKind::RateLimited { retry_after: Some(1) },
        FaultKind::RateLimited { retry_after: None },
        FaultKind::Latency { millis: 300 },
        FaultKind::Truncated,
        FaultKind::LoseResponse,
    ];
    kill_at_random(&sandbox, trials, |trial| {
        if trial == 0 {
            // Signed in and synced: from now on the provider fails at random.
            for (path, chance) in [("/v1/children", 0.08), ("/v1/changes", 0.05)] {
                for kind in &faults {
                    sandbox.inject(Fault {
                        times: u32::MAX,
                        chance: Some(chance),
                        ..Fault::once(path, kind.clone())
                    });
                }
            }
        }
        let child = if trial % 2 == 0 { "c-one" } else { "c-two" };
        let n = trial / 2;
        vec![
            "--child".into(),
            child.into(),
            "--contact".into(),
            format!("u-{child}-09999"),
            "--approve".into(),
            format!("fr-{child}-{n:04}"),
            "--remove".into(),
            format!("u-{child}-{n:05}"),
        ]
    })
    .await;
}

/// Runs `trials` churn workers (`debug churn` with `args(trial)`), each killed with SIGKILL at
/// a random moment; then, the faults cleared and every retry due, checks that every decision a
/// worker reported queued reached the provider exactly once and the cache is sound.
async fn kill_at_random(sandbox: &Sandbox, trials: u32, args: impl Fn(u32) -> Vec<String>) {
    let data = tempfile::tempdir().expect("temp dir");
    // Its own keyring entries: the two trials run at once in this process.
    let service = format!("guardian-crash-{}-{}", std::process::id(), sandbox.addr().port());
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
    for trial in 0..trials {
        let mut worker_args = vec!["debug".to_owned(), "churn".to_owned()];
        worker_args.extend(args(trial));
        let worker_args: Vec<&str> = worker_args.iter().map(String::as_str).collect();
        let mut worker = guardian(&worker_args).spawn().expect("spawn worker");
        // Killed at a random moment of its work, however long the start took on a busy machine.
        let mut stdout = BufReader::new(worker.stdout.take().expect("stdout"));
        let mut out = String::new();
        stdout.read_line(&mut out).expect("read stdout");
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        worker.kill().expect("SIGKILL"); // SIGKILL on Unix
        let _ = worker.wait();
        stdout.read_to_string(&mut out).expect("read stdout");
        let keys: Vec<String> =
            out.lines().filter_map(|l| l.strip_prefix("queued ")).map(str::to_owned).collect();
        if !keys.is_empty() {
            trials_with_work += 1;
        }
        queued.extend(keys);
    }

    // Later, the provider well again and every retry due, the engine sends whatever is left.
    sandbox.clear_faults();
    let settings = Settings {
        provider: Some(ProviderChoice::Url(sandbox.url())),
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
