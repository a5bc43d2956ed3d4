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

#[tokio::test]
async fn the_dashboard_lists_the_demo_family_from_the_embedded_provider() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().to_str().expect("utf-8 path").to_owned();
    let service = format!("guardian-e2e-{}", std::process::id());
    let driver = Driver::start(&[("GUARDIAN_DATA_DIR", &data_dir), ("GUARDIAN_KEYRING_SERVICE", &service)]);
    let client = connect(&driver).await;

    let result = async {
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("[data-testid=child-card]"))
            .await
            .expect("child cards appear");
        let names = texts(&client, "[data-testid=child-name]").await;
        assert_eq!(names, ["Ava", "Leo", "Mei"], "the demo family, in the real web view");
        let provider = texts(&client, "[data-testid=provider]").await.join(" ");
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
    client.close().await.expect("close session");
    drop(driver);
    result
}
