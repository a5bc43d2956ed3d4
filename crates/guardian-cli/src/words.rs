//! What the terminal says about errors, waiting decisions and the cache, in the guardian's
//! language: Simplified Chinese when `GUARDIAN_LANG`, `LC_ALL`, `LC_MESSAGES` or `LANG` (the
//! first one set) starts with `zh`, English otherwise. Keyed by the engine's stable codes, like
//! the desktop app's catalogue.

use chrono::{DateTime, Utc};
use guardian_core::Refusal;
use guardian_domain::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub fn from_env() -> Self {
        let chosen = ["GUARDIAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if chosen.to_ascii_lowercase().starts_with("zh") { Self::ZhCn } else { Self::En }
    }
}

/// One line for an error, from its code; `detail` is the engine's own words, used where the
/// code alone does not say enough (which child, what was wrong with the input).
pub fn error_line(lang: Lang, code: &str, detail: &str) -> String {
    use Lang::{En, ZhCn};
    let line = match (lang, code) {
        (En, "offline") => {
            "The provider cannot be reached, so nothing was sent; decisions wait on this computer."
        }
        (ZhCn, "offline") => "无法连接服务提供方，因此没有发送任何内容；决定保存在本机等待发送。",
        (En, "provider_timeout") => "The provider did not answer in time; decisions wait on this computer.",
        (ZhCn, "provider_timeout") => "服务提供方没有及时回应；决定保存在本机等待发送。",
        (En, "provider_unavailable") => {
            "The provider is having trouble (it answered with a server error); decisions wait on this computer."
        }
        (ZhCn, "provider_unavailable") => "服务提供方出现故障（返回了服务器错误）；决定保存在本机等待发送。",
        (En, "provider_busy") => "The provider asked Guardian to slow down; decisions wait on this computer.",
        (ZhCn, "provider_busy") => "服务提供方要求 Guardian 稍后再试；决定保存在本机等待发送。",
        (En, "provider_response") => {
            "The provider's answer was cut off or unreadable; decisions wait on this computer."
        }
        (ZhCn, "provider_response") => "服务提供方的回应不完整或无法读取；决定保存在本机等待发送。",
        (En, "provider_redirect") => {
            "The provider tried to send this request to another address; Guardian never follows such a redirect, so nothing was sent there."
        }
        (ZhCn, "provider_redirect") => {
            "服务提供方试图把此请求转到另一个地址；Guardian 从不跟随这种重定向，因此没有向那里发送任何内容。"
        }
        (En, "sign_in_required") => "Please sign in again: guardian sign-in --phone NUMBER",
        (ZhCn, "sign_in_required") => "请重新登录：guardian sign-in --phone 手机号",
        (En, "invalid_credentials") => "The phone number or password is not correct.",
        (ZhCn, "invalid_credentials") => "手机号或密码不正确。",
        (ZhCn, "invalid_provider_url") => "服务提供方的地址不可用（必须是 https，仅本机可用 http）：",
        (ZhCn, "provider_error") => "服务提供方没有接受此操作：",
        (ZhCn, "secure_storage") => "系统的安全存储（钥匙串）拒绝了请求：",
        (ZhCn, "local_cache") => "无法使用本机保存的数据：",
        (ZhCn, "demo_provider") => "演示服务无法启动：",
        (En, "no_provider") => {
            "No provider is chosen on this computer. Keep your provider's address with `guardian provider use https://…`, or try the demo family with GUARDIAN_PROVIDER=demo."
        }
        (ZhCn, "no_provider") => {
            "本机尚未选择服务提供方。请用 `guardian provider use https://…` 保存服务提供方的地址，或设置 GUARDIAN_PROVIDER=demo 试用演示家庭。"
        }
        (ZhCn, "invalid_input") => "请检查您输入的内容：",
        (ZhCn, "file") => "Guardian 无法使用该文件：",
        (ZhCn, "archive_invalid") => "副本未通过校验：",
        (ZhCn, "account_deleted") => "您的 Guardian 账户已删除，本机上的数据也已移除。",
        // In English the engine's own words are the line.
        (En, _) => return detail.to_owned(),
        (ZhCn, _) => "出现问题：",
    };
    if line.ends_with('：') { format!("{line}{detail}") } else { line.to_owned() }
}

