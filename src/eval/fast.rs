//! The evaluator of the solver's inner loop: the same values and errors as [`Evaluator`](super::Evaluator)
//! on well-typed expressions, computed with less work. Numbers stay `f64` instead of
//! passing through [`Value`]; function and member bodies share one frame stack instead
//! of a fresh `Vec` each; and lets are memoised — every let for the length of one
//! [`Fast`] session (the environment cannot change while the session borrows it), and a
//! let that depends on parameters alone for as long as its [`Memo`] lives.
//!
//! Leaves — parameters, choices, member parameters, random quantities, payoffs, prices
//! and audits — still come from the [`Env`]; lets, functions, member functions and the
//! current actor instance are evaluated here. On ill-typed input (a checker bug) both
//! evaluators fail with an internal `Shape` error, possibly at different spans.

use super::{as_bool, as_num, builtin_nums, detected, err, index_list, index_value, power};
use super::{Env, EvalError, EvalErrorKind, EvalResult};
use crate::check::visit;
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{AggOp, BinOp, UnOp};

/// Member lets memoised per actor beyond this many (member × let) entries are recomputed.
const MAX_MEMO: usize = 1 << 24;

/// Memoised lets, valid while the parameter values (global and member) and family sizes
/// of the environments it is used with stay the same — for the solver, one solve.
#[derive(Debug, Clone)]
pub struct Memo {
    /// Advanced by every [`Fast`] session: memoised values of another epoch are stale.
    epoch: u64,
    global_static: Vec<bool>,
    member_static: Vec<Vec<bool>>,
    global: Vec<Slot>,
    member: Vec<Vec<Slot>>,
    /// Audit probabilities computed by their rules (see [`Env::audit_by_rule`]).
    audits: Vec<Slot>,
    /// Frame stack (reused across sessions, so evaluation does not allocate).
    stack: Vec<Value>,
    /// Evaluated arguments waiting for their call.
    args: Vec<Value>,
    /// Evaluated builtin arguments.
    nums: Vec<f64>,
    /// Member-function callees in effect (see `Scope::callees`).
    callees: Vec<(ActorId, i64)>,
    /// Frames of numbers for compiled calls (see [`Fast::push_num_frame`]).
    numf: Vec<f64>,
    /// Where the innermost frame of numbers starts.
    num_base: usize,
    /// The row register: the index of the family member an aggregate compiled for its
    /// family's members is at (see [`Binding`]).
    row: i64,
}

/// One memoised let: its value and the epoch it was computed in ([`STATIC`] for a let that
/// depends on parameters alone).
#[derive(Debug, Clone, Default)]
struct Slot {
    epoch: u64,
    value: Option<Value>,
}

/// Empties a stack of values (without visiting an empty one: this runs per evaluation).
fn clear(v: &mut Vec<Value>) {
    if !v.is_empty() {
        v.clear();
    }
}

/// The epoch of values that never go stale.
const STATIC: u64 = u64::MAX;

impl Memo {
    /// An empty memo for `model`, with the lets that depend on parameters alone marked.
    pub fn new(model: &Model) -> Memo {
        let statics = Statics::of(model);
        Memo {
            epoch: 0,
            global: vec![Slot::default(); model.lets.len()],
            audits: vec![Slot::default(); model.audits.len()],
            member: model.actors.iter().map(|_| Vec::new()).collect(),
            global_static: statics.global,
            member_static: statics.member,
            stack: Vec::new(),
            args: Vec::new(),
            nums: Vec::new(),
            callees: Vec::new(),
            numf: Vec::new(),
            num_base: 0,
            row: 0,
        }
    }

    /// Whether member let `i` of `actor` depends on parameters alone (so it is computed
    /// once per member).
    pub fn is_static_member_let(&self, actor: ActorId, i: usize) -> bool {
        self.member_static.get(actor).and_then(|l| l.get(i)).copied().unwrap_or(false)
    }
}

/// Which lets depend on parameters alone: no choice, price, audit, draw or payoff is
/// reachable from them (through lets, functions and member functions).
struct Statics {
    global: Vec<bool>,
    member: Vec<Vec<bool>>,
}

/// Progress of the dependency walk.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Unknown,
    Busy,
    Yes,
    No,
}

/// Marks for every let and function while [`Statics`] are worked out.
struct Marks<'m> {
    model: &'m Model,
    global: Vec<Mark>,
    member: Vec<Vec<Mark>>,
    fns: Vec<Mark>,
    member_fns: Vec<Vec<Mark>>,
}

