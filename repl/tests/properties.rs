//! The evaluation-strategy properties (docs/strategies.md) on random
//! well-typed programs, from a fixed seed so that a failure reproduces:
//! `sloth quickcheck --count N --seed S` runs the same check at any size
//! and prints the shrunk counterexample as Sloth Core source.

use sloth::generator::Program;
use sloth::properties::{check, search, CheckLimits, Verdict};
use sloth_core::session::with_compiler_stack;

/// Enough programs to cover every form of the generator a few times; CI
/// runs the test profile, where a program takes a few hundred ms.
const COUNT: u64 = 200;

#[test]
fn the_strategy_properties_hold_on_random_programs() {
    let report = with_compiler_stack(|| search(COUNT, 2026, 60, &CheckLimits::default()));
    if let Some((program, why, steps)) = &report.failure {
        panic!(
            "a property failed (shrunk in {steps} steps):\n{program}\n{why}\n\
             reproduce with: sloth quickcheck --count {COUNT} --seed 2026 --size 60"
        );
    }
    assert!(
        report.passed >= COUNT * 9 / 10,
        "too many discarded: {report:?}"
    );
}

#[test]
fn programs_compose_with_quickcheck_itself() {
    // What a user writes for a property of their own.
    fn need_prints_something(p: Program) -> quickcheck::TestResult {
        check(&p, &CheckLimits::default()).test_result()
    }
    with_compiler_stack(|| {
        quickcheck::QuickCheck::new()
            .rng(quickcheck::Gen::from_size_and_seed(30, 7))
            .tests(5)
            .quickcheck(need_prints_something as fn(Program) -> quickcheck::TestResult)
    });
}

#[test]
fn a_broken_program_is_a_failure_not_a_pass() {
    // `check` runs `check_source` on the printed program. A program the
    // front end rejects fails; so does a finished value run that allocated
    // a thunk (`y`, a non-lambda in a recursive group) unless the program
    // is declared to tie a knot.
    use sloth::properties::check_source;
    let limits = CheckLimits::default();
    let bad = with_compiler_stack(move || check_source("main = 1 + True\n", false, &limits));
    assert!(bad.is_err(), "{bad:?}");
    let group = "main :: Int\nmain = let { f = \\x -> if x <= 0 then 0 else y; y = f 0 } in y\n";
    let undeclared = with_compiler_stack(move || check_source(group, false, &limits));
    let why = undeclared.expect_err("value allocated a thunk");
    assert!(why.contains("allocated thunks"), "{why}");
    let declared = with_compiler_stack(move || check_source(group, true, &limits));
    assert_eq!(declared, Ok(Verdict::Pass));
}
