//! Every input the fuzzers found a bug with (`fuzz/regressions/TARGET/*`),
//! replayed through the target's own code (`sloth::fuzzing`): each must
//! now end normally, without a panic. Also the `verify` target's seeds
//! run unmutated, so the target keeps testing working bytecode.

use std::path::Path;

fn replay<R>(target: &str, body: fn(&[u8]) -> R) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    inputs.sort();
    for path in &inputs {
        let data = std::fs::read(path).expect("readable");
        let name = path.display().to_string();
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            panic!("fuzz regression {name} panics again");
        }
    }
    inputs.len()
}

#[test]
fn parse_findings_stay_fixed() {
    replay("parse", sloth::fuzzing::parse);
}

#[test]
fn check_findings_stay_fixed() {
    replay("check", sloth::fuzzing::check);
}

#[test]
fn run_findings_stay_fixed() {
    replay("run", sloth::fuzzing::run);
}

#[test]
fn verify_findings_stay_fixed() {
    replay("verify", sloth::fuzzing::verify);
}

/// Each seed, unmutated, links and runs (a seed the compiler rejects would
/// make the target fuzz nothing).
#[test]
fn verify_seeds_run_unmutated() {
    for i in 0..sloth::fuzzing::VERIFY_SEEDS.len() {
        assert!(sloth::fuzzing::verify(&[i as u8]), "seed {i} is rejected");
    }
}
