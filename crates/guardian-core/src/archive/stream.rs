//! Hashing an export archive's files while the archive downloads, so verifying it needs no
//! second pass over the file.
//!
//! A zip archive is a run of entries, each a local header followed by its data, with the
//! directory at the end. [`StreamCheck`] follows that run as the bytes arrive and takes each
//! entry's SHA-256 (inflating deflated entries on the way), keyed by where the entry's data
//! starts. Nothing it reads is trusted: [`super::verify_streamed`] later reads the directory
//! from the file and uses a streamed result only for an entry whose data starts at the same
//! offset with the same length and method; anything else (an entry with a data descriptor, an
//! unknown method, a header it could not follow) is read back from the file as before.

use std::collections::HashMap;

use flate2::{Decompress, FlushDecompress, Status};
use sha2::{Digest as _, Sha256};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const FIXED_HEADER_LEN: usize = 30;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
const ZIP64_EXTRA: u16 = 0x0001;

/// One entry's data as it streamed past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Streamed {
    pub method: u16,
    pub compressed: u64,
    /// The uncompressed length its local header promised.
    pub declared: u64,
    /// The uncompressed length and its SHA-256 and CRC-32.
    pub size: u64,
    pub sha256: [u8; 32],
    pub crc32: u32,
}

/// Follows a zip archive's entries as its bytes arrive (see the module's comment).
#[derive(Default)]
pub struct StreamCheck {
    /// Archive offset of the next byte.
    pos: u64,
    state: State,
    /// Bytes of the local header read so far.
    header: Vec<u8>,
    entries: HashMap<u64, Streamed>,
}

#[derive(Default)]
enum State {
    #[default]
    Header,
    Data(Box<Open>),
    /// The directory was reached, or an entry this cannot follow: the rest is left to the reader.
    Done,
}

/// The entry whose data is streaming past.
struct Open {
    data_start: u64,
    method: u16,
    compressed: u64,
    left: u64,
    /// What its local header promises; inflating stops past it (a decompression bomb ends here).
    declared: u64,
    size: u64,
    sha256: Sha256,
    crc32: crc32fast::Hasher,
    inflater: Option<Decompress>,
    /// A deflated entry's stream reached its end marker (one cut short is damaged).
    ended: bool,
    broken: bool,
}

impl StreamCheck {
    pub fn new() -> Self {
        Self::default()
    }

    /// The result for the entry whose data starts at `data_start`, if it streamed past whole.
    pub(crate) fn entry(&self, data_start: u64) -> Option<&Streamed> {
        self.entries.get(&data_start)
    }

    /// Feeds the next bytes of the archive.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = match &mut self.state {
                State::Done => return,
                State::Header => self.read_header(bytes),
                State::Data(open) => {
                    let n = usize::try_from(open.left).unwrap_or(usize::MAX).min(bytes.len());
                    open.feed(&bytes[..n]);
                    open.left -= n as u64;
                    if open.left == 0
                        && let State::Data(open) = std::mem::take(&mut self.state)
                        && let Some((start, streamed)) = open.finish()
                    {
                        self.entries.insert(start, streamed);
                    }
                    n
                }
            };
            self.pos += used as u64;
            bytes = &bytes[used..];
        }
    }

    /// Takes header bytes; once the header is whole, opens its entry (or stops).
    fn read_header(&mut self, bytes: &[u8]) -> usize {
        let need = match header_len(&self.header) {
            Some(len) => len,
            None => FIXED_HEADER_LEN,
        };
        let n = (need - self.header.len()).min(bytes.len());
        self.header.extend_from_slice(&bytes[..n]);
        if self.header.len() == FIXED_HEADER_LEN && u32_at(&self.header, 0) != LOCAL_HEADER {
            self.state = State::Done;
        } else if header_len(&self.header) == Some(self.header.len()) {
            let header = std::mem::take(&mut self.header);
            let data_start = self.pos + n as u64;
            self.state = match open_entry(&header, data_start) {
                Some(open) if open.left == 0 => {
                    if let Some((start, streamed)) = open.finish() {
                        self.entries.insert(start, streamed);
                    }
                    State::Header
                }
                Some(open) => State::Data(Box::new(open)),
                None => State::Done,
            };
        }
        n
    }
}

