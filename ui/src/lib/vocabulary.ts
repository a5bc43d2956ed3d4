// The domain's enums as the screens use them. Each table is keyed by a generated binding type, so
// a value added in Rust fails to compile here until it is worded and handled: no screen compares
// a domain value with a string of its own.
import type {
  ConsentPurpose,
  ContactStatus,
  DecisionKind,
  Direction,
  Discoverability,
  ExportStage,
  FriendApproval,
  OutcomeState,
  PendingState,
  ProposalKind,
  ReportCategory,
  RequestStatus,
} from "../bindings";
import type { MessageKey } from "./i18n";

export const APPROVAL_MODES: readonly FriendApproval[] = ["pin_required", "child_may_add"];

/** Each approval mode: its name on a child's card, and whether approvals ask for the PIN. */
export const APPROVAL: Record<FriendApproval, { card: MessageKey; saved: MessageKey; needsPin: boolean }> = {
  pin_required: { card: "child.approval.pin_required", saved: "settings.mode.nowPin", needsPin: true },
  child_may_add: { card: "child.approval.child_may_add", saved: "settings.mode.nowFree", needsPin: false },
};

export const DISCOVERY_CHOICES: readonly Discoverability[] = ["id_or_phone", "id_only", "nobody"];

/** How many people can find the child, to tell a widening (which needs the PIN) from a narrowing. */
export const REACH: Record<Discoverability, number> = { nobody: 0, id_only: 1, id_or_phone: 2 };

/** Whether a decision just made was refused by the provider. */
export const OUTCOME_REFUSED: Record<OutcomeState, boolean> = {
  sent: false,
  queued: false,
  awaiting_guardians: false,
  refused: true,
};

/** A decision not yet at the provider: what it does in the pending list, and the note beside the
 * request or contact it is about while it waits. */
export const DECISION_KIND: Record<DecisionKind, { pending: MessageKey; waiting: MessageKey }> = {
  approve_request: { pending: "pending.kind.approve_request", waiting: "requests.queued.approve_request" },
  deny_request: { pending: "pending.kind.deny_request", waiting: "requests.queued.deny_request" },
  block_contact: { pending: "pending.kind.block_contact", waiting: "contacts.queued" },
  unblock_contact: { pending: "pending.kind.unblock_contact", waiting: "contacts.queued" },
  remove_contact: { pending: "pending.kind.remove_contact", waiting: "contacts.queued" },
};

/** Each purpose a guardian consents to separately: its name and what it means. */
export const CONSENT_PURPOSE: Record<ConsentPurpose, { name: MessageKey; explain: MessageKey }> = {
  analytics: { name: "consent.purpose.analytics", explain: "consent.purpose.analytics.explain" },
  sms_verification: { name: "consent.purpose.sms_verification", explain: "consent.purpose.sms_verification.explain" },
  crash_reporting: { name: "consent.purpose.crash_reporting", explain: "consent.purpose.crash_reporting.explain" },
  cross_border_transfer: {
    name: "consent.purpose.cross_border_transfer",
    explain: "consent.purpose.cross_border_transfer.explain",
  },
};

/** Why a contact or a group is reported, in the guardian's words. */
export const REPORT_CATEGORY: Record<ReportCategory, MessageKey> = {
  harassment: "reports.category.harassment",
  bullying: "reports.category.bullying",
  sexual_content: "reports.category.sexual_content",
  violence: "reports.category.violence",
  impersonation: "reports.category.impersonation",
  other: "reports.category.other",
};

/** What an export is doing, for its progress bar. */
export const EXPORT_STAGE: Record<ExportStage, MessageKey> = {
  preparing: "export.stage.preparing",
  downloading: "export.stage.downloading",
  verifying: "export.stage.verifying",
};

/** A friend request's status in the guardian's words, and whether it still waits for an answer. */
export const REQUEST_STATUS: Record<RequestStatus, { words: MessageKey; open: boolean }> = {
  pending: { words: "requests.status.pending", open: true },
  approved: { words: "requests.status.approved", open: false },
  denied: { words: "requests.status.denied", open: false },
  expired: { words: "requests.status.expired", open: false },
};

/** Which way a friend request goes, and whether the guardian answers it (one asking the child). */
export const DIRECTION: Record<Direction, { words: MessageKey; answered: boolean }> = {
  incoming: { words: "requests.incoming", answered: true },
  outgoing: { words: "requests.outgoing", answered: false },
};

/** Whether a contact is blocked (its button then lifts the block, with the PIN). */
export const BLOCKED: Record<ContactStatus, boolean> = { approved: false, blocked: true };

/** Whether a co-guardian's proposal relaxes the agreement rule (rather than taking a guardian off). */
export const RELAXES_AGREEMENT: Record<ProposalKind, boolean> = { relax_agreement: true, remove_guardian: false };

/** Whether a decision not yet accepted was refused (rather than waiting to be sent). */
export const PENDING_REFUSED: Record<PendingState, boolean> = { queued: false, refused: true };
