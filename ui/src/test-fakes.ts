// Fakes shared by the UI tests: a dashboard and an `Api` whose every method is a spy.
import { fireEvent, screen, within } from "@testing-library/svelte";
import { vi } from "vitest";
import type { ConsentPurpose, ReportCategory } from "./bindings";
import type {
  AccountView,
  Api,
  ConsentEventView,
  ConsentView,
  Dashboard,
  DeletionInfo,
  DeletionView,
  ActivityView,
  ChildProfile,
  DeviceView,
  GroupView,
  ReportView,
  TrackedRequest,
  Transparency,
  SecurityNoticeView,
  DataCategoryView,
  CoGuardiansView,
  ProposalView,
  Agreement,
  Attention,
  NotificationView,
  ProfileCorrection,
  DecisionEntryView,
  DecisionOutcome,
  RequestView,
  ContactView,
  Result,
} from "./lib/api";

export function coGuardians(childId = "c1", agreement: Agreement = "all", proposals: ProposalView[] = []): CoGuardiansView {
  return {
    child_id: childId,
    agreement,
    proposals,
    guardians: [
      { id: "g-jun", display_name: "Jun Chen", you: false, joined_at: "2026-10-20T10:00:00Z" },
      { id: "g-demo", display_name: "Demo Guardian", you: true, joined_at: "2026-10-01T10:00:00Z" },
    ],
    invites: [
      { id: "gi-1", phone_masked: "••••0003", status: "pending", created_at: "2026-11-22T10:00:00Z", expires_at: "2026-11-29T10:00:00Z" },
    ],
  };
}

export function proposalView(overrides: Partial<ProposalView> = {}): ProposalView {
  return {
    id: "gp-1",
    kind: "relax_agreement",
    guardian_name: null,
    proposed_by: "Jun Chen",
    you_proposed: false,
    created_at: "2026-11-22T10:00:00Z",
    takes_effect_at: "2026-11-29T10:00:00Z",
    status: "open",
    awaiting: ["Demo Guardian"],
    yours_to_answer: true,
    ...overrides,
  };
}

export function decisionLog(): DecisionEntryView[] {
  return [
    { id: "dl-3", guardian_name: "Jun Chen", you: false, action: "approval_recorded", subject: "Oliver", at: "2026-11-23T10:00:00Z" },
    { id: "dl-2", guardian_name: "Demo Guardian", you: true, action: "agreement_changed", subject: "all", at: "2026-11-01T10:00:00Z" },
  ];
}

export function transparency(childId = "c1"): Transparency {
  return {
    child_id: childId,
    staff_access: [
      {
        id: "sa-1",
        staff_role: "trust_and_safety_reviewer",
        accessed_at: "2026-11-20T10:00:00Z",
        purpose: "Reviewing a report filed by the guardian",
        approval_ref: "rep-1",
        data_categories: ["reports", "contacts"],
      },
    ],
    decisions: [
      {
        id: "ad-1",
        kind: "contact_auto_blocked",
        summary: "FreeGems4U was blocked automatically.",
        decided_at: "2026-11-18T10:00:00Z",
        human_reviewed: false,
        explanation_request: null,
      },
    ],
  };
}

export function dataCategories(): DataCategoryView[] {
  return [
    { category: "activity", description: "Daily use", items: 140, kept: [] },
    {
      category: "resolved_reports",
      description: "Reports the provider has finished reviewing",
      items: 0,
      kept: [{ what: "The provider's record of action taken", why: "Banned accounts keep records", retention_days: 365 }],
    },
  ];
}

export function securityNotices(): SecurityNoticeView[] {
  return [
    { id: "sn-2", severity: "info", title: "New sign-in to your account", body: "Someone signed in.", published_at: "2026-11-23T09:00:00Z" },
    { id: "sn-1", severity: "warning", title: "We rotated our signing keys", body: "You may be asked to sign in again.", published_at: "2026-11-20T09:00:00Z" },
  ];
}

