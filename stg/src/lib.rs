//! `sloth-stg`: lowering of explicit Core to the STG machine language.
//!
//! Not yet built: see issue "STG lowering with three evaluation strategies".
//! It will own A-normalisation, saturation, free variables and update flags,
//! and the choice of evaluation strategy. It knows Core (from `sloth-core`)
//! and nothing of bytecode or the heap.
