//! Properties of the REPL backend over arbitrary input: every input gets a reply (no
//! panic), an input that fails leaves the session exactly as it was, and the editor's
//! helpers (completeness, highlighting, completion) accept any text and cursor.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::diag::{Code, Diagnostic};
use gov::repl::complete::Completion;
use gov::repl::{highlight, input, Files, Session, Status};
use gov::source::SourceMap;
use proptest::prelude::*;

/// A session that can read no files (`:load` fails like a missing file).
struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str, sources: &mut SourceMap) -> Result<String, Diagnostic> {
        Err(gov::session::unreadable(sources, path, "no such file", Code::E0104, "check the path"))
    }
}

const REGIME: &[&str] = &[
    "unit usd",
    "param s: usd = 1 usd where s > 0 usd",
    "actor F[i in 1..2] {\n choose x: Real in [0, 4]\n payoff 2 usd * x - s * x^2\n}",
    "scenario cheap { set s = 0.5 usd }",
];

fn session() -> Session {
    let mut s = Session::new(false);
    for item in REGIME {
        assert_eq!(s.enter(item, &NoFiles).status, Status::Ok, "{item}");
    }
    s
}

/// What the session holds, as `:check` and the equilibrium show it.
fn fingerprint(s: &mut Session) -> String {
    [":check", ":scenario", "F[1].x", "s"].iter().map(|c| format!("{:?}", s.enter(c, &NoFiles).chunks)).collect()
}

/// Text made of the language's own words, so inputs get past the parser often.
fn soup() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "unit",
        "usd",
        "param",
        "s",
        "t",
        "x",
        ":",
        "=",
        "==",
        "1",
        "0",
        "-2",
        "+",
        "*",
        "/",
        "^",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        "actor",
        "F",
        "F[1]",
        ".x",
        "choose",
        "in",
        "payoff",
        "check",
        "expect",
        "let",
        "fn",
        "if",
        "then",
        "else",
        "forall",
        "sum",
        "d",
        ":set",
        ":type",
        ":scenario",
        "cheap",
        "base",
        ":solve",
        ":load",
        ":explain",
        "E0301",
        ":reload",
        ":check",
        ":help",
        "\n",
        "//",
        "\"",
        "inf",
        "Real",
        "Prob",
        "where",
        ">",
    ]);
    prop::collection::vec(words, 0..14).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_failed_input_changes_nothing(text in prop_oneof![soup(), "\\PC{0,40}"]) {
        let mut s = session();
        let before = fingerprint(&mut s);
        let reply = s.enter(&text, &NoFiles);
        if matches!(reply.status, Status::Input | Status::Numeric) {
            prop_assert!(!reply.stderr().is_empty(), "a failure says why");
            prop_assert_eq!(fingerprint(&mut s), before, "input {:?} failed but changed the session", text);
        }
    }

    #[test]
    fn editor_helpers_take_any_text(text in prop_oneof![soup(), "\\PC{0,40}"], pos in 0usize..60) {
        let _ = input::is_complete(&text);
        let mut last = 0;
        for (range, _) in highlight::classes(&text) {
            prop_assert!(range.start >= last && range.end <= text.len() && range.start < range.end);
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            last = range.end;
        }
        let pos = pos.min(text.len());
        match session().scope().complete(&text, pos) {
            Completion::Words { start, .. } | Completion::Path { start } => {
                prop_assert!(start <= pos && text.is_char_boundary(start));
            }
        }
    }
}
