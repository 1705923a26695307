//! Model → rounds. `gov simulate` plays a regime round by round: every round each choice
//! follows its strategy rule (the solved equilibrium, a fixed value, a best response to
//! the previous round, or a learning rule), chance draws the random quantities and the
//! audits, licensors audit and revoke, payoffs are realised, metrics are recorded and the
//! state variables updated. Replication `r` draws from its own ChaCha12 stream
//! (`seed`, stream `r`), so output never depends on the number of threads.

mod code;
pub mod draw;
pub mod learn;
mod output;
mod plan;
mod round;
pub mod stats;

pub use output::{csv_rounds, csv_summary, sim_json, sim_text};
pub use plan::Settings;

use crate::diag::{Code, Diagnostic};
use crate::eval::EvalError;
use crate::model::*;
use crate::solve::{eval_diagnostic, SolveError};
use crate::source::Span;
use rayon::prelude::*;

/// What the caller may override from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which `simulate` block (the first when `None`).
    pub name: Option<String>,
    /// Rounds per replication.
    pub rounds: Option<u64>,
    /// Replications.
    pub reps: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// The scenario to simulate (`None`: the base regime).
    pub scenario: Option<String>,
}

/// A finished simulation: every replication's per-round metrics and their summary.
#[derive(Debug, Clone)]
pub struct SimResult {
    /// The `simulate` block's name.
    pub name: String,
    /// Rounds, replications and seed used.
    pub settings: Settings,
    /// The scenario simulated, if not the base regime.
    pub scenario: Option<String>,
    /// How each choice and market plays, one line each.
    pub strategies: Vec<String>,
    /// How the starting point was found (the equilibrium's method), if one was solved.
    pub start: Option<String>,
    /// Metric names and types (user metrics, then one `licence.licensed` count per licence).
    pub metrics: Vec<(String, Type)>,
    /// `[rep][round][metric]`.
    pub series: Vec<Vec<Vec<f64>>>,
    /// Per metric: the summary of each replication's mean over rounds, and of its final round.
    pub summary: Vec<(stats::Summary, stats::Summary)>,
}

/// Why a simulation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The equilibrium the `equilibrium` strategies play could not be solved.
    Solve(SolveError),
    /// An expression failed to evaluate.
    Eval(EvalError),
    /// A distribution got a parameter out of its range.
    Distribution {
        /// Which distribution.
        kind: DistKind,
        /// The value.
        value: f64,
        /// What is wrong with it.
        why: &'static str,
        /// The parameter.
        span: Span,
    },
    /// An audit or licence-audit probability outside [0, 1].
    Probability {
        /// The value.
        value: f64,
        /// The expression.
        span: Span,
    },
    /// A learning rule has no finite set of actions to learn over.
    Actions {
        /// `Actor.choice`.
        what: String,
        /// Why.
        why: String,
        /// The strategy.
        span: Span,
    },
    /// No such `simulate` block.
    NoSimulation {
        /// The name asked for, if any.
        name: Option<String>,
        /// The blocks there are.
        available: Vec<String>,
        /// The regime.
        span: Span,
    },
    /// A failure inside a round, with where it happened.
    InRound {
        /// 1-based round.
        round: u64,
        /// 0-based replication.
        rep: u64,
        /// What failed.
        inner: Box<SimError>,
    },
}

impl SimError {
    /// The diagnostic users see.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            SimError::Solve(e) => e.to_diagnostic().note(
                "the simulation starts from the regime's equilibrium (its `equilibrium` strategies and market prices)",
            ),
            SimError::Eval(e) => eval_diagnostic(e),
            SimError::Distribution { kind, value, why, span } => {
                Diagnostic::new(Code::E0601, *span, "invalid distribution parameter during the simulation")
                    .label(format!("this is {} here, which {why}", crate::report::number(*value)))
                    .help(format!(
                        "`{kind:?}` needs {}; bound the expression (e.g. with `min`/`max`)",
                        kind.requirements()
                    ))
            }
            SimError::Probability { value, span } => {
                Diagnostic::new(Code::E0602, *span, "probability outside [0, 1] during the simulation")
                    .label(format!("this is {} here", crate::report::number(*value)))
                    .help(
                        "an audit probability must lie in [0, 1]; clamp it with `min(1, ...)` or check the parameters",
                    )
            }
            SimError::Actions { what, why, span } => {
                Diagnostic::new(Code::E0603, *span, format!("`{what}` has no finite set of actions to learn over"))
                    .label(why.clone())
                    .help("give the choice finite bounds (`in [0, 10]`) or a finite set, or choose `best_response`")
            }
            SimError::NoSimulation { name, available, span } => {
                let (message, help) = match (name, available.is_empty()) {
                    (_, true) => (
                        "the regime has no `simulate` block".to_string(),
                        "add one: `simulate rounds { rounds 100  reps 10  metric price = permits.price }`".to_string(),
                    ),
                    (Some(n), false) => (
                        format!("no simulation named `{n}`"),
                        match crate::check::suggest_name(n, available.iter().map(String::as_str)) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("the simulations are: {}", available.join(", ")),
                        },
                    ),
                    (None, false) => ("no simulation chosen".to_string(), "name one with `--sim`".to_string()),
                };
                Diagnostic::new(Code::E0604, *span, message).label("in this regime").help(help)
            }
            SimError::InRound { round, rep, inner } => {
                inner.to_diagnostic().note(format!("in round {round} of replication {}", rep + 1))
            }
        }
    }
}

/// Simulates a checked regime (already checked for the scenario, if one is given).
pub fn simulate(model: &Model, options: &Options, progress: &(dyn Fn(u64) + Sync)) -> Result<SimResult, SimError> {
    let plan = plan::Plan::new(model, options)?;
    let reps: Vec<u64> = (0..plan.settings.reps).collect();
    let outcomes: Vec<Result<Vec<Vec<f64>>, SimError>> =
        reps.par_iter().map(|r| round::replicate(&plan, *r, progress)).collect();
    let mut series = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        series.push(o?);
    }
    let metrics = plan.metric_names();
    let summary = (0..metrics.len())
        .map(|k| {
            let means: Vec<f64> = series.iter().map(|rep| stats::mean(rep.iter().map(|row| row[k]))).collect();
            let finals: Vec<f64> = series.iter().filter_map(|rep| rep.last().map(|row| row[k])).collect();
            (stats::summarize(&means), stats::summarize(&finals))
        })
        .collect();
    Ok(SimResult {
        name: plan.sim.name.clone(),
        settings: plan.settings,
        scenario: options.scenario.clone(),
        strategies: plan.describe(),
        start: plan.start_method.clone(),
        metrics,
        series,
        summary,
    })
}
