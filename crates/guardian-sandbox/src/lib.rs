//! The reference provider sandbox: a real HTTP server (axum) over a real database (SQLite via
//! sqlx) that behaves like a careful production provider. Tests, the embedded demo and support
//! staff run every Guardian flow against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), guardian_sandbox::SandboxError> {
//! let sandbox = guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await?;
//! println!("provider at {}", sandbox.url());
//! # Ok(()) }
//! ```

mod admin;
mod auth;
mod avatar;
mod care;
mod child_settings;
pub mod command;
mod contacts;
mod data;
mod decision_log;
mod error;
mod exports;
mod faults;
mod feed;
mod friend_requests;
mod guardians;
mod guessing;
mod host;
mod idempotency;
mod identity;
mod ownership;
mod paging;
mod pin;
mod preconditions;
mod profile;
mod proposals;
mod push;
mod requests;
mod rights;
mod routes;
mod scenario;
mod sms;
mod transparency;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::response::IntoResponse as _;
use guardian_domain::{Clock, SystemClock};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use admin::SandboxClock;
pub use error::SandboxError;
pub use faults::{Fault, FaultKind};
pub use guessing::SignInLimits;
pub use scenario::{DEMO_PASSWORD, DEMO_PHONE, DEMO_PIN, SCENARIOS, Scenario};

/// The provider API contract (`api/openapi.yaml`), also served at `/v1/openapi.yaml`.
pub const OPENAPI: &str = include_str!("../../../api/openapi.yaml");

/// How to start a sandbox.
pub struct Config {
    /// The seed scenario (see [`SCENARIOS`]).
    pub scenario: String,
    /// Where to listen; port 0 picks a free one. Always loopback unless changed on purpose.
    pub addr: SocketAddr,
    /// A database file; `None` keeps everything in memory.
    pub database: Option<std::path::PathBuf>,
    pub clock: Arc<dyn Clock>,
    /// Serve the admin endpoints (`/admin/...`: move the clock, compact the feed). Only ever on
    /// a loopback address.
    pub admin: bool,
    /// Failed password sign-ins allowed before each try must wait (see `SignInLimits`).
    pub sign_in_limits: SignInLimits,
    /// Every seeded guardian's password instead of the scenario's well-known one (the embedded
    /// demo gives its guardian a random one, so nothing else on the computer can sign in).
    pub guardian_password: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            scenario: "demo-family".into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: None,
            clock: Arc::new(SystemClock),
            admin: false,
            sign_in_limits: SignInLimits::default(),
            guardian_password: None,
        }
    }
}

