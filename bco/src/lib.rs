//! `sloth-bco`: bytecode objects (BCOs), their instruction set, the STG to
//! bytecode compiler, assembler, verifier and disassembler.
//!
//! The readable instruction set (`instr`), the compiler from STG
//! (`compile`), the assembler to the packed encoding the interpreter runs
//! and its decoder (`asm`), the verifier (`verify`) and the disassembler
//! (`disasm`). It knows STG and nothing of the heap layout. Start at
//! `instr`, then `compile`, then `asm`.

#![forbid(unsafe_code)]

pub mod asm;
pub mod compile;
pub mod disasm;
pub mod instr;
pub mod verify;
