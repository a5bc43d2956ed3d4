//! What the terminal says about errors, waiting decisions and the cache, in the guardian's
//! language: Simplified Chinese when `GUARDIAN_LANG`, `LC_ALL`, `LC_MESSAGES` or `LANG` (the
//! first one set) starts with `zh`, English otherwise. Keyed by the engine's stable codes, like
//! the desktop app's catalogue.

use chrono::{DateTime, Utc};

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
        for code in guardian_core::ERROR_CODES {
            for lang in [Lang::En, Lang::ZhCn] {
                assert!(worded(lang, code), "{lang:?} has no words for {code}");
            }
        }
    }

    #[test]
    fn unavailability_is_worded_without_the_decoder_error() {
        let now = Utc::now();
        for code in guardian_core::UNAVAILABLE_CODES {
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
