//! Tokens: what the lexer produces and the layout pass and parser consume.
//!
//! Read next: `lexer` (text to tokens), then `layout` (virtual braces).

use crate::source::Span;
use std::fmt;
use std::rc::Rc;

/// Interned-by-sharing name text. Cheap to clone, compared by content.
pub type Symbol = Rc<str>;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// `x`, `foldr`, `x'`, `quotInt#` (a trailing `#` is part of the name).
    VarId(Symbol),
    /// `Just`, `I#`, `Int#`.
    ConId(Symbol),
    /// An operator made of symbol characters that is not reserved:
    /// `+`, `++`, `:`, `.`, `-`, `==#`, `+##`, `$`, `!!`.
    Op(Symbol),
    /// A decimal or hexadecimal integer, wrapped to 64 bits two's complement.
    Int(i64),
    Double(f64),
    Char(char),
    String(Symbol),
    /// `3#`
    IntHash(i64),
    /// `2.5##`
    DoubleHash(f64),
    /// `'c'#`
    CharHash(char),

    // Keywords.
    Data,
    Case,
    Of,
    Let,
    In,
    If,
    Then,
    Else,
    Forall,
    /// `_`
    Underscore,

    // Reserved symbols.
    /// `=`
    Equals,
    /// `->`
    Arrow,
    /// `\`
    Backslash,
    /// `@`
    At,
    /// `::`
    DColon,
    /// `|`
    Bar,
    /// `;`
    Semi,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// `..`
    DotDot,
    /// `` ` ``
    Backquote,

    // Inserted by the layout pass, never by the lexer.
    VLBrace,
    VRBrace,
    VSemi,

    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
    /// 1-based column (in characters) of the token's first character.
    pub col: u32,
    /// Whether this is the first token on its line.
    pub line_start: bool,
}

impl fmt::Display for Tok {
    /// How a token is named in "expected X, found Y" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::VarId(s) => write!(f, "`{s}`"),
            Tok::ConId(s) => write!(f, "`{s}`"),
            Tok::Op(s) => write!(f, "`{s}`"),
            Tok::Int(n) => write!(f, "literal `{n}`"),
            Tok::Double(d) => write!(f, "literal `{d:?}`"),
            Tok::Char(c) => write!(f, "literal {c:?}"),
            Tok::String(_) => write!(f, "string literal"),
            Tok::IntHash(n) => write!(f, "literal `{n}#`"),
            Tok::DoubleHash(d) => write!(f, "literal `{d:?}##`"),
            Tok::CharHash(c) => write!(f, "literal {c:?}#"),
            Tok::Data => write!(f, "`data`"),
            Tok::Case => write!(f, "`case`"),
            Tok::Of => write!(f, "`of`"),
            Tok::Let => write!(f, "`let`"),
            Tok::In => write!(f, "`in`"),
            Tok::If => write!(f, "`if`"),
            Tok::Then => write!(f, "`then`"),
            Tok::Else => write!(f, "`else`"),
            Tok::Forall => write!(f, "`forall`"),
            Tok::Underscore => write!(f, "`_`"),
            Tok::Equals => write!(f, "`=`"),
            Tok::Arrow => write!(f, "`->`"),
            Tok::Backslash => write!(f, "`\\`"),
            Tok::At => write!(f, "`@`"),
            Tok::DColon => write!(f, "`::`"),
            Tok::Bar => write!(f, "`|`"),
            Tok::Semi => write!(f, "`;`"),
            Tok::Comma => write!(f, "`,`"),
            Tok::LParen => write!(f, "`(`"),
            Tok::RParen => write!(f, "`)`"),
            Tok::LBracket => write!(f, "`[`"),
            Tok::RBracket => write!(f, "`]`"),
            Tok::LBrace => write!(f, "`{{`"),
            Tok::RBrace => write!(f, "`}}`"),
            Tok::DotDot => write!(f, "`..`"),
            Tok::Backquote => write!(f, "backquote"),
            Tok::VLBrace => write!(f, "start of a block"),
            Tok::VRBrace => write!(f, "end of a block"),
            Tok::VSemi => write!(f, "new line in a block"),
            Tok::Eof => write!(f, "end of input"),
        }
    }
}
