//! Fuzz target `verify`: see `sloth::fuzzing::verify`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sloth::fuzzing::verify(data);
});
