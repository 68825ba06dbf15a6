//! The machine end to end on programs whose `main` is an `Int`: the
//! prelude and the program are lowered, compiled, verified, linked and
//! evaluated; the result must be what the reference evaluator prints.

use sloth_bco::{compile::compile_program, verify::verify_unit};
use sloth_core::session::{with_compiler_stack, Session};
use sloth_rts::heap::Ptr;
use sloth_rts::interp::{Machine, RunError};
use sloth_stg::reference::{run_main, Limits};
use sloth_stg::{lower_with_prelude, Strategy};

/// Elaborates, lowers, compiles and links a program whose `main` is an
/// `Int`; returns the session, the module, the machine and `main`'s unique.
fn link_program(
    src: &str,
    strategy: Strategy,
    max_heap: u64,
) -> (Session, sloth_core::ir::Module, Machine, u32) {
    let mut s = Session::new().expect("prelude");
    let m = match s.elaborate("test.core", src) {
        Ok(m) => m,
        Err(e) => panic!("{}", s.render(&e.0, false)),
    };
    let l = lower_with_prelude(&mut s, &m, strategy);
    let mut machine = Machine::new(max_heap, 1 << 27);
    for prog in [&l.prelude, &l.program] {
        let unit = compile_program(&s.env.data, &l.env.globals, prog);
        verify_unit(&s.env.data, &unit).expect("verifies");
        machine.link(&s.env.data, &unit).expect("links");
    }
    let main_unique = m
        .binds
        .iter()
        .flat_map(|b| b.binders().into_iter().map(|x| (x.name.clone(), x.unique)))
        .find(|(n, _)| &**n == "main")
        .expect("a main")
        .1;
    (s, m, machine, main_unique)
}

/// Runs `main :: Int`; returns its value or the error.
fn run_int(src: &str, strategy: Strategy, max_heap: u64) -> (Result<i64, RunError>, String) {
    let src = src.to_string();
    with_compiler_stack(move || {
        let (s, m, mut machine, main_unique) = link_program(&src, strategy, max_heap);
        let reference = run_main(&s, &m, strategy, &Limits::default()).output;
        let p = machine.global(main_unique).expect("main is linked");
        let r = machine.eval(p).map(|v: Ptr| machine.heap.get(v, 0) as i64);
        (r, reference)
    })
}

/// Every strategy.
fn check(src: &str, expected: i64) {
    check_under(&Strategy::ALL, src, expected);
}

fn check_under(strategies: &[Strategy], src: &str, expected: i64) {
    for &st in strategies {
        let (r, reference) = run_int(src, st, 1 << 30);
        assert_eq!(r, Ok(expected), "under {st}");
        assert_eq!(
            reference.trim(),
            expected.to_string(),
            "the reference under {st}"
        );
    }
}

#[test]
fn arithmetic_and_recursion() {
    check(
        "fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\nmain = fib 20",
        6765,
    );
    // Exponential under call-by-name: its arguments are re-evaluated.
    check_under(
        &[Strategy::Need, Strategy::Value],
        "main = tak 18 12 6\ntak :: Int -> Int -> Int -> Int\ntak x y z = if y < x then tak (tak (x-1) y z) (tak (y-1) z x) (tak (z-1) x y) else z",
        7,
    );
}

#[test]
fn lists_closures_and_partial_application() {
    check("main = sum (map (\\x -> x * 2) [1 .. 100])", 10100);
    // Infinite lists: not by value.
    let lazy = [Strategy::Need, Strategy::Name];
    check_under(
        &lazy,
        "main = length (filter even (take 1000 (iterate (+ 3) 1)))",
        500,
    );
    check_under(
        &lazy,
        "main = foldr (\\x acc -> x + acc) 0 (zipWith (*) [1 .. 10] (repeat 2))",
        110,
    );
    check("add3 :: Int -> Int -> Int -> Int\nadd3 a b c = a + b + c\nmain = let f = add3 1 in let g = f 2 in g 3 + f 10 20", 37);
    check(
        "main = length (showInt 12345) + ord (head \"abc\") + length (showDouble 1.5)",
        5 + 97 + 3,
    );
}

#[test]
fn local_loops_and_knots() {
    check("sumTo :: Int -> Int\nsumTo n = let go acc i = if i > n then acc else go (acc + i) (i + 1) in go 0 1\nmain = sumTo 1000", 500500);
    let knot = "main = let xs = 1 : map (* 2) xs in xs !! 10";
    check_under(&[Strategy::Need, Strategy::Name], knot, 1024);
    // By value the recursive list demands itself.
    assert_eq!(
        run_int(knot, Strategy::Value, 1 << 30).0,
        Err(RunError::Loop)
    );
}

