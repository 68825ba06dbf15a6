//! Fuzz target `check`: see `sloth::fuzzing::check`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sloth::fuzzing::check(data));
