//! A REPL session over many inputs: what it holds stays the same size
//! however many inputs come and go (old `it`s, shadowed definitions,
//! errors, `:type` and the IR dumps leave nothing behind).

use sloth::session::ReplSession;
use sloth_stg::Strategy;

/// One round of inputs of every kind; the definitions are redefined each
/// round, so what is alive at the end of a round is the same every time.
fn round(s: &mut ReplSession, out: &mut Vec<u8>) {
    for i in 0..100 {
        s.input("sum [1 .. 100]", out).expect("evaluates");
        s.input("it * 2", out).expect("evaluates");
        s.input(&format!("x = {i}"), out).expect("defines");
        s.input("f y = case y of { 0 -> x; n -> f (n - 1) }", out)
            .expect("defines");
        s.input("f 3 + x", out).expect("evaluates");
        s.input("xs = map f [1 .. 10]", out).expect("defines");
        s.input("length xs", out).expect("evaluates");
        assert!(s.input("nosuchname + 1", out).is_err());
        assert!(s.input("1 + 'c'", out).is_err());
        assert!(s.input("head []", out).is_err());
        s.type_of("map f").expect("has a type");
        for stage in ["core", "stg", "bco"] {
            s.dump(stage, "f x").expect("dumps");
        }
    }
}

#[test]
fn a_long_session_holds_the_same_after_every_round() {
    let mut s = ReplSession::new(Strategy::Need, 1 << 30, 1 << 20).expect("prelude");
    let mut out = Vec::new();
    round(&mut s, &mut out);
    let after_one = s.footprint();
    s.machine.collect().expect("collects");
    let live_after_one = s.machine.heap.used_words();
    for _ in 0..3 {
        round(&mut s, &mut out);
    }
    assert_eq!(s.footprint(), after_one);
    s.machine.collect().expect("collects");
    assert_eq!(s.machine.heap.used_words(), live_after_one);
    // At most `x`, `f`, `xs` and the last `it` (`length xs`).
    assert!(after_one.units <= 4, "{after_one:?}");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.ends_with("10\n"), "{text}");
}

#[test]
fn a_chain_of_its_is_kept_while_the_last_refers_to_the_first() {
    let mut s = ReplSession::new(Strategy::Need, 1 << 30, 1 << 20).expect("prelude");
    let mut out = Vec::new();
    s.input("1", &mut out).expect("evaluates");
    for _ in 0..50 {
        s.input("it + 1", &mut out).expect("evaluates");
    }
    // Each line's code names the `it` before it, so they all stay linked,
    // but for the first: a literal, which the simplifier inlined into the
    // second line.
    assert_eq!(s.footprint().units, 50);
    s.input("0", &mut out).expect("evaluates");
    assert_eq!(s.footprint().units, 1);
    assert!(String::from_utf8(out).unwrap().contains("\n51\n0\n"));
}
