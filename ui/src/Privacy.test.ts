import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { Api, ExportProgressed, ExportSaved, PolicyView, Result } from "./lib/api";
import { formatDateTime, type Locale } from "./lib/i18n";
import { dashboard, deletionInfo, deletionView, fakeApi, ok } from "./test-fakes";

afterEach(cleanup);

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function openPrivacy(api: Api, name = "Leo", locale: Locale = "en") {
  render(App, { api, locale });
  // A child card's button is named by what it shows, the child's name first.
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await fireEvent.click(await screen.findByRole("button", { name: new RegExp(`^${escaped}`) }));
  const toggle = await screen.findByTestId("privacy-open");
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  await fireEvent.click(toggle);
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
  return screen.findByTestId("privacy-panel");
}

async function openWizard(api: Api, name = "Leo") {
  await openPrivacy(api, name);
  await fireEvent.click(screen.getByTestId("delete-account"));
  const wizard = await screen.findByRole("dialog", { name: `Delete ${name}'s account` });
  expect(wizard.getAttribute("aria-modal")).toBe("true");
  return wizard;
}

const input = (element: HTMLElement, value: string) => fireEvent.input(element, { target: { value } });

/** Walks the wizard to its last step before submitting, typing what is given. */
async function walkToConfirm(wizard: HTMLElement, password = "hunter2", pin = "4321") {
  const w = within(wizard);
  await w.findByText("Step 1 of 5");
  await fireEvent.click(w.getByTestId("wizard-next"));
  await w.findByText("Step 2 of 5");
  await fireEvent.click(w.getByTestId("wizard-next"));
  await w.findByText("Step 3 of 5");
  await input(w.getByTestId("deletion-password"), password);
  await input(w.getByTestId("deletion-pin"), pin);
  await fireEvent.click(w.getByTestId("wizard-next"));
  await w.findByText("Step 4 of 5");
}