/// Something an expression refers to whose own dependencies decide whether it is static.
enum Dep {
    GlobalLet(LetId),
    MemberLet(ActorId, usize),
    Fn(FnId),
    MemberFn(ActorId, usize),
}

/// Whether `e` depends on parameters alone (and on the locals it is evaluated with): no
/// choice, price, audit, draw or payoff is reachable from it.
pub fn parameters_alone(model: &Model, e: &Expr) -> bool {
    Marks::new(model).expr(e)
}

impl Statics {
    fn of(model: &Model) -> Statics {
        let mut marks = Marks::new(model);
        let global = (0..model.lets.len()).map(|i| marks.dep(Dep::GlobalLet(i))).collect();
        let member = model
            .actors
            .iter()
            .enumerate()
            .map(|(a, actor)| (0..actor.lets.len()).map(|i| marks.dep(Dep::MemberLet(a, i))).collect())
            .collect();
        Statics { global, member }
    }
}

impl<'m> Marks<'m> {
    fn new(model: &'m Model) -> Marks<'m> {
        Marks {
            model,
            global: vec![Mark::Unknown; model.lets.len()],
            member: model.actors.iter().map(|a| vec![Mark::Unknown; a.lets.len()]).collect(),
            fns: vec![Mark::Unknown; model.fns.len()],
            member_fns: model.actors.iter().map(|a| vec![Mark::Unknown; a.fns.len()]).collect(),
        }
    }

    fn mark(&mut self, d: &Dep) -> Option<&mut Mark> {
        match *d {
            Dep::GlobalLet(i) => self.global.get_mut(i),
            Dep::MemberLet(a, i) => self.member.get_mut(a).and_then(|m| m.get_mut(i)),
            Dep::Fn(f) => self.fns.get_mut(f),
            Dep::MemberFn(a, f) => self.member_fns.get_mut(a).and_then(|m| m.get_mut(f)),
        }
    }

    /// Whether the let or function `d` depends on parameters alone (a cycle counts as not).
    fn dep(&mut self, d: Dep) -> bool {
        let model = self.model;
        let body = match d {
            Dep::GlobalLet(i) => model.lets.get(i).map(|l| &l.value),
            Dep::MemberLet(a, i) => model.actors.get(a).and_then(|x| x.lets.get(i)).map(|l| &l.value),
            Dep::Fn(f) => model.fns.get(f).map(|x| &x.body),
            Dep::MemberFn(a, f) => model.actors.get(a).and_then(|x| x.fns.get(f)).map(|x| &x.body),
        };
        let Some(body) = body else { return false };
        match self.mark(&d).map(|m| *m) {
            Some(Mark::Yes) => return true,
            Some(Mark::No | Mark::Busy) | None => return false,
            Some(Mark::Unknown) => {}
        }
        if let Some(m) = self.mark(&d) {
            *m = Mark::Busy;
        }
        let result = self.expr(body);
        if let Some(m) = self.mark(&d) {
            *m = if result { Mark::Yes } else { Mark::No };
        }
        result
    }

    fn expr(&mut self, e: &Expr) -> bool {
        let mut leaves_ok = true;
        let mut deps = Vec::new();
        visit(e, &mut |x| match &x.kind {
            ExprKind::Member {
                member: MemberRef::Choice(_) | MemberRef::Random(_) | MemberRef::Payoff | MemberRef::Licence(_),
                ..
            }
            | ExprKind::MarketPrice(_)
            | ExprKind::AuditProb(_)
            | ExprKind::Random(_)
            | ExprKind::FnRef(_)
            | ExprKind::Dist(..) => leaves_ok = false,
            ExprKind::Member { actor, member: MemberRef::Let(i), .. } => deps.push(Dep::MemberLet(*actor, *i)),
            ExprKind::Let(i) => deps.push(Dep::GlobalLet(*i)),
            // A detection function's call is a draw in a simulation round.
            ExprKind::Call(f, _) if self.model.detection(*f).is_some() => leaves_ok = false,
            ExprKind::Call(f, _) => deps.push(Dep::Fn(*f)),
            ExprKind::MemberCall { actor, func, .. } => deps.push(Dep::MemberFn(*actor, *func)),
            _ => {}
        });
        leaves_ok && deps.into_iter().all(|d| self.dep(d))
    }
}

/// Whose body is evaluated, for [`Env::current_member`]'s answer: the callee of the
/// innermost member-function call of the asked actor, else the member whose let or
/// payoff is evaluated.
#[derive(Debug, Clone, Copy, Default)]
struct Scope {
    /// The member whose body is evaluated (`None` at file scope).
    base: Option<(ActorId, i64)>,
    /// Where this body's frame starts on the stack (it runs to the top).
    frame: usize,
    /// Where this body's member-function callees start on `Fast::callees` (they run to
    /// the top).
    callees: usize,
}

/// How a new scope treats the member-function callees in effect.
pub(crate) enum Callees {
    /// A function body: the caller's callees stay in effect.
    Keep,
    /// A let's body: evaluated for its member alone.
    Reset,
    /// A member function's body: its instance joins the caller's callees.
    Push(ActorId, i64),
}

/// An evaluation session: evaluates any number of expressions against one environment,
/// sharing the lets computed on the way.
pub struct Fast<'a, E: Env + ?Sized> {
    model: &'a Model,
    env: &'a E,
    memo: &'a mut Memo,
    scope: Scope,
}

