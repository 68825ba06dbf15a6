//! Core pretty-printer: explicit Core back to parseable Sloth source.
//!
//! Owns the printed form of Core (what `sloth dump --core` shows): data
//! declarations, a signature and a definition per top-level binder, every
//! lambda binder annotated `(x :: t)`, every type abstraction `\@a` and type
//! application `f @t` written out, `let` and `case` blocks with explicit
//! braces and semicolons (so layout matters only at the top level, where
//! every continuation line is indented). Printed with the prelude in scope,
//! the output re-elaborates to the same Core up to renaming.
//!
//! Names: every binder gets a display name unique across the output (its
//! own name if free, else `x_1`, `x_2`, ..., before a trailing `#`: `x_1#`);
//! the names of external variables (prelude, earlier units) and primops that
//! the printed code references are reserved first, so that no binder can
//! capture them. Type variables only need to differ from the type variables
//! in scope, so they keep their names unless shadowed (`a`, `a_1`). Pattern
//! binders that are never used print as `_`.
//!
//! Sugar, chosen so that elaboration gives back the same Core: a cons chain
//! ending in `[] @t` prints as `[e1, e2]`, one ending elsewhere as
//! `e1 : e2 : rest`; a saturated tuple constructor as `(e1, e2)`; both only
//! when the element types contain no `forall`. A lone `[] @t` prints as
//! `([] :: [t])`, since `[]` in source is an empty list literal, which takes
//! no type argument.
//!
//! It deliberately knows nothing of typing (it prints ill-typed Core as
//! faithfully as it can, which is what one wants when lint fails) nor of
//! the parser; a test round-trips every example program and the prelude
//! through the real front end to keep the two in step. Literals that
//! cannot arise from source print as the nearest expression with the same
//! value: a NaN `Double` as `(0.0 / 0.0)`, a NaN `Double#` as
//! `(0.0## /## 0.0##)`.
//!
//! Layout is a small Wadler–Lindig document printer (groups that break when
//! they do not fit in [`WIDTH`] columns). Building the document recurses
//! over the term through [`crate::session::deep`], which moves to a fresh
//! stack segment when the stack runs low, so any depth prints on any thread;
//! rendering and dropping the document are iterative, and indentation is
//! capped at [`MAX_INDENT`] so that 100,000-deep terms print in linear space.
//!
//! Read next: the elaborator (`infer`), which this output feeds back into.

use crate::ir::{Bind, Case, Expr, Id, Literal, Module, Pat};
use crate::types::{
    ConId, DataEnv, TyConId, TyVar, Type, TypeKind, Unique, CHAR, CONS, LIST, MAX_TUPLE, NIL,
    TUPLE2, TUPLE2_CON, UNIT_CON,
};
use std::collections::{HashMap, HashSet};

/// The line width the printer aims for.
pub const WIDTH: usize = 80;
/// Deeper nesting is not indented further.
pub const MAX_INDENT: usize = 40;

/// Prints a module: its data declarations, then each top-level binder as a
/// signature and a definition, in the module's order.
pub fn pretty_module(data: &DataEnv, m: &Module) -> String {
    let mut p = Printer::new(data);
    let pairs: Vec<(&Id, &Expr)> = m.binds.iter().flat_map(bind_pairs).collect();
    let tops: Vec<&Id> = pairs.iter().map(|(x, _)| *x).collect();
    p.scan(pairs.iter().map(|(_, e)| *e).collect(), &tops);
    for x in &tops {
        p.binder_name(x);
    }
    let mut chunks: Vec<String> = Vec::new();
    let decls: Vec<String> = m.data.iter().map(|&tc| p.data_decl(tc)).collect();
    if !decls.is_empty() {
        chunks.push(decls.join("\n"));
    }
    for (x, rhs) in pairs {
        let doc = p.top_bind(x, rhs);
        chunks.push(render(&doc, WIDTH));
    }
    let mut out = chunks.join("\n\n");
    out.push('\n');
    out
}

/// Prints an expression. Lines after the first are indented, so the text
/// can follow `name = ` at the top level.
pub fn pretty_expr(data: &DataEnv, e: &Expr) -> String {
    let mut p = Printer::new(data);
    p.scan(vec![e], &[]);
    let doc = nest(2, p.expr(e, Prec::Top));
    render(&doc, WIDTH)
}

/// Prints a type in source syntax (`forall a. a -> [a]`).
pub fn pretty_type(data: &DataEnv, t: &Type) -> String {
    Printer::new(data).ty_str(t, 0)
}

// ---------------------------------------------------------------------------
// Documents

enum Doc {
    /// Text without newlines.
    Text(String),
    /// A space, or a newline if the enclosing group is broken.
    Line,
    /// Always a newline; the enclosing groups break.
    Hard,
    Cat(Vec<Doc>),
    /// Indents the newlines inside by this much more.
    Nest(usize, Box<Doc>),
    /// Printed flat if it fits in the rest of the line, else broken.
    Group(Box<Doc>),
}

impl Drop for Doc {
    /// Iterative, so that dropping a document as deep as the term it
    /// prints needs no deep stack.
    fn drop(&mut self) {
        let mut stack: Vec<Doc> = Vec::new();
        let take = |d: &mut Doc, stack: &mut Vec<Doc>| match d {
            Doc::Cat(ds) => stack.append(ds),
            Doc::Nest(_, b) | Doc::Group(b) => stack.push(std::mem::replace(&mut **b, Doc::Line)),
            Doc::Text(_) | Doc::Line | Doc::Hard => {}
        };
        take(self, &mut stack);
        while let Some(mut d) = stack.pop() {
            take(&mut d, &mut stack);
        }
    }
}

fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}
fn cat(ds: Vec<Doc>) -> Doc {
    Doc::Cat(ds)
}
fn nest(k: usize, d: Doc) -> Doc {
    Doc::Nest(k, Box::new(d))
}
fn group(d: Doc) -> Doc {
    Doc::Group(Box::new(d))
}
/// `group(line d)`: `d` on this line if it fits, else on the next.
fn soft(d: Doc) -> Doc {
    group(cat(vec![Doc::Line, d]))
}
fn parens_if(b: bool, d: Doc) -> Doc {
    if b {
        cat(vec![text("("), d, text(")")])
    } else {
        d
    }
}

