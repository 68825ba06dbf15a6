//! Random well-typed Sloth Core programs, for property tests of the
//! evaluation strategies (ours in `properties`, and users' own).
//!
//! [`Program`] implements quickcheck's `Arbitrary`: it generates a program
//! with a printable `main`, and shrinks a failing one towards a small one
//! that still fails. Its `Display` (and `Debug`, which quickcheck prints for
//! a counterexample) is Sloth Core source, ready for `sloth run`.
//!
//! Generation is type-directed: [`Builder::expr`] makes an expression of a
//! wanted type from the variables in scope, literals, the prelude's
//! functions, the program's own helpers and data types. What it covers:
//! data types (one may be recursive and polymorphic), higher-order
//! functions and lambdas, partial application and sections, `let` with
//! sharing, recursive `let` knots, `case` on every type (sometimes missing
//! an alternative), endless lists consumed finitely (`take`, `takeWhile`,
//! `zip`), unused `error`s, `Int`/`Double`/`Char` arithmetic (division by
//! zero and bad `chr` possible), and polymorphic helpers used at several
//! types. Recursion is bounded by construction (helpers recurse on a
//! counter taken `mod` a small number), so a program ends under `need` and
//! `name`, except that it may fail with a runtime error; under `value` an
//! endless list or a knot diverges, which is why the properties run with
//! step and stack limits.
//!
//! The source is printed fully parenthesised with explicit braces, so no
//! operator precedence or layout rule can change its meaning. Every
//! variable has a name of its own (`v12`), so shrinking can tell whether a
//! subexpression may move out of the binders around it. Knows nothing of
//! the compiler: `properties` checks that every program elaborates. Read
//! next: `properties`.

use quickcheck::{Arbitrary, Gen};
use std::collections::HashSet;
use std::fmt;

/// A type of the generated language. `Var` is the one type variable `a` of
/// a polymorphic helper.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int,
    Double,
    Char,
    Bool,
    List(Box<Ty>),
    Pair(Box<Ty>, Box<Ty>),
    Maybe(Box<Ty>),
    Fun(Box<Ty>, Box<Ty>),
    /// The program's data type `i`, applied to its argument if it has a
    /// parameter.
    Data(usize, Option<Box<Ty>>),
    Var,
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}
fn pair(a: Ty, b: Ty) -> Ty {
    Ty::Pair(Box::new(a), Box::new(b))
}
fn maybe(t: Ty) -> Ty {
    Ty::Maybe(Box::new(t))
}
fn fun(a: Ty, b: Ty) -> Ty {
    Ty::Fun(Box::new(a), Box::new(b))
}

impl Ty {
    /// `a` replaced by `t`.
    pub fn subst(&self, t: &Ty) -> Ty {
        match self {
            Ty::Var => t.clone(),
            Ty::List(a) => list(a.subst(t)),
            Ty::Pair(a, b) => pair(a.subst(t), b.subst(t)),
            Ty::Maybe(a) => maybe(a.subst(t)),
            Ty::Fun(a, b) => fun(a.subst(t), b.subst(t)),
            Ty::Data(i, a) => Ty::Data(*i, a.as_ref().map(|a| Box::new(a.subst(t)))),
            _ => self.clone(),
        }
    }

    pub fn has_var(&self) -> bool {
        match self {
            Ty::Var => true,
            Ty::List(a) | Ty::Maybe(a) => a.has_var(),
            Ty::Pair(a, b) | Ty::Fun(a, b) => a.has_var() || b.has_var(),
            Ty::Data(_, a) => a.as_ref().is_some_and(|a| a.has_var()),
            _ => false,
        }
    }

    fn has_fun(&self) -> bool {
        match self {
            Ty::Fun(..) => true,
            Ty::List(a) | Ty::Maybe(a) => a.has_fun(),
            Ty::Pair(a, b) => a.has_fun() || b.has_fun(),
            Ty::Data(_, a) => a.as_ref().is_some_and(|a| a.has_fun()),
            _ => false,
        }
    }

    /// If `self` (which mentions `a`) is `want` for some `a`, that `a`.
    fn matches(&self, want: &Ty) -> Option<Ty> {
        let mut found: Option<Ty> = None;
        fn go(p: &Ty, w: &Ty, found: &mut Option<Ty>) -> bool {
            match (p, w) {
                (Ty::Var, _) => match found {
                    Some(f) => f == w,
                    None => {
                        *found = Some(w.clone());
                        true
                    }
                },
                (Ty::List(a), Ty::List(b)) | (Ty::Maybe(a), Ty::Maybe(b)) => go(a, b, found),
                (Ty::Pair(a, b), Ty::Pair(c, d)) | (Ty::Fun(a, b), Ty::Fun(c, d)) => {
                    go(a, c, found) && go(b, d, found)
                }
                (Ty::Data(i, a), Ty::Data(j, b)) if i == j => match (a, b) {
                    (Some(a), Some(b)) => go(a, b, found),
                    (None, None) => true,
                    _ => false,
                },
                _ => p == w,
            }
        }
        if go(self, want, &mut found) {
            found
        } else {
            None
        }
    }

    /// Whether values of this type can be printed by `main` and compared
    /// as text (no functions inside).
    pub fn printable(&self) -> bool {
        !self.has_fun() && !self.has_var()
    }
}

/// A data declaration: `data D0 a = C0_0 | C0_1 Int a | C0_2 (D0 a) a`.
/// Fields may mention the parameter (`Ty::Var`) and the type itself.
#[derive(Clone, Debug)]
pub struct DataDecl {
    pub param: bool,
    /// Constructors and their field types; the first has no field of the
    /// type itself, so every value can be finite.
    pub cons: Vec<Vec<Ty>>,
}

/// An expression, with its type.
#[derive(Clone, Debug)]
pub struct Node {
    pub ty: Ty,
    pub e: E,
}

