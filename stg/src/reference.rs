//! The reference evaluator: Core run directly, under each strategy.
//!
//! This is the oracle that the STG machine and the strategy properties are
//! tested against, not the product's runtime, so it is written to be small
//! and obviously correct rather than fast: an environment-based big-step
//! interpreter over the Core the elaborator produces (unsimplified), the
//! prelude module plus one program module. [`run_main`] evaluates `main`
//! and prints it as `sloth run` would (spec §6), counting its work
//! ([`Work`]) and stopping at a step or depth limit ([`Limits`]), so that it
//! can be run on random programs.
//!
//! # The strategies
//!
//! * **need**: a non-atomic argument or `let` right side becomes a thunk
//!   (a variable is shared; a literal, constructor, primop or lambda is
//!   built as a value); `case` forces; a forced thunk is overwritten with
//!   its value. A thunk under evaluation is a black hole: demanding it
//!   again is `<<loop>>`.
//! * **name**: the same thunks without update: every force evaluates the
//!   thunk again (and counts in [`Work::thunks_evaluated`]). A thunk that
//!   demands itself while under evaluation is still `<<loop>>`: evaluation
//!   is deterministic, so the inner demand would repeat the outer one
//!   forever.
//! * **value**: a `let` right side is evaluated before the body, arguments
//!   before the call (left to right, then the function), so constructor
//!   fields hold values; lambdas are values. A recursive `let` binds its
//!   lambdas as closures and its other right sides as updatable thunks,
//!   which are forced right after the group is bound, in order (so
//!   `let xs = 1 : xs` is `<<loop>>`: fields are strict).
//!
//! Under all three, `case` alternatives and saturated calls of the prelude's
//! `&&`, `||` and `seq` ([`CONTROL_FUNCTIONS`]) are control: the second
//! argument is evaluated only if chosen, after the first (spec §6).
//!
//! Choices the spec leaves open, made here (the machine must agree):
//!
//! * Top-level bindings are evaluated lazily on first use, under every
//!   strategy; a CAF (a global that is not a lambda) is updated with its
//!   value except under name, where it is evaluated again at every use.
//!   Globals are static: they do not count as allocated thunks, but forcing
//!   a CAF counts as evaluating (and updating) one.
//! * Arguments of unboxed type (`Int#`, ...) are evaluated before the call
//!   under every strategy, as in GHC: they cannot be thunks.
//! * Type abstraction and application are erased: `\@a -> e` is `e`.
//! * Printing forces every printed part to weak head normal form, a
//!   function too before it prints as `<function>`. A `main` of function
//!   type (including one defined with arguments, `main x = ...`) prints
//!   `<function>`, as spec §6 and `examples/main_function.core` say. A
//!   polymorphic `main` prints by the shape of its value where its type
//!   says only "some `a`". A program without `main` is
//!   [`RuntimeError::NoMain`].
//! * [`Work::thunks_updated`] counts every update: thunks under need, and
//!   CAFs and recursive-`let` thunks under value too. A string literal
//!   unpacks lazily, one cell per force, memoised under every strategy and
//!   not counted as a thunk (it is GHC's `unpackCString#`, not the
//!   program's laziness).
//! * A control call with more than two arguments (`seq a f x`) passes the
//!   extra ones as usual: delayed (under value, evaluated) first, then the
//!   control part, then the call.
//!
//! # Representation
//!
//! Values live in an arena: a `Vec` of small `Copy` nodes addressed by
//! index and never freed, so a million-cell list costs no recursive drop,
//! and an environment is an index into a second arena of (binder, value,
//! parent) cells: a persistent linked list whose length is the lexical
//! nesting of binders, which stays short. Tail positions (`let` and `case`
//! bodies, a function's body) loop instead of recursing, so `f x = f x`
//! runs into the step limit, not the depth limit; the recursion that
//! remains (scrutinees, forced thunks, printing) goes through
//! [`sloth_core::session::deep`] and counts against [`Limits::max_depth`]
//! (each level takes under a kilobyte of stack: the default million is
//! several hundred megabytes). Callers run it on the compiler thread
//! (`with_compiler_stack`).
//!
//! Deliberately absent: garbage collection, any transformation of the
//! program, and error recovery (an error ends the run). Core that lint
//! would reject (applying a non-function, an unbound variable) panics, and
//! so does a program that uses globals of units other than the prelude and
//! itself (earlier REPL lines): this evaluates one program.
//! Read next: `lower`, whose output must agree with this.

use crate::strategy::{Strategy, CONTROL_FUNCTIONS};
use sloth_core::ir::{Bind, Case, Expr, Id, Literal, Module, Pat};
use sloth_core::primop::PrimOp;
use sloth_core::session::{deep, Session};
use sloth_core::show::{
    show_char_hash, show_char_literal, show_double, show_double_hash, show_double_prec,
    show_int_hash, show_int_prec, StringEscaper, ARG_PREC,
};
use sloth_core::source::{SourceMap, Span};
use sloth_core::token::Symbol;
use sloth_core::types::{
    tuple_arity, ConId, DataEnv, TyConId, Type, TypeKind, Unique, CHAR, CONS, C_HASH, D_HASH,
    FALSE, I_HASH, LIST, NIL, TRUE, UNIT_CON,
};
use std::collections::HashMap;

/// When to give up. Both limits turn a run that would not end (or would
/// exhaust memory) into an [`Outcome`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Evaluation steps (see [`Work::steps`]) before [`Outcome::StepLimit`].
    pub max_steps: u64,
    /// Nested evaluations (scrutinees, forced thunks, printed structure)
    /// before [`Outcome::DepthLimit`].
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_steps: 100_000_000,
            max_depth: 1_000_000,
        }
    }
}