#[test]
fn deep_recursion_and_garbage() {
    // 1,000,000 nested non-tail calls: the machine's own stack.
    let (r, _) = run_int("main = foldr (+) 0 [1 .. 1000000]", Strategy::Need, 1 << 30);
    assert_eq!(r, Ok(500000500000));
    // A long list consumed as produced runs in a small heap.
    let (r, _) = run_int(
        "main = foldl' (+) 0 [1 .. 3000000]",
        Strategy::Need,
        16 << 20,
    );
    assert_eq!(r, Ok(4500001500000));
}

#[test]
fn runtime_errors() {
    let (r, _) = run_int("main = head []", Strategy::Need, 1 << 30);
    assert_eq!(r, Err(RunError::User("Prelude.head: empty list".into())));
    let (r, _) = run_int("main = 1 `div` 0", Strategy::Need, 1 << 30);
    assert_eq!(r, Err(RunError::DivideByZero));
    let (r, _) = run_int("main = let x = x + 1 in x", Strategy::Need, 1 << 30);
    assert_eq!(r, Err(RunError::Loop));
    // The list is kept alive by the second use, so the heap fills.
    let (r, _) = run_int(
        "main = let xs = [1 ..] in length xs + head xs",
        Strategy::Need,
        8 << 20,
    );
    assert!(matches!(r, Err(RunError::Heap(_))), "{r:?}");
}

/// The linker verifies every BCO before linking any: a unit with a bad one
/// is refused with the verifier's message, and the machine is unchanged.
#[test]
fn the_linker_refuses_code_that_does_not_verify() {
    use sloth_bco::compile::{Bco, Top, TopDef, Unit};
    use sloth_bco::instr::{BcoRef, Instr};
    with_compiler_stack(|| {
        let s = Session::new().expect("prelude");
        let bad = Bco {
            name: "bad".into(),
            params: vec![],
            free: vec![],
            // Reads a slot of an empty stack.
            instrs: vec![Instr::StkCheck(1), Instr::PushL(3), Instr::Enter],
            globals: vec![],
            spans: vec![],
        };
        let unit = Unit {
            bcos: vec![bad],
            tops: vec![Top {
                unique: u32::MAX - 7,
                name: "bad".into(),
                def: TopDef::Thunk(BcoRef(0), true),
            }],
            too_large: vec![],
        };
        let mut machine = Machine::new(1 << 20, 1 << 10);
        match machine.link(&s.env.data, &unit) {
            Err(RunError::BadCode(msg)) => {
                assert!(
                    msg.contains("BCO bad") && msg.contains("needs 4 words"),
                    "{msg}"
                )
            }
            other => panic!("linked a bad BCO: {other:?}"),
        }
        assert!(machine.global(u32::MAX - 7).is_none());
    })
}

/// A run stopped part-way (here by the step limit, in the REPL by Ctrl-C)
/// leaves no blackholes: the thunks it was evaluating are thunks again, so
/// demanding them later evaluates them instead of reporting `<<loop>>`.
/// See Note [Reverting blackholes after an error].
#[test]
fn an_interrupted_run_leaves_its_thunks_re_evaluable() {
    for strategy in Strategy::ALL {
        with_compiler_stack(move || {
            let (_s, _m, mut machine, main_unique) = link_program(
                "main :: Int\nmain = length [1 .. 200000]\n",
                strategy,
                1 << 30,
            );
            let main = machine.global(main_unique).expect("main is linked");
            machine.max_steps = 10_000;
            assert_eq!(
                machine.eval(main),
                Err(RunError::StepLimit),
                "under {strategy}"
            );
            machine.max_steps = u64::MAX;
            let main = machine.global(main_unique).expect("main is linked");
            let v = machine.eval(main).expect("evaluates the second time");
            assert_eq!(machine.heap.get(v, 0), 200_000, "under {strategy}");
        })
    }
}

/// Links one more unit of declarations into `machine`; returns its slots
/// and the unique of its (single) top-level name.
fn link_unit(
    s: &mut Session,
    env: &mut sloth_stg::StgEnv,
    machine: &mut Machine,
    src: &str,
) -> (Result<sloth_rts::interp::Linked, RunError>, u32) {
    let m = match s.elaborate("unit.core", src) {
        Ok(m) => m,
        Err(e) => panic!("{}", s.render(&e.0, false)),
    };
    let name = m.binds[0].binders()[0].unique;
    let simplified = s.simplify(&m);
    let prog = env.lower_module(&s.env.data, &mut s.env.supply, &simplified);
    let unit = compile_program(&s.env.data, &env.globals, &prog);
    (machine.link(&s.env.data, &unit), name)
}

