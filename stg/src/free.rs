//! Free variables and single-entry thunks: the last step of lowering.
//!
//! Every function and thunk gets the exact list of the local variables its
//! body uses that are bound outside it — the payload its closure carries.
//! Globals are never free variables (the linker resolves them), nor are
//! join points (they are labels, not values). Lists are sorted by unique,
//! which is binding order, so dumps are stable.
//!
//! Under need and name a `let` whose variable does not occur is dropped
//! (the simplifier keeps those whose right side might fail, which only
//! matters by value). Under call-by-need, a non-recursive thunk that is
//! certainly entered at most once is marked [`UpdateFlag::SingleEntry`], so the machine pushes
//! no update frame for it. "Cheap to know" here means: its variable occurs
//! exactly once, in an *entering* position (evaluated: `case t of ...`,
//! `t` returned, `t a b` called), and not under a function or a recursive
//! join point (which may run many times). An occurrence as an argument or
//! a constructor field lets the thunk escape, so it does not qualify.
//! Read next: `lint`.

use crate::strategy::Strategy;
use crate::syntax::*;
use sloth_core::session::deep;
use sloth_core::types::Unique;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Fills in every closure's free variables, then (under need) the
/// single-entry flags.
pub fn annotate(p: &mut Program, strategy: Strategy) {
    if strategy != Strategy::Value {
        let mut occ = Occurrences::default();
        for b in &p.binds {
            occ.rhs(&b.rhs);
        }
        let single_entry = strategy == Strategy::Need;
        for b in &mut p.binds {
            if let Rhs::Fun(c) | Rhs::Thunk(c, _) = &mut b.rhs {
                tidy_lets(&mut c.body, &occ.counts, single_entry);
            }
        }
    }
    let mut fv = Fv {
        scope: HashSet::new(),
    };
    for b in &mut p.binds {
        let mut out = FreeSet::new();
        fv.rhs(&mut b.rhs, &mut out);
    }
}

type FreeSet = BTreeMap<Unique, Var>;

struct Fv {
    /// The local variables in scope at the current point.
    scope: HashSet<Unique>,
}

impl Fv {
    fn bind<'a>(&mut self, vars: impl IntoIterator<Item = &'a Var>) {
        for v in vars {
            self.scope.insert(v.unique);
        }
    }

    fn unbind<'a>(&mut self, vars: impl IntoIterator<Item = &'a Var>, out: &mut FreeSet) {
        for v in vars {
            self.scope.remove(&v.unique);
            out.remove(&v.unique);
        }
    }

    fn atom(&self, a: &Atom, out: &mut FreeSet) {
        if let Atom::Var(v) = a {
            self.var(v, out);
        }
    }

    fn var(&self, v: &Var, out: &mut FreeSet) {
        if self.scope.contains(&v.unique) {
            out.insert(v.unique, v.clone());
        }
    }

    fn rhs(&mut self, r: &mut Rhs, out: &mut FreeSet) {
        match r {
            Rhs::Con(_, args) => args.iter().for_each(|a| self.atom(a, out)),
            Rhs::Fun(c) | Rhs::Thunk(c, _) => self.closure(c, out),
            Rhs::String(_) => {}
        }
    }

    fn closure(&mut self, c: &mut Closure, out: &mut FreeSet) {
        let mut inner = FreeSet::new();
        self.bind(&c.params);
        self.expr(&mut c.body, &mut inner);
        self.unbind(&c.params, &mut inner);
        c.free = inner.values().cloned().collect();
        out.append(&mut inner);
    }

    fn expr(&mut self, e: &mut Expr, out: &mut FreeSet) {
        deep(|| match e {
            Expr::Atom(a) => self.atom(a, out),
            Expr::App(f, args) => {
                self.var(f, out);
                args.iter().for_each(|a| self.atom(a, out));
            }
            Expr::Con(_, args) | Expr::Prim(_, args) | Expr::Jump(_, args) => {
                args.iter().for_each(|a| self.atom(a, out))
            }
            Expr::Case(c) => {
                self.expr(&mut c.scrut, out);
                let mut alts = FreeSet::new();
                self.bind([&c.binder]);
                for a in &mut c.alts {
                    self.bind(&a.binders);
                    self.expr(&mut a.rhs, &mut alts);
                    self.unbind(&a.binders, &mut alts);
                }
                self.unbind([&c.binder], &mut alts);
                out.append(&mut alts);
            }
            Expr::Let(b, body) => {
                self.rhs(&mut b.rhs, out);
                let mut inner = FreeSet::new();
                self.bind([&b.var]);
                self.expr(body, &mut inner);
                self.unbind([&b.var], &mut inner);
                out.append(&mut inner);
            }
            Expr::LetRec(bs, body) => {
                let mut inner = FreeSet::new();
                self.bind(bs.iter().map(|b| &b.var));
                for b in bs.iter_mut() {
                    self.rhs(&mut b.rhs, &mut inner);
                }
                self.expr(body, &mut inner);
                self.unbind(bs.iter().map(|b| &b.var), &mut inner);
                out.append(&mut inner);
            }
            Expr::LetJoin(g) => {
                for j in &mut g.joins {
                    let mut inner = FreeSet::new();
                    self.bind(&j.params);
                    self.expr(&mut j.body, &mut inner);
                    self.unbind(&j.params, &mut inner);
                    out.append(&mut inner);
                }
                self.expr(&mut g.body, out);
            }
        })
    }
}

