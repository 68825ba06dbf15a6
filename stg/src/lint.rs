//! STG lint: checks the invariants `syntax` promises, independently of how
//! `lower`, `join` and `free` established them.
//!
//! * every variable is in scope: a local bound by an enclosing binder, or a
//!   global of this program or of an earlier unit; every occurrence has its
//!   binder's representation; no binder is bound twice;
//! * every closure's free-variable list is exact: each is in scope where
//!   the closure is built, and is exactly the set of outer locals its body
//!   uses; top-level closures have none;
//! * arities: constructor and primop applications are saturated and their
//!   arguments have the right representations; functions have parameters,
//!   thunks none; case alternatives bind one variable per field;
//! * `case`: alternatives agree with the scrutinee's kind ([`AltType`]), no
//!   duplicates, at most one default;
//! * join points are reached only by `jump`s with their arity, in tail
//!   position, from the code that binds them (never from a closure).
//!
//! Only atoms can be arguments by construction of the types. Tests run the
//! lint on every lowered program and on the prelude. Read next: `pretty`.

use crate::syntax::*;
use sloth_core::session::deep;
use sloth_core::types::{DataEnv, Type, Unique};
use std::collections::{HashMap, HashSet};

/// Checks a program; `external` says whether a unique is a global of an
/// earlier unit. Returns every problem found, each naming the top-level
/// binding it is in.
pub fn lint_program(
    data: &DataEnv,
    external: &dyn Fn(Unique) -> bool,
    p: &Program,
) -> Result<(), Vec<String>> {
    let globals: HashSet<Unique> = p.binds.iter().map(|b| b.var.unique).collect();
    let mut l = Lint {
        data,
        external,
        globals,
        scope: HashMap::new(),
        bound: HashSet::new(),
        errors: Vec::new(),
        context: String::new(),
    };
    for b in &p.binds {
        l.context = b.var.name.to_string();
        if !b.rhs.free_vars().is_empty() {
            l.report("a top-level closure has free variables".into());
        }
        l.rhs(&b.rhs);
    }
    if l.errors.is_empty() {
        Ok(())
    } else {
        Err(l.errors)
    }
}

struct Lint<'a> {
    data: &'a DataEnv,
    external: &'a dyn Fn(Unique) -> bool,
    globals: HashSet<Unique>,
    /// Locals in scope, with their representation.
    scope: HashMap<Unique, Rep>,
    /// Every local binder seen so far (binders are unique).
    bound: HashSet<Unique>,
    errors: Vec<String>,
    context: String,
}

/// Join points callable from the current position: name → arity.
type Joins = HashMap<Unique, usize>;

fn rep_of_field(t: &Type) -> Rep {
    crate::lower::rep_of(t)
}

