//! Signing in and out, which provider is used, and the app's status.

use guardian_core::{CoreError, Engine, Settings};

use crate::args::ProviderAction;
use crate::terminal::{read_line, read_secret};
use crate::words::{self, Lang};

/// `guardian sign-in`: with a password, a code by SMS, or an identity provider in the browser.
pub(crate) async fn sign_in(
    engine: &Engine,
    phone: Option<String>,
    sms: bool,
    with: Option<String>,
) -> anyhow::Result<()> {
    match (with, phone) {
        (Some(provider), _) => {
            let outcome = engine.sign_in_with_identity(&provider, guardian_core::open_in_browser).await?;
            if outcome == guardian_core::IdentityOutcome::PhoneBindingRequired {
                eprintln!(
                    "No Guardian account uses this {provider} account yet: bind the phone number of yours."
                );
                let phone = read_line("Phone number: ")?;
                let code = read_sms_code(engine, &phone).await?;
                engine.bind_phone(&phone, &code).await?;
            }
        }
        (None, Some(phone)) if sms => {
            let code = read_sms_code(engine, &phone).await?;
            engine.sign_in_sms(&phone, &code).await?;
        }
        (None, phone) => {
            let password = read_secret("Password: ")?;
            engine.sign_in(&phone.unwrap_or_default(), &password).await?;
        }
    }
    println!("Signed in. {} children synced.", engine.children().await?.len());
    Ok(())
}

/// Asks the provider to text a code to `phone`, and reads it (the demo provider shows it instead).
async fn read_sms_code(engine: &Engine, phone: &str) -> anyhow::Result<guardian_core::Secret> {
    let sent = engine.request_sms_code(phone).await?;
    if let Some(code) = &sent.demo_code {
        eprintln!("Demo provider: no text message is sent. The code is {code}.");
    }
    read_secret("Code from the text message: ")
}

/// `guardian sign-out`: removes tokens, the cache key and the cache from this computer.
pub(crate) async fn sign_out(engine: &Engine) -> anyhow::Result<()> {
    engine.sign_out().await?;
    println!("Signed out. Tokens, the cache key and the local cache were removed from this computer.");
    Ok(())
}

/// `guardian status`: the provider, whether signed in, where secrets are kept, the last sync.
pub(crate) async fn status(engine: &Engine, json: bool) -> anyhow::Result<()> {
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

/// `guardian provider [use URL | forget]`: needs no provider, starts nothing.
pub(crate) fn choose_provider(action: Option<ProviderAction>) -> anyhow::Result<()> {
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

fn provider_label(kind: guardian_core::ProviderKind) -> &'static str {
    match kind {
        guardian_core::ProviderKind::Demo => "Demo provider",
        guardian_core::ProviderKind::Custom => "Provider",
    }
}
