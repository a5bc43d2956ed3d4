// The one place the UI reaches the backend: the generated, typed command bindings.
import {
  commands,
  events,
  type DiagnosticsSaved,
  type AppError_Serialize,
  type Discoverability,
  type FriendApproval,
  type ChildSummary_Serialize,
  type ConsentEventView,
  type ConsentView,
  type ContactView_Serialize,
  type Dashboard_Serialize,
  type DecisionOutcome_Serialize,
  type DeletionInfo_Serialize,
  type DeletionView_Serialize,
  type ActivityPeriod,
  type ActivityView,
  type DeviceView,
  type GroupView,
  type Attention,
  type AttentionItem,
  type ChildProfile,
  type ProfileCorrection,
  type TrackedRequest,
  type Transparency,
  type SmsCodeView,
  type ReauthInput,
  type NewChild,
  type NotificationView,
  type SavedExport,
  type ExportView,
  type ArchiveDiff,
  type Notifications,
  type DataCategoryView,
  type DataDeletionView,
  type KeptView,
  type StaffAccessView,
  type AutomatedDecisionView,
  type SecurityNoticeView,
  type CoGuardiansView,
  type DecisionEntryView,
  type GuardianMemberView,
  type InviteView,
  type SentInviteView,
  type DiffLine,
  type ExportProgressed,
  type ExportSaved,
  type PendingDecision_Serialize,
  type PolicyView_Serialize,
  type ReportView_Serialize,
  type RequestView_Serialize,
  type RetentionView_Serialize,
  type AccountView,
  type DesktopNotice,
  type TrayBadge,
  type IdentityOutcome,
  type IdentityView,
  type ProviderPick,
  type ProposalView,
  type RemovalOutcome,
  type Agreement,
  type ProviderSetting_Serialize,
} from "../bindings";

