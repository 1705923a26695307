//! The solution concepts, composed: markets clear around an inner equilibrium; the inner
//! equilibrium is backward induction over the `sequence` stages, and inside a stage a Nash
//! equilibrium by Gauss–Seidel best-response iteration ([`super::stages`]). The result
//! carries its residuals (excess demand, the largest gain from a unilateral deviation) and
//! how it was found.

use super::context::{Cx, Settings};
use super::init::initial_state;
use super::numeric::{clear_market, Excess, RootError};
use super::respond::{payoff, respond};
use super::stages::{plan, solve_stages, Plan, Touched, Trigger};
use super::state::{RunEnv, State, Work};
use super::symmetry::Reuse;
use super::{Phase, SolveError};
use crate::model::*;

/// States of a group whose certificate gains are kept for reuse.
const GAINS_KEPT: usize = 4;

/// An equilibrium and the evidence for it.
#[derive(Debug, Clone)]
pub struct Solution {
    /// The values at equilibrium.
    pub state: State,
    /// The solution concept, in words.
    pub concept: String,
    /// How it was computed, one line per step.
    pub method: Vec<String>,
    /// Largest payoff any member could gain by deviating alone (0 at an exact equilibrium).
    pub certificate: f64,
    /// Excess demand (demand − supply) per market at the final prices.
    pub excess_demand: Vec<f64>,
    /// Best-response rounds used (last inner solve).
    pub rounds: usize,
}

/// Solves the model's equilibrium (under a scenario, if given).
pub fn solve(model: &Model, scenario: Option<&Scenario>) -> Result<Solution, SolveError> {
    solve_with(model, scenario, Settings::default())
}

/// [`solve`] as `settings` say (the references the fast paths are tested against switch
/// them off).
pub(crate) fn solve_with(
    model: &Model,
    scenario: Option<&Scenario>,
    settings: Settings,
) -> Result<Solution, SolveError> {
    let mut state = initial_state(model, scenario)?;
    if let Some(limit) = settings.budget {
        state.work = Work::limited(limit);
    }
    state.warm = true;
    let cx = &Cx::new(model, &state, settings);
    let plan = plan(model, &state);
    let mut method = Vec::new();
    let markets: Vec<MarketId> = (0..model.markets.len()).filter(|m| !state.inactive.markets[*m]).collect();
    let caps: Vec<usize> = (0..model.caps.len()).filter(|c| !state.inactive.caps[*c]).collect();
    let mut rounds = clear_caps(cx, &plan, &mut state, &markets, &caps, &mut method)?;
    let concept = concept(model, &plan, !markets.is_empty());
    method.push(if plan.stages.len() > 1 {
        format!("backward induction over {} stages; each stage by best-response iteration", plan.stages.len())
    } else {
        format!(
            "best-response iteration ({rounds} round{}); best responses by global 1-D search (grid + Brent refinement, split at thresholds)",
            if rounds == 1 { "" } else { "s" }
        )
    });
    state.warm = false;
    let mut certificate = certificate(cx, &plan, &state).map_err(|e| e.during(Phase::Certificate))?;
    if certificate.1.is_some() {
        // A local search missed a better choice somewhere: iterate once more, globally.
        rounds = solve_all(cx, &plan, &mut state)?;
        certificate = self::certificate(cx, &plan, &state).map_err(|e| e.during(Phase::Certificate))?;
    }
    if let Some((who, gain)) = &certificate.1 {
        let unit = model.payoff_dim.as_ref().map(|d| Type::quantity(d.clone())).unwrap_or_else(Type::real);
        let span =
            plan.stages.first().and_then(|s| s.actors.first()).map(|a| model.actors[*a].span).unwrap_or_default();
        return Err(SolveError::NotEquilibrium {
            who: who.clone(),
            gain: crate::report::value_with_unit(*gain, &unit),
            span,
        });
    }
    let certificate = certificate.0;
    let excess_demand = (0..model.markets.len())
        .map(|m| if state.inactive.markets[m] { Ok(0.0) } else { excess(cx, &state, m).map(|e| e.z) })
        .collect::<Result<Vec<f64>, SolveError>>()?;
    if plan.stages.len() == 1 && markets.is_empty() && !plan.independent {
        check_unique(cx, scenario, &plan, &state).map_err(|e| e.during(Phase::Restart))?;
    }
    Ok(Solution { state, concept, method, certificate, excess_demand, rounds })
}

