//! Third-party sign-in through the engine, with a stand-in browser that agrees on the sandbox's
//! simulated third-party page and follows the redirect back to the engine's loopback port.

mod common;

use common::World;
use guardian_core::{CoreError, IdentityOutcome, Secret};
use guardian_sandbox::DEMO_PHONE;

/// Plays the guardian's browser: continues as `account` on the third party's page; the redirect
/// goes to the engine's loopback listener, whose page is returned.
fn browser(account: &'static str, seen: std::sync::Arc<std::sync::Mutex<String>>) -> impl FnOnce(&str) {
    move |url: &str| {
        let allow = format!("{}&account={account}", url.replace("/authorize?", "/allow?"));
        tokio::spawn(async move {
            let page = reqwest::get(&allow).await.expect("browser").text().await.expect("page");
            *seen.lock().expect("lock") = page;
        });
    }
}

#[tokio::test]
async fn a_guardian_binds_a_phone_to_a_new_identity_then_signs_in_with_it_and_unlinks_it() {
    let world = World::new().await;
    let engine = &world.engine;
    assert_eq!(engine.account().await.expect("account").real_name, "verified");
    engine.sign_out().await.expect("sign out");

    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let outcome =
        engine.sign_in_with_identity("wechat", browser("demo", seen.clone())).await.expect("agreed");
    assert_eq!(outcome, IdentityOutcome::PhoneBindingRequired, "no account uses it yet");
    assert!(seen.lock().expect("lock").contains("go back to Guardian"), "the browser is told where to go");
    assert!(!engine.status().await.signed_in);

    engine.request_sms_code(DEMO_PHONE).await.expect("code sent");
    let code = world.sandbox().last_sms_code(DEMO_PHONE).await.expect("outbox").expect("code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(engine.bind_phone(DEMO_PHONE, &Secret::new(wrong)).await.is_err(), "a wrong code binds nothing");
    engine.bind_phone(DEMO_PHONE, &Secret::new(&code)).await.expect("bound and signed in");
    assert!(engine.status().await.signed_in);
    assert_eq!(engine.children().await.expect("children").len(), 3, "the family is synced");
    let account = engine.account().await.expect("account");
    assert_eq!(account.identities.iter().map(|i| i.provider.as_str()).collect::<Vec<_>>(), ["wechat"]);

    // Next time the identity signs in directly.
    engine.sign_out().await.expect("sign out");
    let outcome =
        engine.sign_in_with_identity("wechat", browser("demo", seen.clone())).await.expect("agreed");
    assert_eq!(outcome, IdentityOutcome::SignedIn);
    assert_eq!(engine.children().await.expect("children").len(), 3);

    // A second WeChat account cannot be linked; unlinking leaves none; unknown third parties are refused.
    match engine.link_identity("wechat", browser("new", seen.clone())).await {
        Err(CoreError::Client(error)) => assert!(error.to_string().contains("already linked"), "{error}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(engine.unlink_identity("wechat").await.expect("unlinked").identities.is_empty());
    assert!(matches!(engine.sign_in_with_identity("myspace", |_| {}).await, Err(CoreError::Invalid(_))));
}