impl Lint<'_> {
    fn report(&mut self, msg: String) {
        if self.errors.len() < 100 {
            self.errors.push(format!("in {}: {msg}", self.context));
        }
    }

    fn bind(&mut self, v: &Var) {
        if !self.bound.insert(v.unique) {
            self.report(format!("{} is bound twice", show(v)));
        }
        self.scope.insert(v.unique, v.rep);
    }

    fn unbind(&mut self, v: &Var) {
        self.scope.remove(&v.unique);
    }

    fn var(&mut self, v: &Var) {
        match self.scope.get(&v.unique) {
            Some(&r) if r == v.rep => {}
            Some(&r) => self.report(format!(
                "{} occurs as {:?} but is bound as {r:?}",
                show(v),
                v.rep
            )),
            None if self.globals.contains(&v.unique) || (self.external)(v.unique) => {
                if v.rep != Rep::Ptr {
                    self.report(format!("global {} is not a pointer", show(v)));
                }
            }
            None => self.report(format!("{} is not in scope", show(v))),
        }
    }

    fn atom(&mut self, a: &Atom) {
        if let Atom::Var(v) = a {
            self.var(v);
        }
    }

    fn args(&mut self, what: &str, args: &[Atom], reps: &[Rep]) {
        if args.len() != reps.len() {
            self.report(format!(
                "{what} has {} arguments, expected {}",
                args.len(),
                reps.len()
            ));
        }
        for (a, r) in args.iter().zip(reps) {
            self.atom(a);
            if a.rep() != *r {
                self.report(format!("{what}: argument {a:?} is not {r:?}"));
            }
        }
    }

    fn con_field_reps(&self, c: sloth_core::types::ConId) -> Vec<Rep> {
        self.data.con(c).fields.iter().map(rep_of_field).collect()
    }

    fn rhs(&mut self, r: &Rhs) {
        match r {
            Rhs::Con(c, args) => {
                let reps = self.con_field_reps(*c);
                let name = self.data.con(*c).name.to_string();
                self.args(&name, args, &reps);
            }
            Rhs::Fun(c) => {
                if c.params.is_empty() {
                    self.report("a function without parameters".into());
                }
                self.closure(c);
            }
            Rhs::Thunk(c, _) => {
                if !c.params.is_empty() {
                    self.report("a thunk with parameters".into());
                }
                self.closure(c);
            }
            Rhs::String(_) => {}
        }
    }

    fn closure(&mut self, c: &Closure) {
        // The body sees exactly its free variables and parameters.
        let mut seen = HashSet::new();
        for v in &c.free {
            self.var(v);
            if !seen.insert(v.unique) {
                self.report(format!("free variable {} listed twice", show(v)));
            }
        }
        let used = free_locals(&c.body, &self.scope);
        let params: HashSet<Unique> = c.params.iter().map(|p| p.unique).collect();
        for (u, v) in &used {
            if !seen.contains(u) && !params.contains(u) {
                self.report(format!("{} is free but not in the free list", show(v)));
            }
        }
        for v in &c.free {
            if !used.contains_key(&v.unique) {
                self.report(format!("{} is in the free list but unused", show(v)));
            }
        }
        let outer = std::mem::take(&mut self.scope);
        for v in &c.free {
            if let Some(&r) = outer.get(&v.unique) {
                self.scope.insert(v.unique, r);
            }
        }
        for p in &c.params {
            self.bind(p);
        }
        self.expr(&c.body, &Joins::new());
        self.scope = outer;
    }

    fn expr(&mut self, e: &Expr, joins: &Joins) {
        deep(|| self.expr_inner(e, joins))
    }

    fn expr_inner(&mut self, e: &Expr, joins: &Joins) {
        match e {
            Expr::Atom(a) => self.atom(a),
            Expr::App(f, args) => {
                self.var(f);
                if f.rep != Rep::Ptr {
                    self.report(format!("{} is called but is not a pointer", show(f)));
                }
                if args.is_empty() {
                    self.report("an application without arguments".into());
                }
                args.iter().for_each(|a| self.atom(a));
            }
            Expr::Con(c, args) => {
                let reps = self.con_field_reps(*c);
                let name = self.data.con(*c).name.to_string();
                self.args(&name, args, &reps);
            }
            Expr::Prim(p, args) => {
                let (tys, _) = p.ty().split_foralls().1.split_funs();
                let reps: Vec<Rep> = tys.iter().map(rep_of_field).collect();
                self.args(p.name(), args, &reps);
            }
            Expr::Jump(j, args) => {
                match joins.get(&j.unique) {
                    Some(&n) if n == args.len() => {}
                    Some(&n) => self.report(format!(
                        "jump to {} with {} arguments, expected {n}",
                        show(j),
                        args.len()
                    )),
                    None => self.report(format!(
                        "jump to {}, which is not a join point in tail position",
                        show(j)
                    )),
                }
                args.iter().for_each(|a| self.atom(a));
            }
            Expr::Case(c) => self.case(c, joins),
            Expr::Let(b, body) => {
                self.rhs(&b.rhs);
                if b.var.rep != Rep::Ptr {
                    self.report(format!("let binds unboxed {}", show(&b.var)));
                }
                self.bind(&b.var);
                self.expr(body, joins);
                self.unbind(&b.var);
            }
            Expr::LetRec(bs, body) => {
                for b in bs {
                    self.bind(&b.var);
                }
                for b in bs {
                    if matches!(b.rhs, Rhs::String(_)) {
                        self.report("a string literal in a letrec".into());
                    }
                    self.rhs(&b.rhs);
                }
                self.expr(body, joins);
                for b in bs {
                    self.unbind(&b.var);
                }
            }
            Expr::LetJoin(g) => {
                let mut inner = joins.clone();
                for j in &g.joins {
                    inner.insert(j.var.unique, j.params.len());
                }
                let in_bodies = if g.recursive { &inner } else { joins };
                for j in &g.joins {
                    for p in &j.params {
                        self.bind(p);
                    }
                    self.expr(&j.body, in_bodies);
                    for p in &j.params {
                        self.unbind(p);
                    }
                }
                self.expr(&g.body, &inner);
            }
        }
    }

    fn case(&mut self, c: &Case, joins: &Joins) {
        // The scrutinee is not in tail position.
        self.expr(&c.scrut, &Joins::new());
        let binder_rep = match c.ty {
            AltType::Prim(r) => r,
            AltType::Algebraic(_) | AltType::Poly => Rep::Ptr,
        };
        if c.binder.rep != binder_rep {
            self.report(format!(
                "case binder {} is not {binder_rep:?}",
                show(&c.binder)
            ));
        }
        self.bind(&c.binder);
        let mut seen: Vec<&AltCon> = Vec::new();
        for (i, a) in c.alts.iter().enumerate() {
            if seen.contains(&&a.con) {
                self.report(format!("duplicate alternative {:?}", a.con));
            }
            seen.push(&a.con);
            match (&a.con, c.ty) {
                (AltCon::Default, _) => {
                    if i + 1 != c.alts.len() {
                        self.report("the default alternative is not last".into());
                    }
                    if !a.binders.is_empty() {
                        self.report("a default alternative binds fields".into());
                    }
                }
                (AltCon::Con(k), AltType::Algebraic(tc)) => {
                    let info = self.data.con(*k);
                    if info.tycon != tc {
                        self.report(format!(
                            "alternative {} is not of the scrutinee's type",
                            info.name
                        ));
                    }
                    let reps = self.con_field_reps(*k);
                    let got: Vec<Rep> = a.binders.iter().map(|b| b.rep).collect();
                    if got != reps {
                        self.report(format!(
                            "alternative {} binds {:?}, its fields are {reps:?}",
                            info.name, got
                        ));
                    }
                }
                (AltCon::Lit(l), AltType::Prim(r)) if l.rep() == r && a.binders.is_empty() => {}
                (con, ty) => self.report(format!("alternative {con:?} in a case of kind {ty:?}")),
            }
            for b in &a.binders {
                self.bind(b);
            }
            self.expr(&a.rhs, joins);
            for b in &a.binders {
                self.unbind(b);
            }
        }
        self.unbind(&c.binder);
        if c.alts.is_empty() {
            self.report("a case without alternatives".into());
        }
        if let (AltType::Poly, Some(a)) = (c.ty, c.alts.first()) {
            if a.con != AltCon::Default {
                self.report("a polymorphic case tests a constructor".into());
            }
        }
    }
}

