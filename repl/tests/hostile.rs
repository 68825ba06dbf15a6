//! Hostile whole programs (issue 7): each must end with its exit status
//! and message — never a panic, a Rust stack overflow or a hang. Big
//! inputs are generated here rather than committed.

#[allow(dead_code)] // each test crate uses some of the helpers
mod common;
use common::{sloth, temp_file};

struct Case {
    name: &'static str,
    source: String,
    flags: &'static [&'static str],
    status: i32,
    /// Standard output, exactly (`None`: not checked).
    stdout: Option<&'static str>,
    /// A piece of standard error (empty: anything).
    stderr: &'static str,
}

fn case(name: &'static str, source: impl Into<String>, status: i32, stderr: &'static str) -> Case {
    Case {
        name,
        source: source.into(),
        flags: &[],
        status,
        stdout: None,
        stderr,
    }
}

fn run(c: &Case) -> Option<String> {
    let path = temp_file(&format!("{}.core", c.name), c.source.as_bytes());
    let mut args = vec!["run"];
    args.extend(c.flags);
    args.push(&path);
    let out = sloth(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ok = out.status.code() == Some(c.status)
        && c.stdout.is_none_or(|s| s == stdout)
        && stderr.contains(c.stderr)
        && !stderr.contains("panicked");
    (!ok).then(|| {
        format!(
            "{}: exit {:?}, stdout {:?}, stderr {:?}; expected exit {}, stdout {:?}, stderr containing {:?}",
            c.name,
            out.status.code(),
            cut(&stdout),
            cut(&stderr),
            c.status,
            c.stdout,
            c.stderr
        )
    })
}

fn cut(s: &str) -> String {
    s.chars().take(300).collect()
}

fn cases() -> Vec<Case> {
    let count = "count :: Int -> Int\ncount n = if n == 0 then 0 else 1 + count (n - 1)\n";
    vec![
        Case {
            stdout: Some("1000000\n"),
            ..case(
                "deep_recursion",
                format!("-- 1,000,000 nested non-tail calls\n{count}main = count 1000000\n"),
                0,
                "",
            )
        },
        Case {
            flags: &["--max-stack", "8M"],
            ..case(
                "endless_recursion",
                "f :: Int -> Int\nf n = 1 + f (n + 1)\nmain = f 0\n",
                1,
                "sloth: stack overflow",
            )
        },
        Case {
            flags: &["--max-heap", "32M"],
            ..case(
                "heap_explosion",
                "main = length (let xs = [1 ..] in xs `seq` reverse xs)\n",
                1,
                "sloth: heap exhausted",
            )
        },
        case(
            "self_loop",
            "main = let x = x + 1 in x\n",
            1,
            "sloth: <<loop>>",
        ),
        case(
            "head_of_empty",
            "main = head ([] :: [Int])\n",
            1,
            "Prelude.head: empty list",
        ),
        case(
            "division_by_zero",
            "main = 1 `div` (0 :: Int)\n",
            1,
            "divide by zero",
        ),
        case(
            "bad_code_point",
            "main = chr 1114112\n",
            1,
            "Prelude.chr: bad argument: 1114112",
        ),
        Case {
            stdout: Some(""),
            ..case(
                "missing_alternative",
                "data C = R | G | B\n\nmain = case G of\n  R -> 1\n  B -> 2\n",
                1,
                "missing_alternative.core:3:8",
            )
        },
        Case {
            stdout: Some("4999950000\n"),
            ..case(
                "list_literal_100000",
                format!(
                    "main = sum [{}]\n",
                    (0..100_000)
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                0,
                "",
            )
        },
        Case {
            stdout: Some("100000\n"),
            ..case(
                "computed_list_literal_100000",
                format!(
                    "sq :: Int -> Int\nsq x = x * x\nmain = length [{}]\n",
                    (0..100_000)
                        .map(|i| format!("sq {i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                0,
                "",
            )
        },
        Case {
            stdout: Some("1\n"),
            ..case(
                "nesting_1000",
                format!("main = {}1{}\n", "(".repeat(1000), ")".repeat(1000)),
                0,
                "",
            )
        },
        case(
            "nesting_20000",
            format!("main = {}1{}\n", "(".repeat(20_000), ")".repeat(20_000)),
            2,
            "error: expression nested too deeply",
        ),
        case(
            "nested_lists_20000",
            format!(
                "main = length {}{}\n",
                "[".repeat(20_000),
                "]".repeat(20_000)
            ),
            2,
            "brackets and blocks may nest at most 2000 deep",
        ),
        Case {
            stdout: Some("10000000\n"),
            ..case(
                "string_literal_10mb",
                format!("main = length \"{}\"\n", "abcdefghij".repeat(1_000_000)),
                0,
                "",
            )
        },
        // A 100,000-term sum is one expression needing 100,000 stack
        // slots in one BCO: a clear limit, not wrong code.
        case(
            "sum_of_100000_terms",
            format!("main = {}\n", vec!["1"; 100_000].join(" + ")),
            1,
            "sloth: `main` is too large to compile: it needs 99999 stack slots",
        ),
        Case {
            flags: &["--max-steps", "100000"],
            ..case(
                "step_limit",
                "main = length [1 ..]\n",
                1,
                "sloth: step limit reached",
            )
        },
    ]
}

#[test]
fn hostile_programs_end_with_their_status_and_message() {
    let problems: Vec<String> = cases().iter().filter_map(run).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn non_utf8_source_is_a_clear_error() {
    let path = temp_file("latin1.core", b"main = \"caf\xe9\"\n");
    let out = sloth(&["run", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is not valid UTF-8 (at byte 11)"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let out = sloth(&["run", "no/such/file.core"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("sloth: cannot read no/such/file.core"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Usage: sloth run [OPTIONS] FILE"),
        "{stderr}"
    );
}

/// Ctrl-C while a large program is still compiling (nothing polls the
/// flag yet): the handler itself says so and exits 130.
#[test]
fn ctrl_c_while_compiling() {
    let src = format!(
        "main = sum [{}]\n",
        (0..300_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let path = temp_file("slow_to_compile.core", src.as_bytes());
    let out = common::interrupted(&["run", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("sloth: interrupted"), "{stderr}");
}
