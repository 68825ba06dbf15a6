//! The STG printer behind `sloth dump --stg`.
//!
//! Close to GHC's `-ddump-stg-final`: closures print as `\u` (updatable
//! thunk), `\s` (single-entry thunk) or `\r` (re-entrant: a function, or a
//! call-by-name thunk), then their free variables in braces and their
//! parameters in brackets. Names are the source names, made distinct by a
//! numeric suffix in order of appearance, so dumps do not change when
//! uniques do. Literals: `5#`, `2.5##`, `'c'#`; boxed literals and strings
//! are top-level closures named after their value (`5 = I# 5#;`).
//! Read next: `reference`.

use crate::syntax::*;
use sloth_core::session::deep;
use sloth_core::types::{DataEnv, Unique};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

const MAX_INDENT: usize = 80;

/// Prints a program, one top-level binding per paragraph.
pub fn pretty_program(data: &DataEnv, p: &Program) -> String {
    let mut pr = Printer {
        data,
        globals: Names::default(),
        locals: Names::default(),
        out: String::new(),
    };
    for b in &p.binds {
        pr.globals.name(&b.var, None);
    }
    // Locals (and earlier units' globals) are named afresh in each binding.
    for b in &p.binds {
        pr.locals = Names::default();
        let name = pr.name(&b.var);
        let _ = write!(pr.out, "{name} = ");
        pr.rhs(&b.rhs, 0);
        pr.out.push_str(";\n\n");
    }
    pr.out.pop();
    pr.out
}

struct Printer<'a> {
    data: &'a DataEnv,
    /// This program's top-level names.
    globals: Names,
    /// The names given in the current top-level binding.
    locals: Names,
    out: String,
}

/// Distinct printed names: the source name, or the source name with the
/// first numeric suffix that is free.
#[derive(Default)]
struct Names {
    names: HashMap<Unique, String>,
    taken: HashSet<String>,
    /// The next suffix to try for each base name (so that naming the n-th
    /// `a` does not probe `a1` … `an` again).
    next: HashMap<String, u32>,
}

impl Names {
    fn name(&mut self, v: &Var, outer: Option<&Names>) -> String {
        if let Some(n) = self.names.get(&v.unique) {
            return n.clone();
        }
        let base = v.name.to_string();
        let mut n = self.next.get(&base).copied().unwrap_or(0);
        let name = loop {
            let candidate = if n == 0 {
                base.clone()
            } else {
                format!("{base}{n}")
            };
            n += 1;
            let free = !self.taken.contains(&candidate)
                && outer.is_none_or(|o| !o.taken.contains(&candidate));
            if free {
                break candidate;
            }
        };
        self.next.insert(base, n);
        self.taken.insert(name.clone());
        self.names.insert(v.unique, name.clone());
        name
    }
}

