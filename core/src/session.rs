//! A compilation session: the front end's entry point.
//!
//! [`Session`] owns the sources read so far and the [`Env`] that earlier
//! units left (the prelude, elaborated once when the session starts; later,
//! REPL lines). [`Session::elaborate`] runs the whole front end on one unit:
//! lex → layout → parse → rename → infer → lint, and returns linted Core or
//! every diagnostic found. A unit with errors leaves the session unchanged.
//! [`Session::simplify`] then runs the Core simplifier (`simplify`) on an
//! elaborated unit, for the lowering; `elaborate` itself returns the
//! unsimplified Core (what `dump --core` shows and the reference evaluator
//! runs).
//!
//! The passes recurse over the syntax tree, so the compiler runs on a thread
//! with a large stack ([`with_compiler_stack`]); see Note [Nesting limits]
//! in `parser`. Read next: `lexer`, then the passes in pipeline order.

use crate::diagnostic::{render, Diagnostic};
use crate::env::Env;
use crate::infer::Infer;
use crate::ir::Module;
use crate::simplify::Simplifier;
use crate::source::{FileId, SourceMap, Span};
use crate::token::Tok;
use crate::{ast, layout, lexer, lint, parser, rename};
use std::rc::Rc;

/// The prelude's source, embedded in the binary.
pub const PRELUDE_SOURCE: &str = include_str!("prelude.core");

/// Runs `f`, first moving to a fresh stack segment on the heap if less than
/// 256 KiB of stack is left. Every recursive pass calls it at its
/// expression-level entry point, so recursion depth is bounded by the
/// parser's `MAX_DEPTH` and memory, not by the thread's stack (debug builds
/// use kilobytes per level).
#[inline]
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 16 * 1024 * 1024, f)
}

/// Stack size of the compiler thread. Only touched pages are committed.
pub const COMPILER_STACK: usize = 1 << 30;

/// Runs `f` on a thread with a [`COMPILER_STACK`]-byte stack and returns its
/// result. Everything that builds or drops deep trees (the front end and the
/// later compiler stages) must run inside.
pub fn with_compiler_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let handle = std::thread::Builder::new()
        .name("sloth-compiler".into())
        .stack_size(COMPILER_STACK)
        .spawn(f)
        .expect("cannot start the compiler thread");
    match handle.join() {
        Ok(r) => r,
        Err(p) => std::panic::resume_unwind(p),
    }
}

#[derive(Clone)]
pub struct Session {
    pub sources: SourceMap,
    pub env: Env,
    /// The elaborated prelude.
    pub prelude: Module,
    /// The simplifier, holding the unfoldings of the prelude and of every
    /// unit simplified so far in this session.
    pub simplifier: Simplifier,
    /// The prelude after simplification: what the lowering compiles.
    pub simplified_prelude: Module,
}

// Note [Binding it]
// ~~~~~~~~~~~~~~~~~
// An expression typed at the REPL is bound to `it`, and may mention the
// previous `it` (`it * 2`). Top-level bindings are recursive, so binding
// the expression to `it` directly would make it refer to itself: `it * 2`
// would be `<<loop>>`. It is bound under a name no source can mention
// (HIDDEN_IT, with a space), so `it` in its body resolves to the earlier
// binding; once it has elaborated, the new binder is renamed `it` in the
// Core and in the session's scope, shadowing the old one for later input.

/// The name an expression is bound to while it elaborates.
const HIDDEN_IT: &str = " it";

/// What a REPL input elaborated to.
#[derive(Debug)]
pub enum Input {
    /// Top-level declarations.
    Decls(Module),
    /// An expression, bound to `it` in `module`.
    Expr { module: Module, it: crate::ir::Id },
}

/// An input as a syntax tree: what the parser made of a REPL line, or
/// what a program built (see [`Session::elaborate_built`]).
#[derive(Debug)]
pub enum Built {
    /// An expression, to be bound to `it`.
    Expr(ast::Expr),
    /// Top-level declarations.
    Decls(ast::Module),
}

/// Diagnostics of a failed unit, with the sources needed to render them.
#[derive(Debug)]
pub struct Errors(pub Vec<Diagnostic>);

impl Session {
    /// A session with the prelude loaded. Fails only if the embedded
    /// prelude itself does not compile (a bug, reported with its
    /// diagnostics).
    pub fn new() -> Result<Session, String> {
        Session::with_prelude(PRELUDE_SOURCE)
    }

    /// A session whose prelude is the given text (tests use it to check
    /// that the printed prelude elaborates back to the same Core).
    pub fn with_prelude(prelude: &str) -> Result<Session, String> {
        let mut s = Session {
            sources: SourceMap::new(),
            env: Env::new(),
            prelude: Module::default(),
            simplifier: Simplifier::new(),
            simplified_prelude: Module::default(),
        };
        match s.elaborate_unit("<prelude>", prelude, true) {
            Ok(m) => {
                for b in &m.binds {
                    for id in b.binders() {
                        s.env.prelude.insert(id.name.clone(), id.unique);
                    }
                }
                s.simplified_prelude = s.simplify(&m);
                s.prelude = m;
                Ok(s)
            }
            Err(Errors(d)) => Err(render(&s.sources, &d, false)),
        }
    }

