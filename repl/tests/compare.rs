//! `sloth compare`: the whole table for small programs (times replaced by
//! `<time>`), bounded rows when one strategy diverges, exit statuses.

use expect_test::expect;

mod common;
use common::{example, interrupted, sloth, temp_file};

/// Standard output of a successful `sloth compare`, the time column (the
/// last) of every row replaced by `<time>`.
fn table(args: &[&str]) -> String {
    let out = sloth(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let mut normalised = format!("{header}\n");
    for line in lines {
        let (row, time) = line.rsplit_once(' ').expect("columns");
        assert!(time.ends_with('s') && time[..time.len() - 1].parse::<f64>().is_ok());
        normalised.push_str(&format!("{row} <time>\n"));
    }
    normalised
}

#[test]
fn the_laziness_example() {
    expect![[r#"
        strategy  result                    thunks  entered  updated  calls  bytes  instructions    time
        need      (1,2,3,4,False,True,101)     105      106      106    307  6,680         4,625  <time>
        name      (1,2,3,4,False,True,101)     105      106        0    307  6,680         4,625  <time>
        value     *** Exception: never           0        1        0      0      0             5  <time>
    "#]]
    .assert_eq(&table(&["compare", &example("examples/laziness.core")]));
}

/// By value `take 3 [1 ..]` builds the endless list first: the row ends at
/// the stack limit (here the default one) instead of hanging.
#[test]
fn a_strategy_that_diverges_ends_at_a_limit() {
    let f = temp_file("endless.core", b"main = take 3 [1 ..]\n");
    let text = table(&["compare", &f]);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[1].starts_with("need      [1,2,3] "), "{text}");
    assert!(rows[2].starts_with("name      [1,2,3] "), "{text}");
    assert!(
        rows[3].starts_with("value     *** Exception: stack overflow"),
        "{text}"
    );
    // A smaller limit ends it sooner, with the same table shape.
    expect![[r#"
        strategy  result                                            thunks  entered  updated   calls    bytes  instructions    time
        need      [1,2,3]                                                7        7        7       7      384           159  <time>
        name      [1,2,3]                                                7        7        0       7      384           159  <time>
        value     *** Exception: stack overflow: the stack exce...       0        1        0  43,686  698,960       742,656  <time>
    "#]]
    .assert_eq(&table(&["compare", "--max-stack", "1M", &f]));
    let steps = table(&["compare", "--max-steps", "1000", &f]);
    assert!(
        steps.contains("value     *** Exception: step limit reached"),
        "{steps}"
    );
}

/// An error nobody needs: need and name never evaluate it, value does.
#[test]
fn an_unused_error() {
    let f = temp_file("unused.core", b"main = fst (1, error \"boom\")\n");
    expect![[r#"
        strategy  result               thunks  entered  updated  calls  bytes  instructions    time
        need      1                         0        1        1      0      0             3  <time>
        name      1                         0        1        0      0      0             3  <time>
        value     *** Exception: boom       0        1        0      0      0             4  <time>
    "#]]
    .assert_eq(&table(&["compare", &f]));
}

/// Partial output before a runtime error, and a control character in the
/// error's message, stay in their cell.
#[test]
fn partial_output_then_an_error() {
    let f = temp_file(
        "partial.core",
        b"main = [1, 2, error \"line one\\nline two\"]\n",
    );
    expect![[r#"
        strategy  result                                  thunks  entered  updated  calls  bytes  instructions    time
        need      [1,2,*** Exception: line one\nline two       0        1        0      0      0             3  <time>
        name      [1,2,*** Exception: line one\nline two       0        1        0      0      0             3  <time>
        value     *** Exception: line one\nline two            0        1        0      0      0             4  <time>
    "#]]
    .assert_eq(&table(&["compare", &f]));
}

#[test]
fn compile_errors_are_reported_as_sloth_run_reports_them() {
    let f = temp_file("bad.core", b"main = 1 + True\n");
    let compare = sloth(&["compare", &f]);
    let run = sloth(&["run", &f]);
    assert_eq!(compare.status.code(), Some(2));
    assert_eq!(compare.stderr, run.stderr);
    assert!(compare.stdout.is_empty());
}

#[test]
fn a_program_without_main() {
    let f = temp_file("nomain.core", b"x = 1\n");
    let out = sloth(&["compare", &f]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "sloth: the program does not define `main`\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_errors_exit_64() {
    let f = example("examples/laziness.core");
    for args in [
        vec!["compare"],
        vec!["compare", "/no/such/file.core"],
        vec!["compare", "--max-steps", "many", &f],
        vec!["compare", "--max-steps", "-1", &f],
        vec!["compare", "--max-stack", "lots", &f],
        vec!["compare", "--max-heap", "9999999999T", &f],
        vec!["compare", "--strategy", "need", &f],
    ] {
        let out = sloth(&args);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// Ctrl-C stops the run under way: the table so far (its last row says
/// `interrupted`), status 130.
#[test]
fn ctrl_c_stops_the_current_run() {
    let f = temp_file("forever.core", b"main = length [1 ..]\n");
    let out = interrupted(&["compare", &f]);
    assert_eq!(out.status.code(), Some(130));
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    assert!(last.contains("*** Exception: interrupted"), "{text}");
}
