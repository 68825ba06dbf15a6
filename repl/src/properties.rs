//! The evaluation-strategy properties, checked on a program: the project's
//! oracle, and `sloth quickcheck`.
//!
//! [`check`] elaborates a program, runs it on the machine under `need`,
//! `name` and `value` and on the reference evaluator (`sloth_stg::reference`)
//! under each, and checks, in this order:
//!
//! 1. **front end**: the program elaborates and lints (generated programs
//!    must: a failure is a generator or front-end bug); printing its Core,
//!    then parsing and elaborating that, prints the same Core again;
//! 2. **machine = reference**, under each strategy, with and without the
//!    Core simplifier: the same output and the same outcome (finished, or
//!    the same runtime error);
//! 3. **need = name**, and **value = need whenever value finishes**;
//! 4. **sharing**: need enters no more thunks than name; a `value` run that
//!    finishes allocates no thunk at all, on the machine and in the
//!    reference (a `let`-bound non-lambda is evaluated at once) — unless the
//!    program ties a knot (a recursive non-lambda `let`, which `value`
//!    allocates as a thunk and forces at once);
//! 5. **the collector**: the same output and outcome when the heap starts
//!    at its smallest size, and under `--gc-stress` (collect at every
//!    allocation and check the heap) for runs that allocate little.
//!
//! A run that reaches a step, depth, stack or heap limit says nothing
//! about the program; the comparisons that involve it are skipped
//! (`value` diverges on every endless list, by design). [`search`] runs
//! [`check`] on many generated programs from a seed and shrinks the first
//! failure to a small program. Read `docs/strategies.md` for why each
//! property holds. Knows nothing of terminals: `main` prints the report.

use crate::generator::Program;
use crate::run::{self, Execution, Limits};
use quickcheck::{Arbitrary, Gen, TestResult};
use sloth_core::ir::Module;
use sloth_core::pretty::{pretty_module, reprints_to_itself};
use sloth_core::session::Session;
use sloth_core::source::Span;
use sloth_rts::interp::RunError;
use sloth_stg::reference::{self, Outcome, RuntimeError};
use sloth_stg::Strategy;

/// How a run ended, in terms both evaluators share.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Finished,
    User(String),
    PatternFail(Span),
    DivideByZero,
    BadChr(i64),
    Loop,
    /// A step, depth, stack or heap limit: no verdict.
    Limit(String),
}

impl Ending {
    fn from_machine(r: &Result<(), RunError>) -> Ending {
        match r {
            Ok(()) => Ending::Finished,
            Err(RunError::User(m)) => Ending::User(m.clone()),
            Err(RunError::PatternFail(s)) => Ending::PatternFail(*s),
            Err(RunError::DivideByZero) => Ending::DivideByZero,
            Err(RunError::BadChr(n)) => Ending::BadChr(*n),
            Err(RunError::Loop) => Ending::Loop,
            Err(e) => Ending::Limit(format!("{e:?}")),
        }
    }

    fn from_reference(o: &Outcome) -> Ending {
        match o {
            Outcome::Finished => Ending::Finished,
            Outcome::Error(RuntimeError::User(m)) => Ending::User(m.clone()),
            Outcome::Error(RuntimeError::PatternFail(s)) => Ending::PatternFail(*s),
            Outcome::Error(RuntimeError::DivideByZero) => Ending::DivideByZero,
            Outcome::Error(RuntimeError::BadChr(n)) => Ending::BadChr(*n),
            Outcome::Error(RuntimeError::Loop) => Ending::Loop,
            Outcome::Error(RuntimeError::NoMain) => Ending::Limit("no main".into()),
            Outcome::StepLimit => Ending::Limit("step limit".into()),
            Outcome::DepthLimit => Ending::Limit("depth limit".into()),
        }
    }

    fn is_limit(&self) -> bool {
        matches!(self, Ending::Limit(_))
    }
}

/// One evaluator's run: what it printed (a finished run ends in a newline,
/// as `sloth run` prints it) and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Printed {
    pub output: String,
    pub ending: Ending,
}

/// The limits of the runs [`check`] makes. Generated programs are small;
/// these bound the ones that diverge (by value) or blow up.
#[derive(Clone, Copy, Debug)]
pub struct CheckLimits {
    pub machine: Limits,
    pub reference: reference::Limits,
    /// Run under `--gc-stress` only when the plain run allocated at most
    /// this many words (every allocation collects: cost grows with both).
    pub gc_stress_max_words: u64,
}

