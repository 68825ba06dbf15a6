//! Type inference and elaboration: renamed AST to explicit System F Core.
//!
//! Hindley–Milner with levels (generalisation at each `let` and top-level
//! dependency group that `rename` computed), bidirectional where it pays
//! (signatures, annotated lambdas, higher-rank arguments), and the overloading
//! of spec §4 resolved as Standard ML does. Elaboration happens during
//! inference: every judgement returns the Core term it justifies, with
//! `Meta` variables in its types; when a top-level group is done, `zonk`
//! replaces them by their solutions and resolves what had to wait for them
//! (overloaded names, numeric literals, literal patterns, recursive uses of
//! generalised bindings). See Note [Elaboration placeholders].
//!
//! This module does not check its own output: `lint` does, independently.
//! Read next: `lint`.

use crate::ast::{self, Binder, ExprKind, LetItem, Lit, PVar, Pat as APat, Res};
use crate::diagnostic::Diagnostic;
use crate::env::Env;
use crate::ir::{Alt, Bind, Case, Expr, Id, Literal, Pat};
use crate::overload::{Base, Overload};
use crate::rename::{resolve_type, Renamed, TyVarScope};
use crate::source::Span;
use crate::token::Symbol;
use crate::types::{self, ConId, TyVar, Type, TypeKind, Unique};
use std::collections::HashMap;
use std::rc::Rc;

// Note [Long list literals]
// ~~~~~~~~~~~~~~~~~~~~~~~~~
// A list literal becomes nested `(:)` applications, which the lowering
// allocates in the BCO of the expression around it: one `PACK` and one
// stack slot per element. A BCO's stack offsets, pointer and literal
// tables are 16-bit, so a 100,000-element table of data would not fit in
// one. A literal longer than LIST_CHUNK elements is therefore cut into
// chunks joined with the prelude's `++`: `[x1, .., x2500]` is
// `[x1 .. x1000] ++ ([x1001 .. x2000] ++ [x2001 .. x2500])`. Each `++`
// application's second argument is a thunk with its own BCO, so every
// BCO holds at most one chunk, and the later chunks are only built when
// the list is consumed that far. The price is one copy of each cons cell
// (`++` rebuilds its first argument), paid once, for long literals only.

/// The most elements a list literal is built from in one piece.
pub const LIST_CHUNK: usize = 1000;

// Note [Elaboration placeholders]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Some Core cannot be written down when its source is inferred, because it
// depends on types found later in the same top-level group:
//  * `x + y` becomes `plusInt x y` or `plusDouble x y`;
//  * the literal `1` becomes an `Int` or a `Double` literal;
//  * `case n of 0 -> ...` unboxes with `I#` or `D#` (or `C#` for chars);
//  * in `f x = ... f y ...` without a signature, the recursive use of `f`
//    is monomorphic while inferring, but `f` ends up `forall a. ...`, so the
//    use must become `f @a`.
// The first two are elaborated to a `Var` whose unique lies in a reserved
// range (PLACEHOLDER and up) and indexes `Infer::pending`; the third keeps
// boxed literal patterns in the `case`; the fourth leaves `f` at its
// monomorphic type and records `f`'s quantified variables in `rec_fix`.
// `zonk`, run once per top-level group after defaulting, rewrites all four.
// No placeholder survives zonking, and lint rejects any that did.
//
// Example: `f x = x + 1` infers `x : t1`, elaborates the body to
// `PH0 x PH1` with PH0 = (+ at t1) and PH1 = (1 at t1); at the end of the
// group t1 is still open, so it defaults to Int and zonk produces
// `\(x :: Int) -> plusInt x 1`.

/// Uniques at and above this are placeholders (Note [Elaboration placeholders]).
pub const PLACEHOLDER: Unique = 0xF000_0000;

#[derive(Clone, Debug)]
struct Meta {
    solution: Option<Type>,
    level: u32,
    /// Created by instantiating a type variable: it cannot become unboxed.
    lifted: bool,
    /// Stands for the type of something that failed to check: unifies with
    /// anything, so one error does not cause others.
    poison: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Constraint {
    Overload(Overload),
    /// A numeric literal without a decimal point: Int or Double.
    NumLit,
}

#[derive(Clone, Debug)]
struct Pending {
    constraint: Constraint,
    meta: u32,
    /// For overloads: the remaining type arguments (`b` of `lookup`).
    others: Vec<Type>,
    /// For literals: the value.
    value: i64,
    span: Span,
}

#[derive(Clone, Debug)]
struct VarInfo {
    id: Id,
    /// While its own group is being inferred (no signature): occurrences are
    /// monomorphic.
    in_progress: bool,
    /// Whether its own binding group is being inferred; `used_in_group`
    /// then records a recursive use (a singleton group is `Rec` only then).
    in_group: bool,
    used_in_group: bool,
}

/// Where an expected type came from, for "type mismatch" messages.
#[derive(Clone, Debug)]
struct Origin {
    span: Span,
    why: String,
}

type IResult<T> = Result<T, Diagnostic>;

pub struct Infer<'e> {
    pub env: &'e mut Env,
    metas: Vec<Meta>,
    level: u32,
    vars: HashMap<Unique, VarInfo>,
    tyscope: imbl::HashMap<Symbol, TyVar>,
    pending: Vec<Pending>,
    rec_fix: HashMap<Unique, Vec<TyVar>>,
    /// Top-level names of the unit being elaborated (for the prelude's own
    /// overload targets and sugar).
    module_names: HashMap<Symbol, Unique>,
    is_prelude: bool,
}

