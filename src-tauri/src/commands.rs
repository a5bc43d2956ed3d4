use std::sync::Arc;

use guardian_core::archive::ArchiveDiff;
use guardian_core::{
    AccountView, ActivityView, Attention, ChildProfile, ChildSummary, CoGuardiansView, ConsentView,
    ContactView, Dashboard, DataCategoryView, DataDeletionView, DecisionEntryView, DecisionOutcome,
    DeletionInfo, DeletionView, DeviceView, Discoverability, ExportView, FriendApproval, GroupView,
    IdentityOutcome, InviteView, NewChild, Notifications, PendingDecision, PolicyView, ProfileCorrection,
    ProposalView, Reauth, RemovalOutcome, ReportView, RequestView, SavedExport, Secret, SecurityNoticeView,
    SentInviteView, SmsCodeView, TrackedRequest, Transparency,
};
use tauri::{AppHandle, Manager as _, State};

use crate::AppError;
use crate::provider::{self, EngineSlot};

/// How often the app syncs in the background when nothing is pushed (it also syncs on start,
/// focus and network return, which the UI asks for).
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Told to the UI after every background sync, so it can refresh what it shows.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncFinished {
    pub ok: bool,
    pub offline: bool,
    pub queued_decisions: i32,
}

/// Starts the engine early, then syncs whenever the provider pushes a change and on a timer,
/// telling the UI each time.
pub(crate) fn start_background(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let slot = app.state::<EngineSlot>();
        let engine = match slot.get().await {
            Ok(engine) if slot.claim_background() => engine,
            Ok(_) => return,
            Err(error) if error.code == guardian_core::ErrorKind::NoProvider => {
                // The first screen asks; choosing starts this again.
                return;
            }
            Err(error) => {
                tracing::error!(code = error.code.as_str(), "engine failed to start");
                return;
            }
        };
        let pushed = Arc::new(tokio::sync::Notify::new());
        let watcher = engine.clone();
        let notify = pushed.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                let notify = notify.clone();
                watcher.watch(move || notify.notify_one()).await;
                // Signed out: look again later (the guardian may sign in).
                tokio::time::sleep(SYNC_EVERY).await;
            }
        });
        loop {
            tokio::select! {
                () = tokio::time::sleep(SYNC_EVERY) => {}
                () = pushed.notified() => {}
            }
            if !engine.status().await.signed_in {
                continue;
            }
            let ok = engine.sync().await.is_ok();
            let status = engine.status().await;
            let event =
                SyncFinished { ok, offline: status.offline, queued_decisions: status.queued_decisions };
            if let Err(error) = tauri_specta::Event::emit(&event, &app) {
                tracing::warn!(%error, "could not tell the window about a sync");
            }
        }
    });
}

/// Every command the web view may call (each must also be granted in `capabilities/`).
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            provider::get_provider,
            provider::choose_provider,
            provider::forget_provider,
            get_dashboard,
            sync_now,
            sign_in,
            request_sms_code,
            add_child,
            get_notifications,
            mark_notifications_read,
            announce_notifications,
            show_tray_badge,
            sign_in_sms,
            sign_in_with_identity,
            bind_phone,
            get_account,
            link_identity,
            unlink_identity,
            sign_out,
            list_requests,
            list_contacts,
            approve_request,
            deny_request,
            set_contact_blocked,
            remove_contact,
            pending_decisions,
            dismiss_decision,
            deletion_info,
            send_reauth_code,
            request_child_deletion,
            cancel_deletion,
            get_consents,
            set_consent,
            list_policies,
            acknowledge_policy,
            export_child,
            list_saved_exports,
            view_saved_export,
            compare_saved_exports,
            save_diagnostics,
            set_recording,
            list_devices,
            sign_out_device,
            list_reports,
            report_contact,
            set_friend_approval,
            set_discoverability,
            set_avatar,
            set_pin,
            reset_pin,
            get_activity,
            list_groups,
            leave_group,
            list_data_categories,
            delete_data,
            list_data_deletions,
            get_transparency,
            explain_decision,
            list_security_notices,
            report_group,
            tracked_requests,
            ask_provider,
            child_profile,
            correct_child_profile,
            request_guardian_deletion,
            get_attention,
            get_co_guardians,
            invite_guardian,
            remove_guardian,
            answer_proposal,
            set_agreement,
            get_decision_log,
            list_guardian_invites,
            answer_invite,
            agree_to_deletion,
            refuse_deletion,
            confirm_contact,
        ])
        // The limits input is checked against, from the constants the provider enforces.
        .typ::<guardian_core::Limits>()
        .constant("LIMITS", guardian_core::LIMITS)
        .events(tauri_specta::collect_events![
            SyncFinished,
            ExportProgressed,
            crate::desktop_notify::NoticeClicked
        ])
        .error_handling(tauri_specta::ErrorHandlingMode::Result)
}

