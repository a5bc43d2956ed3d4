//! `guardian account|consent|policy|export|audit`: data rights and account deletion.

use std::path::PathBuf;

use clap::Subcommand;
use guardian_core::{CoreError, Engine};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::RightsAction;
use crate::children::one_child;
use crate::terminal::{read_line, read_reauth, read_secret};

#[derive(Subcommand)]
pub enum AccountAction {
    /// Deletion requests in progress and their receipts.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Walk through deleting a child's account (`--child NAME`) or your own (`--guardian`).
    /// The password and PIN are always asked for; nothing skips verification.
    Delete {
        /// The child, by name or ID (needed when you have more than one child).
        #[arg(long, conflicts_with = "guardian", required_unless_present = "guardian")]
        child: Option<String>,
        /// Your own account instead of a child's.
        #[arg(long)]
        guardian: bool,
    },
    /// Cancel a deletion during its cooling-off period.
    Cancel {
        /// The request's ID, as the listing shows it.
        request_id: String,
    },
    /// Agree, as one of the child's other guardians, to a request to delete the child's account
    /// (your password is asked).
    Agree {
        /// The request's ID, as the listing shows it.
        request_id: String,
    },
    /// Say no to a request to delete a child's account: it is cancelled, nothing is deleted.
    Refuse {
        /// The request's ID, as the listing shows it.
        request_id: String,
    },
    /// Your account: masked phone number, real-name status, and the third-party identities you
    /// can sign in with.
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Link a third-party identity (wechat, qq or apple): you agree in your browser.
    Link {
        /// The third-party identity: wechat, qq or apple.
        #[arg(value_parser = ["wechat", "qq", "apple"])]
        provider: String,
    },
    /// Stop signing in with a third-party identity.
    Unlink {
        /// The third-party identity: wechat, qq or apple.
        #[arg(value_parser = ["wechat", "qq", "apple"])]
        provider: String,
    },
}

#[derive(Subcommand)]
pub enum ConsentAction {
    /// Give consent for a purpose (analytics, sms_verification, crash_reporting, cross_border_transfer).
    Grant {
        /// The purpose: analytics, sms_verification, crash_reporting or cross_border_transfer.
        purpose: String,
    },
    /// Withdraw consent for a purpose; as easy as giving it.
    Withdraw {
        /// The purpose: analytics, sms_verification, crash_reporting or cross_border_transfer.
        purpose: String,
    },
}

#[derive(Subcommand)]
pub enum PolicyAction {
    /// Show a version, with what changed from the version in force.
    Show {
        /// The policy version, as `guardian policy` lists it.
        version: String,
    },
    /// Record that you have read a version.
    Ack {
        /// The policy version, as `guardian policy` lists it.
        version: String,
    },
}

