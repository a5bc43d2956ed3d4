//! `guardian`: Guardian's use cases from a terminal, over the same engine as the desktop app.
//! `args` is the command line; each area of the app has its module, which words what it prints.

use std::process::ExitCode;

mod activity;
mod args;
mod attention;
mod children;
mod flows;
mod friends;
mod guardians;
mod rights;
mod session;
mod settings;
mod support;
mod sync;
mod terminal;
mod transparency;
mod words;

use clap::Parser;
use guardian_core::{CoreError, Engine, ErrorKind, Settings};

use args::{Cli, Command, DebugCommand, FlowAction};
use children::one_child;
use sync::sync_or_warn;
use words::Lang;

/// Exit codes scripts can rely on (README.md lists them).
mod exit {
    pub const FAILURE: u8 = 1;
    pub const SIGN_IN_REQUIRED: u8 = 3;
    /// The provider could not be used (offline, 5xx, 429, timeout, unreadable answer).
    pub const OFFLINE: u8 = 4;
    pub const INVALID_INPUT: u8 = 5;
    pub const REFUSED: u8 = 6;
    /// `sync`: the provider answered, but decisions still wait for a later try.
    pub const WAITING: u8 = 7;
}

/// The sandbox and shell completions log only to the terminal; everything else also to the log file.
fn logs_to_terminal_only(command: &Command) -> bool {
    match command {
        #[cfg(feature = "demo")]
        Command::Sandbox { .. } => true,
        Command::Completions { .. } => true,
        _ => false,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if logs_to_terminal_only(&cli.command) {
        tracing_subscriber::fmt()
            .with_env_filter(guardian_core::logging::filter_from_env("warn"))
            .with_writer(std::io::stderr)
            .init();
    } else {
        guardian_core::logging::init("warn");
    }
    match run(cli.command, cli.record).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let lang = Lang::from_env();
            let core = error.downcast_ref::<CoreError>();
            match core {
                Some(core) => match core.refusal() {
                    Some(refusal) => eprintln!("guardian: {}", words::refusal_line(lang, &refusal)),
                    None => {
                        eprintln!("guardian: {}", words::error_line(lang, core.code(), &core.to_string()))
                    }
                },
                None => eprintln!("guardian: {error:#}"),
            }
            let code = match core.map(CoreError::kind) {
                _ if matches!(error.downcast_ref::<Ending>(), Some(Ending::Refused(_))) => exit::REFUSED,
                _ if matches!(error.downcast_ref::<Ending>(), Some(Ending::Waiting(_))) => exit::WAITING,
                _ if core.is_some_and(|e| e.unavailable().is_some()) => exit::OFFLINE,
                Some(ErrorKind::SignInRequired | ErrorKind::InvalidCredentials) => exit::SIGN_IN_REQUIRED,
                Some(ErrorKind::InvalidInput | ErrorKind::InvalidProviderUrl | ErrorKind::ArchiveInvalid) => {
                    exit::INVALID_INPUT
                }
                _ => exit::FAILURE,
            };
            ExitCode::from(code)
        }
    }
}

