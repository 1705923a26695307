//! Round-trip tests for `gov fmt`: the printer must be idempotent, keep the parse tree
//! (compared with spans erased) and keep every comment in order. Checked on every example
//! and golden file that parses, on inline cases covering each construct of the grammar
//! (with comments in odd places), and on random expressions.

use gov::fmt::{erase_spans, format_source, print_source};
use gov::source::SourceId;
use gov::syntax::parse_file;
use gov::syntax::trivia::{scan, CommentKind};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

const SRC: SourceId = SourceId(0);

/// The parse tree of `text` without spans.
fn tree(text: &str) -> String {
    let file = parse_file(text, SRC).expect("text parses");
    erase_spans(&format!("{:?} {:?}", file.doc, file.items))
}

/// Every comment's text in order (line comments without trailing blanks).
fn comments(text: &str) -> Vec<String> {
    let found = scan(text, SRC).expect("text scans");
    found
        .iter()
        .map(|c| {
            let raw = &text[c.start..c.end];
            if c.kind == CommentKind::Block {
                raw.to_string()
            } else {
                raw.trim_end().to_string()
            }
        })
        .collect()
}

/// Checks every round-trip property of `text` and returns its formatted form.
fn roundtrip(text: &str) -> String {
    let printed = print_source(text, SRC).expect("formats");
    assert_eq!(tree(text), tree(&printed), "meaning changed; input:\n{text}\noutput:\n{printed}");
    assert_eq!(comments(text), comments(&printed), "comments changed; output:\n{printed}");
    let again = print_source(&printed, SRC).expect("output formats");
    assert_eq!(printed, again, "not idempotent; first:\n{printed}\nsecond:\n{again}");
    let checked = format_source(text, SRC).expect("formats");
    assert_eq!(checked, printed, "format_source fell back to the input");
    assert_layout(&printed);
    printed
}

/// Canonical layout: no trailing blanks, no tabs, no double blank lines, one final newline.
fn assert_layout(printed: &str) {
    assert!(!printed.contains("\n\n\n"), "double blank line:\n{printed}");
    assert!(!printed.starts_with('\n'), "leading blank line:\n{printed}");
    assert!(printed.is_empty() || printed.ends_with('\n') && !printed.ends_with("\n\n"), "file end:\n{printed}");
    for line in printed.lines() {
        assert!(!line.ends_with(' '), "trailing blank in {line:?}");
    }
}

/// `.gov` files under `dir`, recursively (none if it does not exist).
fn gov_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(gov_files(&path));
        } else if path.extension().is_some_and(|e| e == "gov") {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn corpus_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in
        [root.join("examples"), root.join("tests/golden"), root.join("stdlib")].iter().flat_map(|d| gov_files(d))
    {
        let text = std::fs::read_to_string(&path).expect("readable file");
        if parse_file(&text, SRC).is_ok() {
            eprintln!("fmt round trip: {}", path.display());
            roundtrip(&text);
        }
    }
}

/// Every construct of the grammar, written loosely.
const ALL_CONSTRUCTS: &str = r#"//! File doc line one.
//! Line two.
use audits
use penalties.{quadratic, linear, }
unit usd "US dollars with \"quotes\", a \\ backslash\nand a newline"
unit eflop = 1000 pflop
type Release = {open, closed}
/// Doc for Q.
/// Second doc line.
param Q: pflop = 100   pflop "permit cap"   where Q>0 pflop
param r: 1/pflop = 0.5
param s: usd*pflop^(1/3) = 1 usd*pflop^(1/3)
param t: (usd/pflop)^2
param u: usd/pflop^-1 = 2 usd/pflop^(-1)
let lb: Real = 1+(alpha-1)*pH
fn v(c: pflop, d): usd = A*sqrt(c)
fn k() = 3
random s ~ Bernoulli(pH)
random z: pflop ~ Normal(0 pflop, sigma = 2 pflop)
actor Developer[i in 1..n] {
    param A: usd = [10, 20, 30][i] usd
    choose c: pflop in [0, inf)
    choose m: Int in 0..10 or abstain
    choose r: {open, closed}
    choose q: Real in {0, 5, 10,}
    choose w: Real in (0, 1]
    payoff v(c) - permits.price * c
}
actor Solo {}
market permits { supply Q demand sum(d in Developer: d.c) price: usd/pflop }
cap quota: sum(d in Developer where d.c > 0: d.c) <= Q
penalty phi(D: pflop): usd = a*D + b*D^2
audit rho: Prob = p / a cost k budget B on Developer detect d
audit rho2 = 0.5 on Developer cost 1
license operating for r in Regulator by Government { metric r.harm require r.harm <= tau audit 0.2 }
license l2 for x in Y {}
threshold t1: G.omega >= theta else penalty p on G
threshold t2: G.omega >= theta else ban
threshold t3: x else ban on G
sequence { A; B, C; }
game pd { players Row, Col strategies Row {c, d} Col {c, d} payoffs [[(3, 3), (0, 5)], [(5, 0), (1, 1)]] }
game flat { players A, B strategies A {x} B {y, z,} payoffs [(1, 2), (3, 4),] }
game three { players A, B, C strategies A {x, y} B {x, y} C {x, y}
  payoffs [[[(1, 1, 1), (2, 2, 2)], [(3, 3, 3), (4, 4, 4)]], [[(1, 1, 1), (2, 2, 2)], [(3, 3, 3), (4, 4, 4)]]] }
