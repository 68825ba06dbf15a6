//! Helpers shared by the integration tests of this crate.

use sloth_core::ir::Module;
use sloth_core::session::Session;
use std::path::{Path, PathBuf};

/// A fresh session (on the current thread, which must be a compiler
/// thread) and `src` elaborated in it; a program that does not compile is
/// an `Err` with its diagnostics.
#[allow(dead_code)] // not every test file uses every helper
pub fn elaborate(name: &str, src: &str) -> Result<(Session, Module), String> {
    let mut session = Session::new().expect("the prelude compiles");
    let program = session.elaborate(name, src).map_err(|errs| {
        format!(
            "{name} does not compile:\n{}",
            session.render(&errs.0, false)
        )
    })?;
    Ok((session, program))
}

/// Every `*.core` file of a folder of the workspace (relative to its
/// root), sorted.
#[allow(dead_code)] // not every test file uses every helper
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
