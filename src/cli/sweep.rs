//! `gov sweep FILE`: solve the regime over a grid of parameter values in parallel and
//! write the tidy table (CSV and JSON), or one shard of it. A progress bar shows on a
//! terminal; Ctrl-C stops dispatching points and writes the ones solved (exit 130).
//! Exit 0 when the sweep ran (failed points are rows with their diagnostic), 2 for input
//! errors.

use super::load::{fail, load_prepared, Request};
use super::output::write_atomic;
use super::{err, input, out, EXIT_INPUT, EXIT_OK};
use gov::diag::Code;
use gov::source::SourceMap;
use gov::sweep::table::{self, AxisInfo, Header, Shard};
use gov::sweep::{spec, Plan};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code: interrupted (Ctrl-C); the points solved were written.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Set by Ctrl-C: no new point starts.
static STOP: AtomicBool = AtomicBool::new(false);

/// Arguments of `gov sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The regime file (`.gov`).
    file: String,
    /// Run this sweep declared in the file (default: the only one, unless `--vary` is given).
    #[arg(long, value_name = "NAME")]
    sweep: Option<String>,
    /// Vary a parameter: `NAME=LO..HI:STEPS`, `NAME=LO..HI:STEPS:log` or `NAME=A,B,C`
    /// (unit-checked, e.g. `Q=50pflop..200pflop:16`; repeatable, the first varies slowest).
    #[arg(long = "vary", value_name = "NAME=VALUES")]
    varies: Vec<String>,
    /// Record at each point: an expression, or the name of a check, expect, compare or
    /// threshold; `NAME=EXPR` names the column (repeatable; default: the equilibrium).
    #[arg(long = "metric", value_name = "[NAME=]EXPR")]
    metrics: Vec<String>,
    /// Override a parameter at every point: `--set Q=2eflop` (unit-checked; repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Solve this scenario at each point instead of the base regime.
    #[arg(long)]
    scenario: Option<String>,
    /// Write PREFIX.csv and PREFIX.json (a shard: PREFIX.shard-I-of-N.json) instead of printing.
    #[arg(long, short, value_name = "PREFIX")]
    out: Option<String>,
    /// Print the JSON document (schema: docs/json.md) instead of the CSV.
    #[arg(long)]
    json: bool,
    /// Solve only shard I of N (1-based), for job arrays; `slurm` reads
    /// `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_COUNT`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Threads to solve with (default: one per core); the output does not depend on it.
    #[arg(long, short, visible_alias = "threads", value_name = "N", value_parser = super::count, allow_negative_numbers = true)]
    jobs: Option<u64>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `gov sweep`.
pub fn run(args: &SweepArgs, color: bool) -> i32 {
    let shard = match args.shard.as_deref().map(parse_shard).transpose() {
        Ok(s) => s,
        Err(message) => {
            err(&format!("error[{}]: {message}\n", Code::E0106));
            return EXIT_INPUT;
        }
    };
    let mut sources = SourceMap::new();
    let text = match input::read(&args.file, &mut sources) {
        Ok(t) => t,
        Err(d) => return fail(&[d], &sources, color, false, EXIT_INPUT),
    };
    let scenario = args.scenario.as_deref().filter(|s| *s != "base");
    let request =
        spec::Request { sweep: args.sweep.clone(), varies: args.varies.clone(), metrics: args.metrics.clone() };
    let mut name = String::new();
    let load_request = Request { file: &args.file, sets: &args.sets, scenario, color, json: false };
    let loaded = match load_prepared(&load_request, Some(text.clone()), sources, |regime| {
        name = spec::attach(regime, &request)?;
        Ok(())
    }) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (regime, model) = (&loaded.regime, &loaded.model);
    let Some(sweep) = model.sweeps.iter().find(|s| s.name == name) else { return EXIT_INPUT };
    let plan = match Plan::new(model, sweep, &loaded.scenarios(), scenario) {
        Ok(p) => p,
        Err(d) => return fail(&d, &regime.sources, color, false, EXIT_INPUT),
    };
    let points = match shard {
        Some(s) => plan.grid.shard(s.index, s.count),
        None => 0..plan.grid.len,
    };
    let results = solve_with_progress(&plan, points.clone(), args);
    let interrupted = results.len() < points.len();
    let (rows, columns) = table::rows(results, &regime.sources);
    let mut extra = vec![name.clone(), scenario.unwrap_or("base").to_string()];
    extra.extend(args.metrics.iter().cloned());
    let header = Header {
        gov: env!("CARGO_PKG_VERSION").to_string(),
        file: args.file.clone(),
        sweep: name,
        scenario: scenario.map(str::to_string),
        model_hash: gov::sweep::model_hash(&text, &args.sets),
        grid_hash: plan.grid.hash(&extra),
        points: plan.grid.len,
        axes: AxisInfo::of(&plan.grid),
        shard,
        complete: !interrupted,
        columns,
    };
    let failed = rows.iter().filter(|r| r.outcome.is_err()).count();
    if let Err(message) = write(args, &header, &rows) {
        err(&format!("error[{}]: {message}\n", Code::E0109));
        return EXIT_INPUT;
    }
    let what = match shard {
        Some(s) => format!("shard {} of {}: ", s.index, s.count),
        None => String::new(),
    };
    err(&format!("{what}{} of {} points solved, {failed} failed\n", rows.len() - failed, points.len()));
    if interrupted {
        err(&format!("interrupted: {} of {} points were not solved\n", points.len() - rows.len(), points.len()));
        return EXIT_INTERRUPTED;
    }
    EXIT_OK
}

