//! Helpers shared by the integration tests of this crate.

use std::path::{Path, PathBuf};

/// Every `*.core` file of a folder of the workspace (relative to its
/// root), sorted.
pub fn core_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "core"))
        .collect();
    paths.sort();
    paths
}
