//! What waits for the guardian across all children.

use guardian_core::{AttentionKind, Engine};

use crate::sync::sync_or_warn;

/// `guardian attention`: friend requests, flagged groups, late provider answers and proposals.
pub(crate) async fn attention(engine: &Engine, json: bool) -> anyhow::Result<()> {
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
