//! The state a REPL input may change — the regime, `:set` values, scenario in force —
//! with the checked model and the equilibrium it caches, and the operations on it that
//! inputs compose: re-check, solve, run, decide the questions an input declared.

use super::changes::Snapshot;
use super::{Reply, Status};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Model;
use crate::report::verdict_lines;
use crate::run::{run, solve_named, RunReport};
use crate::session::{Override, Regime, ScenarioModels};
use crate::solve::Solution;
use crate::source::{SourceId, Span};
use crate::verify::{decide_check, decide_expect};

/// What an input may change.
#[derive(Clone)]
pub(super) struct State {
    /// The file's declarations and those typed at the prompt.
    pub(super) regime: Regime,
    /// The file loaded, if any (also after it failed to load, so `:reload` retries it).
    pub(super) path: Option<String>,
    /// `:set` values, in the order set (one per parameter).
    pub(super) overrides: Vec<Override>,
    /// The scenario solved (`None` for the base regime).
    pub(super) scenario: Option<String>,
    /// The checked base regime (with the overrides).
    pub(super) model: Model,
    /// Declarations typed at the prompt.
    pub(super) typed: usize,
    /// The equilibrium of this state, once computed.
    pub(super) solution: Option<Solution>,
    /// What its run says, once computed.
    pub(super) snapshot: Option<Snapshot>,
}

impl State {
    /// `examples/x.gov`, or `<repl>` for a session without a file.
    pub(super) fn label(&self) -> String {
        self.path.clone().unwrap_or_else(|| "<repl>".to_string())
    }

    /// Checks the regime as it now is (and the scenario in force, if it has rules of its
    /// own); keeps the model and forgets the equilibrium. Returns the warnings.
    pub(super) fn recheck(&mut self) -> Result<Diagnostics, Diagnostics> {
        let (model, diags) = self.regime.check(&self.overrides);
        let Some(model) = model else { return Err(diags) };
        self.own_model()?;
        self.model = model;
        self.solution = None;
        self.snapshot = None;
        Ok(diags)
    }

    /// The scenario in force's own model, when it adds or replaces rules.
    pub(super) fn own_model(&self) -> Result<Option<Model>, Diagnostics> {
        let Some(name) = &self.scenario else { return Ok(None) };
        match self.regime.scenario_model(name, &self.overrides) {
            None => Ok(None),
            Some((Some(m), _)) => Ok(Some(m)),
            Some((None, d)) => Err(d),
        }
    }

    pub(super) fn models(&self) -> ScenarioModels<'_> {
        ScenarioModels { regime: &self.regime, base: &self.model, overrides: &self.overrides }
    }

    /// The equilibrium, solved once.
    pub(super) fn solve(&mut self) -> Result<Solution, Vec<Diagnostic>> {
        if let Some(s) = &self.solution {
            return Ok(s.clone());
        }
        let (_, s) = solve_named(&self.model, &self.models(), self.scenario.as_deref())?;
        self.solution = Some(s.clone());
        Ok(s)
    }

    /// Everything `gov run` computes.
    pub(super) fn run(&mut self) -> Result<RunReport, Vec<Diagnostic>> {
        let report = run(&self.model, &self.models(), self.scenario.as_deref())?;
        self.solution = Some(report.solution.clone());
        self.snapshot = Some(Snapshot::of(&self.model, &report));
        Ok(report)
    }

    /// What the current run says; `None` when it cannot be solved.
    pub(super) fn snapshot(&mut self) -> Option<Snapshot> {
        if self.snapshot.is_none() {
            self.run().ok()?;
        }
        self.snapshot.clone()
    }

    /// Decides the checks and expects written in input `id` at the equilibrium.
    pub(super) fn decide_questions(&mut self, id: SourceId, reply: &mut Reply) -> Result<(), Vec<Diagnostic>> {
        let own = self.own_model().map_err(Diagnostics::into_vec)?;
        let model = own.as_ref().unwrap_or(&self.model);
        let typed = |span: Span| span.source == id;
        if !model.checks.iter().any(|c| typed(c.span)) && !model.expects.iter().any(|e| typed(e.span)) {
            return Ok(());
        }
        let model = model.clone();
        let solution = self.solve()?;
        let as_diag = |d| vec![d];
        let mut checks = Vec::new();
        for c in model.checks.iter().filter(|c| typed(c.span)) {
            checks.push(decide_check(&model, &solution.state, c).map_err(as_diag)?);
        }
        let mut expects = Vec::new();
        for e in model.expects.iter().filter(|e| typed(e.span)) {
            expects.push(decide_expect(&model, &solution.state, e).map_err(as_diag)?);
        }
        reply.out(verdict_lines(&checks, "holds", "FAILS"));
        reply.out(verdict_lines(&expects, "ok", "FAILS"));
        if !checks.iter().chain(&expects).all(|v| v.holds) {
            reply.status = Status::Failed;
        }
        Ok(())
    }
}
