//! End-to-end: the real desktop binary, driven over W3C WebDriver (tauri-driver + WebKitWebDriver)
//! under Xvfb. Needs a display, tauri-driver and a keyring: `make e2e` provides all three.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

mod webdriver;

use webdriver::Driver;

async fn connect(driver: &Driver) -> Client {
    let app = std::path::Path::new(env!("CARGO_BIN_EXE_guardian-desktop"));
    webdriver::session(driver, app, Duration::from_millis(250)).await
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.expect("find") {
        out.push(element.text().await.expect("text"));
    }
    out
}

/// A fresh app on the embedded demo provider, with its own data folder and keyring entries.
struct App {
    // First, so it runs before the data folder goes.
    _log: LogOnFailure,
    _data: tempfile::TempDir,
    driver: Driver,
    client: Client,
    service: String,
    started: std::time::SystemTime,
}

impl App {
    async fn start(tag: &str) -> Self {
        Self::start_with_scenario(tag, "demo-family").await
    }

    async fn start_with_scenario(tag: &str, scenario: &str) -> Self {
        Self::start_with_env(tag, &[("GUARDIAN_PROVIDER", "demo"), ("GUARDIAN_DEMO_SCENARIO", scenario)])
            .await
    }

    /// An app on a provider of the test's own (signed out until the guardian signs in).
    async fn start_with_provider(tag: &str, url: &str) -> Self {
        Self::start_with_env(tag, &[("GUARDIAN_PROVIDER_URL", url)]).await
    }

    async fn start_with_env(tag: &str, extra: &[(&str, &str)]) -> Self {
        let started = std::time::SystemTime::now();
        let data = tempfile::tempdir().expect("temp dir");
        let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
        let service = format!("guardian-e2e-{}-{tag}", std::process::id());
        // The app's Downloads folder (XDG user dirs) is inside the test's folder.
        let config = data.path().join("config");
        std::fs::create_dir_all(&config).expect("config folder");
        let downloads = data.path().join("Downloads");
        std::fs::create_dir_all(&downloads).expect("downloads folder");
        std::fs::write(
            config.join("user-dirs.dirs"),
            format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
        )
        .expect("user dirs");
        let config = config.to_str().expect("utf-8 path").to_owned();
        let cache = data.path().join("cache").to_str().expect("utf-8 path").to_owned();
        // The app's browser is a stand-in: it agrees on the sandbox's third-party page as the demo
        // family's account and follows the redirect back to the app's loopback port.
        let browser = data.path().join("browser");
        std::fs::write(
            &browser,
            "#!/bin/sh\nexec curl -sfL \"$(printf '%s' \"$1\" | sed 's#/authorize?#/allow?#')&account=demo\" > /dev/null\n",
        )
        .expect("browser script");
        std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("executable");
        let browser = browser.to_str().expect("utf-8 path").to_owned();
        let mut env: Vec<(&str, &str)> = vec![
            ("BROWSER", &browser),
            ("GUARDIAN_DATA_DIR", &data_dir),
            ("GUARDIAN_KEYRING_SERVICE", &service),
            ("XDG_CONFIG_HOME", &config),
            // The app's cache folder (the tray's icon files) is the test's own too.
            ("XDG_CACHE_HOME", &cache),
            // The web view's storage (the language choice) is the test's own too.
            ("XDG_DATA_HOME", &data_dir),
        ];
        env.extend_from_slice(extra);
        let driver = Driver::start(&env, Stdio::inherit());
        let client = connect(&driver).await;
        let log = LogOnFailure(data.path().join("logs"));
        Self { _log: log, _data: data, driver, client, service, started }
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Saves a screenshot into `$GUARDIAN_SCREENSHOTS/NAME.png` when that variable is set
    /// (`make screenshots`).
    async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("GUARDIAN_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            let path = std::path::Path::new(&dir).join(format!("{name}.png"));
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("screenshot folder");
            std::fs::write(path, png).expect("save screenshot");
        }
    }

    /// Waits until the dashboard's panels have loaded, so nothing moves under a click.
    async fn settle(&self) {
        self.wait_for("[data-testid=attention], [data-testid=attention-none]").await;
        self.wait_for("[data-testid=tracker], [data-testid=tracker-none], [data-testid=tracker-error]").await;
    }

    /// Opens a child's screen and waits until every panel on it has loaded, so nothing moves
    /// under a click.
    async fn open_child(&self, id: &str) {
        self.settle().await;
        self.click(&format!("[data-child-id={id}] button")).await;
        for panel in [
            "[data-testid=profile-form]",
            "[data-testid=approval-mode]",
            "#activity-title ~ .activity-controls",
        ] {
            self.wait_for(panel).await;
        }
        for loaded in [
            "[data-testid=groups], [data-testid=groups-none]",
            "[data-testid=devices], [data-testid=device]",
            "[data-testid=reports], [data-testid=reports-none]",
            "[data-testid=activity-table], [data-testid=activity-none]",
            "[data-testid=transparency][aria-busy=false]",
            "[data-testid=co-guardians][aria-busy=false]",
        ] {
            self.wait_for(loaded).await;
        }
    }

    /// Scrolls the element to the top of the window (for screenshots of long screens).
    async fn scroll_to(&self, css: &str) {
        self.wait_for(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' });",
                vec![css.into()],
            )
            .await
            .expect("scroll");
    }

    /// The embedded demo guardian's password, as the window shows it (new at each start).
    async fn demo_password(&self) -> String {
        self.wait_text("[data-testid=demo-password]", |t| !t.is_empty()).await
    }

    /// Signs in through the window as the demo guardian (on a provider of the test's own) and
    /// waits for the child `shown` on the dashboard.
    async fn sign_in_as_demo_guardian(&self, shown: &str) {
        self.sign_in_as_demo_guardian_expecting(&format!("[data-child-id={shown}]")).await;
    }

    /// Types the demo guardian's phone and password into the sign-in form (emptied first),
    /// submits, and waits for `then`.
    async fn sign_in_as_demo_guardian_expecting(&self, then: &str) {
        for (field, value) in [
            ("input[name=phone]", guardian_sandbox::DEMO_PHONE),
            ("input[name=password]", guardian_sandbox::DEMO_PASSWORD),
        ] {
            let input = self.wait_for(field).await;
            input.clear().await.expect("empty the field");
            input.send_keys(value).await.expect("type");
        }
        self.click("[data-testid=sign-in-submit]").await;
        self.wait_for(then).await;
    }

