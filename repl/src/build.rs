//! Building Sloth code as data: combinators for expressions, patterns,
//! types and declarations, for a host that generates code at run time.
//!
//! A built term is an immutable tree ([`Expr`], cheap to clone and share)
//! of the surface language, with the same constructs as source text:
//! variables, constructors, literals, application, lambdas (with typed and
//! type binders: `\@a (x :: a) -> x`), type application (`f @Int`),
//! `let` groups, `case`, `if`, operators, annotations, lists and tuples;
//! and top-level declarations ([`Decls`]: data types, signatures,
//! definitions). Hand it to [`Session`](crate::Session) like source text.
//!
//! It is checked exactly as source text is. When it is submitted, the
//! tree is rendered once as readable source text while the front end's
//! syntax tree (`sloth_core::ast`) is made, every node's span pointing at
//! its own rendering; the text joins the session's sources as file
//! `<built>`, and the tree goes to the elaborator and Core lint (the
//! parser is skipped: nothing is re-read from the text). So an ill-typed
//! built term gets the diagnostics its rendering would get as source, with
//! the right part of the rendering underlined:
//!
//! ```
//! use sloth::build::*;
//! use sloth::{Error, Session};
//! let mut s = Session::new()?;
//! // \x -> x * x, applied to 7
//! let square = lam(&["x"], op("*", var("x"), var("x")));
//! assert_eq!(s.eval::<i64>(&app(square.clone(), [int(7)]))?, 49);
//! let bad = app(square, [char('c')]);
//! assert_eq!(bad.to_string(), "(\\x -> x * x) 'c'");
//! let Err(Error::Compile { diagnostics }) = s.eval::<i64>(&bad) else { panic!() };
//! assert!(diagnostics.contains("<built>:1:"));
//! # Ok::<(), sloth::Error>(())
//! ```
//!
//! Scoping is the language's: every `let` is recursive, as in Haskell, so
//! [`let_`] is a one-binding [`let_rec`] (a binding that must see an outer
//! `x` has to use another name). Patterns are flat, as in the language
//! (`Just x`, `x : xs`, `(a, b)`, literals, `_`); nest `case`s for more.
//! Names are not checked here: an unknown name is a scope error of the
//! elaborator, as in source. Knows nothing of sessions or the machine.
//! Read next: `embed`.

#![warn(missing_docs)]

use sloth_core::ast::{self, Res};
use sloth_core::session::Built;
use sloth_core::show::{show_char_literal, show_double, show_string_literal};
use sloth_core::source::{FileId, Span};
use std::fmt;
use std::rc::Rc;

/// A Sloth expression under construction. Build one with the functions of
/// this module ([`var`], [`app`], [`lam`], ...) or the methods below.
#[derive(Clone, Debug)]
pub struct Expr(Rc<E>);

#[derive(Debug)]
enum E {
    Var(String),
    Con(String),
    Lit(Lit),
    App(Expr, Vec<Expr>),
    TyApp(Expr, Type),
    Lam(Vec<Param>, Expr),
    Let(Vec<Bind>, Expr),
    Case(Expr, Vec<(Pat, Expr)>),
    If(Expr, Expr, Expr),
    Op(String, Expr, Expr),
    Annot(Expr, Type),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
}

/// A literal: `Int`, `Double`, `Char` or `String`.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// An `Int`.
    Int(i64),
    /// A `Double`.
    Double(f64),
    /// A `Char`.
    Char(char),
    /// A `String`.
    String(String),
}

impl From<i64> for Lit {
    fn from(n: i64) -> Lit {
        Lit::Int(n)
    }
}
impl From<f64> for Lit {
    fn from(d: f64) -> Lit {
        Lit::Double(d)
    }
}
impl From<char> for Lit {
    fn from(c: char) -> Lit {
        Lit::Char(c)
    }
}
impl From<&str> for Lit {
    fn from(s: &str) -> Lit {
        Lit::String(s.to_string())
    }
}

