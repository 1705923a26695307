//! The front end never panics and never overflows the stack, whatever the input.
//!
//! - Property tests push arbitrary text, token soup and mutated real regimes through
//!   `parse_file` and `check_source`, and check that every diagnostic's spans lie on char
//!   boundaries inside a known source, that no internal error (`E0901`) comes out, and that
//!   `render_human` and `render_json` never panic on the result.
//! - Fixed cases cover the extremes: an empty file, 10,000 nested brackets, a 5 MB regime,
//!   50,000-term chains, 100,000 unary minus signs, chains at every expression limit,
//!   100,000 bracket-free `if`/`forall` levels, nested long sums and nested domains.
//!
//! The library is called directly, on the test harness's threads (2 MB stacks), except
//! where a case says otherwise: accepted expressions 5,000 levels deep need up to ~19 MB
//! of stack, and rejected trees deeper than ~35,000 levels are dropped recursively, so
//! those cases run on a 256 MB thread like the `gov` binary's worker (see
//! [`on_big_stack`]).
//!
//! Proptest failures are not persisted to files; a failure prints the minimal input.
//! `PROPTEST_CASES=N` overrides the number of cases of every property.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use gov::diag::render::{render_human, render_json, RenderOptions};
use gov::diag::{Code, Diagnostic, Label};
use gov::session::{check_source, CheckOutcome};
use gov::source::SourceMap;
use gov::syntax::trivia::MAX_NESTING;
use gov::syntax::{parse_file, OPERATOR_LIMIT};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::Config;

// ───────────────────────────── invariants ─────────────────────────────

/// Every label of `d` points into a source of `sources`, with `start <= end <= len` and
/// both ends on UTF-8 character boundaries.
fn check_spans(d: &Diagnostic, sources: &SourceMap) -> Result<(), String> {
    for (i, label) in std::iter::once(&d.primary).chain(&d.secondary).enumerate() {
        check_label(label, sources)
            .map_err(|e| format!("{} `{}`, label {i} ({:?}): {e}", d.code.as_str(), d.message, label.message))?;
    }
    Ok(())
}

fn check_label(label: &Label, sources: &SourceMap) -> Result<(), String> {
    let span = label.span;
    let file = sources.get(span.source).ok_or_else(|| format!("span in unknown source {:?}", span.source))?;
    let (start, end, len) = (span.start as usize, span.end as usize, file.text.len());
    if start > end || end > len {
        return Err(format!("span {start}..{end} outside `{}` ({len} bytes)", file.name));
    }
    if !file.text.is_char_boundary(start) || !file.text.is_char_boundary(end) {
        return Err(format!("span {start}..{end} not on char boundaries of `{}`", file.name));
    }
    Ok(())
}

/// The invariants of one diagnostic list over its sources, and both renderers on it.
fn check_diagnostics(diags: &[Diagnostic], sources: &SourceMap) -> Result<(), String> {
    for d in diags {
        check_spans(d, sources)?;
        if d.code == Code::E0901 {
            return Err(format!("internal error: {} (help: {:?})", d.message, d.help));
        }
        if d.severity != d.code.severity() {
            return Err(format!("{} has severity {:?}", d.code.as_str(), d.severity));
        }
    }
    for color in [false, true] {
        let text = render_human(diags, sources, RenderOptions { color });
        for d in diags {
            let tag = format!("[{}]", d.code.as_str());
            if !text.contains(&tag) {
                return Err(format!("human rendering (color: {color}) lacks {tag}:\n{text}"));
            }
        }
    }
    for d in diags {
        let json = render_json(d, sources);
        if json.get("code").and_then(|c| c.as_str()) != Some(d.code.as_str()) {
            return Err(format!("JSON rendering of {} lacks its code: {json}", d.code.as_str()));
        }
        // Serialising must work too (control characters, odd unicode).
        let _ = json.to_string();
    }
    Ok(())
}

