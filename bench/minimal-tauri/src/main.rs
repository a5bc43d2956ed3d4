//! An empty Tauri 2 window: what Guardian's start-up time, memory and size are compared with.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .unwrap_or_else(|error| panic!("the minimal app failed: {error}"));
}
