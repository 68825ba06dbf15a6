//! Helpers shared by the integration tests of this crate.

use sloth_core::session::with_compiler_stack;
use std::path::{Path, PathBuf};

/// Every `examples/*.core` program, sorted.
pub fn example_paths() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "core"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 40, "the example corpus is missing");
    paths
}

/// Runs `check` on the source of every example on a compiler thread and
/// fails with every error found.
pub fn check_every_example(check: fn(&str) -> Result<(), String>) {
    let paths = example_paths();
    let failures = with_compiler_stack(move || {
        let mut failures = Vec::new();
        for p in paths {
            let src = std::fs::read_to_string(&p).expect("readable");
            if let Err(e) = check(&src) {
                failures.push(format!("{}: {e}", p.display()));
            }
        }
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

pub use sloth_core::pretty::reprints_to_itself;
