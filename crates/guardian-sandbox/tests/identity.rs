//! Third-party sign-in over loopback HTTP: the authorization-code flow with PKCE, binding a
//! phone number to a new identity, linking and unlinking.

mod common;

use base64::Engine as _;
use common::{Api, code};
use guardian_domain::{ErrorCode, Guardian, TokenResponse};
use guardian_sandbox::{DEMO_PHONE, Sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const VERIFIER: &str = "a-long-random-verifier-only-the-app-knows-0123456789";
const REDIRECT: &str = "http://127.0.0.1:43210/callback";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn post(
    sandbox: &Sandbox,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(format!("{}{path}", sandbox.url())).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Plays the guardian's browser: opens the third party's page and continues as `account`;
/// returns the code the redirect to the app's loopback address carries.
async fn agree(sandbox: &Sandbox, account: &str) -> String {
    let (status, started) = post(
        sandbox,
        "/v1/auth/identities/wechat/authorize",
        None,
        None,
        json!({ "redirect_uri": REDIRECT, "code_challenge": challenge(VERIFIER) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let url = format!("{}{}", sandbox.url(), started["authorize_url"].as_str().expect("url"));
    let page = reqwest::get(&url).await.expect("page").text().await.expect("html");
    assert!(page.contains("WeChat") && page.contains("/allow?"), "{page}");
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let allow = url.replace("/authorize?", "/allow?") + &format!("&account={account}");
    let answer = browser.get(&allow).send().await.expect("allow");
    assert_eq!(answer.status(), StatusCode::FOUND);
    let location = answer.headers()["location"].to_str().expect("location").to_owned();
    assert!(location.starts_with(&format!("{REDIRECT}?code=")), "{location}");
    let state = started["state"].as_str().expect("state");
    assert!(location.ends_with(&format!("&state={state}")), "the state comes back: {location}");
    location.split("code=").nth(1).and_then(|r| r.split('&').next()).expect("code").to_owned()
}

#[tokio::test]
async fn a_new_identity_is_bound_to_a_phone_number_then_signs_in_directly() {
    let api = Api::start().await;
    let sandbox = &api.sandbox;
    // Only loopback redirects and proper challenges are accepted.
    for (body, field) in [
        (
            json!({ "redirect_uri": "https://evil.example/cb", "code_challenge": challenge(VERIFIER) }),
            "redirect_uri",
        ),
        (json!({ "redirect_uri": REDIRECT, "code_challenge": "plain" }), "code_challenge"),
    ] {
        let (status, answer) = post(sandbox, "/v1/auth/identities/wechat/authorize", None, None, body).await;
        assert_eq!(
            (status, answer["details"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field))
        );
    }
    let (status, _) = post(
        sandbox,
        "/v1/auth/identities/myspace/authorize",
        None,
        None,
        json!({ "redirect_uri": REDIRECT, "code_challenge": challenge(VERIFIER) }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // No account uses the demo family's WeChat account yet: a phone number must be bound to it.
    let code_1 = agree(sandbox, "demo").await;
    let sign_in = |code: String, verifier: &str| {
        post(
            sandbox,
            "/v1/auth/identities/wechat/sign-in",
            None,
            None,
            json!({ "code": code, "code_verifier": verifier }),
        )
    };
    let (status, answer) = sign_in(code_1.clone(), "not-the-verifier").await;
    assert_eq!((status, code(&answer)), (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials), "PKCE");
    let code_2 = agree(sandbox, "demo").await;
    let (status, answer) = sign_in(code_2.clone(), VERIFIER).await;
    assert_eq!((status, code(&answer)), (StatusCode::CONFLICT, ErrorCode::PhoneBindingRequired), "{answer}");
    let binding = answer["details"]["binding_token"].as_str().expect("binding token").to_owned();
    let (status, _) = sign_in(code_2, VERIFIER).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code works once");

    // A wrong SMS code binds nothing; the right one binds the phone's account and signs in.
    let (status, _) = post(sandbox, "/v1/auth/sms/request", None, None, json!({ "phone": DEMO_PHONE })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let sms = sandbox.last_sms_code(DEMO_PHONE).await.expect("outbox").expect("a code");
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    let bind = |sms: &str| {
        post(
            sandbox,
            "/v1/auth/identities/bind-phone",
            None,
            None,
            json!({ "binding_token": binding, "phone": DEMO_PHONE, "sms_code": sms }),
        )
    };
    let (status, _) = bind(wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, tokens) = bind(&sms).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let tokens: TokenResponse = serde_json::from_value(tokens).expect("tokens");
    assert_eq!(tokens.guardian_id, "g-demo");

    let me: Guardian = reqwest::Client::new()
        .get(format!("{}/v1/guardian", sandbox.url()))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .expect("guardian")
        .json()
        .await
        .expect("json");
    assert_eq!(me.identities.iter().map(|i| i.provider.as_str()).collect::<Vec<_>>(), ["wechat"]);
    assert_eq!(me.real_name.as_str(), "verified");

    // From now on the identity signs in directly.
    let (status, tokens) = sign_in(agree(sandbox, "demo").await, VERIFIER).await;
    assert_eq!((status, tokens["guardian_id"].as_str()), (StatusCode::OK, Some("g-demo")), "{tokens}");
}

#[tokio::test]
async fn a_signed_in_guardian_links_one_identity_per_third_party_and_unlinks_it() {
    let api = Api::start().await;
    let link = |code: String, key: &'static str| {
        api.call(
            Method::POST,
            "/v1/guardian/identities/wechat",
            Some(key),
            Some(json!({ "code": code, "code_verifier": VERIFIER })),
        )
    };
    let (status, linked) = link(agree(&api.sandbox, "demo").await, "l-1").await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(linked[0]["provider"], "wechat");
    let (status, answer) = link(agree(&api.sandbox, "new").await, "l-2").await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::CONFLICT, ErrorCode::Conflict),
        "one WeChat account at a time"
    );

    let (status, left) =
        api.call(Method::POST, "/v1/guardian/identities/wechat/unlink", Some("u-1"), None).await;
    assert_eq!((status, left), (StatusCode::OK, json!([])));
    let (status, _) =
        api.call(Method::POST, "/v1/guardian/identities/wechat/unlink", Some("u-2"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = api.call(Method::POST, "/v1/guardian/identities/wechat/unlink", None, None).await;
    assert_eq!((status, code(&answer)), (StatusCode::BAD_REQUEST, ErrorCode::IdempotencyKeyRequired));
}
