//! The crate boundaries of ARCHITECTURE.md, checked with `cargo metadata`: a crate that gains a
//! forbidden dependency, directly or through another crate, fails this test.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// (crate, dependencies it must never reach through normal, non-dev edges)
const RULES: &[(&str, &[&str])] = &[
    // The domain is plain data and pure functions: no SQL, no HTTP, no async runtime.
    (
        "rally-domain",
        &[
            "sqlx",
            "sqlx-core",
            "axum",
            "hyper",
            "tokio",
            "tower",
            "tower-http",
            "reqwest",
            "async-trait",
            "rally-store",
            "rally-files",
            "rally-web",
        ],
    ),
    // The store speaks SQL, not HTTP.
    ("rally-store", &["axum", "hyper", "tower-http", "reqwest", "rally-files", "rally-web"]),
    // Files (imports, exports, the plan document, stored uploads) are neither HTTP nor SQL: no web
    // framework at any depth, and (see `only_the_store_names_the_database_driver`) no database driver.
    ("rally-files", &["axum", "hyper", "tower", "tower-http", "reqwest", "multer", "rally-web"]),
    // The public site's pure parts: no database, no HTTP, no async runtime.
    (
        "rally-site",
        &[
            "sqlx",
            "sqlx-core",
            "axum",
            "hyper",
            "tokio",
            "tower-http",
            "reqwest",
            "rally-store",
            "rally-files",
            "rally-web",
        ],
    ),
];

/// Direct dependencies that only the store may name: the web layer and the binary reach the database
/// through the store's interface, never around it.
const STORE_ONLY: &[&str] = &["sqlx"];

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("cargo metadata output: {e}"))
}

/// Every package name reachable from `root` through normal (not dev, not build) dependencies.
fn reachable(meta: &Value, root: &str) -> BTreeSet<String> {
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let start = names.iter().find(|(_, n)| **n == root).map(|(id, _)| *id).unwrap_or_else(|| panic!("no crate {root}"));
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        for dep in nodes.get(id).and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if let (true, Some(pkg)) = (normal, dep["pkg"].as_str())
                && seen.insert(names.get(pkg).copied().unwrap_or(pkg).to_owned())
            {
                stack.push(pkg);
            }
        }
    }
    seen
}

#[test]
fn crates_keep_their_boundaries() {
    let meta = metadata();
    for (krate, forbidden) in RULES {
        let deps = reachable(&meta, krate);
        assert!(!deps.is_empty() || *krate == "rally-domain", "{krate} has no dependencies? {deps:?}");
        for f in *forbidden {
            assert!(!deps.contains(*f), "{krate} must not depend on {f} (see ARCHITECTURE.md)");
        }
    }
    // The check sees real edges: the store does reach sqlx, the web layer axum.
    assert!(reachable(&meta, "rally-store").contains("sqlx"));
    assert!(reachable(&meta, "rally-web").contains("axum"));
    assert!(reachable(&meta, "rally-files").contains("rally-store"));
}

#[test]
fn only_the_store_names_the_database_driver() {
    let meta = metadata();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default();
        if !name.starts_with("rally") || name == "rally-store" {
            continue;
        }
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            assert!(!STORE_ONLY.contains(&dep_name), "{name} depends on {dep_name}: only rally-store holds SQL");
        }
    }
}

/// The web crate's three HTTP surfaces — the API, the team's app, the public sites — share what
/// `kit/` and the crate's neutral modules hold, and never reach into one another.
#[test]
fn the_web_surfaces_do_not_import_one_another() {
    const SURFACES: [&str; 3] = ["api", "pages", "site"];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rally-web/src");
    let mut checked = 0;
    for surface in SURFACES {
        let mut dirs = vec![src.join(surface)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                checked += 1;
                for other in SURFACES.iter().filter(|s| **s != surface) {
                    assert!(
                        !text.contains(&format!("crate::{other}::")) && !text.contains(&format!("crate::{other};")),
                        "{} reaches into {other}/: share it through kit/ or a neutral module instead",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(checked > 50, "the surfaces' files were found ({checked})");
}