#[derive(Clone, Debug)]
pub enum E {
    Int(i64),
    /// Quarters only: printed exactly, read back exactly.
    Double(i64),
    Char(char),
    Str(String),
    Var(String),
    /// A constructor, a prelude function or a helper, applied to arguments
    /// (none: the bare name).
    Call(String, Vec<Node>),
    /// An arbitrary function expression applied.
    App(Box<Node>, Vec<Node>),
    /// A binary operator, printed infix.
    Op(&'static str, Box<Node>, Box<Node>),
    /// `(op x)`, `(x op)` sections, and `(op)`.
    Section(&'static str, Option<Box<Node>>, bool),
    Lam(String, Option<Ty>, Box<Node>),
    /// `let { x = e; ... } in body`; `rec` when a right side names its own
    /// binder (a knot).
    Let(Vec<(String, Node)>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Case(Box<Node>, Vec<(Pat, Node)>),
    List(Vec<Node>),
    Tuple(Box<Node>, Box<Node>),
    /// `[a ..]` or `[a .. b]`.
    Range(Box<Node>, Option<Box<Node>>),
}

#[derive(Clone, Debug)]
pub enum Pat {
    Con(String, Vec<String>),
    Nil,
    Cons(String, String),
    Tuple(String, String),
    Int(i64),
    Var(String),
    Wild,
}

impl Pat {
    fn binders(&self) -> Vec<&str> {
        match self {
            Pat::Con(_, xs) => xs.iter().map(|x| x.as_str()).collect(),
            Pat::Cons(a, b) | Pat::Tuple(a, b) => vec![a, b],
            Pat::Var(x) => vec![x],
            Pat::Nil | Pat::Int(_) | Pat::Wild => Vec::new(),
        }
    }
}

/// A top-level function: `name :: sig` then `name params = body`.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub ret: Ty,
    pub body: Node,
}

impl Def {
    pub fn ty(&self) -> Ty {
        self.params
            .iter()
            .rev()
            .fold(self.ret.clone(), |r, (_, p)| fun(p.clone(), r))
    }
}

/// A whole program: data types, helpers, and `main`.
#[derive(Clone)]
pub struct Program {
    pub data: Vec<DataDecl>,
    pub defs: Vec<Def>,
    pub main: Node,
}

impl Program {
    /// Whether some `let` in the program binds a non-lambda recursively
    /// (a knot: under `value` it is a thunk, forced at once).
    pub fn has_knot(&self) -> bool {
        fn go(n: &Node) -> bool {
            match &n.e {
                E::Let(bs, body) => {
                    bs.iter().any(|(x, e)| {
                        !matches!(e.e, E::Lam(..)) && free_vars(e).contains(x.as_str())
                    }) || bs.iter().any(|(_, e)| go(e))
                        || go(body)
                }
                _ => children(n).into_iter().any(go),
            }
        }
        self.defs.iter().any(|d| go(&d.body)) || go(&self.main)
    }
}

// ---- printing ---------------------------------------------------------------

struct TyShow<'a>(&'a Ty);

impl fmt::Display for TyShow<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ty::Int => write!(f, "Int"),
            Ty::Double => write!(f, "Double"),
            Ty::Char => write!(f, "Char"),
            Ty::Bool => write!(f, "Bool"),
            Ty::Var => write!(f, "a"),
            Ty::List(a) => write!(f, "[{}]", TyShow(a)),
            Ty::Pair(a, b) => write!(f, "({}, {})", TyShow(a), TyShow(b)),
            Ty::Maybe(a) => write!(f, "(Maybe {})", TyShow(a)),
            Ty::Fun(a, b) => write!(f, "({} -> {})", TyShow(a), TyShow(b)),
            Ty::Data(i, None) => write!(f, "D{i}"),
            Ty::Data(i, Some(a)) => write!(f, "(D{i} {})", TyShow(a)),
        }
    }
}

fn show_int(n: i64) -> String {
    if n < 0 {
        format!("({n})")
    } else {
        n.to_string()
    }
}

fn show_double(q: i64) -> String {
    let d = q as f64 / 4.0;
    if d < 0.0 {
        format!("({d:?})")
    } else {
        format!("{d:?}")
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.e {
            E::Int(n) => write!(f, "{}", show_int(*n)),
            E::Double(q) => write!(f, "{}", show_double(*q)),
            E::Char(c) => write!(f, "'{c}'"),
            E::Str(s) => write!(f, "{s:?}"),
            E::Var(x) => write!(f, "{x}"),
            E::Call(name, args) if args.is_empty() => write!(f, "{name}"),
            E::Call(name, args) => {
                write!(f, "({name}")?;
                for a in args {
                    write!(f, " {a}")?;
                }
                write!(f, ")")
            }
            E::App(g, args) => {
                write!(f, "({g}")?;
                for a in args {
                    write!(f, " {a}")?;
                }
                write!(f, ")")
            }
            E::Op(op, a, b) => write!(f, "({a} {op} {b})"),
            E::Section(op, None, _) => write!(f, "({op})"),
            E::Section(op, Some(a), true) => write!(f, "({op} {a})"),
            E::Section(op, Some(a), false) => write!(f, "({a} {op})"),
            E::Lam(x, Some(t), body) => write!(f, "(\\({x} :: {}) -> {body})", TyShow(t)),
            E::Lam(x, None, body) => write!(f, "(\\{x} -> {body})"),
            E::Let(bs, body) => {
                write!(f, "(let {{ ")?;
                for (i, (x, e)) in bs.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    write!(f, "{x} = {e}")?;
                }
                write!(f, " }} in {body})")
            }
            E::If(c, t, e) => write!(f, "(if {c} then {t} else {e})"),
            E::Case(s, alts) => {
                write!(f, "(case {s} of {{ ")?;
                for (i, (p, e)) in alts.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    match p {
                        Pat::Con(c, xs) => {
                            write!(f, "{c}")?;
                            for x in xs {
                                write!(f, " {x}")?;
                            }
                        }
                        Pat::Nil => write!(f, "[]")?,
                        Pat::Cons(a, b) => write!(f, "{a} : {b}")?,
                        Pat::Tuple(a, b) => write!(f, "({a}, {b})")?,
                        Pat::Int(n) => write!(f, "{n}")?,
                        Pat::Var(x) => write!(f, "{x}")?,
                        Pat::Wild => write!(f, "_")?,
                    }
                    write!(f, " -> {e}")?;
                }
                write!(f, " }})")
            }
            E::List(xs) => {
                write!(f, "[")?;
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            E::Tuple(a, b) => write!(f, "({a}, {b})"),
            E::Range(a, None) => write!(f, "[{a} ..]"),
            E::Range(a, Some(b)) => write!(f, "[{a} .. {b}]"),
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.data.iter().enumerate() {
            write!(f, "data D{i}{} =", if d.param { " a" } else { "" })?;
            for (j, fields) in d.cons.iter().enumerate() {
                write!(f, "{} C{i}_{j}", if j > 0 { " |" } else { "" })?;
                for t in fields {
                    write!(f, " {}", TyShow(t))?;
                }
            }
            writeln!(f)?;
        }
        for d in &self.defs {
            let forall = if d.ty().has_var() { "forall a. " } else { "" };
            writeln!(f, "{} :: {forall}{}", d.name, TyShow(&d.ty()))?;
            write!(f, "{}", d.name)?;
            for (x, _) in &d.params {
                write!(f, " {x}")?;
            }
            writeln!(f, " = {}", d.body)?;
        }
        writeln!(f, "main :: {}", TyShow(&self.main.ty))?;
        writeln!(f, "main = {}", self.main)
    }
}