/// Runs `text` through `parse_file` and `check_source` and checks every invariant.
fn exercise(text: &str) -> Result<CheckOutcome, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("input.gov", text);
    match parse_file(text, id) {
        Ok(file) => {
            if file.source != id {
                return Err(format!("parsed file claims source {:?}, not {id:?}", file.source));
            }
        }
        Err(d) => check_diagnostics(std::slice::from_ref(&d), &sources).map_err(|e| format!("parse_file: {e}"))?,
    }
    let outcome = check_source("input.gov", text);
    let diags: Vec<Diagnostic> = outcome.diagnostics.iter().cloned().collect();
    check_diagnostics(&diags, &outcome.sources).map_err(|e| format!("check_source: {e}"))?;
    if outcome.ok() != outcome.model.is_some() {
        return Err(format!("ok() is {} but model is {:?}", outcome.ok(), outcome.model.is_some()));
    }
    if !outcome.sources.files().any(|(_, f)| f.name == "input.gov" && f.text == text) {
        return Err("the main source is not the text given".to_string());
    }
    Ok(outcome)
}

/// `exercise` for property tests.
fn prop_exercise(text: &str) -> Result<(), TestCaseError> {
    exercise(text).map(drop).map_err(TestCaseError::fail)
}

/// The codes of an outcome, in report order.
fn codes(outcome: &CheckOutcome) -> Vec<Code> {
    outcome.diagnostics.iter().map(|d| d.code).collect()
}

fn has_error(outcome: &CheckOutcome, code: Code, message: &str) -> bool {
    outcome.diagnostics.iter().any(|d| d.code == code && d.message.contains(message))
}

/// Runs `f` on a thread with a 256 MB stack, as the `gov` binary runs its command line.
/// For inputs whose legitimate recursion exceeds the test harness's 2 MB threads.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new().stack_size(256 << 20).spawn(f).expect("spawn a big-stack thread");
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Prints how long a pathological case took. Not an assertion: speed is measured by the
/// benchmarks, and a blow-up here (exponential parsing) shows as a test that never ends.
fn report_time(what: &str, elapsed: Duration) {
    eprintln!("{what}: {elapsed:?}");
}

// ───────────────────────────── strategies ─────────────────────────────

fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    Config { cases, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() }
}

/// Characters that matter to the lexer, and some that must not confuse it.
const SPECIAL_CHARS: &[char] = &[
    'θ', '≥', '≤', '≠', '€', '±', '·', 'λ', '\u{304}', '名', '🦀', 'é', '\u{FEFF}', '\u{0}', '\u{7}', '\u{202E}', '\r',
    '\n', '\t', ' ', '"', '\\', '/', '*', '(', ')', '[', ']', '{', '}', '%', '^', '~', '.', ',', ':', ';', '=', '<',
    '>', '!', '+', '-', '_', '0', '1', '9', 'e', 'E',
];

/// Arbitrary text: any unicode scalar, ASCII, or a character the grammar cares about.
fn arbitrary_text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        2 => any::<char>(),
        3 => proptest::char::range(' ', '~'),
        3 => select(SPECIAL_CHARS),
    ];
    prop::collection::vec(ch, 0..300).prop_map(|cs| cs.into_iter().collect())
}

