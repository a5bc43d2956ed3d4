import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import ContactList, { filterContacts } from "./components/ContactList.svelte";
import type { ContactView } from "./lib/api";
import App from "./App.svelte";
import { dashboard, fakeApi, givePin, ok, decided } from "./test-fakes";

afterEach(cleanup);
// jsdom has no 2D canvas (the child screen's activity chart).
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
});

const NOW = Date.parse("2026-11-30T12:00:00Z");

function many(count: number): ContactView[] {
  return Array.from({ length: count }, (_, i) => ({
    child_id: "c1",
    contact_id: `u-${i}`,
    display_name: `Friend ${String(i).padStart(5, "0")}`,
    status: i % 10 === 0 ? "blocked" : "approved",
    messages_7d: i % 7,
    calls_7d: 0,
    last_interaction: i % 3 === 0 ? "2026-11-29T12:00:00Z" : i % 3 === 1 ? "2026-10-01T12:00:00Z" : null,
    queued: null,
    trial_until: null,
    banned_at: null,
  }));
}

describe("the contact list", () => {
  it("paints a first screenful, then loads the rest and only then gives the count", async () => {
    const all = many(500);
    let release: () => void = () => {};
    const rest = new Promise<void>((resolve) => (release = resolve));
    const api = fakeApi(dashboard(), {
      listContacts: vi.fn(async (_childId: string, first: number | null) => {
        if (first === null) await rest;
        return ok(first === null ? all : all.slice(0, first));
      }),
    });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo/ }));
    expect(await screen.findAllByTestId("contact")).not.toHaveLength(0);
    expect(api.listContacts).toHaveBeenCalledWith("c1", 40);
    expect(screen.getByTestId("contact-count").textContent).toContain("Loading all contacts");
    release();
    await waitFor(() => expect(screen.getByTestId("contact-count").textContent).toBe("500 contacts"));
    expect(api.listContacts).toHaveBeenCalledWith("c1", null);
  });


  it("puts only the rows in view into the page, even at 10,000 contacts", async () => {
    render(ContactList, { contacts: many(10_000), locale: "en", busy: false, onToggleBlock: vi.fn() });
    const rows = screen.getAllByTestId("contact");
    expect(rows.length).toBeLessThan(30);
    expect(rows[0].getAttribute("aria-setsize")).toBe("10000");
    expect(screen.getByTestId("contact-count").textContent).toBe("10,000 contacts");

    // Scrolled halfway, the rows around position 5,000 are the ones in the page.
    const viewport = screen.getByTestId("contacts-viewport");
    viewport.scrollTop = 5000 * 72;
    await fireEvent.scroll(viewport);
    const positions = screen.getAllByTestId("contact").map((r) => Number(r.getAttribute("aria-posinset")));
    expect(Math.min(...positions)).toBeLessThanOrEqual(5001);
    expect(Math.max(...positions)).toBeGreaterThanOrEqual(5006);
    expect(screen.getAllByTestId("contact").length).toBeLessThan(30);
  });

  it("searches and filters, and a new search starts at the top", async () => {
    const toggle = vi.fn();
    render(ContactList, { contacts: many(10_000), locale: "en", busy: false, onToggleBlock: toggle });
    const viewport = screen.getByTestId("contacts-viewport");
    viewport.scrollTop = 3000 * 72;
    await fireEvent.scroll(viewport);
    await fireEvent.input(screen.getByTestId("contact-filter"), { target: { value: "friend 0999" } });
    expect(screen.getByTestId("contact-count").textContent).toBe("10 contacts");
    expect(screen.getAllByTestId("contact")[0].getAttribute("aria-posinset")).toBe("1");
    await fireEvent.click(screen.getByRole("button", { name: "Unblock Friend 09990" }));
    expect(toggle).toHaveBeenCalledWith(expect.objectContaining({ contact_id: "u-9990" }));
  });

  it("filters by approved, blocked and recently active", () => {
    const contacts = many(30);
    expect(filterContacts(contacts, "", "blocked", NOW).map((c) => c.contact_id)).toEqual(["u-0", "u-10", "u-20"]);
    expect(filterContacts(contacts, "", "approved", NOW)).toHaveLength(27);
    expect(filterContacts(contacts, "", "recent", NOW)).toHaveLength(10);
    expect(filterContacts(contacts, "00012", "all", NOW).map((c) => c.contact_id)).toEqual(["u-12"]);
  });
});

