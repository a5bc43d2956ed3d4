//! Desktop benchmarks: Guardian against an empty Tauri 2 app built in the same workspace with the
//! same (release) profile. Run with `make bench-desktop` (it builds both, starts Xvfb and a
//! keyring); the desktop section of docs/PERFORMANCE.md is rewritten with the table.
//!
//! - cold start to interactive: from asking WebDriver for a session (which launches the app) to
//!   the first screen's element being present — Guardian's dashboard rendered from its encrypted
//!   cache with the provider unreachable, the empty app's heading. The driver's own start-up is in
//!   both figures, so the ratio errs towards 1.
//! - idle memory: the summed RSS of the app and its WebKit processes after 30 s idle.
//! - release binary size.
//! - the 10,000-contact list (`large-family` on the embedded demo provider), in the real web view:
//!   first render (from clicking the child's card to the list painted, the contacts coming over
//!   the command bridge included) and filter-keystroke latency (from the input event to the next
//!   paint), each beside a plain DOM list of the same 10,000 names built in the same web view.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// tauri-driver in its own process group, ended as a group.
struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    fn start(env: &[(&str, String)]) -> Self {
        let (port, native) = (free_port(), free_port());
        let process = std::os::unix::process::CommandExt::process_group(
            Command::new("tauri-driver").args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ]),
            0,
        )
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver");
        Self { process, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", self.process.id())]).status();
        let _ = self.process.wait();
    }
}

async fn session(driver: &Driver, binary: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), serde_json::json!({ "application": binary }));
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url).await {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(error) => panic!("no WebDriver session: {error}"),
        }
    }
}

/// Resident memory (KiB) of `binary`'s processes and all their descendants.
fn tree_rss_kib(binary: &Path) -> u64 {
    let mut parents = std::collections::HashMap::new();
    let mut roots = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
        if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary) {
            roots.push(pid);
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if roots.contains(&pid) {
                return true;
            }
            match parents.get(&pid) {
                Some(&p) if p > 1 => pid = p,
                _ => return false,
            }
        }
        false
    };
    parents
        .keys()
        .filter(|&&pid| in_tree(pid))
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
}

struct Run {
    start_ms: f64,
    rss_kib: u64,
}

async fn measure(binary: &Path, ready: &str, env: &[(&str, String)], idle: bool) -> Run {
    let driver = Driver::start(env);
    let started = Instant::now();
    let client = session(&driver, binary).await;
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .every(Duration::from_millis(10))
        .for_element(Locator::Css(ready))
        .await
        .unwrap_or_else(|e| panic!("{ready} never appeared in {}: {e}", binary.display()));
    let start_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rss_kib = if idle {
        tokio::time::sleep(IDLE).await;
        tree_rss_kib(binary)
    } else {
        0
    };
    let _ = client.close().await;
    drop(driver);
    tokio::time::sleep(Duration::from_millis(500)).await;
    Run { start_ms, rss_kib }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A Guardian data folder whose encrypted cache and keyring session were filled from a sandbox
/// that is then stopped: the app starts with its provider unreachable.
async fn cached_guardian(data: &Path, service: &str) -> String {
    let sandbox =
        guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let settings = guardian_core::Settings {
        provider: guardian_core::ProviderChoice::Url(url.clone()),
        data_dir: data.to_owned(),
        keyring_service: service.to_owned(),
        use_keyring: true,
        request_timeout: guardian_client::DEFAULT_TIMEOUT,
    };
    let engine = guardian_core::Engine::start(settings).await.expect("engine");
    engine
        .sign_in(guardian_sandbox::DEMO_PHONE, &guardian_core::Secret::new(guardian_sandbox::DEMO_PASSWORD))
        .await
        .expect("sign in");
    assert!(engine.status().await.secure_storage, "the benchmark needs a keyring (run it through make)");
    engine.close().await;
    sandbox.stop().await;
    url
}

fn release_binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let path = target.join("release").join(name);
    assert!(path.exists(), "build {name} first: cargo build --release -p {name}");
    path
}

/// Replaces the section between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn write_table(name: &str, heading: &str, table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/PERFORMANCE.md");
    let text = std::fs::read_to_string(&path).expect("docs/PERFORMANCE.md");
    let (start, end) = (format!("<!-- {name}:start -->"), format!("<!-- {name}:end -->"));
    let updated = match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) => format!("{}{start}\n{table}{}", &text[..a], &text[b..]),
        _ => format!("{text}\n## {heading}\n\n{start}\n{table}{end}\n"),
    };
    std::fs::write(&path, updated).expect("write docs/PERFORMANCE.md");
}

