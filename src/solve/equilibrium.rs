//! The solution concepts, composed: markets clear around an inner equilibrium; the inner
//! equilibrium is backward induction over the `sequence` stages, and inside a stage a Nash
//! equilibrium by Gauss–Seidel best-response iteration. The result carries its residuals
//! (excess demand, the largest gain from a unilateral deviation) and how it was found.

use super::context::Cx;
use super::init::initial_state;
use super::numeric::{clear_market, RootError};
use super::respond::{payoff, respond, Follow};
use super::state::{RunEnv, State};
use super::symmetry::Reuse;
use super::SolveError;
use crate::check::visit;
use crate::model::*;

/// Rounds of best-response iteration before giving up.
const MAX_ROUNDS: usize = 200;
/// A change below this (relative) counts as settled.
const TOL: f64 = 1e-7;

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

/// Who moves in which stage: members of actors with choices.
struct Plan {
    stages: Vec<Vec<ActorId>>,
    independent: bool,
}

/// Solves the model's equilibrium (under a scenario, if given).
pub fn solve(model: &Model, scenario: Option<&Scenario>) -> Result<Solution, SolveError> {
    solve_with(model, scenario, true)
}

/// [`solve`], with members that face the same problem sharing one best response (`share`)
/// or each computing its own (the reference the sharing is tested against).
pub(crate) fn solve_with(model: &Model, scenario: Option<&Scenario>, share: bool) -> Result<Solution, SolveError> {
    let mut state = initial_state(model, scenario)?;
    state.warm = true;
    let cx = &Cx::new(model, &state, share);
    let plan = plan(model);
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
    let mut certificate = certificate(cx, &plan, &state)?;
    if certificate.1.is_some() {
        // A local search missed a better choice somewhere: iterate once more, globally.
        rounds = inner(cx, &plan, &mut state, 0)?;
        certificate = self::certificate(cx, &plan, &state)?;
    }
    if let Some((who, gain)) = &certificate.1 {
        let unit = model.payoff_dim.as_ref().map(|d| Type::quantity(d.clone())).unwrap_or_else(Type::real);
        let span = plan.stages.first().and_then(|s| s.first()).map(|a| model.actors[*a].span).unwrap_or_default();
        return Err(SolveError::NotEquilibrium {
            who: who.clone(),
            gain: crate::report::value_with_unit(*gain, &unit),
            span,
        });
    }
    let certificate = certificate.0;
    let excess_demand = (0..model.markets.len())
        .map(|m| if state.inactive.markets[m] { Ok(0.0) } else { excess(cx, &state, m) })
        .collect::<Result<Vec<f64>, SolveError>>()?;
    if plan.stages.len() == 1 && markets.is_empty() && !plan.independent {
        check_unique(cx, scenario, &plan, &state)?;
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
    let mut z = |lambda: f64| -> Result<f64, SolveError> {
        state.shadow[k] = lambda;
        steps.clear();
        match clear_caps(cx, plan, state, markets, rest, &mut steps) {
            Ok(_) => {}
            Err(SolveError::Unbounded { .. }) => return Ok(f64::INFINITY),
            Err(e) => return Err(e),
        }
        cx.cap_excess(state, k)
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
        [] => rounds = inner(cx, plan, state, 0)?,
        [m] => {
            let m = *m;
            let mut last_rounds = 0;
            let mut z = |p: f64| -> Result<f64, SolveError> {
                state.prices[m] = p;
                match inner(cx, plan, state, 0) {
                    Ok(r) => last_rounds = r,
                    // Demand that runs off to infinity at this price: excess demand is +inf.
                    Err(SolveError::Unbounded { .. }) => return Ok(f64::INFINITY),
                    Err(e) => return Err(e),
                }
                excess(cx, state, m)
            };
            let root = clear_market(&mut z, 1.0, 1e-12).map_err(|e| market_error(model, m, e))?;
            state.prices[m] = root.x;
            rounds = inner(cx, plan, state, 0)?.max(last_rounds);
            method.push(format!(
                "market `{}` cleared by bracketing and Brent's method ({} evaluations of excess demand, final bracket width {})",
                model.markets[m].name,
                root.evaluations,
                crate::report::number(root.bracket.1 - root.bracket.0),
            ));
        }
        several => {
            let mut settled = false;
            for sweep in 0..100 {
                let mut moved: f64 = 0.0;
                for &m in several {
                    let old = state.prices[m];
                    let mut z = |p: f64| -> Result<f64, SolveError> {
                        state.prices[m] = p;
                        match inner(cx, plan, state, 0) {
                            Ok(r) => rounds = r,
                            Err(SolveError::Unbounded { .. }) => return Ok(f64::INFINITY),
                            Err(e) => return Err(e),
                        }
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
            rounds = inner(cx, plan, state, 0)?.max(rounds);
            if !settled {
                return Err(SolveError::NoConvergence {
                    what: "joint market clearing".into(),
                    iterations: 100,
                    residual: markets
                        .iter()
                        .map(|m| excess(cx, state, *m).unwrap_or(f64::NAN).abs())
                        .fold(0.0, f64::max),
                    span: model.markets[several[0]].span,
                });
            }
        }
    }
    Ok(rounds)
}

fn concept(model: &Model, plan: &Plan, markets: bool) -> String {
    let movers: usize = plan.stages.iter().map(Vec::len).sum();
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

fn plan(model: &Model) -> Plan {
    let movers: Vec<ActorId> = (0..model.actors.len()).filter(|a| !model.actors[*a].choices.is_empty()).collect();
    let mut stages: Vec<Vec<ActorId>> =
        model.sequence.iter().map(|s| s.iter().copied().filter(|a| movers.contains(a)).collect()).collect();
    stages.retain(|s| !s.is_empty());
    let staged: Vec<ActorId> = stages.iter().flatten().copied().collect();
    let rest: Vec<ActorId> = movers.iter().copied().filter(|a| !staged.contains(a)).collect();
    match stages.last_mut() {
        Some(last) => last.extend(rest),
        None if !rest.is_empty() => stages.push(rest),
        None => {}
    }
    Plan { independent: independent(model), stages }
}

/// True when no payoff (or threshold) reads another member's choice, directly or through
/// lets, functions and audits: one round of best responses is then an equilibrium.
fn independent(model: &Model) -> bool {
    model.actors.iter().enumerate().all(|(a, actor)| {
        let mut seen = Vec::new();
        let payoff_ok = actor.payoff.as_ref().is_none_or(|p| !reads_others(model, a, p, &mut seen));
        payoff_ok
            && model.thresholds.iter().filter(|t| t.on == a).all(|t| !reads_others(model, a, &t.condition, &mut seen))
    })
}

/// Whether `e`, evaluated for a member of `a`, depends on another member's choices.
fn reads_others(model: &Model, a: ActorId, e: &Expr, seen: &mut Vec<(u8, usize, usize)>) -> bool {
    let mut found = false;
    let mut follow: Vec<&Expr> = Vec::new();
    visit(e, &mut |x| match &x.kind {
        ExprKind::Member { actor, member, of } => {
            let own = *actor == a && matches!(of.kind, ExprKind::SelfMember(s) if s == a);
            match member {
                MemberRef::Param(_) => {}
                MemberRef::Let(i) if own => {
                    if !seen.contains(&(0, a, *i)) {
                        seen.push((0, a, *i));
                        if let Some(l) = model.actors[a].lets.get(*i) {
                            follow.push(&l.value);
                        }
                    }
                }
                MemberRef::Choice(_) | MemberRef::Random(_) if own => {}
                _ => found = true,
            }
        }
        ExprKind::Let(i) if !seen.contains(&(1, 0, *i)) => {
            seen.push((1, 0, *i));
            if let Some(l) = model.lets.get(*i) {
                follow.push(&l.value);
            }
        }
        ExprKind::Call(f, _) if !seen.contains(&(2, 0, *f)) => {
            seen.push((2, 0, *f));
            if let Some(func) = model.fns.get(*f) {
                follow.push(&func.body);
            }
        }
        ExprKind::MemberCall { actor, func, of, .. } => {
            let own = *actor == a && matches!(of.kind, ExprKind::SelfMember(s) if s == a);
            if !own {
                found = true;
            } else if !seen.contains(&(3, a, *func)) {
                seen.push((3, a, *func));
                if let Some(f) = model.actors[a].fns.get(*func) {
                    follow.push(&f.body);
                }
            }
        }
        ExprKind::AuditProb(id) => {
            if let Some(audit) = model.audits.get(*id) {
                follow.push(&audit.prob);
            }
        }
        _ => {}
    });
    found || follow.into_iter().any(|f| reads_others(model, a, f, seen))
}

/// Solves stages `k..` given earlier stages' choices; returns best-response rounds used in stage `k`.
fn inner(cx: &Cx<'_>, plan: &Plan, state: &mut State, k: usize) -> Result<usize, SolveError> {
    let model = cx.model;
    let Some(stage) = plan.stages.get(k) else { return Ok(0) };
    let members: Vec<(ActorId, i64)> =
        stage.iter().flat_map(|&a| (1..=state.actors[a].size as i64).map(move |m| (a, m))).collect();
    let mut follow = |s: &mut State| -> Result<(), SolveError> { inner(cx, plan, s, k + 1).map(|_| ()) };
    let follow: &mut Follow<'_> = &mut follow;
    if k + 1 < plan.stages.len() {
        follow(state)?;
    }
    let final_stage = k + 1 == plan.stages.len();
    let max_rounds = if plan.independent && final_stage { 1 } else { MAX_ROUNDS };
    let mut last = 0.0;
    for round in 1..=max_rounds {
        let mut change: f64 = 0.0;
        // In the last stage a best response changes nothing but the member's own
        // choices, so members facing the same problem share one.
        let mut shared: Reuse<(Vec<Value>, bool, f64)> = Reuse::default();
        for &(a, m) in &members {
            let i = (m - 1) as usize;
            let sharing = final_stage && cx.groups.of(a, i).is_some();
            if sharing {
                if let Some((choices, abstained, moved)) = shared.get(&cx.groups, state, a, i) {
                    state.actors[a].choices[i].clone_from(choices);
                    state.actors[a].abstained[i] = *abstained;
                    change = change.max(*moved);
                    continue;
                }
            }
            let before = sharing.then(|| (state.actors[a].choices[i].clone(), state.actors[a].abstained[i]));
            let moved = respond(cx, state, a, m, follow)?.change;
            change = change.max(moved);
            if let Some((choices, abstained)) = before {
                let after = (state.actors[a].choices[i].clone(), state.actors[a].abstained[i], moved);
                shared.put(&cx.groups, a, i, choices, abstained, after);
            }
        }
        last = change;
        if change <= TOL || max_rounds == 1 {
            return Ok(round);
        }
    }
    let span = stage.first().map(|a| model.actors[*a].span).unwrap_or_default();
    Err(SolveError::NoConvergence {
        what: "best-response iteration".into(),
        iterations: max_rounds,
        residual: last,
        span,
    })
}

/// Excess demand of market `m` at the current state.
fn excess(cx: &Cx<'_>, state: &State, m: MarketId) -> Result<f64, SolveError> {
    cx.excess(state, m)
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
        let later: Vec<ActorId> = plan.stages[k + 1..].iter().flatten().copied().collect();
        let mut gains: Reuse<(f64, f64)> = Reuse::default();
        for &a in stage {
            for m in 1..=state.actors[a].size as i64 {
                let i = (m - 1) as usize;
                let known = if later.is_empty() { gains.get(&cx.groups, state, a, i).copied() } else { None };
                let (gain, before) = match known {
                    Some(known) => known,
                    None => {
                        let before = payoff(cx, &trial, a, m)?;
                        let mut follow =
                            |s: &mut State| -> Result<(), SolveError> { inner(cx, plan, s, k + 1).map(|_| ()) };
                        let deviation = respond(cx, &mut trial, a, m, &mut follow);
                        let after = deviation.and_then(|_| payoff(cx, &trial, a, m));
                        restore(&mut trial, state, a, i, &later);
                        let gain = after? - before;
                        if cx.groups.of(a, i).is_some() {
                            let s = &state.actors[a];
                            gains.put(&cx.groups, a, i, s.choices[i].clone(), s.abstained[i], (gain, before));
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
fn check_unique(cx: &Cx<'_>, scenario: Option<&Scenario>, plan: &Plan, found: &State) -> Result<(), SolveError> {
    let model = cx.model;
    let mut other = initial_state(model, scenario)?;
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
    inner(cx, plan, &mut other, 0)?;
    let (x, y) = (found.choice_vector(), other.choice_vector());
    let differs = x.iter().zip(&y).any(|(a, b)| (a - b).abs() > 1e-6 * (1.0 + a.abs().max(b.abs())));
    if differs {
        let span = plan.stages.first().and_then(|s| s.first()).map(|a| model.actors[*a].span).unwrap_or_default();
        return Err(SolveError::Several {
            found: vec![crate::report::describe_choices(model, found), crate::report::describe_choices(model, &other)],
            span,
        });
    }
    Ok(())
}
