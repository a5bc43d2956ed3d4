//! Data rights end to end: the engine against a real sandbox over loopback, real archives on
//! disk, both clocks moved to pass cooling-off periods.

mod common;

use std::io::Write as _;

use chrono::Duration;
use common::World;
use guardian_core::archive::{self, ArchiveError};
use guardian_core::{ConsentPurpose, CoreError, ExportStage, Secret};
use guardian_sandbox::{DEMO_PASSWORD, DEMO_PIN, Fault, FaultKind};

fn secret(s: &str) -> Secret {
    Secret::new(s)
}

fn password(s: &str) -> guardian_core::Reauth {
    guardian_core::Reauth::Password(Secret::new(s))
}

#[tokio::test]
async fn an_export_resumes_after_a_dropped_connection_then_verifies_and_diffs() {
    let world = World::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("ava-1.zip");
    // The first try loses the connection halfway through the archive.
    world.sandbox().inject(Fault {
        path_prefix: "/v1/exports/*/archive".into(),
        kind: FaultKind::Interrupted,
        times: 1,
        chance: None,
    });
    let mut stages = Vec::new();
    let error = world
        .engine
        .export_child("Ava", &first, "en", |p| stages.push(p.stage))
        .await
        .expect_err("the connection dropped");
    assert_eq!(error.code(), "offline", "{error}");
    let part = dir.path().join("ava-1.zip.part");
    let kept = std::fs::metadata(&part).expect("the partial download is kept").len();
    assert!(kept > 0, "half the archive arrived");
    assert!(!first.exists(), "nothing unverified takes the chosen name");
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("ava-1.zip.part.json")).expect("job note"))
            .expect("json");
    // Run again: the same job resumes from what arrived and is verified.
    let mut progress = Vec::new();
    let summary = world
        .engine
        .export_child("Ava", &first, "en", |p| progress.push((p.stage, p.done, p.total)))
        .await
        .expect("export");
    assert_eq!(summary.child_id, "c-ava");
    assert!(!part.exists() && !dir.path().join("ava-1.zip.part.json").exists(), "no partial files left");
    assert!(progress.iter().any(|(stage, _, _)| *stage == ExportStage::Downloading), "{progress:?}");
    assert!(stages.contains(&ExportStage::Preparing), "{stages:?}");
    assert_eq!(progress.first().map(|p| p.1), Some(kept as f64), "the download resumed where it stopped");
    assert_eq!(
        guardian_core::file_sha256(&first).expect("hash"),
        info["sha256"].as_str().expect("sha"),
        "the resumed file is the same archive the first try began"
    );
    archive::verify(&first).expect("a verified archive");

    // Block Zoe and export again: the difference shows it.
    world.engine.set_contact_blocked("Ava", "u-zoe", true, None).await.expect("block");
    let second = dir.path().join("ava-2.zip");
    world.engine.export_child("Ava", &second, "zh-CN", |_| {}).await.expect("export");
    let diff = archive::diff(&first, &second).expect("diff");
    assert_eq!(diff.contacts_changed.len(), 1, "{diff:?}");
    assert_eq!(
        (
            diff.contacts_changed[0].what.as_str(),
            diff.contacts_changed[0].before.as_str(),
            diff.contacts_changed[0].after.as_str()
        ),
        ("Zoe", "approved", "blocked")
    );
    let contents = world.engine.open_export(&second).await.expect("open");
    assert_eq!(contents.child.display_name, "Ava");

    // The local audit log recorded each export, without names, and its chain holds.
    let log = world.engine.audit_log().await.expect("audit log");
    assert_eq!(log.iter().filter(|e| e.action == "export_saved").count(), 2, "{log:?}");
    assert!(log.iter().all(|e| !e.subject.contains("Ava") && !e.subject.contains("c-ava")), "{log:?}");
    assert_eq!(world.engine.verify_audit_log().await.expect("verify"), Ok(log.len()));
}

/// Rewrites an archive, letting `edit` change or add entries.
fn rewrite(
    from: &std::path::Path,
    to: &std::path::Path,
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: Option<(&str, &[u8])>,
) {
    let mut source = zip::ZipArchive::new(std::fs::File::open(from).expect("open")).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..source.len() {
        let mut entry = source.by_index(i).expect("entry");
        let name = entry.name().expect("utf-8 name").into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
        out.start_file(name.clone(), options).expect("start");
        out.write_all(&edit(&name, bytes)).expect("write");
    }
    if let Some((name, bytes)) = extra {
        out.start_file(name, options).expect("start");
        out.write_all(bytes).expect("write");
    }
    out.finish().expect("finish");
}

