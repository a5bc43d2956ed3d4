//! The real OS keyring (Secret Service on Linux; CI runs gnome-keyring under dbus-run-session).
//! This test needs a keyring: run it through `make test`, which provides one.

use guardian_client::{KeyringSecrets, Secret, SecretStore};

#[test]
fn secrets_round_trip_through_the_os_keyring() {
    let namespace = format!("test-{}", std::process::id());
    let store = KeyringSecrets::open("guardian-tests", &namespace)
        .expect("an OS keyring is required for this test (make test starts one)");
    assert!(store.is_persistent());
    assert_eq!(store.get("token").expect("read"), None, "starts empty");
    store.set("token", &Secret::new("s3cr3t-value")).expect("write");
    assert_eq!(store.get("token").expect("read").as_ref().map(Secret::expose), Some("s3cr3t-value"));
    store.set("token", &Secret::new("rotated")).expect("overwrite");
    assert_eq!(store.get("token").expect("read").as_ref().map(Secret::expose), Some("rotated"));
    store.delete("token").expect("delete");
    assert_eq!(store.get("token").expect("read"), None, "deleted");
    store.delete("token").expect("deleting twice is fine");
}
