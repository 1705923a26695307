//! The output buffer of the formatter and the placement of comments.
//!
//! The printers in `items` and `expr` walk the AST in source order and call
//! [`Printer::element`] before every declaration, member or clause and
//! [`Printer::flush_inline`] before every node that has a span. Each call first emits the
//! comments that lie before that source position, so comments keep their order relative
//! to the code around them. A comment with code before it on its source line is
//! *trailing* and is appended to the current output line; any other comment is
//! *own-line* and gets a line of its own. Comments are never rewritten: their text is
//! copied as written (line comments without trailing blanks).

use crate::syntax::trivia::{Comment, CommentKind};

/// Spaces per indentation level.
const INDENT: &str = "    ";

/// Brackets after which a block comment needs no separating space.
const OPENERS: [char; 2] = ['(', '['];

/// Text before which no space is inserted after a block comment.
const CLOSERS: [char; 6] = [')', ']', '}', ',', ';', ':'];

/// True for characters the grammar skips between tokens.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// The formatter's state: the source being formatted, its comments and the output so far.
pub(super) struct Printer<'a> {
    /// The original text (for comment text, blank lines and keyword positions).
    text: &'a str,
    /// Every comment of the source, sorted by position.
    comments: &'a [Comment],
    /// Index of the first comment not yet emitted.
    next: usize,
    /// The output so far; the last line is still open.
    out: String,
    /// The open line holds something besides indentation.
    line_has_code: bool,
    /// A line comment ended the open line, so the next token must start a new one.
    pending_break: bool,
    /// A block comment ended the open line, so the next token needs a space before it.
    need_space: bool,
    /// Depth of continuation lines inside the current element.
    pub(super) cont: usize,
    /// Nothing has been printed yet in the current block (no blank line allowed).
    fresh: bool,
    /// The last line printed was an own-line `///` comment (keep its item directly below).
    after_doc: bool,
}

