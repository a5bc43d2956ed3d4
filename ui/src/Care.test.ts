import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { Api } from "./lib/api";
import { formatDate, type Locale } from "./lib/i18n";
import { dashboard, fakeApi, ok, reportView } from "./test-fakes";

afterEach(cleanup);

async function openChild(api: Api, name = "Leo", locale: Locale = "en") {
  render(App, { api, locale });
  await fireEvent.click(await screen.findByRole("button", { name: new RegExp(`^${name}`) }));
  await screen.findByTestId("child-title");
}

const change = (element: HTMLElement, value: string) => fireEvent.change(element, { target: { value } });

describe("devices", () => {
  it("lists the devices and signs one out, saying so and reloading", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const list = await screen.findByTestId("devices");
    const rows = within(list).getAllByTestId("device");
    expect(rows.map((r) => r.getAttribute("data-device-id"))).toEqual(["dev-1", "dev-2"]);
    expect(rows[0].textContent).toContain("Leo's tablet");
    expect(rows[0].textContent).toContain("Android");
    expect(rows[0].textContent).toContain("last seen");
    expect(rows[0].textContent).toContain("Signed in");
    expect(rows[1].textContent).toContain("Signed out");
    // Only a signed-in device can be signed out.
    expect(within(rows[1]).queryByTestId("device-sign-out")).toBeNull();
    expect(api.listDevices).toHaveBeenCalledWith("c1");

    const button = within(rows[0]).getByRole("button", { name: "Sign out Leo's tablet" });
    await fireEvent.click(button);
    await waitFor(() => expect(api.signOutDevice).toHaveBeenCalledWith("c1", "dev-1"));
    const message = await screen.findByTestId("devices-message");
    expect(message.getAttribute("role")).toBe("status");
    expect(message.textContent?.trim()).toBe("Leo's tablet was signed out.");
    await waitFor(() => expect(api.listDevices).toHaveBeenCalledTimes(2));
  });

  it("words a failure to sign out", async () => {
    const api = fakeApi(dashboard(), {
      signOutDevice: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    await openChild(api);
    await fireEvent.click((await screen.findAllByTestId("device-sign-out"))[0]);
    const message = await screen.findByTestId("devices-message");
    expect(message.getAttribute("role")).toBe("alert");
    expect(message.textContent).toContain("nothing was sent");
  });
});

describe("reports", () => {
  it("tracks each report's status, deadline and outcome", async () => {
    const api = fakeApi(dashboard(), {
      listReports: vi.fn(async () =>
        ok([
          reportView(),
          reportView({
            id: "rep-2",
            category: "harassment",
            target_id: "u-gone",
            status: "reviewing",
            outcome: null,
            due_at: "2026-12-01T10:00:00Z",
            days_left: 8,
          }),
          reportView({ id: "rep-3", status: "submitted", outcome: null, days_left: -2 }),
        ]),
      ),
    });
    await openChild(api);
    const rows = within(await screen.findByTestId("reports")).getAllByTestId("report");
    expect(rows.length).toBe(3);

    expect(rows[0].textContent).toContain("Bullying");
    expect(rows[0].textContent).toContain("About Sam");
    expect(within(rows[0]).getByTestId("report-status").textContent).toContain("Resolved");
    expect(rows[0].textContent).toContain("Outcome: The account was warned.");
    expect(rows[0].textContent).not.toContain("days left");

    expect(rows[1].textContent).toContain("Harassment");
    // An unknown contact is named by its ID.
    expect(rows[1].textContent).toContain("About u-gone");
    const status = within(rows[1]).getByTestId("report-status").textContent ?? "";
    expect(status).toContain("The provider is looking into it");
    expect(status).toContain(`due ${formatDate("en", "2026-12-01T10:00:00Z")} — 8 days left`);

    expect(within(rows[2]).getByTestId("report-status").textContent).toContain("overdue");
  });

  it("sends nothing until a category is chosen", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const form = await screen.findByTestId("report-form");
    await change(within(form).getByLabelText("Contact to report"), "u-sam");
    await fireEvent.input(screen.getByTestId("report-evidence"), { target: { value: "Mean messages" } });
    await fireEvent.click(screen.getByTestId("report-submit"));
    const message = await screen.findByTestId("report-message");
    expect(message.textContent).toContain("Choose what kind of problem it is. Nothing was sent.");
    expect(screen.getByTestId("report-category").getAttribute("aria-invalid")).toBe("true");
    expect(api.reportContact).not.toHaveBeenCalled();
  });

  it("reports a contact with its category and what happened", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await screen.findByTestId("report-form");
    await change(screen.getByLabelText("Contact to report"), "u-sam");
    await change(screen.getByLabelText("What kind of problem"), "impersonation");
    const evidence = screen.getByLabelText("What happened") as HTMLTextAreaElement;
    expect(evidence.maxLength).toBe(2000);
    await fireEvent.input(evidence, { target: { value: "He says he is my teacher." } });
    await fireEvent.click(screen.getByTestId("report-submit"));
    await waitFor(() =>
      expect(api.reportContact).toHaveBeenCalledWith("c1", "u-sam", "impersonation", "He says he is my teacher."),
    );
    const message = await screen.findByTestId("report-message");
    expect(message.getAttribute("role")).toBe("status");
    expect(message.textContent?.trim()).toBe(
      `Reported. The provider must answer by ${formatDate("en", "2026-12-08T10:00:00Z")}.`,
    );
    await waitFor(() => expect(api.listReports).toHaveBeenCalledTimes(2));
    expect((screen.getByTestId("report-category") as HTMLSelectElement).value).toBe("");
  });

  it("words the provider's refusal", async () => {
    const api = fakeApi(dashboard(), {
      reportContact: vi.fn(
        async () => ({ status: "error", error: { code: "provider_error", refusal: null, message: "too many reports" } }) as const,
      ),
    });
    await openChild(api);
    await screen.findByTestId("report-form");
    await change(screen.getByLabelText("Contact to report"), "u-sam");
    await change(screen.getByLabelText("What kind of problem"), "other");
    await fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("report-message")).textContent).toContain("too many reports");
  });
});

