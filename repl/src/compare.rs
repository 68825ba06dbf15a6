//! `sloth compare`: one program under need, name and value, as one table.
//!
//! Owns the three runs (each `run::execute` of `main` into a bounded
//! in-memory buffer, all from one `Session`), their default limits, the
//! result cell (printed text, then any error GHCi-style, made safe for a
//! table and cut to a fixed width) and the table's layout. It does not know
//! how a program is lowered or run (`run::execute`), how errors are worded
//! (`run::describe`) or the command line (`main.rs`). Read next: `run`.
//!
//! The table, a row per strategy in the order need, name, value
//! (`examples/laziness.core`):
//!
//! ```text
//! strategy  result                    thunks  entered  updated  calls  bytes  instructions    time
//! need      (1,2,3,4,False,True,101)     105      106      106    307  6,680         4,625  0.000s
//! name      (1,2,3,4,False,True,101)     105      106        0    307  6,680         4,625  0.000s
//! value     *** Exception: never           0        1        0      0      0             5  0.000s
//! ```
//!
//! * result: what `main` printed; if the run failed, the partial output
//!   (if any) followed by `*** Exception: ` and the error as `sloth run`
//!   words it without `sloth: ` (GHCi's style). Control characters are
//!   escaped (`\n`); a cell over [`RESULT_WIDTH`] characters is cut with
//!   `...`, the partial output first so that the error stays readable.
//! * thunks, entered, updated, calls, instructions: the machine's counters
//!   (`MachineStats`); bytes: heap bytes allocated while `main` ran
//!   (`HeapStats`, less the static closures linking built); time:
//!   evaluating and printing `main`, collections included, compiling and
//!   linking not (seconds).
//!
//! Runtime errors are results, not failures: the status is 0 whenever the
//! three runs happened, whichever of them failed (need included). Ctrl-C
//! stops the current run (its row says `interrupted`); the rows so far are
//! printed and the status is 130. A broken bytecode or heap (a bug) still
//! prints the table, with status 70.

use crate::run::{self, thousands, Limits};
use sloth_core::ir::Module;
use sloth_core::session::Session;
use sloth_rts::heap::HeapStats;
use sloth_rts::interp::{MachineStats, RunError};
use sloth_stg::Strategy;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// The default `--max-steps`: bytecode instructions per run, 5–7 s of a
/// release build; every benchmark of `bench/programs/` needs at most half
/// of it under need.
pub const DEFAULT_MAX_STEPS: u64 = 1_000_000_000;

/// The default `--max-stack`: 64 MiB of 8-byte words, a sixteenth of `sloth
/// run`'s, so that a by-value recursion down an endless list overflows in
/// about 0.3 s (release; 1.3 s at 256 MiB) while the deepest benchmark
/// (`bench/programs/sort.core`, 1.2 million words under need) fits six
/// times over.
pub const DEFAULT_MAX_STACK_WORDS: usize = (64 << 20) / 8;

/// The widest a result cell gets, in characters.
pub const RESULT_WIDTH: usize = 48;

/// How much partial output a failed run's cell keeps when the whole does
/// not fit, so that the error after it is visible.
const PARTIAL_WIDTH: usize = 16;

/// How much of `main`'s output a run keeps: more than a cell shows, and a
/// program printing an endless list under the step limit does not fill
/// memory.
const CAPTURE_BYTES: usize = 4096;

/// `compare`'s default limits: [`DEFAULT_MAX_STEPS`],
/// [`DEFAULT_MAX_STACK_WORDS`] and `sloth run`'s heap limit.
pub fn default_limits() -> Limits {
    Limits {
        max_steps: DEFAULT_MAX_STEPS,
        max_stack_words: DEFAULT_MAX_STACK_WORDS,
        ..Limits::default()
    }
}

