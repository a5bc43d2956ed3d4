use std::path::PathBuf;

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

impl ProviderChoice {
    /// `GUARDIAN_PROVIDER_URL` when set and non-empty, otherwise the demo.
    pub fn from_env() -> Self {
        match std::env::var("GUARDIAN_PROVIDER_URL") {
            Ok(url) if !url.trim().is_empty() => Self::Url(url.trim().to_owned()),
            _ => Self::Demo,
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
    pub provider: ProviderChoice,
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
    /// The defaults for this machine: provider from the environment, the OS data folder
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
            provider: ProviderChoice::from_env(),
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
}
