//! Tests of the Core → STG lowering.
//!
//! * Every example program and the prelude lower under every strategy and
//!   pass STG lint.
//! * Snapshots (`expect![...]`) of the STG of representative programs under
//!   each strategy. Run with `UPDATE_EXPECT=1` to rewrite them, then review
//!   the diff: a changed snapshot is a changed compiler.

use expect_test::{expect, Expect};
use sloth_core::session::{with_compiler_stack, Session};
use sloth_stg::{
    lint::lint_program, lower_with_prelude, pretty::pretty_program, Lowered, Strategy,
};

mod common;

fn lower(src: &str, strategy: Strategy) -> (Session, Lowered) {
    let mut s = Session::new().expect("the prelude compiles");
    let m = match s.elaborate("test.core", src) {
        Ok(m) => m,
        Err(e) => panic!("{}", s.render(&e.0, false)),
    };
    let l = lower_with_prelude(&mut s, &m, strategy);
    (s, l)
}

fn lint_both(s: &Session, l: &Lowered, what: &str) -> Vec<String> {
    let known = |u| l.env.globals.contains_key(&u);
    let mut problems = Vec::new();
    for (unit, p) in [("prelude", &l.prelude), (what, &l.program)] {
        if let Err(e) = lint_program(&s.env.data, &known, p) {
            problems.push(format!(
                "{unit} under {}:\n  {}",
                l.env.strategy,
                e.join("\n  ")
            ));
        }
    }
    problems
}

