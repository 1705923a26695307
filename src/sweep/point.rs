//! One point of a sweep: the varied parameters are given their values (like `--set`;
//! a scenario's own `set`s still win), the regime is solved, and the metrics are
//! recorded at the equilibrium. With no metrics asked for, the equilibrium itself is
//! recorded: market prices, each member's choices and payoff, and what each threshold's
//! actor does. Any failure fails the whole point with its diagnostic.

use crate::diag::Diagnostic;
use crate::model::*;
use crate::report::member_name;
use crate::solve::state::{RunEnv, State};
use crate::solve::{solve, Solution};
use crate::source::Span;
use crate::verify::{decide_check, decide_expect};

/// One recorded value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number in canonical units.
    Num(f64),
    /// A category: a truth value, an enumeration variant, a member, a verdict, a scenario.
    Category(String),
    /// Nothing (the choice of a member that abstains).
    Empty,
}

/// A value with its column and, for numbers with a dimension, the unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The column's name.
    pub column: String,
    /// The value.
    pub cell: Cell,
    /// The unit of a number (`None` for plain numbers and categories).
    pub unit: Option<String>,
    /// The column holds categories (known from the type, even for an empty cell).
    pub category: bool,
}

/// A model to solve at every point, with the scenario it is solved under.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `base` or the scenario's name.
    pub name: String,
    /// The checked model (the scenario's own when it replaces rules).
    pub model: Model,
    /// The scenario's changes, if any.
    pub scenario: Option<Scenario>,
    /// The varied parameters' ids in this model, in axis order.
    pub params: Vec<ParamId>,
}

impl Variant {
    /// `name` solved in `model` (the scenario of that name if it is not `base`); `axes`
    /// are the varied parameters' names.
    pub fn new(name: &str, model: Model, axes: &[String]) -> Variant {
        let scenario = model.scenarios.iter().find(|s| s.name == name).cloned();
        let params =
            axes.iter().map(|a| model.params.iter().position(|p| p.name == *a).unwrap_or(usize::MAX)).collect();
        Variant { name: name.to_string(), model, scenario, params }
    }

    /// Solves this variant with the varied parameters at `values` (spans: the `vary` clauses).
    pub fn solve(&self, values: &[f64], spans: &[Span]) -> Result<Solution, Diagnostic> {
        let mut sets = Vec::with_capacity(values.len());
        for ((&p, &v), &span) in self.params.iter().zip(values).zip(spans) {
            let Some(param) = self.model.params.get(p) else { continue };
            sets.push((p, Expr { kind: ExprKind::Const(Value::Num(v)), ty: param.ty.clone(), span }));
        }
        let mut scenario = Scenario {
            name: self.name.clone(),
            sets,
            removes: Vec::new(),
            fixes: Vec::new(),
            items: Vec::new(),
            span: spans.first().copied().unwrap_or_default(),
            name_span: spans.first().copied().unwrap_or_default(),
        };
        if let Some(s) = &self.scenario {
            scenario.sets.extend(s.sets.iter().cloned());
            scenario.removes.clone_from(&s.removes);
            scenario.fixes.clone_from(&s.fixes);
        }
        // What checking the regime with these values as `--set`s would refuse (a `Prob`
        // out of range, a list too short for the family) fails the point, not silently.
        if let Some(d) =
            crate::check::constant_diagnostics(&self.model, &scenario.sets).into_iter().find(|d| d.is_error())
        {
            return Err(d);
        }
        solve(&self.model, Some(&scenario)).map_err(|e| e.to_diagnostic())
    }
}

/// Everything needed to solve any point: the variant solved (base or `--scenario`), the
/// metrics, and the variants that `compare` metrics need.
#[derive(Debug, Clone)]
pub struct PointSolver {
    /// The regime as solved at each point.
    pub main: Variant,
    /// What to record (empty: the equilibrium).
    pub metrics: Vec<SweepMetric>,
    /// Other scenarios that compares need, by name.
    pub others: Vec<Variant>,
    /// The `vary` clauses, in axis order.
    pub spans: Vec<Span>,
}

