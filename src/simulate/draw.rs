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

/// Distributions fixed for the whole simulation, built in the first round.
#[derive(Debug, Default)]
pub(super) struct Fixed {
    /// Whether a round has been drawn (the samplers below are complete).
    ready: bool,
    /// Per global random quantity: its sampler, if fixed.
    globals: Vec<Vec<Sampler>>,
    /// `[actor][random]`: every member's sampler in turn, if fixed.
    members: Vec<Vec<Vec<Sampler>>>,
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
                    match (dist, cache.get(m)) {
                        // The hot path: the member's distribution, built and checked in the
                        // first round, draws in place.
                        (Dist::Known { fixed: true, .. }, Some(sampler)) if !first => *value = sampler.draw(rng),
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
        // Detection draws, after every audit's (so regimes without `detect` keep their streams).
        draws.detection.resize_with(model.audits.len(), Vec::new);
        for (audit, uniforms) in model.audits.iter().zip(draws.detection.iter_mut()) {
            uniforms.clear();
            if let (Some(_), Some(on)) = (audit.detect, audit.on) {
                let n = state.actors.get(on).map_or(0, |s| s.size);
                uniforms.extend((0..n).map(|_| rng.random::<f64>()));
            }
        }
        Ok(())
    })?;
    fixed.ready = true;
    Ok(())
}