/// Tokens of the language besides its reserved words, and near-misses.
const MORE_TOKENS: &[&str] = &[
    "supply",
    "demand",
    "price",
    "cost",
    "budget",
    "on",
    "detect",
    "for",
    "by",
    "metric",
    "require",
    "ban",
    "over",
    "set",
    "remove",
    "fix",
    "rounds",
    "reps",
    "seed",
    "strategy",
    "state",
    "update",
    "players",
    "strategies",
    "payoffs",
    "base",
    "penalties",
    "quadratic",
    "linear",
    // names, types, builtins
    "x",
    "y",
    "D",
    "c",
    "i",
    "n",
    "Q",
    "a",
    "usd",
    "pflop",
    "eflop",
    "Developer",
    "d",
    "permits",
    "θ",
    "λ̄",
    "名前",
    "Int",
    "Real",
    "Bool",
    "Prob",
    "sqrt",
    "exp",
    "ln",
    "sum",
    "mean",
    "min",
    "max",
    "count",
    "all",
    "any",
    "Bernoulli",
    "Normal",
    "Uniform",
    "Poisson",
    "Beta",
    "equilibrium",
    "fictitious_play",
    // numbers
    "0",
    "1",
    "2",
    "0.5",
    "1e-4",
    "1_000",
    "3.",
    "1e400",
    "99999999999999999999999999",
    "0.000000001",
    "1/3",
    // operators and punctuation
    "+",
    "-",
    "*",
    "/",
    "^",
    "==",
    "!=",
    "≠",
    "<",
    "<=",
    "≤",
    ">",
    ">=",
    "≥",
    "+-",
    "±",
    "·",
    "%",
    ".",
    ",",
    ":",
    ";",
    "..",
    "=",
    "~",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "[0, inf)",
    "1..3",
    "{open, closed}",
    "^0.5",
    "^(1/3)",
    "^-1",
    // strings, comments, trivia
    "\"doc\"",
    "\"",
    "\"\\\"",
    "\"\\",
    "// c\n",
    "/// d\n",
    "//! f\n",
    "/* b */",
    "/*",
    "*/",
    "\n",
    "\r\n",
    "\t",
    "\u{FEFF}",
    "€",
    "🦀",
    "\u{0}",
];

/// Every token for token soup and insertions: the reserved words and the rest.
fn tokens() -> Vec<&'static str> {
    gov::syntax::RESERVED_WORDS.iter().chain(MORE_TOKENS).copied().collect()
}

/// Openings that put the soup in an interesting context.
const PREFIXES: &[&str] = &[
    "",
    "unit usd\nunit pflop\nparam x: usd = ",
    "unit usd\ncheck c: ",
    "unit usd\nactor A[i in 1..3] {\n  choose c: Real in [0, 1]\n  payoff ",
    "unit usd\nunit pflop\npenalty phi(D: pflop): usd = ",
    "use penalties\nunit usd\nexpect e: ",
    "unit usd\nscenario s {\n",
    "game g {\n players R, C\n strategies R {a, b} C {a, b}\n payoffs ",
    "simulate s {\n rounds ",
];

/// What goes between tokens (mostly a space).
const SEPARATORS: &[&str] = &["", " ", " ", "\n"];

fn token_soup() -> impl Strategy<Value = String> {
    let sep = select(SEPARATORS);
    (select(PREFIXES), prop::collection::vec((select(tokens()), sep), 0..50)).prop_map(|(prefix, toks)| {
        let mut s = prefix.to_string();
        for (t, sep) in toks {
            s.push_str(t);
            s.push_str(sep);
        }
        s
    })
}

/// Real regimes to mutate: `examples/`, `stdlib/`, `tests/golden/check/` and
/// `tests/golden/robustness/`, read at run time so new cases join automatically.
static CORPUS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "stdlib", "tests/golden/check", "tests/golden/robustness"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "gov") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    files.push((format!("{dir}/{}", entry.file_name().to_string_lossy()), text));
                }
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5, "the mutation corpus is unexpectedly small: {files:?}");
    files
});

/// One edit of a text; positions are snapped down to char boundaries.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: Index, len: usize },
    Insert { at: Index, token: &'static str },
    InsertChar { at: Index, ch: char },
    Duplicate { from: Index, len: usize, to: Index },
    Swap { a: Index, b: Index, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        4 => (any::<Index>(), select(tokens())).prop_map(|(at, token)| Mutation::Insert { at, token }),
        1 => (any::<Index>(), any::<char>()).prop_map(|(at, ch)| Mutation::InsertChar { at, ch }),
        2 => (any::<Index>(), 1..120usize, any::<Index>()).prop_map(|(from, len, to)| Mutation::Duplicate { from, len, to }),
        2 => (any::<Index>(), any::<Index>(), 1..40usize).prop_map(|(a, b, len)| Mutation::Swap { a, b, len }),
    ]
}

