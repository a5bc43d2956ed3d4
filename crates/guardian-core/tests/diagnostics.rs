//! The diagnostics bundle names no one: not the children and contacts the cache knows, and not
//! the co-guardians and inviters the provider knows either, whatever the case they are written in.

mod common;

use std::io::Read as _;

use common::World;

fn bundle_text(out: &std::path::Path) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(out).expect("open")).expect("zip");
    let mut all = String::new();
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        entry.read_to_string(&mut all).expect("text");
    }
    (names, all)
}

#[tokio::test]
async fn the_bundle_names_no_co_guardian_or_inviter_whatever_the_case() {
    let world = World::with_scenario("co-guardians").await;
    // A transcript left by support's flow run, naming Leo's co-guardian (who also invited this
    // guardian to look after Kai), in several cases.
    let dir = guardian_core::diagnostics::transcript_dir(world.data_dir());
    std::fs::create_dir_all(&dir).expect("transcripts folder");
    std::fs::write(dir.join("refused.txt"), "refused: Jun Chen must agree; JUN CHEN; jun chen\n")
        .expect("transcript");

    let out = world.data_dir().join("support.zip");
    world.engine.write_diagnostics(&out, None).await.expect("bundle");
    let (_, all) = bundle_text(&out);
    assert!(all.contains("refused: [name] must agree"), "the transcript is there, scrubbed: {all}");
    assert!(!all.to_lowercase().contains("jun chen"), "a co-guardian is named in the bundle");
    assert!(!all.contains("Leo"), "a child is named in the bundle");
}

/// Signed out, the names to scrub are gone with the cache; a transcript (the only file that can
/// name someone) is then left out, and the bundle says why.
#[tokio::test]
async fn signed_out_the_bundle_still_names_no_one() {
    let world = World::new().await;
    let dir = guardian_core::diagnostics::transcript_dir(world.data_dir());
    std::fs::create_dir_all(&dir).expect("transcripts folder");
    std::fs::write(dir.join("approve.txt"), "approve: Leo, request from Oliver\n").expect("transcript");
    world.engine.sign_out().await.expect("signed out");

    let out = world.data_dir().join("support.zip");
    world.engine.write_diagnostics(&out, None).await.expect("bundle");
    let (files, all) = bundle_text(&out);
    assert!(!all.contains("Leo") && !all.contains("Oliver"), "someone is named in the bundle: {all}");
    assert!(!files.iter().any(|f| f.starts_with("transcripts/")), "{files:?}");
    assert!(all.contains("transcripts_left_out"), "the bundle says why: {all}");
}