/// Status and children from the local cache (no network).
#[tauri::command]
#[specta::specta]
async fn get_dashboard(slot: State<'_, EngineSlot>) -> Result<Dashboard, AppError> {
    Ok(slot.get().await?.dashboard().await?)
}

/// Fetches fresh data from the provider into the cache.
#[tauri::command]
#[specta::specta]
async fn sync_now(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    // The guardian asked: waiting decisions go now, without waiting out their retry delay.
    Ok(slot.get().await?.sync_now().await?)
}

#[tauri::command]
#[specta::specta]
async fn sign_in(slot: State<'_, EngineSlot>, phone: String, password: String) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_in(&phone, &Secret::new(password)).await?)
}

/// What is new across children and the guardian's account, with what was read.
#[tauri::command]
#[specta::specta]
async fn get_notifications(slot: State<'_, EngineSlot>) -> Result<Notifications, AppError> {
    Ok(slot.get().await?.notifications().await?)
}

/// Shows the notifications not shown on the desktop before; returns how many were shown.
#[tauri::command]
#[specta::specta]
async fn announce_notifications(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    notices: Vec<crate::desktop_notify::DesktopNotice>,
) -> Result<u32, AppError> {
    let ids: Vec<String> = notices.iter().map(|n| n.id.clone()).collect();
    let fresh = slot.get().await?.announce(&ids).await?;
    let mut shown = 0;
    for notice in notices.into_iter().filter(|n| fresh.contains(&n.id)) {
        crate::desktop_notify::show(&app, notice);
        shown += 1;
    }
    Ok(shown)
}

