//! Join points: `let`-bound functions that are only ever tail-called.
//!
//! A function bound by `let` (or a group bound by `letrec`) whose every
//! occurrence is a call with exactly its arity of arguments, in tail
//! position relative to its binding and never inside another closure, does
//! not need to be a closure: the bytecode compiles it to a label in the
//! enclosing code and each call to a jump (a self-recursive one to a loop).
//! GHCi allocates these as heap closures; see DESIGN.md.
//!
//! ```text
//!   let go = \r [i acc] -> case i ># n of {1# -> acc; _ -> go (i+1) (acc+i)}
//!   in go 0 0
//! ==>
//!   joinrec go [i acc] = case ... of {1# -> acc; _ -> jump go (i+1) (acc+i)}
//!   in jump go 0 0
//! ```
//!
//! Tail positions: the body of a `let`/`letrec`/join group, the right side
//! of a case alternative and of a join point. Not: a case scrutinee, the
//! body of any closure. Runs after `lower`, before `free` (a join point has
//! no free-variable list: it lives in its binder's frame). Read next: `free`.

use crate::syntax::*;
use sloth_core::session::deep;
use sloth_core::types::Unique;
use std::collections::HashMap;

/// Rewrites every join point of a program in place.
pub fn find_join_points(p: &mut Program) {
    for b in &mut p.binds {
        rhs(&mut b.rhs);
    }
}

fn rhs(r: &mut Rhs) {
    match r {
        Rhs::Fun(c) | Rhs::Thunk(c, _) => convert(&mut c.body),
        Rhs::Con(..) | Rhs::String(_) => {}
    }
}

/// Candidate join points: variable and arity.
type Candidates = HashMap<Unique, usize>;

fn convert(e: &mut Expr) {
    deep(|| convert_inner(e))
}

fn convert_inner(e: &mut Expr) {
    // Inner bindings first: whether an outer function can become a join
    // point depends on whether the closures around its calls still exist.
    match e {
        Expr::Atom(_) | Expr::App(..) | Expr::Con(..) | Expr::Prim(..) | Expr::Jump(..) => {}
        Expr::Case(c) => {
            convert(&mut c.scrut);
            for a in &mut c.alts {
                convert(&mut a.rhs);
            }
        }
        Expr::LetJoin(g) => {
            for j in &mut g.joins {
                convert(&mut j.body);
            }
            convert(&mut g.body);
        }
        Expr::Let(b, body) => {
            rhs(&mut b.rhs);
            convert(body);
            if let Rhs::Fun(c) = &b.rhs {
                let cands = Candidates::from([(b.var.unique, c.params.len())]);
                if tail_calls_only(body, &cands, true) {
                    let body = std::mem::replace(&mut **body, Expr::Atom(Atom::Lit(Lit::Int(0))));
                    let Rhs::Fun(c) = b.rhs.clone() else {
                        unreachable!("checked above")
                    };
                    *e = join_group(false, vec![(b.var.clone(), c)], body, &cands);
                }
            }
        }
        Expr::LetRec(group, body) => {
            for b in group.iter_mut() {
                rhs(&mut b.rhs);
            }
            convert(body);
            let cands: Option<Candidates> = group
                .iter()
                .map(|b| match &b.rhs {
                    Rhs::Fun(c) => Some((b.var.unique, c.params.len())),
                    _ => None,
                })
                .collect();
            let Some(cands) = cands else { return };
            let ok = tail_calls_only(body, &cands, true)
                && group.iter().all(|b| match &b.rhs {
                    Rhs::Fun(c) => tail_calls_only(&c.body, &cands, true),
                    _ => false,
                });
            if ok {
                let body = std::mem::replace(&mut **body, Expr::Atom(Atom::Lit(Lit::Int(0))));
                let funs = std::mem::take(group)
                    .into_iter()
                    .map(|b| match b.rhs {
                        Rhs::Fun(c) => (b.var, c),
                        _ => unreachable!("checked above"),
                    })
                    .collect();
                *e = join_group(true, funs, body, &cands);
            }
        }
    }
}

fn join_group(
    recursive: bool,
    funs: Vec<(Var, Closure)>,
    mut body: Expr,
    cands: &Candidates,
) -> Expr {
    to_jumps(&mut body, cands);
    let joins = funs
        .into_iter()
        .map(|(var, c)| {
            let mut jbody = c.body;
            if recursive {
                to_jumps(&mut jbody, cands);
            }
            JoinPoint {
                var,
                params: c.params,
                body: jbody,
            }
        })
        .collect();
    Expr::LetJoin(Box::new(JoinGroup {
        recursive,
        joins,
        body,
    }))
}

fn mentions(a: &Atom, cands: &Candidates) -> bool {
    matches!(a, Atom::Var(v) if cands.contains_key(&v.unique))
}

fn any_mention(args: &[Atom], cands: &Candidates) -> bool {
    args.iter().any(|a| mentions(a, cands))
}

/// Whether every occurrence of a candidate in `e` is a saturated call in
/// tail position (`tail` says whether `e` itself is in tail position).
fn tail_calls_only(e: &Expr, cands: &Candidates, tail: bool) -> bool {
    deep(|| match e {
        Expr::Atom(a) => !mentions(a, cands),
        Expr::App(f, args) => {
            let head_ok = match cands.get(&f.unique) {
                Some(&arity) => tail && args.len() == arity,
                None => true,
            };
            head_ok && !any_mention(args, cands)
        }
        Expr::Con(_, args) | Expr::Prim(_, args) | Expr::Jump(_, args) => !any_mention(args, cands),
        Expr::Case(c) => {
            tail_calls_only(&c.scrut, cands, false)
                && c.alts.iter().all(|a| tail_calls_only(&a.rhs, cands, tail))
        }
        Expr::Let(b, body) => rhs_free_of(&b.rhs, cands) && tail_calls_only(body, cands, tail),
        Expr::LetRec(bs, body) => {
            bs.iter().all(|b| rhs_free_of(&b.rhs, cands)) && tail_calls_only(body, cands, tail)
        }
        Expr::LetJoin(g) => {
            g.joins
                .iter()
                .all(|j| tail_calls_only(&j.body, cands, tail))
                && tail_calls_only(&g.body, cands, tail)
        }
    })
}

/// A closure may not mention a join point at all: it runs in another frame.
fn rhs_free_of(r: &Rhs, cands: &Candidates) -> bool {
    match r {
        Rhs::Con(_, args) => !any_mention(args, cands),
        Rhs::Fun(c) | Rhs::Thunk(c, _) => tail_calls_only(&c.body, cands, false),
        Rhs::String(_) => true,
    }
}

/// Turns the (checked) tail calls of candidates into jumps.
fn to_jumps(e: &mut Expr, cands: &Candidates) {
    deep(|| match e {
        Expr::App(f, args) if cands.contains_key(&f.unique) => {
            *e = Expr::Jump(f.clone(), std::mem::take(args));
        }
        Expr::Atom(_) | Expr::App(..) | Expr::Con(..) | Expr::Prim(..) | Expr::Jump(..) => {}
        Expr::Case(c) => {
            for a in &mut c.alts {
                to_jumps(&mut a.rhs, cands);
            }
        }
        Expr::Let(_, body) | Expr::LetRec(_, body) => to_jumps(body, cands),
        Expr::LetJoin(g) => {
            for j in &mut g.joins {
                to_jumps(&mut j.body, cands);
            }
            to_jumps(&mut g.body, cands);
        }
    })
}
