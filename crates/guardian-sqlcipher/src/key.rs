use std::fmt;

use rand::RngCore as _;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqlitePoolOptions;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The cache's 256-bit SQLCipher key. Kept in the OS keyring; in memory it is zeroed on drop and
/// never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DbKey([u8; 32]);

impl DbKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The form kept in the keyring (hex).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// SQLCipher's raw-key form `x'…'` (no key derivation: the key is already random), in a
    /// buffer sized up front (it never grows and leaves a copy) and zeroed when dropped.
    fn raw_key(&self) -> Zeroizing<Vec<u8>> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(Vec::with_capacity(3 + 2 * self.0.len()));
        out.extend_from_slice(b"x'");
        for byte in self.0 {
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
        }
        out.push(b'\'');
        out
    }
}

/// Pool options whose every new connection is prepared by [`prepare`].
pub fn encrypted_pool(key: &DbKey, max_connections: u32, after_key: &'static str) -> SqlitePoolOptions {
    let key = key.clone();
    SqlitePoolOptions::new().max_connections(max_connections).after_connect(move |conn, _| {
        let key = key.clone();
        Box::pin(async move { prepare(conn, &key, after_key).await })
    })
}

/// Keys a new connection before anything reads the file, then runs `after_key` (statements that
/// read the file, such as `PRAGMA journal_mode`). The key goes from [`DbKey`] to SQLCipher
/// through `sqlite3_key`: no SQL text holds it, no copy sits in the driver's options or statement
/// log, and the one buffer it passes through is zeroed.
pub async fn prepare(conn: &mut SqliteConnection, key: &DbKey, after_key: &str) -> Result<(), sqlx::Error> {
    apply(conn, key).await?;
    if !after_key.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(after_key)).execute(&mut *conn).await?;
    }
    Ok(())
}

#[allow(unsafe_code)]
async fn apply(conn: &mut SqliteConnection, key: &DbKey) -> Result<(), sqlx::Error> {
    let raw = key.raw_key();
    let length = std::ffi::c_int::try_from(raw.len()).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is an open connection, locked for this call; SQLCipher reads exactly
    // `length` bytes of `raw`, which outlives the call, and keeps its own (wiped) copy.
    let code =
        unsafe { libsqlite3_sys::sqlite3_key(handle.as_raw_handle().as_ptr(), raw.as_ptr().cast(), length) };
    if code == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!("SQLCipher refused the key (code {code})")))
    }
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}
