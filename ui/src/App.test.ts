import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { dashboard, fakeApi, ok } from "./test-fakes";

afterEach(cleanup);

describe("dashboard", () => {
  it("lists the children and marks the demo provider", async () => {
    render(App, { api: fakeApi(dashboard()), locale: "en" });
    const names = await screen.findAllByTestId("child-name");
    expect(names.map((n) => n.textContent)).toEqual(["Ava", "Leo", "Mei"]);
    screen.getByText("Demo provider");
    screen.getByText("2 friend requests waiting");
  });

  it("renders names from the provider as text, never as markup", async () => {
    const hostile = '<img src=x onerror="window.pwned=1">';
    render(App, { api: fakeApi(dashboard({}, [hostile])), locale: "en" });
    const name = await screen.findByTestId("child-name");
    expect(name.textContent).toBe(hostile);
    expect(name.querySelector("img")).toBeNull();
  });

  it("shows the offline banner and keeps the cached children", async () => {
    const api = fakeApi(dashboard({ offline: true, unavailable: "offline" }), {
      syncNow: vi.fn(async () => ({ status: "error", error: { code: "offline", refusal: null, message: "down" } }) as const),
    });
    render(App, { api, locale: "en" });
    expect((await screen.findByTestId("offline")).textContent).toContain("cannot be reached");
    expect((await screen.findAllByTestId("child-card")).length).toBe(3);
  });

  it("says why the provider could not be used, and when a waiting decision is tried again, in Chinese", async () => {
    const status = {
      offline: true,
      unavailable: "provider_unavailable",
      queued_decisions: 1,
      next_retry_at: "2026-11-23T09:05:00Z",
    };
    const api = fakeApi(dashboard(status), {
      syncNow: vi.fn(async () => ({ status: "error", error: { code: "provider_unavailable", refusal: null, message: "503" } }) as const),
    });
    render(App, { api, locale: "zh-CN" });
    const banner = await screen.findByTestId("offline");
    expect(banner.textContent).toContain("服务提供方返回了服务器错误");
    expect(banner.textContent).not.toContain("503");
    expect((await screen.findByTestId("next-try")).textContent).toContain("重试");
    // Unavailability is the banner's, not an error alert.
    await fireEvent.click(screen.getByRole("button", { name: "立即同步" }));
    await waitFor(() => expect(api.syncNow).toHaveBeenCalled());
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("speaks Chinese when the OS does", async () => {
    render(App, { api: fakeApi(dashboard()), locale: "zh-CN" });
    await screen.findByText("您的孩子");
    screen.getByText("演示服务");
  });
});

describe("first start, with no provider chosen", () => {
  const noProvider = { status: "error", error: { code: "no_provider", refusal: null, message: "choose" } } as const;

  it("asks for the provider's address, explains a refused one in Chinese, and starts once one is chosen", async () => {
    let chosen = false;
    const api = fakeApi(dashboard({ signed_in: false, provider: { kind: "custom", url: "https://p.example", demo: null } }, []), {
      getProvider: vi.fn(async () => ok({ kind: null, url: null, from_environment: false, demo_available: true })),
      chooseProvider: vi.fn(async (pick) => {
        if (pick.kind === "address" && pick.url.startsWith("http://")) {
          return { status: "error", error: { code: "invalid_provider_url", refusal: null, message: "must use https" } } as const;
        }
        chosen = true;
        return ok(null);
      }),
    });
    const real = api.getDashboard;
    api.getDashboard = vi.fn(async () => (chosen ? real() : noProvider));
    render(App, { api, locale: "zh-CN" });
    const address = (await screen.findByTestId("provider-url")) as HTMLInputElement;
    expect(screen.queryByTestId("child-card")).toBeNull();
    expect(screen.queryByLabelText("手机号")).toBeNull();

    await fireEvent.input(address, { target: { value: "http://provider.example" } });
    await fireEvent.submit(address.form!);
    const refused = await screen.findByTestId("provider-error");
    expect(refused.textContent).toContain("无法使用此服务提供方地址");
    expect(address.value).toBe("http://provider.example");

    await fireEvent.input(address, { target: { value: "https://provider.example" } });
    await fireEvent.submit(address.form!);
    await screen.findByLabelText("手机号");
    expect(api.chooseProvider).toHaveBeenLastCalledWith({ kind: "address", url: "https://provider.example" });
    expect(screen.queryByTestId("provider-setup")).toBeNull();
  });

  it("offers the demo family as a choice, and shows how to sign in to it", async () => {
    let chosen = false;
    const api = fakeApi(dashboard(), {
      getProvider: vi.fn(async () => ok({ kind: null, url: null, from_environment: false, demo_available: true })),
      chooseProvider: vi.fn(async () => {
        chosen = true;
        return ok(null);
      }),
    });
    const real = api.getDashboard;
    api.getDashboard = vi.fn(async () => (chosen ? real() : noProvider));
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: "Try a demo family" }));
    expect(api.chooseProvider).toHaveBeenCalledWith({ kind: "demo" });
    expect((await screen.findAllByTestId("child-name")).length).toBe(3);
    expect(screen.getByTestId("demo-password").textContent).toBe("abcd-efgh-jkmn");
    expect(screen.getByTestId("demo-pin").textContent).toBe("1234");
  });

  it("has no demo to offer in a build without one", async () => {
    const api = fakeApi(dashboard(), {
      getProvider: vi.fn(async () => ok({ kind: null, url: null, from_environment: false, demo_available: false })),
      getDashboard: vi.fn(async () => noProvider),
    });
    render(App, { api, locale: "en" });
    await screen.findByTestId("provider-url");
    expect(screen.queryByTestId("try-demo")).toBeNull();
  });
});

