//! The crate graph is the architecture: each crate may depend (to build, not to test) on the
//! crates listed here and no others. CONTRIBUTING.md draws the same picture.
//!
//! - `guardian-core` is the engine both shells use; it knows no shell, no Tauri and no sandbox.
//! - The sandbox is a provider: it shares the wire types and SQLCipher, never the app's cache.
//! - The shells reach the provider only through the core; the embedded demo (`guardian-demo`,
//!   which starts the sandbox) is their optional cargo feature.

use std::collections::{BTreeMap, BTreeSet};

/// Allowed dependencies on other workspace crates: `(crate, required, optional)`.
const RULES: &[(&str, &[&str], &[&str])] = &[
    ("guardian-domain", &[], &[]),
    ("guardian-sqlcipher", &[], &[]),
    ("guardian-store", &["guardian-domain", "guardian-sqlcipher"], &[]),
    ("guardian-client", &["guardian-domain"], &[]),
    ("guardian-sandbox", &["guardian-domain", "guardian-sqlcipher"], &[]),
    ("guardian-core", &["guardian-domain", "guardian-store", "guardian-client"], &[]),
    ("guardian-demo", &["guardian-core", "guardian-domain", "guardian-sandbox"], &[]),
    ("guardian-cli", &["guardian-core", "guardian-domain"], &["guardian-demo", "guardian-sandbox"]),
    ("guardian-desktop", &["guardian-core"], &["guardian-demo"]),
    ("guardian-bench-minimal", &[], &[]),
];

/// Crates that must not be reachable from a crate when it is built (tests aside).
const NEVER_REACHED: &[(&str, &[&str])] = &[
    ("guardian-core", &["tauri", "guardian-sandbox", "axum", "clap"]),
    ("guardian-client", &["guardian-store", "guardian-sandbox", "axum"]),
    ("guardian-store", &["reqwest", "guardian-client", "guardian-sandbox"]),
    ("guardian-sandbox", &["guardian-store", "guardian-client", "guardian-core", "keyring"]),
];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("cargo metadata's JSON")
}

/// Each workspace crate's build dependencies on other workspace crates: name → (dep, optional).
fn workspace_edges(meta: &serde_json::Value) -> BTreeMap<String, BTreeSet<(String, bool)>> {
    let members: BTreeSet<&str> =
        meta["workspace_members"].as_array().expect("members").iter().filter_map(|m| m.as_str()).collect();
    let packages = meta["packages"].as_array().expect("packages");
    let names: BTreeSet<String> = packages
        .iter()
        .filter(|p| members.contains(p["id"].as_str().unwrap_or_default()))
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    packages
        .iter()
        .filter(|p| members.contains(p["id"].as_str().unwrap_or_default()))
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .filter(|d| names.contains(d["name"].as_str().unwrap_or_default()))
                .map(|d| {
                    (d["name"].as_str().unwrap_or_default().to_owned(), d["optional"].as_bool() == Some(true))
                })
                .collect();
            (p["name"].as_str().unwrap_or_default().to_owned(), deps)
        })
        .collect()
}

#[test]
fn every_workspace_crate_depends_only_on_what_the_architecture_allows() {
    let edges = workspace_edges(&metadata());
    let ruled: BTreeSet<&str> = RULES.iter().map(|(name, ..)| *name).collect();
    let found: BTreeSet<&str> = edges.keys().map(String::as_str).collect();
    assert_eq!(found, ruled, "every workspace crate has a rule here (and in CONTRIBUTING.md)");
    let mut broken = Vec::new();
    for (name, required, optional) in RULES {
        for (dep, is_optional) in &edges[*name] {
            let allowed = if *is_optional {
                optional.contains(&dep.as_str())
            } else {
                required.contains(&dep.as_str())
            };
            if !allowed {
                let how = if *is_optional { "an optional" } else { "a" };
                broken.push(format!("{name} has {how} dependency on {dep}"));
            }
        }
    }
    assert!(broken.is_empty(), "dependency edges the architecture forbids:\n{}", broken.join("\n"));
}

#[test]
fn the_core_reaches_no_shell_and_no_provider_when_built() {
    let meta = metadata();
    let nodes = meta["resolve"]["nodes"].as_array().expect("resolve graph");
    let name_of = |id: &str| id_name(&meta, id);
    let build_deps: BTreeMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|node| {
            let deps = node["deps"]
                .as_array()
                .expect("deps")
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].as_str() != Some("dev")))
                })
                .filter_map(|d| d["pkg"].as_str())
                .collect();
            (node["id"].as_str().unwrap_or_default(), deps)
        })
        .collect();
    for (from, forbidden) in NEVER_REACHED {
        let start = build_deps
            .keys()
            .find(|id| name_of(id) == *from)
            .unwrap_or_else(|| panic!("{from} is in the graph"));
        let mut seen = BTreeSet::new();
        let mut todo = vec![*start];
        while let Some(id) = todo.pop() {
            if seen.insert(id) {
                todo.extend(build_deps.get(id).into_iter().flatten());
            }
        }
        let reached: Vec<&str> =
            seen.iter().map(|id| name_of(id)).filter(|n| forbidden.contains(n)).collect();
        assert!(reached.is_empty(), "{from} reaches {reached:?} when built");
    }
}

fn id_name<'a>(meta: &'a serde_json::Value, id: &str) -> &'a str {
    meta["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["id"].as_str() == Some(id)))
        .and_then(|p| p["name"].as_str())
        .unwrap_or_default()
}