/// One draw of `dist` inside member `at` (or at file scope). A fixed distribution is
/// built into `cache` (member `k`'s at position `k`) in the first round, and drawn from
/// there after.
#[allow(clippy::too_many_arguments)]
#[inline]
fn draw(
    f: &mut Fast<'_, RunEnv<'_>>,
    dist: &Dist<'_>,
    at: Option<(ActorId, i64)>,
    cache: &mut Vec<Sampler>,
    k: usize,
    first: bool,
    scratch: &mut Vec<f64>,
    rng: &mut ChaCha12Rng,
) -> Result<Value, SimError> {
    let (kind, args, fixed, span) = match dist {
        Dist::Other(code) => return inside(f, at, code).map_err(SimError::Eval),
        Dist::Known { kind, args, fixed, span } => (*kind, args, *fixed, *span),
    };
    if let Some(sampler) = cache.get(k).filter(|_| fixed && !first) {
        return Ok(sampler.draw(rng));
    }
    scratch.clear();
    for (code, _) in args {
        scratch.push(inside(f, at, code).map_err(SimError::Eval)?);
    }
    if let Some((i, why)) = invalid(kind, scratch) {
        let span = args.get(i).map(|(_, s)| *s).unwrap_or(span);
        return Err(SimError::Distribution { kind, value: scratch.get(i).copied().unwrap_or(0.0), why, span });
    }
    let Some(sampler) = Sampler::new(kind, scratch) else {
        return Err(out_of_range(kind, scratch, span));
    };
    if fixed && first {
        cache.push(sampler);
    }
    Ok(sampler.draw(rng))
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

/// A distribution with its parameters, ready to draw from.
#[derive(Debug, Clone, Copy)]
enum Sampler {
    /// Always this number (a normal of no spread, a Poisson of mean 0).
    Constant(f64),
    Bernoulli(f64),
    Normal(rand_distr::Normal<f64>),
    LogNormal(rand_distr::LogNormal<f64>),
    /// From `lo` over `width`.
    Uniform {
        lo: f64,
        width: f64,
    },
    Exponential(rand_distr::Exp<f64>),
    Poisson(rand_distr::Poisson<f64>),
    Binomial(rand_distr::Binomial),
    Beta(rand_distr::Beta<f64>),
}

impl Sampler {
    /// Distribution `kind` with parameters `values` (checked); `None` if it rejects them.
    fn new(kind: DistKind, values: &[f64]) -> Option<Sampler> {
        let x = |i: usize| values.get(i).copied().unwrap_or(0.0);
        Some(match kind {
            DistKind::Bernoulli => Sampler::Bernoulli(x(0)),
            DistKind::Normal if x(1) == 0.0 => Sampler::Constant(x(0)),
            DistKind::Normal => Sampler::Normal(rand_distr::Normal::new(x(0), x(1)).ok()?),
            DistKind::LogNormal => Sampler::LogNormal(rand_distr::LogNormal::new(x(0), x(1)).ok()?),
            DistKind::Uniform => Sampler::Uniform { lo: x(0), width: x(1) - x(0) },
            DistKind::Exponential => Sampler::Exponential(rand_distr::Exp::new(x(0)).ok()?),
            DistKind::Poisson if x(0) == 0.0 => Sampler::Constant(0.0),
            DistKind::Poisson => Sampler::Poisson(rand_distr::Poisson::new(x(0)).ok()?),
            DistKind::Binomial => Sampler::Binomial(rand_distr::Binomial::new(x(0).floor() as u64, x(1)).ok()?),
            DistKind::Beta => Sampler::Beta(rand_distr::Beta::new(x(0), x(1)).ok()?),
        })
    }

    /// One draw.
    #[inline(always)]
    fn draw(&self, rng: &mut ChaCha12Rng) -> Value {
        match self {
            Sampler::Constant(x) => Value::Num(*x),
            Sampler::Bernoulli(p) => Value::Bool(bernoulli(*p, rng)),
            Sampler::Normal(d) => Value::Num(d.sample(rng)),
            Sampler::LogNormal(d) => Value::Num(d.sample(rng)),
            Sampler::Uniform { lo, width } => Value::Num(lo + width * rng.random::<f64>()),
            Sampler::Exponential(d) => Value::Num(d.sample(rng)),
            Sampler::Poisson(d) => Value::Num(d.sample(rng)),
            Sampler::Binomial(d) => Value::Num(d.sample(rng) as f64),
            Sampler::Beta(d) => Value::Num(d.sample(rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Each distribution's sample mean lies within five standard errors of its mean (the
    /// closed forms), from a fixed seed; a degenerate one always draws its mean.
    #[test]
    fn samplers_draw_with_the_distributions_means() {
        let lognormal = |m: f64, s: f64| ((m + s * s / 2.0).exp(), ((s * s).exp() - 1.0) * (2.0 * m + s * s).exp());
        let beta = |a: f64, b: f64| (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
        let cases: [(DistKind, &[f64], (f64, f64)); 10] = [
            (DistKind::Bernoulli, &[0.3], (0.3, 0.21)),
            (DistKind::Normal, &[2.0, 0.5], (2.0, 0.25)),
            (DistKind::Normal, &[2.0, 0.0], (2.0, 0.0)),
            (DistKind::LogNormal, &[0.1, 0.4], lognormal(0.1, 0.4)),
            (DistKind::Uniform, &[-1.0, 3.0], (1.0, 16.0 / 12.0)),
            (DistKind::Exponential, &[4.0], (0.25, 1.0 / 16.0)),
            (DistKind::Poisson, &[3.5], (3.5, 3.5)),
            (DistKind::Poisson, &[0.0], (0.0, 0.0)),
            (DistKind::Binomial, &[12.0, 0.25], (3.0, 2.25)),
            (DistKind::Beta, &[2.0, 5.0], beta(2.0, 5.0)),
        ];
        const N: usize = 40_000;
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        for (kind, params, (mean, variance)) in cases {
            let sampler = Sampler::new(kind, params).expect("valid parameters");
            let sum: f64 = (0..N)
                .map(|_| match sampler.draw(&mut rng) {
                    Value::Num(x) => x,
                    Value::Bool(b) => f64::from(u8::from(b)),
                    other => panic!("{kind:?} drew {other:?}"),
                })
                .sum();
            let error = (sum / N as f64 - mean).abs();
            let bound = 5.0 * (variance / N as f64).sqrt();
            assert!(error <= bound, "{kind:?}{params:?}: mean off by {error}, bound {bound}");
        }
    }
}
