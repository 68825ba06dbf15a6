//! Core lint: an independent type checker for explicit Core.
//!
//! Owns the rules a finished Core module must satisfy: every variable is
//! bound and its occurrence carries its binder's type; applications and type
//! applications match the function's type; `let` never binds an unboxed
//! value; unboxed types never instantiate a type variable; `case`
//! alternatives match the scrutinee's type (constructors of its data type,
//! literals only on unboxed scrutinees, at most one default and it comes
//! last) and all have the case's type; every type is well formed (no `Meta`
//! variables, every type variable in scope, type constructors saturated);
//! binder uniques are never reused within a module; a top-level group refers
//! only to itself, earlier groups and earlier units.
//!
//! It deliberately knows nothing of inference or source syntax: it trusts no
//! annotation, re-derives every type bottom-up from `Id` types, literal,
//! constructor and primop types, and compares with
//! [`Type::alpha_eq`]. Errors are compiler bugs, not user errors, so they
//! carry no span; each names the offending binder or expression, renders
//! types with [`DataEnv::display`] and starts with the enclosing top-level
//! binder. Checking stops at the first error in a top-level right side (to
//! avoid cascades) and continues with the next one.
//!
//! Stack use: the checker recurses over the term (Core can be 100,000+
//! levels deep: long list literals are nested cons applications). Its
//! expression-level entry point goes through [`crate::session::deep`], which
//! moves to a fresh stack segment when the stack runs low, so any depth is
//! checked on any thread; frames are kept small by giving every case of
//! `Lint::expr_inner` its own non-inlined function.
//!
//! Read next: `pretty`, which prints the Core this module checks.

use crate::ir::{Bind, Case, Expr, Id, Literal, Module, Pat};
use crate::token::Symbol;
use crate::types::{ConId, DataEnv, TyConId, TyVar, Type, TypeKind, Unique};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One violated rule, as a human-readable message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintError {
    pub message: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LintError {}

/// Checks a whole module. `external` gives the type of a top-level binder of
/// an earlier unit (the prelude, earlier REPL lines), `None` for anything
/// else.
pub fn lint_module(
    data: &DataEnv,
    external: &dyn Fn(Unique) -> Option<Type>,
    m: &Module,
) -> Result<(), Vec<LintError>> {
    let mut l = Lint::new(data, external);
    l.module(m);
    if l.errors.is_empty() {
        Ok(())
    } else {
        Err(l.errors)
    }
}

/// Checks a closed expression (free variables must be `external`) and
/// returns its type.
pub fn lint_expr(
    data: &DataEnv,
    external: &dyn Fn(Unique) -> Option<Type>,
    e: &Expr,
) -> Result<Type, Vec<LintError>> {
    let mut l = Lint::new(data, external);
    match l.expr(e) {
        Ok(t) if l.errors.is_empty() => Ok(t),
        _ => Err(l.errors),
    }
}

/// `Err(())` means an error has been pushed to [`Lint::errors`].
type R<T> = Result<T, ()>;

struct Lint<'a> {
    data: &'a DataEnv,
    external: &'a dyn Fn(Unique) -> Option<Type>,
    /// Top-level binders of this module visible now.
    globals: HashMap<Unique, Type>,
    /// Every top-level binder of the module, with the index of its group.
    module_binders: HashMap<Unique, usize>,
    /// Index of the top-level group being checked.
    group: usize,
    /// Local term binders in scope.
    locals: HashMap<Unique, Type>,
    /// Type variables in scope (bound by enclosing `TyLam`s), innermost last.
    tyvars: Vec<Unique>,
    /// Every term binder met so far in the module, with its name.
    seen: HashMap<Unique, Symbol>,
    /// Every `TyLam` binder met so far in the module.
    seen_tyvars: HashSet<Unique>,
    /// The enclosing top-level binder, for messages.
    context: Option<Symbol>,
    errors: Vec<LintError>,
    /// Next unique for renaming a `forall` during capture-avoiding
    /// substitution; counts down from the top of the range.
    fresh: Unique,
}

/// Describes an `Id` in a message: `` `x` (unique 7) ``.
fn id(x: &Id) -> String {
    format!("`{}` (unique {})", x.name, x.unique)
}

fn lit_text(l: &Literal) -> String {
    match l {
        Literal::Int(n) => n.to_string(),
        Literal::Double(d) => format!("{d:?}"),
        Literal::Char(c) => format!("{c:?}"),
        Literal::String(s) => format!("{:?}", &**s),
        Literal::IntPrim(n) => format!("{n}#"),
        Literal::DoublePrim(d) => format!("{d:?}##"),
        Literal::CharPrim(c) => format!("{c:?}#"),
    }
}

/// A short description of the function part of an application.
fn head_text(data: &DataEnv, e: &Expr) -> String {
    let mut e = e;
    loop {
        match e {
            Expr::App(f, _) | Expr::TyApp(f, _) => e = f,
            Expr::Var(x) => return format!("`{}`", x.name),
            Expr::Con(c) => {
                return match data.cons.get(c.0 as usize) {
                    Some(dc) => format!("constructor `{}`", dc.name),
                    None => format!("unknown constructor #{}", c.0),
                }
            }
            Expr::Prim(p) => return format!("primop `{}`", p.name()),
            Expr::Lit(l) => return format!("literal `{}`", lit_text(l)),
            Expr::Lam(..) | Expr::TyLam(..) => return "a lambda".to_string(),
            Expr::Let(..) => return "a `let` expression".to_string(),
            Expr::Case(..) => return "a `case` expression".to_string(),
        }
    }
}

/// Whether a `forall` in `t` binds one of `vars`.
fn binds_any(t: &Type, vars: &[Unique]) -> bool {
    match t.kind() {
        TypeKind::Var(_) | TypeKind::Meta(_) => false,
        TypeKind::Con(_, args) => args.iter().any(|a| binds_any(a, vars)),
        TypeKind::Fun(a, r) => binds_any(a, vars) || binds_any(r, vars),
        TypeKind::Forall(v, b) => vars.contains(&v.unique) || binds_any(b, vars),
    }
}