#[derive(Subcommand)]
pub enum ExportAction {
    /// Check an export archive against its manifest (every file's size and SHA-256).
    Verify {
        /// The file to read.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What changed between two exports of the same child.
    Diff {
        /// The older export (a .zip file).
        a: PathBuf,
        /// The newer export (a .zip file).
        b: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show what an export holds.
    Show {
        /// The file to read.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditAction {
    /// Check the log's hash chain: exit code 1 if any entry was changed, removed or reordered.
    Verify,
}

fn date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub async fn account(engine: &Engine, action: AccountAction) -> anyhow::Result<()> {
    match action {
        AccountAction::Show { json } => show_account(&engine.account().await?, json),
        AccountAction::Link { provider } => {
            let account = engine.link_identity(&provider, guardian_core::open_in_browser).await?;
            println!("Linked. You can now sign in with `guardian sign-in --with {provider}`.");
            show_account(&account, false)
        }
        AccountAction::Unlink { provider } => {
            let account = engine.unlink_identity(&provider).await?;
            println!("Unlinked: sign in with your phone number, or another linked identity.");
            show_account(&account, false)
        }
        AccountAction::Status { json } => {
            let requests = engine.deletion_requests().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&requests)?);
                return Ok(());
            }
            if requests.is_empty() {
                println!("No deletion requests.");
            }
            for r in requests {
                let who = r.child_id.as_deref().unwrap_or("your own account");
                println!("{}  {}  {}", r.id, r.status.as_str(), who);
                let by = r.requested_by.as_deref().map(|n| format!(" by {n}")).unwrap_or_default();
                println!("    requested{by} {}; due by {}", date(r.requested_at), date(r.due_at));
                for a in &r.agreements {
                    let name = if a.you { "you" } else { &a.guardian_name };
                    match a.answer.as_str() {
                        "awaited" if a.you => println!(
                            "    waiting for your answer: guardian account agree {} (or refuse {})",
                            r.id, r.id
                        ),
                        "awaited" => println!("    waiting for {name} to agree"),
                        answer => println!("    {name}: {answer}"),
                    }
                }
                match r.completed_at {
                    Some(done) => {
                        println!("    completed {}; deleted: {}", date(done), r.deleted.join(", "));
                        for note in &r.retained {
                            let how_long = note
                                .kept_for_days
                                .map_or("while a legal hold lasts".into(), |d| format!("{d} days"));
                            println!("    kept: {} ({how_long}): {}", note.what, note.reason);
                        }
                    }
                    None if r.status.as_str() == "cooling_off" => println!(
                        "    can be cancelled until {} (guardian account cancel {})",
                        date(r.cooling_off_until),
                        r.id
                    ),
                    None => {}
                }
            }
            Ok(())
        }
        AccountAction::Cancel { request_id } => {
            let request = engine.cancel_deletion(&request_id).await?;
            println!("Cancelled: nothing was deleted ({}).", request.status.as_str());
            Ok(())
        }
        AccountAction::Agree { request_id } => {
            let password = read_reauth(engine, "").await?;
            let request = engine.agree_to_deletion(&request_id, &password).await?;
            let waiting: Vec<_> = request
                .agreements
                .iter()
                .filter(|a| a.answer == "awaited")
                .map(|a| a.guardian_name.as_str())
                .collect();
            match waiting.is_empty() {
                true => println!("Agreed. The account is deleted after {}.", date(request.cooling_off_until)),
                false => println!("Agreed. Still waiting for: {}.", waiting.join(", ")),
            }
            Ok(())
        }
        AccountAction::Refuse { request_id } => {
            engine.refuse_deletion(&request_id).await?;
            println!("You said no: the request is cancelled and nothing is deleted.");
            Ok(())
        }
        AccountAction::Delete { child: Some(child), .. } => delete_child(engine, &child).await,
        AccountAction::Delete { child: None, .. } => delete_guardian(engine).await,
    }
}

/// The steps of the desktop walkthrough, in a terminal.
async fn delete_child(engine: &Engine, child: &str) -> anyhow::Result<()> {
    crate::sync::sync_or_warn(engine).await?;
    let child = engine.find_child(child).await?;
    println!("Deleting {}'s account\n", child.display_name);
    println!("1. What happens");
    println!(
        "   Everything the service holds about {} is deleted: profile, contacts, friend",
        child.display_name
    );
    println!(
        "   requests, activity, parental PIN, consents and exports. Deletion also withdraws all consent."
    );
    println!("   Uninstalling Guardian or the kids' app does NOT delete anything.");
    println!("   The provider keeps, by law or for safety:");
    for note in engine.retention_notes().await? {
        let how_long = note.kept_for_days.map_or("while a legal hold lasts".into(), |d| format!("{d} days"));
        println!("   - {} ({how_long}): {}", note.what, note.reason);
    }
    println!("\n2. Before you go");
    println!("   Save a copy first with: guardian export --child {:?} --out FILE.zip", child.display_name);
    let others: Vec<_> = match engine.co_guardians(&child.id).await {
        Ok(g) if g.agreement == guardian_domain::Agreement::All => {
            g.guardians.into_iter().filter(|g| !g.you).map(|g| g.display_name).collect()
        }
        _ => Vec::new(),
    };
    if !others.is_empty() {
        println!(
            "\n   {}'s guardians must all agree: {} will be asked, and nothing is",
            child.display_name,
            others.join(", ")
        );
        println!("   deleted until every one has agreed. One \"no\" cancels the request.");
    }
    println!("\n3. Verify it is you");
    let typed = read_line(&format!("   Type the child's name ({}) to confirm: ", child.display_name))?;
    let password = read_reauth(engine, "   ").await?;
    let pin = read_secret(&format!(
        "   {}'s {}-digit parental PIN: ",
        child.display_name,
        guardian_domain::PIN_DIGITS
    ))?;
    let request = engine.request_child_deletion(&child.id, &typed, &password, &pin).await?;
    println!("\n4. Submitted ({})", request.id);
    println!(
        "   Nothing is deleted until {}: you can cancel until then with",
        date(request.cooling_off_until)
    );
    println!("   guardian account cancel {}", request.id);
    if !request.agreements.is_empty() {
        let names: Vec<_> = request.agreements.iter().map(|a| a.guardian_name.as_str()).collect();
        println!("   Waiting for {} to agree.", names.join(", "));
    }
    println!(
        "   The provider must complete it by {}. Check with: guardian account status",
        date(request.due_at)
    );
    Ok(())
}