impl Default for CheckLimits {
    fn default() -> CheckLimits {
        CheckLimits {
            machine: Limits {
                max_heap_bytes: 256 << 20,
                max_stack_words: 1 << 18,
                max_steps: 20_000_000,
                gc_stress: false,
                small_heap: false,
                simplify: true,
            },
            reference: reference::Limits {
                max_steps: 5_000_000,
                max_depth: 100_000,
            },
            gc_stress_max_words: 20_000,
        }
    }
}

/// What [`check`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every property held (those that applied).
    Pass,
    /// The need run hit a limit: nothing to compare.
    Discard(String),
    /// A property failed: which, and the evidence.
    Fail(String),
}

impl Verdict {
    /// For quickcheck: `QuickCheck::new().quickcheck(|p: Program|
    /// check(&p, &CheckLimits::default()).test_result())`.
    pub fn test_result(&self) -> TestResult {
        match self {
            Verdict::Pass => TestResult::passed(),
            Verdict::Discard(_) => TestResult::discard(),
            Verdict::Fail(why) => TestResult::error(why.clone()),
        }
    }
}

fn machine_run(
    session: &mut Session,
    module: &Module,
    strategy: Strategy,
    limits: &Limits,
) -> (Printed, Execution) {
    let mut out = Vec::new();
    let exec = run::execute(session, module, strategy, limits, None, &mut out)
        .expect("the generated program has a main");
    let mut output = String::from_utf8_lossy(&out).into_owned();
    if exec.result.is_ok() {
        output.push('\n');
    }
    let ending = Ending::from_machine(&exec.result);
    (Printed { output, ending }, exec)
}

fn differs(what: &str, a_name: &str, a: &Printed, b_name: &str, b: &Printed) -> Option<String> {
    (a != b).then(|| {
        format!(
            "{what}:\n  {a_name}: {:?} then {:?}\n  {b_name}: {:?} then {:?}",
            a.output, a.ending, b.output, b.ending
        )
    })
}

/// Checks every property on one program (see the module doc).
/// A panic anywhere in the pipeline is a failure too (its message is the
/// evidence), so that it can be shrunk like any other.
pub fn check(program: &Program, limits: &CheckLimits) -> Verdict {
    let source = program.to_string();
    let knot = program.has_knot();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_source(&source, knot, limits)
    }));
    match checked {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => Verdict::Fail(e),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Verdict::Fail(format!("panic: {msg}"))
        }
    }
}

