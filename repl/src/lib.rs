//! The `sloth` crate as a library. Its front door is [`Session`]
//! (`embed`): compile, link and run Sloth code from a Rust program, from
//! source text or from terms built with [`build`], and read the results
//! back as Rust values.
//!
//! ```
//! let mut s = sloth::Session::new()?;
//! s.define("fact n = if n == 0 then 1 else n * fact (n - 1)")?;
//! assert_eq!(s.eval::<i64>("fact 20")?, 2432902008176640000);
//! let fact = s.value("fact")?;
//! assert_eq!(s.call::<i64>(&fact, (5i64,))?, 120);
//! # Ok::<(), sloth::Error>(())
//! ```
//!
//! The rest is what the binary (`main.rs`) drives and what benches and
//! tests call — `embed` and `build` (the embedding API), `run` (`sloth run`), `compare`
//! (`sloth compare`: one program under each strategy, one table), `session`
//! (the REPL's incremental pipeline), `units` (which of its inputs are
//! still alive), `repl` (the loop and its commands), `terminal` (where
//! lines come from), `generator` (random well-typed programs) and
//! `properties` (the strategy properties, `sloth quickcheck`). Read next:
//! `embed` for the API, `session` for the REPL's pipeline.

#![forbid(unsafe_code)]

pub mod build;
pub mod compare;
pub mod embed;
pub mod fuzzing;
pub mod generator;
pub mod properties;
pub mod repl;
pub mod run;
pub mod session;
pub mod terminal;
pub mod units;

pub use embed::{
    Args, Budget, Error, FromValue, Interrupter, IntoValue, Iter, Session, Shape, Source, Stats,
    Value,
};
pub use sloth_stg::Strategy;
