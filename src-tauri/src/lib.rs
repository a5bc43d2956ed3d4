//! The desktop shell: thin Tauri commands over `guardian-core`. No SQL, no HTTP and no business
//! rules live here; each command calls one engine function and maps its error.

mod commands;
mod desktop_notify;
mod error;
mod provider;
mod tray;

use tauri::Manager as _;

pub use commands::specta_builder;
pub use error::AppError;

/// Builds and runs the app.
pub fn run() {
    init_logging();
    let builder = specta_builder();
    let state = provider::EngineSlot::default();
    tauri::Builder::default()
        // First: a second launch hands over to the running app, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| tray::show_main_window(app)))
        // Restores the window's size and position (kept in the app's config folder).
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(builder.invoke_handler())
        .manage(state)
        .manage(tray::TraySlot::default())
        // The tray's set-up talks to the desktop (D-Bus on Linux) on the thread that also starts
        // the page: it waits until the page has loaded instead of holding up the start.
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                tray::install(webview.app_handle());
            }
        })
        .setup(move |app| {
            builder.mount_events(app);
            // Start the engine on the chosen provider while the window loads; the first command
            // waits for it. With none chosen, the first screen asks.
            commands::start_background(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("error while building Guardian")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Close the cache and the demo provider before the process goes.
                if let Some(engine) = app.state::<provider::EngineSlot>().started() {
                    tauri::async_runtime::block_on(engine.close());
                }
            }
        });
}

fn init_logging() {
    guardian_core::logging::init("warn");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    const BINDINGS: &str = "ui/src/bindings.ts";
    const HEADER: &str = "// Generated from the Rust commands by `make bindings`. Do not edit.\n";

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    fn export() -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("bindings.ts");
        crate::specta_builder()
            .export(specta_typescript::Typescript::default().header(HEADER), &out)
            .expect("export bindings");
        std::fs::read_to_string(out).expect("read exported bindings")
    }

    /// `UPDATE_BINDINGS=1 cargo test -p guardian-desktop --lib` rewrites the committed file.
    #[test]
    fn typescript_bindings_are_up_to_date() {
        let fresh = export();
        let path = root().join(BINDINGS);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == fresh, "{BINDINGS} is stale: run `make bindings` and commit the result");
    }

    /// Every error code the engine can return is worded in both of the UI's catalogues.
    #[test]
    fn the_ui_words_every_error_code_in_both_languages() {
        let read =
            |file: &str| std::fs::read_to_string(root().join("ui/src/lib/i18n").join(file)).expect(file);
        for (language, catalogue) in [("English", read("en.ts")), ("Chinese", read("zh-CN.ts"))] {
            for code in guardian_core::ErrorKind::ALL.map(guardian_core::ErrorKind::as_str) {
                let entries = catalogue.matches(&format!("\"error.{code}\":")).count();
                assert_eq!(entries, 1, "error.{code} in {language}");
            }
        }
    }

    /// Every command the UI can invoke is granted explicitly, and nothing else is.
    #[test]
    fn capabilities_grant_exactly_the_exported_commands() {
        let bindings = export();
        let mut commands: Vec<String> = bindings
            .split("TAURI_INVOKE(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .collect();
        commands.sort();
        assert!(!commands.is_empty(), "found the commands in the bindings");

        let capability: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("capabilities/main-window.json")).expect("capability file"),
        )
        .expect("capability JSON");
        let mut granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions list")
            .iter()
            .map(|p| p.as_str().expect("plain permission names").to_owned())
            .collect();
        granted.sort();
        // Besides its own commands, the window may only listen for the app's events.
        let core: Vec<String> = granted.iter().filter(|p| p.starts_with("core:")).cloned().collect();
        assert_eq!(
            core,
            ["core:event:allow-listen", "core:event:allow-unlisten"],
            "no other core permission"
        );
        granted.retain(|p| !p.starts_with("core:"));
        assert_eq!(granted, commands, "the main window is granted exactly the app's commands");
    }
}