export function dashboard(overrides: Partial<Dashboard["status"]> = {}, names = ["Ava", "Leo", "Mei"]): Dashboard {
  return {
    status: {
      provider: { kind: "demo", url: "http://127.0.0.1:1/", demo: { phone: "+8613800000001", password: "abcd-efgh-jkmn", pin: "1234" } },
      secure_storage: true,
      signed_in: true,
      last_synced: "2026-11-23T09:00:00Z",
      offline: false,
      unavailable: null,
      next_retry_at: null,
      queued_decisions: 0,
      refused_decisions: 0,
      notices: [],
      ...overrides,
    },
    children: names.map((display_name, i) => ({
      id: `c${i}`,
      display_name,
      age: 6 + i,
      avatar: null,
      friend_approval: i === 0 ? "child_may_add" : "pin_required",
      discoverable_by: "id_only",
      pending_requests: i,
    })),
  };
}

export function account(identities: AccountView["identities"] = []): AccountView {
  return { display_name: "Demo Guardian", phone_masked: "*******0001", real_name: "verified", identities };
}

export const ok = <T,>(data: T): Result<T> => ({ status: "ok", data });

/** What became of a decision, as the engine answers it (no refusal unless given). */
export const decided = (
  state: DecisionOutcome["state"],
  message: string | null = null,
  reason: string | null = null,
  refusal: DecisionOutcome["refusal"] = null,
): DecisionOutcome => ({ state, message, reason, refusal });

export const PURPOSES: ConsentPurpose[] = ["analytics", "sms_verification", "crash_reporting", "cross_border_transfer"];

/** Every purpose granted on 1 November, analytics withdrawn once before that. */
export function consents(childId: string): ConsentView {
  const current: ConsentEventView[] = PURPOSES.map((purpose) => ({
    purpose,
    granted: true,
    at: "2026-11-01T08:00:00Z",
    policy_version: "2026-01",
  }));
  return {
    child_id: childId,
    current,
    history: [
      { purpose: "analytics", granted: false, at: "2026-10-01T08:00:00Z", policy_version: "2025-06" },
      ...current,
    ],
  };
}

export function deletionView(overrides: Partial<DeletionView> = {}): DeletionView {
  return {
    id: "del-1",
    subject: "child",
    child_id: "c1",
    status: "cooling_off",
    requested_at: "2026-11-23T10:00:00Z",
    cooling_off_until: "2026-12-07T10:00:00Z",
    due_at: "2026-12-23T10:00:00Z",
    completed_at: null,
    deleted: ["profile", "messages"],
    retained: [],
    agreements: [],
    requested_by: null,
    ...overrides,
  };
}

export function deletionInfo(requests: DeletionView[] = []): DeletionInfo {
  return {
    retention: [
      { category: "safety", what: "Reports of abuse", kept_for_days: 180, reason: "To protect other children" },
      { category: "legal", what: "Records under a legal hold", kept_for_days: null, reason: "A court asked for them" },
    ],
    requests,
  };
}

/** A tablet still signed in and an old phone already signed out. */
export function trackedRequest(overrides: Partial<TrackedRequest> = {}): TrackedRequest {
  return {
    id: "rr-1",
    kind: "explanation",
    child_id: "c1",
    child_name: "Leo",
    summary: "Why was Leo's account limited?",
    status: "in_progress",
    done: false,
    created_at: "2026-11-20T10:00:00Z",
    due_at: "2026-12-05T10:00:00Z",
    days_left: 5,
    overdue: false,
    receipt: null,
    deleted: [],
    ...overrides,
  };
}

export function tracked(): TrackedRequest[] {
  return [
    trackedRequest({ id: "rr-late", kind: "other", summary: "Who saw Leo's data?", due_at: "2026-11-25T10:00:00Z", days_left: -5, overdue: true }),
    trackedRequest(),
    trackedRequest({ id: "rep-1", kind: "report", summary: "bullying", status: "resolved", done: true, receipt: "Action taken." }),
  ];
}