impl guardian_client::ByteTap for StreamCheck {
    fn update(&mut self, bytes: &[u8]) {
        StreamCheck::update(self, bytes);
    }
}

/// The whole local header's length, once its fixed part is in.
fn header_len(header: &[u8]) -> Option<usize> {
    (header.len() >= FIXED_HEADER_LEN)
        .then(|| FIXED_HEADER_LEN + usize::from(u16_at(header, 26)) + usize::from(u16_at(header, 28)))
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// The entry a whole local header opens, or `None` when it cannot be followed: encrypted, sizes
/// in a data descriptor after the data, or a method other than stored or deflated.
fn open_entry(header: &[u8], data_start: u64) -> Option<Open> {
    let flags = u16_at(header, 6);
    let method = u16_at(header, 8);
    if flags & 0b1001 != 0 || !matches!(method, STORED | DEFLATED) {
        return None;
    }
    let mut compressed = u64::from(u32_at(header, 18));
    let mut declared = u64::from(u32_at(header, 22));
    if compressed == u64::from(u32::MAX) || declared == u64::from(u32::MAX) {
        // Zip64: the real sizes are in the extra field (uncompressed first, then compressed).
        let name_len = usize::from(u16_at(header, 26));
        let zip64 = zip64_field(&header[FIXED_HEADER_LEN + name_len..])?;
        let mut at = 0;
        if declared == u64::from(u32::MAX) {
            declared = u64_at(zip64, at)?;
            at += 8;
        }
        if compressed == u64::from(u32::MAX) {
            compressed = u64_at(zip64, at)?;
        }
    }
    if method == STORED && compressed != declared {
        return None;
    }
    Some(Open {
        data_start,
        method,
        compressed,
        left: compressed,
        declared,
        size: 0,
        sha256: Sha256::new(),
        crc32: crc32fast::Hasher::new(),
        inflater: (method == DEFLATED).then(|| Decompress::new(false)),
        ended: method == STORED,
        broken: false,
    })
}

/// The zip64 field among a header's extra fields.
fn zip64_field(mut extra: &[u8]) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let body = extra.get(4..4 + len)?;
        if id == ZIP64_EXTRA {
            return Some(body);
        }
        extra = &extra[4 + len..];
    }
    None
}

impl Open {
    fn feed(&mut self, bytes: &[u8]) {
        if self.broken {
            return;
        }
        match self.inflater.take() {
            None => self.out(bytes),
            // Bytes after the end of a deflate stream are not part of the file.
            Some(inflater) if self.ended => self.inflater = Some(inflater),
            Some(mut inflater) => {
                self.inflate(&mut inflater, bytes);
                self.inflater = Some(inflater);
            }
        }
    }

    fn inflate(&mut self, inflater: &mut Decompress, mut input: &[u8]) {
        let mut buffer = [0_u8; 32 * 1024];
        loop {
            let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
            let status = inflater.decompress(input, &mut buffer, FlushDecompress::None);
            let used = usize::try_from(inflater.total_in() - before_in).unwrap_or(input.len());
            let made = usize::try_from(inflater.total_out() - before_out).unwrap_or(0);
            self.out(&buffer[..made]);
            input = &input[used..];
            match status {
                Err(_) => self.broken = true,
                Ok(Status::StreamEnd) => {
                    self.ended = true;
                    return;
                }
                Ok(_) => {}
            }
            // Done with this chunk once the input is used and the output buffer was not filled.
            if self.broken || (input.is_empty() && made < buffer.len()) || (used == 0 && made == 0) {
                return;
            }
        }
    }

    fn out(&mut self, bytes: &[u8]) {
        self.size += bytes.len() as u64;
        if self.size > self.declared {
            self.broken = true;
            return;
        }
        self.sha256.update(bytes);
        self.crc32.update(bytes);
    }

