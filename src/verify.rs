//! Deciding `check`s and `expect`s at a solution. Every verdict says how it was decided:
//! by direct evaluation, exhaustively over a finite domain, or by a grid with Brent
//! refinement of the tightest point over an interval (with the grid size) — and shows
//! the counterexample or witness with its values.

use crate::diag::Diagnostic;
use crate::eval::{EvalError, EvalErrorKind, Evaluator};
use crate::model::*;
use crate::report::{show_value, value_with_unit};
use crate::solve::numeric::{maximize_1d, MaxError, MaximizeOptions};
use crate::solve::state::{RunEnv, State};
use crate::solve::SolveError;
use crate::source::Span;
use crate::syntax::ast::{BinOp, Quantifier};

/// Grid points per interval when a quantifier wraps something that is not a single
/// comparison: fine for one interval, coarser when intervals nest (the work multiplies).
fn plain_grid(binders: &[Binder]) -> usize {
    match binders.iter().filter(|b| matches!(b.domain.kind, DomainKind::Interval { .. })).count() {
        0 | 1 => 1001,
        2 => 101,
        _ => 21,
    }
}

/// The outcome of one `check` or `expect`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Its name.
    pub name: String,
    /// Whether it holds.
    pub holds: bool,
    /// How it was decided.
    pub method: String,
    /// Values behind the verdict (a counterexample, a witness, both sides).
    pub detail: String,
    /// Where it is declared.
    pub span: Span,
}

/// Decides a `check` at a state; a failure inside a function it calls also points at the check.
pub fn decide_check(model: &Model, state: &State, check: &Check) -> Result<Verdict, Diagnostic> {
    let mut frame = vec![Value::Num(0.0); check.frame_size.max(1)];
    let (holds, method, detail) = decide(model, state, &check.prop, &mut frame)
        .map_err(|e| e.to_diagnostic().context(check.span, format!("while deciding check `{}`", check.name)))?;
    Ok(Verdict { name: check.name.clone(), holds, method, detail, span: check.span })
}

/// Decides an `expect` at a state; a failure inside a function it calls also points at the expect.
pub fn decide_expect(model: &Model, state: &State, expect: &Expect) -> Result<Verdict, Diagnostic> {
    evaluate_expect(model, state, expect)
        .map_err(|e| e.to_diagnostic().context(expect.span, format!("while deciding expect `{}`", expect.name)))
}

fn evaluate_expect(model: &Model, state: &State, expect: &Expect) -> Result<Verdict, SolveError> {
    let env = RunEnv::new(model, state);
    let (holds, detail) = match (&expect.sides, &expect.prop) {
        (Some((a, b)), _) => {
            let x = env.eval_num(a).map_err(SolveError::from_eval)?;
            let y = env.eval_num(b).map_err(SolveError::from_eval)?;
            let (ok, tol) = match &expect.tolerance {
                Tolerance::Exact => (x == y, String::new()),
                Tolerance::Absolute(t) => {
                    let t = env.eval_num(t).map_err(SolveError::from_eval)?;
                    ((x - y).abs() <= t, format!(" +- {}", crate::report::number(t)))
                }
                Tolerance::Relative(t) => {
                    let t = env.eval_num(t).map_err(SolveError::from_eval)?;
                    ((x - y).abs() <= t * y.abs(), format!(" +- {}%", crate::report::number(t * 100.0)))
                }
            };
            let mut detail = format!("got {}, expected {}{tol}", value_with_unit(x, &a.ty), value_with_unit(y, &b.ty));
            if !ok {
                detail.push_str(&format!(" (off by {})", crate::report::number((x - y).abs())));
            }
            (ok, detail)
        }
        (None, Some(p)) => {
            let v = env.eval(p).map_err(SolveError::from_eval)?;
            (v == Value::Bool(true), format!("evaluates to {}", show_value(model, &v, &p.ty)))
        }
        (None, None) => (true, String::new()),
    };
    Ok(Verdict { name: expect.name.clone(), holds, method: "direct evaluation".into(), detail, span: expect.span })
}

type Decision = (bool, String, String);

fn decide(model: &Model, state: &State, prop: &Expr, frame: &mut Vec<Value>) -> Result<Decision, SolveError> {
    match &prop.kind {
        ExprKind::Quantified { quantifier, binders, body } => {
            quantified(model, state, *quantifier, binders, body, frame, plain_grid(binders))
        }
        _ => {
            let eval = Evaluator { model, env: &RunEnv::new(model, state) };
            let v = eval.eval(prop, frame).map_err(SolveError::from_eval)?;
            let holds = v == Value::Bool(true);
            Ok((holds, "direct evaluation".into(), sides(model, state, prop, frame)))
        }
    }
}

