//! `sloth-bco`: bytecode objects (BCOs), their instruction set, the STG to
//! bytecode compiler, assembler, verifier and disassembler.
//!
//! Not yet built: see issue "Bytecode compiler and runtime". It will know STG
//! and nothing of the heap layout.