    /// The result, unless the data could not be followed (it is then read back from the file).
    fn finish(self) -> Option<(u64, Streamed)> {
        (self.ended && !self.broken).then(|| {
            (
                self.data_start,
                Streamed {
                    method: self.method,
                    compressed: self.compressed,
                    declared: self.declared,
                    size: self.size,
                    sha256: self.sha256.finalize().into(),
                    crc32: self.crc32.finalize(),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use zip::CompressionMethod::{Deflated, Stored};
    use zip::write::SimpleFileOptions;

    use super::*;

    /// Pseudo-random bytes (incompressible) and text (compressible), so both paths are used.
    fn files() -> Vec<(String, Vec<u8>)> {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let noise = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let text = "contact,messages,calls\n".repeat(20_000).into_bytes();
        vec![
            ("images/avatar.png".into(), noise),
            ("contacts.csv".into(), text),
            ("empty.json".into(), Vec::new()),
        ]
    }

    fn archive(options: SimpleFileOptions) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files() {
            zip.start_file(name, options).expect("entry");
            zip.write_all(&bytes).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    fn streamed(bytes: &[u8], chunk: usize) -> StreamCheck {
        let mut check = StreamCheck::new();
        for piece in bytes.chunks(chunk) {
            check.update(piece);
        }
        check
    }

    /// What the zip reader makes of each entry: (data start, SHA-256, size).
    fn read_back(bytes: &[u8]) -> Vec<(u64, [u8; 32], u64)> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).expect("entry");
                let mut data = Vec::new();
                entry.read_to_end(&mut data).expect("read");
                let start = entry.data_start().expect("start");
                (start, Sha256::digest(&data).into(), data.len() as u64)
            })
            .collect()
    }

    #[test]
    fn every_entry_is_hashed_as_it_streams_whatever_the_chunk_size() {
        for options in [
            SimpleFileOptions::default().compression_method(Deflated),
            SimpleFileOptions::default().compression_method(Stored),
            SimpleFileOptions::default().compression_method(Stored).large_file(true),
            SimpleFileOptions::default().compression_method(Deflated).large_file(true),
        ] {
            let bytes = archive(options);
            let expected = read_back(&bytes);
            let whole = streamed(&bytes, bytes.len());
            assert_eq!(whole.entries.len(), expected.len(), "{options:?}");
            for (start, sha256, size) in &expected {
                let seen = whole.entry(*start).expect("followed");
                assert_eq!((&seen.sha256, seen.size), (sha256, *size), "{options:?}");
            }
            for chunk in [1, 7, 4096, 65_537] {
                assert_eq!(streamed(&bytes, chunk).entries, whole.entries, "{options:?}, chunks of {chunk}");
            }
        }
    }

    #[test]
    fn sizes_after_the_data_are_left_to_the_reader() {
        // A writer that cannot seek back puts the sizes in a data descriptor after the data.
        let mut zip = zip::ZipWriter::new_stream(Vec::new());
        zip.start_file("contacts.csv", SimpleFileOptions::default().compression_method(Deflated))
            .expect("entry");
        zip.write_all(b"a,b\n").expect("write");
        let bytes = zip.finish().expect("finish").into_inner();
        assert!(streamed(&bytes, 3).entries.is_empty());
    }

    #[test]
    fn inflating_stops_past_the_size_the_header_promises() {
        let mut bytes = archive(SimpleFileOptions::default().compression_method(Deflated));
        let before = read_back(&bytes);
        // The first entry's local header now promises 1,000 bytes of its 300,000.
        bytes[22..26].copy_from_slice(&1000_u32.to_le_bytes());
        let check = streamed(&bytes, 8192);
        assert!(check.entry(before[0].0).is_none(), "an entry bigger than promised is not vouched for");
        assert!(check.entry(before[1].0).is_some(), "the next entry is still followed");
    }

    #[test]
    fn anything_but_a_local_header_ends_the_walk() {
        assert!(streamed(b"not a zip archive at all, just some text", 5).entries.is_empty());
        assert!(streamed(b"PK", 1).entries.is_empty());
    }
}
