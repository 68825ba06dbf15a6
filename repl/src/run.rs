//! `sloth run`: the whole pipeline on one file, then the machine.
//!
//! Elaborated Core is simplified and lowered under the chosen strategy
//! (prelude and program), compiled to BCOs, verified, linked, and `main` is
//! evaluated and printed by the RTS printer, streaming to standard output.
//! Runtime errors and resource limits end the run with spec §7's message
//! and status.

use sloth_bco::compile::compile_program;
use sloth_core::ir::Module;
use sloth_core::session::Session;
use sloth_core::show::show_int_prec;
use sloth_rts::heap::HeapStats;
use sloth_rts::interp::{Machine, MachineStats, RunError};
use sloth_rts::printer::Printer;
use sloth_stg::{lower_with_prelude_as, Strategy};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct RunOptions {
    pub strategy: Strategy,
    pub limits: Limits,
    pub stats: bool,
}

/// The resources one run may use.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_heap_bytes: u64,
    pub max_stack_words: usize,
    /// Bytecode instructions before `RunError::StepLimit`.
    pub max_steps: u64,
    /// Collect at every allocation and check the heap after each
    /// collection (`--gc-stress`).
    pub gc_stress: bool,
    /// Start from the smallest heap the collector allows, so that it
    /// collects (and grows the space) as early as possible.
    pub small_heap: bool,
    /// Run the Core simplifier first (the default). Without it the counts
    /// are the strategy's own (`--no-simplify`; see
    /// `sloth_stg::lower_with_prelude_as`).
    pub simplify: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_heap_bytes: default_max_heap(),
            max_stack_words: DEFAULT_MAX_STACK_WORDS,
            max_steps: u64::MAX,
            gc_stress: false,
            small_heap: false,
            simplify: true,
        }
    }
}

/// The default `--max-stack`: 1 GiB of 8-byte words.
pub const DEFAULT_MAX_STACK_WORDS: usize = 1 << 27;

/// What one run of `main` did.
#[derive(Clone, Debug)]
pub struct Execution {
    /// `Ok` when `main` was printed whole; else why it stopped (after any
    /// partial output).
    pub result: Result<(), RunError>,
    pub machine: MachineStats,
    pub heap: HeapStats,
    /// Heap bytes the linker allocated (static closures), before `main`
    /// ran; counted in `heap.words_allocated` too.
    pub linked_bytes: u64,
    /// Peak live heap in bytes (at least what is live at the end).
    pub peak_live_bytes: u64,
    pub peak_stack_words: usize,
    /// Lowering, compiling and linking the prelude and the program.
    pub compile_time: Duration,
    /// Evaluating and printing `main` (collections included).
    pub run_time: Duration,
}

/// Lowers `program` (elaborated in `session`) and the prelude under
/// `strategy`, compiles and links them into a fresh machine, and prints
/// `main` to `out` as it evaluates (spec §6; no final newline). `interrupt`,
/// when given, is the flag a Ctrl-C handler sets. An error means the
/// program has no `main`.
pub fn execute(
    session: &mut Session,
    program: &Module,
    strategy: Strategy,
    limits: &Limits,
    interrupt: Option<&Arc<AtomicBool>>,
    out: &mut dyn Write,
) -> Result<Execution, String> {
    let main = program
        .binder("main")
        .cloned()
        .ok_or_else(|| "the program does not define `main`".to_string())?;
    let started = Instant::now();
    let lowered = lower_with_prelude_as(session, program, strategy, limits.simplify);
    let mut machine = Machine::new(limits.max_heap_bytes, limits.max_stack_words);
    machine.set_gc_stress(limits.gc_stress);
    if limits.small_heap {
        machine.heap.min_words = 0;
    }
    machine.max_steps = limits.max_steps;
    if let Some(flag) = interrupt {
        machine.interrupt = flag.clone();
    }
    let mut result = Ok(());
    for unit in [&lowered.prelude, &lowered.program] {
        let bcos = compile_program(&session.env.data, &lowered.env.globals, unit);
        // `link` assembles and verifies every BCO first.
        if let Err(e) = machine.link(&session.env.data, &bcos) {
            result = Err(e);
            break;
        }
    }
    let compile_time = started.elapsed();
    let linked_bytes = machine.heap.stats.words_allocated * 8;
    if result.is_ok() {
        let main_ptr = machine.global(main.unique).expect("main is linked");
        POLLING.store(interrupt.is_some(), Ordering::SeqCst);
        result = Printer {
            machine: &mut machine,
            data: &session.env.data,
            out,
        }
        .print_top(&main.ty, main_ptr);
        POLLING.store(false, Ordering::SeqCst);
        // A Ctrl-C after the last poll: the run finished, the output
        // stands (the flag is for the next run).
        if let Some(flag) = interrupt {
            if result.is_ok() {
                flag.store(false, Ordering::SeqCst);
            }
        }
    }
    let _ = out.flush();
    Ok(Execution {
        result,
        machine: machine.stats,
        heap: machine.heap.stats,
        linked_bytes,
        peak_live_bytes: machine
            .heap
            .stats
            .peak_live_words
            .max(machine.heap.used_words() as u64)
            * 8,
        peak_stack_words: machine.stack.peak_words,
        compile_time,
        run_time: started.elapsed() - compile_time,
    })
}

