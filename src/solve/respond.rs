//! Best responses of one actor member, the others held fixed: interval choices by global
//! 1-D search split at every breakpoint the model shows (threshold comparisons on the
//! choice), finite choices by enumeration, several choices by coordinate ascent, and
//! `or abstain` by comparing the best payoff with staying out (0).

use super::context::Cx;
use super::numeric::{maximize_1d, MaxError, MaximizeOptions};
use super::ridge::newton_move;
use super::state::{RunEnv, State};
use super::{Phase, SolveError};
use crate::eval::{EvalError, EvalErrorKind};
use crate::model::*;

/// Recomputes what depends on a mover's choice (later stages); a no-op in the last stage.
pub type Follow<'f> = dyn FnMut(&mut State) -> Result<(), SolveError> + 'f;

/// Payoff evaluations one solve may spend: a base plus an allowance per actor member
/// (a few seconds of work for small regimes, proportionally more for large families).
pub fn budget(state: &State) -> u64 {
    let members: usize = state.actors.iter().map(|a| a.size).sum();
    5_000_000 + 4_000 * members as u64
}

/// Most rounds of coordinate ascent over a member's choices (optimisations per choice).
const COORDINATE_ROUNDS: usize = 100;
/// Windows a warm-started search slides through before it searches globally.
const SLIDES: usize = 6;
/// A choice that moves no further than this (relative) leaves the others settled.
const SETTLED: f64 = 1e-8;
/// A maximiser this far (relative) from where a choice stands, and exactly as good, is
/// on a plateau of the payoff: the choice stays.
const PLATEAU: f64 = 1e-6;

/// What a best response changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Response {
    /// Largest change of a choice (abstaining counts as 1).
    pub change: f64,
}

/// Moves member `m` (1-based) of `actor` to a best response and re-runs `follow`. A
/// failing expression is reported with the member whose response it failed in.
pub fn respond(
    cx: &Cx<'_>,
    state: &mut State,
    actor: ActorId,
    m: i64,
    follow: &mut Follow<'_>,
) -> Result<Response, SolveError> {
    search(cx, state, actor, m, follow).map_err(|e| match e {
        SolveError::Eval(inner) => {
            let model = cx.model;
            let a = model.actors.get(actor);
            let span = a.map(|a| a.payoff.as_ref().map_or(a.span, |p| p.span)).unwrap_or(inner.span);
            SolveError::InResponse { inner, who: crate::report::member_name(model, actor, m), span }
        }
        other => other,
    })
}

/// [`respond`]'s search.
fn search(
    cx: &Cx<'_>,
    state: &mut State,
    actor: ActorId,
    m: i64,
    follow: &mut Follow<'_>,
) -> Result<Response, SolveError> {
    let model = cx.model;
    let Some(a) = model.actors.get(actor) else { return Ok(Response::default()) };
    let limit = state.work.limit().unwrap_or_else(|| budget(state));
    if state.work.spent() > limit {
        return Err(SolveError::Budget { evaluations: state.work.spent(), limit, phase: Phase::Search, span: a.span });
    }
    let idx = (m - 1) as usize;
    let before_choices = state.actors[actor].choices[idx].clone();
    let before_abstained = state.actors[actor].abstained[idx];
    let can_abstain = a.choices.iter().any(|c| c.abstain);
    state.actors[actor].abstained[idx] = false;
    let mut best = payoff(cx, state, actor, m)?;
    let free: Vec<usize> = (0..a.choices.len()).filter(|c| !state.actors[actor].fixed[idx][*c]).collect();
    // Coordinate ascent in passes over the choices: a choice is optimised while it is
    // stale, i.e. not yet optimised since another choice last moved (a move that gains
    // nothing, along a flat payoff, does not count, so indifference cannot cycle). Along
    // a ridge the passes zigzag in ever smaller steps: after each pass Newton steps go
    // along it where the choices are inside their domains, else (from the second pass)
    // a pattern move searches along the direction the pass took.
    let mut stale = vec![true; free.len()];
    for pass in 0..COORDINATE_ROUNDS {
        let start = state.actors[actor].choices[idx].clone();
        for (k, &c) in free.iter().enumerate() {
            if !stale[k] {
                continue;
            }
            let (before, gain_from) = (state.actors[actor].choices[idx][c].clone(), best);
            best = optimise_choice(cx, state, actor, m, c, best, follow)?;
            stale[k] = false;
            if best > gain_from && distance(&before, &state.actors[actor].choices[idx][c]) > SETTLED {
                for (j, s) in stale.iter_mut().enumerate() {
                    *s |= j != k;
                }
            }
        }
        if !stale.contains(&true) {
            break;
        }
        let gained = match newton_move(cx, state, actor, m, &free, best, SETTLED, follow)? {
            Some(gained) => Some(gained),
            None if pass > 0 => pattern_move(cx, state, actor, m, &free, &start, best, follow)?,
            None => None,
        };
        if let Some(gained) = gained {
            best = gained;
            stale.fill(true);
        }
    }
    if can_abstain && best < 0.0 {
        state.actors[actor].abstained[idx] = true;
        // A member that stays out does nothing: its numeric choices read as 0 to everyone
        // (a market's demand, a sum), not as whatever it last tried.
        state.actors[actor].choices[idx] = stay_out(&before_choices);
        follow(state)?;
    } else if free.is_empty() && before_abstained {
        // Back in without a choice to search over: the later stages have not seen it yet.
        follow(state)?;
    }
    let after = &state.actors[actor].choices[idx];
    let mut change: f64 = before_choices.iter().zip(after).map(|(x, y)| distance(x, y)).fold(0.0, f64::max);
    if state.actors[actor].abstained[idx] != before_abstained {
        change = change.max(1.0);
    }
    Ok(Response { change })
}

