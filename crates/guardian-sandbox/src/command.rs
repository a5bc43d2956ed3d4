//! The sandbox's command line, shared by its own binary (`guardian-sandbox`) and the CLI's
//! `guardian sandbox`.

use clap::Subcommand;

use crate::{Config, SCENARIOS, Sandbox, Scenario};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a seed scenario on loopback until interrupted.
    Serve {
        /// The seed scenario (`scenarios` lists them).
        #[arg(long, default_value = "demo-family")]
        scenario: String,
        /// The loopback port to listen on (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep the sandbox's data in this SQLite file instead of memory.
        #[arg(long)]
        db: Option<std::path::PathBuf>,
        /// Serve the admin endpoints (move the clock, inject faults); loopback only.
        #[arg(long)]
        admin: bool,
    },
    /// List the seed scenarios.
    Scenarios {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one command; `serve` until Ctrl-C.
pub async fn run(command: Command) -> Result<(), crate::SandboxError> {
    match command {
        Command::Scenarios { json } => {
            let mut listed = Vec::new();
            for (name, _) in SCENARIOS {
                let scenario = Scenario::named(name)?;
                listed.push(serde_json::json!({ "name": name, "description": scenario.description }));
                if !json {
                    println!("{name:<16} {}", scenario.description);
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&listed)?);
            }
            Ok(())
        }
        Command::Serve { scenario, port, db, admin } => {
            let sandbox = Sandbox::start(Config {
                scenario,
                addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                database: db,
                admin,
                ..Config::default()
            })
            .await?;
            println!("Sandbox provider listening on {}", sandbox.url());
            println!("Demo sign-in: phone {} (password in the scenario file)", crate::DEMO_PHONE);
            tokio::signal::ctrl_c().await?;
            sandbox.stop().await;
            Ok(())
        }
    }
}
