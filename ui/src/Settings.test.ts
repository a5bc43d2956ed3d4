import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { Api } from "./lib/api";
import { coGuardians, dashboard, deletionInfo, deletionView, fakeApi, givePin, ok, trackedRequest } from "./test-fakes";

afterEach(cleanup);
// jsdom has no 2D canvas; the activity table carries the same figures as the chart.
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
});

async function openChild(api: Api, name = "Leo") {
  render(App, { api, locale: "en" });
  await fireEvent.click(await screen.findByRole("button", { name: new RegExp(`^${name}`) }));
  await screen.findByTestId("child-title");
}

const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });

describe("friend-approval mode", () => {
  it("switches mode, says what it means and reloads the dashboard", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const modes = await screen.findByTestId("approval-mode");
    expect((within(modes).getByTestId("approval-pin_required") as HTMLInputElement).checked).toBe(true);
    expect(modes.textContent).toContain("you still see every contact");
    const calls = vi.mocked(api.getDashboard).mock.calls.length;
    await fireEvent.click(within(modes).getByTestId("approval-child_may_add"));
    // Only the guardian changes it: nothing is sent before the child's PIN.
    expect(api.setFriendApproval).not.toHaveBeenCalled();
    const submit = (await screen.findByTestId("pin-dialog")).querySelector("button[type=submit]");
    expect(submit?.textContent?.trim()).toBe("Confirm");
    expect(await givePin("4321")).toContain("Changing how Leo's friends are approved needs");
    await waitFor(() => expect(api.setFriendApproval).toHaveBeenCalledWith("c1", "child_may_add", "4321"));
    expect((await screen.findByTestId("settings-message")).textContent).toContain("without your PIN");
    await waitFor(() => expect(vi.mocked(api.getDashboard).mock.calls.length).toBeGreaterThan(calls));
  });

  it("goes back to the mode in force when the provider refuses", async () => {
    const api = fakeApi(dashboard(), {
      setFriendApproval: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    await openChild(api);
    await fireEvent.click(await screen.findByTestId("approval-child_may_add"));
    await givePin("4321");
    expect((await screen.findByTestId("settings-message")).getAttribute("role")).toBe("alert");
    await waitFor(() => expect((screen.getByTestId("approval-pin_required") as HTMLInputElement).checked).toBe(true));
  });
});

describe("parental PIN", () => {
  it("refuses a PIN that is not 4 digits, or not typed twice the same, without calling the provider", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await screen.findByTestId("pin-form");
    type("pin-new", "12a4");
    type("pin-confirm", "12a4");
    await fireEvent.click(screen.getByTestId("pin-save"));
    expect((await screen.findByTestId("settings-message")).textContent).toContain("exactly 4 digits");
    type("pin-new", "1234");
    type("pin-confirm", "1243");
    await fireEvent.click(screen.getByTestId("pin-save"));
    await waitFor(() => expect(screen.getByTestId("settings-message").textContent).toContain("not the same"));
    expect(api.setPin).not.toHaveBeenCalled();
  });

  it("changes the PIN with the current one and clears the fields", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await screen.findByTestId("pin-form");
    type("pin-current", "1234");
    type("pin-new", "4321");
    type("pin-confirm", "4321");
    await fireEvent.click(screen.getByTestId("pin-save"));
    await waitFor(() => expect(api.setPin).toHaveBeenCalledWith("c1", "4321", "1234"));
    expect((await screen.findByTestId("settings-message")).textContent).toBe("The parental PIN was saved.");
    expect((screen.getByTestId("pin-new") as HTMLInputElement).value).toBe("");
  });

  it("resets a forgotten PIN with the password", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await fireEvent.click(await screen.findByTestId("pin-switch"));
    expect(screen.queryByTestId("pin-current")).toBeNull();
    type("pin-new", "2468");
    type("pin-confirm", "2468");
    await fireEvent.click(screen.getByTestId("pin-save"));
    expect((await screen.findByTestId("settings-message")).textContent).toContain("password");
    type("pin-password", "hunter22");
    await fireEvent.click(screen.getByTestId("pin-save"));
    await waitFor(() => expect(api.resetPin).toHaveBeenCalledWith("c1", "2468", { kind: "password", secret: "hunter22" }));
    expect((await screen.findByTestId("settings-message")).textContent).toContain("was reset");
  });
});