/// What a run did.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct Work {
    /// Evaluation steps: one per expression evaluated (tail positions
    /// included; atoms passed as arguments or bound by `let` are not
    /// evaluated, so not counted), per printed value or character, per
    /// character of an `error` message.
    pub steps: u64,
    /// Lambdas entered with an argument (one per argument bound).
    pub applications: u64,
    /// Thunks created for arguments and `let` right sides.
    pub thunks_allocated: u64,
    /// Thunks entered (under name, every evaluation of the same thunk).
    pub thunks_evaluated: u64,
    /// Thunks overwritten with their value.
    pub thunks_updated: u64,
}

/// A failure of the program itself (spec §7), or of its shape.
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeError {
    /// `error msg`.
    User(String),
    /// No alternative of a `case` matched; the `case`'s span.
    PatternFail(Span),
    DivideByZero,
    /// `chr#` of a value that is not a Unicode scalar value.
    BadChr(i64),
    /// `<<loop>>`: a thunk demanded itself.
    Loop,
    /// The program defines no `main`.
    NoMain,
}

impl RuntimeError {
    /// The message `sloth run` prints on standard error.
    pub fn message(&self, sources: &SourceMap) -> String {
        match self {
            RuntimeError::User(msg) => msg.clone(),
            RuntimeError::PatternFail(span) => {
                format!(
                    "non-exhaustive patterns in case at {}",
                    sources.describe(*span)
                )
            }
            RuntimeError::DivideByZero => "divide by zero".to_string(),
            // As GHC: the argument shown at precedence 9, `(-1)`.
            RuntimeError::BadChr(n) => {
                format!("Prelude.chr: bad argument: {}", show_int_prec(*n, 9))
            }
            RuntimeError::Loop => "<<loop>>".to_string(),
            RuntimeError::NoMain => "the program does not define `main`".to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `main` was printed in full.
    Finished,
    Error(RuntimeError),
    StepLimit,
    DepthLimit,
}

#[derive(Clone, Debug)]
pub struct Run {
    /// What `sloth run` prints on standard output: the value and a newline
    /// when finished, else the partial output up to the stop.
    pub output: String,
    pub outcome: Outcome,
    pub work: Work,
}

/// Evaluates and prints `main` of `program` (elaborated in `session`, whose
/// prelude is in scope) under `strategy`.
pub fn run_main(session: &Session, program: &Module, strategy: Strategy, limits: &Limits) -> Run {
    let mut m = Machine::new(session, strategy, *limits);
    for module in [&session.prelude, program] {
        for bind in &module.binds {
            m.bind_global(bind);
        }
    }
    let main = program.binder("main");
    let result = match main {
        None => Err(Stop::Error(RuntimeError::NoMain)),
        Some(main) => {
            let value = m.lookup(main, EMPTY_ENV);
            m.print(&main.ty, value, 0)
        }
    };
    let outcome = match result {
        Ok(()) => {
            m.out.push('\n');
            Outcome::Finished
        }
        Err(Stop::Error(e)) => Outcome::Error(e),
        Err(Stop::Steps) => Outcome::StepLimit,
        Err(Stop::Depth) => Outcome::DepthLimit,
    };
    Run {
        output: m.out,
        outcome,
        work: m.work,
    }
}

/// Index of a heap node.
type Ref = u32;
/// Index of an environment cell; [`EMPTY_ENV`] is the empty environment
/// (globals are looked up separately).
type EnvId = u32;
const EMPTY_ENV: EnvId = u32::MAX;
/// No node: an empty slot of a table of nodes.
const NONE: Ref = u32::MAX;

/// One binding of an environment: a persistent linked list.
#[derive(Clone, Copy)]
struct EnvCell {
    unique: Unique,
    value: Ref,
    parent: EnvId,
}

/// A run of consecutive entries in `Machine::fields`: a constructor's
/// fields or a partial application's arguments.
#[derive(Clone, Copy)]
struct Fields {
    start: u32,
    len: u32,
}

/// What a partial application will call once it has all its arguments.
#[derive(Clone, Copy)]
enum PapHead {
    Con(ConId),
    Prim(PrimOp),
}

#[derive(Clone, Copy)]
enum Node<'a> {
    // Values (weak head normal forms).
    Int(i64),
    Double(f64),
    Char(char),
    Con {
        con: ConId,
        fields: Fields,
    },
    /// `lam` is an `Expr::Lam`.
    Closure {
        lam: &'a Expr,
        env: EnvId,
    },
    /// A constructor or primop short of arguments.
    Pap {
        head: PapHead,
        args: Fields,
    },
    // Not yet values.
    Thunk {
        expr: &'a Expr,
        env: EnvId,
        update: bool,
    },
    /// A thunk under evaluation (a black hole); `Thunk` again afterwards
    /// if it is not updated.
    Busy,
    /// An updated thunk: its value is elsewhere.
    Ind(Ref),
    /// The rest of a string literal from byte `at`, unpacked one cell at a
    /// time when forced (as GHC's `unpackCString#`).
    Str {
        text: &'a Symbol,
        at: u32,
    },
}

// Nodes stay small: the heap of a long run holds tens of millions.
const _: () = assert!(std::mem::size_of::<Node<'static>>() <= 24);

/// Why evaluation stopped early.
enum Stop {
    Error(RuntimeError),
    Steps,
    Depth,
}

type Eval<T> = Result<T, Stop>;

fn fail<T>(e: RuntimeError) -> Eval<T> {
    Err(Stop::Error(e))
}

/// Where an application leaves evaluation: a value, or an expression in
/// tail position to continue with (so that tail calls do not nest).
enum Next<'a> {
    Value(Ref),
    Eval(&'a Expr, EnvId),
}

#[derive(Clone, Copy)]
enum Control {
    And,
    Or,
    Seq,
}

struct Machine<'a> {
    data: &'a DataEnv,
    strategy: Strategy,
    limits: Limits,
    heap: Vec<Node<'a>>,
    fields: Vec<Ref>,
    envs: Vec<EnvCell>,
    /// The value of each global, by unique (`NONE` where none).
    globals: Vec<Ref>,
    control: HashMap<Unique, Control>,
    /// The value of each constructor (a shared nullary node, or a partial
    /// application without arguments), by `ConId`, made on first use.
    con_values: Vec<Ref>,
    /// The value of each primop, by `PrimOp as usize`, made on first use.
    prim_values: Vec<Ref>,
    /// Spare vectors for applications' arguments, so that the common case
    /// allocates nothing.
    spare_exprs: Vec<Vec<&'a Expr>>,
    spare_refs: Vec<Vec<Ref>>,
    /// Each primop's value arity and whether its result is unboxed, by
    /// `PrimOp as usize`.
    prims: Vec<(usize, bool)>,
    work: Work,
    depth: usize,
    out: String,
}

impl<'a> Machine<'a> {
    fn new(session: &'a Session, strategy: Strategy, limits: Limits) -> Machine<'a> {
        let control = CONTROL_FUNCTIONS
            .iter()
            .zip([Control::And, Control::Or, Control::Seq])
            .filter_map(|(name, c)| Some((*session.env.prelude.get(*name)?, c)))
            .collect();
        let mut prims = vec![(0, false); PrimOp::ALL.len()];
        for &p in PrimOp::ALL {
            let (args, result) = p.ty().split_foralls().1.split_funs();
            prims[p as usize] = (args.len(), result.is_unlifted());
        }
        Machine {
            data: &session.env.data,
            strategy,
            limits,
            heap: Vec::new(),
            fields: Vec::new(),
            envs: Vec::new(),
            globals: Vec::new(),
            control,
            con_values: vec![NONE; session.env.data.cons.len()],
            prim_values: vec![NONE; PrimOp::ALL.len()],
            spare_exprs: Vec::new(),
            spare_refs: Vec::new(),
            prims,
            work: Work::default(),
            depth: 0,
            out: String::new(),
        }
    }

    // --- The heap and environments -------------------------------------

    fn alloc(&mut self, n: Node<'a>) -> Ref {
        let r = Ref::try_from(self.heap.len()).expect("reference evaluator: heap over 2^32 nodes");
        self.heap.push(n);
        r
    }

    fn alloc_fields(&mut self, refs: impl IntoIterator<Item = Ref>) -> Fields {
        let start = self.fields.len();
        self.fields.extend(refs);
        Fields {
            start: u32::try_from(start).expect("reference evaluator: over 2^32 fields"),
            len: (self.fields.len() - start) as u32,
        }
    }

    fn field(&self, f: Fields, i: usize) -> Ref {
        self.fields[f.start as usize + i]
    }

    fn field_list(&self, f: Fields) -> Vec<Ref> {
        self.fields[f.start as usize..(f.start + f.len) as usize].to_vec()
    }

    fn extend(&mut self, parent: EnvId, x: &Id, value: Ref) -> EnvId {
        let id = EnvId::try_from(self.envs.len()).expect("reference evaluator: over 2^32 bindings");
        self.envs.push(EnvCell {
            unique: x.unique,
            value,
            parent,
        });
        id
    }

    fn lookup(&self, x: &Id, mut env: EnvId) -> Ref {
        while env != EMPTY_ENV {
            let cell = self.envs[env as usize];
            if cell.unique == x.unique {
                return cell.value;
            }
            env = cell.parent;
        }
        match self.globals.get(x.unique as usize) {
            Some(&r) if r != NONE => r,
            _ => panic!("ill-typed Core: `{}` ({}) is unbound", x.name, x.unique),
        }
    }

    fn con_value(&mut self, c: ConId) -> Ref {
        let cached = self.con_values[c.0 as usize];
        if cached != NONE {
            return cached;
        }
        let empty = self.alloc_fields([]);
        let r = if self.data.con(c).fields.is_empty() {
            self.alloc(Node::Con {
                con: c,
                fields: empty,
            })
        } else {
            self.alloc(Node::Pap {
                head: PapHead::Con(c),
                args: empty,
            })
        };
        self.con_values[c.0 as usize] = r;
        r
    }

    fn prim_value(&mut self, p: PrimOp) -> Ref {
        let cached = self.prim_values[p as usize];
        if cached != NONE {
            return cached;
        }
        let args = self.alloc_fields([]);
        let r = self.alloc(Node::Pap {
            head: PapHead::Prim(p),
            args,
        });
        self.prim_values[p as usize] = r;
        r
    }

    fn con(&mut self, con: ConId, refs: impl IntoIterator<Item = Ref>) -> Ref {
        let fields = self.alloc_fields(refs);
        self.alloc(Node::Con { con, fields })
    }

    fn bool_value(&mut self, b: bool) -> Ref {
        self.con_value(if b { TRUE } else { FALSE })
    }

    /// A literal as a node: boxed ones as `I# n` etc., strings unforced.
    fn literal(&mut self, l: &'a Literal) -> Ref {
        match l {
            Literal::Int(n) => {
                let v = self.alloc(Node::Int(*n));
                self.con(I_HASH, [v])
            }
            Literal::Double(x) => {
                let v = self.alloc(Node::Double(*x));
                self.con(D_HASH, [v])
            }
            Literal::Char(c) => {
                let v = self.alloc(Node::Char(*c));
                self.con(C_HASH, [v])
            }
            Literal::String(s) => self.alloc(Node::Str { text: s, at: 0 }),
            Literal::IntPrim(n) => self.alloc(Node::Int(*n)),
            Literal::DoublePrim(x) => self.alloc(Node::Double(*x)),
            Literal::CharPrim(c) => self.alloc(Node::Char(*c)),
        }
    }

    /// A fully evaluated `[Char]` (for `showDouble#`).
    fn string_value(&mut self, s: &str) -> Ref {
        let mut list = self.con_value(NIL);
        for c in s.chars().rev() {
            let ch = self.alloc(Node::Char(c));
            let boxed = self.con(C_HASH, [ch]);
            list = self.con(CONS, [boxed, list]);
        }
        list
    }

    fn bind_global(&mut self, bind: &'a Bind) {
        let pairs: Vec<(&'a Id, &'a Expr)> = match bind {
            Bind::NonRec(x, e) => vec![(x, e)],
            Bind::Rec(group) => group.iter().map(|(x, e)| (x, e)).collect(),
        };
        for (x, rhs) in pairs {
            let node = match strip_ty_lams(rhs) {
                lam @ Expr::Lam(..) => Node::Closure {
                    lam,
                    env: EMPTY_ENV,
                },
                _ => Node::Thunk {
                    expr: rhs,
                    env: EMPTY_ENV,
                    update: self.strategy != Strategy::Name,
                },
            };
            let r = self.alloc(node);
            let at = x.unique as usize;
            if self.globals.len() <= at {
                self.globals.resize(at + 1, NONE);
            }
            self.globals[at] = r;
        }
    }

    // --- Evaluation ----------------------------------------------------

    fn tick(&mut self) -> Eval<()> {
        self.work.steps += 1;
        if self.work.steps > self.limits.max_steps {
            return Err(Stop::Steps);
        }
        Ok(())
    }

    /// Runs `f` one level deeper: counted against the depth limit, and on
    /// a fresh stack segment when the current one runs low.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Eval<T>) -> Eval<T> {
        if self.depth >= self.limits.max_depth {
            return Err(Stop::Depth);
        }
        self.depth += 1;
        let r = deep(|| f(self));
        self.depth -= 1;
        r
    }