/// Which provider this computer uses, as `guardian provider` says it.
pub fn provider_line(lang: Lang, choice: Option<&guardian_core::ProviderChoice>) -> String {
    use guardian_core::ProviderChoice::{Demo, Url};
    match (choice, lang) {
        (Some(Url(url)), Lang::En) => format!("Provider: {url}"),
        (Some(Url(url)), Lang::ZhCn) => format!("服务提供方：{url}"),
        (Some(Demo), Lang::En) => {
            "Provider: the demo family (GUARDIAN_PROVIDER=demo), new at each command".into()
        }
        (Some(Demo), Lang::ZhCn) => {
            "服务提供方：演示家庭（GUARDIAN_PROVIDER=demo），每条命令都重新开始".into()
        }
        (None, _) => error_line(lang, "no_provider", ""),
    }
}

/// A notice about the app's state (no keyring, a cache set aside), in the guardian's language.
pub fn notice_line(lang: Lang, notice: &guardian_core::Notice) -> String {
    use guardian_core::NoticeCode::{CacheRebuilt, NoSecureStorage};
    let line = match (lang, notice.code) {
        (Lang::En, _) => return format!("Note: {}", notice.message),
        (Lang::ZhCn, NoSecureStorage) => {
            "本机没有可用的安全存储（如系统钥匙串）。Guardian 不会把登录信息或数据保存在明文文件中：每次都需要登录，数据只保存在内存中。"
        }
        (Lang::ZhCn, CacheRebuilt) => {
            "本机保存的数据无法读取，已将其（仍为加密状态）移到一旁，正在从服务提供方重新同步。"
        }
    };
    format!("注意：{line}")
}

/// Said before a command's output on the embedded demo.
pub fn demo_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "Demo provider: showing the demo family (`guardian provider use URL` keeps your real provider's address)."
        }
        Lang::ZhCn => {
            "演示服务：显示的是演示家庭（用 `guardian provider use 地址` 保存您真实服务提供方的地址）。"
        }
    }
}

/// A provider's refusal, worded from its code and facts (never the provider's own words).
pub fn refusal_line(lang: Lang, refusal: &Refusal) -> String {
    use Lang::{En, ZhCn};
    let wait = refusal.retry_after_seconds.map(|s| wait_words(lang, s));
    match (refusal.code, lang) {
        (ErrorCode::PinIncorrect, _) => match (refusal.attempts_left, lang) {
            (Some(1), En) => "That PIN is not right: 1 try is left before the PIN locks.".into(),
            (Some(n), En) => format!("That PIN is not right: {n} tries are left before the PIN locks."),
            (Some(n), ZhCn) => format!("PIN 不正确：PIN 锁定前还剩 {n} 次机会。"),
            (None, En) => "That PIN is not right.".into(),
            (None, ZhCn) => "PIN 不正确。".into(),
        },
        (ErrorCode::PinLocked, En) => match wait.filter(|_| !refusal.reset_required) {
            Some(wait) => format!("Too many wrong PINs: the PIN is locked. Try again in {wait}."),
            None => {
                "Too many wrong PINs: the PIN is locked until you set a new one: guardian pin --reset".into()
            }
        },
        (ErrorCode::PinLocked, ZhCn) => match wait.filter(|_| !refusal.reset_required) {
            Some(wait) => format!("PIN 错误次数过多，已被锁定。请在 {wait}后重试。"),
            None => "PIN 错误次数过多，已被锁定，需设置新的 PIN：guardian pin --reset".into(),
        },
        (ErrorCode::RateLimited, En) => match wait {
            Some(wait) => format!("Too many tries. Please try again in {wait}."),
            None => "Too many tries. Please wait a moment and try again.".into(),
        },
        (ErrorCode::RateLimited, ZhCn) => match wait {
            Some(wait) => format!("尝试次数过多。请在 {wait}后重试。"),
            None => "尝试次数过多。请稍候再试。".into(),
        },
        (ErrorCode::Validation, En) => match &refusal.field {
            Some(field) => format!("The provider did not accept {field}. Please check it and try again."),
            None => "The provider did not accept what was entered. Please check it and try again.".into(),
        },
        (ErrorCode::Validation, ZhCn) => match &refusal.field {
            Some(field) => format!("服务提供方不接受 {field}。请检查后重试。"),
            None => "服务提供方不接受您输入的内容。请检查后重试。".into(),
        },
        (code, lang) => refusal_words(code, lang).into(),
    }
}

