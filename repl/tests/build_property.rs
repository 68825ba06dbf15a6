//! Property: a term built with `sloth::build`'s combinators and the same
//! term written as source text by hand evaluate to the same value (or the
//! same runtime error) in an embedded session.
//!
//! The terms are random, well-typed `Int` expressions over `Int` and `Bool`
//! subterms: literals (negative ones too), arithmetic with `div` (so
//! division by zero happens), comparisons, `&&`, `not`, `if`, `let` (some
//! recursive: a bounded countdown), lambdas applied and passed to `map`,
//! `case` on `Maybe`, lists (`x : xs` patterns) and pairs, type
//! abstraction and application, annotations and `sum`/`length` of list
//! literals. The source text is printed here, independently of the
//! builder's own rendering: fully parenthesised, with explicit braces.

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use sloth::build::{self, Expr};
use sloth::{Error, Session};
use std::cell::RefCell;

#[derive(Clone, Debug)]
enum T {
    Int(i64),
    Var(usize),
    Arith(&'static str, Box<T>, Box<T>),
    If(Box<B>, Box<T>, Box<T>),
    /// `let v = e1 in e2`, `v` in scope in `e2`.
    Let(usize, Box<T>, Box<T>),
    /// `(\v -> body) arg`
    Beta(usize, Box<T>, Box<T>),
    /// `case (if c then Just e else Nothing) of { Just v -> j; Nothing -> n }`
    Maybe(Box<B>, Box<T>, usize, Box<T>, Box<T>),
    /// `case [es] of { v : _ -> head; [] -> nil }`
    List(Vec<T>, usize, Box<T>, Box<T>),
    /// `case (a, b) of { (v, w) -> body }`
    Pair(Box<T>, Box<T>, usize, usize, Box<T>),
    /// `sum (map (\v -> body) [es])`
    SumMap(usize, Box<T>, Vec<T>),
    /// `(\@a (v :: a) -> v) @Int e`
    TyId(usize, Box<T>),
    /// `let go n = if n <= 0 then 0 else k + go (n - 1) in go m` for a
    /// small `m`: recursion.
    Count(usize, i64, Box<T>),
    /// `(e :: Int)`
    Annot(Box<T>),
    Length(Vec<T>),
}

#[derive(Clone, Debug)]
enum B {
    Lit(bool),
    Cmp(&'static str, Box<T>, Box<T>),
    And(Box<B>, Box<B>),
    Not(Box<B>),
}

struct G<'a> {
    g: &'a mut Gen,
    next: usize,
}

impl G<'_> {
    fn pick(&mut self, n: usize) -> usize {
        usize::arbitrary(self.g) % n
    }

