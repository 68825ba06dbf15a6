//! Lexer: source text to tokens.
//!
//! Owns the lexical syntax of spec §1: comments (`--` line comments that are
//! not part of a longer operator, nested `{- -}` block comments), identifiers
//! (with an optional trailing `#`), keywords, operators (maximal munch, then
//! the reserved ones), the special characters, and every literal form with
//! Haskell's escapes, wrapping 64-bit integers and correctly rounded doubles.
//! Each [`Token`] carries its byte [`Span`], its 1-based column (tabs stop at
//! 1, 9, 17, …) and whether it is the first token on its line; a token after
//! a multi-line `{- -}` comment counts as first on its line, a token after a
//! multi-line string (string gap) does not, as in the Haskell report.
//!
//! It does not know layout: it never produces `VLBrace`, `VRBrace` or
//! `VSemi`; the next module, `layout`, inserts those from `col` and
//! `line_start`. Nor does it know operator precedence, which operators exist
//! (`Op("<$>")` is a token; the parser or renamer rejects it) or what names
//! mean. Errors never stop lexing except an unterminated block comment (the
//! rest of the file is inside it) and the cap of [`MAX_ERRORS`]; the token
//! list always ends with exactly one `Tok::Eof`. It is linear in the input and
//! never panics. Read next: `layout`.
//!
//! Choices where the spec is silent (for `docs/language.md`):
//! `\` and `@` are always tokens of their own, never part of an operator, so
//! `\@a`, `f @Int` and `f=\x -> x` lex as they read (and `--\` starts a
//! comment); `0o17` octal literals are accepted, as in Haskell 2010; Unicode
//! letters may form names (an uppercase first letter makes a constructor);
//! a byte-order mark at the start is ignored; `1e400` is infinity. After an
//! error the lexer still emits a plausible token (an `Int#` for `3##`, the
//! text so far for an unterminated string) so the parser sees the intended
//! shape. `Eof` has the column of the end of the input.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::token::{Symbol, Tok, Token};
use std::collections::HashMap;
use std::rc::Rc;

/// Lexical errors reported before the lexer gives up with "too many errors".
pub const MAX_ERRORS: usize = 50;

/// Lexes a whole file. Always ends with one `Tok::Eof` token, whose span is
/// the empty range at the end of the input.
pub fn lex(src: &str, file: FileId) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(src, file);
    lexer.run();
    (lexer.tokens, lexer.diags)
}

/// Whether `c` is one of the characters operators are made of:
/// `! # $ % & * + . / < = > ? @ \ ^ | - ~ :`.
///
/// `\` and `@` are in the set but always lex as tokens of their own
/// (`Backslash`, `At`): no operator contains them, so `\@a`, `f @Int` and
/// `f=\x -> x` all mean what they look like.
pub fn is_symbol_char(c: char) -> bool {
    c.is_ascii() && is_symbol_byte(c as u8)
}

fn is_symbol_byte(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'*'
            | b'+'
            | b'.'
            | b'/'
            | b'<'
            | b'='
            | b'>'
            | b'?'
            | b'@'
            | b'\\'
            | b'^'
            | b'|'
            | b'-'
            | b'~'
            | b':'
    )
}

/// A symbol character that can continue an operator (everything but `\` and
/// `@`, which are always tokens of their own).
fn is_op_byte(b: u8) -> bool {
    is_symbol_byte(b) && b != b'\\' && b != b'@'
}

/// The ASCII control-character names usable as escapes (`\NUL`, `\ESC`, …).
const ASCII_ESCAPES: [(&str, char); 34] = [
    ("NUL", '\x00'),
    ("SOH", '\x01'),
    ("STX", '\x02'),
    ("ETX", '\x03'),
    ("EOT", '\x04'),
    ("ENQ", '\x05'),
    ("ACK", '\x06'),
    ("BEL", '\x07'),
    ("BS", '\x08'),
    ("HT", '\x09'),
    ("LF", '\x0A'),
    ("VT", '\x0B'),
    ("FF", '\x0C'),
    ("CR", '\x0D'),
    ("SO", '\x0E'),
    ("SI", '\x0F'),
    ("DLE", '\x10'),
    ("DC1", '\x11'),
    ("DC2", '\x12'),
    ("DC3", '\x13'),
    ("DC4", '\x14'),
    ("NAK", '\x15'),
    ("SYN", '\x16'),
    ("ETB", '\x17'),
    ("CAN", '\x18'),
    ("EM", '\x19'),
    ("SUB", '\x1A'),
    ("ESC", '\x1B'),
    ("FS", '\x1C'),
    ("GS", '\x1D'),
    ("RS", '\x1E'),
    ("US", '\x1F'),
    ("SP", ' '),
    ("DEL", '\x7F'),
];