/// A binder of a lambda or a definition: `x`, `_`, `(x :: t)`, `@a`.
/// A string converts: `"@a"` is a type binder, `"_"` a wildcard.
#[derive(Clone, Debug)]
pub enum Param {
    /// `x`
    Var(String),
    /// `_`
    Wild,
    /// `(x :: t)`
    Typed(String, Type),
    /// `@a`: a type abstraction.
    Type(String),
}

impl Param {
    /// `(x :: t)`
    pub fn typed(x: &str, t: Type) -> Param {
        Param::Typed(x.to_string(), t)
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        match s.strip_prefix('@') {
            Some(a) => Param::Type(a.to_string()),
            None if s == "_" => Param::Wild,
            None => Param::Var(s.to_string()),
        }
    }
}

impl From<&&str> for Param {
    fn from(s: &&str) -> Param {
        Param::from(*s)
    }
}

/// One binding of a `let` group: `name params = body`, with an optional
/// type signature.
#[derive(Clone, Debug)]
pub struct Bind {
    name: String,
    sig: Option<Type>,
    params: Vec<Param>,
    body: Expr,
}

impl Bind {
    /// `name params = body`
    pub fn new<P: Into<Param> + Clone>(name: &str, params: &[P], body: Expr) -> Bind {
        Bind {
            name: name.to_string(),
            sig: None,
            params: params.iter().cloned().map(Into::into).collect(),
            body,
        }
    }

    /// The binding with a type signature `name :: t`.
    pub fn sig(self, t: Type) -> Bind {
        Bind {
            sig: Some(t),
            ..self
        }
    }
}

/// A flat pattern of a `case` alternative.
#[derive(Clone, Debug)]
pub enum Pat {
    /// `C x y` (`True`, `Just x`; variables or `_`).
    Con(String, Vec<String>),
    /// `[]`
    Nil,
    /// `x : xs`
    Cons(String, String),
    /// `(x, y)`
    Tuple(Vec<String>),
    /// A literal (`0`, `'c'`, `1.5`).
    Lit(Lit),
    /// `x`: matches anything, binding the scrutinee.
    Var(String),
    /// `_`
    Wild,
}

impl Pat {
    /// `C x y` (use `"_"` for a field not bound).
    pub fn con(c: &str, vars: &[&str]) -> Pat {
        Pat::Con(c.to_string(), vars.iter().map(|v| v.to_string()).collect())
    }
    /// `x : xs`
    pub fn cons(x: &str, xs: &str) -> Pat {
        Pat::Cons(x.to_string(), xs.to_string())
    }
    /// `(x, y, ...)`
    pub fn tuple(vars: &[&str]) -> Pat {
        Pat::Tuple(vars.iter().map(|v| v.to_string()).collect())
    }
    /// A literal pattern.
    pub fn lit(l: impl Into<Lit>) -> Pat {
        Pat::Lit(l.into())
    }
    /// `x`
    pub fn var(x: &str) -> Pat {
        Pat::Var(x.to_string())
    }
}

/// A Sloth type, for signatures, annotations, typed binders, type
/// application and data declarations.
#[derive(Clone, Debug)]
pub enum Type {
    /// A type variable `a`.
    Var(String),
    /// A type constructor applied to arguments: `Int`, `Maybe a`.
    Con(String, Vec<Type>),
    /// `a -> b`
    Fun(Box<Type>, Box<Type>),
    /// `[a]`
    List(Box<Type>),
    /// `(a, b)`
    Tuple(Vec<Type>),
    /// `()`
    Unit,
    /// `forall a b. t`
    Forall(Vec<String>, Box<Type>),
}

/// Type constructors for [`Type`].
pub mod ty {
    use super::Type;