check c1: forall D in [0 pflop, 1000 pflop], e in Developer: rho * phi(D) >= p * D
check c2: exists x in 1..3: not x == 2 or x != 3 and -x < 0
check c3: count(d in Developer: d.c > 0) >= 1 and all(d in Developer: true) and any(d in Developer: false)
check c4: if a > b then mean(d in D: d.c) else product(d in D: d.c) > min(d in D: d.c) + max(d in D: d.c)
check c5: a ≤ b and c ≥ d and e ≠ f and g · h > 0 and x[1].y(2)[3] == -(-2)^2^3 and 5%%  < 1
expect permits.price == 1.55 usd/pflop +- 1e-4
expect named: x == 5% ± 0.5%
expect y
scenario cc { set alpha = 3 remove permits, quota fix Developer.c = 1 pflop let extra = 2 param Q: pflop = 50 pflop }
compare welfare = sum(d in Developer: d.v(d.c)) over base, cc
simulate sim { rounds 100 reps 20 seed 42 strategy Developer.c = fictitious_play(memory = 10) state budget: usd = B state n0 = 1 update budget = budget - 1 usd metric price = permits.price }
sweep grid { vary Q = 50 pflop .. 2 eflop : 16 vary a = 1 usd/pflop..100 usd/pflop:5:log vary n = 1, 2, 4 metric w = welfare metric p = permits.price }
"#;

/// Comments in odd places.
const ODD_COMMENTS: &str = r#"// leading comment


/// doc

let a = 1 + /* inline */ 2 // trailing
let b = f( // after paren
    x, /* before y */ y
    // own line before closer
) /* after call */
actor A { // header comment
    // first member comment
    param p: Int = 1 // t



    // after blanks
    payoff p * /* mid */ 2
    // dangling at end of block
} // after block
market m {
    /// not a doc: before a clause
    supply 1
    demand 2 // t2
    price: usd // t3
}
game g {
    players A, B // players trailing
    strategies A {x, y /* s */} B {x}
    payoffs [
        // row comment
        [(1, 2)], // r1
        [(3, 4) /* in row */] // r2
    ]
}
let c = [1, 2 /* in list */] // tail
let d = sum(i in 1..3 /* dom */ where i > 1: i)
param q: usd /* type comment */ = 1 usd "doc" /* after doc */ where q > 0 usd
sequence { A /* x */; B }
/* block
   comment */ let e = -x^2 /* end */
type T = {a, b // in enum
}
fn g(x: usd, // p
) = x
let g2 = 1 + /// a doc-looking comment inside an expression
    2
let h = 1 /// trailing doc-looking comment
let i = 2
scenario s { // s
    set a = 1 // set
    /// doc of a scenario item
    let z = 3
}
simulate sim {
    rounds 10 // r
    // before reps
    reps 2
}
sweep sw { // s
    vary p = 0 usd /* lo */ .. 1 usd : /* steps */ 11 // v
    // before metric
    metric m = x
}
// final comment
/* final block */"#;

#[test]
fn every_construct_round_trips() {
    roundtrip(ALL_CONSTRUCTS);
}

