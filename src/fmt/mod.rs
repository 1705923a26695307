//! `gov fmt`: the canonical layout of a `.gov` file.
//!
//! The printer walks the parsed AST and writes every declaration, member and clause on a
//! line of its own, indented four spaces per block, with canonical spacing inside
//! expressions (see `expr`). Grouping is reproduced from the parentheses kept in the AST,
//! number literals keep their text, and every comment is copied through in order (see
//! `writer` for where comments go). User blank lines between declarations are kept,
//! collapsed to at most one.
//!
//! [`format_source`] checks its own output: it re-parses it and, should the tree (modulo
//! spans) or the comments differ from the input's, returns the input unchanged rather
//! than ever changing what a file means.

mod expr;
mod items;
mod writer;

use crate::diag::Diagnostic;
use crate::source::SourceId;
use crate::syntax::{parse_file, trivia};

/// Formats a whole source text canonically; `Err` with the parse diagnostic if it does
/// not parse. The result is idempotent, parses to the same tree as `text` (modulo spans)
/// and holds every comment of `text` in the same order.
pub fn format_source(text: &str, source: SourceId) -> Result<String, Diagnostic> {
    let printed = print_source(text, source)?;
    if printed == text || same_meaning(text, &printed, source) {
        Ok(printed)
    } else {
        // A printer bug must never cost the user their program: keep the text as it is.
        Ok(text.to_string())
    }
}

/// The layout printer alone, without [`format_source`]'s self-check (for tests and tools
/// that want to see the printer's raw output).
pub fn print_source(text: &str, source: SourceId) -> Result<String, Diagnostic> {
    let file = parse_file(text, source)?;
    let comments = trivia::scan(text, source)?;
    let mut printer = writer::Printer::new(text, &comments);
    printer.file(&file);
    Ok(printer.finish())
}

/// True if `after` parses to the same tree as `before` (spans aside) with the same
/// comments in the same order.
fn same_meaning(before: &str, after: &str, source: SourceId) -> bool {
    let (Ok(a), Ok(b)) = (parse_file(before, source), parse_file(after, source)) else {
        return false;
    };
    erase_spans(&format!("{a:?}")) == erase_spans(&format!("{b:?}"))
        && comment_texts(before, source) == comment_texts(after, source)
}

/// Every comment's text, line comments without trailing blanks.
fn comment_texts(text: &str, source: SourceId) -> Option<Vec<&str>> {
    let comments = trivia::scan(text, source).ok()?;
    let texts = comments.iter().map(|c| {
        let raw = text.get(c.start..c.end).unwrap_or("");
        if c.kind == trivia::CommentKind::Block {
            raw
        } else {
            raw.trim_end()
        }
    });
    Some(texts.collect())
}

/// A `Debug` rendering with every `Span { .. }` replaced by `_`, so that trees printed
/// from different layouts compare equal.
pub fn erase_spans(debug: &str) -> String {
    const MARK: &str = "Span { ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i]);
        out.push('_');
        let after = &rest[i..];
        rest = after.find('}').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}
