//! Evaluation of checked expressions, shared by the checker (constants), the solver and
//! the simulator. Values are plain `f64` in canonical units; where the numbers come from
//! (parameters, choices, prices, draws) is the [`Env`]'s business. Every arithmetic
//! failure (division by zero, `sqrt` of a negative, overflow to inf/NaN) is an
//! [`EvalError`] with the span that produced it, never a NaN in the output.

pub mod defaults;
pub mod fast;

use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{AggOp, BinOp, Quantifier, UnOp};

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalErrorKind {
    /// The expression depends on something not known yet (a choice, a price, a draw).
    NotConstant(String),
    /// Division by zero.
    DivisionByZero,
    /// A function applied outside its domain (`sqrt(-1)`, `ln(0)`).
    Domain(String),
    /// The result overflowed to infinity or is not a number.
    NonFinite,
    /// A list index outside `1..=len`.
    IndexOutOfRange {
        /// The index used.
        index: i64,
        /// The list's length.
        len: usize,
    },
    /// A quantifier over a continuous domain, which cannot be enumerated.
    Continuous,
    /// A value of an unexpected shape (a checker bug).
    Shape(String),
}

/// An evaluation failure and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// What went wrong.
    pub kind: EvalErrorKind,
    /// The expression that failed.
    pub span: Span,
}

/// Result of evaluation.
pub type EvalResult<T> = Result<T, EvalError>;

/// Where the values of names come from.
pub trait Env {
    /// Value of a global parameter.
    fn param(&self, id: ParamId, span: Span) -> EvalResult<Value>;
    /// Value of a global let.
    fn global_let(&self, id: LetId, span: Span) -> EvalResult<Value>;
    /// Value of a member (param, let, choice, random, payoff, licence) of one actor instance.
    fn member(&self, actor: ActorId, index: i64, member: MemberRef, span: Span) -> EvalResult<Value>;
    /// A market's price.
    fn market_price(&self, id: MarketId, span: Span) -> EvalResult<Value>;
    /// An audit's probability.
    fn audit_prob(&self, id: AuditId, span: Span) -> EvalResult<Value>;
    /// The audit's name as member `index` of its `on` family sees it (in a simulation
    /// round, whether that member was audited); by default its probability.
    fn audit_of(&self, id: AuditId, _index: i64, span: Span) -> EvalResult<Value> {
        self.audit_prob(id, span)
    }
    /// Whether audit `id`'s name is the value of its probability rule here (equilibrium
    /// analysis of an audit in force): the [`fast`] evaluator then computes the rule
    /// itself, once per session, instead of asking [`Env::audit_prob`].
    fn audit_by_rule(&self, _id: AuditId) -> bool {
        false
    }
    /// Audit `id`'s detection of a violation that it finds with probability `p`, as member
    /// `index` of its `on` family sees it: in a simulation round whether it was detected
    /// (1 or 0, one uniform draw per member and round); by default `p`.
    fn detect_of(&self, _id: AuditId, _index: i64, p: f64, _span: Span) -> EvalResult<Value> {
        Ok(Value::Num(p))
    }
    /// A global random quantity's current draw.
    fn random(&self, id: RandomId, span: Span) -> EvalResult<Value>;
    /// The actor instance whose body is being evaluated.
    fn current_member(&self, actor: ActorId, span: Span) -> EvalResult<Value>;
    /// Fails unless member `index` of `actor` exists, as [`Env::member`] would for it: the
    /// [`fast`] evaluator asks before it evaluates a member's let itself. Every index is
    /// accepted unless an environment knows the family sizes.
    fn check_member(&self, _actor: ActorId, _index: i64, _span: Span) -> EvalResult<()> {
        Ok(())
    }
}

/// Evaluates expressions of one model against an environment.
pub struct Evaluator<'a> {
    /// The checked model.
    pub model: &'a Model,
    /// Where names get their values.
    pub env: &'a dyn Env,
}

pub(crate) fn err<T>(kind: EvalErrorKind, span: Span) -> EvalResult<T> {
    Err(EvalError { kind, span })
}

/// A number, or a shape error.
pub fn as_num(v: &Value, span: Span) -> EvalResult<f64> {
    match v {
        Value::Num(x) => Ok(*x),
        other => err(EvalErrorKind::Shape(format!("expected a number, found {other:?}")), span),
    }
}

pub(crate) fn as_bool(v: &Value, span: Span) -> EvalResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => err(EvalErrorKind::Shape(format!("expected a truth value, found {other:?}")), span),
    }
}

