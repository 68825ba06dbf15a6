//! Front-end speed: elaborating the prelude (done once per process) and a
//! generated 10,000-line program, each through the whole pipeline
//! (lex, layout, parse, rename, infer, lint).

use criterion::{criterion_group, criterion_main, Criterion};
use sloth_core::session::Session;
use std::hint::black_box;

/// About 2,000 dependent functions of five lines each (10,000 lines).
pub fn generated_program(functions: usize) -> String {
    let mut s = String::from("f0 :: Int -> Int\nf0 x = x\n\n");
    for i in 1..functions {
        s.push_str(&format!(
            "f{i} x = case x of\n  0 -> f{p} 1 + {i}\n  n -> let y = n * 2 in if y > 10 then y - {i} else f{p} (n - 1)\ng{i} xs = map (\\z -> (z, f{i} z)) (filter even xs)\n\n",
            p = i - 1
        ));
    }
    s.push_str("main = f1999 3\n");
    s
}

fn bench(c: &mut Criterion) {
    c.bench_function("elaborate prelude", |b| {
        b.iter(|| black_box(Session::new().expect("prelude")))
    });
    let program = generated_program(2002);
    assert!(program.lines().count() >= 10_000);
    let base = Session::new().expect("prelude");
    c.bench_function("elaborate 10,000-line program", |b| {
        b.iter(|| {
            let mut s = Session {
                sources: base.sources.clone(),
                env: base.env.clone(),
                prelude: base.prelude.clone(),
                simplifier: base.simplifier.clone(),
                simplified_prelude: base.simplified_prelude.clone(),
            };
            black_box(
                s.elaborate("gen.core", &program)
                    .map_err(|e| s.render(&e.0, false))
                    .expect("elaborates"),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