/// Lindig's strict pretty-printing, with Wadler's look at the rest of the
/// line when deciding whether a group fits. Iterative.
fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    // Indentation owed by the last newline, written before the next text (so
    // that blank lines carry no trailing spaces).
    let mut pending: Option<usize> = None;
    let mut stack: Vec<(usize, bool, &Doc)> = vec![(0, false, doc)];
    while let Some((i, flat, d)) = stack.pop() {
        match d {
            Doc::Text(s) => {
                if let Some(k) = pending.take() {
                    out.extend(std::iter::repeat_n(' ', k));
                }
                out.push_str(s);
                col += s.chars().count();
            }
            Doc::Line if flat => {
                out.push(' ');
                col += 1;
            }
            Doc::Line | Doc::Hard => {
                out.push('\n');
                let k = i.min(MAX_INDENT);
                pending = Some(k);
                col = k;
            }
            Doc::Cat(ds) => stack.extend(ds.iter().rev().map(|d| (i, flat, d))),
            Doc::Nest(k, d) => stack.push((i + k, flat, d)),
            Doc::Group(d) => {
                let f = flat || fits(width.saturating_sub(col), d, &stack);
                stack.push((i, f, d));
            }
        }
    }
    out
}

/// Whether `d` printed flat, followed by what `rest` (a render stack, top
/// last) prints up to its next newline, takes at most `w` columns. Groups
/// inside `rest` are taken to break where their parent does. Walks the
/// documents lazily, so the cost is bounded by `w` and the nesting depth,
/// not by the size of the documents.
fn fits(w: usize, d: &Doc, rest: &[(usize, bool, &Doc)]) -> bool {
    let mut rem = w as isize;
    let entries = std::iter::once((true, d)).chain(rest.iter().rev().map(|&(_, f, d)| (f, d)));
    let mut first = true;
    for (flat, d) in entries {
        let mut stack: Vec<std::slice::Iter<'_, Doc>> = vec![std::slice::from_ref(d).iter()];
        while let Some(top) = stack.last_mut() {
            let Some(d) = top.next() else {
                stack.pop();
                continue;
            };
            match d {
                Doc::Text(s) => rem -= s.chars().count() as isize,
                Doc::Line if flat => rem -= 1,
                // A hard line inside the group: it cannot be flat.
                Doc::Hard if first => return false,
                // The line ends before the width is exceeded.
                Doc::Line | Doc::Hard => return true,
                Doc::Cat(ds) => stack.push(ds.iter()),
                Doc::Nest(_, d) | Doc::Group(d) => stack.push(std::slice::from_ref(&**d).iter()),
            }
            if rem < 0 {
                return false;
            }
        }
        first = false;
    }
    true
}

// ---------------------------------------------------------------------------
// Names and literals

const KEYWORDS: &[&str] = &[
    "data", "case", "of", "let", "in", "if", "then", "else", "forall",
];

fn is_op_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| "!#$%&*+./<=>?@\\^|-~:".contains(c))
}

/// A valid variable name close to `name`, split before its trailing `#`.
fn sanitize(name: &str) -> (String, &'static str) {
    let (body, hash) = match name.strip_suffix('#') {
        Some(b) => (b, "#"),
        None => (name, ""),
    };
    let mut s: String = body
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '\'' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        s.insert(0, 'v');
    }
    if hash.is_empty() {
        if s == "_" {
            s = "wild".to_string();
        } else if KEYWORDS.contains(&s.as_str()) {
            s.push('_');
        }
    }
    (s, hash)
}

fn bind_pairs(b: &Bind) -> Vec<(&Id, &Expr)> {
    match b {
        Bind::NonRec(x, e) => vec![(x, e)],
        Bind::Rec(bs) => bs.iter().map(|(x, e)| (x, e)).collect(),
    }
}

fn int_lit(n: i64, suffix: &str, pat: bool) -> String {
    if n >= 0 {
        format!("{n}{suffix}")
    } else if pat {
        format!("-{}{suffix}", n.unsigned_abs())
    } else {
        format!("(-{}{suffix})", n.unsigned_abs())
    }
}

fn double_lit(d: f64, suffix: &str, pat: bool) -> String {
    if d.is_nan() {
        return if suffix.is_empty() {
            "(0.0 / 0.0)"
        } else {
            "(0.0## /## 0.0##)"
        }
        .to_string();
    }
    // `{:?}` is the shortest text that reads back as the same double, and
    // always has a `.` or an exponent: `2.0`, `1e-7`, `1e300`.
    let mag = if d.is_infinite() {
        "1e999".to_string()
    } else {
        format!("{:?}", d.abs())
    };
    if !d.is_sign_negative() {
        format!("{mag}{suffix}")
    } else if pat {
        format!("-{mag}{suffix}")
    } else {
        format!("(-{mag}{suffix})")
    }
}

/// Appends `c` escaped for a literal delimited by `quote`. Returns whether
/// the escape was numeric (so that a following digit needs `\&`).
fn escape_char(c: char, quote: char, out: &mut String) -> bool {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\\' => out.push_str("\\\\"),
        _ if c == quote => {
            out.push('\\');
            out.push(c);
        }
        ' '..='~' => out.push(c),
        _ => {
            out.push_str(&format!("\\{}", c as u32));
            return true;
        }
    }
    false
}

fn char_lit(c: char) -> String {
    let mut s = String::from("'");
    escape_char(c, '\'', &mut s);
    s.push('\'');
    s
}

fn string_lit(text: &str) -> String {
    let mut s = String::from("\"");
    let mut numeric = false;
    for c in text.chars() {
        if numeric && c.is_ascii_digit() {
            s.push_str("\\&");
        }
        numeric = escape_char(c, '"', &mut s);
    }
    s.push('"');
    s
}

/// A literal in source syntax; `pat` for a `case` pattern, where a negative
/// number is written `-3#` rather than `(-3#)`.
fn lit(l: &Literal, pat: bool) -> String {
    match l {
        Literal::Int(n) => int_lit(*n, "", pat),
        Literal::Double(d) => double_lit(*d, "", pat),
        Literal::Char(c) => char_lit(*c),
        Literal::String(s) => string_lit(s),
        Literal::IntPrim(n) => int_lit(*n, "#", pat),
        Literal::DoublePrim(d) => double_lit(*d, "##", pat),
        Literal::CharPrim(c) => format!("{}#", char_lit(*c)),
    }
}

fn has_forall(t: &Type) -> bool {
    match t.kind() {
        TypeKind::Forall(..) => true,
        TypeKind::Var(_) | TypeKind::Meta(_) => false,
        TypeKind::Con(_, args) => args.iter().any(has_forall),
        TypeKind::Fun(a, r) => has_forall(a) || has_forall(r),
    }
}

/// `(:) @t x rest`
fn as_cons(e: &Expr) -> Option<(&Type, &Expr, &Expr)> {
    if let Expr::App(f, rest) = e {
        if let Expr::App(f, x) = &**f {
            if let Expr::TyApp(c, t) = &**f {
                if let Expr::Con(CONS) = **c {
                    return Some((t, x, rest));
                }
            }
        }
    }
    None
}