/// The char boundary at or below the position `index` picks in `text` (0..=len).
fn boundary(text: &str, index: &Index) -> usize {
    floor(text, index.index(text.len() + 1))
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A range of about `len` bytes starting at `start`, on char boundaries.
fn range_at(text: &str, start: usize, len: usize) -> std::ops::Range<usize> {
    start..floor(text, start.saturating_add(len))
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Delete { at, len } => {
            let r = range_at(text, boundary(text, at), *len);
            text.replace_range(r, "");
        }
        Mutation::Insert { at, token } => {
            let i = boundary(text, at);
            text.insert_str(i, token);
        }
        Mutation::InsertChar { at, ch } => {
            let i = boundary(text, at);
            text.insert(i, *ch);
        }
        Mutation::Duplicate { from, len, to } => {
            let piece = text[range_at(text, boundary(text, from), *len)].to_string();
            let i = boundary(text, to);
            text.insert_str(i, &piece);
        }
        Mutation::Swap { a, b, len } => {
            let (a, b) = (boundary(text, a), boundary(text, b));
            let (first, second) = (a.min(b), a.max(b));
            let r1 = range_at(text, first, *len);
            let r2 = range_at(text, second, *len);
            if r1.end > r2.start || r1.is_empty() || r2.is_empty() {
                return;
            }
            let (s1, s2) = (text[r1.clone()].to_string(), text[r2.clone()].to_string());
            text.replace_range(r2, &s1);
            text.replace_range(r1, &s2);
        }
    }
}

fn mutated_regime() -> impl Strategy<Value = (String, String)> {
    (any::<Index>(), prop::collection::vec(mutation(), 1..8)).prop_map(|(pick, ms)| {
        let (name, original) = &CORPUS[pick.index(CORPUS.len())];
        let mut text = original.clone();
        for m in &ms {
            apply(&mut text, m);
        }
        (name.clone(), text)
    })
}

// ───────────────────────────── properties ─────────────────────────────

proptest! {
    #![proptest_config(config(10_000))]

    /// Arbitrary text (any unicode, `θ ≥ €`, control characters) never panics.
    #[test]
    fn arbitrary_text_never_panics(text in arbitrary_text()) {
        prop_exercise(&text)?;
    }
}

proptest! {
    #![proptest_config(config(10_000))]

    /// Sequences of real tokens, in interesting contexts, never panic.
    #[test]
    fn token_soup_never_panics(text in token_soup()) {
        prop_exercise(&text)?;
    }
}

proptest! {
    #![proptest_config(config(6000))]

    /// Real regimes with bytes deleted, inserted, duplicated and swapped never panic.
    #[test]
    fn mutated_regimes_never_panic((name, text) in mutated_regime()) {
        prop_exercise(&text).map_err(|e| TestCaseError::fail(format!("mutated {name}: {e}")))?;
    }
}

