//! The commit Rally is built from, for `rally_build_info` on `/metrics`: `RALLY_COMMIT` when the
//! build sets it (a package built from a tarball), else `git rev-parse --short HEAD`, else
//! "unknown". Nothing here fails a build.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=RALLY_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");
    let commit = match std::env::var("RALLY_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => commit.trim().to_owned(),
        _ => git_commit().unwrap_or_else(|| "unknown".into()),
    };
    println!("cargo:rustc-env=RALLY_COMMIT={commit}");
}

/// The short hash of HEAD, and a rerun whenever HEAD or the branch it names moves.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
    };
    let dir = git(&["rev-parse", "--absolute-git-dir"])?;
    let dir = Path::new(&dir);
    println!("cargo:rerun-if-changed={}", dir.join("HEAD").display());
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        // A branch whose ref was packed has no file of its own; packed-refs changes instead.
        for file in [dir.join(&branch), dir.join("packed-refs")] {
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}