/// Shows how many notification-centre items are unread on the tray icon (if the desktop has one).
#[tauri::command]
#[specta::specta]
fn show_tray_badge(app: AppHandle, badge: crate::tray::TrayBadge) -> Result<(), AppError> {
    // A tray that cannot be updated is not the guardian's problem: it is logged, not shown.
    if let Err(error) = app.state::<crate::tray::TraySlot>().show(badge) {
        tracing::info!(%error, "the tray icon could not be updated");
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
async fn mark_notifications_read(slot: State<'_, EngineSlot>, ids: Vec<String>) -> Result<(), AppError> {
    Ok(slot.get().await?.mark_notifications_read(&ids).await?)
}

/// Makes a child's account with the guardian's consent under the policy in force.
#[tauri::command]
#[specta::specta]
async fn add_child(slot: State<'_, EngineSlot>, child: NewChild) -> Result<ChildSummary, AppError> {
    Ok(slot.get().await?.add_child(child).await?)
}

/// Asks the provider to text a sign-in code to the phone number.
#[tauri::command]
#[specta::specta]
async fn request_sms_code(slot: State<'_, EngineSlot>, phone: String) -> Result<SmsCodeView, AppError> {
    Ok(slot.get().await?.request_sms_code(&phone).await?)
}

/// Signs in with the code sent by SMS, then syncs.
#[tauri::command]
#[specta::specta]
async fn sign_in_sms(slot: State<'_, EngineSlot>, phone: String, code: String) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_in_sms(&phone, &Secret::new(code)).await?)
}

/// Signs in with WeChat, QQ or Apple: the guardian agrees in their browser. The answer says
/// whether a phone number must be bound first (`bind_phone`).
#[tauri::command]
#[specta::specta]
async fn sign_in_with_identity(
    slot: State<'_, EngineSlot>,
    provider: String,
) -> Result<IdentityOutcome, AppError> {
    Ok(slot.get().await?.sign_in_with_identity(&provider, guardian_core::open_in_browser).await?)
}

/// Binds a phone number (with the code sent to it) to the identity that asked for one; signs in.
#[tauri::command]
#[specta::specta]
async fn bind_phone(slot: State<'_, EngineSlot>, phone: String, code: String) -> Result<(), AppError> {
    Ok(slot.get().await?.bind_phone(&phone, &Secret::new(code)).await?)
}

/// The guardian's account: masked phone, real-name status, linked identities.
#[tauri::command]
#[specta::specta]
async fn get_account(slot: State<'_, EngineSlot>) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.account().await?)
}

/// Links a third-party identity (the guardian agrees in their browser).
#[tauri::command]
#[specta::specta]
async fn link_identity(slot: State<'_, EngineSlot>, provider: String) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.link_identity(&provider, guardian_core::open_in_browser).await?)
}

#[tauri::command]
#[specta::specta]
async fn unlink_identity(slot: State<'_, EngineSlot>, provider: String) -> Result<AccountView, AppError> {
    Ok(slot.get().await?.unlink_identity(&provider).await?)
}

#[tauri::command]
#[specta::specta]
async fn sign_out(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    Ok(slot.get().await?.sign_out().await?)
}

/// A child's friend requests from the cache, with decisions still waiting to be sent.
#[tauri::command]
#[specta::specta]
async fn list_requests(slot: State<'_, EngineSlot>, child_id: String) -> Result<Vec<RequestView>, AppError> {
    Ok(slot.get().await?.friend_requests(&child_id).await?)
}

/// A child's contacts from the cache, in name order; with `first`, only that many (a screenful
/// to paint before the rest arrive).
#[tauri::command]
#[specta::specta]
async fn list_contacts(
    slot: State<'_, EngineSlot>,
    child_id: String,
    first: Option<u32>,
) -> Result<Vec<ContactView>, AppError> {
    Ok(slot.get().await?.first_contacts(&child_id, first).await?)
}

/// Approves a friend request; `pin` is the child's 4-digit parental PIN when one is required;
/// with `trial_days` the friendship ends after that many days unless confirmed.
#[tauri::command]
#[specta::specta]
async fn approve_request(
    slot: State<'_, EngineSlot>,
    child_id: String,
    request_id: String,
    pin: Option<String>,
    trial_days: Option<u32>,
) -> Result<DecisionOutcome, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.approve_request(&child_id, &request_id, pin.as_ref(), trial_days).await?)
}

/// Keeps a friend approved for a trial: the friendship no longer ends.
#[tauri::command]
#[specta::specta]
async fn confirm_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
) -> Result<ContactView, AppError> {
    Ok(slot.get().await?.confirm_contact(&child_id, &contact_id).await?)
}

#[tauri::command]
#[specta::specta]
async fn deny_request(
    slot: State<'_, EngineSlot>,
    child_id: String,
    request_id: String,
) -> Result<DecisionOutcome, AppError> {
    Ok(slot.get().await?.deny_request(&child_id, &request_id).await?)
}

/// Blocks a contact, or unblocks one with the child's PIN (only a guardian lifts a block).
#[tauri::command]
#[specta::specta]
async fn set_contact_blocked(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
    blocked: bool,
    pin: Option<String>,
) -> Result<DecisionOutcome, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.set_contact_blocked(&child_id, &contact_id, blocked, pin.as_ref()).await?)
}

