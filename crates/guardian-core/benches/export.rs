//! Downloading a 1 GiB export archive the way the app does it — streamed to disk with resume
//! support, the archive's SHA-256 and every file's (against the manifest) taken as it arrives —
//! against a plain HTTP copy of the same archive to a file, in the same run, from the same loopback
//! server. Also the peak memory growth of each (the goal: bounded, whatever the archive's size).
//!
//! `cargo bench -p guardian-core --bench export` (`make bench`) prints the table and rewrites the
//! export section of docs/PERFORMANCE.md. `EXPORT_BENCH_MIB` sets the archive's size (default 1024).
//! The server stands in for the provider's archive endpoint only (the sandbox builds archives in
//! memory, which is right for its small families but not for 1 GiB).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::{get, post};
use guardian_client::{MemorySecrets, ProviderClient, Secret};
use guardian_domain::{EXPORT_FORMAT, ExportJob, ExportManifest, ExportStatus, ManifestEntry, SystemClock};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

mod common;

use common::{Figure, PeakSampler, median, rss_kib, verdict, write_section, write_summary};

const RUNS: usize = 7;
const CHUNK: usize = 256 * 1024;

/// A stored (uncompressed) export archive of about `mib` MiB: one large CSV of pseudo-random
/// bytes and its manifest. Returns its size, its SHA-256 and its manifest's.
fn build_archive(path: &Path, mib: u64) -> (u64, String, String) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("archive"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    zip.start_file("activity.csv", options).expect("entry");
    let mut hasher = Sha256::new();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut block = vec![0_u8; 1024 * 1024];
    for _ in 0..mib {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        hasher.update(&block);
        zip.write_all(&block).expect("write");
    }
    let manifest = ExportManifest {
        format: EXPORT_FORMAT.into(),
        child_id: "c-bench".into(),
        created_at: chrono::Utc::now(),
        files: vec![ManifestEntry {
            path: "activity.csv".into(),
            size: mib * 1024 * 1024,
            sha256: format!("{:x}", hasher.finalize()),
        }],
        excluded: vec![],
    };
    let manifest = serde_json::to_vec(&manifest).expect("json");
    zip.start_file("manifest.json", options).expect("entry");
    zip.write_all(&manifest).expect("write");
    zip.finish().expect("finish");
    let size = std::fs::metadata(path).expect("size").len();
    (size, guardian_core::file_sha256(path).expect("sha"), format!("{:x}", Sha256::digest(&manifest)))
}

/// Streams a file as a response body, one chunk at a time.
fn stream(path: PathBuf) -> Body {
    let chunks = futures_util::stream::unfold(None, move |file: Option<tokio::fs::File>| {
        let path = path.clone();
        async move {
            let mut file = match file {
                Some(file) => file,
                None => tokio::fs::File::open(&path).await.ok()?,
            };
            let mut buffer = vec![0_u8; CHUNK];
            let n = file.read(&mut buffer).await.ok()?;
            (n > 0).then(|| {
                buffer.truncate(n);
                (Ok::<_, std::io::Error>(Bytes::from(buffer)), Some(file))
            })
        }
    });
    Body::from_stream(chunks)
}

