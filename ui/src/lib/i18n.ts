// Every string the UI shows comes from the catalogues in i18n/ (en.ts, zh-CN.ts); this file picks
// the language and fills in the words. Plurals and dates go through Intl.

import { LIMITS, type ErrorKind, type Refusal_Serialize as Refusal } from "../bindings";
import { en } from "./i18n/en";
import { zhCN } from "./i18n/zh-CN";
import type { Message } from "./message";

export type Locale = "en" | "zh-CN";

type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Entry = string | Plural;

export type MessageKey = keyof typeof en;

const catalogues: Record<Locale, Record<MessageKey, Entry>> = { en, "zh-CN": zhCN };

/** One language's whole catalogue, for tests that compare the languages. */
export function catalogue(locale: Locale): Readonly<Record<MessageKey, Entry>> {
  return catalogues[locale];
}

/** The OS (browser) language decides, until the guardian chooses. */
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];
const CHOSEN = "guardian.locale";

/** The language the guardian chose in the app, else the OS language (zh-CN for any Chinese). */
export function detectLocale(languages: readonly string[] = navigator.languages ?? []): Locale {
  const chosen = globalThis.localStorage?.getItem(CHOSEN);
  if (chosen === "en" || chosen === "zh-CN") return chosen;
  return languages.some((l) => l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

/** Keeps the guardian's choice of language on this computer (the choice itself, nothing else). */
export function chooseLocale(locale: Locale): Locale {
  globalThis.localStorage?.setItem(CHOSEN, locale);
  return locale;
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

/** A provider's word (`prefix.value` in the catalogue) in the guardian's language, or the word itself. */
export function wordFor(locale: Locale, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? translate(locale, key) : value;
}

/** The limits the catalogue's words mention ({pinDigits}…), from the provider's constants. */
const LIMIT_PARAMS: Record<string, number> = {
  pinDigits: LIMITS.pin_digits,
  smsCodeDigits: LIMITS.sms_code_digits,
  evidenceMax: LIMITS.max_evidence_chars,
};

export function translate(
  locale: Locale,
  key: MessageKey,
  given: Record<string, string | number> = {},
): string {
  const params = { ...LIMIT_PARAMS, ...given };
  const entry = catalogues[locale][key] ?? en[key];
  let text: string;
  if (typeof entry === "string") {
    text = entry;
  } else {
    const count = Number(params.count ?? 0);
    const rule = reuse(`plural ${locale}`, () => new Intl.PluralRules(locale)).select(count);
    text = entry[rule] ?? entry.other;
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === "number" ? reuse(`number ${locale}`, () => new Intl.NumberFormat(locale)).format(value) : value;
  });
}

/** Intl formatters are slow to make and cheap to use: each is made once per locale and style (a
 * screen of 50 rows would otherwise make hundreds). */
const formatters = new Map<string, unknown>();
function reuse<T>(key: string, make: () => T): T {
  if (!formatters.has(key)) formatters.set(key, make());
  return formatters.get(key) as T;
}

export function formatDateTime(locale: Locale, iso: string): string {
  return reuse(`datetime ${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" })).format(
    new Date(iso),
  );
}

/** A calendar day (`YYYY-MM-DD`), the same wherever the computer is. */
export function formatDay(locale: Locale, day: string): string {
  return reuse(
    `day ${locale}`,
    () => new Intl.DateTimeFormat(locale, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" }),
  ).format(
    new Date(`${day}T00:00:00Z`),
  );
}

export function formatDate(locale: Locale, iso: string): string {
  return reuse(`date ${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium" })).format(new Date(iso));
}

/** The error kinds that mean "the provider could not be used": the cache is shown, decisions wait. */
const UNAVAILABLE: Record<ErrorKind, boolean> = {
  sign_in_required: false,
  invalid_credentials: false,
  invalid_provider_url: false,
  offline: true,
  provider_timeout: true,
  provider_unavailable: true,
  provider_busy: true,
  provider_response: true,
  provider_error: false,
  provider_redirect: false,
  secure_storage: false,
  local_cache: false,
  demo_provider: false,
  no_provider: false,
  invalid_input: false,
  file: false,
  archive_invalid: false,
  account_deleted: false,
};

export function isUnavailable(error: { code: ErrorKind } | null | undefined): boolean {
  return !!error && UNAVAILABLE[error.code];
}

/** A wait as the guardian reads it: `m:ss`, or `h:mm:ss` from an hour. */
export function formatWait(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * A provider's refusal in the guardian's language, from its code and facts (never the provider's
 * own words); `secondsLeft` is what remains of a lock or wait, for a countdown.
 */
export function refusalMessage(locale: Locale, refusal: Refusal, secondsLeft = refusal.retry_after_seconds): string {
  const wait = secondsLeft ?? null;
  switch (refusal.code) {
    case "pin_incorrect":
      return refusal.attempts_left === null
        ? translate(locale, "refusal.pin_incorrect.noCount")
        : translate(locale, "refusal.pin_incorrect", { count: refusal.attempts_left });
    case "pin_locked":
      return refusal.reset_required || wait === null
        ? translate(locale, "refusal.pin_locked.reset")
        : translate(locale, "refusal.pin_locked", { time: formatWait(wait) });
    case "rate_limited":
      return wait === null || wait <= 0
        ? translate(locale, "refusal.rate_limited.now")
        : translate(locale, "refusal.rate_limited", { time: formatWait(wait) });
    case "validation":
      return refusal.field === null
        ? translate(locale, "refusal.validation")
        : translate(locale, "refusal.validation.field", { field: refusal.field });
    default:
      return translate(locale, REFUSAL_KEYS[refusal.code]);
  }
}

/** The catalogue entry of each provider code (the table fails to compile when a code is added). */
const REFUSAL_KEYS: Record<Refusal["code"], MessageKey> = {
  bad_request: "refusal.bad_request",
  validation: "refusal.validation",
  invalid_credentials: "refusal.invalid_credentials",
  unauthorized: "refusal.unauthorized",
  token_reused: "refusal.token_reused",
  forbidden: "refusal.forbidden",
  not_found: "refusal.not_found",
  conflict: "refusal.conflict",
  precondition_failed: "refusal.precondition_failed",
  payload_too_large: "refusal.payload_too_large",
  rate_limited: "refusal.rate_limited",
  cursor_expired: "refusal.cursor_expired",
  pin_incorrect: "refusal.pin_incorrect",
  pin_locked: "refusal.pin_locked",
  pin_not_set: "refusal.pin_not_set",
  idempotency_mismatch: "refusal.idempotency_mismatch",
  idempotency_key_required: "refusal.idempotency_key_required",
  reauth_required: "refusal.reauth_required",
  phone_binding_required: "refusal.phone_binding_required",
  internal: "refusal.internal",
  unavailable: "refusal.unavailable",
  unknown: "refusal.unknown",
};

/** Every provider code the catalogue words (for the test that walks the contract's codes). */
export const REFUSAL_CODES = Object.keys(REFUSAL_KEYS) as Refusal["code"][];

/**
 * An error as a banner: a provider's refusal worded from its code and facts, with a lock or
 * wait counted down; any other error from its code.
 */
export function errorBanner(locale: Locale, error: AppErrorLike): Message {
  return error.refusal ? refusalBanner(locale, error.refusal) : { kind: "error", text: errorMessage(locale, error) };
}

/** A provider's refusal as a banner, a lock or wait counted down. */
export function refusalBanner(locale: Locale, refusal: Refusal): Message {
  const seconds = refusal.retry_after_seconds;
  return {
    kind: "error",
    text: refusalMessage(locale, refusal),
    countdown: seconds === null ? undefined : { seconds, render: (left) => refusalMessage(locale, refusal, left) },
  };
}

type AppErrorLike = { code: ErrorKind; message: string; refusal?: Refusal | null };

export function errorMessage(locale: Locale, error: AppErrorLike): string {
  if (error.refusal) return refusalMessage(locale, error.refusal);
  const key = `error.${error.code}`;
  // Codes whose wording needs the backend's detail (a wrong typed name, the provider's reason)
  // carry it as {message}; the others ignore it.
  return translate(locale, isMessageKey(key) ? key : "error.generic", { message: error.message });
}
