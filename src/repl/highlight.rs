//! Syntax classes for the REPL's highlighting: a light lexer over the input (keywords,
//! numbers, doc strings, comments, a leading `:command`) that never fails, so half-typed
//! input is coloured as it is typed. The frontend maps classes to colours.

use crate::syntax::RESERVED_WORDS;
use std::ops::Range;

/// What a highlighted piece of input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A reserved word (`actor`, `forall`, `in`, ...).
    Keyword,
    /// A number literal.
    Number,
    /// A doc string.
    String,
    /// A comment.
    Comment,
    /// A `:command` name.
    Command,
}

/// The highlighted pieces of `text`, in order (byte ranges on char boundaries).
///
/// ```
/// use gov::repl::highlight::{classes, Class};
/// let text = "param a: Real = 2 // two";
/// let found: Vec<(&str, Class)> = classes(text).into_iter().map(|(r, c)| (&text[r], c)).collect();
/// assert_eq!(found, [("param", Class::Keyword), ("2", Class::Number), ("// two", Class::Comment)]);
/// ```
pub fn classes(text: &str) -> Vec<(Range<usize>, Class)> {
    let mut out = Vec::new();
    let mut i = 0;
    let trimmed = text.len() - text.trim_start().len();
    if text[trimmed..].starts_with(':') {
        let end = text[trimmed..].find(char::is_whitespace).map_or(text.len(), |e| trimmed + e);
        out.push((trimmed..end, Class::Command));
        i = end;
    }
    while let Some(c) = text[i..].chars().next() {
        let rest = &text[i..];
        let (len, class) = if rest.starts_with("//") {
            (rest.find('\n').unwrap_or(rest.len()), Some(Class::Comment))
        } else if let Some(body) = rest.strip_prefix("/*") {
            (body.find("*/").map_or(rest.len(), |e| e + 4), Some(Class::Comment))
        } else if c == '"' {
            (string_len(rest), Some(Class::String))
        } else if c.is_ascii_digit() {
            (number_len(rest), Some(Class::Number))
        } else if c.is_alphabetic() || c == '_' {
            let len = rest.find(|d: char| !(d.is_alphanumeric() || d == '_')).unwrap_or(rest.len());
            (len, RESERVED_WORDS.contains(&&rest[..len]).then_some(Class::Keyword))
        } else {
            (c.len_utf8(), None)
        };
        if let Some(class) = class {
            out.push((i..i + len, class));
        }
        i += len.max(1);
        while !text.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

/// The length of the number literal `rest` starts with: `1_000`, `0.5`, `1e-4` (letters
/// after it are a unit: in `100pflop` only `100` is the number).
fn number_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        i
    };
    let mut i = digits(0);
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let sign = usize::from(i + 1 < b.len() && (b[i + 1] == b'+' || b[i + 1] == b'-'));
        if i + 1 + sign < b.len() && b[i + 1 + sign].is_ascii_digit() {
            i = digits(i + 1 + sign);
        }
    }
    i
}

fn string_len(rest: &str) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i + 1,
            _ => escaped = false,
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> Vec<(&str, Class)> {
        classes(text).into_iter().map(|(r, c)| (&text[r], c)).collect()
    }

    #[test]
    fn commands_keywords_strings_and_comments() {
        assert_eq!(
            show(":type x in 1..3"),
            [(":type", Class::Command), ("in", Class::Keyword), ("1", Class::Number), ("3", Class::Number)]
        );
        assert_eq!(show("unit pflop \"a \\\" q\""), [("unit", Class::Keyword), ("\"a \\\" q\"", Class::String)]);
        assert_eq!(show("x /* c */ 1e-4"), [("/* c */", Class::Comment), ("1e-4", Class::Number)]);
        assert_eq!(show("é + \"open"), [("\"open", Class::String)]);
        assert_eq!(show("/* open"), [("/* open", Class::Comment)]);
        assert_eq!(
            show("100pflop 2.5e3 1..n"),
            [("100", Class::Number), ("2.5e3", Class::Number), ("1", Class::Number)]
        );
    }
}