describe("activity", () => {
  it("shows a table of the same figures as the chart, by day and by week", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const table = await screen.findByTestId("activity-table");
    expect(api.getActivity).toHaveBeenCalledWith("c1", 14);
    const rows = within(table).getAllByTestId("activity-row");
    expect(rows.map((r) => r.getAttribute("data-start"))).toEqual(["2026-11-29", "2026-11-30"]);
    expect(within(rows[1]).getByTestId("activity-calls").textContent).toBe("25");
    expect(table.textContent).toContain("Video calls (min)");
    expect(screen.getByTestId("activity-chart-box").getAttribute("aria-label")).toContain("140 minutes in all");

    await fireEvent.click(screen.getByTestId("activity-by-week"));
    const weeks = within(screen.getByTestId("activity-table")).getAllByTestId("activity-row");
    expect(weeks[0].textContent).toContain("Week of");
    expect(screen.getByTestId("activity-by-week").getAttribute("aria-pressed")).toBe("true");
  });

  it("asks for a longer range", async () => {
    const api = fakeApi(dashboard(), { getActivity: vi.fn(async () => ok({ features: [], days: [], weeks: [] })) });
    await openChild(api);
    expect((await screen.findByTestId("activity-none")).textContent).toContain("No activity");
    await fireEvent.change(screen.getByTestId("activity-range"), { target: { value: "90" } });
    await waitFor(() => expect(api.getActivity).toHaveBeenLastCalledWith("c1", 90));
  });
});

describe("groups", () => {
  it("flags a group with a member the guardian never approved, and leaves it after asking once more", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const rows = within(await screen.findByTestId("groups")).getAllByTestId("group");
    expect(rows.map((r) => r.getAttribute("data-group-id"))).toEqual(["grp-class", "grp-art"]);
    expect(within(rows[0]).getByTestId("group-flag").textContent).toContain("1 member you never approved");
    expect(within(rows[1]).queryByTestId("group-flag")).toBeNull();
    const members = within(rows[0]).getAllByTestId("group-member");
    expect(members[0].textContent).toContain("not approved by you");

    await fireEvent.click(within(rows[0]).getByRole("button", { name: "Leave Class 4B" }));
    expect(api.leaveGroup).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("group-leave-confirm"));
    await waitFor(() => expect(api.leaveGroup).toHaveBeenCalledWith("c1", "grp-class"));
    expect((await screen.findByTestId("groups-message")).textContent).toBe("Leo left Class 4B.");
    await waitFor(() => expect(api.listGroups).toHaveBeenCalledTimes(2));
  });

  it("reports a group with a category and reloads the case list", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await fireEvent.click(await screen.findByRole("button", { name: "Report Class 4B" }));
    await fireEvent.click(screen.getByTestId("group-report-submit"));
    expect((await screen.findByTestId("groups-message")).textContent).toContain("Choose what kind of problem");
    expect(api.reportGroup).not.toHaveBeenCalled();
    await fireEvent.change(screen.getByTestId("group-report-category"), { target: { value: "harassment" } });
    await fireEvent.input(screen.getByTestId("group-report-evidence"), { target: { value: "A stranger joined" } });
    await fireEvent.click(screen.getByTestId("group-report-submit"));
    await waitFor(() => expect(api.reportGroup).toHaveBeenCalledWith("c1", "grp-class", "harassment", "A stranger joined"));
    expect((await screen.findByTestId("groups-message")).textContent).toContain("Reported");
    await waitFor(() => expect(api.listReports).toHaveBeenCalledTimes(2));
  });
});

