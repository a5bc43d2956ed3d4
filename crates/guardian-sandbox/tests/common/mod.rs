//! A sandbox on loopback with admin endpoints, signed in as the demo guardian, and plain HTTP.
#![allow(dead_code)]

use guardian_domain::{Change, ChangePage, ErrorBody, ErrorCode};
use guardian_sandbox::{Config, DEMO_PASSWORD, DEMO_PHONE, Sandbox};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// The demo guardian's sign-in.
pub const DEMO: (&str, &str) = (DEMO_PHONE, DEMO_PASSWORD);

pub struct Api {
    pub sandbox: Sandbox,
    pub http: Client,
    pub token: String,
}

impl Api {
    pub async fn start() -> Self {
        Self::with_scenario("demo-family").await
    }

    pub async fn with_scenario(scenario: &str) -> Self {
        Self::with_config(Config { scenario: scenario.into(), ..Config::default() }).await
    }

    /// A sandbox with `config` (the admin endpoints always on).
    pub async fn with_config(config: Config) -> Self {
        let config = Config { admin: true, ..config };
        let sandbox = Sandbox::start(config).await.expect("sandbox");
        let http = Client::new();
        let token = Self::sign_in(&sandbox).await;
        Self { sandbox, http, token }
    }

    /// Moves the sandbox's clock, then signs in again (access tokens last 15 minutes).
    pub async fn advance(&mut self, by: chrono::Duration) {
        self.sandbox.clock().advance(by);
        self.token = Self::sign_in(&self.sandbox).await;
    }

    pub async fn sign_in(sandbox: &Sandbox) -> String {
        sandbox.access_token(DEMO_PHONE, DEMO_PASSWORD).await.expect("sign in")
    }

    /// An access token for another guardian of the scenario.
    pub async fn token_for(&self, phone: &str, password: &str) -> String {
        self.sandbox.access_token(phone, password).await.expect("sign in")
    }

    /// A call with `If-Match` (the child's `version` as last seen) and an Idempotency-Key.
    pub async fn call_if_match(
        &self,
        method: Method,
        path: &str,
        key: &str,
        version: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.sandbox.url()))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key)
            .header("If-Match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.sandbox.url())).bearer_auth(&self.token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn approve(&self, key: &str, child: &str, request: &str, pin: &str) -> (StatusCode, Value) {
        let path = format!("/v1/children/{child}/friend-requests/{request}/approve");
        self.call(Method::POST, &path, Some(key), Some(json!({ "pin": pin }))).await
    }

    pub async fn feed(&self, cursor: Option<&str>) -> (StatusCode, Value) {
        let path = match cursor {
            Some(c) => format!("/v1/changes?limit=2&cursor={c}"),
            None => "/v1/changes?limit=2".to_owned(),
        };
        self.call(Method::GET, &path, None, None).await
    }

    /// Follows the feed until it has nothing more; returns the changes and the last cursor.
    pub async fn drain(&self, mut cursor: Option<String>) -> (Vec<Change>, String) {
        let mut all = Vec::new();
        loop {
            let (status, body) = self.feed(cursor.as_deref()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let page: ChangePage = serde_json::from_value(body).expect("change page");
            all.extend(page.changes);
            cursor = Some(page.cursor.clone());
            if !page.has_more {
                return (all, page.cursor);
            }
        }
    }
}

pub fn code(body: &Value) -> ErrorCode {
    serde_json::from_value::<ErrorBody>(body.clone()).expect("error body").code
}
