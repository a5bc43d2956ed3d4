//! The embedded demo family: the sandbox provider, started in this process with the demo
//! scenario, for the shells (`make run`, the tests, "try a demo family"). It is the shells' cargo
//! feature `demo`, so `guardian-core` never depends on the sandbox.

use std::sync::Arc;

use guardian_core::{CoreError, EmbeddedProvider, Engine, ProviderChoice, ProviderFuture, Secret, Settings};
use guardian_domain::{Clock, SystemClock};
use guardian_sandbox::Sandbox;

/// The embedded demo's scenario: `GUARDIAN_DEMO_SCENARIO`, by default `demo-family`.
pub fn scenario() -> String {
    std::env::var("GUARDIAN_DEMO_SCENARIO")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "demo-family".into())
}

/// Starts the engine `settings` ask for, with the wall clock: on the embedded demo for
/// [`ProviderChoice::Demo`], otherwise on the provider's address.
pub async fn start_engine(settings: Settings) -> Result<Engine, CoreError> {
    start_engine_with_clock(settings, Arc::new(SystemClock)).await
}

pub async fn start_engine_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Engine, CoreError> {
    match settings.provider {
        Some(ProviderChoice::Demo) => {
            let demo = Demo::start(&scenario(), clock.clone()).await?;
            Engine::start_embedded(settings, clock, Box::new(demo)).await
        }
        Some(ProviderChoice::Url(_)) | None => Engine::start_with_clock(settings, clock).await,
    }
}

/// A sandbox running a scenario in this process, as the engine's provider. It listens on
/// loopback, answers only requests addressed to loopback on its port, and its guardian's
/// password is new and random at each start: nothing else on the computer can sign in to it.
pub struct Demo {
    sandbox: Sandbox,
    password: Secret,
}

impl Demo {
    pub async fn start(scenario: &str, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        let password = random_password();
        let config = guardian_sandbox::Config {
            scenario: scenario.to_owned(),
            clock,
            guardian_password: Some(password.expose().to_owned()),
            ..Default::default()
        };
        let sandbox = Sandbox::start(config).await.map_err(|e| CoreError::Demo(e.to_string()))?;
        Ok(Self { sandbox, password })
    }
}

/// Twelve letters and digits from the OS's random source, in three groups of four (easy to
/// read off the screen and type).
fn random_password() -> Secret {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..3)
        .map(|_| (0..4).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect())
        .collect();
    Secret::new(groups.join("-"))
}

impl EmbeddedProvider for Demo {
    fn url(&self) -> String {
        self.sandbox.url()
    }

    fn guardian(&self) -> (String, Secret) {
        (guardian_domain::DEMO_PHONE.to_owned(), self.password.clone())
    }

    fn last_sms_code<'a>(&'a self, phone: &'a str) -> ProviderFuture<'a, Option<String>> {
        Box::pin(async move { self.sandbox.last_sms_code(phone).await.ok().flatten() })
    }

    fn stop(self: Box<Self>) -> ProviderFuture<'static, ()> {
        Box::pin(self.sandbox.stop())
    }
}
