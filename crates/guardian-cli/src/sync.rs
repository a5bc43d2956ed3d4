//! Syncing with the provider, and the decisions that wait on this computer.

use guardian_core::{Engine, ErrorKind, PendingState};

use crate::Ending;
use crate::terminal::parse_time;
use crate::words::{self, Lang};

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

/// `guardian sync`: sends what is due (everything with `now`), then says what still waits and
/// until when; the exit code says which (0, 4 or 7).
pub(crate) async fn sync(engine: &Engine, now: bool, json: bool) -> anyhow::Result<()> {
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
                println!("  {:>4}  {:<16} {:<12} {when}", p.id, p.kind.as_str(), p.subject);
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

/// `guardian pending [--dismiss ID]`: decisions not yet at the provider, and those it refused.
pub(crate) async fn pending(engine: &Engine, json: bool, dismiss: Option<String>) -> anyhow::Result<()> {
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
                    let next = p.next_try_at.as_deref().and_then(parse_time).map_or_else(String::new, |at| {
                        format!(" Next try {}.", at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S"))
                    });
                    format!("{}{next}", words::error_line(lang, code, ""))
                }
                _ => match &p.refusal {
                    Some(refusal) => words::refusal_line(lang, refusal),
                    None => p.message.clone().unwrap_or_default(),
                },
            };
            println!("{:>4}  {:<8}  {:<16}  {}  {why}", p.id, p.state.as_str(), p.kind.as_str(), p.subject);
        }
    }
    Ok(())
}
