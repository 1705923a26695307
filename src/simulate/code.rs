//! What a round evaluates, compiled once per replication on the solver's machinery: the
//! solve context ([`Cx`]: the fast evaluator's memo, compiled payoffs and market sides)
//! and [`Compile`] for the rest — metrics, state updates, distribution parameters, audit
//! probabilities, licence audits and rules. Parameters are folded, as a simulation never
//! changes them; state variables (locals), choices, prices and draws are read when the
//! code runs. Each phase of a round runs in a fresh session of the fast evaluator, so a
//! let memoised in one phase is never read after the state changed.

use super::SimError;
use crate::eval::fast::parameters_alone;
use crate::eval::{EvalError, EvalErrorKind, EvalResult};
use crate::model::*;
use crate::solve::compiled::{Closure, Compile, NumCode, Session, ValueCode};
use crate::solve::context::{Cx, Settings};
use crate::solve::state::State;
use crate::source::Span;

/// A random quantity's distribution, compiled.
pub(super) enum Dist<'m> {
    /// A distribution with the code of each parameter (and its span); `fixed` when the
    /// parameters depend on parameters alone, so they are the same every round.
    Known { kind: DistKind, args: Vec<(NumCode<'m>, Span)>, fixed: bool, span: Span },
    /// Any other expression: its value is the draw.
    Other(ValueCode<'m>),
}

/// A number-valued expression compiled, with its span for the errors about its value.
type Num<'m> = (NumCode<'m>, Span);

/// Everything one replication's rounds evaluate.
pub(super) struct RoundCode<'m> {
    /// The solve context: best responses, payoffs and market sides run on it.
    pub cx: Cx<'m>,
    metrics: Vec<Num<'m>>,
    updates: Vec<Option<ValueCode<'m>>>,
    /// Per global random quantity.
    pub globals: Vec<Dist<'m>>,
    /// `[actor][random]`.
    pub members: Vec<Vec<Dist<'m>>>,
    /// Each audit's probability (file scope).
    audits: Vec<Num<'m>>,
    /// Each licence's audit probability and rule (its holder in local slot 0).
    licences: Vec<(Option<Num<'m>>, Option<ValueCode<'m>>)>,
}

impl<'m> RoundCode<'m> {
    /// Compiles what the rounds of `sim` evaluate, with the parameter values of `state`.
    pub fn new(model: &'m Model, sim: &'m Simulate, state: &State) -> RoundCode<'m> {
        let cx = Cx::new(model, state, Settings { share: false, sparse: false, budget: None });
        let statics = |a: ActorId, i: usize| cx.is_static_let(a, i);
        let mut c = Compile::new(model, state, &statics);
        let num = |c: &mut Compile<'m, '_>, e: &'m Expr| (c.num(e), e.span);
        let metrics = sim.metrics.iter().map(|(_, e)| num(&mut c, e)).collect();
        let updates = sim.states.iter().map(|s| s.update.as_ref().map(|u| c.value(u))).collect();
        let globals = model.randoms.iter().map(|r| dist(&mut c, model, &r.dist)).collect();
        let members =
            model.actors.iter().map(|a| a.randoms.iter().map(|r| dist(&mut c, model, &r.dist)).collect()).collect();
        let audits = model.audits.iter().map(|a| num(&mut c, &a.prob)).collect();
        let licences = model
            .licenses
            .iter()
            .map(|l| (l.audit.as_ref().map(|a| num(&mut c, a)), l.require.as_ref().map(|r| c.value(r))))
            .collect();
        drop(c);
        RoundCode { cx, metrics, updates, globals, members, audits, licences }
    }

    /// The round's metrics (each finite) into `row`, then the new values of the updated
    /// state variables into `next`; `locals` are the state variables.
    pub fn record(
        &self,
        state: &State,
        locals: &[Value],
        row: &mut Vec<f64>,
        next: &mut Vec<(usize, Value)>,
    ) -> Result<(), SimError> {
        self.cx.with(state, |f| {
            for (code, span) in &self.metrics {
                let v = with_locals(f, locals, code)?;
                if !v.is_finite() {
                    return Err(SimError::Eval(EvalError { kind: EvalErrorKind::NonFinite, span: *span }));
                }
                row.push(v);
            }
            for (i, code) in self.updates.iter().enumerate() {
                if let Some(code) = code {
                    next.push((i, with_locals(f, locals, code)?));
                }
            }
            Ok(())
        })
    }

    /// Audit `i`'s probability this round, checked to lie in [0, 1].
    pub fn audit(&self, f: &mut Session<'_, '_>, i: AuditId) -> Result<f64, SimError> {
        match self.audits.get(i) {
            Some(code) => probability(f, &[], code),
            None => Ok(0.0),
        }
    }

    /// Licence `l`'s audit probability for `holder` (1 without an audit), checked to lie in [0, 1].
    pub fn licence_audit(&self, f: &mut Session<'_, '_>, l: usize, holder: Value) -> Result<f64, SimError> {
        match self.licences.get(l).and_then(|(audit, _)| audit.as_ref()) {
            Some(code) => probability(f, &[holder], code),
            None => Ok(1.0),
        }
    }

    /// Whether `holder` keeps licence `l` (its rule is not false).
    pub fn keeps_licence(&self, f: &mut Session<'_, '_>, l: usize, holder: Value) -> Result<bool, SimError> {
        match self.licences.get(l).and_then(|(_, require)| require.as_ref()) {
            Some(code) => Ok(with_locals(f, &[holder], code)? != Value::Bool(false)),
            None => Ok(true),
        }
    }
}

/// A distribution compiled, with whether its parameters are fixed for the simulation.
fn dist<'m>(c: &mut Compile<'m, '_>, model: &Model, e: &'m Expr) -> Dist<'m> {
    match &e.kind {
        ExprKind::Dist(kind, args) => Dist::Known {
            kind: *kind,
            args: args.iter().map(|a| (c.num(a), a.span)).collect(),
            fixed: args.iter().all(|a| parameters_alone(model, a)),
            span: e.span,
        },
        _ => Dist::Other(c.value(e)),
    }
}

/// Runs `code` as a top-level body at file scope with `locals` in the first slots.
pub(super) fn with_locals<T>(f: &mut Session<'_, '_>, locals: &[Value], code: &Closure<'_, T>) -> Result<T, SimError> {
    f.enter_locals(locals);
    let r = code(f);
    f.leave();
    r.map_err(|e| SimError::Eval(*e))
}

/// Runs `code` as a top-level body inside member `at` (or at file scope).
pub(super) fn inside<T>(f: &mut Session<'_, '_>, at: Option<(ActorId, i64)>, code: &Closure<'_, T>) -> EvalResult<T> {
    f.enter(at);
    let r = code(f);
    f.leave();
    r.map_err(|e| *e)
}

/// A probability's value with `locals`, checked to lie in [0, 1].
fn probability(f: &mut Session<'_, '_>, locals: &[Value], (code, span): &Num<'_>) -> Result<f64, SimError> {
    let p = with_locals(f, locals, code)?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(SimError::Probability { value: p, span: *span })
    }
}

#[cfg(test)]
mod tests;