/// `[] @t`
fn is_nil_at(e: &Expr, t: &Type) -> bool {
    matches!(e, Expr::TyApp(c, t2) if matches!(**c, Expr::Con(NIL)) && t2.alpha_eq(t))
}

/// The arity of a tuple constructor.
fn tuple_con_arity(c: ConId) -> Option<usize> {
    let k = c.0.checked_sub(TUPLE2_CON.0)? as usize + 2;
    (k <= MAX_TUPLE).then_some(k)
}

/// The first type constructor that is not wired in.
const FIRST_DECLARED_TYCON: u32 = TUPLE2.0 + (MAX_TUPLE as u32 - 1);

// ---------------------------------------------------------------------------
// The printer

/// How tightly an expression is bound by its context.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    /// Anything goes (a right side, a body, a list element).
    Top,
    /// Function position, or an operand of `:`: lambda, `let` and `case`
    /// need parentheses.
    Fun,
    /// Argument position: only atoms.
    Arg,
}

enum Arg<'e> {
    Val(&'e Expr),
    Ty(&'e Type),
}

struct Printer<'a> {
    data: &'a DataEnv,
    /// Display names of term variables, by unique (without parentheses).
    names: HashMap<Unique, String>,
    /// Every term name given out or reserved.
    taken: HashSet<String>,
    /// The last suffix tried for a base name.
    suffix: HashMap<String, u32>,
    /// Type variables in scope, innermost last.
    tyscope: Vec<(Unique, String)>,
    /// Uniques that occur as variables.
    used: HashSet<Unique>,
    /// Whether `[Char]` may be printed `String` (no data type is called so).
    string_syn: bool,
}

impl<'a> Printer<'a> {
    fn new(data: &'a DataEnv) -> Printer<'a> {
        Printer {
            data,
            names: HashMap::new(),
            taken: HashSet::new(),
            suffix: HashMap::new(),
            tyscope: Vec::new(),
            used: HashSet::new(),
            string_syn: !data.tycons.iter().any(|t| &*t.name == "String"),
        }
    }

    /// Records which variables occur, and reserves the names of the free
    /// ones (externals) and of the primops referenced.
    fn scan(&mut self, roots: Vec<&Expr>, top: &[&Id]) {
        let mut bound: HashSet<Unique> = top.iter().map(|x| x.unique).collect();
        let mut occs: Vec<&Id> = Vec::new();
        let mut stack: Vec<&Expr> = roots;
        stack.reverse();
        while let Some(e) = stack.pop() {
            match e {
                Expr::Var(x) => {
                    self.used.insert(x.unique);
                    occs.push(x);
                }
                Expr::Prim(p) => {
                    self.taken.insert(p.name().to_string());
                }
                Expr::Con(_) | Expr::Lit(_) => {}
                Expr::App(f, a) => {
                    stack.push(a);
                    stack.push(f);
                }
                Expr::TyApp(f, _) | Expr::TyLam(_, f) => stack.push(f),
                Expr::Lam(x, b) => {
                    bound.insert(x.unique);
                    stack.push(b);
                }
                Expr::Let(b, body) => {
                    stack.push(body);
                    for (x, rhs) in bind_pairs(b).into_iter().rev() {
                        bound.insert(x.unique);
                        stack.push(rhs);
                    }
                }
                Expr::Case(c) => {
                    for alt in c.alts.iter().rev() {
                        match &alt.pat {
                            Pat::Con(_, xs) => bound.extend(xs.iter().map(|x| x.unique)),
                            Pat::Default(Some(x)) => {
                                bound.insert(x.unique);
                            }
                            Pat::Lit(_) | Pat::Default(None) => {}
                        }
                        stack.push(&alt.rhs);
                    }
                    stack.push(&c.scrut);
                }
            }
        }
        for x in occs {
            if !bound.contains(&x.unique) && !self.names.contains_key(&x.unique) {
                self.names.insert(x.unique, x.name.to_string());
                self.taken.insert(x.name.to_string());
            }
        }
    }

    /// The display name of a binder (or occurrence), given on first sight.
    fn binder_name(&mut self, x: &Id) -> String {
        if let Some(n) = self.names.get(&x.unique) {
            return n.clone();
        }
        let n = if is_op_name(&x.name) {
            // Only the prelude binds operators, and there is nothing to rename
            // them to.
            x.name.to_string()
        } else {
            let (base, hash) = sanitize(&x.name);
            let first = format!("{base}{hash}");
            if !self.taken.contains(&first) {
                first
            } else {
                let mut k = self.suffix.get(&first).copied().unwrap_or(0);
                let cand = loop {
                    k += 1;
                    let cand = format!("{base}_{k}{hash}");
                    if !self.taken.contains(&cand) {
                        break cand;
                    }
                };
                self.suffix.insert(first, k);
                cand
            }
        };
        self.taken.insert(n.clone());
        self.names.insert(x.unique, n.clone());
        n
    }

    /// A variable as an expression or definition head: `x`, `(++)`.
    fn var_name(&mut self, x: &Id) -> String {
        let n = self.binder_name(x);
        if is_op_name(&n) {
            format!("({n})")
        } else {
            n
        }
    }

    /// A pattern variable: `_` if it is never used.
    fn pvar(&mut self, x: &Id) -> String {
        if self.used.contains(&x.unique) {
            self.binder_name(x)
        } else {
            "_".to_string()
        }
    }

    /// Brings a type variable into scope under a name no other type
    /// variable in scope has. The caller pops it.
    fn bind_tyvar(&mut self, v: &TyVar) -> String {
        let (base, hash) = sanitize(&v.name);
        let mut cand = format!("{base}{hash}");
        let mut k = 0;
        while self.tyscope.iter().any(|(_, n)| *n == cand) {
            k += 1;
            cand = format!("{base}_{k}{hash}");
        }
        self.tyscope.push((v.unique, cand.clone()));
        cand
    }

    fn tyvar_name(&self, v: &TyVar) -> String {
        match self.tyscope.iter().rev().find(|(u, _)| *u == v.unique) {
            Some((_, n)) => n.clone(),
            None => {
                let (base, hash) = sanitize(&v.name);
                format!("{base}{hash}")
            }
        }
    }

    fn con_name(&self, c: ConId) -> String {
        match self.data.cons.get(c.0 as usize) {
            Some(dc) if &*dc.name == ":" => "(:)".to_string(),
            Some(dc) => dc.name.to_string(),
            None => format!("UnknownCon{}", c.0),
        }
    }

    fn tycon_name(&self, c: TyConId) -> String {
        match self.data.tycons.get(c.0 as usize) {
            Some(info) => info.name.to_string(),
            None => format!("UnknownTyCon{}", c.0),
        }
    }

    // -----------------------------------------------------------------------
    // Types

    fn ty_str(&mut self, t: &Type, prec: u8) -> String {
        let mut s = String::new();
        self.ty(t, prec, &mut s);
        s
    }

    /// `prec`: 0 at the top, 1 left of an arrow, 2 an argument (an atype).
    fn ty(&mut self, t: &Type, prec: u8, out: &mut String) {
        match t.kind() {
            TypeKind::Var(v) => out.push_str(&self.tyvar_name(v)),
            // Never in finished Core; prints as an unbound type variable.
            TypeKind::Meta(m) => out.push_str(&format!("meta{m}")),
            TypeKind::Forall(..) => {
                let (vs, body) = t.split_foralls();
                if prec > 0 {
                    out.push('(');
                }
                out.push_str("forall");
                for v in &vs {
                    let n = self.bind_tyvar(v);
                    out.push(' ');
                    out.push_str(&n);
                }
                out.push_str(". ");
                self.ty(&body, 0, out);
                self.tyscope.truncate(self.tyscope.len() - vs.len());
                if prec > 0 {
                    out.push(')');
                }
            }
            TypeKind::Fun(a, r) => {
                if prec > 0 {
                    out.push('(');
                }
                self.ty(a, 1, out);
                out.push_str(" -> ");
                self.ty(r, 0, out);
                if prec > 0 {
                    out.push(')');
                }
            }
            TypeKind::Con(c, args) => {
                if *c == LIST && args.len() == 1 {
                    if self.string_syn
                        && matches!(args[0].kind(), TypeKind::Con(CHAR, a) if a.is_empty())
                    {
                        out.push_str("String");
                    } else {
                        out.push('[');
                        self.ty(&args[0], 0, out);
                        out.push(']');
                    }
                } else if crate::types::tuple_arity(*c) == Some(args.len()) {
                    out.push('(');
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.ty(a, 0, out);
                    }
                    out.push(')');
                } else if args.is_empty() {
                    out.push_str(&self.tycon_name(*c));
                } else {
                    if prec > 1 {
                        out.push('(');
                    }
                    out.push_str(&self.tycon_name(*c));
                    for a in args {
                        out.push(' ');
                        self.ty(a, 2, out);
                    }
                    if prec > 1 {
                        out.push(')');
                    }
                }
            }
        }
    }

