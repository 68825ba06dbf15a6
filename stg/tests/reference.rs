//! The reference evaluator against the golden examples and the strategy
//! properties of spec §6: need prints every example's expected output; name
//! and value, where they finish, print the same; sharing, strictness,
//! control, `<<loop>>` and the limits behave as documented in
//! `sloth_stg::reference`.

use sloth_core::session::{with_compiler_stack, COMPILER_STACK};
use sloth_stg::reference::{run_main, Limits, Outcome, Run, RuntimeError};
use sloth_stg::Strategy;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;

/// Elaborates `src` in a fresh session and runs its `main`; also returns
/// the error message as `sloth run` would print it (empty if none). A
/// program that does not compile is an `Err` with its diagnostics.
fn try_run_in_session(
    name: &str,
    src: &str,
    strategy: Strategy,
    limits: &Limits,
) -> Result<(Run, String), String> {
    let (session, program) = common::elaborate(name, src)?;
    let run = run_main(&session, &program, strategy, limits);
    let message = match &run.outcome {
        Outcome::Error(e) => e.message(&session.sources),
        _ => String::new(),
    };
    Ok((run, message))
}

fn run_in_session(name: &str, src: &str, strategy: Strategy, limits: &Limits) -> (Run, String) {
    try_run_in_session(name, src, strategy, limits).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a test program on the compiler thread.
fn run(src: &str, strategy: Strategy) -> Run {
    run_limited(src, strategy, Limits::default())
}

fn run_limited(src: &str, strategy: Strategy, limits: Limits) -> Run {
    let src = src.to_string();
    with_compiler_stack(move || run_in_session("test.core", &src, strategy, &limits).0)
}

// --- The golden examples --------------------------------------------------

/// Name and value may not finish (exponential re-evaluation, infinite
/// lists built eagerly), so they get a step budget: a multiple of what
/// need took, within bounds. Value does the same work as need when it
/// finishes, plus the unused arguments it evaluates; name may redo work
/// exponentially often.
fn budget(need_steps: u64, factor: u64) -> Limits {
    Limits {
        max_steps: (need_steps * factor).clamp(1_000_000, 20_000_000),
        ..Limits::default()
    }
}

/// Checks one example under all three strategies; returns what is wrong.
fn check_example(core: &Path) -> Vec<String> {
    let name = core.file_name().unwrap().to_string_lossy().into_owned();
    let read = |ext: &str| std::fs::read_to_string(core.with_extension(ext)).ok();
    let src = read("core").expect("readable example");
    let Some(stdout) = read("stdout") else {
        return vec![format!("{name}: no .stdout file")];
    };
    // Line 2 of a .stderr file is a substring of the error message.
    let expected_error = read("stderr").map(|e| e.lines().nth(1).unwrap_or("").to_lowercase());
    let mut problems = Vec::new();

    let (need, need_msg) = match try_run_in_session(&name, &src, Strategy::Need, &Limits::default())
    {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    if need.output != stdout {
        problems.push(format!(
            "{name} (need): printed {:?}, expected {stdout:?}",
            need.output
        ));
    }
    match (&expected_error, &need.outcome) {
        (None, Outcome::Finished) => {}
        (Some(want), Outcome::Error(_)) if need_msg.to_lowercase().contains(want) => {}
        (want, got) => problems.push(format!(
            "{name} (need): outcome {got:?} ({need_msg:?}), expected {}",
            want.as_ref().map_or("to finish".to_string(), |w| format!(
                "an error containing {w:?}"
            ))
        )),
    }

    let limits = budget(need.work.steps, 20);
    let (value, _) = run_in_session(&name, &src, Strategy::Value, &limits);
    if value.outcome == Outcome::Finished && value.output != stdout {
        problems.push(format!(
            "{name} (value): printed {:?}, expected {stdout:?}",
            value.output
        ));
    }
    // Name differs from need only in sharing: whenever it does not run
    // out of steps it must do exactly what need does, errors included.
    let limits = budget(need.work.steps, 200);
    let (name_run, _) = run_in_session(&name, &src, Strategy::Name, &limits);
    let limited = matches!(name_run.outcome, Outcome::StepLimit | Outcome::DepthLimit);
    if !limited && (name_run.output != need.output || name_run.outcome != need.outcome) {
        problems.push(format!(
            "{name} (name): printed {:?} with {:?}, but need printed {:?} with {:?}",
            name_run.output, name_run.outcome, need.output, need.outcome
        ));
    }
    problems
}

#[test]
fn examples_print_their_golden_output_under_every_strategy() {
    let examples = common::core_files("examples");
    assert!(
        examples.len() > 50,
        "only {} examples found",
        examples.len()
    );
    // Two compiler threads taking examples from a shared queue: a few
    // runs that end at the step limit dominate the time.
    const WORKERS: usize = 2;
    let examples = Arc::new(examples);
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (examples, next) = (Arc::clone(&examples), Arc::clone(&next));
            std::thread::Builder::new()
                .stack_size(COMPILER_STACK)
                .spawn(move || {
                    let mut problems = Vec::new();
                    while let Some(p) = examples.get(next.fetch_add(1, Ordering::Relaxed)) {
                        problems.extend(check_example(p));
                    }
                    problems
                })
                .expect("a worker thread")
        })
        .collect();
    let problems: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a worker finishes"))
        .collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// --- Strategy properties ----------------------------------------------------

#[test]
fn name_evaluates_a_shared_thunk_more_often_than_need() {
    for src in [
        "main = let x = sum [1 .. 100] in x + x",
        // A CAF: updated under need, evaluated at every use under name.
        "x = sum [1 .. 100]\nmain = x + x",
    ] {
        let need = run(src, Strategy::Need);
        let name = run(src, Strategy::Name);
        assert_eq!(need.outcome, Outcome::Finished);
        assert_eq!(name.outcome, Outcome::Finished);
        assert_eq!(need.output, "10100\n");
        assert_eq!(name.output, need.output);
        assert!(
            name.work.thunks_evaluated > need.work.thunks_evaluated,
            "{src}: name {:?}, need {:?}",
            name.work,
            need.work
        );
        assert!(name.work.steps > need.work.steps);
        assert_eq!(name.work.thunks_updated, 0, "{src}");
        assert!(need.work.thunks_updated > 0, "{src}");
    }
}

#[test]
fn value_evaluates_arguments_that_need_and_name_ignore() {
    let src = r#"main = const 1 (error "unused")"#;
    let value = run(src, Strategy::Value);
    assert_eq!(
        value.outcome,
        Outcome::Error(RuntimeError::User("unused".into()))
    );
    assert_eq!(value.output, "");
    for s in [Strategy::Need, Strategy::Name] {
        let r = run(src, s);
        assert_eq!(
            (r.output.as_str(), &r.outcome),
            ("1\n", &Outcome::Finished),
            "{s}"
        );
    }
    // Constructor fields are strict under value.
    let src = r#"main = fst (1, error "second")"#;
    assert_eq!(run(src, Strategy::Need).output, "1\n");
    assert_eq!(
        run(src, Strategy::Value).outcome,
        Outcome::Error(RuntimeError::User("second".into()))
    );
}

#[test]
fn and_or_seq_stay_control_under_every_strategy() {
    for s in Strategy::ALL {
        let r = run(r#"main = False && error "no""#, s);
        assert_eq!(
            (r.output.as_str(), &r.outcome),
            ("False\n", &Outcome::Finished),
            "{s}"
        );
        let r = run(r#"main = True || error "no""#, s);
        assert_eq!(r.output, "True\n", "{s}");
        let r = run(r#"main = seq (error "first") (error "second")"#, s);
        assert_eq!(
            r.outcome,
            Outcome::Error(RuntimeError::User("first".into())),
            "{s}"
        );
        let r = run(r#"main = seq 1 'x'"#, s);
        assert_eq!(r.output, "'x'\n", "{s}");
    }
    // Unsaturated, `&&` is an ordinary function: strict in both arguments
    // under value.
    let src = r#"main = foldr (&&) True [False, error "no"]"#;
    assert_eq!(run(src, Strategy::Need).output, "False\n");
    assert_eq!(
        run(src, Strategy::Value).outcome,
        Outcome::Error(RuntimeError::User("no".into()))
    );
}

#[test]
fn a_thunk_that_demands_itself_is_a_loop() {
    for s in Strategy::ALL {
        let r = run("main = let x = x + 1 in x", s);
        assert_eq!(r.outcome, Outcome::Error(RuntimeError::Loop), "{s}");
    }
    // Under value a recursive data structure is a loop too: fields are strict.
    let r = run("main = take 3 (let xs = 1 : xs in xs)", Strategy::Value);
    assert_eq!(r.outcome, Outcome::Error(RuntimeError::Loop));
    let r = run("main = take 3 (let xs = 1 : xs in xs)", Strategy::Need);
    assert_eq!(r.output, "[1,1,1]\n");
}

#[test]
fn limits_stop_runaway_programs() {
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    for s in Strategy::ALL {
        let r = run_limited("f :: Int -> Int\nf x = f x\nmain = f 1", s, limits);
        assert_eq!(r.outcome, Outcome::StepLimit, "{s}");
        assert_eq!(r.work.steps, 100_001, "{s}");
    }
    // Printing an endless list streams until the limit.
    let r = run_limited("main = repeat 'a'", Strategy::Need, limits);
    assert_eq!(r.outcome, Outcome::StepLimit);
    assert!(r.output.starts_with("\"aaaa"), "{:?}", &r.output[..10]);
    let shallow = Limits {
        max_depth: 1_000,
        ..Limits::default()
    };
    let r = run_limited("main = foldr (+) 0 [1 .. 100000]", Strategy::Need, shallow);
    assert_eq!(r.outcome, Outcome::DepthLimit);
}

#[test]
fn deep_recursion_finishes() {
    let r = run("main = foldr (+) 0 [1 .. 100000]", Strategy::Need);
    assert_eq!(
        (r.output.as_str(), &r.outcome),
        ("5000050000\n", &Outcome::Finished)
    );
    // A long list built eagerly (fields are strict), then printed.
    let r = run("main = length (map (+ 1) [1 .. 100000])", Strategy::Value);
    assert_eq!(
        (r.output.as_str(), &r.outcome),
        ("100000\n", &Outcome::Finished)
    );
    let r = run("main = reverse [1 .. 100000]", Strategy::Value);
    assert_eq!(r.outcome, Outcome::Finished);
    assert!(r.output.starts_with("[100000,99999,") && r.output.ends_with(",2,1]\n"));
}

// --- Primitives, errors and printing ------------------------------------------

#[test]
fn unboxed_arguments_are_evaluated_before_the_call() {
    // As in GHC: an `Int#` cannot be a thunk, so the division happens when
    // the box is built, and `seq` sees it.
    for src in [
        "main = case I# (quotInt# 1# 0#) of I# _ -> 5",
        "main = seq (div 1 0) 'x'",
    ] {
        let r = run(src, Strategy::Need);
        assert_eq!(
            r.outcome,
            Outcome::Error(RuntimeError::DivideByZero),
            "{src}"
        );
    }
}

/// Regression: a constructor application with a failing unboxed field is
/// itself lazy when it is an argument (the division is raised only if the
/// box is demanded), under need and name; by value arguments are evaluated.
#[test]
fn a_lazy_box_around_a_failing_primop_stays_lazy() {
    let src =
        "k :: Int -> Int -> Int\nk x y = x\nmain = case 5 of I# n -> k 1 (I# (quotInt# n 0#))";
    for s in [Strategy::Need, Strategy::Name] {
        let r = run(src, s);
        assert_eq!(
            (r.output.as_str(), &r.outcome),
            ("1\n", &Outcome::Finished),
            "{s}"
        );
    }
    assert_eq!(
        run(src, Strategy::Value).outcome,
        Outcome::Error(RuntimeError::DivideByZero)
    );
}

/// Regression: over-applied polymorphic functions (the result type is a
/// type variable instantiated to a function) are typed by substitution.
#[test]
fn over_applied_polymorphic_functions() {
    for s in Strategy::ALL {
        for (src, out) in [
            ("main = id (\\w -> w) (1 :: Int)", "1\n"),
            ("main = seq 'a' id 'x'", "'x'\n"),
            ("main = [seq 'a' id 'x']", "\"x\"\n"),
            ("main = const id 'a' (2 :: Int)", "2\n"),
        ] {
            let r = run(src, s);
            assert_eq!(
                (r.output.as_str(), &r.outcome),
                (out, &Outcome::Finished),
                "{src} under {s}"
            );
        }
    }
}

#[test]
fn primops_follow_ghc_on_edge_cases() {
    let cases = [
        // minBound `quot` (-1) wraps instead of trapping.
        (
            "main = I# (quotInt# ((negateInt# 9223372036854775807#) -# 1#) (negateInt# 1#))",
            "-9223372036854775808",
        ),
        ("main = I# (double2Int# (0.0## /## 0.0##))", "-9223372036854775808"),
        ("main = I# (double2Int# 1.0e30##)", "-9223372036854775808"),
        ("main = I# (double2Int# (negateDouble# 7.9##))", "-7"),
        (
            "main = (D# (roundDouble# 2.5##), D# (roundDouble# 3.5##), D# (roundDouble# (negateDouble# 2.5##)))",
            "(2.0,4.0,-2.0)",
        ),
        ("main = showDouble 1.0e23", "\"9.999999999999999e22\""),
        ("main = 9223372036854775807 + 1 == negate 9223372036854775807 - 1", "True"),
        ("main = 9223372036854775807 + 1", "-9223372036854775808"),
    ];
    for (src, want) in cases {
        let r = run(src, Strategy::Need);
        assert_eq!(r.output, format!("{want}\n"), "{src}");
    }
    let r = run("main = C# (chr# 1114112#)", Strategy::Need);
    assert_eq!(r.outcome, Outcome::Error(RuntimeError::BadChr(1_114_112)));
}

#[test]
fn error_messages_name_what_went_wrong() {
    let src = "f :: Int -> Int\nf x = case x of\n  1 -> 2\nmain = f 3";
    let (r, msg) = with_compiler_stack(move || {
        run_in_session("missing.core", src, Strategy::Need, &Limits::default())
    });
    assert!(matches!(
        r.outcome,
        Outcome::Error(RuntimeError::PatternFail(_))
    ));
    assert!(
        msg.starts_with("non-exhaustive patterns in case at missing.core:2:7"),
        "{msg}"
    );
    // The message of `error` is evaluated; if that fails, its error wins.
    let r = run(
        r#"main = error ("a" ++ error "inner") :: Int"#,
        Strategy::Need,
    );
    assert_eq!(
        r.outcome,
        Outcome::Error(RuntimeError::User("inner".into()))
    );
    let r = run("x = 1", Strategy::Need);
    assert_eq!(r.outcome, Outcome::Error(RuntimeError::NoMain));
}

#[test]
fn values_print_as_ghc_shows_them() {
    let cases = [
        ("main = Just (-3)", "Just (-3)"),
        ("main = [Just (-1.5), Nothing]", "[Just (-1.5),Nothing]"),
        ("main = (-1, 'x', \"a\\nb\")", "(-1,'x',\"a\\nb\")"),
        (
            "main = Left (Just [1, 2]) :: Either (Maybe [Int]) ()",
            "Left (Just [1,2])",
        ),
        ("main = ([] :: [Int], \"\", ())", "([],\"\",())"),
        ("main = Just \"\\200\" ", "Just \"\\200\""),
        ("main = [not]", "[<function>]"),
        ("main = Just (Just 0.1)", "Just (Just 0.1)"),
        // Unboxed fields, as GHC's derived `Show`: a `#` and no parentheses.
        (
            "data T = T Int# Double# Char#\nmain = Just (T (negateInt# 3#) 2.5## 'a'#)",
            "Just (T -3# 2.5## 'a'#)",
        ),
        // A polymorphic main prints by the shape of its value.
        ("main = []", "[]"),
        ("main = Nothing", "Nothing"),
        ("main = (Nothing, [[]])", "(Nothing,[[]])"),
    ];
    for (src, want) in cases {
        for s in Strategy::ALL {
            let r = run(src, s);
            assert_eq!(r.output, format!("{want}\n"), "{src} ({s})");
        }
    }
}

#[test]
fn printing_streams_partial_output_before_an_error() {
    let cases = [
        (r#"main = "ab" ++ error "boom""#, "\"ab"),
        // `show` of a string writes its quote before evaluating the string.
        (r#"main = Just (error "boom" :: String)"#, "Just \""),
        (r#"main = (1, [2, error "boom"])"#, "(1,[2,"),
    ];
    for (src, want) in cases {
        let r = run(src, Strategy::Need);
        assert_eq!(
            r.outcome,
            Outcome::Error(RuntimeError::User("boom".into())),
            "{src}"
        );
        assert_eq!(r.output, want, "{src}");
    }
}
