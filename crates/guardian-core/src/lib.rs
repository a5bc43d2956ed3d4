//! Guardian's use cases. The desktop shell and the CLI are thin adapters over [`Engine`]; nothing
//! here depends on Tauri.

mod engine;
mod error;
mod settings;
mod views;

pub use engine::Engine;
pub use error::CoreError;
pub use settings::{DEMO_PROFILE, ProviderChoice, Settings};
pub use views::{ChildSummary, Dashboard, Notice, ProviderInfo, Status, age_on};

pub use guardian_client::Secret;
