//! What one solve shares across its many evaluations: the model, the memoised lets of the
//! fast evaluator and the compiled code (both valid for one set of parameter values, so
//! for one solve), per choice the expressions whose values are its breakpoints, which
//! members face the same problem and the best responses they shared, and whose choices
//! each member reads. Payoffs, excess demand and cap sides are evaluated here.

use super::compiled::{Closure, Code, NumCode, Session};
use super::deps::Deps;
use super::flat::Program;
use super::numeric::Excess;
use super::stages::{responses, Responses};
use super::state::{payoff_of, Evaluate, RunEnv, State};
use super::symmetry::Groups;
use super::SolveError;
use crate::check::visit;
use crate::eval::fast::{Fast, Memo};
use crate::eval::EvalResult;
use crate::model::*;
use crate::syntax::ast::BinOp;
use std::cell::{OnceCell, RefCell};

/// Members per actor whose payoff is compiled for them alone; the others share one.
const SPECIALISED: usize = 4096;

/// How a solve runs. Every switch only trades speed; the property tests compare the fast
/// paths with their references.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Members that face the same problem share one best response (else each computes its own).
    pub share: bool,
    /// A later stage re-solves only the members whose inputs moved (else all of them).
    pub sparse: bool,
    /// Payoff evaluations allowed, if not [`super::respond::budget`].
    pub budget: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { share: true, sparse: true, budget: None }
    }
}

/// The shared part of one solve.
pub struct Cx<'m> {
    /// The model solved.
    pub model: &'m Model,
    memo: RefCell<Memo>,
    code: Code<'m>,
    /// `[actor][let]`: whether the let depends on parameters alone.
    statics: Vec<Vec<bool>>,
    /// `[actor][member]`: the payoff compiled for that member (and its flat program), once
    /// it is needed.
    member_code: Vec<Vec<OnceCell<Option<MemberCode<'m>>>>>,
    /// Scratch space for flat programs.
    numbers: RefCell<Vec<f64>>,
    /// `[actor][choice]`: the other side of every comparison with the choice in the
    /// actor's payoff and in the thresholds on it, in the order they are written.
    breaks: Vec<Vec<Vec<&'m Expr>>>,
    /// Members whose best responses coincide.
    pub groups: Groups,
    /// Best responses of the last stage shared between such members, across rounds and stages.
    pub responses: RefCell<Responses>,
    /// Whose choices each member's best response reads.
    pub deps: Deps,
}

impl<'m> Cx<'m> {
    /// The context of a solve of `model` from `state` (its parameter values), run as
    /// `settings` say.
    pub fn new(model: &'m Model, state: &State, settings: Settings) -> Cx<'m> {
        let breaks = model
            .actors
            .iter()
            .enumerate()
            .map(|(a, actor)| (0..actor.choices.len()).map(|c| break_exprs(model, a, c)).collect())
            .collect();
        let groups = if settings.share { Groups::new(model, state) } else { Groups::default() };
        let deps = if settings.sparse { Deps::new(model, &state.inactive.caps) } else { Deps::complete(model) };
        let member_code =
            state.actors.iter().map(|a| (0..a.size.min(SPECIALISED)).map(|_| OnceCell::new()).collect()).collect();
        let memo = Memo::new(model);
        let statics: Vec<Vec<bool>> = model
            .actors
            .iter()
            .enumerate()
            .map(|(a, actor)| (0..actor.lets.len()).map(|i| memo.is_static_member_let(a, i)).collect())
            .collect();
        let code = Code::new(model, state, &|a, i| memo.is_static_member_let(a, i));
        Cx {
            model,
            statics,
            memo: RefCell::new(memo),
            code,
            member_code,
            numbers: RefCell::new(Vec::new()),
            breaks,
            groups,
            responses: RefCell::new(responses()),
            deps,
        }
    }

    /// Runs `f` with a fast-evaluation session over `state`.
    pub fn with<T>(&self, state: &State, f: impl FnOnce(&mut Fast<'_, RunEnv<'_>>) -> T) -> T {
        let env = RunEnv::new(self.model, state);
        match self.memo.try_borrow_mut() {
            Ok(mut memo) => f(&mut Fast::new(self.model, &env, &mut memo)),
            // Only reachable if evaluation re-entered the solver; correct, just slower.
            Err(_) => f(&mut Fast::new(self.model, &env, &mut Memo::new(self.model))),
        }
    }

    /// The number `e` evaluates to in `state`, inside member `at` or at file scope.
    pub fn num(&self, state: &State, e: &Expr, at: Option<(ActorId, i64)>) -> Result<f64, SolveError> {
        self.with(state, |f| f.eval_num(e, at)).map_err(SolveError::from_eval)
    }

    /// The payoff of member `m` of `actor` (thresholds included; `None` when it abstains).
    pub fn payoff(&self, state: &State, actor: ActorId, m: i64) -> EvalResult<Option<f64>> {
        self.with(state, |f| {
            let member = self.member_code(f, state, actor, m);
            let generic = if member.is_none() { self.generic_code(state, actor) } else { None };
            let numbers = &self.numbers;
            let code = &self.code;
            payoff_of(self.model, state, actor, m, None, &mut Compiled { f, code, member, generic, numbers })
        })
    }

    /// `actor`'s payoff compiled for any member (compiled on first use).
    fn generic_code(&self, state: &State, actor: ActorId) -> Option<&NumCode<'m>> {
        let statics = |a: ActorId, i: usize| self.is_static_let(a, i);
        self.code.payoff(self.model, state, &statics, actor)
    }