impl PointSolver {
    /// Solves one point and records its values.
    pub fn record(&self, values: &[f64]) -> Result<Vec<Entry>, Diagnostic> {
        let solution = self.main.solve(values, &self.spans)?;
        let model = &self.main.model;
        if self.metrics.is_empty() {
            return equilibrium_entries(model, &solution.state).map_err(|e| crate::solve::eval_diagnostic(&e));
        }
        let mut solved: Vec<(String, Solution)> = Vec::new();
        let mut out = Vec::new();
        let eval_err = |e: crate::eval::EvalError| crate::solve::eval_diagnostic(&e);
        for metric in &self.metrics {
            let state = &solution.state;
            match &metric.kind {
                SweepMetricKind::Value(e) => {
                    let v = RunEnv::new(model, state).eval(e).map_err(eval_err)?;
                    out.push(value_entry(model, &metric.name, &v, &e.ty));
                }
                SweepMetricKind::Check(name) => {
                    let Some(c) = model.checks.iter().find(|c| c.name == *name) else { continue };
                    let v = decide_check(model, state, c)?;
                    out.push(category(&metric.name, if v.holds { "holds" } else { "fails" }));
                }
                SweepMetricKind::Expect(name) => {
                    let Some(x) = model.expects.iter().find(|x| x.name == *name) else { continue };
                    let v = decide_expect(model, state, x)?;
                    out.push(category(&metric.name, if v.holds { "ok" } else { "fails" }));
                }
                SweepMetricKind::Threshold(name) => {
                    threshold_entries(model, state, name, &metric.name, &mut out).map_err(eval_err)?
                }
                SweepMetricKind::Compare(name) => {
                    self.compare_entries(name, &metric.name, values, &solution, &mut solved, &mut out)?
                }
            }
        }
        Ok(out)
    }

    /// `NAME.SCENARIO` for each compared scenario, and `NAME`: the scenario with the
    /// largest value (the first listed among equals).
    fn compare_entries(
        &self,
        name: &str,
        column: &str,
        values: &[f64],
        main: &Solution,
        solved: &mut Vec<(String, Solution)>,
        out: &mut Vec<Entry>,
    ) -> Result<(), Diagnostic> {
        let Some(compare) = self.main.model.compares.iter().find(|c| c.name == name) else { return Ok(()) };
        let mut best: Option<(&str, f64)> = None;
        for scenario in &compare.scenarios {
            let variant = if *scenario == self.main.name {
                &self.main
            } else {
                match self.others.iter().find(|v| v.name == *scenario) {
                    Some(v) => v,
                    None => continue,
                }
            };
            let state = if variant.name == self.main.name {
                &main.state
            } else {
                if !solved.iter().any(|(n, _)| n == scenario) {
                    solved.push((scenario.clone(), variant.solve(values, &self.spans)?));
                }
                match solved.iter().find(|(n, _)| n == scenario) {
                    Some((_, s)) => &s.state,
                    None => continue,
                }
            };
            let m = &variant.model;
            let metric = m.compares.iter().find(|c| c.name == name).map(|c| &c.metric).unwrap_or(&compare.metric);
            let v = RunEnv::new(m, state).eval_num(metric).map_err(|e| crate::solve::eval_diagnostic(&e))?;
            let unit = unit(&compare.metric.ty);
            out.push(Entry { column: format!("{column}.{scenario}"), cell: Cell::Num(v), unit, category: false });
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((scenario, v));
            }
        }
        if let Some((winner, _)) = best {
            out.push(category(column, winner));
        }
        Ok(())
    }
}

fn category(column: &str, value: &str) -> Entry {
    Entry { column: column.to_string(), cell: Cell::Category(value.to_string()), unit: None, category: true }
}

