//! The engine: one per running app or CLI command, owning the provider client, the secret store,
//! the encrypted cache and (in demo mode) the embedded demo provider the shell started.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use guardian_client::{ClientError, KeyringSecrets, MemorySecrets, ProviderClient, Secret, SecretStore};
use guardian_domain::{Clock, SystemClock};
use guardian_store::{DbKey, OutboxState, Store};
use tokio::sync::{Mutex, RwLock};

use crate::embedded::EmbeddedProvider;
use crate::views::{
    ChildSummary, Dashboard, DemoCredentials, Notice, NoticeCode, ProviderInfo, ProviderKind, SmsCodeView,
    Status, age_on,
};
use crate::{CoreError, ProviderChoice, Settings};

/// The keyring entry that holds the cache's SQLCipher key.
const DB_KEY_SECRET: &str = "db-key";
pub(crate) const LAST_SYNCED: &str = "last_synced";

pub struct Engine {
    pub(crate) settings: Settings,
    pub(crate) profile: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) client: ProviderClient,
    /// Open while signed in; `None` when signed out (the cache is locked).
    pub(crate) store: RwLock<Option<Store>>,
    pub(crate) notices: Mutex<Vec<Notice>>,
    /// Why the provider could not be used at the last sync, if it could not.
    pub(crate) unavailable: Mutex<Option<guardian_client::Unavailable>>,
    /// One sync at a time: a decision is never sent twice by overlapping syncs.
    pub(crate) sync_lock: Mutex<()>,
    /// The embedded demo provider, alive as long as the engine (or until `close`).
    demo: Mutex<Option<Box<dyn EmbeddedProvider>>>,
    /// Where the guardian's actions are being recorded as a flow file, if anywhere.
    pub(crate) recording: std::sync::Mutex<Option<std::path::PathBuf>>,
    /// A third-party identity waiting for a phone number to be bound to it.
    pub(crate) binding: Mutex<Option<Secret>>,
    /// Desktop announcements are decided one batch at a time.
    pub(crate) announcing: Mutex<()>,
}

impl Engine {
    /// Starts the engine with the wall clock.
    pub async fn start(settings: Settings) -> Result<Self, CoreError> {
        Self::start_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// Starts the engine on the provider at `settings.provider`'s address. The embedded demo
    /// is started by the shell and handed to [`Engine::start_embedded`] instead.
    pub async fn start_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        match &settings.provider {
            Some(ProviderChoice::Url(url)) => {
                let url = url.clone();
                Self::start_at(settings, clock, &url, None).await
            }
            Some(ProviderChoice::Demo) => {
                Err(CoreError::Demo("this build of Guardian has no demo provider".into()))
            }
            None => Err(CoreError::NoProvider),
        }
    }

    /// Starts the engine on a provider running in this process (the demo), signed in as its
    /// guardian; the engine stops the provider when it closes.
    pub async fn start_embedded(
        settings: Settings,
        clock: Arc<dyn Clock>,
        provider: Box<dyn EmbeddedProvider>,
    ) -> Result<Self, CoreError> {
        let url = provider.url();
        Self::start_at(settings, clock, &url, Some(provider)).await
    }

    async fn start_at(
        settings: Settings,
        clock: Arc<dyn Clock>,
        url: &str,
        demo: Option<Box<dyn EmbeddedProvider>>,
    ) -> Result<Self, CoreError> {
        let profile = settings.provider.as_ref().ok_or(CoreError::NoProvider)?.profile();
        let mut notices = Vec::new();
        let secrets = open_secrets(&settings, &profile, &mut notices).await;
        let client =
            ProviderClient::with_timeout(url, secrets.clone(), clock.clone(), settings.request_timeout)?;
        let guardian = demo.as_ref().map(|provider| provider.guardian());
        let engine = Self {
            settings,
            profile,
            clock,
            secrets,
            client,
            store: RwLock::new(None),
            notices: Mutex::new(notices),
            unavailable: Mutex::new(None),
            sync_lock: Mutex::new(()),
            demo: Mutex::new(demo),
            recording: std::sync::Mutex::new(None),
            binding: Mutex::new(None),
            announcing: Mutex::new(()),
        };

        if let Some((phone, password)) = guardian {
            // The embedded provider is new at every start: sign in as its guardian.
            engine.client.forget_session().await?;
            engine.client.sign_in_password(&phone, &password).await?;
        } else {
            engine.client.restore_session().await?;
        }
        if engine.client.is_signed_in().await {
            engine.open_cache().await?;
        }
        Ok(engine)
    }

    /// Reports every provider exchange (method, path, status, time) to `recorder`.
    pub fn record_exchanges(&self, recorder: Option<guardian_client::Recorder>) {
        self.client.set_recorder(recorder);
    }

    pub fn is_demo(&self) -> bool {
        self.settings.provider == Some(ProviderChoice::Demo)
    }

