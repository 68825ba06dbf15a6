//! Fuzz target `run`: see `sloth::fuzzing::run`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sloth::fuzzing::run(data));
