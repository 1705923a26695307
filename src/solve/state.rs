//! The numbers a solution is made of: parameter values, each actor instance's choices,
//! market prices, and which rules a scenario switched off. [`RunEnv`] lets the evaluator
//! read them; member lets and payoffs are evaluated on demand from the current choices.

use crate::eval::{Env, EvalError, EvalErrorKind, EvalResult, Evaluator};
use crate::model::*;
use crate::source::Span;

/// Rules a scenario removed: they no longer act (a removed market's price is 0, a removed
/// audit never happens, a removed threshold never binds; a removed penalty is 0 in the
/// scenario's model, [`Model::with_removed_penalties`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inactive {
    /// Removed markets.
    pub markets: Vec<bool>,
    /// Removed audits.
    pub audits: Vec<bool>,
    /// Removed thresholds.
    pub thresholds: Vec<bool>,
    /// Removed caps.
    pub caps: Vec<bool>,
}

/// The values of one actor or family.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorState {
    /// Number of members (1 for a single actor); members are `1..=size`.
    pub size: usize,
    /// Member parameter values, `[member][param]`.
    pub params: Vec<Vec<Value>>,
    /// Current choices, `[member][choice]`.
    pub choices: Vec<Vec<Value>>,
    /// Whether each member stays out (`or abstain`).
    pub abstained: Vec<bool>,
    /// Choices a scenario fixed, `[member][choice]`.
    pub fixed: Vec<Vec<bool>>,
}

/// Payoff evaluations spent by one solve, shared by every copy of its state, and how many
/// it may spend.
#[derive(Debug, Clone, Default)]
pub struct Work {
    spent: std::sync::Arc<std::sync::atomic::AtomicU64>,
    limit: Option<u64>,
}

impl Work {
    /// Work allowed `limit` payoff evaluations (rather than [`crate::solve::respond::budget`]).
    pub fn limited(limit: u64) -> Work {
        Work { limit: Some(limit), ..Work::default() }
    }

    /// Evaluations so far.
    pub fn spent(&self) -> u64 {
        self.spent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The evaluations allowed, if set here.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    fn add(&self) {
        self.spent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl PartialEq for Work {
    fn eq(&self, _: &Work) -> bool {
        true
    }
}

/// Everything that varies between evaluations of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Payoff evaluations spent so far (bounded, so a hard regime fails instead of hanging).
    pub work: Work,
    /// While iterating, best responses may search near the previous choice first; the
    /// certificate always searches globally.
    pub warm: bool,
    /// Global parameter values.
    pub params: Vec<Value>,
    /// Per actor.
    pub actors: Vec<ActorState>,
    /// Market prices (canonical units).
    pub prices: Vec<f64>,
    /// Shadow prices of caps: what each unit of the capped quantity costs in best
    /// responses (not paid; 0 when the cap does not bind).
    pub shadow: Vec<f64>,
    /// Rules switched off.
    pub inactive: Inactive,
    /// A simulation round's realised draws; `None` in equilibrium analysis, where random
    /// quantities stand at their means and an audit's name is its probability.
    pub draws: Option<Box<Draws>>,
    /// Who holds each licence in a simulation round, `[licence][member]`; empty in
    /// equilibrium analysis, where every member holds every licence of its family.
    pub licensed: Vec<Vec<bool>>,
}

/// What chance decided in one simulation round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draws {
    /// Global random quantities, by id.
    pub globals: Vec<Value>,
    /// Member random quantities, `[actor][random][member]`.
    pub members: Vec<Vec<Vec<Value>>>,
    /// Who each audit examined, `[audit][member]` (one entry for an audit without `on`).
    pub audited: Vec<Vec<bool>>,
    /// Per audit with a `detect` function, a uniform draw per member of its family: a
    /// violation the function detects with probability d is detected when the draw is
    /// below d, `[audit][member]` (empty for an audit without one).
    pub detection: Vec<Vec<f64>>,
}

impl State {
    /// Whether member `m` (0-based) holds licence `l`.
    pub fn holds(&self, l: LicenseId, m: usize) -> bool {
        self.licensed.get(l).and_then(|h| h.get(m)).copied().unwrap_or(true)
    }

