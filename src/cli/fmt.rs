//! `gov fmt FILE...`: print the canonical layout (or rewrite in place with `--write`,
//! or report unformatted files with `--check`).

use super::{err, input, out, EXIT_FAILED, EXIT_INPUT, EXIT_OK};
use gov::diag::render::{render_human, RenderOptions};
use gov::source::SourceMap;

/// Arguments of `gov fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Regime files.
    #[arg(required = true)]
    files: Vec<String>,
    /// Rewrite the files in place instead of printing.
    #[arg(long, conflicts_with = "check")]
    write: bool,
    /// Print nothing; exit 1 if any file is not in canonical layout.
    #[arg(long)]
    check: bool,
}

/// Runs `gov fmt`.
pub fn run(args: &FmtArgs, color: bool) -> i32 {
    let mut code = EXIT_OK;
    for path in &args.files {
        let mut sources = SourceMap::new();
        let text = match input::read(path, &mut sources) {
            Ok(t) => t,
            Err(d) => {
                err(&render_human(&[d], &sources, RenderOptions { color }));
                code = EXIT_INPUT;
                continue;
            }
        };
        let id = sources.add(path, text.clone());
        match gov::fmt::format_source(&text, id) {
            Ok(formatted) if args.check => {
                if formatted != text {
                    err(&format!("not formatted: `{path}`\n"));
                    code = code.max(EXIT_FAILED);
                }
            }
            Ok(formatted) if args.write => {
                if formatted != text {
                    if let Err(e) = std::fs::write(path, &formatted) {
                        err(&format!("error[E0104]: cannot write `{path}`: {e}\n"));
                        code = EXIT_INPUT;
                    }
                }
            }
            Ok(formatted) => out(&formatted),
            Err(d) => {
                err(&render_human(&[d], &sources, RenderOptions { color }));
                code = EXIT_INPUT;
            }
        }
    }
    code
}