/// The refusals whose words need no facts.
fn refusal_words(code: ErrorCode, lang: Lang) -> &'static str {
    use Lang::{En, ZhCn};
    match (code, lang) {
        (ErrorCode::BadRequest, En) => {
            "The provider could not read this request. Please try again; if it happens again, send Support a diagnostics bundle (guardian support bundle)."
        }
        (ErrorCode::BadRequest, ZhCn) => {
            "服务提供方无法读取此请求。请重试；若再次出现，请把诊断包（guardian support bundle）发给客服。"
        }
        (ErrorCode::InvalidCredentials, En) => "The phone number, password or code is not correct.",
        (ErrorCode::InvalidCredentials, ZhCn) => "手机号、密码或验证码不正确。",
        (ErrorCode::Unauthorized, En) => "Please sign in again: guardian sign-in --phone NUMBER",
        (ErrorCode::Unauthorized, ZhCn) => "请重新登录：guardian sign-in --phone 手机号",
        (ErrorCode::TokenReused, En) => {
            "This sign-in was used somewhere else, so it was ended to keep the account safe. Please sign in again."
        }
        (ErrorCode::TokenReused, ZhCn) => "此登录已在其他地方使用，为保护账户已被结束。请重新登录。",
        (ErrorCode::Forbidden, En) => "Your account may not do this for this child.",
        (ErrorCode::Forbidden, ZhCn) => "您的账户不能为这个孩子执行此操作。",
        (ErrorCode::NotFound, En) => "This is no longer there; it may have been changed on another device.",
        (ErrorCode::NotFound, ZhCn) => "此项已不存在，可能已在其他设备上更改。",
        (ErrorCode::Conflict, En) => {
            "This has already changed (on another device, or by a co-guardian). Look again, then decide."
        }
        (ErrorCode::Conflict, ZhCn) => "此项已经更改（在其他设备上，或由另一位监护人）。请重新查看后再决定。",
        (ErrorCode::PreconditionFailed, En) => {
            "This changed on another device while you were deciding. Look again, then decide."
        }
        (ErrorCode::PreconditionFailed, ZhCn) => "您决定时，此项已在其他设备上更改。请重新查看后再决定。",
        (ErrorCode::PayloadTooLarge, En) => "This is too large for the provider.",
        (ErrorCode::PayloadTooLarge, ZhCn) => "内容太大，服务提供方无法接收。",
        (ErrorCode::CursorExpired, En) => {
            "Guardian has to fetch your family again; it will at the next sync."
        }
        (ErrorCode::CursorExpired, ZhCn) => "Guardian 需要重新获取您的家庭数据，下次同步时会自动完成。",
        (ErrorCode::PinNotSet, En) => {
            "This child has no parental PIN yet. Set one first: guardian pin --child NAME"
        }
        (ErrorCode::PinNotSet, ZhCn) => "这个孩子还没有家长 PIN。请先设置：guardian pin --child 名字",
        (ErrorCode::IdempotencyMismatch, En) => {
            "The provider remembers this decision differently. It was not sent again; please decide once more."
        }
        (ErrorCode::IdempotencyMismatch, ZhCn) => {
            "服务提供方记录的此决定与本次不同，因此没有再次发送；请重新决定一次。"
        }
        (ErrorCode::IdempotencyKeyRequired, En) => {
            "The provider refused a request without its safety key. Please update Guardian."
        }
        (ErrorCode::IdempotencyKeyRequired, ZhCn) => "服务提供方拒绝了缺少安全标识的请求。请更新 Guardian。",
        (ErrorCode::ReauthRequired, En) => {
            "For your safety, confirm it is you (your password or an SMS code), then try again."
        }
        (ErrorCode::ReauthRequired, ZhCn) => "为了安全，请先确认是您本人（密码或短信验证码），然后重试。",
        (ErrorCode::PhoneBindingRequired, En) => {
            "This sign-in is not linked to a Guardian account yet: add your phone number to link it."
        }
        (ErrorCode::PhoneBindingRequired, ZhCn) => {
            "此登录方式尚未关联 Guardian 账户：请添加您的手机号以完成关联。"
        }
        (ErrorCode::Internal, En) => "The provider had a problem of its own. Please try again later.",
        (ErrorCode::Internal, ZhCn) => "服务提供方自身出现问题。请稍后重试。",
        (ErrorCode::Unavailable, En) => "The provider is not available right now. Please try again later.",
        (ErrorCode::Unavailable, ZhCn) => "服务提供方暂时不可用。请稍后重试。",
        (_, En) => "The provider did not accept this.",
        (_, ZhCn) => "服务提供方没有接受此操作。",
    }
}

