// The one place the UI reaches the backend: the generated, typed command bindings.
import {
  commands,
  type AppError,
  type ChildSummary_Serialize,
  type Dashboard_Serialize,
} from "../bindings";

export type { AppError };
/** What the backend sends (the serialised form of the Rust types). */
export type Dashboard = Dashboard_Serialize;
export type ChildSummary = ChildSummary_Serialize;

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** What the screens need from the backend; tests pass a fake. */
export interface Api {
  getDashboard(): Promise<Result<Dashboard>>;
  syncNow(): Promise<Result<null>>;
  signIn(phone: string, password: string): Promise<Result<null>>;
  signOut(): Promise<Result<null>>;
}

export const api: Api = {
  getDashboard: () => commands.getDashboard(),
  syncNow: () => commands.syncNow(),
  signIn: (phone, password) => commands.signIn(phone, password),
  signOut: () => commands.signOut(),
};