    // -----------------------------------------------------------------------
    // Declarations

    fn data_decl(&mut self, tc: TyConId) -> String {
        let Some(info) = self.data.tycons.get(tc.0 as usize) else {
            return format!("-- unknown type constructor #{}", tc.0);
        };
        if tc.0 < FIRST_DECLARED_TYCON {
            return format!("-- data {} (built in)", info.name);
        }
        let mut s = format!("data {}", info.name);
        let depth = self.tyscope.len();
        for v in &info.params {
            let n = self.bind_tyvar(v);
            s.push(' ');
            s.push_str(&n);
        }
        for (i, &c) in info.cons.iter().enumerate() {
            s.push_str(if i == 0 { " = " } else { " | " });
            s.push_str(&self.con_name(c));
            if let Some(dc) = self.data.cons.get(c.0 as usize) {
                for f in &dc.fields {
                    s.push(' ');
                    self.ty(f, 2, &mut s);
                }
            }
        }
        self.tyscope.truncate(depth);
        s
    }

    fn top_bind(&mut self, x: &Id, rhs: &Expr) -> Doc {
        let n = self.var_name(x);
        let sig = format!("{n} :: {}", self.ty_str(&x.ty, 0));
        cat(vec![
            text(sig),
            Doc::Hard,
            text(format!("{n} = ")),
            nest(2, self.expr(rhs, Prec::Top)),
        ])
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn expr(&mut self, e: &Expr, p: Prec) -> Doc {
        crate::session::deep(|| self.expr_inner(e, p))
    }

    fn expr_inner(&mut self, e: &Expr, p: Prec) -> Doc {
        match e {
            Expr::Var(x) => text(self.var_name(x)),
            Expr::Con(c) => text(self.con_name(*c)),
            Expr::Prim(op) if op.is_operator() => text(format!("({})", op.name())),
            Expr::Prim(op) => text(op.name()),
            Expr::Lit(l) => text(lit(l, false)),
            Expr::App(..) | Expr::TyApp(..) => self.app(e, p),
            Expr::Lam(..) | Expr::TyLam(..) => parens_if(p > Prec::Top, self.lam(e)),
            Expr::Let(b, body) => parens_if(p > Prec::Top, self.let_(b, body)),
            Expr::Case(c) => parens_if(p > Prec::Top, self.case(c)),
        }
    }

    fn app(&mut self, e: &Expr, p: Prec) -> Doc {
        if let Some(d) = self.cons_chain(e, p) {
            return d;
        }
        let mut args = Vec::new();
        let mut head = e;
        loop {
            match head {
                Expr::App(f, a) => {
                    args.push(Arg::Val(a));
                    head = f;
                }
                Expr::TyApp(f, t) => {
                    args.push(Arg::Ty(t));
                    head = f;
                }
                _ => break,
            }
        }
        args.reverse();
        if let Some(d) = self.tuple(head, &args) {
            return d;
        }
        // `[]` in source is an empty list literal, not the constructor: it
        // takes no type argument, but an annotation elaborates to `[] @t`.
        if let (Expr::Con(NIL), [Arg::Ty(t)]) = (head, &args[..]) {
            let t = Type::list((*t).clone());
            return text(format!("([] :: {})", self.ty_str(&t, 0)));
        }
        let head = self.expr(head, Prec::Fun);
        let mut rest = Vec::with_capacity(args.len());
        for a in args {
            rest.push(soft(match a {
                Arg::Val(x) => self.expr(x, Prec::Arg),
                Arg::Ty(t) => text(format!("@{}", self.ty_str(t, 2))),
            }));
        }
        parens_if(p == Prec::Arg, cat(vec![head, nest(2, cat(rest))]))
    }

    /// `[e1, e2]` or `e1 : e2 : rest` for `(:) @t e1 ((:) @t e2 ...)`.
    fn cons_chain(&mut self, e: &Expr, p: Prec) -> Option<Doc> {
        let (t, x, rest) = as_cons(e)?;
        if has_forall(t) {
            return None;
        }
        let mut elems = vec![x];
        let mut cur = rest;
        while let Some((t2, x2, r2)) = as_cons(cur) {
            if !t2.alpha_eq(t) {
                break;
            }
            elems.push(x2);
            cur = r2;
        }
        let mut parts = Vec::with_capacity(2 * elems.len() + 2);
        if is_nil_at(cur, t) {
            parts.push(text("["));
            for (i, x) in elems.into_iter().enumerate() {
                let d = self.expr(x, Prec::Top);
                if i == 0 {
                    parts.push(d);
                } else {
                    parts.push(text(","));
                    parts.push(soft(d));
                }
            }
            parts.push(text("]"));
            return Some(nest(1, cat(parts)));
        }
        for (i, x) in elems.into_iter().chain([cur]).enumerate() {
            let d = self.expr(x, Prec::Fun);
            if i == 0 {
                parts.push(d);
            } else {
                parts.push(text(" :"));
                parts.push(soft(d));
            }
        }
        Some(parens_if(p > Prec::Top, nest(2, cat(parts))))
    }

    /// `(e1, e2)` for a saturated tuple constructor.
    fn tuple(&mut self, head: &Expr, args: &[Arg]) -> Option<Doc> {
        let Expr::Con(c) = head else { return None };
        let n = tuple_con_arity(*c)?;
        if args.len() != 2 * n {
            return None;
        }
        let (tys, vals) = args.split_at(n);
        if !tys
            .iter()
            .all(|a| matches!(a, Arg::Ty(t) if !has_forall(t)))
        {
            return None;
        }
        let mut parts = vec![text("(")];
        for (i, a) in vals.iter().enumerate() {
            let Arg::Val(x) = a else { return None };
            let d = self.expr(x, Prec::Top);
            if i == 0 {
                parts.push(d);
            } else {
                parts.push(text(","));
                parts.push(soft(d));
            }
        }
        parts.push(text(")"));
        Some(nest(1, cat(parts)))
    }

    /// `\@a (x :: a) -> body`, merging a chain of (type) lambdas.
    fn lam(&mut self, e: &Expr) -> Doc {
        let depth = self.tyscope.len();
        let mut binders = Vec::new();
        let mut cur = e;
        loop {
            match cur {
                Expr::Lam(x, b) => {
                    let n = self.binder_name(x);
                    let t = self.ty_str(&x.ty, 0);
                    binders.push(text(format!("({n} :: {t})")));
                    cur = b;
                }
                Expr::TyLam(v, b) => {
                    let n = self.bind_tyvar(v);
                    binders.push(text(format!("@{n}")));
                    cur = b;
                }
                _ => break,
            }
        }
        let body = self.expr(cur, Prec::Top);
        self.tyscope.truncate(depth);
        let mut binders = binders.into_iter();
        let first = binders.next().unwrap_or_else(|| text(""));
        let rest: Vec<Doc> = binders.map(soft).collect();
        cat(vec![
            text("\\"),
            first,
            nest(4, cat(rest)),
            text(" ->"),
            soft(body),
        ])
    }

    /// `let { x :: t; x = e; ... } in body`, for `NonRec` and `Rec` alike.
    fn let_(&mut self, b: &Bind, body: &Expr) -> Doc {
        let pairs = bind_pairs(b);
        for (x, _) in &pairs {
            self.binder_name(x);
        }
        let mut items = Vec::with_capacity(4 * pairs.len());
        for (i, (x, rhs)) in pairs.into_iter().enumerate() {
            if i > 0 {
                items.push(text(";"));
            }
            let n = self.var_name(x);
            let sig = format!("{n} :: {};", self.ty_str(&x.ty, 0));
            items.push(Doc::Hard);
            items.push(text(sig));
            items.push(Doc::Hard);
            items.push(text(format!("{n} = ")));
            items.push(nest(2, self.expr(rhs, Prec::Top)));
        }
        let body = self.expr(body, Prec::Top);
        cat(vec![
            text("let {"),
            nest(2, cat(items)),
            Doc::Hard,
            text("} in"),
            soft(body),
        ])
    }

    /// `case scrut of { alt; ... }`, one alternative per line.
    fn case(&mut self, c: &Case) -> Doc {
        let scrut = self.expr(&c.scrut, Prec::Fun);
        let mut alts = Vec::with_capacity(3 * c.alts.len());
        for (i, alt) in c.alts.iter().enumerate() {
            if i > 0 {
                alts.push(text(";"));
            }
            let pat = self.pat(&alt.pat);
            let rhs = self.expr(&alt.rhs, Prec::Top);
            alts.push(Doc::Hard);
            alts.push(text(format!("{pat} ->")));
            alts.push(nest(2, soft(rhs)));
        }
        cat(vec![
            text("case "),
            scrut,
            text(" of {"),
            nest(2, cat(alts)),
            Doc::Hard,
            text("}"),
        ])
    }

    fn pat(&mut self, p: &Pat) -> String {
        match p {
            Pat::Default(None) => "_".to_string(),
            Pat::Default(Some(x)) => self.binder_name(x),
            Pat::Lit(l) => lit(l, true),
            Pat::Con(c, xs) => {
                let vs: Vec<String> = xs.iter().map(|x| self.pvar(x)).collect();
                if *c == NIL && vs.is_empty() || *c == UNIT_CON && vs.is_empty() {
                    self.con_name(*c)
                } else if *c == CONS && vs.len() == 2 {
                    format!("{} : {}", vs[0], vs[1])
                } else if tuple_con_arity(*c) == Some(vs.len()) {
                    format!("({})", vs.join(", "))
                } else {
                    let mut s = self.con_name(*c);
                    for v in vs {
                        s.push(' ');
                        s.push_str(&v);
                    }
                    s
                }
            }
        }
    }
}

/// `printed` (Core printed as source) elaborates in a fresh session and
/// prints back to itself: printing, parsing and elaborating is the identity
/// on Core. `what` names the printed Core in the error (the tests and
/// `sloth quickcheck`'s front-end property use it).
pub fn reprints_to_itself(printed: &str, what: &str) -> Result<(), String> {
    let mut s = crate::session::Session::new().map_err(|e| format!("prelude: {e}"))?;
    let m = s.elaborate("printed.core", printed).map_err(|e| {
        format!(
            "the printed {what} does not elaborate:\n{}\n--- printed:\n{printed}",
            s.render(&e.0, false)
        )
    })?;
    let again = pretty_module(&s.env.data, &m);
    if printed != again {
        return Err(format!(
            "not a fixpoint of printing\n--- printed {what}:\n{printed}\n--- re-elaborated:\n{again}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Alt;
    use crate::primop::PrimOp;
    use crate::source::Span;
    use crate::types::*;
    use expect_test::{expect, Expect};
    use std::rc::Rc;

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
    fn int(n: i64) -> Expr {
        Expr::Lit(Literal::Int(n))
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
    fn int_fun2() -> Type {
        Type::funs([Type::int(), Type::int()], Type::int())
    }

    /// Adds a user data type to `env`; fields may mention the parameters.
    fn add_data(
        env: &mut DataEnv,
        name: &str,
        params: Vec<TyVar>,
        cons: Vec<(&str, Vec<Type>)>,
    ) -> TyConId {
        let tc = TyConId(env.tycons.len() as u32);
        let mut ids = Vec::new();
        for (tag, (cn, fields)) in cons.into_iter().enumerate() {
            ids.push(ConId(env.cons.len() as u32));
            env.cons.push(DataConInfo {
                name: Rc::from(cn),
                tycon: tc,
                tag: tag as u32,
                fields,
                span: None,
            });
        }
        env.tycons.push(TyConInfo {
            name: Rc::from(name),
            params,
            cons: ids,
            span: None,
        });
        tc
    }

    fn check_module(env: &DataEnv, m: &Module, want: Expect) {
        want.assert_eq(&pretty_module(env, m));
    }
    fn check_expr(e: &Expr, want: Expect) {
        want.assert_eq(&pretty_expr(&DataEnv::new(), e));
    }

    #[test]
    fn data_declarations_and_polymorphic_function() {
        let mut env = DataEnv::new();
        let mut g = Gen::new();
        let a = g.tv("a");
        let tree = TyConId(env.tycons.len() as u32);
        let tree_a = Type::con(tree, vec![tv(&a)]);
        add_data(
            &mut env,
            "Tree",
            vec![a.clone()],
            vec![
                ("Leaf", vec![]),
                ("Node", vec![tree_a.clone(), tv(&a), tree_a]),
            ],
        );
        let (leaf, node) = (env.tycon(tree).cons[0], env.tycon(tree).cons[1]);
        let (p, q) = (g.tv("p"), g.tv("q"));
        let maybe = TyConId(env.tycons.len() as u32);
        add_data(
            &mut env,
            "Maybe",
            vec![p.clone()],
            vec![("Nothing", vec![]), ("Just", vec![tv(&p)])],
        );
        let t = add_data(
            &mut env,
            "T",
            vec![q.clone(), p.clone()],
            vec![
                ("C1", vec![tv(&q), Type::int()]),
                (
                    "C2",
                    vec![Type::con(maybe, vec![Type::con(maybe, vec![tv(&p)])])],
                ),
                (
                    "C3",
                    vec![
                        Type::fun(tv(&q), tv(&p)),
                        Type::list(tv(&q)),
                        Type::string(),
                    ],
                ),
            ],
        );
        let _ = leaf;

        // size :: forall a. Tree a -> Int
        let plus = g.id("plusInt", int_fun2());
        let sa = g.tv("a");
        let size = g.id(
            "size",
            Type::forall(
                sa.clone(),
                Type::fun(Type::con(tree, vec![tv(&sa)]), Type::int()),
            ),
        );
        let b = g.tv("a");
        let tb = Type::con(tree, vec![tv(&b)]);
        let tt = g.id("t", tb.clone());
        let l = g.id("l", tb.clone());
        let x = g.id("x", tv(&b));
        let r = g.id("r", tb);
        let rec = |s: &Id, y: &Id| Expr::app(Expr::ty_app(var(s), tv(&b)), var(y));
        let body = case(
            var(&tt),
            Type::int(),
            vec![
                (Pat::Con(leaf, vec![]), int(0)),
                (
                    Pat::Con(node, vec![l.clone(), x, r.clone()]),
                    Expr::apps(
                        var(&plus),
                        [
                            Expr::apps(var(&plus), [rec(&size, &l), int(1)]),
                            rec(&size, &r),
                        ],
                    ),
                ),
            ],
        );
        let rhs = Expr::ty_lam(b.clone(), Expr::lam(tt, body));
        let m = Module {
            data: vec![tree, maybe, t, LIST],
            binds: vec![Bind::Rec(vec![(size, rhs)])],
        };
        check_module(
            &env,
            &m,
            expect![[r#"
                data Tree a = Leaf | Node (Tree a) a (Tree a)
                data Maybe p = Nothing | Just p
                data T q p = C1 q Int | C2 (Maybe (Maybe p)) | C3 (q -> p) [q] String
                -- data List (built in)

                size :: forall a. Tree a -> Int
                size = \@a (t :: Tree a) ->
                  case t of {
                    Leaf -> 0;
                    Node l _ r -> plusInt (plusInt (size @a l) 1) (size @a r)
                  }
            "#]],
        );
    }

    #[test]
    fn types() {
        let mut env = DataEnv::new();
        let mut g = Gen::new();
        let p = g.tv("p");
        let maybe = add_data(
            &mut env,
            "Maybe",
            vec![p.clone()],
            vec![("Nothing", vec![]), ("Just", vec![tv(&p)])],
        );
        let (a, b, a2) = (g.tv("a"), g.tv("b"), g.tv("a"));
        let t = Type::foralls(
            [a.clone(), b.clone()],
            Type::funs(
                [
                    Type::fun(tv(&a), tv(&b)),
                    Type::forall(a2.clone(), Type::fun(tv(&a2), tv(&a))),
                    Type::con(
                        tuple_tycon(3),
                        vec![Type::int(), Type::char(), Type::con0(UNIT)],
                    ),
                    Type::con(maybe, vec![Type::con(maybe, vec![tv(&a)])]),
                    Type::list(Type::list(Type::char())),
                ],
                Type::con(maybe, vec![Type::int_prim()]),
            ),
        );
        expect![[r#"forall a b. (a -> b) -> (forall a_1. a_1 -> a) -> (Int, Char, ()) -> Maybe (Maybe a) -> [String] -> Maybe Int#"#]]
            .assert_eq(&pretty_type(&env, &t));
        // A user type called `String` turns the synonym off.
        add_data(&mut env, "String", vec![], vec![]);
        expect![[r#"[[Char]] -> Double#"#]].assert_eq(&pretty_type(
            &env,
            &Type::fun(Type::list(Type::string()), Type::double_prim()),
        ));
    }

    #[test]
    fn case_on_list_tuple_and_unboxed_int() {
        let mut g = Gen::new();
        let pair = Type::con(tuple_tycon(2), vec![Type::int(), Type::list(Type::int())]);
        let p = g.id("p", pair);
        let n = g.id("n", Type::int());
        let xs = g.id("xs", Type::list(Type::int()));
        let k = g.id("k#", Type::int_prim());
        let y = g.id("y", Type::int());
        let ys = g.id("ys", Type::list(Type::int()));
        let other = g.id("other", Type::int_prim());
        let on_k = case(
            var(&k),
            Type::int(),
            vec![
                (Pat::Lit(Literal::IntPrim(0)), int(0)),
                (Pat::Lit(Literal::IntPrim(-1)), int(-1)),
                (
                    Pat::Default(Some(other.clone())),
                    Expr::app(
                        Expr::Con(I_HASH),
                        Expr::apps(Expr::Prim(PrimOp::IntAdd), [var(&other), var(&k)]),
                    ),
                ),
            ],
        );
        let on_list = case(
            var(&xs),
            Type::int(),
            vec![
                (
                    Pat::Con(NIL, vec![]),
                    case(
                        var(&n),
                        Type::int(),
                        vec![(Pat::Con(I_HASH, vec![k.clone()]), on_k)],
                    ),
                ),
                (Pat::Con(CONS, vec![y.clone(), ys]), var(&y)),
            ],
        );
        let e = Expr::lam(
            p.clone(),
            case(
                var(&p),
                Type::int(),
                vec![(Pat::Con(tuple_con(2), vec![n, xs]), on_list)],
            ),
        );
        check_expr(
            &e,
            expect![[r#"
                \(p :: (Int, [Int])) ->
                  case p of {
                    (n, xs) ->
                      case xs of {
                        [] ->
                          case n of {
                            I# k# ->
                              case k# of {
                                0# -> 0;
                                -1# -> (-1);
                                other -> I# ((+#) other k#)
                              }
                          };
                        y : _ -> y
                      }
                  }"#]],
        );
    }

    #[test]
    fn let_with_two_bindings_and_lists() {
        let mut g = Gen::new();
        let li = Type::list(Type::int());
        let xs = g.id("xs", li.clone());
        let ys = g.id("ys", li.clone());
        let nil = Expr::ty_app(Expr::Con(NIL), Type::int());
        let cons =
            |h: Expr, t: Expr| Expr::apps(Expr::ty_app(Expr::Con(CONS), Type::int()), [h, t]);
        let a = g.tv("a");
        let app = g.id("++", Type::forall(a, Type::int()));
        let e = let_(
            Bind::Rec(vec![
                (xs.clone(), cons(int(1), cons(int(-2), var(&ys)))),
                (ys.clone(), cons(int(3), nil.clone())),
            ]),
            let_(
                Bind::NonRec(g.id("zs", li.clone()), nil.clone()),
                Expr::apps(Expr::ty_app(var(&app), Type::int()), [var(&xs), var(&ys)]),
            ),
        );
        check_expr(
            &e,
            expect![[r#"
                let {
                    xs :: [Int];
                    xs = 1 : (-2) : ys;
                    ys :: [Int];
                    ys = [3]
                  } in
                  let {
                    zs :: [Int];
                    zs = ([] :: [Int])
                  } in (++) @Int xs ys"#]],
        );
    }

    #[test]
    fn literals() {
        let lits = [
            Literal::Int(42),
            Literal::Int(-42),
            Literal::Int(i64::MIN),
            Literal::Double(1.5),
            Literal::Double(2.0),
            Literal::Double(1e-7),
            Literal::Double(1e300),
            Literal::Double(-0.5),
            Literal::Double(f64::INFINITY),
            Literal::Double(f64::NEG_INFINITY),
            Literal::Char('a'),
            Literal::Char('\n'),
            Literal::Char('\''),
            Literal::Char('\\'),
            Literal::Char('"'),
            Literal::Char('\u{7f}'),
            Literal::Char('é'),
            Literal::String(Rc::from("say \"hi\"\n\t'x' \\ \u{1}2 \u{e9}x")),
            Literal::IntPrim(3),
            Literal::IntPrim(-3),
            Literal::DoublePrim(2.5),
            Literal::DoublePrim(-2.5),
            Literal::CharPrim('c'),
            Literal::CharPrim('\0'),
        ];
        let printed: Vec<String> = lits.iter().map(|l| lit(l, false)).collect();
        expect![[r#"
            42
            (-42)
            (-9223372036854775808)
            1.5
            2.0
            1e-7
            1e300
            (-0.5)
            1e999
            (-1e999)
            'a'
            '\n'
            '\''
            '\\'
            '"'
            '\127'
            '\233'
            "say \"hi\"\n\t'x' \\ \1\&2 \233x"
            3#
            (-3#)
            2.5##
            (-2.5##)
            'c'#
            '\0'#"#]]
        .assert_eq(&printed.join("\n"));
        expect![["-3# -2.5## (0.0 / 0.0) (0.0## /## 0.0##)"]].assert_eq(&format!(
            "{} {} {} {}",
            lit(&Literal::IntPrim(-3), true),
            lit(&Literal::DoublePrim(-2.5), true),
            lit(&Literal::Double(f64::NAN), false),
            lit(&Literal::DoublePrim(f64::NAN), false)
        ));
    }

    #[test]
    fn name_clashes_are_renamed() {
        let mut g = Gen::new();
        // The prelude's plusInt, referenced; a user top-level `plusInt` and two
        // lambda binders called `x`, and type variables that shadow.
        let ext_plus = g.id("plusInt", int_fun2());
        let user_plus = g.id("plusInt", int_fun2());
        let x1 = g.id("x", Type::int());
        let x2 = g.id("x", Type::int());
        let kw = g.id("of", Type::int());
        let hash = g.id("x#", Type::int_prim());
        let hash2 = g.id("x#", Type::int_prim());
        let rhs = Expr::lam(
            x1.clone(),
            Expr::lam(
                x2.clone(),
                Expr::lam(
                    kw.clone(),
                    Expr::lam(
                        hash.clone(),
                        Expr::lam(
                            hash2.clone(),
                            Expr::apps(var(&ext_plus), [var(&x1), var(&x2)]),
                        ),
                    ),
                ),
            ),
        );
        let ty = Type::funs(
            [
                Type::int(),
                Type::int(),
                Type::int(),
                Type::int_prim(),
                Type::int_prim(),
            ],
            Type::int(),
        );
        let user_plus = Id { ty, ..user_plus };
        let (a, a2) = (g.tv("a"), g.tv("a"));
        let y = g.id("y", Type::forall(a2.clone(), Type::fun(tv(&a2), tv(&a))));
        let poly = g.id(
            "poly",
            Type::forall(a.clone(), Type::fun(y.ty.clone(), Type::int())),
        );
        let poly_rhs = Expr::ty_lam(
            a.clone(),
            Expr::lam(y.clone(), Expr::apps(var(&user_plus), [int(1), int(2)])),
        );
        let m = Module {
            data: vec![],
            binds: vec![
                Bind::NonRec(user_plus.clone(), rhs),
                Bind::NonRec(poly, poly_rhs),
            ],
        };
        check_module(
            &DataEnv::new(),
            &m,
            expect![[r#"
                plusInt_1 :: Int -> Int -> Int -> Int# -> Int# -> Int
                plusInt_1 = \(x :: Int) (x_1 :: Int) (of_ :: Int) (x# :: Int#) (x_1# :: Int#) ->
                  plusInt x x_1

                poly :: forall a. (forall a_1. a_1 -> a) -> Int
                poly = \@a (y :: forall a_1. a_1 -> a) -> plusInt_1 1 2
            "#]],
        );
    }

    #[test]
    fn operators_and_primops() {
        let mut g = Gen::new();
        let a = g.tv("a");
        let la = Type::list(tv(&a));
        let app_ty = Type::forall(a.clone(), Type::funs([la.clone(), la.clone()], la.clone()));
        let app = g.id("++", app_ty);
        let b = g.tv("a");
        let lb = Type::list(tv(&b));
        let (xs, ys, z, zs) = (
            g.id("xs", lb.clone()),
            g.id("ys", lb.clone()),
            g.id("z", tv(&b)),
            g.id("zs", lb.clone()),
        );
        let body = case(
            var(&xs),
            lb.clone(),
            vec![
                (Pat::Con(NIL, vec![]), var(&ys)),
                (
                    Pat::Con(CONS, vec![z.clone(), zs.clone()]),
                    Expr::apps(
                        Expr::ty_app(Expr::Con(CONS), tv(&b)),
                        [
                            var(&z),
                            Expr::apps(Expr::ty_app(var(&app), tv(&b)), [var(&zs), var(&ys)]),
                        ],
                    ),
                ),
            ],
        );
        let rhs = Expr::ty_lam(b.clone(), Expr::lam(xs, Expr::lam(ys, body)));
        let n = g.id("error", Type::int_prim());
        let main = g.id("main", Type::int());
        let main_rhs = let_(
            Bind::NonRec(g.id("u", Type::con0(UNIT)), Expr::Con(UNIT_CON)),
            Expr::apps(
                Expr::Lam(
                    n.clone(),
                    Box::new(Expr::app(
                        Expr::Con(I_HASH),
                        Expr::apps(
                            Expr::Prim(PrimOp::IntMul),
                            [var(&n), Expr::Lit(Literal::IntPrim(2))],
                        ),
                    )),
                ),
                [Expr::app(
                    Expr::ty_app(Expr::Prim(PrimOp::Error), Type::int()),
                    Expr::Lit(Literal::String(Rc::from("no"))),
                )],
            ),
        );
        let m = Module {
            data: vec![],
            binds: vec![Bind::Rec(vec![(app, rhs)]), Bind::NonRec(main, main_rhs)],
        };
        check_module(
            &DataEnv::new(),
            &m,
            expect![[r#"
                (++) :: forall a. [a] -> [a] -> [a]
                (++) = \@a (xs :: [a]) (ys :: [a]) ->
                  case xs of {
                    [] -> ys;
                    z : zs -> z : (++) @a zs ys
                  }

                main :: Int
                main = let {
                    u :: ();
                    u = ()
                  } in (\(error_1 :: Int#) -> I# ((*#) error_1 2#)) (error @Int "no")
            "#]],
        );
    }

    #[test]
    fn tuples_partial_constructors_and_long_applications() {
        let mut g = Gen::new();
        let f = g.id("someFunctionWithALongName", Type::int());
        let pair = Expr::apps(
            Expr::ty_apps(Expr::Con(tuple_con(2)), [Type::int(), Type::char()]),
            [int(1), Expr::Lit(Literal::Char('x'))],
        );
        let partial = Expr::app(
            Expr::ty_apps(Expr::Con(tuple_con(2)), [Type::int(), Type::char()]),
            int(1),
        );
        let long = Expr::apps(var(&f), (0..30).map(int));
        let e = Expr::apps(
            Expr::ty_apps(
                Expr::Con(tuple_con(3)),
                [Type::int(), Type::int(), Type::int()],
            ),
            [pair, partial, long],
        );
        check_expr(
            &e,
            expect![[r#"
                ((1, 'x'), (,) @Int @Char 1,
                   someFunctionWithALongName 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
                     20 21 22 23 24 25 26 27 28 29)"#]],
        );
    }

    /// Elaborates `text` in a fresh session (prelude loaded) and prints it.
    fn elaborate_and_print(name: &str, text: &str) -> Result<String, String> {
        let mut s = crate::session::Session::new()?;
        match s.elaborate(name, text) {
            Ok(m) => Ok(pretty_module(&s.env.data, &m)),
            Err(crate::session::Errors(d)) => Err(s.render(&d, false)),
        }
    }

    /// Printing, re-elaborating and printing again gives the same text: the
    /// printed Core parses, type-checks, lints, and elaborates back to the
    /// same Core up to renaming. Over every example program and the prelude
    /// itself (re-elaborated as a program that shadows every prelude name).
    #[test]
    fn round_trips_through_the_elaborator() {
        crate::session::with_compiler_stack(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
            let mut sources: Vec<(String, String)> = Vec::new();
            if let Ok(rd) = std::fs::read_dir(&dir) {
                for entry in rd.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "core") {
                        let text = std::fs::read_to_string(&path).unwrap();
                        sources.push((path.display().to_string(), text));
                    }
                }
            }
            sources.sort();
            sources.push(("<prelude>".into(), crate::session::PRELUDE_SOURCE.into()));
            let mut failures = Vec::new();
            for (name, text) in &sources {
                let first = match elaborate_and_print(name, text) {
                    Ok(p) => p,
                    Err(e) => {
                        failures.push(format!("{name}: does not elaborate:\n{e}"));
                        continue;
                    }
                };
                match elaborate_and_print("<printed>", &first) {
                    Ok(second) if second == first => {}
                    Ok(second) => failures.push(format!(
                        "{name}: printing is not stable\n--- first\n{first}\n--- second\n{second}"
                    )),
                    Err(e) => failures.push(format!(
                        "{name}: printed Core does not elaborate:\n{e}\n--- printed\n{first}"
                    )),
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        });
    }

    #[test]
    fn deep_terms_print_in_linear_space_on_an_ordinary_stack() {
        let mut g = Gen::new();
        let xs = g.id("xs", Type::list(Type::int()));
        let n = 100_000;
        // A literal list, and a deep right-nested application.
        let mut lst = Expr::ty_app(Expr::Con(NIL), Type::int());
        let mut deep = var(&xs);
        for i in 0..n {
            lst = Expr::apps(Expr::ty_app(Expr::Con(CONS), Type::int()), [int(i), lst]);
            deep = Expr::apps(Expr::Lam(xs.clone(), Box::new(var(&xs))), [deep]);
        }
        let s1 = pretty_expr(&DataEnv::new(), &lst);
        let s2 = pretty_expr(&DataEnv::new(), &deep);
        // Dropping a Box chain this deep needs a deep stack; leak it instead
        // (before any assertion can unwind).
        std::mem::forget((lst, deep));
        assert!(s1.starts_with("[99999, 99998,"), "{}", &s1[..50]);
        assert!(s1.len() < 10 * n as usize, "{}", s1.len());
        assert!(s1.lines().all(|l| l.len() <= WIDTH));
        assert!(s2.len() < 100 * n as usize, "{}", s2.len());
    }
}