/// A wait in words: `14 min 5 s`, `14 分 5 秒`.
fn wait_words(lang: Lang, seconds: i32) -> String {
    let seconds = seconds.max(0);
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match lang {
        Lang::En if h > 0 => format!("{h} h {m} min"),
        Lang::En if m > 0 => format!("{m} min {s} s"),
        Lang::En => format!("{s} s"),
        Lang::ZhCn if h > 0 => format!("{h} 小时 {m} 分钟"),
        Lang::ZhCn if m > 0 => format!("{m} 分 {s} 秒"),
        Lang::ZhCn => format!("{s} 秒"),
    }
}

/// Whether [`error_line`] has its own words for `code` in `lang` (for the catalogue test).
#[cfg(test)]
fn worded(lang: Lang, code: &str) -> bool {
    let marker = "\u{1}";
    let line = error_line(lang, code, marker);
    match lang {
        Lang::En => line != marker || ENGLISH_FROM_DETAIL.contains(&code),
        Lang::ZhCn => !line.starts_with("出现问题"),
    }
}

/// Codes whose English line is the engine's own message (it names what went wrong).
#[cfg(test)]
const ENGLISH_FROM_DETAIL: [&str; 9] = [
    "account_deleted",
    "invalid_provider_url",
    "provider_error",
    "secure_storage",
    "local_cache",
    "demo_provider",
    "invalid_input",
    "file",
    "archive_invalid",
];

/// "12 minutes ago", "3 hours ago", "2 days ago" (or in Chinese).
pub fn ago(lang: Lang, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes().max(0);
    let (n, unit_en, unit_zh) = match minutes {
        0 => return if lang == Lang::En { "just now".into() } else { "刚刚".into() },
        1..=59 => (minutes, "minute", "分钟"),
        60..=2879 => (minutes / 60, "hour", "小时"),
        _ => (minutes / 1440, "day", "天"),
    };
    match lang {
        Lang::En => format!("{n} {unit_en}{} ago", if n == 1 { "" } else { "s" }),
        Lang::ZhCn => format!("{n}{unit_zh}前"),
    }
}

/// The one line a listing prints when it shows the cache because the provider could not be used.
pub fn showing_cache(
    lang: Lang,
    code: &str,
    last_synced: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    let why = match (lang, code) {
        (Lang::En, "offline") => "the provider cannot be reached",
        (Lang::En, "provider_timeout") => "the provider did not answer in time",
        (Lang::En, "provider_unavailable") => "the provider answered with a server error",
        (Lang::En, "provider_busy") => "the provider asked Guardian to slow down",
        (Lang::En, _) => "the provider's answer was cut off or unreadable",
        (Lang::ZhCn, "offline") => "无法连接服务提供方",
        (Lang::ZhCn, "provider_timeout") => "服务提供方没有及时回应",
        (Lang::ZhCn, "provider_unavailable") => "服务提供方返回了服务器错误",
        (Lang::ZhCn, "provider_busy") => "服务提供方要求稍后再试",
        (Lang::ZhCn, _) => "服务提供方的回应不完整或无法读取",
    };
    match (lang, last_synced) {
        (Lang::En, Some(at)) => {
            format!(
                "Offline: {why}; showing what was saved on this computer, last synced {}.",
                ago(lang, at, now)
            )
        }
        (Lang::En, None) => format!("Offline: {why}; nothing has been saved on this computer yet."),
        (Lang::ZhCn, Some(at)) => {
            format!("离线：{why}；正在显示本机保存的数据，上次同步于{}。", ago(lang, at, now))
        }
        (Lang::ZhCn, None) => format!("离线：{why}；本机还没有保存任何数据。"),
    }
}

