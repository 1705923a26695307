//! Every ```gov example in the language reference checks without errors, so the
//! documentation cannot describe a language that does not exist.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::session::check_source;

fn blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```gov") => current = Some((n + 1, String::new())),
            (Some(_), l) if l.starts_with("```") => out.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn language_reference_examples_check() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md");
    let text = std::fs::read_to_string(path).expect("docs/language.md exists");
    let examples = blocks(&text);
    assert!(examples.len() >= 20, "the reference shows its constructs");
    for (line, src) in examples {
        let outcome = check_source("docs.gov", &src);
        let errors: Vec<String> =
            outcome.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).collect();
        assert!(errors.is_empty(), "docs/language.md:{line}: example does not check: {errors:?}\n{src}");
    }
}

/// The session shown at the top of docs/repl.md is what `gov repl` prints for those inputs.
#[test]
fn repl_page_session_is_real() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/docs/repl.md")).expect("docs/repl.md exists");
    let start = text.find("$ gov repl examples/compute_permits.gov\n").expect("the page shows a session");
    let session = &text[start..];
    let session = &session[..session.find("```").expect("the session block ends")];
    let shown = session.split_once("loaded `examples/compute_permits.gov`\n").expect("the file loads").1;
    let inputs: String = shown.lines().filter_map(|l| l.strip_prefix("> ")).map(|l| format!("{l}\n")).collect();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(["repl", "--echo", "examples/compute_permits.gov"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gov runs");
    use std::io::Write;
    child.stdin.take().expect("stdin").write_all(inputs.as_bytes()).expect("inputs written");
    let output = child.wait_with_output().expect("gov finishes");
    assert_eq!(String::from_utf8_lossy(&output.stdout), shown, "docs/repl.md shows a session gov does not print");
}
