//! `sloth-bco`: bytecode objects (BCOs), their instruction set, the STG to
//! bytecode compiler, assembler, verifier and disassembler.
//!
//! Being built (issue "Bytecode compiler and runtime"): so far the readable
//! instruction set (`instr`). It knows STG and nothing of the heap layout.
//! Start at `instr`.

pub mod instr;
