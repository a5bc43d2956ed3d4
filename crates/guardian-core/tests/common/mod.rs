//! A sandbox provider with a database file (so it can be stopped and started again on the same
//! port), and an engine signed in to it with an injected clock.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use guardian_core::{Engine, ProviderChoice, Secret, Settings};
use guardian_domain::FixedClock;
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Sandbox};

pub struct World {
    pub sandbox: Option<Sandbox>,
    pub addr: SocketAddr,
    provider_db: tempfile::TempDir,
    data: tempfile::TempDir,
    pub clock: Arc<FixedClock>,
    pub engine: Engine,
}

async fn sandbox_at(addr: SocketAddr, db: &Path, scenario: &str) -> Sandbox {
    let config = Config {
        addr,
        database: Some(db.join("provider.db")),
        scenario: scenario.into(),
        ..Config::default()
    };
    Sandbox::start(config).await.expect("sandbox")
}

impl World {
    pub async fn new() -> Self {
        Self::with_timeout(guardian_client::DEFAULT_TIMEOUT).await
    }

    pub async fn with_timeout(request_timeout: std::time::Duration) -> Self {
        Self::build("demo-family", request_timeout).await
    }

    pub async fn with_scenario(scenario: &str) -> Self {
        Self::build(scenario, guardian_client::DEFAULT_TIMEOUT).await
    }

    async fn build(scenario: &str, request_timeout: std::time::Duration) -> Self {
        let provider_db = tempfile::tempdir().expect("temp dir");
        let sandbox = sandbox_at(SocketAddr::from(([127, 0, 0, 1], 0)), provider_db.path(), scenario).await;
        let addr = sandbox.addr();
        let data = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let settings = Settings {
            provider: Some(ProviderChoice::Url(sandbox.url())),
            data_dir: data.path().to_owned(),
            keyring_service: "unused".into(),
            use_keyring: false,
            request_timeout,
        };
        let engine = Engine::start_with_clock(settings, clock.clone()).await.expect("engine");
        engine.sign_in(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
        Self { sandbox: Some(sandbox), addr, provider_db, data, clock, engine }
    }

    /// Moves both clocks (the provider's and this computer's) forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.sandbox().clock().advance(by);
        self.clock.advance(by);
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox.as_ref().expect("sandbox running")
    }

    pub async fn go_offline(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.stop().await;
        }
    }

    pub async fn come_back(&mut self) {
        // The database is already seeded: the scenario is not applied again.
        self.sandbox = Some(sandbox_at(self.addr, self.provider_db.path(), "demo-family").await);
    }

    pub async fn request_status(
        &self,
        child: &str,
        id: &str,
    ) -> (String, Option<guardian_core::DecisionKind>) {
        let requests = self.engine.friend_requests(child).await.expect("requests");
        let r = requests.into_iter().find(|r| r.id == id).expect("request listed");
        (r.status.as_str().to_owned(), r.queued)
    }
}

/// Every file below `dir` (unreadable folders are skipped).
pub fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Whether `needle` occurs in `haystack` as plain bytes.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
