//! `gov run` as a library: solve the regime (or one scenario), decide its checks and
//! expects, compare metrics across scenarios and solve its finite games. Pure: the
//! result is data for `report` to render.

use crate::diag::Diagnostic;
use crate::model::*;
use crate::solve::state::RunEnv;
use crate::solve::{solve, Solution};
use crate::verify::{decide_check, decide_expect, Verdict};

/// A metric compared across scenarios.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The metric's name.
    pub name: String,
    /// (scenario, value) rows in the order written.
    pub rows: Vec<(String, f64)>,
    /// The metric's type (for its unit).
    pub ty: Type,
}

/// Everything `gov run` computed.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The scenario solved (`None` for the base regime).
    pub scenario: Option<String>,
    /// The equilibrium.
    pub solution: Solution,
    /// Verdicts of every `check`.
    pub checks: Vec<Verdict>,
    /// Verdicts of every `expect`.
    pub expects: Vec<Verdict>,
    /// Every `compare`.
    pub comparisons: Vec<Comparison>,
    /// Every finite `game`, solved.
    pub games: Vec<crate::games::GameSolution>,
}

impl RunReport {
    /// True when every check and expect holds.
    pub fn all_hold(&self) -> bool {
        self.checks.iter().chain(&self.expects).all(|v| v.holds)
    }
}

/// Where scenario models come from: scenarios that add or replace rules need their own
/// checked model; others use the base model.
pub trait Scenarios {
    /// The model to solve scenario `name` with.
    fn model_for(&self, name: &str) -> Result<Model, Vec<Diagnostic>>;
}

/// Runs the regime (under `scenario` if given).
pub fn run(model: &Model, scenarios: &dyn Scenarios, scenario: Option<&str>) -> Result<RunReport, Vec<Diagnostic>> {
    let (model_s, solution) = solve_named(model, scenarios, scenario)?;
    let model_ref = model_s.as_ref().unwrap_or(model);
    let state = &solution.state;
    let mut checks = Vec::new();
    for c in &model_ref.checks {
        checks.push(decide_check(model_ref, state, c).map_err(|d| vec![d])?);
    }
    let mut expects = Vec::new();
    for e in &model_ref.expects {
        expects.push(decide_expect(model_ref, state, e).map_err(|d| vec![d])?);
    }
    let mut solved: Vec<(String, Option<Model>, Solution)> = Vec::new();
    if scenario.is_none() {
        scenario_questions(model, scenarios, &mut solved, &mut checks, &mut expects)?;
    }
    let mut comparisons = Vec::new();
    for c in &model.compares {
        let mut rows = Vec::new();
        for name in &c.scenarios {
            let key = if name == "base" { None } else { Some(name.as_str()) };
            if !solved.iter().any(|(n, _, _)| n == name) {
                let (m, s) = solve_named(model, scenarios, key)?;
                solved.push((name.clone(), m, s));
            }
            let Some((_, m, s)) = solved.iter().find(|(n, _, _)| n == name) else { continue };
            let m = m.as_ref().unwrap_or(model);
            let metric = m.compares.iter().find(|x| x.name == c.name).map(|x| &x.metric).unwrap_or(&c.metric);
            let v = RunEnv::new(m, &s.state).eval_num(metric).map_err(|e| vec![crate::solve::eval_diagnostic(&e)])?;
            rows.push((name.clone(), v));
        }
        comparisons.push(Comparison { name: c.name.clone(), rows, ty: c.metric.ty.clone() });
    }
    let mut games = Vec::new();
    for g in &model_ref.games {
        let nf = crate::games::normal_form(model_ref, state, g).map_err(|e| vec![e.to_diagnostic()])?;
        let solved = crate::games::solve_game(nf).map_err(|m| {
            vec![Diagnostic::new(crate::diag::Code::E0502, g.span, format!("game `{}` could not be solved", g.name))
                .note(m)]
        })?;
        games.push(solved);
    }
    Ok(RunReport { scenario: scenario.map(str::to_string), solution, checks, expects, comparisons, games })
}

/// The help line for an unknown scenario name: the nearest name, or all of them.
pub fn scenario_hint(model: &Model, name: &str) -> String {
    let names: Vec<&str> = model.scenarios.iter().map(|s| s.name.as_str()).collect();
    crate::check::suggest_name(name, names.iter().copied()).map(|s| format!("did you mean `{s}`?")).unwrap_or_else(
        || format!("the scenarios are: base{}", names.iter().map(|n| format!(", {n}")).collect::<String>()),
    )
}

/// Checks and expects written inside a scenario are decided at that scenario's solution.
fn scenario_questions(
    model: &Model,
    scenarios: &dyn Scenarios,
    solved: &mut Vec<(String, Option<Model>, Solution)>,
    checks: &mut Vec<Verdict>,
    expects: &mut Vec<Verdict>,
) -> Result<(), Vec<Diagnostic>> {
    use crate::syntax::ast::ItemKind;
    for s in &model.scenarios {
        let asks = s.items.iter().any(|i| matches!(i.kind, ItemKind::Check(_) | ItemKind::Expect(_)));
        if !asks {
            continue;
        }
        let (m, solution) = solve_named(model, scenarios, Some(&s.name))?;
        let m_ref = m.as_ref().unwrap_or(model);
        for c in m_ref.checks.iter().filter(|c| s.span.contains(c.span)) {
            let mut v = decide_check(m_ref, &solution.state, c).map_err(|d| vec![d])?;
            v.name = format!("{}.{}", s.name, v.name);
            checks.push(v);
        }
        for e in m_ref.expects.iter().filter(|e| s.span.contains(e.span)) {
            let mut v = decide_expect(m_ref, &solution.state, e).map_err(|d| vec![d])?;
            v.name = format!("{}.{}", s.name, v.name);
            expects.push(v);
        }
        solved.push((s.name.clone(), m, solution));
    }
    Ok(())
}

/// Solves the base regime or a named scenario; returns the scenario's own model when it has one.
pub fn solve_named(
    model: &Model,
    scenarios: &dyn Scenarios,
    name: Option<&str>,
) -> Result<(Option<Model>, Solution), Vec<Diagnostic>> {
    let Some(name) = name else {
        return solve(model, None).map(|s| (None, s)).map_err(|e| vec![e.to_diagnostic()]);
    };
    let m = scenarios.model_for(name)?;
    let solution = {
        let scenario = m.scenarios.iter().find(|s| s.name == name);
        solve(&m, scenario).map_err(|e| {
            let d = e.to_diagnostic();
            vec![match scenario {
                Some(s) => d.context(s.name_span, format!("while solving scenario `{name}`")),
                None => d,
            }]
        })?
    };
    Ok((Some(m), solution))
}
