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

// ---- the log file ----

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// A log file rotates when it would grow past this size…
const MAX_LOG_BYTES: u64 = 2 * 1024 * 1024;
/// …and this many older files are kept (`guardian.log.1` … `.3`): at most 8 MiB in all.
const KEEP_LOGS: usize = 3;
pub const LOG_FILE: &str = "guardian.log";

/// The OS's conventional place for the app's logs (`GUARDIAN_DATA_DIR/logs` when that is set):
/// `~/Library/Logs/Guardian` on macOS, `%LOCALAPPDATA%\Guardian\logs` on Windows, and
/// `$XDG_STATE_HOME/guardian` (`~/.local/state/guardian`) on Linux.
pub fn log_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GUARDIAN_DATA_DIR") {
        return PathBuf::from(dir).join("logs");
    }
    let Some(dirs) = directories::ProjectDirs::from("org", "Guardian", "Guardian") else {
        return std::env::temp_dir().join("guardian-logs");
    };
    if cfg!(target_os = "macos")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join("Library/Logs/Guardian");
    }
    dirs.state_dir().map_or_else(|| dirs.data_local_dir().join("logs"), Path::to_owned)
}

/// Removes what must never reach a log even if a bug put it in a message: bearer tokens and
/// other long opaque strings, phone numbers, and anything that looks like a PIN.
pub fn redact(line: &str) -> String {
    use std::sync::LazyLock;
    static PATTERNS: LazyLock<Vec<(regex::Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"(?i)bearer\s+\S+", "Bearer [redacted]"),
            (r"[A-Za-z0-9_\-]{32,}", "[redacted]"),
            (r"\+?\d{7,15}", "[number]"),
            (r#"(?i)(pin\W{0,4})\d{4}\b"#, "${1}[pin]"),
            (r#"(?i)(password\W{0,4})[^\s",}]+"#, "${1}[redacted]"),
        ]
        .into_iter()
        .filter_map(|(pattern, with)| regex::Regex::new(pattern).ok().map(|r| (r, with)))
        .collect()
    });
    let mut out = line.to_owned();
    for (pattern, with) in PATTERNS.iter() {
        out = pattern.replace_all(&out, *with).into_owned();
    }
    out
}

/// A size-bounded, rotating, redacting log file.
#[derive(Clone)]
pub struct LogFile(Arc<Mutex<Rotating>>);

struct Rotating {
    path: PathBuf,
    file: Option<std::fs::File>,
    size: u64,
}

impl LogFile {
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        let file = open_private(&path)?;
        let size = file.metadata()?.len();
        Ok(Self(Arc::new(Mutex::new(Rotating { path, file: Some(file), size }))))
    }
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

impl Rotating {
    fn rotate(&mut self) -> std::io::Result<()> {
        self.file = None;
        let numbered = |n: usize| self.path.with_file_name(format!("{LOG_FILE}.{n}"));
        for n in (1..KEEP_LOGS).rev() {
            let from = numbered(n);
            if from.exists() {
                std::fs::rename(&from, numbered(n + 1))?;
            }
        }
        std::fs::rename(&self.path, numbered(1))?;
        self.file = Some(open_private(&self.path)?);
        self.size = 0;
        Ok(())
    }
}

impl std::io::Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = redact(&String::from_utf8_lossy(buf));
        let mut inner = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.size + line.len() as u64 > MAX_LOG_BYTES && inner.size > 0 {
            inner.rotate()?;
        }
        if let Some(file) = inner.file.as_mut() {
            file.write_all(line.as_bytes())?;
        }
        inner.size += line.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut inner = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.file.as_mut().map_or(Ok(()), std::io::Write::flush)
    }
}

/// Standard error, redacted like the log file (never standard output: that is the command's).
struct RedactedStderr;

impl std::io::Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::Write::write_all(
            &mut std::io::stderr().lock(),
            redact(&String::from_utf8_lossy(buf)).as_bytes(),
        )?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::Write::flush(&mut std::io::stderr())
    }
}

/// Logging for a front end: warnings (or `GUARDIAN_LOG`) on standard error, and `info` (or
/// `GUARDIAN_LOG`) into the rotating, redacted log file. The level changes without a rebuild.
pub fn init(stderr_default: &str) {
    let file_layer = LogFile::open(&log_dir()).ok().map(|file| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || file.clone())
            .with_filter(filter_from_env("info"))
    });
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(|| RedactedStderr)
        .with_filter(filter_from_env(stderr_default));
    let _ = tracing_subscriber::registry().with(stderr_layer).with(file_layer).try_init();
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn redaction_removes_tokens_numbers_pins_and_passwords() {
        let line = "Bearer abc.def phone +8613800000001 token dGhpcyBpcyBhIHZlcnkgbG9uZyB0b2tlbg pin=4321 \
                    \"password\":\"hunter2\" at 2026-11-23T17:46:47.220258Z";
        let clean = redact(line);
        for secret in ["abc.def", "8613800000001", "dGhpcyBpcyBhIHZlcnkgbG9uZyB0b2tlbg", "4321", "hunter2"] {
            assert!(!clean.contains(secret), "{secret} in {clean}");
        }
        assert!(clean.contains("2026-11-23T17:46:47.220258Z"), "timestamps stay: {clean}");
    }

    #[test]
    fn the_log_file_rotates_and_stays_bounded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut log = LogFile::open(dir.path()).expect("open");
        let line = format!("{}\n", "sync ok ".repeat(128));
        for _ in 0..(MAX_LOG_BYTES as usize / line.len()) * (KEEP_LOGS + 3) {
            log.write_all(line.as_bytes()).expect("write");
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["guardian.log", "guardian.log.1", "guardian.log.2", "guardian.log.3"]);
        let total: u64 = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("e").metadata().expect("m").len())
            .sum();
        assert!(total <= MAX_LOG_BYTES * (KEEP_LOGS as u64 + 1), "{total}");
    }
}
