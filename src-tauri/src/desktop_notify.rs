//! Desktop notifications: the window words each new item of the notification centre in the
//! guardian's language and hands it here; each is shown once (the engine remembers which were),
//! through the OS (the notification server on Linux, toasts on Windows, alerts on macOS). The OS
//! decides what a locked screen shows. Clicking one opens the child's screen.

use serde::{Deserialize, Serialize};
use tauri::AppHandle;

/// One notification as the window words it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct DesktopNotice {
    /// The notification centre's ID (`kind:provider-id`).
    pub id: String,
    pub title: String,
    pub body: String,
    /// The child whose screen a click opens.
    pub child_id: Option<String>,
}

/// The guardian clicked a desktop notification: open this child's screen (none: the dashboard).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct NoticeClicked {
    pub child_id: Option<String>,
}

/// Shows `notice` on its own thread (the OS calls may block until it is clicked or closed).
pub fn show(app: &AppHandle, notice: DesktopNotice) {
    let app = app.clone();
    std::thread::spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname("Guardian")
            .summary(&notice.title)
            .body(&body_text(&notice.body))
            .action("default", &notice.title)
            .show();
        match shown {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    open(&app, notice.child_id.clone());
                }
            }),
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => drop(app),
            Err(error) => tracing::info!(%error, "no desktop notification could be shown"),
        }
    });
}

fn open(app: &AppHandle, child_id: Option<String>) {
    crate::tray::show_main_window(app);
    if let Err(error) = tauri_specta::Event::emit(&NoticeClicked { child_id }, app) {
        tracing::warn!(%error, "could not tell the window about a click on a notification");
    }
}

/// The body as plain text. Linux notification servers read the body as markup (links, bold,
/// images): a contact named `<a href="…">Approve here</a>` must arrive as those characters.
fn body_text(body: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    } else {
        body.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(unix, not(target_os = "macos")))]
    fn markup_in_a_notification_body_is_text() {
        let body = super::body_text(r#"<a href="https://evil.example">Approve here</a> & <b>now</b>"#);
        assert_eq!(
            body,
            "&lt;a href=&quot;https://evil.example&quot;&gt;Approve here&lt;/a&gt; &amp; &lt;b&gt;now&lt;/b&gt;"
        );
        assert!(!body.contains('<') && !body.contains('>'), "{body}");
    }
}
