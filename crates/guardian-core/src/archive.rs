//! Reading Guardian export archives (`docs/export-format.md`): verification against the
//! manifest, the contents for the viewer, and the difference between two exports. Nothing here
//! trusts the archive: it is opened once and checked and read through that one handle; entries
//! that repeat a name, overlap, or are folders or links are refused; the total it would unpack
//! to and its compression ratio are bounded before anything is inflated; names are checked
//! before use, and every file is hashed while it streams.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use guardian_domain::{ActivityRow, Child, Contact, EXPORT_FORMAT, ExportManifest, FriendRequest};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

mod stream;

pub use stream::StreamCheck;

/// The manifest is small; anything bigger is not a Guardian export.
const MAX_MANIFEST: u64 = 1024 * 1024;
/// A JSON file read whole for the viewer (10,000 contacts take about 2 MiB).
const MAX_JSON: u64 = 256 * 1024 * 1024;
/// All entries together, unpacked: far above any real export, far below a full disk.
pub const MAX_UNPACKED: u64 = 1024 * 1024 * 1024;
/// Unpacked bytes per byte of archive, over archives big enough for it to matter. Exports
/// compress about 10:1; a non-overlapping zip bomb needs about 1000:1.
pub const MAX_RATIO: u64 = 200;
/// Below this many unpacked bytes the ratio is not checked (a tiny file compresses well).
const RATIO_FROM: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    #[error("this file is not a Guardian export (it is not a zip archive or has no manifest)")]
    NotAnExport,
    #[error("this export was made in a format this version does not read ({0})")]
    UnknownFormat(String),
    #[error("the archive contains a file with an unsafe name ({0:?}); it was not opened")]
    UnsafePath(String),
    #[error("{0} does not match the manifest: the export was changed or damaged")]
    Tampered(String),
    #[error("{0} is listed in the manifest but missing from the archive")]
    Missing(String),
    #[error("{0} is in the archive but not in the manifest")]
    Unexpected(String),
    #[error("{0} could not be read: {1}")]
    Unreadable(String, String),
    #[error("the downloaded archive is not the one the provider prepared (its manifest differs)")]
    NotAsPrepared,
    #[error("the archive is malformed ({0}); it was not opened")]
    Malformed(String),
    #[error("the archive holds {0:?}, which is a folder or a link, not a file; it was not opened")]
    NotAFile(String),
    #[error("the archive would unpack to more than this app opens ({0} bytes declared); it was not opened")]
    TooLarge(u64),
}

/// What a verified archive holds.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArchiveSummary {
    pub format: String,
    pub child_id: String,
    /// RFC 3339.
    pub created_at: String,
    pub files: usize,
    /// Uncompressed bytes of all listed files (a u64 would not fit a JavaScript number).
    pub bytes: f64,
    pub excluded: Vec<String>,
}

/// The contents the viewer shows.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveContents {
    pub summary: ArchiveSummary,
    pub child: Child,
    pub contacts: Vec<Contact>,
    pub friend_requests: Vec<FriendRequest>,
    pub activity: Vec<ActivityRow>,
}

/// What changed between two exports of the same child.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArchiveDiff {
    pub profile: Vec<FieldChange>,
    pub contacts_added: Vec<String>,
    pub contacts_removed: Vec<String>,
    pub contacts_changed: Vec<FieldChange>,
    pub activity_rows_before: u32,
    pub activity_rows_after: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldChange {
    pub what: String,
    pub before: String,
    pub after: String,
}

type Zip = zip::ZipArchive<std::fs::File>;

/// Opens the archive at `path` once; everything after reads through this handle. A link or
/// anything but a regular file (a device, a pipe) is refused.
fn open(path: &Path) -> Result<Zip, ArchiveError> {
    let unreadable = |e: std::io::Error| ArchiveError::Unreadable(path.display().to_string(), e.to_string());
    if std::fs::symlink_metadata(path).map_err(unreadable)?.file_type().is_symlink() {
        return Err(ArchiveError::NotAFile(path.display().to_string()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(ArchiveError::NotAFile(path.display().to_string()));
    }
    let mut zip = zip::ZipArchive::new(file).map_err(|_| ArchiveError::NotAnExport)?;
    check_layout(&mut zip, meta.len())?;
    Ok(zip)
}

/// The checks that need only the directory and the local headers, before anything is inflated:
/// one name per entry, local headers that agree with the directory, no two entries sharing
/// bytes (the "better zip bomb"), plain files only, and bounded unpacked size and ratio.
fn check_layout(zip: &mut Zip, packed: u64) -> Result<(), ArchiveError> {
    if zip.has_duplicate_names() {
        return Err(ArchiveError::Malformed("two entries have the same name".into()));
    }
    zip.validate_header_consistency().map_err(|e| ArchiveError::Malformed(e.to_string()))?;
    let mut unpacked = 0u64;
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|e| ArchiveError::Malformed(e.to_string()))?;
        // A folder or link by its name or by its mode bits (Unix or DOS), whichever says so.
        let kind = entry.unix_mode().map(|mode| mode & 0o170_000);
        if !entry.is_file() || kind.is_some_and(|kind| kind != 0 && kind != 0o100_000) {
            return Err(ArchiveError::NotAFile(String::from_utf8_lossy(entry.name_raw()).into_owned()));
        }
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED || (unpacked > RATIO_FROM && unpacked / packed.max(1) > MAX_RATIO) {
        return Err(ArchiveError::TooLarge(unpacked));
    }
    Ok(())
}

/// A name is safe when it is a plain relative path: no `..`, no root, no drive, no backslash.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.contains('\0')
        && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Reads one entry whole, refusing anything over `limit` bytes.
fn read_entry(zip: &mut Zip, name: &str, limit: u64) -> Result<Vec<u8>, ArchiveError> {
    let entry = zip.by_name(name).map_err(|_| ArchiveError::Missing(name.to_owned()))?;
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ArchiveError::Unreadable(name.to_owned(), e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ArchiveError::Unreadable(name.to_owned(), "too large".into()));
    }
    Ok(bytes)
}

