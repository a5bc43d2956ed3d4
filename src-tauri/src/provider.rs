//! Which provider the app talks to, and the engine on it. Nothing is started until a provider is
//! chosen: from the environment (`make run` sets `GUARDIAN_PROVIDER=demo`), from the address kept
//! on this computer, or on the first screen ("your provider's address" or "try a demo family").

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use guardian_core::{CoreError, Engine, ProviderChoice, ProviderKind, Settings};
use tauri::{AppHandle, State};
use tokio::sync::OnceCell;

use crate::AppError;

/// The engine, started once a provider is chosen, on first use.
pub struct EngineSlot {
    engine: OnceCell<Arc<Engine>>,
    settings: Mutex<Settings>,
    /// The background sync runs once, whoever starts it first.
    background: AtomicBool,
}

impl Default for EngineSlot {
    fn default() -> Self {
        Self {
            engine: OnceCell::new(),
            settings: Mutex::new(Settings::from_env()),
            background: AtomicBool::new(false),
        }
    }
}

impl EngineSlot {
    /// The engine, if it has started.
    pub(crate) fn started(&self) -> Option<Arc<Engine>> {
        self.engine.get().cloned()
    }

    /// True for the one caller that may start the background sync.
    pub(crate) fn claim_background(&self) -> bool {
        !self.background.swap(true, Ordering::SeqCst)
    }

    fn settings(&self) -> Settings {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The engine on the chosen provider (`no_provider` until one is chosen).
    pub(crate) async fn get(&self) -> Result<Arc<Engine>, AppError> {
        let settings = self.settings();
        if settings.provider.is_none() {
            return Err(CoreError::NoProvider.into());
        }
        self.engine
            .get_or_try_init(|| async { start_engine(settings).await.map(Arc::new) })
            .await
            .cloned()
            .map_err(AppError::from)
    }
}

/// The engine on the provider the settings name; the embedded demo when this build has it.
async fn start_engine(settings: Settings) -> Result<Engine, CoreError> {
    #[cfg(feature = "demo")]
    return guardian_demo::start_engine(settings).await;
    #[cfg(not(feature = "demo"))]
    Engine::start(settings).await
}

/// What the first screen and the settings show about the provider.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct ProviderSetting {
    /// `None` until a provider is chosen.
    pub kind: Option<ProviderKind>,
    pub url: Option<String>,
    /// Chosen by `GUARDIAN_PROVIDER_URL` or `GUARDIAN_PROVIDER`: the app cannot change it.
    pub from_environment: bool,
    /// This build carries the demo family.
    pub demo_available: bool,
}

/// The guardian's choice on the first screen.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderPick {
    /// A provider's address (kept on this computer).
    Address { url: String },
    /// The demo family, for this run only.
    Demo,
}

fn from_environment() -> bool {
    ["GUARDIAN_PROVIDER_URL", "GUARDIAN_PROVIDER"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// Which provider the app uses, if one is chosen.
#[tauri::command]
#[specta::specta]
pub(crate) async fn get_provider(slot: State<'_, EngineSlot>) -> Result<ProviderSetting, AppError> {
    let provider = slot.settings().provider;
    Ok(ProviderSetting {
        kind: provider.as_ref().map(|p| match p {
            ProviderChoice::Demo => ProviderKind::Demo,
            ProviderChoice::Url(_) => ProviderKind::Custom,
        }),
        url: match provider {
            Some(ProviderChoice::Url(url)) => Some(url),
            _ => None,
        },
        from_environment: from_environment(),
        demo_available: cfg!(feature = "demo"),
    })
}

/// Chooses the provider on the first screen and starts the engine on it. An address is checked
/// (https, or http only to this computer) and kept for the next start; the demo is for this run.
#[tauri::command]
#[specta::specta]
pub(crate) async fn choose_provider(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    pick: ProviderPick,
) -> Result<(), AppError> {
    if slot.started().is_some() {
        return Err(
            CoreError::Invalid("a provider is already in use: change it in the settings".into()).into()
        );
    }
    let choice = match pick {
        ProviderPick::Address { url } => ProviderChoice::url(&url)?,
        ProviderPick::Demo if cfg!(feature = "demo") => ProviderChoice::Demo,
        ProviderPick::Demo => {
            return Err(CoreError::Demo("this build of Guardian has no demo family".into()).into());
        }
    };
    let data_dir = slot.settings().data_dir;
    slot.settings.lock().unwrap_or_else(PoisonError::into_inner).provider = Some(choice.clone());
    if let Err(error) = slot.get().await {
        // Nothing half-chosen: the first screen stays, with the error.
        slot.settings.lock().unwrap_or_else(PoisonError::into_inner).provider = None;
        return Err(error);
    }
    choice.remember(&data_dir).map_err(|e| CoreError::File(e.to_string()))?;
    crate::commands::start_background(&app);
    Ok(())
}

/// Forgets the provider kept on this computer and starts Guardian again, on the first screen.
#[tauri::command]
#[specta::specta]
pub(crate) async fn forget_provider(app: AppHandle, slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    ProviderChoice::forget(&slot.settings().data_dir).map_err(|e| CoreError::File(e.to_string()))?;
    if let Some(engine) = slot.started() {
        engine.close().await;
    }
    app.restart()
}
