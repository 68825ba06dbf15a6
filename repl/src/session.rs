//! One REPL session: the incremental pipeline from an input to a value on
//! the screen, as GHCi runs it.
//!
//! The prelude is elaborated, lowered, compiled and linked once; then every
//! input is elaborated as a unit of its own (`Session::elaborate_input`: an
//! expression becomes a binding of `it`), simplified, lowered with the
//! session's `StgEnv`, compiled, and linked into the same running machine,
//! so that earlier definitions and the values they have already computed
//! stay shared. A later definition of a name shadows the earlier one for
//! later input; closures already built keep what they referred to (they
//! hold uniques, not names). Nothing here reads a terminal: `repl` does.
//! Read next: `repl`.

use crate::run;
use crate::units::{UnitKind, Units};
use sloth_bco::compile::compile_program;
use sloth_core::ast::Res;
use sloth_core::env::Scope;
use sloth_core::ir::{Id, Module};
use sloth_core::session::{Built, Input, Session};
use sloth_core::types::{TyConId, Type, Unique};
use sloth_rts::heap::Ptr;
use sloth_rts::interp::{Machine, RunError};
use sloth_rts::printer::Printer;
use sloth_stg::{StgEnv, Strategy};
use std::io::Write;

pub struct ReplSession {
    pub session: Session,
    stg: StgEnv,
    pub machine: Machine,
    /// The data types defined so far, in order (`:browse`).
    pub types_defined: Vec<TyConId>,
    /// Every unit linked since the prelude, until nothing refers to it.
    units: Units,
}

/// Sizes of what a session holds (see [`ReplSession::footprint`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Inputs still alive (that defined something, `it` included).
    pub units: usize,
    /// Source texts kept (the prelude, live inputs, loaded files).
    pub sources: usize,
    /// Globals the front end knows, with their types.
    pub core_globals: usize,
    pub unfoldings: usize,
    /// Globals the lowering knows.
    pub stg_globals: usize,
    /// Global-table slots and BCOs linked.
    pub machine_globals: usize,
    pub bcos: usize,
}

/// Why an input produced no value.
#[derive(Debug)]
pub enum Failure {
    /// Syntax, scope or type errors, rendered.
    Compile(String),
    /// A runtime error or resource limit (after any partial output).
    Runtime(RunError),
}

impl ReplSession {
    /// A session with the prelude loaded and linked.
    pub fn new(
        strategy: Strategy,
        max_heap_bytes: u64,
        max_stack_words: usize,
    ) -> Result<ReplSession, String> {
        let mut session = Session::new()?;
        let mut stg = StgEnv::new(strategy, &session.env.prelude);
        let prelude = stg.lower_module(
            &session.env.data,
            &mut session.env.supply,
            &session.simplified_prelude,
        );
        let mut machine = Machine::new(max_heap_bytes, max_stack_words);
        let unit = compile_program(&session.env.data, &stg.globals, &prelude);
        machine
            .link(&session.env.data, &unit)
            .map_err(|e| format!("internal error: the prelude does not link: {e:?}"))?;
        Ok(ReplSession {
            session,
            stg,
            machine,
            types_defined: Vec::new(),
            units: Units::default(),
        })
    }

    /// Elaborates an input; errors come back rendered.
    pub fn elaborate(&mut self, text: &str) -> Result<Input, Failure> {
        match self.session.elaborate_input("<interactive>", text) {
            Ok(input) => Ok(input),
            Err(e) => Err(self.compile_failure(&e)),
        }
    }

    /// Renders the errors of the input just read, then forgets its source
    /// (nothing else refers to it).
    fn compile_failure(&mut self, e: &sloth_core::session::Errors) -> Failure {
        let rendered = self.session.render(&e.0, false);
        self.forget_last_file();
        Failure::Compile(rendered)
    }

    /// Forgets the source of the input just read, which left nothing in the
    /// session (an error, `:type`, `:core`).
    fn forget_last_file(&mut self) {
        if let Some(f) = self.session.sources.last() {
            self.session.sources.remove(f);
        }
    }

    /// The type of an expression (`:type`); the session is unchanged.
    pub fn type_of(&mut self, text: &str) -> Result<Type, Failure> {
        match self.session.type_of("<interactive>", text) {
            Ok(t) => {
                self.forget_last_file();
                Ok(t)
            }
            Err(e) => Err(self.compile_failure(&e)),
        }
    }