    /// Evaluates `e` to weak head normal form: the result is a value node.
    fn eval(&mut self, e: &'a Expr, env: EnvId) -> Eval<Ref> {
        self.nested(|m| m.eval_loop(e, env))
    }

    fn eval_loop(&mut self, mut e: &'a Expr, mut env: EnvId) -> Eval<Ref> {
        loop {
            self.tick()?;
            match e {
                Expr::Var(x) => {
                    let r = self.lookup(x, env);
                    return self.force(r);
                }
                Expr::Lit(l) => {
                    let r = self.literal(l);
                    return self.force(r);
                }
                Expr::Con(c) => return Ok(self.con_value(*c)),
                Expr::Prim(p) => return Ok(self.prim_value(*p)),
                Expr::Lam(..) => return Ok(self.alloc(Node::Closure { lam: e, env })),
                Expr::TyLam(_, body) | Expr::TyApp(body, _) => e = body,
                Expr::Let(bind, body) => {
                    env = self.bind_local(bind, env)?;
                    e = body;
                }
                Expr::Case(case) => {
                    let scrut = self.eval(&case.scrut, env)?;
                    (e, env) = self.select(case, scrut, env)?;
                }
                Expr::App(..) => match self.application(e, env)? {
                    Next::Value(r) => return Ok(r),
                    Next::Eval(body, body_env) => (e, env) = (body, body_env),
                },
            }
        }
    }