export type { DiagnosticsSaved };
export type AppError = AppError_Serialize;
// What the backend sends (the serialised form of the Rust types).
export type Dashboard = Dashboard_Serialize;
export type ChildSummary = ChildSummary_Serialize;
export type RequestView = RequestView_Serialize;
export type ContactView = ContactView_Serialize;
export type DecisionOutcome = DecisionOutcome_Serialize;
export type PendingDecision = PendingDecision_Serialize;
export type RetentionView = RetentionView_Serialize;
export type DeletionView = DeletionView_Serialize;
export type DeletionInfo = DeletionInfo_Serialize;
export type PolicyView = PolicyView_Serialize;
export type ReportView = ReportView_Serialize;
export type { ActivityPeriod, ActivityView, Attention, AttentionItem, ChildProfile, DeviceView, GroupView, ProfileCorrection, TrackedRequest };
export type { ConsentEventView, ConsentView, DiffLine, ExportProgressed, ExportSaved };
export type { ArchiveDiff, ExportView, SavedExport };
export type { DataCategoryView, DataDeletionView, KeptView, NewChild, NotificationView, Notifications, SmsCodeView };
export type { AutomatedDecisionView, SecurityNoticeView, StaffAccessView, Transparency };
export type { Agreement, CoGuardiansView, DecisionEntryView, GuardianMemberView, InviteView, ProposalView, RemovalOutcome, SentInviteView };
export type { AccountView, DesktopNotice, IdentityOutcome, IdentityView, ProviderPick };
export type ProviderSetting = ProviderSetting_Serialize;
/** The guardian's password, or a code sent by SMS (`sendReauthCode`), before something irreversible. */
export type { ReauthInput };

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** What the screens need from the backend; tests pass a fake. */
export interface Api {
  /** Which provider the app uses (none until the guardian chooses on the first screen). */
  getProvider(): Promise<Result<ProviderSetting>>;
  /** Chooses a provider's address (kept on this computer) or the demo family, and starts on it. */
  chooseProvider(pick: ProviderPick): Promise<Result<null>>;
  /** Forgets the provider kept on this computer; Guardian starts again on the first screen. */
  forgetProvider(): Promise<Result<null>>;
  getDashboard(): Promise<Result<Dashboard>>;
  syncNow(): Promise<Result<null>>;
  signIn(phone: string, password: string): Promise<Result<null>>;
  /** Guardian exports of the child saved in the Downloads folder, newest first, each verified. */
  listSavedExports(childId: string): Promise<Result<SavedExport[]>>;
  viewSavedExport(file: string): Promise<Result<ExportView>>;
  compareSavedExports(older: string, newer: string): Promise<Result<ArchiveDiff>>;
  /** What is new across children and the guardian's account, newest first, with what was read. */
  getNotifications(): Promise<Result<Notifications>>;
  markNotificationsRead(ids: string[]): Promise<Result<null>>;
  /** Makes a child's account with the guardian's consent under the policy in force. */
  addChild(child: NewChild): Promise<Result<ChildSummary>>;
  /** Asks the provider to text a 6-digit sign-in code (on the demo provider, the code is shown). */
  requestSmsCode(phone: string): Promise<Result<SmsCodeView>>;
  signInSms(phone: string, code: string): Promise<Result<null>>;
  /** Signs in with WeChat, QQ or Apple (the guardian agrees in the browser). */
  signInWithIdentity(provider: string): Promise<Result<IdentityOutcome>>;
  /** Binds the phone number (with the SMS code) to the identity that asked for one; signs in. */
  bindPhone(phone: string, code: string): Promise<Result<null>>;
  /** The guardian's account: masked phone, real-name status, linked identities. */
  getAccount(): Promise<Result<AccountView>>;
  linkIdentity(provider: string): Promise<Result<AccountView>>;
  unlinkIdentity(provider: string): Promise<Result<AccountView>>;
  signOut(): Promise<Result<null>>;
  listRequests(childId: string): Promise<Result<RequestView[]>>;
  /** The child's contacts in name order; with `first`, only that many (a first screenful). */
  listContacts(childId: string, first?: number): Promise<Result<ContactView[]>>;
  /** With `trialDays`, the friendship ends after that many days unless confirmed. */
  approveRequest(childId: string, requestId: string, pin: string | null, trialDays: number | null): Promise<Result<DecisionOutcome>>;
  /** Keeps a friend approved for a trial. */
  confirmContact(childId: string, contactId: string): Promise<Result<ContactView>>;
  denyRequest(childId: string, requestId: string): Promise<Result<DecisionOutcome>>;
  /** Blocks a contact, or unblocks one with the child's PIN (only a guardian lifts a block). */
  setContactBlocked(childId: string, contactId: string, blocked: boolean, pin: string | null): Promise<Result<DecisionOutcome>>;
  /** Ends a friendship: the contact leaves the child's list. */
  removeContact(childId: string, contactId: string): Promise<Result<DecisionOutcome>>;
  pendingDecisions(): Promise<Result<PendingDecision[]>>;
  dismissDecision(id: string): Promise<Result<null>>;
  /** What the provider keeps after a deletion, and the deletion requests in progress. */
  deletionInfo(): Promise<Result<DeletionInfo>>;
  /** Sends a code by SMS to the guardian's own number, to prove who they are with instead of the password. */
  sendReauthCode(): Promise<Result<null>>;
  requestChildDeletion(childId: string, typedName: string, reauth: ReauthInput, pin: string): Promise<Result<DeletionView>>;
  cancelDeletion(id: string): Promise<Result<DeletionView>>;
  /** Agrees, as one of the child's other guardians, to deleting the child's account. */
  agreeToDeletion(requestId: string, reauth: ReauthInput): Promise<Result<DeletionView>>;
  /** Says no to deleting a child's account: cancelled, nothing deleted. */
  refuseDeletion(requestId: string): Promise<Result<DeletionView>>;
  getConsents(childId: string): Promise<Result<ConsentView>>;
  setConsent(childId: string, purpose: string, granted: boolean): Promise<Result<ConsentView>>;
  listPolicies(): Promise<Result<PolicyView[]>>;
  acknowledgePolicy(version: string): Promise<Result<null>>;
  /** Exports a child's data (verified) into the Downloads folder; `language` is the UI locale. */
  exportChild(childId: string, language: string): Promise<Result<ExportSaved>>;
  /** Writes the diagnostics bundle for support into the Downloads folder. */
  saveDiagnostics(): Promise<Result<DiagnosticsSaved>>;
  /** Starts (returns the file) or stops recording this session for support. */
  setRecording(on: boolean): Promise<Result<string | null>>;
  /** The devices signed in to the child's account, and those signed out. */
  listDevices(childId: string): Promise<Result<DeviceView[]>>;
  signOutDevice(childId: string, deviceId: string): Promise<Result<DeviceView>>;
  /** The child's reports to the provider, with the provider's deadline to answer. */
  listReports(childId: string): Promise<Result<ReportView[]>>;
  reportContact(childId: string, contactId: string, category: string, evidence: string): Promise<Result<ReportView>>;
  /** `pin_required` (each new friend needs the PIN) or `child_may_add`. */
  setFriendApproval(childId: string, mode: FriendApproval, pin: string): Promise<Result<null>>;
  /** Who can find the child: `id_or_phone`, `id_only` or `nobody`. */
  setDiscoverability(childId: string, who: Discoverability, pin: string | null): Promise<Result<null>>;
  /** Uploads a PNG or JPEG (its bytes) as the child's profile picture. */
  setAvatar(childId: string, picture: number[]): Promise<Result<null>>;
  /** Sets the parental PIN, or changes it (`currentPin` then needed). */
  setPin(childId: string, newPin: string, currentPin: string | null): Promise<Result<null>>;
  /** Replaces a forgotten or locked PIN after the guardian's password. */
  resetPin(childId: string, newPin: string, reauth: ReauthInput): Promise<Result<null>>;
  /** Use per day and per week over the last `days` days, from the cache. */
  getActivity(childId: string, days: number): Promise<Result<ActivityView>>;
  /** The child's groups, those with members the guardian never approved first (`flagged`). */
  listGroups(childId: string): Promise<Result<GroupView[]>>;
  leaveGroup(childId: string, groupId: string): Promise<Result<GroupView>>;
  reportGroup(childId: string, groupId: string, category: string, evidence: string): Promise<Result<ReportView>>;
  /** Everything asked of the provider with a deadline (requests, reports, deletions), open first. */
  trackedRequests(): Promise<Result<TrackedRequest[]>>;
  askProvider(childId: string, kind: string, details: string): Promise<Result<TrackedRequest>>;
  /** What deleting each category of the child's data would remove now, and what stays. */
  listDataCategories(childId: string): Promise<Result<DataCategoryView[]>>;
  /** Deletes one category after the guardian's password; the receipt. */
  deleteData(childId: string, category: string, reauth: ReauthInput): Promise<Result<DataDeletionView>>;
  listDataDeletions(childId: string): Promise<Result<DataDeletionView[]>>;
  /** Staff access to the child's data and automated decisions about the child, newest first. */
  getTransparency(childId: string): Promise<Result<Transparency>>;
  /** Asks for an explanation of an automated decision (asking again finds the first request). */
  explainDecision(childId: string, decisionId: string): Promise<Result<TrackedRequest>>;
  listSecurityNotices(): Promise<Result<SecurityNoticeView[]>>;
  /** The child's guardians, the agreement rule (`one` or `all`) and invitations still open. */
  getCoGuardians(childId: string): Promise<Result<CoGuardiansView>>;
  inviteGuardian(childId: string, phone: string): Promise<Result<SentInviteView>>;
  /** Takes a guardian off the child; the guardian's own ID stops looking after the child. */
  /** A guardian leaving is taken off at once; taking another guardian off is proposed to the others. */
  removeGuardian(childId: string, guardianId: string, pin: string): Promise<Result<RemovalOutcome>>;
  /** Accepts (with the child's PIN) or vetoes a change another guardian proposed; vetoing your own withdraws it. */
  answerProposal(childId: string, proposalId: string, accept: boolean, pin: string | null): Promise<Result<ProposalView>>;
  setAgreement(childId: string, agreement: string, pin: string): Promise<Result<CoGuardiansView>>;
  /** Who decided what about the child, newest first. */
  getDecisionLog(childId: string): Promise<Result<DecisionEntryView[]>>;
  /** Invitations to look after a child, waiting for an answer. */
  listGuardianInvites(): Promise<Result<InviteView[]>>;
  answerInvite(inviteId: string, accept: boolean): Promise<Result<InviteView>>;
  /** The child's profile (from the cache), what contacts see, and the age planner. */
  childProfile(childId: string): Promise<Result<ChildProfile>>;
  correctChildProfile(childId: string, correction: ProfileCorrection): Promise<Result<ChildProfile>>;
  /** Asks to delete the guardian's own account (password); refused while children remain. */
  requestGuardianDeletion(reauth: ReauthInput): Promise<Result<DeletionView>>;
  /** What waits for the guardian across all children; `complete` is false when offline. */
  getAttention(): Promise<Result<Attention>>;
  /** Calls `handler` after each background sync; returns a function that stops listening. */
  onSyncFinished(handler: () => void): () => void;
  /** The guardian clicked a desktop notification (about this child, if any). */
  onNoticeClicked(handler: (childId: string | null) => void): () => void;
  /** Shows the notifications not shown on the desktop before; resolves to how many were. */
  announceNotifications(notices: DesktopNotice[]): Promise<Result<number>>;
  /** Shows the unread count on the tray icon, worded for its menu (no tray: nothing happens). */
  showTrayBadge(badge: TrayBadge): Promise<void>;
  /** Calls `handler` as exports progress; returns a function that stops listening. */
  onExportProgressed(handler: (progress: ExportProgressed) => void): () => void;
}

