//! The `sloth` crate as a library: what the binary (`main.rs`) drives and
//! what benches and embedders can call — `run` (`sloth run`), `compare`
//! (`sloth compare`: one program under each strategy, one table), `session`
//! (the REPL's incremental pipeline), `units` (which of its inputs are
//! still alive), `repl` (the loop and its commands), `terminal` (where
//! lines come from), `generator` (random well-typed programs) and
//! `properties` (the strategy properties, `sloth quickcheck`). Read next:
//! `session`.

#![forbid(unsafe_code)]

pub mod compare;
pub mod fuzzing;
pub mod generator;
pub mod properties;
pub mod repl;
pub mod run;
pub mod session;
pub mod terminal;
pub mod units;
