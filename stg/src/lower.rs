//! Core → STG: A-normalisation, saturation, closures, and the strategy.
//!
//! One syntax-directed walk over (simplified) Core produces STG whose
//! arguments are atoms, whose constructor and primop applications are
//! saturated (eta-expanded into functions otherwise), and whose `let`s bind
//! closures. Types are erased here, keeping only each variable's [`Rep`].
//! Two later passes finish the job: `join` turns `let`-bound functions that
//! are only tail-called into join points, and `free` computes the closures'
//! free variables and the single-entry flags. [`StgEnv::lower_module`] runs
//! all three.
//!
//! The evaluation strategy is decided here and nowhere else; see
//! Note [Strategies in the lowering]. The module knows Core and STG, not
//! bytecode. Read next: `join`, then `free`.

use crate::strategy::{Strategy, CONTROL_FUNCTIONS};
use crate::syntax::*;
use sloth_core::ir::{self, Bind, Literal, Pat};
use sloth_core::primop::PrimOp;
use sloth_core::session::deep;
use sloth_core::source::Span;
use sloth_core::token::Symbol;
use sloth_core::types::{self as ty, ConId, DataEnv, Type, TypeKind, Unique};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

// Note [Strategies in the lowering]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The three strategies differ only in how a `let` and a non-atomic argument
// are lowered; `case` is the same everywhere.
//
// * need:  `let x = e in b`   ==>  let x = \u [] -> e in b     (updatable)
//          `f e`              ==>  let a = \u [] -> e in f a
// * name:  the same with re-entrant thunks (\r []): no update frame, so
//          every entry re-evaluates `e` (GHC's AP_NOUPD).
// * value: `let x = e in b`   ==>  case e of x { __DEFAULT -> b }
//          `f e`              ==>  case e of a { __DEFAULT -> f a }
//          except when `e` is already a value (a lambda, a constructor
//          applied to values, a literal): that is still allocated by `let`.
//
// Under `value` every variable denotes an evaluated value, with two
// exceptions that the lowering forces (with a `case`) wherever it uses one
// as an argument or constructor field: a global CAF (top-level bindings are
// evaluated on first use under every strategy), and a non-lambda binder of
// a recursive `let` inside its own group. Such a group
//
//     let rec xs = 1 : xs in b
//
// is lowered to updatable thunks that are forced right after the group is
// allocated, in order:
//
//     letrec xs = \u [] -> case xs of xs1 { __DEFAULT -> : 1 xs1 }
//     in case xs of xs2 { __DEFAULT -> b[xs2/xs] }
//
// so a value that demands itself enters its own blackhole: `<<loop>>`, as
// the spec requires. Constructor fields are strict under `value` because
// constructor arguments are arguments.
//
// Control (spec §6) is the same under every strategy: `case` evaluates only
// the alternative it takes, and a saturated call of `&&`, `||` or `seq`
// (strategy::CONTROL_FUNCTIONS) is lowered to the `case` it stands for, so
// `False && error "x"` is `False` even by value.
//
// Evaluation order, which decides which error a program raises, is the same
// as the reference evaluator's: the arguments left to right, then the
// function, then the call (unboxed arguments are evaluated before the call
// under every strategy: they cannot be suspended).

