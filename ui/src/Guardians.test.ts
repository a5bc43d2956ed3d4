import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { Api, RequestView } from "./lib/api";
import { coGuardians, dashboard, fakeApi, givePin, ok, decided, proposalView } from "./test-fakes";

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

  it("proposes a loosening to the other guardian, who accepts it with the PIN or vetoes it, in Chinese too", async () => {
    const proposed = proposalView({ you_proposed: true, proposed_by: "Demo Guardian", yours_to_answer: false, awaiting: ["Jun Chen"] });
    const api = fakeApi(dashboard(), {
      setAgreement: vi.fn(async (childId: string) => ok(coGuardians(childId, "all", [proposed]))),
    });
    await openChild(api);
    const panel = await screen.findByTestId("co-guardians");
    await fireEvent.click(await within(panel).findByTestId("agreement-one"));
    await givePin("4321");
    const said = (await screen.findByTestId("guardians-message")).textContent ?? "";
    expect(said).toContain("Proposed to the other guardians");
    expect(said).not.toContain("any one guardian decides");

    // The other guardian's side: the proposal waits for their answer.
    cleanup();
    const theirs = proposalView();
    const other = fakeApi(dashboard(), { getCoGuardians: vi.fn(async (childId: string) => ok(coGuardians(childId, "all", [theirs]))) });
    await openChild(other);
    const row = await within(await screen.findByTestId("co-guardians")).findByTestId("proposal");
    expect(row.textContent).toContain("Jun Chen proposes that one guardian's approval is enough for Leo's new friends.");
    expect(row.textContent).toContain("Not answered yet: Demo Guardian");
    await fireEvent.click(within(row).getByTestId("proposal-accept"));
    expect(other.answerProposal).not.toHaveBeenCalled();
    expect(await givePin("4321")).toContain("Accepting a change that protects Leo less");
    await waitFor(() => expect(other.answerProposal).toHaveBeenCalledWith("c1", "gp-1", true, "4321"));
    expect((await screen.findByTestId("guardians-message")).textContent).toContain("the change is in effect");
    await fireEvent.click(within(row).getByTestId("proposal-veto"));
    await waitFor(() => expect(other.answerProposal).toHaveBeenCalledWith("c1", "gp-1", false, null));

    cleanup();
    render(App, { api: fakeApi(dashboard(), { getCoGuardians: vi.fn(async (childId: string) => ok(coGuardians(childId, "all", [theirs]))) }), locale: "zh-CN" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo/ }));
    const zh = await screen.findByTestId("proposal");
    expect(zh.textContent).toContain("Jun Chen 提议：Leo 的新好友只需一位监护人批准即可。");
  });

  it("puts a proposal in 'Needs your attention' and on the desktop, in the guardian's words", async () => {
    const api = fakeApi(dashboard(), {
      getAttention: vi.fn(async () =>
        ok({
          complete: true,
          items: [{ kind: "relax_agreement" as const, child_id: "c1", child_name: "Leo", id: "gp-1", subject: "Jun Chen", when: "2026-11-29T10:00:00Z" }],
        }),
      ),
      getNotifications: vi.fn(async () =>
        ok({
          complete: true,
          unread: 1,
          items: [
            { id: "proposal_remove_guardian:gp-2", kind: "proposal_remove_guardian" as const, child_id: "c1", child_name: "Leo", subject: "Jun Chen", detail: null, at: "2026-11-23T09:00:00Z", read: false },
          ],
        }),
      ),
    });
    render(App, { api, locale: "en" });
    const attention = await screen.findByTestId("attention");
    await waitFor(() => expect(attention.textContent).toContain("Jun Chen proposes that one guardian's approval is enough for new friends"));
    await waitFor(() => expect(api.announceNotifications).toHaveBeenCalled());
    const [notice] = vi.mocked(api.announceNotifications).mock.calls[0][0];
    expect(notice.body).toBe("Taking Jun Chen off Leo's guardians is proposed");
  });

  it("shows who approved a request that waits for the other guardians", async () => {
    const api = fakeApi(dashboard(), {
      listRequests: vi.fn(async (childId: string) =>
        ok<RequestView[]>([{ id: "fr-2", child_id: childId, other_name: "Mila", direction: "incoming", status: "pending", expires_at: "2026-12-07T09:00:00Z", queued: null, approved_by: ["Jun Chen"] }]),
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
