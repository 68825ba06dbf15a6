//! Helpers shared by the command-line tests of this crate.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `sloth` binary built for the tests.
pub fn sloth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sloth"))
        .args(args)
        .output()
        .expect("sloth runs")
}

/// A path in the repository (`examples/laziness.core`).
pub fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .display()
        .to_string()
}

/// Writes a file in a directory of this test process's own.
pub fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("sloth-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write temp file");
    p.display().to_string()
}

/// Runs `sloth args`, sends it SIGINT (Ctrl-C) after 1.5 s, and returns
/// what it printed and its status.
pub fn interrupted(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_sloth"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sloth runs");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    child.wait_with_output().expect("sloth ends")
}