/// One strategy's run.
#[derive(Clone, Debug)]
pub struct Row {
    pub strategy: Strategy,
    /// What `main` printed (its first [`CAPTURE_BYTES`] bytes).
    pub output: String,
    /// Why the run stopped early, and the error as `run::describe` words it.
    pub error: Option<(RunError, String)>,
    pub machine: MachineStats,
    pub heap: HeapStats,
    /// Heap bytes allocated by evaluating and printing `main` (the static
    /// closures the linker builds first are not counted).
    pub bytes: u64,
    /// Evaluating and printing `main` (collections included).
    pub time: Duration,
}

/// Runs `main` of `program` (elaborated in `session`) under need, name and
/// value in turn, each in a fresh machine. Stops after a run that was
/// interrupted (`interrupt` set), so the last row may be that one. An
/// error means the program has no `main`.
pub fn compare(
    session: &mut Session,
    program: &Module,
    limits: &Limits,
    interrupt: Option<&Arc<AtomicBool>>,
) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for strategy in Strategy::ALL {
        let mut out = Capture::default();
        let run = run::execute(session, program, strategy, limits, interrupt, &mut out)?;
        let error = run.result.err().map(|e| {
            let text = run::describe(session, &e);
            (e, text)
        });
        let interrupted = matches!(error, Some((RunError::Interrupted, _)));
        rows.push(Row {
            strategy,
            output: String::from_utf8_lossy(&out.bytes).into_owned(),
            error,
            machine: run.machine,
            heap: run.heap,
            bytes: (run.heap.words_allocated * 8).saturating_sub(run.linked_bytes),
            time: run.run_time,
        });
        if interrupted {
            break;
        }
    }
    Ok(rows)
}

/// `sloth compare`: the runs, the table on standard output; returns the
/// exit status (see the module comment).
pub fn compare_program(session: &mut Session, program: &Module, limits: &Limits) -> u8 {
    // As `run::run_program`: Ctrl-C sets the flag the machine polls.
    let flag = crate::run::interrupt_flag();
    let rows = match compare(session, program, limits, Some(&flag)) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("sloth: {e}");
            return 1;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(table(&rows).as_bytes());
    let _ = out.flush();
    status(&rows)
}

/// 130 if a run was interrupted, 70 if one found a bug in the compiler or
/// the machine (its whole message goes to standard error, as the cell cuts
/// it), else 0.
fn status(rows: &[Row]) -> u8 {
    let mut status = 0;
    for row in rows {
        if let Some((e, text)) = &row.error {
            match run::status(e) {
                130 => return 130,
                70 => {
                    eprintln!("{}: {text}", row.strategy);
                    status = 70;
                }
                _ => {}
            }
        }
    }
    status
}

/// The table, each line ending in a newline.
pub fn table(rows: &[Row]) -> String {
    const HEADERS: [&str; 9] = [
        "strategy",
        "result",
        "thunks",
        "entered",
        "updated",
        "calls",
        "bytes",
        "instructions",
        "time",
    ];
    // Left-aligned columns; the rest are numbers.
    const TEXT_COLUMNS: usize = 2;
    let mut lines: Vec<Vec<String>> = vec![HEADERS.iter().map(|h| h.to_string()).collect()];
    for row in rows {
        let m = &row.machine;
        lines.push(vec![
            row.strategy.name().to_string(),
            result_cell(row),
            thousands(m.thunks_allocated),
            thousands(m.thunks_entered),
            thousands(m.thunks_updated),
            thousands(m.calls),
            thousands(row.bytes),
            thousands(m.instructions),
            format!("{:.3}s", row.time.as_secs_f64()),
        ]);
    }
    let mut widths = [0; HEADERS.len()];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for line in &lines {
        let mut l = String::new();
        for (i, (cell, w)) in line.iter().zip(widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let pad = " ".repeat(w - cell.chars().count());
            if i < TEXT_COLUMNS {
                l.push_str(cell);
                l.push_str(&pad);
            } else {
                l.push_str(&pad);
                l.push_str(cell);
            }
        }
        text.push_str(l.trim_end());
        text.push('\n');
    }
    text
}