    fn fresh(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    fn term(&mut self, depth: usize, scope: &[usize]) -> T {
        let leaf = depth == 0 || self.pick(4) == 0;
        if leaf {
            if !scope.is_empty() && self.pick(2) == 0 {
                return T::Var(scope[self.pick(scope.len())]);
            }
            return T::Int(i64::from(i8::arbitrary(self.g)));
        }
        let d = depth - 1;
        match self.pick(13) {
            0 | 1 => {
                let o = ["+", "-", "*", "div", "mod"][self.pick(5)];
                T::Arith(
                    o,
                    Box::new(self.term(d, scope)),
                    Box::new(self.term(d, scope)),
                )
            }
            2 => T::If(
                Box::new(self.boolean(d, scope)),
                Box::new(self.term(d, scope)),
                Box::new(self.term(d, scope)),
            ),
            3 => {
                let v = self.fresh();
                let rhs = self.term(d, scope);
                T::Let(v, Box::new(rhs), Box::new(self.term(d, &with(scope, &[v]))))
            }
            4 => {
                let v = self.fresh();
                let body = self.term(d, &with(scope, &[v]));
                T::Beta(v, Box::new(body), Box::new(self.term(d, scope)))
            }
            5 => {
                let v = self.fresh();
                T::Maybe(
                    Box::new(self.boolean(d, scope)),
                    Box::new(self.term(d, scope)),
                    v,
                    Box::new(self.term(d, &with(scope, &[v]))),
                    Box::new(self.term(d, scope)),
                )
            }
            6 => {
                let v = self.fresh();
                let n = self.pick(3);
                let items = (0..n).map(|_| self.term(d, scope)).collect();
                T::List(
                    items,
                    v,
                    Box::new(self.term(d, &with(scope, &[v]))),
                    Box::new(self.term(d, scope)),
                )
            }
            7 => {
                let (v, w) = (self.fresh(), self.fresh());
                T::Pair(
                    Box::new(self.term(d, scope)),
                    Box::new(self.term(d, scope)),
                    v,
                    w,
                    Box::new(self.term(d, &with(scope, &[v, w]))),
                )
            }
            8 => {
                let v = self.fresh();
                let body = self.term(d, &with(scope, &[v]));
                let n = self.pick(4);
                T::SumMap(
                    v,
                    Box::new(body),
                    (0..n).map(|_| self.term(d, scope)).collect(),
                )
            }
            9 => T::TyId(self.fresh(), Box::new(self.term(d, scope))),
            10 => T::Count(
                self.fresh(),
                self.pick(6) as i64,
                Box::new(self.term(d, scope)),
            ),
            11 => T::Annot(Box::new(self.term(d, scope))),
            _ => {
                let n = self.pick(4);
                T::Length((0..n).map(|_| self.term(d, scope)).collect())
            }
        }
    }

    fn boolean(&mut self, depth: usize, scope: &[usize]) -> B {
        if depth == 0 || self.pick(3) == 0 {
            return B::Lit(bool::arbitrary(self.g));
        }
        let d = depth - 1;
        match self.pick(3) {
            0 => {
                let o = ["<", "<=", "==", "/="][self.pick(4)];
                B::Cmp(
                    o,
                    Box::new(self.term(d, scope)),
                    Box::new(self.term(d, scope)),
                )
            }
            1 => B::And(
                Box::new(self.boolean(d, scope)),
                Box::new(self.boolean(d, scope)),
            ),
            _ => B::Not(Box::new(self.boolean(d, scope))),
        }
    }
}

fn with(scope: &[usize], vs: &[usize]) -> Vec<usize> {
    scope.iter().chain(vs).copied().collect()
}

impl Arbitrary for T {
    fn arbitrary(g: &mut Gen) -> T {
        let depth = 1 + g.size() / 10;
        G { g, next: 0 }.term(depth, &[])
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = T>> {
        // Closed subterms (no variables of the binders above them).
        let mut out = Vec::new();
        let mut kids: Vec<&T> = Vec::new();
        match self {
            T::Arith(_, a, b) | T::If(_, a, b) => kids.extend([&**a, &**b]),
            T::Let(_, a, _) | T::Beta(_, _, a) | T::TyId(_, a) | T::Annot(a) => kids.push(a),
            T::Count(_, _, a) => kids.push(a),
            T::Maybe(_, a, _, _, b) => kids.extend([&**a, &**b]),
            T::List(xs, _, _, b) => kids.extend(xs.iter().chain([&**b])),
            T::Pair(a, b, ..) => kids.extend([&**a, &**b]),
            T::SumMap(_, _, xs) | T::Length(xs) => kids.extend(xs),
            _ => {}
        }
        for k in kids {
            if k.closed(&[]) {
                out.push(k.clone());
            }
        }
        if !matches!(self, T::Int(0)) {
            out.push(T::Int(0));
        }
        Box::new(out.into_iter())
    }
}

impl T {
    fn closed(&self, bound: &[usize]) -> bool {
        let r = |t: &T, extra: &[usize]| t.closed(&with(bound, extra));
        match self {
            T::Int(_) => true,
            T::Var(v) => bound.contains(v),
            T::Arith(_, a, b) => r(a, &[]) && r(b, &[]),
            T::If(c, a, b) => c.closed(bound) && r(a, &[]) && r(b, &[]),
            T::Let(v, a, b) => r(a, &[]) && r(b, &[*v]),
            T::Beta(v, body, a) => r(body, &[*v]) && r(a, &[]),
            T::Maybe(c, a, v, j, n) => c.closed(bound) && r(a, &[]) && r(j, &[*v]) && r(n, &[]),
            T::List(xs, v, h, n) => xs.iter().all(|x| r(x, &[])) && r(h, &[*v]) && r(n, &[]),
            T::Pair(a, b, v, w, body) => r(a, &[]) && r(b, &[]) && r(body, &[*v, *w]),
            T::SumMap(v, body, xs) => r(body, &[*v]) && xs.iter().all(|x| r(x, &[])),
            T::TyId(_, a) | T::Annot(a) | T::Count(_, _, a) => r(a, &[]),
            T::Length(xs) => xs.iter().all(|x| r(x, &[])),
        }
    }
}

impl B {
    fn closed(&self, bound: &[usize]) -> bool {
        match self {
            B::Lit(_) => true,
            B::Cmp(_, a, b) => a.closed(bound) && b.closed(bound),
            B::And(a, b) => a.closed(bound) && b.closed(bound),
            B::Not(a) => a.closed(bound),
        }
    }
}

fn v(n: usize) -> String {
    format!("v{n}")
}

// ---- the hand-written source ---------------------------------------------------

fn src(t: &T) -> String {
    match t {
        T::Int(n) => format!("({n})"),
        T::Var(x) => v(*x),
        T::Arith(o, a, b) if o.chars().all(char::is_alphabetic) => {
            format!("({} `{o}` {})", src(a), src(b))
        }
        T::Arith(o, a, b) => format!("({} {o} {})", src(a), src(b)),
        T::If(c, a, b) => format!("(if {} then {} else {})", bsrc(c), src(a), src(b)),
        T::Let(x, a, b) => format!("(let {{ {} = {} }} in {})", v(*x), src(a), src(b)),
        T::Beta(x, body, a) => format!("((\\{} -> {}) {})", v(*x), src(body), src(a)),
        T::Maybe(c, a, x, j, n) => format!(
            "(case (if {} then Just {} else Nothing) of {{ Just {} -> {}; Nothing -> {} }})",
            bsrc(c),
            src(a),
            v(*x),
            src(j),
            src(n)
        ),
        T::List(xs, x, h, n) => format!(
            "(case [{}] of {{ {} : _ -> {}; [] -> {} }})",
            xs.iter().map(src).collect::<Vec<_>>().join(", "),
            v(*x),
            src(h),
            src(n)
        ),
        T::Pair(a, b, x, y, body) => format!(
            "(case ({}, {}) of {{ ({}, {}) -> {} }})",
            src(a),
            src(b),
            v(*x),
            v(*y),
            src(body)
        ),
        T::SumMap(x, body, xs) => format!(
            "(sum (map (\\{} -> {}) [{}]))",
            v(*x),
            src(body),
            xs.iter().map(src).collect::<Vec<_>>().join(", ")
        ),
        T::TyId(x, a) => format!("((\\@a ({} :: a) -> {}) @Int {})", v(*x), v(*x), src(a)),
        T::Count(x, m, k) => format!(
            "(let {{ {g} :: Int -> Int; {g} {n} = if {n} <= 0 then 0 else {k} + {g} ({n} - 1) }} in {g} {m})",
            g = format!("go{x}"),
            n = v(*x),
            k = src(k),
        ),
        T::Annot(a) => format!("({} :: Int)", src(a)),
        T::Length(xs) => format!(
            "(length [{}])",
            xs.iter().map(src).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn bsrc(b: &B) -> String {
    match b {
        B::Lit(b) => (if *b { "True" } else { "False" }).to_string(),
        B::Cmp(o, a, b) => format!("({} {o} {})", src(a), src(b)),
        B::And(a, b) => format!("({} && {})", bsrc(a), bsrc(b)),
        B::Not(a) => format!("(not {})", bsrc(a)),
    }
}

// ---- the same term, built ---------------------------------------------------------

fn built(t: &T) -> Expr {
    use build::*;
    let vs = |x: &usize| v(*x);
    match t {
        T::Int(n) => int(*n),
        T::Var(x) => var(&v(*x)),
        T::Arith(o, a, b) => op(o, built(a), built(b)),
        T::If(c, a, b) => if_(bbuilt(c), built(a), built(b)),
        T::Let(x, a, b) => let_(&v(*x), built(a), built(b)),
        T::Beta(x, body, a) => app(lam(&[vs(x).as_str()], built(body)), [built(a)]),
        T::Maybe(c, a, x, j, n) => case_(
            if_(bbuilt(c), app(con("Just"), [built(a)]), con("Nothing")),
            vec![
                (Pat::con("Just", &[vs(x).as_str()]), built(j)),
                (Pat::con("Nothing", &[]), built(n)),
            ],
        ),
        T::List(xs, x, h, n) => case_(
            list(xs.iter().map(built)),
            vec![(Pat::cons(&vs(x), "_"), built(h)), (Pat::Nil, built(n))],
        ),
        T::Pair(a, b, x, y, body) => case_(
            tuple([built(a), built(b)]),
            vec![(Pat::tuple(&[vs(x).as_str(), vs(y).as_str()]), built(body))],
        ),
        T::SumMap(x, body, xs) => app(
            var("sum"),
            [app(
                var("map"),
                [
                    lam(&[vs(x).as_str()], built(body)),
                    list(xs.iter().map(built)),
                ],
            )],
        ),
        T::TyId(x, a) => app(
            ty_app(
                lam(
                    &[Param::from("@a"), Param::typed(&vs(x), ty::var("a"))],
                    var(&vs(x)),
                ),
                ty::int(),
            ),
            [built(a)],
        ),
        T::Count(x, m, k) => {
            let g = format!("go{x}");
            let n = vs(x);
            let body = if_(
                op("<=", var(&n), int(0)),
                int(0),
                op("+", built(k), app(var(&g), [op("-", var(&n), int(1))])),
            );
            let_rec(
                vec![Bind::new(&g, &[n.as_str()], body).sig(ty::fun(ty::int(), ty::int()))],
                app(var(&g), [int(*m)]),
            )
        }
        T::Annot(a) => annot(built(a), ty::int()),
        T::Length(xs) => app(var("length"), [list(xs.iter().map(built))]),
    }
}

fn bbuilt(b: &B) -> Expr {
    use build::*;
    match b {
        B::Lit(b) => con(if *b { "True" } else { "False" }),
        B::Cmp(o, a, b) => op(o, built(a), built(b)),
        B::And(a, b) => op("&&", bbuilt(a), bbuilt(b)),
        B::Not(a) => app(var("not"), [bbuilt(a)]),
    }
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new().expect("the prelude loads"));
}

fn same_value(t: T) -> TestResult {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let text = src(&t);
        let from_text = s.eval::<i64>(text.as_str());
        let from_built = s.eval::<i64>(&built(&t));
        match (&from_text, &from_built) {
            (Ok(a), Ok(b)) if a == b => TestResult::passed(),
            (Err(Error::Runtime { message: a }), Err(Error::Runtime { message: b })) if a == b => {
                TestResult::passed()
            }
            _ => TestResult::error(format!(
                "source: {text}\nbuilt:  {}\n{from_text:?} vs {from_built:?}",
                built(&t)
            )),
        }
    })
}

#[test]
fn built_terms_and_their_source_text_evaluate_alike() {
    QuickCheck::new()
        .rng(Gen::from_size_and_seed(40, 2026))
        .tests(300)
        .quickcheck(same_value as fn(T) -> TestResult);
}

#[test]
fn some_generated_terms_fail_at_run_time_and_some_do_not() {
    // The property is not vacuous: both outcomes occur, and every term
    // compiles.
    let mut g = Gen::from_size_and_seed(40, 7);
    let (mut ok, mut failed) = (0, 0);
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        for _ in 0..200 {
            match s.eval::<i64>(&built(&T::arbitrary(&mut g))) {
                Ok(_) => ok += 1,
                Err(Error::Runtime { .. }) => failed += 1,
                Err(e) => panic!("{e}"),
            }
        }
    });
    assert!(
        ok > 50 && failed > 0,
        "{ok} values, {failed} runtime errors"
    );
}
