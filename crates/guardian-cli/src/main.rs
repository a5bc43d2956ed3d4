//! `guardian`: Guardian's use cases from a terminal, over the same engine as the desktop app.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use guardian_core::{ChildSummary, CoreError, Engine, Secret, Settings};

#[derive(Parser)]
#[command(name = "guardian", version, about = "Look after your children's accounts from a terminal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List your children (from the local cache, refreshed from the provider when reachable).
    Children {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show which provider is in use, whether you are signed in, and when data was last synced.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Sign in with your phone number; the password is read from the terminal without echo.
    SignIn {
        #[arg(long)]
        phone: String,
    },
    /// Sign out: the tokens and the cache key leave the keyring and the local cache is removed.
    SignOut,
    /// Run the reference provider sandbox.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Serve a seed scenario on loopback until interrupted.
    Serve {
        #[arg(long, default_value = "demo-family")]
        scenario: String,
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep the sandbox's data in this SQLite file instead of memory.
        #[arg(long)]
        db: Option<std::path::PathBuf>,
    },
    /// List the seed scenarios.
    Scenarios,
}

/// Exit codes scripts can rely on.
mod exit {
    pub const FAILURE: u8 = 1;
    pub const SIGN_IN_REQUIRED: u8 = 3;
    pub const OFFLINE: u8 = 4;
    pub const INVALID_INPUT: u8 = 5;
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUARDIAN_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("guardian: {error:#}");
            let code = match error.downcast_ref::<CoreError>().map(CoreError::code) {
                Some("sign_in_required" | "invalid_credentials") => exit::SIGN_IN_REQUIRED,
                Some("offline") => exit::OFFLINE,
                Some("invalid_input" | "invalid_provider_url") => exit::INVALID_INPUT,
                _ => exit::FAILURE,
            };
            ExitCode::from(code)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Sandbox { command } => sandbox(command).await,
        Command::Children { json } => {
            let engine = start().await?;
            sync_or_warn(&engine).await?;
            let children = engine.children().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&children)?);
            } else {
                print_children(&children);
            }
            Ok(())
        }
        Command::Status { json } => {
            let engine = start().await?;
            let status = engine.status().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!("Provider:   {} ({})", provider_label(&status.provider.kind), status.provider.url);
                println!("Signed in:  {}", if status.signed_in { "yes" } else { "no" });
                println!(
                    "Secure storage: {}",
                    if status.secure_storage { "OS keyring" } else { "none (memory only)" }
                );
                println!("Last synced: {}", status.last_synced.as_deref().unwrap_or("never"));
                for notice in &status.notices {
                    println!("Note: {}", notice.message);
                }
            }
            Ok(())
        }
        Command::SignIn { phone } => {
            let engine = start().await?;
            let password = read_secret("Password: ")?;
            engine.sign_in(&phone, &password).await?;
            println!("Signed in. {} children synced.", engine.children().await?.len());
            Ok(())
        }
        Command::SignOut => {
            let engine = start().await?;
            engine.sign_out().await?;
            println!(
                "Signed out. Tokens, the cache key and the local cache were removed from this computer."
            );
            Ok(())
        }
    }
}

async fn start() -> anyhow::Result<Engine> {
    let engine = Engine::start(Settings::from_env()).await?;
    if engine.is_demo() {
        eprintln!(
            "Demo provider: showing the demo family (set GUARDIAN_PROVIDER_URL to use a real provider)."
        );
    }
    for notice in engine.status().await.notices {
        eprintln!("Note: {}", notice.message);
    }
    Ok(engine)
}

/// Syncs; when offline, says so and carries on with the cache.
async fn sync_or_warn(engine: &Engine) -> anyhow::Result<()> {
    match engine.sync().await {
        Ok(()) => Ok(()),
        Err(error) if error.code() == "offline" => {
            eprintln!("Offline: showing what was saved on this computer. ({error})");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

fn provider_label(kind: &str) -> &'static str {
    if kind == "demo" { "Demo provider" } else { "Provider" }
}

fn print_children(children: &[ChildSummary]) {
    if children.is_empty() {
        println!("No children yet.");
        return;
    }
    let width = children.iter().map(|c| c.display_name.chars().count()).max().unwrap_or(4).max(4);
    println!("{:<width$}  {:>3}  {:>7}  FRIEND APPROVAL", "NAME", "AGE", "PENDING");
    for child in children {
        let age = child.age.map_or_else(|| "-".to_owned(), |a| a.to_string());
        let approval =
            if child.friend_approval == "pin_required" { "PIN for each request" } else { "child may add" };
        println!("{:<width$}  {age:>3}  {:>7}  {approval}", child.display_name, child.pending_requests);
    }
}

/// Reads a secret without echo from the terminal, or one line from standard input when piped.
fn read_secret(prompt: &str) -> anyhow::Result<Secret> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    Ok(Secret::new(value))
}

async fn sandbox(command: SandboxCommand) -> anyhow::Result<()> {
    match command {
        SandboxCommand::Scenarios => {
            for (name, _) in guardian_sandbox::SCENARIOS {
                let scenario = guardian_sandbox::Scenario::named(name)?;
                println!("{name:<16} {}", scenario.description);
            }
            Ok(())
        }
        SandboxCommand::Serve { scenario, port, db } => {
            let sandbox = guardian_sandbox::Sandbox::start(guardian_sandbox::Config {
                scenario,
                addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                database: db,
                ..guardian_sandbox::Config::default()
            })
            .await?;
            println!("Sandbox provider listening on {}", sandbox.url());
            println!("Demo sign-in: phone {} (password in the scenario file)", guardian_sandbox::DEMO_PHONE);
            tokio::signal::ctrl_c().await?;
            sandbox.stop().await;
            Ok(())
        }
    }
}
