//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs`), here so that
//! the regression test (`tests/fuzz_regressions.rs`) replays every saved
//! finding through exactly the code the fuzzer ran.
//!
//! Each function takes the fuzzer's bytes and returns normally for every
//! input: bad programs end in diagnostics or runtime errors, which are the
//! expected outcomes. A panic, an abort, a Rust stack overflow or a hang is
//! a finding. The budgets are small so that every input ends fast (the
//! machine's step budget stops loops).
//!
//! * [`parse`]: lexer, layout and parser (with its depth check);
//! * [`check`]: the whole front end — rename, infer, lint — and the
//!   rendering of its diagnostics;
//! * [`run`]: the whole pipeline under a strategy chosen by the first byte,
//!   with a small step, heap and stack budget; debug builds (`cargo fuzz`
//!   builds with debug assertions) check the heap after every collection;
//! * [`verify`]: compiled bytecode mutated by the fuzzer, then linked: the
//!   linker's verifier must reject whatever would make the interpreter
//!   misbehave; what it accepts is run, and must not panic.
//!
//! Everything runs on one long-lived compiler thread (a large stack, as
//! `sloth` itself uses, see `with_compiler_stack`) that holds a session
//! with the prelude elaborated once; each input gets a clone of it.
//! `docs/robustness.md` says how to run the targets. Read next: `run`.

use crate::run::{execute, Limits};
use sloth_bco::asm::{assemble_unit, PackedUnit};
use sloth_bco::compile::compile_program;
use sloth_core::ir::Id;
use sloth_core::session::{Session, COMPILER_STACK};
use sloth_core::{layout, lexer, parser};
use sloth_rts::interp::Machine;
use sloth_rts::printer::Printer;
use sloth_stg::{lower_with_prelude_as, Strategy};
use std::cell::OnceCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};

/// The budgets of the `run` and `verify` targets.
pub fn limits() -> Limits {
    Limits {
        max_heap_bytes: 8 << 20,
        max_stack_words: 1 << 16,
        max_steps: 200_000,
        gc_stress: false,
        small_heap: true,
        simplify: true,
    }
}

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// The compiler thread's session with the prelude elaborated.
    static PRISTINE: OnceCell<Session> = const { OnceCell::new() };
}

/// Runs `job` on the compiler thread with a fresh clone of the prelude
/// session. A panic in `job` is re-raised here (a test then fails; under
/// libFuzzer the panic hook has already aborted, which is the finding).
fn with_session<R: Send + 'static>(job: impl FnOnce(&mut Session) -> R + Send + 'static) -> R {
    static WORKER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        std::thread::Builder::new()
            .name("sloth-fuzz-compiler".into())
            .stack_size(COMPILER_STACK)
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("cannot start the compiler thread");
        Mutex::new(tx)
    });
    let (done_tx, done_rx) = channel();
    let job: Job = Box::new(move || {
        let r = catch_unwind(AssertUnwindSafe(|| {
            let mut s = PRISTINE.with(|p| {
                p.get_or_init(|| Session::new().expect("the prelude compiles"))
                    .clone()
            });
            job(&mut s)
        }));
        let _ = done_tx.send(r);
    });
    worker
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job)
        .expect("the compiler thread is running");
    match done_rx.recv().expect("the compiler thread answers") {
        Ok(r) => r,
        Err(panic) => resume_unwind(panic),
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Lexes, lays out and parses `data` as a module.
pub fn parse(data: &[u8]) {
    let src = text(data);
    with_session(move |_| {
        let (tokens, _) = lexer::lex(&src, 0);
        let tokens = layout::layout(tokens);
        let (module, _) = parser::parse_module(&tokens);
        drop(module);
    })
}

/// Elaborates `data` as a program (rename, infer, lint) and renders the
/// diagnostics, as `sloth check` does.
pub fn check(data: &[u8]) {
    let src = text(data);
    with_session(move |s| {
        if let Err(e) = s.elaborate("fuzz.core", &src) {
            let _ = s.render(&e.0, false);
        }
    })
}

/// The strategy a `run` input asks for (its first byte), and its program.
fn split_strategy(data: &[u8]) -> (Strategy, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (
            [Strategy::Need, Strategy::Name, Strategy::Value][usize::from(*b % 3)],
            rest,
        ),
        None => (Strategy::Need, data),
    }
}

/// Elaborates, compiles, links and runs `data` (after its strategy byte)
/// within [`limits`], printing into a buffer.
pub fn run(data: &[u8]) {
    let (strategy, rest) = split_strategy(data);
    let src = text(rest);
    with_session(move |s| {
        let Ok(program) = s.elaborate("fuzz.core", &src) else {
            return;
        };
        let mut out = Vec::new();
        if let Ok(exec) = execute(s, &program, strategy, &limits(), None, &mut out) {
            if let Err(e) = exec.result {
                let _ = crate::run::message(s, &e);
            }
        }
    })
}

