//! End-to-end: the real desktop binary, driven over W3C WebDriver (tauri-driver + WebKitWebDriver)
//! under Xvfb. Needs a display, tauri-driver and a keyring: `make e2e` provides all three.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// tauri-driver in its own process group, ended as a group so no WebKitWebDriver is orphaned.
struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    /// `env` reaches the app: tauri-driver → WebKitWebDriver → the app inherit it.
    fn start(env: &[(&str, &str)]) -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests through `make e2e` (it starts Xvfb)"
        );
        let port = free_port();
        let native = free_port();
        let process = std::os::unix::process::CommandExt::process_group(
            Command::new("tauri-driver").args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ]),
            0,
        )
        .envs(env.iter().copied())
        .env_remove("GUARDIAN_PROVIDER_URL")
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("tauri-driver must be installed (make e2e installs it)");
        Self { process, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

async fn connect(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": env!("CARGO_BIN_EXE_guardian-desktop") }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url).await {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(250)).await,
            Err(error) => panic!("could not start a WebDriver session: {error}"),
        }
    }
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
    _data: tempfile::TempDir,
    driver: Driver,
    client: Client,
}

impl App {
    async fn start(tag: &str) -> Self {
        Self::start_with_scenario(tag, "demo-family").await
    }

    async fn start_with_scenario(tag: &str, scenario: &str) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
        let service = format!("guardian-e2e-{}-{tag}", std::process::id());
        let driver = Driver::start(&[
            ("GUARDIAN_DATA_DIR", &data_dir),
            ("GUARDIAN_KEYRING_SERVICE", &service),
            ("GUARDIAN_DEMO_SCENARIO", scenario),
        ]);
        let client = connect(&driver).await;
        Self { _data: data, driver, client }
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
            std::fs::create_dir_all(&dir).expect("screenshot folder");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
                .expect("save screenshot");
        }
    }

    async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
    }
}

#[tokio::test]
async fn approving_a_friend_request_asks_for_the_pin_and_reaches_the_provider() {
    let app = App::start("pin").await;
    let result = async {
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
    }
    .await;
    app.close().await;
    result
}