/// Checks every name, the manifest, and every file's size and SHA-256 (streamed).
pub fn verify(path: &Path) -> Result<ArchiveSummary, ArchiveError> {
    verify_with(path, None, None)
}

/// [`verify`] for an archive whose bytes went through `streamed` as it downloaded: a file whose
/// data `streamed` followed is checked against what it saw, the rest is read back.
pub fn verify_streamed(path: &Path, streamed: &StreamCheck) -> Result<ArchiveSummary, ArchiveError> {
    verify_with(path, Some(streamed), None)
}

/// [`verify_streamed`] for a download, whose manifest must also have the SHA-256
/// `manifest_sha256` (hex): the provider's word for the archive it prepared.
pub fn verify_download(
    path: &Path,
    streamed: &StreamCheck,
    manifest_sha256: &str,
) -> Result<ArchiveSummary, ArchiveError> {
    verify_with(path, Some(streamed), Some(manifest_sha256))
}

fn verify_with(
    path: &Path,
    streamed: Option<&StreamCheck>,
    manifest_sha256: Option<&str>,
) -> Result<ArchiveSummary, ArchiveError> {
    verify_open(&mut open(path)?, streamed, manifest_sha256)
}

fn verify_open(
    zip: &mut Zip,
    streamed: Option<&StreamCheck>,
    manifest_sha256: Option<&str>,
) -> Result<ArchiveSummary, ArchiveError> {
    let names: Vec<String> = zip
        .file_names()
        .map(|name| name.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|_| ArchiveError::NotAnExport)?;
    if let Some(bad) = names.iter().find(|n| !is_safe_name(n)) {
        return Err(ArchiveError::UnsafePath(bad.clone()));
    }
    let manifest_bytes = read_entry(zip, "manifest.json", MAX_MANIFEST).map_err(|e| match e {
        ArchiveError::Missing(_) => ArchiveError::NotAnExport,
        other => other,
    })?;
    if let Some(expected) = manifest_sha256
        && hex(&Sha256::digest(&manifest_bytes)) != expected
    {
        return Err(ArchiveError::NotAsPrepared);
    }
    let manifest: ExportManifest =
        serde_json::from_slice(&manifest_bytes).map_err(|_| ArchiveError::NotAnExport)?;
    if manifest.format != EXPORT_FORMAT {
        return Err(ArchiveError::UnknownFormat(manifest.format));
    }
    if let Some(bad) = manifest.files.iter().find(|f| !is_safe_name(&f.path)) {
        return Err(ArchiveError::UnsafePath(bad.path.clone()));
    }
    let listed: BTreeMap<&str, _> = manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
    if let Some(extra) = names.iter().find(|n| *n != "manifest.json" && !listed.contains_key(n.as_str())) {
        return Err(ArchiveError::Unexpected(extra.clone()));
    }
    let mut bytes = 0u64;
    for file in &manifest.files {
        let index = zip.index_for_name(&file.path).ok_or_else(|| ArchiveError::Missing(file.path.clone()))?;
        if let Some(seen) = streamed.and_then(|s| seen_whole(zip, index, s)) {
            if seen.size != file.size || hex(&seen.sha256) != file.sha256 {
                return Err(ArchiveError::Tampered(file.path.clone()));
            }
            bytes += seen.size;
            continue;
        }
        let entry = zip.by_index(index).map_err(|_| ArchiveError::Missing(file.path.clone()))?;
        // Never read past the size the manifest promises (a decompression bomb stops here).
        let mut reader = entry.take(file.size + 1);
        let mut hasher = Sha256::new();
        let mut buffer = [0u8; 64 * 1024];
        let mut seen = 0u64;
        loop {
            let n = reader.read(&mut buffer).map_err(|_| ArchiveError::Tampered(file.path.clone()))?;
            if n == 0 {
                break;
            }
            seen += n as u64;
            hasher.update(&buffer[..n]);
        }
        if seen != file.size || hex(&hasher.finalize()) != file.sha256 {
            return Err(ArchiveError::Tampered(file.path.clone()));
        }
        bytes += seen;
    }
    Ok(ArchiveSummary {
        format: manifest.format,
        child_id: manifest.child_id,
        created_at: manifest.created_at.to_rfc3339(),
        files: manifest.files.len(),
        bytes: bytes as f64,
        excluded: manifest.excluded,
    })
}

