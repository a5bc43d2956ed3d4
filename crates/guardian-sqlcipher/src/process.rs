//! SQLCipher's place in the process: set up once before the first connection, closed from `Drop`,
//! and kept out of the way when the process exits.

use std::time::Duration;

use sqlx::SqlitePool;

/// Prepares SQLCipher once per process, before any connection opens: OpenSSL (its crypto) starts
/// without exit-time cleanup, SQLite initialises, and the process is then ended without
/// SQLCipher's own exit-time teardown (see [`exit_guard`]).
pub fn init_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        openssl_sys::init();
        exit_guard::install();
    });
}

/// Closes a pool from synchronous code (a `Drop`). Idle connections close at once; one still held
/// by a task of the (blocked) calling runtime cannot be waited for, so this gives up after a
/// second and the connection closes when that runtime drops it.
pub fn close_pool_blocking(pool: &SqlitePool) {
    if pool.is_closed() {
        return;
    }
    let pool = pool.clone();
    let (done, closed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
            runtime.block_on(pool.close());
        }
        let _ = done.send(());
    });
    let _ = closed.recv_timeout(Duration::from_secs(1));
}

/// SQLCipher frees its private heap and mutexes at `exit` (an `atexit` handler and a `.fini_array`
/// entry). A connection that is still closing on a database worker thread at that moment, such as
/// one a dropped runtime let go of, then crashes the process after its work is done. On Linux
/// (glibc) an `on_exit` handler registered after SQLCipher's ends the process with the status
/// `exit` was given, without the teardown: the memory goes back to the system anyway, and
/// committed transactions are already durable in the WAL. Elsewhere the app and CLI close their
/// databases before they exit.
#[allow(unsafe_code)]
mod exit_guard {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn install() {
        use std::ffi::{c_int, c_void};
        unsafe extern "C" {
            fn on_exit(function: extern "C" fn(c_int, *mut c_void), arg: *mut c_void) -> c_int;
            fn fflush(stream: *mut c_void) -> c_int;
            fn _exit(status: c_int) -> !;
        }
        extern "C" fn end(status: c_int, _: *mut c_void) {
            // SAFETY: flushing every C stream and ending the process are async-signal-agnostic
            // libc calls with no Rust state involved; Rust's own stdout was flushed before `exit`.
            unsafe {
                fflush(std::ptr::null_mut());
                _exit(status)
            }
        }
        // SAFETY: `sqlite3_initialize` is thread-safe and idempotent; it runs SQLCipher's
        // initialiser, which registers its `atexit` handler, so the one below runs before it.
        unsafe {
            libsqlite3_sys::sqlite3_initialize();
            on_exit(end, std::ptr::null_mut());
        }
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn install() {}
}
