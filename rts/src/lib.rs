//! `sloth-rts`: the runtime system: linker, heap, copying collector, machine
//! stack, interpreter and value printer.
//!
//! Not yet built: see issue "Bytecode compiler and runtime". It never sees
//! Core: only linked BCOs and heap objects.