    /// `Int`
    pub fn int() -> Type {
        con("Int", [])
    }
    /// `Double`
    pub fn double() -> Type {
        con("Double", [])
    }
    /// `Char`
    pub fn char() -> Type {
        con("Char", [])
    }
    /// `Bool`
    pub fn bool() -> Type {
        con("Bool", [])
    }
    /// `String`
    pub fn string() -> Type {
        con("String", [])
    }
    /// `()`
    pub fn unit() -> Type {
        Type::Unit
    }
    /// A type variable.
    pub fn var(a: &str) -> Type {
        Type::Var(a.to_string())
    }
    /// `C t1 .. tn`
    pub fn con(c: &str, args: impl IntoIterator<Item = Type>) -> Type {
        Type::Con(c.to_string(), args.into_iter().collect())
    }
    /// `a -> b`
    pub fn fun(a: Type, b: Type) -> Type {
        Type::Fun(Box::new(a), Box::new(b))
    }
    /// `[t]`
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    /// `(t1, .., tn)`
    pub fn tuple(ts: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(ts.into_iter().collect())
    }
    /// `forall a b. t`
    pub fn forall(vars: &[&str], t: Type) -> Type {
        Type::Forall(vars.iter().map(|v| v.to_string()).collect(), Box::new(t))
    }
}

fn mk(e: E) -> Expr {
    Expr(Rc::new(e))
}

/// A variable, or an operator as a function (`var("+")` is `(+)`).
pub fn var(x: &str) -> Expr {
    mk(E::Var(x.to_string()))
}

/// A data constructor (`Just`, `True`, `:`); apply it with [`app`].
pub fn con(c: &str) -> Expr {
    mk(E::Con(c.to_string()))
}

/// A literal.
pub fn lit(l: impl Into<Lit>) -> Expr {
    mk(E::Lit(l.into()))
}

/// An `Int` literal.
pub fn int(n: i64) -> Expr {
    lit(n)
}

/// A `Double` literal.
pub fn double(d: f64) -> Expr {
    lit(d)
}

/// A `Char` literal.
pub fn char(c: char) -> Expr {
    lit(c)
}

/// A `String` literal.
pub fn string(s: &str) -> Expr {
    lit(s)
}

/// `f a1 .. an`
pub fn app(f: Expr, args: impl IntoIterator<Item = Expr>) -> Expr {
    let args: Vec<Expr> = args.into_iter().collect();
    if args.is_empty() {
        return f;
    }
    mk(E::App(f, args))
}

/// `f @t`: type application.
pub fn ty_app(f: Expr, t: Type) -> Expr {
    mk(E::TyApp(f, t))
}

/// `\p1 .. pn -> body`; parameters are strings (`"x"`, `"_"`, `"@a"` for
/// a type abstraction) or [`Param`]s (`Param::typed("x", ty::int())`).
pub fn lam<P: Into<Param> + Clone>(params: &[P], body: Expr) -> Expr {
    let params: Vec<Param> = params.iter().cloned().map(Into::into).collect();
    if params.is_empty() {
        return body;
    }
    mk(E::Lam(params, body))
}

/// `let x = rhs in body` (recursive, as every `let`).
pub fn let_(x: &str, rhs: Expr, body: Expr) -> Expr {
    let_rec(vec![Bind::new::<&str>(x, &[], rhs)], body)
}

/// `let { b1; ..; bn } in body`: a group of bindings that may refer to
/// each other.
pub fn let_rec(binds: Vec<Bind>, body: Expr) -> Expr {
    if binds.is_empty() {
        return body;
    }
    mk(E::Let(binds, body))
}

/// `case scrut of { p1 -> e1; .. }`
pub fn case_(scrut: Expr, alts: Vec<(Pat, Expr)>) -> Expr {
    mk(E::Case(scrut, alts))
}

/// `if c then t else e`
pub fn if_(c: Expr, t: Expr, e: Expr) -> Expr {
    mk(E::If(c, t, e))
}

