//! What the checker can evaluate before any solving: parameter defaults (checked against
//! `Prob` ranges and `where` constraints, per member for families), list indices,
//! distribution parameters, and penalty properties (φ(0) = 0, convexity).

use super::rules::has_error;
use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::eval::defaults::{ConstCache, ConstEnv};
use crate::eval::{EvalErrorKind, EvalResult, Evaluator};
use crate::model::*;
use crate::source::Span;

impl<'a> Checker<'a> {
    /// The value of an expression if it is constant under the defaults.
    pub(super) fn const_value(&self, e: &Expr) -> EvalResult<Value> {
        if self.reaches_cycle(e) {
            return Err(crate::eval::EvalError {
                kind: EvalErrorKind::NotConstant("it depends on a cyclic definition".into()),
                span: e.span,
            });
        }
        match &self.const_cache {
            Some(cache) => ConstEnv::new(&self.model, cache).eval(e),
            None => ConstEnv::new(&self.model, &ConstCache::new(&self.model)).eval(e),
        }
    }

    /// Checks defaults, constraints, indices and distribution parameters that are constant.
    pub(super) fn check_constants(&mut self) {
        let found = constant_diagnostics(&self.model, &[]);
        // A literal already reported out of range needs no second report of its value.
        let literal: Vec<Span> = self.diags.iter().filter(|d| d.code == Code::E0304).map(|d| d.primary.span).collect();
        let mut seen = std::collections::HashSet::new();
        for d in found {
            if d.code == Code::E0304 && literal.iter().any(|l| d.primary.span.contains(*l)) {
                continue;
            }
            if seen.insert((d.code, d.primary.span)) {
                self.error(d);
            }
        }
    }

    /// W0004: a penalty should vanish at 0 and be convex (tested on its defaults).
    pub(super) fn check_penalty_properties(&mut self) {
        if self.diags.has_errors() {
            return;
        }
        let cache = ConstCache::new(&self.model);
        let env = ConstEnv::new(&self.model, &cache);
        let eval = Evaluator { model: &self.model, env: &env };
        let mut warnings = Vec::new();
        for &id in &self.penalties {
            let Some(f) = self.model.fns.get(id) else { continue };
            if f.params.len() != 1 {
                continue;
            }
            let at = |x: f64| -> Option<f64> {
                match eval.call(id, vec![Value::Num(x)], f.span) {
                    Ok(Value::Num(v)) => Some(v),
                    _ => None,
                }
            };
            let Some(zero) = at(0.0) else { continue };
            if zero.abs() > 1e-12 {
                warnings.push(
                    Diagnostic::new(Code::W0004, f.body.span, format!("penalty `{}` is not zero at zero", f.name))
                        .label(format!("with the defaults, `{}(0)` is `{zero}`", f.name))
                        .help("the models assume no penalty without a violation: subtract the constant"),
                );
                continue;
            }
            let points: Vec<f64> = (0..=40).map(|k| 0.25 * k as f64).collect();
            let values: Option<Vec<f64>> = points.iter().map(|x| at(*x)).collect();
            let Some(values) = values else { continue };
            let concave_at = values.windows(3).position(|w| w[0] + w[2] - 2.0 * w[1] < -1e-9 * (1.0 + w[1].abs()));
            if let Some(k) = concave_at {
                let x = points[k + 1];
                warnings.push(
                    Diagnostic::new(Code::W0004, f.body.span, format!("penalty `{}` is not convex", f.name))
                        .label(format!("with the defaults it bends downward near `{x}`"))
                        .help("deterrence results assume a convex penalty (Assumption 1); add a convex term such as `b*D^2`"),
                );
            }
        }
        for w in warnings {
            self.error(w);
        }
    }
}

/// Errors in what is constant when `overrides` replace some parameters' defaults:
/// `Prob` ranges and `where` constraints (per member for families), list indices,
/// arithmetic and distribution parameters. The checker runs it on the defaults; a sweep
/// on each point's values, as a re-check with `--set` would.
pub fn constant_diagnostics(model: &Model, overrides: &[(ParamId, Expr)]) -> Vec<Diagnostic> {
    let cache = ConstCache::new(model);
    let env = ConstEnv::with_overrides(model, &cache, overrides);
    let mut found = Vec::new();
    for (id, p) in model.params.iter().enumerate() {
        let value = overrides.iter().rev().find(|(q, _)| *q == id).map(|(_, e)| e).or(p.default.as_ref());
        check_param(&env, p, value, None, &mut found);
    }
    for r in &model.randoms {
        check_dist(&env, r, None, &mut found);
    }
    for (id, actor) in model.actors.iter().enumerate() {
        let members: Vec<i64> = match &actor.family {
            None => vec![1],
            Some((lo, hi)) => match (env.eval(lo), env.eval(hi)) {
                (Ok(Value::Num(lo)), Ok(Value::Num(hi))) if hi - lo < 100_000.0 => (lo as i64..=hi as i64).collect(),
                _ => Vec::new(),
            },
        };
        for i in members {
            let at = env.at(id, i);
            for p in &actor.params {
                check_param(&at, p, p.default.as_ref(), Some((actor.name.as_str(), i)), &mut found);
            }
            for l in actor.lets.iter().filter(|l| !has_error(&l.value)) {
                report_failure(at.eval(&l.value), Some((actor.name.as_str(), i)), &mut found);
            }
            for r in &actor.randoms {
                check_dist(&at, r, Some((actor.name.as_str(), i)), &mut found);
            }
        }
    }
    for l in model.lets.iter().filter(|l| !has_error(&l.value)) {
        report_failure(env.eval(&l.value), None, &mut found);
    }
    found
}

