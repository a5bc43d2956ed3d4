// The domain's enums as the screens use them. Each table is keyed by a generated binding type, so
// a value added in Rust fails to compile here until it is worded and handled: no screen compares
// a domain value with a string of its own.
import type { Discoverability, FriendApproval, OutcomeState, PendingState } from "../bindings";
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

/** Whether a decision not yet accepted was refused (rather than waiting to be sent). */
export const PENDING_REFUSED: Record<PendingState, boolean> = { queued: false, refused: true };
