//! `sloth-bco`: bytecode objects (BCOs), their instruction set, the STG to
//! bytecode compiler, assembler, verifier and disassembler.
//!
//! Being built (issue "Bytecode compiler and runtime"): the readable
//! instruction set (`instr`), the compiler from STG (`compile`), the
//! verifier (`verify`) and the disassembler (`disasm`); the packed encoding
//! is to come. It knows STG and nothing of the heap layout. Start at
//! `instr`, then `compile`.

pub mod asm;
pub mod compile;
pub mod disasm;
pub mod instr;
pub mod verify;
