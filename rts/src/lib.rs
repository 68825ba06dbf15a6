//! `sloth-rts`: the runtime system: linker, heap, copying collector, machine
//! stack, interpreter and value printer.
//!
//! Being built (issue "Bytecode compiler and runtime"): so far the heap of
//! words (`heap`) and the Cheney collector with its sanity check (`gc`). It
//! never sees Core: only linked BCOs and heap objects. Start at `heap`.

pub mod gc;
pub mod heap;