/// `l op r` for an operator (`+`, `==`, `:`, `++`) or a function name
/// used infix (`div` is `` l `div` r ``).
pub fn op(o: &str, l: Expr, r: Expr) -> Expr {
    mk(E::Op(o.to_string(), l, r))
}

/// `(e :: t)`
pub fn annot(e: Expr, t: Type) -> Expr {
    mk(E::Annot(e, t))
}

/// `[e1, .., en]`
pub fn list(items: impl IntoIterator<Item = Expr>) -> Expr {
    mk(E::List(items.into_iter().collect()))
}

/// `(e1, .., en)`; `()` when empty; one component is itself.
pub fn tuple(items: impl IntoIterator<Item = Expr>) -> Expr {
    let mut items: Vec<Expr> = items.into_iter().collect();
    if items.len() == 1 {
        return items.pop().expect("one");
    }
    mk(E::Tuple(items))
}

/// `()`
pub fn unit() -> Expr {
    tuple([])
}

impl Expr {
    /// `self a1 .. an`
    pub fn app(self, args: impl IntoIterator<Item = Expr>) -> Expr {
        app(self, args)
    }

    /// `self @t`
    pub fn ty_app(self, t: Type) -> Expr {
        ty_app(self, t)
    }

    /// Renders the expression and builds its syntax tree for file `file`
    /// (the spans point into the returned text).
    pub fn render(&self, file: FileId) -> (String, Built) {
        let mut p = Printer::new(file);
        let e = p.expr(self, 0);
        (p.out, Built::Expr(e))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(0).0)
    }
}

/// Top-level declarations: data types, type signatures and definitions,
/// in order. [`Session::define`](crate::Session::define) adds them.
///
/// ```
/// use sloth::build::*;
/// use sloth::Session;
/// let mut s = Session::new()?;
/// let tree = ty::con("Tree", [ty::var("a")]);
/// s.define(&Decls::new()
///     .data("Tree", &["a"], vec![("Leaf", vec![]), ("Node", vec![tree.clone(), ty::var("a"), tree.clone()])])
///     .sig("size", ty::forall(&["a"], ty::fun(tree, ty::int())))
///     .def("size", &["t"], case_(var("t"), vec![
///         (Pat::con("Leaf", &[]), int(0)),
///         (Pat::con("Node", &["l", "_", "r"]),
///          op("+", op("+", app(var("size"), [var("l")]), int(1)), app(var("size"), [var("r")]))),
///     ])))?;
/// assert_eq!(s.eval::<i64>("size (Node Leaf 'a' (Node Leaf 'b' Leaf))")?, 2);
/// # Ok::<(), sloth::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Decls(Vec<Decl>);

#[derive(Clone, Debug)]
enum Decl {
    Data(String, Vec<String>, Vec<(String, Vec<Type>)>),
    Sig(String, Type),
    Def(String, Vec<Param>, Expr),
}

impl Decls {
    /// No declarations.
    pub fn new() -> Decls {
        Decls::default()
    }

    /// `data Name params = C1 t11 .. | C2 ..`
    pub fn data(mut self, name: &str, params: &[&str], cons: Vec<(&str, Vec<Type>)>) -> Decls {
        self.0.push(Decl::Data(
            name.to_string(),
            params.iter().map(|p| p.to_string()).collect(),
            cons.into_iter()
                .map(|(c, fields)| (c.to_string(), fields))
                .collect(),
        ));
        self
    }

    /// `name :: t`
    pub fn sig(mut self, name: &str, t: Type) -> Decls {
        self.0.push(Decl::Sig(name.to_string(), t));
        self
    }

    /// `name params = body`
    pub fn def<P: Into<Param> + Clone>(mut self, name: &str, params: &[P], body: Expr) -> Decls {
        self.0.push(Decl::Def(
            name.to_string(),
            params.iter().cloned().map(Into::into).collect(),
            body,
        ));
        self
    }

