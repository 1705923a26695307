//! Golden tests: every `.gov` under `tests/golden/`, `examples/` and `stdlib/` is run
//! through the real `gov` binary and its output compared exactly with the expected file.
//!
//! - `tests/golden/<dir>/<case>.gov` → `tests/golden/<dir>/<case>.out`
//! - `examples/<name>.gov` → `tests/golden/examples/<name>.check.out`, `<name>.run.out` and,
//!   when it declares a `simulate` block, `<name>.simulate.out`
//! - `stdlib/<name>.gov` → `tests/golden/stdlib/<name>.check.out`
//! - `tests/golden/<dir>/<game>.nfg` → `<game>.out` (what `gov run` reports)
//! - `tests/golden/repl/<session>.repl` → `<session>.out`: the script is `gov repl`'s stdin
//!   (its first line, `// gov: repl --echo FILE`, names the arguments; it is a comment to
//!   the REPL), stdout and stderr interleaved as written
//!
//! A case's first line may be `// gov: <subcommand and flags>` (default: `check`); the
//! file's path is appended. Re-bless every expected file with `GOV_BLESS=1 cargo test --test golden`.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use datatest_stable::Utf8Path;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path relative to the crate root, with `/` separators.
fn relative(path: &Utf8Path) -> String {
    let p = Path::new(path.as_str());
    let rel = p.strip_prefix(root()).unwrap_or(p);
    rel.to_string_lossy().replace('\\', "/")
}

/// The subcommand and flags a case asks for (`// gov: ...` on its first line), default `check`.
fn case_args(contents: &str) -> Vec<String> {
    contents
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// gov:"))
        .map(|a| a.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_else(|| vec!["check".to_string()])
}

/// Runs `gov ARGS FILE` and renders what it printed.
fn run_case(rel: &str, args: &[String]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(args)
        .arg(rel)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the gov binary runs");
    let mut text = format!("$ gov {} {rel}\nexit: {}\n", args.join(" "), output.status.code().unwrap_or(-1));
    for (name, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        if !bytes.is_empty() {
            text.push_str(&format!("--- {name}\n{}", String::from_utf8_lossy(bytes)));
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
    }
    text
}

fn compare(expected_path: PathBuf, actual: String) -> datatest_stable::Result<()> {
    if std::env::var_os("GOV_BLESS").is_some() {
        if let Some(dir) = expected_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&expected_path, &actual)?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|_| {
        format!(
            "missing expected output {}; run `GOV_BLESS=1 cargo test --test golden` and review it",
            expected_path.display()
        )
    })?;
    if expected != actual {
        let diff = first_difference(&expected, &actual);
        return Err(format!(
            "output differs from {}\n{diff}\n--- actual output ---\n{actual}\n(re-bless with `GOV_BLESS=1 cargo test --test golden` after reviewing)",
            expected_path.display()
        )
        .into());
    }
    Ok(())
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("first difference at line {}:\n  expected: {e}\n  actual:   {a}", i + 1);
        }
    }
    format!("lengths differ: expected {} lines, got {}", expected.lines().count(), actual.lines().count())
}

fn golden_case(path: &Utf8Path, contents: String) -> datatest_stable::Result<()> {
    let rel = relative(path);
    let expected = root().join(&rel).with_extension("out");
    compare(expected, run_case(&rel, &case_args(&contents)))
}

/// A scripted REPL session: stdout and stderr go to one file, so the transcript keeps
/// diagnostics next to the input that caused them.
fn repl_case(path: &Utf8Path, contents: String) -> datatest_stable::Result<()> {
    let rel = relative(path);
    let args =
        if contents.starts_with("// gov:") { case_args(&contents) } else { vec!["repl".into(), "--echo".into()] };
    let capture = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.log", rel.replace('/', "_")));
    let log = std::fs::File::create(&capture)?;
    let status = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(&args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("GOV_HISTORY", "")
        .stdin(std::fs::File::open(root().join(&rel))?)
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()?;
    let output = std::fs::read_to_string(&capture)?;
    let text = format!(
        "$ gov {} < {rel}\nexit: {}\n--- stdout and stderr\n{output}",
        args.join(" "),
        status.code().unwrap_or(-1)
    );
    compare(root().join(&rel).with_extension("out"), text)
}

/// An example is pinned by what `gov check` says, what `gov run` computes and, when it
/// declares a simulation, what a seeded `gov simulate` reports.
fn example_case(path: &Utf8Path, contents: String) -> datatest_stable::Result<()> {
    let rel = relative(path);
    let (dir, name) = rel.split_once('/').unwrap_or(("", &rel));
    let stem = name.trim_end_matches(".gov");
    let golden = root().join("tests/golden").join(dir);
    compare(golden.join(format!("{stem}.check.out")), run_case(&rel, &["check".to_string()]))?;
    compare(golden.join(format!("{stem}.run.out")), run_case(&rel, &["run".to_string()]))?;
    if contents.lines().any(|l| l.starts_with("simulate ")) {
        compare(golden.join(format!("{stem}.simulate.out")), run_case(&rel, &["simulate".to_string()]))?;
    }
    Ok(())
}

/// A Gambit `.nfg` game: `gov run` reports its equilibria.
fn nfg_case(path: &Utf8Path) -> datatest_stable::Result<()> {
    let rel = relative(path);
    let expected = root().join(&rel).with_extension("out");
    compare(expected, run_case(&rel, &["run".to_string()]))
}

/// A stdlib module must check clean.
fn stdlib_case(path: &Utf8Path, _contents: String) -> datatest_stable::Result<()> {
    let rel = relative(path);
    let stem = rel.trim_start_matches("stdlib/").trim_end_matches(".gov");
    compare(
        root().join("tests/golden/stdlib").join(format!("{stem}.check.out")),
        run_case(&rel, &["check".to_string()]),
    )
}

datatest_stable::harness! {
    { test = golden_case, root = "tests/golden", pattern = r".*\.gov$" },
    { test = nfg_case, root = "tests/golden", pattern = r".*\.nfg$" },
    { test = repl_case, root = "tests/golden/repl", pattern = r".*\.repl$" },
    { test = example_case, root = "examples", pattern = r".*\.gov$" },
    { test = stdlib_case, root = "stdlib", pattern = r".*\.gov$" },
}