export const api: Api = {
  getProvider: () => commands.getProvider(),
  chooseProvider: (pick) => commands.chooseProvider(pick),
  forgetProvider: () => commands.forgetProvider(),
  getDashboard: () => commands.getDashboard(),
  syncNow: () => commands.syncNow(),
  signIn: (phone, password) => commands.signIn(phone, password),
  addChild: (child) => commands.addChild(child),
  listSavedExports: (childId) => commands.listSavedExports(childId),
  viewSavedExport: (file) => commands.viewSavedExport(file),
  compareSavedExports: (older, newer) => commands.compareSavedExports(older, newer),
  getNotifications: () => commands.getNotifications(),
  markNotificationsRead: (ids) => commands.markNotificationsRead(ids),
  requestSmsCode: (phone) => commands.requestSmsCode(phone),
  signInSms: (phone, code) => commands.signInSms(phone, code),
  signInWithIdentity: (provider) => commands.signInWithIdentity(provider),
  bindPhone: (phone, code) => commands.bindPhone(phone, code),
  getAccount: () => commands.getAccount(),
  linkIdentity: (provider) => commands.linkIdentity(provider),
  unlinkIdentity: (provider) => commands.unlinkIdentity(provider),
  signOut: () => commands.signOut(),
  listRequests: (childId) => commands.listRequests(childId),
  listContacts: (childId, first) => commands.listContacts(childId, first ?? null),
  approveRequest: (childId, requestId, pin, trialDays) => commands.approveRequest(childId, requestId, pin, trialDays),
  confirmContact: (childId, contactId) => commands.confirmContact(childId, contactId),
  denyRequest: (childId, requestId) => commands.denyRequest(childId, requestId),
  setContactBlocked: (childId, contactId, blocked, pin) => commands.setContactBlocked(childId, contactId, blocked, pin),
  removeContact: (childId, contactId) => commands.removeContact(childId, contactId),
  pendingDecisions: () => commands.pendingDecisions(),
  dismissDecision: (id) => commands.dismissDecision(id),
  deletionInfo: () => commands.deletionInfo(),
  sendReauthCode: () => commands.sendReauthCode(),
  requestChildDeletion: (childId, typedName, reauth, pin) =>
    commands.requestChildDeletion(childId, typedName, reauth, pin),
  cancelDeletion: (id) => commands.cancelDeletion(id),
  agreeToDeletion: (requestId, reauth) => commands.agreeToDeletion(requestId, reauth),
  refuseDeletion: (requestId) => commands.refuseDeletion(requestId),
  getConsents: (childId) => commands.getConsents(childId),
  setConsent: (childId, purpose, granted) => commands.setConsent(childId, purpose, granted),
  listPolicies: () => commands.listPolicies(),
  acknowledgePolicy: (version) => commands.acknowledgePolicy(version),
  exportChild: (childId, language) => commands.exportChild(childId, language),
  saveDiagnostics: () => commands.saveDiagnostics(),
  setRecording: (on) => commands.setRecording(on),
  listDevices: (childId) => commands.listDevices(childId),
  signOutDevice: (childId, deviceId) => commands.signOutDevice(childId, deviceId),
  listReports: (childId) => commands.listReports(childId),
  reportContact: (childId, contactId, category, evidence) =>
    commands.reportContact(childId, contactId, category, evidence),
  setFriendApproval: (childId, mode, pin) => commands.setFriendApproval(childId, mode, pin),
  setDiscoverability: (childId, who, pin) => commands.setDiscoverability(childId, who, pin),
  setAvatar: (childId, picture) => commands.setAvatar(childId, picture),
  setPin: (childId, newPin, currentPin) => commands.setPin(childId, newPin, currentPin),
  resetPin: (childId, newPin, reauth) => commands.resetPin(childId, newPin, reauth),
  getActivity: (childId, days) => commands.getActivity(childId, days),
  listGroups: (childId) => commands.listGroups(childId),
  leaveGroup: (childId, groupId) => commands.leaveGroup(childId, groupId),
  reportGroup: (childId, groupId, category, evidence) => commands.reportGroup(childId, groupId, category, evidence),
  trackedRequests: () => commands.trackedRequests(),
  askProvider: (childId, kind, details) => commands.askProvider(childId, kind, details),
  listDataCategories: (childId) => commands.listDataCategories(childId),
  deleteData: (childId, category, reauth) => commands.deleteData(childId, category, reauth),
  listDataDeletions: (childId) => commands.listDataDeletions(childId),
  getTransparency: (childId) => commands.getTransparency(childId),
  explainDecision: (childId, decisionId) => commands.explainDecision(childId, decisionId),
  listSecurityNotices: () => commands.listSecurityNotices(),
  getCoGuardians: (childId) => commands.getCoGuardians(childId),
  inviteGuardian: (childId, phone) => commands.inviteGuardian(childId, phone),
  removeGuardian: (childId, guardianId, pin) => commands.removeGuardian(childId, guardianId, pin),
  setAgreement: (childId, agreement, pin) => commands.setAgreement(childId, agreement, pin),
  answerProposal: (childId, proposalId, accept, pin) => commands.answerProposal(childId, proposalId, accept, pin),
  getDecisionLog: (childId) => commands.getDecisionLog(childId),
  listGuardianInvites: () => commands.listGuardianInvites(),
  answerInvite: (inviteId, accept) => commands.answerInvite(inviteId, accept),
  childProfile: (childId) => commands.childProfile(childId),
  correctChildProfile: (childId, correction) => commands.correctChildProfile(childId, correction),
  requestGuardianDeletion: (reauth) => commands.requestGuardianDeletion(reauth),
  getAttention: () => commands.getAttention(),
  onNoticeClicked: (handler) => {
    const unlisten = events.noticeClicked.listen((event) => handler(event.payload.child_id));
    return () => void unlisten.then((stop) => stop());
  },
  announceNotifications: (notices) => commands.announceNotifications(notices),
  showTrayBadge: async (badge) => {
    await commands.showTrayBadge(badge);
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