impl<'a> Lint<'a> {
    fn new(data: &'a DataEnv, external: &'a dyn Fn(Unique) -> Option<Type>) -> Lint<'a> {
        Lint {
            data,
            external,
            globals: HashMap::new(),
            module_binders: HashMap::new(),
            group: 0,
            locals: HashMap::new(),
            tyvars: Vec::new(),
            seen: HashMap::new(),
            seen_tyvars: HashSet::new(),
            context: None,
            errors: Vec::new(),
            fresh: Unique::MAX,
        }
    }

    fn report(&mut self, msg: String) {
        let message = match &self.context {
            Some(c) => format!("in `{c}`: {msg}"),
            None => msg,
        };
        self.errors.push(LintError { message });
    }

    fn err<T>(&mut self, msg: String) -> R<T> {
        self.report(msg);
        Err(())
    }

    fn show(&self, t: &Type) -> String {
        format!("`{}`", self.data.display(t))
    }

    // -----------------------------------------------------------------------
    // Module

    fn module(&mut self, m: &Module) {
        for &tc in &m.data {
            self.data_decl(tc);
        }
        // Register every top-level binder, so that a reference to a later
        // group can be told apart from an unbound variable.
        for (g, b) in m.binds.iter().enumerate() {
            for x in b.binders() {
                if let Some(other) = self.seen.get(&x.unique) {
                    let msg = format!(
                        "top-level binder {} is defined twice (also as `{other}`)",
                        id(x)
                    );
                    self.report(msg);
                    continue;
                }
                self.seen.insert(x.unique, x.name.clone());
                self.module_binders.insert(x.unique, g);
            }
        }
        for (g, b) in m.binds.iter().enumerate() {
            self.group = g;
            match b {
                Bind::NonRec(x, rhs) => {
                    self.context = Some(x.name.clone());
                    let _ = self.top_binder(x);
                    let _ = self.top_rhs(x, rhs);
                    self.globals.insert(x.unique, x.ty.clone());
                }
                Bind::Rec(bs) => {
                    if bs.is_empty() {
                        self.context = None;
                        self.report(format!("top-level binding group {g} is an empty `Rec`"));
                    }
                    for (x, _) in bs {
                        self.context = Some(x.name.clone());
                        let _ = self.top_binder(x);
                        self.globals.insert(x.unique, x.ty.clone());
                    }
                    for (x, rhs) in bs {
                        self.context = Some(x.name.clone());
                        let _ = self.top_rhs(x, rhs);
                    }
                }
            }
        }
        self.context = None;
    }

    fn data_decl(&mut self, tc: TyConId) {
        let Some(info) = self.data.tycons.get(tc.0 as usize) else {
            return self.report(format!(
                "the module declares unknown type constructor #{}",
                tc.0
            ));
        };
        self.tyvars = info.params.iter().map(|v| v.unique).collect();
        for &c in &info.cons {
            let Some(dc) = self.data.cons.get(c.0 as usize) else {
                self.report(format!(
                    "data type `{}` lists unknown constructor #{}",
                    info.name, c.0
                ));
                continue;
            };
            if dc.tycon != tc {
                self.report(format!(
                    "constructor `{}` is listed by `{}` but belongs to another type",
                    dc.name, info.name
                ));
            }
            for f in &dc.fields {
                if let Some(p) = self.type_problem(f) {
                    let msg = format!(
                        "constructor `{}` of `{}` has ill-formed field type {}: {p}",
                        dc.name,
                        info.name,
                        self.show(f)
                    );
                    self.report(msg);
                }
            }
        }
        self.tyvars.clear();
    }

    fn top_binder(&mut self, x: &Id) -> R<()> {
        self.binder_type(x, "top-level binder")?;
        if x.ty.is_unlifted() {
            let msg = format!(
                "top-level binder {} has type {}: unboxed type cannot be let-bound",
                id(x),
                self.show(&x.ty)
            );
            return self.err(msg);
        }
        Ok(())
    }

    fn top_rhs(&mut self, x: &Id, rhs: &Expr) -> R<()> {
        self.locals.clear();
        self.tyvars.clear();
        let t = self.expr(rhs)?;
        self.same_as_binder(x, &t)
    }

    fn same_as_binder(&mut self, x: &Id, t: &Type) -> R<()> {
        if !t.alpha_eq(&x.ty) {
            let msg = format!(
                "the right side of {} has type {} but the binder has type {}",
                id(x),
                self.show(t),
                self.show(&x.ty)
            );
            return self.err(msg);
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Types

    /// The first reason why `t` is ill-formed in the current scope, if any.
    fn type_problem(&self, t: &Type) -> Option<String> {
        self.type_problem_in(t, &mut Vec::new())
    }

    fn type_problem_in(&self, t: &Type, bound: &mut Vec<Unique>) -> Option<String> {
        match t.kind() {
            TypeKind::Var(v) => {
                if bound.contains(&v.unique) || self.tyvars.contains(&v.unique) {
                    None
                } else {
                    Some(format!(
                        "type variable `{}` (unique {}) is not in scope",
                        v.name, v.unique
                    ))
                }
            }
            TypeKind::Meta(m) => Some(format!("unresolved type variable `t{m}`")),
            TypeKind::Con(c, args) => {
                let Some(info) = self.data.tycons.get(c.0 as usize) else {
                    return Some(format!("unknown type constructor #{}", c.0));
                };
                if info.params.len() != args.len() {
                    return Some(format!(
                        "type constructor `{}` expects {} argument(s) but is given {}",
                        info.name,
                        info.params.len(),
                        args.len()
                    ));
                }
                for a in args {
                    if a.is_unlifted() {
                        return Some(format!(
                            "unboxed type {} cannot be an argument of type constructor `{}`",
                            self.show(a),
                            info.name
                        ));
                    }
                    if let Some(p) = self.type_problem_in(a, bound) {
                        return Some(p);
                    }
                }
                None
            }
            TypeKind::Fun(a, r) => self
                .type_problem_in(a, bound)
                .or_else(|| self.type_problem_in(r, bound)),
            TypeKind::Forall(v, b) => {
                bound.push(v.unique);
                let p = self.type_problem_in(b, bound);
                bound.pop();
                p
            }
        }
    }

    /// Checks that a binder's type is well formed in the current scope.
    fn binder_type(&mut self, x: &Id, what: &str) -> R<()> {
        if let Some(p) = self.type_problem(&x.ty) {
            let msg = format!(
                "{what} {} has ill-formed type {}: {p}",
                id(x),
                self.show(&x.ty)
            );
            return self.err(msg);
        }
        Ok(())
    }

    /// `body[v := arg]`, renaming any `forall` of `body` that would capture
    /// a free variable of `arg`.
    fn instantiate(&mut self, v: &TyVar, body: &Type, arg: &Type) -> Type {
        let free: Vec<Unique> = arg.free_tyvars().iter().map(|w| w.unique).collect();
        if free.is_empty() || !binds_any(body, &free) {
            return body.subst(v, arg);
        }
        self.subst_avoiding(body, v, arg, &free)
    }

    fn subst_avoiding(&mut self, t: &Type, v: &TyVar, by: &Type, free: &[Unique]) -> Type {
        match t.kind() {
            TypeKind::Var(w) if w == v => by.clone(),
            TypeKind::Var(_) | TypeKind::Meta(_) => t.clone(),
            TypeKind::Con(c, args) => Type::con(
                *c,
                args.iter()
                    .map(|a| self.subst_avoiding(a, v, by, free))
                    .collect(),
            ),
            TypeKind::Fun(a, r) => Type::fun(
                self.subst_avoiding(a, v, by, free),
                self.subst_avoiding(r, v, by, free),
            ),
            TypeKind::Forall(w, _) if w == v => t.clone(),
            TypeKind::Forall(w, b) if free.contains(&w.unique) => {
                let w2 = TyVar {
                    name: w.name.clone(),
                    unique: self.fresh,
                };
                self.fresh -= 1;
                let b2 = b.subst(w, &Type::var(w2.clone()));
                Type::forall(w2, self.subst_avoiding(&b2, v, by, free))
            }
            TypeKind::Forall(w, b) => Type::forall(w.clone(), self.subst_avoiding(b, v, by, free)),
        }
    }

    // -----------------------------------------------------------------------
    // Binders and variables

    /// Brings a local term binder into scope, after checking that its unique
    /// is new in the module and its type well formed.
    fn bind(&mut self, x: &Id, what: &str) -> R<()> {
        if let Some(other) = self.seen.get(&x.unique) {
            let msg = format!(
                "{what} {} reuses the unique of another binder (`{other}`): binder uniques must be distinct within a module",
                id(x)
            );
            return self.err(msg);
        }
        self.seen.insert(x.unique, x.name.clone());
        self.binder_type(x, what)?;
        self.locals.insert(x.unique, x.ty.clone());
        Ok(())
    }

    fn unbind(&mut self, x: &Id) {
        self.locals.remove(&x.unique);
    }

    #[inline(never)]
    fn var(&mut self, x: &Id) -> R<Type> {
        let binder_ty = if let Some(t) = self.locals.get(&x.unique) {
            t.clone()
        } else if let Some(t) = self.globals.get(&x.unique) {
            t.clone()
        } else if let Some(&g) = self.module_binders.get(&x.unique) {
            let msg = if g == self.group {
                format!(
                    "{} refers to itself, but its top-level binding is not recursive",
                    id(x)
                )
            } else {
                format!(
                    "reference to {}, which is defined in a later top-level binding group",
                    id(x)
                )
            };
            return self.err(msg);
        } else if let Some(t) = (self.external)(x.unique) {
            t
        } else if self.seen.contains_key(&x.unique) {
            return self.err(format!(
                "variable {} is used outside the scope of its binder",
                id(x)
            ));
        } else {
            return self.err(format!("variable {} is not in scope", id(x)));
        };
        if !x.ty.alpha_eq(&binder_ty) {
            let msg = format!(
                "occurrence of {} has type {} but its binder has type {}",
                id(x),
                self.show(&x.ty),
                self.show(&binder_ty)
            );
            return self.err(msg);
        }
        Ok(binder_ty)
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn expr(&mut self, e: &Expr) -> R<Type> {
        crate::session::deep(|| self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &Expr) -> R<Type> {
        match e {
            Expr::Var(x) => self.var(x),
            Expr::Con(c) => self.con(*c),
            Expr::Prim(p) => Ok(p.ty()),
            Expr::Lit(l) => Ok(l.ty()),
            Expr::App(f, a) => self.app(f, a),
            Expr::TyApp(f, t) => self.ty_app(f, t),
            Expr::Lam(x, b) => self.lam(x, b),
            Expr::TyLam(v, b) => self.ty_lam(v, b),
            Expr::Let(b, body) => self.let_(b, body),
            Expr::Case(c) => self.case(c),
        }
    }

    #[inline(never)]
    fn con(&mut self, c: ConId) -> R<Type> {
        if c.0 as usize >= self.data.cons.len() {
            return self.err(format!("unknown data constructor #{}", c.0));
        }
        Ok(self.data.con_type(c))
    }

    #[inline(never)]
    fn app(&mut self, f: &Expr, a: &Expr) -> R<Type> {
        let tf = self.expr(f)?;
        let ta = self.expr(a)?;
        match tf.kind() {
            TypeKind::Fun(param, res) => {
                if !ta.alpha_eq(param) {
                    let msg = format!(
                        "argument of {} has type {} but the function expects {}",
                        head_text(self.data, f),
                        self.show(&ta),
                        self.show(param)
                    );
                    return self.err(msg);
                }
                Ok(res.clone())
            }
            TypeKind::Forall(..) => {
                let msg = format!(
                    "{} is applied to a value argument but has polymorphic type {} (a type application is missing)",
                    head_text(self.data, f),
                    self.show(&tf)
                );
                self.err(msg)
            }
            _ => {
                let msg = format!(
                    "{} is applied to an argument but has type {}, which is not a function type",
                    head_text(self.data, f),
                    self.show(&tf)
                );
                self.err(msg)
            }
        }
    }

    #[inline(never)]
    fn ty_app(&mut self, f: &Expr, t: &Type) -> R<Type> {
        let tf = self.expr(f)?;
        if let Some(p) = self.type_problem(t) {
            let msg = format!(
                "type application of {} to ill-formed type {}: {p}",
                head_text(self.data, f),
                self.show(t)
            );
            return self.err(msg);
        }
        if t.is_unlifted() {
            let msg = format!(
                "type application of {} to unboxed type {}: unboxed types cannot instantiate a type variable",
                head_text(self.data, f),
                self.show(t)
            );
            return self.err(msg);
        }
        match tf.kind() {
            TypeKind::Forall(v, body) => {
                let (v, body) = (v.clone(), body.clone());
                Ok(self.instantiate(&v, &body, t))
            }
            _ => {
                let msg = format!(
                    "{} is applied to type {} but its type {} is not polymorphic",
                    head_text(self.data, f),
                    self.show(t),
                    self.show(&tf)
                );
                self.err(msg)
            }
        }
    }

    #[inline(never)]
    fn lam(&mut self, x: &Id, body: &Expr) -> R<Type> {
        self.bind(x, "lambda binder")?;
        let tb = self.expr(body)?;
        self.unbind(x);
        Ok(Type::fun(x.ty.clone(), tb))
    }

    #[inline(never)]
    fn ty_lam(&mut self, v: &TyVar, body: &Expr) -> R<Type> {
        if !self.seen_tyvars.insert(v.unique) {
            let msg = format!(
                "type variable `{}` (unique {}) is bound by two type lambdas: binder uniques must be distinct within a module",
                v.name, v.unique
            );
            return self.err(msg);
        }
        self.tyvars.push(v.unique);
        let tb = self.expr(body)?;
        self.tyvars.pop();
        Ok(Type::forall(v.clone(), tb))
    }

    fn let_binder(&mut self, x: &Id) -> R<()> {
        self.bind(x, "let binder")?;
        if x.ty.is_unlifted() {
            let msg = format!(
                "let binder {} has type {}: unboxed type cannot be let-bound",
                id(x),
                self.show(&x.ty)
            );
            return self.err(msg);
        }
        Ok(())
    }

    #[inline(never)]
    fn let_(&mut self, b: &Bind, body: &Expr) -> R<Type> {
        match b {
            Bind::NonRec(x, rhs) => {
                let t = self.expr(rhs)?;
                self.let_binder(x)?;
                self.same_as_binder(x, &t)?;
            }
            Bind::Rec(bs) => {
                if bs.is_empty() {
                    return self.err("empty recursive `let` group".to_string());
                }
                for (x, _) in bs {
                    self.let_binder(x)?;
                }
                for (x, rhs) in bs {
                    let t = self.expr(rhs)?;
                    self.same_as_binder(x, &t)?;
                }
            }
        }
        let t = self.expr(body)?;
        for x in b.binders() {
            self.unbind(x);
        }
        Ok(t)
    }

    #[inline(never)]
    fn case(&mut self, c: &Case) -> R<Type> {
        let ts = self.expr(&c.scrut)?;
        if let Some(p) = self.type_problem(&c.ty) {
            let msg = format!(
                "case on {} has ill-formed result type {}: {p}",
                head_text(self.data, &c.scrut),
                self.show(&c.ty)
            );
            return self.err(msg);
        }
        if c.alts.is_empty() {
            let msg = format!(
                "case on {} has no alternatives",
                head_text(self.data, &c.scrut)
            );
            return self.err(msg);
        }
        let defaults = c
            .alts
            .iter()
            .filter(|a| matches!(a.pat, Pat::Default(_)))
            .count();
        if defaults > 1 {
            let msg = format!(
                "case on {} has {defaults} default alternatives",
                head_text(self.data, &c.scrut)
            );
            return self.err(msg);
        }
        let mut cons_seen: HashSet<ConId> = HashSet::new();
        let mut lits_seen: HashSet<(u8, u64)> = HashSet::new();
        let last = c.alts.len() - 1;
        for (i, alt) in c.alts.iter().enumerate() {
            let what = self.pat(&alt.pat, &ts, &mut cons_seen, &mut lits_seen, i == last)?;
            let tr = self.expr(&alt.rhs)?;
            if !tr.alpha_eq(&c.ty) {
                let msg = format!(
                    "the alternative {what} has type {} but the case has type {}",
                    self.show(&tr),
                    self.show(&c.ty)
                );
                return self.err(msg);
            }
            match &alt.pat {
                Pat::Con(_, xs) => xs.iter().for_each(|x| self.unbind(x)),
                Pat::Default(Some(x)) => self.unbind(x),
                Pat::Lit(_) | Pat::Default(None) => {}
            }
        }
        Ok(c.ty.clone())
    }

    /// Checks a pattern against the scrutinee type and brings its binders
    /// into scope. Returns a description of the alternative for messages.
    fn pat(
        &mut self,
        p: &Pat,
        ts: &Type,
        cons_seen: &mut HashSet<ConId>,
        lits_seen: &mut HashSet<(u8, u64)>,
        is_last: bool,
    ) -> R<String> {
        match p {
            Pat::Default(b) => {
                if !is_last {
                    return self.err("the default alternative must be the last one".to_string());
                }
                if let Some(x) = b {
                    self.bind(x, "case binder")?;
                    if !x.ty.alpha_eq(ts) {
                        let msg = format!(
                            "case binder {} has type {} but the scrutinee has type {}",
                            id(x),
                            self.show(&x.ty),
                            self.show(ts)
                        );
                        return self.err(msg);
                    }
                    Ok(format!("`{} ->`", x.name))
                } else {
                    Ok("`_ ->`".to_string())
                }
            }
            Pat::Con(c, xs) => {
                let Some(dc) = self.data.cons.get(c.0 as usize) else {
                    return self.err(format!("pattern with unknown data constructor #{}", c.0));
                };
                let name = dc.name.clone();
                let args = match ts.kind() {
                    TypeKind::Con(tc, args) if *tc == dc.tycon => args.clone(),
                    TypeKind::Con(..) => {
                        let msg = format!(
                            "constructor `{name}` does not belong to the scrutinee's type {}",
                            self.show(ts)
                        );
                        return self.err(msg);
                    }
                    _ => {
                        let msg = format!(
                            "constructor pattern `{name}` on a scrutinee of type {}, which is not a data type",
                            self.show(ts)
                        );
                        return self.err(msg);
                    }
                };
                if !cons_seen.insert(*c) {
                    return self.err(format!(
                        "constructor `{name}` appears in two alternatives of one case"
                    ));
                }
                let fields = self.data.con_fields_at(*c, &args);
                if fields.len() != xs.len() {
                    let msg = format!(
                        "pattern `{name}` has {} binder(s) but the constructor has {} field(s)",
                        xs.len(),
                        fields.len()
                    );
                    return self.err(msg);
                }
                for (x, f) in xs.iter().zip(&fields) {
                    self.bind(x, "pattern binder")?;
                    if !x.ty.alpha_eq(f) {
                        let msg = format!(
                            "pattern binder {} of `{name}` has type {} but the field has type {}",
                            id(x),
                            self.show(&x.ty),
                            self.show(f)
                        );
                        return self.err(msg);
                    }
                }
                Ok(format!("`{name}`"))
            }
            Pat::Lit(l) => {
                let text = lit_text(l);
                if !ts.is_unlifted() {
                    let msg = format!(
                        "literal pattern `{text}` on a scrutinee of type {}: literal alternatives need an unboxed scrutinee (Int#, Double#, Char#)",
                        self.show(ts)
                    );
                    return self.err(msg);
                }
                let lt = l.ty();
                if !lt.alpha_eq(ts) {
                    let msg = format!(
                        "literal pattern `{text}` has type {} but the scrutinee has type {}",
                        self.show(&lt),
                        self.show(ts)
                    );
                    return self.err(msg);
                }
                let key = match l {
                    Literal::IntPrim(n) => (0, *n as u64),
                    Literal::DoublePrim(d) => (1, d.to_bits()),
                    Literal::CharPrim(c) => (2, *c as u64),
                    // Boxed literals have lifted types: rejected above.
                    _ => (3, 0),
                };
                if !lits_seen.insert(key) {
                    return self.err(format!(
                        "literal `{text}` appears in two alternatives of one case"
                    ));
                }
                Ok(format!("`{text}`"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Alt;
    use crate::primop::PrimOp;
    use crate::source::Span;
    use crate::types::*;
    use std::rc::Rc;

    /// Hands out uniques and builds binders.
    struct Gen(Unique);
    impl Gen {
        fn new() -> Gen {
            Gen(FIRST_FREE_UNIQUE)
        }
        fn id(&mut self, name: &str, ty: Type) -> Id {
            self.0 += 1;
            Id {
                name: Rc::from(name),
                unique: self.0,
                ty,
            }
        }
        fn tv(&mut self, name: &str) -> TyVar {
            self.0 += 1;
            TyVar {
                name: Rc::from(name),
                unique: self.0,
            }
        }
    }

    fn var(x: &Id) -> Expr {
        Expr::Var(x.clone())
    }
    fn tv(v: &TyVar) -> Type {
        Type::var(v.clone())
    }
    fn case(scrut: Expr, ty: Type, alts: Vec<(Pat, Expr)>) -> Expr {
        Expr::Case(Box::new(Case {
            scrut,
            ty,
            alts: alts
                .into_iter()
                .map(|(pat, rhs)| Alt { pat, rhs })
                .collect(),
            span: Span::default(),
        }))
    }
    fn let_(b: Bind, body: Expr) -> Expr {
        Expr::Let(Box::new(b), Box::new(body))
    }
    fn int(n: i64) -> Expr {
        Expr::Lit(Literal::Int(n))
    }
    fn no_ext(_: Unique) -> Option<Type> {
        None
    }

    fn check(e: &Expr) -> Result<Type, Vec<LintError>> {
        lint_expr(&DataEnv::new(), &no_ext, e)
    }
    fn check_mod(m: &Module) -> Result<(), Vec<LintError>> {
        lint_module(&DataEnv::new(), &no_ext, m)
    }
    fn ok_type(e: &Expr) -> String {
        match check(e) {
            Ok(t) => DataEnv::new().display(&t).to_string(),
            Err(es) => panic!("unexpected lint errors: {es:?}"),
        }
    }
    /// Asserts that linting fails with a message containing every `needle`.
    fn rejects(r: Result<impl fmt::Debug, Vec<LintError>>, needles: &[&str]) {
        let es = r.expect_err("lint accepted an ill-typed term");
        let all: Vec<String> = es.iter().map(|e| e.message.clone()).collect();
        assert!(
            all.iter().any(|m| needles.iter().all(|n| m.contains(n))),
            "no message contains {needles:?}: {all:#?}"
        );
    }

    /// `\@a (x :: a) -> x`
    fn identity(g: &mut Gen) -> (Expr, Type) {
        let a = g.tv("a");
        let x = g.id("x", tv(&a));
        let e = Expr::ty_lam(a.clone(), Expr::lam(x.clone(), var(&x)));
        (e, Type::forall(a.clone(), Type::fun(tv(&a), tv(&a))))
    }

    /// The module `map :: forall a b. (a -> b) -> [a] -> [b]`, recursive.
    fn map_module(g: &mut Gen) -> (Module, Id) {
        let a = g.tv("a");
        let b = g.tv("b");
        let map_ty = Type::foralls(
            [a.clone(), b.clone()],
            Type::funs(
                [Type::fun(tv(&a), tv(&b)), Type::list(tv(&a))],
                Type::list(tv(&b)),
            ),
        );
        let map = g.id("map", map_ty);
        let a1 = g.tv("a");
        let b1 = g.tv("b");
        let f = g.id("f", Type::fun(tv(&a1), tv(&b1)));
        let xs = g.id("xs", Type::list(tv(&a1)));
        let y = g.id("y", tv(&a1));
        let ys = g.id("ys", Type::list(tv(&a1)));
        let lb = Type::list(tv(&b1));
        let body = case(
            var(&xs),
            lb.clone(),
            vec![
                (Pat::Con(NIL, vec![]), Expr::ty_app(Expr::Con(NIL), tv(&b1))),
                (
                    Pat::Con(CONS, vec![y.clone(), ys.clone()]),
                    Expr::apps(
                        Expr::ty_app(Expr::Con(CONS), tv(&b1)),
                        [
                            Expr::app(var(&f), var(&y)),
                            Expr::apps(
                                Expr::ty_apps(var(&map), [tv(&a1), tv(&b1)]),
                                [var(&f), var(&ys)],
                            ),
                        ],
                    ),
                ),
            ],
        );
        let rhs = Expr::ty_lam(a1, Expr::ty_lam(b1, Expr::lam(f, Expr::lam(xs, body))));
        (
            Module {
                data: vec![],
                binds: vec![Bind::Rec(vec![(map.clone(), rhs)])],
            },
            map,
        )
    }

    // --- accepted ----------------------------------------------------------

    #[test]
    fn accepts_identity() {
        let mut g = Gen::new();
        let (e, _) = identity(&mut g);
        assert_eq!(ok_type(&e), "forall a. a -> a");
        // Applied at a type and a value.
        let (e, _) = identity(&mut g);
        assert_eq!(
            ok_type(&Expr::app(Expr::ty_app(e, Type::int()), int(3))),
            "Int"
        );
    }

    #[test]
    fn accepts_recursive_map_and_its_use() {
        let mut g = Gen::new();
        let (mut m, map) = map_module(&mut g);
        // main :: [Int]; main = map @Int @Int (\(n :: Int) -> n) [1]
        let n = g.id("n", Type::int());
        let one = Expr::apps(
            Expr::ty_app(Expr::Con(CONS), Type::int()),
            [int(1), Expr::ty_app(Expr::Con(NIL), Type::int())],
        );
        let main = g.id("main", Type::list(Type::int()));
        let rhs = Expr::apps(
            Expr::ty_apps(var(&map), [Type::int(), Type::int()]),
            [Expr::lam(n.clone(), var(&n)), one],
        );
        m.binds.push(Bind::NonRec(main, rhs));
        assert_eq!(check_mod(&m), Ok(()));
    }

    #[test]
    fn accepts_case_on_int_prim_literals_and_let() {
        let mut g = Gen::new();
        // \(n :: Int) -> case n of { I# k -> case k of { 0# -> 'z'; _ -> let c = 'c' in c } }
        let n = g.id("n", Type::int());
        let k = g.id("k", Type::int_prim());
        let c = g.id("c", Type::char());
        let inner = case(
            var(&k),
            Type::char(),
            vec![
                (Pat::Lit(Literal::IntPrim(0)), Expr::Lit(Literal::Char('z'))),
                (
                    Pat::Default(None),
                    let_(
                        Bind::NonRec(c.clone(), Expr::Lit(Literal::Char('c'))),
                        var(&c),
                    ),
                ),
            ],
        );
        let e = Expr::lam(
            n.clone(),
            case(
                var(&n),
                Type::char(),
                vec![(Pat::Con(I_HASH, vec![k]), inner)],
            ),
        );
        assert_eq!(ok_type(&e), "Int -> Char");
    }

    #[test]
    fn accepts_constructors_with_type_args_and_default_binder() {
        let mut g = Gen::new();
        // case (,) @Int @Char 1 'x' of { p -> p }
        let pair_ty = Type::con(tuple_tycon(2), vec![Type::int(), Type::char()]);
        let pair = Expr::apps(
            Expr::ty_apps(Expr::Con(tuple_con(2)), [Type::int(), Type::char()]),
            [int(1), Expr::Lit(Literal::Char('x'))],
        );
        let p = g.id("p", pair_ty.clone());
        let e = case(
            pair,
            pair_ty,
            vec![(Pat::Default(Some(p.clone())), var(&p))],
        );
        assert_eq!(ok_type(&e), "(Int, Char)");
        // Primops and literals: isTrue# ((+#) 1# 2#)
        let e = Expr::app(
            Expr::Prim(PrimOp::IsTrue),
            Expr::apps(
                Expr::Prim(PrimOp::IntAdd),
                [
                    Expr::Lit(Literal::IntPrim(1)),
                    Expr::Lit(Literal::IntPrim(2)),
                ],
            ),
        );
        assert_eq!(ok_type(&e), "Bool");
        assert_eq!(
            ok_type(&Expr::app(
                Expr::ty_app(Expr::Prim(PrimOp::Error), Type::int()),
                Expr::Lit(Literal::String(Rc::from("boom")))
            )),
            "Int"
        );
    }

    #[test]
    fn accepts_external_variables() {
        let mut g = Gen::new();
        let plus = g.id(
            "plusInt",
            Type::funs([Type::int(), Type::int()], Type::int()),
        );
        let pt = plus.ty.clone();
        let pu = plus.unique;
        let ext = move |u: Unique| (u == pu).then(|| pt.clone());
        let e = Expr::apps(var(&plus), [int(1), int(2)]);
        let t = lint_expr(&DataEnv::new(), &ext, &e).unwrap();
        assert!(t.alpha_eq(&Type::int()));
    }

    #[test]
    fn instantiation_avoids_capture() {
        let mut g = Gen::new();
        // f :: forall a. forall b. a -> b -> a, applied at type `b` (the
        // outer b of an enclosing type lambda, with the same unique as f's
        // inner forall): the result must be `forall b'. b -> b' -> b`.
        let a = g.tv("a");
        let b = g.tv("b");
        let fty = Type::foralls([a.clone(), b.clone()], Type::funs([tv(&a), tv(&b)], tv(&a)));
        let f = g.id("f", fty.clone());
        let (fu, ft) = (f.unique, fty);
        let ext = move |u: Unique| (u == fu).then(|| ft.clone());
        let e = Expr::ty_lam(b.clone(), Expr::ty_app(var(&f), tv(&b)));
        let t = lint_expr(&DataEnv::new(), &ext, &e).unwrap();
        let b2 = g.tv("b2");
        let want = Type::forall(
            b.clone(),
            Type::forall(b2.clone(), Type::funs([tv(&b), tv(&b2)], tv(&b))),
        );
        assert!(t.alpha_eq(&want), "{}", DataEnv::new().display(&t));
    }

    // --- rejected: variables -------------------------------------------------

    #[test]
    fn rejects_unbound_variable() {
        let mut g = Gen::new();
        let x = g.id("ghost", Type::int());
        rejects(check(&var(&x)), &["`ghost`", "not in scope"]);
    }

    #[test]
    fn rejects_occurrence_type_mismatch() {
        let mut g = Gen::new();
        let x = g.id("x", Type::int());
        let mut occ = x.clone();
        occ.ty = Type::char();
        rejects(
            check(&Expr::lam(x, Expr::Var(occ))),
            &["occurrence of `x`", "`Char`", "`Int`"],
        );
    }

    #[test]
    fn rejects_variable_used_outside_its_scope() {
        let mut g = Gen::new();
        // (\(x :: Int) -> x) `seq`-less: (\x -> x, x) as a pair.
        let x = g.id("x", Type::int());
        let e = Expr::apps(
            Expr::ty_apps(
                Expr::Con(tuple_con(2)),
                [Type::fun(Type::int(), Type::int()), Type::int()],
            ),
            [Expr::lam(x.clone(), var(&x)), var(&x)],
        );
        rejects(check(&e), &["`x`", "outside the scope"]);
    }

    // --- rejected: applications ----------------------------------------------

    #[test]
    fn rejects_argument_type_mismatch() {
        let mut g = Gen::new();
        let (id_e, _) = identity(&mut g);
        let e = Expr::app(
            Expr::ty_app(id_e, Type::int()),
            Expr::Lit(Literal::Char('c')),
        );
        rejects(
            check(&e),
            &["argument of a lambda", "`Char`", "expects `Int`"],
        );
        let e = Expr::app(Expr::Prim(PrimOp::IntNeg), int(1));
        rejects(check(&e), &["primop `negateInt#`", "`Int`", "`Int#`"]);
    }

    #[test]
    fn rejects_applying_a_non_function() {
        let e = Expr::app(int(1), int(2));
        rejects(check(&e), &["literal `1`", "not a function type"]);
        let e = Expr::app(Expr::Con(NIL), int(2));
        rejects(
            check(&e),
            &["constructor `[]`", "type application is missing"],
        );
    }

    #[test]
    fn rejects_type_application_of_monomorphic() {
        let e = Expr::ty_app(Expr::Con(TRUE), Type::int());
        rejects(check(&e), &["constructor `True`", "not polymorphic"]);
    }

    #[test]
    fn rejects_unboxed_type_argument() {
        let e = Expr::ty_app(Expr::Con(NIL), Type::int_prim());
        rejects(check(&e), &["`Int#`", "cannot instantiate a type variable"]);
    }

    #[test]
    fn rejects_ill_formed_type_argument() {
        let e = Expr::ty_app(Expr::Con(NIL), Type::meta(7));
        rejects(check(&e), &["constructor `[]`", "unresolved type variable"]);
        let e = Expr::ty_app(Expr::Con(NIL), Type::con(LIST, vec![]));
        rejects(check(&e), &["`List` expects 1 argument(s) but is given 0"]);
        let mut g = Gen::new();
        let a = g.tv("a");
        let e = Expr::ty_app(Expr::Con(NIL), tv(&a));
        rejects(check(&e), &["type variable `a`", "not in scope"]);
    }

    // --- rejected: lambdas -----------------------------------------------------

    #[test]
    fn rejects_ill_formed_lambda_binder() {
        let mut g = Gen::new();
        let x = g.id("x", Type::fun(Type::meta(3), Type::int()));
        rejects(
            check(&Expr::lam(x.clone(), var(&x))),
            &["lambda binder `x`", "unresolved type variable"],
        );
        let a = g.tv("a");
        let y = g.id("y", tv(&a));
        rejects(
            check(&Expr::lam(y.clone(), var(&y))),
            &["lambda binder `y`", "type variable `a`", "not in scope"],
        );
    }

    #[test]
    fn type_lambda_brings_its_variable_into_scope_only_in_its_body() {
        let mut g = Gen::new();
        let a = g.tv("a");
        let x = g.id("x", tv(&a));
        // let g = \@a (x :: a) -> x in \(x2 :: a) -> x2: `a` is out of scope.
        let x2 = g.id("x2", tv(&a));
        let gid = g.id("g", Type::forall(a.clone(), Type::fun(tv(&a), tv(&a))));
        let e = let_(
            Bind::NonRec(gid, Expr::ty_lam(a.clone(), Expr::lam(x.clone(), var(&x)))),
            Expr::lam(x2.clone(), var(&x2)),
        );
        rejects(check(&e), &["`x2`", "not in scope"]);
    }

    // --- rejected: let -----------------------------------------------------------

    #[test]
    fn rejects_unboxed_let() {
        let mut g = Gen::new();
        let x = g.id("x", Type::int_prim());
        let e = let_(
            Bind::NonRec(x.clone(), Expr::Lit(Literal::IntPrim(1))),
            var(&x),
        );
        rejects(
            check(&e),
            &[
                "let binder `x`",
                "`Int#`",
                "unboxed type cannot be let-bound",
            ],
        );
    }

    #[test]
    fn rejects_let_rhs_type_mismatch() {
        let mut g = Gen::new();
        let x = g.id("x", Type::double());
        let e = let_(Bind::NonRec(x.clone(), int(1)), var(&x));
        rejects(check(&e), &["right side of `x`", "`Int`", "`Double`"]);
    }

    #[test]
    fn rejects_nonrec_let_referring_to_itself_and_accepts_rec() {
        let mut g = Gen::new();
        let xs = g.id("xs", Type::list(Type::int()));
        let rhs = Expr::apps(
            Expr::ty_app(Expr::Con(CONS), Type::int()),
            [int(1), var(&xs)],
        );
        let e = let_(Bind::NonRec(xs.clone(), rhs.clone()), var(&xs));
        rejects(check(&e), &["`xs`"]);
        let e = let_(Bind::Rec(vec![(xs.clone(), rhs)]), var(&xs));
        assert_eq!(ok_type(&e), "[Int]");
    }

    #[test]
    fn rec_binders_are_visible_in_every_right_side() {
        let mut g = Gen::new();
        let l = Type::list(Type::int());
        let a = g.id("a", l.clone());
        let b = g.id("b", l.clone());
        let cons = |x: i64, rest: &Id| {
            Expr::apps(
                Expr::ty_app(Expr::Con(CONS), Type::int()),
                [int(x), var(rest)],
            )
        };
        let e = let_(
            Bind::Rec(vec![(a.clone(), cons(1, &b)), (b.clone(), cons(2, &a))]),
            var(&a),
        );
        assert_eq!(ok_type(&e), "[Int]");
    }

    // --- rejected: case ------------------------------------------------------

    /// `\(xs :: [Int]) -> case xs of alts`, with `xs` from a unique range
    /// of its own.
    fn list_case(alts: Vec<(Pat, Expr)>) -> Expr {
        let mut g = Gen(FIRST_FREE_UNIQUE + 10_000);
        let xs = g.id("xs", Type::list(Type::int()));
        Expr::lam(xs.clone(), case(var(&xs), Type::int(), alts))
    }

    #[test]
    fn rejects_case_without_alternatives() {
        rejects(
            check(&case(int(1), Type::int(), vec![])),
            &["no alternatives"],
        );
    }

    #[test]
    fn rejects_default_not_last_and_two_defaults() {
        let e = list_case(vec![
            (Pat::Default(None), int(0)),
            (Pat::Con(NIL, vec![]), int(1)),
        ]);
        rejects(check(&e), &["default alternative must be the last"]);
        let e = list_case(vec![
            (Pat::Default(None), int(0)),
            (Pat::Default(None), int(1)),
        ]);
        rejects(check(&e), &["2 default alternatives"]);
    }

    #[test]
    fn rejects_constructor_of_another_type() {
        let e = list_case(vec![(Pat::Con(TRUE, vec![]), int(0))]);
        rejects(
            check(&e),
            &["constructor `True`", "does not belong", "`[Int]`"],
        );
        let mut g = Gen::new();
        let k = g.id("k", Type::int_prim());
        let e = case(
            Expr::Lit(Literal::IntPrim(1)),
            Type::int(),
            vec![(Pat::Con(I_HASH, vec![]), int(0))],
        );
        rejects(check(&e), &["`I#`", "`Int#`"]);
        let f = g.id("f", Type::fun(Type::int(), Type::int()));
        let e = Expr::lam(
            f.clone(),
            case(
                var(&f),
                Type::int(),
                vec![(Pat::Con(I_HASH, vec![k]), int(0))],
            ),
        );
        rejects(check(&e), &["`I#`", "not a data type"]);
    }

    #[test]
    fn rejects_wrong_binder_count() {
        let mut g = Gen::new();
        let y = g.id("y", Type::int());
        let e = list_case(vec![(Pat::Con(CONS, vec![y]), int(0))]);
        rejects(check(&e), &["pattern `:` has 1 binder(s)", "2 field(s)"]);
    }

    #[test]
    fn rejects_wrong_pattern_binder_type() {
        let mut g = Gen::new();
        let y = g.id("y", Type::char());
        let ys = g.id("ys", Type::list(Type::int()));
        let e = list_case(vec![(Pat::Con(CONS, vec![y, ys]), int(0))]);
        rejects(check(&e), &["pattern binder `y`", "`Char`", "`Int`"]);
    }

    #[test]
    fn rejects_constructor_twice() {
        let e = list_case(vec![
            (Pat::Con(NIL, vec![]), int(0)),
            (Pat::Con(NIL, vec![]), int(1)),
        ]);
        rejects(check(&e), &["constructor `[]` appears in two alternatives"]);
    }

    #[test]
    fn rejects_literal_pattern_on_boxed_scrutinee() {
        let e = case(
            int(1),
            Type::int(),
            vec![(Pat::Lit(Literal::Int(1)), int(0))],
        );
        rejects(
            check(&e),
            &["literal pattern `1`", "`Int`", "need an unboxed scrutinee"],
        );
    }

    #[test]
    fn rejects_literal_pattern_of_other_type() {
        let e = case(
            Expr::Lit(Literal::IntPrim(1)),
            Type::int(),
            vec![(Pat::Lit(Literal::CharPrim('c')), int(0))],
        );
        rejects(check(&e), &["literal pattern `'c'#`", "`Char#`", "`Int#`"]);
    }

    #[test]
    fn rejects_duplicate_literal() {
        let e = case(
            Expr::Lit(Literal::DoublePrim(1.5)),
            Type::int(),
            vec![
                (Pat::Lit(Literal::DoublePrim(1.5)), int(0)),
                (Pat::Lit(Literal::DoublePrim(1.5)), int(1)),
            ],
        );
        rejects(check(&e), &["literal `1.5##` appears in two alternatives"]);
    }

    #[test]
    fn rejects_default_binder_of_wrong_type() {
        let mut g = Gen::new();
        let x = g.id("x", Type::char());
        let e = list_case(vec![(Pat::Default(Some(x)), int(0))]);
        rejects(check(&e), &["case binder `x`", "`Char`", "`[Int]`"]);
    }

    #[test]
    fn rejects_alternative_of_wrong_type() {
        let e = list_case(vec![
            (Pat::Con(NIL, vec![]), int(0)),
            (Pat::Default(None), Expr::Lit(Literal::Char('c'))),
        ]);
        rejects(
            check(&e),
            &["alternative `_ ->`", "`Char`", "case has type `Int`"],
        );
    }

    #[test]
    fn rejects_ill_formed_case_type() {
        let e = case(int(1), Type::meta(1), vec![(Pat::Default(None), int(0))]);
        rejects(
            check(&e),
            &["ill-formed result type", "unresolved type variable"],
        );
    }

    // --- rejected: uniques, top level ----------------------------------------

    #[test]
    fn rejects_duplicate_binder_uniques() {
        let mut g = Gen::new();
        let x = g.id("x", Type::int());
        let mut x2 = x.clone();
        x2.name = Rc::from("y");
        let e = Expr::lam(x.clone(), Expr::lam(x2.clone(), var(&x2)));
        rejects(
            check(&e),
            &[
                "lambda binder `y`",
                "reuses the unique of another binder (`x`)",
            ],
        );
        let a = g.tv("a");
        let e = Expr::ty_lam(a.clone(), Expr::ty_lam(a.clone(), int(1)));
        rejects(
            check(&e),
            &["type variable `a`", "bound by two type lambdas"],
        );
    }

    #[test]
    fn top_level_group_order() {
        let mut g = Gen::new();
        let f = g.id("f", Type::int());
        let h = g.id("h", Type::int());
        // f = h; h = 1 (h defined later)
        let m = Module {
            data: vec![],
            binds: vec![
                Bind::NonRec(f.clone(), var(&h)),
                Bind::NonRec(h.clone(), int(1)),
            ],
        };
        rejects(
            check_mod(&m),
            &[
                "in `f`",
                "`h`",
                "defined in a later top-level binding group",
            ],
        );
        // f = f, NonRec
        let m = Module {
            data: vec![],
            binds: vec![Bind::NonRec(f.clone(), var(&f))],
        };
        rejects(
            check_mod(&m),
            &["in `f`", "refers to itself", "not recursive"],
        );
        // h = 1; f = h is fine.
        let m = Module {
            data: vec![],
            binds: vec![
                Bind::NonRec(h.clone(), int(1)),
                Bind::NonRec(f.clone(), var(&h)),
            ],
        };
        assert_eq!(check_mod(&m), Ok(()));
        // Two groups defining the same binder.
        let m = Module {
            data: vec![],
            binds: vec![
                Bind::NonRec(h.clone(), int(1)),
                Bind::NonRec(h.clone(), int(2)),
            ],
        };
        rejects(check_mod(&m), &["top-level binder `h`", "defined twice"]);
    }

    #[test]
    fn collects_errors_from_several_groups_with_context() {
        let mut g = Gen::new();
        let f = g.id("f", Type::int());
        let h = g.id("h", Type::char());
        let u = g.id("u", Type::int_prim());
        let m = Module {
            data: vec![TyConId(999)],
            binds: vec![
                Bind::NonRec(f, Expr::Lit(Literal::Char('c'))),
                Bind::NonRec(h, int(2)),
                Bind::NonRec(u, Expr::Lit(Literal::IntPrim(1))),
            ],
        };
        let es = check_mod(&m).unwrap_err();
        let msgs: Vec<&str> = es.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:#?}");
        assert!(msgs[0].contains("unknown type constructor #999"));
        assert!(msgs[1].starts_with("in `f`: the right side of `f`"));
        assert!(msgs[2].starts_with("in `h`: "));
        assert!(
            msgs[3].starts_with("in `u`: ") && msgs[3].contains("unboxed type cannot be let-bound")
        );
    }

    #[test]
    fn checks_declared_data_types() {
        let mut env = DataEnv::new();
        let mut g = Gen::new();
        let a = g.tv("a");
        let b = g.tv("b");
        let tc = TyConId(env.tycons.len() as u32);
        let con = ConId(env.cons.len() as u32);
        env.cons.push(DataConInfo {
            name: Rc::from("Box"),
            tycon: tc,
            tag: 0,
            fields: vec![tv(&b)],
            span: None,
        });
        env.tycons.push(TyConInfo {
            name: Rc::from("Box"),
            params: vec![a],
            cons: vec![con],
            span: None,
        });
        let m = Module {
            data: vec![tc],
            binds: vec![],
        };
        rejects(
            lint_module(&env, &no_ext, &m),
            &["constructor `Box`", "type variable `b`", "not in scope"],
        );
    }

    #[test]
    fn deep_terms_are_checked_on_an_ordinary_stack() {
        // 100,000-deep terms on the test thread's small stack: a list literal
        // and a chain of applied lambdas.
        let mut g = Gen::new();
        let li = Type::list(Type::int());
        let mut e = Expr::ty_app(Expr::Con(NIL), Type::int());
        for i in 0..100_000 {
            e = Expr::apps(Expr::ty_app(Expr::Con(CONS), Type::int()), [int(i), e]);
            let x = g.id("x", li.clone());
            e = Expr::app(Expr::lam(x.clone(), var(&x)), e);
        }
        let t = check(&e);
        // Dropping a Box chain this deep needs a deep stack; leak it instead
        // (before any assertion can unwind).
        std::mem::forget(e);
        assert!(t.unwrap().alpha_eq(&Type::list(Type::int())));
    }
}