    /// Signs in with phone number and password, then opens the cache and syncs.
    pub async fn sign_in(&self, phone: &str, password: &Secret) -> Result<(), CoreError> {
        if phone.trim().is_empty() {
            return Err(CoreError::Invalid("enter the phone number you signed up with".into()));
        }
        self.recorded(recorded_sign_in, |_| false, self.sign_in_inner(phone, password)).await
    }

    async fn sign_in_inner(&self, phone: &str, password: &Secret) -> Result<(), CoreError> {
        self.client.sign_in_password(phone.trim(), password).await?;
        self.after_sign_in().await
    }

    /// Opens the cache and brings it up to date, once the client holds a session.
    pub(crate) async fn after_sign_in(&self) -> Result<(), CoreError> {
        self.open_cache().await?;
        self.sync().await
    }

    /// Asks the provider to text a sign-in code to the phone number; returns when it expires.
    pub async fn request_sms_code(&self, phone: &str) -> Result<SmsCodeView, CoreError> {
        if phone.trim().is_empty() {
            return Err(CoreError::Invalid("enter the phone number you signed up with".into()));
        }
        let sent = self.client.request_sms_code(phone.trim()).await?;
        // The demo provider sends no real message: say what it would have sent.
        let demo_code = match (self.is_demo(), self.demo.lock().await.as_ref()) {
            (true, Some(provider)) => provider.last_sms_code(phone.trim()).await,
            _ => None,
        };
        Ok(SmsCodeView {
            expires_at: sent.expires_at.to_rfc3339(),
            resend_after: sent.resend_after.to_rfc3339(),
            demo_code,
        })
    }

    /// Signs in with the code the provider sent by SMS, then opens the cache and syncs.
    pub async fn sign_in_sms(&self, phone: &str, code: &Secret) -> Result<(), CoreError> {
        let code_ok =
            code.expose().trim().len() == 6 && code.expose().trim().bytes().all(|b| b.is_ascii_digit());
        if !code_ok {
            return Err(CoreError::Invalid("the code is the 6 digits in the text message".into()));
        }
        let sign_in = async {
            self.client.sign_in_sms(phone.trim(), &Secret::new(code.expose().trim())).await?;
            self.after_sign_in().await
        };
        self.recorded(recorded_sign_in, |_| false, sign_in).await
    }

    /// Ends the session: tokens and the cache key leave the keyring and the cache is removed.
    pub async fn sign_out(&self) -> Result<(), CoreError> {
        self.client.sign_out().await?;
        self.forget_this_computer().await
    }

    /// Removes everything this app keeps for the provider from this computer: the session and
    /// the cache key (keyring), and the cache folder.
    pub(crate) async fn forget_this_computer(&self) -> Result<(), CoreError> {
        self.client.forget_session().await?;
        if let Some(store) = self.store.write().await.take() {
            store.destroy().await?;
        }
        if self.secrets.is_persistent() {
            let folder = self.settings.data_dir.join(&self.profile);
            if folder.exists() {
                std::fs::remove_dir_all(&folder).map_err(|e| CoreError::File(e.to_string()))?;
            }
        }
        let secrets = self.secrets.clone();
        spawn_secret(move || {
            secrets.delete(DB_KEY_SECRET)?;
            secrets.delete("guardian-deletion")
        })
        .await?;
        Ok(())
    }

    /// The children as cached (works offline).
    pub async fn children(&self) -> Result<Vec<ChildSummary>, CoreError> {
        let store = self.store().await?;
        let today = self.clock.now().date_naive();
        let mut children = Vec::new();
        for c in store.children().await? {
            children.push(ChildSummary {
                friend_approval: c.approval(),
                discoverable_by: c.discoverability(),
                age: c.birthday.map(|b| age_on(b, today)),
                avatar: self.avatar_url(&c.id).await?,
                id: c.id,
                display_name: c.display_name,
                pending_requests: i32::try_from(c.pending_requests).unwrap_or(i32::MAX),
            });
        }
        Ok(children)
    }

    pub async fn status(&self) -> Status {
        let (last_synced, outbox) = match self.store.read().await.as_ref() {
            Some(store) => {
                (store.meta(LAST_SYNCED).await.ok().flatten(), store.outbox().await.unwrap_or_default())
            }
            None => (None, Vec::new()),
        };
        let refused = outbox.iter().filter(|r| r.state == OutboxState::Failed).count();
        let next_retry_at = outbox
            .iter()
            .filter(|r| r.state == OutboxState::Queued)
            .filter_map(|r| r.next_attempt_at)
            .min()
            .map(|at| at.to_rfc3339());
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let unavailable = *self.unavailable.lock().await;
        Status {
            provider: ProviderInfo {
                kind: if self.is_demo() { ProviderKind::Demo } else { ProviderKind::Custom },
                url: self.client.base_url().to_string(),
                demo: self.demo.lock().await.as_ref().map(|demo| {
                    let (phone, password) = demo.guardian();
                    DemoCredentials {
                        phone,
                        password: password.expose().to_owned(),
                        pin: guardian_domain::DEMO_PIN.to_owned(),
                    }
                }),
            },
            secure_storage: self.secrets.is_persistent(),
            signed_in: self.client.is_signed_in().await,
            last_synced,
            offline: unavailable.is_some(),
            unavailable: unavailable.map(|why| crate::unavailable_kind(why).as_str().to_owned()),
            next_retry_at,
            queued_decisions: count(outbox.len() - refused),
            refused_decisions: count(refused),
            notices: self.notices.lock().await.clone(),
        }
    }