#[tokio::test]
async fn a_tampered_foreign_or_traversing_archive_is_refused_with_a_clear_reason() {
    let world = World::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.zip");
    world.engine.export_child("Leo", &good, "en", |_| {}).await.expect("export");

    let tampered = dir.path().join("tampered.zip");
    rewrite(
        &good,
        &tampered,
        |name, bytes| if name == "contacts.csv" { b"nothing to see".to_vec() } else { bytes },
        None,
    );
    assert_eq!(
        archive::verify(&tampered).expect_err("tampered"),
        ArchiveError::Tampered("contacts.csv".into())
    );
    // The same verdicts for a download: each file hashed as the archive streamed in, and the
    // manifest checked against the provider's checksum of it.
    let manifest_sha256 = |path: &std::path::Path| {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("manifest.json").expect("manifest"), &mut bytes)
            .expect("read");
        format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes))
    };
    let prepared = manifest_sha256(&good);
    let streamed = |path: &std::path::Path| {
        let mut check = archive::StreamCheck::new();
        for chunk in std::fs::read(path).expect("read").chunks(1000) {
            check.update(chunk);
        }
        archive::verify_download(path, &check, &prepared)
    };
    assert_eq!(streamed(&good).expect("good").files, archive::verify(&good).expect("good").files);
    assert_eq!(streamed(&tampered).expect_err("tampered"), ArchiveError::Tampered("contacts.csv".into()));

    // Another archive, consistent with its own manifest, is not the one the provider prepared.
    let swapped = dir.path().join("swapped.zip");
    let fake = b"nothing to see";
    let real = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&good).expect("open")).expect("zip");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("contacts.csv").expect("csv"), &mut bytes).expect("read");
        bytes
    };
    let hex = |b: &[u8]| format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(b));
    rewrite(
        &good,
        &swapped,
        |name, bytes| match name {
            "contacts.csv" => fake.to_vec(),
            "manifest.json" => String::from_utf8(bytes)
                .expect("utf-8")
                .replace(&hex(&real), &hex(fake))
                .replace(&format!("\"size\": {}", real.len()), &format!("\"size\": {}", fake.len()))
                .into_bytes(),
            _ => bytes,
        },
        None,
    );
    assert!(archive::verify(&swapped).is_ok(), "consistent in itself");
    let error = streamed(&swapped).expect_err("swapped");
    assert_eq!(error, ArchiveError::NotAsPrepared);
    assert!(error.to_string().contains("not the one the provider prepared"), "{error}");

    let traversal = dir.path().join("traversal.zip");
    rewrite(&good, &traversal, |_, b| b, Some(("../../evil.sh", b"#!/bin/sh")));
    let error = archive::verify(&traversal).expect_err("traversal");
    assert_eq!(error, ArchiveError::UnsafePath("../../evil.sh".into()));
    assert!(error.to_string().contains("unsafe name"), "{error}");

    let extra = dir.path().join("extra.zip");
    rewrite(&good, &extra, |_, b| b, Some(("notes.txt", b"hi")));
    assert_eq!(archive::verify(&extra).expect_err("extra"), ArchiveError::Unexpected("notes.txt".into()));

    let foreign = dir.path().join("foreign.zip");
    std::fs::write(&foreign, b"PK\x03\x04 not really a zip").expect("write");
    assert_eq!(archive::verify(&foreign).expect_err("foreign"), ArchiveError::NotAnExport);
    let error = world.engine.open_export(&foreign).await.expect_err("foreign");
    assert_eq!(error.code(), "archive_invalid");
}