    /// Elaborates a program (or any unit of top-level declarations) and,
    /// when it is free of errors, adds its names to the session.
    pub fn elaborate(&mut self, name: &str, text: &str) -> Result<Module, Errors> {
        self.elaborate_unit(name, text, false)
    }

    /// Simplifies an elaborated unit (the session's last, or an earlier
    /// one in order) and records its small functions as unfoldings for
    /// later units; see `simplify`.
    ///
    /// The result is linted like every elaborated unit. A lint failure is
    /// a simplifier bug: in debug builds (tests) it panics with the lint
    /// messages and the simplified Core; in release builds the unit is used
    /// unsimplified (its unfoldings are forgotten) and the messages are
    /// kept in [`Simplifier::lint_failures`], so that a user's program
    /// still runs.
    pub fn simplify(&mut self, m: &Module) -> Module {
        let out = self.simplifier.simplify_module(&mut self.env, m);
        let globals = &self.env.globals;
        let external = |u: crate::types::Unique| globals.get(&u).map(|id| id.ty.clone());
        match lint::lint_module(&self.env.data, &external, &out) {
            Ok(()) => out,
            Err(errs) => {
                let msg = errs
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n");
                if cfg!(debug_assertions) {
                    panic!(
                        "internal error: Core lint failed after simplification:\n{msg}\n\
                         --- simplified Core:\n{}",
                        crate::pretty::pretty_module(&self.env.data, &out)
                    );
                }
                self.simplifier.forget(m);
                self.simplifier.lint_failures.push(msg);
                m.clone()
            }
        }
    }

    /// Elaborates one REPL input: an expression, bound to `it` (as GHCi
    /// does), or else top-level declarations. A later definition of a name
    /// shadows the earlier one for later input.
    pub fn elaborate_input(&mut self, name: &str, text: &str) -> Result<Input, Errors> {
        self.input_unit(name, text, true)
    }

    /// Elaborates a REPL input as [`Session::elaborate_input`] does, but
    /// leaves the session unchanged (`:core`, `:stg`, `:bco`).
    pub fn check_input(&mut self, name: &str, text: &str) -> Result<Input, Errors> {
        self.input_unit(name, text, false)
    }

    /// The type of an expression (`:type`): elaborated as a REPL input
    /// would be, but the session is left unchanged.
    pub fn type_of(&mut self, name: &str, text: &str) -> Result<crate::types::Type, Errors> {
        match self.input_unit(name, text, false)? {
            Input::Expr { it, .. } => Ok(it.ty),
            Input::Decls(_) => Err(Errors(vec![Diagnostic::error(
                Span::default(),
                "`:type` takes an expression, not a declaration".to_string(),
            )])),
        }
    }

    /// Elaborates an input that was built as a syntax tree rather than
    /// parsed (`sloth::build`), as [`Session::elaborate_input`] does. The
    /// tree's spans point into `text`, its rendering, which is added to
    /// the sources as file [`SourceMap::next_id`] so that diagnostics
    /// underline it; `text` is not parsed.
    ///
    /// [`SourceMap::next_id`]: crate::source::SourceMap::next_id
    pub fn elaborate_built(
        &mut self,
        name: &str,
        text: &str,
        built: Built,
    ) -> Result<Input, Errors> {
        let expected = self.sources.next_id();
        let file = self
            .sources
            .add(name, text)
            .map_err(|e| Errors(vec![Diagnostic::error(Span::default(), e)]))?;
        assert_eq!(file, expected, "the built tree's spans name another file");
        self.input_ast(file, built, Vec::new(), true)
    }

    fn input_unit(&mut self, name: &str, text: &str, commit: bool) -> Result<Input, Errors> {
        let file = self
            .sources
            .add(name, text)
            .map_err(|e| Errors(vec![Diagnostic::error(Span::default(), e)]))?;
        let tokens = self.tokens(file, text)?;
        match parser::parse_expr(&tokens) {
            Ok(body) => self.input_ast(file, Built::Expr(body), Vec::new(), commit),
            Err(expr_error) => {
                let (ast, diags) = parser::parse_module(&tokens);
                // Input that looks like no declaration (no `=`, `::` or
                // `data` at its top level) was meant as an expression:
                // report why it is not one.
                let declares = tokens
                    .iter()
                    .any(|t| matches!(&t.tok, Tok::Equals | Tok::DColon | Tok::Data));
                if !diags.is_empty() && !declares {
                    return Err(Errors(vec![expr_error]));
                }
                self.input_ast(file, Built::Decls(ast), diags, commit)
            }
        }
    }

