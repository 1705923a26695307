//! One round's draws: every random quantity (global and per member) from its
//! distribution, and who each audit examines. Parameters are evaluated before the round's
//! draws exist, so a random quantity inside a parameter stands at its mean. Parameters
//! that depend on parameters alone are evaluated in the first round and reused.

use super::code::{inside, Dist, RoundCode};
use super::SimError;
use crate::eval::fast::Fast;
use crate::model::*;
use crate::solve::state::{Draws, RunEnv, State};
use crate::source::Span;
use rand::rngs::ChaCha12Rng;
use rand::RngExt;
use rand_distr::Distribution;

/// Distribution parameters fixed for the whole simulation, evaluated in the first round.
#[derive(Debug, Default)]
pub(super) struct Fixed {
    /// Whether a round has been drawn (the parameters below are complete).
    ready: bool,
    /// Per global random quantity: its parameters, if fixed.
    globals: Vec<Vec<f64>>,
    /// `[actor][random]`: every member's parameters in turn, if fixed.
    members: Vec<Vec<Vec<f64>>>,
    /// Parameters being evaluated.
    scratch: Vec<f64>,
}

/// Draws every random quantity and audit of one round, in model order, into `draws`
/// (`state` has none: they are what is being drawn).
pub(super) fn draw_round(
    code: &RoundCode<'_>,
    state: &State,
    draws: &mut Draws,
    fixed: &mut Fixed,
    rng: &mut ChaCha12Rng,
) -> Result<(), SimError> {
    let model = code.cx.model;
    let first = !fixed.ready;
    if first {
        fixed.globals = vec![Vec::new(); code.globals.len()];
        fixed.members = code.members.iter().map(|rs| vec![Vec::new(); rs.len()]).collect();
    }
    let Fixed { globals, members, scratch, .. } = fixed;
    code.cx.with(state, |f| {
        draws.globals.clear();
        for (dist, cache) in code.globals.iter().zip(globals.iter_mut()) {
            draws.globals.push(draw(f, dist, None, cache, 0, first, scratch, rng)?);
        }
        draws.members.resize_with(model.actors.len(), Vec::new);
        for (a, per) in draws.members.iter_mut().enumerate() {
            let size = state.actors.get(a).map(|s| s.size).unwrap_or(0);
            let dists = code.members.get(a).map(Vec::as_slice).unwrap_or_default();
            let caches = members.get_mut(a).map(Vec::as_mut_slice).unwrap_or_default();
            per.resize_with(dists.len(), Vec::new);
            per.iter_mut().for_each(|column| column.resize(size, Value::Num(0.0)));
            for m in 0..size {
                for ((dist, cache), column) in dists.iter().zip(caches.iter_mut()).zip(per.iter_mut()) {
                    let Some(value) = column.get_mut(m) else { continue };
                    match dist {
                        // The hot path: parameters evaluated and checked in the first round,
                        // the draw written in place.
                        Dist::Known { kind, args, fixed: true, span } if !first => {
                            let n = args.len();
                            let params = cache.get(m * n..(m + 1) * n).unwrap_or_default();
                            if !sample(*kind, params, rng, value) {
                                return Err(out_of_range(*kind, params, *span));
                            }
                        }
                        _ => *value = draw(f, dist, Some((a, m as i64 + 1)), cache, m, first, scratch, rng)?,
                    }
                }
            }
        }
        draws.audited.resize_with(model.audits.len(), Vec::new);
        for (i, (audit, audited)) in model.audits.iter().zip(draws.audited.iter_mut()).enumerate() {
            let removed = state.inactive.audits.get(i).copied().unwrap_or(false);
            let p = if removed { 0.0 } else { code.audit(f, i)? };
            let n = audit.on.and_then(|a| state.actors.get(a)).map(|s| s.size).unwrap_or(1);
            audited.clear();
            audited.extend((0..n).map(|_| bernoulli(p, rng)));
        }
        Ok(())
    })?;
    fixed.ready = true;
    Ok(())
}