impl<'a, E: Env + ?Sized> Fast<'a, E> {
    /// A session over `env` (at file scope: the scope of each evaluation is given to it).
    pub fn new(model: &'a Model, env: &'a E, memo: &'a mut Memo) -> Fast<'a, E> {
        memo.epoch = memo.epoch.wrapping_add(1) % STATIC;
        clear(&mut memo.stack);
        clear(&mut memo.args);
        memo.nums.clear();
        memo.callees.clear();
        memo.numf.clear();
        memo.num_base = 0;
        Fast { model, env, memo, scope: Scope::default() }
    }

    /// Evaluates `e` inside member `at` (slot 0 is its index), or at file scope.
    pub fn eval(&mut self, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<Value> {
        self.enter(at);
        let r = self.val(e);
        self.leave();
        r
    }

    /// Evaluates `e` to a number inside member `at`, or at file scope.
    pub fn eval_num(&mut self, e: &Expr, at: Option<(ActorId, i64)>) -> EvalResult<f64> {
        self.enter(at);
        let r = self.num(e);
        self.leave();
        r
    }

    /// Starts a top-level body (the stack is empty between top-level evaluations).
    pub(crate) fn enter(&mut self, at: Option<(ActorId, i64)>) {
        clear(&mut self.memo.stack);
        self.memo.callees.clear();
        self.scope = Scope { base: at, frame: 0, callees: 0 };
        if let Some((_, i)) = at {
            self.memo.stack.push(Value::Num(i as f64));
        }
    }

    /// Starts a top-level body at file scope whose first local slots hold `locals` (the
    /// state variables of a simulation's metrics and updates).
    pub(crate) fn enter_locals(&mut self, locals: &[Value]) {
        self.enter(None);
        self.memo.stack.extend_from_slice(locals);
    }

    /// Ends a top-level body.
    pub(crate) fn leave(&mut self) {
        clear(&mut self.memo.stack);
        clear(&mut self.memo.args);
        self.memo.nums.clear();
    }

    /// Opens a frame holding the numbers `args` (for code compiled to keep its
    /// arguments as numbers); returns what [`Fast::pop_num_frame`] needs to close it.
    pub(crate) fn push_num_frame(&mut self, args: &[f64]) -> usize {
        let saved = self.memo.num_base;
        self.memo.num_base = self.memo.numf.len();
        self.memo.numf.extend_from_slice(args);
        saved
    }

    /// Closes the innermost frame of numbers.
    pub(crate) fn pop_num_frame(&mut self, saved: usize) {
        self.memo.numf.truncate(self.memo.num_base);
        self.memo.num_base = saved;
    }

    /// Number `k` of the innermost frame of numbers.
    pub(crate) fn num_local(&self, k: usize) -> f64 {
        self.memo.numf.get(self.memo.num_base + k).copied().unwrap_or(0.0)
    }

    /// The index in the row register (see [`Binding`]).
    pub(crate) fn row(&self) -> i64 {
        self.memo.row
    }

    /// The environment the leaves come from.
    pub(crate) fn env(&self) -> &'a E {
        self.env
    }

    /// The scope's member (`None` at file scope).
    pub(crate) fn base(&self) -> Option<(ActorId, i64)> {
        self.scope.base
    }

    /// Runs `f` in a new scope for `base` (or file scope) whose frame starts at `frame`
    /// and runs to the top of the stack; restores the caller's scope afterwards.
    pub(crate) fn in_scope<T>(
        &mut self,
        base: Option<(ActorId, i64)>,
        frame: usize,
        callees: Callees,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let mark = self.memo.callees.len();
        let from = match callees {
            Callees::Keep => self.scope.callees,
            Callees::Reset => mark,
            Callees::Push(a, i) => {
                self.memo.callees.push((a, i));
                self.scope.callees
            }
        };
        let saved = std::mem::replace(&mut self.scope, Scope { base, frame, callees: from });
        let r = f(self);
        self.memo.stack.truncate(frame);
        self.memo.callees.truncate(mark);
        self.scope = saved;
        r
    }

    /// A value of the current frame.
    pub(crate) fn local(&self, slot: LocalId, span: Span) -> EvalResult<&Value> {
        self.memo
            .stack
            .get(self.scope.frame + slot)
            .ok_or_else(|| EvalError { kind: EvalErrorKind::Shape(format!("unbound local {slot}")), span })
    }

    /// Makes slot `var` of the current frame writable (frames grow on demand, as in
    /// [`Evaluator`](super::Evaluator)).
    pub(crate) fn reserve(&mut self, var: LocalId) {
        let need = self.scope.frame + var + 1;
        if self.memo.stack.len() < need {
            self.memo.stack.resize(need, Value::Num(0.0));
        }
    }

    /// Binds slot `var` of the current frame (after [`Fast::reserve`]).
    pub(crate) fn set_local(&mut self, var: LocalId, v: Value) {
        let at = self.scope.frame + var;
        if let Some(slot) = self.memo.stack.get_mut(at) {
            *slot = v;
        }
    }

    /// The index of the instance of `actor` whose body is evaluated, when it is the
    /// scope's member (no member-function callee in effect).
    pub(crate) fn self_index(&self, actor: ActorId) -> Option<i64> {
        match self.scope.base {
            Some((a, i)) if a == actor && self.scope.callees == self.memo.callees.len() => Some(i),
            _ => None,
        }
    }

    /// The instance of `actor` whose body is evaluated.
    pub(crate) fn current_member(&self, actor: ActorId, span: Span) -> EvalResult<Value> {
        if self.scope.callees < self.memo.callees.len() {
            let callees = self.memo.callees.get(self.scope.callees..).unwrap_or(&[]);
            if let Some(&(a, i)) = callees.iter().rev().find(|(a, _)| *a == actor) {
                return Ok(Value::Member(a, i));
            }
        }
        match self.scope.base {
            Some((a, i)) if a == actor => Ok(Value::Member(a, i)),
            _ => self.env.current_member(actor, span),
        }
    }

    /// The index of the member of family `on` whose body is evaluated, if any: an audit's
    /// name and its detection function read that member's own draws.
    pub(crate) fn evaluated_member(&self, on: ActorId, span: Span) -> Option<i64> {
        self.self_index(on).or_else(|| match self.current_member(on, span) {
            Ok(Value::Member(_, index)) => Some(index),
            _ => None,
        })
    }

    /// The actor instance `of` denotes.
    pub(crate) fn member_of(&mut self, of: &Expr) -> EvalResult<(ActorId, i64)> {
        let v = match &of.kind {
            ExprKind::SelfMember(a) => self.current_member(*a, of.span)?,
            ExprKind::Local(slot) => match self.local(*slot, of.span)? {
                Value::Member(a, i) => return Ok((*a, *i)),
                other => other.clone(),
            },
            _ => self.val(of)?,
        };
        match v {
            Value::Member(a, i) => Ok((a, i)),
            other => err(EvalErrorKind::Shape(format!("expected an actor, found {other:?}")), of.span),
        }
    }

    /// Any value.
    pub(crate) fn val(&mut self, e: &Expr) -> EvalResult<Value> {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Param(id) => self.env.param(*id, span),
            ExprKind::Let(id) => self.global_let(*id, span),
            ExprKind::Random(id) => self.env.random(*id, span),
            ExprKind::Local(slot) => self.local(*slot, span).cloned(),
            ExprKind::SelfMember(actor) => self.current_member(*actor, span),
            ExprKind::Member { actor, member, of } => self.member(*actor, *member, of, span),
            ExprKind::MarketPrice(id) => self.env.market_price(*id, span),
            ExprKind::AuditProb(id) => {
                // Inside the audited family the name is the evaluated member's own audit.
                let on = self.model.audits.get(*id).and_then(|a| a.on);
                let member = on.and_then(|on| self.evaluated_member(on, span));
                self.audit(*id, member, span)
            }
            ExprKind::FnRef(_) | ExprKind::Dist(..) => {
                err(EvalErrorKind::NotConstant("a function or distribution is not a number".into()), span)
            }
            ExprKind::Call(id, args) => {
                let value = self.call(*id, args, span)?;
                detected(self.env, self.model, *id, |on| self.evaluated_member(on, span), value, span)
            }
            ExprKind::MemberCall { actor, func, of, args } => self.member_call(*actor, *func, of, args, span),
            ExprKind::Unary(UnOp::Not, _)
            | ExprKind::Binary(BinOp::And | BinOp::Or | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, ..)
            | ExprKind::Quantified { .. } => self.truth(e).map(Value::Bool),
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
                let (x, y) = (self.val(a)?, self.val(b)?);
                if !matches!(x, Value::Num(_)) {
                    let eq = x == y;
                    return Ok(Value::Bool(if *op == BinOp::Eq { eq } else { !eq }));
                }
                let (x, y) = (as_num(&x, a.span)?, as_num(&y, b.span)?);
                Ok(Value::Bool(if *op == BinOp::Eq { x == y } else { x != y }))
            }
            ExprKind::If(c, a, b) => {
                if self.truth(c)? {
                    self.val(a)
                } else {
                    self.val(b)
                }
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.val(i)?);
                }
                Ok(Value::List(out))
            }
            ExprKind::Index(base, index) => {
                if let ExprKind::Const(Value::List(items)) = &base.kind {
                    let i = self.num(index)?;
                    return index_list(items, i, index.span).cloned();
                }
                let b = self.val(base)?;
                let i = self.num(index)?;
                index_value(b, i, index.span)
            }
            ExprKind::Aggregate { op: op @ (AggOp::Count | AggOp::All | AggOp::Any), var, domain, filter, body } => {
                self.logical_aggregate(*op, *var, domain, filter.as_deref(), body)
            }
            ExprKind::Builtin(..)
            | ExprKind::Unary(UnOp::Neg, _)
            | ExprKind::Binary(..)
            | ExprKind::Aggregate { .. } => self.num(e).map(Value::Num),
        }
    }

    /// A number.
    pub(crate) fn num(&mut self, e: &Expr) -> EvalResult<f64> {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(Value::Num(x)) => Ok(*x),
            ExprKind::Local(slot) => match self.local(*slot, span)? {
                Value::Num(x) => Ok(*x),
                other => as_num(other, span),
            },
            ExprKind::MarketPrice(id) => as_num(&self.env.market_price(*id, span)?, span),
            ExprKind::Builtin(b, args) => {
                let start = self.memo.nums.len();
                for a in args {
                    let x = self.num(a)?;
                    self.memo.nums.push(x);
                }
                let r = builtin_nums(*b, &self.memo.nums[start..], span);
                self.memo.nums.truncate(start);
                r
            }
            ExprKind::Unary(UnOp::Neg, x) => Ok(-self.num(x)?),
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow), a, b) => {
                let (x, y) = (self.num(a)?, self.num(b)?);
                arithmetic(*op, x, y, span, b.span)
            }
            ExprKind::If(c, a, b) => {
                if self.truth(c)? {
                    self.num(a)
                } else {
                    self.num(b)
                }
            }
            ExprKind::Index(base, index) => {
                if let ExprKind::Const(Value::List(items)) = &base.kind {
                    let i = self.num(index)?;
                    return as_num(index_list(items, i, index.span)?, span);
                }
                as_num(&self.val(e)?, span)
            }
            ExprKind::Aggregate { op, var, domain, filter, body }
                if !matches!(op, AggOp::Count | AggOp::All | AggOp::Any) =>
            {
                self.numeric_aggregate(*op, *var, domain, filter.as_deref(), body, span)
            }
            _ => as_num(&self.val(e)?, span),
        }
    }

    /// A truth value.
    pub(crate) fn truth(&mut self, e: &Expr) -> EvalResult<bool> {
        match &e.kind {
            ExprKind::Unary(UnOp::Not, x) => Ok(!self.truth(x)?),
            ExprKind::Binary(BinOp::And, a, b) => Ok(self.truth(a)? && self.truth(b)?),
            ExprKind::Binary(BinOp::Or, a, b) => Ok(self.truth(a)? || self.truth(b)?),
            ExprKind::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), a, b) => {
                let (x, y) = (self.num(a)?, self.num(b)?);
                Ok(match op {
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    _ => x >= y,
                })
            }
            ExprKind::Quantified { quantifier, binders, body } => self.quantified(*quantifier, binders, body),
            _ => as_bool(&self.val(e)?, e.span),
        }
    }

    /// Global let `id`, memoised (evaluated at file scope: it reads no frame).
    pub(crate) fn global_let(&mut self, id: LetId, span: Span) -> EvalResult<Value> {
        let model = self.model;
        let Some(l) = model.lets.get(id) else {
            return err(EvalErrorKind::Shape("unknown let".into()), span);
        };
        let epoch = if self.memo.global_static.get(id).copied().unwrap_or(false) { STATIC } else { self.memo.epoch };
        self.file_scope(|m| m.global.get_mut(id), epoch, &l.value)
    }

    /// `e` evaluated at file scope, memoised in the slot `slot` picks, valid in `epoch`.
    fn file_scope(&mut self, slot: impl Fn(&mut Memo) -> Option<&mut Slot>, epoch: u64, e: &Expr) -> EvalResult<Value> {
        if let Some(Slot { epoch: at, value: Some(v) }) = slot(self.memo) {
            if *at == epoch {
                return Ok(v.clone());
            }
        }
        let frame = self.memo.stack.len();
        let v = self.in_scope(None, frame, Callees::Reset, |s| s.val(e))?;
        if let Some(memo) = slot(self.memo) {
            *memo = Slot { epoch, value: Some(v.clone()) };
        }
        Ok(v)
    }

    /// Audit `id`'s name as member `index` of its family sees it (`None`: outside the
    /// family). In equilibrium analysis that is its probability rule, computed at file
    /// scope once per session; otherwise the environment's answer.
    pub(crate) fn audit(&mut self, id: AuditId, index: Option<i64>, span: Span) -> EvalResult<Value> {
        let model = self.model;
        let Some(audit) = model.audits.get(id).filter(|_| self.env.audit_by_rule(id)) else {
            return match index {
                Some(index) => self.env.audit_of(id, index, span),
                None => self.env.audit_prob(id, span),
            };
        };
        let epoch = self.memo.epoch;
        self.file_scope(|m| m.audits.get_mut(id), epoch, &audit.prob)
    }

    fn member(&mut self, actor: ActorId, member: MemberRef, of: &Expr, span: Span) -> EvalResult<Value> {
        let (a, index) = self.member_of(of)?;
        if a != actor {
            return err(EvalErrorKind::Shape("member of another actor".into()), span);
        }
        match member {
            MemberRef::Let(i) => {
                self.env.check_member(a, index, span)?;
                self.member_let(a, index, i, span)
            }
            _ => self.env.member(a, index, member, span),
        }
    }

    /// Member let `i` of member `index` of `actor` (memoised).
    pub(crate) fn member_let(&mut self, actor: ActorId, index: i64, i: usize, span: Span) -> EvalResult<Value> {
        let model = self.model;
        let Some(l) = model.actors.get(actor).and_then(|a| a.lets.get(i)) else {
            return err(EvalErrorKind::Shape("unknown member let".into()), span);
        };
        self.member_let_with(actor, index, i, |s| s.val(&l.value))
    }

    /// Member let `i` (which exists) of member `index` of `actor`: memoised, else
    /// computed by `compute` in the member's scope (slot 0 its index).
    pub(crate) fn member_let_with(
        &mut self,
        actor: ActorId,
        index: i64,
        i: usize,
        compute: impl FnOnce(&mut Self) -> EvalResult<Value>,
    ) -> EvalResult<Value> {
        let count = self.model.actors.get(actor).map_or(0, |a| a.lets.len());
        let key = usize::try_from(index - 1).ok().map(|m| m * count + i).filter(|k| *k < MAX_MEMO);
        let epoch = if self.memo.is_static_member_let(actor, i) { STATIC } else { self.memo.epoch };
        if let Some(Slot { epoch: e, value: Some(v) }) = key.and_then(|k| self.memo.member.get(actor)?.get(k)) {
            if *e == epoch {
                return Ok(v.clone());
            }
        }
        let frame = self.memo.stack.len();
        self.memo.stack.push(Value::Num(index as f64));
        let v = self.in_scope(Some((actor, index)), frame, Callees::Reset, compute)?;
        if let Some((k, slots)) = key.zip(self.memo.member.get_mut(actor)) {
            if slots.len() <= k {
                slots.resize((k + 1).max(2 * slots.len()).min(MAX_MEMO), Slot::default());
            }
            slots[k] = Slot { epoch, value: Some(v.clone()) };
        }
        Ok(v)
    }

    /// Evaluates `args` onto the argument stack; returns where they start.
    fn push_args(&mut self, args: &[Expr]) -> EvalResult<usize> {
        let start = self.memo.args.len();
        for a in args {
            let v = self.val(a)?;
            self.memo.args.push(v);
        }
        Ok(start)
    }

    /// Where the next argument pushed goes (what [`Fast::open_frame`] takes as `start`).
    pub(crate) fn args_mark(&self) -> usize {
        self.memo.args.len()
    }

    /// Pushes an argument of a call about to open its frame.
    pub(crate) fn push_arg(&mut self, v: Value) {
        self.memo.args.push(v);
    }

    /// Takes back the arguments pushed from `start` on (a call that failed before its frame).
    pub(crate) fn truncate_args(&mut self, start: usize) {
        self.memo.args.truncate(start);
    }

    /// A new frame of `size` slots holding `first`, then the numbers `args`.
    pub(crate) fn open_frame_nums(&mut self, first: Option<f64>, args: &[f64], size: usize) -> usize {
        let frame = self.memo.stack.len();
        self.memo.stack.extend(first.into_iter().chain(args.iter().copied()).map(Value::Num));
        if self.memo.stack.len() < frame + size {
            self.memo.stack.resize(frame + size, Value::Num(0.0));
        }
        frame
    }

    /// Moves the arguments from `start` into a new frame of `size` slots after `first`.
    pub(crate) fn open_frame(&mut self, first: Option<Value>, start: usize, size: usize) -> usize {
        let frame = self.memo.stack.len();
        self.memo.stack.extend(first);
        let args = self.memo.args.drain(start..);
        self.memo.stack.extend(args);
        if self.memo.stack.len() < frame + size {
            self.memo.stack.resize(frame + size, Value::Num(0.0));
        }
        frame
    }

    fn call(&mut self, id: FnId, args: &[Expr], span: Span) -> EvalResult<Value> {
        let start = self.push_args(args)?;
        let model = self.model;
        let Some(f) = model.fns.get(id) else {
            self.memo.args.truncate(start);
            return err(EvalErrorKind::Shape("unknown fn".into()), span);
        };
        let frame = self.open_frame(None, start, f.frame_size);
        self.in_scope(self.scope.base, frame, Callees::Keep, |s| s.val(&f.body))
    }

    fn member_call(&mut self, actor: ActorId, func: usize, of: &Expr, args: &[Expr], span: Span) -> EvalResult<Value> {
        let start = self.push_args(args)?;
        let index = match self.member_of(of) {
            Ok((_, index)) => index,
            Err(e) => {
                self.memo.args.truncate(start);
                return Err(e);
            }
        };
        let model = self.model;
        let Some(f) = model.actors.get(actor).and_then(|a| a.fns.get(func)) else {
            self.memo.args.truncate(start);
            return err(EvalErrorKind::Shape("unknown member fn".into()), span);
        };
        let frame = self.open_frame(Some(Value::Num(index as f64)), start, f.frame_size);
        self.in_scope(self.scope.base, frame, Callees::Push(actor, index), |s| s.val(&f.body))
    }
}

/// `x op y` for the arithmetic operators, with [`Evaluator`](super::Evaluator)'s rules (`0 · ∞ = 0`,
/// division by zero and non-finite results are errors).
#[inline]
pub(crate) fn arithmetic(op: BinOp, x: f64, y: f64, span: Span, rhs: Span) -> EvalResult<f64> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => {
            if x == 0.0 || y == 0.0 {
                0.0
            } else {
                x * y
            }
        }
        BinOp::Div => {
            if y == 0.0 {
                return err(EvalErrorKind::DivisionByZero, rhs);
            }
            x / y
        }
        _ => power(x, y, span)?,
    };
    if r.is_nan() {
        return err(EvalErrorKind::NonFinite, span);
    }
    Ok(r)
}

mod aggregate;
#[cfg(test)]
pub(crate) mod tests;

pub(crate) use aggregate::{logical, Acc, Binding};
