//! Positions: the protocol counts columns in UTF-16 code units unless client and server
//! agree on UTF-8 (LSP 3.17 `positionEncodings`), while spans are byte offsets. This
//! converts both ways with `line-index`, clamping positions past a line's end.

use line_index::{LineCol, LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

use crate::source::{floor_char_boundary, Span};

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (negotiated).
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16.
    pub fn negotiate(caps: &ClientCapabilities) -> Encoding {
        let offered = caps.general.as_ref().and_then(|g| g.position_encodings.as_ref());
        if offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The protocol's name for it.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A text with its line starts, converting between byte offsets and positions.
pub struct Lines<'t> {
    text: &'t str,
    index: LineIndex,
    encoding: Encoding,
}

impl<'t> Lines<'t> {
    /// Indexes `text` for `encoding`.
    pub fn new(text: &'t str, encoding: Encoding) -> Lines<'t> {
        Lines { text, index: LineIndex::new(text), encoding }
    }

    /// The byte offset of a position; a column past the end of its line means the end of
    /// the line, a line past the end means the end of the text.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(line) = self.index.line(pos.line) else { return self.text.len() };
        let (start, end) = (usize::from(line.start()), usize::from(line.end()));
        let content_end = start + self.text.get(start..end).map_or(0, |l| l.trim_end_matches(['\n', '\r']).len());
        let col = match self.encoding {
            Encoding::Utf8 => Some(pos.character),
            Encoding::Utf16 => self
                .index
                .to_utf8(WideEncoding::Utf16, WideLineCol { line: pos.line, col: pos.character })
                .map(|lc| lc.col),
        };
        let at = col.map_or(content_end, |c| start.saturating_add(c as usize)).min(content_end);
        floor_char_boundary(self.text, at)
    }

    /// The position of a byte offset (clamped to the text and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset);
        let size = TextSize::try_from(offset).unwrap_or_default();
        let lc = self.index.try_line_col(size).unwrap_or(LineCol { line: 0, col: 0 });
        let col = match self.encoding {
            Encoding::Utf8 => lc.col,
            Encoding::Utf16 => self.index.to_wide(WideEncoding::Utf16, lc).map_or(lc.col, |w| w.col),
        };
        Position { line: lc.line, character: col }
    }

    /// The range a span covers.
    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start as usize), end: self.position(span.end as usize) }
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        Range { start: Position { line: 0, character: 0 }, end: self.position(self.text.len()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    /// `€` is 3 bytes and 1 UTF-16 unit, `θ` 2 bytes and 1 unit, `≥` 3 bytes and 1 unit,
    /// `𝔼` 4 bytes and 2 units (a surrogate pair).
    #[test]
    fn wide_characters_round_trip_in_both_encodings() {
        let text = "unit €\nlet θ = 1 ≥ 0\nlet 𝔼x = 2\n";
        let cases = [
            (Encoding::Utf16, text.find('€'), pos(0, 5)),
            (Encoding::Utf16, text.find(" = 1"), pos(1, 5)),
            (Encoding::Utf16, text.find(" 0"), pos(1, 11)),
            (Encoding::Utf16, text.find("x ="), pos(2, 6)),
            (Encoding::Utf8, text.find(" = 1"), pos(1, 6)),
            (Encoding::Utf8, text.find(" 0"), pos(1, 14)),
            (Encoding::Utf8, text.find("x ="), pos(2, 8)),
        ];
        for (encoding, offset, want) in cases {
            let offset = offset.unwrap_or_default();
            let lines = Lines::new(text, encoding);
            assert_eq!(lines.position(offset), want, "{encoding:?} position of byte {offset}");
            assert_eq!(lines.offset(want), offset, "{encoding:?} offset of {want:?}");
        }
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "let θ = 1\r\nlet b = 2";
        let lines = Lines::new(text, Encoding::Utf16);
        assert_eq!(lines.offset(pos(0, 99)), text.find('\r').unwrap_or_default());
        assert_eq!(lines.offset(pos(7, 0)), text.len());
        assert_eq!(lines.offset(pos(1, 99)), text.len());
        // Inside a multi-byte character (UTF-8 column 5 is the middle of `θ`).
        assert_eq!(Lines::new(text, Encoding::Utf8).offset(pos(0, 5)), 4);
    }
}
