//! The benchmark programs of `bench/programs/` (Sloth Core translations of
//! `../shared/bench/haskell/*.hs`) against the outputs GHC printed for the
//! Haskell originals; see `bench/programs/README.md`.
//!
//! * Every `NAME.core` elaborates at its full size.
//! * Every `NAME.core` runs at a reduced size under the reference evaluator
//!   (call-by-need) and prints what GHC printed for the Haskell original at
//!   that size. `NAME.small` holds the reduction: the lines before a line
//!   `---` are definitions `name = value`, each replacing the one line of
//!   `NAME.core` that starts with `name = ` (one of the lines after the
//!   `-- size` comment); everything after `---` is the expected standard
//!   output.
//! * Ignored, because the reference evaluator is slow and never frees
//!   memory: the full-size runs, compared with `NAME.stdout`. Run them with
//!
//!   ```text
//!   cargo test --release -p sloth-stg --test bench_programs -- --ignored --nocapture
//!   ```
//!
//!   By default this runs all ten, one after the other: about 70 s in all
//!   (the slowest, `sort`, about 15 s), with a peak of about 4 GB of memory
//!   (`sort`, `sum_stream`, `fibs`, `primes`). Set `BENCH_PROGRAMS=nfib,tak`
//!   (file stems) to run only some.

mod common;

use sloth_core::session::{with_compiler_stack, COMPILER_STACK};
use sloth_stg::reference::{run_main, Limits, Outcome, Run};
use sloth_stg::Strategy;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The ten programs of `../shared/bench/haskell`, by file stem.
const PROGRAMS: [&str; 10] = [
    "exp3_8",
    "fibs",
    "hamming",
    "nfib",
    "primes",
    "queens",
    "sort",
    "sum_stream",
    "tak",
    "tree",
];

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/programs")
}

struct Program {
    name: String,
    source: String,
    /// Standard output of the Haskell original at full size.
    stdout: String,
    /// (`name = `, the whole replacement line) for the reduced size.
    small_defs: Vec<(String, String)>,
    /// Standard output of the Haskell original at the reduced size.
    small_stdout: String,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(core: &Path) -> Program {
    let name = core.file_stem().unwrap().to_string_lossy().into_owned();
    let source = read(core);
    let stdout = read(&core.with_extension("stdout"));
    let small = read(&core.with_extension("small"));
    let (defs, small_stdout) = small
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{name}.small: no `---` line"));
    let small_defs = defs
        .lines()
        .map(|line| {
            let (lhs, _) = line
                .split_once(" = ")
                .unwrap_or_else(|| panic!("{name}.small: {line:?} is not `name = value`"));
            (format!("{lhs} = "), line.to_string())
        })
        .collect();
    Program {
        name,
        source,
        stdout,
        small_defs,
        small_stdout: small_stdout.to_string(),
    }
}

fn load_all() -> Vec<Program> {
    let mut cores: Vec<PathBuf> = std::fs::read_dir(programs_dir())
        .expect("the bench/programs folder")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "core"))
        .collect();
    cores.sort();
    cores.iter().map(|p| load(p)).collect()
}

