//! `guardian-sandbox`: the reference provider on loopback, for demos, support and tests (also
//! reachable as `guardian sandbox`).

use std::process::ExitCode;

use clap::Parser;

/// The reference provider sandbox.
#[derive(Parser)]
#[command(name = "guardian-sandbox", version)]
struct Cli {
    #[command(subcommand)]
    command: guardian_sandbox::command::Command,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUARDIAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match guardian_sandbox::command::run(Cli::parse().command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("guardian-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}
