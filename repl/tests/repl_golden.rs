//! Scripted REPL sessions: every `repl_scripts/NAME.in` is piped into
//! `sloth repl` (standard input is not a terminal, so no banner or prompt is
//! printed; `NAME.args`, when present, holds more arguments), and what it prints must be `NAME.out` (standard output) and
//! `NAME.err` (standard error) exactly. `UPDATE_EXPECT=1` rewrites the
//! expected files; review the diff.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Timings and heap figures vary from run to run: their digits become `N`
/// (`(0.01 secs, 12,345 bytes)` is `(N.N secs, N,N bytes)`).
fn normalise(out: &str) -> String {
    let varying = |l: &str| {
        (l.starts_with('(') && l.ends_with(" bytes)"))
            || [
                "heap:",
                "collections:",
                "allocated since",
                "live data after",
            ]
            .iter()
            .any(|p| l.starts_with(p))
    };
    out.lines()
        .map(|l| {
            if !varying(l) {
                return l.to_string();
            }
            let mut s = String::new();
            let mut in_digits = false;
            for c in l.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        s.push('N');
                    }
                    in_digits = true;
                } else {
                    in_digits = false;
                    s.push(c);
                }
            }
            s
        })
        .map(|l| l + "\n")
        .collect()
}

fn run_script(input: &[u8], args: &[String]) -> (String, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sloth"))
        .arg("repl")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sloth runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("script written");
    let out = child.wait_with_output().expect("sloth finishes");
    (
        normalise(&String::from_utf8_lossy(&out.stdout)),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn scripted_sessions_print_their_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repl_scripts");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .expect("repl_scripts exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let mut failures = Vec::new();
    for script in scripts {
        let input = std::fs::read(&script).expect("script");
        let args: Vec<String> = std::fs::read_to_string(script.with_extension("args"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let (out, err, status) = run_script(&input, &args);
        // The session survives everything: it ends normally.
        if status != Some(0) {
            failures.push(format!(
                "{}: exit status {status:?}\n{err}",
                script.display()
            ));
        }
        for (ext, got) in [("out", &out), ("err", &err)] {
            let expected_path = script.with_extension(ext);
            if update {
                std::fs::write(&expected_path, got).expect("write expected");
                continue;
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if &expected != got {
                failures.push(format!(
                    "{}: standard {} differs\n--- expected\n{expected}--- got\n{got}",
                    script.display(),
                    if ext == "out" { "output" } else { "error" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
