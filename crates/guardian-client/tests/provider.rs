//! The real client against the real sandbox over loopback HTTP.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use guardian_client::{ClientError, MemorySecrets, ProviderClient, Secret, SecretStore};
use guardian_domain::{Clock, FixedClock};
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Sandbox};

async fn sandbox(clock: Arc<FixedClock>) -> Sandbox {
    Sandbox::start(Config { clock, ..Config::default() }).await.expect("sandbox starts")
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("date")))
}

#[tokio::test]
async fn signs_in_lists_children_and_signs_out() {
    let clock = clock();
    let sandbox = sandbox(clock.clone()).await;
    let secrets = Arc::new(MemorySecrets::default());
    let client = ProviderClient::new(&sandbox.url(), secrets.clone(), clock).expect("client");

    assert!(matches!(client.children().await, Err(ClientError::SignInRequired)), "no session yet");
    client.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    assert!(secrets.get("session").expect("read").is_some(), "tokens kept in the secret store");

    let mut names: Vec<_> =
        client.children().await.expect("children").into_iter().map(|c| c.display_name).collect();
    names.sort();
    assert_eq!(names, ["Ava", "Leo", "Mei"], "the demo family");
    let guardian = client.guardian().await.expect("guardian");
    assert!(!guardian.phone_masked.contains("138"), "phone is masked: {}", guardian.phone_masked);

    client.sign_out().await.expect("sign out");
    assert!(secrets.get("session").expect("read").is_none(), "tokens removed on sign-out");
    assert!(matches!(client.children().await, Err(ClientError::SignInRequired)));
}

#[tokio::test]
async fn a_wrong_password_is_clear_and_leaves_the_session_alone() {
    let clock = clock();
    let sandbox = sandbox(clock.clone()).await;
    let secrets = Arc::new(MemorySecrets::default());
    let client = ProviderClient::new(&sandbox.url(), secrets.clone(), clock).expect("client");
    client.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    let before = secrets.get("session").expect("read");

    let error = client.sign_in_password(DEMO_PHONE, &Secret::new("wrong")).await.expect_err("wrong password");
    assert!(matches!(error, ClientError::InvalidCredentials), "{error:?}");
    assert_eq!(secrets.get("session").expect("read"), before, "stored tokens untouched");
    assert!(client.children().await.is_ok(), "the old session still works");
}

#[tokio::test]
async fn tokens_refresh_ahead_of_expiry_and_rotate() {
    let clock = clock();
    let sandbox = sandbox(clock.clone()).await;
    let secrets = Arc::new(MemorySecrets::default());
    let client = ProviderClient::new(&sandbox.url(), secrets.clone(), clock.clone()).expect("client");
    client.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    let first = secrets.get("session").expect("read").expect("session");

    clock.advance(chrono::Duration::minutes(20)); // past the 15-minute access token
    client.children().await.expect("a refresh happens transparently");
    let second = secrets.get("session").expect("read").expect("session");
    assert_ne!(first, second, "the rotated tokens were written to the store");

    // Concurrent calls share one refresh: each would otherwise spend the same refresh token,
    // and the provider would revoke the whole session for reuse.
    clock.advance(chrono::Duration::minutes(20));
    let client = Arc::new(client);
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.children().await.map(|v| v.len()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.expect("join").expect("no call saw a revoked session"), 3);
    }
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_session_with_a_clear_state() {
    let clock = clock();
    let sandbox = sandbox(clock.clone()).await;
    let secrets = Arc::new(MemorySecrets::default());
    let client = ProviderClient::new(&sandbox.url(), secrets.clone(), clock.clone()).expect("client");
    client.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    let stolen = secrets.get("session").expect("read").expect("session");

    clock.advance(chrono::Duration::minutes(20));
    client.children().await.expect("refresh rotates the token");

    // Someone replays the old refresh token: the provider revokes the family.
    let thief_secrets = Arc::new(MemorySecrets::default());
    thief_secrets.set("session", &stolen).expect("plant");
    let thief = ProviderClient::new(&sandbox.url(), thief_secrets, clock.clone()).expect("client");
    assert!(thief.restore_session().await.expect("restore"));
    assert!(matches!(thief.children().await, Err(ClientError::SignInRequired)));

    // The real client's session was revoked with the family: it must ask to sign in, not loop.
    clock.advance(chrono::Duration::minutes(20));
    assert!(matches!(client.children().await, Err(ClientError::SignInRequired)));
    assert!(secrets.get("session").expect("read").is_none(), "a dead session is forgotten");
    assert!(!client.is_signed_in().await);
}

#[tokio::test]
async fn an_unreachable_provider_is_reported_as_offline() {
    let clock = clock();
    let sandbox = sandbox(clock.clone()).await;
    let url = sandbox.url();
    let secrets = Arc::new(MemorySecrets::default());
    let client = ProviderClient::new(&url, secrets, clock).expect("client");
    client.sign_in_password(DEMO_PHONE, &Secret::new(DEMO_PASSWORD)).await.expect("sign in");
    sandbox.stop().await;
    let error = client.children().await.expect_err("nothing listens any more");
    assert_eq!(error.unavailable(), Some(guardian_client::Unavailable::Unreachable), "{error:?}");
}

#[test]
fn plain_http_to_another_machine_is_refused() {
    let error = ProviderClient::new(
        "http://provider.example",
        Arc::new(MemorySecrets::default()),
        Arc::new(guardian_domain::SystemClock) as Arc<dyn Clock>,
    )
    .err()
    .expect("refused");
    assert!(matches!(error, ClientError::InvalidUrl(_)));
}

/// A provider (or anything in front of it) that answers 307/308 never gets the client to send
/// the password to the other address: redirects are refused, and the error says so.
#[tokio::test]
async fn a_redirect_is_refused_and_the_body_goes_nowhere_else() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listener");
    let target = elsewhere.local_addr().expect("addr");
    for status in ["307 Temporary Redirect", "308 Permanent Redirect", "302 Found"] {
        let provider = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listener");
        let url = format!("http://{}", provider.local_addr().expect("addr"));
        let answer = format!(
            "HTTP/1.1 {status}\r\nLocation: http://{target}/v1/auth/password\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let serve = tokio::spawn(async move {
            let (mut socket, _) = provider.accept().await.expect("accept");
            let mut request = vec![0_u8; 4096];
            let _ = socket.read(&mut request).await;
            socket.write_all(answer.as_bytes()).await.expect("answer");
        });
        let client = ProviderClient::new(&url, Arc::new(MemorySecrets::default()), clock()).expect("client");
        let error =
            client.sign_in_password(DEMO_PHONE, &Secret::new("hunter2")).await.expect_err("redirect refused");
        assert!(matches!(error, ClientError::Redirect(_)), "{status}: {error:?}");
        assert!(error.to_string().contains("does not follow redirects"), "{error}");
        serve.await.expect("served");
    }
    let reached = tokio::time::timeout(std::time::Duration::from_millis(300), elsewhere.accept()).await;
    assert!(reached.is_err(), "nothing was sent to the redirect's address");
}