#[tokio::test]
async fn a_child_deletion_cools_off_then_purges_the_child_from_this_computer() {
    let world = World::new().await;
    // Queue a decision offline-style first: it must go with the child.
    world.sandbox().inject(Fault {
        path_prefix: "/v1/children/c-mei/friend-requests".into(),
        kind: FaultKind::Unavailable,
        times: 50,
        chance: None,
    });
    world.engine.approve_request("Mei", "fr-3", Some(&secret(DEMO_PIN)), None).await.expect("queued");
    assert_eq!(world.engine.pending_decisions().await.expect("pending").len(), 1);

    // Wrong name, wrong password, wrong PIN: clear errors, nothing requested.
    let e =
        world.engine.request_child_deletion("Mei", "Me", &password(DEMO_PASSWORD), &secret(DEMO_PIN)).await;
    assert!(matches!(e, Err(CoreError::Invalid(_))), "{e:?}");
    let e = world.engine.request_child_deletion("Mei", "Mei", &password("wrong"), &secret(DEMO_PIN)).await;
    assert_eq!(e.expect_err("wrong password").to_string(), "the password is not correct");
    let e =
        world.engine.request_child_deletion("Mei", "Mei", &password(DEMO_PASSWORD), &secret("0000")).await;
    assert_eq!(e.expect_err("wrong PIN").code(), "provider_error");
    assert!(world.engine.deletion_requests().await.expect("requests").is_empty());

    let request = world
        .engine
        .request_child_deletion("Mei", "Mei", &password(DEMO_PASSWORD), &secret(DEMO_PIN))
        .await
        .expect("requested");
    assert_eq!(request.status.as_str(), "cooling_off");
    // Closing nothing, deleting nothing: during cooling-off Mei is still here.
    world.advance(Duration::days(6));
    world.engine.sync().await.ok();
    assert!(world.engine.find_child("Mei").await.is_ok());

    world.advance(Duration::days(2));
    let settled = world.engine.settle_deletions().await.expect("settle");
    assert_eq!(settled.len(), 1);
    let error = world.engine.find_child("Mei").await.expect_err("Mei is gone");
    assert_eq!(error.code(), "invalid_input");
    assert!(
        world.engine.pending_decisions().await.expect("pending").is_empty(),
        "her queued decision went too"
    );
    let names: Vec<_> =
        world.engine.children().await.expect("children").into_iter().map(|c| c.display_name).collect();
    assert_eq!(names, ["Ava", "Leo"]);
    let log = world.engine.audit_log().await.expect("log");
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"deletion_requested") && actions.contains(&"deletion_completed"),
        "{actions:?}"
    );
    assert!(actions.contains(&"pin_used"), "{actions:?}");
    assert!(world.engine.settle_deletions().await.expect("again").is_empty(), "settled once");
}

#[tokio::test]
async fn cancelling_during_cooling_off_restores_everything() {
    let world = World::with_scenario("deletion-pending").await;
    let requests = world.engine.deletion_requests().await.expect("requests");
    assert_eq!(requests.len(), 1);
    world.engine.cancel_deletion(&requests[0].id).await.expect("cancel");
    world.advance(Duration::days(20));
    world.engine.sync().await.expect("sync");
    assert!(world.engine.find_child("Kai").await.is_ok(), "Kai stays");
    assert!(world.engine.settle_deletions().await.expect("settle").is_empty());
}

#[tokio::test]
async fn the_guardian_account_is_refused_while_children_remain_then_leaves_nothing_behind() {
    let world = World::with_scenario("deletion-pending").await;
    let error =
        world.engine.request_guardian_deletion(&password(DEMO_PASSWORD)).await.expect_err("children remain");
    assert!(error.to_string().contains("Kai, Rin"), "{error}");
    world
        .engine
        .request_child_deletion("Rin", "Rin", &password(DEMO_PASSWORD), &secret(DEMO_PIN))
        .await
        .expect("Rin");
    world.advance(Duration::days(8));
    world.engine.settle_deletions().await.expect("settle");
    assert!(world.engine.children().await.expect("children").is_empty());
    world.engine.request_guardian_deletion(&password(DEMO_PASSWORD)).await.expect("requested");
    world.advance(Duration::days(8));
    let error = world.engine.deletion_requests().await.expect_err("the account is gone");
    assert_eq!(error.code(), "account_deleted");
    assert!(!world.engine.status().await.signed_in);
    assert!(common::files_below(world.data_dir()).is_empty(), "nothing left on disk");
}