impl<'a> Printer<'a> {
    /// A printer for `text`, whose comments (from `trivia::scan`) are `comments`.
    pub(super) fn new(text: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            text,
            comments,
            next: 0,
            out: String::with_capacity(text.len() + text.len() / 4),
            line_has_code: false,
            pending_break: false,
            need_space: false,
            cont: 1,
            fresh: true,
            after_doc: false,
        }
    }

    /// Emits the comments left at the end of the file and returns the text.
    pub(super) fn finish(mut self) -> String {
        self.flush_lines(usize::MAX, 0, true);
        self.trim_line_end();
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    // ───────────── lines and words ─────────────

    fn trim_line_end(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
    }

    /// Ends the open line (adding one blank line if `blank`) and indents a new one.
    pub(super) fn begin_line(&mut self, depth: usize, blank: bool) {
        self.trim_line_end();
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank {
                self.out.push('\n');
            }
        }
        for _ in 0..depth {
            self.out.push_str(INDENT);
        }
        self.line_has_code = false;
        self.pending_break = false;
        self.need_space = false;
    }

    /// Appends a piece of code; leading spaces are dropped at the start of a line.
    pub(super) fn word(&mut self, s: &str) {
        if self.pending_break {
            self.begin_line(self.cont, false);
        }
        let s = if self.line_has_code { s } else { s.trim_start() };
        if s.is_empty() {
            return;
        }
        if self.need_space && !s.starts_with(' ') && !s.starts_with(CLOSERS) {
            self.out.push(' ');
        }
        self.need_space = false;
        self.out.push_str(s);
        self.line_has_code = true;
    }

    /// Starts a declaration, member or clause beginning at source byte `pos` on a new
    /// line at `depth`, after the comments before it; keeps one blank line if the source
    /// had any there.
    pub(super) fn element(&mut self, pos: usize, depth: usize) {
        self.flush_lines(pos, depth, true);
        let blank = !self.fresh && !self.after_doc && self.blank_before(pos);
        self.begin_line(depth, blank);
        self.fresh = false;
        self.after_doc = false;
        self.cont = depth + 1;
    }

    /// Prints ` {` (after the comments between the header, ending at source byte
    /// `header_end`, and the brace) and returns a mark for [`Printer::close_block`].
    pub(super) fn open_block(&mut self, header_end: usize) -> usize {
        self.flush_to_token(header_end);
        self.word(" {");
        self.fresh = true;
        self.out.len()
    }

    /// Prints the `}` whose block ends at source byte `span_end`: `{}` when nothing was
    /// printed since `mark`, otherwise on its own line at `depth`.
    pub(super) fn close_block(&mut self, span_end: usize, depth: usize, mark: usize) {
        if let Some(close) = self.closer_at_end(span_end) {
            self.flush_lines(close, depth + 1, true);
        }
        if self.out.len() != mark {
            self.begin_line(depth, false);
        }
        self.word("}");
        self.fresh = false;
        self.after_doc = false;
    }

    // ───────────── comments ─────────────

    /// The comment's text as it will be printed.
    fn comment_text(&self, c: &Comment) -> &'a str {
        let raw = self.text.get(c.start..c.end).unwrap_or("");
        if c.kind == CommentKind::Block {
            raw
        } else {
            raw.trim_end()
        }
    }

    /// Takes the next comment if it starts before `pos`.
    fn take_before(&mut self, pos: usize) -> Option<Comment> {
        let c = self.comments.get(self.next).filter(|c| c.start < pos)?.clone();
        self.next += 1;
        Some(c)
    }

    /// True if code (or another comment) precedes `c` on its source line and there is an
    /// open output line to append it to.
    fn is_trailing(&self, c: &Comment) -> bool {
        let before = self.text.get(..c.start).unwrap_or("");
        let line = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
        self.line_has_code && !line.chars().all(is_blank)
    }

    /// Appends `c` to the open line (or, after a line comment, to a new one at `depth`).
    fn append_trailing(&mut self, c: &Comment, depth: usize) {
        if self.pending_break {
            // Comments can move past tokens that have no position of their own; one that
            // now follows a line comment starts a new line, as an own-line comment would.
            self.begin_line(depth, false);
        }
        let tight = c.kind == CommentKind::Block && self.out.ends_with(OPENERS);
        if !self.out.ends_with(is_blank) && !tight {
            self.out.push(' ');
        }
        self.out.push_str(self.comment_text(c));
        self.line_has_code = true;
        if c.kind == CommentKind::Block {
            self.need_space = true;
        } else {
            // A line comment runs to the end of the line: code cannot follow it there.
            self.pending_break = true;
        }
    }

    /// Emits the comments before `pos` between elements of a block at `depth`; own-line
    /// comments keep one blank line above them if the source had one and `blank` allows.
    pub(super) fn flush_lines(&mut self, pos: usize, depth: usize, blank: bool) {
        while let Some(c) = self.take_before(pos) {
            if self.is_trailing(&c) {
                self.append_trailing(&c, depth);
                continue;
            }
            let gap = blank && !self.fresh && !self.after_doc && self.blank_before(c.start);
            self.begin_line(depth, gap);
            self.out.push_str(self.comment_text(&c));
            self.line_has_code = true;
            self.fresh = false;
            self.after_doc = c.kind == CommentKind::Doc;
            self.pending_break = c.kind != CommentKind::Block;
        }
    }

    /// Emits the comments before `pos` inside an element: trailing ones on the open line,
    /// own-line ones on a continuation line of their own.
    pub(super) fn flush_inline(&mut self, pos: usize) {
        while let Some(c) = self.take_before(pos) {
            if self.is_trailing(&c) {
                self.append_trailing(&c, self.cont);
                continue;
            }
            self.begin_line(self.cont, false);
            self.out.push_str(self.comment_text(&c));
            self.line_has_code = true;
            self.pending_break = c.kind != CommentKind::Block;
            self.need_space = c.kind == CommentKind::Block;
        }
    }

    /// Prints a keyword or punctuation (` = `, ` where `, `: `) that stands just before
    /// the node starting at `next`, after the comments written before it.
    pub(super) fn keyword(&mut self, s: &str, next: u32) {
        let at = self.token_before(next as usize);
        self.flush_inline(at);
        self.word(s);
    }

    /// Emits the comments before the first token at or after `pos`: used before
    /// operators and keywords, which have no span, so comments written before them stay
    /// before them.
    pub(super) fn flush_to_token(&mut self, pos: usize) {
        let next = self.trivia_fwd(pos);
        self.flush_inline(next);
    }

    /// True if a comment not yet emitted starts inside `start..end`.
    pub(super) fn has_comment_within(&self, start: usize, end: usize) -> bool {
        self.comments.get(self.next..).unwrap_or(&[]).iter().any(|c| start <= c.start && c.start < end)
    }

    /// Copies the source `start..end` as written, comments inside it included.
    pub(super) fn verbatim(&mut self, start: usize, end: usize) {
        self.flush_inline(start);
        self.word(self.text.get(start..end).unwrap_or(""));
        while self.comments.get(self.next).is_some_and(|c| c.start < end) {
            self.next += 1;
        }
    }

    // ───────────── looking at the source ─────────────

    /// True if the blanks just before `pos` hold an empty line.
    fn blank_before(&self, pos: usize) -> bool {
        let before = self.text.get(..pos.min(self.text.len())).unwrap_or("");
        let kept = before.trim_end_matches(is_blank).len();
        before[kept..].matches('\n').count() >= 2
    }

    /// The comment covering the byte just before `pos`, if any.
    fn comment_ending_at(&self, pos: usize) -> Option<&Comment> {
        let idx = self.comments.partition_point(|c| c.start < pos);
        idx.checked_sub(1).and_then(|i| self.comments.get(i)).filter(|c| pos <= c.end)
    }

    /// The end of the last token before `pos`, skipping blanks and comments backwards.
    fn trivia_back(&self, pos: usize) -> usize {
        let mut p = pos.min(self.text.len());
        loop {
            let q = self.text.get(..p).map_or(0, |s| s.trim_end_matches(is_blank).len());
            match self.comment_ending_at(q) {
                Some(c) if c.start < q => p = c.start,
                _ => return q,
            }
        }
    }

    /// The start of the first token at or after `pos`, skipping blanks and comments.
    fn trivia_fwd(&self, pos: usize) -> usize {
        let mut p = pos.min(self.text.len());
        loop {
            let rest = self.text.get(p..).unwrap_or("");
            p += rest.len() - rest.trim_start_matches(is_blank).len();
            let idx = self.comments.partition_point(|c| c.start < p);
            match self.comments.get(idx).filter(|c| c.start == p) {
                Some(c) => p = c.end.max(p + 1),
                None => return p,
            }
        }
    }

    /// The end of the word or symbol starting at the first token at or after `pos`.
    pub(super) fn next_token_end(&self, pos: usize) -> usize {
        let start = self.trivia_fwd(pos);
        let rest = self.text.get(start..).unwrap_or("");
        let word = rest.len() - rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_').len();
        start + word.max(rest.chars().next().map_or(0, char::len_utf8))
    }

    /// Where the token before `pos` starts: the clause keyword before a clause's first
    /// node, so that comments and blank lines are placed before the keyword.
    pub(super) fn token_before(&self, pos: usize) -> usize {
        let q = self.trivia_back(pos);
        let head = self.text.get(..q).unwrap_or("");
        let word = head.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
        if word.len() < q {
            return word.len();
        }
        head.char_indices().next_back().map_or(0, |(i, _)| i)
    }

    /// The position of the closing bracket of a node whose span ends at `span_end`
    /// (spans may run on over trailing blanks and comments).
    pub(super) fn closer_at_end(&self, span_end: usize) -> Option<usize> {
        self.trivia_back(span_end).checked_sub(1)
    }

    /// Emits the comments before the closing bracket of a node ending at `span_end`.
    pub(super) fn flush_closer_at_end(&mut self, span_end: usize) {
        if let Some(close) = self.closer_at_end(span_end) {
            self.flush_inline(close);
        }
    }

    /// Emits the comments before the closing bracket that follows source byte `pos`
    /// (after an optional trailing comma).
    pub(super) fn flush_closer_after(&mut self, pos: usize) {
        let mut p = self.trivia_fwd(pos);
        if self.text.get(p..).is_some_and(|s| s.starts_with(',')) {
            p = self.trivia_fwd(p + 1);
        }
        self.flush_inline(p);
    }
}
