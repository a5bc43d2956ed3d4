//! The child's safety settings: the parental PIN, who approves friends, who can find the child.

use guardian_core::Engine;
use guardian_domain::{Discoverability, FriendApproval, PIN_DIGITS};

use crate::args::{ApprovalArg, FindableArg};
use crate::children::one_child;
use crate::sync::sync_or_warn;
use crate::terminal::{read_child_pin, read_reauth, read_secret, say};

/// `guardian pin [--reset]`: sets or changes the parental PIN, or replaces a forgotten one.
pub(crate) async fn pin(
    engine: &Engine,
    child: Option<String>,
    reset: bool,
    json: bool,
) -> anyhow::Result<()> {
    let child = one_child(engine, child.as_deref()).await?;
    if reset {
        let password = read_reauth(engine, "").await?;
        let new_pin = read_secret(&format!("New parental PIN ({PIN_DIGITS} digits): "))?;
        engine.reset_pin(&child, &new_pin, &password).await?;
        say(json, serde_json::json!({ "child_id": child, "pin": "reset" }), "The parental PIN was reset.")?;
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

/// `guardian approval [MODE]`: whether each new friend needs the parental PIN.
pub(crate) async fn approval(
    engine: &Engine,
    child: Option<String>,
    mode: Option<ApprovalArg>,
    json: bool,
) -> anyhow::Result<()> {
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

/// `guardian findable [WHO]`: who can find the child; letting more people find the child needs the PIN.
pub(crate) async fn findable(
    engine: &Engine,
    child: Option<String>,
    who: Option<FindableArg>,
    json: bool,
) -> anyhow::Result<()> {
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
        Discoverability::IdOrPhone => {
            println!("{name}: anyone who knows {name}'s ID or phone number can send a friend request.")
        }
        Discoverability::Nobody => {
            println!("{name}: no one can find {name}; only {name} can send friend requests.");
        }
        Discoverability::IdOnly => {
            println!("{name}: only someone who knows {name}'s ID can send a friend request.");
        }
    }
    Ok(())
}