/// Programs whose compiled bytecode the `verify` target mutates: between
/// them they use every instruction the compiler emits.
pub const VERIFY_SEEDS: &[&str] = &[
    "main = sum (map (\\x -> x * x) [1 .. 10])",
    "data T a = L | N (T a) a (T a)\n\
     ins :: Int -> T Int -> T Int\n\
     ins x t = case t of { L -> N L x L; N l y r -> if x < y then N (ins x l) y r else N l y (ins x r) }\n\
     toList :: T a -> [a]\n\
     toList t = case t of { L -> []; N l x r -> toList l ++ [x] ++ toList r }\n\
     main = toList (foldr ins L [3, 1, 2, 5, 4])",
    "main = let xs = 1 : map (* 2) xs in (take 5 xs, 'c', 2.5 / 4.0, \"s\")",
    "f :: Int -> Int -> Int\nf a b = case a of { 0 -> b; _ -> f (a - 1) (b + a) }\n\
     main = (f 10 0, zipWith (+) [1, 2] [3, 4], maybe 0 (+ 1) (Just 2))",
];

/// A seed program compiled for the `verify` target: the prelude's unit
/// lowered with it, its own unit (packed, as the linker receives it), and
/// its `main`.
struct Seed {
    prelude: sloth_bco::compile::Unit,
    unit: PackedUnit,
    main: Id,
}

thread_local! {
    /// The compiled seeds and the session they were elaborated in (its
    /// data types), made once on the compiler thread.
    static SEEDS: OnceCell<(Session, Vec<Seed>)> = const { OnceCell::new() };
}

fn compile_seeds() -> (Session, Vec<Seed>) {
    let mut s = Session::new().expect("the prelude compiles");
    let seeds = VERIFY_SEEDS
        .iter()
        .map(|src| {
            let program = s.elaborate("seed.core", src).expect("the seed compiles");
            let main = program.binder("main").cloned().expect("the seed has main");
            let lowered = lower_with_prelude_as(&mut s, &program, Strategy::Need, true);
            let unit = compile_program(&s.env.data, &lowered.env.globals, &lowered.program);
            Seed {
                prelude: compile_program(&s.env.data, &lowered.env.globals, &lowered.prelude),
                unit: assemble_unit(&unit).expect("the seed assembles"),
                main,
            }
        })
        .collect();
    (s, seeds)
}

/// Applies the mutations `data` describes to one of the seed programs'
/// packed code, links the result into a machine holding the prelude, and
/// runs `main` if the linker accepts it.
///
/// `data`: byte 0 picks the seed; then each 4 bytes are one mutation, a
/// little-endian u16 position in the unit's code words (all BCOs in
/// order, modulo their total) and a u16 value to store there.
///
/// Returns whether the linker accepted the mutated unit (and `main` ran).
pub fn verify(data: &[u8]) -> bool {
    let data = data.to_vec();
    with_session(move |_| {
        SEEDS.with(|seeds| {
            let (s, seeds) = seeds.get_or_init(compile_seeds);
            let Some((&pick, mutations)) = data.split_first() else {
                return false;
            };
            let seed = &seeds[usize::from(pick) % seeds.len()];
            let mut unit = seed.unit.clone();
            let total: usize = unit.bcos.iter().map(|b| b.code.len()).sum();
            for m in mutations.chunks_exact(4) {
                let mut at = usize::from(u16::from_le_bytes([m[0], m[1]])) % total.max(1);
                let value = u16::from_le_bytes([m[2], m[3]]);
                for b in &mut unit.bcos {
                    if at < b.code.len() {
                        b.code[at] = value;
                        break;
                    }
                    at -= b.code.len();
                }
            }
            let limits = limits();
            let mut machine = Machine::new(limits.max_heap_bytes, limits.max_stack_words);
            machine.max_steps = limits.max_steps;
            machine
                .link(&s.env.data, &seed.prelude)
                .expect("the prelude links");
            if machine.link_packed(&s.env.data, &unit).is_err() {
                return false; // the expected outcome for most mutations
            }
            let Some(main) = machine.global(seed.main.unique) else {
                return false;
            };
            let mut out = Vec::new();
            let _ = Printer {
                machine: &mut machine,
                data: &s.env.data,
                out: &mut out,
            }
            .print_top(&seed.main.ty, main);
            true
        })
    })
}
