//! The embedding API (`sloth::Session`, `sloth::build`): conversions,
//! handles across collections and redefinitions, lazy iteration, calls,
//! errors and budgets, and the property that built terms and their source
//! text evaluate alike.

use sloth::build::{self, *};
use sloth::{Budget, Error, Session, Value};

fn session() -> Session {
    Session::new().expect("the prelude loads")
}

#[test]
fn conversions_of_every_supported_type() {
    let mut s = session();
    assert_eq!(s.eval::<i64>("2 ^ 62").unwrap(), 1 << 62);
    assert_eq!(s.eval::<f64>("sqrt 2.0").unwrap(), 2f64.sqrt());
    assert_eq!(s.eval::<char>("chr 955").unwrap(), 'λ');
    assert!(s.eval::<bool>("even 4").unwrap());
    s.eval::<()>("()").unwrap();
    assert_eq!(s.eval::<String>("\"héllo\" ++ \"!\"").unwrap(), "héllo!");
    assert_eq!(
        s.eval::<Vec<Vec<i64>>>("[[1, 2], [], [3]]").unwrap(),
        vec![vec![1, 2], vec![], vec![3]]
    );
    assert_eq!(s.eval::<Option<i64>>("Nothing").unwrap(), None);
    assert_eq!(
        s.eval::<Vec<Option<String>>>("[Just \"a\", Nothing]")
            .unwrap(),
        vec![Some("a".to_string()), None]
    );
    assert_eq!(
        s.eval::<(i64, f64, char, bool)>("(1, 2.5, 'x', False)")
            .unwrap(),
        (1, 2.5, 'x', false)
    );
    // A polymorphic value converts at any instance.
    assert_eq!(s.eval::<Vec<String>>("[]").unwrap(), Vec::<String>::new());
    assert_eq!(s.eval::<Option<(i64, i64)>>("Nothing").unwrap(), None);
}

#[test]
fn a_type_mismatch_names_both_types_and_evaluates_nothing() {
    let mut s = session();
    let before = s.stats();
    let e = s.eval::<i64>("'c'").unwrap_err();
    assert_eq!(
        e,
        Error::Type {
            expected: "i64 (Int)".into(),
            found: "Char".into()
        }
    );
    let e = s.eval::<Vec<i64>>("length [undefined]").unwrap_err();
    assert_eq!(
        e.to_string(),
        "type mismatch: expected Vec<i64> ([Int]), found Int"
    );
    let e = s.eval::<(i64, i64)>("(1, 'c')").unwrap_err();
    assert!(matches!(e, Error::Type { .. }), "{e}");
    assert_eq!(s.stats().steps, before.steps, "nothing ran");
}

#[test]
fn compile_errors_are_rendered_and_change_nothing() {
    let mut s = session();
    let Err(Error::Compile { diagnostics }) = s.eval::<i64>("1 + True") else {
        panic!("expected a compile error")
    };
    assert!(diagnostics.contains("<interactive>"), "{diagnostics}");
    assert!(matches!(s.define("f = g"), Err(Error::Compile { .. })));
    assert!(matches!(s.eval::<i64>("f"), Err(Error::Compile { .. })));
    assert!(matches!(s.define("1 + 1"), Err(Error::Usage { .. })));
    assert!(matches!(s.eval::<i64>("g = 1"), Err(Error::Usage { .. })));
    assert_eq!(s.eval::<i64>("g").unwrap(), 1);
}

#[test]
fn a_runtime_error_is_an_err_and_the_next_call_succeeds() {
    let mut s = session();
    s.define("xs = [1, 2, 3] :: [Int]\nboom = 1 `div` 0 :: Int")
        .unwrap();
    for bad in [
        "head []",
        "boom + 1",
        "error \"custom\"",
        "case Nothing of { Just x -> x }",
    ] {
        let e = s.eval::<i64>(bad).unwrap_err();
        assert!(matches!(e, Error::Runtime { .. }), "{bad}: {e:?}");
        assert_eq!(s.eval::<i64>("sum xs").unwrap(), 6, "after {bad}");
    }
    assert_eq!(
        s.eval::<i64>("error \"custom\"").unwrap_err(),
        Error::Runtime {
            message: "custom".into()
        }
    );
    assert_eq!(
        s.eval::<i64>("boom").unwrap_err().to_string(),
        "runtime error: divide by zero"
    );
    // An error deep inside a structure, after part of it was converted.
    let e = s.eval::<Vec<i64>>("[1, 2, 3 `div` 0]").unwrap_err();
    assert!(matches!(e, Error::Runtime { .. }));
    // A function called from Rust raises too.
    let f = s.value("\\n -> 100 `div` n").unwrap();
    assert!(matches!(
        s.call::<i64>(&f, (0i64,)),
        Err(Error::Runtime { .. })
    ));
    assert_eq!(s.call::<i64>(&f, (7i64,)).unwrap(), 14);
}