    /// Loads a file of declarations (`:load`): its definitions join the
    /// session as one unit.
    pub fn load_file(&mut self, path: &str) -> Result<(), Failure> {
        let text = std::fs::read(path)
            .map_err(|e| Failure::Compile(format!("cannot read {path}: {e}")))?;
        let text = String::from_utf8(text)
            .map_err(|_| Failure::Compile(format!("{path} is not UTF-8 text")))?;
        let before = self.session.env.values.clone();
        let m = match self.session.elaborate(path, &text) {
            Ok(m) => m,
            Err(e) => return Err(self.compile_failure(&e)),
        };
        self.define(&m, &before, UnitKind::Loaded)
    }

    /// Links a unit of declarations and adds its names to the session.
    fn define(&mut self, m: &Module, before: &Scope, kind: UnitKind) -> Result<(), Failure> {
        self.link(m, before, kind)?;
        self.types_defined.extend(m.data.iter().copied());
        Ok(())
    }

    /// An expression's Core, STG or bytecode (`:core`, `:stg`, `:bco`),
    /// without adding it to the session.
    pub fn dump(&mut self, stage: &str, text: &str) -> Result<String, Failure> {
        let module = match self.session.check_input("<interactive>", text) {
            Ok(Input::Expr { module, .. } | Input::Decls(module)) => module,
            Err(e) => return Err(self.compile_failure(&e)),
        };
        // The dumps show no source positions.
        self.forget_last_file();
        let data = &self.session.env.data;
        if stage == "core" {
            return Ok(sloth_core::pretty::pretty_module(data, &module));
        }
        let simplified = self.session.simplify(&module);
        // A copy of the lowering's state and of the unique supply: the
        // session does not change.
        let mut stg = self.stg.clone();
        let mut supply = self.session.env.supply;
        let data = &self.session.env.data;
        let program = stg.lower_module(data, &mut supply, &simplified);
        if stage == "stg" {
            return Ok(sloth_stg::pretty::pretty_program(data, &program));
        }
        let unit = compile_program(data, &stg.globals, &program);
        let name = |u| {
            stg.globals
                .get(&u)
                .map_or_else(|| format!("?{u}"), |g| g.var.name.to_string())
        };
        sloth_bco::asm::assemble_unit(&unit)
            .and_then(|p| sloth_bco::disasm::disassemble_packed(data, &name, &p))
            .map_err(|e| Failure::Compile(format!("internal error: {e}")))
    }

    /// Lowers, compiles and links an elaborated unit (the input just
    /// read), then forgets the units nothing refers to any more.
    /// `before`: the names in scope before the input.
    fn link(&mut self, m: &Module, before: &Scope, kind: UnitKind) -> Result<(), Failure> {
        let file = self.session.sources.last();
        let simplified = self.session.simplify(m);
        let program = self.stg.lower_module(
            &self.session.env.data,
            &mut self.session.env.supply,
            &simplified,
        );
        let unit = compile_program(&self.session.env.data, &self.stg.globals, &program);
        let linked = self.machine.link(&self.session.env.data, &unit);
        let failed = match linked {
            Ok(linked) => {
                self.units.add(file, &simplified, &unit, linked, kind);
                None
            }
            Err(e) => Some(Failure::Runtime(e)),
        };
        // The names this unit binds no longer refer to what they did (the
        // front end has rebound them, even if linking failed).
        for x in m.binds.iter().flat_map(|b| b.binders()) {
            if let Some(Res::Var(old)) = before.get(&x.name) {
                self.units.unname(*old);
            }
        }
        self.forget_dead_units();
        failed.map_or(Ok(()), Err)
    }

    /// Forgets, in every stage, the units that nothing in scope refers to
    /// any more (old values of `it`, shadowed definitions no live code
    /// uses): see `units` and Note [Unlinking] in `sloth_rts::interp`.
    fn forget_dead_units(&mut self) {
        let dead = self.units.take_dead();
        if dead.is_empty() {
            return;
        }
        for unit in dead {
            self.session.forget_unit(unit.file, &unit.globals);
            self.stg.forget(&unit.globals);
            self.machine.unlink(unit.linked);
        }
        if cfg!(debug_assertions) {
            // The test suite checks Note [Unlinking]'s promise after every
            // unlink: no live closure runs unlinked code.
            if let Err(e) = self.machine.check_code() {
                panic!("internal error: a live closure lost its code: {e}");
            }
        }
    }

    /// The definitions typed at the prompt that are still alive, oldest
    /// first: what a fresh session replays (`:set strategy`) to have the
    /// same names in scope.
    pub fn definitions(&self) -> Vec<String> {
        let sources = &self.session.sources;
        let files = self.units.replay_files();
        files
            .into_iter()
            .map(|f| sources.text(f).to_string())
            .collect()
    }

    /// The globals defined at the prompt or by loaded files that are still
    /// alive, oldest first; some may be shadowed (`:browse`).
    pub fn defined(&self) -> Vec<Unique> {
        self.units.definitions()
    }

