//! Run-time specialisation: a host compiles its own little expression
//! language to Sloth Core while it runs, and measures the specialised code
//! against a generic interpreter of the same language written in Sloth.
//!
//! The language is polynomials in `x` with integer powers (`Poly` below).
//! *Generic*: the polynomial is handed to Sloth as data (a `Poly` value of
//! a Sloth data type, built with `sloth::build`), and a Sloth function
//! `evalP` walks it for every `x`. *Specialised*: the host compiles the
//! polynomial to a Sloth lambda `\x -> ...` with `sloth::build`, powers
//! unrolled into repeated squaring (`x^13` is three `let`s and three
//! multiplications), so nothing is interpreted at run time. Both sum the
//! polynomial over `[1 .. n]` in the same session; the result is checked
//! against Rust's own evaluation, and the steps (bytecode instructions)
//! and times are printed with their ratio.
//!
//!     cargo run --release --example specialise -- 200000

use sloth::build::{self, *};
use sloth::{Error, Session, Value};
use std::time::{Duration, Instant};

/// A polynomial expression in `x`.
#[derive(Clone, Debug)]
pub enum Poly {
    /// A constant.
    Num(i64),
    /// The variable.
    X,
    /// A sum.
    Add(Box<Poly>, Box<Poly>),
    /// A product.
    Mul(Box<Poly>, Box<Poly>),
    /// A power with a fixed exponent.
    Pow(Box<Poly>, u32),
}

use Poly::*;

fn add(a: Poly, b: Poly) -> Poly {
    Add(Box::new(a), Box::new(b))
}
fn mul(a: Poly, b: Poly) -> Poly {
    Mul(Box::new(a), Box::new(b))
}
fn pow(a: Poly, n: u32) -> Poly {
    Pow(Box::new(a), n)
}

/// `(x + 3)^5 * (2x - 1)^3 + 7 x^13 - 11`.
pub fn sample() -> Poly {
    add(
        add(
            mul(pow(add(X, Num(3)), 5), pow(add(mul(Num(2), X), Num(-1)), 3)),
            mul(Num(7), pow(X, 13)),
        ),
        Num(-11),
    )
}

impl Poly {
    /// Rust's own evaluation (Sloth's `Int` wraps, so this does too).
    pub fn eval(&self, x: i64) -> i64 {
        match self {
            Num(n) => *n,
            X => x,
            Add(a, b) => a.eval(x).wrapping_add(b.eval(x)),
            Mul(a, b) => a.eval(x).wrapping_mul(b.eval(x)),
            Pow(a, n) => (0..*n).fold(1i64, |acc, _| acc.wrapping_mul(a.eval(x))),
        }
    }

    /// The polynomial as a value of the Sloth data type `P` (for the
    /// generic interpreter).
    pub fn to_data(&self) -> build::Expr {
        match self {
            Num(n) => app(con("Num"), [int(*n)]),
            X => con("X"),
            Add(a, b) => app(con("Add"), [a.to_data(), b.to_data()]),
            Mul(a, b) => app(con("Mul"), [a.to_data(), b.to_data()]),
            Pow(a, n) => app(con("Pow"), [a.to_data(), int(i64::from(*n))]),
        }
    }

    /// The polynomial compiled to Sloth code over the variable `x`.
    pub fn to_code(&self, fresh: &mut usize) -> build::Expr {
        match self {
            Num(n) => int(*n),
            X => var("x"),
            Add(a, b) => op("+", a.to_code(fresh), b.to_code(fresh)),
            Mul(a, b) => op("*", a.to_code(fresh), b.to_code(fresh)),
            Pow(a, n) => {
                // b^n by repeated squaring: bind b, b^2, b^4, ... once each
                // and multiply the ones n's bits select.
                *fresh += 1;
                let base = format!("b{fresh}");
                let mut binds = vec![(base.clone(), a.to_code(fresh))];
                let mut factors = Vec::new();
                let (mut k, mut sq) = (*n, base);
                while k > 0 {
                    if k & 1 == 1 {
                        factors.push(var(&sq));
                    }
                    k >>= 1;
                    if k > 0 {
                        let next = format!("{sq}s");
                        binds.push((next.clone(), op("*", var(&sq), var(&sq))));
                        sq = next;
                    }
                }
                let product = factors
                    .into_iter()
                    .reduce(|p, f| op("*", p, f))
                    .unwrap_or_else(|| int(1));
                binds
                    .into_iter()
                    .rev()
                    .fold(product, |body, (name, rhs)| let_(&name, rhs, body))
            }
        }
    }
}

/// The generic interpreter, in Sloth.
const INTERPRETER: &str = "\
data P = Num Int | X | Add P P | Mul P P | Pow P Int
power :: Int -> Int -> Int
power b n = if n == 0 then 1 else b * power b (n - 1)
evalP :: P -> Int -> Int
evalP p x = case p of
  Num n -> n
  X -> x
  Add a b -> evalP a x + evalP b x
  Mul a b -> evalP a x * evalP b x
  Pow a n -> power (evalP a x) n
";

/// One measurement: the sum, the machine's steps and the time.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    /// `sum (map f [1 .. n])`.
    pub sum: i64,
    /// Bytecode instructions executed.
    pub steps: u64,
    /// Wall time.
    pub time: Duration,
}

fn measure(s: &mut Session, f: &Value, n: i64) -> Result<Measured, Error> {
    let sum_map = s.value("\\f n -> sum (map f [1 .. n]) :: Int")?;
    let before = s.stats().steps;
    let started = Instant::now();
    let sum: i64 = s.call(&sum_map, (f, n))?;
    Ok(Measured {
        sum,
        steps: s.stats().steps - before,
        time: started.elapsed(),
    })
}

/// Both versions over `[1 .. n]`: (generic, specialised).
pub fn run(n: i64) -> Result<(Measured, Measured), Error> {
    let poly = sample();
    let mut s = Session::new()?;
    s.define(INTERPRETER)?;
    let generic = s.value(&app(var("evalP"), [poly.to_data()]))?;
    let code = lam(&["x"], poly.to_code(&mut 0));
    println!("specialised: {code}\n");
    let special = s.value(&code)?;
    let g = measure(&mut s, &generic, n)?;
    let sp = measure(&mut s, &special, n)?;
    let expected = (1..=n).fold(0i64, |acc, x| acc.wrapping_add(poly.eval(x)));
    assert_eq!(g.sum, expected, "the generic interpreter");
    assert_eq!(sp.sum, expected, "the specialised code");
    println!("sum over [1 .. {n}] = {expected} (both, and Rust)");
    println!(
        "generic:     {:>12} steps  {:>9.3} ms",
        g.steps,
        g.time.as_secs_f64() * 1e3
    );
    println!(
        "specialised: {:>12} steps  {:>9.3} ms",
        sp.steps,
        sp.time.as_secs_f64() * 1e3
    );
    println!(
        "specialised is {:.1}x fewer steps, {:.1}x faster",
        g.steps as f64 / sp.steps as f64,
        g.time.as_secs_f64() / sp.time.as_secs_f64()
    );
    Ok((g, sp))
}

fn main() -> Result<(), Error> {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    run(n)?;
    Ok(())
}
