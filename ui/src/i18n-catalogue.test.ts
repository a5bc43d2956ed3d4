// The provider contract itself: the error codes are read from it, not copied.
import contract from "../../api/openapi.yaml?raw";
import { describe, expect, it } from "vitest";
import type { Refusal_Serialize } from "./bindings";
import { catalogue, errorMessage, REFUSAL_CODES, refusalMessage } from "./lib/i18n";

function placeholders(entry: string | Record<string, string | undefined>): string[] {
  const text = typeof entry === "string" ? entry : Object.values(entry).join(" ");
  return [...new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]))].sort();
}

describe("catalogues", () => {
  it("have the same keys and the same placeholders in both languages", () => {
    const en = catalogue("en");
    const zh = catalogue("zh-CN");
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("words the data-rights errors, with the backend's detail where it helps", () => {
    expect(errorMessage("en", { code: "invalid_input", message: "the password is not correct" })).toBe(
      "Please check what you entered: the password is not correct",
    );
    expect(
      errorMessage("en", { code: "provider_error", message: "the provider refused the request: PIN locked" }),
    ).toContain("PIN locked");
    expect(errorMessage("en", { code: "offline", message: "x" })).toContain("nothing was sent");
    expect(errorMessage("zh-CN", { code: "offline", message: "x" })).toContain("没有发送任何内容");
    expect(errorMessage("en", { code: "file", message: "could not save the file: disk full" })).toContain("disk full");
    expect(errorMessage("en", { code: "archive_invalid", message: "bad hash" })).toContain("did not pass its check");
  });
});

describe("provider refusals", () => {
  const listed = /enum: \[(bad_request[^\]]*)\]/.exec(contract)?.[1] ?? "";
  const codes = listed.split(",").map((code) => code.trim());

  const refusal = (code: string, facts: Partial<Refusal_Serialize> = {}): Refusal_Serialize => ({
    code: code as Refusal_Serialize["code"],
    attempts_left: null,
    retry_after_seconds: null,
    reset_required: false,
    field: null,
    ...facts,
  });

  it("words every error code of the contract in both languages, none with the catch-all", () => {
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      expect(REFUSAL_CODES, code).toContain(code);
      for (const locale of ["en", "zh-CN"] as const) {
        const words = refusalMessage(locale, refusal(code));
        expect(words, `${locale} ${code}`).not.toBe(refusalMessage(locale, refusal("unknown")));
        expect(words, `${locale} ${code}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it("says in Chinese how many PIN tries are left and how long a lock lasts", () => {
    expect(refusalMessage("zh-CN", refusal("pin_incorrect", { attempts_left: 2 }))).toBe(
      "PIN 不正确。PIN 锁定前还剩 2 次机会。",
    );
    expect(refusalMessage("zh-CN", refusal("pin_locked", { retry_after_seconds: 125 }))).toBe(
      "PIN 错误次数过多，已被锁定。请在 2:05 后重试。",
    );
    expect(refusalMessage("en", refusal("pin_incorrect", { attempts_left: 1 }))).toContain("1 try is left");
    expect(errorMessage("zh-CN", { code: "provider_error", message: "PIN locked", refusal: refusal("pin_locked", { reset_required: true }) })).not.toContain("PIN locked");
  });
});