fn show(v: &Var) -> String {
    format!("{}_{}", v.name, v.unique)
}

/// The locals of `scope` that `e` uses, reading nested closures' free
/// lists (which are checked where those closures are).
fn free_locals(e: &Expr, scope: &HashMap<Unique, Rep>) -> HashMap<Unique, Var> {
    let mut out = HashMap::new();
    collect(e, scope, &mut out);
    out
}

fn collect(e: &Expr, scope: &HashMap<Unique, Rep>, out: &mut HashMap<Unique, Var>) {
    let atom = |a: &Atom, out: &mut HashMap<Unique, Var>| {
        if let Atom::Var(v) = a {
            if scope.contains_key(&v.unique) {
                out.insert(v.unique, v.clone());
            }
        }
    };
    deep(|| match e {
        Expr::Atom(a) => atom(a, out),
        Expr::App(f, args) => {
            atom(&Atom::Var(f.clone()), out);
            args.iter().for_each(|a| atom(a, out));
        }
        Expr::Con(_, args) | Expr::Prim(_, args) | Expr::Jump(_, args) => {
            args.iter().for_each(|a| atom(a, out))
        }
        Expr::Case(c) => {
            collect(&c.scrut, scope, out);
            for a in &c.alts {
                collect(&a.rhs, scope, out);
            }
        }
        Expr::Let(b, body) => {
            rhs_collect(&b.rhs, scope, out);
            collect(body, scope, out);
        }
        Expr::LetRec(bs, body) => {
            bs.iter().for_each(|b| rhs_collect(&b.rhs, scope, out));
            collect(body, scope, out);
        }
        Expr::LetJoin(g) => {
            g.joins.iter().for_each(|j| collect(&j.body, scope, out));
            collect(&g.body, scope, out);
        }
    })
}

