//! The `sloth` crate as a library: what the binary (`main.rs`) drives and
//! what benches and embedders can call — `run` (`sloth run`), `compare`
//! (`sloth compare`: one program under each strategy, one table), `session`
//! (the REPL's incremental pipeline), `units` (which of its inputs are
//! still alive), `repl` (the loop and its commands), `terminal` (where
//! lines come from), `generator` (random well-typed programs) and
//! `properties` (the strategy properties, `sloth quickcheck`). Read next:
//! `session`.

pub mod build;
pub mod compare;
pub mod embed;
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