    /// Status and children in one call, for the dashboard.
    pub async fn dashboard(&self) -> Result<Dashboard, CoreError> {
        let children = if self.store.read().await.is_some() { self.children().await? } else { Vec::new() };
        Ok(Dashboard { status: self.status().await, children })
    }

    /// Closes the cache and stops the embedded demo provider, waiting until both are done, so
    /// nothing is mid-write when the process exits.
    pub async fn close(&self) {
        self.lock_cache().await;
        if let Some(demo) = self.demo.lock().await.take() {
            demo.stop().await;
        }
    }

    /// `PRAGMA integrity_check` on the cache (for diagnostics and tests).
    pub async fn check_cache_integrity(&self) -> Result<(), CoreError> {
        Ok(self.store().await?.integrity_check().await?)
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) async fn store(&self) -> Result<Store, CoreError> {
        self.store.read().await.clone().ok_or_else(|| ClientError::SignInRequired.into())
    }

    pub(crate) async fn lock_cache(&self) {
        if let Some(store) = self.store.write().await.take() {
            store.close().await;
        }
    }

    /// Opens the encrypted cache with the key from the secret store (making one the first time).
    async fn open_cache(&self) -> Result<(), CoreError> {
        let mut slot = self.store.write().await;
        if slot.is_some() {
            return Ok(());
        }
        let secrets = self.secrets.clone();
        let key = match spawn_secret(move || secrets.get(DB_KEY_SECRET)).await? {
            Some(hex) => DbKey::from_hex(hex.expose()),
            None => None,
        };
        let key = match key {
            Some(key) => key,
            None => {
                let key = DbKey::generate();
                let secrets = self.secrets.clone();
                let value = Secret::new(key.to_hex());
                spawn_secret(move || secrets.set(DB_KEY_SECRET, &value)).await?;
                key
            }
        };
        let store = if self.secrets.is_persistent() {
            let path = self.settings.data_dir.join(&self.profile).join("cache.db");
            let (store, set_aside) = Store::open_or_set_aside(&path, &key).await?;
            if let Some(set_aside) = set_aside {
                self.notices.lock().await.push(Notice {
                    code: NoticeCode::CacheRebuilt,
                    message: format!(
                        "The saved data on this computer could not be read (its key was missing or the \
                         file was damaged). It was kept, still encrypted, at {}, and a new copy is being \
                         rebuilt from the provider. Decisions rescued from it and still to be sent: {}.",
                        set_aside.moved_to.display(),
                        set_aside.rescued_decisions
                    ),
                });
            }
            store
        } else {
            // Without a keyring the key cannot be kept safely, so the cache stays in memory.
            Store::open_in_memory(&key).await?
        };
        *slot = Some(store);
        Ok(())
    }
}

impl Drop for Engine {
    /// An engine dropped without [`Engine::close`] (a test, a panic) still closes its cache
    /// before the process can exit; the demo provider closes its own database likewise.
    fn drop(&mut self) {
        if let Some(store) = self.store.get_mut().take() {
            guardian_store::close_pool_blocking(store.pool());
        }
    }
}

async fn open_secrets(settings: &Settings, profile: &str, notices: &mut Vec<Notice>) -> Arc<dyn SecretStore> {
    if settings.use_keyring {
        let service = settings.keyring_service.clone();
        let profile = profile.to_owned();
        let opened = tokio::task::spawn_blocking(move || KeyringSecrets::open(&service, &profile)).await;
        match opened {
            Ok(Ok(store)) => return Arc::new(store),
            Ok(Err(error)) => tracing::warn!(%error, "no OS keyring; secrets stay in memory"),
            Err(error) => tracing::warn!(%error, "keyring probe failed; secrets stay in memory"),
        }
        notices.push(Notice {
            code: NoticeCode::NoSecureStorage,
            message: "No secure storage (such as the system keyring) is available on this computer. \
                      Guardian will not keep your sign-in or its data in plain files: you will sign in \
                      each time, and the data stays in memory until you close the app."
                .into(),
        });
    }
    Arc::new(MemorySecrets::default())
}

async fn spawn_secret<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, guardian_client::SecretError> + Send + 'static,
) -> Result<T, CoreError> {
    Ok(guardian_client::off_executor(f).await?)
}

/// A recording replays any sign-in (password or SMS) as the demo guardian's.
async fn recorded_sign_in() -> Result<Option<crate::flow::Planned>, CoreError> {
    Ok(Some(crate::flow::Step::SignIn { phone: None, password: None }.into()))
}