async fn delete_guardian(engine: &Engine) -> anyhow::Result<()> {
    crate::sync::sync_or_warn(engine).await?;
    println!("Deleting your own Guardian account\n");
    println!("Your profile, phone number, password and sessions are deleted or anonymised. This cannot be");
    println!("undone. When it completes, Guardian also removes its data and keys from this computer.\n");
    let typed = read_line("Type \"delete my account\" to confirm: ")?;
    if typed.trim() != "delete my account" {
        return Err(CoreError::Invalid("not confirmed: nothing was requested".into()).into());
    }
    let password = read_reauth(engine, "").await?;
    let request = engine.request_guardian_deletion(&password).await?;
    println!(
        "Submitted ({}). Nothing is deleted until {}; cancel until then with",
        request.id,
        date(request.cooling_off_until)
    );
    println!("guardian account cancel {}", request.id);
    Ok(())
}

pub async fn consent(
    engine: &Engine,
    child: &str,
    action: Option<ConsentAction>,
    json: bool,
) -> anyhow::Result<()> {
    let ledger = match action {
        None => engine.consents(child).await?,
        Some(ConsentAction::Grant { purpose }) => {
            let ledger = engine.set_consent(child, guardian_core::consent_purpose(&purpose)?, true).await?;
            println!("Consent given for {purpose}.");
            ledger
        }
        Some(ConsentAction::Withdraw { purpose }) => {
            let ledger = engine.set_consent(child, guardian_core::consent_purpose(&purpose)?, false).await?;
            println!(
                "Consent withdrawn for {purpose}. From now on the provider must stop; what it did before \
                 you withdrew stays lawful."
            );
            ledger
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&ledger)?);
        return Ok(());
    }
    println!("{:<24} {:<9} SINCE (POLICY)", "PURPOSE", "CONSENT");
    for c in &ledger.current {
        let state = if c.granted { "given" } else { "withdrawn" };
        println!("{:<24} {state:<9} {} ({})", c.purpose.as_str(), date(c.at), c.policy_version);
    }
    println!("\nHistory ({} changes):", ledger.history.len());
    for c in &ledger.history {
        let state = if c.granted { "given" } else { "withdrawn" };
        println!("  {}  {:<24} {state}", date(c.at), c.purpose.as_str());
    }
    Ok(())
}

