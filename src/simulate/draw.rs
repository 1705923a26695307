//! One round's draws: every random quantity (global and per member) from its
//! distribution, and who each audit examines. Parameters are evaluated before the round's
//! draws exist, so a random quantity inside a parameter stands at its mean.

use super::SimError;
use crate::eval::{as_num, Evaluator};
use crate::model::*;
use crate::solve::state::{Draws, RunEnv, State};
use rand::rngs::ChaCha12Rng;
use rand::RngExt;
use rand_distr::Distribution;

/// Draws every random quantity and audit of one round, in model order.
pub fn draw_round(model: &Model, state: &State, rng: &mut ChaCha12Rng) -> Result<Draws, SimError> {
    let env = RunEnv::new(model, state);
    let mut globals = Vec::with_capacity(model.randoms.len());
    for r in &model.randoms {
        globals.push(sample(&env, &r.dist, rng)?);
    }
    let mut members = Vec::with_capacity(model.actors.len());
    for (a, actor) in model.actors.iter().enumerate() {
        let size = state.actors.get(a).map(|s| s.size).unwrap_or(0);
        let mut per = Vec::with_capacity(size);
        for m in 1..=size as i64 {
            let here = env.at(a, m);
            let mut values = Vec::with_capacity(actor.randoms.len());
            for r in &actor.randoms {
                values.push(sample(&here, &r.dist, rng)?);
            }
            per.push(values);
        }
        members.push(per);
    }
    let mut audited = Vec::with_capacity(model.audits.len());
    for (i, audit) in model.audits.iter().enumerate() {
        let removed = state.inactive.audits.get(i).copied().unwrap_or(false);
        let p = if removed { 0.0 } else { probability(model, &env, &audit.prob, &mut Vec::new())? };
        let n = audit.on.and_then(|a| state.actors.get(a)).map(|s| s.size).unwrap_or(1);
        audited.push((0..n).map(|_| bernoulli(p, rng)).collect());
    }
    Ok(Draws { globals, members, audited })
}

/// A probability expression's value in `frame`, checked to lie in [0, 1].
pub fn probability(model: &Model, env: &RunEnv<'_>, e: &Expr, frame: &mut Vec<Value>) -> Result<f64, SimError> {
    let v = Evaluator { model, env }.eval(e, frame).map_err(SimError::Eval)?;
    let p = as_num(&v, e.span).map_err(SimError::Eval)?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(SimError::Probability { value: p, span: e.span })
    }
}

/// True with probability `p` (exactly one uniform draw, so streams stay aligned).
pub fn bernoulli(p: f64, rng: &mut ChaCha12Rng) -> bool {
    rng.random::<f64>() < p
}

/// One draw of a `Dist` expression.
fn sample(env: &RunEnv<'_>, dist: &Expr, rng: &mut ChaCha12Rng) -> Result<Value, SimError> {
    let ExprKind::Dist(kind, args) = &dist.kind else {
        return env.eval(dist).map_err(SimError::Eval);
    };
    let mut values = Vec::with_capacity(args.len());
    for a in args {
        let v = env.eval(a).map_err(SimError::Eval)?;
        values.push(as_num(&v, a.span).map_err(SimError::Eval)?);
    }
    let known: Vec<Option<f64>> = values.iter().copied().map(Some).collect();
    if let Some((i, why)) = kind.invalid_param(&known) {
        let span = args.get(i).map(|a| a.span).unwrap_or(dist.span);
        return Err(SimError::Distribution { kind: *kind, value: values[i], why, span });
    }
    let x = |i: usize| values.get(i).copied().unwrap_or(0.0);
    let bad = || SimError::Distribution { kind: *kind, value: x(0), why: "is out of range", span: dist.span };
    Ok(match kind {
        DistKind::Bernoulli => Value::Bool(bernoulli(x(0), rng)),
        DistKind::Normal if x(1) == 0.0 => Value::Num(x(0)),
        DistKind::Normal => Value::Num(rand_distr::Normal::new(x(0), x(1)).map_err(|_| bad())?.sample(rng)),
        DistKind::LogNormal => Value::Num(rand_distr::LogNormal::new(x(0), x(1)).map_err(|_| bad())?.sample(rng)),
        DistKind::Uniform => Value::Num(x(0) + (x(1) - x(0)) * rng.random::<f64>()),
        DistKind::Exponential => Value::Num(rand_distr::Exp::new(x(0)).map_err(|_| bad())?.sample(rng)),
        DistKind::Poisson if x(0) == 0.0 => Value::Num(0.0),
        DistKind::Poisson => Value::Num(rand_distr::Poisson::new(x(0)).map_err(|_| bad())?.sample(rng)),
        DistKind::Binomial => {
            let n = x(0).floor() as u64;
            Value::Num(rand_distr::Binomial::new(n, x(1)).map_err(|_| bad())?.sample(rng) as f64)
        }
        DistKind::Beta => Value::Num(rand_distr::Beta::new(x(0), x(1)).map_err(|_| bad())?.sample(rng)),
    })
}
