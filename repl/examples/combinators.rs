//! Building a program with combinators and running it: a binary search
//! tree (a data type, insertion, an in-order walk) made of `sloth::build`
//! values, defined in a session and called with Rust data. No source text
//! is written by hand; the rendering is printed only to show what was
//! built. An ill-typed term built the same way is reported with the
//! elaborator's diagnostics, against that rendering.
//!
//!     cargo run --example combinators

use sloth::build::*;
use sloth::{Error, Session, Value};

/// The declarations of the tree program.
pub fn tree_program() -> Decls {
    let tree = ty::con("Tree", []);
    let insert_body = case_(
        var("t"),
        vec![
            (
                Pat::con("Leaf", &[]),
                app(con("Node"), [con("Leaf"), var("x"), con("Leaf")]),
            ),
            (
                Pat::con("Node", &["l", "y", "r"]),
                if_(
                    op("<", var("x"), var("y")),
                    app(
                        con("Node"),
                        [app(var("insert"), [var("x"), var("l")]), var("y"), var("r")],
                    ),
                    if_(
                        op(">", var("x"), var("y")),
                        app(
                            con("Node"),
                            [var("l"), var("y"), app(var("insert"), [var("x"), var("r")])],
                        ),
                        var("t"),
                    ),
                ),
            ),
        ],
    );
    let to_list_body = case_(
        var("t"),
        vec![
            (Pat::con("Leaf", &[]), list([])),
            (
                Pat::con("Node", &["l", "y", "r"]),
                op(
                    "++",
                    app(var("toList"), [var("l")]),
                    op(":", var("y"), app(var("toList"), [var("r")])),
                ),
            ),
        ],
    );
    Decls::new()
        .data(
            "Tree",
            &[],
            vec![
                ("Leaf", vec![]),
                ("Node", vec![tree.clone(), ty::int(), tree.clone()]),
            ],
        )
        .sig(
            "insert",
            ty::fun(ty::int(), ty::fun(tree.clone(), tree.clone())),
        )
        .def("insert", &["x", "t"], insert_body)
        .sig("toList", ty::fun(tree.clone(), ty::list(ty::int())))
        .def("toList", &["t"], to_list_body)
        .sig("fromList", ty::fun(ty::list(ty::int()), tree))
        .def(
            "fromList",
            &["xs"],
            app(var("foldr"), [var("insert"), con("Leaf"), var("xs")]),
        )
}

/// Defines the program, sorts `input` with it and returns the sorted,
/// deduplicated list, plus the diagnostics of an ill-typed built term.
pub fn run(input: Vec<i64>) -> Result<(Vec<i64>, String), Error> {
    let mut s = Session::new()?;
    let program = tree_program();
    println!("-- built program, as rendered:\n{program}\n");
    s.define(&program)?;
    // Call the built functions from Rust with Rust data.
    let sort: Value = s.value(&lam(
        &["xs"],
        app(var("toList"), [app(var("fromList"), [var("xs")])]),
    ))?;
    println!("sort :: {}", sort.type_name());
    let sorted: Vec<i64> = s.call(&sort, (input,))?;
    println!("sorted: {sorted:?}");
    // A built expression of the same program, evaluated directly.
    let depth_of_ten = app(
        var("length"),
        [app(
            var("toList"),
            [app(
                var("fromList"),
                [app(var("enumFromTo"), [int(1), int(10)])],
            )],
        )],
    );
    println!("{depth_of_ten} = {}", s.eval::<i64>(&depth_of_ten)?);
    // Ill-typed: `insert` wants an Int, gets a String.
    let bad = app(var("insert"), [string("seven"), con("Leaf")]);
    let diagnostics = match s.value(&bad) {
        Err(Error::Compile { diagnostics }) => diagnostics,
        other => panic!("expected a type error, got {other:?}"),
    };
    println!("{bad}\n{diagnostics}");
    Ok((sorted, diagnostics))
}

fn main() -> Result<(), Error> {
    run(vec![31, 4, 15, 9, 26, 5, 35, 8, 9, 7, 9])?;
    Ok(())
}
