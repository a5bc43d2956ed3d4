import { describe, expect, it } from "vitest";
import { catalogue, errorMessage } from "./lib/i18n";

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