/// Removes a contact: the friendship ends (queued first, like every decision).
#[tauri::command]
#[specta::specta]
async fn remove_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
) -> Result<DecisionOutcome, AppError> {
    Ok(slot.get().await?.remove_contact(&child_id, &contact_id).await?)
}

/// Decisions the provider does not have yet, or refused.
#[tauri::command]
#[specta::specta]
async fn pending_decisions(slot: State<'_, EngineSlot>) -> Result<Vec<PendingDecision>, AppError> {
    Ok(slot.get().await?.pending_decisions().await?)
}

#[tauri::command]
#[specta::specta]
async fn dismiss_decision(slot: State<'_, EngineSlot>, id: String) -> Result<(), AppError> {
    Ok(slot.get().await?.dismiss_decision(&id).await?)
}

/// What the provider keeps after a deletion, and the deletion requests in progress. Completed
/// deletions are applied to this computer first.
#[tauri::command]
#[specta::specta]
async fn deletion_info(slot: State<'_, EngineSlot>) -> Result<DeletionInfo, AppError> {
    let engine = slot.get().await?;
    engine.settle_deletions().await?;
    Ok(engine.deletion_info().await?)
}

/// How the guardian proves again who they are before something irreversible: the password, or
/// the code `send_reauth_code` sent by SMS to their number.
#[derive(serde::Deserialize, specta::Type)]
#[serde(tag = "kind", content = "secret", rename_all = "snake_case")]
pub enum ReauthInput {
    Password(String),
    SmsCode(String),
}

impl From<ReauthInput> for Reauth {
    fn from(input: ReauthInput) -> Self {
        match input {
            ReauthInput::Password(password) => Reauth::Password(Secret::new(password)),
            ReauthInput::SmsCode(code) => Reauth::SmsCode(Secret::new(code)),
        }
    }
}

/// Sends a code by SMS to the guardian's own number, to prove who they are with instead of a
/// password.
#[tauri::command]
#[specta::specta]
async fn send_reauth_code(slot: State<'_, EngineSlot>) -> Result<(), AppError> {
    slot.get().await?.send_reauth_code().await?;
    Ok(())
}

/// Submits a child's deletion: the typed name, the guardian's proof and the child's PIN.
#[tauri::command]
#[specta::specta]
async fn request_child_deletion(
    slot: State<'_, EngineSlot>,
    child_id: String,
    typed_name: String,
    reauth: ReauthInput,
    pin: String,
) -> Result<DeletionView, AppError> {
    let (reauth, pin) = (Reauth::from(reauth), Secret::new(pin));
    Ok(slot.get().await?.request_child_deletion(&child_id, &typed_name, &reauth, &pin).await?.into())
}

#[tauri::command]
#[specta::specta]
async fn cancel_deletion(slot: State<'_, EngineSlot>, id: String) -> Result<DeletionView, AppError> {
    Ok(slot.get().await?.cancel_deletion(&id).await?.into())
}

#[tauri::command]
#[specta::specta]
async fn get_consents(slot: State<'_, EngineSlot>, child_id: String) -> Result<ConsentView, AppError> {
    Ok(slot.get().await?.consents(&child_id).await?.into())
}

#[tauri::command]
#[specta::specta]
async fn set_consent(
    slot: State<'_, EngineSlot>,
    child_id: String,
    purpose: String,
    granted: bool,
) -> Result<ConsentView, AppError> {
    Ok(slot.get().await?.set_consent(&child_id, &purpose, granted).await?.into())
}

#[tauri::command]
#[specta::specta]
async fn list_policies(slot: State<'_, EngineSlot>) -> Result<Vec<PolicyView>, AppError> {
    Ok(slot.get().await?.policy_views().await?)
}

#[tauri::command]
#[specta::specta]
async fn acknowledge_policy(slot: State<'_, EngineSlot>, version: String) -> Result<(), AppError> {
    slot.get().await?.acknowledge_policy(&version).await?;
    Ok(())
}

/// Progress of an export, for the progress bar.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct ExportProgressed {
    pub child_id: String,
    /// `preparing`, `downloading` or `verifying`.
    pub stage: String,
    /// 0 to 100.
    pub percent: u32,
}

