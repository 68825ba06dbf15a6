//! Source files and spans.
//!
//! Owns the [`SourceMap`] (every file the session has read and still
//! needs: the prelude, user files, REPL lines) and [`Span`], the byte range
//! every AST node, Core `case` and diagnostic carries. Spans are `u32`
//! offsets: a file over 4 GiB is refused when it is added. A REPL line's
//! file is removed once nothing refers to it any more; its id is never
//! handed out again. Read next: `diagnostic`.

use codespan_reporting::files::{Error, Files, SimpleFile};
use std::collections::HashMap;
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
    files: HashMap<FileId, SimpleFile<Rc<str>, Rc<str>>>,
    next: FileId,
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
        let id = self.next;
        self.next += 1;
        self.files
            .insert(id, SimpleFile::new(Rc::from(name), Rc::from(text)));
        Ok(id)
    }

    /// Forgets a file (a REPL line nothing refers to any more). Spans into
    /// it describe themselves as `?:0:0` from now on.
    /// The id the next [`SourceMap::add`] returns (a builder of syntax
    /// trees gives its nodes spans in a text before it is added).
    pub fn next_id(&self) -> FileId {
        self.next
    }

    pub fn remove(&mut self, file: FileId) {
        self.files.remove(&file);
    }

    /// The most recently added file.
    pub fn last(&self) -> Option<FileId> {
        self.next.checked_sub(1)
    }

    /// How many files are held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn text(&self, file: FileId) -> Rc<str> {
        self.files
            .get(&file)
            .map(|f| f.source().clone())
            .unwrap_or_else(|| Rc::from(""))
    }

    pub fn name(&self, file: FileId) -> Rc<str> {
        self.files
            .get(&file)
            .map(|f| f.name().clone())
            .unwrap_or_else(|| Rc::from("?"))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        match self.location(file, offset as usize) {
            Ok(loc) => (loc.line_number, loc.column_number),
            Err(_) => (0, 0),
        }
    }

    /// `file:line:col` of the start of a span, as runtime errors print it.
    pub fn describe(&self, span: Span) -> String {
        let (l, c) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), l, c)
    }

    fn get(&self, file: FileId) -> Result<&SimpleFile<Rc<str>, Rc<str>>, Error> {
        self.files.get(&file).ok_or(Error::FileMissing)
    }
}

/// What `codespan_reporting` renders diagnostics from.
impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = Rc<str>;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<Rc<str>, Error> {
        Ok(self.get(id)?.name().clone())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, Error> {
        Ok(self.get(id)?.source())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, Error> {
        self.get(id)?.line_index((), byte_index)
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, Error> {
        self.get(id)?.line_range((), line_index)
    }
}