describe("sign-in", () => {
  it("explains a wrong password and keeps the phone number", async () => {
    const api = fakeApi(dashboard({ signed_in: false, provider: { kind: "custom", url: "https://p.example/", demo: null } }, []), {
      signIn: vi.fn(async () => ({ status: "error", error: { code: "invalid_credentials", refusal: null, message: "no" } }) as const),
    });
    render(App, { api, locale: "en" });
    const phone = (await screen.findByLabelText("Phone number")) as HTMLInputElement;
    const password = screen.getByLabelText("Password") as HTMLInputElement;
    await fireEvent.input(phone, { target: { value: "+8613800000001" } });
    await fireEvent.input(password, { target: { value: "wrong" } });
    await fireEvent.submit(phone.form!);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("not correct"));
    expect(phone.value).toBe("+8613800000001");
    expect(password.value).toBe("");
    expect(api.signIn).toHaveBeenCalledWith("+8613800000001", "wrong");
  });
});

describe("sign-in by SMS", () => {
  it("sends a code, then signs in with it; the demo provider shows the code it would have sent", async () => {
    const api = fakeApi(dashboard({ signed_in: false }, []), {
      requestSmsCode: vi.fn(async () =>
        ok({ expires_at: "2026-11-23T10:05:00Z", resend_after: "2026-11-23T10:01:00Z", demo_code: "482913" }),
      ),
    });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByLabelText("With a code by text message"));
    expect(screen.queryByLabelText("Password")).toBeNull();
    const phone = screen.getByLabelText("Phone number") as HTMLInputElement;
    await fireEvent.input(phone, { target: { value: "+8613800000001" } });
    await fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    await waitFor(() => expect(api.requestSmsCode).toHaveBeenCalledWith("+8613800000001"));
    expect((await screen.findByTestId("sms-demo-code")).textContent).toContain("The code is 482913.");
    expect(phone.readOnly).toBe(true);
    const code = screen.getByLabelText("Code from the text message") as HTMLInputElement;
    await fireEvent.input(code, { target: { value: "482913" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(api.signInSms).toHaveBeenCalledWith("+8613800000001", "482913"));
    expect(api.signIn).not.toHaveBeenCalled();
  });

  it("says a wrong code is wrong and clears it", async () => {
    const api = fakeApi(dashboard({ signed_in: false }, []), {
      signInSms: vi.fn(async () => ({ status: "error", error: { code: "invalid_credentials", refusal: null, message: "no" } }) as const),
    });
    render(App, { api, locale: "zh-CN" });
    await fireEvent.click(await screen.findByLabelText("使用短信验证码"));
    await fireEvent.input(screen.getByLabelText("手机号"), { target: { value: "+8613800000001" } });
    await fireEvent.click(screen.getByRole("button", { name: "发送验证码" }));
    const code = (await screen.findByLabelText("短信验证码")) as HTMLInputElement;
    await fireEvent.input(code, { target: { value: "000000" } });
    await fireEvent.submit(code.form!);
    await screen.findByRole("alert");
    expect(code.value).toBe("");
  });
});

describe("sign-in with a third-party identity", () => {
  it("signs in once the guardian agreed in the browser", async () => {
    const api = fakeApi(dashboard({ signed_in: false }, []));
    render(App, { api, locale: "en" });
    const calls = vi.mocked(api.getDashboard).mock.calls.length;
    await fireEvent.click(await screen.findByRole("button", { name: "Sign in with WeChat" }));
    await waitFor(() => expect(api.signInWithIdentity).toHaveBeenCalledWith("wechat"));
    await waitFor(() => expect(vi.mocked(api.getDashboard).mock.calls.length).toBeGreaterThan(calls));
  });

  it("binds the guardian's phone number to an identity no account uses yet", async () => {
    const api = fakeApi(dashboard({ signed_in: false }, []), {
      signInWithIdentity: vi.fn(async () => ok("phone_binding_required" as const)),
    });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: "Sign in with QQ" }));
    expect((await screen.findByTestId("bind-phone")).textContent).toContain("No Guardian account uses this QQ account yet");
    await fireEvent.input(screen.getByLabelText("Phone number"), { target: { value: "+8613800000001" } });
    await fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    await waitFor(() => expect(api.requestSmsCode).toHaveBeenCalledWith("+8613800000001"));
    await fireEvent.input(await screen.findByLabelText("Code from the text message"), { target: { value: "482913" } });
    await fireEvent.click(screen.getByRole("button", { name: "Link and sign in" }));
    await waitFor(() => expect(api.bindPhone).toHaveBeenCalledWith("+8613800000001", "482913"));
    expect(api.signInSms).not.toHaveBeenCalled();
  });

  it("links and unlinks an identity from the account, with the real-name status", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const panel = await screen.findByTestId("identities");
    expect((await within(panel).findByTestId("real-name")).textContent).toContain("real name is verified");
    await fireEvent.click(within(panel).getByTestId("identity-link-wechat"));
    await waitFor(() => expect(api.linkIdentity).toHaveBeenCalledWith("wechat"));
    expect((await within(panel).findByTestId("identities-message")).textContent).toContain("WeChat is linked");
    await fireEvent.click(await within(panel).findByTestId("identity-unlink-wechat"));
    await waitFor(() => expect(api.unlinkIdentity).toHaveBeenCalledWith("wechat"));
    expect((await within(panel).findByTestId("identity-link-wechat")).textContent).toContain("Link WeChat");
  });
});