    /// Renders the declarations and builds their syntax tree for file
    /// `file` (the spans point into the returned text).
    pub fn render(&self, file: FileId) -> (String, Built) {
        let mut p = Printer::new(file);
        let mut decls = Vec::new();
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                p.out.push('\n');
            }
            decls.push(p.decl(d));
        }
        (p.out, Built::Decls(ast::Module { decls }))
    }
}

impl fmt::Display for Decls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(0).0)
    }
}

// ---- rendering ---------------------------------------------------------------

// Note [Rendering built code]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Diagnostics need spans into a text. The printer writes the text and
// builds the front end's tree in one pass, so each node's span is exactly
// where its rendering lies: the spans are right by construction, and
// nothing is parsed. Parentheses are written where the grammar needs them
// (precedence 0: anything; 1: an operand of an operator, no lambda, `let`,
// `if`, `case` or operator; 2: the function of an application; 3: an
// argument, atoms only) and kept as `Paren` nodes, as the parser keeps
// them. Operands of operators are always atoms or applications, so no
// fixity is involved.

struct Printer {
    out: String,
    file: FileId,
}

fn is_operator(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| !c.is_alphanumeric() && c != '_' && c != '(' && c != '[')
}

impl Printer {
    fn new(file: FileId) -> Printer {
        Printer {
            out: String::new(),
            file,
        }
    }

    fn pos(&self) -> u32 {
        self.out.len() as u32
    }

    fn span(&self, start: u32) -> Span {
        Span::new(self.file, start, self.pos())
    }

    fn ident(&mut self, name: &str) -> ast::Ident {
        let start = self.pos();
        self.out.push_str(name);
        ast::Ident {
            name: Rc::from(name),
            span: self.span(start),
        }
    }

    fn expr(&mut self, e: &Expr, prec: u8) -> ast::Expr {
        sloth_core::session::deep(|| self.expr_inner(e, prec))
    }