#[test]
fn odd_comments_round_trip() {
    let out = roundtrip(ODD_COMMENTS);
    assert!(out.contains("let a = 1 + /* inline */ 2 // trailing\n"), "{out}");
    assert!(out.contains("actor A { // header comment\n    // first member comment\n"), "{out}");
    assert!(out.contains("    param p: Int = 1 // t\n\n    // after blanks\n"), "{out}");
    assert!(out.contains("} // after block\n"), "{out}");
    assert!(out.starts_with("// leading comment\n\n/// doc\nlet a"), "{out}");
    assert!(out.ends_with("// final comment\n/* final block */\n"), "{out}");
}

#[test]
fn canonical_layout() {
    let cases = [
        ("let x=a*D+b*D ^ 2", "let x = a * D + b * D^2\n"),
        ("param a:usd/pflop=4 usd/pflop", "param a: usd/pflop = 4 usd/pflop\n"),
        ("param b: usd/pflop^2 = 0.1 usd / pflop ^ 2", "param b: usd/pflop^2 = 0.1 usd/pflop^2\n"),
        ("let y = B / n * 10 usd", "let y = B / n * 10 usd\n"),
        ("let y = 2 usd / pflop ^ ( 1 / 3 ) / s^(-1) / t", "let y = 2 usd/pflop^(1/3)/s^(-1)/t\n"),
        ("let y = 2 usd / pflop ^ x / s", "let y = 2 usd / pflop^x / s\n"),
        (
            "param Q : pflop = 100 pflop \"permit cap\" where Q > 0 pflop",
            "param Q: pflop = 100 pflop \"permit cap\" where Q > 0 pflop\n",
        ),
        ("check c: a ≤ b and c ≥ d and e ≠ f and g · h > 0", "check c: a <= b and c >= d and e != f and g * h > 0\n"),
        ("expect p == 1 usd ± 5%", "expect p == 1 usd +- 5%\n"),
        ("let z = - x + not y + f( a , k=1 )", "let z = -x + not y + f(a, k = 1)\n"),
        ("let n = 1_000 + 1e-4 + 2.50", "let n = 1_000 + 1e-4 + 2.50\n"),
        ("check c : forall c in [ 0 , inf ) : c>0", "check c: forall c in [0, inf): c > 0\n"),
        ("let w = 0 // c\n + 1", "let w = 0 // c\n    + 1\n"),
        ("sequence{A;B,C;}", "sequence { A; B, C }\n"),
        ("actor A [ i in 1 .. n ] { }", "actor A[i in 1..n] {}\n"),
        ("let u = x pflop^(2)", "let u = x pflop^2\n"),
        ("let v = (((a)))", "let v = (((a)))\n"),
        ("", ""),
        ("let a = 1 // c\r\nlet b = 2\r\n", "let a = 1 // c\nlet b = 2\n"),
        ("/// d\n\nlet a = 1", "/// d\nlet a = 1\n"),
        ("let a = f(x /* c */)\n\n\n\n\n// end", "let a = f(x /* c */)\n\n// end\n"),
        (
            "market m { supply Q demand D price: usd }\n\n\n\nlet a = 1\nlet b = 2",
            "market m {\n    supply Q\n    demand D\n    price: usd\n}\n\nlet a = 1\nlet b = 2\n",
        ),
        (
            "game g { players A, B strategies A {x} B {y} payoffs [[(1, 2)], [(3, 4)]] }",
            "game g {\n    players A, B\n    strategies A {x} B {y}\n    payoffs [\n        [(1, 2)],\n        [(3, 4)],\n    ]\n}\n",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(roundtrip(input), want, "formatting {input:?}");
    }
}

#[test]
fn parse_errors_are_reported() {
    assert!(format_source("let = 1", SRC).is_err());
}

#[test]
fn long_operator_chains_do_not_overflow() {
    let chain = vec!["x"; 5_000].join(" + ");
    let text = format!("let s = {chain}\n");
    let printed = print_source(&text, SRC).expect("formats");
    assert_eq!(printed, text);
}

// ───────────── random expressions ─────────────

/// Blanks and comments that may separate two tokens.
fn gap() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", "  ", "\n    ", " /* c */ ", " // c\n", "\t", "\n\n"])
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}(\\.[0-9]{1,2})?",
        prop::sample::select(vec!["1e-4", "1_000", "2.5E3", "true", "inf"]).prop_map(String::from),
        prop::sample::select(vec!["x", "y", "alpha", "Dev"]).prop_map(String::from),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    let ops = vec!["+", "-", "*", "/", "^", "==", "!=", "<", "<=", ">", ">=", "and", "or", "≤", "·"];
    let units = vec!["usd", "pflop", "usd^2", "pflop^-1", "usd^(1/3)"];
    atom().prop_recursive(5, 48, 4, move |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(ops.clone()), inner.clone(), gap(), gap())
                .prop_map(|(a, op, b, g1, g2)| format!("{a}{g1}{op}{g2}{b}")),
            (inner.clone(), gap()).prop_map(|(a, g)| format!("({g}{a})")),
            (prop::sample::select(vec!["-", "not "]), inner.clone()).prop_map(|(op, a)| format!("{op}{a}")),
            (prop::sample::select(vec!["f", "sqrt"]), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("g(k = {a}, {b})")),
            (inner.clone(), prop::sample::select(units.clone()), gap()).prop_map(|(a, u, g)| format!("{a}{g}{u}")),
            inner.clone().prop_map(|a| format!("{a}%")),
            inner.clone().prop_map(|a| format!("{a}.m")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|xs| format!("[{}]", xs.join(", "))),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| format!("if {c} then {a} else {b}")),
        ]
    })
}

