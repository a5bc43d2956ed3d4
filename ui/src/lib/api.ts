// The one place the UI reaches the backend: the generated, typed command bindings.
import { commands, events } from "../bindings";
import type * as B from "../bindings";

// What the backend sends is the serialised form of the Rust types; what it takes, the deserialised.
export type AppError = B.AppError_Serialize;
export type Dashboard = B.Dashboard_Serialize;
export type ChildSummary = B.ChildSummary_Serialize;
export type RequestView = B.RequestView_Serialize;
export type ContactView = B.ContactView_Serialize;
export type DecisionOutcome = B.DecisionOutcome_Serialize;
export type PendingDecision = B.PendingDecision_Serialize;
export type RetentionView = B.RetentionView_Serialize;
export type DeletionView = B.DeletionView_Serialize;
export type DeletionInfo = B.DeletionInfo_Serialize;
export type PolicyView = B.PolicyView_Serialize;
export type ReportView = B.ReportView_Serialize;
export type ProviderSetting = B.ProviderSetting_Serialize;
export type DiagnosticsSaved = B.DiagnosticsSaved;
export type ActivityPeriod = B.ActivityPeriod;
export type ActivityView = B.ActivityView;
export type Attention = B.Attention_Serialize;
export type AttentionItem = B.AttentionItem_Serialize;
export type ChildProfile = B.ChildProfile_Serialize;
export type DeviceView = B.DeviceView;
export type GroupView = B.GroupView;
export type ProfileCorrection = B.ProfileCorrection_Deserialize;
export type TrackedRequest = B.TrackedRequest_Serialize;
export type ConsentEventView = B.ConsentEventView;
export type ConsentView = B.ConsentView;
export type DiffLine = B.DiffLine;
export type ExportProgressed = B.ExportProgressed;
export type ExportSaved = B.ExportSaved;
export type ArchiveDiff = B.ArchiveDiff;
export type ExportView = B.ExportView;
export type SavedExport = B.SavedExport_Serialize;
export type DataCategoryView = B.DataCategoryView_Serialize;
export type DataDeletionView = B.DataDeletionView_Serialize;
export type KeptView = B.KeptView_Serialize;
export type NewChild = B.NewChild_Deserialize;
export type NotificationView = B.NotificationView_Serialize;
export type Notifications = B.Notifications_Serialize;
export type SmsCodeView = B.SmsCodeView_Serialize;
export type AutomatedDecisionView = B.AutomatedDecisionView_Serialize;
export type SecurityNoticeView = B.SecurityNoticeView;
export type StaffAccessView = B.StaffAccessView;
export type Transparency = B.Transparency_Serialize;
export type Agreement = B.Agreement;
export type CoGuardiansView = B.CoGuardiansView_Serialize;
export type DecisionEntryView = B.DecisionEntryView;
export type GuardianMemberView = B.GuardianMemberView;
export type InviteView = B.InviteView;
export type ProposalView = B.ProposalView_Serialize;
export type RemovalOutcome = B.RemovalOutcome_Serialize;
export type SentInviteView = B.SentInviteView;
export type AccountView = B.AccountView;
export type DesktopNotice = B.DesktopNotice_Deserialize;
export type IdentityOutcome = B.IdentityOutcome;
export type IdentityView = B.IdentityView;
export type ProviderPick = B.ProviderPick;
/** The guardian's password, or a code sent by SMS (`sendReauthCode`), before something irreversible. */
export type ReauthInput = B.ReauthInput;

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** The generated commands, each documented where it is written (src-tauri/src/commands/). */
type Commands = typeof commands;

/** What the app hears from the backend without asking; each returns a function that stops listening. */
interface Listeners {
  /** Calls `handler` after each background sync. */
  onSyncFinished(handler: () => void): () => void;
  /** The guardian clicked a desktop notification (about this child, if any). */
  onNoticeClicked(handler: (childId: string | null) => void): () => void;
  /** Calls `handler` as exports progress. */
  onExportProgressed(handler: (progress: ExportProgressed) => void): () => void;
}

/**
 * What the screens need from the backend: every generated command, as generated, and the events.
 * Tests pass a fake of this type, so a command without a fake does not compile.
 */
export type Api = Commands & Listeners;

export const api: Api = {
  ...commands,
  onNoticeClicked: (handler) => {
    const unlisten = events.noticeClicked.listen((event) => handler(event.payload.child_id));
    return () => void unlisten.then((stop) => stop());
  },
  onSyncFinished: (handler) => {
    const unlisten = events.syncFinished.listen(() => handler());
    return () => {
      unlisten.then((stop) => stop());
    };
  },
  onExportProgressed: (handler) => {
    const unlisten = events.exportProgressed.listen((event) => handler(event.payload));
    return () => {
      unlisten.then((stop) => stop());
    };
  },
};