    fn expr_inner(&mut self, e: &Expr, prec: u8) -> ast::Expr {
        let need = match &*e.0 {
            E::Lam(..) | E::Let(..) | E::Case(..) | E::If(..) | E::Annot(..) => 1,
            E::Op(..) => 1,
            E::App(..) | E::TyApp(..) => 3,
            E::Lit(Lit::Int(n)) if *n < 0 => 1,
            E::Lit(Lit::Double(d)) if d.is_sign_negative() => 1,
            _ => 4,
        };
        if prec >= need {
            let start = self.pos();
            self.out.push('(');
            let inner = self.expr_inner(e, 0);
            self.out.push(')');
            return ast::Expr {
                kind: ast::ExprKind::Paren(Box::new(inner)),
                span: self.span(start),
            };
        }
        let start = self.pos();
        let kind = match &*e.0 {
            E::Var(x) if is_operator(x) => {
                self.out.push('(');
                let op = self.op_name(x);
                self.out.push(')');
                ast::ExprKind::OpVar(op)
            }
            E::Var(x) => ast::ExprKind::Var(self.ident(x), Res::Unresolved),
            E::Con(c) if c == ":" => {
                self.out.push('(');
                let op = self.op_name(c);
                self.out.push(')');
                ast::ExprKind::OpVar(op)
            }
            E::Con(c) => ast::ExprKind::Con(self.ident(c), Res::Unresolved),
            E::Lit(l) => ast::ExprKind::Lit(self.lit(l)),
            E::App(f, args) => {
                let mut acc = self.expr(f, 2);
                for a in args {
                    self.out.push(' ');
                    let a = self.expr(a, 3);
                    acc = ast::Expr {
                        kind: ast::ExprKind::App(Box::new(acc), Box::new(a)),
                        span: self.span(start),
                    };
                }
                return acc;
            }
            E::TyApp(f, t) => {
                let f = self.expr(f, 2);
                self.out.push_str(" @");
                let t = self.ty(t, 2);
                ast::ExprKind::TyApp(Box::new(f), t)
            }
            E::Lam(params, body) => {
                self.out.push('\\');
                let binders = self.separated(params, " ", Printer::param);
                self.out.push_str(" -> ");
                let body = self.expr(body, 0);
                ast::ExprKind::Lam(binders, Box::new(body))
            }
            E::Let(binds, body) => {
                self.out.push_str("let { ");
                let groups = self.separated(binds, "; ", |p, b| {
                    let mut items = Vec::new();
                    if let Some(t) = &b.sig {
                        items.push(ast::LetItem::Sig(p.sig(&b.name, t)));
                        p.out.push_str("; ");
                    }
                    items.push(ast::LetItem::Def(p.def(&b.name, &b.params, &b.body)));
                    items
                });
                let items = groups.into_iter().flatten().collect();
                self.out.push_str(" } in ");
                let body = self.expr(body, 0);
                ast::ExprKind::Let(items, Box::new(body), Vec::new())
            }
            E::Case(scrut, alts) => {
                self.out.push_str("case ");
                let scrut = self.expr(scrut, 0);
                self.out.push_str(" of { ");
                let out = self.separated(alts, "; ", |p, (pat, body)| {
                    let alt_start = p.pos();
                    let pat = p.pat(pat);
                    p.out.push_str(" -> ");
                    let body = p.expr(body, 0);
                    ast::Alt {
                        pat,
                        body,
                        span: p.span(alt_start),
                    }
                });
                self.out.push_str(" }");
                ast::ExprKind::Case(Box::new(scrut), out)
            }
            E::If(c, t, f) => {
                self.out.push_str("if ");
                let c = self.expr(c, 0);
                self.out.push_str(" then ");
                let t = self.expr(t, 0);
                self.out.push_str(" else ");
                let f = self.expr(f, 0);
                ast::ExprKind::If(Box::new(c), Box::new(t), Box::new(f))
            }
            E::Op(o, l, r) => {
                let l = self.expr(l, 1);
                self.out.push(' ');
                let op = if is_operator(o) {
                    self.op_name(o)
                } else {
                    self.out.push('`');
                    let mut op = self.op_name(o);
                    self.out.push('`');
                    op.backquoted = true;
                    op.span.start -= 1;
                    op.span.end += 1;
                    op
                };
                self.out.push(' ');
                let r = self.expr(r, 1);
                ast::ExprKind::BinOp(op, Box::new(l), Box::new(r))
            }
            E::Annot(e, t) => {
                let e = self.expr(e, 1);
                self.out.push_str(" :: ");
                let t = self.ty(t, 0);
                ast::ExprKind::Annot(Box::new(e), t)
            }
            E::List(items) => {
                self.out.push('[');
                let items = self.comma_separated(items);
                self.out.push(']');
                ast::ExprKind::List(items)
            }
            E::Tuple(items) if items.is_empty() => {
                self.out.push_str("()");
                ast::ExprKind::Unit
            }
            E::Tuple(items) => {
                self.out.push('(');
                let items = self.comma_separated(items);
                self.out.push(')');
                ast::ExprKind::Tuple(items)
            }
        };
        ast::Expr {
            kind,
            span: self.span(start),
        }
    }