export function profile(childId = "c1"): ChildProfile {
  return {
    id: childId,
    display_name: "Leo",
    avatar: null,
    discoverable_by: "id_only",
    country: "DE",
    gender: null,
    birthday: "2013-01-27",
    age: 13,
    public: { display_name: "Leo", id: childId, avatar: null },
    thresholds: [
      { age: 14, rule: "service_consent", on: "2027-01-27", passed: false, soon: true },
      { age: 16, rule: "gdpr", on: "2029-01-27", passed: false, soon: false },
      { age: 18, rule: "adult", on: "2031-01-27", passed: false, soon: false },
    ],
  };
}

export function groups(): GroupView[] {
  return [
    {
      id: "grp-class",
      name: "Class 4B",
      members: [
        { user_id: "u-max", display_name: "Max", approved: false },
        { user_id: "u-sam", display_name: "Sam", approved: true },
      ],
      unapproved: 1,
      flagged: true,
      joined_at: "2026-11-10T09:00:00Z",
    },
    {
      id: "grp-art",
      name: "Art club",
      members: [{ user_id: "u-zoe", display_name: "Zoe", approved: true }],
      unapproved: 0,
      flagged: false,
      joined_at: "2026-11-12T09:00:00Z",
    },
  ];
}

export function activity(): ActivityView {
  const period = (start: string, end: string, minutes: number[]) => ({
    start,
    end,
    uses: minutes.map((m) => Math.ceil(m / 10)),
    minutes,
    call_minutes: minutes[1] + minutes[2],
    games_played: Math.ceil(minutes[3] / 10),
  });
  return {
    features: ["chat", "voice_call", "video_call", "games"],
    days: [
      period("2026-11-29", "2026-11-29", [30, 10, 0, 20]),
      period("2026-11-30", "2026-11-30", [15, 0, 25, 40]),
    ],
    weeks: [
      period("2026-11-23", "2026-11-29", [30, 10, 0, 20]),
      period("2026-11-30", "2026-12-06", [15, 0, 25, 40]),
    ],
  };
}

export function devices(): DeviceView[] {
  return [
    { id: "dev-1", name: "Leo's tablet", platform: "Android", last_seen: "2026-11-23T08:30:00Z", signed_in: true },
    { id: "dev-2", name: "Old phone", platform: "iOS", last_seen: "2026-10-02T17:00:00Z", signed_in: false },
  ];
}

export function reportView(overrides: Partial<ReportView> = {}): ReportView {
  return {
    id: "rep-1",
    target_kind: "contact",
    target_id: "u-sam",
    category: "bullying",
    evidence_text: "Mean messages every evening.",
    image_count: 0,
    status: "resolved",
    outcome: "The account was warned.",
    created_at: "2026-11-01T10:00:00Z",
    due_at: "2026-11-16T10:00:00Z",
    days_left: 0,
    ...overrides,
  };
}

