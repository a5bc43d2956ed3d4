//! `guardian transparency` and `guardian notices`: what the provider discloses about itself.

use clap::Subcommand;
use guardian_core::Engine;

#[derive(Subcommand)]
pub enum TransparencyAction {
    /// Ask the provider to explain one of its automated decisions (due within 15 days).
    Explain {
        /// The automated decision's ID, as `guardian transparency` lists it.
        decision_id: String,
    },
}

/// A provider timestamp shown as its date and minute.
pub fn when(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

pub async fn transparency(
    engine: &Engine,
    child: &str,
    action: Option<TransparencyAction>,
    json: bool,
) -> anyhow::Result<()> {
    if let Some(TransparencyAction::Explain { decision_id }) = action {
        let request = engine.explain_decision(child, &decision_id).await?;
        println!(
            "Asked for an explanation ({}); the provider answers by {}.",
            request.id,
            when(&request.due_at)
        );
        return Ok(());
    }
    let records = engine.transparency(child).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    println!("Staff access to this child's data:");
    if records.staff_access.is_empty() {
        println!("  none recorded");
    }
    for a in &records.staff_access {
        println!(
            "  {}  {:<26} {}  (approval {}; looked at: {})",
            when(&a.accessed_at),
            a.staff_role,
            a.purpose,
            a.approval_ref,
            a.data_categories.join(", ")
        );
    }
    println!("Automated decisions:");
    if records.decisions.is_empty() {
        println!("  none");
    }
    for d in &records.decisions {
        let state = match (&d.explanation_request, d.human_reviewed) {
            (Some(id), _) => format!("explanation asked ({id})"),
            (None, true) => "reviewed by a person".to_owned(),
            (None, false) => format!("ask why: guardian transparency explain {}", d.id),
        };
        println!("  {}  {}  {}  [{state}]", d.id, when(&d.decided_at), d.summary);
    }
    Ok(())
}

pub async fn notices(engine: &Engine, json: bool) -> anyhow::Result<()> {
    let notices = engine.security_notices().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&notices)?);
    } else if notices.is_empty() {
        println!("No security notices.");
    } else {
        for n in notices {
            println!("{}  [{}] {}\n    {}", when(&n.published_at), n.severity, n.title, n.body);
        }
    }
    Ok(())
}

pub async fn notifications(engine: &Engine, mark_read: bool, json: bool) -> anyhow::Result<()> {
    let centre = engine.notifications().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&centre)?);
    } else {
        if !centre.complete {
            println!("(The provider cannot be reached: only friend requests saved here are listed.)");
        }
        if centre.items.is_empty() {
            println!("Nothing new.");
        }
        for n in &centre.items {
            let mark = if n.read { "   " } else { "NEW" };
            let child = n.child_name.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
            println!("{mark} {}  {:<18} {child}{}", when(&n.at), n.kind.as_str(), n.subject);
            if let Some(detail) = &n.detail {
                println!("        {detail}");
            }
        }
    }
    if mark_read {
        let unread: Vec<String> = centre.items.iter().filter(|n| !n.read).map(|n| n.id.clone()).collect();
        engine.mark_notifications_read(&unread).await?;
        if !json {
            println!("Marked {} as read.", unread.len());
        }
    }
    Ok(())
}