pub(crate) fn finite(x: f64, span: Span) -> EvalResult<Value> {
    if x.is_nan() {
        err(EvalErrorKind::NonFinite, span)
    } else {
        Ok(Value::Num(x))
    }
}

impl<'a> Evaluator<'a> {
    /// Evaluates `e` with local slots in `frame` (grown as needed).
    pub fn eval(&self, e: &Expr, frame: &mut Vec<Value>) -> EvalResult<Value> {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Param(id) => self.env.param(*id, span),
            ExprKind::Let(id) => self.env.global_let(*id, span),
            ExprKind::Random(id) => self.env.random(*id, span),
            ExprKind::Local(slot) => frame
                .get(*slot)
                .cloned()
                .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape(format!("unbound local {slot}")), span }),
            ExprKind::SelfMember(actor) => self.env.current_member(*actor, span),
            ExprKind::Member { actor, member, of } => {
                let (a, index) = self.member_of(of, frame)?;
                if a != *actor {
                    return err(EvalErrorKind::Shape("member of another actor".into()), span);
                }
                self.env.member(a, index, *member, span)
            }
            ExprKind::MarketPrice(id) => self.env.market_price(*id, span),
            ExprKind::AuditProb(id) => {
                // Inside the audited family the name is the evaluated member's own audit
                // (a member function's callee, not its caller), as the fast evaluator reads it.
                let on = self.model.audits.get(*id).and_then(|a| a.on);
                match on.and_then(|on| self.evaluated_member(on, span)) {
                    Some(index) => self.env.audit_of(*id, index, span),
                    None => self.env.audit_prob(*id, span),
                }
            }
            ExprKind::FnRef(_) | ExprKind::Dist(..) => {
                err(EvalErrorKind::NotConstant("a function or distribution is not a number".into()), span)
            }
            ExprKind::Call(id, args) => {
                let values = self.eval_all(args, frame)?;
                let value = self.call(*id, values, span)?;
                detected(self.env, self.model, *id, |on| self.evaluated_member(on, span), value, span)
            }
            ExprKind::MemberCall { actor, func, of, args } => {
                let values = self.eval_all(args, frame)?;
                let (_, index) = self.member_of(of, frame)?;
                let f = self
                    .model
                    .actors
                    .get(*actor)
                    .and_then(|a| a.fns.get(*func))
                    .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape("unknown member fn".into()), span })?;
                let mut inner = vec![Value::Num(index as f64)];
                inner.extend(values);
                let env = MemberEnv { inner: self.env, actor: *actor, index };
                Evaluator { model: self.model, env: &env }.eval_body(&f.body, inner, f.frame_size)
            }
            ExprKind::Builtin(b, args) => {
                let values = self.eval_all(args, frame)?;
                builtin(*b, &values, span)
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(x, frame)?;
                match op {
                    UnOp::Neg => Ok(Value::Num(-as_num(&v, span)?)),
                    UnOp::Not => Ok(Value::Bool(!as_bool(&v, span)?)),
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, frame, span),
            ExprKind::If(c, a, b) => {
                if as_bool(&self.eval(c, frame)?, c.span)? {
                    self.eval(a, frame)
                } else {
                    self.eval(b, frame)
                }
            }
            ExprKind::List(items) => Ok(Value::List(self.eval_all(items, frame)?)),
            ExprKind::Index(base, index) => {
                let b = self.eval(base, frame)?;
                let i = as_num(&self.eval(index, frame)?, index.span)?;
                index_value(b, i, index.span)
            }
            ExprKind::Aggregate { op, var, domain, filter, body } => {
                let items = self.domain_values(domain, frame)?;
                self.aggregate(*op, *var, items, filter.as_deref(), body, frame, span)
            }
            ExprKind::Quantified { quantifier, binders, body } => self.quantified(*quantifier, binders, body, frame),
        }
    }

    fn eval_all(&self, es: &[Expr], frame: &mut Vec<Value>) -> EvalResult<Vec<Value>> {
        es.iter().map(|e| self.eval(e, frame)).collect()
    }

    /// Evaluates a function body in a fresh frame whose first slots are `args`.
    pub fn eval_body(&self, body: &Expr, mut args: Vec<Value>, frame_size: usize) -> EvalResult<Value> {
        if args.len() < frame_size {
            args.resize(frame_size, Value::Num(0.0));
        }
        self.eval(body, &mut args)
    }

    /// Calls a user function with evaluated arguments.
    pub fn call(&self, id: FnId, args: Vec<Value>, span: Span) -> EvalResult<Value> {
        let f = self
            .model
            .fns
            .get(id)
            .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape("unknown fn".into()), span })?;
        self.eval_body(&f.body, args, f.frame_size)
    }

    /// The index of the member of family `on` whose body is evaluated, if any: an audit's
    /// name and its detection function read that member's own draws.
    fn evaluated_member(&self, on: ActorId, span: Span) -> Option<i64> {
        match self.env.current_member(on, span) {
            Ok(Value::Member(_, index)) => Some(index),
            _ => None,
        }
    }

    fn member_of(&self, of: &Expr, frame: &mut Vec<Value>) -> EvalResult<(ActorId, i64)> {
        match self.eval(of, frame)? {
            Value::Member(a, i) => Ok((a, i)),
            other => err(EvalErrorKind::Shape(format!("expected an actor, found {other:?}")), of.span),
        }
    }

    fn binary(&self, op: BinOp, a: &Expr, b: &Expr, frame: &mut Vec<Value>, span: Span) -> EvalResult<Value> {
        match op {
            BinOp::And => {
                return Ok(Value::Bool(
                    as_bool(&self.eval(a, frame)?, a.span)? && as_bool(&self.eval(b, frame)?, b.span)?,
                ))
            }
            BinOp::Or => {
                return Ok(Value::Bool(
                    as_bool(&self.eval(a, frame)?, a.span)? || as_bool(&self.eval(b, frame)?, b.span)?,
                ))
            }
            _ => {}
        }
        let (x, y) = (self.eval(a, frame)?, self.eval(b, frame)?);
        if matches!(op, BinOp::Eq | BinOp::Ne) && !matches!(x, Value::Num(_)) {
            let eq = x == y;
            return Ok(Value::Bool(if op == BinOp::Eq { eq } else { !eq }));
        }
        let (x, y) = (as_num(&x, a.span)?, as_num(&y, b.span)?);
        match op {
            BinOp::Add => finite(x + y, span),
            BinOp::Sub => finite(x - y, span),
            BinOp::Mul => finite(if x == 0.0 || y == 0.0 { 0.0 } else { x * y }, span),
            BinOp::Div => {
                if y == 0.0 {
                    err(EvalErrorKind::DivisionByZero, b.span)
                } else {
                    finite(x / y, span)
                }
            }
            BinOp::Pow => finite(power(x, y, span)?, span),
            BinOp::Eq => Ok(Value::Bool(x == y)),
            BinOp::Ne => Ok(Value::Bool(x != y)),
            BinOp::Lt => Ok(Value::Bool(x < y)),
            BinOp::Le => Ok(Value::Bool(x <= y)),
            BinOp::Gt => Ok(Value::Bool(x > y)),
            BinOp::Ge => Ok(Value::Bool(x >= y)),
            BinOp::And | BinOp::Or => err(EvalErrorKind::Shape("logic".into()), span),
        }
    }

    /// The finite list of values a domain holds (intervals are not enumerable).
    pub fn domain_values(&self, d: &Domain, frame: &mut Vec<Value>) -> EvalResult<Vec<Value>> {
        match &d.kind {
            DomainKind::Interval { .. } => err(EvalErrorKind::Continuous, d.span),
            DomainKind::Range(lo, hi) => {
                let lo = as_num(&self.eval(lo, frame)?, lo.span)?;
                let hi = as_num(&self.eval(hi, frame)?, hi.span)?;
                let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
                if hi.saturating_sub(lo) > 10_000_000 {
                    return err(EvalErrorKind::Domain(format!("the range {lo}..{hi} is too large")), d.span);
                }
                Ok((lo..=hi).map(|i| Value::Num(i as f64)).collect())
            }
            DomainKind::Set(items) => self.eval_all(items, frame),
            DomainKind::Family(actor) => {
                let n = self.family_size(*actor, frame)?;
                Ok((1..=n).map(|i| Value::Member(*actor, i)).collect())
            }
            DomainKind::Enum(id) => {
                let count = self.model.enums.get(*id).map(|e| e.variants.len()).unwrap_or(0);
                Ok((0..count).map(|v| Value::Enum(*id, v)).collect())
            }
            DomainKind::List(e) => match self.eval(e, frame)? {
                Value::List(items) => Ok(items),
                other => err(EvalErrorKind::Shape(format!("expected a list, found {other:?}")), e.span),
            },
        }
    }

    /// Number of members of a family (1 for a single actor); members are `1..=n`.
    pub fn family_size(&self, actor: ActorId, frame: &mut Vec<Value>) -> EvalResult<i64> {
        let Some(a) = self.model.actors.get(actor) else { return Ok(0) };
        match &a.family {
            None => Ok(1),
            Some((lo, hi)) => {
                let lo = as_num(&self.eval(lo, frame)?, lo.span)?;
                let hi = as_num(&self.eval(hi, frame)?, hi.span)?;
                Ok(((hi - lo).floor() as i64 + 1).max(0))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &self,
        op: AggOp,
        var: LocalId,
        items: Vec<Value>,
        filter: Option<&Expr>,
        body: &Expr,
        frame: &mut Vec<Value>,
        span: Span,
    ) -> EvalResult<Value> {
        if frame.len() <= var {
            frame.resize(var + 1, Value::Num(0.0));
        }
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            frame[var] = item;
            if let Some(f) = filter {
                if !as_bool(&self.eval(f, frame)?, f.span)? {
                    continue;
                }
            }
            values.push(self.eval(body, frame)?);
        }
        match op {
            AggOp::Count => Ok(Value::Num(values.iter().filter(|v| **v == Value::Bool(true)).count() as f64)),
            AggOp::All => Ok(Value::Bool(values.iter().all(|v| *v == Value::Bool(true)))),
            AggOp::Any => Ok(Value::Bool(values.contains(&Value::Bool(true)))),
            _ => {
                let nums = values.iter().map(|v| as_num(v, body.span)).collect::<EvalResult<Vec<f64>>>()?;
                let r = match op {
                    AggOp::Sum => nums.iter().sum(),
                    AggOp::Product => nums.iter().product(),
                    AggOp::Mean if nums.is_empty() => {
                        return err(EvalErrorKind::Domain("the mean of an empty domain".into()), span)
                    }
                    AggOp::Mean => nums.iter().sum::<f64>() / nums.len() as f64,
                    AggOp::Min => nums.iter().copied().fold(f64::INFINITY, f64::min),
                    _ => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                };
                finite(r, span)
            }
        }
    }

    fn quantified(&self, q: Quantifier, binders: &[Binder], body: &Expr, frame: &mut Vec<Value>) -> EvalResult<Value> {
        let Some((Binder { slot: var, domain, .. }, rest)) = binders.split_first() else {
            return self.eval(body, frame);
        };
        let items = self.domain_values(domain, frame)?;
        if frame.len() <= *var {
            frame.resize(var + 1, Value::Num(0.0));
        }
        for item in items {
            frame[*var] = item;
            let holds = as_bool(&self.quantified(q, rest, body, frame)?, body.span)?;
            match q {
                Quantifier::Forall if !holds => return Ok(Value::Bool(false)),
                Quantifier::Exists if holds => return Ok(Value::Bool(true)),
                _ => {}
            }
        }
        Ok(Value::Bool(q == Quantifier::Forall))
    }
}

