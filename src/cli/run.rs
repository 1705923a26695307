//! `gov run FILE`: solve the regime, decide its checks and expects, compare scenarios.
//! Exit 0 when all hold, 1 when a check or expect fails, 2 for input errors, 3 for a
//! numerical failure.

use super::load::{fail, load, Request};
use super::{err, input, out, EXIT_FAILED, EXIT_INPUT, EXIT_NUMERIC, EXIT_OK};
use gov::diag::{Code, Diagnostic};
use gov::run::run as run_regime;
use gov::source::SourceMap;

/// Arguments of `gov run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The regime file (`.gov`), or a Gambit strategic-form game (`.nfg`).
    file: String,
    /// Override a parameter: `--set Q=2eflop` (unit-checked; repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Solve this scenario instead of the base regime.
    #[arg(long)]
    scenario: Option<String>,
    /// Print the report as JSON on stdout (schema: docs/json.md).
    #[arg(long)]
    json: bool,
}

/// Runs `gov run`.
pub fn run(args: &RunArgs, color: bool) -> i32 {
    let mut sources = SourceMap::new();
    let text = match input::read(&args.file, &mut sources) {
        Ok(t) => t,
        Err(d) => return fail(&[d], &sources, color, args.json, EXIT_INPUT),
    };
    if args.file.ends_with(".nfg") {
        return run_nfg(args, &text, sources, color);
    }
    let request =
        Request { file: &args.file, sets: &args.sets, scenario: args.scenario.as_deref(), color, json: args.json };
    let loaded = match load(&request, Some(text), sources) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let scenario = args.scenario.as_deref().filter(|s| *s != "base");
    match run_regime(&loaded.model, &loaded.scenarios(), scenario) {
        Ok(report) => {
            if args.json {
                let doc = gov::report::run_json(&loaded.model, &report, &args.file);
                out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
            } else {
                out(&gov::report::run_text(&loaded.model, &report, &args.file));
            }
            if report.all_hold() {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
        Err(diags) => {
            let numeric = diags.iter().all(Diagnostic::is_numerical);
            let code = if numeric { EXIT_NUMERIC } else { EXIT_INPUT };
            fail(&diags, &loaded.regime.sources, color, args.json, code)
        }
    }
}

/// A Gambit strategic-form game: every pure and (two players) extreme mixed equilibrium.
fn run_nfg(args: &RunArgs, text: &str, mut sources: SourceMap, color: bool) -> i32 {
    let id = sources.add(&args.file, text);
    let game = match gov::solve::nfg::parse_nfg(text) {
        Ok(g) => g,
        Err(e) => {
            let start = gov::source::floor_char_boundary(text, e.offset);
            let end = text[start..].chars().next().map(|c| start + c.len_utf8()).unwrap_or(start);
            let d = Diagnostic::new(Code::E0107, gov::source::Span::new(id, start..end), e.message.clone())
                .label("the file stops following the format here")
                .help("see `gov explain E0107` for the two .nfg variants");
            return fail(&[d], &sources, color, args.json, EXIT_INPUT);
        }
    };
    if !args.sets.is_empty() || args.scenario.is_some() {
        err("error[E0106]: `--set` and `--scenario` apply to .gov regimes, not .nfg games\n");
        return EXIT_INPUT;
    }
    match gov::games::solve_game(game) {
        Ok(solved) => {
            if args.json {
                let doc = serde_json::json!({ "version": 1, "file": args.file, "ok": true, "games": [gov::games::game_json(&solved)] });
                out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
            } else {
                out(&gov::games::game_text(&solved));
            }
            EXIT_OK
        }
        Err(message) => {
            let d = Diagnostic::new(Code::E0502, gov::source::Span::new(id, 0..0), "the game could not be solved")
                .note(message)
                .help("games this large exceed the vertex-enumeration budget; reduce the strategies");
            fail(&[d], &sources, color, args.json, EXIT_NUMERIC)
        }
    }
}