/// What the lowering knows of a global (a top-level binding of this or an
/// earlier unit).
#[derive(Clone, Debug)]
pub struct GlobalInfo {
    pub var: Var,
    pub kind: GlobalKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKind {
    /// A function of this many arguments (at least one).
    Fun(usize),
    /// A static value: a constructor application of literals and globals.
    Value,
    /// A constant applicative form: a thunk evaluated on first use.
    Caf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Control {
    And,
    Or,
    Seq,
}

/// The lowering's state across units: the strategy and every global lowered
/// so far (the prelude, a program, REPL lines).
#[derive(Clone)]
pub struct StgEnv {
    pub strategy: Strategy,
    pub globals: HashMap<Unique, GlobalInfo>,
    control: HashMap<Unique, Control>,
}

impl StgEnv {
    /// `prelude` maps the prelude's names to their uniques (the session's
    /// `env.prelude`), which is where `&&`, `||` and `seq` are found.
    pub fn new(strategy: Strategy, prelude: &imbl::HashMap<Symbol, Unique>) -> StgEnv {
        let mut control = HashMap::new();
        for (name, c) in CONTROL_FUNCTIONS
            .iter()
            .zip([Control::And, Control::Or, Control::Seq])
        {
            if let Some(&u) = prelude.get(*name) {
                control.insert(u, c);
            }
        }
        StgEnv {
            strategy,
            globals: HashMap::new(),
            control,
        }
    }

    /// Forgets globals of a unit nothing refers to any more (REPL).
    pub fn forget(&mut self, globals: &[Unique]) {
        for u in globals {
            self.globals.remove(u);
        }
    }

    /// Lowers a unit of Core (simplified or not) to STG, finds its join
    /// points and annotates its closures. `supply` is the session's unique
    /// supply: new variables get fresh uniques.
    pub fn lower_module(&mut self, data: &DataEnv, supply: &mut Unique, m: &ir::Module) -> Program {
        let mut l = Lower {
            strategy: self.strategy,
            env: self,
            data,
            supply,
            subst: HashMap::new(),
            lazy: HashSet::new(),
            tops: Vec::new(),
            statics: HashMap::new(),
        };
        let tops: Vec<(&ir::Id, &ir::Expr)> = m
            .binds
            .iter()
            .flat_map(|b| match b {
                Bind::NonRec(x, e) => vec![(x, e)],
                Bind::Rec(bs) => bs.iter().map(|(x, e)| (x, e)).collect(),
            })
            .collect();
        // Register every global first: a group may refer forward.
        for (x, e) in &tops {
            let kind = l.classify_top(e);
            let var = global_var(x);
            l.env.globals.insert(x.unique, GlobalInfo { var, kind });
        }
        let mut binds = Vec::new();
        for (x, e) in tops {
            let rhs = l.top(x, e);
            binds.append(&mut l.tops);
            binds.push(TopBinding {
                var: global_var(x),
                rhs,
            });
        }
        let mut program = Program { binds };
        crate::join::find_join_points(&mut program);
        crate::free::annotate(&mut program, self.strategy);
        program
    }
}

fn global_var(x: &ir::Id) -> Var {
    Var {
        name: x.name.clone(),
        unique: x.unique,
        rep: rep_of(&x.ty),
    }
}

/// The representation of values of a type.
pub fn rep_of(t: &Type) -> Rep {
    match t.kind() {
        TypeKind::Con(c, _) if *c == ty::INT_PRIM => Rep::Int,
        TypeKind::Con(c, _) if *c == ty::DOUBLE_PRIM => Rep::Double,
        TypeKind::Con(c, _) if *c == ty::CHAR_PRIM => Rep::Char,
        _ => Rep::Ptr,
    }
}

/// How a `case` on a value of type `t` returns.
fn alt_type(t: &Type) -> AltType {
    match t.kind() {
        TypeKind::Con(c, _) => match rep_of(t) {
            Rep::Ptr => AltType::Algebraic(*c),
            r => AltType::Prim(r),
        },
        _ => AltType::Poly,
    }
}

/// A binding waiting for the expression it scopes over (A-normalisation
/// builds these while naming arguments, outermost first).
enum Wrap {
    Let(Binding),
    /// `case scrut of var { __DEFAULT -> ... }`
    Case(Expr, Var, AltType),
}

fn wrap(wraps: Vec<Wrap>, body: Expr) -> Expr {
    wraps.into_iter().rev().fold(body, |body, w| match w {
        Wrap::Let(b) => Expr::Let(Box::new(b), Box::new(body)),
        Wrap::Case(scrut, binder, ty) => default_case(scrut, binder, ty, body),
    })
}

fn default_case(scrut: Expr, binder: Var, ty: AltType, body: Expr) -> Expr {
    Expr::Case(Box::new(Case {
        scrut,
        binder,
        ty,
        alts: vec![Alt {
            con: AltCon::Default,
            binders: vec![],
            rhs: body,
        }],
        // Cannot fail: a default alternative always matches.
        span: Span::default(),
    }))
}

/// Removes type abstractions and applications around an expression: they
/// are erased, so they change neither evaluation nor representation.
fn strip(mut e: &ir::Expr) -> &ir::Expr {
    loop {
        match e {
            ir::Expr::TyApp(f, _) => e = f,
            ir::Expr::TyLam(_, b) => e = b,
            _ => return e,
        }
    }
}

/// Splits an application into its head and value arguments (type
/// arguments dropped).
fn spine(e: &ir::Expr) -> (&ir::Expr, Vec<&ir::Expr>) {
    let mut args = Vec::new();
    let mut e = e;
    loop {
        match e {
            ir::Expr::App(f, a) => {
                args.push(&**a);
                e = f;
            }
            ir::Expr::TyApp(f, _) => e = f,
            _ => break,
        }
    }
    args.reverse();
    (strip(e), args)
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum StaticKey {
    Int(i64),
    Double(u64),
    Char(char),
    String(Symbol),
    Con(ConId),
}

struct Lower<'a> {
    strategy: Strategy,
    env: &'a mut StgEnv,
    data: &'a DataEnv,
    supply: &'a mut Unique,
    /// Variables replaced by an atom (`let x = y`, forced recursive
    /// binders under `value`).
    subst: HashMap<Unique, Atom>,
    /// Under `value`: the locals that may be unevaluated (see Note
    /// [Strategies in the lowering]).
    lazy: HashSet<Unique>,
    /// Top-level bindings made while lowering the current one (boxed
    /// literals, string literals, lifted constructor fields).
    tops: Vec<TopBinding>,
    /// This unit's static boxed literals, shared.
    statics: HashMap<StaticKey, Var>,
}

impl Lower<'_> {
    fn fresh(&mut self, name: &str, rep: Rep) -> Var {
        let unique = *self.supply;
        *self.supply += 1;
        Var {
            name: Rc::from(name),
            unique,
            rep,
        }
    }

    fn local(&self, x: &ir::Id) -> Var {
        Var {
            name: x.name.clone(),
            unique: x.unique,
            rep: rep_of(&x.ty),
        }
    }

    fn by_value(&self) -> bool {
        self.strategy == Strategy::Value
    }

    fn thunk_flag(&self) -> UpdateFlag {
        match self.strategy {
            Strategy::Name => UpdateFlag::ReEntrant,
            Strategy::Need | Strategy::Value => UpdateFlag::Updatable,
        }
    }

    fn con_arity(&self, c: ConId) -> usize {
        self.data.con(c).fields.len()
    }

    // ---- types -------------------------------------------------------

    /// The type of a Core expression (Core is explicitly typed, so this is
    /// a walk down the function spine, not inference).
    fn type_of(&self, e: &ir::Expr) -> Type {
        deep(|| match e {
            ir::Expr::Var(x) => x.ty.clone(),
            ir::Expr::Lit(l) => l.ty(),
            ir::Expr::Con(c) => self.data.con_type(*c),
            ir::Expr::Prim(p) => p.ty(),
            ir::Expr::App(f, _) => match self.type_of(f).kind() {
                TypeKind::Fun(_, r) => r.clone(),
                // Ill-typed Core: lint rejects it before it gets here.
                _ => Type::con0(ty::UNIT),
            },
            ir::Expr::TyApp(f, t) => match self.type_of(f).kind() {
                TypeKind::Forall(v, b) => b.subst(v, t),
                _ => Type::con0(ty::UNIT),
            },
            ir::Expr::Lam(x, b) => Type::fun(x.ty.clone(), self.type_of(b)),
            ir::Expr::TyLam(v, b) => Type::forall(v.clone(), self.type_of(b)),
            ir::Expr::Let(_, b) => self.type_of(b),
            ir::Expr::Case(c) => c.ty.clone(),
        })
    }

    // ---- classification ------------------------------------------------

    /// Whether `e` (stripped) is a value that `let` may allocate without
    /// evaluating anything: a lambda, or a constructor or primop applied to
    /// fewer arguments than its arity (a function), or a saturated
    /// constructor application (whose arguments are named first).
    fn is_value_form(&self, e: &ir::Expr) -> bool {
        let (head, args) = spine(e);
        match head {
            ir::Expr::Lam(..) => args.is_empty(),
            ir::Expr::Con(c) => args.len() <= self.con_arity(*c),
            ir::Expr::Prim(p) => args.len() < p.arity(),
            ir::Expr::Lit(l) => !matches!(l, Literal::String(_)) && args.is_empty(),
            _ => false,
        }
    }

    fn classify_top(&self, e: &ir::Expr) -> GlobalKind {
        let e = strip(e);
        let (head, args) = spine(e);
        match head {
            ir::Expr::Lam(..) if args.is_empty() => GlobalKind::Fun(lambda_arity(e)),
            ir::Expr::Con(c) if args.len() < self.con_arity(*c) => {
                GlobalKind::Fun(self.con_arity(*c) - args.len())
            }
            ir::Expr::Prim(p) if args.len() < p.arity() => GlobalKind::Fun(p.arity() - args.len()),
            ir::Expr::Con(_) => {
                // Under `value` a field must be a value: a CAF or a
                // computation as a field makes the whole binding a CAF. An
                // unboxed computation cannot be a global of its own.
                let static_ok = if self.by_value() {
                    args.iter().all(|a| self.is_static_value(a))
                } else {
                    args.iter().all(|a| self.names_by_let(a))
                };
                if !static_ok {
                    GlobalKind::Caf
                } else {
                    GlobalKind::Value
                }
            }
            ir::Expr::Lit(Literal::String(_)) => GlobalKind::Caf,
            ir::Expr::Lit(_) if args.is_empty() => GlobalKind::Value,
            _ => GlobalKind::Caf,
        }
    }

    /// An argument that is a value without evaluation, at top level.
    fn is_static_value(&self, a: &ir::Expr) -> bool {
        match strip(a) {
            ir::Expr::Lit(l) => !matches!(l, Literal::String(_)),
            ir::Expr::Var(x) => self
                .env
                .globals
                .get(&x.unique)
                .is_some_and(|g| g.kind != GlobalKind::Caf),
            _ => false,
        }
    }

    // ---- atoms -----------------------------------------------------------

    /// A variable occurrence, after substitution.
    fn var_ref(&self, x: &ir::Id) -> Atom {
        if let Some(a) = self.subst.get(&x.unique) {
            return a.clone();
        }
        if let Some(g) = self.env.globals.get(&x.unique) {
            return Atom::Var(g.var.clone());
        }
        Atom::Var(self.local(x))
    }

    /// Whether a variable may be unevaluated under `value`.
    fn is_lazy(&self, v: &Var) -> bool {
        self.lazy.contains(&v.unique)
            || self
                .env
                .globals
                .get(&v.unique)
                .is_some_and(|g| g.kind == GlobalKind::Caf)
    }

    fn lit_atom(&mut self, l: &Literal) -> Atom {
        match l {
            Literal::IntPrim(n) => Atom::Lit(Lit::Int(*n)),
            Literal::DoublePrim(d) => Atom::Lit(Lit::Double(*d)),
            Literal::CharPrim(c) => Atom::Lit(Lit::Char(*c)),
            _ => Atom::Var(self.static_lit(l)),
        }
    }

    /// A boxed or string literal as a top-level closure of this unit.
    fn static_lit(&mut self, l: &Literal) -> Var {
        let (key, name, rhs) = match l {
            Literal::Int(n) => (
                StaticKey::Int(*n),
                if *n < 0 {
                    format!("({n})")
                } else {
                    n.to_string()
                },
                Rhs::Con(ty::I_HASH, vec![Atom::Lit(Lit::Int(*n))]),
            ),
            Literal::Double(d) => (
                StaticKey::Double(d.to_bits()),
                format!("{d:?}"),
                Rhs::Con(ty::D_HASH, vec![Atom::Lit(Lit::Double(*d))]),
            ),
            Literal::Char(c) => (
                StaticKey::Char(*c),
                format!("{c:?}"),
                Rhs::Con(ty::C_HASH, vec![Atom::Lit(Lit::Char(*c))]),
            ),
            Literal::String(s) => (
                StaticKey::String(s.clone()),
                format!("{:?}", &**s),
                Rhs::String(s.clone()),
            ),
            Literal::IntPrim(_) | Literal::DoublePrim(_) | Literal::CharPrim(_) => {
                unreachable!("unboxed literals are atoms")
            }
        };
        if let Some(v) = self.statics.get(&key) {
            return v.clone();
        }
        let var = self.fresh(&name, Rep::Ptr);
        let kind = match rhs {
            Rhs::String(_) => GlobalKind::Caf,
            _ => GlobalKind::Value,
        };
        self.new_static(key, var.clone(), kind, rhs);
        var
    }

    /// A nullary constructor as a shared top-level closure of this unit.
    fn static_nullary(&mut self, c: ConId) -> Var {
        let key = StaticKey::Con(c);
        if let Some(v) = self.statics.get(&key) {
            return v.clone();
        }
        let name = self.data.con(c).name.clone();
        let var = self.fresh(&name, Rep::Ptr);
        self.new_static(key, var.clone(), GlobalKind::Value, Rhs::Con(c, vec![]));
        var
    }

    fn new_static(&mut self, key: StaticKey, var: Var, kind: GlobalKind, rhs: Rhs) {
        self.env.globals.insert(
            var.unique,
            GlobalInfo {
                var: var.clone(),
                kind,
            },
        );
        self.statics.insert(key, var.clone());
        self.tops.push(TopBinding { var, rhs });
    }

    /// Names `e` by an atom, pushing the bindings that compute it.
    fn atom(&mut self, e: &ir::Expr, wraps: &mut Vec<Wrap>) -> Atom {
        let e = strip(e);
        match e {
            ir::Expr::Var(x) => {
                let a = self.var_ref(x);
                self.force_if_lazy(a, &x.ty, wraps)
            }
            ir::Expr::Lit(l) => self.lit_atom(l),
            ir::Expr::Con(c) if self.con_arity(*c) == 0 => Atom::Var(self.static_nullary(*c)),
            _ => {
                let t = self.type_of(e);
                let rep = rep_of(&t);
                if rep != Rep::Ptr {
                    // Unboxed values are never suspended.
                    let v = self.fresh("u", rep);
                    let scrut = self.expr(e);
                    wraps.push(Wrap::Case(scrut, v.clone(), AltType::Prim(rep)));
                    Atom::Var(v)
                } else if self.by_value() && !self.is_value_form(e) {
                    let v = self.fresh("v", Rep::Ptr);
                    let scrut = self.expr(e);
                    wraps.push(Wrap::Case(scrut, v.clone(), alt_type(&t)));
                    Atom::Var(v)
                } else {
                    let v = self.fresh("sat", Rep::Ptr);
                    let rhs = self.rhs(e, wraps);
                    wraps.push(Wrap::Let(Binding {
                        var: v.clone(),
                        rhs,
                    }));
                    Atom::Var(v)
                }
            }
        }
    }

    /// Under `value`, an argument that may be unevaluated is evaluated
    /// first; otherwise the atom itself.
    fn force_if_lazy(&mut self, a: Atom, t: &Type, wraps: &mut Vec<Wrap>) -> Atom {
        match a {
            Atom::Var(v) if self.by_value() && self.is_lazy(&v) => {
                let forced = self.fresh(&v.name, Rep::Ptr);
                wraps.push(Wrap::Case(
                    Expr::Atom(Atom::Var(v)),
                    forced.clone(),
                    alt_type(t),
                ));
                Atom::Var(forced)
            }
            a => a,
        }
    }

    fn atoms(&mut self, args: &[&ir::Expr], wraps: &mut Vec<Wrap>) -> Vec<Atom> {
        args.iter().map(|a| self.atom(a, wraps)).collect()
    }

    // ---- closures --------------------------------------------------------

    /// The closure a lifted, non-atomic expression is allocated as.
    fn rhs(&mut self, e: &ir::Expr, wraps: &mut Vec<Wrap>) -> Rhs {
        let e = strip(e);
        let (head, args) = spine(e);
        match head {
            ir::Expr::Lam(..) if args.is_empty() => Rhs::Fun(self.lambda(e)),
            ir::Expr::Con(c)
                if args.len() == self.con_arity(*c)
                    && (self.by_value() || args.iter().all(|a| self.speculatable(a))) =>
            {
                Rhs::Con(*c, self.atoms(&args, wraps))
            }
            ir::Expr::Con(c) if args.len() < self.con_arity(*c) => {
                let atoms = self.atoms(&args, wraps);
                Rhs::Fun(self.eta_con(*c, atoms))
            }
            ir::Expr::Prim(p) if args.len() < p.arity() => {
                let atoms = self.atoms(&args, wraps);
                Rhs::Fun(self.eta_prim(*p, atoms))
            }
            _ => Rhs::Thunk(self.thunk_body(e), self.thunk_flag()),
        }
    }

    fn thunk_body(&mut self, e: &ir::Expr) -> Closure {
        Closure {
            free: vec![],
            params: vec![],
            body: self.expr(e),
        }
    }

    /// `\x y -> body` (type lambdas in between are erased).
    fn lambda(&mut self, e: &ir::Expr) -> Closure {
        let mut params = Vec::new();
        let mut e = e;
        loop {
            match e {
                ir::Expr::Lam(x, b) => {
                    params.push(self.local(x));
                    e = b;
                }
                ir::Expr::TyLam(_, b) => e = b,
                _ => break,
            }
        }
        Closure {
            free: vec![],
            params,
            body: self.expr(e),
        }
    }

    /// `\ys -> C xs ys`: a constructor given `have` of its fields.
    fn eta_con(&mut self, c: ConId, have: Vec<Atom>) -> Closure {
        let fields = self.data.con(c).fields.clone();
        self.eta(&fields, have, |all| Expr::Con(c, all))
    }

    /// `\ys -> p xs ys`: a primop given `have` of its arguments.
    fn eta_prim(&mut self, p: PrimOp, have: Vec<Atom>) -> Closure {
        let (arg_tys, _) = p.ty().split_foralls().1.split_funs();
        self.eta(&arg_tys, have, |all| Expr::Prim(p, all))
    }

    /// A function of the arguments of types `arg_tys` that `have` does not
    /// supply yet, whose body is `saturated` of all of them.
    fn eta(
        &mut self,
        arg_tys: &[Type],
        have: Vec<Atom>,
        saturated: impl FnOnce(Vec<Atom>) -> Expr,
    ) -> Closure {
        let params: Vec<Var> = arg_tys[have.len()..]
            .iter()
            .map(|t| self.fresh("eta", rep_of(t)))
            .collect();
        let mut all = have;
        all.extend(params.iter().cloned().map(Atom::Var));
        Closure {
            free: vec![],
            params,
            body: saturated(all),
        }
    }

    /// `let f = closure in f`: a function value in expression position.
    fn let_fun(&mut self, c: Closure) -> Expr {
        let f = self.fresh("f", Rep::Ptr);
        Expr::Let(
            Box::new(Binding {
                var: f.clone(),
                rhs: Rhs::Fun(c),
            }),
            Box::new(Expr::Atom(Atom::Var(f))),
        )
    }

    // ---- expressions -------------------------------------------------------

    fn expr(&mut self, e: &ir::Expr) -> Expr {
        deep(|| self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &ir::Expr) -> Expr {
        match e {
            ir::Expr::Var(x) => Expr::Atom(self.var_ref(x)),
            ir::Expr::Lit(l) => Expr::Atom(self.lit_atom(l)),
            ir::Expr::TyLam(_, b) => self.expr(b),
            ir::Expr::Lam(..) => {
                let c = self.lambda(e);
                self.let_fun(c)
            }
            ir::Expr::App(..) | ir::Expr::TyApp(..) | ir::Expr::Con(_) | ir::Expr::Prim(_) => {
                self.app(e)
            }
            ir::Expr::Let(b, body) => self.let_(b, body),
            ir::Expr::Case(c) => self.case(c),
        }
    }

    fn app(&mut self, e: &ir::Expr) -> Expr {
        let (head, args) = spine(e);
        let mut wraps = Vec::new();
        let body = match head {
            ir::Expr::Con(c) => {
                let arity = self.con_arity(*c);
                let atoms = self.atoms(&args, &mut wraps);
                if atoms.len() < arity {
                    let c = self.eta_con(*c, atoms);
                    self.let_fun(c)
                } else {
                    Expr::Con(*c, atoms)
                }
            }
            ir::Expr::Prim(p) => {
                let arity = p.arity();
                let atoms = self.atoms(&args, &mut wraps);
                if atoms.len() < arity {
                    let c = self.eta_prim(*p, atoms);
                    self.let_fun(c)
                } else if atoms.len() == arity {
                    Expr::Prim(*p, atoms)
                } else {
                    // Over-saturated (only `error` at a function type):
                    // call the result with the rest.
                    let mut atoms = atoms;
                    let rest = atoms.split_off(arity);
                    let f = self.fresh("f", Rep::Ptr);
                    let call = Expr::App(f.clone(), rest);
                    default_case(Expr::Prim(*p, atoms), f, AltType::Poly, call)
                }
            }
            ir::Expr::Var(x) if args.len() >= 2 && self.env.control.contains_key(&x.unique) => {
                let c = self.env.control[&x.unique];
                return self.control(c, &args);
            }
            ir::Expr::Var(x) => {
                let mut f = self.var_ref(x);
                let atoms = self.atoms(&args, &mut wraps);
                if !atoms.is_empty() {
                    // By value, an unevaluated function (a CAF) is
                    // evaluated after the arguments.
                    f = self.force_if_lazy(f, &x.ty, &mut wraps);
                }
                match f {
                    Atom::Var(f) if !atoms.is_empty() => Expr::App(f, atoms),
                    f => Expr::Atom(f),
                }
            }
            ir::Expr::Lam(..) => {
                let c = self.lambda(head);
                let f = self.fresh("f", Rep::Ptr);
                wraps.push(Wrap::Let(Binding {
                    var: f.clone(),
                    rhs: Rhs::Fun(c),
                }));
                let atoms = self.atoms(&args, &mut wraps);
                Expr::App(f, atoms)
            }
            _ => {
                // A computed function: the arguments, then the function,
                // then the call.
                let atoms = self.atoms(&args, &mut wraps);
                let scrut = self.expr(head);
                if atoms.is_empty() {
                    return wrap(wraps, scrut);
                }
                let f = self.fresh("f", Rep::Ptr);
                default_case(scrut, f.clone(), AltType::Poly, Expr::App(f, atoms))
            }
        };
        wrap(wraps, body)
    }

    /// `a && b`, `a || b`, `seq a b` (and any further arguments of `seq`'s
    /// result) as the `case` they mean.
    ///
    /// Further arguments are named first: as for any call, the arguments
    /// come before the function (here, the control expression).
    fn control(&mut self, c: Control, args: &[&ir::Expr]) -> Expr {
        let mut wraps = Vec::new();
        let rest = self.atoms(&args[2..], &mut wraps);
        let scrut = self.expr(args[0]);
        let binder = self.fresh("c", Rep::Ptr);
        let second = self.expr(args[1]);
        let second = if rest.is_empty() {
            second
        } else {
            let f = self.fresh("f", Rep::Ptr);
            default_case(second, f.clone(), AltType::Poly, Expr::App(f, rest))
        };
        let case = self.control_case(c, scrut, binder, second, args[0]);
        wrap(wraps, case)
    }

    fn control_case(
        &mut self,
        c: Control,
        scrut: Expr,
        binder: Var,
        rest: Expr,
        first: &ir::Expr,
    ) -> Expr {
        let con = |c: ConId| Alt {
            con: AltCon::Con(c),
            binders: vec![],
            rhs: Expr::Con(c, vec![]),
        };
        let alts = match c {
            Control::And => vec![
                Alt {
                    con: AltCon::Con(ty::FALSE),
                    ..con(ty::FALSE)
                },
                Alt {
                    con: AltCon::Con(ty::TRUE),
                    binders: vec![],
                    rhs: rest,
                },
            ],
            Control::Or => vec![
                Alt {
                    con: AltCon::Con(ty::FALSE),
                    binders: vec![],
                    rhs: rest,
                },
                con(ty::TRUE),
            ],
            Control::Seq => {
                let t = self.type_of(first);
                return default_case(scrut, binder, alt_type(&t), rest);
            }
        };
        Expr::Case(Box::new(Case {
            scrut,
            binder,
            ty: AltType::Algebraic(ty::BOOL),
            alts,
            span: Span::default(),
        }))
    }

    fn let_(&mut self, b: &Bind, body: &ir::Expr) -> Expr {
        match b {
            Bind::NonRec(x, e) => self.let_nonrec(x, e, body),
            Bind::Rec(bs) => self.let_rec(bs, body),
        }
    }

    fn let_nonrec(&mut self, x: &ir::Id, e: &ir::Expr, body: &ir::Expr) -> Expr {
        let e = strip(e);
        let mut wraps = Vec::new();
        if matches!(e, ir::Expr::Var(_) | ir::Expr::Lit(_)) {
            // `let x = y in b` is `b[y/x]` (by value, after forcing y if
            // it may be unevaluated); a literal is a shared static closure
            // (a string's unpacking cannot fail, so it need not be forced).
            let a = self.atom(e, &mut wraps);
            self.subst.insert(x.unique, a);
            let body = self.expr(body);
            return wrap(wraps, body);
        }
        let var = self.local(x);
        if self.by_value() && !self.is_value_form(e) {
            let scrut = self.expr(e);
            let body = self.expr(body);
            return default_case(scrut, var, alt_type(&x.ty), body);
        }
        let rhs = self.rhs(e, &mut wraps);
        wraps.push(Wrap::Let(Binding { var, rhs }));
        let body = self.expr(body);
        wrap(wraps, body)
    }

    fn let_rec(&mut self, bs: &[(ir::Id, ir::Expr)], body: &ir::Expr) -> Expr {
        let is_lambda = |e: &ir::Expr| matches!(strip(e), ir::Expr::Lam(..));
        if self.by_value() {
            let values: Vec<&ir::Id> = bs
                .iter()
                .filter(|(_, e)| !is_lambda(e))
                .map(|(x, _)| x)
                .collect();
            for x in &values {
                self.lazy.insert(x.unique);
            }
            let group: Vec<Binding> = bs
                .iter()
                .map(|(x, e)| {
                    let rhs = if is_lambda(e) {
                        Rhs::Fun(self.lambda(strip(e)))
                    } else {
                        Rhs::Thunk(self.thunk_body(e), UpdateFlag::Updatable)
                    };
                    Binding {
                        var: self.local(x),
                        rhs,
                    }
                })
                .collect();
            for x in &values {
                self.lazy.remove(&x.unique);
            }
            // Force the values in order; the body sees the forced ones.
            let mut wraps = Vec::new();
            for x in values {
                let forced = self.fresh(&x.name, Rep::Ptr);
                wraps.push(Wrap::Case(
                    Expr::Atom(Atom::Var(self.local(x))),
                    forced.clone(),
                    alt_type(&x.ty),
                ));
                self.subst.insert(x.unique, Atom::Var(forced));
            }
            let body = self.expr(body);
            return Expr::LetRec(group, Box::new(wrap(wraps, body)));
        }
        let mut group = Vec::new();
        for (x, e) in bs {
            let e0 = strip(e);
            let (head, args) = spine(e0);
            let rhs = match head {
                ir::Expr::Con(c)
                    if args.len() == self.con_arity(*c)
                        && args.iter().all(|a| self.names_by_let(a)) =>
                {
                    // Fields are named inside the group, so they may refer
                    // to it: `xs = 1 : map f xs`. A field whose closure
                    // needs an unboxed computation first (`(1 + 2) : xs`:
                    // the simplified `+` is `I# (1# +# 2#)`) cannot be
                    // computed inside a `letrec`: then the whole right
                    // side is suspended instead (found by the generator).
                    let mut wraps = Vec::new();
                    let atoms = self.atoms(&args, &mut wraps);
                    if wraps.iter().all(|w| matches!(w, Wrap::Let(_))) {
                        group.extend(wraps.into_iter().filter_map(|w| match w {
                            Wrap::Let(b) => Some(b),
                            Wrap::Case(..) => None,
                        }));
                        Rhs::Con(*c, atoms)
                    } else {
                        Rhs::Thunk(self.thunk_body(e0), self.thunk_flag())
                    }
                }
                _ => {
                    let mut wraps = Vec::new();
                    let rhs = self.rhs(e0, &mut wraps);
                    if wraps.is_empty() {
                        rhs
                    } else {
                        // Partial applications whose arguments needed
                        // naming: suspend the whole thing instead.
                        Rhs::Thunk(self.thunk_body(e0), self.thunk_flag())
                    }
                }
            };
            group.push(Binding {
                var: self.local(x),
                rhs,
            });
        }
        let body = self.expr(body);
        Expr::LetRec(group, Box::new(body))
    }

    /// Whether a constructor field may be computed when the constructor is
    /// built, although the constructor itself is lazy: a lifted expression
    /// (it is suspended on its own), or an unboxed one that is cheap and
    /// cannot fail (GHC's "ok for speculation"). `I# (quotInt# a 0#)` is
    /// not: under need it must stay a thunk, so that an unused division by
    /// zero is never raised (as in the reference evaluator).
    fn speculatable(&self, a: &ir::Expr) -> bool {
        let a = strip(a);
        let (head, args) = spine(a);
        match head {
            ir::Expr::Var(_) | ir::Expr::Lit(_) if args.is_empty() => true,
            ir::Expr::Prim(p) if !p.can_fail() && args.len() == p.arity() => {
                rep_of(&self.type_of(a)) == Rep::Ptr || args.iter().all(|x| self.speculatable(x))
            }
            _ => rep_of(&self.type_of(a)) == Rep::Ptr,
        }
    }

    /// Whether naming this argument (under need or name) only adds `let`
    /// bindings: true unless it is an unboxed computation.
    fn names_by_let(&self, a: &ir::Expr) -> bool {
        match strip(a) {
            ir::Expr::Var(_) | ir::Expr::Lit(_) => true,
            e => rep_of(&self.type_of(e)) == Rep::Ptr,
        }
    }

    fn case(&mut self, c: &ir::Case) -> Expr {
        let scrut_ty = self.case_type(c);
        let scrut = self.expr(&c.scrut);
        let binder = c
            .alts
            .iter()
            .find_map(|a| match &a.pat {
                Pat::Default(Some(x)) => Some(self.local(x)),
                _ => None,
            })
            .unwrap_or_else(|| {
                let rep = match scrut_ty {
                    AltType::Prim(r) => r,
                    _ => Rep::Ptr,
                };
                self.fresh("wild", rep)
            });
        let alts = c
            .alts
            .iter()
            .map(|a| {
                let (con, binders) = match &a.pat {
                    Pat::Con(k, xs) => {
                        (AltCon::Con(*k), xs.iter().map(|x| self.local(x)).collect())
                    }
                    Pat::Lit(l) => match self.lit_atom(l) {
                        Atom::Lit(l) => (AltCon::Lit(l), vec![]),
                        // Core has literal patterns on unboxed types only.
                        Atom::Var(_) => (AltCon::Default, vec![]),
                    },
                    Pat::Default(_) => (AltCon::Default, vec![]),
                };
                Alt {
                    con,
                    binders,
                    rhs: self.expr(&a.rhs),
                }
            })
            .collect();
        Expr::Case(Box::new(Case {
            scrut,
            binder,
            ty: scrut_ty,
            alts,
            span: c.span,
        }))
    }

    /// What a `case` scrutinises: read off its patterns when it has any.
    fn case_type(&self, c: &ir::Case) -> AltType {
        for a in &c.alts {
            match &a.pat {
                Pat::Con(k, _) => return AltType::Algebraic(self.data.con(*k).tycon),
                Pat::Lit(l) => return alt_type(&l.ty()),
                Pat::Default(Some(x)) => return alt_type(&x.ty),
                Pat::Default(None) => {}
            }
        }
        alt_type(&self.type_of(&c.scrut))
    }

    // ---- top level ---------------------------------------------------------

    fn top(&mut self, x: &ir::Id, e: &ir::Expr) -> Rhs {
        let kind = self.env.globals[&x.unique].kind;
        let e = strip(e);
        let (head, args) = spine(e);
        match (kind, head) {
            (GlobalKind::Fun(_), ir::Expr::Lam(..)) => Rhs::Fun(self.lambda(e)),
            (GlobalKind::Fun(_), ir::Expr::Con(c)) => {
                let atoms = args.iter().map(|a| self.top_atom(a)).collect();
                Rhs::Fun(self.eta_con(*c, atoms))
            }
            (GlobalKind::Fun(_), ir::Expr::Prim(p)) => {
                let atoms = args.iter().map(|a| self.top_atom(a)).collect();
                Rhs::Fun(self.eta_prim(*p, atoms))
            }
            (GlobalKind::Value, ir::Expr::Con(c)) => {
                Rhs::Con(*c, args.iter().map(|a| self.top_atom(a)).collect())
            }
            (GlobalKind::Value, ir::Expr::Lit(l)) if boxed(l).is_some() => {
                let (c, l) = boxed(l).expect("checked");
                Rhs::Con(c, vec![Atom::Lit(l)])
            }
            (_, ir::Expr::Lit(Literal::String(s))) if args.is_empty() => Rhs::String(s.clone()),
            _ => Rhs::Thunk(self.thunk_body(e), self.thunk_flag()),
        }
    }

    /// A field of a static constructor: an atom, or a new top-level
    /// binding for a computed field (under need and name; `classify_top`
    /// makes such constructors CAFs under value).
    fn top_atom(&mut self, a: &ir::Expr) -> Atom {
        let a = strip(a);
        match a {
            ir::Expr::Var(x) => self.var_ref(x),
            ir::Expr::Lit(l) => self.lit_atom(l),
            ir::Expr::Con(c) if self.con_arity(*c) == 0 => Atom::Var(self.static_nullary(*c)),
            _ => {
                let t = self.type_of(a);
                let var = self.fresh("lvl", rep_of(&t));
                let kind = self.classify_top(a);
                self.env.globals.insert(
                    var.unique,
                    GlobalInfo {
                        var: var.clone(),
                        kind,
                    },
                );
                let id = ir::Id {
                    name: var.name.clone(),
                    unique: var.unique,
                    ty: t,
                };
                let rhs = self.top(&id, a);
                self.tops.push(TopBinding {
                    var: var.clone(),
                    rhs,
                });
                Atom::Var(var)
            }
        }
    }
}

/// A boxed literal's constructor and unboxed content.
fn boxed(l: &Literal) -> Option<(ConId, Lit)> {
    match l {
        Literal::Int(n) => Some((ty::I_HASH, Lit::Int(*n))),
        Literal::Double(d) => Some((ty::D_HASH, Lit::Double(*d))),
        Literal::Char(c) => Some((ty::C_HASH, Lit::Char(*c))),
        _ => None,
    }
}

fn lambda_arity(mut e: &ir::Expr) -> usize {
    let mut n = 0;
    loop {
        match e {
            ir::Expr::Lam(_, b) => {
                n += 1;
                e = b;
            }
            ir::Expr::TyLam(_, b) => e = b,
            _ => return n,
        }
    }
}
