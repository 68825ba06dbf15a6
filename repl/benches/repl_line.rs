//! The REPL's cost per line: elaborating, simplifying, lowering, compiling,
//! assembling, verifying and linking one input into a session that has the
//! prelude (and a few hundred earlier lines) loaded, and evaluating a small
//! expression. Issue 5 asks for under 5 ms per line (median).
//!
//! `cargo bench -p sloth --bench repl_line`.

use criterion::{criterion_group, Criterion};
use sloth::session::ReplSession;
use sloth_core::session::with_compiler_stack;
use sloth_stg::Strategy;
use std::time::Duration;

fn lines(c: &mut Criterion) {
    let mut g = c.benchmark_group("repl");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    let mut s = ReplSession::new(Strategy::Need, 1 << 30, 1 << 24).expect("session");
    for i in 0..300 {
        s.input(&format!("earlier{i} x = x + {i}"), &mut std::io::sink())
            .unwrap_or_else(|_| panic!("line {i}"));
    }
    let mut n = 0;
    g.bench_function("definition", |b| {
        b.iter(|| {
            n += 1;
            let line = format!("f{n} xs = map (\\x -> x * {n}) (filter even xs)");
            s.input(&line, &mut std::io::sink()).expect("defines");
        })
    });
    g.bench_function("expression", |b| {
        b.iter(|| {
            s.input("sum (map (* 2) [1 .. 10])", &mut std::io::sink())
                .expect("evaluates");
        })
    });
    g.finish();
}

criterion_group!(benches, lines);

fn main() {
    // The pipeline recurses: run on the compiler's big stack, as `sloth`
    // does.
    with_compiler_stack(|| {
        benches();
        Criterion::default().configure_from_args().final_summary();
    });
}
