//! Every flow file in `tests/flows/` runs headless through `guardian flow run`, and a failing
//! expectation stops a flow with a clear message and a non-zero exit code.

use std::path::Path;
use std::process::Command;

fn guardian(args: &[&str], data: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_guardian"))
        .args(args)
        .env("GUARDIAN_DATA_DIR", data)
        .env_remove("GUARDIAN_PROVIDER_URL")
        .output()
        .expect("run guardian")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_shipped_flow_passes_with_a_redacted_transcript() {
    let flows = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/flows");
    let mut files: Vec<_> =
        std::fs::read_dir(&flows).expect("tests/flows").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let data = tempfile::tempdir().expect("temp dir");
    for file in files {
        let transcript = data.path().join("transcript.json");
        let out = guardian(
            &[
                "flow",
                "run",
                file.to_str().expect("utf-8"),
                "--transcript",
                transcript.to_str().expect("utf-8"),
            ],
            data.path(),
        );
        assert!(out.status.success(), "{}: {}{}", file.display(), text(&out.stdout), text(&out.stderr));
        let written = std::fs::read_to_string(&transcript).expect("transcript");
        let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
        assert_eq!(json["result"], "passed");
        let steps = json["steps"].as_array().expect("steps");
        assert!(
            steps.iter().any(|s| !s["exchanges"].as_array().expect("exchanges").is_empty()),
            "HTTP recorded"
        );
        for secret in ["\"1234\"", "\"9999\"", "\"0000\"", "demo-password", "Bearer", "Mean messages"] {
            assert!(!written.contains(secret), "{}: the transcript holds {secret}", file.display());
        }
    }
}

#[test]
fn a_failed_expectation_stops_the_flow_with_its_reason() {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("wrong.toml");
    std::fs::write(
        &file,
        "format = \"guardian-flow/1\"\nname = \"wrong\"\n[[step]]\nstep = \"sign_in\"\n\
         [[step]]\nstep = \"expect_children\"\nnames = [\"Nobody\"]\n[[step]]\nstep = \"sync\"\n",
    )
    .expect("write");
    let out = guardian(&["flow", "run", file.to_str().expect("utf-8")], data.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("step 2 failed: expected the children to be \"Nobody\""),
        "{}",
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    // Each step's line starts with its number (a duration such as "3 ms" may follow elsewhere).
    assert!(
        !stdout.lines().any(|l| l.trim_start().starts_with("3 ")),
        "nothing runs after a failure: {stdout}"
    );
    let transcripts = data.path().join("transcripts");
    assert_eq!(std::fs::read_dir(transcripts).expect("default transcript folder").count(), 1);

    std::fs::write(&file, "format = \"guardian-flow/9\"\nname = \"x\"\n").expect("write");
    let out = guardian(&["flow", "run", file.to_str().expect("utf-8")], data.path());
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
}
