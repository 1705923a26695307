//! The gov grammar for tree-sitter: `LANGUAGE` for `tree_sitter::Parser::set_language`,
//! and the highlight query.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_gov() -> *const ();
}

/// The tree-sitter language of `.gov` files.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_gov) };

/// The node types of the grammar (JSON).
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting query.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

#[cfg(test)]
mod tests {
    #[test]
    fn the_grammar_loads() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::LANGUAGE.into()).expect("the gov grammar loads");
        let tree = parser.parse("unit usd\nparam p: usd = 2 usd\n", None).expect("parses");
        assert!(!tree.root_node().has_error());
    }

    #[test]
    fn the_highlight_query_compiles() {
        tree_sitter::Query::new(&super::LANGUAGE.into(), super::HIGHLIGHTS_QUERY).expect("the query compiles");
    }
}
