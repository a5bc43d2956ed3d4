import { describe, expect, it, vi } from "vitest";
import { Action } from "./action.svelte";
import type { Result } from "./api";
import { errorBanner } from "./i18n";

const refused = { code: "invalid_credentials", refusal: null, message: "no" } as const;

/** A call that answers when the test says so. */
function pending<T>() {
  let answer!: (result: Result<T>) => void;
  const call = vi.fn(() => new Promise<Result<T>>((resolve) => (answer = resolve)));
  return { call, answer: (result: Result<T>) => answer(result) };
}

describe("Action.run", () => {
  it("is busy (about what was named) while the call lasts, clears the message, and hands the data on", async () => {
    const action = new Action(() => "en");
    action.info("earlier news");
    const { call, answer } = pending<number>();
    const ok = vi.fn();
    const running = action.run(call, ok, { about: "device-1" });
    expect([action.busy, action.about, action.message]).toEqual([true, "device-1", null]);
    answer({ status: "ok", data: 42 });
    expect(await running).toBe(true);
    expect(ok).toHaveBeenCalledWith(42);
    expect([action.busy, action.about, action.message]).toEqual([false, null, null]);
  });

  it("shows an error as a banner in the guardian's language and does not call ok", async () => {
    const action = new Action(() => "zh-CN");
    const ok = vi.fn();
    const done = await action.run(async (): Promise<Result<number>> => ({ status: "error", error: refused }), ok);
    expect(done).toBe(false);
    expect(ok).not.toHaveBeenCalled();
    expect(action.busy).toBe(false);
    expect(action.message).toEqual(errorBanner("zh-CN", refused));
    expect(action.message?.kind).toBe("error");
  });

  it("keeps the message while the call lasts when asked, and waits for ok", async () => {
    const action = new Action(() => "en");
    action.error("fill in the name");
    const { call, answer } = pending<string>();
    let loaded = false;
    const running = action.run(call, async (data) => {
      await Promise.resolve();
      loaded = true;
      action.info(`saved ${data}`);
    }, { keep: true });
    expect(action.message).toEqual({ kind: "error", text: "fill in the name" });
    answer({ status: "ok", data: "Leo" });
    expect(await running).toBe(true);
    expect(loaded).toBe(true);
    expect(action.message).toEqual({ kind: "info", text: "saved Leo" });
  });

  it("makes no second call while one is under way", async () => {
    const action = new Action(() => "en");
    const first = pending<null>();
    const running = action.run(first.call);
    const second = vi.fn(async (): Promise<Result<null>> => ({ status: "ok", data: null }));
    expect(await action.run(second)).toBe(false);
    expect(second).not.toHaveBeenCalled();
    first.answer({ status: "ok", data: null });
    expect(await running).toBe(true);
  });
});

describe("Action.show", () => {
  it("hands an answer's data on and leaves the message; an error becomes the message", () => {
    const action = new Action(() => "en");
    action.info("kept");
    const ok = vi.fn();
    expect(action.show({ status: "ok", data: [1, 2] }, ok)).toBe(true);
    expect(ok).toHaveBeenCalledWith([1, 2]);
    expect(action.message).toEqual({ kind: "info", text: "kept" });
    expect(action.show({ status: "error", error: refused }, ok)).toBe(false);
    expect(ok).toHaveBeenCalledTimes(1);
    expect(action.message).toEqual(errorBanner("en", refused));
    expect(action.busy).toBe(false);
  });
});