    /// Elaborates a parsed (or built) input of `file`; `diags`: its syntax
    /// errors.
    fn input_ast(
        &mut self,
        file: FileId,
        input: Built,
        diags: Vec<Diagnostic>,
        commit: bool,
    ) -> Result<Input, Errors> {
        match input {
            Built::Expr(body) => {
                // See Note [Binding it].
                let span = body.span;
                let def = ast::Def {
                    name: ast::Ident {
                        name: HIDDEN_IT.into(),
                        span,
                    },
                    binders: Vec::new(),
                    body,
                    span,
                    unique: 0,
                };
                let ast = ast::Module {
                    decls: vec![ast::Decl::Def(def)],
                };
                let mut module = self.elaborate_ast(file, ast, Vec::new(), false, commit)?;
                for b in &mut module.binds {
                    b.rename_binders(HIDDEN_IT, "it");
                }
                let it = module.binder("it").cloned().expect("the unit binds `it`");
                if commit {
                    if let Some(r) = self.env.values.remove(HIDDEN_IT) {
                        self.env.values.insert("it".into(), r);
                    }
                    self.env.globals.insert(it.unique, it.clone());
                }
                Ok(Input::Expr { module, it })
            }
            Built::Decls(ast) => {
                let module = self.elaborate_ast(file, ast, diags, false, commit)?;
                Ok(Input::Decls(module))
            }
        }
    }

    fn elaborate_unit(
        &mut self,
        name: &str,
        text: &str,
        is_prelude: bool,
    ) -> Result<Module, Errors> {
        let file = self
            .sources
            .add(name, text)
            .map_err(|e| Errors(vec![Diagnostic::error(Span::default(), e)]))?;
        let tokens = self.tokens(file, text)?;
        let (ast, diags) = parser::parse_module(&tokens);
        self.elaborate_ast(file, ast, diags, is_prelude, true)
    }

    /// Renames, infers and lints a parsed unit (`diags`: its syntax
    /// errors); on success, and when `commit`, its names join the session.
    fn elaborate_ast(
        &mut self,
        file: FileId,
        mut ast: ast::Module,
        mut diags: Vec<Diagnostic>,
        is_prelude: bool,
        commit: bool,
    ) -> Result<Module, Errors> {
        // Work on a copy of the environment: a failed unit changes nothing.
        let mut env = self.env.clone();
        let (renamed, rdiags) = rename::rename_module(&mut env, &mut ast, is_prelude);
        diags.extend(rdiags);
        if !diags.is_empty() {
            // Scope errors make inference noisy; report them alone, but
            // keep the syntax errors of other declarations too.
            return Err(Errors(sorted(diags)));
        }
        let mut inf = Infer::new(&mut env, is_prelude);
        let (module, tdiags) = inf.module(&ast, &renamed);
        if !tdiags.is_empty() {
            return Err(Errors(sorted(tdiags)));
        }
        for (n, r) in &renamed.values {
            env.values.insert(n.clone(), *r);
        }
        // Lint sees earlier units' globals as external; the unit's own
        // binders it checks itself.
        let prior = &self.env.globals;
        let external = |u: crate::types::Unique| prior.get(&u).map(|id| id.ty.clone());
        if let Err(errs) = lint::lint_module(&env.data, &external, &module) {
            let msg = errs
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n");
            return Err(Errors(vec![Diagnostic::error(
                Span::new(file, 0, 0),
                format!("internal error: Core lint failed:\n{msg}"),
            )]));
        }
        if commit {
            self.env = env;
        }
        Ok(module)
    }

    fn tokens(&self, file: FileId, text: &str) -> Result<Vec<crate::token::Token>, Errors> {
        let (tokens, diags) = lexer::lex(text, file);
        if !diags.is_empty() {
            return Err(Errors(diags));
        }
        debug_assert!(matches!(tokens.last().map(|t| &t.tok), Some(Tok::Eof)));
        Ok(layout::layout(tokens))
    }

    /// Forgets a unit nothing refers to any more (a REPL session's old
    /// `it`, a shadowed definition): its globals' types, definition sites
    /// and unfoldings, and its source file. Its names must be out of scope.
    pub fn forget_unit(&mut self, file: Option<FileId>, globals: &[crate::types::Unique]) {
        for u in globals {
            self.env.globals.remove(u);
            self.env.def_spans.remove(u);
        }
        self.simplifier.forget_globals(globals);
        if let Some(f) = file {
            self.sources.remove(f);
        }
    }

    /// Renders diagnostics against this session's sources.
    pub fn render(&self, diags: &[Diagnostic], color: bool) -> String {
        render(&self.sources, diags, color)
    }

    pub fn source_name(&self, file: FileId) -> Rc<str> {
        self.sources.name(file)
    }
}

fn sorted(mut d: Vec<Diagnostic>) -> Vec<Diagnostic> {
    d.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.start)));
    d
}
