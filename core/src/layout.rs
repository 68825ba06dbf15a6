//! Layout: inserts the virtual braces and semicolons of spec §2.
//!
//! The parser then sees every block explicitly: `VLBrace item VSemi item
//! VRBrace`, or the user's own `{ item ; item }`. This module owns the
//! layout rule and nothing else: it knows which tokens open blocks (`of`,
//! `let`) and which close them, not the grammar. Read next: `parser`.
//!
//! # The rule
//!
//! A stack of contexts tracks the open blocks and brackets:
//!
//! * After `of` or `let`, unless `{` follows, the column `n` of the next
//!   token opens an implicit block: `VLBrace`, and `Implicit(n)` is pushed
//!   (an empty block `VLBrace VRBrace` if the next token is not indented
//!   past the enclosing block).
//! * A token first on its line at column `n`, with an implicit block of
//!   column `m` on top of the stack: `n < m` closes the block (`VRBrace`,
//!   repeatedly); `n == m` starts a new item (`VSemi`).
//! * A token in column 1 is a new top-level declaration: every open block
//!   is closed and every bracket forgotten, so that an error in one
//!   declaration (an unclosed parenthesis, say) cannot swallow the next.
//! * Haskell's "parse-error(t)" rule, which closes an implicit block when
//!   the next token cannot continue it, is approximated by markers: `(`,
//!   `[`, `if`, `then`, `case` and `let` push a marker, and `)`, `]`, `,`,
//!   `then`, `else`, `of` and `in` close every implicit block above their
//!   opener. So `let x = 1 in x + x`, `(case x of A -> 1)` and
//!   `if b then case x of A -> 1 else 2` all work on one line.

use crate::source::Span;
use crate::token::{Tok, Token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// The top level: declarations at column 1.
    Top,
    /// A laid-out block whose items start at this column.
    Implicit(u32),
    /// A block in the user's own braces.
    Explicit,
    Paren,
    Bracket,
    If,
    Then,
    Case,
    /// A `let` waiting for its `in`.
    Let,
}

impl Ctx {
    /// Contexts that a closing token never looks past.
    fn is_barrier(self) -> bool {
        matches!(self, Ctx::Top | Ctx::Explicit | Ctx::Paren | Ctx::Bracket)
    }
}

struct Layout {
    out: Vec<Token>,
    stack: Vec<Ctx>,
}

impl Layout {
    fn virtual_tok(&mut self, tok: Tok, at: Span) {
        let span = Span::new(at.file, at.start, at.start);
        self.out.push(Token {
            tok,
            span,
            col: 0,
            line_start: false,
        });
    }

    /// Closes the implicit blocks on top of the stack.
    fn close_implicit(&mut self, at: Span) {
        while let Some(Ctx::Implicit(_)) = self.stack.last() {
            self.stack.pop();
            self.virtual_tok(Tok::VRBrace, at);
        }
    }

    /// Finds `target` without looking past a barrier (other than `target`
    /// itself); if found, closes everything above it and returns true.
    fn close_to(&mut self, target: &[Ctx], at: Span) -> bool {
        let mut i = self.stack.len();
        let found = loop {
            if i == 0 {
                break None;
            }
            i -= 1;
            let c = self.stack[i];
            if target.contains(&c) {
                break Some(i);
            }
            if c.is_barrier() {
                break None;
            }
        };
        let Some(i) = found else { return false };
        while self.stack.len() > i + 1 {
            if let Some(Ctx::Implicit(_)) = self.stack.pop() {
                self.virtual_tok(Tok::VRBrace, at);
            }
        }
        true
    }

    /// Closes everything above `target` and `target` itself, if found.
    fn close_and_pop(&mut self, target: Ctx, at: Span) {
        if self.close_to(&[target], at) {
            self.stack.pop();
        }
    }

