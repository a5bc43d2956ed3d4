// Every string the UI shows comes from this catalogue. Plurals and dates go through Intl.

export type Locale = "en" | "zh-CN";

type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
type Entry = string | Plural;

const en = {
  "app.title": "Guardian",
  "app.loading": "Opening Guardian…",
  "provider.demo": "Demo provider",
  "provider.demoHint": "You are looking at a demo family. Set GUARDIAN_PROVIDER_URL to use your real account.",
  "provider.custom": "Provider",
  "status.offline": "Offline — showing what was saved on this computer. Changes will sync when you are back online.",
  "status.lastSynced": "Last synced {time}",
  "status.neverSynced": "Not synced yet",
  "status.insecure": "No secure storage",
  "action.sync": "Sync now",
  "action.syncing": "Syncing…",
  "action.signOut": "Sign out",
  "children.title": "Your children",
  "children.empty": "No children on this account yet.",
  "child.age": { one: "{count} year old", other: "{count} years old" },
  "child.ageUnknown": "Age not given",
  "child.pending": { one: "{count} friend request waiting", other: "{count} friend requests waiting" },
  "child.noPending": "No friend requests waiting",
  "child.approval.pin_required": "Your PIN approves each new friend",
  "child.approval.child_may_add": "May add friends alone — you still see and can block every contact",
  "child.open": "Open {name}",
  "child.back": "Back to all children",
  "requests.title": "Friend requests",
  "requests.none": "No friend requests.",
  "requests.incoming": "wants to be friends",
  "requests.outgoing": "was asked to be friends",
  "requests.status.pending": "Waiting for you",
  "requests.status.approved": "Approved",
  "requests.status.denied": "Denied",
  "requests.status.expired": "Expired",
  "requests.queued.approve_request": "Approved on this computer — will be sent when online",
  "requests.queued.deny_request": "Denied on this computer — will be sent when online",
  "requests.approve": "Approve",
  "requests.deny": "Deny",
  "requests.expires": "Expires {time}",
  "pin.title": "Enter the parental PIN",
  "pin.explain": "Approving a new friend for {name} needs the 4-digit parental PIN.",
  "pin.label": "Parental PIN",
  "pin.invalid": "The PIN is exactly 4 digits.",
  "pin.confirm": "Approve",
  "pin.cancel": "Cancel",
  "contacts.title": "Contacts",
  "contacts.none": "No contacts.",
  "contacts.filter": "Search contacts",
  "contacts.activity": { one: "{count} message this week", other: "{count} messages this week" },
  "contacts.calls": { one: "{count} call", other: "{count} calls" },
  "contacts.blocked": "Blocked",
  "contacts.block": "Block",
  "contacts.unblock": "Unblock",
  "contacts.queued": "Change saved on this computer — will be sent when online",
  "contacts.noContent": "Guardian shows who your child talks to and how often — never what was said.",
  "outcome.sent": "Done.",
  "outcome.queued": "Saved on this computer. It will be sent when the provider can be reached.",
  "outcome.refused": "The provider said no: {message}",
  "pending.title": "Decisions waiting",
  "pending.queued": { one: "{count} decision waiting to be sent", other: "{count} decisions waiting to be sent" },
  "pending.refused": { one: "{count} decision refused by the provider", other: "{count} decisions refused by the provider" },
  "pending.dismiss": "Dismiss",
  "pending.kind.approve_request": "Approving a friend request",
  "pending.kind.deny_request": "Denying a friend request",
  "pending.kind.block_contact": "Blocking a contact",
  "pending.kind.unblock_contact": "Unblocking a contact",
  "signIn.title": "Sign in",
  "signIn.intro": "Sign in with the phone number and password of your guardian account.",
  "signIn.phone": "Phone number",
  "signIn.password": "Password",
  "signIn.submit": "Sign in",
  "signIn.working": "Signing in…",
  "notice.no_secure_storage":
    "No secure storage (such as the system keyring) is available on this computer. Guardian will not keep your sign-in or its data in plain files: you will sign in each time, and data stays in memory until you close the app.",
  "notice.cache_rebuilt":
    "The data saved on this computer could not be read, so it was set aside (still encrypted) and is being rebuilt from the provider.",
  "error.invalid_credentials": "The phone number or password is not correct.",
  "error.offline": "The provider cannot be reached. Check your connection and try again.",
  "error.sign_in_required": "Please sign in again.",
  "error.invalid_input": "Please check what you entered.",
  "error.secure_storage": "Secure storage refused the request.",
  "error.local_cache": "The data saved on this computer could not be used.",
  "error.generic": "Something went wrong: {message}",
} satisfies Record<string, Entry>;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, Entry> = {
  "app.title": "Guardian 家长守护",
  "app.loading": "正在打开 Guardian…",
  "provider.demo": "演示服务",
  "provider.demoHint": "当前显示的是演示家庭。设置 GUARDIAN_PROVIDER_URL 即可使用您的真实账户。",
  "provider.custom": "服务提供方",
  "status.offline": "离线 — 正在显示保存在本机的数据。恢复联网后会自动同步更改。",
  "status.lastSynced": "上次同步：{time}",
  "status.neverSynced": "尚未同步",
  "status.insecure": "没有安全存储",
  "action.sync": "立即同步",
  "action.syncing": "正在同步…",
  "action.signOut": "退出登录",
  "children.title": "您的孩子",
  "children.empty": "此账户下还没有孩子。",
  "child.age": { other: "{count} 岁" },
  "child.ageUnknown": "未填写年龄",
  "child.pending": { other: "{count} 个好友申请待处理" },
  "child.noPending": "没有待处理的好友申请",
  "child.approval.pin_required": "每个新好友都需要您的 PIN 码批准",
  "child.approval.child_may_add": "可以自行添加好友 — 您仍能看到并屏蔽每个联系人",
  "child.open": "查看 {name}",
  "child.back": "返回所有孩子",
  "requests.title": "好友申请",
  "requests.none": "没有好友申请。",
  "requests.incoming": "想成为好友",
  "requests.outgoing": "已被邀请成为好友",
  "requests.status.pending": "等待您处理",
  "requests.status.approved": "已批准",
  "requests.status.denied": "已拒绝",
  "requests.status.expired": "已过期",
  "requests.queued.approve_request": "已在本机批准 — 联网后发送",
  "requests.queued.deny_request": "已在本机拒绝 — 联网后发送",
  "requests.approve": "批准",
  "requests.deny": "拒绝",
  "requests.expires": "{time} 过期",
  "pin.title": "输入家长 PIN 码",
  "pin.explain": "为 {name} 批准新好友需要 4 位家长 PIN 码。",
  "pin.label": "家长 PIN 码",
  "pin.invalid": "PIN 码必须是 4 位数字。",
  "pin.confirm": "批准",
  "pin.cancel": "取消",
  "contacts.title": "联系人",
  "contacts.none": "没有联系人。",
  "contacts.filter": "搜索联系人",
  "contacts.activity": { other: "本周 {count} 条消息" },
  "contacts.calls": { other: "{count} 次通话" },
  "contacts.blocked": "已屏蔽",
  "contacts.block": "屏蔽",
  "contacts.unblock": "取消屏蔽",
  "contacts.queued": "更改已保存在本机 — 联网后发送",
  "contacts.noContent": "Guardian 只显示孩子与谁交流以及频率 — 从不显示聊天内容。",
  "outcome.sent": "已完成。",
  "outcome.queued": "已保存在本机，能连接服务提供方时会自动发送。",
  "outcome.refused": "服务提供方拒绝了此操作：{message}",
  "pending.title": "待处理的决定",
  "pending.queued": { other: "{count} 个决定等待发送" },
  "pending.refused": { other: "{count} 个决定被服务提供方拒绝" },
  "pending.dismiss": "知道了",
  "pending.kind.approve_request": "批准好友申请",
  "pending.kind.deny_request": "拒绝好友申请",
  "pending.kind.block_contact": "屏蔽联系人",
  "pending.kind.unblock_contact": "取消屏蔽联系人",
  "signIn.title": "登录",
  "signIn.intro": "请使用监护人账户的手机号和密码登录。",
  "signIn.phone": "手机号",
  "signIn.password": "密码",
  "signIn.submit": "登录",
  "signIn.working": "正在登录…",
  "notice.no_secure_storage":
    "本机没有可用的安全存储（如系统钥匙串）。Guardian 不会把登录信息或数据保存在明文文件中：每次打开都需要登录，数据只保存在内存中，关闭应用即清除。",
  "notice.cache_rebuilt": "本机保存的数据无法读取，已将其（仍为加密状态）移到一旁，正在从服务提供方重新同步。",
  "error.invalid_credentials": "手机号或密码不正确。",
  "error.offline": "无法连接服务提供方。请检查网络后重试。",
  "error.sign_in_required": "请重新登录。",
  "error.invalid_input": "请检查您输入的内容。",
  "error.secure_storage": "安全存储拒绝了此请求。",
  "error.local_cache": "无法使用本机保存的数据。",
  "error.generic": "出现问题：{message}",
};

const catalogues: Record<Locale, Record<MessageKey, Entry>> = { en, "zh-CN": zhCN };

/** The OS (browser) language decides, until the guardian chooses. */
export function detectLocale(languages: readonly string[] = navigator.languages ?? []): Locale {
  return languages.some((l) => l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

export function translate(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  const entry = catalogues[locale][key] ?? en[key];
  let text: string;
  if (typeof entry === "string") {
    text = entry;
  } else {
    const count = Number(params.count ?? 0);
    const rule = new Intl.PluralRules(locale).select(count);
    text = entry[rule] ?? entry.other;
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === "number" ? new Intl.NumberFormat(locale).format(value) : value;
  });
}

export function formatDateTime(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** A message for an error code from the backend; unknown codes show the backend's words. */
export function errorMessage(locale: Locale, error: { code: string; message: string }): string {
  const key = `error.${error.code}`;
  return isMessageKey(key) ? translate(locale, key) : translate(locale, "error.generic", { message: error.message });
}
