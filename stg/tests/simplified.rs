//! The simplifier preserves meaning: the reference evaluator, run on the
//! simplified prelude and program, prints what it prints on the elaborated
//! ones — the same output and the same error — under need and (where it
//! finishes) under value, for every golden example.

use sloth_core::session::{with_compiler_stack, Session};
use sloth_stg::reference::{run_main, Limits, Outcome, Run};
use sloth_stg::Strategy;

mod common;

fn describe(s: &Session, r: &Run) -> String {
    let outcome = match &r.outcome {
        Outcome::Finished => "finished".to_string(),
        Outcome::Error(e) => format!("error: {}", e.message(&s.sources)),
        Outcome::StepLimit => "step limit".to_string(),
        Outcome::DepthLimit => "depth limit".to_string(),
    };
    format!("{:?} then {outcome}", r.output)
}

#[test]
fn simplified_programs_mean_the_same() {
    let problems = with_compiler_stack(|| {
        let paths = common::core_files("examples");
        let limits = Limits {
            max_steps: 5_000_000,
            ..Limits::default()
        };
        let mut problems = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            let mut s = Session::new().expect("prelude");
            let program = s
                .elaborate(&p.display().to_string(), &text)
                .expect("compiles");
            let simplified = s.simplify(&program);
            for st in [Strategy::Need, Strategy::Value] {
                let before = run_main(&s, &program, st, &limits);
                let original_prelude =
                    std::mem::replace(&mut s.prelude, s.simplified_prelude.clone());
                let after = run_main(&s, &simplified, st, &limits);
                s.prelude = original_prelude;
                if matches!(before.outcome, Outcome::StepLimit) {
                    continue;
                }
                let (b, a) = (describe(&s, &before), describe(&s, &after));
                if b != a {
                    problems.push(format!(
                        "{} under {st}:\n  elaborated: {b}\n  simplified: {a}",
                        p.display()
                    ));
                }
            }
        }
        problems
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