/// What a member maximises: its payoff (−∞ when banned, 0 when abstaining) less the
/// shadow cost of every binding cap, `λ·(lhs − rhs)` — only its own effect on the capped
/// quantity changes its choice, so this imposes the cap at the shadow price that clears it.
pub fn payoff(cx: &Cx<'_>, state: &State, actor: ActorId, m: i64) -> Result<f64, SolveError> {
    let mut value = cx.payoff(state, actor, m).map_err(SolveError::from_eval)?.unwrap_or(0.0);
    for k in 0..cx.model.caps.len() {
        let lambda = state.shadow.get(k).copied().unwrap_or(0.0);
        if lambda > 0.0 && !state.inactive.caps.get(k).copied().unwrap_or(false) {
            let excess = cx.cap_excess(state, k)?;
            value -= lambda * excess;
        }
    }
    Ok(value)
}

/// Steps of a pattern move, as multiples of the pass's own step.
const PATTERN_REACH: f64 = 3.0;

/// A pattern move after a pass of coordinate ascent from `start`: a search along the
/// direction the pass moved the interval choices, from where it ended, up to
/// [`PATTERN_REACH`] times as far (within the domains). Moves there and returns the payoff
/// if that is better than `best`; `None` (the state unchanged) otherwise, or when the pass
/// moved fewer than two choices.
#[allow(clippy::too_many_arguments)]
fn pattern_move(
    cx: &Cx<'_>,
    state: &mut State,
    actor: ActorId,
    m: i64,
    free: &[usize],
    start: &[Value],
    best: f64,
    follow: &mut Follow<'_>,
) -> Result<Option<f64>, SolveError> {
    let model = cx.model;
    let idx = (m - 1) as usize;
    let here = state.actors[actor].choices[idx].clone();
    // (choice, where it is, the pass's step, its domain)
    let mut moved = Vec::new();
    for &c in free {
        let (Some(x), Some(x0)) = (state_choice(&here[c]), start.get(c).and_then(state_choice)) else { continue };
        if x == x0 {
            continue;
        }
        if let Some((lo, hi)) = interval(cx, state, actor, m, c)? {
            moved.push((c, x, x - x0, lo, hi));
        }
    }
    if moved.len() < 2 {
        return Ok(None);
    }
    // How far along the step the domains allow (an open end is approached, not reached).
    let mut reach = PATTERN_REACH;
    for &(_, x, d, (lo_v, lo_open), (hi_v, hi_open)) in &moved {
        let (end, open) = if d > 0.0 { (hi_v, hi_open) } else { (lo_v, lo_open) };
        let t = (end - x) / d;
        if t.is_finite() {
            reach = reach.min(if open { t * (1.0 - 1e-9) } else { t });
        }
    }
    if reach <= 0.0 {
        return Ok(None);
    }
    let mut failure: Option<SolveError> = None;
    let span = model.actors[actor].span;
    let mut objective = |t: f64| -> Result<f64, EvalError> {
        for &(c, x, d, ..) in &moved {
            state.actors[actor].choices[idx][c] = Value::Num(x + t * d);
        }
        let value = follow(state).and_then(|()| payoff(cx, state, actor, m));
        value.map_err(|e| match e {
            SolveError::Eval(e) => e,
            other => {
                failure = Some(other);
                EvalError { kind: EvalErrorKind::NotConstant("pattern move".into()), span }
            }
        })
    };
    let opts = MaximizeOptions { grid: 7, refine: 1, ..MaximizeOptions::default() };
    let found = maximize_1d(&mut objective, 0.0, reach, false, false, &[], &opts);
    if let Some(e) = failure {
        return Err(e);
    }
    match found {
        Ok(t) if t.value > best && t.x > 0.0 => {
            for &(c, x, d, ..) in &moved {
                state.actors[actor].choices[idx][c] = Value::Num(x + t.x * d);
            }
            follow(state)?;
            Ok(Some(payoff(cx, state, actor, m)?))
        }
        // Not better, or the payoff fails or runs off somewhere along the way (outside
        // what the coordinate searches explored): stay where the pass ended.
        _ => {
            state.actors[actor].choices[idx] = here;
            follow(state)?;
            Ok(None)
        }
    }
}

