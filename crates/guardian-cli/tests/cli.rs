//! The `guardian` binary, run as a user would, against the embedded demo and a sandbox.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, DEMO_PIN, Sandbox};

struct Env {
    data: tempfile::TempDir,
    service: String,
}

impl Env {
    fn new(tag: &str) -> Self {
        Self {
            data: tempfile::tempdir().expect("temp dir"),
            service: format!("guardian-cli-test-{}-{tag}", std::process::id()),
        }
    }

    fn run(&self, provider: Option<&str>, args: &[&str], stdin: &str) -> Output {
        self.run_in("en", provider, args, stdin)
    }

    /// Runs `guardian` for a guardian whose language is `lang` (`GUARDIAN_LANG`).
    fn run_in(&self, lang: &str, provider: Option<&str>, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_guardian"));
        command
            .args(args)
            .env("GUARDIAN_LANG", lang)
            .env("GUARDIAN_DATA_DIR", self.data.path())
            .env("GUARDIAN_KEYRING_SERVICE", &self.service)
            .env_remove("GUARDIAN_PROVIDER_URL")
            // Without a provider of the test's own, the embedded demo, chosen.
            .env("GUARDIAN_PROVIDER", "demo")
            // A stand-in browser (see `agreeing_browser`), never a real one.
            .env("BROWSER", self.data.path().join("browser"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = provider {
            command.env("GUARDIAN_PROVIDER_URL", url);
        }
        let mut child = command.spawn().expect("run guardian");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        child.wait_with_output().expect("wait")
    }
}

/// Installs a stand-in browser for `env`: it continues on the third party's page as the demo
/// family's account and follows the redirect back to the CLI's loopback port.
fn agreeing_browser(env: &Env) {
    use std::os::unix::fs::PermissionsExt as _;
    let script = env.data.path().join("browser");
    std::fs::write(
        &script,
        "#!/bin/sh\nexec curl -sfL \"$(printf '%s' \"$1\" | sed 's#/authorize?#/allow?#')&account=demo\" > /dev/null\n",
    )
    .expect("browser script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("executable");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn children_lists_the_demo_family_with_nothing_configured() {
    let env = Env::new("demo");
    let out = env.run(None, &["children", "--json"], "");
    assert!(out.status.success(), "{:?}, stderr: {}", out.status, text(&out.stderr));
    assert!(text(&out.stderr).contains("Demo provider"), "demo mode is announced");
    let children: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let names: Vec<_> = children
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["display_name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Ava", "Leo", "Mei"]);

    let table = env.run(None, &["children"], "");
    assert!(text(&table.stdout).contains("PIN for each request"), "{}", text(&table.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_flow_with_exit_codes_and_no_password_in_arguments() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("custom");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);

    let out = run(&["children"], "");
    assert_eq!(out.status.code(), Some(3), "not signed in: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("sign in"), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Ava"), "no demo data with a configured provider");

    let bad = run(&["sign-in", "--phone", DEMO_PHONE], "wrong-password\n");
    assert_eq!(bad.status.code(), Some(3), "wrong password: {}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("not correct"), "{}", text(&bad.stderr));

    let good = run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n"));
    assert!(good.status.success(), "{}", text(&good.stderr));
    let listed = run(&["children"], "");
    assert!(text(&listed.stdout).contains("Leo"), "{}", text(&listed.stdout));

    sandbox.stop().await;
    let offline = run(&["children"], "");
    assert!(offline.status.success(), "offline still lists the cache: {}", text(&offline.stderr));
    assert!(text(&offline.stderr).contains("Offline"), "{}", text(&offline.stderr));
    assert!(text(&offline.stdout).contains("Mei"));

    let out = run(&["sign-out"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_provider_chosen_it_says_how_to_choose_one_and_keeps_the_address_chosen() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let env = Env::new("unchosen");
    let guardian = |lang: &str, args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guardian"))
            .args(args)
            .env("GUARDIAN_LANG", lang)
            .env("GUARDIAN_DATA_DIR", env.data.path())
            .env("GUARDIAN_KEYRING_SERVICE", &env.service)
            .env_remove("GUARDIAN_PROVIDER_URL")
            .env_remove("GUARDIAN_PROVIDER")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run guardian");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        child.wait_with_output().expect("wait")
    };

    // Never the demo by default: nothing starts, and the guardian is told how to choose.
    let out = guardian("zh_CN", &["children"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("guardian provider use"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("本机尚未选择服务提供方"), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Ava"), "no demo family fallen into");

    let refused = guardian("en", &["provider", "use", "http://provider.example"], "");
    assert_eq!(refused.status.code(), Some(5), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("https"), "{}", text(&refused.stderr));

    let url = sandbox.url();
    let kept = guardian("en", &["provider", "use", &url], "");
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert!(text(&guardian("en", &["provider"], "").stdout).contains(url.trim_end_matches('/')));
    let signed_in = guardian("en", &["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n"));
    assert!(signed_in.status.success(), "the kept address is used: {}", text(&signed_in.stderr));
    assert!(text(&guardian("en", &["children"], "").stdout).contains("Leo"));
    guardian("en", &["sign-out"], "");

    let forgotten = guardian("en", &["provider", "forget"], "");
    assert!(forgotten.status.success(), "{}", text(&forgotten.stderr));
    assert!(text(&forgotten.stdout).contains("No provider is chosen"), "{}", text(&forgotten.stdout));
    sandbox.stop().await;
}

#[test]
fn an_insecure_provider_url_is_refused_with_its_own_exit_code() {
    let env = Env::new("insecure");
    let out = env.run(Some("http://provider.example"), &["children"], "");
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("https"), "{}", text(&out.stderr));
}

#[test]
fn without_a_keyring_it_says_so_and_keeps_nothing_but_a_redacted_log() {
    let env = Env::new("nokeyring");
    let runtime = tempfile::tempdir().expect("temp dir");
    let without_keyring = |lang: &str| {
        Command::new(env!("CARGO_BIN_EXE_guardian"))
            .args(["children"])
            .env("GUARDIAN_LANG", lang)
            .env("GUARDIAN_DATA_DIR", env.data.path())
            .env_remove("GUARDIAN_PROVIDER_URL")
            .env("GUARDIAN_PROVIDER", "demo")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .output()
            .expect("run guardian")
    };
    let zh = without_keyring("zh_CN");
    assert!(text(&zh.stderr).contains("本机没有可用的安全存储"), "told in Chinese: {}", text(&zh.stderr));
    assert!(!text(&zh.stderr).contains("No secure storage"), "{}", text(&zh.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_guardian"))
        .args(["children"])
        .env("GUARDIAN_DATA_DIR", env.data.path())
        .env_remove("GUARDIAN_PROVIDER_URL")
        .env("GUARDIAN_PROVIDER", "demo")
        // No session bus anywhere: no Secret Service can be reached.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run guardian");
    assert!(out.status.success(), "still works: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("No secure storage"), "the user is told: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Leo"), "the demo family is still listed");
    // Only the redacted log: no cache, no session, no names.
    let written: Vec<_> = walk(env.data.path());
    let logs = env.data.path().join("logs");
    assert!(written.iter().all(|p| p.starts_with(&logs)), "only logs without a keyring: {written:?}");
    for log in &written {
        let text = std::fs::read_to_string(log).expect("log");
        for name in ["Leo", "Grandma Lin", DEMO_PHONE] {
            assert!(!text.contains(name), "the log names {name}");
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            files.extend(walk(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_approved_with_a_pin_read_from_stdin_and_refusals_exit_6() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("requests");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let listed = run(&["requests", "--child", "Leo", "--json"], "");
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let requests: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(requests.as_array().map(Vec::len), Some(2), "Leo has two requests");

    let wrong = run(&["requests", "approve", "fr-1", "--child", "Leo"], "0000\n");
    assert_eq!(wrong.status.code(), Some(6), "refused: {}", text(&wrong.stderr));
    // Worded from the provider's code and facts, not its English message, in the guardian's language.
    assert!(
        text(&wrong.stderr).contains("That PIN is not right: 4 tries are left"),
        "{}",
        text(&wrong.stderr)
    );
    let again =
        env.run_in("zh_CN.UTF-8", Some(&url), &["requests", "approve", "fr-1", "--child", "Leo"], "0000\n");
    assert_eq!(again.status.code(), Some(6));
    assert!(text(&again.stderr).contains("PIN 不正确：PIN 锁定前还剩 3 次机会。"), "{}", text(&again.stderr));
    let pending = run(&["pending", "--json"], "");
    let pending: serde_json::Value = serde_json::from_slice(&pending.stdout).expect("json");
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "the refusal is kept until it no longer applies");
    assert_eq!(pending[0]["reason"], "pin_incorrect", "with the provider's code: {pending}");
    assert!(!pending.to_string().contains("0000"), "no PIN is kept with a refused decision");

    let bad = run(&["requests", "approve", "fr-1", "--child", "Leo"], "12\n");
    assert_eq!(bad.status.code(), Some(5), "bad input: {}", text(&bad.stderr));

    let right = run(&["requests", "approve", "fr-1", "--child", "Leo", "--trial-days", "7"], "1234\n");
    assert!(right.status.success(), "{}", text(&right.stderr));
    assert!(text(&right.stdout).contains("Approved for a 7-day trial."), "{}", text(&right.stdout));
    let contacts = text(&run(&["contacts", "--child", "Leo"], "").stdout);
    assert!(contacts.contains("trial until"), "{contacts}");
    let kept = run(&["contacts", "confirm", "u-fr-1", "--child", "Leo"], "");
    assert!(text(&kept.stdout).contains("stays a friend"), "{}", text(&kept.stderr));
    let contacts = text(&run(&["contacts", "--child", "Leo"], "").stdout);
    assert!(!contacts.contains("trial until"), "{contacts}");
    let table = run(&["requests", "--child", "leo"], "");
    assert!(text(&table.stdout).contains("approved"), "{}", text(&table.stdout));

    let pending = run(&["pending", "--json"], "");
    let pending: serde_json::Value = serde_json::from_slice(&pending.stdout).expect("json");
    let refused = pending.as_array().expect("array");
    assert!(refused.is_empty(), "the refused attempt went once the approval was accepted: {pending}");

    let blocked = run(&["contacts", "block", "u-sam", "--child", "Leo"], "");
    assert!(blocked.status.success(), "{}", text(&blocked.stderr));
    let contacts = run(&["contacts", "--child", "Leo"], "");
    assert!(text(&contacts.stdout).contains("blocked"), "{}", text(&contacts.stdout));

    let ambiguous = run(&["requests"], "");
    assert_eq!(ambiguous.status.code(), Some(5), "several children: say which");
    assert!(text(&ambiguous.stderr).contains("--child"));
}

#[test]
fn shell_completions_cover_the_commands_without_touching_any_account() {
    let env = Env::new("completions");
    let out = env.run(Some("http://provider.example"), &["completions", "bash"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    for word in ["requests", "contacts", "pending", "sign-in", "--json", "--child"] {
        assert!(script.contains(word), "the bash completion knows {word}");
    }
    assert!(walk(env.data.path()).is_empty(), "printing completions opens no cache");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_verify_diff_and_a_child_deletion_walkthrough_from_a_terminal() {
    let sandbox = Sandbox::start(Config { admin: true, ..Config::default() }).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("rights");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("leo-a.zip");
    let b = dir.path().join("leo-b.zip");
    let out = run(&["export", "--child", "Leo", "--out", a.to_str().expect("utf-8")], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("checked against the manifest"), "{}", text(&out.stdout));
    assert!(run(&["contacts", "block", "u-sam", "--child", "Leo"], "").status.success());
    assert!(run(&["export", "--child", "Leo", "--out", b.to_str().expect("utf-8")], "").status.success());
    let out = run(&["export", "verify", a.to_str().expect("utf-8")], "");
    assert!(text(&out.stdout).starts_with("OK:"), "{}", text(&out.stdout));
    // Files holding a child's data are the user's alone.
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&a), 0o600, "a saved export");
        let caches: Vec<_> = walk(env.data.path()).into_iter().filter(|p| p.ends_with("cache.db")).collect();
        assert!(!caches.is_empty(), "the cache is on disk");
        for cache in caches {
            assert_eq!(mode(&cache), 0o600, "{}", cache.display());
            assert_eq!(mode(cache.parent().expect("folder")), 0o700, "{}", cache.display());
        }
    }
    // Checking a file needs no provider: none is started, and stdout is the answer alone.
    let verified = env.run(None, &["export", "verify", a.to_str().expect("utf-8"), "--json"], "");
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(!text(&verified.stderr).contains("Demo provider"), "{}", text(&verified.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&verified.stdout).expect("JSON alone on stdout");
    assert!(summary["files"].as_u64().is_some_and(|n| n > 0), "{summary}");
    let out = run(&["export", "diff", a.to_str().expect("utf-8"), b.to_str().expect("utf-8")], "");
    assert!(text(&out.stdout).contains("contact Sam: approved -> blocked"), "{}", text(&out.stdout));
    // A damaged file: exit code 5 and a reason.
    let mut bytes = std::fs::read(&a).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&a, bytes).expect("write");
    let out = run(&["export", "verify", a.to_str().expect("utf-8")], "");
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));

    // The deletion walkthrough: a wrong typed name submits nothing; then the real thing.
    let out = run(&["account", "delete", "--child", "Leo"], &format!("Leon\n{DEMO_PASSWORD}\n1234\n"));
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("Uninstalling Guardian or the kids' app does NOT delete"), "{shown}");
    assert!(shown.contains("(365 days): Kept at least one year"), "the provider's retention notes: {shown}");
    let out = run(&["account", "delete", "--child", "Leo"], &format!("Leo\n{DEMO_PASSWORD}\n1234\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = run(&["account", "status", "--json"], "");
    let requests: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(requests[0]["status"], "cooling_off");
    sandbox.clock().advance(chrono::Duration::days(8));
    let out = run(&["children", "--json"], "");
    let children: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<_> =
        children.as_array().expect("array").iter().map(|c| c["display_name"].clone()).collect();
    assert_eq!(names, ["Ava", "Mei"], "Leo is gone from this computer too");
    let audit = run(&["audit", "verify"], "");
    assert!(text(&audit.stdout).starts_with("OK:"), "{}", text(&audit.stdout));
    assert!(run(&["sign-out"], "").status.success());
}

/// Whether `word` occurs in `text` with no letter or digit right before or after it.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diagnostics_bundle_names_no_one_and_holds_no_secret() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("diagnostics");
    let run = |args: &[&str], stdin: &str| {
        let out = env.run(Some(&url), args, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        out
    };
    run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n"));
    run(&["children"], "");
    run(&["requests", "approve", "fr-3", "--child", "Mei"], "1234\n");
    run(&["contacts", "block", "u-zoe", "--child", "Ava"], "");
    run(&["consent", "withdraw", "analytics", "--child", "Ava"], "");
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("leo.zip");
    run(&["export", "--child", "Leo", "--out", export.to_str().expect("utf-8")], "");
    let flow = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/flows/approve-and-deny.toml");
    run(&["flow", "run", flow], "");
    let bundle = dir.path().join("bundle.zip");
    run(&["diagnostics", "--out", bundle.to_str().expect("utf-8")], "");

    let profile = guardian_core::ProviderChoice::Url(url.clone()).profile();
    let keyring = guardian_client::KeyringSecrets::open(&env.service, &profile).expect("keyring");
    let session = guardian_client::SecretStore::get(&keyring, "session").expect("read").expect("session");
    let session: serde_json::Value = serde_json::from_str(session.expose()).expect("json");
    let key = guardian_client::SecretStore::get(&keyring, "db-key").expect("read").expect("key");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&bundle).expect("bundle")).expect("zip");
    let mut all = String::new();
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        names.push(entry.name().expect("name").into_owned());
        std::io::Read::read_to_string(&mut entry, &mut all).expect("text");
    }
    for expected in ["about.json", "settings.json", "sync.json", "errors.json", "logs/guardian.log"] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("transcripts/")), "{names:?}");
    assert!(all.contains("\"queued_decisions\""), "sync state is there");
    let secrets = [
        session["access_token"].as_str().expect("access").to_owned(),
        session["refresh_token"].as_str().expect("refresh").to_owned(),
        key.expose().to_owned(),
        DEMO_PASSWORD.to_owned(),
        DEMO_PHONE.to_owned(),
        "13800000001".to_owned(),
    ];
    for secret in &secrets {
        assert!(!all.contains(secret.as_str()), "the bundle holds a secret ({} chars)", secret.len());
    }
    for name in [
        "Grandma Lin",
        "Cousin Hua",
        "FreeGems4U",
        "Demo Guardian",
        "Oliver",
        "Ethan",
        "Lily",
        "Zoe",
        "Sam",
        "Noah",
        "Mei",
        "Leo",
        "Ava",
    ] {
        assert!(!has_word(&all, name), "the bundle names {name}");
    }
    assert!(!all.contains("\"1234\"") && !all.contains("pin=1234"), "no PIN");
    assert!(run(&["sign-out"], "").status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_session_names_no_one_and_replays_against_the_sandbox() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("record");
    let dir = tempfile::tempdir().expect("temp dir");
    let recording = dir.path().join("session.toml");
    let record = recording.to_str().expect("utf-8");
    let run = |args: &[&str], stdin: &str| {
        let mut all = vec!["--record", record];
        all.extend_from_slice(args);
        env.run(Some(&url), &all, stdin)
    };
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    assert!(run(&["requests", "approve", "fr-3", "--child", "Mei"], "1234\n").status.success());
    assert_eq!(run(&["requests", "approve", "fr-1", "--child", "Leo"], "9999\n").status.code(), Some(6));
    assert!(run(&["contacts", "block", "u-sam", "--child", "Leo"], "").status.success());
    assert!(run(&["consent", "withdraw", "analytics", "--child", "Ava"], "").status.success());

    let written = std::fs::read_to_string(&recording).expect("recording");
    for personal in ["Mei", "Leo", "Ava", "Sam", "u-sam", "fr-3", "9999", DEMO_PHONE, DEMO_PASSWORD] {
        assert!(!written.contains(personal), "the recording holds {personal:?}:\n{written}");
    }
    assert!(written.contains("step = \"expect_error\""), "the refusal is part of the recording:\n{written}");
    // Support replays it on a fresh sandbox with the same scenario: the same outcomes.
    let replay = env.run(None, &["flow", "run", record], "");
    assert!(replay.status.success(), "{}{}", text(&replay.stdout), text(&replay.stderr));
    assert!(run(&["sign-out"], "").status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pin_is_changed_with_the_old_one_and_reset_with_the_password() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("pin");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let wrong = run(&["pin", "--child", "Leo"], "9999\n5678\n");
    assert_ne!(wrong.status.code(), Some(0), "a wrong current PIN changes nothing");
    let short = run(&["pin", "--child", "Leo"], "1234\n12\n");
    assert_eq!(short.status.code(), Some(5), "{}", text(&short.stderr));
    assert!(run(&["pin", "--child", "Leo"], "1234\n5678\n").status.success());
    assert!(run(&["requests", "approve", "fr-1", "--child", "Leo"], "5678\n").status.success());
    let reset = run(&["pin", "--child", "Leo", "--reset"], &format!("{DEMO_PASSWORD}\n4321\n"));
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(run(&["requests", "approve", "fr-2", "--child", "Leo"], "4321\n").status.success());
    let audit = run(&["audit", "--json"], "");
    let entries: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
    let outcomes: Vec<_> = entries.as_array().expect("array").iter().map(|e| e["outcome"].clone()).collect();
    assert!(outcomes.contains(&"reset".into()) && outcomes.contains(&"changed".into()), "{outcomes:?}");
    assert!(run(&["sign-out"], "").status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_approval_mode_is_switched_and_activity_is_shown_by_day_and_week() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("approval");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let shown = run(&["approval", "--child", "Leo"], "");
    assert!(text(&shown.stdout).contains("needs your parental PIN"), "{}", text(&shown.stdout));
    // Only the guardian switches it: the PIN is read (without echo at a terminal) first.
    let refused = run(&["approval", "--child", "Leo", "child-may-add"], "0000\n");
    assert!(!refused.status.success(), "a wrong PIN changes nothing");
    assert!(text(&refused.stderr).contains("PIN"), "{}", text(&refused.stderr));
    assert!(text(&run(&["approval", "--child", "Leo"], "").stdout).contains("needs your parental PIN"));
    let changed = run(&["approval", "--child", "Leo", "child-may-add"], &format!("{DEMO_PIN}\n"));
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    assert!(text(&changed.stdout).contains("may add friends without your PIN"), "{}", text(&changed.stdout));
    // The provider holds it: a request is now approved with no PIN asked for.
    let approved = run(&["requests", "approve", "fr-1", "--child", "Leo"], "");
    assert!(approved.status.success(), "{}", text(&approved.stderr));
    let back = run(&["approval", "--child", "Leo", "pin-required"], &format!("{DEMO_PIN}\n"));
    assert!(text(&back.stdout).contains("needs your parental PIN"), "{}", text(&back.stdout));
    let typo = run(&["approval", "--child", "Leo", "anyone"], "");
    assert_eq!(typo.status.code(), Some(2), "clap refuses an unknown mode");

    let daily = run(&["activity", "--child", "Leo", "--days", "7", "--json"], "");
    assert!(daily.status.success(), "{}", text(&daily.stderr));
    let view: serde_json::Value = serde_json::from_slice(&daily.stdout).expect("json");
    assert_eq!(view["days"].as_array().map(Vec::len), Some(7));
    let minutes: u64 = view["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["minutes"].as_array().expect("minutes").iter().filter_map(serde_json::Value::as_u64))
        .sum();
    assert!(minutes > 0, "the demo family has activity in the last week: {view}");
    let weekly = run(&["activity", "--child", "Leo", "--weekly"], "");
    assert!(text(&weekly.stdout).starts_with("WEEK OF"), "{}", text(&weekly.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn who_can_find_a_child_is_set_and_a_profile_picture_uploaded_with_clear_refusals() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("findable");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let shown = run(&["findable", "--child", "Mei"], "");
    assert!(
        text(&shown.stdout).contains("only someone who knows Mei's ID"),
        "{}{}",
        text(&shown.stdout),
        text(&shown.stderr)
    );
    let changed = run(&["findable", "--child", "Mei", "nobody"], "");
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    assert!(text(&changed.stdout).contains("no one can find Mei"), "{}", text(&changed.stdout));
    assert_eq!(run(&["findable", "--child", "Mei", "everyone"], "").status.code(), Some(2));

    let folder = tempfile::tempdir().expect("temp dir");
    let picture = folder.path().join("mei.png");
    std::fs::write(&picture, include_bytes!("../../../tests/fixtures/avatar.png")).expect("write");
    let not_a_picture = folder.path().join("mei.svg");
    std::fs::write(&not_a_picture, "<svg xmlns='http://www.w3.org/2000/svg'/>").expect("write");
    let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();

    let refused = run(&["profile", "picture", &path(&not_a_picture), "--child", "Mei"], "");
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("not a PNG or JPEG"), "{}", text(&refused.stderr));
    let missing = run(&["profile", "picture", &path(&folder.path().join("none.png")), "--child", "Mei"], "");
    assert!(
        !missing.status.success() && text(&missing.stderr).contains("none.png"),
        "{}",
        text(&missing.stderr)
    );
    let uploaded = run(&["profile", "--json", "picture", &path(&picture), "--child", "Mei"], "");
    assert!(uploaded.status.success(), "{}", text(&uploaded.stderr));
    let profile: serde_json::Value = serde_json::from_slice(&uploaded.stdout).expect("json");
    assert!(profile["avatar"].as_str().is_some_and(|a| a.starts_with("data:image/png;base64,")), "{profile}");
    assert_eq!(profile["discoverable_by"], "nobody");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_third_party_identity_is_linked_in_the_browser_then_signs_in_and_is_unlinked() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("identity");
    agreeing_browser(&env);
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let shown = run(&["account", "show"], "");
    assert!(text(&shown.stdout).contains("Real name:  verified"), "{}", text(&shown.stdout));
    assert!(text(&shown.stdout).contains("phone number only"), "{}", text(&shown.stdout));

    let linked = run(&["account", "link", "wechat"], "");
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    assert!(text(&linked.stderr).contains("/third-party/wechat/authorize?state="), "the address is printed");
    assert!(text(&linked.stdout).contains("Sign in with: wechat"), "{}", text(&linked.stdout));

    assert!(run(&["sign-out"], "").status.success());
    let signed_in = run(&["sign-in", "--with", "wechat"], "");
    assert!(signed_in.status.success(), "{}", text(&signed_in.stderr));
    assert!(text(&signed_in.stdout).contains("3 children synced"), "{}", text(&signed_in.stdout));

    let unlinked = run(&["account", "unlink", "wechat"], "");
    assert!(text(&unlinked.stdout).contains("phone number only"), "{}", text(&unlinked.stdout));
    assert_eq!(run(&["sign-in", "--with", "myspace"], "").status.code(), Some(2));
    assert_eq!(run(&["sign-in", "--with", "wechat", "--phone", DEMO_PHONE], "").status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_show_who_was_never_approved_and_a_group_is_reported_then_left() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("groups");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let listed = run(&["groups", "--child", "Leo"], "");
    let out = text(&listed.stdout);
    assert!(out.contains("Class 4B") && out.contains("! 1 not approved by you"), "{out}");
    assert!(out.lines().any(|l| l.contains("Max (new)") && l.contains("NOT APPROVED")), "{out}");

    let neither = run(&["reports", "create", "--child", "Leo", "--category", "other", "--evidence", "x"], "");
    assert_eq!(neither.status.code(), Some(2), "a contact or a group is required");
    let reported = run(
        &[
            "reports",
            "create",
            "--child",
            "Leo",
            "--group",
            "grp-class-4b",
            "--category",
            "harassment",
            "--evidence",
            "A stranger",
        ],
        "",
    );
    assert!(reported.status.success(), "{}", text(&reported.stderr));
    let reports = run(&["reports", "--child", "Leo"], "");
    assert!(text(&reports.stdout).contains("group grp-class-4b"), "{}", text(&reports.stdout));

    let left = run(&["groups", "leave", "grp-class-4b", "--child", "Leo"], "");
    assert!(text(&left.stdout).contains("Left Class 4B."), "{}", text(&left.stderr));
    let after = run(&["groups", "--child", "Leo", "--json"], "");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&after.stdout).expect("json"),
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rights_request_is_asked_and_tracked_with_its_deadline() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("rights");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    assert_eq!(text(&run(&["rights"], "").stdout).trim(), "No requests.");
    let bad = run(&["rights", "ask", "--child", "Leo", "--kind", "gossip", "--details", "x"], "");
    assert_eq!(bad.status.code(), Some(5), "{}", text(&bad.stderr));
    let asked =
        run(&["rights", "ask", "--child", "Leo", "--kind", "explanation", "--details", "Why limited?"], "");
    assert!(text(&asked.stdout).contains("must answer by"), "{}", text(&asked.stderr));
    let listed = run(&["rights", "--json"], "");
    let tracked: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(tracked[0]["kind"], "explanation");
    assert_eq!(tracked[0]["days_left"], 15);
    assert_eq!(tracked[0]["overdue"], false);
    let table = text(&run(&["rights"], "").stdout);
    assert!(table.contains("due in 15 days") && table.contains("Why limited?"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_is_shown_with_what_contacts_see_and_corrected_field_by_field() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("profile");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let shown = text(&run(&["profile", "--child", "Mei"], "").stdout);
    assert!(
        shown.contains("Country:   CN") && shown.contains("never the country, gender or birthday"),
        "{shown}"
    );
    assert!(shown.contains("service_consent"), "the planner lists the age-14 rule: {shown}");

    let bad = run(&["profile", "correct", "--child", "Mei", "--birthday", "02/03/2020"], "");
    assert_eq!(bad.status.code(), Some(5), "{}", text(&bad.stderr));
    let corrected = run(&["profile", "correct", "--child", "Mei", "--country", "", "--gender", "female"], "");
    assert!(corrected.status.success(), "{}", text(&corrected.stderr));
    let json = run(&["profile", "--child", "Mei", "--json"], "");
    let profile: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(profile["country"], serde_json::Value::Null, "removed at the provider and in the cache");
    assert_eq!(profile["gender"], "female");
    assert_eq!(profile["birthday"], "2020-03-02", "untouched");
    assert_eq!(
        profile["public"],
        serde_json::json!({ "display_name": "Mei", "id": "c-mei", "avatar": null })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn attention_lists_what_waits_across_children_and_says_when_it_is_partial() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("attention");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let listed = run(&["attention", "--json"], "");
    let attention: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let kinds: Vec<_> = attention["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["friend_request", "friend_request", "friend_request", "flagged_group"], "{attention}");
    assert_eq!(attention["complete"], true);

    // Offline: the cache still lists the friend requests, and says the list is partial.
    drop(sandbox);
    let offline = text(&run(&["attention"], "").stdout);
    assert!(offline.contains("friend request from Oliver"), "{offline}");
    assert!(offline.contains("could not be reached"), "{offline}");
}

#[tokio::test(flavor = "multi_thread")]
async fn transparency_shows_staff_access_and_an_automated_decision_is_explained() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("transparency");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let shown = text(&run(&["transparency", "--child", "Ava"], "").stdout);
    assert!(shown.contains("TS-2026-0415") && shown.contains("trust_and_safety_reviewer"), "{shown}");
    assert!(shown.contains("ask why: guardian transparency explain ad-ava-1"), "{shown}");
    let asked = run(&["transparency", "explain", "ad-ava-1", "--child", "Ava"], "");
    assert!(text(&asked.stdout).contains("Asked for an explanation"), "{}", text(&asked.stderr));
    let after = run(&["transparency", "--child", "Ava", "--json"], "");
    let records: serde_json::Value = serde_json::from_slice(&after.stdout).expect("json");
    assert!(records["decisions"][0]["explanation_request"].is_string(), "{records}");
    let unknown = run(&["transparency", "explain", "ad-nope", "--child", "Ava"], "");
    assert_eq!(unknown.status.code(), Some(5), "{}", text(&unknown.stderr));

    let notices = text(&run(&["notices"], "").stdout);
    assert!(notices.contains("New sign-in to your account") && notices.contains("[warning]"), "{notices}");
}

#[tokio::test(flavor = "multi_thread")]
async fn data_is_deleted_by_category_after_typing_it_and_the_password() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("data");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let listed = text(&run(&["data", "--child", "Leo"], "").stdout);
    assert!(listed.lines().any(|l| l.starts_with("activity") && l.contains("140 items")), "{listed}");
    assert!(listed.contains("kept: The provider's record of action taken"), "{listed}");

    let unconfirmed = run(&["data", "delete", "activity", "--child", "Leo"], "yes\n");
    assert_eq!(unconfirmed.status.code(), Some(5), "{}", text(&unconfirmed.stderr));
    let deleted =
        run(&["data", "delete", "activity", "--child", "Leo"], &format!("activity\n{DEMO_PASSWORD}\n"));
    let out = text(&deleted.stdout);
    assert!(out.contains("Deleted 140 items of activity"), "{out} {}", text(&deleted.stderr));
    let after = run(&["data", "--child", "Leo", "--json"], "");
    let after: serde_json::Value = serde_json::from_slice(&after.stdout).expect("json");
    assert_eq!(after[0]["category"], "activity");
    assert_eq!(after[0]["items"], 0);
    let receipts = text(&run(&["data", "receipts", "--child", "Leo"], "").stdout);
    assert!(receipts.contains("activity  140 items deleted"), "{receipts}");
}

#[test]
fn on_the_demo_provider_sign_in_by_sms_shows_the_code_it_would_have_sent() {
    use std::io::Read as _;
    let env = Env::new("sms");
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardian"))
        .args(["sign-in", "--phone", DEMO_PHONE, "--sms"])
        .env("GUARDIAN_DATA_DIR", env.data.path())
        .env("GUARDIAN_KEYRING_SERVICE", &env.service)
        .env_remove("GUARDIAN_PROVIDER_URL")
        .env("GUARDIAN_PROVIDER", "demo")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run guardian");
    // Answer the prompt with the code the demo provider says it would have sent.
    let mut stderr = child.stderr.take().expect("stderr");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    // Piped, the code is read without a prompt: wait for the demo's words and the code itself.
    while !String::from_utf8_lossy(&seen).split("The code is ").nth(1).is_some_and(|rest| rest.contains('.'))
    {
        assert_eq!(stderr.read(&mut byte).expect("read"), 1, "{}", text(&seen));
        seen.push(byte[0]);
    }
    let said = text(&seen);
    let code = said.split("The code is ").nth(1).expect("the demo says the code")[..6].to_owned();
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{said}");
    child.stdin.take().expect("stdin").write_all(format!("{code}\n").as_bytes()).expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("Signed in. 3 children synced."), "{}", text(&output.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_child_is_added_only_with_the_guardians_consent() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("add-child");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let add = ["children", "add", "--name", "Lin", "--birthday", "2017-05-04", "--country", "DE"];
    let refused = run(&add, "n\n");
    assert_eq!(refused.status.code(), Some(5), "{}", text(&refused.stderr));
    assert!(text(&refused.stdout).contains("Policy 2026-01 is in force"), "{}", text(&refused.stdout));
    let added = run(&add, "y\n");
    assert!(text(&added.stdout).contains("Added Lin."), "{} {}", text(&added.stdout), text(&added.stderr));
    let listed = text(&run(&["children"], "").stdout);
    assert!(listed.lines().any(|l| l.starts_with("Lin")), "{listed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_are_listed_new_first_and_marked_read() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("notifications");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let listed = text(&run(&["notifications", "--mark-read"], "").stdout);
    assert!(listed.lines().any(|l| l.starts_with("NEW") && l.contains("Leo: Oliver")), "{listed}");
    assert!(listed.contains("Marked "), "{listed}");
    let after = run(&["notifications", "--json"], "");
    let centre: serde_json::Value = serde_json::from_slice(&after.stdout).expect("json");
    assert_eq!(centre["unread"], 0, "{centre}");
}

#[tokio::test(flavor = "multi_thread")]
async fn co_guardians_must_all_approve_and_an_invitation_brings_a_child_in() {
    let config = Config { scenario: "co-guardians".into(), ..Config::default() };
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("guardians");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());

    let shown = text(&run(&["guardians", "--child", "Leo"], "").stdout);
    assert!(shown.contains("every guardian must approve") && shown.contains("Jun Chen"), "{shown}");
    // Nobody approved Mila yet: this approval waits for Jun's.
    let approved = run(&["requests", "approve", "fr-2", "--child", "Leo"], "1234\n");
    assert!(approved.status.success(), "{}", text(&approved.stderr));
    assert!(
        text(&approved.stdout).contains("other guardians must approve too"),
        "{}",
        text(&approved.stdout)
    );
    let table = text(&run(&["requests", "--child", "Leo"], "").stdout);
    assert!(table.contains("approved by Demo Guardian; waiting for the others"), "{table}");
    let log = run(&["guardians", "log", "--child", "Leo", "--json"], "");
    let log: serde_json::Value = serde_json::from_slice(&log.stdout).expect("json");
    assert_eq!((log[0]["action"].as_str(), log[0]["you"].as_bool()), (Some("approval_recorded"), Some(true)));

    let bad = run(&["guardians", "rule", "most", "--child", "Leo"], "");
    assert_eq!(bad.status.code(), Some(5), "bad input: {}", text(&bad.stderr));

    // Relaxing the rule is proposed to Jun, who accepts it from his own terminal with the PIN.
    let proposed = run(&["guardians", "rule", "one", "--child", "Leo"], "1234\n");
    assert!(
        text(&proposed.stdout).contains("You proposed that one guardian's approval is enough"),
        "{}{}",
        text(&proposed.stdout),
        text(&proposed.stderr)
    );
    let view: serde_json::Value =
        serde_json::from_slice(&run(&["guardians", "--child", "Leo", "--json"], "").stdout).expect("json");
    assert_eq!(view["agreement"], "all", "nothing changes on one guardian's word");
    let id = view["proposals"][0]["id"].as_str().expect("the proposal").to_owned();
    let jun = Env::new("guardians-jun");
    let run_jun = |args: &[&str], stdin: &str| jun.run(Some(&url), args, stdin);
    assert!(run_jun(&["sign-in", "--phone", "+8613800000002"], "co-guardian-password\n").status.success());
    let waiting = text(&run_jun(&["guardians", "--child", "Leo"], "").stdout);
    assert!(waiting.contains(&id) && waiting.contains("not answered yet: Jun Chen"), "{waiting}");
    let attention = text(&run_jun(&["attention"], "").stdout);
    assert!(
        attention.contains("Demo Guardian proposes that one guardian's approval is enough"),
        "{attention}"
    );
    let agreed = run_jun(&["guardians", "agree", &id, "--child", "Leo"], "1234\n");
    assert!(text(&agreed.stdout).contains("the change is in effect"), "{}", text(&agreed.stderr));
    assert!(text(&run(&["guardians", "--child", "Leo"], "").stdout).contains("any one guardian decides"));

    let invites = text(&run(&["guardians", "invitations"], "").stdout);
    assert!(invites.contains("Jun Chen invites you to look after Kai"), "{invites}");
    let accepted = run(&["guardians", "accept", "gi-kai"], "");
    assert!(text(&accepted.stdout).contains("You now look after Kai too."), "{}", text(&accepted.stderr));
    let children = text(&run(&["children"], "").stdout);
    assert!(children.contains("Kai") && children.contains("Leo"), "{children}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_childs_deletion_waits_for_the_co_guardian_who_may_say_no() {
    let config = Config { scenario: "co-guardians".into(), ..Config::default() };
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let url = sandbox.url();
    let demo = Env::new("deletion-asker");
    let run = |args: &[&str], stdin: &str| demo.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let walked = run(&["account", "delete", "--child", "Leo"], &format!("Leo\n{DEMO_PASSWORD}\n1234\n"));
    let shown = text(&walked.stdout);
    assert!(shown.contains("Leo's guardians must all agree: Jun Chen will be asked"), "{shown}");
    assert!(shown.contains("Waiting for Jun Chen to agree."), "{shown}\n{}", text(&walked.stderr));

    let jun = Env::new("deletion-co-guardian");
    let run_jun = |args: &[&str], stdin: &str| jun.run(Some(&url), args, stdin);
    assert!(run_jun(&["sign-in", "--phone", "+8613800000002"], "co-guardian-password\n").status.success());
    let status = text(&run_jun(&["account", "status"], "").stdout);
    assert!(
        status.contains("requested by Demo Guardian") && status.contains("waiting for your answer"),
        "{status}"
    );
    let listed: serde_json::Value =
        serde_json::from_slice(&run_jun(&["account", "status", "--json"], "").stdout).expect("json");
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let wrong = run_jun(&["account", "agree", &id], "not-the-password\n");
    assert!(!wrong.status.success(), "a wrong password agrees to nothing");
    let refused = run_jun(&["account", "refuse", &id], "");
    assert!(text(&refused.stdout).contains("nothing is deleted"), "{}", text(&refused.stderr));
    let after = text(&run(&["account", "status"], "").stdout);
    assert!(after.contains("cancelled") && after.contains("Jun Chen: refused"), "{after}");
}

/// `GUARDIAN_LOG=debug` writes the log to standard error (redacted), never into the output a
/// script reads; every error is one line, said once.
#[tokio::test(flavor = "multi_thread")]
async fn logs_never_reach_standard_output_and_an_error_is_said_once() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let env = Env::new("log-streams");
    let url = sandbox.url();
    assert!(
        env.run(Some(&url), &["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n"))
            .status
            .success()
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_guardian"));
    let out = command
        .args(["children", "--json"])
        .env("GUARDIAN_DATA_DIR", env.data.path())
        .env("GUARDIAN_KEYRING_SERVICE", &env.service)
        .env("GUARDIAN_PROVIDER_URL", &url)
        .env("GUARDIAN_LOG", "debug")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let children: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON alone");
    assert_eq!(children.as_array().map(Vec::len), Some(3));
    assert!(text(&out.stderr).contains("DEBUG"), "the log went to standard error");
    assert!(!text(&out.stderr).contains(DEMO_PHONE), "redacted on standard error too");

    sandbox.stop().await;
    let offline = env.run(Some(&url), &["contacts", "block", "u-sam", "--child", "Leo"], "");
    assert!(offline.status.success(), "queued: {}", text(&offline.stderr));
    let refused = env.run(Some(&url), &["requests", "approve", "fr-404", "--child", "Leo"], "1234\n");
    let stderr = text(&refused.stderr);
    let line = stderr.lines().find(|l| l.starts_with("guardian:")).expect("an error line");
    let said = line.trim_start_matches("guardian: ");
    assert_eq!(line.matches(said).count(), 1, "said once: {line}");
    let half = &said[..said.len() / 2];
    assert_eq!(line.matches(half).count(), 1, "not repeated: {line}");
}

/// Every command a script may read gives JSON with `--json`, and nothing else on standard output.
#[tokio::test(flavor = "multi_thread")]
async fn scripts_get_json_from_every_reading_command() {
    let sandbox = Sandbox::start(Config::default()).await.expect("sandbox");
    let url = sandbox.url();
    let env = Env::new("json");
    let run = |args: &[&str], stdin: &str| env.run(Some(&url), args, stdin);
    assert!(run(&["sign-in", "--phone", DEMO_PHONE], &format!("{DEMO_PASSWORD}\n")).status.success());
    let versions = run(&["policy", "--json"], "");
    let versions: serde_json::Value = serde_json::from_slice(&versions.stdout).expect("policy versions");
    let version = versions[0]["version"].as_str().expect("a version").to_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["data", "receipts", "--child", "Leo", "--json"], ""),
        (vec!["sandbox", "scenarios", "--json"], ""),
        (vec!["policy", "show", &version, "--json"], ""),
        (vec!["audit", "verify", "--json"], ""),
        (vec!["approval", "--child", "Leo", "--json"], ""),
        (vec!["findable", "--child", "Leo", "--json"], ""),
        (vec!["pin", "--child", "Leo", "--json"], "1234\n4321\n"),
        (vec!["sync", "--json"], ""),
    ];
    for (args, stdin) in cases {
        let out = run(&args, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&out.stdout);
        assert!(parsed.is_ok(), "{args:?} prints JSON alone: {}", text(&out.stdout));
    }
}
