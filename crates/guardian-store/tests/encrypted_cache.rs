//! The cache file on disk is encrypted: no SQLite header, no child name, unreadable without its key.

use chrono::{DateTime, Utc};
use guardian_domain::{Child, Demographics, FriendApproval};
use guardian_store::{DbKey, Store, StoreError};

fn child(id: &str, name: &str) -> Child {
    Child {
        id: id.into(),
        display_name: name.into(),
        avatar_url: None,
        friend_approval: FriendApproval::PinRequired,
        discoverable_by: guardian_domain::Discoverability::IdOnly,
        demographics: Demographics::default(),
        pending_requests: 2,
        version: "1".into(),
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

fn all_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(b) = std::fs::read(&name) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_file_on_disk_holds_no_plaintext() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.db");
    let key = DbKey::generate();
    let store = Store::open(&path, &key).await.expect("open new cache");
    store
        .replace_children("g1", &[child("c1", "Zephyrina"), child("c2", "Bartholomew")])
        .await
        .expect("write children");
    // Read back while the WAL still holds the pages, then check both the WAL and the main file.
    assert_eq!(store.children().await.expect("read").len(), 2);
    let live = all_bytes(&path);
    assert!(!contains(&live, b"Zephyrina"), "a child's name is readable in the cache or its WAL");
    store.close().await;

    let bytes = all_bytes(&path);
    assert!(bytes.len() > 4096, "the cache was written to disk");
    assert!(!bytes.starts_with(b"SQLite format 3"), "the file has a plaintext SQLite header");
    for needle in [&b"Zephyrina"[..], b"Bartholomew", b"CREATE TABLE", b"children"] {
        assert!(!contains(&bytes, needle), "plaintext {:?} found on disk", String::from_utf8_lossy(needle));
    }

    let reopened = Store::open(&path, &key).await.expect("the right key opens it");
    let names: Vec<_> =
        reopened.children().await.expect("read").into_iter().map(|c| c.display_name).collect();
    assert_eq!(names, ["Bartholomew", "Zephyrina"], "data survives a reopen, ordered by name");
    reopened.integrity_check().await.expect("integrity ok");
}

#[tokio::test]
async fn a_wrong_key_is_a_clear_error_and_the_file_is_set_aside_not_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.db");
    let store = Store::open(&path, &DbKey::generate()).await.expect("open");
    store.replace_children("g1", &[child("c1", "Zephyrina")]).await.expect("write");
    store.close().await;
    let original = std::fs::read(&path).expect("read file");

    let wrong = DbKey::generate();
    let error = Store::open(&path, &wrong).await.expect_err("a wrong key must not open the cache");
    assert!(matches!(error, StoreError::Unreadable), "got {error:?}");

    let (fresh, set_aside) = Store::open_or_set_aside(&path, &wrong).await.expect("rebuild");
    let set_aside = set_aside.expect("the unreadable file was set aside");
    assert_eq!(std::fs::read(&set_aside.moved_to).expect("moved file"), original, "moved intact");
    assert!(fresh.children().await.expect("read").is_empty(), "the new cache starts empty");
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("list").flatten().collect();
    for file in files {
        let bytes = std::fs::read(file.path()).expect("read");
        assert!(!bytes.starts_with(b"SQLite format 3"), "{:?} is plaintext SQLite", file.path());
    }
}

#[tokio::test]
async fn a_damaged_file_is_set_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.db");
    std::fs::write(&path, vec![0xA5; 64 * 1024]).expect("write garbage");
    let (store, set_aside) =
        Store::open_or_set_aside(&path, &DbKey::generate()).await.expect("rebuilt, not crashed");
    assert!(set_aside.is_some(), "the damaged file was set aside");
    store.integrity_check().await.expect("new cache is sound");
}

#[test]
fn keys_round_trip_and_never_print() {
    let key = DbKey::generate();
    let again = DbKey::from_hex(&key.to_hex()).expect("hex round trip");
    assert_eq!(again.to_hex(), key.to_hex());
    assert_eq!(key.to_hex().len(), 64, "256 bits");
    assert!(!format!("{key:?}").contains(&key.to_hex()[..8]), "key printed by Debug");
    assert!(DbKey::from_hex("abcd").is_none(), "short keys are refused");
}

#[tokio::test]
async fn deleted_rows_are_overwritten_and_temp_files_stay_in_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("cache.db"), &DbKey::generate()).await.expect("open");
    let secure_delete: i64 =
        sqlx::query_scalar("PRAGMA secure_delete").fetch_one(store.pool()).await.expect("pragma");
    assert_eq!(secure_delete, 1, "secure_delete is on");
    let temp_store: i64 =
        sqlx::query_scalar("PRAGMA temp_store").fetch_one(store.pool()).await.expect("pragma");
    assert_eq!(temp_store, 2, "temp_store is MEMORY");
}

