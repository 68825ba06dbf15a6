//! Fuzz target `parse`: see `sloth::fuzzing::parse`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sloth::fuzzing::parse(data));
