//! Runs every example of `repl/examples/` at a small size (cargo only
//! builds examples in `cargo test`; this runs them), and checks what each
//! one shows.

#[allow(dead_code)]
#[path = "../examples/eval_string.rs"]
mod eval_string;

#[allow(dead_code)]
#[path = "../examples/combinators.rs"]
mod combinators;

#[allow(dead_code)]
#[path = "../examples/lazy_list.rs"]
mod lazy_list;

#[allow(dead_code)]
#[path = "../examples/specialise.rs"]
mod specialise;

#[test]
fn eval_string_reports_values_types_and_errors() {
    let lines =
        eval_string::run(&["sq x = x * x", "map sq [1 .. 3]", "head []", "sq 'c'"]).unwrap();
    assert_eq!(lines[0], "defined: sq x = x * x");
    assert_eq!(lines[1], "[1,4,9] :: [Int]");
    assert_eq!(lines[2], "runtime error: Prelude.head: empty list");
    assert!(lines[3].contains("error"), "{}", lines[3]);
}

#[test]
fn combinators_build_a_tree_sort() {
    let (sorted, diagnostics) = combinators::run(vec![5, 3, 9, 3, 1]).unwrap();
    assert_eq!(sorted, [1, 3, 5, 9]);
    assert!(diagnostics.contains("<built>"), "{diagnostics}");
}

#[test]
fn lazy_list_work_grows_with_what_is_pulled() {
    let (primes, first, second) = lazy_list::run(10).unwrap();
    assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    assert!(
        first > 0 && second > first && second < 10 * first,
        "{first} then {second}"
    );
}

#[test]
fn specialised_code_agrees_and_does_less_work() {
    let (generic, special) = specialise::run(2_000).unwrap();
    assert_eq!(generic.sum, special.sum);
    assert!(special.steps < generic.steps, "{special:?} vs {generic:?}");
}