/// Where a finished export was saved.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct ExportSaved {
    pub path: String,
    pub files: u32,
}

/// Exports a child's data into the Downloads folder, verified, telling the window its progress.
#[tauri::command]
#[specta::specta]
async fn export_child(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    child_id: String,
    language: String,
) -> Result<ExportSaved, AppError> {
    let engine = slot.get().await?;
    let child = engine.find_child(&child_id).await?;
    let out = guardian_core::default_export_path(&child.display_name, engine.now().date_naive());
    let summary = engine
        .export_child(&child.id, &out, &language, |p| {
            let percent = if p.total > 0.0 { (p.done / p.total * 100.0).clamp(0.0, 100.0) as u32 } else { 0 };
            let event = ExportProgressed { child_id: child.id.clone(), stage: p.stage, percent };
            if let Err(error) = tauri_specta::Event::emit(&event, &app) {
                tracing::warn!(%error, "could not report export progress");
            }
        })
        .await?;
    Ok(ExportSaved {
        path: out.display().to_string(),
        files: u32::try_from(summary.files).unwrap_or(u32::MAX),
    })
}

/// The Guardian exports of a child saved in the Downloads folder, newest first.
#[tauri::command]
#[specta::specta]
async fn list_saved_exports(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<SavedExport>, AppError> {
    let engine = slot.get().await?;
    let child = engine.find_child(&child_id).await?;
    Ok(engine.saved_exports(&guardian_core::downloads_dir(), Some(&child.id)).await?)
}

/// Opens one saved export (by file name in the Downloads folder), verified.
#[tauri::command]
#[specta::specta]
async fn view_saved_export(slot: State<'_, EngineSlot>, file: String) -> Result<ExportView, AppError> {
    Ok(slot.get().await?.view_saved_export(&guardian_core::downloads_dir(), &file).await?)
}

/// What changed from an older saved export to a newer one.
#[tauri::command]
#[specta::specta]
async fn compare_saved_exports(
    slot: State<'_, EngineSlot>,
    older: String,
    newer: String,
) -> Result<ArchiveDiff, AppError> {
    Ok(slot.get().await?.compare_saved_exports(&guardian_core::downloads_dir(), &older, &newer).await?)
}

/// Writes the diagnostics bundle for support into the Downloads folder.
#[tauri::command]
#[specta::specta]
async fn save_diagnostics(
    slot: State<'_, EngineSlot>,
) -> Result<guardian_core::diagnostics::DiagnosticsSaved, AppError> {
    let engine = slot.get().await?;
    let out = guardian_core::downloads_file(&format!(
        "guardian-diagnostics-{}.zip",
        engine.now().format("%Y%m%d-%H%M%S")
    ));
    let webkit = tauri::webview_version().ok();
    Ok(engine.write_diagnostics(&out, webkit.as_deref()).await?)
}

/// "Record this session for support": while on, what the guardian does is appended to a flow
/// file in the Downloads folder (names as references, the PIN as the sandbox's). Returns the
/// file when recording starts.
#[tauri::command]
#[specta::specta]
async fn set_recording(slot: State<'_, EngineSlot>, on: bool) -> Result<Option<String>, AppError> {
    let engine = slot.get().await?;
    let file = on.then(|| {
        guardian_core::downloads_file(&format!(
            "guardian-session-{}.toml",
            engine.now().format("%Y%m%d-%H%M%S")
        ))
    });
    engine.record_session(file.clone());
    Ok(file.map(|f| f.display().to_string()))
}

/// The child's devices, from the provider.
#[tauri::command]
#[specta::specta]
async fn list_devices(slot: State<'_, EngineSlot>, child_id: String) -> Result<Vec<DeviceView>, AppError> {
    Ok(slot.get().await?.devices(&child_id).await?)
}

#[tauri::command]
#[specta::specta]
async fn sign_out_device(
    slot: State<'_, EngineSlot>,
    child_id: String,
    device_id: String,
) -> Result<DeviceView, AppError> {
    Ok(slot.get().await?.sign_out_device(&child_id, &device_id).await?)
}

/// Reports filed on the child's behalf, with status and days left until the provider's deadline.
#[tauri::command]
#[specta::specta]
async fn list_reports(slot: State<'_, EngineSlot>, child_id: String) -> Result<Vec<ReportView>, AppError> {
    Ok(slot.get().await?.reports(&child_id).await?)
}

/// Reports one of the child's contacts (category and the guardian's own words).
#[tauri::command]
#[specta::specta]
async fn report_contact(
    slot: State<'_, EngineSlot>,
    child_id: String,
    contact_id: String,
    category: String,
    evidence: String,
) -> Result<ReportView, AppError> {
    Ok(slot.get().await?.report_contact(&child_id, &contact_id, &category, &evidence, &[]).await?)
}

/// Switches between "PIN required for each new friend" and "child may add friends" (with the
/// child's PIN either way).
#[tauri::command]
#[specta::specta]
async fn set_friend_approval(
    slot: State<'_, EngineSlot>,
    child_id: String,
    mode: FriendApproval,
    pin: String,
) -> Result<(), AppError> {
    Ok(slot.get().await?.set_friend_approval(&child_id, mode, &Secret::new(pin)).await?)
}

/// Who can find the child (more people: with the PIN).
#[tauri::command]
#[specta::specta]
async fn set_discoverability(
    slot: State<'_, EngineSlot>,
    child_id: String,
    who: Discoverability,
    pin: Option<String>,
) -> Result<(), AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.set_discoverability(&child_id, who, pin.as_ref()).await?)
}