/// Milliseconds from clicking `css` until the first contact row is painted.
const OPEN_LIST: &str = "const done = arguments[arguments.length - 1];\
    const t0 = performance.now();\
    document.querySelector(arguments[0]).click();\
    (function wait() {\
      if (document.querySelector('[data-testid=contact]')) {\
        requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));\
      } else { setTimeout(wait, 1); }\
    })();";

/// Milliseconds from one keystroke's input event in the contact search to the next paint.
const KEYSTROKE: &str = "const done = arguments[arguments.length - 1];\
    const input = document.querySelector('[data-testid=contact-filter]');\
    const t0 = performance.now();\
    input.value = arguments[0];\
    input.dispatchEvent(new Event('input', { bubbles: true }));\
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));";

/// The baseline: the same 10,000 names as a plain DOM list, built (`arguments[0]` empty) or
/// rebuilt with the names containing `arguments[0]`, to the next paint.
const PLAIN_LIST: &str = "const done = arguments[arguments.length - 1];\
    const needle = arguments[0].toLowerCase();\
    const t0 = performance.now();\
    const ul = document.createElement('ul');\
    for (let i = 0; i < 10000; i++) {\
      const name = 'Friend ' + String(i).padStart(5, '0') + ' of Lin';\
      if (needle && !name.toLowerCase().includes(needle)) continue;\
      const li = document.createElement('li'); li.textContent = name; ul.appendChild(li);\
    }\
    document.body.appendChild(ul);\
    requestAnimationFrame(() => setTimeout(() => { const ms = performance.now() - t0; ul.remove(); done(ms); }, 0));";

async fn script_ms(client: &Client, script: &str, arg: &str) -> f64 {
    let value = client.execute_async(script, vec![arg.into()]).await.expect("run a timing script");
    value.as_f64().expect("milliseconds")
}

/// The search as a guardian types it, one keystroke at a time, then cleared.
const TYPED: &[&str] =
    &["f", "fr", "fri", "frie", "frien", "friend", "friend ", "friend 0", "friend 01", "friend 012", ""];

struct ContactFigures {
    open_ms: f64,
    plain_open_ms: f64,
    keystroke_ms: f64,
    keystroke_worst_ms: f64,
    plain_keystroke_ms: f64,
}

async fn contact_list(guardian: &Path) -> ContactFigures {
    let data = tempfile::tempdir().expect("temp dir");
    let env = [
        ("GUARDIAN_DEMO_SCENARIO", "large-family".to_owned()),
        ("GUARDIAN_DATA_DIR", data.path().display().to_string()),
        ("GUARDIAN_KEYRING_SERVICE", format!("guardian-bench-contacts-{}", std::process::id())),
    ];
    let driver = Driver::start(&env);
    let client = session(&driver, guardian).await;
    // The first sync of 130,000 rows, then the dashboard.
    client
        .wait()
        .at_most(Duration::from_secs(300))
        .for_element(Locator::Css("[data-testid=child-card]"))
        .await
        .expect("the large family's dashboard");
    let card = "[data-testid=child-card] button";
    let (mut open, mut plain_open, mut keys, mut plain_keys) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        client.wait().for_element(Locator::Css(card)).await.expect("child card");
        open.push(script_ms(&client, OPEN_LIST, card).await);
        // Keystrokes filter all 10,000, not the first screenful painted before the rest arrived.
        client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("[data-testid=contact-count][data-complete=true]"))
            .await
            .expect("every contact loaded");
        plain_open.push(script_ms(&client, PLAIN_LIST, "").await);
        for typed in TYPED {
            keys.push(script_ms(&client, KEYSTROKE, typed).await);
            plain_keys.push(script_ms(&client, PLAIN_LIST, typed).await);
        }
        eprintln!("contacts run {}: open {:.0} ms (plain {:.0} ms)", run + 1, open[run], plain_open[run]);
        client.find(Locator::Css("[data-testid=back]")).await.expect("back").click().await.expect("back");
    }
    let _ = client.close().await;
    drop(driver);
    let worst = keys.iter().copied().fold(0.0, f64::max);
    ContactFigures {
        open_ms: median(open),
        plain_open_ms: median(plain_open),
        keystroke_ms: median(keys),
        keystroke_worst_ms: worst,
        plain_keystroke_ms: median(plain_keys),
    }
}