#[test]
fn a_step_budget_stops_an_endless_loop_and_the_next_call_succeeds() {
    let mut s = session();
    s.set_budget(Budget::default().steps(200_000));
    assert_eq!(
        s.eval::<i64>("length [1 ..]").unwrap_err(),
        Error::StepLimit { steps: 200_000 }
    );
    // Every operation runs under it: printing, calls, iteration.
    assert!(matches!(s.show("[1 ..]"), Err(Error::StepLimit { .. })));
    let length = s.value("length").unwrap();
    let endless = s.value("[1 ..]").unwrap();
    assert!(matches!(
        s.call::<i64>(&length, (&endless,)),
        Err(Error::StepLimit { .. })
    ));
    // The budget is per call: each of these fits.
    for _ in 0..5 {
        assert_eq!(s.eval::<i64>("length [1 .. 1000]").unwrap(), 1000);
    }
    // A thunk interrupted by the limit evaluates again, not `<<loop>>`.
    s.define("n = length [1 .. 100000] :: Int").unwrap();
    assert!(matches!(s.eval::<i64>("n"), Err(Error::StepLimit { .. })));
    s.set_budget(Budget::default());
    assert_eq!(s.eval::<i64>("n").unwrap(), 100000);
}

#[test]
fn heap_and_stack_budgets_stop_explosions() {
    let mut s = session();
    s.set_budget(Budget::default().heap_bytes(8 << 20));
    let e = s
        .eval::<i64>("let xs = [1 .. 2000000] in length xs + sum xs")
        .unwrap_err();
    assert!(matches!(e, Error::HeapExhausted { .. }), "{e:?}");
    assert_eq!(s.eval::<i64>("sum [1 .. 100]").unwrap(), 5050);
    s.set_budget(Budget::default().stack_words(10_000));
    let e = s.eval::<i64>("foldr (+) 0 [1 .. 1000000]").unwrap_err();
    assert!(
        matches!(e, Error::StackOverflow { max_words: 10_000 }),
        "{e:?}"
    );
    assert_eq!(s.eval::<i64>("foldr (+) 0 [1 .. 100]").unwrap(), 5050);
}

#[test]
fn values_survive_collections_and_redefinitions() {
    let mut s = session();
    s.define("f x = x * 3").unwrap();
    let ys = s.value("map f [1 .. 5]").unwrap();
    let g = s.value("\\x -> f x + 1").unwrap();
    // Rebind `it` and `f` many times; the units the handles hold stay.
    for i in 0..20 {
        s.define(&format!("f x = x * {i}")).unwrap();
        s.eval::<i64>("sum [1 .. 1000]").unwrap();
    }
    s.collect_garbage().unwrap();
    assert_eq!(s.eval::<Vec<i64>>(&ys).unwrap(), [3, 6, 9, 12, 15]);
    assert_eq!(s.call::<i64>(&g, (2i64,)).unwrap(), 7);
    assert_eq!(
        s.eval::<i64>("f 2").unwrap(),
        38,
        "later input sees the new f"
    );
    s.repl().machine.check_code().unwrap();
    // Dropping the handles lets the units go: the footprint returns.
    let holding = s.repl().footprint();
    drop((ys, g));
    s.eval::<i64>("0").unwrap();
    let released = s.repl().footprint();
    assert!(
        released.units < holding.units,
        "{holding:?} vs {released:?}"
    );
    s.repl().machine.check_code().unwrap();
}

#[test]
fn values_read_as_values_are_lazy_handles() {
    let mut s = session();
    let pairs: Vec<(Value, i64)> = s.eval("[(undefined, 1), (head [], 2)]").unwrap();
    assert_eq!(pairs.len(), 2);
    assert_eq!(pairs[1].1, 2);
    assert_eq!(pairs[0].0.type_name(), "a");
    // Its type came from a `forall`: it may be read at any type (and is
    // bottom).
    assert!(matches!(
        s.eval::<i64>(&pairs[0].0),
        Err(Error::Runtime { .. })
    ));
    let id = s.value("\\x -> x").unwrap();
    let empty: Value = s.call(&id, (Vec::<i64>::new(),)).unwrap();
    assert_eq!(empty.type_name(), "[Int]");
    let nothing: Value = s.call(&id, (None::<i64>,)).unwrap();
    assert_eq!(nothing.type_name(), "Maybe Int");
    let nil: Value = s.call(&id, (Vec::<Value>::new(),)).unwrap();
    assert_eq!(nil.type_name(), "[a]");
    assert_eq!(s.eval::<Vec<char>>(&nil).unwrap(), Vec::<char>::new());
    let (con, fields) = s.fields("Just [True]").unwrap();
    assert_eq!(con, "Just");
    assert_eq!(s.eval::<Vec<bool>>(&fields[0]).unwrap(), [true]);
}

