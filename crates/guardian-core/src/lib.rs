//! Guardian's use cases. The desktop shell and the CLI are thin adapters over [`Engine`]; nothing
//! here depends on Tauri.

pub mod archive;
mod care;
mod decisions;
pub mod diagnostics;
mod engine;
mod error;
pub mod flow;
mod flows;
pub mod logging;
mod rights;
mod rights_views;
mod settings;
pub mod sync;
mod views;

pub use care::{DeviceView, ReportView};
pub use decisions::Decision;
pub use engine::Engine;
pub use error::CoreError;
pub use settings::{DEMO_PROFILE, ProviderChoice, Settings};
pub use views::{
    ChildSummary, ContactView, Dashboard, DecisionOutcome, Notice, PendingDecision, ProviderInfo,
    RequestView, Status, age_on,
};

pub use guardian_client::Secret;
pub use guardian_store::{AuditBroken, AuditEntry};
pub use rights::{DiffLine, ExportProgress, file_sha256, policy_diff, policy_in_force_and_pending};
pub use rights_views::{
    ConsentEventView, ConsentView, DeletionInfo, DeletionView, PolicyView, RetentionView,
    default_export_path, downloads_file,
};