#[tokio::test]
async fn queued_decisions_are_rescued_from_a_damaged_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.db");
    let key = DbKey::generate();
    let store = Store::open(&path, &key).await.expect("open");
    let now = DateTime::<Utc>::UNIX_EPOCH;
    store
        .enqueue("key-1", "c1", "approve_request", r#"{"kind":"approve_request"}"#, now)
        .await
        .expect("queue");
    store.enqueue("key-2", "c1", "deny_request", r#"{"kind":"deny_request"}"#, now).await.expect("queue");
    // Many children, so the damaged page at the end of the file is theirs, not the outbox's.
    let children: Vec<_> =
        (0..2000).map(|i| child(&format!("c{i:04}"), &format!("Child number {i}"))).collect();
    store.replace_children("g1", &children).await.expect("write");
    store.close().await;

    let mut bytes = std::fs::read(&path).expect("read");
    let len = bytes.len();
    for b in &mut bytes[len - 2048..] {
        *b ^= 0x5A;
    }
    std::fs::write(&path, &bytes).expect("damage the last page");

    let (fresh, set_aside) = Store::open_or_set_aside(&path, &key).await.expect("rebuilt, not crashed");
    let set_aside = set_aside.expect("the damaged file was set aside");
    assert_eq!(set_aside.rescued_decisions, 2, "both queued decisions were rescued");
    let keys: Vec<_> = fresh.outbox().await.expect("outbox").into_iter().map(|r| r.idempotency_key).collect();
    assert_eq!(keys, ["key-1", "key-2"], "rescued with their idempotency keys, in order");
    assert!(fresh.children().await.expect("children").is_empty(), "the rest is rebuilt from the provider");
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_an_edit_breaks_its_chain() {
    let store = Store::open_in_memory(&DbKey::generate()).await.expect("open");
    let now = chrono::Utc::now();
    store.append_audit(now, "consent_granted", "child:0123", "analytics").await.expect("append");
    store.append_audit(now, "consent_withdrawn", "child:0123", "analytics").await.expect("append");
    assert_eq!(store.verify_audit().await.expect("verify"), Ok(2));
    let pool = store.pool();
    sqlx::query("UPDATE audit_log SET outcome = 'x' WHERE seq = 1")
        .execute(pool)
        .await
        .expect_err("append-only");
    sqlx::query("DELETE FROM audit_log WHERE seq = 1").execute(pool).await.expect_err("append-only");
    // Someone with the key and a SQLite shell removes the guard and edits an entry: found.
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(pool).await.expect("drop trigger");
    sqlx::query("UPDATE audit_log SET outcome = 'sms_verification' WHERE seq = 1")
        .execute(pool)
        .await
        .expect("edit");
    let broken = store.verify_audit().await.expect("verify").expect_err("edited");
    assert_eq!((broken.seq, broken.reason), (1, "its contents do not match its hash"));
}

#[tokio::test]
async fn a_profile_picture_is_kept_encrypted_only_while_the_child_points_at_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache.db");
    let store = Store::open(&path, &DbKey::generate()).await.expect("open");
    let with_picture = |url: &str| Child { avatar_url: Some(url.into()), ..child("c1", "Zephyrina") };
    store.replace_children("g1", &[with_picture("/a?v=1")]).await.expect("children");
    assert_eq!(store.avatars_to_fetch().await.expect("to fetch"), [("c1".into(), "/a?v=1".into())]);
    let picture = b"\x89PNG-the-picture-QuetzalcoatlusPixels".as_slice();
    store.save_avatar("c1", "/a?v=1", "image/png", picture).await.expect("save");
    // A picture for a URL the child no longer has is not kept.
    store.save_avatar("c1", "/a?v=0", "image/png", b"stale").await.expect("save");
    assert_eq!(store.avatar("c1").await.expect("read"), Some(("image/png".into(), picture.to_vec())));
    assert!(store.avatars_to_fetch().await.expect("to fetch").is_empty());
    assert!(!contains(&all_bytes(&path), b"QuetzalcoatlusPixels"), "the picture is encrypted on disk");

    // A new picture: the old one is dropped and the new one is to be fetched.
    let changes = [guardian_domain::Change::Child { data: with_picture("/a?v=2") }];
    store.apply_changes("g1", &changes, "cursor-1").await.expect("apply");
    assert_eq!(store.avatar("c1").await.expect("read"), None);
    assert_eq!(store.avatars_to_fetch().await.expect("to fetch").len(), 1);
    store.save_avatar("c1", "/a?v=2", "image/png", picture).await.expect("save");

    // The child is deleted: its picture goes with it.
    let gone = [guardian_domain::Change::ChildDeleted { id: "c1".into() }];
    store.apply_changes("g1", &gone, "cursor-2").await.expect("apply");
    assert_eq!(store.avatar("c1").await.expect("read"), None);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM child_avatars")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(rows, 0, "no picture row remains");
}
