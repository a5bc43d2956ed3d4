//! Crafted archives a hostile party could leave in the Downloads folder, where the app opens
//! Guardian exports by itself: each is refused before anything is inflated or trusted. The same
//! archives seed the coverage-guided fuzzer (`fuzz/seeds/export_archive/hostile-*.zip`); run
//! with `UPDATE_FUZZ_SEEDS=1` to rewrite them after changing a case.

use std::io::Write as _;
use std::path::Path;

use guardian_core::archive::{self, ArchiveError};
use sha2::{Digest as _, Sha256};

/// One entry as the central directory describes it.
#[derive(Clone)]
struct Entry {
    name: String,
    at: u32,
    method: u16,
    crc: u32,
    packed: u32,
    unpacked: u32,
    made_by: u16,
    attrs: u32,
}

/// A zip written byte by byte, so that it can say what a zip writer never would.
#[derive(Default)]
struct RawZip {
    bytes: Vec<u8>,
}

const UNIX: u16 = 3 << 8 | 20;

impl RawZip {
    /// A local header and its data; `unpacked` is what both headers will declare.
    fn local(&mut self, name: &str, method: u16, data: &[u8], unpacked: u32, crc: u32) -> Entry {
        let at = u32::try_from(self.bytes.len()).expect("small");
        let packed = u32::try_from(data.len()).expect("small");
        let b = &mut self.bytes;
        b.extend(0x0403_4b50u32.to_le_bytes());
        b.extend(20u16.to_le_bytes());
        b.extend(0u16.to_le_bytes());
        b.extend(method.to_le_bytes());
        b.extend([0u8; 4]);
        b.extend(crc.to_le_bytes());
        b.extend(packed.to_le_bytes());
        b.extend(unpacked.to_le_bytes());
        b.extend(u16::try_from(name.len()).expect("short").to_le_bytes());
        b.extend(0u16.to_le_bytes());
        b.extend(name.as_bytes());
        b.extend(data);
        Entry { name: name.into(), at, method, crc, packed, unpacked, made_by: 20, attrs: 0 }
    }

    /// A stored file.
    fn stored(&mut self, name: &str, data: &[u8]) -> Entry {
        let n = u32::try_from(data.len()).expect("small");
        self.local(name, 0, data, n, crc32fast::hash(data))
    }

    fn finish(mut self, entries: &[Entry]) -> Vec<u8> {
        let start = u32::try_from(self.bytes.len()).expect("small");
        let b = &mut self.bytes;
        for e in entries {
            b.extend(0x0201_4b50u32.to_le_bytes());
            b.extend(e.made_by.to_le_bytes());
            b.extend(20u16.to_le_bytes());
            b.extend(0u16.to_le_bytes());
            b.extend(e.method.to_le_bytes());
            b.extend([0u8; 4]);
            b.extend(e.crc.to_le_bytes());
            b.extend(e.packed.to_le_bytes());
            b.extend(e.unpacked.to_le_bytes());
            b.extend(u16::try_from(e.name.len()).expect("short").to_le_bytes());
            b.extend([0u8; 8]);
            b.extend(e.attrs.to_le_bytes());
            b.extend(e.at.to_le_bytes());
            b.extend(e.name.as_bytes());
        }
        let size = u32::try_from(b.len()).expect("small") - start;
        let count = u16::try_from(entries.len()).expect("few");
        b.extend(0x0605_4b50u32.to_le_bytes());
        b.extend([0u8; 4]);
        b.extend(count.to_le_bytes());
        b.extend(count.to_le_bytes());
        b.extend(size.to_le_bytes());
        b.extend(start.to_le_bytes());
        b.extend(0u16.to_le_bytes());
        self.bytes
    }
}

/// A manifest listing `files` (name, size, content): each case is otherwise a valid export.
fn manifest(files: &[(&str, u64, &[u8])]) -> Vec<u8> {
    let files: Vec<_> = files
        .iter()
        .map(|(path, size, content)| {
            let sha256: String = Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect();
            serde_json::json!({ "path": path, "size": size, "sha256": sha256 })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "format": guardian_domain::EXPORT_FORMAT,
        "child_id": "c1",
        "created_at": "2026-01-01T00:00:00Z",
        "files": files,
        "excluded": [],
    }))
    .expect("json")
}

fn len(bytes: &[u8]) -> u64 {
    bytes.len() as u64
}