/// quickcheck prints a counterexample with `Debug`: the source.
impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}")
    }
}

// ---- generation ---------------------------------------------------------------

/// How big programs get, and how often the risky forms appear.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Budget of `main`'s expression (helpers get a third of it each).
    pub size: usize,
    /// Percent of choices that may fail at run time: `div`/`mod` by a
    /// value that may be 0, `head` of a list that may be empty, `chr` of
    /// any `Int`, a `case` missing an alternative, a used `error`.
    pub risk: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config { size: 30, risk: 10 }
    }
}

/// The state of one program's generation.
pub struct Builder<'g> {
    g: &'g mut Gen,
    cfg: Config,
    data: Vec<DataDecl>,
    defs: Vec<Def>,
    next_var: usize,
}

/// Variables in scope, with their types.
type Scope = Vec<(String, Ty)>;

impl<'g> Builder<'g> {
    pub fn new(g: &'g mut Gen, cfg: Config) -> Builder<'g> {
        Builder {
            g,
            cfg,
            data: Vec::new(),
            defs: Vec::new(),
            next_var: 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::arbitrary(self.g) % n
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        (u32::arbitrary(self.g) % 100) < percent
    }

    fn small_int(&mut self) -> i64 {
        (i64::arbitrary(self.g) % 10).abs() - 2
    }

    fn fresh(&mut self) -> String {
        self.next_var += 1;
        format!("v{}", self.next_var)
    }

    /// A whole program.
    pub fn program(mut self) -> Program {
        for _ in 0..self.below(3) {
            let d = self.data_decl();
            self.data.push(d);
        }
        for i in 0..self.below(4) {
            let d = self.def(i);
            self.defs.push(d);
        }
        let ty = self.printable_type(2);
        let size = self.cfg.size;
        let main = self.expr(&ty, &Vec::new(), size);
        Program {
            data: self.data,
            defs: self.defs,
            main,
        }
    }

    fn data_decl(&mut self) -> DataDecl {
        let me = self.data.len();
        let param = self.chance(50);
        let n = 1 + self.below(3);
        let cons = (0..n)
            .map(|c| {
                (0..self.below(3))
                    .map(|_| match self.below(if c == 0 { 4 } else { 5 }) {
                        0 => Ty::Int,
                        1 => Ty::Bool,
                        2 => Ty::Char,
                        3 if param => Ty::Var,
                        3 => Ty::Int,
                        _ => Ty::Data(me, param.then(|| Box::new(Ty::Var))),
                    })
                    .collect()
            })
            .collect();
        DataDecl { param, cons }
    }

    /// A type of `main`: first-order, printable.
    fn printable_type(&mut self, depth: usize) -> Ty {
        let k = if depth == 0 { 4 } else { 9 };
        match self.below(k) {
            0 => Ty::Int,
            1 => Ty::Double,
            2 => Ty::Char,
            3 => Ty::Bool,
            4 => list(self.printable_type(depth - 1)),
            5 => pair(
                self.printable_type(depth - 1),
                self.printable_type(depth - 1),
            ),
            6 => maybe(self.printable_type(depth - 1)),
            _ if !self.data.is_empty() => {
                let i = self.below(self.data.len());
                let arg = self.data[i]
                    .param
                    .then(|| Box::new(self.printable_type(depth - 1)));
                Ty::Data(i, arg)
            }
            _ => list(Ty::Int),
        }
    }

    /// Any type a helper may take or return (`var`: may mention `a`).
    fn any_type(&mut self, depth: usize, var: bool) -> Ty {
        if var && self.chance(40) {
            return Ty::Var;
        }
        if depth > 0 && self.chance(15) {
            return fun(self.any_type(depth - 1, var), self.any_type(depth - 1, var));
        }
        match self.below(if depth == 0 { 4 } else { 7 }) {
            0 => Ty::Int,
            1 => Ty::Double,
            2 => Ty::Char,
            3 => Ty::Bool,
            4 => list(self.any_type(depth - 1, var)),
            5 => pair(self.any_type(depth - 1, var), self.any_type(depth - 1, var)),
            _ => maybe(self.any_type(depth - 1, var)),
        }
    }

    /// Helper `i`: a function of one to three parameters; some are
    /// polymorphic (in `a`, with a parameter of type `a` so that a value
    /// of it is always at hand), some recurse on a counter.
    fn def(&mut self, i: usize) -> Def {
        let name = format!("h{i}");
        let poly = self.chance(40);
        let recursive = !poly && self.chance(40);
        let mut params: Vec<(String, Ty)> = Vec::new();
        if poly {
            params.push((self.fresh(), Ty::Var));
        }
        if recursive {
            params.push((self.fresh(), Ty::Int));
        }
        for _ in 0..1 + self.below(2) {
            let t = self.any_type(1, poly);
            params.push((self.fresh(), t));
        }
        let ret = if poly && self.chance(50) {
            Ty::Var
        } else {
            self.any_type(1, poly)
        };
        let budget = self.cfg.size / 3;
        let scope: Scope = params.clone();
        let body = if recursive {
            // h n .. = if n <= 0 then base else step, step using h (n - 1) ..
            let n = params[0].0.clone();
            let base = self.expr(&ret, &scope, budget / 2);
            let rec_args: Vec<Node> = params
                .iter()
                .enumerate()
                .map(|(k, (x, t))| {
                    if k == 0 {
                        node(
                            Ty::Int,
                            E::Op("-", Box::new(var(x, Ty::Int)), Box::new(int(1))),
                        )
                    } else {
                        var(x, t.clone())
                    }
                })
                .collect();
            let r = self.fresh();
            let call = node(ret.clone(), E::Call(name.clone(), rec_args));
            let mut inner = scope.clone();
            inner.push((r.clone(), ret.clone()));
            let step = self.expr(&ret, &inner, budget / 2);
            let step = node(ret.clone(), E::Let(vec![(r, call)], Box::new(step)));
            let cond = node(
                Ty::Bool,
                E::Op("<=", Box::new(var(&n, Ty::Int)), Box::new(int(0))),
            );
            node(
                ret.clone(),
                E::If(Box::new(cond), Box::new(base), Box::new(step)),
            )
        } else {
            self.expr(&ret, &scope, budget)
        };
        Def {
            name,
            params,
            ret,
            body,
        }
    }

    /// A leaf of type `t`: a variable in scope or a literal.
    fn leaf(&mut self, t: &Ty, scope: &Scope) -> Node {
        let vars: Vec<&(String, Ty)> = scope.iter().filter(|(_, vt)| vt == t).collect();
        if !vars.is_empty() && (self.chance(60) || !has_literal(t)) {
            let (x, _) = vars[self.below(vars.len())].clone();
            return var(&x, t.clone());
        }
        match t {
            Ty::Int => int(self.small_int()),
            Ty::Double => node(Ty::Double, E::Double(self.small_int() * 3)),
            Ty::Char => node(Ty::Char, E::Char((b'a' + self.below(26) as u8) as char)),
            Ty::Bool => {
                let b = if self.chance(50) { "True" } else { "False" };
                node(Ty::Bool, E::Call(b.into(), Vec::new()))
            }
            Ty::List(_) => node(t.clone(), E::List(Vec::new())),
            Ty::Maybe(_) => node(t.clone(), E::Call("Nothing".into(), Vec::new())),
            Ty::Pair(a, b) => {
                let (a, b) = (self.leaf(a, scope), self.leaf(b, scope));
                node(t.clone(), E::Tuple(Box::new(a), Box::new(b)))
            }
            Ty::Fun(a, b) => {
                let x = self.fresh();
                let mut inner = scope.clone();
                inner.push((x.clone(), (**a).clone()));
                let body = self.leaf(b, &inner);
                lam(x, a, body)
            }
            Ty::Data(i, arg) => {
                // The first constructor is not recursive.
                let fields: Vec<Ty> = self.data[*i].cons[0]
                    .iter()
                    .map(|f| field_type(f, *i, arg))
                    .collect();
                let args = fields.iter().map(|f| self.leaf(f, scope)).collect();
                node(t.clone(), E::Call(format!("C{i}_0"), args))
            }
            Ty::Var => {
                // Helpers over `a` always have a parameter of type `a`.
                let (x, _) = vars
                    .first()
                    .map(|v| (*v).clone())
                    .unwrap_or_else(|| (String::from("undefined"), Ty::Var));
                var(&x, Ty::Var)
            }
        }
    }

    /// An expression of type `t` in `scope`, about `budget` nodes big.
    pub fn expr(&mut self, t: &Ty, scope: &Scope, budget: usize) -> Node {
        if budget <= 1 || self.chance(10) {
            return self.leaf(t, scope);
        }
        let b = budget - 1;
        // Forms that work at any type, tried first now and then.
        if self.chance(35) {
            if let Some(n) = self.any_form(t, scope, b) {
                return n;
            }
        }
        let specific = match t {
            Ty::Int => self.int_form(scope, b),
            Ty::Double => self.double_form(scope, b),
            Ty::Char => self.char_form(scope, b),
            Ty::Bool => self.bool_form(scope, b),
            Ty::List(a) => self.list_form(a, scope, b),
            Ty::Pair(x, y) => {
                let (x, y) = (self.expr(x, scope, b / 2), self.expr(y, scope, b / 2));
                Some(node(t.clone(), E::Tuple(Box::new(x), Box::new(y))))
            }
            Ty::Maybe(a) => {
                if self.chance(70) {
                    let x = self.expr(a, scope, b);
                    Some(node(t.clone(), E::Call("Just".into(), vec![x])))
                } else {
                    None
                }
            }
            Ty::Fun(a, r) => self.fun_form(a, r, scope, b),
            Ty::Data(i, arg) => {
                let c = self.below(self.data[*i].cons.len());
                let fields: Vec<Ty> = self.data[*i].cons[c]
                    .iter()
                    .map(|f| field_type(f, *i, arg))
                    .collect();
                let n = fields.len().max(1);
                let args = fields.iter().map(|f| self.expr(f, scope, b / n)).collect();
                Some(node(t.clone(), E::Call(format!("C{i}_{c}"), args)))
            }
            Ty::Var => None,
        };
        match specific {
            Some(n) => n,
            None => self
                .any_form(t, scope, b)
                .unwrap_or_else(|| self.leaf(t, scope)),
        }
    }

    /// Forms at any type: `let` (shared), `if`, `case`, a helper or a
    /// function variable applied, an unused bottom, `seq`.
    fn any_form(&mut self, t: &Ty, scope: &Scope, b: usize) -> Option<Node> {
        match self.below(9) {
            0 | 1 => {
                // let x = e in body, body using x (maybe twice: sharing).
                let s = self.any_type(1, false);
                let x = self.fresh();
                let rhs = self.expr(&s, scope, b / 2);
                let mut inner = scope.clone();
                inner.push((x.clone(), s));
                let body = self.expr(t, &inner, b / 2);
                Some(node(t.clone(), E::Let(vec![(x, rhs)], Box::new(body))))
            }
            2 => {
                let c = self.expr(&Ty::Bool, scope, b / 3);
                let x = self.expr(t, scope, b / 3);
                let y = self.expr(t, scope, b / 3);
                Some(node(
                    t.clone(),
                    E::If(Box::new(c), Box::new(x), Box::new(y)),
                ))
            }
            3 | 4 => self.case_form(t, scope, b),
            5 => self.call_helper(t, scope, b),
            6 => {
                // A function in scope returning `t`, applied.
                let fs: Vec<(String, Ty)> = scope
                    .iter()
                    .filter(|(_, ft)| matches!(ft, Ty::Fun(_, r) if **r == *t))
                    .cloned()
                    .collect();
                if fs.is_empty() {
                    return None;
                }
                let (f, ft) = fs[self.below(fs.len())].clone();
                let Ty::Fun(a, _) = &ft else { unreachable!() };
                let arg = self.expr(a, scope, b);
                Some(node(
                    t.clone(),
                    E::App(Box::new(var(&f, ft.clone())), vec![arg]),
                ))
            }
            7 => {
                // An unused bottom: fst (e, error ..), const e (error ..),
                // let u = error .. in e.
                let e = self.expr(t, scope, b);
                let s = self.any_type(0, false);
                let bottom = node(
                    s.clone(),
                    E::Call(
                        "error".into(),
                        vec![node(list(Ty::Char), E::Str("unused".into()))],
                    ),
                );
                Some(match self.below(3) {
                    0 => node(
                        t.clone(),
                        E::Call(
                            "fst".into(),
                            vec![node(
                                pair(t.clone(), s),
                                E::Tuple(Box::new(e), Box::new(bottom)),
                            )],
                        ),
                    ),
                    1 => node(t.clone(), E::Call("const".into(), vec![e, bottom])),
                    _ => {
                        let u = self.fresh();
                        node(t.clone(), E::Let(vec![(u, bottom)], Box::new(e)))
                    }
                })
            }
            _ => {
                if self.chance(self.cfg.risk * 2) {
                    let msg = node(list(Ty::Char), E::Str(format!("boom{}", self.below(5))));
                    return Some(node(t.clone(), E::Call("error".into(), vec![msg])));
                }
                let s = self.any_type(0, false);
                let x = self.expr(&s, scope, b / 2);
                let e = self.expr(t, scope, b / 2);
                Some(node(t.clone(), E::Call("seq".into(), vec![x, e])))
            }
        }
    }

    /// A `case` on a value of some type, each alternative of type `t`.
    fn case_form(&mut self, t: &Ty, scope: &Scope, b: usize) -> Option<Node> {
        let s = match self.below(5) {
            0 => maybe(self.any_type(0, false)),
            1 => list(self.any_type(0, false)),
            2 => pair(self.any_type(0, false), self.any_type(0, false)),
            3 if !self.data.is_empty() => {
                let i = self.below(self.data.len());
                let arg = self.data[i]
                    .param
                    .then(|| Box::new(self.any_type(0, false)));
                Ty::Data(i, arg)
            }
            _ => Ty::Int,
        };
        let scrut = self.expr(&s, scope, b / 3);
        let mut alts: Vec<(Pat, Vec<(String, Ty)>)> = match &s {
            Ty::Maybe(a) => {
                let x = self.fresh();
                vec![
                    (Pat::Con("Nothing".into(), vec![]), vec![]),
                    (
                        Pat::Con("Just".into(), vec![x.clone()]),
                        vec![(x, (**a).clone())],
                    ),
                ]
            }
            Ty::List(a) => {
                let (x, xs) = (self.fresh(), self.fresh());
                vec![
                    (Pat::Nil, vec![]),
                    (
                        Pat::Cons(x.clone(), xs.clone()),
                        vec![(x, (**a).clone()), (xs, s.clone())],
                    ),
                ]
            }
            Ty::Pair(a, c) => {
                let (x, y) = (self.fresh(), self.fresh());
                vec![(
                    Pat::Tuple(x.clone(), y.clone()),
                    vec![(x, (**a).clone()), (y, (**c).clone())],
                )]
            }
            Ty::Data(i, arg) => {
                let cons = self.data[*i].cons.clone();
                cons.iter()
                    .enumerate()
                    .map(|(c, fields)| {
                        let xs: Vec<(String, Ty)> = fields
                            .iter()
                            .map(|f| (self.fresh(), field_type(f, *i, arg)))
                            .collect();
                        let names = xs.iter().map(|(x, _)| x.clone()).collect();
                        (Pat::Con(format!("C{i}_{c}"), names), xs)
                    })
                    .collect()
            }
            _ => {
                // Patterns take no negative literal.
                let k = self.small_int().abs();
                let x = self.fresh();
                vec![
                    (Pat::Int(k), vec![]),
                    (Pat::Var(x.clone()), vec![(x, Ty::Int)]),
                ]
            }
        };
        // Now and then an alternative goes missing (a pattern-match
        // failure if it is reached), or the last becomes `_`.
        if alts.len() > 1 && self.chance(self.cfg.risk) {
            let k = self.below(alts.len());
            alts.remove(k);
        } else if alts.len() > 1 && self.chance(20) {
            let last = alts.len() - 1;
            alts[last] = (Pat::Wild, Vec::new());
        }
        let n = alts.len().max(1);
        let alts = alts
            .into_iter()
            .map(|(p, bound)| {
                let mut inner = scope.clone();
                inner.extend(bound);
                let rhs = self.expr(t, &inner, b / (n + 1));
                (p, rhs)
            })
            .collect();
        Some(node(t.clone(), E::Case(Box::new(scrut), alts)))
    }

    /// A helper whose result can be `t`, applied to arguments; a
    /// recursive one gets its counter `mod` 6.
    fn call_helper(&mut self, t: &Ty, scope: &Scope, b: usize) -> Option<Node> {
        let fits: Vec<(Def, Option<Ty>)> = self
            .defs
            .iter()
            .filter_map(|d| {
                if d.ret.has_var() {
                    d.ret.matches(t).map(|a| (d.clone(), Some(a)))
                } else if d.ret == *t {
                    Some((d.clone(), None))
                } else {
                    None
                }
            })
            .collect();
        if fits.is_empty() {
            return None;
        }
        let (d, a) = fits[self.below(fits.len())].clone();
        let a = match a {
            Some(a) => a,
            None => self.any_type(1, false),
        };
        let recursive = is_recursive(&d);
        let n = d.params.len().max(1);
        let args = d
            .params
            .iter()
            .enumerate()
            .map(|(k, (_, pt))| {
                let pt = pt.subst(&a);
                let arg = self.expr(&pt, scope, b / n);
                if recursive && k == 0 {
                    node(Ty::Int, E::Op("`mod`", Box::new(arg), Box::new(int(6))))
                } else {
                    arg
                }
            })
            .collect();
        Some(node(t.clone(), E::Call(d.name.clone(), args)))
    }

    fn int_form(&mut self, scope: &Scope, b: usize) -> Option<Node> {
        let t = Ty::Int;
        Some(match self.below(12) {
            0..=2 => {
                let op = ["+", "-", "*"][self.below(3)];
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                node(t, E::Op(op, Box::new(x), Box::new(y)))
            }
            3 => {
                let op = ["`div`", "`mod`"][self.below(2)];
                let x = self.expr(&t, scope, b / 2);
                let y = if self.chance(self.cfg.risk * 3) {
                    self.expr(&t, scope, b / 2)
                } else {
                    int(1 + self.below(5) as i64)
                };
                node(t, E::Op(op, Box::new(x), Box::new(y)))
            }
            4 => {
                let a = self.any_type(0, false);
                let xs = self.expr(&list(a), scope, b);
                node(t, E::Call("length".into(), vec![xs]))
            }
            5 => {
                let xs = self.expr(&list(Ty::Int), scope, b);
                let f = ["sum", "product", "length"][self.below(3)];
                node(t, E::Call(f.into(), vec![xs]))
            }
            6 => {
                let c = self.expr(&Ty::Char, scope, b);
                node(t, E::Call("ord".into(), vec![c]))
            }
            7 => {
                let d = self.expr(&Ty::Double, scope, b);
                let f = ["truncate", "round", "floor", "ceiling"][self.below(4)];
                node(t, E::Call(f.into(), vec![d]))
            }
            8 => {
                // foldr with a lambda: a higher-order use.
                let xs = self.expr(&list(Ty::Int), scope, b / 2);
                let (x, acc) = (self.fresh(), self.fresh());
                let mut inner = scope.clone();
                inner.push((x.clone(), Ty::Int));
                inner.push((acc.clone(), Ty::Int));
                let body = self.expr(&t, &inner, b / 2);
                let f = lam(x, &Ty::Int, lam(acc, &Ty::Int, body));
                let z = int(self.small_int());
                let fold = ["foldr", "foldl"][self.below(2)];
                node(t, E::Call(fold.into(), vec![f, z, xs]))
            }
            9 => {
                let xs = self.expr(&list(Ty::Int), scope, b / 2);
                if self.chance(self.cfg.risk * 3) {
                    node(t, E::Call("head".into(), vec![xs]))
                } else {
                    let d = int(self.small_int());
                    node(t, E::Call("fromMaybe".into(), vec![d, self.safe_head(xs)]))
                }
            }
            10 => {
                let x = self.expr(&t, scope, b);
                node(t, E::Call("negate".into(), vec![x]))
            }
            _ => {
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                let f = ["max", "min"][self.below(2)];
                node(t, E::Call(f.into(), vec![x, y]))
            }
        })
    }

    /// `case xs of { [] -> Nothing; y : _ -> Just y }`.
    fn safe_head(&mut self, xs: Node) -> Node {
        let Ty::List(a) = xs.ty.clone() else {
            unreachable!()
        };
        let (y, ys) = (self.fresh(), self.fresh());
        let t = maybe((*a).clone());
        node(
            t.clone(),
            E::Case(
                Box::new(xs),
                vec![
                    (Pat::Nil, node(t.clone(), E::Call("Nothing".into(), vec![]))),
                    (
                        Pat::Cons(y.clone(), ys),
                        node(t, E::Call("Just".into(), vec![var(&y, (*a).clone())])),
                    ),
                ],
            ),
        )
    }

    fn double_form(&mut self, scope: &Scope, b: usize) -> Option<Node> {
        let t = Ty::Double;
        Some(match self.below(5) {
            0..=2 => {
                let op = ["+", "-", "*", "/"][self.below(4)];
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                node(t, E::Op(op, Box::new(x), Box::new(y)))
            }
            3 => {
                let n = self.expr(&Ty::Int, scope, b);
                node(t, E::Call("intToDouble".into(), vec![n]))
            }
            _ => {
                let xs = self.expr(&list(Ty::Double), scope, b);
                node(t, E::Call("sum".into(), vec![xs]))
            }
        })
    }

    fn char_form(&mut self, scope: &Scope, b: usize) -> Option<Node> {
        let t = Ty::Char;
        Some(match self.below(3) {
            0 => {
                // chr of a code that may be out of range now and then.
                let n = self.expr(&Ty::Int, scope, b);
                let code = if self.chance(self.cfg.risk * 2) {
                    n
                } else {
                    let m = node(Ty::Int, E::Op("`mod`", Box::new(n), Box::new(int(26))));
                    node(Ty::Int, E::Op("+", Box::new(m), Box::new(int(97))))
                };
                node(t, E::Call("chr".into(), vec![code]))
            }
            1 => {
                let s = self.expr(&list(Ty::Char), scope, b / 2);
                let d = node(Ty::Char, E::Char('z'));
                node(t, E::Call("fromMaybe".into(), vec![d, self.safe_head(s)]))
            }
            _ => {
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                let f = ["max", "min"][self.below(2)];
                node(t, E::Call(f.into(), vec![x, y]))
            }
        })
    }

    fn bool_form(&mut self, scope: &Scope, b: usize) -> Option<Node> {
        let t = Ty::Bool;
        Some(match self.below(6) {
            0 | 1 => {
                let s = [Ty::Int, Ty::Double, Ty::Char][self.below(3)].clone();
                let op = ["==", "/=", "<", "<=", ">", ">="][self.below(6)];
                let (x, y) = (self.expr(&s, scope, b / 2), self.expr(&s, scope, b / 2));
                node(t, E::Op(op, Box::new(x), Box::new(y)))
            }
            2 => {
                let op = ["&&", "||"][self.below(2)];
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                node(t, E::Op(op, Box::new(x), Box::new(y)))
            }
            3 => {
                let x = self.expr(&t, scope, b);
                node(t, E::Call("not".into(), vec![x]))
            }
            4 => {
                let a = self.any_type(0, false);
                let xs = self.expr(&list(a), scope, b);
                node(t, E::Call("null".into(), vec![xs]))
            }
            _ => {
                let n = self.expr(&Ty::Int, scope, b);
                let f = ["even", "odd"][self.below(2)];
                node(t, E::Call(f.into(), vec![n]))
            }
        })
    }

    /// Lists: literals, cons, map/filter/append/reverse, ranges, and
    /// endless lists (iterate, repeat, cycle, `[n ..]`, a knot) consumed by
    /// `take`, `takeWhile` or `zip` with a finite list.
    fn list_form(&mut self, a: &Ty, scope: &Scope, b: usize) -> Option<Node> {
        let t = list(a.clone());
        Some(match self.below(10) {
            0 => {
                let n = self.below(4);
                let xs = (0..n).map(|_| self.expr(a, scope, b / n.max(1))).collect();
                node(t, E::List(xs))
            }
            1 => {
                let x = self.expr(a, scope, b / 2);
                let xs = self.expr(&t, scope, b / 2);
                node(t, E::Op(":", Box::new(x), Box::new(xs)))
            }
            2 => {
                // map f xs with f : s -> a.
                let s = self.any_type(0, false);
                let f = self.expr(&fun(s.clone(), a.clone()), scope, b / 2);
                let xs = self.expr(&list(s), scope, b / 2);
                node(t, E::Call("map".into(), vec![f, xs]))
            }
            3 => {
                let p = self.expr(&fun(a.clone(), Ty::Bool), scope, b / 2);
                let xs = self.expr(&t, scope, b / 2);
                node(t, E::Call("filter".into(), vec![p, xs]))
            }
            4 => {
                let (x, y) = (self.expr(&t, scope, b / 2), self.expr(&t, scope, b / 2));
                if self.chance(50) {
                    node(t, E::Op("++", Box::new(x), Box::new(y)))
                } else {
                    node(t, E::Call("reverse".into(), vec![x]))
                }
            }
            5 | 6 => {
                let endless = self.endless(a, scope, b);
                let k = int(self.below(6) as i64);
                node(t, E::Call("take".into(), vec![k, endless]))
            }
            7 if *a == Ty::Int => {
                let lo = self.expr(&Ty::Int, scope, b / 2);
                if self.chance(50) {
                    let hi = int(self.below(8) as i64);
                    node(t, E::Range(Box::new(lo), Some(Box::new(hi))))
                } else {
                    // takeWhile (< k) [lo ..]: ends, lo rises.
                    let k = int(self.below(8) as i64);
                    let p = node(
                        fun(Ty::Int, Ty::Bool),
                        E::Section("<", Some(Box::new(k)), true),
                    );
                    let from = node(t.clone(), E::Range(Box::new(lo), None));
                    node(t, E::Call("takeWhile".into(), vec![p, from]))
                }
            }
            8 if matches!(a, Ty::Pair(..)) => {
                let Ty::Pair(x, y) = a else { unreachable!() };
                // zip with an endless list on one side.
                let fin = self.expr(&list((**x).clone()), scope, b / 2);
                let endless = self.endless(y, scope, b / 2);
                node(t, E::Call("zip".into(), vec![fin, endless]))
            }
            _ => {
                let n = int(self.below(4) as i64);
                let x = self.expr(a, scope, b);
                node(t, E::Call("replicate".into(), vec![n, x]))
            }
        })
    }

    /// An endless list of `a`.
    fn endless(&mut self, a: &Ty, scope: &Scope, b: usize) -> Node {
        let t = list(a.clone());
        match self.below(5) {
            0 => {
                let f = self.expr(&fun(a.clone(), a.clone()), scope, b / 2);
                let x = self.expr(a, scope, b / 2);
                node(t, E::Call("iterate".into(), vec![f, x]))
            }
            1 => {
                let x = self.expr(a, scope, b);
                node(t, E::Call("repeat".into(), vec![x]))
            }
            2 => {
                let x = self.expr(a, scope, b / 2);
                let xs = self.expr(&t, scope, b / 2);
                let nonempty = node(t.clone(), E::Op(":", Box::new(x), Box::new(xs)));
                node(t, E::Call("cycle".into(), vec![nonempty]))
            }
            3 if *a == Ty::Int => {
                let lo = self.expr(&Ty::Int, scope, b);
                node(t, E::Range(Box::new(lo), None))
            }
            _ => {
                // let xs = x : map f xs in xs: a knot.
                let xs = self.fresh();
                let x = self.expr(a, scope, b / 2);
                let f = self.expr(&fun(a.clone(), a.clone()), scope, b / 2);
                let rec = node(
                    t.clone(),
                    E::Call("map".into(), vec![f, var(&xs, t.clone())]),
                );
                let rhs = node(t.clone(), E::Op(":", Box::new(x), Box::new(rec)));
                node(
                    t.clone(),
                    E::Let(vec![(xs.clone(), rhs)], Box::new(var(&xs, t))),
                )
            }
        }
    }

    /// Functions: a lambda, a section or partial application, a helper
    /// partially applied, a composition.
    fn fun_form(&mut self, a: &Ty, r: &Ty, scope: &Scope, b: usize) -> Option<Node> {
        let t = fun(a.clone(), r.clone());
        match self.below(5) {
            0 if *a == Ty::Int && *r == Ty::Int => {
                let op = ["+", "*", "-"][self.below(3)];
                let x = self.expr(&Ty::Int, scope, b);
                // `(- x)` is a negation, not a section: `-` goes left.
                let right = op != "-" && self.chance(50);
                Some(node(t, E::Section(op, Some(Box::new(x)), right)))
            }
            1 => {
                // A helper given all but its last argument.
                let fits: Vec<Def> = self
                    .defs
                    .iter()
                    .filter(|d| {
                        d.params.len() >= 2
                            && !d.ty().has_var()
                            && d.params.last().is_some_and(|(_, p)| p == a)
                            && d.ret == *r
                            && !is_recursive(d)
                    })
                    .cloned()
                    .collect();
                if fits.is_empty() {
                    return None;
                }
                let d = fits[self.below(fits.len())].clone();
                let n = d.params.len() - 1;
                let args = d.params[..n]
                    .iter()
                    .map(|(_, p)| self.expr(p, scope, b / n))
                    .collect();
                Some(node(t, E::Call(d.name.clone(), args)))
            }
            2 => {
                // f . g with g : a -> s, f : s -> r.
                let s = self.any_type(0, false);
                let f = self.expr(&fun(s.clone(), r.clone()), scope, b / 2);
                let g = self.expr(&fun(a.clone(), s), scope, b / 2);
                Some(node(t, E::Op(".", Box::new(f), Box::new(g))))
            }
            _ => {
                let x = self.fresh();
                let mut inner = scope.clone();
                inner.push((x.clone(), a.clone()));
                let body = self.expr(r, &inner, b);
                Some(lam(x, a, body))
            }
        }
    }
}

fn is_recursive(d: &Def) -> bool {
    fn calls(n: &Node, name: &str) -> bool {
        matches!(&n.e, E::Call(c, _) if c == name)
            || children(n).into_iter().any(|c| calls(c, name))
    }
    calls(&d.body, &d.name)
}

/// A field's type at a use of its data type (`a` and the type itself
/// instantiated).
fn field_type(f: &Ty, i: usize, arg: &Option<Box<Ty>>) -> Ty {
    match (f, arg) {
        (Ty::Var, Some(a)) => (**a).clone(),
        (Ty::Data(j, _), _) if *j == i => Ty::Data(i, arg.clone()),
        _ => f.clone(),
    }
}

fn has_literal(t: &Ty) -> bool {
    !matches!(t, Ty::Var)
}

fn node(ty: Ty, e: E) -> Node {
    Node { ty, e }
}

fn int(n: i64) -> Node {
    node(Ty::Int, E::Int(n))
}

fn var(x: &str, t: Ty) -> Node {
    node(t, E::Var(x.to_string()))
}

/// A lambda, its parameter annotated when its type is ground (inference
/// needs no help, but an unused parameter of an overloaded type would
/// otherwise default to `Int`).
fn lam(x: String, a: &Ty, body: Node) -> Node {
    let ann = (!a.has_var()).then(|| a.clone());
    node(
        fun(a.clone(), body.ty.clone()),
        E::Lam(x, ann, Box::new(body)),
    )
}

// ---- structure: children, free variables, shrinking --------------------------

fn children(n: &Node) -> Vec<&Node> {
    match &n.e {
        E::Int(_) | E::Double(_) | E::Char(_) | E::Str(_) | E::Var(_) => Vec::new(),
        E::Call(_, args) => args.iter().collect(),
        E::App(f, args) => std::iter::once(&**f).chain(args.iter()).collect(),
        E::Op(_, a, b) | E::Tuple(a, b) => vec![a, b],
        E::Section(_, a, _) => a.iter().map(|a| &**a).collect(),
        E::Lam(_, _, b) => vec![b],
        E::Let(bs, body) => bs.iter().map(|(_, e)| e).chain([&**body]).collect(),
        E::If(c, t, e) => vec![c, t, e],
        E::Case(s, alts) => std::iter::once(&**s)
            .chain(alts.iter().map(|(_, e)| e))
            .collect(),
        E::List(xs) => xs.iter().collect(),
        E::Range(a, b) => std::iter::once(&**a)
            .chain(b.iter().map(|b| &**b))
            .collect(),
    }
}

fn children_mut(n: &mut Node) -> Vec<&mut Node> {
    match &mut n.e {
        E::Int(_) | E::Double(_) | E::Char(_) | E::Str(_) | E::Var(_) => Vec::new(),
        E::Call(_, args) => args.iter_mut().collect(),
        E::App(f, args) => std::iter::once(&mut **f).chain(args.iter_mut()).collect(),
        E::Op(_, a, b) | E::Tuple(a, b) => vec![a, b],
        E::Section(_, a, _) => a.iter_mut().map(|a| &mut **a).collect(),
        E::Lam(_, _, b) => vec![b],
        E::Let(bs, body) => bs.iter_mut().map(|(_, e)| e).chain([&mut **body]).collect(),
        E::If(c, t, e) => vec![c, t, e],
        E::Case(s, alts) => std::iter::once(&mut **s)
            .chain(alts.iter_mut().map(|(_, e)| e))
            .collect(),
        E::List(xs) => xs.iter_mut().collect(),
        E::Range(a, b) => std::iter::once(&mut **a)
            .chain(b.iter_mut().map(|b| &mut **b))
            .collect(),
    }
}

/// Variables bound somewhere inside `n`.
fn bound_inside(n: &Node, out: &mut HashSet<String>) {
    match &n.e {
        E::Lam(x, _, _) => {
            out.insert(x.clone());
        }
        E::Let(bs, _) => out.extend(bs.iter().map(|(x, _)| x.clone())),
        E::Case(_, alts) => {
            for (p, _) in alts {
                out.extend(p.binders().into_iter().map(String::from));
            }
        }
        _ => {}
    }
    for c in children(n) {
        bound_inside(c, out);
    }
}

/// Variables `n` uses (names are unique, so no binder hides another).
fn free_vars(n: &Node) -> HashSet<&str> {
    fn go<'a>(n: &'a Node, out: &mut HashSet<&'a str>) {
        if let E::Var(x) = &n.e {
            out.insert(x);
        }
        for c in children(n) {
            go(c, out);
        }
    }
    let mut out = HashSet::new();
    go(n, &mut out);
    out
}

/// The smallest expression of type `t`, if it has one without variables.
fn smallest(t: &Ty, data: &[DataDecl]) -> Option<Node> {
    Some(match t {
        Ty::Int => int(0),
        Ty::Double => node(Ty::Double, E::Double(0)),
        Ty::Char => node(Ty::Char, E::Char('a')),
        Ty::Bool => node(Ty::Bool, E::Call("True".into(), vec![])),
        Ty::List(_) => node(t.clone(), E::List(vec![])),
        Ty::Maybe(_) => node(t.clone(), E::Call("Nothing".into(), vec![])),
        Ty::Pair(a, b) => node(
            t.clone(),
            E::Tuple(Box::new(smallest(a, data)?), Box::new(smallest(b, data)?)),
        ),
        Ty::Data(i, arg) => {
            let fields = data.get(*i)?.cons[0]
                .iter()
                .map(|f| smallest(&field_type(f, *i, arg), data))
                .collect::<Option<Vec<Node>>>()?;
            node(t.clone(), E::Call(format!("C{i}_0"), fields))
        }
        Ty::Fun(..) | Ty::Var => return None,
    })
}

fn size(n: &Node) -> usize {
    1 + children(n).into_iter().map(size).sum::<usize>()
}

/// Smaller versions of `n` (same type, no variable moved out of its
/// binder): the smallest value of its type, each child of the same type,
/// and `n` with one child shrunk.
fn shrink_node(n: &Node, data: &[DataDecl]) -> Vec<Node> {
    let mut out = Vec::new();
    if let Some(s) = smallest(&n.ty, data) {
        if size(&s) < size(n) {
            out.push(s);
        }
    }
    let mut inner = HashSet::new();
    bound_inside(n, &mut inner);
    let mut same = Vec::new();
    collect_same_type(n, &n.ty, &mut same);
    for c in same {
        if free_vars(c).iter().all(|x| !inner.contains(*x)) {
            out.push(c.clone());
        }
    }
    let k = children(n).len();
    for i in 0..k {
        let child = children(n)[i].clone();
        for smaller in shrink_node(&child, data) {
            let mut copy = n.clone();
            *children_mut(&mut copy)[i] = smaller;
            out.push(copy);
        }
    }
    out
}

/// Proper descendants of `n` of type `t`, nearest first.
fn collect_same_type<'a>(n: &'a Node, t: &Ty, out: &mut Vec<&'a Node>) {
    for c in children(n) {
        if c.ty == *t {
            out.push(c);
        }
    }
    for c in children(n) {
        collect_same_type(c, t, out);
    }
}

