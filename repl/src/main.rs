//! `sloth`: the command-line driver.
//!
//! `sloth run FILE` evaluates a program (module `run`); `sloth compare FILE`
//! runs it under each strategy and prints a table (module `compare`);
//! `sloth check FILE`
//! runs the front end (`sloth-core`); `sloth dump --core|--stg|--bco FILE`
//! prints an intermediate representation; every command reports with spec
//! §7's exit statuses; `sloth repl` is the REPL (the library's `repl` and
//! `session` modules). The driver owns
//! argument parsing, file reading and exit codes; every stage's work lives
//! in its crate. All compiler work runs on the big-stack compiler thread.

#![forbid(unsafe_code)]

use sloth::{compare, repl, run, session, terminal};

use clap::{Parser, Subcommand};
use sloth_core::session::{with_compiler_stack, Session};
use sloth_stg::Strategy;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit statuses of spec §7.
const EXIT_COMPILE_ERROR: u8 = 2;
const EXIT_USAGE: u8 = 64;

#[derive(Parser)]
#[command(
    name = "sloth",
    version,
    about = "A lazy functional runtime: Sloth Core, STG, bytecode."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a program's `main` and print it (spec §6).
    Run {
        /// The .core file.
        file: String,
        /// The evaluation strategy.
        #[arg(long, value_name = "need|name|value", default_value = "need")]
        strategy: Strategy,
        /// Print run statistics to standard error afterwards.
        #[arg(long)]
        stats: bool,
        /// The largest the heap may grow (e.g. 512M, 4G; default: 80% of
        /// physical memory).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_heap: Option<u64>,
        /// The largest the machine stack may grow (default 1G).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_stack: Option<u64>,
        /// Stop after this many bytecode instructions ("step limit
        /// reached", status 1; default: no limit).
        #[arg(long, value_name = "N")]
        max_steps: Option<u64>,
        /// Collect at every allocation and check the heap after each
        /// collection (slow: for testing the collector).
        #[arg(long)]
        gc_stress: bool,
        /// Run the Core the elaborator wrote, without the simplifier: the
        /// costs `--stats` shows are then the strategy's own.
        #[arg(long)]
        no_simplify: bool,
    },
    /// Run a program's `main` under need, name and value; print one table.
    ///
    /// A row per strategy: the result (what `main` printed; after a runtime
    /// error, the partial output then `*** Exception: ` and the error, cut
    /// to 48 characters), thunks allocated, entered and updated, function
    /// calls, bytes allocated, instructions executed, and the time to
    /// evaluate and print `main` (collections included, compiling not).
    ///
    /// Every run is bounded so that a strategy that diverges (by value,
    /// `take 3 [1 ..]`) ends in its row with a stack overflow, step limit or
    /// heap exhausted instead of hanging. The exit status is 0 when the
    /// three runs happened, whatever their results (a runtime error is a
    /// result); compile errors are reported as `sloth run` reports them,
    /// status 2; no `main`, 1. Ctrl-C stops the current run, prints the rows
    /// so far and exits 130.
    Compare {
        /// The .core file.
        file: String,
        /// The largest the heap may grow in each run (e.g. 512M, 4G;
        /// default: 80% of physical memory, as `sloth run`).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_heap: Option<u64>,
        /// The largest the machine stack may grow in each run (default
        /// 64M, a sixteenth of `sloth run`'s).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_stack: Option<u64>,
        /// The most bytecode instructions each run may execute.
        #[arg(long, value_name = "N", default_value_t = compare::DEFAULT_MAX_STEPS)]
        max_steps: u64,
        /// Run the Core the elaborator wrote, without the simplifier: the
        /// counts are then each strategy's own (the simplifier may remove
        /// call-by-name's re-evaluations).
        #[arg(long)]
        no_simplify: bool,
    },
    /// An interactive session, GHCi-like: evaluate expressions, add
    /// definitions (`:help` lists the commands).
    Repl {
        /// The evaluation strategy.
        #[arg(long, value_name = "need|name|value", default_value = "need")]
        strategy: Strategy,
        /// Files to load first (as `:load`).
        files: Vec<String>,
        /// The largest the heap may grow (default: 80% of physical memory).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_heap: Option<u64>,
        /// The largest the machine stack may grow (default 1G).
        #[arg(long, value_name = "SIZE", value_parser = run::parse_size)]
        max_stack: Option<u64>,
    },
    /// Check the evaluation-strategy properties on random well-typed
    /// programs (docs/strategies.md); print the first failure, shrunk, as
    /// Sloth Core source.
    Quickcheck {
        /// How many programs to generate.
        #[arg(long, default_value_t = 200)]
        count: u64,
        /// The random seed (the same seed generates the same programs).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How big programs get (quickcheck's size).
        #[arg(long, default_value_t = 60)]
        size: usize,
        /// Print the programs instead of checking them.
        #[arg(long)]
        sample: bool,
    },
    /// Type-check a file; silent and exit 0 when it is fine.
    Check {
        /// The .core file.
        file: String,
    },
    /// Print an intermediate representation of a file (the program's own
    /// definitions, not the prelude's).
    Dump {
        /// Print the elaborated, explicitly typed Core.
        #[arg(long, group = "ir")]
        core: bool,
        /// Print the STG the program is lowered to (after simplification).
        #[arg(long, group = "ir")]
        stg: bool,
        /// Print the bytecode objects the program compiles to.
        #[arg(long, group = "ir")]
        bco: bool,
        /// The evaluation strategy to lower with (for --stg and --bco).
        #[arg(long, value_name = "need|name|value", default_value = "need")]
        strategy: Strategy,
        /// The .core file.
        file: String,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(with_compiler_stack(move || run(cli)))
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Run {
            file,
            strategy,
            stats,
            max_heap,
            max_stack,
            max_steps,
            gc_stress,
            no_simplify,
        } => {
            let opts = run::RunOptions {
                strategy,
                limits: run::Limits {
                    max_heap_bytes: max_heap.unwrap_or_else(run::default_max_heap),
                    max_stack_words: max_stack
                        .map_or(run::DEFAULT_MAX_STACK_WORDS, |b| (b / 8) as usize),
                    max_steps: max_steps.unwrap_or(u64::MAX),
                    gc_stress,
                    simplify: !no_simplify,
                    ..run::Limits::default()
                },
                stats,
            };
            // Ctrl-C while compiling too (see `run::interrupt_flag`).
            run::interrupt_flag();
            let mut status = 0;
            let compiled = compile("run", &file, |s, m| status = run::run_program(s, m, &opts));
            if compiled != 0 {
                compiled
            } else {
                status
            }
        }
        Command::Compare {
            file,
            max_heap,
            max_stack,
            max_steps,
            no_simplify,
        } => {
            let defaults = compare::default_limits();
            let limits = run::Limits {
                max_heap_bytes: max_heap.unwrap_or(defaults.max_heap_bytes),
                max_stack_words: max_stack.map_or(defaults.max_stack_words, |b| (b / 8) as usize),
                max_steps,
                simplify: !no_simplify,
                ..defaults
            };
            run::interrupt_flag();
            let mut status = 0;
            let compiled = compile("compare", &file, |s, m| {
                status = compare::compare_program(s, m, &limits);
            });
            if compiled != 0 {
                compiled
            } else {
                status
            }
        }
        Command::Repl {
            strategy,
            files,
            max_heap,
            max_stack,
        } => {
            let max_heap_bytes = max_heap.unwrap_or_else(run::default_max_heap);
            let max_stack_words =
                max_stack.map_or(run::DEFAULT_MAX_STACK_WORDS, |b| (b / 8) as usize);
            let session = match session::ReplSession::new(strategy, max_heap_bytes, max_stack_words)
            {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{e}");
                    return 70;
                }
            };
            // Ctrl-C during an evaluation stops it (at the prompt the
            // terminal reads it as a key instead).
            let flag = session.machine.interrupt.clone();
            let _ =
                ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed));
            let interactive = std::io::stdin().is_terminal();
            let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
            let (mut out, mut err) = (stdout.lock(), stderr.lock());
            let mut lines: Box<dyn terminal::Lines> = if interactive {
                match terminal::TerminalLines::new(repl::command_names()) {
                    Ok(t) => {
                        let _ = writeln!(
                            out,
                            "sloth {}, a lazy functional runtime. :help lists the commands.",
                            env!("CARGO_PKG_VERSION")
                        );
                        Box::new(t)
                    }
                    Err(e) => {
                        eprintln!("sloth: {e}");
                        return 70;
                    }
                }
            } else {
                Box::new(terminal::PlainLines(std::io::stdin().lock()))
            };
            let mut r = repl::Repl {
                session,
                out: &mut out,
                err: &mut err,
                timing: false,
                max_heap_bytes,
                max_stack_words,
                loaded: files,
            };
            if !r.loaded.is_empty() {
                r.command(":reload");
            }
            r.run(lines.as_mut());
            0
        }
        Command::Quickcheck {
            count,
            seed,
            size,
            sample,
        } => {
            use sloth::properties::{search, CheckLimits};
            if sample {
                for (i, p) in sloth::properties::sample(count, seed, size)
                    .iter()
                    .enumerate()
                {
                    println!("-- program {i}\n{p}");
                }
                return 0;
            }
            let started = std::time::Instant::now();
            let report = search(count, seed, size, &CheckLimits::default());
            let secs = started.elapsed().as_secs_f64();
            match report.failure {
                None => {
                    println!(
                        "+++ OK: {} programs passed, {} discarded (need hit a limit); seed {seed}, size {size}, {secs:.1} s",
                        report.passed, report.discarded
                    );
                    0
                }
                Some((program, why, steps)) => {
                    println!(
                        "*** FAILED after {} passed, {} discarded (seed {seed}, size {size}); shrunk in {steps} steps to:\n\n{program}\n{why}",
                        report.passed, report.discarded
                    );
                    1
                }
            }
        }
        Command::Check { file } => compile("check", &file, |_, _| {}),
        Command::Dump {
            core,
            stg,
            bco,
            strategy,
            file,
        } => {
            if !core && !stg && !bco {
                eprintln!(
                    "sloth dump: say what to dump: --core, --stg or --bco\n\n\
                     Usage: sloth dump (--core | --stg | --bco) [--strategy need|name|value] FILE"
                );
                return EXIT_USAGE;
            }
            compile("dump", &file, |s, m| {
                let text = if core {
                    sloth_core::pretty::pretty_module(&s.env.data, m)
                } else {
                    let lowered = sloth_stg::lower_with_prelude(s, m, strategy);
                    let globals = &lowered.env.globals;
                    let known = |u| globals.contains_key(&u);
                    if let Err(problems) =
                        sloth_stg::lint::lint_program(&s.env.data, &known, &lowered.program)
                    {
                        eprintln!("internal error: STG lint failed:\n{}", problems.join("\n"));
                    }
                    if bco {
                        let unit = sloth_bco::compile::compile_program(
                            &s.env.data,
                            globals,
                            &lowered.program,
                        );
                        let name = |u| {
                            globals
                                .get(&u)
                                .map_or_else(|| format!("?{u}"), |g| g.var.name.to_string())
                        };
                        match sloth_bco::asm::assemble_unit(&unit).and_then(|packed| {
                            sloth_bco::disasm::disassemble_packed(&s.env.data, &name, &packed)
                        }) {
                            Ok(text) => text,
                            Err(e) => {
                                eprintln!("internal error: the bytecode does not assemble: {e}");
                                std::process::exit(70);
                            }
                        }
                    } else {
                        sloth_stg::pretty::pretty_program(&s.env.data, &lowered.program)
                    }
                };
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
                let _ = out.write_all(b"\n");
            })
        }
    }
}

/// Reads and elaborates a file, then hands the Core to `then`.
fn compile(
    command: &str,
    path: &str,
    then: impl FnOnce(&mut Session, &sloth_core::ir::Module),
) -> u8 {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            // Spec §7: a missing file is a usage error, reported with usage.
            eprintln!("sloth: cannot read {path}: {e}\n\nUsage: sloth {command} [OPTIONS] FILE");
            return EXIT_USAGE;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            eprintln!("error: {path} is not valid UTF-8 (at byte {at})");
            return EXIT_COMPILE_ERROR;
        }
    };
    let mut session = match Session::new() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("internal error: the prelude does not compile:\n{msg}");
            return 70;
        }
    };
    match session.elaborate(path, &text) {
        Ok(m) => {
            then(&mut session, &m);
            0
        }
        Err(errs) => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", session.render(&errs.0, color));
            EXIT_COMPILE_ERROR
        }
    }
}