/// Imposes the caps: each binding cap gets the shadow price at which its quantity meets
/// the limit (complementary slackness, as for a market), around the market equilibrium.
fn clear_caps(
    cx: &Cx<'_>,
    plan: &Plan,
    state: &mut State,
    markets: &[MarketId],
    caps: &[usize],
    method: &mut Vec<String>,
) -> Result<usize, SolveError> {
    let model = cx.model;
    let Some((&k, rest)) = caps.split_first() else { return clear_markets(cx, plan, state, markets, method) };
    let mut steps = Vec::new();
    let mut z = |lambda: f64| -> Result<Excess, SolveError> {
        state.shadow[k] = lambda;
        steps.clear();
        match bounded(clear_caps(cx, plan, state, markets, rest, &mut steps))? {
            Some(_) => cx.cap_gap(state, k),
            None => Ok(Excess::exact(f64::INFINITY)),
        }
    };
    let cap = &model.caps[k];
    let root = clear_market(&mut z, 1.0, 1e-12).map_err(|e| {
        clearing_error(format!("cap {}", cap.name), format!("imposing cap `{}`", cap.name), cap.span, e)
    })?;
    state.shadow[k] = root.x;
    let rounds = clear_caps(cx, plan, state, markets, rest, method)?;
    method.push(if root.x > 0.0 {
        let unit = match (&model.payoff_dim, model.caps[k].lhs.ty.dim()) {
            (Some(p), Some(q)) => Type::quantity(p.div(q)),
            _ => Type::real(),
        };
        format!(
            "cap `{}` binds: imposed at shadow price {} ({} evaluations)",
            model.caps[k].name,
            crate::report::value_with_unit(root.x, &unit),
            root.evaluations
        )
    } else {
        format!("cap `{}` does not bind", model.caps[k].name)
    });
    Ok(rounds)
}

/// Clears the active markets around the inner (staged, Nash) equilibrium.
fn clear_markets(
    cx: &Cx<'_>,
    plan: &Plan,
    state: &mut State,
    markets: &[MarketId],
    method: &mut Vec<String>,
) -> Result<usize, SolveError> {
    let model = cx.model;
    let mut rounds = 0;
    match markets {
        [] => rounds = solve_all(cx, plan, state)?,
        [m] => {
            let m = *m;
            // Excess demand reads the choices of some actors alone, and those of the
            // actors their best responses read: only they respond while the price is
            // searched for, the others once it is found.
            let (reaching, rest) = clearing_actors(cx, plan, m);
            let mut last_rounds = 0;
            // The price the state's responses answer, if they all do.
            let mut solved_at = None;
            let mut z = |p: f64| -> Result<Excess, SolveError> {
                state.prices[m] = p;
                solved_at = None;
                let solved = match &reaching {
                    Some(on) => solve_stages(cx, plan, state, 0, Trigger::Actors(on), &mut Touched::default()),
                    None => solve_all(cx, plan, state),
                };
                let Some(r) = bounded(solved)? else { return Ok(Excess::exact(f64::INFINITY)) };
                (last_rounds, solved_at) = (r, Some(p));
                excess(cx, state, m)
            };
            let root = clear_market(&mut z, 1.0, 1e-12).map_err(|e| market_error(model, m, e))?;
            // The state holds the responses to the last price tried; re-solve unless that
            // was the clearing price.
            rounds = match (solved_at == Some(root.x), &rest) {
                (true, None) => last_rounds,
                // Those left out answer the clearing price.
                (true, Some(rest)) => {
                    solve_stages(cx, plan, state, 0, Trigger::Actors(rest), &mut Touched::default())?.max(last_rounds)
                }
                (false, _) => {
                    state.prices[m] = root.x;
                    solve_all(cx, plan, state)?.max(last_rounds)
                }
            };
            cleared(cx, state, m)?;
            method.push(format!(
                "market `{}` cleared by bracketing and Brent's method ({} evaluations of excess demand, {})",
                model.markets[m].name,
                root.evaluations,
                if root.within_noise {
                    "stopped where excess demand is within the precision of the best responses".to_string()
                } else {
                    format!("final bracket width {}", crate::report::number(root.bracket.1 - root.bracket.0))
                },
            ));
        }
        several => {
            let mut settled = false;
            for sweep in 0..100 {
                let mut moved: f64 = 0.0;
                for &m in several {
                    let old = state.prices[m];
                    let mut z = |p: f64| -> Result<Excess, SolveError> {
                        state.prices[m] = p;
                        let Some(r) = bounded(solve_all(cx, plan, state))? else {
                            return Ok(Excess::exact(f64::INFINITY));
                        };
                        rounds = r;
                        excess(cx, state, m)
                    };
                    let root = clear_market(&mut z, old.max(1.0), 1e-12).map_err(|e| market_error(model, m, e))?;
                    state.prices[m] = root.x;
                    moved = moved.max((root.x - old).abs() / (1.0 + old.abs()));
                }
                if moved < 1e-10 {
                    method.push(format!(
                        "{} markets cleared jointly by Gauss–Seidel price iteration ({} sweeps)",
                        several.len(),
                        sweep + 1
                    ));
                    settled = true;
                    break;
                }
            }
            rounds = solve_all(cx, plan, state)?.max(rounds);
            if settled {
                for &m in several {
                    cleared(cx, state, m)?;
                }
            }
            if !settled {
                return Err(SolveError::NoConvergence {
                    what: "joint market clearing".into(),
                    iterations: 100,
                    residual: markets
                        .iter()
                        .map(|m| excess(cx, state, *m).map_or(f64::NAN, |e| e.z.abs()))
                        .fold(0.0, f64::max),
                    span: model.markets[several[0]].span,
                });
            }
        }
    }
    Ok(rounds)
}