    /// What the session holds in each stage (tests check that it stays
    /// the same however many inputs come and go).
    pub fn footprint(&self) -> Footprint {
        let (globals, bcos) = self.machine.slots_in_use();
        Footprint {
            units: self.units.len(),
            sources: self.session.sources.len(),
            core_globals: self.session.env.globals.len(),
            unfoldings: self.session.simplifier.unfolding_count(),
            stg_globals: self.stg.globals.len(),
            machine_globals: globals,
            bcos,
        }
    }

    /// Elaborates and links one input without evaluating anything:
    /// declarations join the session; an expression is bound to `it`,
    /// whose binder comes back (its value is a thunk in the machine,
    /// `machine.global(it.unique)`).
    pub fn enter(&mut self, text: &str) -> Result<Option<Id>, Failure> {
        // A persistent map: the copy is a reference count.
        let before = self.session.env.values.clone();
        let input = self.elaborate(text)?;
        self.enter_elaborated(input, &before)
    }

    /// [`ReplSession::enter`] for an input built as a syntax tree whose
    /// spans point into `text`, its rendering (`crate::build`).
    pub fn enter_built(&mut self, text: &str, built: Built) -> Result<Option<Id>, Failure> {
        let before = self.session.env.values.clone();
        let input = match self.session.elaborate_built("<built>", text, built) {
            Ok(input) => input,
            Err(e) => return Err(self.compile_failure(&e)),
        };
        self.enter_elaborated(input, &before)
    }

    fn enter_elaborated(&mut self, input: Input, before: &Scope) -> Result<Option<Id>, Failure> {
        match input {
            Input::Decls(m) => self.define(&m, before, UnitKind::Typed).map(|()| None),
            Input::Expr { module, it } => {
                self.link(&module, before, UnitKind::Expression)?;
                Ok(Some(it))
            }
        }
    }

    /// Keeps the unit defining global `u` linked until [`ReplSession::release`]
    /// (an embedding host holds a value it computed); see `Units::hold`.
    pub fn hold(&mut self, u: Unique) -> bool {
        self.units.hold(u)
    }

    /// Ends a [`ReplSession::hold`], forgetting the units that died.
    pub fn release(&mut self, u: Unique) {
        self.units.release(u);
        self.forget_dead_units();
    }

    /// Runs one input: declarations join the session silently; an
    /// expression is evaluated, printed to `out` as it is evaluated (spec
    /// §6), and bound to `it`.
    pub fn input(&mut self, text: &str, out: &mut dyn Write) -> Result<(), Failure> {
        match self.enter(text)? {
            None => Ok(()),
            Some(it) => {
                let p = self
                    .machine
                    .global(it.unique)
                    .expect("`it` was just linked");
                let mut counted = Counting {
                    inner: out,
                    bytes: 0,
                };
                let printed = self.print(&it.ty, p, &mut counted);
                // A value ends its line; so does the part of one printed
                // before an error, and an error with nothing printed leaves
                // no empty line.
                if printed.is_ok() || counted.bytes > 0 {
                    let _ = out.write_all(b"\n");
                }
                let _ = out.flush();
                printed.map_err(Failure::Runtime)
            }
        }
    }

    pub fn strategy(&self) -> Strategy {
        self.stg.strategy
    }

    /// What a name in scope refers to.
    pub fn lookup(&self, name: &str) -> Option<Res> {
        self.session.env.values.get(name).copied()
    }

    /// The heap pointer of a global value in scope.
    pub fn value(&self, name: &str) -> Option<(Ptr, Id)> {
        match self.lookup(name)? {
            Res::Var(u) => {
                let id = self.session.env.globals.get(&u)?.clone();
                Some((self.machine.global(u)?, id))
            }
            _ => None,
        }
    }

    /// Prints `p` (of type `t`) to `out`, evaluating it as it goes.
    pub fn print(&mut self, t: &Type, p: Ptr, out: &mut dyn Write) -> Result<(), RunError> {
        Printer {
            machine: &mut self.machine,
            data: &self.session.env.data,
            out,
        }
        .print_top(t, p)
    }

    /// The message for a runtime error: an exception of the program as
    /// GHCi words it (`*** Exception: divide by zero`), a resource limit as
    /// `sloth run` does.
    pub fn runtime_message(&self, e: &RunError) -> String {
        match e {
            RunError::Interrupted => "Interrupted.".into(),
            RunError::User(_)
            | RunError::PatternFail(_)
            | RunError::DivideByZero
            | RunError::BadChr(_)
            | RunError::Loop => format!("*** Exception: {}", run::describe(&self.session, e)),
            _ => run::message(&self.session, e),
        }
    }
}

/// A writer that counts what goes through it.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bytes: usize,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