    fn enclosing_indent(&self) -> u32 {
        self.stack
            .iter()
            .rev()
            .find_map(|c| match c {
                Ctx::Implicit(n) => Some(*n),
                Ctx::Top => Some(1),
                _ => None,
            })
            .unwrap_or(1)
    }
}

/// Inserts virtual layout tokens. The input ends with `Eof`; so does the
/// output, preceded by the closing of every open implicit block.
pub fn layout(tokens: Vec<Token>) -> Vec<Token> {
    let mut l = Layout {
        out: Vec::with_capacity(tokens.len() + tokens.len() / 4),
        stack: vec![Ctx::Top],
    };
    // Set when the previous token opened a block, so that the block's first
    // token does not also start a new item.
    let mut pending_block = false;
    let mut first = true;
    for t in tokens {
        let span = t.span;
        if t.tok == Tok::Eof {
            while let Some(c) = l.stack.pop() {
                if let Ctx::Implicit(_) = c {
                    l.virtual_tok(Tok::VRBrace, span);
                }
            }
            l.out.push(t);
            break;
        }

        if pending_block {
            pending_block = false;
            if t.tok != Tok::LBrace {
                if t.col > l.enclosing_indent() && !(t.line_start && t.col == 1) {
                    l.stack.push(Ctx::Implicit(t.col));
                    l.virtual_tok(Tok::VLBrace, span);
                    emit(&mut l, t, &mut pending_block);
                    continue;
                }
                l.virtual_tok(Tok::VLBrace, span);
                l.virtual_tok(Tok::VRBrace, span);
            }
        }

        if t.line_start {
            if t.col == 1 {
                // A new top-level declaration: forget everything open.
                while l.stack.len() > 1 {
                    if let Some(Ctx::Implicit(_)) = l.stack.pop() {
                        l.virtual_tok(Tok::VRBrace, span);
                    }
                }
                if !first {
                    l.virtual_tok(Tok::VSemi, span);
                }
            } else {
                while let Some(&Ctx::Implicit(n)) = l.stack.last() {
                    if t.col < n {
                        l.stack.pop();
                        l.virtual_tok(Tok::VRBrace, span);
                    } else {
                        if t.col == n {
                            l.virtual_tok(Tok::VSemi, span);
                        }
                        break;
                    }
                }
            }
        }
        first = false;
        emit(&mut l, t, &mut pending_block);
    }
    l.out
}

/// Emits one real token, applying its closing and opening effects.
fn emit(l: &mut Layout, t: Token, pending_block: &mut bool) {
    let span = t.span;
    match &t.tok {
        Tok::In => {
            l.close_implicit(span);
            if let Some(Ctx::Let) = l.stack.last() {
                l.stack.pop();
            }
        }
        Tok::RParen => {
            l.close_and_pop(Ctx::Paren, span);
        }
        Tok::RBracket => {
            l.close_and_pop(Ctx::Bracket, span);
        }
        Tok::Comma => {
            l.close_to(&[Ctx::Paren, Ctx::Bracket], span);
        }
        Tok::Then => {
            if l.close_to(&[Ctx::If], span) {
                l.stack.pop();
            }
            l.stack.push(Ctx::Then);
        }
        Tok::Else => {
            l.close_and_pop(Ctx::Then, span);
        }
        Tok::Of => {
            l.close_and_pop(Ctx::Case, span);
        }
        Tok::RBrace => {
            l.close_and_pop(Ctx::Explicit, span);
        }
        _ => {}
    }
    match &t.tok {
        Tok::LParen => l.stack.push(Ctx::Paren),
        Tok::LBracket => l.stack.push(Ctx::Bracket),
        Tok::LBrace => l.stack.push(Ctx::Explicit),
        Tok::If => l.stack.push(Ctx::If),
        Tok::Case => l.stack.push(Ctx::Case),
        Tok::Let => {
            l.stack.push(Ctx::Let);
            *pending_block = true;
        }
        Tok::Of => *pending_block = true,
        _ => {}
    }
    l.out.push(t);
}
