//! `sloth-rts`: the runtime system: linker, heap, copying collector, machine
//! stack, interpreter and value printer.
//!
//! The heap of words (`heap`), the Cheney collector with its sanity check
//! (`gc`), the machine stack with its pointer map (`stack`), inline primops
//! (`primops`), the linker and eval/apply interpreter (`interp`), the value
//! printer (`printer`) that `sloth run` and the REPL drive, and `inspect`,
//! which reads a value without evaluating it (`:sprint`). It never sees
//! Core terms: only packed BCOs, heap objects, constructor layouts, and (to
//! print) types and the data type table. Start at `heap`, then `interp`.

#![forbid(unsafe_code)]

pub mod gc;
pub mod heap;
pub mod inspect;
pub mod interp;
pub mod primops;
pub mod printer;
pub mod stack;