describe("requests to the provider", () => {
  it("lists open requests first, flags a late one and shows an answer", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const rows = within(await screen.findByTestId("tracker")).getAllByTestId("tracked");
    expect(rows.map((r) => r.getAttribute("data-kind"))).toEqual(["other", "explanation", "report"]);
    expect(rows[0].getAttribute("data-overdue")).toBe("true");
    expect(within(rows[0]).getByTestId("tracked-status").textContent?.trim()).toBe("Overdue by 5 days");
    expect(rows[1].textContent).toContain("5 days left");
    expect(rows[2].textContent).toContain("Bullying");
    expect(within(rows[2]).getByTestId("tracked-receipt").textContent).toBe("Answer: Action taken.");
  });

  it("lists what a completed deletion removed in the guardian's language", async () => {
    const deleted = trackedRequest({
      id: "del-1",
      kind: "deletion",
      child_id: "c-gone",
      child_name: null,
      summary: "child",
      status: "completed",
      done: true,
      deleted: ["profile", "devices", "transparency_records"],
    });
    const api = fakeApi(dashboard(), { trackedRequests: vi.fn(async () => ok([deleted])) });
    render(App, { api, locale: "zh-CN" });
    const row = within(await screen.findByTestId("tracker")).getByTestId("tracked");
    expect(within(row).getByTestId("tracked-receipt").textContent).toBe("已删除：个人资料、设备和员工访问与自动化决策记录。");
  });

  it("asks the provider for an explanation, refusing an incomplete form first", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByTestId("tracker-ask-open"));
    await fireEvent.change(screen.getByTestId("tracker-ask-child"), { target: { value: "c1" } });
    await fireEvent.change(screen.getByTestId("tracker-ask-kind"), { target: { value: "explanation" } });
    await fireEvent.click(screen.getByTestId("tracker-ask-submit"));
    expect((await screen.findByTestId("tracker-message")).textContent).toContain("Say what you are asking for");
    expect(api.askProvider).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByTestId("tracker-ask-details"), { target: { value: "Why was Leo limited?" } });
    await fireEvent.click(screen.getByTestId("tracker-ask-submit"));
    await waitFor(() => expect(api.askProvider).toHaveBeenCalledWith("c1", "explanation", "Why was Leo limited?"));
    expect((await screen.findByTestId("tracker-message")).textContent).toContain("must answer by");
    await waitFor(() => expect(api.trackedRequests).toHaveBeenCalledTimes(2));
  });

  it("says so calmly when the provider cannot be reached", async () => {
    const api = fakeApi(dashboard(), {
      trackedRequests: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    render(App, { api, locale: "en" });
    expect((await screen.findByTestId("tracker-error")).textContent).toContain("cannot be shown right now");
  });
});