describe("adding a child", () => {
  it("needs a name, a birthday and the guardian's consent, then reloads the family", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByTestId("add-child-open"));
    const form = await screen.findByTestId("add-child-form");
    await fireEvent.submit(form);
    expect((await screen.findByTestId("add-child-message")).textContent).toContain("A name and a birthday are needed");
    await fireEvent.input(screen.getByTestId("add-child-name"), { target: { value: "Lin" } });
    await fireEvent.input(screen.getByTestId("add-child-birthday"), { target: { value: "2017-05-04" } });
    await fireEvent.submit(form);
    await waitFor(() => expect(screen.getByTestId("add-child-message").textContent).toContain("Tick the consent box"));
    expect(api.addChild).not.toHaveBeenCalled();
    expect(screen.getByTestId("add-child-rule").textContent).toContain("under 14");

    await fireEvent.click(screen.getByTestId("add-child-consent"));
    const loads = vi.mocked(api.getDashboard).mock.calls.length;
    await fireEvent.submit(form);
    await waitFor(() =>
      expect(api.addChild).toHaveBeenCalledWith({ display_name: "Lin", birthday: "2017-05-04", country: null, gender: null, consent: true }),
    );
    await waitFor(() => expect(screen.getByTestId("add-child-message").textContent).toContain("Lin was added."));
    await waitFor(() => expect(vi.mocked(api.getDashboard).mock.calls.length).toBeGreaterThan(loads));
  });
});

