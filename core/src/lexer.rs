//! Lexer: source text to tokens. (Being written.)

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::token::{Tok, Token};

/// Lexes a whole file. Always ends with one `Tok::Eof` token.
pub fn lex(src: &str, file: FileId) -> (Vec<Token>, Vec<Diagnostic>) {
    let end = src.len() as u32;
    (vec![Token { tok: Tok::Eof, span: Span::new(file, end, end), col: 1, line_start: true }], Vec::new())
}
