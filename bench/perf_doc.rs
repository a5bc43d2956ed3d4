//! Rewriting docs/PERFORMANCE.md from a benchmark: its own section (between `<!-- NAME:start -->`
//! and `<!-- NAME:end -->`), and its rows of the summary table at the top, where the figures of
//! every benchmark are collected. A summary row is known by its first cell; rows of benchmarks not
//! run this time stay as they were. Shared by the engine's benchmarks and the desktop one (each
//! includes this file with `#[path]`).

use std::path::{Path, PathBuf};

/// One figure of the summary table.
pub struct Figure {
    pub name: &'static str,
    pub baseline: String,
    pub guardian: String,
    /// "1.44×", or "–" where the baseline is not the same kind of thing.
    pub ratio: String,
    /// The goal with "(met)" or "(missed)".
    pub goal: String,
}

/// "(met)" or "(missed)" after a goal.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

fn document() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("docs/PERFORMANCE.md"))
        .find(|path| path.exists())
        .expect("docs/PERFORMANCE.md above the package")
}

fn update(change: impl FnOnce(String) -> String) {
    let path = document();
    let text = std::fs::read_to_string(&path).expect("read docs/PERFORMANCE.md");
    if let Err(error) = std::fs::write(&path, change(text)) {
        eprintln!("could not update {}: {error}", path.display());
    }
}

/// Where the text between the markers of section `name` starts and ends, if they are there.
fn section(text: &str, name: &str) -> Option<(usize, usize)> {
    let (start, end) = (format!("<!-- {name}:start -->\n"), format!("<!-- {name}:end -->"));
    let from = text.find(&start)? + start.len();
    let to = from + text[from..].find(&end)?;
    Some((from, to))
}

/// Replaces section `name` with `table`; appends it under `heading` when the markers are missing.
pub fn write_section(name: &str, heading: &str, table: &str) {
    update(|text| match section(&text, name) {
        Some((from, to)) => format!("{}{table}{}", &text[..from], &text[to..]),
        None => format!("{text}\n## {heading}\n\n<!-- {name}:start -->\n{table}<!-- {name}:end -->\n"),
    });
}

/// Puts `figures` into the summary table (replacing their earlier rows), each naming `command`.
pub fn write_summary(command: &str, figures: &[Figure]) {
    update(|text| {
        let Some((from, to)) = section(&text, "summary") else {
            eprintln!("docs/PERFORMANCE.md has no summary section; not updated");
            return text;
        };
        let mut rows: Vec<String> = text[from..to].lines().map(str::to_owned).collect();
        for f in figures {
            let row = format!(
                "| {} | {} | {} | {} | {} | `{command}` |",
                f.name, f.baseline, f.guardian, f.ratio, f.goal
            );
            let key = format!("| {} |", f.name);
            match rows.iter_mut().find(|r| r.starts_with(&key)) {
                Some(old) => *old = row,
                None => rows.push(row),
            }
        }
        format!("{}{}\n{}", &text[..from], rows.join("\n"), &text[to..])
    });
}
