//! `sloth repl`: the read–eval–print loop around a [`ReplSession`].
//!
//! This module gathers inputs from lines (`:{` … `:}` blocks, and
//! continuation while a bracket is open or a line ends in a word that
//! cannot end an input), dispatches commands by unique prefix, and reports
//! errors without ending the session (spec §7). When standard input is not
//! a terminal nothing but results and errors is printed, so a script piped
//! in gives a clean transcript. Read next: `session`.

use crate::run::thousands;
use crate::session::{Failure, ReplSession};
use crate::terminal::{Line, Lines};
use sloth_core::ast::Res;
use sloth_core::lexer::is_symbol_char;
use sloth_rts::inspect::sprint;
use sloth_stg::Strategy;
use std::io::Write;

/// The commands, for dispatch by unique prefix and for `:help`.
const COMMANDS: &[(&str, &str, &str)] = &[
    ("help", "", "list the commands"),
    ("quit", "", "leave the REPL"),
    (
        "load",
        "FILE...",
        "start afresh with the definitions of these files",
    ),
    (
        "reload",
        "",
        "load the same files again (after editing them)",
    ),
    ("type", "EXPR", "print EXPR :: its type"),
    (
        "info",
        "NAME",
        "its type, or its data type, and where it was defined",
    ),
    (
        "browse",
        "",
        "every definition in scope made here, with its type",
    ),
    (
        "sprint",
        "NAME",
        "NAME as far as it is evaluated (_: a thunk), forcing nothing",
    ),
    ("force", "NAME", "evaluate NAME fully and print it"),
    ("core", "EXPR", "the Core EXPR elaborates to"),
    ("stg", "EXPR", "the STG it lowers to (after simplification)"),
    ("bco", "EXPR", "its bytecode objects, disassembled"),
    (
        "set",
        "+s",
        "print time and allocation after each evaluation",
    ),
    (
        "set",
        "strategy S",
        "evaluate by need, name or value (keeps definitions)",
    ),
    ("unset", "+s", "stop printing them"),
    ("stats", "", "heap size, live data and collections so far"),
    ("gc", "", "collect garbage now"),
];

/// The command names, for completion.
pub fn command_names() -> Vec<String> {
    let mut names: Vec<String> = COMMANDS.iter().map(|(n, _, _)| n.to_string()).collect();
    names.dedup();
    names
}