fn distance(x: &Value, y: &Value) -> f64 {
    match (x, y) {
        (Value::Num(a), Value::Num(b)) => {
            if a == b {
                0.0
            } else {
                (a - b).abs() / (1.0 + a.abs().max(b.abs()))
            }
        }
        (a, b) if a == b => 0.0,
        _ => 1.0,
    }
}

/// Optimises one choice of one member, whose payoff is `current` as it stands; leaves the
/// state at the best value and returns the payoff. An interval choice whose best value is
/// found far from where it stands, and exactly as good, stays: along a flat payoff every
/// point is a maximiser, and a choice moved to whichever the search met first would wander
/// over them from one round of best responses to the next, never settling. (A finite
/// choice goes to the first of its best values, the same every round.)
#[allow(clippy::too_many_arguments)]
fn optimise_choice(
    cx: &Cx<'_>,
    state: &mut State,
    actor: ActorId,
    m: i64,
    c: usize,
    current: f64,
    follow: &mut Follow<'_>,
) -> Result<f64, SolveError> {
    let model = cx.model;
    let choice = &model.actors[actor].choices[c];
    let idx = (m - 1) as usize;
    match &choice.domain.kind {
        DomainKind::Interval { lo, hi, lo_open, hi_open } => {
            let lo_v = cx.num(state, lo, Some((actor, m)))?;
            let hi_v = cx.num(state, hi, Some((actor, m)))?;
            let breaks = cx.breakpoints(state, actor, m, c);
            let warm = state.warm;
            let before_value = state.actors[actor].choices[idx][c].clone();
            let mut failure: Option<SolveError> = None;
            let mut objective = |x: f64| -> Result<f64, EvalError> {
                state.actors[actor].choices[idx][c] = Value::Num(x);
                if let Err(e) = follow(state) {
                    failure = Some(e);
                    return Err(EvalError { kind: EvalErrorKind::NotConstant("follow".into()), span: choice.span });
                }
                payoff(cx, state, actor, m).map_err(|e| match e {
                    SolveError::Eval(e) => e,
                    other => {
                        failure = Some(other);
                        EvalError { kind: EvalErrorKind::NotConstant("cap".into()), span: choice.span }
                    }
                })
            };
            let previous = match state_choice(&before_value) {
                Some(x) if warm && breaks.is_empty() && x >= lo_v && x <= hi_v => Some(x),
                _ => None,
            };
            let local = previous.and_then(|x0| {
                // Near the previous choice first: the best response moves little between
                // iterations. A window's maximum is accepted only if it is a local one,
                // strictly inside the window or, in the first window (on the scale of the
                // previous choice), at an end of the domain: a corner solution, often at 0.
                // At the window's edge the search slides on, twice as wide.
                let opts = MaximizeOptions { grid: 6, refine: 1, ..MaximizeOptions::default() };
                let corner = |x: f64| (x == lo_v && !lo_open) || (x == hi_v && !hi_open);
                let (mut centre, mut w) = (x0, (x0.abs() * 0.5).max(1e-3));
                for slide in 0..SLIDES {
                    let (a, b) = ((centre - w).max(lo_v), (centre + w).min(hi_v));
                    if a >= b {
                        return None;
                    }
                    let inside = |x: f64| x > a + 0.02 * (b - a) && x < b - 0.02 * (b - a);
                    match maximize_1d(&mut objective, a, b, false, false, &[], &opts) {
                        Ok(m) if inside(m.x) || (slide == 0 && corner(m.x)) => return Some(Ok(m)),
                        // From the end of the domain the window's scale says nothing about
                        // where an interior maximum lies: search globally at once.
                        Ok(_) if slide == 0 && corner(x0) => return None,
                        Ok(m) => (centre, w) = (m.x, 2.0 * w),
                        Err(e) => return Some(Err(e)),
                    }
                }
                None
            });
            let result = match local {
                Some(r) => r,
                None => {
                    maximize_1d(&mut objective, lo_v, hi_v, *lo_open, *hi_open, &breaks, &MaximizeOptions::default())
                }
            };
            if result.is_err() {
                // The choice stays where it was, not at the last point tried (far out, for
                // a payoff that grows without bound).
                state.actors[actor].choices[idx][c] = before_value.clone();
            }
            let best = match result {
                Ok(max) => max,
                Err(MaxError::Eval(e)) => return Err(failure.unwrap_or(SolveError::Eval(e))),
                Err(MaxError::Unbounded { x, value }) => {
                    return Err(SolveError::Unbounded {
                        what: format!("{}.{}", model.actors[actor].name, choice.name),
                        x,
                        value,
                        span: choice.span,
                    })
                }
                Err(MaxError::NotFinite { .. }) => {
                    return Err(SolveError::Eval(EvalError {
                        kind: EvalErrorKind::NonFinite,
                        span: model.actors[actor].payoff.as_ref().map(|p| p.span).unwrap_or(choice.span),
                    }))
                }
                Err(MaxError::EmptyInterval) => {
                    return Err(SolveError::Eval(EvalError {
                        kind: EvalErrorKind::Domain(format!("the domain of `{}` is empty here", choice.name)),
                        span: choice.domain.span,
                    }))
                }
            };
            // On a plateau (the search's best exactly as good as where the choice stands, and
            // far from it) the choice stays, if it is still as good once the later stages
            // answer it. A point near it as good is the top of a smooth payoff, equal to
            // rounding: there the search's point is the sharper.
            let stood = state_choice(&before_value).filter(|x| *x >= lo_v && *x <= hi_v);
            let far = |x: f64| distance(&Value::Num(x), &Value::Num(best.x)) > PLATEAU;
            if best.value == current && stood.is_some_and(far) {
                state.actors[actor].choices[idx][c] = before_value;
                follow(state)?;
                let stays = payoff(cx, state, actor, m)?;
                if stays >= best.value {
                    return Ok(stays);
                }
            }
            state.actors[actor].choices[idx][c] = Value::Num(best.x);
            follow(state)?;
            payoff(cx, state, actor, m)
        }
        _ => {
            let candidates = finite_candidates(model, state, actor, m, &choice.domain)?;
            let mut best: Option<(f64, Value)> = None;
            for v in candidates {
                state.actors[actor].choices[idx][c] = v.clone();
                follow(state)?;
                let p = payoff(cx, state, actor, m)?;
                if best.as_ref().is_none_or(|(b, _)| p > *b) {
                    best = Some((p, v));
                }
            }
            let Some((p, v)) = best else { return payoff(cx, state, actor, m) };
            state.actors[actor].choices[idx][c] = v;
            follow(state)?;
            Ok(p)
        }
    }
}