export function fakeApi(first: Dashboard, overrides: Partial<Api> = {}): Api {
  const readNotices = new Set<string>();
  return {
    getProvider: vi.fn(async () => ok({ kind: first.status.provider.kind, url: first.status.provider.url, from_environment: false, demo_available: true })),
    chooseProvider: vi.fn(async () => ok(null)),
    forgetProvider: vi.fn(async () => ok(null)),
    getDashboard: vi.fn(async () => ok(first)),
    syncNow: vi.fn(async () => ok(null)),
    signIn: vi.fn(async () => ok(null)),
    requestSmsCode: vi.fn(async () =>
      ok({ expires_at: "2026-11-23T10:05:00Z", resend_after: "2026-11-23T10:01:00Z", demo_code: null }),
    ),
    signInSms: vi.fn(async () => ok(null)),
    listSavedExports: vi.fn(async () =>
      ok([
        { file: "guardian-export-Leo-2026-11-30-2.zip", child_id: "c1", created_at: "2026-11-30T10:00:00Z", problem: null },
        { file: "guardian-export-Leo-2026-11-30.zip", child_id: "c1", created_at: "2026-11-30T09:00:00Z", problem: null },
        { file: "guardian-export-broken.zip", child_id: null, created_at: null, problem: "not a Guardian export" },
      ]),
    ),
    viewSavedExport: vi.fn(async (file: string) =>
      ok({
        file,
        child_id: "c1",
        created_at: "2026-11-30T09:00:00Z",
        files: 9,
        excluded: ["message content"],
        child_name: "Leo",
        contacts: 2,
        blocked: 0,
        friend_requests: 2,
        activity_rows: 140,
      }),
    ),
    compareSavedExports: vi.fn(async () =>
      ok({ profile: [], contacts_added: ["Oliver"], contacts_removed: [], contacts_changed: [], activity_rows_before: 140, activity_rows_after: 0 }),
    ),
    getNotifications: vi.fn(async () => {
      const all: NotificationView[] = [
        { id: "friend_request:fr-1", kind: "friend_request", child_id: "c1", child_name: "Leo", subject: "Oliver", detail: null, at: "2026-11-23T09:00:00Z", read: false },
        { id: "security_notice:sn-1", kind: "security_notice", child_id: null, child_name: null, subject: "We rotated our signing keys", detail: "Sign in again.", at: "2026-11-22T09:00:00Z", read: false },
        { id: "report_outcome:rep-1", kind: "report_outcome", child_id: "c1", child_name: "Leo", subject: "bullying", detail: "Action taken.", at: "2026-11-20T09:00:00Z", read: true },
      ];
      const items = all.map((n) => ({ ...n, read: n.read || readNotices.has(n.id) }));
      return ok({ complete: true, unread: items.filter((n) => !n.read).length, items });
    }),
    markNotificationsRead: vi.fn(async (ids: string[]) => {
      ids.forEach((id) => readNotices.add(id));
      return ok(null);
    }),
    addChild: vi.fn(async (child: { display_name: string }) => ok({ ...first.children[0], id: "c-new", display_name: child.display_name })),
    signOut: vi.fn(async () => ok(null)),
    listRequests: vi.fn(async (childId: string) =>
      ok<RequestView[]>([
        {
          id: "fr-1",
          child_id: childId,
          other_name: "Oliver",
          direction: "incoming",
          status: "pending",
          expires_at: "2026-12-07T09:00:00Z",
          queued: null,
          approved_by: [],
        },
      ]),
    ),
    listContacts: vi.fn(async (childId: string) =>
      ok<ContactView[]>([
        {
          child_id: childId,
          contact_id: "u-sam",
          display_name: "Sam",
          status: "approved",
          messages_7d: 40,
          calls_7d: 1,
          last_interaction: null,
          queued: null,
          trial_until: null,
          banned_at: null,
        },
      ]),
    ),
    approveRequest: vi.fn(async () => ok(decided("queued", null, null))),
    confirmContact: vi.fn(async (childId: string, contactId: string) =>
      ok<ContactView>({ child_id: childId, contact_id: contactId, display_name: "Oliver", status: "approved", messages_7d: 0, calls_7d: 0, last_interaction: null, queued: null, trial_until: null, banned_at: null }),
    ),
    denyRequest: vi.fn(async () => ok(decided("sent", null, null))),
    setContactBlocked: vi.fn(async () => ok(decided("sent", null, null))),
    removeContact: vi.fn(async () => ok(decided("sent", null, null))),
    pendingDecisions: vi.fn(async () => ok([])),
    dismissDecision: vi.fn(async () => ok(null)),
    deletionInfo: vi.fn(async () => ok(deletionInfo())),
    sendReauthCode: vi.fn(async () => ok(null)),
    requestChildDeletion: vi.fn(async (childId: string) => ok(deletionView({ child_id: childId }))),
    cancelDeletion: vi.fn(async (id: string) => ok(deletionView({ id, status: "cancelled" }))),
    agreeToDeletion: vi.fn(async (id: string) =>
      ok(deletionView({ id, requested_by: "Jun Chen", agreements: [{ guardian_name: "Demo Guardian", you: true, answer: "agreed", answered_at: "2026-11-24T10:00:00Z" }] })),
    ),
    refuseDeletion: vi.fn(async (id: string) => ok(deletionView({ id, status: "cancelled" }))),
    getConsents: vi.fn(async (childId: string) => ok(consents(childId))),
    setConsent: vi.fn(async (childId: string, purpose: ConsentPurpose, granted: boolean) => {
      const view = consents(childId);
      const event = { purpose, granted, at: "2026-11-23T11:00:00Z", policy_version: "2026-01" };
      view.current = view.current.map((c) => (c.purpose === purpose ? event : c));
      view.history.push(event);
      return ok(view);
    }),
    listPolicies: vi.fn(async () => ok([])),
    acknowledgePolicy: vi.fn(async () => ok(null)),
    exportChild: vi.fn(async () => ok({ path: "/home/p/Downloads/guardian-export-Leo-2026-11-23.zip", files: 12 })),
    saveDiagnostics: vi.fn(async () =>
      ok({ path: "/home/p/Downloads/guardian-diagnostics-20261123-090000.zip", files: ["about.json", "sync.json"] }),
    ),
    setRecording: vi.fn(async (on: boolean) => ok(on ? "/home/p/Downloads/guardian-session-20261123-090000.toml" : null)),
    listDevices: vi.fn(async () => ok(devices())),
    signOutDevice: vi.fn(async (_childId: string, deviceId: string) => {
      const device = devices().find((d) => d.id === deviceId) ?? devices()[0];
      return ok({ ...device, signed_in: false });
    }),
    listReports: vi.fn(async () => ok([reportView()])),
    reportContact: vi.fn(async (_childId: string, contactId: string, category: ReportCategory, evidence: string) =>
      ok(
        reportView({
          id: "rep-2",
          target_id: contactId,
          category,
          evidence_text: evidence,
          status: "submitted",
          outcome: null,
          created_at: "2026-11-23T10:00:00Z",
          due_at: "2026-12-08T10:00:00Z",
          days_left: 15,
        }),
      ),
    ),
    setFriendApproval: vi.fn(async () => ok(null)),
    setDiscoverability: vi.fn(async () => ok(null)),
    signInWithIdentity: vi.fn(async () => ok("signed_in" as const)),
    bindPhone: vi.fn(async () => ok(null)),
    getAccount: vi.fn(async () => ok(account())),
    linkIdentity: vi.fn(async (provider: string) =>
      ok(account([{ provider, display_name: "Demo parent", linked_at: "2026-11-23T09:00:00Z" }])),
    ),
    unlinkIdentity: vi.fn(async () => ok(account())),
    setAvatar: vi.fn(async () => ok(null)),
    setPin: vi.fn(async () => ok(null)),
    resetPin: vi.fn(async () => ok(null)),
    getActivity: vi.fn(async () => ok(activity())),
    listGroups: vi.fn(async () => ok(groups())),
    leaveGroup: vi.fn(async (_childId: string, groupId: string) => ok(groups().find((g) => g.id === groupId) ?? groups()[0])),
    reportGroup: vi.fn(async (_childId: string, groupId: string, category: ReportCategory, evidence: string) =>
      ok(reportView({ id: "rep-3", target_kind: "group", target_id: groupId, category, evidence_text: evidence, status: "submitted", outcome: null })),
    ),
    trackedRequests: vi.fn(async () => ok(tracked())),
    askProvider: vi.fn(async (childId: string, kind: string, details: string) =>
      ok(trackedRequest({ id: "rr-new", kind, child_id: childId, summary: details, status: "received", days_left: 15 })),
    ),
    listDataCategories: vi.fn(async () => ok(dataCategories())),
    deleteData: vi.fn(async (childId: string, category: string) =>
      ok({ id: "dd-1", child_id: childId, category, deleted_items: 140, deleted_at: "2026-11-23T10:00:00Z", kept: [] }),
    ),
    listDataDeletions: vi.fn(async () => ok([])),
    getTransparency: vi.fn(async (childId: string) => ok(transparency(childId))),
    explainDecision: vi.fn(async (childId: string, decisionId: string) =>
      ok(trackedRequest({ id: "rr-why", kind: "explanation", child_id: childId, summary: decisionId, status: "received", days_left: 15 })),
    ),
    listSecurityNotices: vi.fn(async () => ok(securityNotices())),
    getCoGuardians: vi.fn(async (childId: string) => ok(coGuardians(childId))),
    inviteGuardian: vi.fn(async () =>
      ok({ id: "gi-2", phone_masked: "••••0004", status: "pending", created_at: "2026-11-23T10:00:00Z", expires_at: "2026-11-30T10:00:00Z" }),
    ),
    removeGuardian: vi.fn(async (_childId: string, guardianId: string) =>
      ok({ outcome: "removed" as const, guardian: coGuardians().guardians.find((g) => g.id === guardianId) ?? coGuardians().guardians[0] }),
    ),
    setAgreement: vi.fn(async (childId: string, agreement: string) => ok(coGuardians(childId, agreement as Agreement))),
    answerProposal: vi.fn(async (_childId: string, proposalId: string, accept: boolean) =>
      ok(proposalView({ id: proposalId, status: accept ? "in_effect" : "vetoed", awaiting: [], yours_to_answer: false })),
    ),
    getDecisionLog: vi.fn(async () => ok(decisionLog())),
    listGuardianInvites: vi.fn(async () => ok([])),
    answerInvite: vi.fn(async (inviteId: string, accept: boolean) =>
      ok({ id: inviteId, child_name: "Kai", invited_by: "Jun Chen", status: accept ? "accepted" : "declined", created_at: "2026-11-22T10:00:00Z", expires_at: "2026-11-29T10:00:00Z" }),
    ),
    childProfile: vi.fn(async (childId: string) => ok(profile(childId))),
    correctChildProfile: vi.fn(async (childId: string, c: ProfileCorrection) =>
      ok({ ...profile(childId), display_name: c.display_name, country: c.country ?? null, gender: c.gender ?? null, birthday: c.birthday ?? null }),
    ),
    requestGuardianDeletion: vi.fn(async () => ok(deletionView({ subject: "guardian", child_id: null }))),
    getAttention: vi.fn(async () =>
      ok<Attention>({
        complete: true,
        items: [
          { kind: "friend_request", child_id: "c1", child_name: "Leo", id: "fr-1", subject: "Oliver", when: "2026-12-01T10:00:00Z" },
          { kind: "friend_request", child_id: "c2", child_name: "Mei", id: "fr-3", subject: "Hua", when: "2026-12-01T10:00:00Z" },
          { kind: "flagged_group", child_id: "c1", child_name: "Leo", id: "grp-class", subject: "Class 4B", when: null },
        ],
      }),
    ),
    onSyncFinished: vi.fn(() => () => {}),
    onNoticeClicked: vi.fn(() => () => {}),
    announceNotifications: vi.fn(async () => ok(0)),
    showTrayBadge: vi.fn(async () => ok(null)),
    onExportProgressed: vi.fn(() => () => {}),
    ...overrides,
  };
}

/** Types `pin` into the PIN dialog and confirms it; returns what the dialog said it is for. */
export async function givePin(pin: string): Promise<string> {
  const dialog = await screen.findByTestId("pin-dialog");
  const said = within(dialog).getByTestId("pin-explain").textContent ?? "";
  await fireEvent.input(dialog.querySelector("input[name=pin]") as HTMLInputElement, { target: { value: pin } });
  await fireEvent.submit(dialog.querySelector("form") as HTMLFormElement);
  return said;
}
