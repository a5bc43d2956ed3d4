//! The tray icon: Guardian stays one click away, and a badge counts the notification-centre items
//! the guardian has not read — a number beside the icon where the desktop shows one, a dot on the
//! icon everywhere, and the count in its menu. The window words the menu in the guardian's
//! language; the numbers never say what or who an item is about.

use serde::Deserialize;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager as _, Wry};

/// What the window asks the tray to show.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct TrayBadge {
    /// Unread items in the notification centre.
    pub unread: u32,
    /// The count in words ("3 new notifications"), for the tooltip and the menu.
    pub summary: String,
    pub open: String,
    pub quit: String,
    /// When the window asked (ms since the epoch). Two requests can arrive out of order; one
    /// asked for before the badge already shown is stale and dropped.
    pub asked_at: f64,
}

pub struct Tray {
    icon: TrayIcon,
    summary: MenuItem<Wry>,
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
    plain: Image<'static>,
    marked: Image<'static>,
}

/// The tray once it is made, and the badge last asked for (perhaps before it was made).
#[derive(Default)]
pub struct TraySlot(std::sync::Mutex<SlotState>);

#[derive(Default)]
struct SlotState {
    tray: Option<Tray>,
    badge: Option<TrayBadge>,
    tried: bool,
}

impl TraySlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Shows `badge` on the tray if it is there, and keeps it for a tray made later; a badge
    /// asked for before the current one is dropped.
    pub fn show(&self, badge: TrayBadge) -> tauri::Result<()> {
        let mut state = self.lock();
        if state.badge.as_ref().is_some_and(|shown| shown.asked_at > badge.asked_at) {
            return Ok(());
        }
        let shown = state.tray.as_ref().map_or(Ok(()), |tray| tray.show(&badge));
        state.badge = Some(badge);
        shown
    }
}

/// Puts Guardian in the tray (once), with the badge asked for so far. Desktops without a tray
/// (or, on Linux, without the indicator library) get none; the app works the same without it.
pub fn install(app: &AppHandle) {
    let slot = app.state::<TraySlot>();
    let mut state = slot.lock();
    if std::mem::replace(&mut state.tried, true) {
        return;
    }
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| create(app)));
    match made {
        Ok(Ok(tray)) => {
            if let Some(Err(error)) = state.badge.as_ref().map(|badge| tray.show(badge)) {
                tracing::info!(%error, "the tray icon could not be updated");
            }
            state.tray = Some(tray);
        }
        Ok(Err(error)) => tracing::info!(%error, "no tray icon"),
        Err(_) => tracing::info!("no tray icon: this desktop has no indicator library"),
    }
}

/// Where the tray's icon files go: `<app cache>/tray`, made private.
fn tray_icon_dir(app: &AppHandle) -> tauri::Result<std::path::PathBuf> {
    let dir = tauri::Manager::path(app).app_cache_dir()?.join("tray");
    guardian_core::private_dir(&dir)?;
    Ok(dir)
}

fn create(app: &AppHandle) -> tauri::Result<Tray> {
    let plain = app
        .default_window_icon()
        .cloned()
        .map(Image::to_owned)
        .ok_or_else(|| tauri::Error::AssetNotFound("the app icon".into()))?;
    let marked = with_dot(&plain);
    let summary = MenuItem::with_id(app, "summary", "Guardian", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Guardian", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Guardian", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&summary, &separator, &open, &quit])?;
    let icon = TrayIconBuilder::with_id("guardian")
        // Linux hands the indicator the icon as a file: in the app's own cache folder (the
        // user's alone), never a name anyone can predict in /tmp.
        .temp_dir_path(tray_icon_dir(app)?)
        .icon(plain.clone())
        .tooltip("Guardian")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(Tray { icon, summary, open, quit, plain, marked })
}

impl Tray {
    pub fn show(&self, badge: &TrayBadge) -> tauri::Result<()> {
        let unread = badge.unread > 0;
        self.icon.set_icon(Some(if unread { self.marked.clone() } else { self.plain.clone() }))?;
        self.icon.set_title(unread.then(|| badge.unread.to_string()))?;
        self.icon.set_tooltip(Some(&badge.summary))?;
        self.summary.set_text(&badge.summary)?;
        self.open.set_text(&badge.open)?;
        self.quit.set_text(&badge.quit)?;
        Ok(())
    }
}

/// Brings the main window to the front (a second launch, a notification or the tray).
pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The icon with a red dot, ringed in white, in its top-right corner: "something is unread".
fn with_dot(icon: &Image<'_>) -> Image<'static> {
    let (width, height) = (icon.width(), icon.height());
    let mut rgba = icon.rgba().to_vec();
    let size = f64::from(width.min(height));
    let radius = size * 0.22;
    let (cx, cy) = (f64::from(width) - radius - size * 0.02, radius + size * 0.02);
    for y in 0..height {
        for x in 0..width {
            let distance = (f64::from(x) + 0.5 - cx).hypot(f64::from(y) + 0.5 - cy);
            let colour = if distance <= radius * 0.8 {
                [0xd9, 0x2d, 0x20, 0xff]
            } else if distance <= radius {
                [0xff, 0xff, 0xff, 0xff]
            } else {
                continue;
            };
            let at = ((y * width + x) * 4) as usize;
            rgba[at..at + 4].copy_from_slice(&colour);
        }
    }
    Image::new_owned(rgba, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dot_marks_the_top_right_corner_and_leaves_the_rest() {
        let icon = Image::new_owned(vec![0x10; 64 * 64 * 4], 64, 64);
        let marked = with_dot(&icon);
        let pixel = |x: u32, y: u32| {
            let at = ((y * 64 + x) * 4) as usize;
            marked.rgba()[at..at + 4].to_vec()
        };
        assert_eq!(pixel(50, 14), [0xd9, 0x2d, 0x20, 0xff], "red at the dot's centre");
        assert_eq!(pixel(5, 60), [0x10; 4], "the rest of the icon is untouched");
        assert_eq!(pixel(5, 5), [0x10; 4]);
    }
}