fn rhs_collect(r: &Rhs, scope: &HashMap<Unique, Rep>, out: &mut HashMap<Unique, Var>) {
    let args: &[Atom] = match r {
        Rhs::Con(_, args) => args,
        Rhs::Fun(c) | Rhs::Thunk(c, _) => {
            for v in &c.free {
                if scope.contains_key(&v.unique) {
                    out.insert(v.unique, v.clone());
                }
            }
            return;
        }
        Rhs::String(_) => return,
    };
    for a in args {
        if let Atom::Var(v) = a {
            if scope.contains_key(&v.unique) {
                out.insert(v.unique, v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sloth_core::primop::PrimOp;
    use sloth_core::types::{CONS, INT, I_HASH, NIL};
    use std::rc::Rc;

    fn var(name: &str, unique: Unique, rep: Rep) -> Var {
        Var {
            name: Rc::from(name),
            unique,
            rep,
        }
    }

    fn v(x: &Var) -> Atom {
        Atom::Var(x.clone())
    }

    fn fun(free: Vec<Var>, params: Vec<Var>, body: Expr) -> Rhs {
        Rhs::Fun(Closure { free, params, body })
    }

    /// `f = \r [x] -> let t = \u {x} [] -> g x in t` with `t`'s free list
    /// replaced by `free`.
    fn program_with_free_list(free: Vec<Var>) -> Program {
        let (f, g, x, t, y) = (
            var("f", 1000, Rep::Ptr),
            var("g", 1001, Rep::Ptr),
            var("x", 1002, Rep::Ptr),
            var("t", 1003, Rep::Ptr),
            var("y", 1004, Rep::Ptr),
        );
        let thunk = Rhs::Thunk(
            Closure {
                free,
                params: vec![],
                body: Expr::App(g.clone(), vec![v(&x)]),
            },
            UpdateFlag::Updatable,
        );
        let body = Expr::Let(
            Box::new(Binding {
                var: t.clone(),
                rhs: thunk,
            }),
            Box::new(Expr::Atom(v(&t))),
        );
        Program {
            binds: vec![
                TopBinding {
                    var: f,
                    rhs: fun(vec![], vec![x.clone()], body),
                },
                TopBinding {
                    var: g,
                    rhs: fun(vec![], vec![y.clone()], Expr::Atom(v(&y))),
                },
            ],
        }
    }

    fn lint(p: &Program) -> Result<(), Vec<String>> {
        lint_program(&DataEnv::new(), &|_| false, p)
    }

    fn first_error(p: &Program) -> String {
        lint(p).expect_err("lint should fail")[0].clone()
    }

    #[test]
    fn exact_free_lists_pass() {
        let x = var("x", 1002, Rep::Ptr);
        assert_eq!(lint(&program_with_free_list(vec![x])), Ok(()));
    }

    #[test]
    fn missing_and_extra_free_variables_are_caught() {
        let e = first_error(&program_with_free_list(vec![]));
        assert!(e.contains("x_1002 is free but not in the free list"), "{e}");
        let f = var("f", 1000, Rep::Ptr);
        let x = var("x", 1002, Rep::Ptr);
        let errs = lint(&program_with_free_list(vec![x, f])).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.contains("f_1000 is in the free list but unused")),
            "{errs:?}"
        );
    }

    #[test]
    fn unsaturated_constructors_and_bad_reps_are_caught() {
        let x = var("x", 1002, Rep::Ptr);
        let p = Program {
            binds: vec![TopBinding {
                var: var("f", 1000, Rep::Ptr),
                rhs: fun(vec![], vec![x.clone()], Expr::Con(CONS, vec![v(&x)])),
            }],
        };
        assert!(first_error(&p).contains("has 1 arguments, expected 2"));
        let p = Program {
            binds: vec![TopBinding {
                var: var("f", 1000, Rep::Ptr),
                rhs: fun(
                    vec![],
                    vec![x.clone()],
                    Expr::Prim(PrimOp::IntAdd, vec![v(&x), Atom::Lit(Lit::Int(1))]),
                ),
            }],
        };
        assert!(first_error(&p).contains("is not Int"));
        let p = Program {
            binds: vec![TopBinding {
                var: var("k", 1000, Rep::Ptr),
                rhs: Rhs::Con(I_HASH, vec![Atom::Lit(Lit::Double(1.0))]),
            }],
        };
        assert!(first_error(&p).contains("is not Int"));
    }

    #[test]
    fn binders_are_unique() {
        let mut p = program_with_free_list(vec![var("x", 1002, Rep::Ptr)]);
        if let Rhs::Fun(c) = &mut p.binds[1].rhs {
            c.params[0].unique = 1002;
            c.body = Expr::Atom(Atom::Var(c.params[0].clone()));
        }
        assert!(
            first_error(&p).contains("x_1002 is bound twice")
                || first_error(&p).contains("y_1002 is bound twice")
        );
    }

    #[test]
    fn out_of_scope_variables_and_misplaced_jumps_are_caught() {
        let (x, y, j) = (
            var("x", 1002, Rep::Ptr),
            var("y", 1003, Rep::Ptr),
            var("j", 1004, Rep::Ptr),
        );
        let p = Program {
            binds: vec![TopBinding {
                var: var("f", 1000, Rep::Ptr),
                rhs: fun(vec![], vec![x.clone()], Expr::Atom(v(&y))),
            }],
        };
        assert!(first_error(&p).contains("y_1003 is not in scope"));
        // join j [y] = y in case (jump j x) of w { __DEFAULT -> w }
        let scrutinee_jump = Expr::Case(Box::new(Case {
            scrut: Expr::Jump(j.clone(), vec![v(&x)]),
            binder: var("w", 1005, Rep::Ptr),
            ty: AltType::Poly,
            alts: vec![Alt {
                con: AltCon::Default,
                binders: vec![],
                rhs: Expr::Atom(v(&var("w", 1005, Rep::Ptr))),
            }],
            span: Default::default(),
        }));
        let p = Program {
            binds: vec![TopBinding {
                var: var("f", 1000, Rep::Ptr),
                rhs: fun(
                    vec![],
                    vec![x.clone()],
                    Expr::LetJoin(Box::new(JoinGroup {
                        recursive: false,
                        joins: vec![JoinPoint {
                            var: j.clone(),
                            params: vec![y.clone()],
                            body: Expr::Atom(v(&y)),
                        }],
                        body: scrutinee_jump,
                    })),
                ),
            }],
        };
        assert!(first_error(&p).contains("not a join point in tail position"));
    }

    #[test]
    fn case_alternatives_must_fit_the_scrutinee() {
        let x = var("x", 1002, Rep::Ptr);
        let p = Program {
            binds: vec![TopBinding {
                var: var("f", 1000, Rep::Ptr),
                rhs: fun(
                    vec![],
                    vec![x.clone()],
                    Expr::Case(Box::new(Case {
                        scrut: Expr::Atom(v(&x)),
                        binder: var("w", 1005, Rep::Ptr),
                        ty: AltType::Algebraic(INT),
                        alts: vec![Alt {
                            con: AltCon::Con(NIL),
                            binders: vec![],
                            rhs: Expr::Atom(v(&x)),
                        }],
                        span: Default::default(),
                    })),
                ),
            }],
        };
        assert!(first_error(&p).contains("is not of the scrutinee's type"));
    }
}