describe("friend requests", () => {
  it("shows the first ten of a long list until the guardian asks for all", async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      id: `fr-${i}`,
      child_id: "c1",
      other_name: `Friend ${i + 1}`,
      direction: "incoming" as const,
      status: "pending" as const,
      expires_at: "2026-12-07T09:00:00Z",
      queued: null,
      approved_by: [],
    }));
    const api = fakeApi(dashboard(), { listRequests: vi.fn(async () => ok(many)) });
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo\b/ }));
    await screen.findByText("Friend 1");
    expect(screen.getAllByTestId("request")).toHaveLength(10);
    expect(screen.queryByText("Friend 11")).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Show all 12 friend requests" }));
    expect(screen.getAllByTestId("request")).toHaveLength(12);
    screen.getByText("Friend 12");
    expect(screen.queryByTestId("requests-show-all")).toBeNull();
  });

  it("approves for a trial after the PIN", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo\b/ }));
    await fireEvent.click(await screen.findByRole("button", { name: /^Try for 7 days: approve Oliver/ }));
    const pin = (await screen.findByLabelText("Parental PIN")) as HTMLInputElement;
    await fireEvent.input(pin, { target: { value: "1234" } });
    await fireEvent.submit(pin.form!);
    await waitFor(() => expect(api.approveRequest).toHaveBeenCalledWith("c1", "fr-1", "1234", 7));
  });

  it("asks for a 4-digit PIN before approving and says when the approval is queued", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Leo\b/ }));
    expect((await screen.findByTestId("child-title")).textContent).toBe("Leo");
    await screen.findByText("Oliver");
    screen.getByText(/40 messages this week/);

    await fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    const pin = (await screen.findByLabelText("Parental PIN")) as HTMLInputElement;
    await fireEvent.input(pin, { target: { value: "12" } });
    await fireEvent.submit(pin.form!);
    screen.getByText("The PIN is exactly 4 digits.");
    expect(api.approveRequest).not.toHaveBeenCalled();

    await fireEvent.input(pin, { target: { value: "1234" } });
    await fireEvent.submit(pin.form!);
    await waitFor(() => expect(api.approveRequest).toHaveBeenCalledWith("c1", "fr-1", "1234", null));
    expect((await screen.findByTestId("outcome")).textContent).toContain("Saved on this computer");
  });

  it("approves without a PIN when the child may add friends", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await fireEvent.click(await screen.findByRole("button", { name: /^Ava\b/ }));
    await fireEvent.click(await screen.findByRole("button", { name: "Approve" }));
    await waitFor(() => expect(api.approveRequest).toHaveBeenCalledWith("c0", "fr-1", null, null));
  });

  it("words a refusal from the provider's code in the guardian's language, never in the provider's words", async () => {
    const refused = {
      state: "refused",
      message: "this friend request has expired",
      reason: "conflict",
      refusal: { code: "conflict", attempts_left: null, retry_after_seconds: null, reset_required: false, field: null },
    } as const;
    for (const [locale, words] of [
      ["en", "This has already changed"],
      ["zh-CN", "此项已经更改"],
    ] as const) {
      const api = fakeApi(dashboard(), { denyRequest: vi.fn(async () => ok(refused)) });
      const { unmount } = render(App, { api, locale });
      await fireEvent.click(await screen.findByRole("button", { name: /^Mei\b/ }));
      await fireEvent.click(await screen.findByRole("button", { name: locale === "en" ? "Deny" : "拒绝" }));
      const alert = await screen.findByRole("alert");
      expect(alert.textContent).toContain(words);
      expect(alert.textContent).not.toContain("this friend request has expired");
      unmount();
    }
  });
});