    /// Forces a node to weak head normal form and returns the value's node.
    fn force(&mut self, mut r: Ref) -> Eval<Ref> {
        loop {
            match self.heap[r as usize] {
                Node::Ind(to) => r = to,
                Node::Thunk { expr, env, update } => {
                    self.heap[r as usize] = Node::Busy;
                    self.work.thunks_evaluated += 1;
                    let v = self.eval(expr, env)?;
                    self.heap[r as usize] = if update {
                        self.work.thunks_updated += 1;
                        Node::Ind(v)
                    } else {
                        Node::Thunk { expr, env, update }
                    };
                    return Ok(v);
                }
                Node::Busy => return fail(RuntimeError::Loop),
                Node::Str { text, at } => {
                    let cell = match text[at as usize..].chars().next() {
                        None => self.con_value(NIL),
                        Some(c) => {
                            let ch = self.alloc(Node::Char(c));
                            let boxed = self.con(C_HASH, [ch]);
                            let rest = self.alloc(Node::Str {
                                text,
                                at: at + c.len_utf8() as u32,
                            });
                            self.con(CONS, [boxed, rest])
                        }
                    };
                    // Unpacking a literal is not a thunk of the program's:
                    // memoised under every strategy, and not counted.
                    self.heap[r as usize] = Node::Ind(cell);
                    return Ok(cell);
                }
                _ => return Ok(r),
            }
        }
    }