/// The first `n` elements of a list, pulled one at a time.
fn first(s: &mut Session, list: &str, n: usize) -> Vec<i64> {
    s.iter::<i64>(list)
        .unwrap()
        .take(n)
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_endless_list_is_consumed_lazily() {
    let mut s = session();
    let before = s.stats();
    let xs = first(&mut s, "map (* 2) [1 ..]", 10);
    assert_eq!(xs, [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    let ten = s.stats();
    // Ten more: the work grows with what is pulled, not with the list.
    first(&mut s, "map (* 2) [1 ..]", 20);
    let twenty = s.stats();
    let (w10, w20) = (
        ten.thunks_entered - before.thunks_entered,
        twenty.thunks_entered - ten.thunks_entered,
    );
    assert!(w10 > 0 && w10 < 200, "{w10} thunks for 10 elements");
    assert!(w20 < 3 * w10, "{w20} thunks for 20 elements, {w10} for 10");
    // Under a tiny step budget each `next` still fits: the budget is per step.
    s.set_budget(Budget::default().steps(5_000));
    let big: Vec<i64> = s
        .iter::<i64>("[1 ..]")
        .unwrap()
        .skip(10_000)
        .take(2)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(big, [10_001, 10_002]);
    // An error ends the iteration after the good elements.
    let items: Vec<Result<i64, Error>> = s.iter::<i64>("[1, 2 `div` 0, 3]").unwrap().collect();
    assert_eq!(items.len(), 2);
    assert!(items[1].is_err());
    assert!(matches!(s.iter::<i64>("'c'"), Err(Error::Type { .. })));
}

#[test]
fn calls_check_and_instantiate_types() {
    let mut s = session();
    let map = s.value("map").unwrap();
    let succ = s.value("\\x -> x + 1 :: Int").unwrap();
    let ys: Vec<i64> = s.call(&map, (&succ, vec![1i64, 2, 3])).unwrap();
    assert_eq!(ys, [2, 3, 4]);
    let len = s.value("length").unwrap();
    assert_eq!(s.call::<i64>(&len, (Vec::<char>::new(),)).unwrap(), 0);
    assert_eq!(s.call::<i64>(&len, ("abc",)).unwrap(), 3);
    let e = s.call::<i64>(&map, (&succ, vec!['a'])).unwrap_err();
    assert!(matches!(e, Error::Type { .. }), "{e}");
    let e = s.call::<i64>(&succ, (1i64, 2i64)).unwrap_err();
    assert!(e.to_string().contains("a function of 2 arguments"), "{e}");
    let e = s.call::<String>(&succ, (1i64,)).unwrap_err();
    assert!(matches!(e, Error::Type { .. }), "{e}");
    let pair = s.value("\\a b -> (b, a)").unwrap();
    let r: (Option<bool>, (f64, ())) = s.call(&pair, ((2.5f64, ()), Some(true))).unwrap();
    assert_eq!(r, (Some(true), (2.5, ())));
    let args: Vec<i64> = vec![3, 4];
    let plus = s.value("(+) :: Int -> Int -> Int").unwrap();
    assert_eq!(s.call::<i64>(&plus, args).unwrap(), 7);
}

#[test]
fn built_code_is_checked_like_source() {
    let mut s = session();
    // \@a (x :: a) -> x, at Int.
    let id = lam(
        &[Param::from("@a"), Param::typed("x", ty::var("a"))],
        var("x"),
    );
    let e = app(ty_app(id, ty::int()), [int(5)]);
    assert_eq!(e.to_string(), "(\\@a (x :: a) -> x) @Int 5");
    assert_eq!(s.eval::<i64>(&e).unwrap(), 5);
    // The same ill-typed term, built and written, gets the same report.
    let bad = if_(int(1), string("yes"), string("no"));
    let text = bad.to_string();
    assert_eq!(text, "if 1 then \"yes\" else \"no\"");
    let Err(Error::Compile { diagnostics: built }) = s.eval::<String>(&bad) else {
        panic!()
    };
    let Err(Error::Compile {
        diagnostics: written,
    }) = s.eval::<String>(text.as_str())
    else {
        panic!()
    };
    assert_eq!(built.replace("<built>", "<interactive>"), written);
    let scope = app(var("nosuch"), [int(1)]);
    let Err(Error::Compile { diagnostics }) = s.eval::<i64>(&scope) else {
        panic!()
    };
    assert!(diagnostics.contains("nosuch"), "{diagnostics}");
}

#[test]
fn built_declarations_define_data_and_functions() {
    let mut s = session();
    let shape = ty::con("Shape", []);
    let decls = Decls::new()
        .data(
            "Shape",
            &[],
            vec![
                ("Circle", vec![ty::double()]),
                ("Square", vec![ty::double()]),
            ],
        )
        .sig("area", ty::fun(shape, ty::double()))
        .def(
            "area",
            &["s"],
            case_(
                var("s"),
                vec![
                    (
                        Pat::con("Circle", &["r"]),
                        op("*", double(3.0), op("*", var("r"), var("r"))),
                    ),
                    (Pat::con("Square", &["a"]), op("*", var("a"), var("a"))),
                ],
            ),
        );
    assert_eq!(
        decls.to_string(),
        "data Shape = Circle Double | Square Double\narea :: Shape -> Double\n\
         area s = case s of { Circle r -> 3.0 * (r * r); Square a -> a * a }"
    );
    s.define(&decls).unwrap();
    let total = app(
        var("sum"),
        [app(
            var("map"),
            [
                var("area"),
                list([
                    app(con("Circle"), [double(1.0)]),
                    app(con("Square"), [double(2.0)]),
                ]),
            ],
        )],
    );
    assert_eq!(s.eval::<f64>(&total).unwrap(), 7.0);
    // let groups, patterns on lists and tuples, operators as functions.
    let e = let_rec(
        vec![Bind::new(
            "go",
            &["xs"],
            case_(
                var("xs"),
                vec![
                    (Pat::Nil, tuple([int(0), int(0)])),
                    (
                        Pat::cons("y", "ys"),
                        case_(
                            app(var("go"), [var("ys")]),
                            vec![(
                                Pat::tuple(&["n", "t"]),
                                tuple([
                                    op("+", var("n"), int(1)),
                                    app(var("+"), [var("t"), var("y")]),
                                ]),
                            )],
                        ),
                    ),
                ],
            ),
        )
        .sig(ty::fun(
            ty::list(ty::int()),
            ty::tuple([ty::int(), ty::int()]),
        ))],
        app(var("go"), [list([int(-1), int(5), int(10)])]),
    );
    assert_eq!(s.eval::<(i64, i64)>(&e).unwrap(), (3, 14));
    assert_eq!(
        s.type_of(&build::lam(&["x"], op("div", var("x"), int(2))))
            .unwrap(),
        "Int -> Int"
    );
}

#[test]
fn every_conversion_keeps_its_pointers_rooted_under_gc_stress() {
    // A collection at every allocation moves every closure: a pointer the
    // host held in a Rust variable across one would be stale (and the
    // heap check after each collection would catch a broken heap).
    let mut s = session();
    s.repl().machine.set_gc_stress(true);
    let zip3 = s.value("\\xs ys zs -> zip xs (zip ys zs)").unwrap();
    let words = vec!["lazy".to_string(), "sloth".to_string()];
    type Row = (String, (Option<i64>, Vec<f64>));
    let r: Vec<Row> = s
        .call(
            &zip3,
            (
                words.clone(),
                vec![Some(1i64), None],
                vec![vec![0.5f64, 1.5], vec![]],
            ),
        )
        .unwrap();
    assert_eq!(
        r,
        vec![
            ("lazy".to_string(), (Some(1), vec![0.5, 1.5])),
            ("sloth".to_string(), (None, vec![])),
        ]
    );
    let squares = first(&mut s, "map (\\x -> x * x) [1 ..]", 30);
    assert_eq!(squares[29], 900);
    let kept: Vec<Value> = s.eval("[\"a\" ++ \"b\", replicate 3 'z']").unwrap();
    s.collect_garbage().unwrap();
    assert_eq!(s.eval::<String>(&kept[1]).unwrap(), "zzz");
    assert_eq!(s.eval::<String>(&kept[0]).unwrap(), "ab");
    s.repl().machine.set_gc_stress(false);
}

#[test]
fn values_belong_to_their_session() {
    let mut a = session();
    let mut b = session();
    let v = a.value("1 :: Int").unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.eval::<i64>(&v)));
    assert!(caught.is_err(), "a value used in another session panics");
    assert_eq!(a.eval::<i64>(&v).unwrap(), 1);
}
