//! `gov simulate FILE`: play a `simulate` block round by round over replications, print
//! the summary (text or JSON) and optionally write tidy CSV. Exit 0 on success, 2 for
//! input errors, 3 when the simulation fails numerically (its equilibrium cannot be
//! solved, or a round produces an invalid value).

use super::load::{fail, load, Request};
use super::output::write_atomic;
use super::{err, out, EXIT_INPUT, EXIT_NUMERIC, EXIT_OK};
use gov::diag::Code;
use gov::run::Scenarios;
use gov::session::unreadable;
use gov::simulate::{csv_rounds, csv_summary, sim_json, sim_text, simulate, Options};
use gov::source::SourceMap;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Arguments of `gov simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// The regime file.
    file: String,
    /// Which `simulate` block (default: the first).
    #[arg(long, value_name = "NAME")]
    sim: Option<String>,
    /// Rounds per replication (overrides the file).
    #[arg(long, value_name = "N", value_parser = super::count, allow_negative_numbers = true)]
    rounds: Option<u64>,
    /// Independent replications (overrides the file).
    #[arg(long, value_name = "M", value_parser = super::count, allow_negative_numbers = true)]
    reps: Option<u64>,
    /// Master seed; replication r uses stream r of ChaCha12 seeded with it (overrides the file).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Override a parameter: `--set Q=2eflop` (unit-checked; repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Simulate this scenario instead of the base regime.
    #[arg(long)]
    scenario: Option<String>,
    /// Write `<sim>.rounds.csv` (every round) and `<sim>.summary.csv` into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<std::path::PathBuf>,
    /// Worker threads (default: all cores); the output does not depend on it.
    #[arg(long, short = 'j', visible_alias = "jobs", value_name = "N", value_parser = super::count, allow_negative_numbers = true)]
    threads: Option<u64>,
    /// Print the summary as JSON on stdout (schema: docs/json.md).
    #[arg(long)]
    json: bool,
}

/// Runs `gov simulate`.
pub fn run(args: &SimulateArgs, color: bool) -> i32 {
    let mut loaded = match load(
        &Request { file: &args.file, sets: &args.sets, scenario: args.scenario.as_deref(), color, json: args.json },
        None,
        SourceMap::new(),
    ) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let scenario = args.scenario.clone().filter(|s| s != "base");
    let model = match &scenario {
        Some(name) => match loaded.scenarios().model_for(name) {
            Ok(m) => m,
            Err(d) => return fail(&d, &loaded.regime.sources, color, args.json, EXIT_INPUT),
        },
        None => loaded.model.clone(),
    };
    let options = Options { name: args.sim.clone(), rounds: args.rounds, reps: args.reps, seed: args.seed, scenario };
    let bar = progress_bar();
    let tick = |n: u64| bar.inc(n);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.threads.unwrap_or(0) as usize).build();
    let result = match pool {
        Ok(pool) => pool.install(|| simulate(&model, &options, &tick)),
        Err(e) => {
            err(&format!("error[{}]: cannot start worker threads: {e}\n", Code::E0901));
            return EXIT_NUMERIC;
        }
    };
    bar.finish_and_clear();
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            let d = e.to_diagnostic();
            let code = if d.is_numerical() { EXIT_NUMERIC } else { EXIT_INPUT };
            return fail(&[d], &loaded.regime.sources, color, args.json, code);
        }
    };
    if let Some(dir) = &args.out {
        if let Err((path, message)) = write_csv(dir, &result) {
            let sources = &mut loaded.regime.sources;
            let mut d = unreadable(sources, &path, &message, Code::E0104, "pass `--out` a directory you can write to");
            d.message = message;
            return fail(&[d], sources, color, args.json, EXIT_INPUT);
        }
    }
    if args.json {
        out(&format!("{}\n", serde_json::to_string_pretty(&sim_json(&result, &args.file)).unwrap_or_default()));
    } else {
        out(&sim_text(&result, &args.file));
    }
    EXIT_OK
}

/// A bar on stderr when it is a terminal; hidden otherwise (its length grows as rounds are planned).
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} rounds played [{elapsed_precise}] {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Writes the two CSV files, each atomically (a temporary file renamed into place);
/// on failure, the path and the reason.
fn write_csv(dir: &std::path::Path, r: &gov::simulate::SimResult) -> Result<(), (String, String)> {
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| (shown.clone(), format!("cannot create `{shown}`: {e}")))?;
    for (suffix, text) in [("rounds.csv", csv_rounds(r)), ("summary.csv", csv_summary(r))] {
        let path = dir.join(format!("{}.{suffix}", r.name));
        write_atomic(&path, text.as_bytes()).map_err(|e| (path.display().to_string(), e))?;
    }
    Ok(())
}