async fn run(command: Command, record: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    #[cfg(feature = "demo")]
    if let Command::Sandbox { command } = command {
        return Ok(guardian_sandbox::command::run(command).await?);
    }
    if let Command::Flow { action: FlowAction::Run { file, scenario, provider, transcript } } = command {
        return flows::run(&file, scenario, provider, transcript).await;
    }
    if let Command::Completions { shell } = command {
        use clap::CommandFactory as _;
        clap_complete::generate(shell, &mut Cli::command(), "guardian", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::Provider { action } = command {
        return session::choose_provider(action);
    }
    // Checking a file needs no provider: nothing is started, nothing is printed but the answer.
    if let Command::Export { action: Some(rights::ExportAction::Verify { file, json }), .. } = &command {
        return rights::verify_export(file, *json);
    }
    let quiet = matches!(command, Command::Debug { .. });
    let engine = start(quiet).await?;
    engine.record_session(record);
    let result = with_engine(&engine, command).await;
    // Close the cache and any embedded provider before the process exits.
    engine.close().await;
    result
}

/// Runs one command on a started engine: each area's module does the work.
async fn with_engine(engine: &Engine, command: Command) -> anyhow::Result<()> {
    match command {
        #[cfg(feature = "demo")]
        Command::Sandbox { .. } => Ok(()),
        Command::Completions { .. } | Command::Flow { .. } | Command::Provider { .. } => Ok(()),
        Command::Debug { command: DebugCommand::Churn { child, contact, count, approve, remove } } => {
            support::churn(engine, &child, &contact, count, approve, remove).await
        }
        Command::Diagnostics { out } => support::diagnostics(engine, &out).await,
        Command::Children { action, json } => children::children(engine, action, json).await,
        Command::Profile { action, child, json } => children::profile(engine, action, child, json).await,
        Command::Status { json } => session::status(engine, json).await,
        Command::SignIn { phone, sms, with } => session::sign_in(engine, phone, sms, with).await,
        Command::SignOut => session::sign_out(engine).await,
        Command::Requests { action, child, json } => friends::requests(engine, action, child, json).await,
        Command::Contacts { action, child, json } => friends::contacts(engine, action, child, json).await,
        Command::Sync { now, json } => sync::sync(engine, now, json).await,
        Command::Pending { json, dismiss } => sync::pending(engine, json, dismiss).await,
        Command::Attention { json } => attention::attention(engine, json).await,
        Command::Pin { child, reset, json } => settings::pin(engine, child, reset, json).await,
        Command::Approval { child, mode, json } => settings::approval(engine, child, mode, json).await,
        Command::Findable { child, who, json } => settings::findable(engine, child, who, json).await,
        Command::Activity { child, days, weekly, json } => {
            activity::activity(engine, child, days, weekly, json).await
        }
        Command::Devices { action, child, json } => activity::devices(engine, action, child, json).await,
        Command::Groups { action, child, json } => activity::groups(engine, action, child, json).await,
        Command::Reports { action, child, json } => activity::reports(engine, action, child, json).await,
        Command::Rights { action, json } => rights::requests(engine, action, json).await,
        Command::Transparency { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            transparency::transparency(engine, &child, action, json).await
        }
        Command::Guardians { action, child, json } => {
            let child = match guardians::GuardiansAction::needs_child(action.as_ref()) {
                true => Some(one_child(engine, child.as_deref()).await?),
                false => None,
            };
            guardians::guardians(engine, child.as_deref(), action, json).await
        }
        Command::Data { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            rights::data(engine, &child, action, json).await
        }
        Command::Notifications { mark_read, json } => {
            sync_or_warn(engine).await?;
            transparency::notifications(engine, mark_read, json).await
        }
        Command::Notices { json } => transparency::notices(engine, json).await,
        Command::Account { action } => rights::account(engine, action).await,
        Command::Consent { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            rights::consent(engine, &child, action, json).await
        }
        Command::Policy { action, json } => rights::policy(engine, action, json).await,
        Command::Export { action, child, out, language } => {
            rights::export(engine, action, child, out, &language).await
        }
        Command::Audit { action, json } => rights::audit(engine, action, json).await,
    }
}

/// The engine on the provider the settings name; the embedded demo when this build has it.
async fn start_engine(settings: Settings) -> Result<Engine, CoreError> {
    #[cfg(feature = "demo")]
    return guardian_demo::start_engine(settings).await;
    #[cfg(not(feature = "demo"))]
    Engine::start(settings).await
}

async fn start(quiet: bool) -> anyhow::Result<Engine> {
    let engine = start_engine(Settings::from_env()).await?;
    if quiet {
        return Ok(engine);
    }
    if engine.is_demo() {
        eprintln!("{}", words::demo_notice(Lang::from_env()));
    }
    for notice in engine.status().await.notices {
        eprintln!("{}", words::notice_line(Lang::from_env(), &notice));
    }
    Ok(engine)
}

/// How a command can end that is not an engine error, each with its own exit code.
#[derive(Debug)]
enum Ending {
    /// The provider refused a decision (exit code 6).
    Refused(String),
    /// `sync` ended with decisions still waiting for a later try (exit code 7).
    Waiting(usize),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(why) => f.write_str(why),
            Self::Waiting(n) => {
                write!(f, "{n} decision(s) still wait to be sent (`guardian sync --now` sends them now)")
            }
        }
    }
}

impl std::error::Error for Ending {}

#[cfg(test)]
mod tests {
    /// Every command, argument and option says what it is for in `--help`.
    #[test]
    fn every_command_and_option_has_help() {
        use clap::CommandFactory as _;
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for sub in command.get_subcommands() {
                let here = format!("{path} {}", sub.get_name());
                if sub.get_name() != "help" && sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(here.clone());
                }
                walk(sub, &here, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&crate::args::Cli::command(), "guardian", &mut missing);
        assert!(missing.is_empty(), "no help text for: {missing:#?}");
    }
}
