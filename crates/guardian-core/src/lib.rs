//! Guardian's use cases. The desktop shell and the CLI are thin adapters over [`Engine`]; nothing
//! here depends on Tauri.

mod activity;
pub mod archive;
mod attention;
mod audit;
mod avatar;
mod care;
mod contacts;
mod data_deletion;
mod decisions;
pub mod diagnostics;
mod embedded;
mod engine;
mod error;
mod export_viewer;
pub mod flow;
mod friend_requests;
mod guardians;
mod identity;
mod limits;
pub mod logging;
mod notifications;
mod outbox;
mod profile;
mod refusal;
mod rights;
mod rights_views;
mod settings;
pub mod sync;
mod tracker;
mod transparency;
mod views;

pub use activity::{ActivityPeriod, ActivityView, MAX_ACTIVITY_DAYS, summarise_activity};
pub use attention::{Attention, AttentionItem, AttentionKind};
pub use care::{DeviceView, GroupMemberView, GroupView, ReportView, report_category};
pub use data_deletion::{DataCategoryView, DataDeletionView, KeptView};
pub use decisions::{Decision, DecisionKind};
pub use embedded::{EmbeddedProvider, ProviderFuture};
pub use engine::Engine;
pub use error::{CoreError, ErrorKind, unavailable_kind};
pub use export_viewer::{ExportView, SavedExport};
pub use guardian_client::Unavailable;
pub use guardians::{
    CoGuardiansView, DecisionEntryView, GuardianMemberView, InviteView, ProposalView, RemovalOutcome,
    SentInviteView,
};
pub use identity::{AccountView, IdentityOutcome, IdentityView, open_in_browser};
pub use limits::{LIMITS, Limits};
pub use notifications::{NotificationKind, NotificationView, Notifications};
pub use profile::{AgeThreshold, ChildProfile, NewChild, ProfileCorrection, PublicProfile, age_thresholds};
pub use refusal::Refusal;
pub use settings::{DEMO_PROFILE, ProviderChoice, Settings};
pub use tracker::{TrackedRequest, order_tracked};
pub use transparency::{AutomatedDecisionView, SecurityNoticeView, StaffAccessView, Transparency};
pub use views::{
    ChildSummary, ContactView, Dashboard, DecisionOutcome, DemoCredentials, Notice, NoticeCode, OutcomeState,
    PendingDecision, PendingState, ProviderInfo, ProviderKind, RequestView, SmsCodeView, Status, age_on,
};

pub use audit::{AuditBreak, AuditRecord};
pub use guardian_client::{DEFAULT_TIMEOUT, Reauth, Secret};
/// The vocabulary front ends share with the provider.
pub use guardian_domain::{
    ConsentPurpose, ContactStatus, Direction, Discoverability, FriendApproval, ReportCategory, RequestStatus,
};
pub use guardian_store::{private_dir, private_file};
pub use rights::{
    DiffLine, ExportProgress, ExportStage, consent_purpose, download_verified, file_sha256, policy_diff,
    policy_in_force_and_pending,
};
pub use rights_views::{
    ConsentEventView, ConsentView, DeletionAgreementView, DeletionInfo, DeletionView, PolicyView,
    RetentionView, default_export_path, downloads_dir, downloads_file,
};