    /// The choices of every member, flattened, for convergence tests.
    pub fn choice_vector(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for a in &self.actors {
            for (m, member) in a.choices.iter().enumerate() {
                for v in member {
                    out.push(match v {
                        Value::Num(x) => *x,
                        Value::Bool(b) => f64::from(u8::from(*b)),
                        Value::Enum(_, k) => *k as f64,
                        _ => 0.0,
                    });
                }
                out.push(f64::from(u8::from(a.abstained.get(m).copied().unwrap_or(false))));
            }
        }
        out
    }
}

/// Reads a [`State`] for the evaluator. `current` is the actor instance whose body is evaluated.
pub struct RunEnv<'a> {
    /// The model.
    pub model: &'a Model,
    /// The values.
    pub state: &'a State,
    /// The instance whose member bodies are being evaluated.
    pub current: Option<(ActorId, i64)>,
}

fn fail<T>(kind: EvalErrorKind, span: Span) -> EvalResult<T> {
    Err(EvalError { kind, span })
}

impl<'a> RunEnv<'a> {
    /// An environment at file scope.
    pub fn new(model: &'a Model, state: &'a State) -> RunEnv<'a> {
        RunEnv { model, state, current: None }
    }

    /// The same environment inside member `index` of `actor`.
    pub fn at(&self, actor: ActorId, index: i64) -> RunEnv<'a> {
        RunEnv { model: self.model, state: self.state, current: Some((actor, index)) }
    }

    /// Evaluates an expression here (slot 0 is the member index inside an actor).
    pub fn eval(&self, e: &Expr) -> EvalResult<Value> {
        let mut frame = match self.current {
            Some((_, i)) => vec![Value::Num(i as f64)],
            None => Vec::new(),
        };
        Evaluator { model: self.model, env: self }.eval(e, &mut frame)
    }

    /// Evaluates to a number.
    pub fn eval_num(&self, e: &Expr) -> EvalResult<f64> {
        crate::eval::as_num(&self.eval(e)?, e.span)
    }

    /// The payoff of a member, including threshold penalties; `None` when it abstains.
    pub fn payoff(&self, actor: ActorId, index: i64) -> EvalResult<Option<f64>> {
        payoff_of(self.model, self.state, actor, index, self.current, &mut Tree(self))
    }

    fn member_state(&self, actor: ActorId, index: i64, span: Span) -> EvalResult<&'a ActorState> {
        match self.state.actors.get(actor) {
            Some(s) if index >= 1 && (index as usize) <= s.size => Ok(s),
            Some(s) => fail(EvalErrorKind::IndexOutOfRange { index, len: s.size }, span),
            None => fail(EvalErrorKind::Shape("unknown actor".into()), span),
        }
    }
}