    /// Renders each item with `f`, `sep` between them.
    fn separated<T, R>(
        &mut self,
        items: &[T],
        sep: &str,
        mut f: impl FnMut(&mut Printer, &T) -> R,
    ) -> Vec<R> {
        let mut out = Vec::with_capacity(items.len());
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(sep);
            }
            out.push(f(self, x));
        }
        out
    }

    /// Renders each item with `f`, a space before each.
    fn spaced<T, R>(&mut self, items: &[T], mut f: impl FnMut(&mut Printer, &T) -> R) -> Vec<R> {
        let mut out = Vec::with_capacity(items.len());
        for x in items {
            self.out.push(' ');
            out.push(f(self, x));
        }
        out
    }

    fn comma_separated(&mut self, items: &[Expr]) -> Vec<ast::Expr> {
        self.separated(items, ", ", |p, x| p.expr(x, 0))
    }

    fn op_name(&mut self, name: &str) -> ast::Op {
        let id = self.ident(name);
        ast::Op {
            name: id.name,
            span: id.span,
            backquoted: false,
            res: Res::Unresolved,
        }
    }

    fn lit(&mut self, l: &Lit) -> ast::Lit {
        match l {
            Lit::Int(n) => {
                self.out.push_str(&n.to_string());
                ast::Lit::Int(*n)
            }
            Lit::Double(d) => {
                self.out.push_str(&show_double(*d));
                ast::Lit::Double(*d)
            }
            Lit::Char(c) => {
                self.out.push_str(&show_char_literal(*c));
                ast::Lit::Char(*c)
            }
            Lit::String(s) => {
                self.out.push_str(&show_string_literal(s));
                ast::Lit::String(Rc::from(s.as_str()))
            }
        }
    }

    fn param(&mut self, p: &Param) -> ast::Binder {
        match p {
            Param::Var(x) => ast::Binder::Var(self.ident(x), 0),
            Param::Wild => {
                let start = self.pos();
                self.out.push('_');
                ast::Binder::Wild(self.span(start))
            }
            Param::Typed(x, t) => {
                self.out.push('(');
                let x = self.ident(x);
                self.out.push_str(" :: ");
                let t = self.ty(t, 0);
                self.out.push(')');
                ast::Binder::Annot(x, 0, t)
            }
            Param::Type(a) => {
                self.out.push('@');
                ast::Binder::Type(self.ident(a))
            }
        }
    }

    fn pvar(&mut self, x: &str) -> ast::PVar {
        if x == "_" {
            let start = self.pos();
            self.out.push('_');
            ast::PVar::Wild(self.span(start))
        } else {
            ast::PVar::Var(self.ident(x), 0)
        }
    }

    fn pat(&mut self, p: &Pat) -> ast::Pat {
        let start = self.pos();
        match p {
            Pat::Con(c, vars) => {
                let c = self.ident(c);
                let vars = self.spaced(vars, |p, v| p.pvar(v));
                ast::Pat::Con(c, Res::Unresolved, vars)
            }
            Pat::Nil => {
                self.out.push_str("[]");
                ast::Pat::Nil(self.span(start))
            }
            Pat::Cons(x, xs) => {
                let x = self.pvar(x);
                self.out.push_str(" : ");
                ast::Pat::Cons(x, self.pvar(xs))
            }
            Pat::Tuple(vars) if vars.is_empty() => {
                let unit = self.ident("()");
                ast::Pat::Con(unit, Res::Unresolved, Vec::new())
            }
            Pat::Tuple(vars) => {
                self.out.push('(');
                let out = self.separated(vars, ", ", |p, v| p.pvar(v));
                self.out.push(')');
                ast::Pat::Tuple(out, self.span(start))
            }
            Pat::Lit(l) => {
                let l = self.lit(l);
                ast::Pat::Lit(l, self.span(start))
            }
            Pat::Var(x) if x == "_" => {
                self.out.push('_');
                ast::Pat::Wild(self.span(start))
            }
            Pat::Var(x) => ast::Pat::Var(self.ident(x), 0),
            Pat::Wild => {
                self.out.push('_');
                ast::Pat::Wild(self.span(start))
            }
        }
    }

    /// Types: precedence 0 anything, 1 the left of an arrow, 2 an argument.
    fn ty(&mut self, t: &Type, prec: u8) -> ast::Type {
        let need = match t {
            Type::Forall(..) | Type::Fun(..) => 1,
            Type::Con(_, args) if !args.is_empty() => 2,
            _ => 3,
        };
        let start = self.pos();
        if prec >= need {
            // The tree has no parenthesised type: the span covers them.
            self.out.push('(');
            let inner = self.ty(t, 0);
            self.out.push(')');
            return ast::Type {
                kind: inner.kind,
                span: self.span(start),
            };
        }
        let kind = match t {
            Type::Var(a) => ast::TypeKind::Var(self.ident(a)),
            Type::Con(c, args) if args.is_empty() => ast::TypeKind::Con(self.ident(c)),
            Type::Con(c, args) => {
                let head_start = self.pos();
                let head = ast::Type {
                    kind: ast::TypeKind::Con(self.ident(c)),
                    span: self.span(head_start),
                };
                let args = self.spaced(args, |p, a| p.ty(a, 2));
                ast::TypeKind::App(Box::new(head), args)
            }
            Type::Fun(a, b) => {
                let a = self.ty(a, 1);
                self.out.push_str(" -> ");
                let b = self.ty(b, 0);
                ast::TypeKind::Fun(Box::new(a), Box::new(b))
            }
            Type::List(e) => {
                self.out.push('[');
                let e = self.ty(e, 0);
                self.out.push(']');
                ast::TypeKind::List(Box::new(e))
            }
            Type::Tuple(ts) if ts.is_empty() => {
                self.out.push_str("()");
                ast::TypeKind::Unit
            }
            Type::Tuple(ts) if ts.len() == 1 => return self.ty(&ts[0], prec),
            Type::Tuple(ts) => {
                self.out.push('(');
                let out = self.separated(ts, ", ", |p, t| p.ty(t, 0));
                self.out.push(')');
                ast::TypeKind::Tuple(out)
            }
            Type::Unit => {
                self.out.push_str("()");
                ast::TypeKind::Unit
            }
            Type::Forall(vs, body) => {
                self.out.push_str("forall");
                let vs = self.spaced(vs, |p, v| p.ident(v));
                self.out.push_str(". ");
                let body = self.ty(body, 0);
                ast::TypeKind::Forall(vs, Box::new(body))
            }
        };
        ast::Type {
            kind,
            span: self.span(start),
        }
    }

    fn sig(&mut self, name: &str, t: &Type) -> ast::Sig {
        let start = self.pos();
        let name = self.ident(name);
        self.out.push_str(" :: ");
        let ty = self.ty(t, 0);
        ast::Sig {
            name,
            ty,
            span: self.span(start),
        }
    }

    fn def(&mut self, name: &str, params: &[Param], body: &Expr) -> ast::Def {
        let start = self.pos();
        let name = self.ident(name);
        let binders = self.spaced(params, Printer::param);
        self.out.push_str(" = ");
        let body = self.expr(body, 0);
        ast::Def {
            name,
            binders,
            body,
            span: self.span(start),
            unique: 0,
        }
    }

    fn decl(&mut self, d: &Decl) -> ast::Decl {
        match d {
            Decl::Data(name, params, cons) => {
                let start = self.pos();
                self.out.push_str("data ");
                let name = self.ident(name);
                let params = self.spaced(params, |p, x| p.ident(x));
                let mut out = Vec::new();
                for (i, (c, fields)) in cons.iter().enumerate() {
                    self.out.push_str(if i == 0 { " = " } else { " | " });
                    let con_start = self.pos();
                    let c = self.ident(c);
                    let fields = self.spaced(fields, |p, t| p.ty(t, 2));
                    out.push(ast::ConDecl {
                        name: c,
                        fields,
                        span: self.span(con_start),
                    });
                }
                ast::Decl::Data(ast::DataDecl {
                    name,
                    params,
                    cons: out,
                    span: self.span(start),
                    id: None,
                })
            }
            Decl::Sig(name, t) => ast::Decl::Sig(self.sig(name, t)),
            Decl::Def(name, params, body) => ast::Decl::Def(self.def(name, params, body)),
        }
    }
}