/// Uploads a PNG or JPEG as the child's profile picture (the window makes it 256 px first).
#[tauri::command]
#[specta::specta]
async fn set_avatar(slot: State<'_, EngineSlot>, child_id: String, picture: Vec<u8>) -> Result<(), AppError> {
    Ok(slot.get().await?.set_avatar(&child_id, picture).await?)
}

/// Sets the child's parental PIN, or changes it (then the current one is needed).
#[tauri::command]
#[specta::specta]
async fn set_pin(
    slot: State<'_, EngineSlot>,
    child_id: String,
    new_pin: String,
    current_pin: Option<String>,
) -> Result<(), AppError> {
    let (new_pin, current_pin) = (Secret::new(new_pin), current_pin.map(Secret::new));
    Ok(slot.get().await?.set_pin(&child_id, &new_pin, current_pin.as_ref()).await?)
}

/// Replaces a forgotten or locked PIN after the guardian proves who they are.
#[tauri::command]
#[specta::specta]
async fn reset_pin(
    slot: State<'_, EngineSlot>,
    child_id: String,
    new_pin: String,
    reauth: ReauthInput,
) -> Result<(), AppError> {
    let (new_pin, reauth) = (Secret::new(new_pin), Reauth::from(reauth));
    Ok(slot.get().await?.reset_pin(&child_id, &new_pin, &reauth).await?)
}

/// The child's use by day and week over the last `days` days, from the cache.
#[tauri::command]
#[specta::specta]
async fn get_activity(
    slot: State<'_, EngineSlot>,
    child_id: String,
    days: u32,
) -> Result<ActivityView, AppError> {
    Ok(slot.get().await?.activity(&child_id, days).await?)
}

/// What deleting each category of the child's data would remove now, and what stays and why.
#[tauri::command]
#[specta::specta]
async fn list_data_categories(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DataCategoryView>, AppError> {
    Ok(slot.get().await?.data_categories(&child_id).await?)
}

/// Deletes one category of the child's data after the guardian proves who they are; returns the receipt.
#[tauri::command]
#[specta::specta]
async fn delete_data(
    slot: State<'_, EngineSlot>,
    child_id: String,
    category: String,
    reauth: ReauthInput,
) -> Result<DataDeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.delete_data(&child_id, &category, &reauth).await?)
}