pub async fn policy(engine: &Engine, action: Option<PolicyAction>, json: bool) -> anyhow::Result<()> {
    let policies = engine.policies().await?;
    let (in_force, pending) = guardian_core::policy_in_force_and_pending(&policies, engine.now());
    match action {
        None if json => println!("{}", serde_json::to_string_pretty(&policies)?),
        None => {
            for p in &policies {
                let state = if Some(p) == in_force {
                    "in force".to_owned()
                } else if p.effective_at > engine.now() {
                    format!("takes effect {}", date(p.effective_at))
                } else {
                    "replaced".to_owned()
                };
                let read =
                    p.acknowledged_at.map_or("not yet read".to_owned(), |t| format!("read {}", date(t)));
                let major = if p.major { " [major change]" } else { "" };
                println!("{}  {state}; {read}{major}\n    {}", p.version, p.summary);
            }
            if let Some(p) = pending.filter(|p| p.acknowledged_at.is_none()) {
                println!(
                    "\nPlease read {} before {}: guardian policy show {}",
                    p.version,
                    date(p.effective_at),
                    p.version
                );
            }
        }
        Some(PolicyAction::Show { version }) => {
            let p = policies
                .iter()
                .find(|p| p.version == version)
                .ok_or_else(|| CoreError::Invalid(format!("no policy version {version:?}")))?;
            if json {
                let changes = in_force
                    .filter(|f| f.version != p.version)
                    .map(|current| guardian_core::policy_diff(&current.text, &p.text));
                let out = serde_json::json!({ "policy": p, "changes_from_in_force": changes });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            println!("Policy {} (takes effect {})\n{}\n", p.version, date(p.effective_at), p.summary);
            match in_force.filter(|f| f.version != p.version) {
                Some(current) => {
                    println!("Changes from the version in force ({}):", current.version);
                    for line in guardian_core::policy_diff(&current.text, &p.text) {
                        let mark = match line.kind.as_str() {
                            "added" => "+ ",
                            "removed" => "- ",
                            _ => "  ",
                        };
                        println!("{mark}{}", line.text);
                    }
                }
                None => println!("{}", p.text),
            }
        }
        Some(PolicyAction::Ack { version }) => {
            let p = engine.acknowledge_policy(&version).await?;
            println!("Recorded that you read policy {}.", p.version);
        }
    }
    Ok(())
}

pub async fn export(
    engine: &Engine,
    action: Option<ExportAction>,
    child: Option<String>,
    out: Option<PathBuf>,
    language: &str,
) -> anyhow::Result<()> {
    match action {
        None => {
            let (Some(child), Some(out)) = (child, out) else {
                return Err(
                    CoreError::Invalid("say which child and where: --child NAME --out FILE".into()).into()
                );
            };
            crate::sync::sync_or_warn(engine).await?;
            let bar = ProgressBar::new(100);
            bar.set_style(
                ProgressStyle::with_template("{msg:12} [{bar:40}] {percent:>3}%")?.progress_chars("=> "),
            );
            let summary = engine
                .export_child(&child, &out, language, |p| {
                    bar.set_message(p.stage.as_str());
                    if p.total > 0.0 {
                        bar.set_position((p.done / p.total * 100.0).round() as u64);
                    }
                })
                .await;
            bar.finish_and_clear();
            let summary = summary?;
            println!(
                "Saved {} ({} files, checked against the manifest). Open it with: guardian export show {}",
                out.display(),
                summary.files,
                out.display()
            );
            Ok(())
        }
        Some(ExportAction::Verify { file, json }) => verify_export(&file, json),
        Some(ExportAction::Diff { a, b, json }) => {
            let diff = guardian_core::archive::diff(&a, &b).map_err(|e| CoreError::Archive(e.to_string()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&diff)?);
                return Ok(());
            }
            for f in &diff.profile {
                println!("profile {}: {:?} -> {:?}", f.what, f.before, f.after);
            }
            for name in &diff.contacts_added {
                println!("contact added: {name}");
            }
            for name in &diff.contacts_removed {
                println!("contact removed: {name}");
            }
            for f in &diff.contacts_changed {
                println!("contact {}: {} -> {}", f.what, f.before, f.after);
            }
            println!("activity rows: {} -> {}", diff.activity_rows_before, diff.activity_rows_after);
            Ok(())
        }
        Some(ExportAction::Show { file, json }) => {
            let contents = engine.open_export(&file).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&contents)?);
                return Ok(());
            }
            println!("Export of {} made {}", contents.child.display_name, contents.summary.created_at);
            println!(
                "{} contacts, {} friend requests, {} activity rows",
                contents.contacts.len(),
                contents.friend_requests.len(),
                contents.activity.len()
            );
            println!("Not included, by design:");
            for e in &contents.summary.excluded {
                println!("  - {e}");
            }
            Ok(())
        }
    }
}

/// `export verify`: needs no provider and no sign-in (the CLI runs it before starting one).
pub fn verify_export(file: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let summary = guardian_core::archive::verify(file).map_err(|e| CoreError::Archive(e.to_string()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "OK: {} files match the manifest ({}, made {}).",
            summary.files, summary.format, summary.created_at
        );
    }
    Ok(())
}

