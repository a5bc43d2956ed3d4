import { render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import Banner from "./components/Banner.svelte";
import { errorBanner } from "./lib/i18n";

describe("a refusal with a lock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts the lock down on screen, in the guardian's language, and says it once to screen readers", async () => {
    const error = {
      code: "provider_error",
      message: "the provider refused the request: too many wrong PINs",
      refusal: { code: "pin_locked", attempts_left: null, retry_after_seconds: 125, reset_required: false, field: null },
    } as const;
    render(Banner, { message: errorBanner("zh-CN", error), testid: "m" });
    const shown = screen.getByTestId("m-countdown");
    expect(shown.textContent).toBe("PIN 错误次数过多，已被锁定。请在 2:05 后重试。");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(shown.textContent).toBe("PIN 错误次数过多，已被锁定。请在 2:00 后重试。");
    await vi.advanceTimersByTimeAsync(200_000);
    expect(shown.textContent).toContain("0:00");
    // The alert's spoken text stays the first sentence; only the screen ticks.
    expect(screen.getByRole("alert").textContent).toContain("请在 2:05 后重试");
    expect(screen.getByRole("alert").textContent).not.toContain("too many wrong PINs");
  });
});
