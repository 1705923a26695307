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
        let mut text = String::new();
        for c in Code::ALL {
            text.push_str(&format!("{c}  {}\n", c.title()));
        }
        out(&text);
        return EXIT_OK;
    }
    let code = args.code.as_deref().unwrap_or_default();
    match Code::parse(code) {
        Some(c) => {
            out(c.explanation());
            EXIT_OK
        }
        None => {
            let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            let hint = gov::check::suggest_name(code, known.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "run `gov explain --list` for every code".to_string());
            err(&format!("error[E0106]: unknown diagnostic code `{code}`\n  Help: {hint}\n"));
            EXIT_INPUT
        }
    }
}
