//! Golden tests of the front end over the program folders.
//!
//! * `examples/*.core` (the whole-program corpus, every spec example among
//!   them) must elaborate, and their Core must pass lint (the session lints
//!   every unit it elaborates).
//! * `core/tests/invalid/*.core` must be rejected; the rendered diagnostics
//!   are compared with `NAME.stderr` beside each file. Run with
//!   `UPDATE_EXPECT=1` to rewrite those snapshots, then review the diff.

use sloth_core::session::{with_compiler_stack, Session};
use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "core"))
        .collect();
    v.sort();
    v
}

fn display_name(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

#[test]
fn valid_programs_elaborate_and_lint() {
    let failures = with_compiler_stack(|| {
        let mut failures = Vec::new();
        let paths = files("../examples");
        assert!(paths.len() >= 40, "the example corpus is missing");
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            let mut s = Session::new().expect("the prelude compiles");
            if let Err(e) = s.elaborate(&display_name(&p), &text) {
                failures.push(s.render(&e.0, false));
            }
        }
        failures
    });
    assert!(
        failures.is_empty(),
        "{} programs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_programs_report_their_diagnostics() {
    let paths = files("tests/invalid");
    assert!(paths.len() >= 40, "at least 40 distinct error cases");
    for p in paths {
        let name = display_name(&p);
        let text = std::fs::read_to_string(&p).expect("readable");
        let rendered = with_compiler_stack(move || {
            let mut s = Session::new().expect("the prelude compiles");
            match s.elaborate(&name, &text) {
                Ok(_) => format!("{name}: accepted, but it should be rejected\n"),
                Err(e) => s.render(&e.0, false),
            }
        });
        assert!(rendered.starts_with("error"), "{}: {rendered}", p.display());
        expect_test::expect_file![p.with_extension("stderr")].assert_eq(&rendered);
    }
}

#[test]
fn the_prelude_elaborates_and_lints() {
    with_compiler_stack(|| {
        let s = Session::new().unwrap_or_else(|e| panic!("{e}"));
        assert!(s.prelude.binds.len() > 100);
    });
}

/// Elaborates source text; returns the first line of the diagnostics, or
/// "ok".
fn check(text: String) -> String {
    with_compiler_stack(move || {
        let mut s = Session::new().expect("the prelude compiles");
        match s.elaborate("hostile.core", &text) {
            Ok(_) => "ok".to_string(),
            Err(e) => s
                .render(&e.0, false)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        }
    })
}

#[test]
fn hostile_inputs_fail_cleanly_or_succeed() {
    let n = 20_000;
    let parens = format!("main = {}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(check(parens), "error: expression nested too deeply");

    let sum = format!("main = {}", vec!["1"; 50_000].join(" + "));
    assert_eq!(check(sum), "ok");

    let conses = format!("main = {} : []", vec!["1"; 50_000].join(" : "));
    assert_eq!(check(conses), "ok");

    // Regression: zonking walked long chains of solved metas at every
    // node, so this took 90 s (quadratic); now it is linear.
    let dollars = format!("main = let x = 1 in {}x", "seq x $ ".repeat(50_000));
    assert_eq!(check(dollars), "ok");

    let list: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    assert_eq!(check(format!("main = [{}]", list.join(","))), "ok");

    let line = format!("main = length \"{}\"", "a".repeat(1 << 20));
    assert_eq!(check(line), "ok");

    assert_eq!(
        check("main = 1 {- never closed".into()),
        "error: unterminated block comment"
    );
    assert_eq!(
        check("main = \"never closed\n".into()),
        "error: unterminated string literal"
    );

    // Binary garbage, as the lossy UTF-8 a tool might hand us.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let garbage = String::from_utf8_lossy(&bytes).into_owned();
    assert!(check(garbage).starts_with("error"));
}