/// A command name resolved from what the user typed.
fn resolve(word: &str) -> Result<&'static str, String> {
    if let Some((name, _, _)) = COMMANDS.iter().find(|(n, _, _)| *n == word) {
        return Ok(name);
    }
    let mut matches: Vec<&str> = COMMANDS
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| n.starts_with(word))
        .collect();
    matches.dedup();
    match matches[..] {
        [one] => Ok(one),
        [] => Err(format!("unknown command ':{word}' (:help lists them)")),
        _ => Err(format!(
            "ambiguous command ':{word}': {}",
            matches
                .iter()
                .map(|m| format!(":{m}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Words after which an input cannot be complete.
const CONTINUES: &[&str] = &["=", "->", "of", "let", "in", "then", "else"];

/// Whether `text` needs more lines: a bracket is open, or it ends in a
/// word of [`CONTINUES`]. Brackets inside string and character literals
/// and comments do not count.
fn incomplete(text: &str) -> bool {
    let mut depth: i32 = 0;
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\'' => {
                // A character literal: skip it (an apostrophe inside a name
                // is followed by no closing quote two characters on).
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    for d in chars.by_ref() {
                        if d == '\'' {
                            break;
                        }
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                // A line comment runs to the end of its line.
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 || in_string {
        return true;
    }
    let last = text
        .lines()
        .map(|l| l.split("--").next().unwrap_or("").trim_end())
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    let word = last.split_whitespace().last().unwrap_or("");
    // `f x=` and `\x->` end in `=` and `->` too; `x ==` does not end in `=`.
    let bare_equals = word
        .strip_suffix('=')
        .is_some_and(|before| !before.ends_with(is_symbol_char));
    CONTINUES.contains(&word) || word.ends_with("->") || bare_equals
}

pub struct Repl<'a> {
    pub session: ReplSession,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// `:set +s`.
    pub timing: bool,
    /// Heap and stack limits, for a fresh session (`:load`, `:set
    /// strategy`).
    pub max_heap_bytes: u64,
    pub max_stack_words: usize,
    /// The files of the last `:load`.
    pub loaded: Vec<String>,
}

/// What the loop does after a command.
pub enum Next {
    Continue,
    Quit,
}

impl Repl<'_> {
    /// Reads inputs from `lines` until the end, Ctrl-D or `:quit`.
    pub fn run(&mut self, lines: &mut dyn Lines) {
        lines.set_scope(&self.session.session.env.values);
        'inputs: loop {
            let first = match lines.read(false) {
                Line::Text(t) => t,
                Line::Interrupted => continue,
                Line::End => return,
            };
            let trimmed = first.trim();
            if trimmed.is_empty() {
                continue;
            }
            let input = if trimmed == ":{" {
                let mut block = Vec::new();
                loop {
                    match lines.read(true) {
                        Line::Text(l) if l.trim() == ":}" => break,
                        Line::Text(l) => block.push(l),
                        Line::Interrupted => continue 'inputs,
                        Line::End => break,
                    }
                }
                block.join("\n")
            } else if trimmed.starts_with(':') {
                if let Next::Quit = self.command(trimmed) {
                    return;
                }
                continue;
            } else {
                let mut text = first;
                while incomplete(&text) {
                    match lines.read(true) {
                        Line::Text(more) => {
                            text.push('\n');
                            text.push_str(&more);
                        }
                        Line::Interrupted => continue 'inputs,
                        Line::End => break,
                    }
                }
                text
            };
            self.eval(&input);
            lines.set_scope(&self.session.session.env.values);
        }
    }

    /// Evaluates or defines; reports a failure and carries on. Ctrl-C
    /// pressed before this evaluation does not interrupt it.
    pub fn eval(&mut self, text: &str) {
        self.session
            .machine
            .interrupt
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let started = std::time::Instant::now();
        let allocated = self.session.machine.heap.stats.words_allocated;
        if let Err(f) = self.session.input(text, self.out) {
            self.report(&f);
        }
        if self.timing {
            let bytes = (self.session.machine.heap.stats.words_allocated - allocated) * 8;
            let _ = writeln!(
                self.out,
                "({:.2} secs, {} bytes)",
                started.elapsed().as_secs_f64(),
                thousands(bytes)
            );
            let _ = self.out.flush();
        }
    }

    fn error(&mut self, msg: &str) {
        let _ = self.out.flush();
        let _ = writeln!(self.err, "{msg}");
        let _ = self.err.flush();
    }

    /// The global value `name`, or an error said.
    fn value_named(
        &mut self,
        command: &str,
        name: &str,
    ) -> Option<(sloth_rts::heap::Ptr, sloth_core::ir::Id)> {
        if name.is_empty() {
            self.error(&format!(":{command} needs a name"));
            return None;
        }
        let v = self.session.value(name);
        if v.is_none() {
            self.error(&format!("`{name}` is not a value defined at top level"));
        }
        v
    }

    fn report(&mut self, f: &Failure) {
        let _ = self.out.flush();
        let msg = match f {
            Failure::Compile(rendered) => rendered.trim_end().to_string(),
            Failure::Runtime(e) => self.session.runtime_message(e),
        };
        let _ = writeln!(self.err, "{msg}");
        let _ = self.err.flush();
    }

    /// Runs a command line (`:type x`); `Quit` when it was `:quit`.
    pub fn command(&mut self, line: &str) -> Next {
        let body = &line[1..];
        let (word, arg) = match body.find(char::is_whitespace) {
            Some(i) => (&body[..i], body[i..].trim()),
            None => (body, ""),
        };
        let name = match resolve(word) {
            Ok(n) => n,
            Err(e) => {
                let _ = writeln!(self.err, "{e}");
                return Next::Continue;
            }
        };
        match name {
            "quit" => return Next::Quit,
            "help" => {
                for (n, args, what) in COMMANDS {
                    let usage = format!(":{n} {args}");
                    let _ = writeln!(self.out, "  {:<16} {what}", usage.trim_end());
                }
                let _ = writeln!(
                    self.out,
                    "  {:<16} evaluate and print it (bound to `it`)\n  {:<16} add a definition",
                    "EXPR", "NAME ... = EXPR"
                );
            }
            "type" => {
                if arg.is_empty() {
                    let _ = writeln!(self.err, ":type needs an expression");
                    return Next::Continue;
                }
                match self.session.type_of(arg) {
                    Ok(t) => {
                        let data = &self.session.session.env.data;
                        let _ = writeln!(self.out, "{arg} :: {}", data.display(&t));
                    }
                    Err(f) => self.report(&f),
                }
            }
            "info" => self.info(arg),
            "browse" => {
                let env = &self.session.session.env;
                let mut lines = Vec::new();
                for &t in &self.session.types_defined {
                    lines.push(data_decl(&env.data, t));
                }
                for u in self.session.defined() {
                    let Some(id) = env.globals.get(&u) else {
                        continue;
                    };
                    // Shadowed definitions are out of scope.
                    if env.values.get(&id.name) == Some(&Res::Var(u)) {
                        lines.push(format!("{} :: {}", id.name, env.data.display(&id.ty)));
                    }
                }
                for l in lines {
                    let _ = writeln!(self.out, "{l}");
                }
            }
            "sprint" => {
                if let Some((p, _)) = self.value_named(name, arg) {
                    let shown = sprint(&self.session.machine, &self.session.session.env.data, p);
                    let _ = writeln!(self.out, "{arg} = {shown}");
                }
            }
            "force" => {
                if let Some((p, id)) = self.value_named(name, arg) {
                    let _ = write!(self.out, "{arg} = ");
                    self.session
                        .machine
                        .interrupt
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    let printed = self.session.print(&id.ty, p, self.out);
                    let _ = writeln!(self.out);
                    if let Err(e) = printed {
                        self.report(&Failure::Runtime(e));
                    }
                }
            }
            "set" | "unset" => match (name, &arg.split_whitespace().collect::<Vec<_>>()[..]) {
                (_, ["+s"]) => self.timing = name == "set",
                ("set", ["strategy", s]) => match s.parse::<Strategy>() {
                    Ok(st) => {
                        let replay = self.session.definitions();
                        self.restart(st, replay);
                    }
                    Err(e) => self.error(&e),
                },
                _ => self.error(&format!(
                    ":{name} takes +s (or :set strategy need|name|value)"
                )),
            },
            "load" => {
                self.loaded = arg.split_whitespace().map(str::to_string).collect();
                self.restart(self.session.strategy(), Vec::new());
            }
            "reload" => self.restart(self.session.strategy(), Vec::new()),
            "core" | "stg" | "bco" => {
                if arg.is_empty() {
                    self.error(&format!(":{name} needs an expression"));
                } else {
                    match self.session.dump(name, arg) {
                        Ok(text) => {
                            let _ = writeln!(self.out, "{}", text.trim_end());
                        }
                        Err(f) => self.report(&f),
                    }
                }
            }
            "stats" => {
                let h = &self.session.machine.heap;
                let _ = writeln!(
                    self.out,
                    "heap: {} bytes in use, {} bytes of space\n\
                     collections: {}, peak live data: {} bytes\n\
                     allocated since the start: {} bytes",
                    thousands(h.used_words() as u64 * 8),
                    thousands(h.capacity_words() as u64 * 8),
                    h.stats.collections,
                    thousands(h.stats.peak_live_words * 8),
                    thousands(h.stats.words_allocated * 8),
                );
            }
            "gc" => match self.session.machine.collect() {
                Ok(()) => {
                    let live = self.session.machine.heap.used_words() as u64 * 8;
                    let _ = writeln!(
                        self.out,
                        "live data after collection: {} bytes",
                        thousands(live)
                    );
                }
                Err(e) => self.report(&Failure::Runtime(e)),
            },
            _ => unreachable!("every command is handled"),
        }
        let _ = self.out.flush();
        Next::Continue
    }
}

impl Repl<'_> {
    /// A fresh session under `strategy`: the loaded files again, then the
    /// given definitions replayed. What fails is reported; the rest stays.
    fn restart(&mut self, strategy: Strategy, replay: Vec<String>) {
        let fresh = match ReplSession::new(strategy, self.max_heap_bytes, self.max_stack_words) {
            Ok(s) => s,
            Err(e) => return self.error(&e),
        };
        // Ctrl-C keeps reaching the running machine.
        let flag = self.session.machine.interrupt.clone();
        self.session = fresh;
        self.session.machine.interrupt = flag;
        for path in self.loaded.clone() {
            if let Err(f) = self.session.load_file(&path) {
                self.report(&f);
                break;
            }
        }
        for text in replay {
            // Definitions print nothing; `out` stays as it is.
            if let Err(f) = self.session.input(&text, &mut std::io::sink()) {
                self.report(&f);
            }
        }
    }

    /// `:info NAME`: a value's type, or a data type (of a type or
    /// constructor name) with its constructors, and where it was defined.
    fn info(&mut self, name: &str) {
        if name.is_empty() {
            return self.error(":info needs a name");
        }
        let env = &self.session.session.env;
        let sources = &self.session.session.sources;
        let at = |span: Option<sloth_core::source::Span>| match span {
            Some(s) => format!("\t-- defined at {}", sources.describe(s)),
            None => "\t-- built in".to_string(),
        };
        let mut lines = Vec::new();
        match env.values.get(name) {
            Some(Res::Var(u)) => {
                if let Some(id) = env.globals.get(u) {
                    lines.push(format!(
                        "{name} :: {}{}",
                        env.data.display(&id.ty),
                        at(env.def_spans.get(u).copied())
                    ));
                }
            }
            Some(Res::Con(c)) => {
                let t = env.data.con(*c).tycon;
                lines.push(format!(
                    "{}{}",
                    data_decl(&env.data, t),
                    at(env.data.con(*c).span)
                ));
            }
            Some(Res::Prim(p)) => lines.push(format!("{name} is a primitive ({})", p.name())),
            Some(Res::Overloaded(_)) => {
                lines.push(format!("{name} is overloaded at Int and Double (spec §4)"))
            }
            _ => {}
        }
        if let Some(&t) = env.types.get(name) {
            let info = env.data.tycon(t);
            lines.push(format!("{}{}", data_decl(&env.data, t), at(info.span)));
        }
        if lines.is_empty() {
            self.error(&format!("`{name}` is not in scope"));
            return;
        }
        for l in lines {
            let _ = writeln!(self.out, "{l}");
        }
    }
}

/// `data T a = A a | B`, as declared.
fn data_decl(data: &sloth_core::types::DataEnv, t: sloth_core::types::TyConId) -> String {
    let info = data.tycon(t);
    let mut head = format!("data {}", info.name);
    for p in &info.params {
        head.push(' ');
        head.push_str(&p.name);
    }
    let cons: Vec<String> = info
        .cons
        .iter()
        .map(|&c| {
            let con = data.con(c);
            let mut s = con.name.to_string();
            for f in &con.fields {
                let shown = data.display(f).to_string();
                s.push(' ');
                if shown.contains(' ') && !shown.starts_with('[') && !shown.starts_with('(') {
                    s.push_str(&format!("({shown})"));
                } else {
                    s.push_str(&shown);
                }
            }
            s
        })
        .collect();
    if cons.is_empty() {
        head
    } else {
        format!("{head} = {}", cons.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_resolve_by_unique_prefix() {
        assert_eq!(resolve("t"), Ok("type"));
        assert_eq!(resolve("sp"), Ok("sprint"));
        assert!(resolve("s").unwrap_err().contains(":sprint"));
        assert_eq!(resolve("quit"), Ok("quit"));
        assert!(resolve("x").unwrap_err().contains("unknown command ':x'"));
    }

    #[test]
    fn continuation_follows_brackets_and_final_words() {
        assert!(incomplete("f (x"));
        assert!(incomplete("f x ="));
        assert!(incomplete("case x of"));
        assert!(incomplete("if b then 1 else"));
        assert!(incomplete("\\x ->"));
        assert!(!incomplete("f x = x"));
        assert!(!incomplete("x == y"));
        assert!(!incomplete("\"(\""));
        assert!(!incomplete("'('"));
        assert!(!incomplete("f x -- (comment"));
        assert!(!incomplete("within"), "a word that merely ends in `in`");
    }
}