/// Whether a machine is running and polls the interrupt flag.
static POLLING: AtomicBool = AtomicBool::new(false);

/// The flag Ctrl-C sets for `sloth run` and `sloth compare`, with the
/// handler installed on first use (call it before compiling).
///
/// While a machine runs, Ctrl-C sets the flag and the machine stops at its
/// next call or loop iteration with `RunError::Interrupted`, which the
/// caller reports (spec §7: a message, exit 130). Before and between runs
/// — elaborating a large file, say — nothing polls, so the handler itself
/// says `sloth: interrupted` and exits 130. Nothing here changes terminal
/// modes, so there is nothing to restore. Failing to install the handler
/// only loses this.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = flag.clone();
        let _ = ctrlc::set_handler(move || {
            if POLLING.load(Ordering::SeqCst) {
                handler_flag.store(true, Ordering::SeqCst);
            } else {
                let _ = std::io::stdout().flush();
                eprintln!("\nsloth: interrupted");
                std::process::exit(130);
            }
        });
        flag
    })
    .clone()
}

/// Runs `main`; returns the exit status (0, or 1 for a runtime error).
pub fn run_program(session: &mut Session, program: &Module, opts: &RunOptions) -> u8 {
    let flag = interrupt_flag();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let run = execute(
        session,
        program,
        opts.strategy,
        &opts.limits,
        Some(&flag),
        &mut out,
    );
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            eprintln!("sloth: {e}");
            return 1;
        }
    };
    let status = match &run.result {
        Ok(()) => {
            let _ = out.write_all(b"\n");
            let _ = out.flush();
            0
        }
        Err(e) => report(session, e),
    };
    if opts.stats {
        let (h, s) = (run.heap, run.machine);
        eprintln!(
            "{} bytes allocated\n{} collections\n{} bytes peak live heap\n\
             {:.3} s compile+link, {:.3} s mutator, {:.3} s GC\n\
             {} thunks allocated, {} entered, {} updated\n\
             {} function calls\n\
             {} bytecode instructions executed\n{} words peak stack depth",
            h.words_allocated * 8,
            h.collections,
            run.peak_live_bytes,
            run.compile_time.as_secs_f64(),
            run.run_time.saturating_sub(h.gc_time).as_secs_f64(),
            h.gc_time.as_secs_f64(),
            s.thunks_allocated,
            s.thunks_entered,
            s.thunks_updated,
            s.calls,
            s.instructions,
            run.peak_stack_words,
        );
    }
    status
}

fn report(session: &Session, e: &RunError) -> u8 {
    eprintln!("{}", message(session, e));
    status(e)
}

/// What a runtime error, resource limit or interrupt says (spec §7), as
/// `sloth run` prints it.
pub fn message(session: &Session, e: &RunError) -> String {
    match e {
        RunError::BadCode(_) | RunError::HeapCorrupt(_) => describe(session, e),
        _ => format!("sloth: {}", describe(session, e)),
    }
}

/// The error itself, without a prefix: `divide by zero`.
pub fn describe(session: &Session, e: &RunError) -> String {
    match e {
        RunError::User(m) => m.clone(),
        RunError::PatternFail(span) => format!(
            "non-exhaustive patterns in case at {}",
            session.sources.describe(*span)
        ),
        RunError::DivideByZero => "divide by zero".into(),
        RunError::BadChr(n) => format!("Prelude.chr: bad argument: {}", show_int_prec(*n, 9)),
        RunError::Loop => "<<loop>>".into(),
        RunError::Heap(h) => h.to_string(),
        RunError::Stack(s) => s.to_string(),
        RunError::StepLimit => "step limit reached".into(),
        RunError::TooLarge(why) => why.clone(),
        RunError::Interrupted => "interrupted".into(),
        RunError::BadCode(why) => format!("internal error: the bytecode does not verify: {why}"),
        RunError::HeapCorrupt(why) => {
            format!("internal error: the heap check failed after a collection: {why}")
        }
    }
}

/// The exit status for a runtime error (spec §7).
pub fn status(e: &RunError) -> u8 {
    match e {
        RunError::Interrupted => 130,
        RunError::BadCode(_) | RunError::HeapCorrupt(_) => 70,
        _ => 1,
    }
}

/// `1234567` as `1,234,567` (as GHCi prints byte counts).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `512M`, `2G`, `1048576`, `64K` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&s[..i], s[i..].to_ascii_uppercase()),
        None => (s, String::new()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 512M, 2G)"))?;
    let scale: u64 = match unit.trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("`{s}` is not a size (e.g. 512M, 2G)")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Spec §7's default heap limit: 80% of physical memory.
pub fn default_max_heap() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|k| k.parse::<u64>().ok())
                })
        })
        .map(|kb| kb * 1024)
        .unwrap_or(8 << 30);
    total / 5 * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("64KB"), Ok(64 << 10));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
    }

    #[test]
    fn byte_counts_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