/// What a call of function `f` that returned `value` is: inside the family an audit
/// examines, a call of the audit's detection function is the evaluated member's detection
/// (see [`Env::detect_of`]), as the audit's name is its audit; otherwise `value`.
/// `evaluated` gives the index of the member of a family whose body is evaluated.
pub(crate) fn detected<E: Env + ?Sized>(
    env: &E,
    model: &Model,
    f: FnId,
    evaluated: impl FnOnce(ActorId) -> Option<i64>,
    value: Value,
    span: Span,
) -> EvalResult<Value> {
    match model.detection(f) {
        Some((audit, on)) => match evaluated(on) {
            Some(index) => env.detect_of(audit, index, as_num(&value, span)?, span),
            None => Ok(value),
        },
        None => Ok(value),
    }
}

/// `x^y`, refusing a negative base to a fractional power and zero to a negative one
/// (the result may still be non-finite).
pub(crate) fn power(x: f64, y: f64, span: Span) -> EvalResult<f64> {
    if x < 0.0 && y.fract() != 0.0 {
        return err(EvalErrorKind::Domain(format!("a negative base `{x}` to a fractional power")), span);
    }
    if x == 0.0 && y < 0.0 {
        return err(EvalErrorKind::DivisionByZero, span);
    }
    // Squares are the common case (quadratic penalties and costs): one rounding, no libm call.
    if y == 2.0 {
        return Ok(x * x);
    }
    Ok(x.powf(y))
}

