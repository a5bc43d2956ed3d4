// The one place the UI reaches the backend: the generated, typed command bindings.
import {
  commands,
  events,
  type AppError,
  type ChildSummary_Serialize,
  type ContactView_Serialize,
  type Dashboard_Serialize,
  type DecisionOutcome_Serialize,
  type PendingDecision_Serialize,
  type RequestView_Serialize,
} from "../bindings";

export type { AppError };
// What the backend sends (the serialised form of the Rust types).
export type Dashboard = Dashboard_Serialize;
export type ChildSummary = ChildSummary_Serialize;
export type RequestView = RequestView_Serialize;
export type ContactView = ContactView_Serialize;
export type DecisionOutcome = DecisionOutcome_Serialize;
export type PendingDecision = PendingDecision_Serialize;

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** What the screens need from the backend; tests pass a fake. */
export interface Api {
  getDashboard(): Promise<Result<Dashboard>>;
  syncNow(): Promise<Result<null>>;
  signIn(phone: string, password: string): Promise<Result<null>>;
  signOut(): Promise<Result<null>>;
  listRequests(childId: string): Promise<Result<RequestView[]>>;
  listContacts(childId: string): Promise<Result<ContactView[]>>;
  approveRequest(childId: string, requestId: string, pin: string | null): Promise<Result<DecisionOutcome>>;
  denyRequest(childId: string, requestId: string): Promise<Result<DecisionOutcome>>;
  setContactBlocked(childId: string, contactId: string, blocked: boolean): Promise<Result<DecisionOutcome>>;
  pendingDecisions(): Promise<Result<PendingDecision[]>>;
  dismissDecision(id: string): Promise<Result<null>>;
  /** Calls `handler` after each background sync; returns a function that stops listening. */
  onSyncFinished(handler: () => void): () => void;
}

export const api: Api = {
  getDashboard: () => commands.getDashboard(),
  syncNow: () => commands.syncNow(),
  signIn: (phone, password) => commands.signIn(phone, password),
  signOut: () => commands.signOut(),
  listRequests: (childId) => commands.listRequests(childId),
  listContacts: (childId) => commands.listContacts(childId),
  approveRequest: (childId, requestId, pin) => commands.approveRequest(childId, requestId, pin),
  denyRequest: (childId, requestId) => commands.denyRequest(childId, requestId),
  setContactBlocked: (childId, contactId, blocked) => commands.setContactBlocked(childId, contactId, blocked),
  pendingDecisions: () => commands.pendingDecisions(),
  dismissDecision: (id) => commands.dismissDecision(id),
  onSyncFinished: (handler) => {
    const unlisten = events.syncFinished.listen(() => handler());
    return () => {
      unlisten.then((stop) => stop());
    };
  },
};