impl<'e> Infer<'e> {
    pub fn new(env: &'e mut Env, is_prelude: bool) -> Infer<'e> {
        Infer {
            env,
            metas: Vec::new(),
            level: 0,
            vars: HashMap::new(),
            tyscope: imbl::HashMap::new(),
            pending: Vec::new(),
            rec_fix: HashMap::new(),
            module_names: HashMap::new(),
            is_prelude,
        }
    }

    // ----- metas and unification -----

    fn fresh_meta(&mut self, lifted: bool) -> Type {
        let m = self.metas.len() as u32;
        self.metas.push(Meta {
            solution: None,
            level: self.level,
            lifted,
            poison: false,
        });
        Type::meta(m)
    }

    fn poison(&mut self) -> Type {
        let t = self.fresh_meta(true);
        if let TypeKind::Meta(m) = t.kind() {
            self.metas[*m as usize].poison = true;
        }
        t
    }

    /// Follows solved metas at the head of a type.
    fn shallow(&self, t: &Type) -> Type {
        let mut t = t.clone();
        while let TypeKind::Meta(m) = t.kind() {
            match &self.metas[*m as usize].solution {
                Some(s) => t = s.clone(),
                None => break,
            }
        }
        t
    }

    /// Replaces every solved meta, deeply. Unsolved ones stay.
    fn resolve(&self, t: &Type) -> Type {
        let t = self.shallow(t);
        match t.kind() {
            TypeKind::Var(_) | TypeKind::Meta(_) => t,
            TypeKind::Con(c, args) => {
                if args.is_empty() {
                    t
                } else {
                    Type::con(*c, args.iter().map(|a| self.resolve(a)).collect())
                }
            }
            TypeKind::Fun(a, r) => Type::fun(self.resolve(a), self.resolve(r)),
            TypeKind::Forall(v, b) => Type::forall(v.clone(), self.resolve(b)),
        }
    }

    fn show(&self, t: &Type) -> String {
        format!("{}", self.env.data.display(&self.resolve(t)))
    }

    fn mismatch(
        &self,
        actual: &Type,
        expected: &Type,
        span: Span,
        origin: &Origin,
        detail: Option<(Type, Type)>,
    ) -> Diagnostic {
        let mut d = Diagnostic::error(
            span,
            format!(
                "type mismatch: expected `{}`, found `{}`",
                self.show(expected),
                self.show(actual)
            ),
        )
        .with_label(format!("this has type `{}`", self.show(actual)));
        if origin.span != span {
            d = d.with_secondary(
                origin.span,
                format!("`{}` expected {}", self.show(expected), origin.why),
            );
        } else {
            d = d.with_note(format!(
                "`{}` is expected {}",
                self.show(expected),
                origin.why
            ));
        }
        if let Some((a, b)) = detail {
            let (sa, sb) = (self.show(&a), self.show(&b));
            if sa != self.show(actual) || sb != self.show(expected) {
                d = d.with_note(format!("`{sa}` and `{sb}` do not match"));
            }
        }
        d
    }

    /// Unifies the type found at `span` with the type expected there.
    fn unify(
        &mut self,
        actual: &Type,
        expected: &Type,
        span: Span,
        origin: &Origin,
    ) -> IResult<()> {
        match self.unify_inner(actual, expected) {
            Ok(()) => Ok(()),
            Err(UnifyError::Mismatch(a, b)) => Err(self.mismatch(actual, expected, span, origin, Some((a, b)))),
            Err(UnifyError::Occurs(m, t)) => Err(Diagnostic::error(
                span,
                format!("infinite type: `{}` would have to equal `{}`", self.show(&Type::meta(m)), self.show(&t)),
            )
            .with_label(format!("this has type `{}`", self.show(actual)))
            .with_secondary(origin.span, format!("`{}` expected {}", self.show(expected), origin.why))
            .with_note("a type cannot contain itself (the occurs check failed); often a function applied to itself or a missing argument")),
            Err(UnifyError::Unlifted(t)) => Err(Diagnostic::error(
                span,
                format!("the unboxed type `{}` cannot instantiate a type variable", self.show(&t)),
            )
            .with_label(format!("this has type `{}`", self.show(actual)))
            .with_note("unboxed types (`Int#`, `Double#`, `Char#`) can only be passed to functions and primops that expect them; box them with `I#`, `D#` or `C#`")),
        }
    }

    /// Like `shallow`, but also points every meta on the way at the end of
    /// the chain (path compression), so that long chains of metas unified
    /// with each other (a 50,000-term sum makes one) stay cheap.
    fn prune(&mut self, t: &Type) -> Type {
        let root = self.shallow(t);
        let mut cur = t.clone();
        while let TypeKind::Meta(m) = cur.kind() {
            let m = *m as usize;
            match self.metas[m].solution.clone() {
                Some(next) => {
                    self.metas[m].solution = Some(root.clone());
                    cur = next;
                }
                None => break,
            }
        }
        root
    }

    fn unify_inner(&mut self, a: &Type, b: &Type) -> Result<(), UnifyError> {
        let a = self.prune(a);
        let b = self.prune(b);
        match (a.kind(), b.kind()) {
            (TypeKind::Meta(x), TypeKind::Meta(y)) if x == y => Ok(()),
            (TypeKind::Meta(x), _) => self.bind(*x, &b),
            (_, TypeKind::Meta(y)) => self.bind(*y, &a),
            (TypeKind::Var(x), TypeKind::Var(y)) if x == y => Ok(()),
            (TypeKind::Con(c, xs), TypeKind::Con(d, ys)) if c == d && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify_inner(x, y)?;
                }
                Ok(())
            }
            (TypeKind::Fun(a1, r1), TypeKind::Fun(a2, r2)) => {
                self.unify_inner(a1, a2)?;
                self.unify_inner(r1, r2)
            }
            (TypeKind::Forall(..), TypeKind::Forall(..)) => {
                if self.resolve(&a).alpha_eq(&self.resolve(&b)) {
                    Ok(())
                } else {
                    Err(UnifyError::Mismatch(a, b))
                }
            }
            _ => Err(UnifyError::Mismatch(a, b)),
        }
    }

    fn bind(&mut self, m: u32, t: &Type) -> Result<(), UnifyError> {
        if self.metas[m as usize].poison {
            return Ok(());
        }
        if let TypeKind::Meta(n) = t.kind() {
            let n = *n as usize;
            if self.metas[n].poison {
                return Ok(());
            }
            // Keep the stricter level and liftedness on the survivor.
            let (lvl, lifted) = (self.metas[m as usize].level, self.metas[m as usize].lifted);
            self.metas[n].level = self.metas[n].level.min(lvl);
            self.metas[n].lifted |= lifted;
            self.metas[m as usize].solution = Some(t.clone());
            return Ok(());
        }
        let t = self.resolve(t);
        if self.metas[m as usize].lifted && t.is_unlifted() {
            return Err(UnifyError::Unlifted(t));
        }
        let level = self.metas[m as usize].level;
        if self.occurs_adjust(m, level, &t) {
            return Err(UnifyError::Occurs(m, t));
        }
        self.metas[m as usize].solution = Some(t);
        Ok(())
    }

    /// Whether `m` occurs in `t`; lowers the levels of `t`'s metas to `level`.
    fn occurs_adjust(&mut self, m: u32, level: u32, t: &Type) -> bool {
        match t.kind() {
            TypeKind::Meta(n) => {
                if *n == m {
                    return true;
                }
                let n = *n as usize;
                self.metas[n].level = self.metas[n].level.min(level);
                false
            }
            TypeKind::Var(_) => false,
            TypeKind::Con(_, args) => args.iter().any(|a| self.occurs_adjust(m, level, a)),
            TypeKind::Fun(a, r) => {
                self.occurs_adjust(m, level, a) || self.occurs_adjust(m, level, r)
            }
            TypeKind::Forall(_, b) => self.occurs_adjust(m, level, b),
        }
    }

    fn fresh_tyvar(&mut self, name: &str) -> TyVar {
        TyVar {
            name: Rc::from(name),
            unique: self.env.fresh(),
        }
    }

    /// Instantiates the outer `forall`s with fresh metas: `e @t1 ... @tn`.
    fn instantiate(&mut self, mut e: Expr, mut t: Type) -> (Expr, Type) {
        loop {
            let s = self.prune(&t);
            let TypeKind::Forall(v, body) = s.kind() else {
                return (e, s);
            };
            let m = self.fresh_meta(true);
            t = body.subst(v, &m);
            e = Expr::ty_app(e, m);
        }
    }

    // ----- names -----

    fn var_occurrence(&mut self, u: Unique, name: &Symbol, span: Span) -> IResult<(Expr, Type)> {
        if let Some(info) = self.vars.get_mut(&u) {
            if info.in_group {
                info.used_in_group = true;
            }
            let id = info.id.clone();
            let t = id.ty.clone();
            return Ok((Expr::Var(id), t));
        }
        if let Some(id) = self.env.globals.get(&u) {
            let id = id.clone();
            let t = id.ty.clone();
            return Ok((Expr::Var(id), t));
        }
        Err(Diagnostic::error(
            span,
            format!("internal error: `{name}` has no type"),
        ))
    }

    /// A prelude function that sugar or overloading refers to.
    fn prelude_var(&mut self, name: &str, span: Span) -> IResult<(Expr, Type)> {
        let u = if self.is_prelude {
            self.module_names.get(name).copied()
        } else {
            self.env.prelude.get(name).copied()
        };
        match u {
            Some(u) => self.var_occurrence(u, &Rc::from(name), span),
            None => Err(Diagnostic::error(
                span,
                format!("this needs the prelude function `{name}`, which is not defined"),
            )),
        }
    }

    fn tycon_named(&self, name: &str, span: Span) -> IResult<types::TyConId> {
        self.env
            .types
            .get(name)
            .copied()
            .ok_or_else(|| Diagnostic::error(span, format!("this needs the prelude type `{name}`")))
    }

    /// The type of an overloaded name, with its constrained meta and the
    /// metas of its other type variables.
    fn overload_type(&mut self, o: Overload, span: Span) -> IResult<(Type, u32, Vec<Type>)> {
        // Not lifted-only: at `Int#` the constraint reports a better error.
        let n = self.fresh_meta(false);
        let TypeKind::Meta(nm) = n.kind() else {
            unreachable!()
        };
        let nm = *nm;
        let mut others = Vec::new();
        let t = match o.scheme() {
            "n -> n -> n" => Type::funs([n.clone(), n.clone()], n.clone()),
            "n -> n" => Type::fun(n.clone(), n.clone()),
            "[n] -> n" => Type::fun(Type::list(n.clone()), n.clone()),
            "n -> n -> Bool" => Type::funs([n.clone(), n.clone()], Type::bool()),
            "n -> n -> Ordering" => Type::funs(
                [n.clone(), n.clone()],
                Type::con0(self.tycon_named("Ordering", span)?),
            ),
            "n -> [n] -> Bool" => Type::funs([n.clone(), Type::list(n.clone())], Type::bool()),
            "n -> [(n, b)] -> Maybe b" => {
                let b = self.fresh_meta(true);
                others.push(b.clone());
                let pair = Type::con(types::tuple_tycon(2), vec![n.clone(), b.clone()]);
                Type::funs(
                    [n.clone(), Type::list(pair)],
                    Type::con(self.tycon_named("Maybe", span)?, vec![b]),
                )
            }
            s => {
                return Err(Diagnostic::error(
                    span,
                    format!("internal error: unknown overload scheme {s}"),
                ))
            }
        };
        Ok((t, nm, others))
    }

    fn placeholder(&mut self, p: Pending, name: &str, ty: Type) -> Expr {
        let u = PLACEHOLDER + self.pending.len() as u32;
        self.pending.push(p);
        Expr::Var(Id {
            name: Rc::from(name),
            unique: u,
            ty,
        })
    }

    fn overloaded(&mut self, o: Overload, span: Span) -> IResult<(Expr, Type)> {
        let (t, meta, others) = self.overload_type(o, span)?;
        let p = Pending {
            constraint: Constraint::Overload(o),
            meta,
            others,
            value: 0,
            span,
        };
        Ok((self.placeholder(p, o.name(), t.clone()), t))
    }

    fn num_literal(&mut self, n: i64, span: Span) -> (Expr, Type) {
        let t = self.fresh_meta(false);
        let TypeKind::Meta(m) = t.kind() else {
            unreachable!()
        };
        let p = Pending {
            constraint: Constraint::NumLit,
            meta: *m,
            others: Vec::new(),
            value: n,
            span,
        };
        (self.placeholder(p, "literal", t.clone()), t)
    }

    /// The value an operator or name refers to, not yet instantiated.
    fn res_sigma(&mut self, res: Res, name: &Symbol, span: Span) -> IResult<(Expr, Type)> {
        match res {
            Res::Var(u) => self.var_occurrence(u, name, span),
            Res::Con(c) => Ok((Expr::Con(c), self.env.data.con_type(c))),
            Res::Prim(p) => Ok((Expr::Prim(p), p.ty())),
            Res::Overloaded(o) => self.overloaded(o, span),
            Res::Error => Ok((Expr::Lit(Literal::Int(0)), self.poison())),
            Res::Unresolved => Err(Diagnostic::error(
                span,
                format!("internal error: `{name}` was not renamed"),
            )),
        }
    }

    // ----- type syntax -----

    /// A type in an annotation or signature: free variables are implicitly
    /// quantified (the returned list), scoped ones refer to enclosing `\@a`.
    fn sig_type(&mut self, t: &ast::Type) -> IResult<(Vec<TyVar>, Type)> {
        let scoped = self.tyscope.clone();
        let mut tvs = TyVarScope::Implicit {
            scoped: &scoped,
            new: Vec::new(),
        };
        let ty = resolve_type(
            &self.env.types,
            &self.env.data,
            &mut tvs,
            &mut self.env.supply,
            t,
        )?;
        let TyVarScope::Implicit { new, .. } = tvs else {
            unreachable!()
        };
        Ok((new, ty))
    }

    /// A type that may only mention scoped type variables (binder
    /// annotations, type applications).
    fn scoped_type(&mut self, t: &ast::Type) -> IResult<Type> {
        let (new, ty) = self.sig_type(t)?;
        if let Some(v) = new.first() {
            let span = find_tyvar_span(t, &v.name).unwrap_or(t.span);
            return Err(Diagnostic::error(
                span,
                format!("the type variable `{}` is not in scope", v.name),
            )
            .with_label("not bound here")
            .with_note(format!(
                "bind it with a type parameter `@{}` on an enclosing lambda or definition",
                v.name
            )));
        }
        Ok(ty)
    }

    // ----- expressions -----

    /// Infers a type without instantiating outer `forall`s.
    fn infer_sigma(&mut self, e: &ast::Expr) -> IResult<(Expr, Type)> {
        crate::session::deep(|| self.infer_sigma_inner(e))
    }

    fn infer_sigma_inner(&mut self, e: &ast::Expr) -> IResult<(Expr, Type)> {
        match &e.kind {
            ExprKind::Var(id, res) | ExprKind::Con(id, res) => {
                self.res_sigma(*res, &id.name, e.span)
            }
            ExprKind::OpVar(op) => self.res_sigma(op.res, &op.name, e.span),
            ExprKind::Paren(x) => self.infer_sigma(x),
            ExprKind::TyApp(f, t) => {
                let (fe, ft) = self.infer_sigma(f)?;
                let arg = self.scoped_type(t)?;
                if arg.is_unlifted() {
                    return Err(Diagnostic::error(
                        t.span,
                        format!(
                            "the unboxed type `{}` cannot instantiate a type variable",
                            self.show(&arg)
                        ),
                    )
                    .with_label("unboxed"));
                }
                let ft = self.prune(&ft);
                match ft.kind() {
                    TypeKind::Forall(v, body) => Ok((Expr::ty_app(fe, arg.clone()), body.subst(v, &arg))),
                    _ => Err(Diagnostic::error(f.span, format!("cannot apply this to a type argument: its type `{}` is not polymorphic", self.show(&ft)))
                        .with_label("not polymorphic")
                        .with_secondary(t.span, "type argument")),
                }
            }
            ExprKind::Annot(x, t) => {
                let (new, ty) = self.sig_type(t)?;
                let sigma = Type::foralls(new, ty);
                let ex = self.check(
                    x,
                    &sigma,
                    &Origin {
                        span: t.span,
                        why: "by this annotation".into(),
                    },
                )?;
                Ok((ex, sigma))
            }
            ExprKind::Lam(bs, body) if matches!(bs.first(), Some(Binder::Type(_))) => {
                self.infer_lam(bs, body)
            }
            _ => self.infer(e),
        }
    }

    /// Infers a type and instantiates it (a rho type).
    fn infer(&mut self, e: &ast::Expr) -> IResult<(Expr, Type)> {
        crate::session::deep(|| self.infer_inner(e))
    }

    fn infer_inner(&mut self, e: &ast::Expr) -> IResult<(Expr, Type)> {
        match &e.kind {
            ExprKind::Var(..)
            | ExprKind::Con(..)
            | ExprKind::OpVar(_)
            | ExprKind::TyApp(..)
            | ExprKind::Annot(..) => {
                let (ex, t) = self.infer_sigma(e)?;
                Ok(self.instantiate(ex, t))
            }
            ExprKind::Paren(x) => self.infer(x),
            ExprKind::Lit(l) => Ok(self.literal(l, e.span)),
            ExprKind::App(f, a) => {
                let (fe, ft) = self.infer(f)?;
                self.apply(fe, ft, f.span, a)
            }
            ExprKind::Lam(bs, body) => {
                let (ex, t) = self.infer_lam(bs, body)?;
                Ok(self.instantiate(ex, t))
            }
            ExprKind::Let(items, body, groups) => {
                let saved = self.tyscope.clone();
                let binds = self.let_groups(items, groups)?;
                let (be, bt) = self.infer(body)?;
                self.tyscope = saved;
                Ok((wrap_lets(binds, be), bt))
            }
            ExprKind::Case(..) | ExprKind::If(..) => {
                let r = self.fresh_meta(false);
                let ex = self.check(
                    e,
                    &r,
                    &Origin {
                        span: e.span,
                        why: "here".into(),
                    },
                )?;
                Ok((ex, r))
            }
            ExprKind::BinOp(op, l, r) => {
                let (oe, ot) = self.res_sigma(op.res, &op.name, op.span)?;
                let (oe, ot) = self.instantiate(oe, ot);
                let (ae, at) = self.apply(oe, ot, op.span, l)?;
                self.apply(ae, at, op.span, r)
            }
            ExprKind::Neg(x) => {
                let lit = match &x.kind {
                    ExprKind::Lit(Lit::Int(n)) => Some(self.num_literal(n.wrapping_neg(), e.span)),
                    ExprKind::Lit(Lit::Double(d)) => {
                        Some((Expr::Lit(Literal::Double(-d)), Type::double()))
                    }
                    ExprKind::Lit(Lit::IntPrim(n)) => Some((
                        Expr::Lit(Literal::IntPrim(n.wrapping_neg())),
                        Type::int_prim(),
                    )),
                    ExprKind::Lit(Lit::DoublePrim(d)) => {
                        Some((Expr::Lit(Literal::DoublePrim(-d)), Type::double_prim()))
                    }
                    _ => None,
                };
                if let Some(l) = lit {
                    return Ok(l);
                }
                let (ne, nt) = self.overloaded(Overload::Negate, e.span)?;
                self.apply(ne, nt, e.span, x)
            }
            ExprKind::SectionL(x, op) => {
                let (oe, ot) = self.res_sigma(op.res, &op.name, op.span)?;
                let (oe, ot) = self.instantiate(oe, ot);
                self.apply(oe, ot, op.span, x)
            }
            ExprKind::SectionR(op, x) => {
                // (op e) = \y -> y op e
                let (oe, ot) = self.res_sigma(op.res, &op.name, op.span)?;
                let (oe, ot) = self.instantiate(oe, ot);
                let (a, rest) = self.split_fun(&ot, op.span, &op.name)?;
                let (b, res) = self.split_fun(&rest, op.span, &op.name)?;
                let xe = self.check(
                    x,
                    &b,
                    &Origin {
                        span: op.span,
                        why: format!("as the second argument of `{}`", op.name),
                    },
                )?;
                let y = Id {
                    name: Rc::from("y"),
                    unique: self.env.fresh(),
                    ty: a.clone(),
                };
                let body = Expr::apps(oe, [Expr::Var(y.clone()), xe]);
                Ok((Expr::lam(y, body), Type::fun(a, res)))
            }
            ExprKind::List(items) => {
                let elem = self.fresh_meta(true);
                let origin = Origin {
                    span: items.first().map_or(e.span, |i| i.span),
                    why: "because the list's elements all have one type".into(),
                };
                let mut es = Vec::with_capacity(items.len());
                for it in items {
                    es.push(self.check(it, &elem, &origin)?);
                }
                let list = |xs: Vec<Expr>| {
                    let mut out = Expr::ty_app(Expr::Con(types::NIL), elem.clone());
                    for x in xs.into_iter().rev() {
                        out = Expr::apps(
                            Expr::ty_app(Expr::Con(types::CONS), elem.clone()),
                            [x, out],
                        );
                    }
                    out
                };
                if es.len() <= LIST_CHUNK {
                    return Ok((list(es), Type::list(elem)));
                }
                // See Note [Long list literals].
                let (append, append_ty) = self.prelude_var("++", e.span)?;
                let (append, append_ty) = self.instantiate(append, append_ty);
                let l = Type::list(elem.clone());
                self.unify(
                    &append_ty,
                    &Type::funs([l.clone(), l.clone()], l.clone()),
                    e.span,
                    &origin,
                )?;
                let mut chunks = Vec::new();
                let mut es = es.into_iter().peekable();
                while es.peek().is_some() {
                    chunks.push(list(es.by_ref().take(LIST_CHUNK).collect()));
                }
                let mut out = chunks.pop().expect("more than one chunk");
                while let Some(chunk) = chunks.pop() {
                    out = Expr::apps(append.clone(), [chunk, out]);
                }
                Ok((out, l))
            }
            ExprKind::Range(a, b, c) => {
                let name = match (b.is_some(), c.is_some()) {
                    (false, false) => "enumFrom",
                    (true, false) => "enumFromThen",
                    (false, true) => "enumFromTo",
                    (true, true) => "enumFromThenTo",
                };
                let (fe, ft) = self.prelude_var(name, e.span)?;
                let (mut fe, mut ft) = self.instantiate(fe, ft);
                for x in [Some(a), b.as_ref(), c.as_ref()].into_iter().flatten() {
                    (fe, ft) = self.apply(fe, ft, e.span, x)?;
                }
                Ok((fe, ft))
            }
            ExprKind::Tuple(items) => {
                let mut es = Vec::new();
                let mut ts = Vec::new();
                for it in items {
                    let (x, t) = self.infer(it)?;
                    let t = self.prune(&t);
                    if t.is_unlifted() {
                        return Err(Diagnostic::error(
                            it.span,
                            format!(
                                "the unboxed type `{}` cannot be a tuple component",
                                self.show(&t)
                            ),
                        ));
                    }
                    if let TypeKind::Meta(m) = t.kind() {
                        self.metas[*m as usize].lifted = true;
                    }
                    es.push(x);
                    ts.push(t);
                }
                let con =
                    Expr::ty_apps(Expr::Con(types::tuple_con(items.len())), ts.iter().cloned());
                Ok((
                    Expr::apps(con, es),
                    Type::con(types::tuple_tycon(items.len()), ts),
                ))
            }
            ExprKind::Unit => Ok((Expr::Con(types::UNIT_CON), Type::con0(types::UNIT))),
        }
    }

    fn split_fun(&mut self, t: &Type, span: Span, name: &str) -> IResult<(Type, Type)> {
        let t = self.prune(t);
        if let TypeKind::Fun(a, r) = t.kind() {
            return Ok((a.clone(), r.clone()));
        }
        let a = self.fresh_meta(false);
        let r = self.fresh_meta(false);
        let f = Type::fun(a.clone(), r.clone());
        self.unify(
            &t,
            &f,
            span,
            &Origin {
                span,
                why: format!("because `{name}` is applied to an argument"),
            },
        )?;
        Ok((a, r))
    }

    /// `f a` where `f : ft` has been inferred.
    fn apply(&mut self, fe: Expr, ft: Type, fspan: Span, arg: &ast::Expr) -> IResult<(Expr, Type)> {
        let ft = self.prune(&ft);
        let (a, r) = match ft.kind() {
            TypeKind::Fun(a, r) => (a.clone(), r.clone()),
            TypeKind::Meta(_) => {
                let a = self.fresh_meta(false);
                let r = self.fresh_meta(false);
                self.unify(
                    &ft,
                    &Type::fun(a.clone(), r.clone()),
                    fspan,
                    &Origin {
                        span: arg.span,
                        why: "because it is applied to this argument".into(),
                    },
                )?;
                (a, r)
            }
            _ => {
                return Err(Diagnostic::error(
                    fspan,
                    format!(
                        "this is applied to an argument, but its type `{}` is not a function type",
                        self.show(&ft)
                    ),
                )
                .with_label("not a function")
                .with_secondary(arg.span, "the extra argument"))
            }
        };
        let ae = self.check(
            arg,
            &a,
            &Origin {
                span: fspan,
                why: "by the function's parameter type".into(),
            },
        )?;
        Ok((Expr::app(fe, ae), r))
    }

    fn literal(&mut self, l: &Lit, span: Span) -> (Expr, Type) {
        match l {
            Lit::Int(n) => self.num_literal(*n, span),
            Lit::Double(d) => (Expr::Lit(Literal::Double(*d)), Type::double()),
            Lit::Char(c) => (Expr::Lit(Literal::Char(*c)), Type::char()),
            Lit::String(s) => (Expr::Lit(Literal::String(s.clone())), Type::string()),
            Lit::IntPrim(n) => (Expr::Lit(Literal::IntPrim(*n)), Type::int_prim()),
            Lit::DoublePrim(d) => (Expr::Lit(Literal::DoublePrim(*d)), Type::double_prim()),
            Lit::CharPrim(c) => (Expr::Lit(Literal::CharPrim(*c)), Type::char_prim()),
        }
    }

    fn infer_lam(&mut self, bs: &[Binder], body: &ast::Expr) -> IResult<(Expr, Type)> {
        let saved = self.tyscope.clone();
        let r = self.infer_lam_inner(bs, body);
        self.tyscope = saved;
        r
    }

    fn infer_lam_inner(&mut self, bs: &[Binder], body: &ast::Expr) -> IResult<(Expr, Type)> {
        let Some((b, rest)) = bs.split_first() else {
            return self.infer(body);
        };
        match b {
            Binder::Type(a) => {
                let tv = self.fresh_tyvar(&a.name);
                self.tyscope.insert(a.name.clone(), tv.clone());
                let (be, bt) = if rest.is_empty() {
                    self.infer_sigma(body)?
                } else {
                    self.infer_lam_inner(rest, body)?
                };
                Ok((Expr::ty_lam(tv.clone(), be), Type::forall(tv, bt)))
            }
            _ => {
                let x = self.binder_id(b, None)?;
                let (be, bt) = self.infer_lam_inner(rest, body)?;
                Ok((Expr::lam(x.clone(), be), Type::fun(x.ty, bt)))
            }
        }
    }

    /// The Id of a value binder, of the expected type if known.
    fn binder_id(&mut self, b: &Binder, expected: Option<&Type>) -> IResult<Id> {
        let (name, unique, ty): (Symbol, Unique, Type) = match b {
            Binder::Var(x, u) => (
                x.name.clone(),
                *u,
                expected.cloned().unwrap_or_else(|| self.fresh_meta(false)),
            ),
            Binder::Wild(_) => (
                Rc::from("_"),
                self.env.fresh(),
                expected.cloned().unwrap_or_else(|| self.fresh_meta(false)),
            ),
            Binder::Annot(x, u, t) => {
                let ty = self.scoped_type(t)?;
                if let Some(e) = expected {
                    self.unify(
                        &ty,
                        e,
                        t.span,
                        &Origin {
                            span: t.span,
                            why: "by the type this lambda is checked against".into(),
                        },
                    )?;
                }
                (x.name.clone(), *u, ty)
            }
            Binder::Type(_) => unreachable!("type binders are handled by the caller"),
        };
        let id = Id {
            name: if name.as_ref() == "_" {
                Rc::from("wild")
            } else {
                name
            },
            unique,
            ty,
        };
        self.vars.insert(
            unique,
            VarInfo {
                id: id.clone(),
                in_progress: false,
                in_group: false,
                used_in_group: false,
            },
        );
        Ok(id)
    }

    /// Checks an expression against a known type.
    fn check(&mut self, e: &ast::Expr, expected: &Type, origin: &Origin) -> IResult<Expr> {
        crate::session::deep(|| self.check_inner(e, expected, origin))
    }

    fn check_inner(&mut self, e: &ast::Expr, expected: &Type, origin: &Origin) -> IResult<Expr> {
        let exp = self.prune(expected);
        if let TypeKind::Forall(v, body) = exp.kind() {
            // An explicit `\@b -> e` binds the signature's variable; anything
            // else is checked at a fresh rigid variable (skolemisation).
            if let ExprKind::Lam(bs, lbody) = &e.kind {
                if let Some((Binder::Type(b), rest)) = bs.split_first() {
                    let saved = self.tyscope.clone();
                    self.tyscope.insert(b.name.clone(), v.clone());
                    let inner = if rest.is_empty() {
                        self.check(lbody, body, origin)
                    } else {
                        let lam = ast::Expr {
                            kind: ExprKind::Lam(rest.to_vec(), lbody.clone()),
                            span: e.span,
                        };
                        self.check(&lam, body, origin)
                    };
                    self.tyscope = saved;
                    return Ok(Expr::ty_lam(v.clone(), inner?));
                }
            }
            let inner = self.check(e, body, origin)?;
            return Ok(Expr::ty_lam(v.clone(), inner));
        }
        match &e.kind {
            ExprKind::Paren(x) => self.check(x, expected, origin),
            ExprKind::Lam(bs, body) => {
                let (b, rest) = bs.split_first().expect("lambdas have binders");
                if let Binder::Type(_) = b {
                    let (ex, t) = self.infer_sigma(e)?;
                    let (ex, t) = self.instantiate(ex, t);
                    self.unify(&t, expected, e.span, origin)?;
                    return Ok(ex);
                }
                let (a, r) = match exp.kind() {
                    TypeKind::Fun(a, r) => (a.clone(), r.clone()),
                    _ => {
                        let (ex, t) = self.infer(e)?;
                        self.unify(&t, expected, e.span, origin)?;
                        return Ok(ex);
                    }
                };
                let x = self.binder_id(b, Some(&a))?;
                let be = if rest.is_empty() {
                    self.check(body, &r, origin)?
                } else {
                    let lam = ast::Expr {
                        kind: ExprKind::Lam(rest.to_vec(), body.clone()),
                        span: e.span,
                    };
                    self.check(&lam, &r, origin)?
                };
                Ok(Expr::lam(x, be))
            }
            ExprKind::Let(items, body, groups) => {
                let saved = self.tyscope.clone();
                let binds = self.let_groups(items, groups)?;
                let be = self.check(body, expected, origin)?;
                self.tyscope = saved;
                Ok(wrap_lets(binds, be))
            }
            ExprKind::If(c, t, f) => {
                let ce = self.check(
                    c,
                    &Type::bool(),
                    &Origin {
                        span: c.span,
                        why: "because it is the condition of `if`".into(),
                    },
                )?;
                let te = self.check(t, expected, origin)?;
                let fe = self.check(
                    f,
                    expected,
                    &Origin {
                        span: t.span,
                        why: "because both branches of `if` have one type".into(),
                    },
                )?;
                Ok(Expr::Case(Box::new(Case {
                    scrut: ce,
                    ty: expected.clone(),
                    alts: vec![
                        Alt {
                            pat: Pat::Con(types::FALSE, vec![]),
                            rhs: fe,
                        },
                        Alt {
                            pat: Pat::Con(types::TRUE, vec![]),
                            rhs: te,
                        },
                    ],
                    span: e.span,
                })))
            }
            ExprKind::Case(scrut, alts) => self.case(e.span, scrut, alts, expected, origin),
            _ => {
                let (ex, t) = self.infer(e)?;
                self.unify(&t, expected, e.span, origin)?;
                Ok(ex)
            }
        }
    }

    fn case(
        &mut self,
        span: Span,
        scrut: &ast::Expr,
        alts: &[ast::Alt],
        expected: &Type,
        origin: &Origin,
    ) -> IResult<Expr> {
        let (se, st) = self.infer(scrut)?;
        let mut out = Vec::new();
        let mut first_rhs: Option<Span> = None;
        for a in alts {
            let pat_origin = Origin {
                span: scrut.span,
                why: "because patterns match the scrutinee's type".into(),
            };
            let pat = match &a.pat {
                APat::Con(c, res, vars) => {
                    let Res::Con(cid) = *res else {
                        // Already reported by the renamer.
                        return Err(Diagnostic::error(
                            c.span,
                            format!("unknown constructor `{}`", c.name),
                        ));
                    };
                    self.con_pat(cid, vars, &st, a.pat_span(), &pat_origin)?
                }
                APat::Nil(s) => self.con_pat(types::NIL, &[], &st, *s, &pat_origin)?,
                APat::Cons(h, t) => self.con_pat(
                    types::CONS,
                    &[h.clone(), t.clone()],
                    &st,
                    a.pat_span(),
                    &pat_origin,
                )?,
                APat::Tuple(vars, s) => {
                    self.con_pat(types::tuple_con(vars.len()), vars, &st, *s, &pat_origin)?
                }
                APat::Lit(l, s) => {
                    let (lit, lt) = match l {
                        Lit::Int(n) => {
                            let (_, t) = self.num_literal(*n, *s);
                            (Literal::Int(*n), t)
                        }
                        Lit::Double(d) => (Literal::Double(*d), Type::double()),
                        Lit::Char(c) => (Literal::Char(*c), Type::char()),
                        Lit::String(_) => {
                            return Err(Diagnostic::error(
                                *s,
                                "string literals cannot be matched in a `case`",
                            )
                            .with_label("string pattern")
                            .with_note("compare strings with `eqString`"))
                        }
                        Lit::IntPrim(n) => (Literal::IntPrim(*n), Type::int_prim()),
                        Lit::DoublePrim(d) => (Literal::DoublePrim(*d), Type::double_prim()),
                        Lit::CharPrim(c) => (Literal::CharPrim(*c), Type::char_prim()),
                    };
                    self.unify(&lt, &st, *s, &pat_origin)?;
                    Pat::Lit(lit)
                }
                APat::Var(x, u) => {
                    let id = Id {
                        name: x.name.clone(),
                        unique: *u,
                        ty: st.clone(),
                    };
                    self.vars.insert(
                        *u,
                        VarInfo {
                            id: id.clone(),
                            in_progress: false,
                            in_group: false,
                            used_in_group: false,
                        },
                    );
                    Pat::Default(Some(id))
                }
                APat::Wild(_) => Pat::Default(None),
            };
            let o = match first_rhs {
                None => origin.clone(),
                Some(s) => Origin {
                    span: s,
                    why: "because all alternatives of a `case` have one type".into(),
                },
            };
            let rhs = self.check(&a.body, expected, &o)?;
            first_rhs.get_or_insert(a.body.span);
            out.push(Alt { pat, rhs });
        }
        // A default alternative must come last; anything after it is dead.
        if let Some(i) = out.iter().position(|a| matches!(a.pat, Pat::Default(_))) {
            if i + 1 < out.len() {
                return Err(Diagnostic::error(
                    alts[i + 1].span,
                    "this alternative can never be reached",
                )
                .with_label("unreachable")
                .with_secondary(
                    alts[i].span,
                    "this default alternative matches everything first",
                ));
            }
        }
        Ok(Expr::Case(Box::new(Case {
            scrut: se,
            ty: expected.clone(),
            alts: out,
            span,
        })))
    }

    fn con_pat(
        &mut self,
        c: ConId,
        vars: &[PVar],
        st: &Type,
        span: Span,
        origin: &Origin,
    ) -> IResult<Pat> {
        let dc = self.env.data.con(c).clone();
        let params = self.env.data.tycon(dc.tycon).params.len();
        let args: Vec<Type> = (0..params).map(|_| self.fresh_meta(true)).collect();
        let t = Type::con(dc.tycon, args.clone());
        self.unify(&t, st, span, origin)?;
        let fields = self.env.data.con_fields_at(c, &args);
        if fields.len() != vars.len() {
            return Err(Diagnostic::error(
                span,
                format!(
                    "the constructor `{}` has {} fields, but this pattern binds {}",
                    dc.name,
                    fields.len(),
                    vars.len()
                ),
            ));
        }
        let mut ids = Vec::new();
        for (v, ft) in vars.iter().zip(fields) {
            let (name, unique) = match v {
                PVar::Var(x, u) => (x.name.clone(), *u),
                PVar::Wild(_) => (Rc::from("wild"), self.env.fresh()),
            };
            let id = Id {
                name,
                unique,
                ty: ft,
            };
            self.vars.insert(
                unique,
                VarInfo {
                    id: id.clone(),
                    in_progress: false,
                    in_group: false,
                    used_in_group: false,
                },
            );
            ids.push(id);
        }
        Ok(Pat::Con(c, ids))
    }

    // ----- binding groups -----

    fn let_groups(&mut self, items: &[LetItem], groups: &[Vec<usize>]) -> IResult<Vec<Bind>> {
        let sigs: HashMap<Symbol, &ast::Sig> = items
            .iter()
            .filter_map(|i| match i {
                LetItem::Sig(s) => Some((s.name.name.clone(), s)),
                _ => None,
            })
            .collect();
        let mut binds = Vec::new();
        for g in groups {
            let defs: Vec<(&ast::Def, Option<&ast::Sig>)> = g
                .iter()
                .filter_map(|&i| match &items[i] {
                    LetItem::Def(d) => Some((d, sigs.get(&d.name.name).copied())),
                    _ => None,
                })
                .collect();
            binds.push(self.group(&defs)?);
        }
        Ok(binds)
    }

    /// Infers one strongly connected group of bindings and generalises it.
    fn group(&mut self, defs: &[(&ast::Def, Option<&ast::Sig>)]) -> IResult<Bind> {
        // Binder types: the signature, or a fresh meta one level down.
        self.level += 1;
        let mut ids = Vec::new();
        for (d, sig) in defs {
            let ty = match sig {
                Some(s) => {
                    let (new, t) = self.sig_type(&s.ty)?;
                    let sigma = Type::foralls(new, t);
                    if sigma.split_foralls().1.is_unlifted() {
                        self.level -= 1;
                        return Err(Diagnostic::error(s.ty.span, format!("`{}` cannot have the unboxed type `{}`", d.name.name, self.show(&sigma)))
                            .with_label("unboxed")
                            .with_note("unboxed values cannot be bound by `let` or at top level; box them with `I#`, `D#` or `C#`"));
                    }
                    sigma
                }
                None => self.fresh_meta(false),
            };
            let id = Id {
                name: d.name.name.clone(),
                unique: d.unique,
                ty,
            };
            self.vars.insert(
                d.unique,
                VarInfo {
                    id: id.clone(),
                    in_progress: sig.is_none(),
                    in_group: true,
                    used_in_group: false,
                },
            );
            ids.push(id);
        }
        let mut rhss = Vec::new();
        let mut result = Ok(());
        for ((d, sig), id) in defs.iter().zip(&ids) {
            let lam;
            let body: &ast::Expr = if d.binders.is_empty() {
                &d.body
            } else {
                lam = ast::Expr {
                    kind: ExprKind::Lam(d.binders.clone(), Box::new(d.body.clone())),
                    span: d.span,
                };
                &lam
            };
            let r = match sig {
                Some(s) => self.check(
                    body,
                    &id.ty,
                    &Origin {
                        span: s.ty.span,
                        why: format!("by the signature of `{}`", d.name.name),
                    },
                ),
                None => self.infer(body).and_then(|(e, t)| {
                    self.unify(
                        &t,
                        &id.ty,
                        d.name.span,
                        &Origin {
                            span: d.name.span,
                            why: format!("by the other uses of `{}`", d.name.name),
                        },
                    )?;
                    Ok(e)
                }),
            };
            match r {
                Ok(e) => rhss.push(e),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.level -= 1;
        if let Err(e) = result {
            // Poison the binders without signatures so later uses are quiet.
            for ((_, sig), id) in defs.iter().zip(&ids) {
                if sig.is_none() {
                    let p = self.poison();
                    if let Some(v) = self.vars.get_mut(&id.unique) {
                        v.id.ty = p;
                        v.in_progress = false;
                    }
                }
            }
            return Err(e);
        }

        // Unboxed types cannot be let-bound.
        for ((d, _), id) in defs.iter().zip(&ids) {
            let t = self.prune(&id.ty);
            if t.is_unlifted() {
                return Err(Diagnostic::error(d.name.span, format!("`{}` cannot be bound to a value of the unboxed type `{}`", d.name.name, self.show(&t)))
                    .with_label("unboxed value bound here")
                    .with_note("unboxed values cannot be bound by `let` or at top level: use `case` to bind them, or box them with `I#`, `D#` or `C#`"));
            }
            if let TypeKind::Meta(m) = t.kind() {
                self.metas[*m as usize].lifted = true;
            }
        }

        // Generalise the binders without signatures over the metas of this
        // level that no pending overload constrains.
        let constrained: Vec<u32> = self.pending.iter().map(|p| p.meta).collect();
        let constrained: Vec<u32> = constrained
            .iter()
            .filter_map(|&m| self.root_meta(m))
            .collect();
        let mut gen: Vec<u32> = Vec::new();
        for ((_, sig), id) in defs.iter().zip(&ids) {
            if sig.is_none() {
                let t = self.resolve(&id.ty);
                self.collect_metas(&t, &mut gen);
            }
        }
        gen.retain(|m| self.metas[*m as usize].level > self.level && !constrained.contains(m));
        let mut tvs = Vec::new();
        for (i, m) in gen.iter().enumerate() {
            let tv = self.fresh_tyvar(&tyvar_name(i));
            self.metas[*m as usize].solution = Some(Type::var(tv.clone()));
            tvs.push(tv);
        }
        let recursive = defs.len() > 1
            || ids
                .iter()
                .any(|id| self.vars.get(&id.unique).is_some_and(|v| v.used_in_group));
        let mut pairs = Vec::new();
        for (((_, sig), id), rhs) in defs.iter().zip(ids).zip(rhss) {
            let (id, rhs) = if sig.is_none() {
                let ty = Type::foralls(tvs.iter().cloned(), self.resolve(&id.ty));
                if recursive && !tvs.is_empty() {
                    self.rec_fix.insert(id.unique, tvs.clone());
                }
                let rhs = tvs
                    .iter()
                    .rev()
                    .fold(rhs, |acc, tv| Expr::ty_lam(tv.clone(), acc));
                (Id { ty, ..id }, rhs)
            } else {
                (id, rhs)
            };
            self.vars.insert(
                id.unique,
                VarInfo {
                    id: id.clone(),
                    in_progress: false,
                    in_group: false,
                    used_in_group: false,
                },
            );
            pairs.push((id, rhs));
        }
        Ok(if recursive {
            Bind::Rec(pairs)
        } else {
            let (id, rhs) = pairs.pop().expect("a group has a binding");
            Bind::NonRec(id, rhs)
        })
    }

    fn root_meta(&mut self, m: u32) -> Option<u32> {
        match self.prune(&Type::meta(m)).kind() {
            TypeKind::Meta(r) => Some(*r),
            _ => None,
        }
    }

    fn collect_metas(&self, t: &Type, out: &mut Vec<u32>) {
        match t.kind() {
            TypeKind::Meta(m) => {
                if !out.contains(m) {
                    out.push(*m)
                }
            }
            TypeKind::Var(_) => {}
            TypeKind::Con(_, args) => args.iter().for_each(|a| self.collect_metas(a, out)),
            TypeKind::Fun(a, r) => {
                self.collect_metas(a, out);
                self.collect_metas(r, out)
            }
            TypeKind::Forall(_, b) => self.collect_metas(b, out),
        }
    }

    // ----- top level -----

    /// Elaborates a renamed module. Errors in one top-level group do not
    /// stop the others.
    pub fn module(
        &mut self,
        m: &ast::Module,
        renamed: &Renamed,
    ) -> (crate::ir::Module, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        for d in &m.decls {
            if let ast::Decl::Def(def) = d {
                if def.unique != 0 {
                    self.module_names.insert(def.name.name.clone(), def.unique);
                }
            }
        }
        let mut binds = Vec::new();
        for g in &renamed.groups {
            let defs: Vec<(&ast::Def, Option<&ast::Sig>)> = g
                .iter()
                .filter_map(|&i| match &m.decls[i] {
                    ast::Decl::Def(d) => {
                        let sig = renamed
                            .sigs
                            .get(&d.unique)
                            .and_then(|&si| match &m.decls[si] {
                                ast::Decl::Sig(s) => Some(s),
                                _ => None,
                            });
                        Some((d, sig))
                    }
                    _ => None,
                })
                .collect();
            match self.top_group(&defs) {
                Ok(b) => {
                    for id in b.binders() {
                        self.env.globals.insert(id.unique, id.clone());
                        self.vars.remove(&id.unique);
                    }
                    binds.push(b);
                }
                Err(e) => diags.push(e),
            }
        }
        (
            crate::ir::Module {
                data: renamed.data.clone(),
                binds,
            },
            diags,
        )
    }

    /// Elaborates an expression alone (a REPL line), defaulting as at top level.
    pub fn expr(&mut self, e: &ast::Expr) -> IResult<(Expr, Type)> {
        self.pending.clear();
        let (ex, t) = self.infer(e)?;
        self.default_pending()?;
        let t = self.zonk_type(&t);
        let ex = self.zonk(ex);
        Ok((ex, t))
    }

    fn top_group(&mut self, defs: &[(&ast::Def, Option<&ast::Sig>)]) -> IResult<Bind> {
        self.pending.clear();
        let b = self.group(defs)?;
        self.default_pending()?;
        let b = match b {
            Bind::NonRec(id, rhs) => {
                let id = self.zonk_id(id);
                Bind::NonRec(id, self.zonk(rhs))
            }
            Bind::Rec(pairs) => Bind::Rec(
                pairs
                    .into_iter()
                    .map(|(id, rhs)| (self.zonk_id(id), self.zonk(rhs)))
                    .collect(),
            ),
        };
        self.rec_fix.clear();
        Ok(b)
    }

    /// Resolves overloads and literals, defaulting open ones to `Int`.
    fn default_pending(&mut self) -> IResult<()> {
        for i in 0..self.pending.len() {
            let p = self.pending[i].clone();
            let t = self.prune(&Type::meta(p.meta));
            if let TypeKind::Meta(_) = t.kind() {
                let origin = Origin {
                    span: p.span,
                    why: "by defaulting".into(),
                };
                self.unify(&t, &Type::int(), p.span, &origin)?;
            }
            let t = self.resolve(&Type::meta(p.meta));
            let base = base_of(&t);
            let ok = match p.constraint {
                Constraint::NumLit => matches!(base, Some(Base::Int | Base::Double)),
                Constraint::Overload(o) => base.is_some_and(|b| o.instance(b).is_some()),
            };
            if !ok {
                let (what, at) = match p.constraint {
                    Constraint::NumLit => (
                        format!("the literal `{}`", p.value),
                        "Int and Double".to_string(),
                    ),
                    Constraint::Overload(o) => (
                        format!("`{}`", o.name()),
                        o.instances()
                            .iter()
                            .map(|(b, _)| format!("{b:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                            .replace(", Double, Char", ", Double and Char")
                            .replace("Int, Double", "Int and Double"),
                    ),
                };
                let mut d = Diagnostic::error(
                    p.span,
                    format!(
                        "{what} is used at type `{}`, but it works only at {at}",
                        self.show(&t)
                    ),
                )
                .with_label(format!("used at `{}`", self.show(&t)));
                if matches!(
                    p.constraint,
                    Constraint::Overload(Overload::Eq | Overload::Ne)
                ) && t.alpha_eq(&Type::string())
                {
                    d = d.with_note("compare strings with `eqString`");
                } else if matches!(p.constraint, Constraint::Overload(_)) {
                    d = d.with_note("overloaded operators work only at the base types listed (spec §4); write the function for other types yourself");
                }
                return Err(d);
            }
        }
        Ok(())
    }

    // ----- zonking -----

    fn zonk_type(&mut self, t: &Type) -> Type {
        // `prune`, not `shallow`: long chains of solved metas (a 20,000-long
        // `f $ f $ ...`) are compressed once, not walked at every node.
        let t = self.prune(t);
        match t.kind() {
            // An unconstrained, ungeneralised type: nothing depends on it.
            TypeKind::Meta(_) => Type::con0(types::UNIT),
            TypeKind::Var(_) => t,
            TypeKind::Con(c, args) => {
                if args.is_empty() {
                    t
                } else {
                    Type::con(*c, args.iter().map(|a| self.zonk_type(a)).collect())
                }
            }
            TypeKind::Fun(a, r) => Type::fun(self.zonk_type(a), self.zonk_type(r)),
            TypeKind::Forall(v, b) => Type::forall(v.clone(), self.zonk_type(b)),
        }
    }

    fn zonk_id(&mut self, id: Id) -> Id {
        Id {
            ty: self.zonk_type(&id.ty),
            ..id
        }
    }

    /// Final Core for a group: see Note [Elaboration placeholders].
    fn zonk(&mut self, e: Expr) -> Expr {
        crate::session::deep(|| self.zonk_inner(e))
    }

    fn zonk_inner(&mut self, e: Expr) -> Expr {
        match e {
            Expr::Var(id) if id.unique >= PLACEHOLDER => {
                let p = self.pending[(id.unique - PLACEHOLDER) as usize].clone();
                let t = self.resolve(&Type::meta(p.meta));
                let base = base_of(&t).unwrap_or(Base::Int);
                match p.constraint {
                    Constraint::NumLit => match base {
                        Base::Double => Expr::Lit(Literal::Double(p.value as f64)),
                        _ => Expr::Lit(Literal::Int(p.value)),
                    },
                    Constraint::Overload(o) => {
                        let name = o.instance(base).unwrap_or("plusInt");
                        let target = match self.prelude_var(name, p.span) {
                            Ok((e, _)) => e,
                            Err(_) => Expr::Var(Id {
                                name: Rc::from(name),
                                unique: 0,
                                ty: Type::con0(types::UNIT),
                            }),
                        };
                        let others: Vec<Type> =
                            p.others.iter().map(|t| self.zonk_type(t)).collect();
                        Expr::ty_apps(target, others)
                    }
                }
            }
            Expr::Var(id) => {
                let id = self.zonk_id(id);
                match self.rec_fix.get(&id.unique) {
                    Some(tvs) if !matches!(id.ty.kind(), TypeKind::Forall(..)) => {
                        let tvs = tvs.clone();
                        let ty = Type::foralls(tvs.iter().cloned(), id.ty.clone());
                        Expr::ty_apps(Expr::Var(Id { ty, ..id }), tvs.into_iter().map(Type::var))
                    }
                    _ => Expr::Var(id),
                }
            }
            Expr::Con(_) | Expr::Prim(_) | Expr::Lit(_) => e,
            Expr::App(f, a) => {
                let f = self.zonk(*f);
                Expr::app(f, self.zonk(*a))
            }
            Expr::TyApp(f, t) => {
                let f = self.zonk(*f);
                Expr::ty_app(f, self.zonk_type(&t))
            }
            Expr::Lam(x, b) => {
                let x = self.zonk_id(x);
                Expr::lam(x, self.zonk(*b))
            }
            Expr::TyLam(v, b) => Expr::ty_lam(v, self.zonk(*b)),
            Expr::Let(b, body) => {
                let b = match *b {
                    Bind::NonRec(x, rhs) => {
                        let x = self.zonk_id(x);
                        Bind::NonRec(x, self.zonk(rhs))
                    }
                    Bind::Rec(pairs) => Bind::Rec(
                        pairs
                            .into_iter()
                            .map(|(x, rhs)| (self.zonk_id(x), self.zonk(rhs)))
                            .collect(),
                    ),
                };
                Expr::Let(Box::new(b), Box::new(self.zonk(*body)))
            }
            Expr::Case(c) => {
                let Case {
                    scrut,
                    ty,
                    alts,
                    span,
                } = *c;
                let scrut = self.zonk(scrut);
                let ty = self.zonk_type(&ty);
                let alts: Vec<Alt> = alts
                    .into_iter()
                    .map(|a| {
                        let pat = match a.pat {
                            Pat::Con(c, xs) => {
                                Pat::Con(c, xs.into_iter().map(|x| self.zonk_id(x)).collect())
                            }
                            Pat::Default(Some(x)) => Pat::Default(Some(self.zonk_id(x))),
                            p => p,
                        };
                        Alt {
                            pat,
                            rhs: self.zonk(a.rhs),
                        }
                    })
                    .collect();
                if alts
                    .iter()
                    .any(|a| matches!(&a.pat, Pat::Lit(l) if is_boxed_lit(l)))
                {
                    return self.unbox_literal_case(scrut, ty, alts, span);
                }
                Expr::Case(Box::new(Case {
                    scrut,
                    ty,
                    alts,
                    span,
                }))
            }
        }
    }

    /// `case s of { 1 -> a; x -> b }` on a boxed type becomes
    /// `case s of { x -> case x of { I# u -> case u of { 1# -> a; _ -> b } } }`
    /// (the outer case only when the default binds the scrutinee).
    fn unbox_literal_case(&mut self, scrut: Expr, ty: Type, alts: Vec<Alt>, span: Span) -> Expr {
        let st = self.type_of(&scrut);
        let (con, prim_ty) = match st.kind() {
            TypeKind::Con(c, _) if *c == types::DOUBLE => (types::D_HASH, Type::double_prim()),
            TypeKind::Con(c, _) if *c == types::CHAR => (types::C_HASH, Type::char_prim()),
            _ => (types::I_HASH, Type::int_prim()),
        };
        let u = Id {
            name: Rc::from("u#"),
            unique: self.env.fresh(),
            ty: prim_ty,
        };
        let mut binder = None;
        let inner_alts: Vec<Alt> = alts
            .into_iter()
            .map(|a| {
                let pat = match a.pat {
                    Pat::Lit(Literal::Int(n)) if con == types::D_HASH => {
                        Pat::Lit(Literal::DoublePrim(n as f64))
                    }
                    Pat::Lit(Literal::Int(n)) => Pat::Lit(Literal::IntPrim(n)),
                    Pat::Lit(Literal::Double(d)) => Pat::Lit(Literal::DoublePrim(d)),
                    Pat::Lit(Literal::Char(c)) => Pat::Lit(Literal::CharPrim(c)),
                    Pat::Default(Some(x)) => {
                        binder = Some(x);
                        Pat::Default(None)
                    }
                    p => p,
                };
                Alt { pat, rhs: a.rhs }
            })
            .collect();
        let inner = Expr::Case(Box::new(Case {
            scrut: Expr::Var(u.clone()),
            ty: ty.clone(),
            alts: inner_alts,
            span,
        }));
        match binder {
            None => Expr::Case(Box::new(Case {
                scrut,
                ty,
                alts: vec![Alt {
                    pat: Pat::Con(con, vec![u]),
                    rhs: inner,
                }],
                span,
            })),
            Some(x) => {
                let unbox = Expr::Case(Box::new(Case {
                    scrut: Expr::Var(x.clone()),
                    ty: ty.clone(),
                    alts: vec![Alt {
                        pat: Pat::Con(con, vec![u]),
                        rhs: inner,
                    }],
                    span,
                }));
                Expr::Case(Box::new(Case {
                    scrut,
                    ty,
                    alts: vec![Alt {
                        pat: Pat::Default(Some(x)),
                        rhs: unbox,
                    }],
                    span,
                }))
            }
        }
    }

    /// The type of a zonked Core expression.
    fn type_of(&self, e: &Expr) -> Type {
        crate::session::deep(|| self.type_of_inner(e))
    }

    fn type_of_inner(&self, e: &Expr) -> Type {
        match e {
            Expr::Var(id) => id.ty.clone(),
            Expr::Con(c) => self.env.data.con_type(*c),
            Expr::Prim(p) => p.ty(),
            Expr::Lit(l) => l.ty(),
            Expr::App(f, _) => match self.type_of(f).kind() {
                TypeKind::Fun(_, r) => r.clone(),
                _ => Type::con0(types::UNIT),
            },
            Expr::TyApp(f, t) => match self.type_of(f).kind() {
                TypeKind::Forall(v, b) => b.subst(v, t),
                _ => Type::con0(types::UNIT),
            },
            Expr::Lam(x, b) => Type::fun(x.ty.clone(), self.type_of(b)),
            Expr::TyLam(v, b) => Type::forall(v.clone(), self.type_of(b)),
            Expr::Let(_, b) => self.type_of(b),
            Expr::Case(c) => c.ty.clone(),
        }
    }
}

enum UnifyError {
    Mismatch(Type, Type),
    Occurs(u32, Type),
    Unlifted(Type),
}

fn is_boxed_lit(l: &Literal) -> bool {
    matches!(l, Literal::Int(_) | Literal::Double(_) | Literal::Char(_))
}

fn base_of(t: &Type) -> Option<Base> {
    match t.kind() {
        TypeKind::Con(c, _) if *c == types::INT => Some(Base::Int),
        TypeKind::Con(c, _) if *c == types::DOUBLE => Some(Base::Double),
        TypeKind::Con(c, _) if *c == types::CHAR => Some(Base::Char),
        _ => None,
    }
}

fn tyvar_name(i: usize) -> String {
    let letter = (b'a' + (i % 26) as u8) as char;
    if i < 26 {
        letter.to_string()
    } else {
        format!("{letter}{}", i / 26)
    }
}

fn wrap_lets(binds: Vec<Bind>, body: Expr) -> Expr {
    binds
        .into_iter()
        .rev()
        .fold(body, |acc, b| Expr::Let(Box::new(b), Box::new(acc)))
}

fn find_tyvar_span(t: &ast::Type, name: &str) -> Option<Span> {
    use ast::TypeKind as K;
    match &t.kind {
        K::Var(v) if v.name.as_ref() == name => Some(v.span),
        K::Var(_) | K::Con(_) | K::Unit => None,
        K::App(h, args) => {
            find_tyvar_span(h, name).or_else(|| args.iter().find_map(|a| find_tyvar_span(a, name)))
        }
        K::Fun(a, r) => find_tyvar_span(a, name).or_else(|| find_tyvar_span(r, name)),
        K::Forall(_, b) | K::List(b) => find_tyvar_span(b, name),
        K::Tuple(xs) => xs.iter().find_map(|x| find_tyvar_span(x, name)),
    }
}

impl ast::Alt {
    fn pat_span(&self) -> Span {
        match &self.pat {
            APat::Con(c, _, vars) => vars.last().map_or(c.span, |v| {
                c.span.to(match v {
                    PVar::Var(x, _) => x.span,
                    PVar::Wild(s) => *s,
                })
            }),
            APat::Nil(s) | APat::Tuple(_, s) | APat::Lit(_, s) | APat::Wild(s) => *s,
            APat::Cons(h, t) => {
                let sp = |v: &PVar| match v {
                    PVar::Var(x, _) => x.span,
                    PVar::Wild(s) => *s,
                };
                sp(h).to(sp(t))
            }
            APat::Var(x, _) => x.span,
        }
    }
}