/// "lhs = X, rhs = Y" for a comparison, evaluated in `frame`.
fn sides(model: &Model, state: &State, prop: &Expr, frame: &mut Vec<Value>) -> String {
    let ExprKind::Binary(op, l, r) = &prop.kind else { return String::new() };
    if !op.is_comparison() {
        return String::new();
    }
    let eval = Evaluator { model, env: &RunEnv::new(model, state) };
    match (eval.eval(l, frame), eval.eval(r, frame)) {
        (Ok(a), Ok(b)) => format!("{} {} {}", show_value(model, &a, &l.ty), op.symbol(), show_value(model, &b, &r.ty)),
        _ => String::new(),
    }
}

fn bound_names(binders: &[Binder], frame: &[Value], model: &Model) -> String {
    binders
        .iter()
        .map(|b| {
            let v = frame.get(b.slot).cloned().unwrap_or(Value::Num(0.0));
            let ty = domain_type(&b.domain);
            format!("{} = {}", b.name, show_value(model, &v, &ty))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn domain_type(d: &Domain) -> Type {
    match &d.kind {
        DomainKind::Interval { lo, .. } => lo.ty.clone(),
        DomainKind::Range(..) => Type::int(),
        DomainKind::Set(items) => items.first().map(|i| i.ty.clone()).unwrap_or(Type::Error),
        DomainKind::Family(a) => Type::Member(*a),
        DomainKind::Enum(e) => Type::Enum(*e),
        DomainKind::List(e) => match &e.ty {
            Type::List(t) => (**t).clone(),
            t => t.clone(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn quantified(
    model: &Model,
    state: &State,
    q: Quantifier,
    binders: &[Binder],
    body: &Expr,
    frame: &mut Vec<Value>,
    grid: usize,
) -> Result<Decision, SolveError> {
    let Some((first, rest)) = binders.split_first() else {
        let (holds, _, detail) = decide(model, state, body, frame)?;
        return Ok((holds, String::new(), detail));
    };
    if frame.len() <= first.slot {
        frame.resize(first.slot + 1, Value::Num(0.0));
    }
    let env = RunEnv::new(model, state);
    let eval = Evaluator { model, env: &env };
    let all_names = |frame: &[Value]| bound_names(binders, frame, model);
    if let DomainKind::Interval { lo, hi, lo_open, hi_open } = &first.domain.kind {
        let lo_v = crate::eval::as_num(&eval.eval(lo, frame).map_err(SolveError::from_eval)?, lo.span)
            .map_err(SolveError::from_eval)?;
        let hi_v = crate::eval::as_num(&eval.eval(hi, frame).map_err(SolveError::from_eval)?, hi.span)
            .map_err(SolveError::from_eval)?;
        if let (true, ExprKind::Binary(op, l, r)) = (rest.is_empty(), &body.kind) {
            if matches!(op, BinOp::Le | BinOp::Lt | BinOp::Ge | BinOp::Gt) {
                return interval_slack(
                    model,
                    state,
                    q,
                    first,
                    (lo_v, hi_v, *lo_open, *hi_open),
                    (*op, l, r),
                    body,
                    frame,
                );
            }
        }
        // Not a single comparison: decide on a plain grid, and say so.
        let n = grid;
        let hi_g = if hi_v.is_finite() { hi_v } else { lo_v.abs().max(1.0) * 1e3 };
        for k in 0..n {
            let x = lo_v + (hi_g - lo_v) * k as f64 / (n - 1) as f64;
            frame[first.slot] = Value::Num(x);
            let (holds, _, detail) = quantified(model, state, q, rest, body, frame, grid)?;
            if matches!((q, holds), (Quantifier::Forall, false) | (Quantifier::Exists, true)) {
                let what = if holds { "witness" } else { "counterexample" };
                return Ok((
                    holds,
                    format!("grid ({n} points, not a proof)"),
                    format!("{what}: {}; {detail}", all_names(frame)),
                ));
            }
        }
        return Ok((q == Quantifier::Forall, format!("grid ({n} points, not a proof)"), String::new()));
    }
    let items = eval.domain_values(&first.domain, frame).map_err(SolveError::from_eval)?;
    let count = items.len();
    let mut inner_method = String::new();
    for item in items {
        frame[first.slot] = item;
        let (holds, method, detail) = quantified(model, state, q, rest, body, frame, grid)?;
        if !method.is_empty() {
            inner_method = method;
        }
        if matches!((q, holds), (Quantifier::Forall, false) | (Quantifier::Exists, true)) {
            let what = if holds { "witness" } else { "counterexample" };
            let method = join_method(format!("exhaustive over {count} value{}", plural(count)), &inner_method);
            return Ok((holds, method, format!("{what}: {}; {detail}", all_names(frame))));
        }
    }
    let method = join_method(format!("exhaustive over {count} value{}", plural(count)), &inner_method);
    Ok((q == Quantifier::Forall, method, String::new()))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn join_method(outer: String, inner: &str) -> String {
    if inner.is_empty() {
        outer
    } else {
        format!("{outer}, each {inner}")
    }
}

/// `forall x in I: l op r` by minimising the slack over I (or maximising it for `exists`).
#[allow(clippy::too_many_arguments)]
fn interval_slack(
    model: &Model,
    state: &State,
    q: Quantifier,
    binder: &Binder,
    (lo, hi, lo_open, hi_open): (f64, f64, bool, bool),
    (op, l, r): (BinOp, &Expr, &Expr),
    body: &Expr,
    frame: &mut Vec<Value>,
) -> Result<Decision, SolveError> {
    let env = RunEnv::new(model, state);
    let eval = Evaluator { model, env: &env };
    let sign = if matches!(op, BinOp::Ge | BinOp::Gt) { 1.0 } else { -1.0 };
    let base = frame.clone();
    let slot = binder.slot;
    let slack = |x: f64| -> Result<f64, EvalError> {
        let mut f = base.clone();
        f[slot] = Value::Num(x);
        let a = crate::eval::as_num(&eval.eval(l, &mut f)?, l.span)?;
        let b = crate::eval::as_num(&eval.eval(r, &mut f)?, r.span)?;
        Ok(sign * (a - b))
    };
    let opts = MaximizeOptions::default();
    let flip = if q == Quantifier::Forall { -1.0 } else { 1.0 };
    let mut objective = |x: f64| slack(x).map(|s| flip * s);
    let range = format!("[{}, {}]", crate::report::number(lo), crate::report::number(hi));
    let method = format!("grid ({} points per piece) + Brent refinement over {} in {range}", opts.grid, binder.name);
    let found = match maximize_1d(&mut objective, lo, hi, lo_open, hi_open, &[], &opts) {
        Ok(m) => m,
        Err(MaxError::Eval(e)) => return Err(SolveError::Eval(e)),
        Err(MaxError::Unbounded { x, .. }) => {
            frame[slot] = Value::Num(x);
            let holds = q == Quantifier::Exists;
            let detail = format!(
                "the slack {} without bound (at {} = {})",
                if holds { "grows" } else { "falls" },
                binder.name,
                crate::report::number(x)
            );
            return Ok((holds, method, detail));
        }
        Err(MaxError::NotFinite { .. }) => {
            return Err(SolveError::Eval(EvalError { kind: EvalErrorKind::NonFinite, span: body.span }))
        }
        Err(MaxError::EmptyInterval) => {
            return Err(SolveError::Eval(EvalError {
                kind: EvalErrorKind::Domain("an empty interval".into()),
                span: binder.domain.span,
            }))
        }
    };
    let s = flip * found.value;
    frame[slot] = Value::Num(found.x);
    let scale = slack_scale(&eval, l, r, frame);
    let tol = 1e-9 * (1.0 + scale);
    let strict = matches!(op, BinOp::Gt | BinOp::Lt);
    let holds = match q {
        _ if strict => s > 0.0,
        _ => s >= -tol,
    };
    let what = match (q, holds) {
        (Quantifier::Forall, true) => "tightest at",
        (Quantifier::Forall, false) => "counterexample",
        (Quantifier::Exists, true) => "witness",
        (Quantifier::Exists, false) => "closest at",
    };
    let at = bound_names(std::slice::from_ref(binder), frame, model);
    let detail = format!("{what}: {at}; {}", sides(model, state, body, frame));
    Ok((holds, method, detail))
}

fn slack_scale(eval: &Evaluator<'_>, l: &Expr, r: &Expr, frame: &mut Vec<Value>) -> f64 {
    let a = eval.eval(l, frame).ok().and_then(|v| crate::eval::as_num(&v, l.span).ok()).unwrap_or(0.0);
    let b = eval.eval(r, frame).ok().and_then(|v| crate::eval::as_num(&v, r.span).ok()).unwrap_or(0.0);
    a.abs().max(b.abs())
}
