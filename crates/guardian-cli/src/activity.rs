//! What the child does on the service: use over time, devices, groups, and the reports made.

use guardian_core::{CoreError, Engine};

use crate::args::{DeviceAction, GroupAction, ReportAction};
use crate::children::one_child;
use crate::sync::sync_or_warn;

/// `guardian activity`: use per day or per week, from the cache.
pub(crate) async fn activity(
    engine: &Engine,
    child: Option<String>,
    days: u32,
    weekly: bool,
    json: bool,
) -> anyhow::Result<()> {
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

/// `guardian devices [sign-out]`: the devices signed in to the child's account.
pub(crate) async fn devices(
    engine: &Engine,
    action: Option<DeviceAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
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
            println!("{:<16} {:<10} {:<8} {state:<11} last seen {}", d.id, d.name, d.platform, d.last_seen);
        }
    }
    Ok(())
}

/// `guardian groups [leave]`: the child's groups, and members the guardian never approved.
pub(crate) async fn groups(
    engine: &Engine,
    action: Option<GroupAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
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
            let flag =
                if g.flagged { format!("  ! {} not approved by you", g.unapproved) } else { String::new() };
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

/// `guardian reports [create]`: the child's reports to the provider and its deadline to answer.
pub(crate) async fn reports(
    engine: &Engine,
    action: Option<ReportAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let child = one_child(engine, child.as_deref()).await?;
    if let Some(ReportAction::Create { contact, group, category, evidence, images }) = action {
        let images: Vec<&std::path::Path> = images.iter().map(std::path::PathBuf::as_path).collect();
        let category = guardian_core::report_category(&category)?;
        let report = match (contact, group) {
            (Some(contact), _) => {
                engine.report_contact(&child, &contact, category, &evidence, &images).await?
            }
            (None, Some(group)) if images.is_empty() => {
                engine.report_group(&child, &group, category, &evidence).await?
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
                r.category.as_str(),
                r.status,
                r.target_kind,
                r.target_id,
                report_clock(&r.status, r.days_left)
            );
        }
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
}