#[tokio::test]
async fn consent_and_policy_notices_round_trip() {
    let world = World::with_scenario("policy-update-pending").await;
    let purpose = guardian_core::consent_purpose("crash_reporting").expect("a known purpose");
    let ledger = world.engine.set_consent("Mei", purpose, false).await.expect("withdraw");
    assert!(ledger.current.iter().any(|c| c.purpose == ConsentPurpose::CrashReporting && !c.granted));
    let e = guardian_core::consent_purpose("telepathy").expect_err("unknown purpose");
    assert!(e.to_string().contains("cross_border_transfer"), "{e}");
    let policies = world.engine.policies().await.expect("policies");
    let (in_force, pending) = guardian_core::policy_in_force_and_pending(&policies, world.engine.now());
    let (in_force, pending) = (in_force.expect("in force"), pending.expect("pending"));
    assert!(pending.major);
    let diff = guardian_core::policy_diff(&in_force.text, &pending.text);
    assert!(diff.iter().any(|l| l.kind == "added" && l.text.contains("cross-border")), "{diff:?}");
    assert!(diff.iter().all(|l| l.kind != "removed"), "only a sentence was added: {diff:?}");
    let acked = world.engine.acknowledge_policy(&pending.version).await.expect("ack");
    assert!(acked.acknowledged_at.is_some());
}

#[tokio::test]
async fn every_file_of_an_export_validates_against_its_documented_schema() {
    let world = World::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("leo.zip");
    world.engine.export_child("Leo", &file, "en", |_| {}).await.expect("export");
    let schemas = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/export-schemas");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).expect("open")).expect("zip");
    let mut checked = Vec::new();
    for name in ["manifest", "child", "contacts", "friend_requests", "activity", "consents"] {
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(schemas.join(format!("{name}.schema.json"))).expect("schema"),
        )
        .expect("schema JSON");
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("a valid schema");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&format!("{name}.json")).expect("file"), &mut text)
            .expect("read");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}.json: {errors:?}");
        // The schema is strict enough to catch a wrong file.
        assert!(!validator.is_valid(&serde_json::json!({ "unexpected": true })), "{name}");
        checked.push(name);
    }
    assert_eq!(checked.len(), 6);
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("activity.csv").expect("csv"), &mut csv).expect("read");
    assert!(csv.starts_with("day,feature,uses,minutes\r\n"), "{}", &csv[..40.min(csv.len())]);
}

#[tokio::test]
async fn an_automated_decision_is_explained_once_and_shown_as_asked() {
    let world = World::new().await;
    let records = world.engine.transparency("Ava").await.expect("records");
    let decision = records.decisions.iter().find(|d| d.id == "ad-ava-1").expect("the seeded auto-block");
    assert_eq!(decision.explanation_request, None);
    assert!(records.staff_access.iter().all(|a| !a.staff_role.is_empty()));

    let first = world.engine.explain_decision("Ava", "ad-ava-1").await.expect("asked");
    let second = world.engine.explain_decision("Ava", "ad-ava-1").await.expect("asked again");
    assert_eq!(first.id, second.id, "a second ask finds the first request");
    let tracked = world.engine.tracked_requests().await.expect("tracked");
    assert_eq!(tracked.iter().filter(|r| r.kind == "explanation").count(), 1);
    let records = world.engine.transparency("Ava").await.expect("records");
    let decision = records.decisions.iter().find(|d| d.id == "ad-ava-1").expect("decision");
    assert_eq!(decision.explanation_request.as_deref(), Some(first.id.as_str()));

    let error = world.engine.explain_decision("Ava", "ad-leo-1").await.expect_err("another child's");
    assert_eq!(error.code(), "invalid_input");
    let notices = world.engine.security_notices().await.expect("notices");
    assert!(notices.windows(2).all(|w| w[0].published_at >= w[1].published_at), "newest first");
}