/// One draw of `dist` inside member `at` (or at file scope). A fixed distribution's
/// parameters go into `cache` (member `k`'s at position `k`) in the first round, and are
/// read from it, already checked, after.
#[allow(clippy::too_many_arguments)]
#[inline]
fn draw(
    f: &mut Fast<'_, RunEnv<'_>>,
    dist: &Dist<'_>,
    at: Option<(ActorId, i64)>,
    cache: &mut Vec<f64>,
    k: usize,
    first: bool,
    scratch: &mut Vec<f64>,
    rng: &mut ChaCha12Rng,
) -> Result<Value, SimError> {
    let (kind, args, fixed, span) = match dist {
        Dist::Other(code) => return inside(f, at, code).map_err(SimError::Eval),
        Dist::Known { kind, args, fixed, span } => (*kind, args, *fixed, *span),
    };
    if fixed && !first {
        let n = args.len();
        let values = cache.get(k * n..(k + 1) * n).unwrap_or_default();
        let mut value = Value::Num(0.0);
        return match sample(kind, values, rng, &mut value) {
            true => Ok(value),
            false => Err(out_of_range(kind, values, span)),
        };
    }
    scratch.clear();
    for (code, _) in args {
        scratch.push(inside(f, at, code).map_err(SimError::Eval)?);
    }
    if fixed {
        cache.extend_from_slice(scratch);
    }
    if let Some((i, why)) = invalid(kind, scratch) {
        let span = args.get(i).map(|(_, s)| *s).unwrap_or(span);
        return Err(SimError::Distribution { kind, value: scratch.get(i).copied().unwrap_or(0.0), why, span });
    }
    let mut value = Value::Num(0.0);
    match sample(kind, scratch, rng, &mut value) {
        true => Ok(value),
        false => Err(out_of_range(kind, scratch, span)),
    }
}

/// The first parameter of `values` out of `kind`'s range, with why.
fn invalid(kind: DistKind, values: &[f64]) -> Option<(usize, &'static str)> {
    let mut known = [None; 4];
    match known.get_mut(..values.len()) {
        Some(known) => {
            for (k, v) in known.iter_mut().zip(values) {
                *k = Some(*v);
            }
            kind.invalid_param(known)
        }
        None => kind.invalid_param(&values.iter().copied().map(Some).collect::<Vec<_>>()),
    }
}

/// The error of a distribution that rejected its (checked) parameters.
#[cold]
fn out_of_range(kind: DistKind, values: &[f64], span: Span) -> SimError {
    let value = values.first().copied().unwrap_or(0.0);
    SimError::Distribution { kind, value, why: "is out of range", span }
}

/// True with probability `p` (exactly one uniform draw, so streams stay aligned).
pub fn bernoulli(p: f64, rng: &mut ChaCha12Rng) -> bool {
    rng.random::<f64>() < p
}

/// One draw of distribution `kind` with parameters `values` (checked) into `out`;
/// false if the distribution rejects them.
#[inline(always)]
fn sample(kind: DistKind, values: &[f64], rng: &mut ChaCha12Rng, out: &mut Value) -> bool {
    let x = |i: usize| values.get(i).copied().unwrap_or(0.0);
    // A number goes straight from the sampler into the draw (no value built in between).
    let number = match kind {
        DistKind::Bernoulli => {
            *out = Value::Bool(bernoulli(x(0), rng));
            return true;
        }
        DistKind::Normal if x(1) == 0.0 => Some(x(0)),
        DistKind::Normal => rand_distr::Normal::new(x(0), x(1)).ok().map(|d| d.sample(rng)),
        DistKind::LogNormal => rand_distr::LogNormal::new(x(0), x(1)).ok().map(|d| d.sample(rng)),
        DistKind::Uniform => Some(x(0) + (x(1) - x(0)) * rng.random::<f64>()),
        DistKind::Exponential => rand_distr::Exp::new(x(0)).ok().map(|d| d.sample(rng)),
        DistKind::Poisson if x(0) == 0.0 => Some(0.0),
        DistKind::Poisson => rand_distr::Poisson::new(x(0)).ok().map(|d| d.sample(rng)),
        DistKind::Binomial => {
            let n = x(0).floor() as u64;
            rand_distr::Binomial::new(n, x(1)).ok().map(|d| d.sample(rng) as f64)
        }
        DistKind::Beta => rand_distr::Beta::new(x(0), x(1)).ok().map(|d| d.sample(rng)),
    };
    match number {
        Some(v) => {
            *out = Value::Num(v);
            true
        }
        None => false,
    }
}
