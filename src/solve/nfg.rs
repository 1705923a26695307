//! Reader (and a small writer) for Gambit's strategic-form `.nfg` files.
//!
//! Both variants of the format are read:
//!
//! * payoff version: `NFG 1 R "title" { "P1" "P2" } { 3 3 }` (or nested
//!   strategy-name lists), an optional comment string, then one payoff per
//!   player for every profile, the first player's strategy varying fastest;
//! * outcome version: `{ { "s1" "s2" } { "t1" "t2" } }` strategy names, an
//!   optional comment string, a list of outcomes `{ { "name" 3, 3 } ... }`,
//!   then one outcome index per profile (`0` is the null outcome, all zero).
//!
//! Tokenisation follows Gambit's own lexer (`src/games/file.cc`): tokens are
//! separated by ASCII whitespace; `{`, `}` and `,` stand alone; a quoted
//! string may contain `\"`; anything else runs to the next whitespace. The
//! format has no comment syntax besides the optional comment string after the
//! strategies. Payoffs may be integers, decimals (`1.5`), fractions (`1/3`)
//! or exponent forms (`2.5e-3`, `3E2`); all are kept exact, a decimal being
//! the rational its digits spell. As an extension, a leading `+` and a `+`
//! exponent sign are accepted. Errors carry the byte offset of the offending
//! token; the reader never panics.

use std::fmt;

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::finite::{NormalForm, Q};

/// A syntax or consistency error in an `.nfg` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NfgError {
    /// Byte offset into the text where the problem starts (the text's length
    /// for an unexpected end of file).
    pub offset: usize,
    /// What went wrong, lower-case, e.g. "expected `{`".
    pub message: String,
}

impl NfgError {
    fn new(offset: usize, message: impl Into<String>) -> NfgError {
        NfgError { offset, message: message.into() }
    }

    /// One-based line and column (in characters) of [`NfgError::offset`]
    /// within `text`.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        let mut line = 1;
        let mut col = 1;
        for (i, c) in text.char_indices() {
            if i >= self.offset {
                break;
            }
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        (line, col)
    }
}

impl fmt::Display for NfgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for NfgError {}

/// Largest decimal exponent accepted in a number (`1e4096`), so that a
/// hostile file cannot ask for astronomically large integers.
pub const MAX_EXPONENT: u32 = 4096;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Number(String),
    Text(String),
    Symbol(String),
    LBrace,
    RBrace,
    Comma,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Number(s) => format!("number `{s}`"),
            Tok::Text(_) => "a string".to_string(),
            Tok::Symbol(s) => format!("`{}`", truncate(s)),
            Tok::LBrace => "`{`".to_string(),
            Tok::RBrace => "`}`".to_string(),
            Tok::Comma => "`,`".to_string(),
            Tok::Eof => "end of file".to_string(),
        }
    }
}

fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The current token and its byte offset.
    tok: Tok,
    start: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, bytes: text.as_bytes(), pos: 0, tok: Tok::Eof, start: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - from
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.text.get(from..to).unwrap_or("").to_string()
    }

    /// Advances to the next token.
    fn next(&mut self) -> Result<(), NfgError> {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.start = self.pos;
        let Some(c) = self.peek() else {
            self.tok = Tok::Eof;
            return Ok(());
        };
        self.tok = match c {
            b'{' => {
                self.pos += 1;
                Tok::LBrace
            }
            b'}' => {
                self.pos += 1;
                Tok::RBrace
            }
            b',' => {
                self.pos += 1;
                Tok::Comma
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => self.number()?,
            b'"' => self.string()?,
            _ => {
                while self.peek().is_some_and(|b| !is_space(b)) {
                    self.pos += 1;
                }
                Tok::Symbol(self.slice(self.start, self.pos))
            }
        };
        Ok(())
    }

    /// `[+-]? digits* ( '/' digits* | '.' digits* exp? | exp )?` with
    /// `exp = [eE] [+-]? digits*`, as Gambit's lexer groups it; whether the
    /// text is a valid number is decided by [`parse_number`].
    fn number(&mut self) -> Result<Tok, NfgError> {
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        self.digits();
        match self.peek() {
            Some(b'/') => {
                self.pos += 1;
                self.digits();
            }
            Some(b'.') => {
                self.pos += 1;
                self.digits();
                if matches!(self.peek(), Some(b'e' | b'E')) {
                    self.exponent()?;
                }
            }
            Some(b'e' | b'E') => self.exponent()?,
            _ => {}
        }
        Ok(Tok::Number(self.slice(self.start, self.pos)))
    }

    fn exponent(&mut self) -> Result<(), NfgError> {
        let at = self.pos;
        self.pos += 1;
        match self.peek() {
            Some(b'+' | b'-') => self.pos += 1,
            Some(b) if b.is_ascii_digit() => {}
            _ => return Err(NfgError::new(at, "expected digits after the exponent mark")),
        }
        self.digits();
        Ok(())
    }

    /// A quoted string. As in Gambit, `\"` stands for a quote and a
    /// backslash before any other character is kept as it is.
    fn string(&mut self) -> Result<Tok, NfgError> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        let mut last_slash = false;
        loop {
            let Some(b) = self.peek() else {
                return Err(NfgError::new(self.start, "unterminated string"));
            };
            self.pos += 1;
            if b == b'"' && !last_slash {
                break;
            }
            if last_slash && b == b'"' {
                out.push(b'"');
            } else if last_slash {
                out.push(b'\\');
                out.push(b);
            } else if b != b'\\' {
                out.push(b);
            }
            last_slash = b == b'\\';
        }
        // Only whole UTF-8 sequences were copied (bytes are copied in order and
        // the delimiters are ASCII), so this conversion cannot fail in practice.
        Ok(Tok::Text(String::from_utf8_lossy(&out).into_owned()))
    }

    fn err(&self, message: impl Into<String>) -> NfgError {
        NfgError::new(self.start, message)
    }

    fn expected(&self, what: &str) -> NfgError {
        self.err(format!("expected {what}, found {}", self.tok.describe()))
    }

    fn expect_lbrace(&self) -> Result<(), NfgError> {
        if self.tok == Tok::LBrace {
            Ok(())
        } else {
            Err(self.expected("`{`"))
        }
    }

    fn expect_rbrace(&self) -> Result<(), NfgError> {
        if self.tok == Tok::RBrace {
            Ok(())
        } else {
            Err(self.expected("`}`"))
        }
    }

    /// The current token as an exact number.
    fn number_value(&self, what: &str) -> Result<Q, NfgError> {
        match &self.tok {
            Tok::Number(s) => parse_number(s).map_err(|m| self.err(m)),
            _ => Err(self.expected(what)),
        }
    }
}

/// Parses the text of one number exactly: an integer, a decimal, a fraction
/// `p/q` or an exponent form. Returns a lower-case message on failure.
pub fn parse_number(s: &str) -> Result<Q, String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = bytes.first() {
        if c == b'-' || c == b'+' {
            negative = c == b'-';
            i = 1;
        }
    }
    let take_digits = |i: &mut usize| -> &str {
        let from = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        s.get(from..*i).unwrap_or("")
    };
    let int_part = take_digits(&mut i);
    let mut numer_digits = int_part.to_string();
    let mut denom = BigInt::one();
    let mut any_digit = !int_part.is_empty();
    let mut exp: i64 = 0;
    match bytes.get(i) {
        Some(b'/') => {
            i += 1;
            let d = take_digits(&mut i);
            if d.is_empty() {
                return Err(format!("`{}` has no denominator", truncate(s)));
            }
            denom = d.parse::<BigInt>().map_err(|_| format!("invalid number `{}`", truncate(s)))?;
            if denom.is_zero() {
                return Err(format!("`{}` has a zero denominator", truncate(s)));
            }
        }
        Some(b'.') => {
            i += 1;
            let frac = take_digits(&mut i);
            any_digit |= !frac.is_empty();
            numer_digits.push_str(frac);
            exp = -(i64::try_from(frac.len()).map_err(|_| "number too long".to_string())?);
            if matches!(bytes.get(i), Some(b'e' | b'E')) {
                exp += exponent(bytes, &mut i, s)?;
            }
        }
        Some(b'e' | b'E') => {
            exp += exponent(bytes, &mut i, s)?;
        }
        _ => {}
    }
    if !any_digit {
        return Err(format!("`{}` is not a number", truncate(s)));
    }
    if i != bytes.len() {
        return Err(format!("`{}` is not a number", truncate(s)));
    }
    if numer_digits.is_empty() {
        numer_digits.push('0');
    }
    let mut numer = numer_digits.parse::<BigInt>().map_err(|_| format!("invalid number `{}`", truncate(s)))?;
    if negative {
        numer = -numer;
    }
    // |exp| is at most MAX_EXPONENT plus the number of digits in `s`.
    let magnitude =
        usize::try_from(exp.unsigned_abs()).map_err(|_| format!("exponent of `{}` is out of range", truncate(s)))?;
    let power = num_traits::pow(BigInt::from(10), magnitude);
    if exp >= 0 {
        numer *= power;
    } else {
        denom *= power;
    }
    Ok(Q::new(numer, denom))
}

