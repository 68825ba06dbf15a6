//! `sloth run` on every golden example (`examples/`): standard output must
//! be `NAME.stdout` exactly; a program with `NAME.stderr` must exit with
//! its status and say its message. Under name and value the machine must
//! print what the reference evaluator prints — output and error — whenever
//! the reference finishes within a step budget (an infinite list by value,
//! or an exponential program by name, does not terminate and is skipped).

use sloth_core::session::{with_compiler_stack, Session};
use sloth_stg::reference::{run_main, Limits, Outcome};
use sloth_stg::Strategy;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "core"))
        .collect();
    v.sort();
    v
}

/// What the reference evaluator prints for `path` under `strategy`: its
/// output and error message, or `None` if it does not finish within a
/// step budget.
fn reference(path: &Path, strategy: Strategy) -> Option<(String, Option<String>)> {
    let path = path.to_path_buf();
    with_compiler_stack(move || {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut s = Session::new().expect("prelude");
        let m = s
            .elaborate(&path.display().to_string(), &text)
            .expect("compiles");
        let limits = Limits {
            max_steps: 3_000_000,
            ..Limits::default()
        };
        let run = run_main(&s, &m, strategy, &limits);
        match run.outcome {
            Outcome::StepLimit | Outcome::DepthLimit => None,
            Outcome::Finished => Some((run.output, None)),
            Outcome::Error(e) => Some((run.output, Some(e.message(&s.sources)))),
        }
    })
}

/// Runs the machine and compares with the reference evaluator.
fn check_against_reference(path: &Path, strategy: Strategy) -> Option<String> {
    let (expected, error) = reference(path, strategy)?;
    let out = Command::new(env!("CARGO_BIN_EXE_sloth"))
        .args(["run", "--strategy", strategy.name()])
        .arg(path)
        .output()
        .expect("sloth runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = path.file_name().unwrap().to_string_lossy();
    let ok = stdout == expected
        && match &error {
            None => out.status.success(),
            Some(msg) => out.status.code() == Some(1) && stderr.contains(msg.as_str()),
        };
    (!ok).then(|| {
        format!(
            "{name} under {strategy}: printed {stdout:?} with {stderr:?}; the reference printed {expected:?} with {error:?}"
        )
    })
}

fn check(path: &Path, strategy: Strategy) -> Option<String> {
    check_with(path, strategy, &[])
}

fn check_with(path: &Path, strategy: Strategy, flags: &[&str]) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_sloth"))
        .args(["run", "--strategy", strategy.name()])
        .args(flags)
        .arg(path)
        .output()
        .expect("sloth runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = std::fs::read_to_string(path.with_extension("stdout")).expect(".stdout");
    let name = path.file_name().unwrap().to_string_lossy();
    if stdout != expected {
        return Some(format!(
            "{name} under {strategy}: printed {stdout:?}, expected {expected:?} (stderr: {stderr})"
        ));
    }
    match std::fs::read_to_string(path.with_extension("stderr")) {
        Ok(spec) => {
            let mut lines = spec.lines();
            let status: i32 = lines
                .next()
                .and_then(|l| l.strip_prefix("exit: "))
                .and_then(|n| n.trim().parse().ok())
                .expect("line 1: exit: N");
            let needle = lines.next().unwrap_or("").to_lowercase();
            if out.status.code() != Some(status) || !stderr.to_lowercase().contains(&needle) {
                return Some(format!(
                    "{name} under {strategy}: exit {:?}, stderr {stderr:?}; expected exit {status} and {needle:?}",
                    out.status.code()
                ));
            }
        }
        Err(_) if !out.status.success() => {
            return Some(format!(
                "{name} under {strategy}: exit {:?}: {stderr}",
                out.status.code()
            ))
        }
        Err(_) => {}
    }
    None
}

#[test]
fn every_example_runs_under_need() {
    let problems: Vec<String> = examples()
        .iter()
        .filter_map(|p| check(p, Strategy::Need))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn under_name_and_value_the_machine_agrees_with_the_reference() {
    let mut problems = Vec::new();
    let mut ran = 0;
    for p in examples() {
        for st in [Strategy::Name, Strategy::Value] {
            if let Some(problem) = check_against_reference(&p, st) {
                problems.push(problem);
            }
            ran += 1;
        }
    }
    assert!(ran > 100, "only {ran} runs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The work the reference evaluator does on `path` under need (steps).
fn reference_steps(path: &Path) -> u64 {
    let path = path.to_path_buf();
    with_compiler_stack(move || {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut s = Session::new().expect("prelude");
        let m = s.elaborate("x.core", &text).expect("compiles");
        run_main(&s, &m, Strategy::Need, &Limits::default())
            .work
            .steps
    })
}

/// Under `--gc-stress` (a collection at every allocation, the heap checked
/// after each) every example prints the same. Collecting at every
/// allocation costs the live data each time, so the few examples that
/// allocate millions of closures (more than 300,000 reference steps) are
/// left to the release-mode runs.
#[test]
fn every_small_example_runs_under_gc_stress() {
    let mut problems = Vec::new();
    let mut ran = 0;
    for p in examples() {
        if reference_steps(&p) > 300_000 {
            continue;
        }
        ran += 1;
        problems.extend(check_with(&p, Strategy::Need, &["--gc-stress"]));
    }
    assert!(ran > 55, "only {ran} examples are small");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
