//! The children: listing and adding them, and each child's profile.

use guardian_core::{ChildSummary, CoreError, Engine};
use guardian_domain::FriendApproval;

use crate::args::{ChildAction, ProfileAction};
use crate::sync::sync_or_warn;
use crate::terminal::read_line;

/// `guardian children [add]`.
pub(crate) async fn children(engine: &Engine, action: Option<ChildAction>, json: bool) -> anyhow::Result<()> {
    match action {
        Some(ChildAction::Add { name, birthday, country, gender }) => {
            add(engine, name, birthday, country, gender).await
        }
        None => {
            sync_or_warn(engine).await?;
            let children = engine.children().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&children)?);
            } else {
                print_children(&children);
            }
            Ok(())
        }
    }
}

/// Adds a child after the guardian consents under the policy in force.
async fn add(
    engine: &Engine,
    name: String,
    birthday: String,
    country: Option<String>,
    gender: Option<String>,
) -> anyhow::Result<()> {
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

/// The child named on the command line, or the only child when there is one.
pub(crate) async fn one_child(engine: &Engine, child: Option<&str>) -> anyhow::Result<String> {
    if let Some(child) = child {
        return Ok(engine.find_child(child).await?.id);
    }
    match engine.children().await?.as_slice() {
        [only] => Ok(only.id.clone()),
        _ => Err(CoreError::Invalid("say which child with --child NAME".into()).into()),
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

/// `guardian profile [correct | picture]`: what the provider keeps about the child, and what contacts see.
pub(crate) async fn profile(
    engine: &Engine,
    action: Option<ProfileAction>,
    child: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
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
            let bytes =
                std::fs::read(&file).map_err(|e| CoreError::File(format!("{}: {e}", file.display())))?;
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
