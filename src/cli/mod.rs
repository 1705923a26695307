//! The command line: the only place that reads files, writes to the terminal, looks at
//! the environment or decides exit codes. One file per subcommand.

mod check;
mod explain;
mod fmt;
mod input;
mod load;
mod lsp;
mod merge;
mod output;
mod plot;
mod repl;
mod run;
mod simulate;
mod sweep;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a check or expect failed (or `fmt --check` found unformatted files).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: a diagnostic error in the input.
pub const EXIT_INPUT: i32 = 2;
/// Exit code: a numerical failure (no equilibrium, no convergence, ...).
pub const EXIT_NUMERIC: i32 = 3;

/// gov: write governance regimes, check their units, compute their equilibria.
#[derive(Parser, Debug)]
#[command(name = "gov", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, resolve and type-check regimes (exit 0 ok, 2 input errors).
    Check(check::CheckArgs),
    /// Solve a regime: equilibrium, checks, expects, comparisons (exit 1 if one fails, 3 on numerical failure).
    Run(run::RunArgs),
    /// Play a regime round by round: random draws, audits, licences, learning; replications (exit 3 on numerical failure).
    Simulate(simulate::SimulateArgs),
    /// Solve a regime over a grid of parameter values (in parallel) and write a tidy table.
    Sweep(sweep::SweepArgs),
    /// Join the shard files of one sweep into the table of the whole sweep.
    Merge(merge::MergeArgs),
    /// Draw a sweep's table as SVG or PNG: lines against one parameter, or a region map over two.
    Plot(plot::PlotArgs),
    /// Print regimes in the canonical layout.
    Fmt(fmt::FmtArgs),
    /// Explore a regime interactively: declarations, expressions with units, `:set` and re-solve.
    Repl(repl::ReplArgs),
    /// Explain a diagnostic code, with an example and the fix.
    Explain(explain::ExplainArgs),
    /// Run the language server for editors (LSP over stdin and stdout).
    Lsp(lsp::LspArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match cli.command {
        Command::Check(args) => check::run(&args, color),
        Command::Run(args) => run::run(&args, color),
        Command::Simulate(args) => simulate::run(&args, color),
        Command::Sweep(args) => sweep::run(&args, color),
        Command::Merge(args) => merge::run(&args, color),
        Command::Plot(args) => plot::run(&args),
        Command::Fmt(args) => fmt::run(&args, color),
        Command::Repl(args) => repl::run(&args, color),
        Command::Explain(args) => explain::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "gov", &mut std::io::stdout());
            EXIT_OK
        }
    }
}

/// Prints a clap error as an `E0106` diagnostic (help and version go to stdout, exit 0).
fn usage_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = write!(std::io::stdout(), "{}", e.render());
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { EXIT_INPUT } else { EXIT_OK };
    }
    let text = e.render().to_string();
    let body = text.strip_prefix("error: ").unwrap_or(&text);
    let _ = write!(std::io::stderr(), "error[E0106]: {body}");
    EXIT_INPUT
}

/// A flag's count (`--rounds`, `--reps`, `--threads`): a whole number of at least 1, said
/// plainly of a 0, a negative number or a word.
pub(crate) fn count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) => u64::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| format!("{n} is not at least 1")),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

/// Writes text to stdout, ignoring a closed pipe.
pub(crate) fn out(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Writes text to stderr.
pub(crate) fn err(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
