import type { ErrorKind } from "../bindings";
import { describe, expect, it } from "vitest";
import { detectLocale, errorMessage, translate } from "./i18n";

describe("i18n", () => {
  it("follows the OS language", () => {
    expect(detectLocale(["zh-CN", "en"])).toBe("zh-CN");
    expect(detectLocale(["zh-TW"])).toBe("zh-CN");
    expect(detectLocale(["en-GB"])).toBe("en");
    expect(detectLocale([])).toBe("en");
  });

  it("uses plural rules per language", () => {
    expect(translate("en", "child.pending", { count: 1 })).toBe("1 friend request waiting");
    expect(translate("en", "child.pending", { count: 2 })).toBe("2 friend requests waiting");
    expect(translate("zh-CN", "child.pending", { count: 2 })).toBe("2 个好友申请待处理");
    expect(translate("en", "child.age", { count: 13 })).toBe("13 years old");
  });

  it("maps error codes, and shows the backend's words for unknown codes", () => {
    expect(errorMessage("en", { code: "invalid_credentials", message: "x" })).toBe(
      "The phone number or password is not correct.",
    );
    // A newer engine's kind this UI does not know yet.
    expect(errorMessage("en", { code: "brand_new" as ErrorKind, message: "Provider says no" })).toBe(
      "Something went wrong: Provider says no",
    );
  });
});
