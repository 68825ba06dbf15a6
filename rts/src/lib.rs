//! `sloth-rts`: the runtime system: linker, heap, copying collector, machine
//! stack, interpreter and value printer.
//!
//! Being built (issue "Bytecode compiler and runtime"): so far the heap of
//! words (`heap`), the Cheney collector with its sanity check (`gc`) and the
//! machine stack with its pointer bitmap (`stack`). It never sees Core: only
//! linked BCOs and heap objects. Start at `heap`.

pub mod gc;
pub mod heap;
pub mod stack;