/// Occurrence counts of `let`-bound thunks: 1 per entering occurrence in
/// the code that binds them, MANY for an occurrence under a function or a
/// recursive join point bound inside their scope (which may run repeatedly)
/// or for one that escapes (an argument, a constructor field).
#[derive(Default)]
struct Occurrences {
    counts: HashMap<Unique, u32>,
    /// How many functions and recursive join points enclose each binder.
    depth_of: HashMap<Unique, u32>,
    depth: u32,
}

const MANY: u32 = 2;

impl Occurrences {
    fn entered(&mut self, v: &Var) {
        let n = match self.depth_of.get(&v.unique) {
            Some(&d) if d == self.depth => 1,
            _ => MANY,
        };
        *self.counts.entry(v.unique).or_insert(0) += n;
    }

    fn escaping(&mut self, args: &[Atom]) {
        for a in args {
            if let Atom::Var(v) = a {
                *self.counts.entry(v.unique).or_insert(0) += MANY;
            }
        }
    }

    fn under_lambda(&mut self, e: &Expr) {
        self.depth += 1;
        self.expr(e);
        self.depth -= 1;
    }

    fn rhs(&mut self, r: &Rhs) {
        match r {
            Rhs::Con(_, args) => self.escaping(args),
            Rhs::Fun(c) => self.under_lambda(&c.body),
            // A thunk's body runs at most once under need.
            Rhs::Thunk(c, _) => self.expr(&c.body),
            Rhs::String(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        deep(|| match e {
            Expr::Atom(Atom::Var(v)) => self.entered(v),
            Expr::Atom(Atom::Lit(_)) => {}
            Expr::App(f, args) => {
                self.entered(f);
                self.escaping(args);
            }
            Expr::Con(_, args) | Expr::Prim(_, args) | Expr::Jump(_, args) => self.escaping(args),
            Expr::Case(c) => {
                self.expr(&c.scrut);
                for a in &c.alts {
                    self.expr(&a.rhs);
                }
            }
            Expr::Let(b, body) => {
                self.depth_of.insert(b.var.unique, self.depth);
                self.rhs(&b.rhs);
                self.expr(body);
            }
            Expr::LetRec(bs, body) => {
                // Recursive thunks are never single-entry: they are not
                // given a depth, so every occurrence counts as many.
                for b in bs {
                    match &b.rhs {
                        Rhs::Thunk(c, _) => self.under_lambda(&c.body),
                        r => self.rhs(r),
                    }
                }
                self.expr(body);
            }
            Expr::LetJoin(g) => {
                for j in &g.joins {
                    if g.recursive {
                        self.under_lambda(&j.body);
                    } else {
                        self.expr(&j.body);
                    }
                }
                self.expr(&g.body);
            }
        })
    }
}

/// Drops dead `let`s and (if `single_entry`) marks single-entry thunks.
fn tidy_lets(e: &mut Expr, counts: &HashMap<Unique, u32>, single_entry: bool) {
    deep(|| match e {
        Expr::Atom(_) | Expr::App(..) | Expr::Con(..) | Expr::Prim(..) | Expr::Jump(..) => {}
        Expr::Case(c) => {
            tidy_lets(&mut c.scrut, counts, single_entry);
            for a in &mut c.alts {
                tidy_lets(&mut a.rhs, counts, single_entry);
            }
        }
        Expr::Let(b, body) => {
            let uses = counts.get(&b.var.unique).copied().unwrap_or(0);
            if uses == 0 {
                let body = std::mem::replace(&mut **body, Expr::Atom(Atom::Lit(Lit::Int(0))));
                *e = body;
                tidy_lets(e, counts, single_entry);
                return;
            }
            if let Rhs::Thunk(_, flag @ UpdateFlag::Updatable) = &mut b.rhs {
                if single_entry && uses <= 1 {
                    *flag = UpdateFlag::SingleEntry;
                }
            }
            if let Rhs::Fun(c) | Rhs::Thunk(c, _) = &mut b.rhs {
                tidy_lets(&mut c.body, counts, single_entry);
            }
            tidy_lets(body, counts, single_entry);
        }
        Expr::LetRec(bs, body) => {
            for b in bs.iter_mut() {
                if let Rhs::Fun(c) | Rhs::Thunk(c, _) = &mut b.rhs {
                    tidy_lets(&mut c.body, counts, single_entry);
                }
            }
            tidy_lets(body, counts, single_entry);
        }
        Expr::LetJoin(g) => {
            for j in &mut g.joins {
                tidy_lets(&mut j.body, counts, single_entry);
            }
            tidy_lets(&mut g.body, counts, single_entry);
        }
    })
}