#[test]
fn unlinking_frees_slots_for_reuse_and_check_code_finds_a_broken_promise() {
    with_compiler_stack(|| {
        let mut s = Session::new().expect("prelude");
        let mut env = sloth_stg::StgEnv::new(Strategy::Need, &s.env.prelude);
        let prelude = env.lower_module(
            &s.env.data,
            &mut s.env.supply,
            &s.simplified_prelude.clone(),
        );
        let mut machine = Machine::new(1 << 30, 1 << 20);
        machine
            .link(
                &s.env.data,
                &compile_program(&s.env.data, &env.globals, &prelude),
            )
            .expect("links");
        let int = |machine: &mut Machine, u| {
            let p = machine.global(u).expect("linked");
            let v = machine.eval(p).expect("evaluates");
            machine.heap.get(v, 0)
        };

        let (a, _) = link_unit(&mut s, &mut env, &mut machine, "a = [1 .. 3]\n");
        let a = a.expect("links");
        let before_b = machine.slots_in_use();
        let (b, b_name) = link_unit(&mut s, &mut env, &mut machine, "b = length a\n");
        let b = b.expect("links");
        assert_eq!(int(&mut machine, b_name), 3);
        let with_b = machine.slots_in_use();
        assert!(with_b.0 > before_b.0 && with_b.1 > before_b.1);

        // `b` goes: its slots are free, `a` is still whole.
        machine.unlink(b);
        assert_eq!(machine.slots_in_use(), before_b);
        assert_eq!(machine.global(b_name), None);
        machine.check_code().expect("nothing live runs b's code");
        // A new unit takes the freed slots.
        let (c, c_name) = link_unit(&mut s, &mut env, &mut machine, "c = sum a + 1\n");
        c.expect("links");
        assert_eq!(int(&mut machine, c_name), 7);
        assert!(machine.slots_in_use().1 <= with_b.1 + 1);

        // Unlinking `a` while `c`'s code names it breaks the caller's
        // promise (Note [Unlinking]): the check says so, and a later unit
        // naming `a` is refused, not linked to a freed slot.
        let (d, _) = link_unit(&mut s, &mut env, &mut machine, "d = map negate a\n");
        d.expect("links");
        machine.unlink(a);
        let broken = machine.check_code().expect_err("d's code names a");
        assert!(broken.contains("not linked"), "{broken}");
        let (e, _) = link_unit(&mut s, &mut env, &mut machine, "e = head a\n");
        assert!(matches!(e, Err(RunError::BadCode(_))), "{e:?}");
    })
}

/// The heap check (Note [Checking the heap after a collection]) passes on
/// a healthy heap and names each planted fault: a blackhole no frame is
/// evaluating, an indirection after a collection, a constructor whose
/// field counts are not its layout's, a field pointing between closures.
#[test]
fn the_heap_check_finds_planted_faults() {
    use sloth_core::types::{CONS, I_HASH};
    use sloth_rts::heap::{Header, Kind};
    with_compiler_stack(|| {
        let src = "main = sum (map (* 2) [1 .. 10])";
        // What the check must say, and how to plant the fault next to the
        // value of `main`.
        type Plant = fn(&mut Machine, Ptr);
        let faults: [(&str, Plant); 4] = [
            ("with no frame evaluating it", |m, _| {
                m.heap.alloc(Header::new(Kind::Blackhole, 0, 0, 0)).unwrap();
            }),
            ("survived a collection", |m, v| {
                let p = m.heap.alloc(Header::new(Kind::Ind, 0, 1, 0)).unwrap();
                m.heap.set(p, 0, v.word());
            }),
            ("its layout", |m, _| {
                // `I#` has one unboxed field, not two.
                m.heap
                    .alloc(Header::new(Kind::Con, I_HASH.0, 0, 2))
                    .unwrap();
            }),
            ("not a closure", |m, v| {
                let p = m.heap.alloc(Header::new(Kind::Con, CONS.0, 2, 0)).unwrap();
                m.heap.set(p, 0, v.word() + 1);
                m.heap.set(p, 1, v.word());
            }),
        ];
        for (expected, plant) in faults {
            let (_, _, mut machine, main) = link_program(src, Strategy::Need, 1 << 30);
            machine.eval(machine.global(main).unwrap()).expect("runs");
            machine.collect().expect("a healthy heap checks");
            machine.check_heap().expect("a healthy heap checks");
            // Evaluated already: the value's address after the collection.
            let v = machine.eval(machine.global(main).unwrap()).expect("runs");
            plant(&mut machine, v);
            let e = machine.check_heap().expect_err(expected);
            assert!(e.contains(expected), "{expected}: {e}");
        }
    })
}