proptest! {
    #[test]
    fn random_expressions_round_trip(e in expression()) {
        let text = format!("let v = {e}\n");
        prop_assume!(parse_file(&text, SRC).is_ok());
        let printed = print_source(&text, SRC).expect("formats");
        prop_assert_eq!(tree(&text), tree(&printed), "output:\n{}", printed);
        prop_assert_eq!(comments(&text), comments(&printed));
        let again = print_source(&printed, SRC).expect("output formats");
        prop_assert_eq!(&printed, &again);
    }
}

/// Places in `text`, outside strings and comments, where a comment or a line break may
/// go without changing the tokens: each blank (replaced) and each side of a bracket,
/// comma, colon or semicolon (inserted at), as `(offset, bytes replaced)`.
fn gaps_of(text: &str) -> Vec<(usize, usize)> {
    let comments = scan(text, SRC).expect("text scans");
    let mut in_string = false;
    let mut found = Vec::new();
    for (i, c) in text.char_indices() {
        if c == '"' {
            in_string = !in_string;
        }
        if in_string || comments.iter().any(|k| k.start <= i && i < k.end) {
            continue;
        }
        if c == ' ' {
            found.push((i, 1));
        } else if "()[]{},:;".contains(c) {
            found.push((i, 0));
            found.push((i + 1, 0));
        }
    }
    found
}

/// `text` with fillers put at the chosen places.
fn fill_gaps(text: &str, picks: &[(prop::sample::Index, &str)]) -> String {
    let gaps = gaps_of(text);
    let mut chosen: Vec<((usize, usize), &str)> = picks.iter().map(|(i, f)| (*i.get(&gaps), *f)).collect();
    chosen.sort();
    chosen.dedup_by_key(|((at, _), _)| *at);
    let mut out = String::new();
    let mut last = 0;
    for ((at, replaced), filler) in chosen {
        if at < last {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(filler);
        last = at + replaced;
    }
    out.push_str(&text[last..]);
    out
}

fn filler() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" /* c */ ", " // c\n", "\n\n\n", "\n  // own\n  ", "\n/* b\n  b */\n", " /// d\n", "\n"])
}

/// Proptest cases: `PROPTEST_CASES` if set (for long fuzzing runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    // Each case formats a whole file several times; keep the default run short.
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn comments_anywhere_round_trip(
        which in 0..2usize,
        picks in prop::collection::vec((any::<prop::sample::Index>(), filler()), 1..12),
    ) {
        let base = [ALL_CONSTRUCTS, ODD_COMMENTS][which];
        let text = fill_gaps(base, &picks);
        prop_assume!(parse_file(&text, SRC).is_ok());
        let printed = print_source(&text, SRC).expect("formats");
        prop_assert!(tree(&text) == tree(&printed), "meaning changed; input:\n{}\noutput:\n{}", text, printed);
        prop_assert!(comments(&text) == comments(&printed), "comments changed; output:\n{}", printed);
        let again = print_source(&printed, SRC).expect("output formats");
        prop_assert!(printed == again, "not idempotent; input:\n{}\nfirst:\n{}\nsecond:\n{}", text, printed, again);
    }
}