    /// How an argument or a `let` right side is passed: a variable is
    /// shared, a value is built; anything else is evaluated first under
    /// value (and when unboxed), else delayed as a thunk. Atoms cost no
    /// step, under any strategy, so that step counts stay comparable.
    fn delay(&mut self, e: &'a Expr, env: EnvId) -> Eval<Ref> {
        let by_value = self.strategy == Strategy::Value;
        match e {
            Expr::Var(x) => {
                let r = self.lookup(x, env);
                if by_value {
                    self.force(r)
                } else {
                    Ok(r)
                }
            }
            Expr::TyApp(inner, _) | Expr::TyLam(_, inner) => self.delay(inner, env),
            Expr::Lit(l) => {
                let r = self.literal(l);
                if by_value {
                    self.force(r)
                } else {
                    Ok(r)
                }
            }
            Expr::Con(c) => Ok(self.con_value(*c)),
            Expr::Prim(p) => Ok(self.prim_value(*p)),
            Expr::Lam(..) => Ok(self.alloc(Node::Closure { lam: e, env })),
            _ if by_value || self.is_unlifted(e) => self.eval(e, env),
            _ => {
                self.work.thunks_allocated += 1;
                Ok(self.alloc(Node::Thunk {
                    expr: e,
                    env,
                    update: self.strategy == Strategy::Need,
                }))
            }
        }
    }

    fn bind_local(&mut self, bind: &'a Bind, env: EnvId) -> Eval<EnvId> {
        match bind {
            Bind::NonRec(x, rhs) => {
                let r = self.delay(rhs, env)?;
                Ok(self.extend(env, x, r))
            }
            Bind::Rec(group) => {
                // Cells first, so that every right side sees every binder.
                let cells: Vec<Ref> = group
                    .iter()
                    .map(|_| self.alloc(Node::Ind(Ref::MAX)))
                    .collect();
                let mut inner = env;
                for ((x, _), &r) in group.iter().zip(&cells) {
                    inner = self.extend(inner, x, r);
                }
                let mut to_force = Vec::new();
                for ((_, rhs), &r) in group.iter().zip(&cells) {
                    self.heap[r as usize] = match strip_ty_lams(rhs) {
                        lam @ Expr::Lam(..) => Node::Closure { lam, env: inner },
                        _ => {
                            self.work.thunks_allocated += 1;
                            to_force.push(r);
                            Node::Thunk {
                                expr: rhs,
                                env: inner,
                                update: self.strategy != Strategy::Name,
                            }
                        }
                    };
                }
                if self.strategy == Strategy::Value {
                    for r in to_force {
                        self.force(r)?;
                    }
                }
                Ok(inner)
            }
        }
    }

    /// Picks the `case` alternative for the evaluated scrutinee.
    fn select(&mut self, case: &'a Case, scrut: Ref, env: EnvId) -> Eval<(&'a Expr, EnvId)> {
        let node = self.heap[scrut as usize];
        for alt in &case.alts {
            match &alt.pat {
                Pat::Default(None) => return Ok((&alt.rhs, env)),
                Pat::Default(Some(x)) => return Ok((&alt.rhs, self.extend(env, x, scrut))),
                Pat::Con(c, xs) => {
                    if let Node::Con { con, fields } = node {
                        if con == *c {
                            let mut env = env;
                            for (i, x) in xs.iter().enumerate() {
                                let f = self.field(fields, i);
                                env = self.extend(env, x, f);
                            }
                            return Ok((&alt.rhs, env));
                        }
                    }
                }
                Pat::Lit(l) => {
                    if self.literal_matches(l, node) {
                        return Ok((&alt.rhs, env));
                    }
                }
            }
        }
        fail(RuntimeError::PatternFail(case.span))
    }

    fn literal_matches(&self, l: &Literal, node: Node<'a>) -> bool {
        // Literal patterns are on unboxed scrutinees (`ir`); a boxed one is
        // compared through its box all the same. Doubles compare as numbers
        // (`-0.0` matches `0.0`), as `==##` does.
        let node = match node {
            Node::Con { con, fields } if [I_HASH, D_HASH, C_HASH].contains(&con) => {
                match self.heap[self.field(fields, 0) as usize] {
                    Node::Ind(to) => self.heap[to as usize],
                    n => n,
                }
            }
            n => n,
        };
        match (l, node) {
            (Literal::IntPrim(a) | Literal::Int(a), Node::Int(b)) => *a == b,
            (Literal::DoublePrim(a) | Literal::Double(a), Node::Double(b)) => *a == b,
            (Literal::CharPrim(a) | Literal::Char(a), Node::Char(b)) => *a == b,
            _ => false,
        }
    }