/// Shared state of the running server.
#[derive(Clone)]
pub(crate) struct AppState {
    pub db: SqlitePool,
    pub clock: Arc<SandboxClock>,
    /// Serialises mutations (the sandbox favours simple, strict semantics over throughput).
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
    pub faults: Arc<faults::Faults>,
    /// The guardian whose data just changed, for the push stream.
    pub pushes: tokio::sync::broadcast::Sender<String>,
    /// Keys idempotency fingerprints (see `idempotency`).
    pub fingerprint_key: Arc<Vec<u8>>,
    pub sign_in_limits: SignInLimits,
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    clock: Arc<SandboxClock>,
    state: AppState,
    /// The default database's folder, removed when the sandbox is dropped.
    _temp_dir: Option<tempfile::TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Creates the database, seeds the scenario and starts serving.
    pub async fn start(config: Config) -> Result<Self, SandboxError> {
        let mut scenario = Scenario::named(&config.scenario)?;
        if let Some(password) = &config.guardian_password {
            scenario.set_passwords(password);
        }
        let (db, temp_dir) = open_database(config.database.as_deref()).await?;
        let clock = Arc::new(SandboxClock::new(config.clock));
        // A database file that already holds a family (a restarted sandbox) is not seeded again.
        let (families,): (i64,) = sqlx::query_as("SELECT count(*) FROM guardians").fetch_one(&db).await?;
        if families == 0 {
            scenario.seed(&db, clock.now()).await?;
        }
        let state = AppState {
            db: db.clone(),
            clock: clock.clone(),
            write_lock: Arc::default(),
            faults: Arc::default(),
            pushes: tokio::sync::broadcast::channel(256).0,
            fingerprint_key: Arc::new(idempotency::fingerprint_key(&db).await?),
            sign_in_limits: config.sign_in_limits,
        };
        if config.admin && !config.addr.ip().is_loopback() {
            return Err(SandboxError::Config(
                "the sandbox admin endpoints may only be served on a loopback address".into(),
            ));
        }

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| SandboxError::Config(format!("binding {}: {e}", config.addr)))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let api = routes::router(state.clone())
            .layer(axum::middleware::from_fn_with_state(state.clone(), proposals::settle))
            .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::fingerprint))
            .layer(axum::middleware::from_fn_with_state(state.clone(), faults::middleware))
            .layer(axum::middleware::from_fn(run_to_completion));
        let app = if config.admin { api.merge(admin::router(state.clone())) } else { api };
        let app = match addr.ip().is_loopback() {
            true => app.layer(axum::middleware::from_fn_with_state(addr.port(), host::loopback_only)),
            false => app,
        };
        let task = tokio::spawn(async move {
            // The peer's address is known to handlers (sign-in counts failures per address).
            let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, scenario = %scenario.name, "sandbox provider listening");
        Ok(Self { addr, clock, state, shutdown: Some(tx), task, _temp_dir: temp_dir })
    }

    /// The sandbox's clock: tests move it to pass deadlines and expiry without waiting.
    pub fn clock(&self) -> Arc<SandboxClock> {
        self.clock.clone()
    }

    /// Makes matching requests fail (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        self.state.faults.add(fault);
    }

    /// Removes every fault still waiting to happen.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// How many times each Idempotency-Key's mutation was carried out (a replay does not
    /// count). Every count must be 1.
    pub async fn applied_mutations(&self) -> Result<Vec<(String, i64)>, SandboxError> {
        Ok(sqlx::query_as("SELECT key, count(*) FROM mutation_log GROUP BY key ORDER BY key")
            .fetch_all(&self.state.db)
            .await?)
    }

    /// The fingerprints of the stored idempotent requests (for tests of what they reveal).
    pub async fn stored_fingerprints(&self) -> Result<Vec<String>, SandboxError> {
        Ok(sqlx::query_scalar("SELECT fingerprint FROM idempotency").fetch_all(&self.state.db).await?)
    }

    /// Forgets the change history: every cursor issued so far gets `410 Gone`.
    pub async fn compact_feed(&self) -> Result<(), SandboxError> {
        Ok(feed::compact(&self.state).await?)
    }

    /// A friend request to `child_id` from someone who calls themselves `from`, arriving now as
    /// a contact's app would send it (for tests, demos and support staff: `from` may be anything
    /// a hostile contact could type). The child's guardians hear of it on the push stream.
    pub async fn add_friend_request(&self, child_id: &str, from: &str) -> Result<String, SandboxError> {
        let id = friend_requests::incoming_request(&self.state, child_id, from).await?;
        let guardians: Vec<String> =
            sqlx::query_scalar("SELECT guardian_id FROM child_guardians WHERE child_id = ?")
                .bind(child_id)
                .fetch_all(&self.state.db)
                .await?;
        for guardian in guardians {
            let _ = self.state.pushes.send(guardian);
        }
        Ok(id)
    }

    /// The newest sign-in code the sandbox's stand-in SMS gateway sent to `phone` (no real
    /// message leaves the sandbox).
    pub async fn last_sms_code(&self, phone: &str) -> Result<Option<String>, SandboxError> {
        Ok(sms::last_code(&self.state.db, phone).await?)
    }

    /// Signs a guardian in over HTTP, as any client does, and returns the access token: for tests,
    /// demos and support staff who call the API by hand.
    pub async fn access_token(&self, phone: &str, password: &str) -> Result<String, SandboxError> {
        let mut tokens: guardian_domain::TokenResponse = reqwest::Client::new()
            .post(format!("{}/v1/auth/password", self.url()))
            .json(&serde_json::json!({ "phone": phone, "password": password }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(std::mem::take(&mut tokens.access_token))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits until it has closed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        // Close every database connection before returning, so none is mid-write at exit.
        self.state.db.close().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        guardian_sqlcipher::close_pool_blocking(&self.state.db);
    }
}

/// Like a real provider, the sandbox finishes a request it has started even when the client
/// goes away (the client then never learns the result: a "lost response").
async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Opens the sandbox's database: the given file, or, by default, a file in a private temporary
/// folder that disappears with the sandbox, encrypted with a random key so the (fictional) seed
/// data is not readable on disk either. A file rather than memory: a connection dropped by a
/// cancelled request must not take the data with it.
async fn open_database(
    path: Option<&std::path::Path>,
) -> Result<(SqlitePool, Option<tempfile::TempDir>), SandboxError> {
    let (file, temp) = match path {
        Some(path) => (path.to_owned(), None),
        None => {
            let dir = tempfile::Builder::new().prefix("guardian-sandbox-").tempdir()?;
            (dir.path().join("provider.db"), Some(dir))
        }
    };
    let options = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(5));
    guardian_sqlcipher::init_crypto();
    const WAL: &str = "PRAGMA journal_mode = WAL;";
    // A temporary provider database is encrypted with a key that dies with the process.
    let pool = if temp.is_some() {
        guardian_sqlcipher::encrypted_pool(&guardian_sqlcipher::DbKey::generate(), 4, WAL)
    } else {
        SqlitePoolOptions::new().max_connections(4).after_connect(|conn, _| {
            Box::pin(async move { sqlx::raw_sql(WAL).execute(conn).await.map(drop) })
        })
    }
    .connect_with(options)
    .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok((pool, temp))
}