#[tokio::main]
async fn main() {
    let guardian = release_binary("guardian-desktop");
    let machine = format!(
        "{} cores, {} {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    // `BENCH_ONLY=contacts` measures the contact list alone.
    if std::env::var("BENCH_ONLY").as_deref() != Ok("contacts") {
        start_memory_size(&guardian, &machine).await;
    }
    contacts_table(&guardian, &machine).await;
}

/// Cold start, idle memory and binary size against the empty app.
async fn start_memory_size(guardian: &Path, machine: &str) {
    let minimal = release_binary("guardian-bench-minimal");
    let data = tempfile::tempdir().expect("temp dir");
    let service = format!("guardian-bench-{}", std::process::id());
    let url = cached_guardian(data.path(), &service).await;
    let guardian_env = [
        ("GUARDIAN_PROVIDER_URL", url),
        ("GUARDIAN_DATA_DIR", data.path().display().to_string()),
        ("GUARDIAN_KEYRING_SERVICE", service),
    ];

    let (mut g_start, mut m_start) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        // Alternate, so drift on the machine affects both alike.
        let g = measure(guardian, "[data-testid=child-card]", &guardian_env, false).await;
        let m = measure(&minimal, "#ready", &[], false).await;
        eprintln!("run {}: guardian {:.0} ms, minimal {:.0} ms", run + 1, g.start_ms, m.start_ms);
        g_start.push(g.start_ms);
        m_start.push(m.start_ms);
    }
    let g_idle = measure(guardian, "[data-testid=child-card]", &guardian_env, true).await.rss_kib;
    let m_idle = measure(&minimal, "#ready", &[], true).await.rss_kib;
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
    let (g_size, m_size) = (size(guardian), size(&minimal));
    let (gs, ms) = (median(g_start), median(m_start));

    let goal = |ratio: f64, max: f64| format!("≤ {max}× ({})", if ratio <= max { "met" } else { "missed" });
    let rows = [
        (
            "cold start to interactive (median of 5; Guardian: dashboard from the encrypted cache, provider unreachable)",
            format!("{ms:.0} ms"),
            format!("{gs:.0} ms"),
            gs / ms,
            1.3,
        ),
        (
            "idle memory after 30 s (RSS of the app and its WebKit processes)",
            format!("{:.1} MiB", m_idle as f64 / 1024.0),
            format!("{:.1} MiB", g_idle as f64 / 1024.0),
            g_idle as f64 / m_idle.max(1) as f64,
            1.2,
        ),
        ("release binary size", format!("{m_size:.1} MiB"), format!("{g_size:.1} MiB"), g_size / m_size, 2.0),
    ];
    let mut table = format!(
        "Machine: {machine}, under Xvfb. Baseline: `bench/minimal-tauri`, an empty Tauri 2 window built in this workspace with the same release profile.\n\n\
         | measure | empty Tauri app | Guardian | ratio | goal |\n| --- | --- | --- | --- | --- |\n"
    );
    for (what, base, ours, ratio, max) in rows {
        table.push_str(&format!("| {what} | {base} | {ours} | {ratio:.2}× | {} |\n", goal(ratio, max)));
    }
    print!("{table}");
    write_table("desktop-bench", "Desktop", &table);
}

/// The 10,000-contact list in the real web view against a plain DOM list.
async fn contacts_table(guardian: &Path, machine: &str) {
    let c = contact_list(guardian).await;
    let within = |ms: f64, max: f64| format!("≤ {max} ms ({})", if ms <= max { "met" } else { "missed" });
    let table = format!(
        "Machine: {machine}, under Xvfb; release build; `large-family` (10,000 contacts per child) on the embedded demo provider. \
         Baseline: a plain DOM list of the same 10,000 names built in the same web view. Medians of {RUNS} runs \
         ({} keystrokes).\n\n\
         | measure | plain DOM list | Guardian | ratio | goal |\n| --- | --- | --- | --- | --- |\n\
         | first render of the contact list (click on the child → list painted; Guardian's includes loading the contacts) | {:.1} ms | {:.1} ms | {:.2}× | {} |\n\
         | filter keystroke → list repainted (Guardian's worst: {:.1} ms) | {:.1} ms | {:.1} ms | {:.2}× | {} |\n",
        RUNS * TYPED.len(),
        c.plain_open_ms,
        c.open_ms,
        c.open_ms / c.plain_open_ms,
        within(c.open_ms, 100.0),
        c.keystroke_worst_ms,
        c.plain_keystroke_ms,
        c.keystroke_ms,
        c.keystroke_ms / c.plain_keystroke_ms,
        within(c.keystroke_ms, 16.0),
    );
    print!("{table}");
    write_table("contacts-bench", "Contact list", &table);
}