fn check_param(
    env: &ConstEnv<'_>,
    p: &Param,
    value: Option<&Expr>,
    member: Option<(&str, i64)>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(default) = value.filter(|d| !has_error(d)) else { return };
    let value = match env.eval(default) {
        Ok(v) => v,
        Err(e) => return report_failure(Err(e), member, out),
    };
    let whose = match member {
        Some((a, i)) => format!(" for `{a}` member {i}"),
        None => String::new(),
    };
    if let (Type::Num(NumKind::Prob, _), Value::Num(v)) = (&p.ty, &value) {
        if !(0.0..=1.0).contains(v) {
            out.push(
                Diagnostic::new(Code::E0304, default.span, "probability out of range")
                    .label(format!("the value of `{}`{whose} is `{v}`", p.name))
                    .help("a `Prob` is between 0 and 1"),
            );
        }
    }
    let Some(c) = p.constraint.as_ref().filter(|c| !has_error(c)) else { return };
    if let Ok(Value::Bool(false)) = env.eval(c) {
        out.push(
            Diagnostic::new(Code::E0308, default.span, format!("the value of `{}` violates its constraint", p.name))
                .label(format!("this is `{}`{whose}", show_value(&value)))
                .with(c.span, "the constraint")
                .help("change the default or the constraint"),
        );
    }
}

fn check_dist(env: &ConstEnv<'_>, r: &Random, member: Option<(&str, i64)>, out: &mut Vec<Diagnostic>) {
    let ExprKind::Dist(kind, args) = &r.dist.kind else { return };
    if has_error(&r.dist) {
        return;
    }
    let values: Vec<Option<f64>> = args
        .iter()
        .map(|a| match env.eval(a) {
            Ok(Value::Num(v)) => Some(v),
            _ => None,
        })
        .collect();
    let bad = |i: usize, why: &str, out: &mut Vec<Diagnostic>| {
        let whose = member.map(|(a, m)| format!(" (for `{a}` member {m})")).unwrap_or_default();
        if let (Some(arg), Some(Some(v))) = (args.get(i), values.get(i)) {
            out.push(
                Diagnostic::new(Code::E0315, arg.span, "invalid distribution parameter")
                    .label(format!("`{v}` {why}{whose}"))
                    .help(format!("`{kind:?}` needs {}", kind.requirements())),
            );
        }
    };
    if let Some((i, why)) = kind.invalid_param(&values) {
        bad(i, why, out);
    }
}

/// Turns an evaluation failure of a constant into a diagnostic (non-constant is fine).
fn report_failure(r: EvalResult<Value>, member: Option<(&str, i64)>, out: &mut Vec<Diagnostic>) {
    let Err(e) = r else { return };
    let whose = member.map(|(a, i)| format!(" for `{a}` member {i}")).unwrap_or_default();
    let d = match e.kind {
        EvalErrorKind::NotConstant(_) | EvalErrorKind::Continuous | EvalErrorKind::Shape(_) => return,
        EvalErrorKind::DivisionByZero => Diagnostic::new(Code::E0312, e.span, "division by zero in a constant")
            .label(format!("this is zero{whose}"))
            .help("change the parameters so the divisor is not zero"),
        EvalErrorKind::IndexOutOfRange { index, len } => Diagnostic::new(Code::E0310, e.span, "index out of range")
            .label(format!("index `{index}`{whose}, but the list has {len} element{}", if len == 1 { "" } else { "s" }))
            .help("lists are indexed from 1; make the list as long as the family"),
        EvalErrorKind::Domain(what) => Diagnostic::new(Code::E0312, e.span, "invalid operation in a constant")
            .label(format!("{what}{whose}"))
            .help("change the parameters so the operation is defined"),
        EvalErrorKind::NonFinite => Diagnostic::new(Code::E0312, e.span, "a constant is not a finite number")
            .label(format!("this overflows{whose}"))
            .help("use smaller numbers or a larger unit"),
    };
    out.push(d);
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Num(x) => format!("{x}"),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}