/// The program's source with the reduced size substituted.
fn small_source(p: &Program) -> String {
    let lines: Vec<&str> = p.source.lines().collect();
    let marker = lines
        .iter()
        .position(|l| l.starts_with("-- size"))
        .unwrap_or_else(|| panic!("{}.core: no `-- size` comment", p.name));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for (prefix, replacement) in &p.small_defs {
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(prefix.as_str()))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "{}.core: {prefix:?} must start exactly one line",
            p.name
        );
        assert!(
            hits[0] > marker,
            "{}.core: {prefix:?} is not after the `-- size` comment",
            p.name
        );
        out[hits[0]] = replacement.clone();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Elaborates `src` in a fresh session (on the current thread, which must
/// be a compiler thread) and, if `limits` is given, runs its `main` under
/// call-by-need.
fn elaborate_and_run(name: &str, src: &str, limits: Option<Limits>) -> Result<Option<Run>, String> {
    let (session, program) = common::elaborate(name, src)?;
    Ok(limits.map(|limits| run_main(&session, &program, Strategy::Need, &limits)))
}

/// Everything that is wrong with one program at its full size (elaborated
/// only) and at its reduced size (run).
fn check_program(p: &Program) -> Vec<String> {
    let mut problems = Vec::new();
    let first = p.source.lines().next().unwrap_or("");
    let haskell = "translation of ../shared/bench/haskell/";
    if !first.starts_with("-- ") || !first.contains(haskell) {
        problems.push(format!(
            "{}.core: the first line must be a `--` comment naming the Haskell original",
            p.name
        ));
    }
    if let Err(e) = elaborate_and_run(&format!("{}.core", p.name), &p.source, None) {
        problems.push(e);
    }
    let small = small_source(p);
    let limits = Limits {
        max_steps: 50_000_000,
        ..Limits::default()
    };
    let started = Instant::now();
    match elaborate_and_run(&format!("{}.core (small)", p.name), &small, Some(limits)) {
        Err(e) => problems.push(e),
        Ok(run) => {
            let run = run.expect("a run");
            if run.outcome != Outcome::Finished || run.output != p.small_stdout {
                problems.push(format!(
                    "{} (small): printed {:?} with {:?}, expected {:?}",
                    p.name, run.output, run.outcome, p.small_stdout
                ));
            }
            eprintln!(
                "{} (small): {} steps, {:.2?}",
                p.name,
                run.work.steps,
                started.elapsed()
            );
        }
    }
    problems
}

/// Runs `check` on every program on two compiler threads, collecting the
/// problems.
fn on_compiler_threads(programs: Vec<Program>, check: fn(&Program) -> Vec<String>) -> Vec<String> {
    const WORKERS: usize = 2;
    let programs = Arc::new(programs);
    let next = Arc::new(AtomicUsize::new(0));
    let problems = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (programs, next, problems) = (
                Arc::clone(&programs),
                Arc::clone(&next),
                Arc::clone(&problems),
            );
            std::thread::Builder::new()
                .stack_size(COMPILER_STACK)
                .spawn(move || {
                    while let Some(p) = programs.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let found = check(p);
                        problems.lock().unwrap().extend(found);
                    }
                })
                .expect("a compiler thread")
        })
        .collect();
    for w in workers {
        w.join().expect("a worker finished");
    }
    let problems = problems.lock().unwrap().clone();
    problems
}

#[test]
fn every_haskell_benchmark_has_a_translation_with_expected_outputs() {
    let programs = load_all();
    let mut names: Vec<&str> = programs.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    assert_eq!(names, PROGRAMS, "the programs in bench/programs");
    for p in &programs {
        assert!(
            p.stdout.ends_with('\n') && p.stdout.lines().count() == 1,
            "{}.stdout: expected one line",
            p.name
        );
        assert!(
            !p.small_defs.is_empty(),
            "{}.small: no reduced size",
            p.name
        );
    }
}

#[test]
fn bench_programs_elaborate_and_print_ghcs_output_at_a_reduced_size() {
    let problems = on_compiler_threads(load_all(), check_program);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The full-size run of one program, compared with `NAME.stdout`.
fn check_full_size(p: &Program) -> Vec<String> {
    let limits = Limits {
        max_steps: u64::MAX,
        max_depth: 100_000_000,
    };
    let started = Instant::now();
    let result = elaborate_and_run(&format!("{}.core", p.name), &p.source, Some(limits));
    let elapsed: Duration = started.elapsed();
    match result {
        Err(e) => vec![e],
        Ok(run) => {
            let run = run.expect("a run");
            let ok = run.outcome == Outcome::Finished && run.output == p.stdout;
            eprintln!(
                "{} (full size): {} in {:.1?}, {} steps, {} thunks: printed {:?} with {:?}",
                p.name,
                if ok { "matched" } else { "DIFFERED" },
                elapsed,
                run.work.steps,
                run.work.thunks_allocated,
                run.output,
                run.outcome
            );
            if ok {
                vec![]
            } else {
                vec![format!(
                    "{} (full size): printed {:?} with {:?}, expected {:?}",
                    p.name, run.output, run.outcome, p.stdout
                )]
            }
        }
    }
}

#[test]
#[ignore = "slow: full-size runs under the reference evaluator; run in release mode"]
fn bench_programs_print_ghcs_output_at_full_size() {
    let chosen: Vec<String> = match std::env::var("BENCH_PROGRAMS") {
        Ok(list) => list.split(',').map(|s| s.trim().to_string()).collect(),
        Err(_) => PROGRAMS.iter().map(|s| s.to_string()).collect(),
    };
    let programs: Vec<Program> = load_all()
        .into_iter()
        .filter(|p| chosen.contains(&p.name))
        .collect();
    assert_eq!(
        programs.len(),
        chosen.len(),
        "unknown program in {chosen:?}"
    );
    // One at a time: each run may take gigabytes.
    let mut problems = Vec::new();
    for p in programs {
        problems.extend(with_compiler_stack(move || check_full_size(&p)));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