/// The STG of `src` (the program's bindings only) under `strategy`, after
/// checking it with lint.
fn stg_text(src: &str, strategy: Strategy) -> String {
    let src = src.to_string();
    let (text, problems) = with_compiler_stack(move || {
        let (s, l) = lower(&src, strategy);
        let problems = lint_both(&s, &l, "program");
        (pretty_program(&s.env.data, &l.program), problems)
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    text
}

fn check_stg(src: &str, strategy: Strategy, expect: Expect) {
    expect.assert_eq(&stg_text(src, strategy));
}

#[test]
fn every_example_lowers_and_lints_under_every_strategy() {
    let problems = with_compiler_stack(|| {
        let paths = common::core_files("examples");
        assert!(paths.len() >= 40);
        let mut problems = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            for st in Strategy::ALL {
                let (s, l) = lower(&text, st);
                problems.extend(lint_both(&s, &l, &p.display().to_string()));
            }
        }
        problems
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Deep programs lower without overflowing Rust's stack (every recursive
/// pass goes through `session::deep`).
#[test]
fn deep_programs_lower() {
    let problems = with_compiler_stack(|| {
        let sum = (1..=30_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" + ");
        let list = (1..=30_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut problems = Vec::new();
        for src in [
            format!("main = {sum}\n"),
            format!("main = length [{list}]\n"),
        ] {
            for st in Strategy::ALL {
                let (s, l) = lower(&src, st);
                problems.extend(lint_both(&s, &l, "deep"));
                // Printing is linear too (indentation is capped, names
                // are not probed from scratch).
                let text = pretty_program(&s.env.data, &l.program);
                assert!(text.len() < 400 * 30_000, "{} bytes", text.len());
            }
        }
        problems
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const FIB: &str = "fib :: Int -> Int\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\n";

/// With `+`, `-` and `<` inlined, fib allocates no thunk: its STG is the
/// same under every strategy.
#[test]
fn fib_is_strategy_independent() {
    check_stg(
        FIB,
        Strategy::Need,
        expect![[r#"
        fib = \r [n] ->
          case n of wild {
            I# a ->
              case
                case a <# 2# of u {
                  __DEFAULT -> isTrue# u;
                }
              of wild1 {
                False ->
                  case
                    case a -# 1# of u1 {
                      __DEFAULT ->
                        let sat = I# u1 in
                        fib sat;
                    }
                  of wild2 {
                    I# a1 ->
                      case
                        case a -# 2# of u2 {
                          __DEFAULT ->
                            let sat1 = I# u2 in
                            fib sat1;
                        }
                      of wild3 {
                        I# b ->
                          case a1 +# b of u3 {
                            __DEFAULT -> I# u3;
                          };
                      };
                  };
                True -> n;
              };
          };
    "#]],
    );
    let need = stg_text(FIB, Strategy::Need);
    assert_eq!(stg_text(FIB, Strategy::Name), need);
    assert_eq!(stg_text(FIB, Strategy::Value), need);
}

/// A local tail-recursive loop becomes a recursive join point: no closure.
#[test]
fn local_loop_is_a_join_point() {
    check_stg(
        "sumTo :: Int -> Int\nsumTo n = let go acc i = if i > n then acc else go (acc + i) (i + 1) in go 0 1\n",
        Strategy::Need,
        expect![[r#"
            0 = I# 0#;

            1 = I# 1#;

            sumTo = \r [n] ->
              joinrec {
                go [acc i] =
                  case i of wild {
                    I# a ->
                      case n of wild1 {
                        I# b ->
                          case
                            case a ># b of u {
                              __DEFAULT -> isTrue# u;
                            }
                          of wild2 {
                            False ->
                              let sat = \u {acc a} [] ->
                                case acc of wild3 {
                                  I# a1 ->
                                    case a1 +# a of u1 {
                                      __DEFAULT -> I# u1;
                                    };
                                } in
                              case a +# 1# of u2 {
                                __DEFAULT ->
                                  let sat1 = I# u2 in
                                  jump go sat sat1;
                              };
                            True -> acc;
                          };
                      };
                  };
              } in
              jump go 0 1;
        "#]],
    );
}

/// A function that escapes (returned, passed) stays a closure with its
/// free variables.
#[test]
fn escaping_local_function_is_a_closure() {
    check_stg(
        "adders :: Int -> [Int -> Int]\nadders n = let add x = x + n in [add, \\y -> add (add y)]\n",
        Strategy::Need,
        expect![[r#"
            [] = [];

            adders = \r [n] ->
              let add = \r {n} [x] ->
                case x of wild {
                  I# a ->
                    case n of wild1 {
                      I# b ->
                        case a +# b of u {
                          __DEFAULT -> I# u;
                        };
                    };
                } in
              let sat = \r {add} [y] ->
                let sat1 = \u {add y} [] -> add y in
                add sat1 in
              let sat2 = (:) sat [] in
              (:) add sat2;
        "#]],
    );
}

const ONES: &str = "ones :: Int -> [Int]\nones n = let xs = n : xs in xs\n";

/// Recursive data: a cyclic constructor under need, a forced thunk (that
/// will report `<<loop>>`) under value.
#[test]
fn recursive_data_need() {
    check_stg(
        ONES,
        Strategy::Need,
        expect![[r#"
        ones = \r [n] ->
          letrec {
            xs = (:) n xs;
          } in
          xs;
    "#]],
    );
}

#[test]
fn recursive_data_value() {
    check_stg(
        ONES,
        Strategy::Value,
        expect![[r#"
        ones = \r [n] ->
          letrec {
            xs = \u {n xs} [] ->
              case xs of xs1 {
                __DEFAULT -> (:) n xs1;
              };
          } in
          case xs of xs2 {
            __DEFAULT -> xs2;
          };
    "#]],
    );
}

/// Constructors and primops used as functions are eta-expanded.
#[test]
fn unsaturated_constructors_and_primops() {
    check_stg(
        "pairs :: [Int] -> [Maybe Int]\npairs xs = map Just xs\nplus :: Int# -> Int# -> Int#\nplus = (+#)\nzp :: [Int] -> [(Int, Int)]\nzp xs = zipWith (,) xs xs\n",
        Strategy::Need,
        expect![[r#"
            pairs = \r [xs] ->
              let sat = \r [eta] -> Just eta in
              map sat xs;

            plus = \r [eta eta1] -> eta +# eta1;

            zp = \r [xs] ->
              let sat = \r [eta eta1] -> (,) eta eta1 in
              zipWith sat xs xs;
        "#]],
    );
}

/// `&&`, `||` and `seq` are control under value: the second argument is
/// not evaluated first.
#[test]
fn control_functions_by_value() {
    check_stg(
        "f :: Bool -> Int -> Bool\nf b n = b && n > 0 || seq n False\n",
        Strategy::Value,
        expect![[r#"
            f = \r [b n] ->
              case
                case b of wild {
                  True ->
                    case n of wild1 {
                      I# a ->
                        case a ># 0# of u {
                          __DEFAULT -> isTrue# u;
                        };
                    };
                  False -> False;
                }
              of wild2 {
                True -> True;
                False ->
                  case n of wild3 {
                    __DEFAULT -> False;
                  };
              };
        "#]],
    );
}

/// Arguments are evaluated before the call by value; a lazy argument
/// under need is a thunk.
#[test]
fn arguments_need_and_value() {
    let src = "g :: Int -> Int -> Int\ng x y = x\nh :: Int -> Int\nh n = g n (error \"unused\")\n";
    check_stg(
        src,
        Strategy::Need,
        expect![[r#"
            g = \r [x y] -> x;

            "unused" = "unused";

            h = \r [n] -> n;
        "#]],
    );
    check_stg(
        src,
        Strategy::Value,
        expect![[r#"
        g = \r [x y] -> x;

        "unused" = "unused";

        h = \r [n] ->
          case error "unused" of y {
            __DEFAULT -> n;
          };
    "#]],
    );
}

/// Literals: boxed ones and strings are shared top-level closures; unboxed
/// ones are atoms; a case on an Int with literal alternatives unboxes.
#[test]
fn literals_and_literal_cases() {
    check_stg(
        "name :: Int -> String\nname n = case n of\n  0 -> \"zero\"\n  1 -> \"one\"\n  _ -> \"many\"\nmain = (name 1, 'x', 2.5, [1, 1])\n",
        Strategy::Need,
        expect![[r#"
            "zero" = "zero";

            "one" = "one";

            "many" = "many";

            name = \r [n] ->
              case n of wild {
                I# u# ->
                  case u# of wild1 {
                    0# -> "zero";
                    1# -> "one";
                    __DEFAULT -> "many";
                  };
              };

            'x' = C# 'x'#;

            2.5 = D# 2.5##;

            1 = I# 1#;

            [] = [];

            lvl = (:) 1 [];

            lvl1 = (:) 1 lvl;

            main = (,,,) "one" 'x' 2.5 lvl1;
        "#]],
    );
}

/// `error` at a function type is called with the remaining arguments; a
/// thunk entered once is single-entry.
#[test]
fn oversaturated_error_and_single_entry() {
    check_stg(
        "g :: Int -> Int\ng = error \"no g\"\nk :: Int -> Int\nk x = error \"no k\" x\nonce :: Int -> Int\nonce x = let t = g x in t\n",
        Strategy::Need,
        expect![[r#"
            "no g" = "no g";

            g = \u [] -> error "no g";

            "no k" = "no k";

            k = \r [x] ->
              case error "no k" of f {
                __DEFAULT -> f x;
              };

            once = \r [x] -> g x;
        "#]],
    );
}

/// A box around a primop that can fail is not built eagerly under need:
/// `k 1 (I# (quotInt# n 0#))` must not divide by zero.
#[test]
fn failing_unboxed_fields_stay_lazy() {
    check_stg(
        // `k` is recursive, so it is not inlined and its argument stays.
        "k :: Int -> Int -> Int\nk x y = if x > 0 then x else k x y\nf :: Int -> Int\nf m = case m of I# n -> k 1 (I# (quotInt# n 0#)) + k 2 (I# (n +# 1#))\n",
        Strategy::Need,
        expect![[r#"
            k = \r [x y] ->
              case x of wild {
                I# a ->
                  case
                    case a ># 0# of u {
                      __DEFAULT -> isTrue# u;
                    }
                  of wild1 {
                    False -> k x y;
                    True -> x;
                  };
              };

            1 = I# 1#;

            2 = I# 2#;

            f = \r [m] ->
              case m of wild {
                I# n ->
                  case
                    let sat = \u {n} [] ->
                      case quotInt# n 0# of u {
                        __DEFAULT -> I# u;
                      } in
                    k 1 sat
                  of wild1 {
                    I# a ->
                      case
                        case n +# 1# of u1 {
                          __DEFAULT ->
                            let sat1 = I# u1 in
                            k 2 sat1;
                        }
                      of wild2 {
                        I# b ->
                          case a +# b of u2 {
                            __DEFAULT -> I# u2;
                          };
                      };
                  };
              };
        "#]],
    );
}