/// Solves the points on `--jobs` threads with a progress bar on a terminal; Ctrl-C
/// stops dispatching (a second Ctrl-C exits at once).
fn solve_with_progress(plan: &Plan, points: std::ops::Range<usize>, args: &SweepArgs) -> Vec<gov::sweep::PointResult> {
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(EXIT_INTERRUPTED);
        }
    });
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(Some(points.len() as u64), indicatif::ProgressDrawTarget::stderr())
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points  {elapsed} elapsed, eta {eta}")
    {
        bar.set_style(style);
    }
    let tick = || bar.inc(1);
    let solve = || gov::sweep::run(plan, points.clone(), &STOP, &tick);
    let threads = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let results = match args.jobs.map(|n| rayon::ThreadPoolBuilder::new().num_threads(threads(n)).build()) {
        Some(Ok(pool)) => pool.install(solve),
        _ => solve(),
    };
    bar.finish_and_clear();
    results
}

/// Writes the document(s): a shard's JSON, or the CSV and JSON of the whole sweep.
fn write(args: &SweepArgs, header: &Header, rows: &[table::Row]) -> Result<(), String> {
    let json = || format!("{}\n", serde_json::to_string_pretty(&table::document(header, rows)).unwrap_or_default());
    match (&args.out, header.shard) {
        (Some(prefix), Some(s)) => {
            write_atomic(&PathBuf::from(format!("{prefix}.shard-{}-of-{}.json", s.index, s.count)), json().as_bytes())
        }
        (Some(prefix), None) => {
            write_atomic(&PathBuf::from(format!("{prefix}.csv")), table::csv(header, rows).as_bytes())?;
            write_atomic(&PathBuf::from(format!("{prefix}.json")), json().as_bytes())
        }
        (None, s) if s.is_some() || args.json => {
            out(&json());
            Ok(())
        }
        (None, _) => {
            out(&table::csv(header, rows));
            Ok(())
        }
    }
}

/// `I/N` with 1 ≤ I ≤ N, or `slurm` (from the job array's environment).
fn parse_shard(text: &str) -> Result<Shard, String> {
    if text == "slurm" {
        let var = |k: &str| -> Result<usize, String> {
            let v = std::env::var(k)
                .map_err(|_| format!("`--shard slurm` needs `{k}` (run it inside a Slurm job array)"))?;
            v.trim().parse().map_err(|_| format!("`{k}` is `{v}`, not a whole number"))
        };
        let (id, min, count) =
            (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_MIN")?, var("SLURM_ARRAY_TASK_COUNT")?);
        let index = id.checked_sub(min).ok_or("`SLURM_ARRAY_TASK_ID` is below `SLURM_ARRAY_TASK_MIN`")?;
        return checked(index + 1, count);
    }
    let (i, n) = text.split_once('/').ok_or_else(|| format!("`--shard {text}`: write `I/N`, e.g. `--shard 1/4`"))?;
    let parse =
        |s: &str| s.trim().parse::<usize>().map_err(|_| format!("`--shard {text}`: `{s}` is not a whole number"));
    checked(parse(i)?, parse(n)?)
}

fn checked(index: usize, count: usize) -> Result<Shard, String> {
    if count == 0 || index == 0 || index > count {
        return Err(format!("`--shard {index}/{count}`: the shard must be between 1 and the number of shards"));
    }
    Ok(Shard { index, count })
}
