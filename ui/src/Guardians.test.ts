import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { Api } from "./lib/api";
import { dashboard, fakeApi, givePin, ok, decided } from "./test-fakes";

afterEach(cleanup);

async function openChild(api: Api, name = "Leo") {
  render(App, { api, locale: "en" });
  await fireEvent.click(await screen.findByRole("button", { name: new RegExp(`^${name}`) }));
  await screen.findByTestId("child-title");
}

describe("co-guardians", () => {
  it("lists the guardians, switches the rule and reads the decision log", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const panel = await screen.findByTestId("co-guardians");
    const rows = await within(panel).findAllByTestId("guardian");
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining("Jun Chen"), expect.stringContaining("you")]);
    expect((within(panel).getByTestId("agreement-all") as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(within(panel).getByTestId("agreement-one"));
    expect(await givePin("4321")).toContain("Changing who must agree on Leo's friends");
    await waitFor(() => expect(api.setAgreement).toHaveBeenCalledWith("c1", "one", "4321"));
    expect((await screen.findByTestId("guardians-message")).textContent).toContain("any one guardian decides");

    const log = within(panel).getAllByTestId("decision-entry").map((row) => row.textContent?.replace(/\s+/g, " "));
    expect(log[0]).toContain("Jun Chen");
    expect(log[0]).toContain("Approved (waiting for the others) the request from Oliver");
    expect(log[1]).toContain("Changed who must agree: Every guardian");
  });

  it("asks before removing a guardian and keeps a mistyped number to correct", async () => {
    const api = fakeApi(dashboard(), {
      inviteGuardian: vi.fn(async () => ({ status: "error", error: { code: "invalid_input", refusal: null, message: "enter the phone number with its country code" } }) as const),
    });
    await openChild(api);
    const panel = await screen.findByTestId("co-guardians");
    const jun = (await within(panel).findAllByTestId("guardian"))[0];
    await fireEvent.click(within(jun).getByRole("button", { name: "Remove Jun Chen as a guardian of Leo" }));
    expect(api.removeGuardian).not.toHaveBeenCalled();
    await fireEvent.click(within(jun).getByTestId("guardian-remove-yes"));
    expect(api.removeGuardian).not.toHaveBeenCalled();
    expect(await givePin("4321")).toContain("Removing Jun Chen as Leo's guardian");
    await waitFor(() => expect(api.removeGuardian).toHaveBeenCalledWith("c1", "g-jun", "4321"));
    expect((await screen.findByTestId("guardians-message")).textContent).toContain("Jun Chen no longer looks after Leo.");

    await fireEvent.click(within(panel).getByTestId("guardian-invite-send"));
    expect(api.inviteGuardian).not.toHaveBeenCalled();
    expect(screen.getByTestId("guardians-message").textContent).toContain("Enter the phone number");
    const phone = within(panel).getByTestId("guardian-invite-phone") as HTMLInputElement;
    await fireEvent.input(phone, { target: { value: "13800000003" } });
    await fireEvent.click(within(panel).getByTestId("guardian-invite-send"));
    await waitFor(() => expect(api.inviteGuardian).toHaveBeenCalledWith("c1", "13800000003"));
    expect(phone.value).toBe("13800000003");
  });

  it("shows who approved a request that waits for the other guardians", async () => {
    const api = fakeApi(dashboard(), {
      listRequests: vi.fn(async (childId: string) =>
        ok([{ id: "fr-2", child_id: childId, other_name: "Mila", direction: "incoming", status: "pending", expires_at: "2026-12-07T09:00:00Z", queued: null, approved_by: ["Jun Chen"] }]),
      ),
      approveRequest: vi.fn(async () => ok(decided("awaiting_guardians", null, null))),
    });
    await openChild(api);
    const request = await screen.findByTestId("request");
    expect(within(request).getByTestId("request-approved-by").textContent).toBe("Approved by Jun Chen — waiting for the other guardians");
  });
});

describe("invitations", () => {
  it("appears only when an invitation waits, and accepting refreshes the family", async () => {
    const invite = { id: "gi-kai", child_name: "Kai", invited_by: "Jun Chen", status: "pending", created_at: "2026-11-22T10:00:00Z", expires_at: "2026-11-29T10:00:00Z" };
    const api = fakeApi(dashboard(), { listGuardianInvites: vi.fn().mockResolvedValueOnce(ok([invite])).mockResolvedValue(ok([])) });
    render(App, { api, locale: "en" });
    const panel = await screen.findByTestId("invites");
    expect(panel.textContent).toContain("Jun Chen invites you to look after Kai too.");
    await screen.findByTestId("children");
    const before = vi.mocked(api.getDashboard).mock.calls.length;
    await fireEvent.click(within(panel).getByRole("button", { name: "Accept: look after Kai" }));
    await waitFor(() => expect(api.answerInvite).toHaveBeenCalledWith("gi-kai", true));
    expect((await screen.findByTestId("invites-message")).textContent).toContain("You now look after Kai too.");
    await waitFor(() => expect(vi.mocked(api.getDashboard).mock.calls.length).toBeGreaterThan(before));
  });

  it("stays away when there is none", async () => {
    render(App, { api: fakeApi(dashboard()), locale: "en" });
    await screen.findByTestId("children");
    expect(screen.queryByTestId("invites")).toBeNull();
  });
});