describe("transparency", () => {
  it("shows who looked at the child's data and asks why a machine decided", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const access = await screen.findByTestId("staff-access-row");
    expect(access.textContent).toContain("Trust and safety reviewer");
    expect(access.textContent).toContain("approval rep-1");
    expect(access.textContent).toContain("Looked at: reports, contacts");
    const decision = screen.getByTestId("automated-decision");
    expect(within(decision).queryByTestId("decision-asked")).toBeNull();

    await fireEvent.click(
      within(decision).getByRole("button", { name: "Ask why: FreeGems4U was blocked automatically." }),
    );
    await waitFor(() => expect(api.explainDecision).toHaveBeenCalledWith("c1", "ad-1"));
    const message = await screen.findByTestId("transparency-message");
    expect(message.textContent).toContain("The provider must answer by");
    await waitFor(() => expect(api.getTransparency).toHaveBeenCalledTimes(2));
  });

  it("speaks Chinese, with the provider's own word where it has no translation", async () => {
    const api = fakeApi(dashboard(), {
      getTransparency: vi.fn(async () =>
        ok({
          child_id: "c1",
          staff_access: [
            { id: "sa-9", staff_role: "auditor", accessed_at: "2026-11-20T10:00:00Z", purpose: "Audit", approval_ref: "A-1", data_categories: ["profile"] },
          ],
          decisions: [],
        }),
      ),
    });
    await openChild(api, "Leo", "zh-CN");
    const access = await screen.findByTestId("staff-access-row");
    expect(access.textContent).toContain("auditor");
    expect(access.textContent).toContain("查看内容：资料");
    expect(screen.getByTestId("transparency").textContent).toContain("没有关于 Leo 的自动化决定。");
  });
});

describe("security notices", () => {
  it("lists the provider's notices on the dashboard, warnings marked", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const rows = await screen.findAllByTestId("security-notice");
    expect(rows.map((r) => r.getAttribute("data-severity"))).toEqual(["info", "warning"]);
    expect(rows[1].textContent).toContain("Warning");
    expect(rows[1].textContent).toContain("We rotated our signing keys");
  });
});