/// [`check`] on source text; `knot`: the program has a recursive
/// non-lambda `let` (property 4 does not apply to `value`).
pub fn check_source(source: &str, knot: bool, limits: &CheckLimits) -> Result<Verdict, String> {
    let mut session = Session::new()?;
    let module = session.elaborate("generated.core", source).map_err(|e| {
        format!(
            "front end: does not elaborate:\n{}",
            session.render(&e.0, false)
        )
    })?;

    // 1. Printing the Core and elaborating it again is the identity.
    let printed = pretty_module(&session.env.data, &module);
    reprints_to_itself(&printed, "Core").map_err(|e| format!("front end: {e}"))?;

    // 2. The machine agrees with the reference, strategy by strategy.
    let mut runs = Vec::new();
    for strategy in Strategy::ALL {
        let (m, exec) = machine_run(&mut session, &module, strategy, &limits.machine);
        let r = reference::run_main(&session, &module, strategy, &limits.reference);
        let r_printed = Printed {
            output: r.output.clone(),
            ending: Ending::from_reference(&r.outcome),
        };
        if !m.ending.is_limit() && !r_printed.ending.is_limit() {
            if let Some(d) = differs(
                &format!("machine ≠ reference under {strategy}"),
                "machine",
                &m,
                "reference",
                &r_printed,
            ) {
                return Err(d);
            }
        }
        // The same without the simplifier: the lowering of the Core the
        // elaborator wrote, which the reference runs.
        let plain = Limits {
            simplify: false,
            ..limits.machine
        };
        let (u, _) = machine_run(&mut session, &module, strategy, &plain);
        if !u.ending.is_limit() && !r_printed.ending.is_limit() {
            if let Some(d) = differs(
                &format!("machine without the simplifier ≠ reference under {strategy}"),
                "machine",
                &u,
                "reference",
                &r_printed,
            ) {
                return Err(d);
            }
        }
        runs.push((m, exec, r));
    }
    let [(need, need_exec, need_ref), (name, name_exec, name_ref), (value, value_exec, value_ref)] =
        &runs[..]
    else {
        unreachable!("three strategies")
    };
    if need.ending.is_limit() {
        return Ok(Verdict::Discard(format!("need: {:?}", need.ending)));
    }

    // 3. need = name; value = need when value finishes.
    if !name.ending.is_limit() {
        if let Some(d) = differs("need ≠ name", "need", need, "name", name) {
            return Err(d);
        }
    }
    if value.ending == Ending::Finished {
        if let Some(d) = differs("a finished value run ≠ need", "need", need, "value", value) {
            return Err(d);
        }
    }

    // 4. Sharing.
    if !name.ending.is_limit() {
        let (n, m) = (
            need_exec.machine.thunks_entered,
            name_exec.machine.thunks_entered,
        );
        if n > m {
            return Err(format!(
                "need entered more thunks than name on the machine: {n} > {m}"
            ));
        }
        let (n, m) = (
            need_ref.work.thunks_evaluated,
            name_ref.work.thunks_evaluated,
        );
        if Ending::from_reference(&name_ref.outcome) == name.ending && n > m {
            return Err(format!(
                "need evaluated more thunks than name in the reference: {n} > {m}"
            ));
        }
    }
    if value.ending == Ending::Finished && !knot {
        let m = value_exec.machine.thunks_allocated;
        let r = value_ref.work.thunks_allocated;
        if m != 0 || r != 0 {
            return Err(format!(
                "a finished value run allocated thunks: {m} on the machine, {r} in the reference"
            ));
        }
    }

    // 5. The collector changes nothing.
    let small = Limits {
        small_heap: true,
        ..limits.machine
    };
    let mut variants = vec![("the smallest initial heap", small)];
    if need_exec.heap.words_allocated <= limits.gc_stress_max_words {
        variants.push((
            "--gc-stress",
            Limits {
                gc_stress: true,
                ..limits.machine
            },
        ));
    }
    for (what, l) in variants {
        let (m, _) = machine_run(&mut session, &module, Strategy::Need, &l);
        if !m.ending.is_limit() {
            if let Some(d) = differs(&format!("need with {what}"), "plain", need, what, &m) {
                return Err(d);
            }
        }
    }
    Ok(Verdict::Pass)
}

/// What [`search`] found.
#[derive(Debug)]
pub struct Report {
    pub passed: u64,
    pub discarded: u64,
    /// The first failure, shrunk: the program, why it fails, and how many
    /// shrinking steps it took.
    pub failure: Option<(Program, String, usize)>,
}

/// The programs [`search`] would check, for a look at what the generator
/// makes (`sloth quickcheck --sample`).
pub fn sample(count: u64, seed: u64, size: usize) -> Vec<Program> {
    let mut g = Gen::from_size_and_seed(size, seed);
    (0..count).map(|_| Program::arbitrary(&mut g)).collect()
}

/// Checks `count` programs generated from `seed` at `size`; stops at the
/// first failure and shrinks it (greedily: the first smaller program that
/// still fails, until none does). Deterministic for a seed.
pub fn search(count: u64, seed: u64, size: usize, limits: &CheckLimits) -> Report {
    // Panics are reported as failures: keep the default hook from printing
    // each one found while shrinking.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let report = search_quietly(count, seed, size, limits);
    std::panic::set_hook(hook);
    report
}

fn search_quietly(count: u64, seed: u64, size: usize, limits: &CheckLimits) -> Report {
    let mut g = Gen::from_size_and_seed(size, seed);
    let mut report = Report {
        passed: 0,
        discarded: 0,
        failure: None,
    };
    for _ in 0..count {
        let p = Program::arbitrary(&mut g);
        match check(&p, limits) {
            Verdict::Pass => report.passed += 1,
            Verdict::Discard(_) => report.discarded += 1,
            Verdict::Fail(why) => {
                report.failure = Some(shrink(p, why, limits));
                return report;
            }
        }
    }
    report
}

fn shrink(mut p: Program, mut why: String, limits: &CheckLimits) -> (Program, String, usize) {
    let mut steps = 0;
    'smaller: loop {
        for q in p.shrink() {
            if let Verdict::Fail(w) = check(&q, limits) {
                p = q;
                why = w;
                steps += 1;
                continue 'smaller;
            }
        }
        return (p, why, steps);
    }
}