/// A solve at a trial price or shadow price, `None` where a best response runs off to
/// infinity (excess demand is then `+inf`).
fn bounded<T>(solved: Result<T, SolveError>) -> Result<Option<T>, SolveError> {
    match solved {
        Ok(r) => Ok(Some(r)),
        Err(SolveError::Unbounded { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// For a single-stage plan, the actors whose choices can move market `m`'s excess demand
/// (flagged per actor) and the other actors with members, unless there are none.
fn clearing_actors(cx: &Cx<'_>, plan: &Plan, m: MarketId) -> (Option<Vec<bool>>, Option<Vec<bool>>) {
    let model = cx.model;
    let market = &model.markets[m];
    let mut sides = vec![&market.demand, &market.supply];
    sides.extend(model.caps.iter().flat_map(|c| [&c.lhs, &c.rhs]));
    let reaching = cx.deps.reaching(model, &sides);
    let [stage] = plan.stages.as_slice() else { return (None, None) };
    let rest: Vec<bool> = (0..model.actors.len()).map(|a| stage.actors.contains(&a) && !reaching[a]).collect();
    if !rest.contains(&true) {
        return (None, None);
    }
    (Some(reaching), Some(rest))
}

fn concept(model: &Model, plan: &Plan, markets: bool) -> String {
    let movers: usize = plan.stages.iter().map(|s| s.actors.len()).sum();
    let base = if plan.stages.len() > 1 {
        "subgame-perfect equilibrium".to_string()
    } else if movers == 0 {
        "no choices (evaluation only)".to_string()
    } else if plan.independent {
        "price-taking optimum (no strategic interaction)".to_string()
    } else {
        "Nash equilibrium".to_string()
    };
    if markets {
        format!(
            "competitive equilibrium: {base}, markets clear ({} market{})",
            model.markets.len(),
            if model.markets.len() == 1 { "" } else { "s" }
        )
    } else {
        base
    }
}

/// Excess demand of market `m` at the current state.
fn excess(cx: &Cx<'_>, state: &State, m: MarketId) -> Result<Excess, SolveError> {
    cx.excess(state, m)
}

/// Checks that market `m` clears at the price found: demand equals supply, or falls short
/// of it at price 0. A root of excess demand can sit where demand jumps past supply (members
/// indifferent between choices at that price), and no price clears such a market exactly.
fn cleared(cx: &Cx<'_>, state: &State, m: MarketId) -> Result<(), SolveError> {
    let (supply, demand) = cx.supply_demand(state, m).map_err(SolveError::from_eval)?;
    let z = demand - supply;
    let price = state.prices[m];
    let slack = price == 0.0 && z < 0.0;
    if slack || z.abs() <= 1e-6 * (1.0 + supply.abs().max(demand.abs())) {
        return Ok(());
    }
    let market = &cx.model.markets[m];
    Err(SolveError::NoClearing { market: market.name.clone(), tried: vec![(price, z)], span: market.span })
}

/// A failed search for a clearing price as a solve error: `name` is what the diagnostic
/// calls the market or cap, `doing` the step that did not converge.
fn clearing_error(name: String, doing: String, span: crate::source::Span, e: RootError<SolveError>) -> SolveError {
    match e {
        RootError::Eval(inner) => inner,
        RootError::NoSignChange { tried } => SolveError::NoClearing { market: name, tried, span },
        RootError::NotFinite { x } => SolveError::NoClearing { market: name, tried: vec![(x, f64::NAN)], span },
        RootError::NoConvergence { residual, iterations, .. } => {
            SolveError::NoConvergence { what: doing, iterations, residual: residual.abs(), span }
        }
    }
}

fn market_error(model: &Model, m: MarketId, e: RootError<SolveError>) -> SolveError {
    let market = &model.markets[m];
    clearing_error(market.name.clone(), format!("clearing market `{}`", market.name), market.span, e)
}

/// Solves every stage from the current state (everyone responds at first).
fn solve_all(cx: &Cx<'_>, plan: &Plan, state: &mut State) -> Result<usize, SolveError> {
    solve_stages(cx, plan, state, 0, Trigger::All, &mut Touched::default())
}

/// The largest payoff gain any member gets by deviating alone (later stages re-optimised),
/// and who gains more than the tolerance, if anyone.
fn certificate(cx: &Cx<'_>, plan: &Plan, state: &State) -> Result<(f64, Option<(String, f64)>), SolveError> {
    let model = cx.model;
    let mut worst: f64 = 0.0;
    let mut violator = None;
    // Each deviation is tried on a copy of what it can change: the member's own choices
    // and those of the later stages, restored afterwards.
    let mut trial = state.clone();
    for (k, stage) in plan.stages.iter().enumerate() {
        let later: Vec<ActorId> = plan.stages[k + 1..].iter().flat_map(|s| s.actors.iter().copied()).collect();
        let mut gains: Reuse<(f64, f64)> = Reuse::new(GAINS_KEPT);
        for &a in &stage.actors {
            gains.enter(&cx.groups, state, a);
            for m in 1..=state.actors[a].size as i64 {
                let i = (m - 1) as usize;
                let known = if later.is_empty() { gains.find(&cx.groups, state, a, i).copied() } else { None };
                let (gain, before) = match known {
                    Some(known) => known,
                    None => {
                        let key = if later.is_empty() { cx.groups.key(state, a, i) } else { None };
                        let before = payoff(cx, &trial, a, m)?;
                        let mut follow = |s: &mut State| -> Result<(), SolveError> {
                            solve_stages(cx, plan, s, k + 1, Trigger::Member((a, m)), &mut Touched::default())
                                .map(|_| ())
                        };
                        let deviation = respond(cx, &mut trial, a, m, &mut follow);
                        let after = deviation.and_then(|_| payoff(cx, &trial, a, m));
                        restore(&mut trial, state, a, i, &later);
                        let gain = after? - before;
                        if let Some(key) = key {
                            gains.put(key, (gain, before));
                        }
                        (gain, before)
                    }
                };
                if gain > 1e-6 * (1.0 + before.abs()) && violator.is_none() {
                    violator = Some((crate::report::member_name(model, a, m), gain));
                }
                worst = worst.max(gain);
            }
        }
    }
    Ok((worst, violator))
}

/// Puts back in `trial` what a deviation of member `i` of `actor` may have changed.
fn restore(trial: &mut State, state: &State, actor: ActorId, i: usize, later: &[ActorId]) {
    trial.actors[actor].choices[i].clone_from(&state.actors[actor].choices[i]);
    trial.actors[actor].abstained[i] = state.actors[actor].abstained[i];
    for &b in later {
        trial.actors[b].choices.clone_from(&state.actors[b].choices);
        trial.actors[b].abstained.clone_from(&state.actors[b].abstained);
    }
}

/// Restarts from the other end of every domain; a different limit means several equilibria.
/// The restart spends the solve's budget.
fn check_unique(cx: &Cx<'_>, scenario: Option<&Scenario>, plan: &Plan, found: &State) -> Result<(), SolveError> {
    let model = cx.model;
    let mut other = initial_state(model, scenario)?;
    other.work = found.work.clone();
    // The other start keeps the equilibrium's cap shadow prices: a binding cap is part of
    // every member's problem (without it a capped choice may run off to infinity).
    other.shadow.clone_from(&found.shadow);
    for (a, actor) in model.actors.iter().enumerate() {
        for m in 0..other.actors[a].size {
            for (c, choice) in actor.choices.iter().enumerate() {
                if other.actors[a].fixed[m][c] {
                    continue;
                }
                let env = RunEnv::new(model, found).at(a, m as i64 + 1);
                let high = match &choice.domain.kind {
                    DomainKind::Interval { hi, lo, .. } => match (env.eval_num(hi), env.eval_num(lo)) {
                        (Ok(h), _) if h.is_finite() => Some(Value::Num(h)),
                        (_, Ok(l)) => Some(Value::Num(l.abs().max(1.0) * 10.0)),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(v) = high {
                    other.actors[a].choices[m][c] = v;
                }
            }
        }
    }
    solve_all(cx, plan, &mut other)?;
    let (x, y) = (found.choice_vector(), other.choice_vector());
    let differs = x.iter().zip(&y).any(|(a, b)| (a - b).abs() > 1e-6 * (1.0 + a.abs().max(b.abs())));
    if differs {
        let span =
            plan.stages.first().and_then(|s| s.actors.first()).map(|a| model.actors[*a].span).unwrap_or_default();
        return Err(SolveError::Several {
            found: vec![crate::report::describe_choices(model, found), crate::report::describe_choices(model, &other)],
            span,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