/// The unit of a number type with a dimension.
pub fn unit(ty: &Type) -> Option<String> {
    match ty {
        Type::Num(_, d) if !d.is_one() => Some(d.to_string()),
        _ => None,
    }
}

fn value_entry(model: &Model, column: &str, v: &Value, ty: &Type) -> Entry {
    match v {
        Value::Num(x) => Entry { column: column.to_string(), cell: Cell::Num(*x), unit: unit(ty), category: false },
        other => category(column, &crate::report::show_value(model, other, ty)),
    }
}

/// What the actor a threshold falls on does: `abstains`, `complies` (the condition
/// holds), `pays` (its penalty) or `banned`; `inactive` when a scenario removed it. One
/// column per member for a family (`T[i]`).
fn threshold_entries(
    model: &Model,
    state: &State,
    name: &str,
    column: &str,
    out: &mut Vec<Entry>,
) -> Result<(), crate::eval::EvalError> {
    let Some((t, threshold)) = model.thresholds.iter().enumerate().find(|(_, t)| t.name == name) else {
        return Ok(());
    };
    let Some(actor) = state.actors.get(threshold.on) else { return Ok(()) };
    let family = model.actors.get(threshold.on).is_some_and(|a| a.family.is_some());
    let env = RunEnv::new(model, state);
    for m in 0..actor.size {
        let status = if state.inactive.thresholds.get(t).copied().unwrap_or(false) {
            "inactive"
        } else if actor.abstained[m] {
            "abstains"
        } else if matches!(env.eval(&threshold.condition)?, Value::Bool(true)) {
            "complies"
        } else if threshold.penalty.is_some() {
            "pays"
        } else {
            "banned"
        };
        let col = if family { format!("{column}[{}]", m + 1) } else { column.to_string() };
        out.push(category(&col, status));
    }
    Ok(())
}

/// The equilibrium as columns: market prices, each member's choices (empty when it
/// abstains) and whether it abstains (for choices with `or abstain`), payoffs, and what
/// each threshold's actor does.
pub fn equilibrium_entries(model: &Model, state: &State) -> Result<Vec<Entry>, crate::eval::EvalError> {
    let mut out = Vec::new();
    for (m, market) in model.markets.iter().enumerate() {
        let price = if state.inactive.markets[m] { Cell::Empty } else { Cell::Num(state.prices[m]) };
        let unit = unit(&Type::quantity(market.price_dim.clone()));
        out.push(Entry { column: format!("{}.price", market.name), cell: price, unit, category: false });
    }
    let env = RunEnv::new(model, state);
    let payoff_unit = model.payoff_dim.as_ref().and_then(|d| unit(&Type::quantity(d.clone())));
    for (a, actor) in model.actors.iter().enumerate() {
        let Some(s) = state.actors.get(a) else { continue };
        let can_abstain = actor.choices.iter().any(|c| c.abstain);
        for m in 0..s.size {
            let who = member_name(model, a, m as i64 + 1);
            for (c, choice) in actor.choices.iter().enumerate() {
                let column = format!("{who}.{}", choice.name);
                if s.abstained[m] {
                    let category = !matches!(choice.ty, Type::Num(..));
                    out.push(Entry { column, cell: Cell::Empty, unit: unit(&choice.ty), category });
                } else {
                    out.push(value_entry(model, &column, &s.choices[m][c], &choice.ty));
                }
            }
            if can_abstain {
                out.push(category(&format!("{who}.abstains"), if s.abstained[m] { "true" } else { "false" }));
            }
            if actor.payoff.is_some() {
                let cell = match env.payoff(a, m as i64 + 1)? {
                    Some(v) => Cell::Num(v),
                    None => Cell::Empty,
                };
                out.push(Entry { column: format!("{who}.payoff"), cell, unit: payoff_unit.clone(), category: false });
            }
        }
    }
    for t in &model.thresholds {
        threshold_entries(model, state, &t.name, &t.name, &mut out)?;
    }
    Ok(out)
}