    /// An application `f @t a b ...`: control, or arguments then function.
    fn application(&mut self, e: &'a Expr, env: EnvId) -> Eval<Next<'a>> {
        let mut args = self.spare_exprs.pop().unwrap_or_default();
        let head = spine(e, &mut args);
        if let Expr::Var(f) = head {
            if args.len() >= 2 {
                if let Some(&c) = self.control.get(&f.unique) {
                    let next = self.control(c, &args, env);
                    args.clear();
                    self.spare_exprs.push(args);
                    return next;
                }
            }
        }
        let mut refs = self.spare_refs.pop().unwrap_or_default();
        for &a in &args {
            refs.push(self.delay(a, env)?);
        }
        args.clear();
        self.spare_exprs.push(args);
        let f = match head {
            // The common case, without a nested evaluation.
            Expr::Var(x) => {
                let r = self.lookup(x, env);
                self.force(r)?
            }
            _ => self.eval(head, env)?,
        };
        self.apply(f, refs)
    }

    /// `a && b`, `a || b`, `seq a b` (and any further arguments, passed
    /// as usual to the result).
    fn control(&mut self, c: Control, args: &[&'a Expr], env: EnvId) -> Eval<Next<'a>> {
        let mut rest = self.spare_refs.pop().unwrap_or_default();
        for a in &args[2..] {
            rest.push(self.delay(a, env)?);
        }
        let first = self.eval(args[0], env)?;
        let is_true = || matches!(self.heap[first as usize], Node::Con { con: TRUE, .. });
        let chosen = match c {
            Control::And if !is_true() => Next::Value(first),
            Control::Or if is_true() => Next::Value(first),
            Control::And | Control::Or | Control::Seq => Next::Eval(args[1], env),
        };
        if rest.is_empty() {
            self.spare_refs.push(rest);
            return Ok(chosen);
        }
        let f = match chosen {
            Next::Value(v) => v,
            Next::Eval(e, env) => self.eval(e, env)?,
        };
        self.apply(f, rest)
    }

    /// Applies a function value to arguments, leaving the last body to
    /// evaluate in tail position.
    fn apply(&mut self, f: Ref, mut args: Vec<Ref>) -> Eval<Next<'a>> {
        let next = self.apply_to(f, &args)?;
        args.clear();
        self.spare_refs.push(args);
        Ok(next)
    }

    fn apply_to(&mut self, mut f: Ref, args: &[Ref]) -> Eval<Next<'a>> {
        let mut next = 0;
        while next < args.len() {
            f = self.force(f)?;
            match self.heap[f as usize] {
                Node::Closure { lam, env } => {
                    let mut env = env;
                    let mut body = lam;
                    // Bind as many parameters as there are arguments.
                    while let (Expr::Lam(x, inner), true) = (body, next < args.len()) {
                        env = self.extend(env, x, args[next]);
                        self.work.applications += 1;
                        next += 1;
                        body = strip_ty_lams(inner);
                    }
                    if next == args.len() {
                        return Ok(Next::Eval(body, env));
                    }
                    f = self.eval(body, env)?;
                }
                Node::Pap { head, args: have } => {
                    let arity = match head {
                        PapHead::Con(c) => self.data.con(c).fields.len(),
                        PapHead::Prim(p) => self.prims[p as usize].0,
                    };
                    let take = (arity - have.len as usize).min(args.len() - next);
                    if have.len == 0 && take == arity {
                        // Saturated at once (the common case).
                        let now = &args[next..next + take];
                        next += take;
                        f = match head {
                            PapHead::Con(c) => self.con(c, now.iter().copied()),
                            PapHead::Prim(p) => self.primop(p, now)?,
                        };
                        continue;
                    }
                    let mut all = self.field_list(have);
                    all.extend_from_slice(&args[next..next + take]);
                    next += take;
                    f = if all.len() < arity {
                        let args = self.alloc_fields(all);
                        self.alloc(Node::Pap { head, args })
                    } else {
                        match head {
                            PapHead::Con(c) => self.con(c, all),
                            PapHead::Prim(p) => self.primop(p, &all)?,
                        }
                    };
                }
                _ => panic!("ill-typed Core: applying a value that is not a function"),
            }
        }
        Ok(Next::Value(f))
    }

    // --- Primops ---------------------------------------------------------

    fn primop(&mut self, p: PrimOp, args: &[Ref]) -> Eval<Ref> {
        use PrimOp::*;
        if p == Error {
            let msg = self.force_string(args[0])?;
            return fail(RuntimeError::User(msg));
        }
        // Strict in every argument, left to right.
        let mut vals = Vec::with_capacity(args.len());
        for &a in args {
            let v = self.force(a)?;
            vals.push(self.heap[v as usize]);
        }
        let int = |i: usize| match vals[i] {
            Node::Int(n) => n,
            _ => panic!("ill-typed Core: {} expects Int#", p.name()),
        };
        let dbl = |i: usize| match vals[i] {
            Node::Double(x) => x,
            _ => panic!("ill-typed Core: {} expects Double#", p.name()),
        };
        let chr = |i: usize| match vals[i] {
            Node::Char(c) => c,
            _ => panic!("ill-typed Core: {} expects Char#", p.name()),
        };
        let flag = |b: bool| Node::Int(b as i64);
        let node = match p {
            IntAdd => Node::Int(int(0).wrapping_add(int(1))),
            IntSub => Node::Int(int(0).wrapping_sub(int(1))),
            IntMul => Node::Int(int(0).wrapping_mul(int(1))),
            IntQuot | IntRem if int(1) == 0 => return fail(RuntimeError::DivideByZero),
            IntQuot => Node::Int(int(0).wrapping_div(int(1))),
            IntRem => Node::Int(int(0).wrapping_rem(int(1))),
            IntNeg => Node::Int(int(0).wrapping_neg()),
            IntEq => flag(int(0) == int(1)),
            IntNe => flag(int(0) != int(1)),
            IntLt => flag(int(0) < int(1)),
            IntLe => flag(int(0) <= int(1)),
            IntGt => flag(int(0) > int(1)),
            IntGe => flag(int(0) >= int(1)),
            DoubleAdd => Node::Double(dbl(0) + dbl(1)),
            DoubleSub => Node::Double(dbl(0) - dbl(1)),
            DoubleMul => Node::Double(dbl(0) * dbl(1)),
            DoubleDiv => Node::Double(dbl(0) / dbl(1)),
            DoublePow => Node::Double(dbl(0).powf(dbl(1))),
            DoubleNeg => Node::Double(-dbl(0)),
            DoubleEq => flag(dbl(0) == dbl(1)),
            DoubleNe => flag(dbl(0) != dbl(1)),
            DoubleLt => flag(dbl(0) < dbl(1)),
            DoubleLe => flag(dbl(0) <= dbl(1)),
            DoubleGt => flag(dbl(0) > dbl(1)),
            DoubleGe => flag(dbl(0) >= dbl(1)),
            DoubleSqrt => Node::Double(dbl(0).sqrt()),
            DoubleExp => Node::Double(dbl(0).exp()),
            DoubleLog => Node::Double(dbl(0).ln()),
            DoubleSin => Node::Double(dbl(0).sin()),
            DoubleCos => Node::Double(dbl(0).cos()),
            DoubleTan => Node::Double(dbl(0).tan()),
            DoubleAtan => Node::Double(dbl(0).atan()),
            DoubleFloor => Node::Double(dbl(0).floor()),
            DoubleCeiling => Node::Double(dbl(0).ceil()),
            DoubleRound => Node::Double(dbl(0).round_ties_even()),
            CharEq => flag(chr(0) == chr(1)),
            CharNe => flag(chr(0) != chr(1)),
            CharLt => flag(chr(0) < chr(1)),
            CharLe => flag(chr(0) <= chr(1)),
            CharGt => flag(chr(0) > chr(1)),
            CharGe => flag(chr(0) >= chr(1)),
            Int2Double => Node::Double(int(0) as f64),
            Double2Int => Node::Int(double_to_int(dbl(0))),
            Ord => Node::Int(chr(0) as i64),
            Chr => match u32::try_from(int(0)).ok().and_then(char::from_u32) {
                Some(c) => Node::Char(c),
                None => return fail(RuntimeError::BadChr(int(0))),
            },
            IsTrue => return Ok(self.bool_value(int(0) != 0)),
            ShowDouble => return Ok(self.string_value(&show_double(dbl(0)))),
            Error => unreachable!("handled above"),
        };
        Ok(self.alloc(node))
    }

    /// Evaluates a `[Char]` completely (for `error`'s message).
    fn force_string(&mut self, list: Ref) -> Eval<String> {
        let mut s = String::new();
        let mut cell = self.force(list)?;
        while let Some((c, rest)) = self.next_char(cell)? {
            self.tick()?;
            s.push(c);
            cell = self.force(rest)?;
        }
        Ok(s)
    }

    /// The first character and the (unforced) rest of an evaluated
    /// `[Char]`, or `None` at its end.
    fn next_char(&mut self, cell: Ref) -> Eval<Option<(char, Ref)>> {
        match self.heap[cell as usize] {
            Node::Con { con: CONS, fields } => {
                let boxed = self.force(self.field(fields, 0))?;
                let c = self.unbox(boxed)?;
                match self.heap[c as usize] {
                    Node::Char(c) => Ok(Some((c, self.field(fields, 1)))),
                    _ => panic!("ill-typed Core: a string holds a non-character"),
                }
            }
            Node::Con { con: NIL, .. } => Ok(None),
            _ => panic!("ill-typed Core: a string is not a list"),
        }
    }

    /// The forced field of an evaluated `I#`, `D#` or `C#` box.
    fn unbox(&mut self, boxed: Ref) -> Eval<Ref> {
        match self.heap[boxed as usize] {
            Node::Con { fields, .. } if fields.len == 1 => self.force(self.field(fields, 0)),
            _ => panic!("ill-typed Core: expected a box (I#, D#, C#)"),
        }
    }

    /// Whether an expression has an unboxed type (`Int#`, `Double#`,
    /// `Char#`), so that it must be evaluated, not delayed. Type arguments
    /// are not substituted: a type variable is never instantiated to an
    /// unboxed type (spec §3), so they cannot change the answer.
    fn is_unlifted(&self, e: &Expr) -> bool {
        let (head, arg_count) = spine_head(e);
        if let Expr::Prim(p) = head {
            let (arity, unboxed) = self.prims[*p as usize];
            return arg_count == arity && unboxed;
        }
        type_of(self.data, e).is_unlifted()
    }

    // --- Printing (spec §6) ---------------------------------------------

    /// Prints the value `r` of type `ty` as GHC's `showsPrec prec` would,
    /// appending to the output as it goes.
    fn print(&mut self, ty: &Type, r: Ref, prec: u8) -> Eval<()> {
        self.nested(|m| m.print_at(ty, r, prec))
    }

    fn print_at(&mut self, ty: &Type, r: Ref, prec: u8) -> Eval<()> {
        self.tick()?;
        let mut ty = ty;
        while let TypeKind::Forall(_, body) = ty.kind() {
            ty = body;
        }
        // `showList` for `Char` writes its quote before looking at the list.
        if let TypeKind::Con(LIST, args) = ty.kind() {
            if matches!(args.first().map(Type::kind), Some(TypeKind::Con(CHAR, _))) {
                return self.print_string(r);
            }
        }
        let v = self.force(r)?;
        match ty.kind() {
            TypeKind::Fun(..) => {
                self.out.push_str("<function>");
                Ok(())
            }
            TypeKind::Con(_, args) => self.print_value(Some(args), v, prec),
            // A type variable (a polymorphic `main`): go by the value.
            _ => self.print_value(None, v, prec),
        }
    }

    /// Prints an evaluated value; `ty_args` are its data type's arguments
    /// when the type is known.
    fn print_value(&mut self, ty_args: Option<&[Type]>, v: Ref, prec: u8) -> Eval<()> {
        let (con, fields) = match self.heap[v as usize] {
            // Unboxed: only as a constructor's field (`main` cannot be).
            Node::Int(n) => return self.emit(show_int_hash(n)),
            Node::Double(x) => return self.emit(show_double_hash(x)),
            Node::Char(c) => return self.emit(show_char_hash(c)),
            Node::Closure { .. } | Node::Pap { .. } => return self.emit("<function>".into()),
            Node::Con { con, fields } => (con, fields),
            _ => unreachable!("print_value of an unevaluated node"),
        };
        if con == I_HASH || con == D_HASH || con == C_HASH {
            let inner = self.unbox(v)?;
            let text = match self.heap[inner as usize] {
                Node::Int(n) => show_int_prec(n, prec),
                Node::Double(x) => show_double_prec(x, prec),
                Node::Char(c) => show_char_literal(c),
                _ => panic!("ill-typed Core: a box holds a non-primitive"),
            };
            return self.emit(text);
        }
        let tycon: TyConId = self.data.con(con).tycon;
        let args: Vec<Type> = match ty_args {
            Some(args) => args.to_vec(),
            None => self.data.param_types(tycon),
        };
        if tycon == LIST {
            return self.print_list(&args[0], v);
        }
        let field_tys = self.data.con_fields_at(con, &args);
        if tuple_arity(tycon).is_some() || con == UNIT_CON {
            self.out.push('(');
            for (i, fty) in field_tys.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.print(fty, self.field(fields, i), 0)?;
            }
            self.out.push(')');
            return Ok(());
        }
        let name = self.data.con(con).name.clone();
        if field_tys.is_empty() {
            self.out.push_str(&name);
            return Ok(());
        }
        if prec > 10 {
            self.out.push('(');
        }
        self.out.push_str(&name);
        for (i, fty) in field_tys.iter().enumerate() {
            self.out.push(' ');
            self.print(fty, self.field(fields, i), ARG_PREC)?;
        }
        if prec > 10 {
            self.out.push(')');
        }
        Ok(())
    }