/// Indexes a list (1-based) or a family.
pub(crate) fn index_value(base: Value, i: f64, span: Span) -> EvalResult<Value> {
    match base {
        Value::List(items) => index_list(&items, i, span).cloned(),
        Value::Member(actor, _) => Ok(Value::Member(actor, i as i64)),
        other => err(EvalErrorKind::Shape(format!("cannot index {other:?}")), span),
    }
}

/// Element `i` (1-based) of a list.
pub(crate) fn index_list(items: &[Value], i: f64, span: Span) -> EvalResult<&Value> {
    let len = items.len();
    if i.fract() != 0.0 || i < 1.0 || i > len as f64 {
        return err(EvalErrorKind::IndexOutOfRange { index: i as i64, len }, span);
    }
    items.get(i as usize - 1).ok_or(EvalError { kind: EvalErrorKind::IndexOutOfRange { index: i as i64, len }, span })
}

/// Applies a builtin to evaluated arguments.
pub fn builtin(b: Builtin, args: &[Value], span: Span) -> EvalResult<Value> {
    let nums = args.iter().map(|v| as_num(v, span)).collect::<EvalResult<Vec<f64>>>()?;
    Ok(Value::Num(builtin_nums(b, &nums, span)?))
}

/// Applies a builtin to numbers (a NaN result is an error).
pub(crate) fn builtin_nums(b: Builtin, nums: &[f64], span: Span) -> EvalResult<f64> {
    let x = nums.first().copied().unwrap_or(0.0);
    let r = match b {
        Builtin::Sqrt if x < 0.0 => {
            return err(EvalErrorKind::Domain(format!("`sqrt` of a negative number `{x}`")), span)
        }
        Builtin::Sqrt => x.sqrt(),
        Builtin::Exp => x.exp(),
        Builtin::Ln | Builtin::Log10 if x <= 0.0 => {
            return err(EvalErrorKind::Domain(format!("the logarithm of a non-positive number `{x}`")), span)
        }
        Builtin::Ln => x.ln(),
        Builtin::Log10 => x.log10(),
        Builtin::Pow => {
            let y = nums.get(1).copied().unwrap_or(1.0);
            if x < 0.0 && y.fract() != 0.0 {
                return err(EvalErrorKind::Domain(format!("a negative base `{x}` to a fractional power")), span);
            }
            x.powf(y)
        }
        Builtin::Abs => x.abs(),
        Builtin::Min => nums.iter().copied().fold(f64::INFINITY, f64::min),
        Builtin::Max => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Builtin::Floor => x.floor(),
        Builtin::Ceil => x.ceil(),
        Builtin::Clamp => {
            let (lo, hi) = (nums.get(1).copied().unwrap_or(x), nums.get(2).copied().unwrap_or(x));
            if lo > hi {
                return err(EvalErrorKind::Domain(format!("`clamp` with lower bound `{lo}` above upper `{hi}`")), span);
            }
            x.clamp(lo, hi)
        }
        Builtin::Pos => x.max(0.0),
        Builtin::NormCdf => norm_cdf(x),
        Builtin::NormPdf => (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt(),
    };
    if r.is_nan() {
        return err(EvalErrorKind::NonFinite, span);
    }
    Ok(r)
}

/// The standard normal CDF Φ(x), via libm's complementary error function.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Evaluates a member body on behalf of a member-function call: `SelfMember` is the callee's instance.
struct MemberEnv<'e> {
    inner: &'e dyn Env,
    actor: ActorId,
    index: i64,
}

