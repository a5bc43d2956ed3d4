//! The log filter every Guardian front end uses. Whatever level is asked for, the database
//! driver's statement log stays off: its first statement on each connection carries the cache
//! key. Log fields never hold tokens, PINs or a child's personal data (their `Debug` redacts).

use tracing_subscriber::EnvFilter;

/// Targets that are never logged, at any level.
const ALWAYS_OFF: &[&str] = &["sqlx::query=off", "sqlx=warn"];

/// A filter from `GUARDIAN_LOG`-style directives (e.g. `info` or `guardian_core=debug`), with
/// the always-off targets added last so they win.
pub fn filter(directives: &str) -> EnvFilter {
    let mut all = directives.trim().to_owned();
    for off in ALWAYS_OFF {
        if !all.is_empty() {
            all.push(',');
        }
        all.push_str(off);
    }
    EnvFilter::try_new(&all).unwrap_or_else(|_| EnvFilter::new(ALWAYS_OFF.join(",")))
}

/// The filter from `GUARDIAN_LOG`, `default` when unset.
pub fn filter_from_env(default: &str) -> EnvFilter {
    filter(&std::env::var("GUARDIAN_LOG").unwrap_or_else(|_| default.to_owned()))
}