/// The result column of `row` (see the module comment).
pub fn result_cell(row: &Row) -> String {
    let output = printable(&row.output);
    match &row.error {
        None => cut(&output, RESULT_WIDTH),
        Some((_, text)) => {
            let error = format!("*** Exception: {}", printable(text));
            let len = |s: &str| s.chars().count();
            let output = if len(&output) + len(&error) > RESULT_WIDTH {
                cut(&output, PARTIAL_WIDTH)
            } else {
                output
            };
            cut(&(output + &error), RESULT_WIDTH)
        }
    }
}

/// `s` with control and other unprintable characters escaped as Rust
/// does (`\n`, `\u{1b}`), so that one cell stays on one line.
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else if c.is_ascii() {
            out.extend(c.escape_default());
        } else {
            // Printable non-ASCII stays as it is; `escape_debug` escapes
            // the rest (combining marks, format characters, ...).
            out.extend(c.escape_debug());
        }
    }
    out
}

/// `s` cut to at most `width` characters, ending in `...` if cut.
fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

/// A writer that keeps the first [`CAPTURE_BYTES`] bytes and drops the
/// rest (never failing, so the printer carries on).
#[derive(Default)]
struct Capture {
    bytes: Vec<u8>,
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = CAPTURE_BYTES.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&buf[..buf.len().min(room)]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &str, limits: &Limits) -> Vec<Row> {
        let text = text.to_string();
        let limits = *limits;
        sloth_core::session::with_compiler_stack(move || {
            let mut s = Session::new().expect("prelude");
            let m = s.elaborate("test.core", &text).expect("compiles");
            compare(&mut s, &m, &limits, None).expect("has main")
        })
    }

    fn small() -> Limits {
        Limits {
            max_steps: 10_000_000,
            max_stack_words: 1 << 16,
            ..default_limits()
        }
    }

    fn three(rows: &[Row]) -> [&Row; 3] {
        match rows {
            [need, name, value] => [need, name, value],
            _ => panic!("three rows: {rows:?}"),
        }
    }

    #[test]
    fn sharing_is_what_separates_need_from_name() {
        // `x` is shared by two list cells: need evaluates it once and
        // updates it, name evaluates it for each cell and never updates,
        // value evaluates it before the list, with no thunk at all.
        let rows = rows_of("main = let x = sum [1 .. 100] in [x, x]\n", &small());
        let [need, name, value] = three(&rows);
        for r in &rows {
            assert_eq!(r.output, "[5050,5050]", "{r:?}");
            assert!(r.error.is_none(), "{r:?}");
            assert!(r.machine.instructions > 0 && r.bytes > 0);
            assert!(r.machine.calls > 100, "{r:?}");
        }
        let (n, m) = (&need.machine, &name.machine);
        assert!(n.thunks_updated > 0 && n.thunks_updated <= n.thunks_entered);
        assert_eq!(m.thunks_updated, 0, "{name:?}");
        assert!(m.thunks_entered > n.thunks_entered, "{name:?} {need:?}");
        assert!(m.calls > n.calls && m.instructions > n.instructions);
        assert!(name.bytes > need.bytes);
        assert_eq!(value.machine.thunks_allocated, 0, "{value:?}");
        // (Only `main`, a static thunk, is entered.)
        assert!(value.machine.thunks_entered <= 1, "{value:?}");
        assert!(value.machine.instructions < n.instructions, "{value:?}");
    }

    /// Without sharing left (the simplifier makes this `let` a `case`, as
    /// `+` is strict), name does exactly the work need does, bar updates.
    #[test]
    fn name_enters_at_least_what_need_enters() {
        let rows = rows_of("main = let x = sum [1 .. 100] in x + x\n", &small());
        let [need, name, value] = three(&rows);
        for r in &rows {
            assert_eq!(r.output, "10100", "{r:?}");
        }
        assert!(name.machine.thunks_entered >= need.machine.thunks_entered);
        assert!(name.machine.instructions >= need.machine.instructions);
        assert_eq!(name.machine.thunks_updated, 0);
        assert_eq!(value.machine.thunks_allocated, 0, "{value:?}");
    }

    /// One session serves all three runs: each row is what a fresh session
    /// gives for that strategy alone.
    #[test]
    fn one_session_runs_the_same_as_three() {
        let text = "f :: Int -> [Int]\nf n = map (* n) [1 .. n]\nmain = (f 5, take 3 (f 9))\n";
        let shared = rows_of(text, &small());
        assert_eq!(shared.len(), 3);
        for row in &shared {
            let text = text.to_string();
            let strategy = row.strategy;
            let (output, machine) = sloth_core::session::with_compiler_stack(move || {
                let mut s = Session::new().expect("prelude");
                let m = s.elaborate("test.core", &text).expect("compiles");
                let mut out = Vec::new();
                let run =
                    run::execute(&mut s, &m, strategy, &small(), None, &mut out).expect("has main");
                assert!(run.result.is_ok());
                (String::from_utf8(out).expect("UTF-8"), run.machine)
            });
            assert_eq!(row.output, output);
            assert_eq!(row.output, "([5,10,15,20,25],[9,18,27])");
            assert_eq!(format!("{:?}", row.machine), format!("{machine:?}"));
        }
    }

    #[test]
    fn a_diverging_by_value_run_ends_at_a_limit() {
        let rows = rows_of("main = take 3 [1 ..]\n", &small());
        assert_eq!(rows[0].output, "[1,2,3]");
        assert_eq!(rows[1].output, "[1,2,3]");
        assert!(
            matches!(
                rows[2].error,
                Some((
                    RunError::Stack(_) | RunError::StepLimit | RunError::Heap(_),
                    _
                ))
            ),
            "{:?}",
            rows[2]
        );
    }

    fn row(output: &str, error: Option<&str>) -> Row {
        Row {
            strategy: Strategy::Need,
            output: output.into(),
            error: error.map(|e| (RunError::User(e.into()), e.into())),
            machine: MachineStats::default(),
            heap: HeapStats::default(),
            bytes: 0,
            time: Duration::ZERO,
        }
    }

    #[test]
    fn result_cells() {
        assert_eq!(result_cell(&row("[1,2,3]", None)), "[1,2,3]");
        assert_eq!(
            result_cell(&row("[1,2,", Some("Prelude.head: empty list"))),
            "[1,2,*** Exception: Prelude.head: empty list"
        );
        assert_eq!(result_cell(&row("", Some("boom"))), "*** Exception: boom");
        // Control characters in an error message are escaped.
        assert_eq!(
            result_cell(&row("", Some("two\nlines\t\u{1b}[31m"))),
            "*** Exception: two\\nlines\\t\\u{1b}[31m"
        );
        // Long output is cut to the width; before an error it is cut
        // shorter, so the error shows.
        let long = format!("[{}]", vec!["1000"; 100].join(","));
        let cell = result_cell(&row(&long, None));
        assert_eq!(cell.chars().count(), RESULT_WIDTH);
        assert!(cell.ends_with("..."), "{cell}");
        assert_eq!(
            result_cell(&row(&long, Some("boom"))),
            "[1000,1000,10...*** Exception: boom"
        );
        let cell = result_cell(&row("", Some(&"x".repeat(100))));
        assert_eq!(cell.chars().count(), RESULT_WIDTH);
    }

    #[test]
    fn the_table_aligns_its_columns() {
        let mut a = row("[1,2,3]", None);
        a.machine.instructions = 1234567;
        a.bytes = 8000;
        a.time = Duration::from_millis(12);
        let mut b = row("", Some("stack overflow"));
        b.strategy = Strategy::Value;
        b.machine.calls = 42;
        expect_test::expect![[r#"
            strategy  result                         thunks  entered  updated  calls  bytes  instructions    time
            need      [1,2,3]                             0        0        0      0  8,000     1,234,567  0.012s
            value     *** Exception: stack overflow       0        0        0     42      0             0  0.000s
        "#]]
        .assert_eq(&table(&[a, b]));
    }

    #[test]
    fn capture_keeps_a_bounded_prefix() {
        let mut c = Capture::default();
        for _ in 0..10_000 {
            assert_eq!(c.write(b"abc").expect("never fails"), 3);
        }
        assert_eq!(c.bytes.len(), CAPTURE_BYTES);
    }
}
