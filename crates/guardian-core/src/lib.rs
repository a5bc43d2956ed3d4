//! Guardian's use cases. The desktop shell and the CLI are thin adapters over [`Engine`]; nothing
//! here depends on Tauri.

mod decisions;
mod engine;
mod error;
mod flows;
pub mod logging;
mod settings;
pub mod sync;
mod views;

pub use decisions::Decision;
pub use engine::Engine;
pub use error::CoreError;
pub use settings::{DEMO_PROFILE, ProviderChoice, Settings};
pub use views::{
    ChildSummary, ContactView, Dashboard, DecisionOutcome, Notice, PendingDecision, ProviderInfo,
    RequestView, Status, age_on,
};

pub use guardian_client::Secret;