describe("a friend approved for a trial", () => {
  it("shows until when, and can be kept", async () => {
    const onConfirm = vi.fn();
    const contacts = many(3).map((c, i) => (i === 1 ? { ...c, trial_until: "2026-12-07T12:00:00Z" } : c));
    render(ContactList, { contacts, locale: "en", busy: false, onToggleBlock: vi.fn(), onConfirm });
    expect(screen.getAllByTestId("contact-trial").map((b) => b.textContent?.trim())).toEqual(["Trial until Dec 7, 2026"]);
    await fireEvent.click(screen.getByRole("button", { name: "Keep Friend 00001 as a friend after the trial" }));
    expect(onConfirm).toHaveBeenCalledWith(expect.objectContaining({ contact_id: "u-1" }));
  });
});

describe("an account the provider banned", () => {
  it("is marked banned and offers no unblock, while other blocked contacts can be unblocked", () => {
    const contacts = many(3).map((c, i) => (i === 0 ? { ...c, banned_at: "2026-11-28T12:00:00Z" } : c));
    render(ContactList, { contacts, locale: "en", busy: false, onToggleBlock: vi.fn(), onConfirm: vi.fn() });
    expect(screen.getAllByTestId("contact-banned").map((b) => b.textContent?.trim())).toEqual([
      "Banned by the provider for abuse: stays blocked",
    ]);
    expect(screen.queryByRole("button", { name: "Unblock Friend 00000" })).toBeNull();
    screen.getByRole("button", { name: "Block Friend 00001" });
  });

  it("blocks at once, but unblocks only with the child's PIN", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo\b/ }));
    const block = await screen.findByRole("button", { name: "Block Sam" });
    // From now on the provider lists Sam as blocked.
    const listed = await api.listContacts("c1", null);
    if (listed.status !== "ok") throw new Error("fake contacts");
    vi.mocked(api.listContacts).mockResolvedValue(ok(listed.data.map((c) => ({ ...c, status: "blocked" }))));
    await fireEvent.click(block);
    await waitFor(() => expect(api.setContactBlocked).toHaveBeenCalledWith("c1", "u-sam", true, null));
    expect(screen.queryByTestId("pin-dialog")).toBeNull();

    vi.mocked(api.setContactBlocked).mockClear();
    await fireEvent.click(await screen.findByRole("button", { name: "Unblock Sam" }));
    expect(api.setContactBlocked).not.toHaveBeenCalled();
    expect(await givePin("4321")).toContain("Unblocking Sam for Leo needs");
    await waitFor(() => expect(api.setContactBlocked).toHaveBeenCalledWith("c1", "u-sam", false, "4321"));
  });

  it("removes a contact after asking once more, and says why it waits when the provider is busy", async () => {
    const api = fakeApi(dashboard(), {
      removeContact: vi.fn(async () => ok(decided("queued", "429", "provider_busy"))),
    });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo\b/ }));
    const remove = await screen.findByRole("button", { name: "Remove Sam" });
    await fireEvent.click(remove);
    expect(api.removeContact).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("contact-remove-confirm"));
    await waitFor(() => expect(api.removeContact).toHaveBeenCalledWith("c1", "u-sam"));
    const outcome = (await screen.findByTestId("outcome")).textContent ?? "";
    expect(outcome).toContain("asked Guardian to slow down");
    expect(outcome).toContain("Saved on this computer");
    expect(outcome).not.toContain("429");
  });
});