const ESCAPES_NOTE: &str = "valid escapes: \\n \\t \\r \\\\ \\\" \\' \\a \\b \\f \\v, \
     decimal \\65, hexadecimal \\x41, octal \\o101, control \\^A, ASCII names like \\NUL or \\ESC, \
     and in strings \\& (nothing) and string gaps";

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    file: FileId,
    /// Byte offset of the next character to lex; always a char boundary.
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
    /// Set by an unterminated block comment or too many errors.
    stopped: bool,
    /// Column cursor: `ccol` is the column of byte offset `cpos`.
    cpos: usize,
    ccol: u32,
    /// A newline has been passed since the last token was emitted.
    newline: bool,
    /// Names and operators seen so far, so equal names share one `Rc`.
    names: HashMap<&'a str, Symbol>,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, file: FileId) -> Lexer<'a> {
        Lexer {
            src,
            b: src.as_bytes(),
            file,
            pos: 0,
            tokens: Vec::with_capacity(src.len() / 4 + 1),
            diags: Vec::new(),
            stopped: false,
            cpos: 0,
            ccol: 1,
            newline: false,
            names: HashMap::new(),
        }
    }

    fn run(&mut self) {
        // A byte-order mark is not part of the text and takes no column.
        if self.src.starts_with('\u{FEFF}') {
            self.pos = 3;
            self.cpos = 3;
        }
        loop {
            self.skip_trivia();
            if self.stopped || self.pos >= self.b.len() {
                break;
            }
            self.token();
            if self.stopped {
                break;
            }
        }
        let end = self.b.len();
        self.emit(Tok::Eof, end, end);
    }

    // ---- helpers -------------------------------------------------------

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start as u32, end as u32)
    }

    /// The character starting at byte `i`, if `i` is a char boundary inside
    /// the input.
    fn char_at(&self, i: usize) -> Option<char> {
        self.src.get(i..).and_then(|s| s.chars().next())
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn intern(&mut self, text: &'a str) -> Symbol {
        if let Some(sym) = self.names.get(text) {
            return sym.clone();
        }
        let sym: Symbol = Rc::from(text);
        self.names.insert(text, sym.clone());
        sym
    }

    /// Moves the column cursor forward to byte `to` (a char boundary).
    fn advance_cursor(&mut self, to: usize) {
        if to <= self.cpos {
            return;
        }
        let mut col = self.ccol;
        for &byte in &self.b[self.cpos..to] {
            match byte {
                b'\n' => {
                    col = 1;
                    self.newline = true;
                }
                b'\t' => col = ((col - 1) / 8 + 1).saturating_mul(8).saturating_add(1),
                // A UTF-8 continuation byte: not the start of a character.
                0x80..=0xBF => {}
                _ => col = col.saturating_add(1),
            }
        }
        self.ccol = col;
        self.cpos = to;
    }

    fn emit(&mut self, tok: Tok, start: usize, end: usize) {
        self.advance_cursor(start);
        let line_start = self.newline || self.tokens.is_empty();
        let col = self.ccol;
        self.advance_cursor(end);
        self.newline = false;
        let span = self.span(start, end);
        self.tokens.push(Token {
            tok,
            span,
            col,
            line_start,
        });
    }

    fn report(&mut self, diag: Diagnostic) {
        if self.stopped {
            return;
        }
        if self.diags.len() >= MAX_ERRORS {
            let span = diag
                .primary_span()
                .unwrap_or_else(|| self.span(self.pos, self.pos));
            self.diags.push(
                Diagnostic::error(span, "too many errors; stopping")
                    .with_note(format!("the lexer gives up after {MAX_ERRORS} errors")),
            );
            self.stopped = true;
            return;
        }
        self.diags.push(diag);
    }

    // ---- whitespace and comments --------------------------------------

    fn skip_trivia(&mut self) {
        while let Some(byte) = self.byte(self.pos) {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => self.pos += 1,
                b'-' => {
                    let mut i = self.pos;
                    while self.byte(i) == Some(b'-') {
                        i += 1;
                    }
                    let dashes = i - self.pos;
                    if dashes < 2 || self.byte(i).is_some_and(is_op_byte) {
                        return; // `-`, `->`, `-->`, `-#`: an operator
                    }
                    while let Some(c) = self.byte(i) {
                        if c == b'\n' {
                            break;
                        }
                        i += 1;
                    }
                    self.pos = i;
                }
                b'{' if self.byte(self.pos + 1) == Some(b'-') => {
                    self.block_comment();
                    if self.stopped {
                        return;
                    }
                }
                0x80.. => match self.char_at(self.pos) {
                    Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    /// At `{-`: skips a nested block comment. An unterminated one swallows
    /// the rest of the input, so it stops the lexer.
    fn block_comment(&mut self) {
        let start = self.pos;
        let b = self.b;
        let mut depth = 0usize;
        let mut i = start;
        while i < b.len() {
            if b[i] == b'{' && b.get(i + 1) == Some(&b'-') {
                depth += 1;
                i += 2;
            } else if b[i] == b'-' && b.get(i + 1) == Some(&b'}') {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    self.pos = i;
                    return;
                }
            } else {
                i += 1;
            }
        }
        let mut diag = Diagnostic::error(self.span(start, start + 2), "unterminated block comment")
            .with_label("comment starts here");
        if depth > 1 {
            diag = diag.with_note(format!(
                "`{{-` comments nest: {depth} are still open at the end of the file, \
                 and each needs its own `-}}`"
            ));
        }
        self.report(diag);
        self.pos = b.len();
        self.stopped = true;
    }

    // ---- tokens --------------------------------------------------------

    /// Lexes one token at `self.pos`, which is not whitespace or a comment.
    fn token(&mut self) {
        let start = self.pos;
        let byte = self.b[start];
        let single = match byte {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b',' => Some(Tok::Comma),
            b';' => Some(Tok::Semi),
            b'`' => Some(Tok::Backquote),
            b'\\' => Some(Tok::Backslash),
            b'@' => Some(Tok::At),
            _ => None,
        };
        if let Some(tok) = single {
            self.pos = start + 1;
            self.emit(tok, start, start + 1);
            return;
        }
        match byte {
            b'"' => self.string(),
            b'\'' => self.char_lit(),
            b'0'..=b'9' => self.number(),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.ident(),
            _ if is_op_byte(byte) => self.operator(),
            _ => match self.char_at(start) {
                Some(c) if c.is_alphabetic() => self.ident(),
                Some(c) => self.unexpected(c),
                // Unreachable: `pos` is always a char boundary inside the
                // input. Skip a byte rather than loop.
                None => self.pos = start + 1,
            },
        }
    }

    fn ident(&mut self) {
        let start = self.pos;
        let Some(first) = self.char_at(start) else {
            self.pos = start + 1;
            return;
        };
        let mut i = start + first.len_utf8();
        while let Some(byte) = self.byte(i) {
            if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'\'' {
                i += 1;
            } else if byte >= 0x80 {
                match self.char_at(i) {
                    Some(c) if c.is_alphanumeric() => i += c.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
        if self.byte(i) == Some(b'#') {
            i += 1;
        }
        let text = &self.src[start..i];
        let tok = match text {
            "data" => Tok::Data,
            "case" => Tok::Case,
            "of" => Tok::Of,
            "let" => Tok::Let,
            "in" => Tok::In,
            "if" => Tok::If,
            "then" => Tok::Then,
            "else" => Tok::Else,
            "forall" => Tok::Forall,
            "_" => Tok::Underscore,
            _ if first.is_uppercase() => Tok::ConId(self.intern(text)),
            _ => Tok::VarId(self.intern(text)),
        };
        self.pos = i;
        self.emit(tok, start, i);
    }

    fn operator(&mut self) {
        let start = self.pos;
        let mut i = start;
        while self.byte(i).is_some_and(is_op_byte) {
            i += 1;
        }
        let text = &self.src[start..i];
        let tok = match text {
            "=" => Tok::Equals,
            "->" => Tok::Arrow,
            "::" => Tok::DColon,
            "|" => Tok::Bar,
            ".." => Tok::DotDot,
            _ => Tok::Op(self.intern(text)),
        };
        self.pos = i;
        self.emit(tok, start, i);
    }

    fn unexpected(&mut self, c: char) {
        let start = self.pos;
        let end = start + c.len_utf8();
        let mut diag = Diagnostic::error(
            self.span(start, end),
            format!(
                "unexpected character `{}` (U+{:04X})",
                c.escape_debug(),
                c as u32
            ),
        );
        match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' => {
                diag = diag.with_note("this is a typographic quote; string literals use `\"`")
            }
            '\u{2018}' | '\u{2019}' => {
                diag = diag.with_note("this is a typographic quote; character literals use `'`")
            }
            _ => {}
        }
        self.report(diag);
        self.pos = end;
    }

    // ---- numbers -------------------------------------------------------

    fn digits(&self, mut i: usize, radix: u32) -> usize {
        while self.byte(i).is_some_and(|b| (b as char).is_digit(radix)) {
            i += 1;
        }
        i
    }

    /// How many `#` (at most two) follow byte `i`.
    fn hashes(&self, i: usize) -> usize {
        match (self.byte(i), self.byte(i + 1)) {
            (Some(b'#'), Some(b'#')) => 2,
            (Some(b'#'), _) => 1,
            _ => 0,
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        // `0x1F`, `0o17`: only when a digit of that radix follows, so `0xg`
        // is `0` then `xg`, as in Haskell.
        if self.byte(start) == Some(b'0') {
            let radix = match self.byte(start + 1) {
                Some(b'x' | b'X') => 16,
                Some(b'o' | b'O') => 8,
                _ => 0,
            };
            if radix != 0
                && self
                    .byte(start + 2)
                    .is_some_and(|b| (b as char).is_digit(radix))
            {
                let end = self.digits(start + 2, radix);
                let value = self.src[start + 2..end]
                    .bytes()
                    .filter_map(|b| (b as char).to_digit(radix))
                    .fold(0u64, |v, d| {
                        v.wrapping_mul(radix as u64).wrapping_add(d as u64)
                    });
                self.int_literal(start, end, value as i64);
                return;
            }
        }
        let int_end = self.digits(start, 10);
        let mut end = int_end;
        let mut is_float = false;
        // A `.` belongs to the number only before a digit: `[1..10]`, `1.`.
        if self.byte(end) == Some(b'.') && self.byte(end + 1).is_some_and(|b| b.is_ascii_digit()) {
            is_float = true;
            end = self.digits(end + 1, 10);
        }
        if matches!(self.byte(end), Some(b'e' | b'E')) {
            let mut j = end + 1;
            if matches!(self.byte(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if self.byte(j).is_some_and(|b| b.is_ascii_digit()) {
                is_float = true;
                end = self.digits(j, 10);
            }
        }
        if is_float {
            let text = &self.src[start..end];
            // Rust's parser is correctly rounded; it cannot fail on this
            // syntax, but never panic.
            let value = text.parse::<f64>().unwrap_or(f64::NAN);
            let (tok, end) = match self.hashes(end) {
                0 => (Tok::Double(value), end),
                1 => {
                    self.report(
                        Diagnostic::error(
                            self.span(start, end + 1),
                            format!(
                                "`Float#` literals are not supported; write `{text}##` for a `Double#`"
                            ),
                        )
                        .with_label("a `Float#` literal"),
                    );
                    (Tok::DoubleHash(value), end + 1)
                }
                _ => (Tok::DoubleHash(value), end + 2),
            };
            self.pos = end;
            self.emit(tok, start, end);
        } else {
            let value = self.b[start..int_end].iter().fold(0u64, |v, &d| {
                v.wrapping_mul(10).wrapping_add((d - b'0') as u64)
            });
            self.int_literal(start, int_end, value as i64);
        }
    }

    /// An integer literal's digits end at `end`; handles the `#` suffix.
    fn int_literal(&mut self, start: usize, end: usize, value: i64) {
        let (tok, end) = match self.hashes(end) {
            0 => (Tok::Int(value), end),
            1 => (Tok::IntHash(value), end + 1),
            _ => {
                let text = &self.src[start..end];
                self.report(
                    Diagnostic::error(self.span(start, end + 2), "`Word#` literals are not supported")
                        .with_label("a `Word#` literal")
                        .with_note(format!(
                            "the unboxed literals are `Int#` ({text}#), `Double#` (2.5##) and `Char#` ('c'#)"
                        )),
                );
                (Tok::IntHash(value), end + 2)
            }
        };
        self.pos = end;
        self.emit(tok, start, end);
    }

    // ---- characters and strings ----------------------------------------

    fn char_lit(&mut self) {
        let start = self.pos;
        match self.byte(start + 1) {
            None | Some(b'\n') | Some(b'\r') => {
                self.report(
                    Diagnostic::error(
                        self.span(start, start + 1),
                        "unterminated character literal",
                    )
                    .with_label("expected a character and a closing `'`"),
                );
                self.pos = start + 1;
                return;
            }
            Some(b'\'') if self.byte(start + 2) == Some(b'\'') => {
                self.report(
                    Diagnostic::error(
                        self.span(start, start + 3),
                        "invalid character literal `'''`",
                    )
                    .with_note("a single quote character is written '\\''"),
                );
                self.pos = start + 3;
                self.emit(Tok::Char('\''), start, start + 3);
                return;
            }
            Some(b'\'') => {
                self.report(
                    Diagnostic::error(self.span(start, start + 2), "empty character literal")
                        .with_note("a character literal holds exactly one character, like 'a'"),
                );
                self.pos = start + 2;
                return;
            }
            _ => {}
        }
        self.pos = start + 1;
        let errors_before = self.diags.len();
        let c = if self.byte(self.pos) == Some(b'\\') {
            self.escape(false).unwrap_or('\u{FFFD}')
        } else {
            match self.char_at(self.pos) {
                Some(c) => {
                    self.pos += c.len_utf8();
                    c
                }
                None => {
                    self.pos += 1;
                    '\u{FFFD}'
                }
            }
        };
        if self.byte(self.pos) == Some(b'\'') {
            self.pos += 1;
            let tok = if self.byte(self.pos) == Some(b'#') {
                self.pos += 1;
                Tok::CharHash(c)
            } else {
                Tok::Char(c)
            };
            self.emit(tok, start, self.pos);
            return;
        }
        // No closing quote right after one character: if one comes later
        // on the line, this is a literal with several characters.
        let mut j = self.pos;
        while let Some(byte) = self.byte(j) {
            if byte == b'\n' || byte == b'\'' {
                break;
            }
            j += 1;
        }
        // After a bad escape, say nothing more about this literal.
        let quiet = self.diags.len() > errors_before;
        if self.byte(j) == Some(b'\'') {
            self.pos = j + 1;
            if !quiet {
                self.report(
                Diagnostic::error(
                    self.span(start, j + 1),
                    "character literal contains more than one character",
                )
                .with_note("a character literal holds exactly one character; for text use a string, \"like this\""),
            );
            }
        } else if !quiet {
            self.report(
                Diagnostic::error(self.span(start, self.pos), "unterminated character literal")
                    .with_label("expected a closing `'` after this"),
            );
        }
        self.emit(Tok::Char(c), start, self.pos);
    }

    fn string(&mut self) {
        let start = self.pos;
        let mut i = start + 1;
        // Only allocated once an escape shows the text is not a plain slice.
        let mut buf: Option<String> = None;
        let mut run = i;
        // (end of the text, end of the token)
        let (text_end, end) = loop {
            match self.byte(i) {
                Some(b'"') => break (i, i + 1),
                None | Some(b'\n') => {
                    let mut line_end = i;
                    if line_end > run && self.byte(line_end - 1) == Some(b'\r') {
                        line_end -= 1;
                    }
                    let mut diag = Diagnostic::error(
                        self.span(start, line_end),
                        "unterminated string literal",
                    )
                    .with_label("this string is not closed");
                    if i < self.b.len() {
                        diag = diag.with_note(
                            "a string literal cannot span lines: write \\n for a newline, \
                             or continue it with a string gap (\\ at the end of the line, \\ at the start of the next)",
                        );
                    }
                    self.report(diag);
                    break (line_end, i);
                }
                Some(b'\\') => {
                    let s = buf.get_or_insert_with(String::new);
                    s.push_str(&self.src[run..i]);
                    self.pos = i;
                    if let Some(c) = self.escape(true) {
                        s.push(c);
                    }
                    i = self.pos;
                    run = i;
                }
                // Continuation bytes never equal the ASCII bytes above, so
                // stepping bytewise keeps `run` and `i` on char boundaries
                // wherever they are used to slice.
                Some(_) => i += 1,
            }
        };
        let text: Symbol = match buf {
            None => Rc::from(&self.src[run..text_end]),
            Some(mut s) => {
                s.push_str(&self.src[run..text_end]);
                Rc::from(s)
            }
        };
        self.pos = end;
        self.emit(Tok::String(text), start, end);
    }

    /// At a backslash in a character or string literal: consumes the escape
    /// and returns the character it stands for, or `None` for `\&`, a string
    /// gap, or a backslash at the end of the line or input (the caller
    /// reports the unterminated literal). Reports bad escapes and returns a
    /// stand-in character for them.
    fn escape(&mut self, in_string: bool) -> Option<char> {
        let bs = self.pos;
        let Some(c) = self.char_at(bs + 1) else {
            self.pos = bs + 1;
            return None;
        };
        let simple = match c {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0C'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0B'),
            '\\' | '"' | '\'' => Some(c),
            _ => None,
        };
        if simple.is_some() {
            self.pos = bs + 2;
            return simple;
        }
        match c {
            '0'..='9' => self.numeric_escape(bs, bs + 1, 10),
            'x' | 'o' => {
                let radix = if c == 'x' { 16 } else { 8 };
                if self
                    .byte(bs + 2)
                    .is_some_and(|b| (b as char).is_digit(radix))
                {
                    self.numeric_escape(bs, bs + 2, radix)
                } else {
                    let kind = if radix == 16 { "hexadecimal" } else { "octal" };
                    self.report(
                        Diagnostic::error(
                            self.span(bs, bs + 2),
                            format!("invalid escape sequence `\\{c}`"),
                        )
                        .with_label(format!("expected {kind} digits after `\\{c}`")),
                    );
                    self.pos = bs + 2;
                    Some('\u{FFFD}')
                }
            }
            '^' => match self.byte(bs + 2) {
                Some(ctl @ b'@'..=b'_') => {
                    self.pos = bs + 3;
                    Some(char::from(ctl - b'@'))
                }
                _ => {
                    self.report(
                        Diagnostic::error(self.span(bs, bs + 2), "invalid escape sequence `\\^`")
                            .with_label("expected one of `@A-Z[\\]^_` after `\\^`"),
                    );
                    self.pos = bs + 2;
                    Some('\u{FFFD}')
                }
            },
            'A'..='Z' => {
                let rest = &self.src[bs + 1..];
                let best = ASCII_ESCAPES
                    .iter()
                    .filter(|(name, _)| rest.starts_with(name))
                    .max_by_key(|(name, _)| name.len());
                match best {
                    Some(&(name, ch)) => {
                        self.pos = bs + 1 + name.len();
                        Some(ch)
                    }
                    None => self.unknown_escape(bs, c),
                }
            }
            '&' if in_string => {
                self.pos = bs + 2;
                None
            }
            '\n' | '\r' if !in_string => {
                self.pos = bs + 1;
                None
            }
            _ if in_string && c.is_whitespace() => {
                self.string_gap(bs);
                None
            }
            _ => self.unknown_escape(bs, c),
        }
    }

    fn unknown_escape(&mut self, bs: usize, c: char) -> Option<char> {
        let end = bs + 1 + c.len_utf8();
        self.report(
            Diagnostic::error(
                self.span(bs, end),
                format!("unknown escape sequence `\\{}`", c.escape_debug()),
            )
            .with_note(ESCAPES_NOTE),
        );
        self.pos = end;
        Some(c)
    }

    /// `\65`, `\x41`, `\o101`: digits start at `from`; takes as many as
    /// there are, as Haskell does (`\&` separates a following digit).
    fn numeric_escape(&mut self, bs: usize, from: usize, radix: u32) -> Option<char> {
        let end = self.digits(from, radix);
        let value = self.src[from..end]
            .bytes()
            .filter_map(|b| (b as char).to_digit(radix))
            .fold(0u32, |v, d| v.saturating_mul(radix).saturating_add(d));
        self.pos = end;
        match char::from_u32(value) {
            Some(c) => Some(c),
            None => {
                self.report(
                    Diagnostic::error(self.span(bs, end), "character literal out of range")
                        .with_note(
                        "a character is a Unicode scalar value: at most \\x10FFFF (\\1114111), \
                             and not a surrogate (\\xD800 to \\xDFFF)",
                    ),
                );
                Some('\u{FFFD}')
            }
        }
    }

    /// At `\` followed by whitespace in a string: skips the gap up to and
    /// including its closing `\`.
    fn string_gap(&mut self, bs: usize) {
        let mut i = bs + 1;
        loop {
            match self.char_at(i) {
                Some('\\') => {
                    self.pos = i + 1;
                    return;
                }
                Some(w) if w.is_whitespace() => i += w.len_utf8(),
                found => {
                    let end = found.map_or(i, |c| i + c.len_utf8());
                    self.report(
                        Diagnostic::error(self.span(bs, end), "string gap is not closed")
                            .with_label("expected `\\` to end the gap")
                            .with_note(
                                "a string gap is a backslash, whitespace (newlines included) and a \
                                 backslash; it stands for nothing",
                            ),
                    );
                    self.pos = i;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn show_tok(tok: &Tok) -> String {
        match tok {
            Tok::VarId(s) => format!("v:{s}"),
            Tok::ConId(s) => format!("c:{s}"),
            Tok::Op(s) => format!("op:{s}"),
            Tok::Int(n) => format!("{n}"),
            Tok::Double(d) => format!("{d:?}"),
            Tok::Char(c) => format!("{c:?}"),
            Tok::String(s) => format!("{:?}", &**s),
            Tok::IntHash(n) => format!("{n}#"),
            Tok::DoubleHash(d) => format!("{d:?}##"),
            Tok::CharHash(c) => format!("{c:?}#"),
            Tok::Eof => "EOF".to_string(),
            other => other.to_string().trim_matches('`').to_string(),
        }
    }

    /// Lexes and checks the invariants every input must satisfy.
    fn lex_checked(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
        let (toks, diags) = lex(src, 7);
        let last = toks.last().expect("at least Eof");
        assert_eq!(last.tok, Tok::Eof);
        assert_eq!(
            (last.span.start, last.span.end),
            (src.len() as u32, src.len() as u32)
        );
        assert_eq!(toks.iter().filter(|t| t.tok == Tok::Eof).count(), 1);
        let mut prev_end = 0;
        for t in &toks {
            let (s, e) = (t.span.start as usize, t.span.end as usize);
            assert!(s <= e && e <= src.len(), "bad span {s}..{e} in {src:?}");
            assert!(
                src.is_char_boundary(s) && src.is_char_boundary(e),
                "span {s}..{e} in {src:?}"
            );
            assert!(prev_end <= s, "overlapping tokens in {src:?}");
            assert_eq!(t.span.file, 7);
            assert!(t.col >= 1);
            prev_end = e;
        }
        assert!(diags.len() <= MAX_ERRORS + 1);
        for d in &diags {
            let sp = d.primary_span().expect("primary label");
            let (s, e) = (sp.start as usize, sp.end as usize);
            assert!(
                s <= e && e <= src.len(),
                "bad diagnostic span {s}..{e} in {src:?}"
            );
            assert!(src.is_char_boundary(s) && src.is_char_boundary(e));
        }
        (toks, diags)
    }

    /// Tokens (without the final Eof), then one line per diagnostic.
    fn render(src: &str) -> String {
        let (toks, diags) = lex_checked(src);
        let mut out: Vec<String> = vec![toks[..toks.len() - 1]
            .iter()
            .map(|t| show_tok(&t.tok))
            .collect::<Vec<_>>()
            .join(" ")];
        for d in &diags {
            let sp = d.primary_span().unwrap();
            let label = &d.labels[0].message;
            let label = if label.is_empty() {
                String::new()
            } else {
                format!(" [{label}]")
            };
            out.push(format!(
                "error {}..{}: {}{}",
                sp.start, sp.end, d.message, label
            ));
        }
        out.join("\n")
    }

    fn check(src: &str, expected: Expect) {
        expected.assert_eq(&render(src));
    }

    /// Each token as `text@col`, `^` marking the first token of a line.
    fn positions(src: &str) -> String {
        let (toks, _) = lex_checked(src);
        toks.iter()
            .map(|t| {
                let text = &src[t.span.start as usize..t.span.end as usize];
                let text = if t.tok == Tok::Eof { "EOF" } else { text };
                format!(
                    "{}{}@{}",
                    if t.line_start { "^" } else { "" },
                    text.escape_debug(),
                    t.col
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn one(src: &str) -> Tok {
        let (toks, diags) = lex_checked(src);
        assert!(diags.is_empty(), "{src:?}: {diags:?}");
        assert_eq!(toks.len(), 2, "{src:?}: {toks:?}");
        toks[0].tok.clone()
    }

    #[test]
    fn empty_input() {
        let (toks, diags) = lex_checked("");
        assert!(diags.is_empty());
        assert_eq!(
            toks,
            vec![Token {
                tok: Tok::Eof,
                span: Span::new(7, 0, 0),
                col: 1,
                line_start: true
            }]
        );
        check("   \n\t -- just a comment\n{- and -}  ", expect![[""]]);
    }

    #[test]
    fn identifiers_and_keywords() {
        check(
            "data case of let in if then else forall _ x x' foldr quotInt# negateInt# x# I# Int# Just _x __ _# x##",
            expect!["data case of let in if then else forall _ v:x v:x' v:foldr v:quotInt# v:negateInt# v:x# c:I# c:Int# c:Just v:_x v:__ v:_# v:x# op:#"],
        );
        check(
            "caseX dataX lets Forall x'y'' a1_B2",
            expect!["v:caseX v:dataX v:lets c:Forall v:x'y'' v:a1_B2"],
        );
        // Unicode letters: lowercase (or uncased) start a variable, uppercase a constructor.
        check(
            "λx Éa 日本 straße x·y",
            expect![[r#"
            v:λx c:Éa v:日本 v:straße v:x v:y
            error 24..26: unexpected character `·` (U+00B7)"#]],
        );
    }

    #[test]
    fn operators() {
        check("+ ++ : :: . .. ... - -> = == ==# +# +## -## $ !! <= ** ~ | || && ^ # <$> =>", expect!["op:+ op:++ op:: :: op:. .. op:... op:- -> = op:== op:==# op:+# op:+## op:-## op:$ op:!! op:<= op:** op:~ | op:|| op:&& op:^ op:# op:<$> op:=>"]);
        check("a:b a.b a-1 (+) (`div`) [x,y];z", expect!["v:a op:: v:b v:a op:. v:b v:a op:- 1 ( op:+ ) ( backquote v:div backquote ) [ v:x , v:y ] ; v:z"]);
    }

    #[test]
    fn backslash_and_at_are_single_tokens() {
        check(
            r"\@a (x :: a) -> x",
            expect![[r#"\ @ v:a ( v:x :: v:a ) -> v:x"#]],
        );
        check(
            "f @Int @(Maybe a) x",
            expect!["v:f @ c:Int @ ( c:Maybe v:a ) v:x"],
        );
        check(r"f=\x->x", expect![[r#"v:f = \ v:x -> v:x"#]]);
        check(
            r"\\ @@ x@y \x -> \y->y",
            expect![[r#"\ \ @ @ v:x @ v:y \ v:x -> \ v:y -> v:y"#]],
        );
    }

    #[test]
    fn comments() {
        check("x -- comment\ny", expect!["v:x v:y"]);
        check("x --- comment\ny ---------\nz", expect!["v:x v:y v:z"]);
        check(
            "x --> y |-- z --# w",
            expect!["v:x op:--> v:y op:|-- v:z op:--# v:w"],
        );
        check(
            "x --| not a comment in Haskell",
            expect!["v:x op:--| v:not v:a v:comment in c:Haskell"],
        );
        check("x -- | a comment\ny", expect!["v:x v:y"]);
        check("x --\\ a comment\ny --@ too\nz", expect!["v:x v:y v:z"]);
        check("{- a {- b -} c -} x", expect!["v:x"]);
        check(
            "x{-c-}y {--} z {-}-} w {-- -- -} v",
            expect!["v:x v:y v:z v:w v:v"],
        );
        check("{- -- -} x", expect!["v:x"]);
        check(
            "\"{- not a comment -}\" \"-- nor this\"",
            expect![[r#""{- not a comment -}" "-- nor this""#]],
        );
        check("x -- comment at end of input", expect!["v:x"]);
        check("x -}", expect!["v:x op:- }"]);
    }

    #[test]
    fn unterminated_block_comment() {
        check(
            "x {- never closed\n y z",
            expect![[r#"
            v:x
            error 2..4: unterminated block comment [comment starts here]"#]],
        );
        let (_, diags) = lex_checked("x {- a {- b -}\n y");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].notes.is_empty(), "only one comment is open");
        let (toks, diags) = lex_checked("{- a {- b {- c");
        assert_eq!(toks.len(), 1);
        assert_eq!(diags[0].notes.len(), 1);
        assert!(
            diags[0].notes[0].contains("3 are still open"),
            "{:?}",
            diags[0].notes
        );
    }

    #[test]
    fn integers() {
        check(
            "42 0 007 0x1F 0X1f 0xff# 0xFF 0o17 0O17 3# 0#",
            expect!["42 0 7 31 31 255# 255 15 15 3# 0#"],
        );
        // `0x` without a hex digit is `0` then a name, as in Haskell.
        check(
            "0xg 0x 0o8 12abc 1_000",
            expect!["0 v:xg 0 v:x 0 v:o8 12 v:abc 1 v:_000"],
        );
    }

    #[test]
    fn integers_wrap_to_64_bits() {
        assert_eq!(one("9223372036854775807"), Tok::Int(i64::MAX));
        assert_eq!(one("9223372036854775808"), Tok::Int(i64::MIN));
        assert_eq!(one("18446744073709551615"), Tok::Int(-1));
        assert_eq!(one("18446744073709551616"), Tok::Int(0));
        assert_eq!(one("0xFFFFFFFFFFFFFFFF"), Tok::Int(-1));
        assert_eq!(one("0x8000000000000000"), Tok::Int(i64::MIN));
        assert_eq!(one("0x10000000000000001"), Tok::Int(1));
        assert_eq!(one("9223372036854775808#"), Tok::IntHash(i64::MIN));
        assert_eq!(
            one("99999999999999999999999999999999999999"),
            Tok::Int(99999999999999999999999999999999999999u128 as u64 as i64)
        );
    }

    #[test]
    fn floats() {
        check(
            "1.5 2e-3 1.0e10 1E+5 1e5 0.1 1e400 00.5e-0 2.5## 1e3## 1E-2##",
            expect!["1.5 0.002 10000000000.0 100000.0 100000.0 0.1 inf 0.5 2.5## 1000.0## 0.01##"],
        );
        // A dot is part of a number only before a digit.
        check("[1..10] [1..] 1. 1.e5 1e 1e+ 1.5.2 .5 x.1", expect!["[ 1 .. 10 ] [ 1 .. ] 1 op:. 1 op:. v:e5 1 v:e 1 v:e op:+ 1.5 op:. 2 op:. 5 v:x op:. 1"]);
        assert_eq!(one("0.1"), Tok::Double(0.1));
        assert_eq!(
            one("2.2250738585072014e-308"),
            Tok::Double(f64::MIN_POSITIVE)
        );
        assert_eq!(one("1.7976931348623157e308"), Tok::Double(f64::MAX));
        assert_eq!(one("9007199254740993.0"), Tok::Double(9007199254740992.0)); // ties to even
        assert_eq!(one("5e-324"), Tok::Double(5e-324));
        assert_eq!(one("1e-400"), Tok::Double(0.0));
    }

    #[test]
    fn unboxed_literal_errors() {
        check(
            "2.5# 3## 0xff## 1e3# x",
            expect![[r#"
            2.5## 3# 255# 1000.0## v:x
            error 0..4: `Float#` literals are not supported; write `2.5##` for a `Double#` [a `Float#` literal]
            error 5..8: `Word#` literals are not supported [a `Word#` literal]
            error 9..15: `Word#` literals are not supported [a `Word#` literal]
            error 16..20: `Float#` literals are not supported; write `1e3##` for a `Double#` [a `Float#` literal]"#]],
        );
        check(
            "3### 2.5###",
            expect![[r#"
            3# op:# 2.5## op:#
            error 0..3: `Word#` literals are not supported [a `Word#` literal]"#]],
        );
    }

    #[test]
    fn char_literals() {
        check(
            r#"'a' 'a'# '\n' '\'' '\\' '"' '\"' ' ' 'λ' '😀' '\x41'"#,
            expect![[r#"'a' 'a'# '\n' '\'' '\\' '"' '"' ' ' 'λ' '😀' 'A'"#]],
        );
        check(
            r"'\65' '\0' '\o101' '\x10FFFF' '\1114111' '\a' '\b' '\f' '\v' '\t' '\r'",
            expect![[
                r#"'A' '\0' 'A' '\u{10ffff}' '\u{10ffff}' '\u{7}' '\u{8}' '\u{c}' '\u{b}' '\t' '\r'"#
            ]],
        );
        check(
            r"'\^A' '\^@' '\^Z' '\^[' '\^\' '\^]' '\^^' '\^_'",
            expect![[r#"'\u{1}' '\0' '\u{1a}' '\u{1b}' '\u{1c}' '\u{1d}' '\u{1e}' '\u{1f}'"#]],
        );
        check(
            r"'\NUL' '\SOH' '\SO' '\SI' '\DEL' '\SP' '\ESC' '\DC1' '\EM'",
            expect![[r#"'\0' '\u{1}' '\u{e}' '\u{f}' '\u{7f}' ' ' '\u{1b}' '\u{11}' '\u{19}'"#]],
        );
        // `'` inside a name is part of it, not a character literal.
        check("f' 'x' x'' y'z'", expect!["v:f' 'x' v:x'' v:y'z'"]);
    }

    #[test]
    fn every_ascii_escape_name() {
        let src: String = std::iter::once('"')
            .chain(
                ASCII_ESCAPES
                    .iter()
                    .flat_map(|(name, _)| format!("\\{name}").chars().collect::<Vec<_>>()),
            )
            .chain(std::iter::once('"'))
            .collect();
        let expected: String = (0u8..32).map(char::from).chain([' ', '\x7F']).collect();
        assert_eq!(one(&src), Tok::String(Rc::from(expected.as_str())));
        for (name, c) in ASCII_ESCAPES {
            assert_eq!(one(&format!("'\\{name}'")), Tok::Char(c), "{name}");
        }
        for b in b'@'..=b'_' {
            assert_eq!(
                one(&format!("'\\^{}'", b as char)),
                Tok::Char(char::from(b - 64))
            );
        }
    }

    #[test]
    fn string_literals() {
        check(
            r#""hi\tthere\n" "" "'" "\"" "λ日😀" "a\\b""#,
            expect![[r#""hi\tthere\n" "" "'" "\"" "λ日😀" "a\\b""#]],
        );
        // Longest match `\SOH` before `\SO`; `\&` is empty and ends a numeric escape.
        check(
            r#""\SOH\SO\&H\SOx" "\1234\&5" "\x41\&1" "\&""#,
            expect![[r#""\u{1}\u{e}H\u{e}x" "Ӓ5" "A1" """#]],
        );
        // String gaps.
        check(
            "\"abc\\   \\def\" \"line one\\\n    \\line two\" \"a\\\t\r\n\\b\"",
            expect![[r#""abcdef" "line oneline two" "ab""#]],
        );
        // A plain string shares no escape processing: the token text is the slice.
        assert_eq!(one("\"--{-x-}\""), Tok::String(Rc::from("--{-x-}")));
    }

    #[test]
    fn char_errors() {
        check(
            "'' x",
            expect![[r#"
            v:x
            error 0..2: empty character literal"#]],
        );
        check(
            "''' x",
            expect![[r#"
            '\'' v:x
            error 0..3: invalid character literal `'''`"#]],
        );
        check(
            "'ab' x",
            expect![[r#"
            'a' v:x
            error 0..4: character literal contains more than one character"#]],
        );
        check(
            "'a x\ny",
            expect![[r#"
            'a' v:x v:y
            error 0..2: unterminated character literal [expected a closing `'` after this]"#]],
        );
        check(
            "f '",
            expect![[r#"
            v:f
            error 2..3: unterminated character literal [expected a character and a closing `'`]"#]],
        );
        check(
            "f '\ny",
            expect![[r#"
            v:f v:y
            error 2..3: unterminated character literal [expected a character and a closing `'`]"#]],
        );
        check(
            "'\\",
            expect![[r#"
            '�'
            error 0..2: unterminated character literal [expected a closing `'` after this]"#]],
        );
        check(
            "'\\\nx",
            expect![[r#"
            '�' v:x
            error 0..2: unterminated character literal [expected a closing `'` after this]"#]],
        );
        check(
            r"'\q' '\&' '\ ' 'é' x",
            expect![[r#"
            'q' '&' ' ' 'é' v:x
            error 1..3: unknown escape sequence `\q`
            error 6..8: unknown escape sequence `\&`
            error 11..13: unknown escape sequence `\ `"#]],
        );
        check(
            r"'\xD800' '\1114112' '\x110000' '\99999999999999999999' '\o7777777'",
            expect![[r#"
            '�' '�' '�' '�' '�'
            error 1..7: character literal out of range
            error 10..18: character literal out of range
            error 21..29: character literal out of range
            error 32..53: character literal out of range
            error 56..65: character literal out of range"#]],
        );
        check(
            r"'\X41' '\x' '\o9' '\^a' '\^' '\QQ'",
            expect![[r#"
                'X' '�' '�' '�' '�' 'Q'
                error 1..3: unknown escape sequence `\X`
                error 8..10: invalid escape sequence `\x` [expected hexadecimal digits after `\x`]
                error 13..15: invalid escape sequence `\o` [expected octal digits after `\o`]
                error 19..21: invalid escape sequence `\^` [expected one of `@A-Z[\]^_` after `\^`]
                error 25..27: invalid escape sequence `\^` [expected one of `@A-Z[\]^_` after `\^`]
                error 30..32: unknown escape sequence `\Q`"#]],
        );
    }

    #[test]
    fn string_errors() {
        check(
            "\"abc",
            expect![[r#"
            "abc"
            error 0..4: unterminated string literal [this string is not closed]"#]],
        );
        check(
            "\"abc\ndef\" x",
            expect![[r#"
            "abc" v:def " x"
            error 0..4: unterminated string literal [this string is not closed]
            error 8..11: unterminated string literal [this string is not closed]"#]],
        );
        check(
            "\"abc\r\nx",
            expect![[r#"
                "abc" v:x
                error 0..4: unterminated string literal [this string is not closed]"#]],
        );
        check(
            r#""a\qb" "\xD800" "\Ä" x"#,
            expect![[r#"
            "aqb" "�" "Ä" v:x
            error 2..4: unknown escape sequence `\q`
            error 8..14: character literal out of range
            error 17..20: unknown escape sequence `\Ä`"#]],
        );
        check(
            "\"a\\ b\" x",
            expect![[r#"
            "ab" v:x
            error 2..5: string gap is not closed [expected `\` to end the gap]"#]],
        );
        check(
            "\"a\\\n  b\" x",
            expect![[r#"
            "ab" v:x
            error 2..7: string gap is not closed [expected `\` to end the gap]"#]],
        );
        check(
            "\"a\\  ",
            expect![[r#"
            "a"
            error 2..5: string gap is not closed [expected `\` to end the gap]
            error 0..5: unterminated string literal [this string is not closed]"#]],
        );
        check(
            "\"a\\",
            expect![[r#"
            "a"
            error 0..3: unterminated string literal [this string is not closed]"#]],
        );
    }

    #[test]
    fn string_gap_then_end_of_input() {
        // Regression: a gap ending in `\r` at the end of the input.
        check(
            "\"_\\\r",
            expect![[r#"
            "_"
            error 2..4: string gap is not closed [expected `\` to end the gap]
            error 0..4: unterminated string literal [this string is not closed]"#]],
        );
    }

    #[test]
    fn unexpected_characters() {
        check(
            "x § y \u{0} \u{FFFD} \u{7F} \u{1B} z",
            expect![[r#"
            v:x v:y v:z
            error 2..4: unexpected character `§` (U+00A7)
            error 7..8: unexpected character `\0` (U+0000)
            error 9..12: unexpected character `�` (U+FFFD)
            error 13..14: unexpected character `\u{7f}` (U+007F)
            error 15..16: unexpected character `\u{1b}` (U+001B)"#]],
        );
        check(
            "\u{201C}hi\u{201D}",
            expect![[r#"
            v:hi
            error 0..3: unexpected character `“` (U+201C)
            error 5..8: unexpected character `”` (U+201D)"#]],
        );
        let (_, diags) = lex_checked("\u{2018}x\u{2019}");
        assert!(diags[0].notes[0].contains("character literals use `'`"));
    }

    #[test]
    fn too_many_errors() {
        let src = "§ ".repeat(200);
        let (toks, diags) = lex_checked(&src);
        assert_eq!(diags.len(), MAX_ERRORS + 1);
        assert_eq!(diags[MAX_ERRORS].message, "too many errors; stopping");
        assert_eq!(toks.len(), 1);
        // Exactly the cap: no "too many errors".
        let (_, diags) = lex_checked(&"§".repeat(MAX_ERRORS));
        assert_eq!(diags.len(), MAX_ERRORS);
    }

    #[test]
    fn columns_and_line_starts() {
        expect!["^f@1 x@3 =@5 ^case@3 x@8 of@10 ^1@5 ->@7 y@10 ^z@9 ^w@9 ^λé@1 ü@4 EOF@5"]
            .assert_eq(&positions(
                "f x =\n  case x of\n    1 -> y\n\tz\n  \tw\nλé ü",
            ));
        expect!["^a@1 b@9 c@25 d@33 ^EOF@1"].assert_eq(&positions("a\tb\t\tc  \td\n"));
        // A token after a multi-line comment starts its line; after a
        // multi-line string (a string gap) it does not.
        expect![[r#"^x@1 ^y@7 ^\"s\\\n \\t\"@1 z@6 EOF@7"#]]
            .assert_eq(&positions("x {- a\n b -} y\n\"s\\\n \\t\" z"));
        // A byte-order mark takes no column.
        expect!["^main@1 =@6 x@8 EOF@9"].assert_eq(&positions("\u{FEFF}main = x"));
        expect!["^x@1 ^EOF@1"].assert_eq(&positions("x\n"));
    }

    #[test]
    fn spans() {
        let src = "f 'a'# \"s\\n\" 2.5## -- c\n  @Int";
        let (toks, _) = lex_checked(src);
        let texts: Vec<&str> = toks
            .iter()
            .map(|t| &src[t.span.start as usize..t.span.end as usize])
            .collect();
        assert_eq!(texts, ["f", "'a'#", "\"s\\n\"", "2.5##", "@", "Int", ""]);
    }

    #[test]
    fn names_are_shared() {
        let (toks, _) = lex_checked("foo bar foo ++ ++");
        let (Tok::VarId(a), Tok::VarId(b)) = (&toks[0].tok, &toks[2].tok) else {
            panic!()
        };
        assert!(Rc::ptr_eq(a, b));
        let (Tok::Op(a), Tok::Op(b)) = (&toks[3].tok, &toks[4].tok) else {
            panic!()
        };
        assert!(Rc::ptr_eq(a, b));
    }

    #[test]
    fn a_small_program() {
        check(
            "data List a = Nil | Cons a (List a)\n\
             map :: forall a b. (a -> b) -> List a -> List b\n\
             map f xs = case xs of\n  Nil -> Nil\n  Cons y ys -> Cons (f y) (map f ys)\n\
             plus (I# x#) (I# y#) = I# (x# +# y#)\n\
             main = let { s = \"n=\\n\" } in if 1 <= 2 then s ++ show [1, 2 .. 10] else error \"no\"",
            expect![[r#"data c:List v:a = c:Nil | c:Cons v:a ( c:List v:a ) v:map :: forall v:a v:b op:. ( v:a -> v:b ) -> c:List v:a -> c:List v:b v:map v:f v:xs = case v:xs of c:Nil -> c:Nil c:Cons v:y v:ys -> c:Cons ( v:f v:y ) ( v:map v:f v:ys ) v:plus ( c:I# v:x# ) ( c:I# v:y# ) = c:I# ( v:x# op:+# v:y# ) v:main = let { v:s = "n=\n" } in if 1 op:<= 2 then v:s op:++ v:show [ 1 , 2 .. 10 ] else v:error "no""#]],
        );
    }

    /// Deterministic pseudo-random strings over the characters most likely to
    /// confuse a lexer: no input may panic or break the token invariants.
    #[test]
    fn fuzz_no_panic() {
        const PIECES: &[&str] = &[
            "a", "Z", "x", "e", "E", "o", "_", "0", "1", "9", "f", ".", "#", "##", "'", "\"", "\\",
            "-", "--", "{", "}", "{-", "-}", "\n", "\r", "\r\n", "\t", " ", "  ", "@", "=", "^",
            "&", "+", ":", "|", ">", "x#", "0x", "1e", "λ", "é", "日", "😀", "\u{FFFD}", "\u{0}",
            "\u{7F}", "\u{FEFF}", "\u{2028}", "\u{A0}", "\\SO", "\\^", "\\x", "\\1", "\\&", "(",
            ")", ",", ";", "`", "§",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..5000 {
            let len = next() % 40;
            let src: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
            lex_checked(&src);
        }
    }

    #[test]
    fn big_inputs_are_linear() {
        let line = "x + foo_bar * (y - 1) ".repeat(50_000); // ~1.1 MB, one line
        let (toks, diags) = lex_checked(&line);
        assert!(diags.is_empty());
        assert_eq!(toks.len(), 450_001);
        assert_eq!(toks[toks.len() - 2].col as usize, line.len() - 1);

        let big = format!("s = \"{}\"", "abcdefgh".repeat(1_250_000)); // 10 MB string literal
        let (toks, diags) = lex_checked(&big);
        assert!(diags.is_empty());
        assert!(matches!(&toks[2].tok, Tok::String(s) if s.len() == 10_000_000));

        let escaped = format!("\"{}\"", "\\n\\1234\\&x".repeat(200_000));
        let (toks, _) = lex_checked(&escaped);
        assert!(matches!(&toks[0].tok, Tok::String(s) if s.chars().count() == 600_000));

        let many_lines = "f x = case x of\n  1 -> 'a'\n  _ -> \"b\"\n".repeat(10_000);
        let (toks, diags) = lex_checked(&many_lines);
        assert!(diags.is_empty());
        assert_eq!(toks.len(), 120_001);

        // Pathological but error-free or error-capped inputs.
        lex_checked(&"-".repeat(1_000_000));
        lex_checked(&format!("{}>", "-".repeat(1_000_000)));
        lex_checked(&"{-".repeat(500_000));
        lex_checked(&"'".repeat(1_000_000));
        lex_checked(&"'ab ".repeat(250_000));
        lex_checked(&format!("'\\{}'", "9".repeat(1_000_000)));
        lex_checked(&format!("{}.5e-3", "9".repeat(1_000_000)));
        lex_checked(&"x".repeat(1_000_000));
        lex_checked(&"\t".repeat(1_000_000));
    }
}
