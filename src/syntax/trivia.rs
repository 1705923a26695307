//! Trivia: comments and bracket nesting, found by a small scan of the raw text.
//! The pest grammar skips comments; this scan recovers doc comments for the AST, keeps
//! every comment for the formatter, and rejects pathological nesting before pest
//! recurses into it.

use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// Deepest bracket nesting accepted; deeper input is rejected with `E0103`.
pub const MAX_NESTING: usize = 200;

/// What kind of comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// `// ...`.
    Line,
    /// `/// ...`: documents the next declaration.
    Doc,
    /// `//! ...`: documents the file.
    InnerDoc,
    /// `/* ... */`.
    Block,
}

/// One comment in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// Which kind.
    pub kind: CommentKind,
    /// Byte range of the whole comment.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

impl Comment {
    /// The comment's text without its marker (`//`, `///`, `//!`) and one following space.
    pub fn body<'a>(&self, text: &'a str) -> &'a str {
        let raw = &text[self.start..self.end];
        let stripped = match self.kind {
            CommentKind::Doc | CommentKind::InnerDoc => &raw[3..],
            CommentKind::Line => &raw[2..],
            CommentKind::Block => raw,
        };
        stripped.strip_prefix(' ').unwrap_or(stripped).trim_end()
    }
}

/// Scans `text` for comments and checks bracket nesting.
pub fn scan(text: &str, source: SourceId) -> Result<Vec<Comment>, Diagnostic> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                let kind = match bytes.get(start + 2) {
                    Some(b'/') if bytes.get(start + 3) != Some(&b'/') => CommentKind::Doc,
                    Some(b'!') => CommentKind::InnerDoc,
                    _ => CommentKind::Line,
                };
                comments.push(Comment { kind, start, end: i });
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                comments.push(Comment { kind: CommentKind::Block, start, end: i });
            }
            b'(' | b'[' | b'{' => {
                open.push(i);
                if open.len() > MAX_NESTING {
                    let outer = open.first().copied().unwrap_or(i);
                    return Err(Diagnostic::new(Code::E0103, Span::new(source, i..i + 1), "nesting too deep")
                        .label(format!("this bracket is nested more than {MAX_NESTING} levels deep"))
                        .with(Span::new(source, outer..outer + 1), "the outermost bracket opens here")
                        .help("name intermediate results with `let` to flatten the expression"));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                open.pop();
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(comments)
}

/// The `///` lines directly above byte `start` (only whitespace between), joined.
pub fn doc_before(text: &str, comments: &[Comment], start: usize) -> Option<String> {
    let idx = comments.partition_point(|c| c.end <= start);
    let mut lines = Vec::new();
    let mut cursor = start;
    for c in comments[..idx].iter().rev() {
        if c.kind != CommentKind::Doc || !text[c.end..cursor].trim().is_empty() {
            break;
        }
        lines.push(c.body(text));
        cursor = c.start;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// The `//!` lines at the top of the file, joined.
pub fn file_doc(text: &str, comments: &[Comment]) -> Option<String> {
    let lines: Vec<&str> =
        comments.iter().take_while(|c| c.kind == CommentKind::InnerDoc).map(|c| c.body(text)).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}