    /// The payoff of member `m` of `actor` compiled for it (compiled on first use).
    fn member_code(&self, f: &mut Session<'_, '_>, state: &State, actor: ActorId, m: i64) -> Option<&MemberCode<'m>> {
        let cell = self.member_code.get(actor)?.get(usize::try_from(m - 1).ok()?)?;
        let model = self.model;
        let statics = &self.statics;
        cell.get_or_init(|| {
            let mut fold = |a: ActorId, index: i64, i: usize| -> Option<f64> {
                let l = model.actors.get(a)?.lets.get(i)?;
                match statics.get(a).and_then(|l| l.get(i)).copied().unwrap_or(false) {
                    true => match f.eval(&l.value, Some((a, index))) {
                        Ok(Value::Num(x)) => Some(x),
                        _ => None,
                    },
                    false => None,
                }
            };
            let statics = |a: ActorId, i: usize| statics.get(a).and_then(|l| l.get(i)).copied().unwrap_or(false);
            self.code.member_payoff(model, state, actor, m, &statics, &mut fold)
        })
        .as_ref()
    }

    /// The payoff expression of member `m` of `actor` by the code compiled for any member
    /// (what members beyond the specialised ones use).
    #[cfg(test)]
    pub fn generic_payoff(&self, state: &State, actor: ActorId, m: i64) -> EvalResult<f64> {
        let model = self.model;
        let generic = self.generic_code(state, actor);
        self.with(state, |f| match (generic, model.actors.get(actor).and_then(|a| a.payoff.as_ref())) {
            (Some(code), _) => run(f, Some((actor, m)), code),
            (_, Some(p)) => f.eval_num(p, Some((actor, m))),
            _ => Ok(0.0),
        })
    }

    /// Demand less supply of market `m`.
    pub fn excess(&self, state: &State, m: MarketId) -> Result<Excess, SolveError> {
        let Some((demand, supply)) = self.code.markets.get(m) else { return Ok(Excess::exact(0.0)) };
        self.with(state, |f| Ok(Excess::between(run(f, None, demand)?, run(f, None, supply)?)))
            .map_err(SolveError::from_eval)
    }

    /// How far cap `k`'s quantity exceeds its limit (`lhs − rhs`).
    pub fn cap_excess(&self, state: &State, k: usize) -> Result<f64, SolveError> {
        self.cap_gap(state, k).map(|e| e.z)
    }

    /// [`Cx::cap_excess`] with the noise the best responses in it leave.
    pub fn cap_gap(&self, state: &State, k: usize) -> Result<Excess, SolveError> {
        let Some((lhs, rhs)) = self.code.caps.get(k) else { return Ok(Excess::exact(0.0)) };
        self.with(state, |f| Ok(Excess::between(run(f, None, lhs)?, run(f, None, rhs)?))).map_err(SolveError::from_eval)
    }

    /// The supply and then the demand of market `m` (in that order, as tâtonnement reads them).
    pub fn supply_demand(&self, state: &State, m: MarketId) -> EvalResult<(f64, f64)> {
        let Some((demand, supply)) = self.code.markets.get(m) else { return Ok((0.0, 0.0)) };
        self.with(state, |f| Ok((run(f, None, supply)?, run(f, None, demand)?)))
    }

    /// Whether member let `i` of `actor` depends on parameters alone.
    pub fn is_static_let(&self, actor: ActorId, i: usize) -> bool {
        self.statics.get(actor).and_then(|l| l.get(i)).copied().unwrap_or(false)
    }

    /// Values of choice `c` of member `m` at which its payoff may jump or kink, sorted.
    pub fn breakpoints(&self, state: &State, actor: ActorId, m: i64, c: usize) -> Vec<f64> {
        let Some(exprs) = self.breaks.get(actor).and_then(|b| b.get(c)) else { return Vec::new() };
        if exprs.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<f64> = self.with(state, |f| {
            exprs
                .iter()
                .filter_map(|e| match f.eval(e, Some((actor, m))) {
                    Ok(Value::Num(v)) if v.is_finite() => Some(v),
                    _ => None,
                })
                .collect()
        });
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }
}

