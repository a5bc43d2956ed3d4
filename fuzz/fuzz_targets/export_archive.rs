//! Any file opened as an export archive: verified and read to a value or an error, never a panic
//! (the reader takes a path, so each input is written to a temporary file first).
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
    if guardian_core::archive::verify(&file).is_ok() {
        // A verified archive must also open in the viewer or say why not.
        let _ = guardian_core::archive::read(&file);
    }
});
