//! `gov explain CODE`: the long explanation of a diagnostic code.

use super::{err, out, EXIT_INPUT, EXIT_OK};
use gov::diag::Code;

/// Arguments of `gov explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A code such as `E0301` (case-insensitive).
    code: Option<String>,
    /// List every code with its title.
    #[arg(long, conflicts_with = "code")]
    list: bool,
}

/// Runs `gov explain`.
pub fn run(args: &ExplainArgs) -> i32 {
    if args.list || args.code.is_none() {
        out(&Code::list());
        return EXIT_OK;
    }
    let code = args.code.as_deref().unwrap_or_default();
    match Code::parse(code) {
        Some(c) => {
            out(c.explanation());
            EXIT_OK
        }
        None => {
            let hint = Code::unknown_help(code);
            err(&format!("error[E0106]: unknown diagnostic code `{code}`\n  Help: {hint}\n"));
            EXIT_INPUT
        }
    }
}