/// The other side of every comparison with choice `c` of `actor`, in its payoff and in the
/// thresholds on it.
fn break_exprs(model: &Model, actor: ActorId, c: usize) -> Vec<&Expr> {
    let mut exprs: Vec<&Expr> = model.actors[actor].payoff.iter().collect();
    exprs.extend(model.thresholds.iter().filter(|t| t.on == actor).map(|t| &t.condition));
    let mut out = Vec::new();
    for e in exprs {
        visit(e, &mut |x| {
            if let ExprKind::Binary(op, l, r) = &x.kind {
                if !matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne) {
                    return;
                }
                if is_choice(l, actor, c) {
                    out.push(&**r);
                } else if is_choice(r, actor, c) {
                    out.push(&**l);
                }
            }
        });
    }
    out
}

fn is_choice(e: &Expr, actor: ActorId, c: usize) -> bool {
    matches!(&e.kind, ExprKind::Member { actor: a, member: MemberRef::Choice(i), .. } if *a == actor && *i == c)
}

/// Runs compiled code as a top-level evaluation inside member `at` (or at file scope).
fn run<T>(f: &mut Session<'_, '_>, at: Option<(ActorId, i64)>, code: &Closure<'_, T>) -> EvalResult<T> {
    f.enter(at);
    let r = code(f);
    f.leave();
    r.map_err(|e| *e)
}

/// A member's payoff compiled for it, and its flat program if it has one.
type MemberCode<'m> = (NumCode<'m>, Option<Program>);

/// A payoff's parts evaluated by their compiled code.
struct Compiled<'s, 'a, 'b, 'm> {
    f: &'s mut Session<'a, 'b>,
    code: &'s Code<'m>,
    /// The payoff compiled for the member evaluated, if it is.
    member: Option<&'s MemberCode<'m>>,
    /// Otherwise the payoff compiled for any member.
    generic: Option<&'s NumCode<'m>>,
    numbers: &'s RefCell<Vec<f64>>,
}

impl Evaluate for Compiled<'_, '_, '_, '_> {
    fn payoff(&mut self, _actor: ActorId, e: &Expr, at: (ActorId, i64)) -> EvalResult<f64> {
        match (self.member, self.generic) {
            (Some((_, Some(program))), _) => match self.numbers.try_borrow_mut() {
                Ok(mut numbers) => program.run(self.f, &mut numbers).map_err(|e| *e),
                Err(_) => program.run(self.f, &mut Vec::new()).map_err(|e| *e),
            },
            (Some((code, None)), _) | (None, Some(code)) => run(self.f, Some(at), code),
            _ => self.f.eval_num(e, Some(at)),
        }
    }
    fn condition(&mut self, t: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<Value> {
        match self.code.thresholds.get(t) {
            Some((code, _)) => run(self.f, at, code),
            None => self.f.eval(e, at),
        }
    }
    fn penalty(&mut self, t: usize, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<f64> {
        match self.code.thresholds.get(t) {
            Some((_, Some(code))) => run(self.f, at, code),
            _ => self.f.eval_num(e, at),
        }
    }
}
