//! `sloth-stg`: lowering of explicit Core to the STG machine language, and
//! the reference evaluator that is the oracle for the machine.
//!
//! Modules: `strategy` (need / name / value, shared by everything here),
//! `syntax` (the STG language), `lower` (Core → STG: A-normal form,
//! saturation, closures, the strategy), `join` (join points), `free` (free
//! variables, single-entry thunks), `lint` (STG's invariants), `pretty` (the
//! `dump --stg` printer), `reference` (a big-step evaluator of Core under
//! each strategy). The crate knows Core (from `sloth-core`) and nothing of
//! bytecode or the heap. Start reading at `syntax`, then `lower`.

#![forbid(unsafe_code)]

pub mod free;
pub mod join;
pub mod lint;
pub mod lower;
pub mod pretty;
pub mod reference;
pub mod strategy;
pub mod syntax;

pub use lower::StgEnv;
pub use strategy::Strategy;

use sloth_core::ir::Module;
use sloth_core::session::Session;

/// A program and the prelude lowered under one strategy.
pub struct Lowered {
    pub env: StgEnv,
    pub prelude: syntax::Program,
    pub program: syntax::Program,
}

/// Lowers the session's prelude and then `program` (elaborated Core, as
/// `Session::elaborate` returns it) under `strategy`. Both are simplified
/// first.
pub fn lower_with_prelude(session: &mut Session, program: &Module, strategy: Strategy) -> Lowered {
    lower_with_prelude_as(session, program, strategy, true)
}

/// [`lower_with_prelude`], with or without the simplifier. Without it the
/// machine runs the Core the elaborator wrote, so its costs are the
/// strategy's own: the simplifier never changes a result, but under name
/// it may remove re-evaluations (Note [Case of known constructor] in
/// `sloth_core::simplify`), which hides what call-by-name costs.
pub fn lower_with_prelude_as(
    session: &mut Session,
    program: &Module,
    strategy: Strategy,
    simplify: bool,
) -> Lowered {
    let mut env = StgEnv::new(strategy, &session.env.prelude);
    let (prelude_core, program_core) = if simplify {
        (
            session.simplified_prelude.clone(),
            session.simplify(program),
        )
    } else {
        (session.prelude.clone(), program.clone())
    };
    let prelude = env.lower_module(&session.env.data, &mut session.env.supply, &prelude_core);
    let program = env.lower_module(&session.env.data, &mut session.env.supply, &program_core);
    Lowered {
        env,
        prelude,
        program,
    }
}
