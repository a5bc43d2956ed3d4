//! Any file opened as an export archive: verified and read to a value or an error, never a panic
//! (the reader takes a path, so each input is written to a temporary file first). Checking the
//! files as the archive streams in must reach the same verdict as reading them back.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir")).path()
}

fuzz_target!(|bytes: &[u8]| {
    let file = scratch().join("input.zip");
    std::fs::write(&file, bytes).expect("write the input");
    let mut streamed = guardian_core::archive::StreamCheck::new();
    for chunk in bytes.chunks(4093) {
        streamed.update(chunk);
    }
    let verdict = guardian_core::archive::verify(&file);
    assert_eq!(verdict, guardian_core::archive::verify_streamed(&file, &streamed));
    if verdict.is_ok() {
        // A verified archive must also open in the viewer or say why not.
        let _ = guardian_core::archive::read(&file);
    }
});
