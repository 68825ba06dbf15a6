//! Diagnostics: what every stage reports, rendered with codespan-reporting.
//!
//! A [`Diagnostic`] is data (message, labelled spans, notes); rendering to
//! text happens once, at the edge (`sloth check`, the REPL, tests), so stages
//! never format terminal output themselves. Read next: `lexer`.

use crate::source::{SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error whose primary label underlines `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            labels: vec![Label {
                span,
                message: String::new(),
                primary: true,
            }],
            notes: Vec::new(),
        }
    }
    /// Sets the text beside the primary underline.
    pub fn with_label(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(l) = self.labels.iter_mut().find(|l| l.primary) {
            l.message = text.into();
        }
        self
    }
    /// Adds a secondary label (another place that explains the error).
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: text.into(),
            primary: false,
        });
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// Renders diagnostics as codespan-reporting does on a terminal, without
/// colour: `error: msg`, then `┌─ file:line:col` and the underlined excerpt.
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut out = term::termcolor::Buffer::no_color();
    let mut colored = term::termcolor::Buffer::ansi();
    let config = term::Config::default();
    for d in diags {
        let mut cd = cs::Diagnostic::error().with_message(&d.message);
        let labels = d
            .labels
            .iter()
            .map(|l| {
                let r = l.span.start as usize..l.span.end as usize;
                let lab = if l.primary {
                    cs::Label::primary(l.span.file, r)
                } else {
                    cs::Label::secondary(l.span.file, r)
                };
                lab.with_message(&l.message)
            })
            .collect();
        cd = cd.with_labels(labels).with_notes(d.notes.clone());
        let buf = if color { &mut colored } else { &mut out };
        // Rendering only fails for spans outside their file, which would be a
        // compiler bug; fall back to the bare message rather than panic.
        if term::emit_to_write_style(buf, &config, sources, &cd).is_err() {
            use std::io::Write;
            let _ = writeln!(buf, "error: {}", d.message);
        }
    }
    let bytes = if color {
        colored.into_inner()
    } else {
        out.into_inner()
    };
    String::from_utf8_lossy(&bytes).into_owned()
}