    /// Types the parental PIN into the PIN dialog and confirms.
    async fn enter_pin(&self, pin: &str) {
        self.wait_for("[data-testid=pin-dialog] input[name=pin]")
            .await
            .send_keys(pin)
            .await
            .expect("type PIN");
        self.click("[data-testid=pin-dialog] button[type=submit]").await;
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks `button` until `shown` has text that satisfies `test` (at most three clicks, ten
    /// seconds each): a click can land while the page redraws, on a busy machine. Returns the text.
    async fn click_until(&self, button: &str, shown: &str, test: impl Fn(&str) -> bool) -> String {
        for _ in 0..3 {
            self.click(button).await;
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(element) = self.client.find(Locator::Css(shown)).await {
                    let text = element.text().await.unwrap_or_default();
                    if test(&text) {
                        return text;
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        panic!("{shown} never showed what was expected after clicking {button}");
    }

    /// Waits until the element's text satisfies `test`; returns the text.
    async fn wait_text(&self, css: &str, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.wait_for(css).await.text().await.unwrap_or_default();
            if test(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} never showed what was expected: {text:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Opens the app's encrypted cache beside the running app (with the app's keyring entries)
    /// and runs `PRAGMA integrity_check` on it.
    async fn check_cache_integrity(&self, provider: &str) {
        let settings = guardian_core::Settings {
            provider: Some(guardian_core::ProviderChoice::Url(provider.to_owned())),
            data_dir: self._data.path().to_owned(),
            keyring_service: self.service.clone(),
            use_keyring: true,
            request_timeout: Duration::from_secs(10),
        };
        let engine = guardian_core::Engine::start(settings).await.expect("the app's cache, opened beside it");
        engine.check_cache_integrity().await.expect("PRAGMA integrity_check");
        engine.close().await;
    }

    fn downloads(&self) -> std::path::PathBuf {
        self._data.path().join("Downloads")
    }

    /// Ends the app, then sweeps everything it left on disk for secrets and personal data.
    async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
        sweep(self._data.path(), &self.service, self.started);
    }
}

/// Prints the app's log (redacted as always) when a test fails, so a failure in CI shows what the
/// app saw.
struct LogOnFailure(std::path::PathBuf);

impl Drop for LogOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for entry in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                eprintln!("---- the app's log ({}) ----\n{text}", entry.path().display());
            }
        }
    }
}

/// Secrets the tests type: readable nowhere outside the encrypted cache.
const TYPED_SECRETS: &[&str] =
    &[guardian_sandbox::DEMO_PHONE, guardian_sandbox::DEMO_PASSWORD, "\"pin\":\"1234\"", "\"pin\":\"4321\""];
/// Personal data of the demo family and what the tests type about it: readable only inside the
/// encrypted cache, and in an export the guardian saved on purpose.
const PERSONAL: &[&str] = &[
    "Grandma Lin",
    "Cousin Hua",
    "FreeGems4U",
    "Why was Leo's account limited?",
    "Mean messages after school",
];
/// Children's names, too short to look for in encrypted bytes (they turn up by chance): looked
/// for as words in text files only.
const SHORT_NAMES: &[&str] = &["Leo", "Mei", "Ava"];

/// The secrets sweep: after every app of the suite closes, no token, database key, PIN, password,
/// phone number or child's or contact's name may be readable in what it left: its data folder
/// (the cache, its WAL, the logs, the web view's storage, the saved recording and diagnostics
/// bundle, including what the bundle's zip holds), its web view cache, and new files of Guardian's
/// or SQLite's in the temporary folder. A saved export holds the child's data on purpose, so only
/// the secrets are looked for in it.
fn sweep(data: &std::path::Path, service: &str, started: std::time::SystemTime) {
    let mut secrets: Vec<String> = TYPED_SECRETS.iter().map(|s| (*s).to_owned()).collect();
    let mut files = files_below(data);
    for cache in files.iter().filter(|p| p.ends_with("cache.db")) {
        let profile = cache.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).expect("profile");
        secrets.extend(keyring_secrets(service, profile));
    }
    // (A guardian who signed out last has no cache left: signing out removes it.)
    assert!(files.iter().any(|p| p.starts_with(data.join("logs"))), "the sweep sees the log");
    let cache_home = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache")));
    let web_cache = cache_home.map(|c| files_below(&c.join("org.guardian.desktop"))).unwrap_or_default();
    let temp = files_below(&std::env::temp_dir()).into_iter().filter(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        !p.starts_with(data) && (name.contains("guardian") || name.starts_with("etilqs"))
    });
    let new =
        |p: &std::path::PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|t| t >= started);
    files.extend(web_cache.into_iter().chain(temp).filter(new));

    let personal: Vec<String> =
        secrets.iter().cloned().chain(PERSONAL.iter().map(|s| (*s).to_owned())).collect();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let export = name.starts_with("guardian-export-");
        let contents = if name.starts_with("guardian-diagnostics-") {
            unzipped(&path)
        } else {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            bytes
        };
        for secret in if export { &secrets } else { &personal } {
            assert!(
                !contents.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a secret or personal data ({} characters) in plain bytes",
                path.display(),
                secret.len()
            );
        }
        if let (false, Ok(text)) = (export, std::str::from_utf8(&contents)) {
            for word in SHORT_NAMES {
                let alone = |i: usize| {
                    !text[..i].ends_with(char::is_alphanumeric)
                        && !text[i + word.len()..].starts_with(char::is_alphanumeric)
                };
                assert!(
                    !text.match_indices(word).any(|(i, _)| alone(i)),
                    "{} names a child: {word}",
                    path.display()
                );
            }
        }
    }
}

/// The session's tokens and the cache's key the app keeps in the keyring for `profile`.
fn keyring_secrets(service: &str, profile: &str) -> Vec<String> {
    use guardian_client::SecretStore as _;
    let keyring = guardian_client::KeyringSecrets::open(service, profile).expect("the keyring");
    let read = |name: &str| keyring.get(name).expect("read the keyring").map(|s| s.expose().to_owned());
    let mut found: Vec<String> = read("db-key").into_iter().collect();
    if let Some(session) = read("session") {
        let session: serde_json::Value = serde_json::from_str(&session).expect("a session");
        found.extend(
            ["access_token", "refresh_token"].iter().filter_map(|k| session[*k].as_str().map(str::to_owned)),
        );
    }
    found
}

fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.extend(files_below(&entry.path())),
            Ok(t) if t.is_file() => out.push(entry.path()),
            _ => {}
        }
    }
    out
}

/// Every entry of a zip, uncompressed, one after another.
fn unzipped(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("a zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        zip.by_index(i).expect("entry").read_to_end(&mut out).expect("read entry");
    }
    out
}