/// Reads `[eE] [+-]? digits+` at `*i`, returning the signed exponent.
fn exponent(bytes: &[u8], i: &mut usize, s: &str) -> Result<i64, String> {
    *i += 1;
    let mut neg = false;
    if let Some(&c) = bytes.get(*i) {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            *i += 1;
        }
    }
    let from = *i;
    while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
        *i += 1;
    }
    let digits = s.get(from..*i).unwrap_or("");
    if digits.is_empty() {
        return Err(format!("`{}` has an exponent without digits", truncate(s)));
    }
    let value: u32 = digits
        .parse()
        .ok()
        .filter(|v| *v <= MAX_EXPONENT)
        .ok_or_else(|| format!("exponent of `{}` is out of range", truncate(s)))?;
    Ok(if neg { -i64::from(value) } else { i64::from(value) })
}

/// Reads strings after an opened `{` up to and including its `}` (player or strategy names).
fn strings_until_brace(lx: &mut Lexer<'_>) -> Result<Vec<String>, NfgError> {
    let mut names = Vec::new();
    loop {
        lx.next()?;
        match &lx.tok {
            Tok::Text(t) => names.push(t.clone()),
            _ => break,
        }
    }
    lx.expect_rbrace()?;
    Ok(names)
}

/// Parses a Gambit strategic-form game (`.nfg`, payoff or outcome version)
/// into a [`NormalForm`] with exact payoffs. Strategy names default to `1`,
/// `2`, ... when only counts are given; labels are kept as written.
pub fn parse_nfg(text: &str) -> Result<NormalForm, NfgError> {
    let mut lx = Lexer::new(text);
    lx.next()?;
    if lx.tok != Tok::Symbol("NFG".to_string()) {
        return Err(lx.expected("`NFG` file type indicator"));
    }
    lx.next()?;
    if lx.tok != Tok::Number("1".to_string()) {
        return Err(lx.expected("version `1`"));
    }
    lx.next()?;
    if lx.tok != Tok::Symbol("R".to_string()) && lx.tok != Tok::Symbol("D".to_string()) {
        return Err(lx.expected("data type `R` or `D`"));
    }
    lx.next()?;
    let title = match &lx.tok {
        Tok::Text(t) => t.clone(),
        _ => return Err(lx.expected("the game title (a string)")),
    };

    // Players.
    lx.next()?;
    lx.expect_lbrace()?;
    let players = strings_until_brace(&mut lx)?;
    if players.is_empty() {
        return Err(lx.err("the game has no players"));
    }

    // Strategies: nested name lists or counts.
    lx.next()?;
    lx.expect_lbrace()?;
    let list_start = lx.start;
    lx.next()?;
    let mut strategies: Vec<Vec<String>> = Vec::with_capacity(players.len());
    if lx.tok == Tok::LBrace {
        for _ in &players {
            lx.expect_lbrace()?;
            let names = strings_until_brace(&mut lx)?;
            if names.is_empty() {
                return Err(lx.err("a player has no strategies"));
            }
            strategies.push(names);
            lx.next()?;
        }
    } else {
        let mut counts = Vec::with_capacity(players.len());
        for _ in &players {
            let v = lx.number_value("a number of strategies")?;
            let count = if v.is_integer() && v.is_positive() { v.to_integer().to_usize() } else { None };
            let Some(count) = count else {
                return Err(lx.err("a number of strategies must be a positive integer"));
            };
            // Every profile needs at least one token, so a count larger than
            // the text cannot be right; checking now avoids huge allocations.
            if count > text.len() {
                return Err(lx.err("more strategies than the file could list payoffs for"));
            }
            counts.push(count);
            lx.next()?;
        }
        let mut profiles = 1usize;
        for c in &counts {
            profiles = profiles.saturating_mul(*c);
        }
        if profiles > text.len() {
            return Err(NfgError::new(list_start, "more strategy profiles than the file could list payoffs for"));
        }
        for c in counts {
            strategies.push((1..=c).map(|s| s.to_string()).collect());
        }
    }
    lx.expect_rbrace()?;
    let mut profiles = 1usize;
    for s in &strategies {
        profiles = profiles.saturating_mul(s.len());
    }
    if profiles > text.len() {
        return Err(NfgError::new(list_start, "more strategy profiles than the file could list payoffs for"));
    }

    // Optional comment.
    lx.next()?;
    if let Tok::Text(_) = lx.tok {
        lx.next()?;
    }

    let n = players.len();
    let mut payoffs: Vec<Vec<Q>> = Vec::with_capacity(profiles);
    match lx.tok {
        Tok::LBrace => {
            // Outcome list.
            let mut outcomes: Vec<Vec<Q>> = Vec::new();
            lx.next()?;
            while lx.tok == Tok::LBrace {
                lx.next()?;
                if !matches!(lx.tok, Tok::Text(_)) {
                    return Err(lx.expected("an outcome name (a string)"));
                }
                lx.next()?;
                let mut pay = Vec::with_capacity(n);
                for _ in 0..n {
                    pay.push(lx.number_value("a payoff")?);
                    lx.next()?;
                    if lx.tok == Tok::Comma {
                        lx.next()?;
                    }
                }
                lx.expect_rbrace()?;
                outcomes.push(pay);
                lx.next()?;
            }
            lx.expect_rbrace()?;
            lx.next()?;
            let zero = vec![Q::zero(); n];
            for _ in 0..profiles {
                let v = lx.number_value("an outcome index")?;
                let index = if v.is_integer() && !v.is_negative() { v.to_integer().to_usize() } else { None };
                let Some(index) = index else {
                    return Err(lx.err("an outcome index must be a non-negative integer"));
                };
                let pay = if index == 0 {
                    zero.clone()
                } else {
                    outcomes.get(index - 1).cloned().ok_or_else(|| {
                        lx.err(format!("outcome {index} is not defined (the file defines {})", outcomes.len()))
                    })?
                };
                payoffs.push(pay);
                lx.next()?;
            }
        }
        Tok::Number(_) => {
            for _ in 0..profiles {
                let mut pay = Vec::with_capacity(n);
                for _ in 0..n {
                    pay.push(lx.number_value("a payoff")?);
                    lx.next()?;
                }
                payoffs.push(pay);
            }
        }
        _ => return Err(lx.expected("an outcome list or payoffs")),
    }
    if lx.tok != Tok::Eof {
        return Err(lx.expected("end of file"));
    }
    NormalForm::new(title, players, strategies, payoffs).map_err(|m| NfgError::new(0, m))
}

/// Writes `g` in the payoff version of the `.nfg` format, with strategy
/// names and exact rational payoffs; [`parse_nfg`] reads it back to an equal
/// game. (As in Gambit, a label ending in a backslash does not survive.)
pub fn write_nfg(g: &NormalForm) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\\\""));
    let mut out = format!("NFG 1 R {} {{", quote(&g.title));
    for p in &g.players {
        out.push(' ');
        out.push_str(&quote(p));
    }
    out.push_str(" }\n\n{ ");
    for names in &g.strategies {
        out.push_str("{ ");
        for s in names {
            out.push_str(&quote(s));
            out.push(' ');
        }
        out.push_str("}\n");
    }
    out.push_str("}\n\"\"\n\n");
    for k in 0..g.num_profiles() {
        if let Some(pay) = g.payoffs_at(k) {
            let line: Vec<String> = pay.iter().map(ToString::to_string).collect();
            out.push_str(&line.join(" "));
            out.push('\n');
        }
    }
    out
}