describe("who can find the child", () => {
  it("shows the setting in force, changes it and says what it means", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const choices = await screen.findByTestId("discovery");
    expect((within(choices).getByTestId("discovery-id_only") as HTMLInputElement).checked).toBe(true);
    expect(choices.textContent).toContain("each new friend still goes through the approval");
    // Fewer people: no PIN asked.
    await fireEvent.click(within(choices).getByTestId("discovery-nobody"));
    await waitFor(() => expect(api.setDiscoverability).toHaveBeenCalledWith("c1", "nobody", null));
    expect(screen.queryByTestId("pin-dialog")).toBeNull();
    expect((await screen.findByTestId("settings-message")).textContent).toContain("no one can find Leo");
  });

  it("goes back to the setting in force when the provider refuses", async () => {
    const api = fakeApi(dashboard(), {
      setDiscoverability: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    await openChild(api);
    await fireEvent.click(await screen.findByTestId("discovery-id_or_phone"));
    // More people: the PIN first.
    expect(await givePin("4321")).toContain("Letting more people find Leo");
    await waitFor(() => expect(api.setDiscoverability).toHaveBeenCalledWith("c1", "id_or_phone", "4321"));
    expect((await screen.findByTestId("settings-message")).getAttribute("role")).toBe("alert");
    await waitFor(() => expect((screen.getByTestId("discovery-id_only") as HTMLInputElement).checked).toBe(true));
  });
});

describe("profile", () => {
  const pick = (bytes: number[]) => {
    const file = new File([new Uint8Array(bytes)], "leo.png", { type: "image/png" });
    return fireEvent.change(screen.getByTestId("picture-input"), { target: { files: [file] } });
  };

  it("uploads a chosen picture and shows it as contacts see it", async () => {
    const picture = "data:image/png;base64,iVBORw0KGgo=";
    const api = fakeApi(dashboard());
    let uploaded = false;
    api.setAvatar = vi.fn(async () => {
      uploaded = true;
      return ok(null);
    });
    const before = api.childProfile;
    api.childProfile = vi.fn(async (id: string) => {
      const result = await before(id);
      if (uploaded && result.status === "ok") result.data.public.avatar = result.data.avatar = picture;
      return result;
    });
    await openChild(api);
    await screen.findByTestId("public-profile");
    expect(screen.queryByTestId("public-avatar")).toBeNull();
    await pick([0x89, 0x50, 0x4e, 0x47]);
    await waitFor(() => expect(api.setAvatar).toHaveBeenCalledWith("c1", [0x89, 0x50, 0x4e, 0x47]));
    expect((await screen.findByTestId("profile-message")).textContent).toContain("Contacts now see the new picture");
    const shown = await screen.findByTestId("public-avatar");
    expect(shown.getAttribute("src")).toBe(picture);
    expect(shown.getAttribute("alt")).toBe("Leo's profile picture");
  });

  it("says clearly when the file is refused and keeps the profile as it was", async () => {
    const api = fakeApi(dashboard(), {
      setAvatar: vi.fn(async () => ({ status: "error", error: { code: "invalid_input", refusal: null, message: "the file is not a PNG or JPEG image" } }) as const),
    });
    await openChild(api);
    await screen.findByTestId("public-profile");
    await pick([0x3c, 0x73, 0x76, 0x67]);
    const message = await screen.findByTestId("profile-message");
    expect(message.getAttribute("role")).toBe("alert");
    expect(message.textContent).toContain("not a PNG or JPEG");
    expect(screen.queryByTestId("public-avatar")).toBeNull();
  });

  it("shows what contacts see, never the demographics, and the age rules ahead", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    const card = await screen.findByTestId("public-profile");
    expect(card.textContent).toContain("ID c1");
    expect(card.textContent).not.toContain("2013");
    expect(screen.getByTestId("public-never").textContent).toContain("never see the country, gender or birthday");
    const rules = within(screen.getByTestId("planner")).getAllByTestId("threshold");
    expect(rules.map((r) => r.getAttribute("data-rule"))).toEqual(["service_consent", "gdpr", "adult"]);
    expect(rules[0].getAttribute("data-soon")).toBe("true");
    expect(rules[1].textContent).toContain("Under 16 in this country");
  });

  it("corrects the profile, removing an optional field left empty", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await screen.findByTestId("profile-form");
    await fireEvent.change(screen.getByTestId("profile-country"), { target: { value: "" } });
    await fireEvent.change(screen.getByTestId("profile-gender"), { target: { value: "female" } });
    await fireEvent.click(screen.getByTestId("profile-save"));
    await waitFor(() =>
      expect(api.correctChildProfile).toHaveBeenCalledWith("c1", {
        display_name: "Leo",
        country: null,
        gender: "female",
        birthday: "2013-01-27",
      }),
    );
    expect((await screen.findByTestId("profile-message")).textContent).toContain("Contacts still see only");
  });

  it("refuses an empty name without calling the provider", async () => {
    const api = fakeApi(dashboard());
    await openChild(api);
    await fireEvent.input(await screen.findByTestId("profile-name"), { target: { value: " " } });
    await fireEvent.click(screen.getByTestId("profile-save"));
    expect((await screen.findByTestId("profile-message")).textContent).toContain("A name is needed");
    expect(api.correctChildProfile).not.toHaveBeenCalled();
  });
});

