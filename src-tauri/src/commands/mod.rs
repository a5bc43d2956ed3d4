//! The commands the web view may call, one module per area of the app. Each is thin: typed
//! input, one engine call, errors mapped to `AppError`.

mod children;
mod contacts;
mod deletion;
mod exports;
mod friend_requests;
mod guardians;
mod notifications;
mod reports;
mod rights;
mod session;
mod support;
mod sync;

pub(crate) use sync::start_background;

use crate::provider;

/// Every command the web view may call (each must also be granted in `capabilities/`).
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            provider::get_provider,
            provider::choose_provider,
            provider::forget_provider,
            sync::get_dashboard,
            sync::sync_now,
            session::sign_in,
            session::request_sms_code,
            children::add_child,
            notifications::get_notifications,
            notifications::mark_notifications_read,
            notifications::announce_notifications,
            notifications::show_tray_badge,
            session::sign_in_sms,
            session::sign_in_with_identity,
            session::bind_phone,
            session::get_account,
            session::link_identity,
            session::unlink_identity,
            session::sign_out,
            friend_requests::list_requests,
            contacts::list_contacts,
            friend_requests::approve_request,
            friend_requests::deny_request,
            contacts::set_contact_blocked,
            contacts::remove_contact,
            sync::pending_decisions,
            sync::dismiss_decision,
            deletion::deletion_info,
            session::send_reauth_code,
            deletion::request_child_deletion,
            deletion::cancel_deletion,
            rights::get_consents,
            rights::set_consent,
            rights::list_policies,
            rights::acknowledge_policy,
            exports::export_child,
            exports::list_saved_exports,
            exports::view_saved_export,
            exports::compare_saved_exports,
            support::save_diagnostics,
            support::set_recording,
            children::list_devices,
            children::sign_out_device,
            reports::list_reports,
            reports::report_contact,
            children::set_friend_approval,
            children::set_discoverability,
            children::set_avatar,
            children::set_pin,
            children::reset_pin,
            children::get_activity,
            children::list_groups,
            children::leave_group,
            deletion::list_data_categories,
            deletion::delete_data,
            deletion::list_data_deletions,
            rights::get_transparency,
            rights::explain_decision,
            notifications::list_security_notices,
            reports::report_group,
            rights::tracked_requests,
            rights::ask_provider,
            children::child_profile,
            children::correct_child_profile,
            deletion::request_guardian_deletion,
            sync::get_attention,
            guardians::get_co_guardians,
            guardians::invite_guardian,
            guardians::remove_guardian,
            guardians::answer_proposal,
            guardians::set_agreement,
            guardians::get_decision_log,
            guardians::list_guardian_invites,
            guardians::answer_invite,
            deletion::agree_to_deletion,
            deletion::refuse_deletion,
            contacts::confirm_contact,
        ])
        // The limits input is checked against, from the constants the provider enforces.
        .typ::<guardian_core::Limits>()
        .constant("LIMITS", guardian_core::LIMITS)
        .events(tauri_specta::collect_events![
            sync::SyncFinished,
            exports::ExportProgressed,
            crate::desktop_notify::NoticeClicked
        ])
        .error_handling(tauri_specta::ErrorHandlingMode::Result)
}