/// An end of an interval, and whether it is open.
pub(super) type Bound = (f64, bool);

/// Choice `c` of member `m`'s interval, its lower and upper end; `None` for another kind
/// of domain.
pub(super) fn interval(
    cx: &Cx<'_>,
    state: &State,
    actor: ActorId,
    m: i64,
    c: usize,
) -> Result<Option<(Bound, Bound)>, SolveError> {
    let DomainKind::Interval { lo, hi, lo_open, hi_open } = &cx.model.actors[actor].choices[c].domain.kind else {
        return Ok(None);
    };
    let at = Some((actor, m));
    Ok(Some(((cx.num(state, lo, at)?, *lo_open), (cx.num(state, hi, at)?, *hi_open))))
}

/// A choice's value as a finite number, if it is one.
pub(super) fn state_choice(v: &Value) -> Option<f64> {
    match v {
        Value::Num(x) if x.is_finite() => Some(*x),
        _ => None,
    }
}

/// The values a finite domain holds.
fn finite_candidates(
    model: &Model,
    state: &State,
    actor: ActorId,
    m: i64,
    d: &Domain,
) -> Result<Vec<Value>, SolveError> {
    let env = RunEnv::new(model, state).at(actor, m);
    let mut frame = vec![Value::Num(m as f64)];
    crate::eval::Evaluator { model, env: &env }.domain_values(d, &mut frame).map_err(SolveError::from_eval)
}

/// The choices of a member that abstains: numbers are 0, other values (variants) stay.
pub fn stay_out(choices: &[Value]) -> Vec<Value> {
    choices.iter().map(|v| if matches!(v, Value::Num(_)) { Value::Num(0.0) } else { v.clone() }).collect()
}
