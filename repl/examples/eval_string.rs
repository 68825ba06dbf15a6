//! Evaluating strings: an embedded Sloth session as a calculator.
//!
//! Each argument (or, without arguments, a few samples) is evaluated in
//! one session: definitions join it, expressions are printed with their
//! types, and errors are reported without ending the session.
//!
//!     cargo run --example eval_string -- 'sq x = x * x' 'map sq [1 .. 5]' 'head []'

use sloth::{Error, Session};

/// Runs each input in one session and returns what the REPL would print
/// for it: `value :: type`, or the error.
pub fn run(inputs: &[&str]) -> Result<Vec<String>, Error> {
    let mut s = Session::new()?;
    let mut lines = Vec::new();
    for input in inputs {
        let line = match s.define(*input) {
            Ok(()) => format!("defined: {input}"),
            // An expression: evaluate it, whatever its type, as the REPL
            // prints it.
            Err(Error::Usage { .. }) => match s.show("it") {
                Ok(shown) => format!("{shown} :: {}", s.type_of("it")?),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        println!("> {input}\n{line}");
        lines.push(line);
    }
    // Typed results come back as Rust values.
    let total: i64 = s.eval("sum [1 .. 100]")?;
    let words: Vec<String> = s.eval("words \"embedded lazy evaluation\"")?;
    println!("sum [1 .. 100] = {total}; words = {words:?}");
    Ok(lines)
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let samples = [
        "sq x = x * x",
        "map sq [1 .. 10]",
        "zip \"abc\" [True, False]",
        "foldr (\\x acc -> x + acc) 0 (takeWhile (< 40) (map sq [1 ..]))",
        "head []",
        "1 + 'c'",
    ];
    let inputs: Vec<&str> = if args.is_empty() {
        samples.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    run(&inputs)?;
    Ok(())
}
