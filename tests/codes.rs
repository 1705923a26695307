//! The diagnostic registry is complete: every code has an explanation whose example
//! really produces that code, and a golden case under `tests/golden/diagnostics/`.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::diag::Code;
use gov::session::check_source;
use std::path::Path;

/// Codes whose example cannot be a `.gov` text (unreadable files, the command line, bugs).
const NOT_FROM_SOURCE: &[Code] = &[
    Code::E0103,
    Code::E0104,
    Code::E0105,
    Code::E0106,
    Code::E0107,
    Code::E0108,
    Code::E0109,
    Code::E0110,
    Code::E0507,
    Code::E0901,
];

/// Codes found by solving rather than checking: their examples must check clean and fail in `gov run`.
fn solve_code(c: Code) -> bool {
    c.as_str().starts_with("E05")
}

/// Codes found by simulating: their examples must check clean and fail in `gov simulate`.
fn simulate_code(c: Code) -> bool {
    c.as_str().starts_with("E06")
}

fn example(code: Code) -> Option<String> {
    let text = code.explanation();
    let after = text.split("## Example").nth(1)?;
    let start = after.find("```gov\n")? + "```gov\n".len();
    let end = after[start..].find("```")?;
    Some(after[start..start + end].to_string())
}

#[test]
fn codes_are_unique_and_ordered() {
    let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "codes must be unique and listed in order");
    for c in Code::ALL {
        assert_eq!(Code::parse(c.as_str()), Some(*c));
        assert_eq!(Code::parse(&c.as_str().to_lowercase()), Some(*c));
    }
}

#[test]
fn every_code_has_an_explanation_with_an_example_and_a_fix() {
    for c in Code::ALL {
        let text = c.explanation();
        assert!(text.starts_with(&format!("# {c}: ")), "{c}: explanation must start with `# {c}: <title>`");
        assert!(text.contains("## Example"), "{c}: explanation needs an `## Example` section");
        assert!(text.contains("## Fix"), "{c}: explanation needs a `## Fix` section");
    }
}

#[test]
fn every_example_produces_its_code() {
    for c in Code::ALL {
        if NOT_FROM_SOURCE.contains(c) {
            continue;
        }
        let src = example(*c).unwrap_or_else(|| panic!("{c}: no ```gov example block after `## Example`"));
        let outcome = check_source(&format!("{c}.gov"), &src);
        let mut codes: Vec<Code> = outcome.diagnostics.iter().map(|d| d.code).collect();
        if simulate_code(*c) {
            let model = outcome.model.unwrap_or_else(|| panic!("{c}: example must check clean, got {codes:?}"));
            let options = gov::simulate::Options::default();
            match gov::simulate::simulate(&model, &options, &|_| {}) {
                Ok(_) => codes.clear(),
                Err(e) => codes = vec![e.to_diagnostic().code],
            }
        } else if solve_code(*c) {
            let model = outcome.model.unwrap_or_else(|| panic!("{c}: example must check clean, got {codes:?}"));
            match gov::solve::solve(&model, None) {
                Ok(_) => codes.clear(),
                Err(e) => codes = vec![e.to_diagnostic().code],
            }
        }
        assert!(codes.contains(c), "{c}: its example produced {codes:?}\n{src}");
    }
}

#[test]
fn every_code_has_a_golden_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/diagnostics");
    let files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/golden/diagnostics exists")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    for c in Code::ALL {
        if *c == Code::E0901 {
            continue;
        }
        let case =
            files.iter().find(|f| f.starts_with(&format!("{c}-")) && (f.ends_with(".gov") || f.ends_with(".nfg")));
        let case = case.unwrap_or_else(|| panic!("{c}: no golden case tests/golden/diagnostics/{c}-*.gov"));
        let expected = std::fs::read_to_string(dir.join(case).with_extension("out")).unwrap_or_default();
        assert!(expected.contains(&format!("[{c}]")), "{c}: the expected output of {case} does not show the code");
    }
}
