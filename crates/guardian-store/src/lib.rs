//! Guardian's local cache: a SQLCipher-encrypted SQLite file whose 256-bit key lives in the OS
//! keyring. Migrations run on open; a cache that cannot be read is set aside, never overwritten,
//! and rebuilt from the provider.

mod audit;
mod children;
mod notifications;
mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::SqliteConnectOptions;

pub use audit::{AuditBroken, AuditEntry, subject_ref, verify_chain};
pub use children::CachedChild;
pub use guardian_sqlcipher::{DbKey, close_pool_blocking, encrypted_pool, init_crypto};
pub use sync::{OutboxRow, OutboxState};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not open the file, or the file is damaged.
    #[error("the local cache cannot be read (wrong key or damaged file)")]
    Unreadable,
    #[error("the local cache failed its integrity check: {0}")]
    Corrupt(String),
    #[error("could not prepare the local cache: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("local cache error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("local cache file error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What happened when the cache on disk could not be opened and was moved out of the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the unreadable file now is (still encrypted; nothing was written in plain text).
    pub moved_to: PathBuf,
    /// Queued decisions read from the old file and carried into the new one.
    pub rescued_decisions: usize,
}

/// The open cache.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the encrypted cache at `path`.
    pub async fn open(path: &Path, key: &DbKey) -> Result<Self> {
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        // The file is the user's alone (SQLite gives its WAL and shared-memory files the same
        // mode), made so before SQLite first opens it.
        private_file(path)?;
        let options = SqliteConnectOptions::new().filename(path).create_if_missing(true);
        // These read the file, so they come once the connection has its key.
        let after_key = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
        Self::connect(options, key, 4, after_key, Some(path.to_owned())).await
    }

    /// An encrypted cache that lives only in memory: used when no secure key storage exists,
    /// so nothing is written to disk under a key we could not keep.
    pub async fn open_in_memory(key: &DbKey) -> Result<Self> {
        let options = SqliteConnectOptions::new().in_memory(true);
        Self::connect(options, key, 1, "", None).await
    }

    /// Opens the cache; if it cannot be read, moves it (and its WAL) aside and starts a new one.
    pub async fn open_or_set_aside(path: &Path, key: &DbKey) -> Result<(Self, Option<SetAside>)> {
        match Self::open(path, key).await {
            Ok(store) => Ok((store, None)),
            Err(StoreError::Unreadable | StoreError::Corrupt(_)) => {
                // A damaged file may still give up its outbox: the guardian's decisions come first.
                let rescued = sync::rescue_outbox(path, key).await;
                let moved_to = set_aside(path)?;
                tracing::warn!(rescued = rescued.len(), "local cache unreadable; set aside and rebuilding");
                let store = Self::open(path, key).await?;
                let rescued_decisions = store.restore_outbox(&rescued).await?;
                Ok((store, Some(SetAside { moved_to, rescued_decisions })))
            }
            Err(other) => Err(other),
        }
    }

    async fn connect(
        options: SqliteConnectOptions,
        key: &DbKey,
        max_connections: u32,
        after_key: &'static str,
        path: Option<PathBuf>,
    ) -> Result<Self> {
        init_crypto();
        // Statements are never logged (none holds the key, but the habit costs nothing).
        let options = sqlx::ConnectOptions::disable_statement_logging(options)
            .foreign_keys(true)
            // Deleted rows (a sent decision may have held a PIN) are overwritten, not left behind.
            .pragma("secure_delete", "ON")
            // Sorts and temporary tables stay in memory: no unencrypted temp files.
            .pragma("temp_store", "MEMORY")
            .busy_timeout(Duration::from_secs(5));
        // One connection first, outside the pool: a wrong key or a damaged file is reported at
        // once (a pool retries a connection that fails to set up until it times out). SQLCipher
        // reports a wrong key on the first read, not on connect.
        let mut first = sqlx::ConnectOptions::connect(&options).await?;
        let checked = match guardian_sqlcipher::prepare(&mut first, key, after_key).await {
            Ok(()) => sqlx::query_scalar::<_, String>("PRAGMA quick_check").fetch_one(&mut first).await,
            Err(e) => Err(e),
        };
        // The first connection is kept open while the pool starts: an in-memory cache lives
        // only as long as one connection to it does.
        let checked = match checked {
            Ok(result) if result == "ok" => Ok(()),
            Ok(result) => Err(StoreError::Corrupt(result)),
            Err(e) if is_not_a_database(&e) => Err(StoreError::Unreadable),
            Err(e) => Err(e.into()),
        };
        let pool = match checked {
            Ok(()) => encrypted_pool(key, max_connections, after_key).connect_with(options).await,
            Err(e) => {
                let _ = sqlx::Connection::close(first).await;
                return Err(e);
            }
        };
        let _ = sqlx::Connection::close(first).await;
        let pool = pool?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, path })
    }

    /// The file behind the cache, if it is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Full integrity check (`PRAGMA integrity_check`); `Ok(())` when the file is sound.
    pub async fn integrity_check(&self) -> Result<()> {
        let result: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.pool).await?;
        if result == "ok" { Ok(()) } else { Err(StoreError::Corrupt(result)) }
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes every connection (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Closes the cache and removes its files from disk.
    pub async fn destroy(self) -> Result<()> {
        self.close().await;
        if let Some(path) = &self.path {
            for file in sidecars(path) {
                match std::fs::remove_file(&file) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn is_not_a_database(error: &sqlx::Error) -> bool {
    // SQLITE_NOTADB (26): "file is not a database".
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("26"))
        || error.to_string().contains("file is not a database")
}

/// The cache file and its WAL and shared-memory companions.
fn sidecars(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_owned(), with("-wal"), with("-shm")]
}

fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".unreadable-{stamp}"));
    let target = PathBuf::from(target);
    for (from, suffix) in sidecars(path).iter().zip(["", "-wal", "-shm"]) {
        let mut to = target.as_os_str().to_owned();
        to.push(suffix);
        match std::fs::rename(from, PathBuf::from(to)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(target)
}

/// Creates `dir` (and its parents) readable by the user alone; an existing one is made so.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// Creates `path` if missing, readable and writable by the user alone; an existing one is made so.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(path)?);
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(())
}