describe("the guardian's own account", () => {
  it("explains why it cannot be deleted while children remain whose only guardian this is", async () => {
    // Leo is shared with a co-guardian; Ava and Mei are not.
    const api = fakeApi(dashboard(), {
      getCoGuardians: vi.fn(async (childId: string) => {
        const shared = coGuardians(childId);
        return ok(childId === "c1" ? shared : { ...shared, guardians: shared.guardians.filter((g) => g.you) });
      }),
    });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByTestId("account-delete"));
    expect((await screen.findByTestId("account-blocked")).textContent).toContain("(Ava, Mei)");
    expect(screen.queryByTestId("account-password")).toBeNull();
    expect(api.requestGuardianDeletion).not.toHaveBeenCalled();
  });

  it("asks a co-guardian to agree to a child's deletion, with the password, or to say no", async () => {
    const asked = deletionView({
      id: "del-leo",
      requested_by: "Jun Chen",
      agreements: [{ guardian_name: "Demo Guardian", you: true, answer: "awaited", answered_at: null }],
    });
    const api = fakeApi(dashboard(), { deletionInfo: vi.fn(async () => ok(deletionInfo([asked]))) });
    render(App, { api, locale: "en" });
    const banner = await screen.findByTestId("deletion-asked");
    expect(banner.textContent).toContain("Jun Chen asked to delete Leo's account.");
    await fireEvent.click(within(banner).getByRole("button", { name: "Agree to delete Leo's account" }));
    expect(api.agreeToDeletion).not.toHaveBeenCalled();
    expect((await screen.findByTestId("account-message")).textContent).toContain("password");
    await fireEvent.input(within(banner).getByTestId("deletion-asked-password"), { target: { value: "pw" } });
    await fireEvent.click(within(banner).getByRole("button", { name: "Agree to delete Leo's account" }));
    await waitFor(() => expect(api.agreeToDeletion).toHaveBeenCalledWith("del-leo", { kind: "password", secret: "pw" }));
    expect((await screen.findByTestId("account-message")).textContent).toContain("You agreed.");
  });

  it("asks for the password, then shows the waiting period and cancels it", async () => {
    const api = fakeApi(dashboard({}, []));
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByTestId("account-delete"));
    await fireEvent.click(screen.getByTestId("account-submit"));
    expect((await screen.findByTestId("account-message")).textContent).toContain("Enter your password");
    await fireEvent.input(screen.getByTestId("account-password"), { target: { value: "demo-password" } });
    await fireEvent.click(screen.getByTestId("account-submit"));
    await waitFor(() => expect(api.requestGuardianDeletion).toHaveBeenCalledWith({ kind: "password", secret: "demo-password" }));
    expect((await screen.findByTestId("account-deletion")).textContent).toContain("You can cancel until");
    await fireEvent.click(screen.getByTestId("account-cancel"));
    await waitFor(() => expect(api.cancelDeletion).toHaveBeenCalledWith("del-1"));
    expect((await screen.findByTestId("account-message")).textContent).toBe("Cancelled. Nothing was deleted.");
  });
});

describe("needs your attention", () => {
  it("lists what waits across children and denies the chosen requests together", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const panel = await screen.findByTestId("attention");
    const items = within(panel).getAllByTestId("attention-item");
    expect(items.map((i) => i.getAttribute("data-kind"))).toEqual(["friend_request", "friend_request", "flagged_group"]);
    expect(items[2].textContent).toContain("Class 4B has people in it you never approved");
    const deny = screen.getByTestId("attention-deny") as HTMLButtonElement;
    expect(deny.disabled).toBe(true);
    const boxes = within(panel).getAllByTestId("attention-select");
    await fireEvent.click(boxes[0]);
    await fireEvent.click(boxes[1]);
    expect(deny.textContent?.trim()).toBe("Deny the 2 chosen requests");
    await fireEvent.click(deny);
    await waitFor(() => expect(api.denyRequest).toHaveBeenCalledTimes(2));
    expect(api.denyRequest).toHaveBeenCalledWith("c1", "fr-1");
    expect(api.denyRequest).toHaveBeenCalledWith("c2", "fr-3");
    expect((await screen.findByTestId("attention-message")).textContent).toBe("Denied 2 requests.");
  });

  it("opens the child an item is about", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: "Open Leo: Class 4B has people in it you never approved" }));
    expect((await screen.findByTestId("child-title")).textContent).toBe("Leo");
  });
});