impl Printer<'_> {
    fn name(&mut self, v: &Var) -> String {
        match self.globals.names.get(&v.unique) {
            Some(n) => n.clone(),
            None => self.locals.name(v, Some(&self.globals)),
        }
    }

    /// Indentation stops growing at [`MAX_INDENT`] columns: a program
    /// nested 20,000 deep would otherwise print gigabytes of spaces.
    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        for _ in 0..indent.min(MAX_INDENT) {
            self.out.push(' ');
        }
    }

    fn atom(&mut self, a: &Atom) {
        match a {
            Atom::Var(v) => {
                let n = self.name(v);
                self.out.push_str(&n);
            }
            Atom::Lit(l) => {
                let text = lit(*l);
                self.out.push_str(&text);
            }
        }
    }

    fn atoms(&mut self, args: &[Atom]) {
        for a in args {
            self.out.push(' ');
            self.atom(a);
        }
    }

    fn vars(&mut self, vs: &[Var]) {
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            let n = self.name(v);
            self.out.push_str(&n);
        }
    }

    fn con_name(&self, c: sloth_core::types::ConId) -> String {
        let name = &self.data.con(c).name;
        match name.chars().next() {
            Some(ch) if !ch.is_alphabetic() && ch != '(' && ch != '[' => format!("({name})"),
            _ => name.to_string(),
        }
    }

    fn rhs(&mut self, r: &Rhs, indent: usize) {
        match r {
            Rhs::Con(c, args) => {
                let n = self.con_name(*c);
                self.out.push_str(&n);
                self.atoms(args);
            }
            Rhs::String(s) => {
                let _ = write!(self.out, "{:?}", &**s);
            }
            Rhs::Fun(c) => self.closure("\\r", c, indent),
            Rhs::Thunk(c, flag) => {
                let f = match flag {
                    UpdateFlag::Updatable => "\\u",
                    UpdateFlag::SingleEntry => "\\s",
                    UpdateFlag::ReEntrant => "\\r",
                };
                self.closure(f, c, indent)
            }
        }
    }

    fn closure(&mut self, flag: &str, c: &Closure, indent: usize) {
        self.out.push_str(flag);
        if !c.free.is_empty() {
            self.out.push_str(" {");
            self.vars(&c.free);
            self.out.push('}');
        }
        self.out.push_str(" [");
        self.vars(&c.params);
        self.out.push_str("] ->");
        self.body(&c.body, indent + 2);
    }

    /// An expression after `->` or `=`: on the same line when it is
    /// simple, else on the next lines, indented.
    fn body(&mut self, e: &Expr, indent: usize) {
        if is_simple(e) {
            self.out.push(' ');
        } else {
            self.newline(indent);
        }
        self.expr(e, indent);
    }

    fn expr(&mut self, e: &Expr, indent: usize) {
        deep(|| self.expr_inner(e, indent))
    }

    fn expr_inner(&mut self, e: &Expr, indent: usize) {
        match e {
            Expr::Atom(a) => self.atom(a),
            Expr::App(f, args) => {
                let n = self.name(f);
                self.out.push_str(&n);
                self.atoms(args);
            }
            Expr::Con(c, args) => {
                let n = self.con_name(*c);
                self.out.push_str(&n);
                self.atoms(args);
            }
            Expr::Prim(p, args) => {
                let name = p.name();
                let infix = !name.starts_with(|c: char| c.is_alphabetic()) && args.len() == 2;
                if infix {
                    self.atom(&args[0]);
                    let _ = write!(self.out, " {name} ");
                    self.atom(&args[1]);
                } else {
                    self.out.push_str(name);
                    self.atoms(args);
                }
            }
            Expr::Jump(j, args) => {
                let n = self.name(j);
                let _ = write!(self.out, "jump {n}");
                self.atoms(args);
            }
            Expr::Case(c) => {
                self.out.push_str("case");
                if is_simple(&c.scrut) {
                    self.out.push(' ');
                    self.expr(&c.scrut, indent);
                    self.out.push(' ');
                } else {
                    self.newline(indent + 2);
                    self.expr(&c.scrut, indent + 2);
                    self.newline(indent);
                }
                let b = self.name(&c.binder);
                let _ = write!(self.out, "of {b} {{");
                for a in &c.alts {
                    self.newline(indent + 2);
                    match &a.con {
                        AltCon::Con(k) => {
                            let n = self.con_name(*k);
                            self.out.push_str(&n);
                            for v in &a.binders {
                                let n = self.name(v);
                                let _ = write!(self.out, " {n}");
                            }
                        }
                        AltCon::Lit(l) => {
                            let text = lit(*l);
                            self.out.push_str(&text);
                        }
                        AltCon::Default => self.out.push_str("__DEFAULT"),
                    }
                    self.out.push_str(" ->");
                    self.body(&a.rhs, indent + 4);
                    self.out.push(';');
                }
                self.newline(indent);
                self.out.push('}');
            }
            Expr::Let(b, body) => {
                let n = self.name(&b.var);
                let _ = write!(self.out, "let {n} = ");
                self.rhs(&b.rhs, indent);
                self.out.push_str(" in");
                self.newline(indent);
                self.expr(body, indent);
            }
            Expr::LetRec(bs, body) => {
                self.out.push_str("letrec {");
                for b in bs {
                    self.newline(indent + 2);
                    let n = self.name(&b.var);
                    let _ = write!(self.out, "{n} = ");
                    self.rhs(&b.rhs, indent + 2);
                    self.out.push(';');
                }
                self.newline(indent);
                self.out.push_str("} in");
                self.newline(indent);
                self.expr(body, indent);
            }
            Expr::LetJoin(g) => {
                let kw = if g.recursive { "joinrec" } else { "join" };
                let _ = write!(self.out, "{kw} {{");
                for j in &g.joins {
                    self.newline(indent + 2);
                    let n = self.name(&j.var);
                    let _ = write!(self.out, "{n} [");
                    self.vars(&j.params);
                    self.out.push_str("] =");
                    self.body(&j.body, indent + 4);
                    self.out.push(';');
                }
                self.newline(indent);
                self.out.push_str("} in");
                self.newline(indent);
                self.expr(&g.body, indent);
            }
        }
    }
}

fn is_simple(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Atom(_) | Expr::App(..) | Expr::Con(..) | Expr::Prim(..) | Expr::Jump(..)
    )
}

fn lit(l: Lit) -> String {
    match l {
        Lit::Int(n) => format!("{n}#"),
        Lit::Double(d) => format!("{d:?}##"),
        Lit::Char(c) => format!("{c:?}#"),
    }
}
