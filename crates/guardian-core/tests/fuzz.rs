//! Bounded mutation fuzzing on the stable toolchain: the export-archive reader, the flow-file
//! parser and the decoding of provider responses get thousands of damaged inputs derived from
//! real ones, and must answer each with a value or an error — never a panic, a hang or a crash.
//! These run in every test run on the stable toolchain; the coverage-guided `cargo fuzz` targets
//! for the same three parsers are in `fuzz/` (`make fuzz`, nightly). The seed is fixed; `GUARDIAN_FUZZ_ITERATIONS` and `GUARDIAN_FUZZ_SEED` run it longer or differently.

mod common;

use std::panic::AssertUnwindSafe;

use common::World;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

fn iterations(default: usize) -> usize {
    std::env::var("GUARDIAN_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rng() -> StdRng {
    let seed = std::env::var("GUARDIAN_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_261_123);
    StdRng::seed_from_u64(seed)
}

/// One random damage: flipped bytes, a cut, a duplicated or deleted run, or inserted junk.
fn mutate(rng: &mut StdRng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    if out.is_empty() {
        return vec![rng.random()];
    }
    for _ in 0..rng.random_range(1..=4) {
        let at = rng.random_range(0..out.len().max(1));
        match rng.random_range(0..5) {
            0 => {
                let last = out.len() - 1;
                out[at.min(last)] ^= 1 << rng.random_range(0..8);
            }
            1 => out.truncate(at),
            2 => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                let run = out[at..end].to_vec();
                out.splice(at..at, run);
            }
            3 => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let junk: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                out.splice(at..at, junk);
            }
        }
        if out.is_empty() {
            out.push(rng.random());
        }
    }
    out
}

/// Runs `check` on each damaged input; a panic fails the test with the input saved for a
/// regression test.
fn fuzz(name: &str, seeds: &[Vec<u8>], runs: usize, check: impl Fn(&[u8])) {
    let mut rng = rng();
    for i in 0..runs {
        let seed = &seeds[i % seeds.len()];
        let input = mutate(&mut rng, seed);
        if std::panic::catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
            let saved = std::env::temp_dir().join(format!("guardian-fuzz-{name}-{i}.bin"));
            let _ = std::fs::write(&saved, &input);
            panic!("{name}: input {i} made the code panic; saved at {}", saved.display());
        }
    }
}

#[tokio::test]
async fn the_archive_reader_survives_damaged_archives() {
    let world = World::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.zip");
    world.engine.export_child("Ava", &good, "en", |_| {}).await.expect("export");
    // A real export, and the crafted hostile archives (see `hostile_archives.rs`).
    let mut seeds = vec![std::fs::read(&good).expect("read")];
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/export_archive");
    for entry in std::fs::read_dir(corpus).expect("fuzz/seeds/export_archive") {
        seeds.push(std::fs::read(entry.expect("entry").path()).expect("read"));
    }
    let file = dir.path().join("damaged.zip");
    fuzz("archive", &seeds, iterations(1500), |bytes| {
        std::fs::write(&file, bytes).expect("write");
        // Checking files as they stream in must reach the same verdict as reading them back.
        let read_back = guardian_core::archive::verify(&file);
        let streamed = guardian_core::archive::verify_streamed(&file, &streamed(bytes));
        assert_eq!(read_back, streamed, "the streamed check disagrees with reading the file");
        let _ = guardian_core::archive::read(&file);
    });
    // Damage inside a stored file must never pass verification.
    let mut rng = rng();
    let original = std::fs::read(&good).expect("read");
    let mut accepted = 0;
    for _ in 0..200 {
        let mut bytes = original.clone();
        let at = rng.random_range(0..bytes.len());
        bytes[at] ^= 0x5a;
        std::fs::write(&file, &bytes).expect("write");
        let verdict = guardian_core::archive::verify(&file);
        assert_eq!(verdict, guardian_core::archive::verify_streamed(&file, &streamed(&bytes)));
        if verdict.is_ok() {
            accepted += 1;
        }
    }
    // A flipped byte can land in ignorable zip metadata (e.g. a timestamp); never in content.
    assert!(accepted < 40, "{accepted} of 200 single-byte corruptions were accepted");
}

/// Inputs the coverage-guided fuzzer (`make fuzz`) found, kept so they stay fixed.
#[test]
fn archives_the_fuzzer_found_get_the_same_verdict_streamed_or_read_back() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let scratch = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(dir).expect("tests/regressions") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        let file = scratch.path().join("input.zip");
        std::fs::write(&file, &bytes).expect("write");
        let read_back = guardian_core::archive::verify(&file);
        assert!(read_back.is_err(), "a damaged archive");
        assert_eq!(read_back, guardian_core::archive::verify_streamed(&file, &streamed(&bytes)));
    }
}

/// The streamed check of `bytes` as they would arrive, in uneven chunks.
fn streamed(bytes: &[u8]) -> guardian_core::archive::StreamCheck {
    let mut check = guardian_core::archive::StreamCheck::new();
    for chunk in bytes.chunks(4093) {
        check.update(chunk);
    }
    check
}

#[test]
fn the_flow_parser_survives_damaged_flow_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/flows");
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("tests/flows")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("read"))
        .collect();
    fuzz("flow", &seeds, iterations(5000), |bytes| {
        let _ = guardian_core::flow::parse(&String::from_utf8_lossy(bytes));
    });
}

#[tokio::test]
async fn provider_responses_that_are_damaged_decode_to_errors() {
    let world = World::new().await;
    world.engine.sync().await.expect("sync");
    // Real bodies from the provider, as the client receives them.
    let http = reqwest::Client::new();
    let base = world.sandbox().url();
    let token = world
        .sandbox()
        .access_token(guardian_sandbox::DEMO_PHONE, guardian_sandbox::DEMO_PASSWORD)
        .await
        .expect("sign in");
    let mut seeds = Vec::new();
    for path in [
        "/v1/changes?limit=50",
        "/v1/children",
        "/v1/children/c-leo/contacts",
        "/v1/policies",
        "/v1/deletion-requests",
        "/v1/children/c-leo/consents",
    ] {
        let body = http
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("body");
        seeds.push(body.to_vec());
    }
    fuzz("responses", &seeds, iterations(5000), |bytes| {
        let _ = serde_json::from_slice::<guardian_domain::ChangePage>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::Page<guardian_domain::Child>>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::Page<guardian_domain::Contact>>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::Page<guardian_domain::PolicyVersion>>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::Page<guardian_domain::DeletionRequest>>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::ConsentLedger>(bytes);
        let _ = serde_json::from_slice::<guardian_domain::ErrorBody>(bytes);
    });
}
