//! Where the REPL's lines come from: a terminal (rustyline: prompt, line
//! editing, history in the user's data directory, tab completion of names,
//! constructors and commands) or anything else (plain lines, no prompt, so
//! a piped script prints only results and errors). Read next: `repl`.

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use sloth_core::env::Scope;
use std::cell::RefCell;
use std::io::BufRead;
use std::path::PathBuf;
use std::rc::Rc;

/// One line read, or why there is none.
pub enum Line {
    Text(String),
    /// Ctrl-C at the prompt: drop the input being typed.
    Interrupted,
    /// Ctrl-D, or the end of the input.
    End,
}

pub trait Lines {
    /// The next line; `continuation` says an input is being continued (a
    /// terminal shows a different prompt).
    fn read(&mut self, continuation: bool) -> Line;
    /// The names tab completion offers from now on (values and
    /// constructors in scope; commands are always offered). The scope is
    /// a persistent map, so passing it is cheap on every line.
    fn set_scope(&mut self, _scope: &Scope) {}
}

/// Lines from a pipe or file: no prompt, no editing.
pub struct PlainLines<R: BufRead>(pub R);

impl<R: BufRead> Lines for PlainLines<R> {
    fn read(&mut self, _continuation: bool) -> Line {
        let mut s = String::new();
        match self.0.read_line(&mut s) {
            Ok(0) | Err(_) => Line::End,
            Ok(_) => {
                let trimmed = s.trim_end_matches(['\n', '\r']).len();
                s.truncate(trimmed);
                Line::Text(s)
            }
        }
    }
}

/// Completion of the word before the cursor: a command after a leading
/// `:`, else a name.
struct Completion {
    names: Rc<RefCell<Scope>>,
    commands: Vec<String>,
}

/// Characters of a name (identifiers, and the `'` of `foldl'`).
fn in_name(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\''
}

impl Completion {
    /// Where the word being completed starts, and the candidates.
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| in_name(*c))
            .last()
            .map_or(pos, |(i, _)| i);
        let word = &before[start..];
        if before.trim_start().starts_with(':') && !before.trim_start().contains(' ') {
            let colon = before.find(':').expect("a colon");
            let typed = &before[colon + 1..];
            let cands = self
                .commands
                .iter()
                .filter(|c| c.starts_with(typed))
                .map(|c| format!(":{c}"))
                .collect();
            return (colon, cands);
        }
        if word.is_empty() {
            return (pos, Vec::new());
        }
        let mut cands: Vec<String> = self
            .names
            .borrow()
            .keys()
            .filter(|n| n.starts_with(word))
            .map(|n| n.to_string())
            .collect();
        cands.sort();
        cands.dedup();
        (start, cands)
    }
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, cands) = self.candidates(line, pos);
        Ok((
            start,
            cands
                .into_iter()
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c,
                })
                .collect(),
        ))
    }
}

impl Hinter for Completion {
    type Hint = String;
}
impl Highlighter for Completion {}
impl Validator for Completion {}
impl Helper for Completion {}

/// A terminal: rustyline with history and completion.
pub struct TerminalLines {
    editor: Editor<Completion, DefaultHistory>,
    names: Rc<RefCell<Scope>>,
    history: Option<PathBuf>,
}

impl TerminalLines {
    pub fn new(commands: Vec<String>) -> Result<TerminalLines, String> {
        let mut editor =
            Editor::<Completion, DefaultHistory>::new().map_err(|e| format!("terminal: {e}"))?;
        let names = Rc::new(RefCell::new(Scope::new()));
        editor.set_helper(Some(Completion {
            names: names.clone(),
            commands,
        }));
        let history = dirs::data_dir().map(|d| d.join("sloth").join("history"));
        if let Some(h) = &history {
            // No history yet is not an error.
            let _ = editor.load_history(h);
        }
        Ok(TerminalLines {
            editor,
            names,
            history,
        })
    }
}

impl Lines for TerminalLines {
    fn read(&mut self, continuation: bool) -> Line {
        let prompt = if continuation { "sloth| " } else { "sloth> " };
        match self.editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = self.editor.add_history_entry(line.as_str());
                }
                Line::Text(line)
            }
            Err(ReadlineError::Interrupted) => Line::Interrupted,
            Err(_) => Line::End,
        }
    }

    fn set_scope(&mut self, scope: &Scope) {
        *self.names.borrow_mut() = scope.clone();
    }
}

impl Drop for TerminalLines {
    fn drop(&mut self) {
        if let Some(h) = &self.history {
            if let Some(dir) = h.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.editor.save_history(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sloth_core::ast::Res;

    fn completion(names: &[&str]) -> Completion {
        Completion {
            names: Rc::new(RefCell::new(
                names.iter().map(|&s| (s.into(), Res::Var(0))).collect(),
            )),
            commands: vec!["type".into(), "quit".into(), "help".into()],
        }
    }

    #[test]
    fn completes_names_and_commands() {
        let c = completion(&["foldl'", "foldr", "filter", "Just"]);
        assert_eq!(
            c.candidates("map fol", 7),
            (4, vec!["foldl'".into(), "foldr".into()])
        );
        assert_eq!(c.candidates("Ju", 2), (0, vec!["Just".to_string()]));
        assert_eq!(c.candidates(":t", 2), (0, vec![":type".to_string()]));
        assert_eq!(c.candidates("x + ", 4), (4, vec![]));
    }
}