/// How [`payoff_of`] evaluates the parts of a payoff.
pub(crate) trait Evaluate {
    /// `actor`'s payoff expression `e` inside member `at`.
    fn payoff(&mut self, actor: ActorId, e: &Expr, at: (ActorId, i64)) -> EvalResult<f64>;
    /// The condition `e` of threshold `t`, in scope `at`.
    fn condition(&mut self, t: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<Value>;
    /// The penalty `e` of threshold `t`, in scope `at`.
    fn penalty(&mut self, t: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<f64>;
}

/// The tree evaluator over a [`RunEnv`].
struct Tree<'e, 'a>(&'e RunEnv<'a>);

impl Evaluate for Tree<'_, '_> {
    fn payoff(&mut self, _: ActorId, e: &Expr, at: (ActorId, i64)) -> EvalResult<f64> {
        self.0.at(at.0, at.1).eval_num(e)
    }
    fn condition(&mut self, _: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<Value> {
        RunEnv { current: at, ..*self.0 }.eval(e)
    }
    fn penalty(&mut self, _: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<f64> {
        RunEnv { current: at, ..*self.0 }.eval_num(e)
    }
}

/// The payoff of member `index` of `actor` in `state`: its payoff expression less the
/// penalty of every active threshold on it that is not met (`-inf` for a ban); `None`
/// when it abstains. Thresholds are evaluated in scope `outer`; counts one evaluation.
pub(crate) fn payoff_of(
    model: &Model,
    state: &State,
    actor: ActorId,
    index: i64,
    outer: Option<(ActorId, i64)>,
    eval: &mut impl Evaluate,
) -> EvalResult<Option<f64>> {
    let Some(a) = model.actors.get(actor) else { return Ok(None) };
    let member = (index - 1) as usize;
    if state.actors.get(actor).and_then(|s| s.abstained.get(member)).copied().unwrap_or(false) {
        return Ok(None);
    }
    let Some(p) = &a.payoff else { return Ok(Some(0.0)) };
    state.work.add();
    let mut value = eval.payoff(actor, p, (actor, index))?;
    for (t, threshold) in model.thresholds.iter().enumerate() {
        if threshold.on != actor || state.inactive.thresholds.get(t).copied().unwrap_or(false) {
            continue;
        }
        let met = matches!(eval.condition(t, &threshold.condition, outer)?, Value::Bool(true));
        if !met {
            value = match &threshold.penalty {
                Some(pen) => value - eval.penalty(t, pen, outer)?,
                None => f64::NEG_INFINITY,
            };
        }
    }
    Ok(Some(value))
}

impl Env for RunEnv<'_> {
    fn param(&self, id: ParamId, span: Span) -> EvalResult<Value> {
        match self.state.params.get(id) {
            Some(v) => Ok(v.clone()),
            None => fail(EvalErrorKind::Shape("unknown parameter".into()), span),
        }
    }

    fn global_let(&self, id: LetId, span: Span) -> EvalResult<Value> {
        match self.model.lets.get(id) {
            Some(l) => RunEnv::new(self.model, self.state).eval(&l.value),
            None => fail(EvalErrorKind::Shape("unknown let".into()), span),
        }
    }

    fn member(&self, actor: ActorId, index: i64, member: MemberRef, span: Span) -> EvalResult<Value> {
        let s = self.member_state(actor, index, span)?;
        let m = (index - 1) as usize;
        let a = &self.model.actors[actor];
        match member {
            MemberRef::Param(i) => s
                .params
                .get(m)
                .and_then(|p| p.get(i))
                .cloned()
                .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape("unknown member parameter".into()), span }),
            MemberRef::Choice(i) => s
                .choices
                .get(m)
                .and_then(|c| c.get(i))
                .cloned()
                .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape("unknown choice".into()), span }),
            MemberRef::Let(i) => match a.lets.get(i) {
                Some(l) => self.at(actor, index).eval(&l.value),
                None => fail(EvalErrorKind::Shape("unknown member let".into()), span),
            },
            MemberRef::Random(i) => match (&self.state.draws, a.randoms.get(i)) {
                (Some(d), _) => d
                    .members
                    .get(actor)
                    .and_then(|x| x.get(i))
                    .and_then(|x| x.get(m))
                    .cloned()
                    .ok_or(EvalError { kind: EvalErrorKind::Shape("no draw for member random".into()), span }),
                (None, Some(r)) => self.at(actor, index).expectation(&r.dist, span),
                (None, None) => fail(EvalErrorKind::Shape("unknown member random".into()), span),
            },
            MemberRef::Payoff => Ok(Value::Num(self.payoff(actor, index)?.unwrap_or(0.0))),
            MemberRef::Licence(l) => Ok(Value::Bool(self.state.holds(l, m))),
        }
    }

    fn market_price(&self, id: MarketId, span: Span) -> EvalResult<Value> {
        if self.state.inactive.markets.get(id).copied().unwrap_or(false) {
            return Ok(Value::Num(0.0));
        }
        match self.state.prices.get(id) {
            Some(p) => Ok(Value::Num(*p)),
            None => fail(EvalErrorKind::Shape("unknown market".into()), span),
        }
    }

    fn audit_prob(&self, id: AuditId, span: Span) -> EvalResult<Value> {
        match (self.model.audits.get(id).and_then(|a| a.on), self.current) {
            (Some(on), Some((actor, index))) if on == actor => self.audit_of(id, index, span),
            _ => self.audit_share(id, span),
        }
    }

    fn audit_of(&self, id: AuditId, index: i64, span: Span) -> EvalResult<Value> {
        match &self.state.draws {
            // In a round, inside the audited family the audit's name is whether this
            // member was audited (1 or 0).
            Some(draws) if !self.inactive_audit(id) => {
                let audited = draws.audited.get(id).map(Vec::as_slice).unwrap_or_default();
                Ok(Value::Num(f64::from(u8::from(audited.get((index - 1) as usize).copied().unwrap_or(false)))))
            }
            _ => self.audit_share(id, span),
        }
    }

    fn audit_by_rule(&self, id: AuditId) -> bool {
        self.state.draws.is_none() && !self.inactive_audit(id)
    }

    fn detect_of(&self, id: AuditId, index: i64, p: f64, span: Span) -> EvalResult<Value> {
        if !(0.0..=1.0).contains(&p) {
            let why = format!("a detection probability must lie in [0, 1]; this is {}", crate::report::number(p));
            return fail(EvalErrorKind::Domain(why), span);
        }
        match &self.state.draws {
            // In a round, inside the audited family: whether this member's violation was
            // detected (1 or 0), by comparing its uniform draw with the probability.
            Some(draws) if !self.inactive_audit(id) => {
                let u = draws.detection.get(id).and_then(|u| u.get(usize::try_from(index - 1).ok()?));
                Ok(Value::Num(u.map_or(p, |u| f64::from(u8::from(*u < p)))))
            }
            _ => Ok(Value::Num(p)),
        }
    }

    fn random(&self, id: RandomId, span: Span) -> EvalResult<Value> {
        if let Some(d) = &self.state.draws {
            return d
                .globals
                .get(id)
                .cloned()
                .ok_or(EvalError { kind: EvalErrorKind::Shape("no draw for random".into()), span });
        }
        match self.model.randoms.get(id) {
            Some(r) => RunEnv::new(self.model, self.state).expectation(&r.dist, span),
            None => fail(EvalErrorKind::Shape("unknown random".into()), span),
        }
    }

    fn current_member(&self, actor: ActorId, span: Span) -> EvalResult<Value> {
        match self.current {
            Some((a, i)) if a == actor => Ok(Value::Member(a, i)),
            _ => fail(EvalErrorKind::Shape("no current actor".into()), span),
        }
    }

    fn check_member(&self, actor: ActorId, index: i64, span: Span) -> EvalResult<()> {
        self.member_state(actor, index, span).map(|_| ())
    }
}