/// Receipts of the child's data deleted by category, newest first.
#[tauri::command]
#[specta::specta]
async fn list_data_deletions(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DataDeletionView>, AppError> {
    Ok(slot.get().await?.data_deletions(&child_id).await?)
}

/// When the provider's staff looked at the child's data, and the automated decisions about the child.
#[tauri::command]
#[specta::specta]
async fn get_transparency(slot: State<'_, EngineSlot>, child_id: String) -> Result<Transparency, AppError> {
    Ok(slot.get().await?.transparency(&child_id).await?)
}

/// Asks the provider to explain an automated decision (once; asking again finds the first request).
#[tauri::command]
#[specta::specta]
async fn explain_decision(
    slot: State<'_, EngineSlot>,
    child_id: String,
    decision_id: String,
) -> Result<TrackedRequest, AppError> {
    Ok(slot.get().await?.explain_decision(&child_id, &decision_id).await?)
}

/// The child's guardians, whether one or all must agree to a friend approval, and open invitations.
#[tauri::command]
#[specta::specta]
async fn get_co_guardians(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<CoGuardiansView, AppError> {
    Ok(slot.get().await?.co_guardians(&child_id).await?)
}

/// Invites an adult, by phone number, to look after the child too.
#[tauri::command]
#[specta::specta]
async fn invite_guardian(
    slot: State<'_, EngineSlot>,
    child_id: String,
    phone: String,
) -> Result<SentInviteView, AppError> {
    Ok(slot.get().await?.invite_guardian(&child_id, &phone).await?)
}

/// Takes a guardian off the child, with the child's PIN (the signed-in guardian's own ID: stop looking after it).
#[tauri::command]
#[specta::specta]
async fn remove_guardian(
    slot: State<'_, EngineSlot>,
    child_id: String,
    guardian_id: String,
    pin: String,
) -> Result<RemovalOutcome, AppError> {
    Ok(slot.get().await?.remove_guardian(&child_id, &guardian_id, &Secret::new(pin)).await?)
}

/// Accepts (with the child's PIN) or vetoes a change another guardian proposed.
#[tauri::command]
#[specta::specta]
async fn answer_proposal(
    slot: State<'_, EngineSlot>,
    child_id: String,
    proposal_id: String,
    accept: bool,
    pin: Option<String>,
) -> Result<ProposalView, AppError> {
    let pin = pin.map(Secret::new);
    Ok(slot.get().await?.answer_proposal(&child_id, &proposal_id, accept, pin.as_ref()).await?)
}

/// `"one"`: any guardian decides a friend request; `"all"`: every guardian must approve.
#[tauri::command]
#[specta::specta]
async fn set_agreement(
    slot: State<'_, EngineSlot>,
    child_id: String,
    agreement: String,
    pin: String,
) -> Result<CoGuardiansView, AppError> {
    Ok(slot.get().await?.set_agreement(&child_id, &agreement, &Secret::new(pin)).await?)
}

/// Who decided what about the child, and when, newest first.
#[tauri::command]
#[specta::specta]
async fn get_decision_log(
    slot: State<'_, EngineSlot>,
    child_id: String,
) -> Result<Vec<DecisionEntryView>, AppError> {
    Ok(slot.get().await?.decision_log(&child_id).await?)
}

/// Invitations to look after a child, waiting for the guardian's answer.
#[tauri::command]
#[specta::specta]
async fn list_guardian_invites(slot: State<'_, EngineSlot>) -> Result<Vec<InviteView>, AppError> {
    Ok(slot.get().await?.guardian_invites().await?)
}

/// Accepts (the child comes into the cache) or declines an invitation.
#[tauri::command]
#[specta::specta]
async fn answer_invite(
    slot: State<'_, EngineSlot>,
    invite_id: String,
    accept: bool,
) -> Result<InviteView, AppError> {
    Ok(slot.get().await?.answer_invite(&invite_id, accept).await?)
}

/// Agrees, as one of the child's other guardians, to deleting the child's account (after proving who they are).
#[tauri::command]
#[specta::specta]
async fn agree_to_deletion(
    slot: State<'_, EngineSlot>,
    request_id: String,
    reauth: ReauthInput,
) -> Result<DeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.agree_to_deletion(&request_id, &reauth).await?.into())
}

