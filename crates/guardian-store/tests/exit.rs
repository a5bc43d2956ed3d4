//! A process that exits while encrypted connections are still closing on their worker threads
//! ends with its own exit status, not a crash in SQLCipher's exit-time teardown (without the
//! guard in `process.rs` this probe crashed with SIGSEGV within a few runs).

use std::process::Command;

use guardian_store::{DbKey, Store};

const PROBE: &str = "GUARDIAN_EXIT_PROBE";

#[test]
fn exiting_while_connections_close_keeps_the_exit_status() {
    if let Some(file) = std::env::var_os(PROBE) {
        exit_while_closing(std::path::Path::new(&file));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for run in 0..10 {
        let status = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "exiting_while_connections_close_keeps_the_exit_status", "--nocapture"])
            .env(PROBE, dir.path().join(format!("cache-{run}.db")))
            .status()
            .expect("run the probe");
        assert_eq!(status.code(), Some(7), "the probe ended with {status:?}");
    }
}

/// Keeps opening encrypted caches and letting them go on another thread, so connections are
/// closing on their worker threads, and exits in the middle of that.
fn exit_while_closing(file: &std::path::Path) -> ! {
    let file = file.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let key = DbKey::generate();
            loop {
                let store = Store::open(&file, &key).await.expect("open the cache");
                let _ = store.integrity_check().await;
                drop(store);
            }
        });
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::process::exit(7)
}
