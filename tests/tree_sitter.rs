//! The tree-sitter grammar (`editors/tree-sitter-gov`) agrees with the pest grammar
//! (`grammar/gov.pest`, the final word on syntax): every golden, example and stdlib
//! `.gov` file, and every prefix of one that ends at a line break, is accepted by both or
//! rejected by both, and tree-sitter leaves no ERROR or MISSING node in a file pest
//! accepts. The keyword lists of the two grammars are compared too.
//!
//! After changing `grammar/gov.pest`, change the rule of the same name in
//! `editors/tree-sitter-gov/grammar.js` and run `editors/tree-sitter-gov/generate.sh`.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use gov::syntax::{GovParser, Rule, RESERVED_WORDS};
use pest::Parser as _;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.gov` file (valid UTF-8) under the golden tests, the examples and the stdlib.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["tests/golden", "tests/lsp", "examples", "stdlib"] {
        collect(&root().join(dir), &mut files);
    }
    files.into_iter().filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t))).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "gov") {
            out.push(p);
        }
    }
}

fn pest_accepts(text: &str) -> bool {
    GovParser::parse(Rule::file, text).is_ok()
}

fn tree_sitter_parser() -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_gov::LANGUAGE.into()).expect("the grammar loads");
    parser
}

/// Where tree-sitter found errors (`None` when it accepts the text).
fn tree_sitter_errors(parser: &mut tree_sitter::Parser, text: &str) -> Option<Vec<String>> {
    let tree = parser.parse(text, None).expect("tree-sitter returns a tree");
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut found = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            found.push(format!("{} at {}:{}", node.kind(), p.row + 1, p.column + 1));
        }
        stack.extend(node.children(&mut cursor));
    }
    Some(found)
}

/// Runs `f` on a thread with a big stack: pest recurses once per nested bracket.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(256 * 1024 * 1024).spawn(f).unwrap().join().unwrap();
}

#[test]
fn both_grammars_accept_and_reject_the_same_files() {
    on_big_stack(|| {
        let files = corpus();
        assert!(files.len() > 50, "found {} files", files.len());
        let mut parser = tree_sitter_parser();
        let mut disagreements = Vec::new();
        let (mut accepted, mut rejected) = (0, 0);
        for (path, text) in &files {
            let rel = path.strip_prefix(root()).unwrap_or(path).display().to_string();
            let pest = pest_accepts(text);
            let ts = tree_sitter_errors(&mut parser, text);
            match (pest, &ts) {
                (true, None) => accepted += 1,
                (false, Some(_)) => rejected += 1,
                (true, Some(errors)) => {
                    disagreements.push(format!("{rel}: pest accepts, tree-sitter finds {errors:?}"))
                }
                (false, None) => disagreements.push(format!("{rel}: pest rejects, tree-sitter accepts")),
            }
        }
        assert!(disagreements.is_empty(), "the grammars disagree:\n{}", disagreements.join("\n"));
        assert!(accepted > 40 && rejected > 5, "{accepted} accepted, {rejected} rejected");
    });
}

/// Prefixes cut at line breaks are mostly invalid in subtle ways (a clause without its
/// value, an open block): a much larger set of inputs for the two grammars to agree on.
#[test]
fn both_grammars_agree_on_every_prefix_at_a_line_break() {
    on_big_stack(|| {
        let mut parser = tree_sitter_parser();
        let mut disagreements = Vec::new();
        let mut checked = 0;
        for (path, text) in corpus() {
            if !pest_accepts(&text) {
                continue;
            }
            let rel = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
            for (cut, _) in text.match_indices('\n') {
                let prefix = &text[..cut];
                checked += 1;
                let pest = pest_accepts(prefix);
                let ts = tree_sitter_errors(&mut parser, prefix);
                if pest != ts.is_none() {
                    let line = prefix.matches('\n').count() + 1;
                    disagreements.push(format!("{rel} cut after line {line}: pest accepts {pest}, tree-sitter {ts:?}"));
                }
            }
        }
        assert!(checked > 1000, "{checked} prefixes");
        assert!(disagreements.is_empty(), "the grammars disagree:\n{}", disagreements.join("\n"));
    });
}

/// Deleting any one word (a name, an operator, a keyword, a bracket run) from a valid
/// declaration makes inputs that are invalid in many different ways: both grammars must
/// agree on each. Files are cut at blank lines into pieces that are valid on their own,
/// so that each mutation parses a small text.
#[test]
fn both_grammars_agree_when_any_word_is_deleted() {
    on_big_stack(|| {
        let mut parser = tree_sitter_parser();
        let mut disagreements = Vec::new();
        let mut checked = 0;
        for (path, text) in corpus() {
            let rel = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
            for piece in text.split("\n\n").filter(|p| pest_accepts(p)) {
                for (s, e) in words(piece) {
                    let mutated = format!("{}{}", &piece[..s], &piece[e..]);
                    checked += 1;
                    let pest = pest_accepts(&mutated);
                    let ts = tree_sitter_errors(&mut parser, &mutated);
                    if pest != ts.is_none() {
                        let word = &piece[s..e];
                        disagreements.push(format!(
                            "{rel}: `{mutated}` (without `{word}`): pest accepts {pest}, tree-sitter {ts:?}"
                        ));
                    }
                }
            }
        }
        assert!(checked > 5000, "{checked} deletions");
        assert!(disagreements.is_empty(), "the grammars disagree:\n{}", disagreements.join("\n"));
    });
}

/// Byte ranges of the whitespace-separated words of `text`.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                found.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// The generated grammar (`src/grammar.json`) as tree-sitter wrote it.
fn grammar_json() -> Value {
    let text = std::fs::read_to_string(root().join("editors/tree-sitter-gov/src/grammar.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn reserved_set(grammar: &Value, name: &str) -> Vec<String> {
    let set = grammar["reserved"][name].as_array().unwrap_or_else(|| panic!("no reserved set `{name}`"));
    let mut words: Vec<String> = set.iter().filter_map(|w| w["value"].as_str().map(str::to_string)).collect();
    words.sort();
    words
}

/// The words of every `kw_*` rule of gov.pest.
fn pest_keywords() -> Vec<String> {
    let pest = std::fs::read_to_string(root().join("grammar/gov.pest")).unwrap();
    let mut words: Vec<String> =
        pest.lines().filter(|l| l.starts_with("kw_")).filter_map(|l| l.split('"').nth(1).map(str::to_string)).collect();
    words.sort();
    words
}

/// tree-sitter's global reserved words are pest's `keyword` rule; its `unit` set adds
/// exactly the clause words pest refuses as a unit after a value; every keyword of
/// gov.pest is a keyword of the tree-sitter grammar.
#[test]
fn keyword_lists_match_the_pest_grammar() {
    let grammar = grammar_json();
    let global = reserved_set(&grammar, "global");
    let mut reserved: Vec<String> = RESERVED_WORDS.iter().map(|w| w.to_string()).collect();
    reserved.sort();
    assert_eq!(global, reserved, "editors/tree-sitter-gov/grammar.js RESERVED vs the `keyword` rule");

    let unit = reserved_set(&grammar, "unit");
    let text = serde_json::to_string(&grammar["rules"]).unwrap();
    for word in pest_keywords() {
        assert!(text.contains(&format!("\"value\":\"{word}\"")), "`{word}` is not a keyword of grammar.js");
        if reserved.contains(&word) {
            continue;
        }
        // A soft keyword ends an expression instead of being read as a unit.
        let soft = !pest_accepts(&format!("let x = 1 {word}\n"));
        assert_eq!(unit.contains(&word), soft, "`{word}`: soft keyword in gov.pest is {soft}");
    }
}

/// The highlight query compiles against the grammar and captures every word of the
/// examples that is a reserved word as a keyword, operator or literal.
#[test]
fn the_highlight_query_covers_the_reserved_words() {
    use tree_sitter::StreamingIterator as _;
    let language: tree_sitter::Language = tree_sitter_gov::LANGUAGE.into();
    let query = tree_sitter::Query::new(&language, tree_sitter_gov::HIGHLIGHTS_QUERY).expect("the query compiles");
    let mut parser = tree_sitter_parser();
    let mut seen = std::collections::BTreeSet::new();
    for (path, text) in corpus().into_iter().filter(|(p, _)| p.starts_with(root().join("examples"))) {
        let tree = parser.parse(&text, None).unwrap();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut captures = cursor.captures(&query, tree.root_node(), text.as_bytes());
        while let Some((m, i)) = captures.next() {
            let capture = m.captures[*i];
            let word = &text[capture.node.byte_range()];
            let name = query.capture_names()[capture.index as usize];
            if RESERVED_WORDS.contains(&word) {
                let fits = ["keyword", "operator", "boolean", "constant"].iter().any(|k| name.starts_with(k));
                assert!(fits, "{}: `{word}` captured as {name}", path.display());
                if fits {
                    seen.insert(word.to_string());
                }
            }
        }
    }
    assert!(seen.len() > 15, "keywords highlighted: {seen:?}");
}
