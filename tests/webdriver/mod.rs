//! The WebDriver harness the desktop end-to-end tests and the desktop benchmark share:
//! tauri-driver (and the WebKitWebDriver it starts) in a process group of its own, ended as a
//! group so none is orphaned, and a session that launches the app.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

pub struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    /// `env` reaches the app (tauri-driver → WebKitWebDriver → the app inherit it); the
    /// provider setting of the calling shell is cleared first, so only `env` chooses one.
    pub fn start<V: AsRef<OsStr>>(env: &[(&str, V)], stderr: Stdio) -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run through `make e2e` or `make bench-desktop` (they start Xvfb)"
        );
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
        .env_remove("GUARDIAN_PROVIDER_URL")
        .env_remove("GUARDIAN_PROVIDER")
        .envs(env.iter().map(|(k, v)| (*k, v.as_ref())))
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .stdout(Stdio::null())
        .stderr(stderr)
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

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A WebDriver session, which launches `binary`; asks again every `poll` until the driver
/// answers (at most 30 s).
pub async fn session(driver: &Driver, binary: &Path, poll: Duration) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), serde_json::json!({ "application": binary }));
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url).await {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(poll).await,
            Err(error) => panic!("could not start a WebDriver session: {error}"),
        }
    }
}