/// Two entries named `child.json`: which one a reader sees depends on the reader.
fn duplicate_names() -> Vec<u8> {
    let (first, second): (&[u8], &[u8]) = (br#"{"shown":"to one reader"}"#, br#"{"shown":"to another"}"#);
    let mut z = RawZip::default();
    let m = z.stored("manifest.json", &manifest(&[("child.json", len(second), second)]));
    let a = z.stored("child.json", first);
    let b = z.stored("child.json", second);
    z.finish(&[m, a, b])
}

/// The "better zip bomb" shape: the first entry's data is the second entry, header and all, so
/// the same bytes are unpacked twice (with many entries, a quadratic blow-up).
fn overlapping_entries() -> Vec<u8> {
    let mut inner = RawZip::default();
    let kernel = vec![b'a'; 1024];
    inner.stored("contacts.json", &kernel);
    let inner = inner.bytes;
    let mut z = RawZip::default();
    let listed = manifest(&[("child.json", len(&inner), &inner), ("contacts.json", 1024, &kernel)]);
    let manifest = z.stored("manifest.json", &listed);
    let outer = z.stored("child.json", &inner);
    let name_len = u32::try_from("child.json".len()).expect("short");
    let mut shared = Entry { name: "contacts.json".into(), at: outer.at + 30 + name_len, ..outer.clone() };
    shared.packed = 1024;
    shared.unpacked = 1024;
    shared.crc = crc32fast::hash(&kernel);
    z.finish(&[manifest, outer, shared])
}

/// One entry that promises about 4 GiB from a few bytes.
fn huge_declared_size() -> Vec<u8> {
    let mut z = RawZip::default();
    let manifest = z.stored("manifest.json", &manifest(&[("activity.json", 0xFFFF_FFF0, b"")]));
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&[0u8; 4096]).expect("deflate");
    let data = deflate.finish().expect("deflate");
    let huge = z.local("activity.json", 8, &data, 0xFFFF_FFF0, 0);
    z.finish(&[manifest, huge])
}

/// 64 MiB of zeros in a few tens of kilobytes: no overlap, only a ratio no export has.
fn high_ratio() -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let zeros = vec![0u8; 64 * 1024 * 1024];
    out.start_file("manifest.json", options).expect("zip");
    out.write_all(&manifest(&[("activity.json", len(&zeros), &zeros)])).expect("zip");
    out.start_file("activity.json", options).expect("zip");
    out.write_all(&zeros).expect("zip");
    out.finish().expect("zip").into_inner()
}

fn folder_entry() -> Vec<u8> {
    let mut z = RawZip::default();
    let manifest = z.stored("manifest.json", &manifest(&[("images", 0, b"")]));
    let mut folder = z.stored("images", b"");
    folder.made_by = UNIX;
    folder.attrs = (0o040_755 << 16) | 0x10;
    z.finish(&[manifest, folder])
}

fn link_entry() -> Vec<u8> {
    let target: &[u8] = b"/home/parent/.ssh/id_ed25519";
    let mut z = RawZip::default();
    let manifest = z.stored("manifest.json", &manifest(&[("child.json", len(target), target)]));
    let mut link = z.stored("child.json", target);
    link.made_by = UNIX;
    link.attrs = 0o120_777 << 16;
    z.finish(&[manifest, link])
}

type Case = (&'static str, fn() -> Vec<u8>, fn(&ArchiveError) -> bool);

const CASES: &[Case] = &[
    ("duplicate-names", duplicate_names, |e| matches!(e, ArchiveError::Malformed(_))),
    ("overlapping-entries", overlapping_entries, |e| matches!(e, ArchiveError::Malformed(_))),
    ("huge-declared-size", huge_declared_size, |e| matches!(e, ArchiveError::TooLarge(_))),
    ("high-ratio", high_ratio, |e| matches!(e, ArchiveError::TooLarge(_))),
    ("folder-entry", folder_entry, |e| matches!(e, ArchiveError::NotAFile(_))),
    ("link-entry", link_entry, |e| matches!(e, ArchiveError::NotAFile(_))),
];

fn refuse(path: &Path) -> Vec<ArchiveError> {
    let verified = archive::verify(path).expect_err("verify refuses");
    let read = archive::read(path).expect_err("read refuses");
    let streamed = archive::verify_streamed(path, &archive::StreamCheck::new()).expect_err("refused");
    vec![verified, read, streamed]
}

#[test]
fn crafted_archives_are_refused_before_anything_is_unpacked() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, build, expected) in CASES {
        let path = dir.path().join(format!("guardian-export-{name}.zip"));
        std::fs::write(&path, build()).expect("write");
        for error in refuse(&path) {
            assert!(expected(&error), "{name}: refused for the wrong reason: {error:?}");
            assert!(!error.to_string().is_empty());
        }
    }
}

#[cfg(unix)]
#[test]
fn an_export_that_is_a_link_is_not_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("elsewhere.zip");
    std::fs::write(&target, duplicate_names()).expect("write");
    let link = dir.path().join("guardian-export-link.zip");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    for error in refuse(&link) {
        assert!(matches!(error, ArchiveError::NotAFile(_)), "{error:?}");
    }
}

/// The crafted archives are in the fuzz corpus, byte for byte as built here.
#[test]
fn the_crafted_archives_seed_the_fuzzer() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/export_archive"));
    for (name, build, _) in CASES {
        let path = dir.join(format!("hostile-{name}.zip"));
        let bytes = build();
        if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
            std::fs::write(&path, &bytes).expect("write seed");
        }
        let seed = std::fs::read(&path).unwrap_or_default();
        assert!(seed == bytes, "{} is missing or stale: run with UPDATE_FUZZ_SEEDS=1", path.display());
    }
}