/// What `streamed` saw of entry `index`, if it followed exactly the data the directory points to
/// (same start, length and method, and a local header promising the same size) and that data
/// matched the directory's CRC-32.
fn seen_whole(zip: &mut Zip, index: usize, streamed: &StreamCheck) -> Option<stream::Streamed> {
    // Only an entry the reader would open at all (it refuses some, e.g. encrypted ones); opening
    // reads its local header, not its data.
    drop(zip.by_index(index).ok()?);
    let entry = zip.by_index_raw(index).ok()?;
    let seen = streamed.entry(entry.data_start()?)?;
    let method = match entry.compression() {
        zip::CompressionMethod::Stored => 0,
        zip::CompressionMethod::Deflated => 8,
        _ => return None,
    };
    (seen.method == method
        && seen.compressed == entry.compressed_size()
        && seen.declared == entry.size()
        && seen.size == entry.size()
        && seen.crc32 == entry.crc32())
    .then(|| seen.clone())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json<T: serde::de::DeserializeOwned>(zip: &mut Zip, name: &str) -> Result<T, ArchiveError> {
    let bytes = read_entry(zip, name, MAX_JSON)?;
    serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Unreadable(name.to_owned(), e.to_string()))
}

/// Verifies, then reads the contents for the viewer through the same open file: what was
/// verified is what is read, even if the file on disk is replaced in between.
pub fn read(path: &Path) -> Result<ArchiveContents, ArchiveError> {
    let mut zip = open(path)?;
    let summary = verify_open(&mut zip, None, None)?;
    Ok(ArchiveContents {
        summary,
        child: json(&mut zip, "child.json")?,
        contacts: json(&mut zip, "contacts.json")?,
        friend_requests: json(&mut zip, "friend_requests.json")?,
        activity: json(&mut zip, "activity.json")?,
    })
}

/// What changed from export `a` to export `b` (both verified first).
pub fn diff(a: &Path, b: &Path) -> Result<ArchiveDiff, ArchiveError> {
    let (a, b) = (read(a)?, read(b)?);
    if a.child.id != b.child.id {
        return Err(ArchiveError::Unreadable(
            "the two exports".into(),
            "they are of different children".into(),
        ));
    }
    let mut out = ArchiveDiff {
        activity_rows_before: u32::try_from(a.activity.len()).unwrap_or(u32::MAX),
        activity_rows_after: u32::try_from(b.activity.len()).unwrap_or(u32::MAX),
        ..ArchiveDiff::default()
    };
    let mut field = |what: &str, before: String, after: String| {
        if before != after {
            out.profile.push(FieldChange { what: what.into(), before, after });
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    field("name", a.child.display_name.clone(), b.child.display_name.clone());
    field("avatar", opt(&a.child.avatar_url), opt(&b.child.avatar_url));
    field(
        "friend_approval",
        a.child.friend_approval.as_str().into(),
        b.child.friend_approval.as_str().into(),
    );
    field("country", opt(&a.child.demographics.country), opt(&b.child.demographics.country));
    field("gender", opt(&a.child.demographics.gender), opt(&b.child.demographics.gender));
    field(
        "birthday",
        a.child.demographics.birthday.map(|d| d.to_string()).unwrap_or_default(),
        b.child.demographics.birthday.map(|d| d.to_string()).unwrap_or_default(),
    );
    let before: BTreeMap<&str, &Contact> = a.contacts.iter().map(|c| (c.contact_id.as_str(), c)).collect();
    let after: BTreeMap<&str, &Contact> = b.contacts.iter().map(|c| (c.contact_id.as_str(), c)).collect();
    for (id, c) in &after {
        match before.get(id) {
            None => out.contacts_added.push(c.display_name.clone()),
            Some(old) if old.status != c.status => out.contacts_changed.push(FieldChange {
                what: c.display_name.clone(),
                before: old.status.as_str().into(),
                after: c.status.as_str().into(),
            }),
            Some(_) => {}
        }
    }
    out.contacts_removed = before
        .iter()
        .filter(|(id, _)| !after.contains_key(*id))
        .map(|(_, c)| c.display_name.clone())
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_are_safe() {
        for good in ["child.json", "images/avatar.png", "a/b/c.csv"] {
            assert!(is_safe_name(good), "{good}");
        }
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "C:\\x", "a\\..\\x", "a//b", "./a", "c:x", "a\0b"]
        {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
    }
}
