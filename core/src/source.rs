//! Source files and spans.
//!
//! Owns the [`SourceMap`] (every file the session has read: the prelude, user
//! files, REPL lines) and [`Span`], the byte range every AST node, Core `case`
//! and diagnostic carries. Spans are `u32` offsets: a file over 4 GiB is
//! refused when it is added. Read next: `diagnostic`.

use codespan_reporting::files::{Files, SimpleFiles};
use std::rc::Rc;

/// Index of a file in the [`SourceMap`].
pub type FileId = u32;

/// A byte range in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: u32, end: u32) -> Span {
        Span { file, start, end }
    }
    /// The smallest span covering both (which must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Every source text the session knows, by [`FileId`].
#[derive(Clone, Default)]
pub struct SourceMap {
    files: SimpleFiles<Rc<str>, Rc<str>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file. Files larger than `u32::MAX` bytes cannot be spanned.
    pub fn add(&mut self, name: &str, text: &str) -> Result<FileId, String> {
        if text.len() >= u32::MAX as usize {
            return Err(format!("{name}: file too large (over 4 GiB)"));
        }
        Ok(self.files.add(Rc::from(name), Rc::from(text)) as FileId)
    }

    pub fn text(&self, file: FileId) -> Rc<str> {
        self.files
            .get(file as usize)
            .map(|f| f.source().clone())
            .unwrap_or_else(|_| Rc::from(""))
    }

    pub fn name(&self, file: FileId) -> Rc<str> {
        self.files
            .get(file as usize)
            .map(|f| f.name().clone())
            .unwrap_or_else(|_| Rc::from("?"))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        let f = file as usize;
        match self.files.location(f, offset as usize) {
            Ok(loc) => (loc.line_number, loc.column_number),
            Err(_) => (0, 0),
        }
    }

    /// `file:line:col` of the start of a span, as runtime errors print it.
    pub fn describe(&self, span: Span) -> String {
        let (l, c) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), l, c)
    }

    pub(crate) fn files(&self) -> &SimpleFiles<Rc<str>, Rc<str>> {
        &self.files
    }
}