describe("sync health", () => {
  it("lists refused decisions with the provider's reason and lets the guardian dismiss them", async () => {
    const api = fakeApi(dashboard({ refused_decisions: 1 }), {
      pendingDecisions: vi.fn(async () =>
        ok([
          {
            id: "7",
            kind: "approve_request" as const,
            child_id: "c1",
            subject: "fr-1",
            state: "refused" as const,
            attempts: 1,
            message: "the parental PIN is not correct",
            reason: "pin_incorrect",
            refusal: { code: "pin_incorrect" as const, attempts_left: 3, retry_after_seconds: null, reset_required: false, field: null },
            next_try_at: null,
          },
        ]),
      ),
    });
    render(App, { api, locale: "en" });
    const panel = await screen.findByTestId("refused");
    expect(panel.textContent).toContain("That PIN is not right. 3 tries are left before the PIN locks.");
    expect(panel.textContent).not.toContain("the parental PIN is not correct");
    expect(panel.textContent).toContain("Approving a friend request");
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(api.dismissDecision).toHaveBeenCalledWith("7"));
  });
});

describe("notification centre", () => {
  it("counts what is new, opens the child a notification is about and marks it read", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    const open = await screen.findByTestId("notifications-open");
    await waitFor(() => expect(screen.getByTestId("notifications-unread").textContent).toBe("2 new"));
    await fireEvent.click(open);
    const rows = await screen.findAllByTestId("notification");
    expect(rows[0].textContent).toContain("Oliver wants to be Leo's friend");
    expect(rows[1].textContent).toContain("Security: We rotated our signing keys");
    expect(rows[2].textContent).toContain("Leo's report (Bullying) has an outcome");
    expect(rows[2].getAttribute("data-read")).toBe("true");
    await fireEvent.click(rows[0].querySelector("[data-testid=notification-open]")!);
    await waitFor(() => expect(api.markNotificationsRead).toHaveBeenCalledWith(["friend_request:fr-1"]));
    expect((await screen.findByTestId("child-title")).textContent).toBe("Leo");
  });

  it("hands the unread ones to the desktop in the guardian's words, and a click opens the child", async () => {
    const api = fakeApi(dashboard());
    let clicked: (childId: string | null) => void = () => {};
    api.onNoticeClicked = vi.fn((handler) => {
      clicked = handler;
      return () => {};
    });
    render(App, { api, locale: "zh-CN" });
    await waitFor(() => expect(api.announceNotifications).toHaveBeenCalled());
    const notices = vi.mocked(api.announceNotifications).mock.calls[0][0];
    expect(notices.map((n) => n.id)).toEqual(["friend_request:fr-1", "security_notice:sn-1"]);
    expect(notices[0]).toMatchObject({ title: "Guardian 家长守护", child_id: "c1" });
    expect(notices[0].body).toContain("Oliver");
    clicked("c1");
    expect((await screen.findByTestId("child-title")).textContent).toBe("Leo");
  });

  it("counts the unread ones on the tray icon, and the count falls as they are read", async () => {
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    await waitFor(() =>
      expect(api.showTrayBadge).toHaveBeenLastCalledWith({
        unread: 2,
        summary: "2 new notifications",
        open: "Open Guardian",
        quit: "Quit Guardian",
        asked_at: expect.any(Number),
      }),
    );
    await fireEvent.click(await screen.findByTestId("notifications-open"));
    await fireEvent.click(screen.getByTestId("notifications-read-all"));
    await waitFor(() => expect(api.markNotificationsRead).toHaveBeenCalled());
    await waitFor(() =>
      expect(api.showTrayBadge).toHaveBeenLastCalledWith(expect.objectContaining({ unread: 0, summary: "No new notifications" })),
    );
    // Each badge is stamped later than the one before, so the tray can drop one that arrives late.
    const stamps = vi.mocked(api.showTrayBadge).mock.calls.map(([badge]) => badge.asked_at ?? 0);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });
});

describe("language", () => {
  it("switches between English and Chinese, and remembers the choice", async () => {
    localStorage.clear();
    const api = fakeApi(dashboard());
    render(App, { api, locale: "en" });
    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe("Guardian");
    await fireEvent.change(screen.getByTestId("language"), { target: { value: "zh-CN" } });
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Guardian 家长守护");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(localStorage.getItem("guardian.locale")).toBe("zh-CN");
    cleanup();
    render(App, { api });
    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe("Guardian 家长守护");
    localStorage.clear();
  });
});
