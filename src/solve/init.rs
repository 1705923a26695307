//! The starting [`State`] of a solve: parameter values (defaults, scenario overrides),
//! family sizes, member parameters, choices at a feasible starting point, fixed choices.

use super::state::{ActorState, Inactive, RunEnv, State};
use super::SolveError;
use crate::eval::defaults::{ConstCache, ConstEnv};
use crate::eval::fast::{Fast, Memo};
use crate::eval::{Env, EvalResult};
use crate::model::*;
use crate::source::Span;

/// Builds the starting state; `overrides` replace parameter defaults (scenario `set`).
pub fn initial_state(model: &Model, scenario: Option<&Scenario>) -> Result<State, SolveError> {
    let overrides: &[(ParamId, Expr)] = scenario.map(|s| s.sets.as_slice()).unwrap_or(&[]);
    let cache = ConstCache::new(model);
    let env = ConstEnv::with_overrides(model, &cache, overrides);
    let mut params = Vec::with_capacity(model.params.len());
    for (id, p) in model.params.iter().enumerate() {
        params.push(env.param(id, p.span).map_err(SolveError::from_eval)?);
    }
    check_overridden_constraints(model, &env, overrides)?;
    // Member parameters by the fast evaluator (a family of thousands evaluates its
    // defaults thousands of times); what has no value is refused as the environment does.
    let mut memo = Memo::new(model);
    let mut fast = Fast::new(model, &env, &mut memo);
    let mut actors = Vec::with_capacity(model.actors.len());
    for (id, a) in model.actors.iter().enumerate() {
        let size = match &a.family {
            None => 1,
            Some((lo, hi)) => {
                let lo = num(env.eval(lo), lo.span)?;
                let hi = num(env.eval(hi), hi.span)?;
                ((hi - lo).floor() as i64 + 1).max(0) as usize
            }
        };
        let mut member_params = Vec::with_capacity(size);
        let mut choices = Vec::with_capacity(size);
        for m in 1..=size as i64 {
            let mut values = Vec::with_capacity(a.params.len());
            for (i, p) in a.params.iter().enumerate() {
                let v = match &p.default {
                    Some(e) if !e.ty.is_lenient() => fast.eval(e, Some((id, m))),
                    _ => env.member(id, m, MemberRef::Param(i), p.span),
                };
                values.push(v.map_err(SolveError::from_eval)?);
            }
            member_params.push(values);
            choices.push(vec![Value::Num(0.0); a.choices.len()]);
        }
        actors.push(ActorState {
            size,
            params: member_params,
            choices,
            abstained: vec![false; size],
            fixed: vec![vec![false; a.choices.len()]; size],
        });
    }
    let inactive = Inactive {
        markets: model.markets.iter().map(|m| removed(scenario, &m.name)).collect(),
        audits: model.audits.iter().map(|a| removed(scenario, &a.name)).collect(),
        thresholds: model.thresholds.iter().map(|t| removed(scenario, &t.name)).collect(),
        caps: model.caps.iter().map(|c| removed(scenario, &c.name)).collect(),
    };
    let mut state = State {
        work: Default::default(),
        warm: false,
        params,
        actors,
        prices: vec![0.0; model.markets.len()],
        shadow: vec![0.0; model.caps.len()],
        inactive,
        draws: None,
        licensed: Vec::new(),
    };
    for (a, actor) in model.actors.iter().enumerate() {
        for m in 1..=state.actors[a].size as i64 {
            for (c, choice) in actor.choices.iter().enumerate() {
                let v = start_value(model, &state, a, m, choice)?;
                state.actors[a].choices[(m - 1) as usize][c] = v;
            }
        }
    }
    if let Some(s) = scenario {
        for (a, c, value) in &s.fixes {
            let size = state.actors.get(*a).map(|x| x.size).unwrap_or(0);
            for m in 0..size {
                let v = RunEnv::new(model, &state).eval(value).map_err(SolveError::from_eval)?;
                state.actors[*a].choices[m][*c] = v;
                state.actors[*a].fixed[m][*c] = true;
            }
        }
    }
    Ok(state)
}

fn removed(scenario: Option<&Scenario>, name: &str) -> bool {
    scenario.is_some_and(|s| s.removes.iter().any(|r| r == name))
}

fn num(v: EvalResult<Value>, span: Span) -> Result<f64, SolveError> {
    crate::eval::as_num(&v.map_err(SolveError::from_eval)?, span).map_err(SolveError::from_eval)
}

/// `where` constraints must hold for overridden values too.
fn check_overridden_constraints(
    model: &Model,
    env: &ConstEnv<'_>,
    overrides: &[(ParamId, Expr)],
) -> Result<(), SolveError> {
    for (id, value) in overrides {
        let Some(c) = model.params.get(*id).and_then(|p| p.constraint.as_ref()) else { continue };
        if let Ok(Value::Bool(false)) = env.eval(c) {
            let name = model.params[*id].name.clone();
            return Err(SolveError::Constraint { name, value: value.span, constraint: c.span });
        }
    }
    Ok(())
}

/// A feasible starting value: the lower end of an interval (or 0 / 1 when unbounded), the first of a finite set.
fn start_value(
    model: &Model,
    state: &State,
    actor: ActorId,
    member: i64,
    choice: &Choice,
) -> Result<Value, SolveError> {
    let env = RunEnv::new(model, state).at(actor, member);
    let eval = |e: &Expr| env.eval_num(e).map_err(SolveError::from_eval);
    Ok(match &choice.domain.kind {
        DomainKind::Interval { lo, hi, .. } => {
            let (l, h) = (eval(lo)?, eval(hi)?);
            let x = if l.is_finite() {
                l
            } else if h.is_finite() {
                h.min(0.0)
            } else {
                0.0
            };
            Value::Num(x)
        }
        DomainKind::Range(lo, _) => Value::Num(eval(lo)?),
        DomainKind::Set(items) => match items.first() {
            Some(e) => env.eval(e).map_err(SolveError::from_eval)?,
            None => Value::Num(0.0),
        },
        DomainKind::Enum(id) => Value::Enum(*id, 0),
        DomainKind::Family(a) => Value::Member(*a, 1),
        DomainKind::List(e) => match env.eval(e).map_err(SolveError::from_eval)? {
            Value::List(items) => items.into_iter().next().unwrap_or(Value::Num(0.0)),
            other => other,
        },
    })
}
