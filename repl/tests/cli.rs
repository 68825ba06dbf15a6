//! The `sloth` command line: exit statuses and output streams of spec §7.

mod common;
use common::{example, interrupted, sloth, temp_file};

#[test]
fn check_is_silent_and_succeeds_on_a_good_file() {
    let out = sloth(&["check", &example("examples/classic_nqueens.core")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn a_type_error_exits_2_with_a_located_diagnostic() {
    let f = temp_file("bad.core", b"main = 1 + True\n");
    let out = sloth(&["check", &f]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.core:1:"), "{err}");
    assert!(err.contains("^"), "the span is underlined: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn non_utf8_input_is_a_clean_error() {
    let f = temp_file("latin1.core", b"main = \"caf\xe9\"\n");
    let out = sloth(&["check", &f]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}

#[test]
fn usage_errors_exit_64() {
    assert_eq!(
        sloth(&["check", "/no/such/file.core"]).status.code(),
        Some(64)
    );
    assert_eq!(
        sloth(&["check", "--no-such-flag", "x.core"]).status.code(),
        Some(64)
    );
    assert_eq!(sloth(&["frobnicate"]).status.code(), Some(64));
    assert_eq!(sloth(&[]).status.code(), Some(64));
}

#[test]
fn dump_core_prints_the_program() {
    let f = temp_file("id.core", b"twice f x = f (f x)\nmain = twice (+ 1) 5\n");
    let out = sloth(&["dump", "--core", &f]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("twice ::"), "{text}");
    assert!(text.contains("forall"), "{text}");
}

#[test]
fn dump_stg_prints_the_program_under_each_strategy() {
    let f = temp_file(
        "stg.core",
        // `k` is recursive, so the simplifier does not inline it.
        b"k :: Int -> Int -> Int\nk x y = if x > 0 then x else k x y\nmain = k 1 (error \"unused\")\n",
    );
    let need = sloth(&["dump", "--stg", &f]);
    assert_eq!(
        need.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&need.stderr)
    );
    assert!(
        need.stderr.is_empty(),
        "lint problems: {}",
        String::from_utf8_lossy(&need.stderr)
    );
    let need = String::from_utf8_lossy(&need.stdout).to_string();
    assert!(need.contains("k = \\r [x y] ->"), "{need}");
    let name = sloth(&["dump", "--stg", "--strategy", "name", &f]);
    let name = String::from_utf8_lossy(&name.stdout).to_string();
    let value = sloth(&["dump", "--stg", "--strategy", "value", &f]);
    let value = String::from_utf8_lossy(&value.stdout).to_string();
    // Under need the unused argument is an updatable thunk, under name a
    // re-entrant one, under value it is evaluated before the call.
    assert!(need.contains("\\u [] -> error"), "{need}");
    assert!(name.contains("\\r [] -> error"), "{name}");
    assert!(value.contains("case error"), "{value}");
    assert_eq!(
        sloth(&["dump", "--stg", "--strategy", "lazy", &f])
            .status
            .code(),
        Some(64)
    );
    assert_eq!(sloth(&["dump", &f]).status.code(), Some(64));
    assert_eq!(
        sloth(&["dump", "--core", "--stg", &f]).status.code(),
        Some(64)
    );
}

/// Ctrl-C stops a runaway program with spec §7's status 130 and a message.
#[test]
fn ctrl_c_interrupts_a_run() {
    let f = temp_file("forever.core", b"main = length [1 ..]\n");
    let out = interrupted(&["run", &f]);
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
}
