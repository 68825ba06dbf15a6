//! Consuming endless lists lazily from Rust: `Session::iter` forces one
//! cell (and its element) per `next`, so `take`, `take_while` and `find`
//! on an infinite Sloth list stop, and the work done grows with what is
//! pulled. The machine's counters show it.
//!
//!     cargo run --example lazy_list -- 20

use sloth::{Error, Session};

/// Pulls `n` primes and the first Fibonacci number above 10^15 from
/// endless lists; returns the primes and the thunks entered for `n` and
/// for `2 n` primes (the second is roughly double the first, not
/// unbounded).
pub fn run(n: usize) -> Result<(Vec<i64>, u64, u64), Error> {
    let mut s = Session::new()?;
    s.define(
        "primes = sieve [2 ..]\n\
         sieve ps = case ps of { p : xs -> p : sieve (filter (\\x -> x `mod` p /= 0) xs) }\n\
         fibs = 0 : 1 : zipWith (+) fibs (tail fibs)",
    )?;
    let before = s.stats();
    let primes: Vec<i64> = s.iter::<i64>("primes")?.take(n).collect::<Result<_, _>>()?;
    let first = s.stats().thunks_entered - before.thunks_entered;
    println!("first {n} primes: {primes:?}");
    println!("  {first} thunks entered");
    // A fresh list (the same definition, not yet evaluated).
    let mid = s.stats();
    let more = s.iter::<i64>("sieve [2 ..]")?.take(2 * n).count();
    let second = s.stats().thunks_entered - mid.thunks_entered;
    println!("first {more} primes: {second} thunks entered");
    // `find` stops at the first match.
    let big = s
        .iter::<i64>("fibs")?
        .map(|r| r.expect("fibs has no errors"))
        .enumerate()
        .find(|(_, f)| *f > 1_000_000_000_000_000)
        .expect("fibs is endless");
    println!("fib {} = {} is the first above 10^15", big.0, big.1);
    Ok((primes, first, second))
}

fn main() -> Result<(), Error> {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(25);
    run(n)?;
    Ok(())
}
