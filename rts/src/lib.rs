//! `sloth-rts`: the runtime system: linker, heap, copying collector, machine
//! stack, interpreter and value printer.
//!
//! Being built (issue "Bytecode compiler and runtime"): the heap of words
//! (`heap`), the Cheney collector with its sanity check (`gc`), the machine
//! stack with its pointer map (`stack`), inline primops (`primops`) and
//! the linker and eval/apply interpreter (`interp`) and the value printer
//! (`printer`), which `sloth run` drives. It never sees Core: only linked BCOs, heap
//! objects, and constructor layouts. Start at `heap`, then `interp`.

pub mod gc;
pub mod heap;
pub mod interp;
pub mod primops;
pub mod printer;
pub mod stack;