#[tokio::test]
async fn approving_a_friend_request_asks_for_the_pin_and_reaches_the_provider() {
    let app = App::start("pin").await;
    let result = async {
        app.settle().await;
        app.wait_for("[data-child-id=c-leo] button").await.click().await.expect("open Leo");
        app.wait_for("[data-testid=contact]").await;
        app.screenshot("child-requests-and-contacts").await;
        app.wait_for("[data-request-id=fr-1] button").await.click().await.expect("approve");
        let pin = app.wait_for("[data-testid=pin-dialog] input[name=pin]").await;
        app.screenshot("pin-dialog").await;
        pin.send_keys("1234").await.expect("type PIN");
        app.client
            .find(Locator::Css("[data-testid=pin-dialog] button[type=submit]"))
            .await
            .expect("confirm button")
            .click()
            .await
            .expect("confirm");
        let outcome = app.wait_for("[data-testid=outcome]").await.text().await.expect("text");
        assert_eq!(outcome, "Done.", "the provider accepted the approval");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = app.wait_for("[data-request-id=fr-1] [data-testid=request-status]").await;
            let text = status.text().await.expect("status");
            if text.starts_with("Approved") {
                break;
            }
            assert!(Instant::now() < deadline, "request never showed as approved: {text:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        // Ethan is approved for a week's trial, then kept.
        app.click("[data-request-id=fr-2] [data-testid=request-trial]").await;
        app.enter_pin("1234").await;
        let badge =
            app.wait_text("[data-contact-id=u-fr-2] [data-testid=contact-trial]", |t| !t.is_empty()).await;
        assert!(badge.starts_with("Trial until"), "{badge}");
        app.click("[data-contact-id=u-fr-2] [data-testid=contact-confirm]").await;
        app.wait_text("[data-testid=outcome]", |t| t.contains("stays a friend")).await;
        assert!(
            app.client
                .find(Locator::Css("[data-contact-id=u-fr-2] [data-testid=contact-trial]"))
                .await
                .is_err(),
            "a kept friend has no trial any more"
        );
    }
    .await;
    app.close().await;
    result
}

/// Calls a command from inside the web view; returns `allowed` or `denied: <reason>`.
async fn invoke_from_web_view(client: &Client, command: &str, args: serde_json::Value) -> String {
    let script = "const [cmd, args, done] = arguments;\
                  window.__TAURI_INTERNALS__.invoke(cmd, args)\
                    .then(() => done('allowed'), (e) => done('denied: ' + String(e)));";
    let answer = client
        .execute_async(script, vec![serde_json::Value::from(command), args])
        .await
        .expect("execute in the web view");
    answer.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn html_and_script_in_provider_data_are_shown_as_text_and_never_run() {
    let app = App::start_with_scenario("xss", "hostile-names").await;
    let client = &app.client;
    let result = async {
        app.wait_for("[data-testid=child-card]").await;
        let names = texts(client, "[data-testid=child-name]").await;
        assert_eq!(
            names,
            ["<img src=x onerror=\"window.__pwned='img'\">", "<script>window.__pwned='script'</script>"],
            "names are shown exactly as sent, as text"
        );
        app.settle().await;
        app.wait_for("[data-child-id=c-img] button").await.click().await.expect("open the child");
        app.wait_for("[data-testid=contact]").await;
        let page = client.source().await.expect("page source");
        assert!(!page.contains("<svg onload"), "a contact's name became markup");
        assert!(!page.contains("<a href=\"javascript:"), "a requester's name became a link");
        let pwned =
            client.execute("return window.__pwned === undefined ? null : window.__pwned;", vec![]).await;
        assert_eq!(pwned.expect("execute"), serde_json::Value::Null, "no payload ran");
        let injected =
            client.find_all(Locator::Css("main img, main script, main svg, main a")).await.expect("find");
        assert!(injected.is_empty(), "no element was created from provider data");
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn the_web_view_can_call_only_the_commands_it_was_granted() {
    let app = App::start("acl").await;
    let result = async {
        app.wait_for("[data-testid=child-card]").await;
        let granted = invoke_from_web_view(&app.client, "get_dashboard", serde_json::json!({})).await;
        assert_eq!(granted, "allowed", "a granted command works");
        for (command, args) in [
            ("plugin:window|set_title", serde_json::json!({ "label": "main", "value": "pwned" })),
            ("plugin:event|emit", serde_json::json!({ "event": "sync-finished", "payload": {} })),
            ("plugin:webview|create_webview_window", serde_json::json!({})),
            ("no_such_command", serde_json::json!({})),
        ] {
            let answer = invoke_from_web_view(&app.client, command, args).await;
            assert!(answer.contains("not allowed"), "{command} must be refused by the ACL, got {answer:?}");
        }
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn the_dashboard_lists_the_demo_family_from_the_embedded_provider() {
    let app = App::start("list").await;
    let client = &app.client;
    let result = async {
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("[data-testid=child-card]"))
            .await
            .expect("child cards appear");
        let names = texts(client, "[data-testid=child-name]").await;
        assert_eq!(names, ["Ava", "Leo", "Mei"], "the demo family, in the real web view");
        // Three friend requests and a group with a stranger in it wait for the guardian.
        app.wait_for("[data-testid=attention-item][data-kind=flagged_group]").await;
        assert_eq!(texts(client, "[data-testid=attention-item]").await.len(), 4);
        app.screenshot("dashboard").await;
        let provider = texts(client, "[data-testid=provider]").await.join(" ");
        assert!(provider.contains("Demo provider"), "demo mode is visible: {provider:?}");

        // The CSP forbids inline script: an injected inline <script> must not run.
        let ran: serde_json::Value = client
            .execute(
                "const s = document.createElement('script'); s.textContent = 'window.__inline = 1';\
                 document.body.appendChild(s); return window.__inline === 1;",
                vec![],
            )
            .await
            .expect("execute");
        assert_eq!(ran, serde_json::Value::Bool(false), "inline script executed despite the CSP");

        // Ask the provider for an explanation: tracked with its 15-day deadline.
        app.wait_for("[data-testid=tracker-none]").await;
        app.click("[data-testid=tracker-ask-open]").await;
        app.click("[data-testid=tracker-ask-child] option[value=c-leo]").await;
        app.click("[data-testid=tracker-ask-kind] option[value=explanation]").await;
        app.wait_for("[data-testid=tracker-ask-details]")
            .await
            .send_keys("Why was Leo's account limited?")
            .await
            .expect("type");
        app.click("[data-testid=tracker-ask-submit]").await;
        app.wait_text("[data-testid=tracker-message]", |t| t.starts_with("Sent.")).await;
        let row = app.wait_text("[data-testid=tracked]", |t| t.contains("Explanation")).await;
        assert!(row.contains("15 days left") && row.contains("Leo"), "{row}");
        app.scroll_to("#tracker-title").await;
        app.screenshot("requests-tracker").await;

        // The guardian's own account cannot go while the children's remain: said, not attempted.
        app.click("[data-testid=account-delete]").await;
        let blocked = app.wait_text("[data-testid=account-blocked]", |t| !t.is_empty()).await;
        assert!(blocked.contains("(Ava, Leo, Mei)"), "{blocked}");
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn the_privacy_panel_withdraws_consent_and_saves_a_verified_export_with_progress() {
    let app = App::start("privacy").await;
    let result = async {
        app.open_child("c-leo").await;
        app.click("[data-testid=privacy-open]").await;
        app.wait_for("[data-testid=privacy-panel]").await;
        let row = "[data-testid=consent-row-crash_reporting]";
        app.wait_text(&format!("{row} [data-testid=consent-state]"), |t| t.starts_with("Given")).await;
        app.click("[data-testid=consent-toggle-crash_reporting]").await;
        app.wait_text(&format!("{row} [data-testid=consent-state]"), |t| t.starts_with("Withdrawn")).await;
        let note = app.wait_text(&format!("{row} .consent-note"), |t| !t.is_empty()).await;
        assert!(note.contains("stays lawful"), "the effect of withdrawing is explained: {note}");
        app.screenshot("privacy-consents").await;

        app.click("[data-testid=export-button]").await;
        let done = app.wait_text("[data-testid=export-done]", |t| t.contains("guardian-export-Leo")).await;
        app.screenshot("privacy-export-done").await;
        let saved: Vec<_> =
            std::fs::read_dir(app.downloads()).expect("downloads").flatten().map(|e| e.path()).collect();
        assert_eq!(saved.len(), 1, "one file, no partial left: {saved:?} ({done})");
        let summary = guardian_core::archive::verify(&saved[0]).expect("a verified archive");
        assert_eq!(summary.child_id, "c-leo");

        // With a copy saved, Leo's activity history is deleted by category after the password.
        let activity = "[data-testid=data-category][data-category=activity]";
        app.wait_text(&format!("{activity} [data-testid=data-items]"), |t| t.contains("140 items")).await;
        app.click(&format!("{activity} [data-testid=data-delete]")).await;
        let password = app.demo_password().await;
        app.wait_for("[data-testid=data-password]").await.send_keys(&password).await.expect("type");
        app.scroll_to("#data-title").await;
        app.screenshot("privacy-delete-by-category").await;
        app.click("[data-testid=data-delete-confirm]").await;
        app.wait_text("[data-testid=data-message]", |t| t.contains("Deleted 140 items of Activity history"))
            .await;
        app.wait_text(&format!("{activity} [data-testid=data-items]"), |t| t.contains("0 items")).await;
        app.wait_for("[data-testid=data-receipt]").await;

        // A second export, then the viewer compares it with the first: the activity is gone.
        app.click("[data-testid=export-button]").await;
        app.wait_text("[data-testid=export-done]", |t| t.contains("-2.zip")).await;
        app.click("[data-testid=saved-export-compare]").await;
        let change = app.wait_text("[data-testid=export-diff-activity]", |t| !t.is_empty()).await;
        assert_eq!(change, "Activity rows: 140 → 0");
        app.click("[data-testid=saved-export]:last-child [data-testid=saved-export-open]").await;
        app.wait_text("[data-testid=export-view]", |t| t.contains("Leo")).await;
        app.scroll_to("[data-testid=saved-exports]").await;
        app.screenshot("privacy-export-viewer").await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn the_deletion_walkthrough_verifies_then_submits_and_can_be_cancelled() {
    let app = App::start("deletion").await;
    let result = async {
        app.open_child("c-mei").await;
        app.click("[data-testid=privacy-open]").await;
        app.click("[data-testid=delete-account]").await;
        app.wait_for("[data-testid=deletion-wizard]").await;
        let note = app.wait_text("[data-testid=retention-note]", |t| !t.is_empty()).await;
        assert!(note.contains("365") || note.contains("year"), "the provider's retention notes: {note}");
        app.screenshot("deletion-step-1").await;
        app.click("[data-testid=wizard-next]").await;
        app.click("[data-testid=wizard-next]").await;
        let password = app.demo_password().await;
        app.wait_for("[data-testid=deletion-password]").await.send_keys(&password).await.expect("password");
        app.wait_for("[data-testid=deletion-pin]").await.send_keys("1234").await.expect("pin");
        app.click("[data-testid=wizard-next]").await;
        let typed = app.wait_for("[data-testid=deletion-typed-name]").await;
        typed.send_keys("Me").await.expect("type");
        let submit = app.wait_for("[data-testid=deletion-submit]").await;
        assert_eq!(
            submit.attr("disabled").await.expect("attr"),
            Some("true".into()),
            "a wrong name cannot submit"
        );
        typed.send_keys("i").await.expect("type");
        app.screenshot("deletion-confirm").await;
        app.click("[data-testid=deletion-submit]").await;
        app.wait_for("[data-testid=deletion-cooling-off]").await;
        app.wait_text("[data-testid=deletion-status]", |t| !t.is_empty()).await;
        app.screenshot("deletion-submitted").await;
        app.click("[data-testid=deletion-cancel]").await;
        let status = app.wait_text("[data-testid=deletion-status]", |t| t.contains("ancel")).await;
        assert!(status.to_lowercase().contains("cancel"), "{status}");
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_major_policy_change_is_announced_with_its_changes_and_acknowledged() {
    let app = App::start_with_scenario("policy", "policy-update-pending").await;
    let result = async {
        app.wait_for("[data-testid=policy-notice]").await;
        let diff = app.wait_text("[data-testid=policy-diff]", |t| !t.is_empty()).await;
        assert!(diff.contains("cross-border"), "the added sentence is shown: {diff}");
        app.screenshot("policy-notice").await;
        app.click("[data-testid=policy-ack]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !app
            .client
            .find_all(Locator::Css("[data-testid=policy-notice]"))
            .await
            .expect("find")
            .is_empty()
        {
            assert!(Instant::now() < deadline, "the notice stayed after it was acknowledged");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_contact_the_provider_banned_is_marked_and_offers_no_unblock() {
    let app = App::start_with_scenario("banned", "banned-contact").await;
    let result = async {
        app.open_child("c-leo").await;
        let rex =
            app.wait_text("[data-contact-id=u-rex] [data-testid=contact-banned]", |t| !t.is_empty()).await;
        assert_eq!(rex, "Banned by the provider for abuse: stays blocked");
        let buttons =
            app.client.find_all(Locator::Css("[data-contact-id=u-rex] button")).await.expect("find");
        assert!(buttons.is_empty(), "a banned account offers nothing to unblock");
        // Sam, in good standing, can still be blocked.
        assert_eq!(app.wait_text("[data-contact-id=u-sam] button", |t| !t.is_empty()).await, "Block");
        app.scroll_to("[data-testid=contacts]").await;
        app.screenshot("contacts-banned").await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn support_gets_a_diagnostics_bundle_and_a_replayable_recording_from_the_app() {
    let app = App::start("support").await;
    let result = async {
        app.settle().await;
        app.click("[data-testid=record-session]").await;
        app.wait_text("[data-testid=support-message]", |t| t.contains("guardian-session-")).await;
        // Block a contact while recording.
        app.open_child("c-leo").await;
        app.click("[data-contact-id=u-sam] button").await;
        app.wait_text("[data-contact-id=u-sam]", |t| t.contains("Unblock")).await;
        app.click("[data-testid=back]").await;
        app.settle().await;
        app.click("[data-testid=record-session]").await;
        app.wait_text("[data-testid=support-message]", |t| t == "Recording stopped.").await;
        app.click("[data-testid=save-diagnostics]").await;
        app.wait_text("[data-testid=support-message]", |t| t.contains("guardian-diagnostics-")).await;
        app.screenshot("support").await;

        let files: Vec<_> =
            std::fs::read_dir(app.downloads()).expect("downloads").flatten().map(|e| e.path()).collect();
        let session = files.iter().find(|p| p.extension().is_some_and(|e| e == "toml")).expect("recording");
        let text = std::fs::read_to_string(session).expect("read");
        assert!(
            text.contains("step = \"block\"") && !text.contains("Leo") && !text.contains("u-sam"),
            "{text}"
        );
        let flow = guardian_core::flow::parse(&text).expect("a valid flow file");
        assert_eq!(flow.steps.len(), 1, "{text}");
        let bundle = files.iter().find(|p| p.extension().is_some_and(|e| e == "zip")).expect("bundle");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(bundle).expect("open")).expect("zip");
        let mut about = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("about.json").expect("about"), &mut about)
            .expect("read");
        assert!(about.contains("\"webkit\": \""), "the web view's version is recorded: {about}");
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn opening_guardian_a_second_time_hands_over_to_the_running_window() {
    let app = App::start("single").await;
    let result = async {
        app.wait_for("[data-testid=child-card]").await;
        let data_dir = app._data.path().to_owned();
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_guardian-desktop"))
            .env("GUARDIAN_DATA_DIR", &data_dir)
            .env_remove("GUARDIAN_PROVIDER_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("second launch");
        assert!(status.success(), "the second launch exits cleanly: {status}");
        assert!(started.elapsed() < Duration::from_secs(20), "and at once");
        // The first window still answers.
        let names = texts(&app.client, "[data-testid=child-name]").await;
        assert_eq!(names, ["Ava", "Leo", "Mei"]);
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_first_start_asks_for_the_provider_and_the_demo_is_only_ever_chosen() {
    let sandbox =
        guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await.expect("sandbox");
    let app = App::start_with_env("first-start", &[]).await;
    async {
        let address = app.wait_for("[data-testid=provider-url]").await;
        let families = app.client.find_all(Locator::Css("[data-testid=child-card]")).await.expect("find");
        assert!(families.is_empty(), "no demo family fallen into");
        address.send_keys("http://provider.example").await.expect("type");
        app.click("[data-testid=provider-continue]").await;
        let refused = app.wait_text("[data-testid=provider-error]", |t| !t.is_empty()).await;
        // (No WebDriver screenshot here: WebKitWebDriver's snapshot of this still page never
        // returns; docs/screenshots/first-start.png is taken with ../shared/tools/screenshot.)
        assert!(refused.contains("https"), "{refused}");

        let url = sandbox.url();
        address.clear().await.expect("empty the field");
        address.send_keys(&url).await.expect("type");
        app.click("[data-testid=provider-continue]").await;
        app.wait_for("input[name=phone]").await;
        let kept =
            std::fs::read_to_string(app._data.path().join("provider.json")).expect("the address is kept");
        assert!(kept.contains(url.trim_end_matches('/')), "{kept}");
    }
    .await;
    app.close().await;

    let demo = App::start_with_env("first-demo", &[]).await;
    let chosen = async {
        demo.click("[data-testid=try-demo]").await;
        demo.wait_for("[data-testid=child-card]").await;
        let password = demo.demo_password().await;
        assert_ne!(password, guardian_sandbox::DEMO_PASSWORD, "the demo's password is its own");
        assert!(!demo._data.path().join("provider.json").exists(), "the demo is never kept as the choice");
    }
    .await;
    demo.close().await;
    sandbox.stop().await;
    chosen
}

/// Runs axe-core (from `ui/node_modules`) inside the real web view; returns the serious and
/// critical violations as `rule: count (first target)`.
async fn axe_violations(client: &Client) -> Vec<String> {
    let axe =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/node_modules/axe-core/axe.min.js"))
            .expect("axe-core is installed with the UI's packages");
    client.execute(&format!("{axe}\nreturn typeof window.axe;"), vec![]).await.expect("load axe-core");
    let script = "const done = arguments[arguments.length - 1];\
        window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })\
          .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
            .map(v => v.id + ': ' + v.nodes.length + ' (' + v.nodes[0].target.join(' ') + ')')),\
                e => done(['axe failed: ' + e]));";
    let found = client.execute_async(script, vec![]).await.expect("run axe-core");
    found
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_screen_has_no_serious_or_critical_accessibility_violation() {
    let app = App::start_with_scenario("axe", "policy-update-pending").await;
    let result = async {
        let mut report = Vec::new();
        app.wait_for("[data-testid=policy-notice]").await;
        report.push(("policy notice", axe_violations(&app.client).await));
        app.click("[data-testid=policy-ack]").await;
        app.wait_for("[data-testid=child-card]").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        report.push(("dashboard", axe_violations(&app.client).await));
        app.click("[data-testid=add-child-open]").await;
        app.wait_for("[data-testid=add-child-form]").await;
        report.push(("add a child", axe_violations(&app.client).await));
        app.click("[data-testid=notifications-open]").await;
        app.wait_for("[data-testid=notification]").await;
        report.push(("notifications", axe_violations(&app.client).await));
        app.click("[data-testid=notifications-open]").await;
        app.open_child("c-mei").await;
        app.wait_for("[data-testid=child-title]").await;
        report.push(("child", axe_violations(&app.client).await));
        app.click("[data-testid=privacy-open]").await;
        app.wait_for("[data-testid=consent-row-analytics]").await;
        report.push(("privacy", axe_violations(&app.client).await));
        app.click("[data-testid=delete-account]").await;
        app.wait_for("[data-testid=retention-note]").await;
        report.push(("deletion wizard", axe_violations(&app.client).await));
        app.click("[data-testid=wizard-next]").await;
        app.click("[data-testid=wizard-next]").await;
        app.wait_for("[data-testid=deletion-password]").await;
        report.push(("deletion verify", axe_violations(&app.client).await));
        let bad: Vec<_> = report.iter().filter(|(_, v)| !v.is_empty()).collect();
        assert!(bad.is_empty(), "axe-core found serious or critical violations: {bad:#?}");
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_device_is_signed_out_a_contact_reported_and_a_flagged_group_left_from_the_child_screen() {
    let app = App::start("care").await;
    let result = async {
        app.open_child("c-leo").await;
        app.wait_for("[data-device-id=dev-c-leo-1]").await;
        app.click("[data-device-id=dev-c-leo-1] [data-testid=device-sign-out]").await;
        app.wait_text("[data-testid=devices-message]", |t| t.contains("signed out")).await;

        app.click("[data-testid=report-submit]").await;
        let refused = app.wait_text("[data-testid=report-message]", |t| !t.is_empty()).await;
        assert!(refused.contains("Nothing was sent"), "no report without a choice: {refused}");
        app.click("[data-testid=report-contact] option[value=u-sam]").await;
        app.click("[data-testid=report-category] option[value=bullying]").await;
        app.wait_for("[data-testid=report-evidence]")
            .await
            .send_keys("Mean messages after school")
            .await
            .expect("type");
        app.click("[data-testid=report-submit]").await;
        app.wait_text("[data-testid=report-message]", |t| t.starts_with("Reported.")).await;
        let status =
            app.wait_text("[data-testid=report] [data-testid=report-status]", |t| !t.is_empty()).await;
        assert!(status.starts_with("Sent"), "{status}");
        app.screenshot("child-devices-and-reports").await;

        // Leo's class group has Max in it, whom the guardian never approved: flagged, then left.
        let flag =
            app.wait_text("[data-group-id=grp-class-4b] [data-testid=group-flag]", |t| !t.is_empty()).await;
        assert_eq!(flag, "1 member you never approved");
        app.scroll_to("#groups-title").await;
        app.screenshot("child-groups").await;
        app.click("[data-group-id=grp-class-4b] [data-testid=group-leave]").await;
        app.click("[data-testid=group-leave-confirm]").await;
        app.wait_text("[data-testid=groups-message]", |t| t == "Leo left Class 4B.").await;
        app.wait_text("[data-testid=groups-none]", |t| t == "Leo is not in any group.").await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn staff_access_is_disclosed_and_an_automated_decision_explained_on_request() {
    let app = App::start("transparency").await;
    let result = async {
        // The embedded demo signed in: the provider says so among its security notices.
        app.wait_text("[data-testid=security-notices]", |t| t.contains("New sign-in to your account")).await;
        // The notification centre has it too, with the automated block of Ava's contact.
        app.wait_for("[data-testid=notifications-unread]").await;
        app.click("[data-testid=notifications-open]").await;
        app.wait_text("[data-testid=notifications]", |t| t.contains("Security: New sign-in")).await;
        app.screenshot("notifications").await;
        app.click("[data-testid=notification][data-kind=automated_decision] [data-testid=notification-open]")
            .await;
        app.wait_text("[data-testid=child-title]", |t| !t.is_empty()).await;
        app.click("[data-testid=back]").await;
        app.open_child("c-ava").await;
        let access = app.wait_text("[data-testid=staff-access-row]", |t| !t.is_empty()).await;
        assert!(access.contains("Trust and safety reviewer") && access.contains("TS-2026-0415"), "{access}");
        app.click("[data-decision-id=ad-ava-1] [data-testid=decision-ask]").await;
        app.wait_text("[data-testid=transparency-message]", |t| t.contains("The provider must answer by"))
            .await;
        app.wait_for("[data-decision-id=ad-ava-1] [data-testid=decision-asked]").await;
        app.scroll_to("#transparency-title").await;
        app.screenshot("child-transparency").await;
        // The question is tracked with its deadline on the dashboard.
        app.click("[data-testid=back]").await;
        app.wait_text("[data-testid=tracker]", |t| t.contains("FreeGems4U")).await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_child_is_added_with_the_guardians_consent_and_appears_in_the_family() {
    let app = App::start("add-child").await;
    let result = async {
        app.settle().await;
        app.click("[data-testid=add-child-open]").await;
        app.wait_for("[data-testid=add-child-name]").await.send_keys("Lin").await.expect("type");
        // A date field's own widget differs by platform: set its value as the widget would.
        app.client
            .execute(
                "const input = document.querySelector('[data-testid=add-child-birthday]'); \
                 input.value = '2017-05-04'; input.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![],
            )
            .await
            .expect("set the birthday");
        app.click("[data-testid=add-child-submit]").await;
        app.wait_text("[data-testid=add-child-message]", |t| t.contains("Tick the consent box")).await;
        app.click("[data-testid=add-child-consent]").await;
        app.scroll_to("#add-child-title").await;
        app.screenshot("add-child").await;
        app.click("[data-testid=add-child-submit]").await;
        app.wait_text("[data-testid=add-child-message]", |t| t.contains("Lin was added.")).await;
        app.wait_text("[data-testid=children]", |t| t.contains("Lin")).await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn after_signing_out_the_guardian_signs_in_again_by_sms_then_links_wechat_and_signs_in_with_it() {
    let app = App::start("sms").await;
    let result = async {
        app.settle().await;
        app.click("[data-testid=sign-out]").await;
        app.click("[data-testid=sign-in-sms]").await;
        app.wait_for("input[name=phone]").await.send_keys("+8613800000001").await.expect("type");
        app.click("[data-testid=sign-in-submit]").await;
        let said = app.wait_text("[data-testid=sms-demo-code]", |t| t.contains("The code is")).await;
        let code: String = said.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(code.len(), 6, "{said}");
        app.screenshot("sign-in-sms").await;
        app.wait_for("[data-testid=sms-code]").await.send_keys(&code).await.expect("type");
        app.click("[data-testid=sign-in-submit]").await;
        app.wait_for("[data-child-id=c-leo]").await;

        // Link WeChat (agreed in the browser), then sign out and sign in with it.
        app.settle().await;
        app.wait_text("[data-testid=real-name]", |t| t.contains("verified")).await;
        app.click("[data-testid=identity-link-wechat]").await;
        app.wait_text("[data-testid=identities-message]", |t| t.contains("WeChat is linked")).await;
        app.wait_for("[data-testid=identity][data-provider=wechat][data-linked=true]").await;
        app.scroll_to("#identities-panel-title").await;
        app.screenshot("sign-in-methods").await;
        app.click("[data-testid=sign-out]").await;
        app.click("[data-testid=sign-in-with-wechat]").await;
        app.wait_for("[data-child-id=c-leo]").await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn a_pending_child_deletion_completes_after_its_cooling_off_and_the_child_is_gone_everywhere() {
    // A provider of the test's own, whose clock the test moves: Kai's deletion was asked for six
    // days ago, one day of cooling-off is left.
    let sandbox = guardian_sandbox::Sandbox::start(guardian_sandbox::Config {
        scenario: "deletion-pending".into(),
        ..guardian_sandbox::Config::default()
    })
    .await
    .expect("sandbox");
    let app = App::start_with_provider("deletion-pending", &sandbox.url()).await;
    let result = async {
        app.sign_in_as_demo_guardian("c-kai").await;
        app.settle().await;
        app.wait_text("[data-testid=tracked][data-kind=deletion]", |t| !t.is_empty()).await;

        // The cooling-off period passes on the provider; the app syncs (as it does on focus).
        sandbox.clock().advance(chrono::Duration::days(2));
        assert_eq!(invoke_from_web_view(&app.client, "sync_now", serde_json::json!({})).await, "allowed");
        app.client.execute("location.reload();", vec![]).await.expect("reload");
        app.wait_for("[data-child-id=c-rin]").await;
        app.settle().await;
        assert!(
            app.client.find(Locator::Css("[data-child-id=c-kai]")).await.is_err(),
            "Kai is gone from this computer"
        );
        let done =
            app.wait_text("[data-testid=tracked][data-kind=deletion]", |t| t.contains("Deleted")).await;
        assert!(done.contains("a deleted child account") && !done.contains("Kai"), "no name is kept: {done}");
        app.wait_for("[data-testid=tracked][data-kind=deletion] [data-testid=tracked-receipt]").await;
        assert!(!done.contains("overdue"), "{done}");
        app.scroll_to("[data-testid=tracker]").await;
        app.screenshot("deletion-completed").await;

        // The provider no longer has Kai.
        let http = reqwest::Client::new();
        let token = sign_in_over_http(&sandbox).await;
        let devices = http
            .get(format!("{}/v1/children/c-kai/devices", sandbox.url()))
            .bearer_auth(&token)
            .send()
            .await
            .expect("devices");
        assert_eq!(devices.status().as_u16(), 404);
    }
    .await;
    app.close().await;
    sandbox.stop().await;
    result
}

#[tokio::test]
async fn the_app_speaks_chinese_once_chosen_and_remembers_it() {
    let app = App::start("zh-cn").await;
    let result = async {
        app.settle().await;
        app.click("[data-testid=language] option[value=zh-CN]").await;
        app.wait_text("h1", |t| t == "Guardian 家长守护").await;
        let lang = app.client.execute("return document.documentElement.lang;", vec![]).await.expect("lang");
        assert_eq!(lang, "zh-CN");
        app.wait_text("#children-title", |t| !t.is_ascii()).await;
        app.screenshot("zh-CN/dashboard").await;

        // The choice outlives a reload (it is kept on this computer).
        app.client.execute("location.reload();", vec![]).await.expect("reload");
        app.wait_text("h1", |t| t == "Guardian 家长守护").await;

        app.open_child("c-leo").await;
        app.screenshot("zh-CN/child-requests-and-contacts").await;
        app.scroll_to("#profile-title").await;
        app.wait_text("#profile-title", |t| t == "资料").await;
        app.screenshot("zh-CN/child-profile").await;
        app.scroll_to("#settings-title").await;
        app.screenshot("zh-CN/child-settings").await;
        app.click("[data-testid=back]").await;
        app.settle().await;
        app.click("[data-testid=sign-out]").await;
        app.wait_text("#sign-in-title", |t| !t.is_ascii()).await;
        app.screenshot("zh-CN/sign-in").await;

        // And back to English.
        app.click("[data-testid=language] option[value=en]").await;
        app.wait_text("h1", |t| t == "Guardian").await;
    }
    .await;
    app.close().await;
    result
}

/// A wrong PIN answers in the guardian's language with the tries left, from the provider's code
/// and facts (not its English words); the lock after the fifth counts down on screen.
#[tokio::test]
async fn a_wrong_pin_in_chinese_says_the_tries_left_and_the_lock_counts_down() {
    let app = App::start("zh-pin").await;
    let result = async {
        app.settle().await;
        app.click("[data-testid=language] option[value=zh-CN]").await;
        app.wait_text("h1", |t| t == "Guardian 家长守护").await;
        app.open_child("c-leo").await;
        for left in [4, 3, 2, 1] {
            app.click("[data-request-id=fr-1] button").await;
            app.enter_pin("0000").await;
            let said =
                app.wait_text("[data-testid=outcome]", |t| t.contains(&format!("还剩 {left} 次机会"))).await;
            assert_eq!(said, format!("PIN 不正确。PIN 锁定前还剩 {left} 次机会。"));
        }
        app.screenshot("zh-CN/pin-incorrect").await;
        app.click("[data-request-id=fr-1] button").await;
        app.enter_pin("0000").await;
        let first = app.wait_text("[data-testid=outcome-countdown]", |t| t.contains("后重试")).await;
        assert!(first.starts_with("PIN 错误次数过多，已被锁定。请在 0:"), "{first}");
        assert!(!first.is_ascii() && !first.contains("too many"), "{first}");
        app.screenshot("zh-CN/pin-locked").await;
        let later = app.wait_text("[data-testid=outcome-countdown]", |t| t != first).await;
        assert!(later < first, "the lock counts down: {first:?} then {later:?}");
    }
    .await;
    app.close().await;
    result
}

/// Signs the demo guardian in to `sandbox` over plain HTTP (another device, as far as the provider
/// knows); returns the access token.
async fn sign_in_over_http(sandbox: &guardian_sandbox::Sandbox) -> String {
    sandbox
        .access_token(guardian_sandbox::DEMO_PHONE, guardian_sandbox::DEMO_PASSWORD)
        .await
        .expect("sign in")
}

/// The bodies of the desktop notifications the notification server (dunst) has shown, one line each.
fn desktop_notifications() -> String {
    let run = |args: &[&str]| {
        Command::new("dunstctl").args(args).output().expect("dunstctl (make e2e installs dunst)")
    };
    run(&["close-all"]);
    std::thread::sleep(Duration::from_millis(300));
    let history: serde_json::Value = serde_json::from_slice(&run(&["history"]).stdout).unwrap_or_default();
    let shown = history["data"][0].as_array().cloned().unwrap_or_default();
    shown.iter().filter_map(|n| n["body"]["data"].as_str()).map(|b| format!("{b}\n")).collect()
}

#[tokio::test]
async fn a_new_security_notice_is_shown_once_as_a_desktop_notification() {
    let sandbox =
        guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await.expect("sandbox");
    let app = App::start_with_provider("desktop-notify", &sandbox.url()).await;
    // Other tests share this notification server: count what this one adds.
    let count = |text: &str| desktop_notifications().matches(text).count();
    let (requests, sign_ins) = ("Oliver wants to be", "Security: New sign-in to your account");
    let (requests_before, sign_ins_before) = (count(requests), count(sign_ins));
    let result = async {
        app.sign_in_as_demo_guardian("c-leo").await;
        app.settle().await;
        app.wait_for("[data-testid=notifications-unread]").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        // What was there at first use waits in the centre: no burst of pop-ups.
        assert_eq!(count(requests), requests_before, "nothing announced at first use");
        assert_eq!(count(sign_ins), sign_ins_before, "nothing announced at first use");

        // Someone signs in to the guardian's account elsewhere: the provider posts a security notice.
        sign_in_over_http(&sandbox).await;
        app.client.execute("location.reload();", vec![]).await.expect("reload");
        app.settle().await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while count(sign_ins) == sign_ins_before {
            assert!(Instant::now() < deadline, "no desktop notification was shown");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // Loading the centre again shows nothing twice.
        app.client.execute("location.reload();", vec![]).await.expect("reload");
        app.settle().await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(count(sign_ins), sign_ins_before + 1, "shown once");
    }
    .await;
    app.close().await;
    sandbox.stop().await;
    result
}

/// A contact's name is text in a desktop notification: the markup a hostile contact puts in
/// their name arrives escaped at the real notification server (dunst reads markup), so it shows
/// as those characters and is no link.
#[tokio::test]
async fn a_requester_named_with_markup_reaches_the_notification_server_as_text() {
    let sandbox =
        guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await.expect("sandbox");
    let app = App::start_with_provider("notify-markup", &sandbox.url()).await;
    let hostile = r#"<a href="https://example.invalid/approve">Approve here</a>"#;
    let result = async {
        app.sign_in_as_demo_guardian("c-leo").await;
        app.settle().await;
        app.wait_for("[data-testid=notifications-unread]").await;
        sandbox.add_friend_request("c-leo", hostile).await.expect("a new request");
        let deadline = Instant::now() + Duration::from_secs(30);
        let line = loop {
            if let Some(line) = desktop_notifications().lines().find(|l| l.contains("Approve here")) {
                break line.to_owned();
            }
            assert!(Instant::now() < deadline, "the request was never announced");
            app.client.refresh().await.expect("reload");
            app.settle().await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        assert!(line.contains("&lt;a href=&quot;https://example.invalid/approve&quot;&gt;"), "{line}");
        assert!(!line.contains("<a "), "markup reached the server unescaped: {line}");
    }
    .await;
    app.close().await;
    sandbox.stop().await;
    result
}

/// The app's process: the `guardian-desktop` whose environment holds this test's data folder.
fn app_pid(app: &App) -> Option<u32> {
    let marker = format!("GUARDIAN_DATA_DIR={}\0", app._data.path().display());
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
        let environ = std::fs::read(entry.path().join("environ")).ok()?;
        (exe.file_name()? == "guardian-desktop" && String::from_utf8_lossy(&environ).contains(&marker))
            .then_some(pid)
    })
}

/// The app's tray icon as a desktop's tray reads it over D-Bus: the StatusNotifierItem that
/// libayatana-appindicator exports for it, with its label (the unread count) and its menu's text.
fn tray_item(pid: u32) -> Option<(String, String)> {
    // The connection found to hold the item, by app: asked first next time.
    static FOUND: std::sync::Mutex<Option<(u32, String)>> = std::sync::Mutex::new(None);
    let remembered = FOUND.lock().ok()?.clone().filter(|(owner, _)| *owner == pid);
    if let Some(item) = remembered.and_then(|(_, name)| tray_item_on(&name)) {
        return Some(item);
    }
    let bus = ["--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method"];
    let names = gdbus(&[&bus[..], &["org.freedesktop.DBus.ListNames"]].concat())?;
    names.split('\'').filter(|name| name.starts_with(':')).find_map(|name| {
        // Only the connections of this test's app (an earlier app may still be exiting).
        let owner = gdbus(&[&bus[..], &["org.freedesktop.DBus.GetConnectionUnixProcessID", name]].concat())?;
        if owner.trim() != format!("(uint32 {pid},)") {
            return None;
        }
        let item = tray_item_on(name)?;
        *FOUND.lock().ok()? = Some((pid, name.to_owned()));
        Some(item)
    })
}

/// The tray item's label and menu on one D-Bus connection, if it holds the item.
fn tray_item_on(name: &str) -> Option<(String, String)> {
    const ITEM: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_guardian";
    let get = ["org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierItem", "XAyatanaLabel"];
    let label = gdbus(&[&["--dest", name, "--object-path", ITEM, "--method"][..], &get].concat())?;
    let menu_path = format!("{ITEM}/Menu");
    let layout = ["com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "[]"];
    let menu = gdbus(&[&["--dest", name, "--object-path", &menu_path, "--method"][..], &layout].concat())?;
    Some((label.split('\'').nth(1).unwrap_or_default().to_owned(), menu))
}

/// One `gdbus call` on the session bus; its answer, if it succeeded. An app's connection that
/// reads only when it calls out itself never answers, and would hold the call for gdbus's default
/// 25 s: two seconds is plenty for one that does answer.
fn gdbus(args: &[&str]) -> Option<String> {
    let out = Command::new("gdbus").args(["call", "--session", "--timeout", "2"]).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Waits until the app's tray icon's label and menu satisfy `test`; returns the menu's text.
async fn wait_tray(app: &App, test: impl Fn(&str, &str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = app_pid(app).and_then(tray_item);
        if let Some((label, menu)) = &seen
            && test(label, menu)
        {
            return menu.clone();
        }
        assert!(Instant::now() < deadline, "the tray icon never showed it; last seen: {seen:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn the_tray_icon_counts_unread_notifications_and_clears_once_they_are_read() {
    let app = App::start("tray").await;
    let result = async {
        // The window's count is read again on every try: a sync just after start may add to it.
        let deadline = Instant::now() + Duration::from_secs(20);
        let (count, menu) = loop {
            let unread = app.wait_text("[data-testid=notifications-unread]", |t| !t.trim().is_empty()).await;
            let count: String = unread.chars().filter(char::is_ascii_digit).collect();
            assert!(!count.is_empty() && count != "0", "the demo family has unread notifications: {unread}");
            let seen = app_pid(&app).and_then(tray_item);
            if let Some((label, menu)) = seen.clone()
                && label == count
            {
                break (count, menu);
            }
            assert!(
                Instant::now() < deadline,
                "the tray icon never showed {count} ({unread:?}); last seen: {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        assert!(menu.contains(&format!("{count} new notification")), "{menu}");
        assert!(menu.contains("Open Guardian") && menu.contains("Quit Guardian"), "{menu}");
        // The icon's files are in the app's own cache folder, the user's alone, not in /tmp.
        let tray = app._data.path().join("cache/org.guardian.desktop/tray");
        let icons: Vec<_> = std::fs::read_dir(&tray).map(|d| d.flatten().collect()).unwrap_or_default();
        assert!(!icons.is_empty(), "the tray's icon files are in {}", tray.display());
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&tray).expect("tray folder").permissions(),
        );
        assert_eq!(mode & 0o777, 0o700, "the tray folder is the user's alone");

        app.settle().await;
        app.click("[data-testid=notifications-open]").await;
        app.wait_for("[data-testid=notifications-read-all]").await;
        app.click("[data-testid=notifications-read-all]").await;
        // The window says so first; the tray follows.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // Counted, not read: the badge may vanish between finding it and reading it.
            let shown = app.client.find_all(Locator::Css("[data-testid=notifications-unread]")).await;
            if shown.map_or(0, |found| found.len()) == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the window still counts unread items");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let menu = wait_tray(&app, |label, _| label.is_empty()).await;
        assert!(menu.contains("No new notifications"), "{menu}");
    }
    .await;
    app.close().await;
    result
}

/// A profile picture to choose (96 × 96 PNG).
const PICTURE: &[u8] = include_bytes!("fixtures/avatar.png");

/// Hands a file to an `<input type=file>` as if the guardian had picked it in the file chooser
/// (which WebDriver cannot drive), and fires its `change` event.
async fn choose_file(client: &Client, css: &str, name: &str, content_type: &str, bytes: &[u8]) {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let script = "const [css, name, type, data] = arguments; \
                  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0)); \
                  const files = new DataTransfer(); files.items.add(new File([bytes], name, { type })); \
                  const input = document.querySelector(css); input.files = files.files; \
                  input.dispatchEvent(new Event('change', { bubbles: true }));";
    client
        .execute(script, vec![css.into(), name.into(), content_type.into(), data.into()])
        .await
        .expect("choose a file");
}

/// How many pixels of the canvas are painted (not transparent).
async fn painted_pixels(client: &Client, css: &str) -> u64 {
    let script = "const c = document.querySelector(arguments[0]); \
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
                  let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n;";
    client.execute(script, vec![css.into()]).await.expect("count pixels").as_u64().unwrap_or(0)
}

#[tokio::test]
async fn activity_is_charted_with_a_table_and_the_pin_and_approval_mode_are_changed() {
    let app = App::start("settings").await;
    let result = async {
        app.open_child("c-leo").await;
        // The demo family has 14 days of activity: one row per day, and a chart that is drawn.
        app.wait_for("[data-testid=activity-row]").await;
        assert_eq!(texts(&app.client, "[data-testid=activity-row]").await.len(), 14);
        let deadline = Instant::now() + Duration::from_secs(10);
        while painted_pixels(&app.client, "[data-testid=activity-chart]").await < 1000 {
            assert!(Instant::now() < deadline, "the activity chart was never drawn");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.click("[data-testid=activity-by-week]").await;
        let weeks = texts(&app.client, "[data-testid=activity-row] th").await;
        assert!((2..=3).contains(&weeks.len()) && weeks[0].starts_with("Week of"), "{weeks:?}");
        app.scroll_to("#activity-title").await;
        app.screenshot("child-activity").await;

        // Change the PIN (1234 → 4321); the new one then approves a friend request.
        app.wait_for("[data-testid=pin-current]").await.send_keys("1234").await.expect("type");
        app.wait_for("[data-testid=pin-new]").await.send_keys("4321").await.expect("type");
        app.wait_for("[data-testid=pin-confirm]").await.send_keys("4321").await.expect("type");
        app.click("[data-testid=pin-save]").await;
        app.wait_text("[data-testid=settings-message]", |t| t == "The parental PIN was saved.").await;
        app.click("[data-request-id=fr-1] button").await;
        app.enter_pin("4321").await;
        app.wait_text("[data-testid=outcome]", |t| t == "Done.").await;

        // Give Leo's country: the planner then shows Germany's digital age of consent (16),
        // and contacts still see only the name and ID.
        app.click("[data-testid=profile-country] option[value=DE]").await;
        app.click("[data-testid=profile-save]").await;
        app.wait_text("[data-testid=profile-message]", |t| t.starts_with("Saved.")).await;
        app.wait_for("[data-testid=threshold][data-rule=gdpr]").await;
        let public = app.wait_text("[data-testid=public-profile]", |t| t.contains("ID c-leo")).await;
        assert!(!public.contains("Germany") && !public.contains("2016"), "{public}");

        // Choose a profile picture (a 96 px PNG, handed to the file input as a guardian's pick
        // would be): the web view makes it a 256 px square, the provider keeps it, and the cached
        // copy is what contacts are shown to see.
        choose_file(&app.client, "[data-testid=picture-input]", "leo.png", "image/png", PICTURE).await;
        app.wait_text("[data-testid=profile-message]", |t| t.contains("Contacts now see the new picture"))
            .await;
        let avatar = app.wait_for("[data-testid=public-avatar]").await;
        let side = app
            .client
            .execute(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0;",
                vec![serde_json::to_value(&avatar).expect("element")],
            )
            .await
            .expect("picture size");
        assert_eq!(side, 256, "the picture is sent as a 256 px square");
        app.scroll_to("#profile-title").await;
        app.screenshot("child-profile").await;

        // Let the child add friends alone, and let no one find them: the provider holds both.
        app.click("[data-testid=approval-child_may_add]").await;
        // Only the guardian switches approvals off (with the PIN just set): the dialog says why.
        app.wait_text("[data-testid=pin-explain]", |t| t.contains("Changing how Leo's friends are approved"))
            .await;
        app.screenshot("pin-dialog-mode").await;
        app.enter_pin("4321").await;
        app.wait_text("[data-testid=settings-message]", |t| t.contains("without your PIN")).await;
        app.click("[data-testid=discovery-nobody]").await;
        app.wait_text("[data-testid=settings-message]", |t| t.contains("no one can find Leo")).await;
        app.scroll_to("#settings-title").await;
        app.screenshot("child-settings").await;
        app.click("[data-testid=back]").await;
        app.wait_text("[data-child-id=c-leo]", |t| t.contains("May add friends alone")).await;
        app.wait_for("[data-child-id=c-leo] [data-testid=card-avatar]").await;
    }
    .await;
    app.close().await;
    result
}

#[tokio::test]
async fn co_guardians_must_all_approve_and_an_invitation_brings_a_child_into_the_family() {
    let app = App::start_with_scenario("co-guardians", "co-guardians").await;
    let result = async {
        // Jun invited the demo guardian to look after Kai as well.
        app.wait_text("[data-testid=invites]", |t| t.contains("Jun Chen invites you to look after Kai too."))
            .await;
        app.screenshot("guardian-invitation").await;
        app.click("[data-invite-id=gi-kai] [data-testid=invite-accept]").await;
        app.wait_for("[data-child-id=c-kai]").await;

        // Leo's guardians must all approve; nobody has approved Mila yet.
        app.open_child("c-leo").await;
        let guardians = app.wait_text("[data-testid=guardian-list]", |t| t.contains("Jun Chen")).await;
        assert!(guardians.contains("Demo Guardian"), "{guardians}");
        app.click("[data-request-id=fr-2] button").await;
        app.enter_pin("1234").await;
        app.wait_text("[data-testid=outcome]", |t| t.contains("other guardians must approve too")).await;
        app.wait_text("[data-request-id=fr-2] [data-testid=request-status]", |t| {
            t.contains("Approved by Demo Guardian")
        })
        .await;
        // Every guardian reads who decided what.
        app.wait_text("[data-testid=decision-log]", |t| {
            t.contains("Approved (waiting for the others) the request from Mila")
        })
        .await;
        app.scroll_to("#guardians-title").await;
        app.screenshot("child-guardians").await;
        let violations = axe_violations(&app.client).await;
        assert!(violations.is_empty(), "serious or critical accessibility violations: {violations:#?}");

        // Deleting Leo's account: Jun is named before anything is submitted, and asked after.
        app.click("[data-testid=privacy-open]").await;
        app.click("[data-testid=delete-account]").await;
        app.click("[data-testid=wizard-next]").await;
        let note = app.wait_text("[data-testid=deletion-co-guardians]", |t| !t.is_empty()).await;
        assert!(note.contains("Jun Chen will be asked"), "{note}");
        app.click("[data-testid=wizard-next]").await;
        let password = app.demo_password().await;
        app.wait_for("[data-testid=deletion-password]").await.send_keys(&password).await.expect("password");
        app.wait_for("[data-testid=deletion-pin]").await.send_keys("1234").await.expect("pin");
        app.click("[data-testid=wizard-next]").await;
        app.wait_for("[data-testid=deletion-typed-name]").await.send_keys("Leo").await.expect("type");
        app.click("[data-testid=deletion-submit]").await;
        app.wait_text("[data-testid=deletion-agreements]", |t| t.contains("Waiting for Jun Chen to agree"))
            .await;
        app.screenshot("deletion-waiting-for-co-guardian").await;
    }
    .await;
    app.close().await;
    result
}

/// The fault matrix in the real app: for each way the provider can fail, the window keeps the
/// cached family and says why in the catalogue's words; an approval (with the PIN), a denial, a
/// block or unblock and a removal made meanwhile wait on this computer and say so; once the
/// fault has passed each reaches the provider, once.
#[tokio::test]
async fn a_failing_provider_shows_the_cache_with_why_and_loses_no_decision_in_the_app() {
    use guardian_sandbox::{Fault, FaultKind};
    let config =
        guardian_sandbox::Config { scenario: "fault-drill".into(), ..guardian_sandbox::Config::default() };
    let sandbox = guardian_sandbox::Sandbox::start(config).await.expect("sandbox");
    let app = App::start_with_env(
        "faults",
        &[("GUARDIAN_PROVIDER_URL", &sandbox.url()), ("GUARDIAN_REQUEST_TIMEOUT", "2")],
    )
    .await;
    let result = async {
        app.sign_in_as_demo_guardian("c-leo").await;
        let mut blocked = false;
        for (k, (name, kind)) in FaultKind::all().into_iter().enumerate() {
            let n = k + 1;
            // The words the window must use (English catalogue, `status.why.*`).
            let why = match &kind {
                FaultKind::RateLimited { .. } => "slow down",
                FaultKind::Latency { .. } => "did not answer in time",
                FaultKind::Unavailable
                | FaultKind::Status { .. }
                | FaultKind::HtmlError { .. }
                | FaultKind::LoseResponse => "server error",
                _ => "cut off or unreadable",
            };
            app.settle().await;
            // Each fault lasts until the step clears it: the app's own background syncs (every
            // minute, and on a push) may meet it first.
            sandbox.inject(Fault { times: u32::MAX, ..Fault::once("/v1/changes", kind.clone()) });
            let banner =
                app.click_until("[data-testid=sync-now]", "[data-testid=offline]", |t| t.contains(why)).await;
            assert!(banner.contains("Offline"), "{name}: {banner}");
            if name == "503" {
                app.client.execute("window.scrollTo(0, 0);", vec![]).await.expect("scroll");
                app.screenshot("provider-unavailable").await;
            }
            app.wait_for("[data-child-id=c-leo]").await;
            sandbox.clear_faults();

            // Decisions while the provider fails wait on this computer and say why.
            let (approve, deny, remove) =
                (format!("fr-a{n:02}"), format!("fr-d{n:02}"), format!("u-r{n:02}"));
            for path in [
                format!("/v1/children/c-leo/friend-requests/{approve}"),
                format!("/v1/children/c-leo/friend-requests/{deny}"),
                "/v1/children/c-leo/contacts/u-adam".to_owned(),
                format!("/v1/children/c-leo/contacts/{remove}"),
            ] {
                sandbox.inject(Fault { times: u32::MAX, ..Fault::once(&path, kind.clone()) });
            }
            app.open_child("c-leo").await;
            if let Ok(all) = app.client.find(Locator::Css("[data-testid=requests-show-all]")).await {
                all.click().await.expect("show every request");
            }
            app.click(&format!("[data-request-id={approve}] button")).await;
            app.enter_pin("1234").await;
            let outcome =
                app.wait_text("[data-testid=outcome]", |t| t.contains("Saved on this computer")).await;
            assert!(outcome.contains(why), "{name}: {outcome}");
            let queued = |id: &str| format!("[data-request-id={id}] [data-testid=request-status]");
            app.wait_text(&queued(&approve), |t| t.contains("will be sent when online")).await;
            app.click(&format!("[data-request-id={deny}] .actions button:last-child")).await;
            app.wait_text(&queued(&deny), |t| t.contains("will be sent when online")).await;
            app.click("[data-contact-id=u-adam] button").await;
            if blocked {
                // Lifting a block is the guardian's alone: the child's PIN goes with it.
                app.enter_pin("1234").await;
            }
            app.wait_text("[data-contact-id=u-adam]", |t| t.contains("will be sent when online")).await;
            app.click(&format!("[data-contact-id={remove}] [data-testid=contact-remove]")).await;
            app.click(&format!("[data-contact-id={remove}] [data-testid=contact-remove-confirm]")).await;
            app.wait_text(&format!("[data-contact-id={remove}]"), |t| t.contains("will be sent when online"))
                .await;
            // An export needs the provider: it says why it could not be made, and saves nothing.
            sandbox
                .inject(Fault { times: u32::MAX, ..Fault::once("/v1/children/c-leo/exports", kind.clone()) });
            app.click("[data-testid=privacy-open]").await;
            // The panel has loaded (its consents are shown) before the export is asked for, so
            // the click cannot land on a button that is about to be drawn again.
            app.wait_for("[data-testid=privacy-panel] [data-testid=consent-state]").await;
            let failed = app
                .click_until("[data-testid=export-button]", "[data-testid=export-error]", |t| !t.is_empty())
                .await;
            assert!(failed.contains(why), "{name}: export: {failed}");
            let saved = std::fs::read_dir(app.downloads()).map(|d| d.count()).unwrap_or(0);
            assert_eq!(saved, 0, "{name}: nothing saved");
            app.click("[data-testid=back]").await;
            let waiting = app.wait_text("[data-testid=pending-summary]", |t| !t.is_empty()).await;
            assert!(waiting.contains("4 decisions waiting"), "{name}: {waiting}");
            if name == "503" {
                app.client.execute("window.scrollTo(0, 0);", vec![]).await.expect("scroll");
                app.screenshot("decisions-waiting").await;
            }

            // The fault passes: the next sync sends them, once each.
            sandbox.clear_faults();
            blocked = !blocked;
            let want_adam = if blocked { "blocked" } else { "approved" };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                assert_eq!(
                    invoke_from_web_view(&app.client, "sync_now", serde_json::json!({})).await,
                    "allowed"
                );
                let now = (
                    sandbox_request_status(&sandbox, &approve).await,
                    sandbox_request_status(&sandbox, &deny).await,
                    sandbox_contact_status(&sandbox, "c-leo", "u-adam").await,
                    sandbox_contact_status(&sandbox, "c-leo", &remove).await,
                );
                if now == ("approved".into(), "denied".into(), want_adam.into(), String::new()) {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{name}: the decisions never all reached the provider: {now:?}"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            app.client.refresh().await.expect("reload");
            app.wait_for("[data-child-id=c-leo]").await;

            // The access token has expired at the provider and the refresh fails: the cache is
            // shown with why, the guardian stays signed in, and the next sync works.
            app.settle().await;
            sandbox.clock().advance(chrono::Duration::minutes(20));
            sandbox.inject(Fault { times: u32::MAX, ..Fault::once("/v1/auth/refresh", kind.clone()) });
            app.click_until("[data-testid=sync-now]", "[data-testid=offline]", |t| t.contains(why)).await;
            sandbox.clear_faults();
            app.click("[data-testid=sync-now]").await;
            let deadline = Instant::now() + Duration::from_secs(20);
            while app.client.find(Locator::Css("[data-testid=offline]")).await.is_ok() {
                assert!(Instant::now() < deadline, "{name}: still offline after the refresh fault passed");
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            app.wait_for("[data-child-id=c-leo]").await;

            // Signing in while the provider fails says why and keeps nothing half-done.
            app.click("[data-testid=sign-out]").await;
            sandbox.inject(Fault { times: u32::MAX, ..Fault::once("/v1/auth/password", kind.clone()) });
            app.sign_in_as_demo_guardian_expecting("[data-testid=sign-in-error]").await;
            let refused = app.wait_text("[data-testid=sign-in-error]", |t| !t.is_empty()).await;
            assert!(refused.contains(why), "{name}: sign-in: {refused}");
            sandbox.clear_faults();
            app.sign_in_as_demo_guardian("c-leo").await;
        }
        let applied = sandbox.applied_mutations().await.expect("mutations");
        // Four decisions per fault; an export asked for while its answer was lost is no decision.
        let applied: Vec<_> =
            applied.into_iter().filter(|(key, _)| !key.starts_with("guardian-export-")).collect();
        assert_eq!(applied.len(), 4 * FaultKind::all().len(), "four decisions per fault: {applied:?}");
        assert!(applied.iter().all(|(_, n)| *n == 1), "none applied twice: {applied:?}");
        app.check_cache_integrity(&sandbox.url()).await;
    }
    .await;
    app.close().await;
    sandbox.stop().await;
    result
}

/// A friend request's status at the provider (`pending`, `approved`, `denied`, …).
async fn sandbox_request_status(sandbox: &guardian_sandbox::Sandbox, request: &str) -> String {
    sandbox_item_status(sandbox, "/v1/children/c-leo/friend-requests", "id", request).await
}

/// A contact's status at the provider (empty when the contact is gone).
async fn sandbox_contact_status(sandbox: &guardian_sandbox::Sandbox, child: &str, contact: &str) -> String {
    sandbox_item_status(sandbox, &format!("/v1/children/{child}/contacts"), "contact_id", contact).await
}

/// The `status` of the item whose `key` is `id` in the provider's list at `path` (empty: none).
async fn sandbox_item_status(sandbox: &guardian_sandbox::Sandbox, path: &str, key: &str, id: &str) -> String {
    let token = sign_in_over_http(sandbox).await;
    let list: serde_json::Value = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item[key] == id)
        .and_then(|item| item["status"].as_str())
        .unwrap_or_default()
        .to_owned()
}
