import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { dashboard, fakeApi } from "./test-fakes";

afterEach(cleanup);

describe("help from support", () => {
  it("saves a diagnostics bundle and says where, without naming anyone", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByTestId("save-diagnostics"));
    await waitFor(() =>
      expect(screen.getByTestId("support-message").textContent).toContain("guardian-diagnostics-20261123-090000.zip"),
    );
    expect(api.saveDiagnostics).toHaveBeenCalledTimes(1);
  });

  it("records a session until it is stopped", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const button = await screen.findByTestId("record-session");
    expect(button.getAttribute("aria-pressed")).toBe("false");
    await fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute("aria-pressed")).toBe("true"));
    expect(api.setRecording).toHaveBeenLastCalledWith(true);
    expect(screen.getByTestId("support-message").textContent).toContain("guardian-session-");
    await fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute("aria-pressed")).toBe("false"));
    expect(api.setRecording).toHaveBeenLastCalledWith(false);
    expect(screen.getByTestId("support-message").textContent).toBe("Recording stopped.");
  });
});
