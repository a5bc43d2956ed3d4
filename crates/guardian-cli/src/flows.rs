//! `guardian flow run FILE`: a flow file, headless, against the in-process sandbox (its
//! scenario) or a given provider, with a transcript for support.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use guardian_core::flow::{self, Exchange, FlowHost};
use guardian_core::{CoreError, Engine, ProviderChoice, Settings};
use guardian_domain::Clock;

/// Where the flow runs: a sandbox started here with the flow's scenario (its clock moved
/// directly), or one elsewhere.
enum Host {
    #[cfg(feature = "demo")]
    InProcess(Arc<guardian_sandbox::SandboxClock>),
    Remote(flow::RemoteSandbox),
}

#[cfg(feature = "demo")]
type LocalSandbox = guardian_sandbox::Sandbox;
#[cfg(not(feature = "demo"))]
type LocalSandbox = std::convert::Infallible;

impl FlowHost for Host {
    async fn advance_clock(&self, by: chrono::Duration) -> Result<(), String> {
        match self {
            #[cfg(feature = "demo")]
            Self::InProcess(clock) => {
                clock.advance(by);
                Ok(())
            }
            Self::Remote(remote) => remote.advance_clock(by).await,
        }
    }
}

pub async fn run(
    file: &Path,
    scenario: Option<String>,
    provider: Option<String>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).map_err(|e| CoreError::Invalid(format!("{}: {e}", file.display())))?;
    let flow = flow::parse(&text)?;
    let data = tempfile::tempdir()?;
    let (sandbox, url, host, clock): (_, _, _, Arc<dyn Clock>) = match provider {
        #[cfg(feature = "demo")]
        None => {
            let sandbox = guardian_sandbox::Sandbox::start(guardian_sandbox::Config {
                scenario: scenario.unwrap_or_else(|| flow.scenario.clone()),
                ..guardian_sandbox::Config::default()
            })
            .await?;
            let url = sandbox.url();
            let clock = sandbox.clock();
            (Some(sandbox), url, Host::InProcess(clock.clone()), clock)
        }
        #[cfg(not(feature = "demo"))]
        None => {
            let _ = scenario;
            return Err(CoreError::Invalid(
                "this build has no sandbox of its own: give one with --provider".into(),
            )
            .into());
        }
        Some(url) => (
            None::<LocalSandbox>,
            url.clone(),
            Host::Remote(flow::RemoteSandbox(url)),
            Arc::new(guardian_domain::SystemClock),
        ),
    };
    // A private, in-memory engine: nothing from this run stays on the machine but the transcript.
    let settings = Settings {
        provider: Some(ProviderChoice::Url(url)),
        data_dir: data.path().to_owned(),
        keyring_service: "guardian-flow".into(),
        use_keyring: false,
        request_timeout: guardian_core::DEFAULT_TIMEOUT,
    };
    let engine = Engine::start_with_clock(settings, clock).await?;
    let exchanges: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let sink = exchanges.clone();
    engine.record_exchanges(Some(Arc::new(
        move |method: &str, path: &str, status: u16, took: std::time::Duration| {
            sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Exchange {
                method: method.to_owned(),
                path: path.to_owned(),
                status,
                millis: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            });
        },
    )));
    let drain = || std::mem::take(&mut *exchanges.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let transcript = flow::run(&engine, &host, &flow, drain).await;
    engine.close().await;
    #[cfg(feature = "demo")]
    if let Some(sandbox) = sandbox {
        sandbox.stop().await;
    }
    #[cfg(not(feature = "demo"))]
    let _ = sandbox;

    let out = out.unwrap_or_else(|| {
        let slug: String = flow
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        guardian_core::diagnostics::transcript_dir(&Settings::from_env().data_dir).join(format!(
            "{}-{}.json",
            slug.trim_matches('-'),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
        ))
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_vec_pretty(&transcript)?)?;
    for step in &transcript.steps {
        let name = serde_json::to_value(&step.step)?
            .get("step")
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{:>3} {:<6} {name:<20} {:>5} ms  {} request(s)",
            step.n,
            step.outcome,
            step.millis,
            step.exchanges.len()
        );
    }
    println!("Transcript: {}", out.display());
    if transcript.result == "passed" {
        println!("Flow passed: {}", flow.name);
        Ok(())
    } else {
        anyhow::bail!("flow {:?} failed at {}", flow.name, transcript.result)
    }
}