/// Says no to deleting a child's account: the request is cancelled, nothing is deleted.
#[tauri::command]
#[specta::specta]
async fn refuse_deletion(slot: State<'_, EngineSlot>, request_id: String) -> Result<DeletionView, AppError> {
    Ok(slot.get().await?.refuse_deletion(&request_id).await?.into())
}

/// Security notices from the provider, newest first.
#[tauri::command]
#[specta::specta]
async fn list_security_notices(slot: State<'_, EngineSlot>) -> Result<Vec<SecurityNoticeView>, AppError> {
    Ok(slot.get().await?.security_notices().await?)
}

/// The groups the child is in, with members the guardian never approved flagged.
#[tauri::command]
#[specta::specta]
async fn list_groups(slot: State<'_, EngineSlot>, child_id: String) -> Result<Vec<GroupView>, AppError> {
    Ok(slot.get().await?.groups(&child_id).await?)
}

#[tauri::command]
#[specta::specta]
async fn leave_group(
    slot: State<'_, EngineSlot>,
    child_id: String,
    group_id: String,
) -> Result<GroupView, AppError> {
    Ok(slot.get().await?.leave_group(&child_id, &group_id).await?)
}

/// Reports a group the child is in (category and the guardian's own words).
#[tauri::command]
#[specta::specta]
async fn report_group(
    slot: State<'_, EngineSlot>,
    child_id: String,
    group_id: String,
    category: String,
    evidence: String,
) -> Result<ReportView, AppError> {
    Ok(slot.get().await?.report_group(&child_id, &group_id, &category, &evidence).await?)
}

/// Everything asked of the provider with a deadline, open first (online).
#[tauri::command]
#[specta::specta]
async fn tracked_requests(slot: State<'_, EngineSlot>) -> Result<Vec<TrackedRequest>, AppError> {
    Ok(slot.get().await?.tracked_requests().await?)
}

/// Asks the provider for access, a correction or an explanation about a child.
#[tauri::command]
#[specta::specta]
async fn ask_provider(
    slot: State<'_, EngineSlot>,
    child_id: String,
    kind: String,
    details: String,
) -> Result<TrackedRequest, AppError> {
    Ok(slot.get().await?.ask_provider(&child_id, &kind, &details).await?)
}

/// The child's profile from the cache, what contacts see, and the age planner.
#[tauri::command]
#[specta::specta]
async fn child_profile(slot: State<'_, EngineSlot>, child_id: String) -> Result<ChildProfile, AppError> {
    Ok(slot.get().await?.child_profile(&child_id).await?)
}

/// Corrects the child's name and optional demographics (empty ones are removed).
#[tauri::command]
#[specta::specta]
async fn correct_child_profile(
    slot: State<'_, EngineSlot>,
    child_id: String,
    correction: ProfileCorrection,
) -> Result<ChildProfile, AppError> {
    Ok(slot.get().await?.correct_child_profile(&child_id, correction).await?)
}

/// Asks to delete the guardian's own account after they prove who they are; refused while children remain.
#[tauri::command]
#[specta::specta]
async fn request_guardian_deletion(
    slot: State<'_, EngineSlot>,
    reauth: ReauthInput,
) -> Result<DeletionView, AppError> {
    let reauth = Reauth::from(reauth);
    Ok(slot.get().await?.request_guardian_deletion(&reauth).await?.into())
}

/// What is waiting for the guardian across all children (the cache, plus the provider when reachable).
#[tauri::command]
#[specta::specta]
async fn get_attention(slot: State<'_, EngineSlot>) -> Result<Attention, AppError> {
    Ok(slot.get().await?.attention().await?)
}