    fn emit(&mut self, s: String) -> Eval<()> {
        self.out.push_str(&s);
        Ok(())
    }

    /// `[e1,e2,...]`; `list` is evaluated. Iterative over the spine, so a
    /// long list does not nest.
    fn print_list(&mut self, elem: &Type, list: Ref) -> Eval<()> {
        let mut cell = list;
        let mut first = true;
        loop {
            match self.heap[cell as usize] {
                Node::Con { con: NIL, .. } => break,
                Node::Con { con: CONS, fields } => {
                    self.out.push(if first { '[' } else { ',' });
                    first = false;
                    self.print(elem, self.field(fields, 0), 0)?;
                    cell = self.force(self.field(fields, 1))?;
                }
                _ => panic!("ill-typed Core: printing a list that is not one"),
            }
        }
        self.out.push_str(if first { "[]" } else { "]" });
        Ok(())
    }

    /// A `[Char]` as a string literal, each character written as soon as
    /// it is evaluated.
    fn print_string(&mut self, list: Ref) -> Eval<()> {
        let mut esc = StringEscaper::begin(&mut self.out);
        let mut cell = self.force(list)?;
        while let Some((c, rest)) = self.next_char(cell)? {
            self.tick()?;
            esc.push(c, &mut self.out);
            cell = self.force(rest)?;
        }
        esc.end(&mut self.out);
        Ok(())
    }
}

/// `double2Int#`: truncation toward zero; NaN and values out of range give
/// `minBound`, as x86's `cvttsd2si` (and so GHC) does. Rust's `as`
/// saturates instead.
fn double_to_int(x: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    // NaN is in no range.
    if (-TWO_63..TWO_63).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

fn strip_ty_lams(mut e: &Expr) -> &Expr {
    while let Expr::TyLam(_, body) = e {
        e = body;
    }
    e
}

/// The head of an application; its value arguments, in order, are pushed
/// on `args` (type arguments are erased).
fn spine<'a>(e: &'a Expr, args: &mut Vec<&'a Expr>) -> &'a Expr {
    let mut head = e;
    loop {
        match head {
            Expr::App(f, a) => {
                args.push(&**a);
                head = f;
            }
            Expr::TyApp(f, _) => head = f,
            _ => break,
        }
    }
    args.reverse();
    head
}

/// The head of an application and the number of its value arguments.
fn spine_head(mut e: &Expr) -> (&Expr, usize) {
    let mut count = 0;
    loop {
        match e {
            Expr::App(f, _) => {
                count += 1;
                e = f;
            }
            Expr::TyApp(f, _) => e = f,
            _ => return (e, count),
        }
    }
}

/// The type of an expression (Core is explicitly typed: a walk down the
/// function spine, instantiating type applications).
fn type_of(data: &DataEnv, e: &Expr) -> Type {
    deep(|| match e {
        Expr::Var(x) => x.ty.clone(),
        Expr::Con(c) => data.con_type(*c),
        Expr::Prim(p) => p.ty(),
        Expr::Lit(l) => l.ty(),
        Expr::App(f, _) => match type_of(data, f).kind() {
            TypeKind::Fun(_, r) => r.clone(),
            _ => panic!("ill-typed Core: applying a non-function"),
        },
        Expr::TyApp(f, t) => match type_of(data, f).kind() {
            TypeKind::Forall(v, body) => body.subst(v, t),
            _ => panic!("ill-typed Core: type application of a monomorphic value"),
        },
        Expr::Lam(x, body) => Type::fun(x.ty.clone(), type_of(data, body)),
        Expr::TyLam(a, body) => Type::forall(a.clone(), type_of(data, body)),
        Expr::Let(_, body) => type_of(data, body),
        Expr::Case(c) => c.ty.clone(),
    })
}
