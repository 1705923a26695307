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
