//! The pages in docs/regimes/ quote gov's output; this test keeps the quotes true.
//!
//! In every docs/regimes/*.md but the index (README.md), each ```text block is an excerpt of what one command prints:
//! its first line is the command (`$ gov run examples/openness.gov`), and its remaining
//! lines must appear, in order and verbatim (trailing spaces aside), among the lines the
//! command writes to stdout and then stderr, run from the repository root with
//! NO_COLOR=1. Lines may be left out of an excerpt, not changed or reordered. For
//! `$ gov repl FILE` the lines starting with `> ` are the inputs: they are fed to
//! `gov repl --echo FILE`, which echoes them, so a session reads as it does on a terminal.
//!
//! A ```text block that does not start with its command is an error, so no excerpt goes
//! unchecked. (Other fences, such as ```sh for commands to try, are not excerpts.)

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One ```text block of a page.
#[derive(Debug)]
struct Block {
    /// Where the block's first line is, `docs/regimes/x.md:12`.
    place: String,
    lines: Vec<String>,
}

fn text_blocks(name: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    // The fence's indentation (a block inside a list item), removed from its lines.
    let mut indent = "";
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        match current.as_mut() {
            None if trimmed == "```text" => {
                indent = &line[..line.len() - line.trim_start().len()];
                current = Some(Block { place: format!("{name}:{}", n + 2), lines: Vec::new() });
            }
            Some(_) if trimmed.starts_with("```") => out.extend(current.take()),
            Some(block) => block.lines.push(line.strip_prefix(indent).unwrap_or(line).trim_end().to_string()),
            None => {}
        }
    }
    assert!(current.is_none(), "{name}: a ```text block is not closed");
    out
}

/// Splits a command line into words: spaces separate, single and double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(ch);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{line}`");
    if in_word {
        out.push(word);
    }
    out
}

/// The first line of `expected` that is not found, in order, among the lines of `output`.
fn first_missing<'a>(expected: &'a [String], output: &str) -> Option<&'a str> {
    let mut lines = output.lines().map(str::trim_end);
    expected.iter().find(|want| !lines.any(|got| got == want.as_str())).map(String::as_str)
}

/// Runs the block's command from the repository root; stdout, then stderr.
fn run(root: &Path, command: &str, block: &Block) -> String {
    let args = words(command);
    assert_eq!(args.first().map(String::as_str), Some("gov"), "{}: the command must run `gov`", block.place);
    let mut args: Vec<String> = args[1..].to_vec();
    let repl = args.first().map(String::as_str) == Some("repl");
    let inputs: String = if repl {
        args.insert(1, "--echo".to_string());
        block.lines.iter().filter_map(|l| l.strip_prefix("> ")).map(|l| format!("{l}\n")).collect()
    } else {
        String::new()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(&args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gov runs");
    child.stdin.take().expect("stdin").write_all(inputs.as_bytes()).expect("inputs written");
    let output = child.wait_with_output().expect("gov finishes");
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Checks one block; a description of the mismatch if there is one.
fn check(root: &Path, block: &Block) -> Option<String> {
    let command = block.lines.first().and_then(|l| l.strip_prefix("$ "));
    let Some(command) = command.filter(|c| c.starts_with("gov ")) else {
        if let Some(line) = block.lines.iter().find(|l| l.starts_with("$ gov")) {
            return Some(format!("{}: the command `{line}` must be the block's first line", block.place));
        }
        return Some(format!("{}: a ```text block must begin with its `$ gov ...` command", block.place));
    };
    let output = run(root, command, block);
    let missing = first_missing(&block.lines[1..], &output)?;
    Some(format!(
        "{}: `{command}` does not print, at this place in order, the line\n    {missing}\n--- its output:\n{output}",
        block.place
    ))
}

/// The regime pages: every `.md` in docs/regimes but its index, README.md.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs/regimes"))
        .expect("docs/regimes exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("README.md"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn regime_pages_quote_gov_exactly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = pages(root);
    assert!(!pages.is_empty(), "docs/regimes has pages");
    let mut blocks = Vec::new();
    for page in &pages {
        let name = page.strip_prefix(root).expect("inside the repository").display().to_string();
        let text = std::fs::read_to_string(page).expect("a page reads");
        let found = text_blocks(&name, &text);
        assert!(!found.is_empty(), "{name} quotes no output of gov");
        blocks.extend(found);
    }
    // The commands take seconds each: run them side by side.
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = blocks.iter().map(|b| s.spawn(|| check(root, b))).collect();
        handles.into_iter().filter_map(|h| h.join().expect("a check finishes")).collect()
    });
    assert!(
        failures.is_empty(),
        "{} excerpt(s) differ from gov's output:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The comparison is strict enough to fail: a changed number, a swapped order and a
/// block without its command (even one with a comment before it) are all caught.
#[test]
fn the_check_can_fail() {
    let output = "regime\n  omega = 0.85  \n  alpha1 = 1.925 usd\n";
    let lines = |ls: &[&str]| ls.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(first_missing(&lines(&["  omega = 0.85", "  alpha1 = 1.925 usd"]), output), None);
    assert_eq!(first_missing(&lines(&["  alpha1 = 1.925 usd"]), output), None);
    assert_eq!(first_missing(&lines(&["  omega = 0.86"]), output), Some("  omega = 0.86"));
    assert_eq!(first_missing(&lines(&["  alpha1 = 1.925 usd", "  omega = 0.85"]), output), Some("  omega = 0.85"));
    assert_eq!(first_missing(&lines(&["omega = 0.85"]), output), Some("omega = 0.85"), "whole lines, not parts");

    let page = "x\n```text\nno command\n```\n<!-- excerpt: pending -->\n```text\nlater\n```\n```text\nout\n$ gov run f.gov\n```\n- item\n\n  ```text\n  $ gov run f.gov\n    indented\n  ```\n";
    let blocks = text_blocks("p.md", page);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(check(root, &blocks[0]).is_some_and(|m| m.contains("must begin with its")));
    assert!(
        check(root, &blocks[1]).is_some_and(|m| m.contains("must begin with its")),
        "no comment exempts a block from its command"
    );
    assert!(check(root, &blocks[2]).is_some_and(|m| m.contains("must be the block's first line")));
    assert_eq!(blocks[3].lines, ["$ gov run f.gov", "  indented"], "a list item's block loses the fence's indentation");
    assert_eq!(
        words("gov sweep f.gov --vary 'p=0usd..1usd:3' --set \"a=1 usd\""),
        ["gov", "sweep", "f.gov", "--vary", "p=0usd..1usd:3", "--set", "a=1 usd"]
    );
}
