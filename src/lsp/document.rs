//! An open document and what the checker found in it. Analysis is the `gov check`
//! pipeline (`session::analyse`, which is `check_in` plus the name index) run on the
//! editor's text; nothing is re-implemented.

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{Encoding, Lines};
use crate::check::names::NameIndex;
use crate::diag::Diagnostic;
use crate::session;
use crate::source::{SourceId, SourceMap};

/// The outcome of checking one version of a document.
pub struct Analysis {
    /// The document and the stdlib modules it uses.
    pub sources: SourceMap,
    /// The document's source id.
    pub main: SourceId,
    /// Errors and warnings, as `gov check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations and uses of names.
    pub names: NameIndex,
}

impl Analysis {
    /// Checks `text`, named as `gov check` would name it.
    pub fn of(name: &str, text: &str) -> Analysis {
        let mut sources = SourceMap::new();
        let main = sources.add(name, text);
        let outcome = session::analyse(sources, main);
        Analysis { sources: outcome.sources, main, diagnostics: outcome.diagnostics.into_vec(), names: outcome.names }
    }

    /// True when the text parsed (so names were resolved).
    pub fn parsed(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.code.as_str().starts_with("E01"))
    }
}

/// One document the client has open.
pub struct Document {
    /// Its address.
    pub uri: Uri,
    /// The current text.
    pub text: String,
    /// The client's version number of that text.
    pub version: i32,
    /// The current text, checked.
    pub analysis: Analysis,
    /// The last analysis of a version that parsed (completion falls back to it while
    /// the text is being typed and does not parse).
    pub last_parsed: Option<Analysis>,
}

impl Document {
    /// Opens a document and checks it.
    pub fn open(uri: Uri, text: String, version: i32) -> Document {
        let analysis = Analysis::of(&display_name(&uri), &text);
        Document { uri, text, version, analysis, last_parsed: None }
    }

    /// Applies the client's changes in order (whole-text or ranged), then checks again.
    pub fn change(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32, encoding: Encoding) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let lines = Lines::new(&self.text, encoding);
                    let (start, end) = (lines.offset(range.start), lines.offset(range.end));
                    let (start, end) = (start.min(end), start.max(end));
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
        }
        self.version = version;
        let analysis = Analysis::of(&display_name(&self.uri), &self.text);
        let previous = std::mem::replace(&mut self.analysis, analysis);
        if previous.parsed() {
            self.last_parsed = Some(previous);
        }
    }

    /// The analysis to complete names from: the current one if it parsed, else the last
    /// one that did.
    pub fn names_for_completion(&self) -> &Analysis {
        match &self.last_parsed {
            Some(last) if !self.analysis.parsed() => last,
            _ => &self.analysis,
        }
    }
}

/// The name diagnostics use for a document: its path for `file:` addresses.
fn display_name(uri: &Uri) -> String {
    let text = uri.as_str();
    text.strip_prefix("file://").map_or_else(|| text.to_string(), percent_decode)
}

/// Decodes `%XX` escapes (invalid ones are kept as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
