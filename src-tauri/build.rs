//! Lists every app command so the capability files must grant each one explicitly: without an
//! app manifest, Tauri would allow all commands to every window.

/// The app's commands; each must also be granted in `capabilities/` (a test checks).
const COMMANDS: &[&str] = &[
    "get_dashboard",
    "sync_now",
    "sign_in",
    "request_sms_code",
    "add_child",
    "get_notifications",
    "mark_notifications_read",
    "sign_in_sms",
    "sign_out",
    "list_requests",
    "list_contacts",
    "approve_request",
    "deny_request",
    "set_contact_blocked",
    "pending_decisions",
    "dismiss_decision",
    "deletion_info",
    "request_child_deletion",
    "cancel_deletion",
    "get_consents",
    "set_consent",
    "list_policies",
    "acknowledge_policy",
    "export_child",
    "list_saved_exports",
    "view_saved_export",
    "compare_saved_exports",
    "save_diagnostics",
    "set_recording",
    "list_devices",
    "sign_out_device",
    "list_reports",
    "report_contact",
    "set_friend_approval",
    "set_pin",
    "reset_pin",
    "get_activity",
    "list_groups",
    "leave_group",
    "list_data_categories",
    "delete_data",
    "list_data_deletions",
    "get_transparency",
    "explain_decision",
    "list_security_notices",
    "report_group",
    "tracked_requests",
    "ask_provider",
    "child_profile",
    "correct_child_profile",
    "request_guardian_deletion",
    "get_attention",
    "get_co_guardians",
    "invite_guardian",
    "remove_guardian",
    "set_agreement",
    "get_decision_log",
    "list_guardian_invites",
    "answer_invite",
];

fn main() {
    println!("cargo:rerun-if-changed=capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
