//! Build-time facts the binary carries: the git commit it was built from (for
//! `--version`), and a check that uPlot, which the binary embeds, has been installed.

use std::{path::Path, process::Command};

/// Where `npm ci` puts uPlot; `src/web/assets.rs` embeds these files.
const UPLOT_DIST: &str = "node_modules/uplot/dist";
const UPLOT_FILES: [&str; 2] = ["uPlot.iife.min.js", "uPlot.min.css"];

fn main() {
    let missing: Vec<&str> = UPLOT_FILES.iter().copied().filter(|f| !Path::new(UPLOT_DIST).join(f).is_file()).collect();
    if !missing.is_empty() {
        // One line a person can act on, shown by cargo as the build's error; a panic
        // would bury it in a backtrace.
        println!(
            "cargo::error=uPlot is missing ({UPLOT_DIST}/{} not found): run `npm ci` in the repository first \
             (`make test` and `make demo` do it through scripts/deps.sh)",
            missing.join(", ")
        );
        return;
    }
    println!("cargo:rerun-if-changed={UPLOT_DIST}");
    // rust-embed notices edits to embedded files, not files added to or removed from
    // the folder; a change of the folder reruns this script, which rebuilds the crate.
    // Cargo scans a directory named here recursively, so a file added in a subfolder
    // (`static/race/`) counts too.
    println!("cargo:rerun-if-changed=static");

    println!("cargo:rustc-env=TRACKSIDE_GIT_COMMIT={}", git_commit());
    // The commit changes on every commit, checkout and reset, which all write the reflog
    // of HEAD (a worktree has its own). Without git there is nothing to watch.
    for path in ["HEAD", "logs/HEAD"] {
        // A path that does not exist would make cargo rerun this script on every build.
        if let Some(p) = git(&["rev-parse", "--git-path", path]).filter(|p| Path::new(p).exists()) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}

/// The commit HEAD names, abbreviated; "unknown" where there is no git or no repository
/// (a source tarball, a crate package). A build without the repository, such as the
/// Dockerfile's, can name it in `TRACKSIDE_GIT_COMMIT`.
fn git_commit() -> String {
    println!("cargo:rerun-if-env-changed=TRACKSIDE_GIT_COMMIT");
    std::env::var("TRACKSIDE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}
