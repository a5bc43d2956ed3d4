//! Reading from and writing to the terminal: prompts, secrets without echo, JSON or text.

use std::io::{BufRead as _, IsTerminal as _};

use guardian_core::{Engine, Secret};
use guardian_domain::PIN_DIGITS;

/// Prints `value` as JSON, or `text`.
pub(crate) fn say(json: bool, value: serde_json::Value, text: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{text}");
    }
    Ok(())
}

pub(crate) fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&chrono::Utc))
}

pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
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