/// The unmutated corpus checks without internal errors (the mutation baseline).
#[test]
fn corpus_is_sound() {
    for (name, text) in CORPUS.iter() {
        exercise(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Edge inputs checked on every run: lone odd characters, unterminated strings and
/// comments, huge numbers, empty and huge families, unit and definition cycles.
#[test]
fn regressions() {
    for text in [
        "θ",
        "€",
        "param x: Real = 1 €",
        "\u{FEFF}",
        "\"",
        "\"\\",
        "/*",
        "/* unterminated\nparam x: Real = 1",
        "param x: Real = \"unterminated",
        "unit usd\nparam x: usd = 1 usd ± θ",
        "check c: θ ≥ 0",
        "param 名前: Real = 1 +",
        "param x: Real = 1e400",
        "param x: Real = 99999999999999999999999999999999999999999999",
        "expect e: 1 == 1 +- 5%%",
        "param x: Real = 1 ..",
        "actor A[i in 1..0] {}",
        "actor A[i in 1..1000000000] { param p: Real = [1][i] }",
        "param x: Real = [1, 2, 3][0]",
        "param x: Real = 1 / 0",
        "unit usd\nparam x: usd^(1/0) = 1",
        "unit usd\nparam x: usd^(99999999999999999999) = 1",
        "unit a = 1000 a",
        "unit a = 1000 b\nunit b = 1000 a",
        "let a = b\nlet b = a",
        "fn f(x) = f(x)\ncheck c: f(1) > 0",
        "use penalties\nuse penalties\nuse penalties.{quadratic, quadratic}",
        "\r\n\r\n\r",
    ] {
        exercise(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

// ───────────────────────────── extremes ─────────────────────────────

#[test]
fn empty_and_trivia_only_files_are_ok() {
    for text in ["", " ", "\n\n", "\u{FEFF}", "// nothing\n", "//! a file doc\n", "/// dangling doc\n", "/* block */"] {
        let file = parse_file(text, gov::source::SourceId(0)).unwrap_or_else(|d| panic!("{text:?}: {d:?}"));
        assert!(file.items.is_empty(), "{text:?} has items");
        let outcome = exercise(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(outcome.ok() && outcome.diagnostics.is_empty(), "{text:?}: {:?}", codes(&outcome));
    }
}

/// 10,000 nested `(`, `[` and `{` are rejected with `E0103` by the bracket scan, before
/// any recursion, quickly and on a small stack.
#[test]
fn ten_thousand_nested_brackets_are_rejected() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
        let prefix = "param x: Real = ";
        let text = format!("{prefix}{}1{}\n", open.repeat(10_000), close.repeat(10_000));
        let start = Instant::now();
        let outcome = exercise(&text).unwrap_or_else(|e| panic!("{open}: {e}"));
        report_time(&format!("10,000 nested `{open}`"), start.elapsed());
        assert_eq!(codes(&outcome), [Code::E0103], "10,000 nested `{open}`");
        let d = outcome.diagnostics.iter().next().expect("one diagnostic");
        assert_eq!(d.primary.span.start as usize, prefix.len() + MAX_NESTING, "points at the first bracket too deep");
    }
}

/// Exactly `MAX_NESTING` levels are accepted, on the test harness's small stack.
#[test]
fn nesting_at_the_limit_is_accepted() {
    let parens = format!("check c: {}true{}\n", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    let outcome = exercise(&parens).expect("parens");
    assert!(outcome.ok() && outcome.diagnostics.is_empty(), "{:?}", codes(&outcome));
    // Nested lists are a type error, but not a nesting error.
    let lists = format!("param x: Real = {}1{}\n", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
    let outcome = exercise(&lists).expect("lists");
    assert!(!codes(&outcome).contains(&Code::E0103), "{:?}", codes(&outcome));
    // Nested aggregates over ranges, each level a bracket.
    let depth = MAX_NESTING / 2;
    let mut agg = String::from("1");
    for i in 0..depth {
        agg = format!("sum(x{i} in 1..2: ({agg}))");
    }
    let outcome = exercise(&format!("check c: {agg} > 0\n")).expect("aggregates");
    assert!(!codes(&outcome).contains(&Code::E0103), "{:?}", codes(&outcome));
}

/// A 50,000-term sum is rejected as too long (`E0103`) before any recursion.
#[test]
fn fifty_thousand_term_sum_is_rejected() {
    let text = format!("param x: Real = 1{}\n", " + 1".repeat(49_999));
    let start = Instant::now();
    let outcome = exercise(&text).expect("no invariant broken");
    report_time("50,000-term sum", start.elapsed());
    assert!(has_error(&outcome, Code::E0103, "expression too long") || outcome.ok(), "{:?}", codes(&outcome));
    assert_eq!(codes(&outcome), [Code::E0103]);
}

/// 100,000 unary minus signs: rejected as too long, without overflowing a 2 MB stack.
#[test]
fn hundred_thousand_unary_minus_signs_do_not_overflow() {
    for sep in [" ", ""] {
        let text = format!("param x: Real = {}1\n", format!("-{sep}").repeat(100_000));
        let start = Instant::now();
        let outcome = exercise(&text).expect("no invariant broken");
        report_time("100,000 unary minus signs", start.elapsed());
        assert!(has_error(&outcome, Code::E0103, "expression too long"), "{:?}", codes(&outcome));
    }
    let text = format!("check c: {}true\n", "not ".repeat(100_000));
    let outcome = exercise(&text).expect("no invariant broken");
    assert!(has_error(&outcome, Code::E0103, "expression too long"), "{:?}", codes(&outcome));
}

/// Longest run of prefix operators, or of `^`, one expression may hold (mirrors
/// `CHAIN_LIMIT` in `src/syntax/build.rs`, which is private).
const CHAIN_LIMIT: usize = 200;

/// Runs of prefix operators and of `^` are bounded by `CHAIN_LIMIT` (`E0103` "nesting too
/// deep"), so the longest accepted ones fit the test harness's 2 MB stack.
#[test]
fn prefix_and_power_chains_at_their_limit() {
    const SHAPES: &[(&str, &str, &str)] = &[
        ("negation", "param x: Real = {}1\n", "- "),
        ("negation without spaces", "param x: Real = {}1\n", "-"),
        ("not", "check c: {}true\n", "not "),
        ("mixed prefixes", "check c: {}true\n", "not - "),
        ("power", "param x: Real = 1{}\n", "^1"),
        ("power of negations", "param x: Real = 1{}\n", "^-1"),
    ];
    for &(name, template, part) in SHAPES {
        // "mixed prefixes" has two operators per repeat.
        let per = if part == "not - " { 2 } else { 1 };
        for (n, too_deep) in [(CHAIN_LIMIT / per, false), (CHAIN_LIMIT / per + 1, true)] {
            let text = template.replace("{}", &part.repeat(n));
            let outcome = exercise(&text).unwrap_or_else(|e| panic!("{name} × {n}: {e}"));
            let deep = has_error(&outcome, Code::E0103, "");
            assert_eq!(deep, too_deep, "{name} × {n}: {:?}", codes(&outcome));
        }
    }
}

/// Long chains of every other operator shape: 4,900 deep (under the tree-depth limit,
/// `DEPTH_LIMIT` = 5,000 in `src/syntax/build.rs`) they are accepted; just under
/// `OPERATOR_LIMIT` (10,000 operators and operands) they are accepted or rejected with
/// `E0103`; over it, `E0103`. Never a crash.
///
/// Accepted chains recurse once per level in the checker (`Checker::expr` → `binary` →
/// `unify_pair` for infix chains, `member`/`call`/... for postfix chains, ~2-4 KB a
/// level): up to ~19 MB of stack at depth 5,000, so this runs on a 256 MB thread like the
/// `gov` binary. On a 2 MB thread a sum of ~550 terms overflows (~2,200 on 8 MB).
#[test]
fn long_chains_on_a_big_stack() {
    // (name, text with `{}` for the repeated part, the repeated part, operators per repeat,
    //  tree levels per repeat)
    const SHAPES: &[(&str, &str, &str, usize, usize)] = &[
        ("sum", "param x: Real = 1{}\n", " + 1", 2, 1),
        ("product", "param x: Real = 1{}\n", " * 1", 2, 1),
        ("conjunction", "check c: true{}\n", " and true", 2, 1),
        ("comparison", "check c: true{}\n", " == true", 2, 1),
        ("member", "param x: Real = y{}\n", ".z", 1, 1),
        ("call", "param x: Real = f{}\n", "()", 1, 1),
        ("index", "param x: Real = [1]{}\n", "[1]", 1, 1),
        ("percent", "param x: Real = 1{}\n", "%", 1, 1),
        ("unit", "unit usd\nparam x: Real = 1{}\n", " usd", 1, 1),
        ("negated terms", "param x: Real = 1{}\n", " - -1", 3, 2),
        ("powers", "param x: Real = 1{}\n", " + 1^2", 4, 1),
    ];
    on_big_stack(|| {
        for &(name, template, part, per, levels) in SHAPES {
            let under = (OPERATOR_LIMIT - 1) / per;
            let deep = (4_900 / levels).min(under);
            let over = OPERATOR_LIMIT / per + 1;
            for (n, expect) in [(deep, Some(false)), (under, None), (over, Some(true))] {
                let text = template.replace("{}", &part.repeat(n));
                let start = Instant::now();
                let outcome = exercise(&text).unwrap_or_else(|e| panic!("{name} × {n}: {e}"));
                report_time(&format!("{name} × {n}"), start.elapsed());
                let rejected = codes(&outcome).contains(&Code::E0103);
                if let Some(expect) = expect {
                    assert_eq!(rejected, expect, "{name} × {n}: {:?}", codes(&outcome));
                }
            }
        }
    });
}

/// `if`/`else` and quantifier chains nest without brackets, so the bracket scan does not
/// bound them; the expression nesting limit (`NESTING_LIMIT` = 500 in
/// `src/syntax/build.rs`) and pest's work limit do: 450 levels are accepted, 500 to
/// 100,000 rejected (`E0103`; 100,000 levels take ~3 s, mostly pest reaching its limit).
///
/// On a big stack: the AST builder recurses ~4.4 KB per level (`Builder::expr` →
/// `expr_flat` → Pratt → `primary` → `expr`), so on a 2 MB thread an `if` chain of
/// ~450-7,000 levels (a `forall`-in-domain chain from ~320) overflows before either
/// limit answers.
#[test]
fn bracket_free_nesting_on_a_big_stack() {
    on_big_stack(bracket_free_nesting);
}

fn bracket_free_nesting() {
    for n in [450, 500, 10_000, 100_000] {
        let mut shapes = vec![
            ("if chain", format!("param x: Real = {}1\n", "if true then 1 else ".repeat(n))),
            ("if conditions", format!("check c: {}true{}\n", "if ".repeat(n), " then true else false".repeat(n))),
            (
                "forall chain",
                format!("check c: {}x0 > 0\n", (0..n).map(|i| format!("forall x{i} in 1..2: ")).collect::<String>()),
            ),
        ];
        if n >= 500 {
            // Accepted, this shape has one error per level (a Bool is not a domain), and
            // rendering 450 reports of a long line is slow; rejected, it has one.
            shapes.push((
                "exists in domains",
                format!("check c: {}1..2{}\n", "exists x in ".repeat(n), ": true".repeat(n)),
            ));
        }
        if n == 100_000 {
            shapes.truncate(1);
        }
        for (name, text) in shapes {
            let start = Instant::now();
            let outcome = exercise(&text).unwrap_or_else(|e| panic!("{name} × {n}: {e}"));
            report_time(&format!("{name} × {n}"), start.elapsed());
            let too_deep = has_error(&outcome, Code::E0103, "");
            if n < 500 {
                assert!(!too_deep, "{name} × {n}: {:?}", codes(&outcome));
            } else {
                assert!(too_deep, "{name} × {n}: {:?}", codes(&outcome));
            }
        }
    }
}

/// The operator limit is per `expr` and the bracket limit per bracket, so 20 nested
/// parentheses each holding a 5,000-term sum (400 KB) make a tree 100,000 deep; the
/// whole-tree depth limit rejects it (`E0103`) instead of overflowing the checker.
///
/// On a big stack: the rejected tree is built first and dropped recursively (~64 bytes
/// of stack a level, `Builder::expr` in `src/syntax/build.rs`), which overflows a 2 MB
/// thread from ~7 such levels (~35,000 deep, 140 KB of input).
#[test]
fn nested_long_sums_are_rejected_on_a_big_stack() {
    on_big_stack(|| {
        let mut e = String::from("1");
        for _ in 0..20 {
            e = format!("({e}{})", " + 1".repeat(4_998));
        }
        let outcome = exercise(&format!("param x: Real = {e}\n")).expect("no invariant broken");
        assert!(has_error(&outcome, Code::E0103, ""), "{:?}", codes(&outcome));
    });
}

/// Domains that are themselves quantifiers or aggregates parse in linear time (each
/// level used to be parsed twice, so 20 levels took half a minute).
#[test]
fn nested_domains_parse_in_linear_time() {
    for n in [20, 40, 100] {
        let quantifiers = format!(
            "check c: {}1..2{}\n",
            (0..n).map(|i| format!("forall x{i} in ")).collect::<String>(),
            ": true".repeat(n)
        );
        let aggregates = format!(
            "check c: {}1..2{} > 0\n",
            (0..n).map(|i| format!("sum(x{i} in ")).collect::<String>(),
            ": 1)".repeat(n)
        );
        for (name, text) in [("quantifier domains", quantifiers), ("aggregate domains", aggregates)] {
            let start = Instant::now();
            exercise(&text).unwrap_or_else(|e| panic!("{name} × {n}: {e}"));
            report_time(&format!("{n} nested {name}"), start.elapsed());
        }
    }
}

/// A 5 MB regime with thousands of units, params, actors, checks and expects checks in a
/// few seconds (~4.5 s on an idle machine in release; the bound is loose because the
/// property tests compete for the cores and it guards against blow-ups, not for speed;
/// `cargo bench --bench check` measures speed); its only diagnostic is the one error planted on its last line, which is
/// rendered with the right line number.
#[test]
fn five_megabyte_regime() {
    let mut text = big_regime(5 << 20);
    text.push_str("check last: 1 usd > 1\n");
    let lines = text.lines().count();
    let start = Instant::now();
    let outcome = check_source("big.gov", &text);
    let elapsed = start.elapsed();
    assert_eq!(codes(&outcome).iter().take(10).collect::<Vec<_>>(), [&Code::E0301], "only the planted error");
    report_time(&format!("checking a {} MB regime of {lines} lines", text.len() >> 20), elapsed);
    let diags: Vec<Diagnostic> = outcome.diagnostics.iter().cloned().collect();
    check_diagnostics(&diags, &outcome.sources).expect("renders");
    let human = render_human(&diags, &outcome.sources, RenderOptions::default());
    assert!(human.contains(&format!("big.gov:{lines}:")), "{human}");
}

/// At least `bytes` of blocks, each a unit, params with docs and constraints, a let, a
/// function, an actor family, a check and an expect, all named per block.
fn big_regime(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 1024);
    out.push_str("//! A generated regime.\nunit usd\n");
    let mut i = 0;
    while out.len() < bytes {
        let _ = write!(
            out,
            r#"
/// Sector {i}.
unit u{i}                                   "output of sector {i}"
param p{i}: u{i} = {i} u{i}                 "scale of sector {i}"     where p{i} >= 0 u{i}
param w{i}: Real = {w}                       "weight of sector {i}"    where w{i} > 0
let l{i} = p{i} * 2
fn f{i}(x: u{i}): u{i} = x + l{i}
actor A{i}[j in 1..3] {{
    param s: Real = [1, 2, 3][j] * w{i}
    choose c: u{i} in [0, inf)
    payoff s * (f{i}(c) - c - c^2 / (1 u{i})) / (1 u{i}) * 1 usd
}}
check c{i}: forall x in [0 u{i}, 10 u{i}]: f{i}(x) >= x
check total{i}: sum(a in A{i}: a.s) > 0
expect e{i}: l{i} == 2 * p{i} +- 1e-9
"#,
            w = 1 + i % 7
        );
        i += 1;
    }
    out
}
