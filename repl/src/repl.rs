//! `sloth repl`: the read–eval–print loop around a [`ReplSession`].
//!
//! This module gathers inputs from lines (`:{` … `:}` blocks, and
//! continuation while a bracket is open or a line ends in a word that
//! cannot end an input), dispatches commands by unique prefix, and reports
//! errors without ending the session (spec §7). When standard input is not
//! a terminal nothing but results and errors is printed, so a script piped
//! in gives a clean transcript. Read next: `session`.

use crate::session::{Failure, ReplSession};
use crate::terminal::{Line, Lines};
use sloth_core::lexer::is_symbol_char;
use std::io::Write;

/// The commands, for dispatch by unique prefix and for `:help`.
const COMMANDS: &[(&str, &str, &str)] = &[
    ("help", "", "list the commands"),
    ("quit", "", "leave the REPL"),
    ("type", "EXPR", "print EXPR :: its type"),
];

/// The command names, for completion.
pub fn command_names() -> Vec<String> {
    COMMANDS.iter().map(|(n, _, _)| n.to_string()).collect()
}

/// A command name resolved from what the user typed.
fn resolve(word: &str) -> Result<&'static str, String> {
    if let Some((name, _, _)) = COMMANDS.iter().find(|(n, _, _)| *n == word) {
        return Ok(name);
    }
    let matches: Vec<&str> = COMMANDS
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| n.starts_with(word))
        .collect();
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
}

/// What the loop does after a command.
enum Next {
    Continue,
    Quit,
}

impl Repl<'_> {
    /// Reads inputs from `lines` until the end, Ctrl-D or `:quit`.
    pub fn run(&mut self, lines: &mut dyn Lines) {
        lines.set_completions(self.completions());
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
            lines.set_completions(self.completions());
        }
    }

    /// Names in scope and constructors, for tab completion.
    fn completions(&self) -> Vec<String> {
        let env = &self.session.session.env;
        let mut names: Vec<String> = env.values.keys().map(|n| n.to_string()).collect();
        names.extend(env.data.cons.iter().map(|c| c.name.to_string()));
        names.retain(|n| !n.starts_with(' '));
        names
    }

    /// Evaluates or defines; reports a failure and carries on. Ctrl-C
    /// pressed before this evaluation does not interrupt it.
    pub fn eval(&mut self, text: &str) {
        self.session
            .machine
            .interrupt
            .store(false, std::sync::atomic::Ordering::Relaxed);
        if let Err(f) = self.session.input(text, self.out) {
            self.report(&f);
        }
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

    fn command(&mut self, line: &str) -> Next {
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
                let s = &mut self.session.session;
                match s.type_of("<interactive>", arg) {
                    Ok(t) => {
                        let _ = writeln!(self.out, "{arg} :: {}", s.env.data.display(&t));
                    }
                    Err(e) => {
                        let rendered = s.render(&e.0, false);
                        self.report(&Failure::Compile(rendered));
                    }
                }
            }
            _ => unreachable!("every command is handled"),
        }
        let _ = self.out.flush();
        Next::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_resolve_by_unique_prefix() {
        assert_eq!(resolve("t"), Ok("type"));
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