async fn serve(archive: PathBuf) -> String {
    let tokens = serde_json::json!({
        "access_token": "bench-access", "refresh_token": "bench-refresh", "token_type": "Bearer",
        "expires_in": 3600, "guardian_id": "g-bench"
    });
    let (a, b) = (archive.clone(), archive);
    let app = Router::new()
        .route("/v1/auth/password", post(move || async move { axum::Json(tokens) }))
        .route("/v1/exports/{id}/archive", get(move || async move { stream(a) }))
        .route("/plain", get(move || async move { stream(b) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    url
}

/// The baseline: a plain streamed copy to a file.
async fn plain_copy(url: &str, out: &Path) {
    let mut response = reqwest::get(format!("{url}/plain")).await.expect("get");
    let mut file = tokio::fs::File::create(out).await.expect("create");
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        file.write_all(&chunk).await.expect("write");
    }
    file.flush().await.expect("flush");
    file.sync_all().await.expect("sync");
}

/// The client's resumable download alone, nothing checked.
async fn guardian_download(client: &ProviderClient, job: &ExportJob, out: &Path) {
    client.download_export(job, out, (), |_, _| {}).await.expect("download");
    assert_eq!(std::fs::metadata(out).map(|m| m.len()).ok(), job.size, "the whole archive");
}

/// What the app does: the download with every file hashed as the bytes arrive, then the
/// directory read back, the manifest checked against the provider's checksum of it and every
/// file against the manifest.
async fn guardian_export(client: &ProviderClient, job: &ExportJob, out: &Path) {
    let summary = guardian_core::download_verified(client, job, out, |_, _| {})
        .await
        .expect("download")
        .expect("a valid archive");
    assert_eq!(summary.files, 1);
}

/// Waits until the file system has written everything out (`sync`).
fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
}

async fn measure<F: std::future::Future<Output = ()>>(run: F) -> (Duration, u64) {
    let before = rss_kib();
    let sampler = PeakSampler::start();
    let start = Instant::now();
    run.await;
    let elapsed = start.elapsed();
    (elapsed, sampler.finish().saturating_sub(before))
}

fn main() {
    let mib: u64 = std::env::var("EXPORT_BENCH_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(1024);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = dir.path().join("served.zip");
        eprintln!("building a {mib} MiB archive…");
        let (size, sha256, manifest_sha256) = build_archive(&archive, mib);
        let url = serve(archive).await;
        let client = ProviderClient::with_timeout(
            &url,
            Arc::new(MemorySecrets::default()),
            Arc::new(SystemClock),
            Duration::from_secs(600),
        )
        .expect("client");
        client.sign_in_password("+8613800000001", &Secret::new("unused")).await.expect("sign in");
        let job = ExportJob {
            id: "ex-bench".into(),
            child_id: "c-bench".into(),
            status: ExportStatus::Ready,
            progress: 100,
            created_at: chrono::Utc::now(),
            size: Some(size),
            sha256: Some(sha256),
            manifest_sha256: Some(manifest_sha256),
        };
        let (mut plain, mut ours, mut download_only) = (Vec::new(), Vec::new(), Vec::new());
        let (mut plain_mem, mut our_mem) = (0_u64, 0_u64);
        // The three take turns going first, and the disk settles between them (the gigabyte just
        // deleted is freed), so what one leaves behind does not land on the next.
        for run in 0..RUNS {
            for turn in 0..3 {
                let out = dir.path().join("out.zip");
                let ((time, memory), times) = match (run + turn) % 3 {
                    0 => (measure(plain_copy(&url, &out)).await, &mut plain),
                    1 => (measure(guardian_download(&client, &job, &out)).await, &mut download_only),
                    _ => (measure(guardian_export(&client, &job, &out)).await, &mut ours),
                };
                std::fs::remove_file(&out).ok();
                settle_disk();
                times.push(time);
                match (run + turn) % 3 {
                    0 => plain_mem = plain_mem.max(memory),
                    _ => our_mem = our_mem.max(memory),
                }
            }
            eprintln!("run {}: plain {:?}, Guardian {:?}", run + 1, plain[run], ours[run]);
        }
        let (plain, ours, download_only) = (median(plain), median(ours), median(download_only));
        let rate = |d: Duration| size as f64 / 1_048_576.0 / d.as_secs_f64();
        let ratio = rate(ours) / rate(plain);
        let mib_of = |kib: u64| kib as f64 / 1024.0;
        let table = format!(
            "Machine: {cores} cores, {os} {arch}. Archive: {size_mib:.0} MiB (stored zip), served over loopback in 256 KiB \
             chunks. Median of {RUNS} runs.\n\n\
             | measure | plain HTTP copy | Guardian | ratio | goal |\n| --- | --- | --- | --- | --- |\n\
             | throughput (Guardian: download with resume support; every file's SHA-256 taken as it arrives, checked against the manifest, the manifest against the provider's checksum of it) | {pr:.0} MiB/s | {gr:.0} MiB/s | {ratio:.2}× | ≥ 0.8× ({m1}) |\n\
             | the same download with nothing checked | {pr:.0} MiB/s | {dr:.0} MiB/s | {dratio:.2}× | – |\n\
             | peak memory growth during the download | {pm:.1} MiB | {gm:.1} MiB | – | ≤ 64 MiB ({m2}) |\n",
            cores = std::thread::available_parallelism().map_or(1, usize::from),
            os = std::env::consts::OS,
            arch = std::env::consts::ARCH,
            size_mib = size as f64 / 1_048_576.0,
            pr = rate(plain),
            gr = rate(ours),
            dr = rate(download_only),
            dratio = rate(download_only) / rate(plain),
            m1 = verdict(ratio >= 0.8),
            pm = mib_of(plain_mem),
            gm = mib_of(our_mem),
            m2 = verdict(mib_of(our_mem) <= 64.0),
        );
        println!("{table}");
        write_section("export-bench", "Export", &table);
        write_summary(
            "make bench",
            &[
                Figure {
                    name: "export download and verification vs a plain HTTP copy (throughput)",
                    baseline: format!("{:.0} MiB/s", rate(plain)),
                    guardian: format!("{:.0} MiB/s", rate(ours)),
                    ratio: format!("{ratio:.2}×"),
                    goal: format!("≥ 0.8× ({})", verdict(ratio >= 0.8)),
                },
                Figure {
                    name: "export download, peak memory growth",
                    baseline: format!("{:.1} MiB", mib_of(plain_mem)),
                    guardian: format!("{:.1} MiB", mib_of(our_mem)),
                    ratio: "–".into(),
                    goal: format!("≤ 64 MiB ({})", verdict(mib_of(our_mem) <= 64.0)),
                },
            ],
        );
    });
}
