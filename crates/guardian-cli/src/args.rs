//! The command line: every command, its arguments and their help, and nothing that runs them.

use clap::{Parser, Subcommand};
use guardian_domain::{Discoverability, FriendApproval};

use crate::{guardians, rights, transparency};

#[derive(Parser)]
#[command(name = "guardian", version, about = "Look after your children's accounts from a terminal")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Append what this command does to FILE as a flow (docs/flows.md), with names replaced by
    /// references and the PIN by the sandbox's, so support can replay it.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) record: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum ProviderAction {
    /// Keep your provider's address (https) on this computer; the app uses it too.
    Use {
        /// The address your provider gave you, e.g. https://provider.example
        url: String,
    },
    /// Forget the address kept on this computer.
    Forget,
}

#[derive(Subcommand)]
pub(crate) enum RequestAction {
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
pub(crate) enum ContactAction {
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
pub(crate) enum DeviceAction {
    /// Sign a device out remotely.
    SignOut {
        /// The device's ID, as `guardian devices` lists it.
        device_id: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ProfileAction {
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
pub(crate) enum RightsAction {
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
pub(crate) enum ChildAction {
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
pub(crate) enum GroupAction {
    /// Take the child out of a group.
    Leave {
        /// The group's ID, as `guardian groups` lists it.
        group_id: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReportAction {
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
pub(crate) enum FlowAction {
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
pub(crate) enum DebugCommand {
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
pub(crate) enum ApprovalArg {
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
pub(crate) enum FindableArg {
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