impl Env for MemberEnv<'_> {
    fn param(&self, id: ParamId, span: Span) -> EvalResult<Value> {
        self.inner.param(id, span)
    }
    fn global_let(&self, id: LetId, span: Span) -> EvalResult<Value> {
        self.inner.global_let(id, span)
    }
    fn member(&self, actor: ActorId, index: i64, member: MemberRef, span: Span) -> EvalResult<Value> {
        self.inner.member(actor, index, member, span)
    }
    fn market_price(&self, id: MarketId, span: Span) -> EvalResult<Value> {
        self.inner.market_price(id, span)
    }
    fn audit_prob(&self, id: AuditId, span: Span) -> EvalResult<Value> {
        self.inner.audit_prob(id, span)
    }
    fn audit_of(&self, id: AuditId, index: i64, span: Span) -> EvalResult<Value> {
        self.inner.audit_of(id, index, span)
    }
    fn detect_of(&self, id: AuditId, index: i64, p: f64, span: Span) -> EvalResult<Value> {
        self.inner.detect_of(id, index, p, span)
    }
    fn audit_by_rule(&self, id: AuditId) -> bool {
        self.inner.audit_by_rule(id)
    }
    fn random(&self, id: RandomId, span: Span) -> EvalResult<Value> {
        self.inner.random(id, span)
    }
    fn current_member(&self, actor: ActorId, span: Span) -> EvalResult<Value> {
        if actor == self.actor {
            Ok(Value::Member(self.actor, self.index))
        } else {
            self.inner.current_member(actor, span)
        }
    }
    fn check_member(&self, actor: ActorId, index: i64, span: Span) -> EvalResult<()> {
        self.inner.check_member(actor, index, span)
    }
}
