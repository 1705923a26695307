//! Text → AST. The pest grammar in `grammar/gov.pest` recognises the text; `build`
//! turns pest pairs into [`ast`] nodes (one function per rule, one Pratt parser for
//! precedence); `trivia` recovers comments. Syntax errors become `E01xx` diagnostics.

pub mod ast;
mod build;
mod errors;
pub mod trivia;

use crate::diag::Diagnostic;
use crate::source::SourceId;
use pest::Parser;

pub use build::OPERATOR_LIMIT;

/// Words that begin a declaration (the `item` and actor-member rules of the grammar).
pub const ITEM_KEYWORDS: &[&str] = &[
    "use",
    "unit",
    "type",
    "param",
    "let",
    "fn",
    "random",
    "actor",
    "market",
    "cap",
    "penalty",
    "audit",
    "license",
    "threshold",
    "sequence",
    "game",
    "check",
    "expect",
    "scenario",
    "compare",
    "simulate",
    "sweep",
    "choose",
    "payoff",
];

/// Every reserved word of the grammar's `keyword` rule: none can be a name.
pub const RESERVED_WORDS: &[&str] = &[
    "use",
    "unit",
    "type",
    "param",
    "let",
    "fn",
    "random",
    "actor",
    "market",
    "cap",
    "penalty",
    "audit",
    "license",
    "threshold",
    "sequence",
    "game",
    "check",
    "expect",
    "scenario",
    "compare",
    "simulate",
    "sweep",
    "choose",
    "payoff",
    "forall",
    "exists",
    "in",
    "where",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "true",
    "false",
    "inf",
    "abstain",
];

/// The pest parser generated from `grammar/gov.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/gov.pest"]
pub struct GovParser;

/// Parses a whole `.gov` file.
pub fn parse_file(text: &str, source: SourceId) -> Result<ast::File, Diagnostic> {
    let comments = trivia::scan(text, source)?;
    limit_work(text);
    let mut pairs = GovParser::parse(Rule::file, text).map_err(|e| errors::syntax_error(e, text, source))?;
    let file = pairs.next().ok_or_else(|| errors::internal(source, "empty parse"))?;
    let builder = build::Builder { source, text, comments: &comments, depth: Default::default() };
    let items = builder.items(file.into_inner())?;
    Ok(ast::File { source, doc: trivia::file_doc(text, &comments), items })
}

/// Parses a single expression (a `--set` value).
pub fn parse_expr(text: &str, source: SourceId) -> Result<ast::Expr, Diagnostic> {
    let comments = trivia::scan(text, source)?;
    limit_work(text);
    let mut pairs = GovParser::parse(Rule::value_input, text).map_err(|e| errors::syntax_error(e, text, source))?;
    let input = pairs.next().ok_or_else(|| errors::internal(source, "empty parse"))?;
    let builder = build::Builder { source, text, comments: &comments, depth: Default::default() };
    let expr = input
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| errors::internal(source, "value without expression"))?;
    builder.expr(expr)
}

/// Parses the expression that starts at byte `start` of `text` (the rest of a REPL
/// command or a `NAME=VALUE`), with spans into the whole text.
pub fn parse_expr_at(text: &str, start: usize, source: SourceId) -> Result<ast::Expr, Diagnostic> {
    let start = crate::source::floor_char_boundary(text, start);
    let padded = format!("{}{}", " ".repeat(start), &text[start..]);
    parse_expr(&padded, source)
}

/// Parses a `--vary NAME=VALUES` argument of `gov sweep`.
pub fn parse_vary(text: &str, source: SourceId) -> Result<ast::Vary, Diagnostic> {
    let comments = trivia::scan(text, source)?;
    limit_work(text);
    let mut pairs = GovParser::parse(Rule::vary_input, text).map_err(|e| errors::syntax_error(e, text, source))?;
    let input = pairs.next().ok_or_else(|| errors::internal(source, "empty parse"))?;
    build::Builder { source, text, comments: &comments, depth: Default::default() }.vary_input(input)
}

/// Parses a `--metric [NAME=]EXPR` argument of `gov sweep`: the metric's name and expression.
pub fn parse_metric(text: &str, source: SourceId) -> Result<(ast::Ident, ast::Expr), Diagnostic> {
    let comments = trivia::scan(text, source)?;
    limit_work(text);
    let mut pairs = GovParser::parse(Rule::metric_input, text).map_err(|e| errors::syntax_error(e, text, source))?;
    let input = pairs.next().ok_or_else(|| errors::internal(source, "empty parse"))?;
    build::Builder { source, text, comments: &comments, depth: Default::default() }.metric_input(input)
}

/// Bounds pest's work (rule calls) in proportion to the input, so no input can make
/// parsing take exponential time; exceeding it is reported as `E0103`.
fn limit_work(text: &str) {
    let budget = (text.len().saturating_mul(400)).max(20_000_000);
    pest::set_call_limit(std::num::NonZeroUsize::new(budget));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word lists agree with the grammar: each reserved word is refused as a name.
    #[test]
    fn reserved_words_match_the_grammar() {
        for word in RESERVED_WORDS {
            let text = format!("param {word}: Real = 1");
            assert!(parse_file(&text, SourceId(0)).is_err(), "`{word}` is accepted as a name");
        }
        assert!(ITEM_KEYWORDS.iter().all(|k| RESERVED_WORDS.contains(k)));
        assert!(parse_file("param supply: Real = 1", SourceId(0)).is_ok(), "soft keywords are names");
    }
}