impl Arbitrary for Program {
    fn arbitrary(g: &mut Gen) -> Program {
        let cfg = Config {
            size: g.size().clamp(4, 200) / 2,
            ..Config::default()
        };
        Builder::new(g, cfg).program()
    }

    /// Drops helpers and data types nothing uses, then shrinks `main` and
    /// the helpers' bodies.
    fn shrink(&self) -> Box<dyn Iterator<Item = Program>> {
        let mut out = Vec::new();
        for k in 0..self.defs.len() {
            let mut p = self.clone();
            let d = p.defs.remove(k);
            if !p.to_string().contains(&d.name) {
                out.push(p);
            }
        }
        if let Some(last) = self.data.len().checked_sub(1) {
            let mut p = self.clone();
            p.data.pop();
            let text = p.to_string();
            if !text.contains(&format!("D{last}")) && !text.contains(&format!("C{last}_")) {
                out.push(p);
            }
        }
        for m in shrink_node(&self.main, &self.data).into_iter().take(200) {
            let mut p = self.clone();
            p.main = m;
            out.push(p);
        }
        for (k, d) in self.defs.iter().enumerate() {
            for b in shrink_node(&d.body, &self.data).into_iter().take(50) {
                let mut p = self.clone();
                p.defs[k].body = b;
                out.push(p);
            }
        }
        Box::new(out.into_iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_print_as_source_and_shrink_to_smaller_ones() {
        let mut g = Gen::from_size_and_seed(40, 7);
        for _ in 0..20 {
            let p = Program::arbitrary(&mut g);
            let text = p.to_string();
            assert!(
                text.contains("\nmain = ") || text.starts_with("main ::"),
                "{text}"
            );
            for s in p.shrink().take(30) {
                assert!(s.to_string().len() <= text.len() + 40, "{s:?} from {p:?}");
            }
        }
    }

    #[test]
    fn the_smallest_value_of_a_data_type_uses_its_first_constructor() {
        let data = vec![DataDecl {
            param: true,
            cons: vec![
                vec![Ty::Var, Ty::Int],
                vec![Ty::Data(0, Some(Box::new(Ty::Var)))],
            ],
        }];
        let t = Ty::Data(0, Some(Box::new(Ty::Char)));
        let s = smallest(&t, &data).expect("a value");
        assert_eq!(s.to_string(), "(C0_0 'a' 0)");
    }
}