#[tokio::test]
async fn deleting_activity_by_category_empties_the_cache_too_and_a_wrong_password_keeps_it() {
    let world = World::new().await;
    let used =
        |view: &guardian_core::ActivityView| -> u32 { view.days.iter().flat_map(|d| d.uses.iter()).sum() };
    let before = world.engine.activity("Leo", 14).await.expect("activity");
    assert!(used(&before) > 0, "the demo has activity in the cache");

    let error =
        world.engine.delete_data("Leo", "activity", &password("not-it")).await.expect_err("wrong password");
    assert_eq!(error.code(), "invalid_input", "{error}");
    assert_eq!(used(&world.engine.activity("Leo", 14).await.expect("activity")), used(&before));
    let error =
        world.engine.delete_data("Leo", "everything", &password(DEMO_PASSWORD)).await.expect_err("no");
    assert_eq!(error.code(), "invalid_input");

    let receipt =
        world.engine.delete_data("Leo", "activity", &password(DEMO_PASSWORD)).await.expect("deleted");
    assert_eq!((receipt.category.as_str(), receipt.deleted_items), ("activity", 140));
    assert_eq!(
        used(&world.engine.activity("Leo", 14).await.expect("activity")),
        0,
        "gone from this computer"
    );
    assert!(used(&world.engine.activity("Mei", 14).await.expect("activity")) > 0, "only Leo's");
    let receipts = world.engine.data_deletions("Leo").await.expect("receipts");
    assert_eq!(receipts, vec![receipt]);
    // A full re-sync from scratch brings nothing back.
    world.engine.sync().await.expect("sync");
    assert_eq!(used(&world.engine.activity("Leo", 14).await.expect("activity")), 0);
    let audit = world.engine.audit_log().await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "data_deleted" && e.outcome == "activity"));
}

#[tokio::test]
async fn saved_exports_are_listed_verified_opened_and_compared_and_a_damaged_one_is_named() {
    let world = World::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("guardian-export-Ava-2026-11-30.zip");
    world.engine.export_child("Ava", &first, "en", |_| {}).await.expect("first export");
    world.engine.delete_data("Ava", "activity", &password(DEMO_PASSWORD)).await.expect("activity deleted");
    world.advance(Duration::minutes(1));
    let second = dir.path().join("guardian-export-Ava-2026-11-30-2.zip");
    world.engine.export_child("Ava", &second, "en", |_| {}).await.expect("second export");
    std::fs::write(dir.path().join("guardian-export-broken.zip"), b"not a zip").expect("plant");
    std::fs::write(dir.path().join("holiday.zip"), b"not ours").expect("plant");

    let saved = world.engine.saved_exports(dir.path(), Some("c-ava")).await.expect("listed");
    let files: Vec<_> = saved.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "guardian-export-Ava-2026-11-30-2.zip",
            "guardian-export-Ava-2026-11-30.zip",
            "guardian-export-broken.zip"
        ],
        "newest first, the damaged one named, other files left alone"
    );
    assert!(saved[2].problem.is_some() && saved[0].problem.is_none());
    assert!(
        world
            .engine
            .saved_exports(dir.path(), Some("c-leo"))
            .await
            .expect("listed")
            .iter()
            .all(|s| s.problem.is_some())
    );

    let view = world.engine.view_saved_export(dir.path(), &saved[1].file).await.expect("opened");
    assert_eq!((view.child_name.as_str(), view.activity_rows, view.blocked), ("Ava", 140, 1));
    let diff =
        world.engine.compare_saved_exports(dir.path(), &saved[1].file, &saved[0].file).await.expect("diff");
    assert_eq!((diff.activity_rows_before, diff.activity_rows_after), (140, 0));
    let error =
        world.engine.view_saved_export(dir.path(), "../guardian-export-x.zip").await.expect_err("a path");
    assert_eq!(error.code(), "invalid_input");
    let error =
        world.engine.view_saved_export(dir.path(), "guardian-export-broken.zip").await.expect_err("damaged");
    assert_eq!(error.code(), "archive_invalid");
}

#[tokio::test]
async fn a_code_sent_by_sms_proves_who_the_guardian_is_and_a_wrong_one_keeps_the_session() {
    let world = World::new().await;
    world.engine.send_reauth_code().await.expect("code sent");
    let code = world.sandbox().last_sms_code(guardian_sandbox::DEMO_PHONE).await.expect("db").expect("code");
    let wrong = guardian_core::Reauth::SmsCode(secret("000000"));
    let error = world.engine.delete_data("Leo", "activity", &wrong).await.expect_err("wrong code");
    assert_eq!(error.code(), "invalid_input", "{error}");
    assert!(error.to_string().contains("code is not correct"), "{error}");
    assert!(world.engine.status().await.signed_in, "a wrong code does not sign the guardian out");
    let receipt = world
        .engine
        .delete_data("Leo", "activity", &guardian_core::Reauth::SmsCode(secret(&code)))
        .await
        .expect("deleted with the code");
    assert_eq!(receipt.deleted_items, 140);
}
