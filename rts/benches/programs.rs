//! Interpreter speed: the ten programs of `bench/programs/*.core` (nfib,
//! tak, queens, primes, exp3_8, hamming, sum_stream, sort, fibs, tree) at
//! the reduced sizes of their `NAME.small` files, so that the whole suite
//! takes a few minutes.
//!
//! Each program is parsed, checked, lowered (call-by-need) and compiled to
//! bytecode once, outside the measurement; what is timed is a fresh
//! `Machine`, linking the prelude and the program, and evaluating and
//! printing `main`. Before a program is timed, its output is checked
//! against the expected output in `NAME.small`.
//!
//! Run with `cargo bench -p sloth-rts --bench programs` (append
//! `-- program/nfib` to run one, or `-- --test` to run each once without
//! timing). The full sizes, compared with GHC, are timed by
//! `bench/compare.sh`.

use criterion::{criterion_group, Criterion};
use sloth_bco::compile::{compile_program, Unit};
use sloth_bco::verify::verify_unit;
use sloth_core::session::{with_compiler_stack, Session};
use sloth_core::types::{DataEnv, Type, Unique};
use sloth_rts::interp::Machine;
use sloth_rts::printer::Printer;
use sloth_stg::{lower_with_prelude, Strategy};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// In the order `bench/compare.sh` runs them.
const PROGRAMS: [&str; 10] = [
    "nfib",
    "tak",
    "queens",
    "primes",
    "exp3_8",
    "hamming",
    "sum_stream",
    "sort",
    "fibs",
    "tree",
];

/// `sloth run`'s default stack limit (1 GiB); a generous heap limit.
const MAX_HEAP_BYTES: u64 = 1 << 30;
const MAX_STACK_WORDS: usize = (1 << 30) / 8;

/// A program compiled to bytecode, ready to link into a fresh machine.
struct Compiled {
    data: DataEnv,
    /// The prelude, then the program.
    units: [Unit; 2],
    main: Unique,
    main_ty: Type,
    /// What printing `main` must produce (without the final newline, which
    /// `sloth run` adds after the printer).
    expected: String,
}

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/programs")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `NAME.core` with the definitions of `NAME.small` substituted (each line
/// `name = value` before the `---` line replaces the one line of the
/// program starting with `name = `), and the expected output after `---`.
fn small_source(name: &str) -> (String, String) {
    let dir = programs_dir();
    let source = read(&dir.join(format!("{name}.core")));
    let small = read(&dir.join(format!("{name}.small")));
    let (defs, expected) = small
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{name}.small: no `---` line"));
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    for def in defs.lines() {
        let (lhs, _) = def
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{name}.small: {def:?} is not `name = value`"));
        let prefix = format!("{lhs} = ");
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(&prefix))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "{name}.core: {prefix:?} must start exactly one line"
        );
        lines[hits[0]] = def.to_string();
    }
    let mut text = lines.join("\n");
    text.push('\n');
    (text, expected.trim_end_matches('\n').to_string())
}

/// Parses, checks, lowers and compiles a program.
fn compile(name: &str) -> Compiled {
    let (src, expected) = small_source(name);
    let mut session = Session::new().expect("the prelude compiles");
    let module = match session.elaborate(&format!("{name}.core"), &src) {
        Ok(m) => m,
        Err(e) => panic!("{name}: {}", session.render(&e.0, false)),
    };
    let main = module
        .binder("main")
        .cloned()
        .unwrap_or_else(|| panic!("{name}: no `main`"));
    let lowered = lower_with_prelude(&mut session, &module, Strategy::Need);
    let units = [&lowered.prelude, &lowered.program].map(|unit| {
        let bcos = compile_program(&session.env.data, &lowered.env.globals, unit);
        verify_unit(&session.env.data, &bcos)
            .unwrap_or_else(|e| panic!("{name}: the bytecode does not verify: {e}"));
        bcos
    });
    Compiled {
        data: session.env.data.clone(),
        units,
        main: main.unique,
        main_ty: main.ty.clone(),
        expected,
    }
}

/// The timed part: a fresh machine links both units, then evaluates and
/// prints `main`.
fn run(c: &Compiled) -> Vec<u8> {
    let mut machine = Machine::new(MAX_HEAP_BYTES, MAX_STACK_WORDS);
    for unit in &c.units {
        machine.link(&c.data, unit).expect("links");
    }
    let main = machine.global(c.main).expect("main is linked");
    let mut out = Vec::new();
    Printer {
        machine: &mut machine,
        data: &c.data,
        out: &mut out,
    }
    .print_top(&c.main_ty, main)
    .unwrap_or_else(|e| panic!("main fails: {e:?}"));
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("program");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for name in PROGRAMS {
        let compiled = compile(name);
        let out = run(&compiled);
        assert_eq!(
            String::from_utf8_lossy(&out),
            compiled.expected,
            "{name}: the output at the reduced size"
        );
        group.bench_function(name, |b| b.iter(|| black_box(run(black_box(&compiled)))));
    }
    group.finish();
}

criterion_group!(benches, bench);

/// `criterion_main!`, but on a thread with the compiler's large stack, as
/// `sloth run` does (the front end and the lowering recurse deeply).
fn main() {
    with_compiler_stack(|| {
        benches();
        Criterion::default().configure_from_args().final_summary();
    });
}
