//! `guardian`: Guardian's use cases from a terminal, over the same engine as the desktop app.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

mod flows;
mod guardians;
mod rights;
mod transparency;
mod words;

use clap::{Parser, Subcommand};
use guardian_core::{
    AttentionKind, ChildSummary, CoreError, Decision, DecisionOutcome, Engine, ErrorKind, OutcomeState,
    PendingState, Secret, Settings,
};
use guardian_domain::{Discoverability, FriendApproval, PIN_DIGITS};
use words::Lang;

#[derive(Parser)]
#[command(name = "guardian", version, about = "Look after your children's accounts from a terminal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Append what this command does to FILE as a flow (docs/flows.md), with names replaced by
    /// references and the PIN by the sandbox's, so support can replay it.
    #[arg(long, global = true, value_name = "FILE")]
    record: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// List your children (from the local cache, refreshed from the provider when reachable);
    /// `children add` makes a child's account with your consent.
    Children {
        #[command(subcommand)]
        action: Option<ChildAction>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show which provider is in use, whether you are signed in, and when data was last synced.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Sign in with your phone number; the password (or, with `--sms`, the code sent by text
    /// message) is read from the terminal without echo. With `--with wechat|qq|apple`, you agree
    /// in your browser instead (the page opens with $BROWSER, or the system's opener).
    SignIn {
        /// Your phone number, as you signed up with it (e.g. +8613800000001).
        #[arg(long, required_unless_present = "with")]
        phone: Option<String>,
        /// Sign in with a 6-digit code sent to the phone by SMS instead of the password.
        #[arg(long)]
        sms: bool,
        /// Sign in with a third-party identity.
        #[arg(long, value_parser = ["wechat", "qq", "apple"], conflicts_with_all = ["phone", "sms"])]
        with: Option<String>,
    },
    /// Sign out: the tokens and the cache key leave the keyring and the local cache is removed.
    SignOut,
    /// Friend requests of a child; approve (with the parental PIN) or deny them.
    Requests {
        #[command(subcommand)]
        action: Option<RequestAction>,
        /// The child, by name or ID.
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's contacts with interaction metadata (never message content); block or unblock.
    Contacts {
        #[command(subcommand)]
        action: Option<ContactAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Send the decisions that are due and fetch what changed. Exits 0 when the provider has
    /// every decision, 4 when it could not be used, 7 when decisions still wait for a later try.
    Sync {
        /// Send every waiting decision now, without waiting out the delay before its next try.
        #[arg(long)]
        now: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decisions not yet accepted by the provider: queued, or refused with its reason.
    Pending {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Remove a refused decision (after reading why it was refused).
        #[arg(long, value_name = "ID")]
        dismiss: Option<String>,
    },
    /// Set or change a child's parental PIN; `--reset` replaces a forgotten or locked one after
    /// your password. PINs and the password are read without echo.
    Pin {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// Replace a forgotten or locked PIN (your password is asked instead of the old PIN).
        #[arg(long)]
        reset: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What is waiting for you across all children: friend requests, groups with people you
    /// never approved, and requests the provider answered late. Works offline from the cache.
    Attention {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's profile, what the child's contacts see of it, and the ages at which the rules
    /// change. `profile correct` changes a field; an empty value removes an optional one.
    Profile {
        #[command(subcommand)]
        action: Option<ProfileAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// How a child's new friends are approved: `pin-required` (each request needs your PIN) or
    /// `child-may-add`. Without a mode, shows the current one. Either way you can still see,
    /// block and remove every contact.
    Approval {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// The mode; without one, the current mode is shown.
        mode: Option<ApprovalArg>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Who can find a child to send a friend request: `id-or-phone`, `id-only` or `nobody`.
    /// Without a choice, shows the current one. Every request still needs your approval as set
    /// by `guardian approval`.
    Findable {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// Who can find the child; without a choice, the current one is shown.
        who: Option<FindableArg>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's use of the service per day or per week: features used, call minutes and games
    /// played (counts only; never what was said). Works offline from the last sync.
    Activity {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// How many days back, ending today.
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// Sum by week (Monday to Sunday) instead of by day.
        #[arg(long)]
        weekly: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's devices, with when each was last seen; sign one out remotely.
    Devices {
        #[command(subcommand)]
        action: Option<DeviceAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What you asked the provider for — access, corrections, explanations, reports, deletions —
    /// each with its status and the days left until the provider's deadline; late ones are flagged.
    Rights {
        #[command(subcommand)]
        action: Option<RightsAction>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The group chats a child is in; groups with members you never approved are flagged.
    Groups {
        #[command(subcommand)]
        action: Option<GroupAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Reports filed on a child's behalf (status, 15-day due date, outcome); file a new one.
    Reports {
        #[command(subcommand)]
        action: Option<ReportAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// When the provider's staff looked at a child's data and why, and the automated decisions
    /// about the child; ask for an explanation of one.
    Transparency {
        #[command(subcommand)]
        action: Option<transparency::TransparencyAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's guardians and the agreement rule; invite, remove, change the rule, read the
    /// decision log; answer invitations to look after a child.
    Guardians {
        #[command(subcommand)]
        action: Option<guardians::GuardiansAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A child's data by category: what deleting each would remove and what the provider keeps;
    /// `data delete CATEGORY` deletes one (your password is asked), `data receipts` lists receipts.
    Data {
        #[command(subcommand)]
        action: Option<rights::DataAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// What is new: friend requests, report outcomes, automated decisions, policy changes and
    /// security notices, newest first; `--mark-read` marks what is listed as read.
    Notifications {
        /// Mark what is listed as read.
        #[arg(long)]
        mark_read: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Security notices from the provider: new sign-ins to your account and notices for everyone.
    Notices {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Account deletion: a child's account or your own, with a cooling-off period.
    Account {
        #[command(subcommand)]
        action: rights::AccountAction,
    },
    /// A child's consents per purpose, with their full history; give or withdraw.
    Consent {
        #[command(subcommand)]
        action: Option<rights::ConsentAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, global = true)]
        child: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Privacy-policy versions, including changes announced before they take effect.
    Policy {
        #[command(subcommand)]
        action: Option<rights::PolicyAction>,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Export a child's data (`--child NAME --out FILE`), or verify, show and compare exports.
    Export {
        #[command(subcommand)]
        action: Option<rights::ExportAction>,
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// Where to write the file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The language of the readable report inside (en or zh-CN).
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// The local audit log of sensitive actions on this computer (no personal data in it).
    Audit {
        #[command(subcommand)]
        action: Option<rights::AuditAction>,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Write a diagnostics bundle for support (a zip): versions, settings without secrets, sync
    /// state, recent errors and redacted logs. Names and personal data are left out.
    Diagnostics {
        /// Where to write the file.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Run a flow file (docs/flows.md) headless and write a transcript.
    Flow {
        #[command(subcommand)]
        action: FlowAction,
    },
    /// Tools for testing Guardian itself.
    #[command(hide = true)]
    Debug {
        #[command(subcommand)]
        command: DebugCommand,
    },
    /// Choose the provider Guardian talks to (kept on this computer), or show or forget it.
    Provider {
        #[command(subcommand)]
        action: Option<ProviderAction>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Run the reference provider sandbox (the same as the `guardian-sandbox` program).
    #[cfg(feature = "demo")]
    Sandbox {
        #[command(subcommand)]
        command: guardian_sandbox::command::Command,
    },
}

#[derive(Subcommand)]
enum ProviderAction {
    /// Keep your provider's address (https) on this computer; the app uses it too.
    Use {
        /// The address your provider gave you, e.g. https://provider.example
        url: String,
    },
    /// Forget the address kept on this computer.
    Forget,
}

#[derive(Subcommand)]
enum RequestAction {
    /// Approve a friend request; the 4-digit parental PIN is read from the terminal.
    Approve {
        /// The request's ID, as the listing shows it.
        request_id: String,
        /// Approve for a trial of this many days (1 to 30): the friendship ends then unless you
        /// confirm it with `contacts confirm`.
        #[arg(long)]
        trial_days: Option<u32>,
    },
    /// Deny a friend request.
    Deny {
        /// The request's ID, as the listing shows it.
        request_id: String,
    },
}

#[derive(Subcommand)]
enum ContactAction {
    /// Block a contact: they can no longer message or call the child. Kept on this computer
    /// and sent later if the provider cannot be used now.
    Block {
        /// The contact's ID, as `guardian contacts` lists it.
        contact_id: String,
    },
    /// Unblock a contact (an account the provider banned for abuse stays blocked).
    Unblock {
        /// The contact's ID, as `guardian contacts` lists it.
        contact_id: String,
    },
    /// Remove a contact: the friendship ends and they leave the child's list.
    Remove {
        /// The contact's ID, as `guardian contacts` lists it.
        contact_id: String,
    },
    /// Keep a friend approved for a trial: the friendship no longer ends.
    Confirm {
        /// The contact's ID, as `guardian contacts` lists it.
        contact_id: String,
    },
}

#[derive(Subcommand)]
enum DeviceAction {
    /// Sign a device out remotely.
    SignOut {
        /// The device's ID, as `guardian devices` lists it.
        device_id: String,
    },
}

#[derive(Subcommand)]
enum ProfileAction {
    /// Correct the profile; fields not given stay as they are.
    Correct {
        /// The name contacts see.
        #[arg(long)]
        name: Option<String>,
        /// Two letters, as in CN or DE; "" removes it.
        #[arg(long)]
        country: Option<String>,
        /// female, male or another; "" removes it.
        #[arg(long)]
        gender: Option<String>,
        /// YYYY-MM-DD; "" removes it.
        #[arg(long)]
        birthday: Option<String>,
    },
    /// Upload a profile picture (PNG or JPEG, at most 512 KiB, 32 to 4096 pixels a side). To
    /// remove it: `guardian data delete avatar`.
    Picture {
        /// The file to read.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum RightsAction {
    /// Ask the provider for something about a child (answered within 15 days).
    Ask {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: Option<String>,
        /// access, correction, explanation (of an automated decision) or other.
        #[arg(long)]
        kind: String,
        /// What you are asking for, in your words.
        #[arg(long)]
        details: String,
    },
}

#[derive(Subcommand)]
enum ChildAction {
    /// Make a child's account. You are asked to consent under the policy in force.
    Add {
        /// The child's name, as the child's contacts will see it.
        #[arg(long)]
        name: String,
        /// YYYY-MM-DD: decides which age rules apply.
        #[arg(long)]
        birthday: String,
        /// Optional: two capital letters, as in CN or DE.
        #[arg(long)]
        country: Option<String>,
        /// Optional: female, male or another.
        #[arg(long)]
        gender: Option<String>,
    },
}

#[derive(Subcommand)]
enum GroupAction {
    /// Take the child out of a group.
    Leave {
        /// The group's ID, as `guardian groups` lists it.
        group_id: String,
    },
}

#[derive(Subcommand)]
enum ReportAction {
    /// Report one of the child's contacts (`--contact ID`) or a group (`--group ID`).
    #[command(group(clap::ArgGroup::new("target").required(true)))]
    Create {
        /// The contact's ID, as `guardian contacts` lists it.
        #[arg(long, group = "target")]
        contact: Option<String>,
        /// The group's ID, as `guardian groups` lists it.
        #[arg(long, group = "target")]
        group: Option<String>,
        /// harassment, bullying, sexual_content, violence, impersonation or other.
        #[arg(long)]
        category: String,
        /// What happened, in your words (at most 2,000 characters).
        #[arg(long)]
        evidence: String,
        /// A PNG or JPEG screenshot as evidence (up to three, 16 KiB each).
        #[arg(long = "image")]
        images: Vec<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum FlowAction {
    /// Run FILE against the in-process sandbox (the flow's scenario) or `--provider URL`.
    Run {
        /// The file to read.
        file: std::path::PathBuf,
        /// Another sandbox scenario than the one the flow names.
        #[arg(long)]
        scenario: Option<String>,
        /// A provider to run against instead (a sandbox with --admin, to move its clock).
        #[arg(long)]
        provider: Option<String>,
        /// Where to write the transcript (default: the transcripts folder in the data folder).
        #[arg(long)]
        transcript: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum DebugCommand {
    /// Queue and send block/unblock decisions in a loop, printing `queued KEY` once each is
    /// safely on disk (the crash-safety harness kills this process at random moments).
    Churn {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long)]
        child: String,
        /// The contact's ID, as `guardian contacts` lists it.
        #[arg(long)]
        contact: String,
        /// How many decisions to queue.
        #[arg(long, default_value_t = 1000)]
        count: u32,
        /// First approve this friend request (with the sandbox's PIN).
        #[arg(long)]
        approve: Option<String>,
        /// Then remove this contact.
        #[arg(long)]
        remove: Option<String>,
    },
}

/// `guardian approval MODE`: the approval modes as typed on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ApprovalArg {
    PinRequired,
    ChildMayAdd,
}

impl From<ApprovalArg> for FriendApproval {
    fn from(arg: ApprovalArg) -> Self {
        match arg {
            ApprovalArg::PinRequired => Self::PinRequired,
            ApprovalArg::ChildMayAdd => Self::ChildMayAdd,
        }
    }
}

/// `guardian findable WHO`: who can find the child, as typed on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FindableArg {
    IdOrPhone,
    IdOnly,
    Nobody,
}

impl From<FindableArg> for Discoverability {
    fn from(arg: FindableArg) -> Self {
        match arg {
            FindableArg::IdOrPhone => Self::IdOrPhone,
            FindableArg::IdOnly => Self::IdOnly,
            FindableArg::Nobody => Self::Nobody,
        }
    }
}

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
        return choose_provider(action);
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

async fn with_engine(engine: &Engine, command: Command) -> anyhow::Result<()> {
    match command {
        #[cfg(feature = "demo")]
        Command::Sandbox { .. } => Ok(()),
        Command::Completions { .. } | Command::Flow { .. } | Command::Provider { .. } => Ok(()),
        Command::Debug { command: DebugCommand::Churn { child, contact, count, approve, remove } } => {
            use std::io::Write as _;
            let child = engine.find_child(&child).await?.id;
            // The harness kills this process at a random moment after it has started.
            writeln!(std::io::stdout().lock(), "started")?;
            std::io::stdout().flush()?;
            let once = approve
                .map(|request_id| Decision::ApproveRequest {
                    child_id: child.clone(),
                    request_id,
                    pin: Some(guardian_domain::DEMO_PIN.into()),
                    trial_days: None,
                })
                .into_iter()
                .chain(
                    remove.map(|contact_id| Decision::RemoveContact { child_id: child.clone(), contact_id }),
                );
            let churn = (0..count).map(|i| {
                let (child_id, contact_id) = (child.clone(), contact.clone());
                if i % 2 == 0 {
                    Decision::BlockContact { child_id, contact_id }
                } else {
                    Decision::UnblockContact {
                        child_id,
                        contact_id,
                        pin: Some(guardian_domain::DEMO_PIN.into()),
                    }
                }
            });
            for decision in once.chain(churn) {
                let (_, key) = engine.queue(&decision).await?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "queued {key}")?;
                out.flush()?;
                drop(out);
                let _ = engine.sync().await;
            }
            Ok(())
        }
        Command::Children { action: Some(ChildAction::Add { name, birthday, country, gender }), .. } => {
            let policies = engine.policies().await?;
            let (in_force, _) = guardian_core::policy_in_force_and_pending(&policies, chrono::Utc::now());
            if let Some(policy) = in_force {
                println!("Policy {} is in force: {}", policy.version, policy.summary);
            }
            println!(
                "A child under 14 may use the service only with a guardian's consent. By adding {name} you \
                 give it, and the provider records it with the policy version."
            );
            let answer = read_line(&format!("Do you consent to {name}'s account? [y/N] "))?;
            let consent = matches!(answer.trim(), "y" | "Y" | "yes" | "Yes");
            let child = guardian_core::NewChild { display_name: name, birthday, country, gender, consent };
            let added = engine.add_child(child).await?;
            println!(
                "Added {}. Set a parental PIN next: guardian pin --child {:?}",
                added.display_name, added.display_name
            );
            Ok(())
        }
        Command::Children { json, .. } => {
            sync_or_warn(engine).await?;
            let children = engine.children().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&children)?);
            } else {
                print_children(&children);
            }
            Ok(())
        }
        Command::Status { json } => {
            let status = engine.status().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!("Provider:   {} ({})", provider_label(status.provider.kind), status.provider.url);
                println!("Signed in:  {}", if status.signed_in { "yes" } else { "no" });
                println!(
                    "Secure storage: {}",
                    if status.secure_storage { "OS keyring" } else { "none (memory only)" }
                );
                println!("Last synced: {}", status.last_synced.as_deref().unwrap_or("never"));
                for notice in &status.notices {
                    println!("{}", words::notice_line(Lang::from_env(), notice));
                }
            }
            Ok(())
        }
        Command::SignIn { with: Some(provider), .. } => {
            let outcome = engine.sign_in_with_identity(&provider, guardian_core::open_in_browser).await?;
            if outcome == guardian_core::IdentityOutcome::PhoneBindingRequired {
                eprintln!(
                    "No Guardian account uses this {provider} account yet: bind the phone number of yours."
                );
                let phone = read_line("Phone number: ")?;
                let sent = engine.request_sms_code(&phone).await?;
                if let Some(code) = &sent.demo_code {
                    eprintln!("Demo provider: no text message is sent. The code is {code}.");
                }
                let code = read_secret("Code from the text message: ")?;
                engine.bind_phone(&phone, &code).await?;
            }
            println!("Signed in. {} children synced.", engine.children().await?.len());
            Ok(())
        }
        Command::SignIn { phone: Some(phone), sms: true, .. } => {
            let sent = engine.request_sms_code(&phone).await?;
            if let Some(code) = &sent.demo_code {
                eprintln!("Demo provider: no text message is sent. The code is {code}.");
            }
            let code = read_secret("Code from the text message: ")?;
            engine.sign_in_sms(&phone, &code).await?;
            println!("Signed in. {} children synced.", engine.children().await?.len());
            Ok(())
        }
        Command::SignIn { phone, .. } => {
            let phone = phone.unwrap_or_default();
            let password = read_secret("Password: ")?;
            engine.sign_in(&phone, &password).await?;
            println!("Signed in. {} children synced.", engine.children().await?.len());
            Ok(())
        }
        Command::Requests { action, child, json } => {
            // A decision is queued before anything is asked of the provider: only a listing syncs first.
            if action.is_none() {
                sync_or_warn(engine).await?;
            }
            let child = one_child(engine, child.as_deref()).await?;
            match action {
                None => {
                    let requests = engine.friend_requests(&child).await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&requests)?);
                    } else if requests.is_empty() {
                        println!("No friend requests.");
                    } else {
                        println!(
                            "{:<8}  {:<9}  {:<9}  {:<24}  NOTE",
                            "ID", "DIRECTION", "STATUS", "FROM / TO"
                        );
                        for r in requests {
                            let waiting =
                                format!("approved by {}; waiting for the others", r.approved_by.join(", "));
                            let note = match r.queued.as_deref() {
                                Some("approve_request") => "approval waiting to sync",
                                Some("deny_request") => "denial waiting to sync",
                                _ if !r.approved_by.is_empty() => &waiting,
                                _ => "",
                            };
                            println!(
                                "{:<8}  {:<9}  {:<9}  {:<24}  {note}",
                                r.id, r.direction, r.status, r.other_name
                            );
                        }
                    }
                }
                Some(RequestAction::Approve { request_id, trial_days }) => {
                    let needs_pin =
                        engine.find_child(&child).await?.friend_approval == FriendApproval::PinRequired;
                    let pin = if needs_pin {
                        Some(read_secret(&format!("Parental PIN ({PIN_DIGITS} digits): "))?)
                    } else {
                        None
                    };
                    let outcome =
                        engine.approve_request(&child, &request_id, pin.as_ref(), trial_days).await?;
                    match trial_days {
                        Some(days) => {
                            report(engine, outcome, &format!("Approved for a {days}-day trial")).await?
                        }
                        None => report(engine, outcome, "Approved").await?,
                    }
                }
                Some(RequestAction::Deny { request_id }) => {
                    report(engine, engine.deny_request(&child, &request_id).await?, "Denied").await?;
                }
            }
            Ok(())
        }
        Command::Contacts { action, child, json } => {
            if action.is_none() {
                sync_or_warn(engine).await?;
            }
            let child = one_child(engine, child.as_deref()).await?;
            match action {
                None => {
                    let contacts = engine.contacts(&child).await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&contacts)?);
                    } else if contacts.is_empty() {
                        println!("No contacts.");
                    } else {
                        println!(
                            "{:<12}  {:<24}  {:<8}  {:>8}  {:>6}  NOTE",
                            "ID", "NAME", "STATUS", "MSGS/7D", "CALLS"
                        );
                        for c in contacts {
                            let trial = c.trial_until.as_deref().map(|t| format!("trial until {}", &t[..10]));
                            let note = match (&c.queued, &trial) {
                                _ if c.banned_at.is_some() => "banned by the provider",
                                (Some(_), _) => "change waiting to sync",
                                (None, Some(trial)) => trial.as_str(),
                                (None, None) => "",
                            };
                            println!(
                                "{:<12}  {:<24}  {:<8}  {:>8}  {:>6}  {note}",
                                c.contact_id, c.display_name, c.status, c.messages_7d, c.calls_7d
                            );
                        }
                    }
                }
                Some(ContactAction::Block { contact_id }) => {
                    report(
                        engine,
                        engine.set_contact_blocked(&child, &contact_id, true, None).await?,
                        "Blocked",
                    )
                    .await?;
                }
                Some(ContactAction::Unblock { contact_id }) => {
                    let pin = read_child_pin(engine, &child).await?;
                    report(
                        engine,
                        engine.set_contact_blocked(&child, &contact_id, false, Some(&pin)).await?,
                        "Unblocked",
                    )
                    .await?;
                }
                Some(ContactAction::Remove { contact_id }) => {
                    report(engine, engine.remove_contact(&child, &contact_id).await?, "Removed").await?;
                }
                Some(ContactAction::Confirm { contact_id }) => {
                    let contact = engine.confirm_contact(&child, &contact_id).await?;
                    println!("{} stays a friend: the trial is over.", contact.display_name);
                }
            }
            Ok(())
        }
        Command::Sync { now, json } => sync(engine, now, json).await,
        Command::Pending { json, dismiss } => {
            if let Some(id) = dismiss {
                engine.dismiss_decision(&id).await?;
                println!("Removed.");
                return Ok(());
            }
            let pending = engine.pending_decisions().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pending)?);
            } else if pending.is_empty() {
                println!("Nothing waiting: the provider has every decision.");
            } else {
                let lang = Lang::from_env();
                for p in pending {
                    // Why, in the catalogue's words: the unavailability, or the provider's refusal.
                    let why = match p.reason.as_deref() {
                        Some(code) if ErrorKind::UNAVAILABLE.iter().any(|k| k.as_str() == code) => {
                            let next = p.next_try_at.as_deref().and_then(parse_time).map_or_else(
                                String::new,
                                |at| {
                                    format!(
                                        " Next try {}.",
                                        at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S")
                                    )
                                },
                            );
                            format!("{}{next}", words::error_line(lang, code, ""))
                        }
                        _ => match &p.refusal {
                            Some(refusal) => words::refusal_line(lang, refusal),
                            None => p.message.clone().unwrap_or_default(),
                        },
                    };
                    println!("{:>4}  {:<8}  {:<16}  {}  {why}", p.id, p.state.as_str(), p.kind, p.subject);
                }
            }
            Ok(())
        }
        Command::Pin { child, reset, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if reset {
                let password = read_reauth(engine, "").await?;
                let new_pin = read_secret(&format!("New parental PIN ({PIN_DIGITS} digits): "))?;
                engine.reset_pin(&child, &new_pin, &password).await?;
                say(
                    json,
                    serde_json::json!({ "child_id": child, "pin": "reset" }),
                    "The parental PIN was reset.",
                )?;
            } else {
                let current = read_secret("Current parental PIN (leave empty if none is set): ")?;
                let new_pin = read_secret(&format!("New parental PIN ({PIN_DIGITS} digits): "))?;
                let current = (!current.expose().is_empty()).then_some(current);
                engine.set_pin(&child, &new_pin, current.as_ref()).await?;
                say(
                    json,
                    serde_json::json!({ "child_id": child, "pin": "changed" }),
                    "The parental PIN was changed.",
                )?;
            }
            Ok(())
        }
        Command::Approval { child, mode, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if let Some(mode) = mode {
                let pin = read_child_pin(engine, &child).await?;
                engine.set_friend_approval(&child, mode.into(), &pin).await?;
            } else {
                sync_or_warn(engine).await?;
            }
            let now = engine.find_child(&child).await?;
            if json {
                let out = serde_json::json!({ "child_id": now.id, "friend_approval": now.friend_approval });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            match now.friend_approval {
                FriendApproval::ChildMayAdd => println!(
                    "{}: may add friends without your PIN. You still see, block and remove every contact.",
                    now.display_name
                ),
                FriendApproval::PinRequired => {
                    println!("{}: each new friend needs your parental PIN.", now.display_name);
                }
            }
            Ok(())
        }
        Command::Findable { child, who, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if let Some(who) = who {
                let who = Discoverability::from(who);
                // Letting more people find the child needs the PIN; fewer does not.
                let widens = engine.find_child(&child).await?.discoverable_by.widens_to(who);
                let pin = if widens { Some(read_child_pin(engine, &child).await?) } else { None };
                engine.set_discoverability(&child, who, pin.as_ref()).await?;
            } else {
                sync_or_warn(engine).await?;
            }
            let now = engine.find_child(&child).await?;
            if json {
                let out = serde_json::json!({ "child_id": now.id, "discoverable_by": now.discoverable_by });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            let name = &now.display_name;
            match now.discoverable_by {
                Discoverability::IdOrPhone => println!(
                    "{name}: anyone who knows {name}'s ID or phone number can send a friend request."
                ),
                Discoverability::Nobody => {
                    println!("{name}: no one can find {name}; only {name} can send friend requests.");
                }
                Discoverability::IdOnly => {
                    println!("{name}: only someone who knows {name}'s ID can send a friend request.");
                }
            }
            Ok(())
        }
        Command::Activity { child, days, weekly, json } => {
            sync_or_warn(engine).await?;
            let child = one_child(engine, child.as_deref()).await?;
            let view = engine.activity(&child, days).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
                return Ok(());
            }
            let periods = if weekly { &view.weeks } else { &view.days };
            print!("{:<10}  {:>9}  {:>5}", if weekly { "WEEK OF" } else { "DAY" }, "CALL MIN", "GAMES");
            for f in &view.features {
                print!("  {:>10}", format!("{f} min"));
            }
            println!();
            for p in periods {
                print!("{:<10}  {:>9}  {:>5}", p.start, p.call_minutes, p.games_played);
                for m in &p.minutes {
                    print!("  {m:>10}");
                }
                println!();
            }
            Ok(())
        }
        Command::Devices { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if let Some(DeviceAction::SignOut { device_id }) = action {
                let device = engine.sign_out_device(&child, &device_id).await?;
                println!("Signed out {} ({}).", device.name, device.platform);
                return Ok(());
            }
            let devices = engine.devices(&child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&devices)?);
            } else {
                for d in devices {
                    let state = if d.signed_in { "signed in" } else { "signed out" };
                    println!(
                        "{:<16} {:<10} {:<8} {state:<11} last seen {}",
                        d.id, d.name, d.platform, d.last_seen
                    );
                }
            }
            Ok(())
        }
        Command::Attention { json } => {
            sync_or_warn(engine).await?;
            let attention = engine.attention().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&attention)?);
                return Ok(());
            }
            if attention.items.is_empty() {
                println!("Nothing needs your attention.");
            }
            for item in &attention.items {
                let child = item.child_name.as_deref().unwrap_or("you");
                let what = match item.kind {
                    AttentionKind::FriendRequest => format!("friend request from {}", item.subject),
                    AttentionKind::FlaggedGroup => {
                        format!("group {} has people you never approved", item.subject)
                    }
                    AttentionKind::OverdueRequest => {
                        format!("the provider is late answering: {}", item.subject)
                    }
                    AttentionKind::RelaxAgreement => {
                        format!("{} proposes that one guardian's approval is enough", item.subject)
                    }
                    AttentionKind::RemoveGuardian => format!("taking {} off is proposed", item.subject),
                };
                println!("{child:<10} {what}  ({})", item.id);
            }
            if !attention.complete {
                println!(
                    "(The provider could not be reached: groups, late requests and co-guardians' proposals are not listed.)"
                );
            }
            Ok(())
        }
        Command::Profile { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            let mut profile = engine.child_profile(&child).await?;
            match action {
                Some(ProfileAction::Correct { name, country, gender, birthday }) => {
                    let correction = guardian_core::ProfileCorrection {
                        display_name: name.unwrap_or(profile.display_name),
                        country: country.or(profile.country),
                        gender: gender.or(profile.gender),
                        birthday: birthday.or(profile.birthday),
                    };
                    profile = engine.correct_child_profile(&child, correction).await?;
                    if !json {
                        println!("Corrected.");
                    }
                }
                Some(ProfileAction::Picture { file }) => {
                    let bytes = std::fs::read(&file)
                        .map_err(|e| CoreError::File(format!("{}: {e}", file.display())))?;
                    engine.set_avatar(&child, bytes).await?;
                    profile = engine.child_profile(&child).await?;
                    if !json {
                        println!("The profile picture was changed. Contacts see it with the name and ID.");
                    }
                }
                None => {}
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&profile)?);
                return Ok(());
            }
            let given = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not given)".into());
            println!("Name:      {}", profile.display_name);
            println!("Birthday:  {}", given(&profile.birthday));
            println!("Country:   {}", given(&profile.country));
            println!("Gender:    {}", given(&profile.gender));
            println!(
                "Contacts see: {} ({}), the avatar and whether {} is online — never the country, gender or birthday.",
                profile.public.display_name, profile.public.id, profile.public.display_name
            );
            for t in &profile.thresholds {
                let when = if t.passed {
                    "since"
                } else if t.soon {
                    "SOON, on"
                } else {
                    "on"
                };
                println!("  {:>2}  {:<16} {when} {}", t.age, t.rule, t.on);
            }
            Ok(())
        }
        Command::Rights { action, json } => {
            if let Some(RightsAction::Ask { child, kind, details }) = action {
                let child = one_child(engine, child.as_deref()).await?;
                let asked = engine.ask_provider(&child, &kind, &details).await?;
                println!(
                    "Asked ({}). The provider must answer by {} ({} days).",
                    asked.id, asked.due_at, asked.days_left
                );
                return Ok(());
            }
            let tracked = engine.tracked_requests().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&tracked)?);
            } else if tracked.is_empty() {
                println!("No requests.");
            } else {
                for r in tracked {
                    let when = match (r.done, r.overdue) {
                        (true, _) => "done".to_owned(),
                        (false, true) => format!("OVERDUE by {} days", -r.days_left),
                        (false, false) => format!("due in {} days", r.days_left),
                    };
                    let child = r.child_name.as_deref().unwrap_or("you");
                    println!("{:<12} {:<10} {:<12} {when:<20} {}", r.kind, child, r.status, r.summary);
                    if let Some(receipt) = r.receipt {
                        println!("{:<12} {receipt}", "");
                    }
                    if !r.deleted.is_empty() {
                        let deleted: Vec<String> = r.deleted.iter().map(|c| c.replace('_', " ")).collect();
                        println!("{:<12} Deleted: {}.", "", deleted.join(", "));
                    }
                }
            }
            Ok(())
        }
        Command::Groups { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if let Some(GroupAction::Leave { group_id }) = action {
                let group = engine.leave_group(&child, &group_id).await?;
                println!("Left {}.", group.name);
                return Ok(());
            }
            let groups = engine.groups(&child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&groups)?);
            } else if groups.is_empty() {
                println!("Not in any group.");
            } else {
                for g in groups {
                    let flag = if g.flagged {
                        format!("  ! {} not approved by you", g.unapproved)
                    } else {
                        String::new()
                    };
                    println!("{}  {} ({} members){flag}", g.id, g.name, g.members.len());
                    for m in &g.members {
                        println!(
                            "    {:<24} {}",
                            m.display_name,
                            if m.approved { "approved contact" } else { "NOT APPROVED" }
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Reports { action, child, json } => {
            let child = one_child(engine, child.as_deref()).await?;
            if let Some(ReportAction::Create { contact, group, category, evidence, images }) = action {
                let images: Vec<&std::path::Path> = images.iter().map(std::path::PathBuf::as_path).collect();
                let report = match (contact, group) {
                    (Some(contact), _) => {
                        engine.report_contact(&child, &contact, &category, &evidence, &images).await?
                    }
                    (None, Some(group)) if images.is_empty() => {
                        engine.report_group(&child, &group, &category, &evidence).await?
                    }
                    (None, Some(_)) => {
                        return Err(CoreError::Invalid("images go with a report of a contact".into()).into());
                    }
                    (None, None) => {
                        return Err(CoreError::Invalid("say --contact ID or --group ID".into()).into());
                    }
                };
                println!(
                    "Reported ({}). The provider must answer by {} ({} days).",
                    report.id, report.due_at, report.days_left
                );
                return Ok(());
            }
            let reports = engine.reports(&child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            } else if reports.is_empty() {
                println!("No reports.");
            } else {
                for r in reports {
                    let outcome = r.outcome.as_deref().unwrap_or("");
                    println!(
                        "{}  {:<14} {:<9} {} {}  {}  {outcome}",
                        r.id,
                        r.category,
                        r.status,
                        r.target_kind,
                        r.target_id,
                        report_clock(&r.status, r.days_left)
                    );
                }
            }
            Ok(())
        }
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
        Command::Diagnostics { out } => {
            let saved = engine.write_diagnostics(&out, None).await?;
            println!(
                "Wrote {} ({}). Nothing in it names you or your children.",
                saved.path,
                saved.files.join(", ")
            );
            Ok(())
        }
        Command::SignOut => {
            engine.sign_out().await?;
            println!(
                "Signed out. Tokens, the cache key and the local cache were removed from this computer."
            );
            Ok(())
        }
    }
}

/// `guardian provider [use URL | forget]`: needs no provider, starts nothing.
fn choose_provider(action: Option<ProviderAction>) -> anyhow::Result<()> {
    let lang = Lang::from_env();
    let settings = Settings::from_env();
    let file_error = |e: std::io::Error| CoreError::File(e.to_string());
    match action {
        None => println!("{}", words::provider_line(lang, settings.provider.as_ref())),
        Some(ProviderAction::Use { url }) => {
            let choice = guardian_core::ProviderChoice::url(&url)?;
            choice.remember(&settings.data_dir).map_err(file_error)?;
            println!("{}", words::provider_line(lang, Some(&choice)));
        }
        Some(ProviderAction::Forget) => {
            guardian_core::ProviderChoice::forget(&settings.data_dir).map_err(file_error)?;
            println!(
                "{}",
                words::provider_line(
                    lang,
                    guardian_core::ProviderChoice::configured(&settings.data_dir).as_ref()
                )
            );
        }
    }
    Ok(())
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

/// Syncs; when the provider cannot be used (for any reason), says so in one line, with how old
/// the cache is, and carries on with the cache.
pub(crate) async fn sync_or_warn(engine: &Engine) -> anyhow::Result<()> {
    match engine.sync().await {
        Ok(()) => Ok(()),
        Err(error) if error.unavailable().is_some() => {
            let last = engine.status().await.last_synced.as_deref().and_then(parse_time);
            eprintln!("{}", words::showing_cache(Lang::from_env(), error.code(), last, engine.now()));
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// `guardian sync`: sends what is due (everything with `now`), then says what still waits and
/// until when; the exit code says which (0, 4 or 7).
async fn sync(engine: &Engine, now: bool, json: bool) -> anyhow::Result<()> {
    let result = if now { engine.sync_now().await } else { engine.sync().await };
    if let Err(error) = &result
        && error.unavailable().is_none()
    {
        return result.map_err(Into::into);
    }
    let status = engine.status().await;
    let waiting: Vec<_> =
        engine.pending_decisions().await?.into_iter().filter(|p| p.state == PendingState::Queued).collect();
    if json {
        let out = serde_json::json!({
            "synced": result.is_ok(),
            "unavailable": status.unavailable,
            "last_synced": status.last_synced,
            "refused_decisions": status.refused_decisions,
            "waiting": waiting,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        if result.is_ok() {
            println!("Synced.");
        }
        if waiting.is_empty() {
            println!("The provider has every decision.");
        } else {
            println!("{} decision(s) wait on this computer:", waiting.len());
            for p in &waiting {
                let at = p.next_try_at.as_deref().and_then(parse_time);
                let when = at.map_or_else(
                    || "at the next sync".to_owned(),
                    |at| format!("next try {}", at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S")),
                );
                println!("  {:>4}  {:<16} {:<12} {when}", p.id, p.kind, p.subject);
            }
        }
        if status.refused_decisions > 0 {
            println!("{} refused by the provider: see `guardian pending`.", status.refused_decisions);
        }
    }
    match result {
        Err(error) => Err(error.into()),
        Ok(()) if !waiting.is_empty() => Err(Ending::Waiting(waiting.len()).into()),
        Ok(()) => Ok(()),
    }
}

/// The child named on the command line, or the only child when there is one.
async fn one_child(engine: &Engine, child: Option<&str>) -> anyhow::Result<String> {
    if let Some(child) = child {
        return Ok(engine.find_child(child).await?.id);
    }
    match engine.children().await?.as_slice() {
        [only] => Ok(only.id.clone()),
        _ => Err(CoreError::Invalid("say which child with --child NAME".into()).into()),
    }
}

/// Prints what happened to a decision; a refusal is an error (exit code 6).
async fn report(engine: &Engine, outcome: DecisionOutcome, done: &str) -> anyhow::Result<()> {
    match outcome.state {
        OutcomeState::Sent => println!("{done}."),
        OutcomeState::Queued => {
            let next_try = engine.status().await.next_retry_at.as_deref().and_then(parse_time);
            println!(
                "{}",
                words::kept_for_later(Lang::from_env(), done, outcome.reason.as_deref(), next_try)
            );
        }
        OutcomeState::AwaitingGuardians => println!(
            "{}.",
            capitalise(outcome.message.as_deref().unwrap_or("waiting for the other guardians"))
        ),
        // The provider's refusal in the guardian's language, from its code and facts.
        OutcomeState::Refused => anyhow::bail!(Ending::Refused(match &outcome.refusal {
            Some(refusal) => words::refusal_line(Lang::from_env(), refusal),
            None => words::error_line(
                Lang::from_env(),
                "provider_error",
                outcome.message.as_deref().unwrap_or("the provider refused this"),
            ),
        })),
    }
    Ok(())
}

/// Prints `value` as JSON, or `text`.
fn say(json: bool, value: serde_json::Value, text: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{text}");
    }
    Ok(())
}

/// Where a report stands against the provider's 15-day deadline.
fn report_clock(status: &str, days_left: i32) -> String {
    match days_left {
        _ if status == "resolved" => "answered".to_owned(),
        0 => "due today".to_owned(),
        1 => "due tomorrow".to_owned(),
        d if d < 0 => format!("OVERDUE by {} day{}", -d, if d == -1 { "" } else { "s" }),
        d => format!("due in {d} days"),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
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

fn provider_label(kind: guardian_core::ProviderKind) -> &'static str {
    match kind {
        guardian_core::ProviderKind::Demo => "Demo provider",
        guardian_core::ProviderKind::Custom => "Provider",
    }
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
        let approval = match child.friend_approval {
            FriendApproval::PinRequired => "PIN for each request",
            FriendApproval::ChildMayAdd => "child may add",
        };
        println!("{:<width$}  {age:>3}  {:>7}  {approval}", child.display_name, child.pending_requests);
    }
}

/// Reads one line (with echo) after a prompt.
pub(crate) fn read_line(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Proof of who the guardian is before an irreversible step: the password, or, when Enter is
/// pressed on its own, a code sent by SMS to their number (for guardians who signed up with a
/// code and have no password).
pub(crate) async fn read_reauth(engine: &Engine, indent: &str) -> anyhow::Result<guardian_core::Reauth> {
    let password = read_secret(&format!("{indent}Your Guardian password (or Enter for a code by SMS): "))?;
    if !password.expose().is_empty() {
        return Ok(guardian_core::Reauth::Password(password));
    }
    engine.send_reauth_code().await?;
    Ok(guardian_core::Reauth::SmsCode(read_secret(&format!("{indent}The code sent to your phone: "))?))
}

/// The child's parental PIN, read without echo, for a change only a guardian may make.
pub(crate) async fn read_child_pin(engine: &Engine, child: &str) -> anyhow::Result<Secret> {
    let name = engine.find_child(child).await?.display_name;
    read_secret(&format!("{name}'s parental PIN ({PIN_DIGITS} digits): "))
}

/// Reads a secret without echo from the terminal, or one line from standard input when piped.
pub(crate) fn read_secret(prompt: &str) -> anyhow::Result<Secret> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_report_clock_never_says_a_negative_or_a_spent_deadline() {
        let cases = [
            ("resolved", 15, "answered"),
            ("resolved", -3, "answered"),
            ("submitted", 15, "due in 15 days"),
            ("reviewing", 1, "due tomorrow"),
            ("reviewing", 0, "due today"),
            ("reviewing", -1, "OVERDUE by 1 day"),
            ("submitted", -4, "OVERDUE by 4 days"),
        ];
        for (status, days, expected) in cases {
            assert_eq!(super::report_clock(status, days), expected, "{status} {days}");
        }
    }

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
        walk(&super::Cli::command(), "guardian", &mut missing);
        assert!(missing.is_empty(), "no help text for: {missing:#?}");
    }
}
