use std::path::{Path, PathBuf};

/// The profile name of the embedded demo provider.
pub const DEMO_PROFILE: &str = "demo";

/// Which provider Guardian talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderChoice {
    /// The embedded demo family, started in this process by the shell (see `guardian-demo`).
    Demo,
    /// A real provider at this URL.
    Url(String),
}

/// The file, in the data folder, that keeps the provider's address the guardian chose.
const CHOSEN_FILE: &str = "provider.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct Chosen {
    url: String,
}

impl ProviderChoice {
    /// A provider at `url`, checked: `https`, or `http` only to this computer.
    pub fn url(url: &str) -> Result<Self, crate::CoreError> {
        let url = url.trim();
        guardian_client::validate_provider_url(url)?;
        Ok(Self::Url(url.trim_end_matches('/').to_owned()))
    }

    /// The provider this computer is set up for, if any: `GUARDIAN_PROVIDER_URL`, the demo when
    /// `GUARDIAN_PROVIDER=demo` (`make run`, the tests), otherwise the address the guardian chose
    /// and Guardian kept in `data_dir` ([`ProviderChoice::remember`]). The demo is never a
    /// fallback: with nothing chosen the shells ask.
    pub fn configured(data_dir: &Path) -> Option<Self> {
        if let Ok(url) = std::env::var("GUARDIAN_PROVIDER_URL")
            && !url.trim().is_empty()
        {
            return Some(Self::Url(url.trim().to_owned()));
        }
        if std::env::var("GUARDIAN_PROVIDER").is_ok_and(|v| v.trim() == DEMO_PROFILE) {
            return Some(Self::Demo);
        }
        Self::remembered(data_dir)
    }

    /// The provider address kept on this computer, if one is (a damaged file counts as none).
    pub fn remembered(data_dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(data_dir.join(CHOSEN_FILE)).ok()?;
        let chosen: Chosen = serde_json::from_str(&text).ok()?;
        Some(Self::Url(chosen.url))
    }

    /// Keeps a provider's address on this computer for the next start (written whole or not at
    /// all). The demo is chosen afresh at each start and never kept.
    pub fn remember(&self, data_dir: &Path) -> std::io::Result<()> {
        let Self::Url(url) = self else { return Ok(()) };
        std::fs::create_dir_all(data_dir)?;
        let text =
            serde_json::to_string_pretty(&Chosen { url: url.clone() }).map_err(std::io::Error::other)?;
        let partial = data_dir.join(format!("{CHOSEN_FILE}.partial"));
        std::fs::write(&partial, text)?;
        std::fs::rename(partial, data_dir.join(CHOSEN_FILE))
    }

    /// Forgets the provider kept on this computer (the next start asks again).
    pub fn forget(data_dir: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(data_dir.join(CHOSEN_FILE)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Names the keyring entries and the cache folder, so providers never share data.
    pub fn profile(&self) -> String {
        match self {
            Self::Demo => DEMO_PROFILE.to_owned(),
            Self::Url(url) => {
                let cleaned: String = url
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
                    .collect();
                format!("provider-{}", cleaned.trim_matches('_'))
            }
        }
    }
}

/// Everything the engine needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `None` until the guardian chooses one (the shells then ask).
    pub provider: Option<ProviderChoice>,
    /// Where the encrypted cache lives (one folder per profile below it).
    pub data_dir: PathBuf,
    /// The keyring service name (tests use their own).
    pub keyring_service: String,
    /// Use the OS keyring; when false (or when none is available) secrets stay in memory.
    pub use_keyring: bool,
    /// How long one provider request may take.
    pub request_timeout: std::time::Duration,
}

impl Settings {
    /// The defaults for this machine: the provider chosen ([`ProviderChoice::configured`]), the OS data folder
    /// (or `GUARDIAN_DATA_DIR`), the OS keyring (service `GUARDIAN_KEYRING_SERVICE`, default
    /// `guardian`).
    pub fn from_env() -> Self {
        let data_dir = std::env::var_os("GUARDIAN_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                directories::ProjectDirs::from("org", "Guardian", "Guardian")
                    .map(|dirs| dirs.data_dir().to_owned())
            })
            .unwrap_or_else(|| PathBuf::from(".guardian"));
        Self {
            provider: ProviderChoice::configured(&data_dir),
            data_dir,
            keyring_service: std::env::var("GUARDIAN_KEYRING_SERVICE")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "guardian".into()),
            use_keyring: true,
            // Seconds a whole request may take (default 60): a slow network may want more.
            request_timeout: std::env::var("GUARDIAN_REQUEST_TIMEOUT")
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map_or(guardian_client::DEFAULT_TIMEOUT, std::time::Duration::from_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_keep_providers_apart() {
        assert_eq!(ProviderChoice::Demo.profile(), "demo");
        let a = ProviderChoice::Url("https://kids.example/api".into()).profile();
        let b = ProviderChoice::Url("https://other.example".into()).profile();
        assert_eq!(a, "provider-kids.example_api");
        assert_ne!(a, b);
        assert!(!a.contains('/'), "a profile is one path segment");
    }

    #[test]
    fn a_chosen_address_is_kept_and_forgotten_and_the_demo_never_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(ProviderChoice::remembered(dir.path()), None, "nothing chosen yet");
        ProviderChoice::Demo.remember(dir.path()).expect("demo");
        assert_eq!(ProviderChoice::remembered(dir.path()), None, "the demo is chosen afresh each time");
        let url = ProviderChoice::Url("https://kids.example/api".into());
        url.remember(dir.path()).expect("kept");
        assert_eq!(ProviderChoice::remembered(dir.path()), Some(url));
        ProviderChoice::forget(dir.path()).expect("forgotten");
        assert_eq!(ProviderChoice::remembered(dir.path()), None);
        ProviderChoice::forget(dir.path()).expect("forgetting twice is fine");
        std::fs::write(dir.path().join(CHOSEN_FILE), "{ damaged").expect("write");
        assert_eq!(ProviderChoice::remembered(dir.path()), None, "a damaged file is no choice");
    }
}