describe("consents", () => {
  it("withdraws with one click, says what withdrawal means, and keeps the history", async () => {
    const api = fakeApi(dashboard());
    await openPrivacy(api);
    const row = await screen.findByTestId("consent-row-analytics");
    expect(row.textContent).toContain("Usage statistics");
    expect(row.textContent).toContain("Counts how the app is used, to improve it.");
    expect(api.getConsents).toHaveBeenCalledWith("c1");

    const toggle = within(row).getByRole("button", { name: "Withdraw consent: Usage statistics" });
    await fireEvent.click(toggle);
    await waitFor(() => expect(api.setConsent).toHaveBeenCalledWith("c1", "analytics", false));
    await within(row).findByText("Withdrawn. From now on the service must stop; what it did before stays lawful.");
    expect(within(row).getByTestId("consent-state").textContent).toContain("Withdrawn since");
    expect(screen.getByTestId("consent-toggle-analytics").textContent?.trim()).toBe("Give consent");
    // The other purposes are untouched and say nothing.
    const crash = screen.getByTestId("consent-row-crash_reporting");
    expect(within(crash).getByTestId("consent-toggle-crash_reporting").textContent?.trim()).toBe("Withdraw consent");
    expect(crash.textContent).not.toContain("Withdrawn.");

    const history = screen.getByTestId("consent-history");
    expect(history.tagName).toBe("DETAILS");
    const rows = Array.from(history.querySelectorAll("tbody tr"));
    expect(rows.length).toBe(6);
    // Newest first: the withdrawal just made, under the policy version of the time.
    expect(rows[0].textContent).toContain("Usage statistics");
    expect(rows[0].textContent).toContain("Withdrawn");
    expect(rows[0].textContent).toContain("2026-01");
    expect(rows[5].textContent).toContain("2025-06");

    // Giving it back is just as easy.
    await fireEvent.click(screen.getByTestId("consent-toggle-analytics"));
    await waitFor(() => expect(api.setConsent).toHaveBeenLastCalledWith("c1", "analytics", true));
    await within(row).findByText("Consent given. You can withdraw it at any time.");
  });

  it("says nothing was sent when the provider cannot be reached", async () => {
    const api = fakeApi(dashboard(), {
      setConsent: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    await openPrivacy(api);
    await fireEvent.click(await screen.findByTestId("consent-toggle-sms_verification"));
    expect((await screen.findByTestId("consent-error")).textContent).toContain("nothing was sent");
    expect(screen.getByTestId("consent-toggle-sms_verification").textContent?.trim()).toBe("Withdraw consent");
  });
});

describe("export", () => {
  it("shows progress from the backend's events, then where the checked file was saved", async () => {
    let emit: (progress: ExportProgressed) => void = () => {};
    const stop = vi.fn();
    const result = deferred<Result<ExportSaved>>();
    const api = fakeApi(dashboard(), {
      onExportProgressed: vi.fn((handler: (progress: ExportProgressed) => void) => {
        emit = handler;
        return stop;
      }),
      exportChild: vi.fn(() => result.promise),
    });
    await openPrivacy(api);
    const button = screen.getByTestId("export-button") as HTMLButtonElement;
    expect(button.textContent?.trim()).toBe("Export Leo's data");
    await fireEvent.click(button);
    expect(api.exportChild).toHaveBeenCalledWith("c1", "en");
    expect(button.disabled).toBe(true);

    const bar = (await screen.findByTestId("export-progress")) as HTMLProgressElement;
    expect(bar.tagName).toBe("PROGRESS");
    expect(bar.max).toBe(100);
    expect(screen.getByLabelText("Preparing… 0%")).toBe(bar);

    emit({ child_id: "c1", stage: "downloading", percent: 40 });
    await tick();
    expect(bar.value).toBe(40);
    expect(screen.getByLabelText("Downloading… 40%")).toBe(bar);

    // Another child's export does not move this bar.
    emit({ child_id: "c2", stage: "verifying", percent: 90 });
    await tick();
    expect(bar.value).toBe(40);

    emit({ child_id: "c1", stage: "verifying", percent: 100 });
    await tick();
    expect(screen.getByLabelText("Checking… 100%")).toBe(bar);

    result.resolve(ok({ path: "/home/p/Downloads/guardian-export-Leo-2026-11-23.zip", files: 12 }));
    const done = await screen.findByTestId("export-done");
    expect(done.textContent?.trim()).toBe(
      "Saved to /home/p/Downloads/guardian-export-Leo-2026-11-23.zip — 12 files, checked.",
    );
    expect(screen.queryByTestId("export-progress")).toBeNull();
    expect(button.disabled).toBe(false);

    // Closing the panel stops listening.
    await fireEvent.click(screen.getByTestId("privacy-open"));
    expect(stop).toHaveBeenCalled();
  });

  it("asks for the export in the UI's language and words a failed check", async () => {
    const api = fakeApi(dashboard(), {
      exportChild: vi.fn(async () => ({ status: "error", error: { code: "archive_invalid", refusal: null, message: "sha256 mismatch" } }) as const),
    });
    await openPrivacy(api, "Leo", "zh-CN");
    await fireEvent.click(screen.getByTestId("export-button"));
    expect(api.exportChild).toHaveBeenCalledWith("c1", "zh-CN");
    expect((await screen.findByRole("alert")).textContent).toContain("副本未通过校验");
    expect(screen.queryByTestId("export-done")).toBeNull();
  });
});

describe("deletion wizard", () => {
  it("explains, verifies, submits only with the exact name, and can be cancelled", async () => {
    const api = fakeApi(dashboard());
    const wizard = await openWizard(api);
    const w = within(wizard);

    // Step 1: what is deleted, and what the provider keeps.
    await w.findByText("Step 1 of 5");
    const notes = w.getAllByTestId("retention-note");
    expect(notes.length).toBe(2);
    expect(notes[0].textContent).toContain("Reports of abuse");
    expect(notes[0].textContent).toContain("Kept: 180 days");
    expect(notes[0].textContent).toContain("To protect other children");
    expect(notes[1].textContent).toContain("Kept: while a legal hold lasts");
    expect(wizard.textContent).toContain("Uninstalling Guardian or the kids' app does not delete anything.");
    expect(wizard.textContent).toContain("Deletion also withdraws all consent.");
    expect(w.queryByTestId("wizard-back")).toBeNull();
    await fireEvent.click(w.getByTestId("wizard-next"));

    // Step 2: an optional export. Focus follows to the new step's heading.
    await w.findByText("Step 2 of 5");
    expect(document.activeElement?.textContent).toBe("Before you go");
    w.getByRole("button", { name: "Export first" });
    expect(wizard.textContent).toContain("This is optional.");
    await fireEvent.click(w.getByTestId("wizard-back"));
    await w.findByText("Step 1 of 5");
    await fireEvent.click(w.getByTestId("wizard-next"));
    await fireEvent.click(await w.findByTestId("wizard-next"));

    // Step 3: password and PIN, checked before going on.
    await w.findByText("Step 3 of 5");
    const password = w.getByLabelText("Your password") as HTMLInputElement;
    const pin = w.getByLabelText("Parental PIN for Leo") as HTMLInputElement;
    expect(password.type).toBe("password");
    expect(password.getAttribute("autocomplete")).toBe("current-password");
    expect(pin.type).toBe("password");
    expect(pin.getAttribute("inputmode")).toBe("numeric");
    expect(pin.maxLength).toBe(4);
    expect(pin.getAttribute("pattern")).toBe("[0-9]{4}");
    await fireEvent.click(w.getByTestId("wizard-next"));
    expect(w.getByRole("alert").textContent).toContain("Enter your password.");
    await input(password, "hunter2");
    await input(pin, "12");
    await fireEvent.click(w.getByTestId("wizard-next"));
    expect(w.getByRole("alert").textContent).toContain("The PIN is exactly 4 digits.");
    w.getByText("Step 3 of 5");
    await input(pin, "4321");
    await fireEvent.click(w.getByTestId("wizard-next"));

    // Step 4: the exact name, or nothing is sent.
    await w.findByText("Step 4 of 5");
    const submit = w.getByTestId("deletion-submit") as HTMLButtonElement;
    const typed = w.getByLabelText("Type Leo to confirm") as HTMLInputElement;
    expect(submit.disabled).toBe(true);
    await input(typed, "leo");
    expect(submit.disabled).toBe(true);
    await fireEvent.submit(submit.form!);
    await fireEvent.click(submit);
    expect(api.requestChildDeletion).not.toHaveBeenCalled();
    await input(typed, "Leo");
    expect(submit.disabled).toBe(false);
    await fireEvent.click(submit);
    await waitFor(() => expect(api.requestChildDeletion).toHaveBeenCalledWith("c1", "Leo", { kind: "password", secret: "hunter2" }, "4321"));
    expect(api.requestChildDeletion).toHaveBeenCalledTimes(1);

    // Step 5: the cooling-off period, and a way back.
    const status = await w.findByTestId("deletion-status");
    w.getByText("Step 5 of 5");
    expect(status.textContent).toContain("Waiting period — you can still cancel");
    expect(wizard.textContent).toContain(
      `Nothing is deleted until ${formatDateTime("en", "2026-12-07T10:00:00Z")}; you can cancel until then.`,
    );
    expect(wizard.textContent).toContain(
      `The provider must complete it by ${formatDateTime("en", "2026-12-23T10:00:00Z")}.`,
    );
    expect(w.queryByTestId("deletion-password")).toBeNull();
    await fireEvent.click(w.getByTestId("deletion-cancel"));
    await waitFor(() => expect(api.cancelDeletion).toHaveBeenCalledWith("del-1"));
    await waitFor(() => expect(status.textContent).toContain("Cancelled — nothing was deleted"));
    expect(w.queryByTestId("deletion-cancel")).toBeNull();
  });

  it("asks again for the password and PIN when the provider refuses, in its words", async () => {
    const api = fakeApi(dashboard(), {
      requestChildDeletion: vi.fn(
        async () =>
          ({
            status: "error",
            error: { code: "provider_error", refusal: null, message: "the provider refused the request: the parental PIN is not correct" },
          }) as const,
      ),
    });
    const wizard = await openWizard(api);
    const w = within(wizard);
    await walkToConfirm(wizard, "hunter2", "0000");
    await input(w.getByTestId("deletion-typed-name"), " Leo ");
    await fireEvent.click(w.getByTestId("deletion-submit"));
    await waitFor(() => expect(api.requestChildDeletion).toHaveBeenCalledWith("c1", " Leo ", { kind: "password", secret: "hunter2" }, "0000"));
    await w.findByText("Step 3 of 5");
    expect(w.getByTestId("deletion-error").textContent).toContain("the parental PIN is not correct");
    // The secrets were used up: they are not kept.
    expect((w.getByTestId("deletion-password") as HTMLInputElement).value).toBe("");
    expect((w.getByTestId("deletion-pin") as HTMLInputElement).value).toBe("");
    expect(w.queryByTestId("deletion-status")).toBeNull();
  });

  it("goes straight to a deletion already waiting for this child", async () => {
    const api = fakeApi(dashboard(), {
      deletionInfo: vi.fn(async () =>
        ok(
          deletionInfo([
            deletionView({ id: "del-mei", child_id: "c2" }),
            deletionView({ id: "del-old", child_id: "c1", status: "cancelled" }),
            deletionView({ id: "del-leo", child_id: "c1" }),
          ]),
        ),
      ),
    });
    const wizard = await openWizard(api);
    const w = within(wizard);
    expect((await w.findByTestId("deletion-status")).textContent).toContain("Waiting period");
    w.getByText("Step 5 of 5");
    await fireEvent.click(w.getByTestId("deletion-cancel"));
    await waitFor(() => expect(api.cancelDeletion).toHaveBeenCalledWith("del-leo"));
    expect(api.requestChildDeletion).not.toHaveBeenCalled();
  });

  it("leaves without submitting anything, by Close or by Escape", async () => {
    const api = fakeApi(dashboard());
    let wizard = await openWizard(api);
    await walkToConfirm(wizard);
    await input(within(wizard).getByTestId("deletion-typed-name"), "Leo");
    expect((within(wizard).getByTestId("deletion-submit") as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(within(wizard).getByTestId("wizard-close"));
    expect(screen.queryByTestId("deletion-wizard")).toBeNull();

    // Opened again, it starts afresh, with nothing remembered.
    await fireEvent.click(screen.getByTestId("delete-account"));
    wizard = await screen.findByTestId("deletion-wizard");
    const w = within(wizard);
    await w.findByText("Step 1 of 5");
    await fireEvent.click(w.getByTestId("wizard-next"));
    await fireEvent.click(await w.findByTestId("wizard-next"));
    await w.findByText("Step 3 of 5");
    expect((w.getByTestId("deletion-password") as HTMLInputElement).value).toBe("");
    expect((w.getByTestId("deletion-pin") as HTMLInputElement).value).toBe("");
    await fireEvent.keyDown(wizard, { key: "Escape" });
    expect(screen.queryByTestId("deletion-wizard")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("delete-account"));

    expect(api.requestChildDeletion).not.toHaveBeenCalled();
    expect(api.cancelDeletion).not.toHaveBeenCalled();
  });
});

describe("names from the provider", () => {
  it("are shown as text in the privacy panel and the wizard, never as markup", async () => {
    const hostile = '<img src=x onerror="window.pwned=1">';
    const api = fakeApi(dashboard({}, ["Ava", hostile]));
    const panel = await openPrivacy(api, hostile);
    expect(screen.getByTestId("export-button").textContent?.trim()).toBe(`Export ${hostile}'s data`);
    await fireEvent.click(screen.getByTestId("delete-account"));
    const wizard = await screen.findByRole("dialog", { name: `Delete ${hostile}'s account` });
    expect(panel.querySelector("img")).toBeNull();
    expect(wizard.querySelector("img")).toBeNull();
  });

  it("shows the categories a completed deletion removed in words", async () => {
    const api = fakeApi(dashboard(), {
      deletionInfo: vi.fn(async () => ok(deletionInfo())),
      requestChildDeletion: vi.fn(async () =>
        ok(deletionView({ status: "completed", completed_at: "2026-12-08T10:00:00Z", deleted: ["profile", "parental_pin", "brand_new"] })),
      ),
    });
    const wizard = await openWizard(api);
    await walkToConfirm(wizard);
    await input(within(wizard).getByTestId("deletion-typed-name"), "Leo");
    await fireEvent.click(within(wizard).getByTestId("deletion-submit"));
    expect((await within(wizard).findByTestId("deletion-status")).textContent?.trim()).toBe("Deleted");
    expect(within(wizard).queryByTestId("deletion-cancel")).toBeNull();
    const items = within(wizard).getAllByRole("listitem").map((li) => li.textContent?.trim());
    expect(items).toEqual(expect.arrayContaining(["Profile", "Parental PIN", "brand_new"]));
  });
});

const inForce: PolicyView = {
  version: "2026-01",
  effective_at: "2026-01-01T00:00:00Z",
  major: false,
  summary: "Our first policy.",
  text: "We protect children.\nReports are kept 30 days.",
  acknowledged_at: "2026-01-02T00:00:00Z",
  state: "in_force",
  changes: [],
};

function pending(major: boolean, acknowledged_at: string | null = null): PolicyView {
  return {
    version: "2026-12",
    effective_at: "2026-12-15T00:00:00Z",
    major,
    summary: "Reports of abuse are kept longer.",
    text: "We protect children.\nReports are kept 180 days.",
    acknowledged_at,
    state: "pending",
    changes: [
      { kind: "same", text: "We protect children." },
      { kind: "removed", text: "Reports are kept 30 days." },
      { kind: "added", text: "Reports are kept 180 days." },
    ],
  };
}

/** A provider that remembers the acknowledgement. */
function policyApi(major: boolean) {
  let acknowledged: string | null = null;
  return fakeApi(dashboard(), {
    listPolicies: vi.fn(async () => ok([inForce, pending(major, acknowledged)])),
    acknowledgePolicy: vi.fn(async () => {
      acknowledged = "2026-11-23T12:00:00Z";
      return ok(null);
    }),
  });
}

describe("policy notice", () => {
  it("shows a major change as a modal with the diff, until it is acknowledged", async () => {
    const api = policyApi(true);
    render(App, { api, locale: "en" });
    const dialog = await screen.findByRole("dialog", { name: "The privacy policy is changing" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.getAttribute("data-testid")).toBe("policy-notice");
    expect(dialog.textContent).toContain("Reports of abuse are kept longer.");
    expect(dialog.textContent).toContain(`Version 2026-12 takes effect ${formatDateTime("en", "2026-12-15T00:00:00Z")}.`);

    const lines = within(within(dialog).getByTestId("policy-diff")).getAllByRole("listitem");
    expect(lines.length).toBe(3);
    expect(within(lines[0]).queryByRole("img")).toBeNull();
    expect(within(lines[1]).getByRole("img", { name: "removed" }).textContent).toBe("−");
    expect(lines[1].textContent).toContain("Reports are kept 30 days.");
    expect(within(lines[2]).getByRole("img", { name: "added" }).textContent).toBe("+");
    expect(lines[2].textContent).toContain("Reports are kept 180 days.");

    await fireEvent.click(within(dialog).getByTestId("policy-ack"));
    await waitFor(() => expect(api.acknowledgePolicy).toHaveBeenCalledWith("2026-12"));
    await waitFor(() => expect(screen.queryByTestId("policy-notice")).toBeNull());
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows a minor change as a banner to read and acknowledge", async () => {
    const api = policyApi(false);
    render(App, { api, locale: "en" });
    const notice = await screen.findByTestId("policy-notice");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(within(notice).queryByTestId("policy-diff")).toBeNull();
    const read = within(notice).getByRole("button", { name: "Read" });
    expect(read.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(read);
    expect(read.getAttribute("aria-expanded")).toBe("true");
    expect(within(notice).getByTestId("policy-diff").textContent).toContain("Reports are kept 180 days.");
    await fireEvent.click(within(notice).getByTestId("policy-ack"));
    await waitFor(() => expect(api.acknowledgePolicy).toHaveBeenCalledWith("2026-12"));
    await waitFor(() => expect(screen.queryByTestId("policy-notice")).toBeNull());
  });

  it("says nothing about policies already read, and looks again after a sync", async () => {
    let current = dashboard();
    let policies = [inForce, pending(true, "2026-11-20T00:00:00Z")];
    let synced: () => void = () => {};
    const api = fakeApi(current, {
      getDashboard: vi.fn(async () => ok(current)),
      listPolicies: vi.fn(async () => ok(policies)),
      onSyncFinished: vi.fn((handler: () => void) => {
        synced = handler;
        return () => {};
      }),
    });
    render(App, { api, locale: "en" });
    await screen.findAllByTestId("child-card");
    await waitFor(() => expect(api.listPolicies).toHaveBeenCalled());
    expect(screen.queryByTestId("policy-notice")).toBeNull();

    // The provider announces a new version; the next sync brings it.
    policies = [inForce, { ...pending(true), version: "2027-03" }];
    current = dashboard({ last_synced: "2026-11-23T10:00:00Z" });
    synced();
    await screen.findByRole("dialog", { name: "The privacy policy is changing" });
  });
});

describe("deletion by category", () => {
  it("shows what goes and what stays, asks for the password, then shows the receipt", async () => {
    const api = fakeApi(dashboard());
    await openPrivacy(api);
    const rows = await screen.findAllByTestId("data-category");
    expect(rows.map((r) => r.getAttribute("data-category"))).toEqual(["activity", "resolved_reports"]);
    expect(rows[0].textContent).toContain("Activity history");
    expect(rows[0].textContent).toContain("140 items");
    expect(rows[0].textContent).toContain("Nothing of it is kept.");
    expect(rows[1].textContent).toContain("(365 days)");
    // Nothing to delete: the button says so and cannot be pressed.
    const empty = within(rows[1]).getByTestId("data-delete") as HTMLButtonElement;
    expect(empty.disabled).toBe(true);

    await fireEvent.click(within(rows[0]).getByRole("button", { name: "Delete Activity history" }));
    const form = await screen.findByTestId("data-confirm");
    expect(form.textContent).toContain("140 items of Activity history will be deleted for good.");
    // No password: nothing is sent.
    await fireEvent.click(within(form).getByTestId("data-delete-confirm"));
    expect(api.deleteData).not.toHaveBeenCalled();
    expect((await screen.findByTestId("data-message")).textContent).toContain("Nothing was deleted");

    await input(within(form).getByTestId("data-password"), "hunter2");
    await fireEvent.click(within(form).getByTestId("data-delete-confirm"));
    await waitFor(() => expect(api.deleteData).toHaveBeenCalledWith("c1", "activity", { kind: "password", secret: "hunter2" }));
    const message = await screen.findByTestId("data-message");
    await waitFor(() => expect(message.textContent).toContain("Deleted 140 items of Activity history"));
    expect(screen.queryByTestId("data-confirm")).toBeNull();
    await waitFor(() => expect(api.listDataCategories).toHaveBeenCalledTimes(2));
  });

  it("keeps the form open with the provider's words when the password is wrong", async () => {
    const api = fakeApi(dashboard(), {
      deleteData: vi.fn(
        async () => ({ status: "error", error: { code: "invalid_input", refusal: null, message: "the password is not correct" } }) as const,
      ),
    });
    await openPrivacy(api);
    const rows = await screen.findAllByTestId("data-category");
    await fireEvent.click(within(rows[0]).getByTestId("data-delete"));
    const form = await screen.findByTestId("data-confirm");
    await input(within(form).getByTestId("data-password"), "wrong");
    await fireEvent.click(within(form).getByTestId("data-delete-confirm"));
    const message = await screen.findByTestId("data-message");
    await waitFor(() => expect(message.textContent).toContain("the password is not correct"));
    screen.getByTestId("data-confirm");
    expect((within(form).getByTestId("data-password") as HTMLInputElement).value).toBe("");
  });
  it("takes a code sent by SMS instead of the password, for a guardian who has none", async () => {
    const api = fakeApi(dashboard());
    await openPrivacy(api);
    const rows = await screen.findAllByTestId("data-category");
    await fireEvent.click(within(rows[0]).getByTestId("data-delete"));
    const form = await screen.findByTestId("data-confirm");
    within(form).getByText("Your Guardian password");
    await fireEvent.click(within(form).getByTestId("data-password-switch"));
    await waitFor(() => expect(api.sendReauthCode).toHaveBeenCalledTimes(1));
    expect((await within(form).findByTestId("data-password-note")).textContent).toContain("A code is on its way");
    const code = within(form).getByTestId("data-password") as HTMLInputElement;
    expect([code.type, code.autocomplete]).toEqual(["text", "one-time-code"]);
    await input(code, "123456");
    await fireEvent.click(within(form).getByTestId("data-delete-confirm"));
    await waitFor(() => expect(api.deleteData).toHaveBeenCalledWith("c1", "activity", { kind: "sms_code", secret: "123456" }));
  });
});

describe("export viewer", () => {
  it("lists saved exports, names a damaged one, opens one and compares it with the one before", async () => {
    const api = fakeApi(dashboard());
    await openPrivacy(api);
    const rows = await screen.findAllByTestId("saved-export");
    expect(rows).toHaveLength(3);
    expect(rows[2].textContent).toContain("cannot be opened: not a Guardian export");
    expect(within(rows[2]).queryByTestId("saved-export-open")).toBeNull();
    // The oldest good export has nothing before it to compare with.
    expect(within(rows[1]).queryByTestId("saved-export-compare")).toBeNull();

    await fireEvent.click(within(rows[1]).getByTestId("saved-export-open"));
    const view = await screen.findByTestId("export-view");
    expect(view.textContent).toContain("Leo");
    expect(view.textContent).toContain("140");
    expect(view.textContent).toContain("message content");

    await fireEvent.click(within(rows[0]).getByTestId("saved-export-compare"));
    await waitFor(() =>
      expect(api.compareSavedExports).toHaveBeenCalledWith("guardian-export-Leo-2026-11-30.zip", "guardian-export-Leo-2026-11-30-2.zip"),
    );
    const diff = await screen.findByTestId("export-diff");
    expect(diff.textContent).toContain("New contact: Oliver");
    expect(diff.textContent).toContain("Activity rows: 140 → 0");
    expect(screen.queryByTestId("export-view")).toBeNull();
  });
});
