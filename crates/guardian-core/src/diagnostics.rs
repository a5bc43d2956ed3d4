//! The diagnostics bundle for support: what state the app is in, never whose data it holds.
//! Everything in it is built from counts, codes and redacted logs; as a second guard, every
//! name the cache knows (children, contacts, requesters) is replaced before a file is written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use crate::logging::{LOG_FILE, log_dir, redact};
use crate::{CoreError, Engine};

/// The newest part of each log file that goes into a bundle.
const LOG_TAIL: u64 = 256 * 1024;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DiagnosticsSaved {
    pub path: String,
    pub files: Vec<String>,
}

/// Replaces every known name with `[name]`.
struct NameScrubber(Option<aho_corasick::AhoCorasick>);

impl NameScrubber {
    fn new(names: Vec<String>) -> Self {
        let mut names: Vec<String> = names.into_iter().filter(|n| n.trim().chars().count() >= 2).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        Self(
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&names)
                .ok(),
        )
    }

    fn scrub(&self, text: &str) -> String {
        let text = redact(text);
        match &self.0 {
            Some(ac) => ac.replace_all(&text, &vec!["[name]"; ac.patterns_len()]),
            None => text,
        }
    }
}

fn os_release() -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_owned())
}

/// The last `LOG_TAIL` bytes of a file, from the first whole line.
fn tail(path: &Path) -> Option<String> {
    use std::io::{Read as _, Seek as _};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(std::io::SeekFrom::Start(len.saturating_sub(LOG_TAIL))).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some(if len > LOG_TAIL {
        text.split_once('\n').map_or(text.clone(), |(_, rest)| rest.to_owned())
    } else {
        text
    })
}

impl Engine {
    /// Writes the diagnostics bundle (a zip) to `out`. `webkit` is the web view's version when
    /// the desktop app asks.
    pub async fn write_diagnostics(
        &self,
        out: &Path,
        webkit: Option<&str>,
    ) -> Result<DiagnosticsSaved, CoreError> {
        let status = self.status().await;
        let mut names = Vec::new();
        let mut outbox_summary = Vec::new();
        let mut refused = Vec::new();
        let mut children = 0usize;
        let mut child_ids = Vec::new();
        // Without the cache (signed out, or locked) the names to scrub are unknown.
        let mut names_known = false;
        if let Ok(store) = self.store().await {
            names_known = true;
            for child in store.children().await? {
                children += 1;
                child_ids.push(child.id.clone());
                for c in store.contacts(&child.id).await? {
                    names.push(c.display_name);
                }
                for r in store.friend_requests(&child.id).await? {
                    names.push(r.other_name);
                }
                names.push(child.display_name);
            }
            for row in store.outbox().await? {
                outbox_summary
                    .push(json!({ "kind": row.kind, "state": row.state.as_str(), "attempts": row.attempts }));
                // The provider's code, never its words: a refusal's text can name a co-guardian.
                if row.last_error.is_some() || row.reason.is_some() {
                    refused
                        .push(json!({ "kind": row.kind, "state": row.state.as_str(), "reason": row.reason }));
                }
            }
        }
        if let Ok(guardian) = self.client.guardian().await {
            names.push(guardian.display_name);
        }
        // Co-guardians and who invited this guardian, as the provider knows them (when it answers).
        for child_id in &child_ids {
            if let Ok(co) = self.client.co_guardians(child_id).await {
                names.extend(co.guardians.into_iter().map(|g| g.display_name));
            }
        }
        if let Ok(invites) = self.client.guardian_invites().await {
            names.extend(invites.into_iter().flat_map(|i| [i.invited_by, i.child_name]));
        }
        let scrubber = NameScrubber::new(names);
        let provider = url::Url::parse(&status.provider.url).ok();
        let mut files: Vec<(String, String)> = vec![
            (
                "about.json".into(),
                serde_json::to_string_pretty(&json!({
                    "app_version": env!("CARGO_PKG_VERSION"),
                    "os": std::env::consts::OS,
                    "arch": std::env::consts::ARCH,
                    "os_release": os_release(),
                    "webkit": webkit,
                    "written_at": self.now().to_rfc3339(),
                }))
                .unwrap_or_default(),
            ),
            (
                "settings.json".into(),
                serde_json::to_string_pretty(&json!({
                    "provider_kind": status.provider.kind,
                    "provider_host": provider.as_ref().and_then(|u| u.host_str().map(str::to_owned)),
                    "secure_storage": status.secure_storage,
                    "request_timeout_seconds": self.settings.request_timeout.as_secs(),
                    "log_level": std::env::var("GUARDIAN_LOG").ok(),
                }))
                .unwrap_or_default(),
            ),
            (
                "sync.json".into(),
                serde_json::to_string_pretty(&json!({
                    "signed_in": status.signed_in,
                    "last_synced": status.last_synced,
                    "offline": status.offline,
                    "children": children,
                    "queued_decisions": status.queued_decisions,
                    "refused_decisions": status.refused_decisions,
                    "outbox": outbox_summary,
                    // Transcripts can name children and contacts: left out when those names
                    // could not be known to scrub them.
                    "transcripts_left_out": (!names_known).then_some("signed out: no names to scrub"),
                }))
                .unwrap_or_default(),
            ),
            (
                "errors.json".into(),
                serde_json::to_string_pretty(&json!({
                    "decisions": refused,
                    "notices": status.notices.iter().map(|n| n.code).collect::<Vec<_>>(),
                }))
                .unwrap_or_default(),
            ),
        ];
        let logs = log_dir();
        for n in 0..=3 {
            let name = if n == 0 { LOG_FILE.to_owned() } else { format!("{LOG_FILE}.{n}") };
            if let Some(text) = tail(&logs.join(&name)) {
                files.push((format!("logs/{name}"), text));
            }
        }
        for transcript in transcripts(&self.settings.data_dir).into_iter().filter(|_| names_known) {
            if let (Some(name), Ok(text)) = (transcript.file_name(), std::fs::read_to_string(&transcript)) {
                files.push((format!("transcripts/{}", name.to_string_lossy()), text));
            }
        }
        let out_path = out.to_owned();
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let part = out_path.with_extension("zip.part");
            guardian_store::private_file(&part)?;
            let mut zip =
                zip::ZipWriter::new(std::fs::OpenOptions::new().write(true).truncate(true).open(&part)?);
            let options =
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (name, text) in &files {
                zip.start_file(name.as_str(), options).map_err(std::io::Error::other)?;
                zip.write_all(scrubber.scrub(text).as_bytes())?;
            }
            zip.finish().map_err(std::io::Error::other)?;
            std::fs::rename(&part, &out_path)
        })
        .await
        .map_err(|e| CoreError::File(e.to_string()))?
        .map_err(|e| CoreError::File(e.to_string()))?;
        Ok(DiagnosticsSaved { path: out.display().to_string(), files: names })
    }
}

/// Where flow transcripts are kept (the newest ten go into a bundle).
pub fn transcript_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("transcripts")
}

fn transcripts(data_dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(transcript_dir(data_dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    found.into_iter().rev().take(10).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_scrubbed_longest_first_after_redaction() {
        let scrubber = NameScrubber::new(vec!["Lin".into(), "Grandma Lin".into(), "X".into()]);
        assert_eq!(
            scrubber.scrub("approved Grandma Lin and Lin; X stays; +8613800000001"),
            "approved [name] and [name]; X stays; [number]"
        );
        assert_eq!(scrubber.scrub("GRANDMA LIN and lin"), "[name] and [name]", "whatever the case");
    }
}
