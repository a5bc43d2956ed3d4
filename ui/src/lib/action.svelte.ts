import type { Result } from "./api";
import { errorBanner, type Locale } from "./i18n";
import type { Message } from "./message";

/** A panel's calls to the backend and what it says of them: `busy` while one lasts, and `message`
 * (its `Banner`), where an error is worded in the guardian's language. */
export class Action {
  busy = $state(false);
  /** What the call under way is about (a device, a provider), to mark its button. */
  about = $state<string | null>(null);
  message = $state<Message | null>(null);
  readonly #locale: () => Locale;

  constructor(locale: () => Locale) {
    this.#locale = locale;
  }

  /** Makes one call unless one is under way: the message is cleared (unless `keep`), the panel
   * busy until the answer, whose data goes to `ok` (awaited). True when the call went through. */
  async run<T>(
    call: () => Promise<Result<T>>,
    ok?: (data: T) => unknown,
    options: { about?: string; keep?: boolean } = {},
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.about = options.about ?? null;
    if (!options.keep) this.message = null;
    const result = await call();
    this.busy = false;
    this.about = null;
    if (!this.show(result)) return false;
    await ok?.(result.data);
    return true;
  }

  /** An answer's data to `ok`, or its error as the message; whether it was ok. */
  show<T>(result: Result<T>, ok?: (data: T) => void): result is Extract<Result<T>, { status: "ok" }> {
    if (result.status === "error") {
      this.message = errorBanner(this.#locale(), result.error);
      return false;
    }
    ok?.(result.data);
    return true;
  }

  info(text: string) {
    this.message = { kind: "info", text };
  }

  error(text: string) {
    this.message = { kind: "error", text };
  }
}