pub async fn audit(engine: &Engine, action: Option<AuditAction>, json: bool) -> anyhow::Result<()> {
    match action {
        Some(AuditAction::Verify) => match engine.verify_audit_log().await? {
            Ok(n) if json => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "intact": true, "entries": n }))?
                );
                Ok(())
            }
            Ok(n) => {
                println!("OK: the audit log's {n} entries are intact.");
                Ok(())
            }
            Err(broken) => anyhow::bail!(broken),
        },
        None => {
            let entries = engine.audit_log().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for e in entries {
                    println!(
                        "{:>4}  {}  {:<20} {:<28} {}",
                        e.seq,
                        date(e.at),
                        e.action,
                        e.subject,
                        e.outcome
                    );
                }
            }
            Ok(())
        }
    }
}

#[derive(Subcommand)]
pub enum DataAction {
    /// Delete one category now (activity, demographics, avatar, contact_history, resolved_reports);
    /// shows what goes and what stays, then asks you to type the category and your password.
    Delete {
        /// The category, as `guardian data` lists them.
        category: String,
    },
    /// Receipts of data deleted by category.
    Receipts,
}

fn kept_line(note: &guardian_core::KeptView) -> String {
    let how_long =
        note.retention_days.map_or("as long as the account exists".into(), |d| format!("{d} days"));
    format!("{} ({how_long}): {}", note.what, note.why)
}

pub async fn data(
    engine: &Engine,
    child: &str,
    action: Option<DataAction>,
    json: bool,
) -> anyhow::Result<()> {
    match action {
        None => {
            let categories = engine.data_categories(child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&categories)?);
                return Ok(());
            }
            for c in categories {
                println!("{:<17} {:>6} items  {}", c.category, c.items, c.description);
                for note in &c.kept {
                    println!("    kept: {}", kept_line(note));
                }
            }
            Ok(())
        }
        Some(DataAction::Receipts) => {
            let receipts = engine.data_deletions(child).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&receipts)?);
            } else if receipts.is_empty() {
                println!("Nothing deleted by category yet.");
            } else {
                for r in receipts {
                    println!("{}  {}  {}  {} items deleted", r.id, r.deleted_at, r.category, r.deleted_items);
                }
            }
            Ok(())
        }
        Some(DataAction::Delete { category }) => {
            let categories = engine.data_categories(child).await?;
            let Some(preview) = categories.iter().find(|c| c.category == category) else {
                let known: Vec<_> = categories.iter().map(|c| c.category.as_str()).collect();
                return Err(CoreError::Invalid(format!("choose what to delete: {}", known.join(", "))).into());
            };
            println!(
                "Deleting {}: {} ({} items). This cannot be undone.",
                preview.category, preview.description, preview.items
            );
            if preview.kept.is_empty() {
                println!("Nothing of it is kept.");
            }
            for note in &preview.kept {
                println!("Kept: {}", kept_line(note));
            }
            let typed = read_line(&format!("Type {:?} to confirm: ", preview.category))?;
            if typed.trim() != preview.category {
                return Err(CoreError::Invalid("not confirmed: nothing was deleted".into()).into());
            }
            let password = read_reauth(engine, "").await?;
            let receipt = engine.delete_data(child, &category, &password).await?;
            println!(
                "Deleted {} items of {} ({}). Receipt {}; gone from this computer too.",
                receipt.deleted_items, receipt.category, receipt.deleted_at, receipt.id
            );
            Ok(())
        }
    }
}

fn show_account(account: &guardian_core::AccountView, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(account)?);
        return Ok(());
    }
    println!("Name:       {}", account.display_name);
    println!("Phone:      {}", account.phone_masked);
    let real_name = match account.real_name.as_str() {
        "verified" => "verified",
        "pending" => "being checked",
        _ => "not verified (optional)",
    };
    println!("Real name:  {real_name}");
    if account.identities.is_empty() {
        println!("Sign in with: your phone number only (link one with `guardian account link wechat`).");
    }
    for identity in &account.identities {
        println!(
            "Sign in with: {} ({}), linked {}",
            identity.provider, identity.display_name, identity.linked_at
        );
    }
    Ok(())
}

/// `guardian rights [ask]`: everything asked of the provider with a deadline, open first.
pub(crate) async fn requests(
    engine: &Engine,
    action: Option<RightsAction>,
    json: bool,
) -> anyhow::Result<()> {
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
