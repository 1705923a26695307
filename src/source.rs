//! Source files and spans: every diagnostic and AST node points into a `SourceMap`
//! by `(SourceId, byte range)`.

use std::ops::Range;

/// Identifies one loaded source text inside a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A half-open byte range in one source, always on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The source this span points into.
    pub source: SourceId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `range` in `source`.
    pub fn new(source: SourceId, range: Range<usize>) -> Span {
        Span { source, start: range.start as u32, end: range.end as u32 }
    }

    /// The byte range as `usize`s.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `other` lies within this span.
    pub fn contains(&self, other: Span) -> bool {
        self.source == other.source && self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both (same source assumed; falls back to `self`).
    pub fn to(&self, other: Span) -> Span {
        if self.source != other.source {
            return *self;
        }
        Span { source: self.source, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// One named source text (a file, a stdlib module, a REPL line, a `--set` value).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display name: a path as the user gave it, `<stdlib>/audits.gov`, `<repl:3>` ….
    pub name: String,
    /// The full text.
    pub text: String,
}

/// All sources loaded in one session, addressed by [`SourceId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a source and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.files.push(SourceFile { name: name.into(), text: text.into() });
        SourceId((self.files.len() - 1) as u32)
    }

    /// The source with this id, if any.
    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The text a span covers (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.source).and_then(|f| f.text.get(span.range())).unwrap_or("")
    }

    /// Every loaded source, in load order.
    pub fn files(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (SourceId(i as u32), f))
    }

    /// 1-based (line, column in characters) of a byte offset.
    pub fn line_col(&self, id: SourceId, offset: usize) -> (usize, usize) {
        let Some(file) = self.get(id) else { return (1, 1) };
        let upto = &file.text[..floor_char_boundary(&file.text, offset)];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
        (line, col)
    }
}

/// The largest char boundary `<= offset` (stable replacement for `str::floor_char_boundary`).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