/// What happened to a decision that could not be sent yet.
pub fn kept_for_later(
    lang: Lang,
    done: &str,
    reason: Option<&str>,
    next_try: Option<DateTime<Utc>>,
) -> String {
    let when = next_try.map(|at| at.with_timezone(&chrono::Local).format("%H:%M:%S").to_string());
    let why = reason.map(|code| error_line(lang, code, "")).unwrap_or_default();
    match (lang, when) {
        (Lang::En, Some(at)) => {
            format!("{done} on this computer; it will be sent at {at} or at the next sync. {why}")
        }
        (Lang::En, None) => {
            format!("{done} on this computer; it will be sent when the provider can be reached. {why}")
        }
        // The action's English word stays out of the Chinese line.
        (Lang::ZhCn, Some(at)) => format!("此决定已保存在本机，将于 {at} 或下次同步时发送。{why}"),
        (Lang::ZhCn, None) => format!("此决定已保存在本机，将在可以连接服务提供方时发送。{why}"),
    }
    .trim_end()
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the engine can return is worded in both languages.
    #[test]
    fn both_catalogues_word_every_error_code() {
        for code in guardian_core::ErrorKind::ALL.map(guardian_core::ErrorKind::as_str) {
            for lang in [Lang::En, Lang::ZhCn] {
                assert!(worded(lang, code), "{lang:?} has no words for {code}");
            }
        }
    }

    /// Every provider code of the contract (`ErrorCode::ALL` is checked against it) has its own
    /// words in both languages: none falls through to the catch-all, and the Chinese has no
    /// English sentence in it.
    #[test]
    fn both_languages_word_every_provider_refusal_with_its_facts() {
        let refusal = |code| Refusal {
            code,
            attempts_left: Some(2),
            retry_after_seconds: Some(125),
            reset_required: false,
            field: None,
        };
        for code in ErrorCode::ALL {
            let (en, zh) = (refusal_line(Lang::En, &refusal(code)), refusal_line(Lang::ZhCn, &refusal(code)));
            if code != ErrorCode::Unknown {
                assert_ne!(
                    en,
                    refusal_line(Lang::En, &refusal(ErrorCode::Unknown)),
                    "{code:?} has no English words"
                );
                assert_ne!(
                    zh,
                    refusal_line(Lang::ZhCn, &refusal(ErrorCode::Unknown)),
                    "{code:?} has no Chinese words"
                );
            }
            assert!(!zh.contains("the ") && !zh.contains("The "), "{code:?}: {zh}");
        }
        let zh = |code| refusal_line(Lang::ZhCn, &refusal(code));
        assert_eq!(zh(ErrorCode::PinIncorrect), "PIN 不正确：PIN 锁定前还剩 2 次机会。");
        assert_eq!(zh(ErrorCode::PinLocked), "PIN 错误次数过多，已被锁定。请在 2 分 5 秒后重试。");
    }

    #[test]
    fn unavailability_is_worded_without_the_decoder_error() {
        let now = Utc::now();
        for code in guardian_core::ErrorKind::UNAVAILABLE.map(guardian_core::ErrorKind::as_str) {
            for lang in [Lang::En, Lang::ZhCn] {
                let line = showing_cache(lang, code, Some(now - chrono::Duration::minutes(12)), now);
                assert!(!line.contains('\n'), "one line: {line}");
                assert!(line.contains("12"), "says how old the cache is: {line}");
                assert!(!line.contains("EOF"), "{line}");
            }
        }
    }

    #[test]
    fn the_chinese_line_for_a_waiting_decision_has_no_english_word() {
        let line = kept_for_later(Lang::ZhCn, "Blocked", Some("provider_busy"), None);
        assert!(!line.contains("Blocked"), "{line}");
        assert!(line.contains("稍后再试"), "{line}");
    }
}
