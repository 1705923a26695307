//! Diagnostics as data: every user-facing failure or warning is a [`Diagnostic`] with a
//! stable [`Code`], a primary span, secondary labels and a help line. Nothing here prints;
//! `render` turns diagnostics into text (ariadne) or JSON (miette) at the edge.

pub mod codes;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Suspicious but the regime still checks.
    Warning,
    /// The input is rejected.
    Error,
}

/// A span with a short phrase attached ("this is `usd`").
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub message: String,
}

/// One error or warning about the user's input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0301`.
    pub code: Code,
    /// Error or warning (derived from the code's registry entry).
    pub severity: Severity,
    /// Lower-case summary naming the conflict, no final period.
    pub message: String,
    /// The main place; its label says what is wrong there.
    pub primary: Label,
    /// Related places ("declared here").
    pub secondary: Vec<Label>,
    /// An imperative fix, when one is known.
    pub help: Option<String>,
    /// Extra facts (e.g. what a solver tried).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic of `code` at `span`; severity comes from the registry.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label { span, message: String::new() },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, message: message.into() });
        self
    }

    /// Adds a secondary label saying what was being done at `span` when the failure
    /// happened elsewhere (in a function it called); nothing when the failure lies within it.
    pub fn context(self, span: Span, message: impl Into<String>) -> Diagnostic {
        if span.contains(self.primary.span) {
            return self;
        }
        self.with(span, message)
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// True for errors (as opposed to warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// True for a numerical failure of solving or simulating (`E05xx`, `E06xx`: exit
    /// status 3), not a missing parameter value (`E0506`) or an unknown simulation
    /// (`E0604`), which are input errors.
    pub fn is_numerical(&self) -> bool {
        let code = self.code.as_str();
        (code.starts_with("E05") || code.starts_with("E06")) && !matches!(self.code, Code::E0506 | Code::E0604)
    }
}

/// An ordered collection of diagnostics gathered by one stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Empty.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Records one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True if any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All, in report order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Number recorded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by source position (stable), so output does not depend on pass order.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| (d.primary.span.source, d.primary.span.start, d.primary.span.end));
    }

    /// Consumes into a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics { items: vec![d] }
    }
}
