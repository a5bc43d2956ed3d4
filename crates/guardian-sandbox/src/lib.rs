//! The reference provider sandbox: a real HTTP server (axum) over a real database (SQLite via
//! sqlx) that behaves like a careful production provider. Tests, the embedded demo and support
//! staff run every Guardian flow against it.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sandbox = guardian_sandbox::Sandbox::start(guardian_sandbox::Config::default()).await?;
//! println!("provider at {}", sandbox.url());
//! # Ok(()) }
//! ```

mod auth;
mod error;
mod routes;
mod scenario;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use guardian_domain::{Clock, SystemClock};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use scenario::{DEMO_PASSWORD, DEMO_PHONE, SCENARIOS, Scenario};

/// How to start a sandbox.
pub struct Config {
    /// The seed scenario (see [`SCENARIOS`]).
    pub scenario: String,
    /// Where to listen; port 0 picks a free one. Always loopback unless changed on purpose.
    pub addr: SocketAddr,
    /// A database file; `None` keeps everything in memory.
    pub database: Option<std::path::PathBuf>,
    pub clock: Arc<dyn Clock>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            scenario: "demo-family".into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// Shared state of the running server.
#[derive(Clone)]
pub(crate) struct AppState {
    pub db: SqlitePool,
    pub clock: Arc<dyn Clock>,
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Creates the database, seeds the scenario and starts serving.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let scenario = Scenario::named(&config.scenario)?;
        let db = open_database(config.database.as_deref()).await?;
        scenario.seed(&db, config.clock.now()).await.context("seeding the scenario")?;
        let state = AppState { db, clock: config.clock };

        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = routes::router(state);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, scenario = %scenario.name, "sandbox provider listening");
        Ok(Self { addr, shutdown: Some(tx), task })
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
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn open_database(path: Option<&std::path::Path>) -> anyhow::Result<SqlitePool> {
    let (options, max) = match path {
        Some(path) => (
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal),
            4,
        ),
        // An in-memory database lives in its one connection.
        None => (SqliteConnectOptions::new().in_memory(true), 1),
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .connect_with(options.foreign_keys(true).busy_timeout(std::time::Duration::from_secs(5)))
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
