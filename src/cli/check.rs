//! `gov check FILE...`: parse, resolve and type-check; diagnostics to stderr (or JSON to
//! stdout with `--json`); exit 0 when every file checks, 2 otherwise.

use super::{err, input, out, EXIT_INPUT, EXIT_OK};
use gov::diag::render::{check_summary, render_human, render_json, RenderOptions};
use gov::diag::{Diagnostic, Severity};
use gov::session::{check_in, CheckOutcome};
use gov::source::SourceMap;

/// Arguments of `gov check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Regime files.
    #[arg(required = true)]
    files: Vec<String>,
    /// Print diagnostics as one JSON document on stdout (schema: docs/json.md).
    #[arg(long)]
    json: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

/// Checks one path: a read failure or the checker's outcome.
pub fn check_path(path: &str) -> Result<CheckOutcome, (SourceMap, Diagnostic)> {
    let mut sources = SourceMap::new();
    match input::read(path, &mut sources) {
        Ok(text) => {
            let id = sources.add(path, text);
            Ok(check_in(sources, id))
        }
        Err(d) => Err((sources, d)),
    }
}

/// Runs `gov check`.
pub fn run(args: &CheckArgs, color: bool) -> i32 {
    let mut failed = false;
    let mut files_json = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for path in &args.files {
        let (sources, diags) = match check_path(path) {
            Ok(o) => (o.sources, o.diagnostics.into_vec()),
            Err((sources, d)) => (sources, vec![d]),
        };
        let e = diags.iter().filter(|d| d.severity == Severity::Error).count();
        let w = diags.len() - e;
        errors += e;
        warnings += w;
        let file_failed = e > 0 || (args.deny_warnings && w > 0);
        failed |= file_failed;
        if args.json {
            files_json.push(serde_json::json!({
                "file": path,
                "ok": !file_failed,
                "errors": e,
                "warnings": w,
                "diagnostics": diags.iter().map(|d| render_json(d, &sources)).collect::<Vec<_>>(),
            }));
        } else {
            let mut text = render_human(&diags, &sources, RenderOptions { color });
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&check_summary(path, e, w, file_failed));
            err(&text);
        }
    }
    if args.json {
        let doc = serde_json::json!({ "version": 1, "ok": !failed, "errors": errors, "warnings": warnings, "files": files_json });
        out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
    }
    if failed {
        EXIT_INPUT
    } else {
        EXIT_OK
    }
}