impl RunEnv<'_> {
    /// Whether a scenario removed the audit (then it never happens).
    fn inactive_audit(&self, id: AuditId) -> bool {
        self.state.inactive.audits.get(id).copied().unwrap_or(false)
    }

    /// An audit's name outside its family: its probability in equilibrium analysis, the
    /// share of members audited in a simulation round.
    fn audit_share(&self, id: AuditId, span: Span) -> EvalResult<Value> {
        if self.inactive_audit(id) {
            return Ok(Value::Num(0.0));
        }
        let Some(audit) = self.model.audits.get(id) else {
            return fail(EvalErrorKind::Shape("unknown audit".into()), span);
        };
        let Some(draws) = &self.state.draws else { return RunEnv::new(self.model, self.state).eval(&audit.prob) };
        let audited = draws.audited.get(id).map(Vec::as_slice).unwrap_or_default();
        let value = match audited.is_empty() {
            true => 0.0,
            false => audited.iter().filter(|x| **x).count() as f64 / audited.len() as f64,
        };
        Ok(Value::Num(value))
    }

    /// A random quantity enters equilibrium analysis at its mean (risk-neutral actors).
    fn expectation(&self, dist: &Expr, span: Span) -> EvalResult<Value> {
        let ExprKind::Dist(kind, args) = &dist.kind else {
            return fail(EvalErrorKind::Shape("not a distribution".into()), span);
        };
        let v: Vec<f64> = args.iter().map(|a| self.eval_num(a)).collect::<EvalResult<_>>()?;
        let x = |i: usize| v.get(i).copied().unwrap_or(0.0);
        let mean = match kind {
            DistKind::Bernoulli => {
                return fail(
                    EvalErrorKind::NotConstant(
                        "a Bernoulli draw has no single value in equilibrium analysis; use its probability".into(),
                    ),
                    span,
                )
            }
            DistKind::Normal => x(0),
            DistKind::Uniform => 0.5 * (x(0) + x(1)),
            DistKind::LogNormal => (x(0) + 0.5 * x(1) * x(1)).exp(),
            DistKind::Exponential => 1.0 / x(0),
            DistKind::Poisson => x(0),
            DistKind::Binomial => x(0) * x(1),
            DistKind::Beta => x(0) / (x(0) + x(1)),
        };
        Ok(Value::Num(mean))
    }
}
