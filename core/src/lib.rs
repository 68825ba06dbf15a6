//! `sloth-core`: Sloth's front end, from source text to linted explicit Core.
//!
//! The pipeline, one module per stage: `lexer` (text → tokens), `layout`
//! (virtual braces and semicolons), `parser` (tokens → `ast` with spans),
//! `rename` (scopes, dependency groups), `infer` (Hindley–Milner inference
//! and elaboration to `ir`, explicit System F), `lint` (an independent type
//! checker for `ir`), `pretty` (Core back to parseable source), `simplify`
//! (beta, inlining of small functions, case of known constructor: the
//! rewrites valid under every evaluation strategy, run before lowering to
//! STG). `session` ties them together and holds what persists between
//! compilation units (the prelude, earlier REPL lines). The crate knows
//! nothing of STG, bytecode or the heap. Start reading at `session`.

#![forbid(unsafe_code)]

pub mod ast;
pub mod diagnostic;
pub mod env;
pub mod infer;
pub mod ir;
pub mod layout;
pub mod lexer;
pub mod lint;
pub mod overload;
pub mod parser;
pub mod pretty;
pub mod primop;
pub mod rename;
pub mod session;
pub mod show;
pub mod simplify;
pub mod source;
pub mod token;
pub mod types;
