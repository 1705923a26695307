//! `gov sweep` as a library: solve a regime at every point of a grid of parameter
//! values, in parallel, and record what was asked at each point's equilibrium.
//!
//! A sweep is declared in the file (`sweep NAME { vary ... metric ... }`) or built from
//! the command line (`spec`); the checker types it like any declaration. [`Plan`] turns
//! the checked sweep into numbers: the grid (`grid`: first axis slowest, shards are
//! contiguous blocks) and a [`point::PointSolver`]. [`run`] solves a block of points
//! with rayon, collecting in order (never reducing floats across threads), so the
//! result does not depend on the number of threads or on sharding. `table` renders the
//! results as tidy CSV and JSON, reads shard files back and merges them into exactly
//! the document the unsharded sweep writes.

pub mod grid;
pub mod point;
pub mod spec;
pub mod table;

use crate::diag::Diagnostic;
use crate::model::{Model, Sweep};
use crate::run::Scenarios;
use grid::Grid;
use point::{Entry, PointSolver, Variant};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A checked sweep turned into numbers, ready to solve any of its points.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The sweep's name.
    pub name: String,
    /// The scenario solved at each point (`None`: the base regime).
    pub scenario: Option<String>,
    /// The points.
    pub grid: Grid,
    /// What to do at each point.
    pub solver: PointSolver,
}

/// The outcome of one point.
#[derive(Debug, Clone)]
pub struct PointResult {
    /// Its index in the grid (`0..len`).
    pub index: usize,
    /// The varied parameters' values, in axis order.
    pub values: Vec<f64>,
    /// The recorded values, or why the point failed.
    pub outcome: Result<Vec<Entry>, Diagnostic>,
}

impl Plan {
    /// Prepares `sweep` (one of `model`'s), solved under `scenario` (or the base regime);
    /// `scenarios` gives the models of scenarios that replace rules.
    pub fn new(
        model: &Model,
        sweep: &Sweep,
        scenarios: &dyn Scenarios,
        scenario: Option<&str>,
    ) -> Result<Plan, Vec<Diagnostic>> {
        let name = sweep.name.as_str();
        let grid = Grid::new(model, sweep).map_err(|d| vec![d])?;
        let axes: Vec<String> = grid.axes.iter().map(|a| a.name.clone()).collect();
        let main_model = match scenario {
            Some(s) => scenarios.model_for(s)?,
            None => model.clone(),
        };
        let metrics = main_model.sweeps.iter().find(|s| s.name == name).map(|s| s.metrics.clone()).unwrap_or_default();
        let main = Variant::new(scenario.unwrap_or("base"), main_model, &axes);
        let mut others: Vec<Variant> = Vec::new();
        for m in &metrics {
            let crate::model::SweepMetricKind::Compare(c) = &m.kind else { continue };
            let Some(compare) = model.compares.iter().find(|x| x.name == *c) else { continue };
            for s in &compare.scenarios {
                if *s == main.name || others.iter().any(|v| v.name == *s) {
                    continue;
                }
                let m = if s == "base" { model.clone() } else { scenarios.model_for(s)? };
                others.push(Variant::new(s, m, &axes));
            }
        }
        let spans = grid.axes.iter().map(|a| a.span).collect();
        Ok(Plan {
            name: name.to_string(),
            scenario: scenario.map(str::to_string),
            grid,
            solver: PointSolver { main, metrics, others, spans },
        })
    }

    /// Solves one point.
    pub fn solve_point(&self, index: usize) -> PointResult {
        let values = self.grid.point(index);
        let outcome = self.solver.record(&values);
        PointResult { index, values, outcome }
    }
}

/// A hash identifying the regime a sweep solves: the gov version (which fixes the
/// stdlib), the file's text and the `--set` values; shard files of one sweep agree on it.
pub fn model_hash(text: &str, sets: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    for s in sets {
        h.update([0]);
        h.update(s.as_bytes());
    }
    grid::hex(&h.finalize())
}

/// Solves the points `points` in parallel (on the current rayon pool), in index order.
/// Once `stop` is set no new point starts; the points already solved are returned.
/// `done` is called after each point (for a progress bar).
pub fn run(plan: &Plan, points: Range<usize>, stop: &AtomicBool, done: &(dyn Fn() + Sync)) -> Vec<PointResult> {
    use rayon::prelude::*;
    let results: Vec<Option<PointResult>> = points
        .into_par_iter()
        .map(|index| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let result = plan.solve_point(index);
            done();
            Some(result)
        })
        .collect();
    results.into_iter().flatten().collect()
}
