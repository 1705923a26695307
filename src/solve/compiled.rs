//! The expressions a solve evaluates most — payoffs, threshold rules, market demand and
//! supply, cap sides — compiled once per solve into closures over the fast evaluator's
//! session. Parameters are fixed for a solve, so they are folded to constants; a payoff
//! is also compiled for each member that evaluates it, with the member's own parameters
//! and parameter-only lets folded, its choices read directly, and small function bodies
//! run on a frame of numbers. The common node shapes (arithmetic, builtins, comparisons,
//! `if`, members, prices, calls, sums over families and ranges) get their own closure;
//! any other node is handed to the fast evaluator. Either way every node computes exactly
//! what [`Fast`] does — in the same order, with the same errors.

use super::flat::{stored, Index, Op, Program};
use super::state::{RunEnv, State};
use crate::eval::fast::{arithmetic, parameters_alone, Callees, Fast};
use crate::eval::{as_bool, as_num, builtin_nums, err, Env, EvalError, EvalErrorKind, EvalResult};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{AggOp, BinOp, UnOp};
use foldhash::{HashMap, HashMapExt};
use std::cell::OnceCell;
use std::rc::Rc;

/// A session of the fast evaluator over the solver's state.
pub type Session<'a, 'b> = Fast<'a, RunEnv<'b>>;

/// What compiled code returns: a failure is boxed, so a result fits in two registers.
pub type Run<T> = Result<T, Box<EvalError>>;

/// Compiled code yielding a `T`.
pub type Closure<'m, T> = Rc<dyn for<'a, 'b> Fn(&mut Session<'a, 'b>) -> Run<T> + 'm>;
/// Compiled code yielding a number.
pub type NumCode<'m> = Closure<'m, f64>;
/// Compiled code yielding a truth value.
type TruthCode<'m> = Closure<'m, bool>;
/// Compiled code yielding any value.
pub type ValueCode<'m> = Closure<'m, Value>;
/// Compiled code naming an actor instance.
type MemberCode<'m> = Closure<'m, (ActorId, i64)>;

/// How deep calls are compiled into their callers before the fast evaluator takes over
/// (a bound for pathological programs, not a limit on what can be evaluated).
const MAX_INLINE: usize = 8;

/// Most arguments of a call compiled into its caller.
const MAX_ARGS: usize = 8;

/// Largest family whose parameter-only lets are cached per member by compiled code.
const MAX_CACHED: usize = 1 << 20;

/// Whether member let `i` of an actor depends on parameters alone.
pub type Statics<'s> = dyn Fn(ActorId, usize) -> bool + 's;

/// The value of a parameter-only member let, if it evaluates to a number:
/// `(actor, member index, let)`.
pub type FoldLet<'f> = dyn FnMut(ActorId, i64, usize) -> Option<f64> + 'f;

/// The compiled expressions of one solve that are the same for every member.
pub struct Code<'m> {
    /// Each actor's payoff for any member, compiled on first use (by the members that
    /// have no code of their own).
    payoff: Vec<OnceCell<Option<NumCode<'m>>>>,
    /// Each threshold's condition and penalty (file scope).
    pub thresholds: Vec<(ValueCode<'m>, Option<NumCode<'m>>)>,
    /// Each market's demand and supply (file scope).
    pub markets: Vec<(NumCode<'m>, NumCode<'m>)>,
    /// Each cap's sides (file scope).
    pub caps: Vec<(NumCode<'m>, NumCode<'m>)>,
    /// The global lets its compilers fold, each evaluated once.
    folded: FoldedLets,
}

/// Per global let, its value once a compiler has needed it folded: a number when the let
/// depends on parameters alone and evaluates to one (the same for every compiler of a
/// solve, which all fold the same parameter values).
type FoldedLets = Rc<[OnceCell<Option<f64>>]>;

/// No global let folded yet.
fn folded_lets(model: &Model) -> FoldedLets {
    model.lets.iter().map(|_| OnceCell::new()).collect()
}

impl<'m> Code<'m> {
    /// Compiles what a solve of `model` from `state` (its parameter values) evaluates.
    pub fn new(model: &'m Model, state: &State, statics: &Statics<'_>) -> Code<'m> {
        let folded = folded_lets(model);
        let mut c = Compiler::new(model, state, statics, folded.clone(), Who::Unknown, None);
        Code {
            folded,
            payoff: model.actors.iter().map(|_| OnceCell::new()).collect(),
            thresholds: model
                .thresholds
                .iter()
                .map(|t| (c.value(&t.condition), t.penalty.as_ref().map(|p| c.num(p))))
                .collect(),
            markets: model.markets.iter().map(|m| (c.num(&m.demand), c.num(&m.supply))).collect(),
            caps: model.caps.iter().map(|k| (c.num(&k.lhs), c.num(&k.rhs))).collect(),
        }
    }

    /// `actor`'s payoff compiled for any member, with the parameter values of `state`
    /// (those the code was made with); `None` without a payoff.
    pub fn payoff(
        &self,
        model: &'m Model,
        state: &State,
        statics: &Statics<'_>,
        actor: ActorId,
    ) -> Option<&NumCode<'m>> {
        let cell = self.payoff.get(actor)?;
        cell.get_or_init(|| {
            let p = model.actors.get(actor)?.payoff.as_ref()?;
            Some(Compiler::new(model, state, statics, self.folded.clone(), Who::Unknown, None).num(p))
        })
        .as_ref()
    }

    /// The payoff of member `index` of `actor`, compiled for that member, with its flat
    /// program when it is straight-line code (`None` without a payoff).
    pub fn member_payoff(
        &self,
        model: &'m Model,
        state: &State,
        actor: ActorId,
        index: i64,
        statics: &Statics<'_>,
        fold: &mut FoldLet<'_>,
    ) -> Option<(NumCode<'m>, Option<Program>)> {
        let p = model.actors.get(actor)?.payoff.as_ref()?;
        let who = Who::Known(actor, Index::At(index));
        let mut c = Compiler::new(model, state, statics, self.folded.clone(), who, Some(fold));
        let code = c.num(p);
        let program = c.ops(&code).and_then(|ops| Program::new(&ops));
        Some((code, program))
    }
}

/// Compiles expressions beyond a solve's own (what a simulation round evaluates), with
/// the parameters of the state it is made with folded and function bodies shared.
pub struct Compile<'m, 'p>(Compiler<'m, 'p, 'p>);

impl<'m, 'p> Compile<'m, 'p> {
    /// A compiler for `model` with the parameter values of `state`.
    pub fn new(model: &'m Model, state: &'p State, statics: &'p Statics<'p>) -> Compile<'m, 'p> {
        Compile(Compiler::new(model, state, statics, folded_lets(model), Who::Unknown, None))
    }

    /// Code for the number `e` evaluates to, in the scope it runs in.
    pub fn num(&mut self, e: &'m Expr) -> NumCode<'m> {
        self.0.num(e)
    }

    /// Code for the value `e` evaluates to, in the scope it runs in.
    pub fn value(&mut self, e: &'m Expr) -> ValueCode<'m> {
        self.0.value(e)
    }
}

/// Whose body is compiled, as far as is known before running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    /// Decided at run time (the scope's member, or a member-function callee).
    Unknown,
    /// This member: its body, or a member function called on it.
    Known(ActorId, Index),
}

/// Where the locals of the body being compiled live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Frame {
    /// The top of a member's or the file's body: the evaluator's frame, slot 0 the index.
    Top,
    /// A function body on the evaluator's frame.
    Values,
    /// A function body whose `n` arguments are numbers on a frame of numbers; only code
    /// that needs nothing else may run there.
    Nums(usize),
    /// A known member's let, compiled into where it is used: no frame of its own, so only
    /// code that reads no local but the member's index may run there.
    Let,
}

/// What the body of an aggregate over a family's members, read through the row
/// register, is compiled with: the binder's slot and the family.
type Row = Option<(LocalId, ActorId)>;

/// A call being compiled: the expression, the function (`owner` `None`) or member
/// function (`owner`'s, on the instance `of`) it calls, and its arguments.
#[derive(Clone, Copy)]
struct Call<'m> {
    e: &'m Expr,
    owner: Option<ActorId>,
    id: usize,
    func: &'m Func,
    of: Option<&'m Expr>,
    args: &'m [Expr],
}

/// Member lets with at most this many nodes are compiled into where they are used
/// instead of being memoised.
const INLINE_LET: usize = 32;

/// Compiles expressions of one model.
struct Compiler<'m, 'p, 'f> {
    model: &'m Model,
    state: &'p State,
    statics: &'p Statics<'p>,
    fold: Option<&'p mut FoldLet<'f>>,
    /// Global lets folded so far, shared with the solve's other compilers.
    folded: FoldedLets,
    who: Who,
    frame: Frame,
    /// Set while the body of an aggregate over a family's members is compiled: its
    /// binder's members are read through the row register.
    row: Row,
    depth: usize,
    /// Set when code for a [`Frame::Nums`] body needed the evaluator's frame after all.
    impure: bool,
    /// Set when code may read the frame of the body it is compiled in (a local, or
    /// anything the fast evaluator evaluates there).
    framed: bool,
    /// Function bodies compiled so far, by function and context.
    fns: HashMap<(Option<ActorId>, usize, Who, Frame), NumCode<'m>>,
    /// Function bodies being compiled (a recursive call is not compiled into itself).
    busy: Vec<(Option<ActorId>, usize)>,
    /// Member let bodies compiled so far, by actor, let and member (`None`: any member).
    lets: HashMap<(ActorId, usize, Who), Option<NumCode<'m>>>,
    /// Known members' lets compiled into where they are used (`None`: not possible).
    inlined: HashMap<(ActorId, usize, Who), Option<NumCode<'m>>>,
    /// The same for lets of any type.
    inlined_values: HashMap<(ActorId, usize, Who), Option<ValueCode<'m>>>,
    /// Audit probability rules compiled so far (`None`: not possible).
    rules: HashMap<AuditId, Option<NumCode<'m>>>,
    /// The flat program of each closure that has one (by address; the closures are kept
    /// here so no address is reused while compiling).
    flat: HashMap<usize, Rc<[Op]>>,
    kept: Vec<NumCode<'m>>,
}

fn address(code: &NumCode<'_>) -> usize {
    Rc::as_ptr(code).cast::<()>() as usize
}

impl<'m, 'p, 'f> Compiler<'m, 'p, 'f> {
    fn new(
        model: &'m Model,
        state: &'p State,
        statics: &'p Statics<'p>,
        folded: FoldedLets,
        who: Who,
        fold: Option<&'p mut FoldLet<'f>>,
    ) -> Self {
        Compiler {
            model,
            state,
            statics,
            folded,
            fold,
            who,
            frame: Frame::Top,
            row: None,
            depth: 0,
            impure: false,
            framed: false,
            fns: HashMap::new(),
            busy: Vec::new(),
            lets: HashMap::new(),
            inlined: HashMap::new(),
            inlined_values: HashMap::new(),
            rules: HashMap::new(),
            flat: HashMap::new(),
            kept: Vec::new(),
        }
    }

    /// Code yielding `x`.
    fn constant(&mut self, x: f64) -> NumCode<'m> {
        self.with_ops(Rc::new(move |_| Ok(x)), Some(vec![Op::Const(x)]))
    }

    /// `code`, recorded with the flat program that computes the same, if there is one.
    fn with_ops(&mut self, code: NumCode<'m>, ops: Option<Vec<Op>>) -> NumCode<'m> {
        if let Some(ops) = ops {
            self.flat.insert(address(&code), ops.into());
            self.kept.push(code.clone());
        }
        code
    }

    /// The flat program of `code`, if it has one.
    fn ops(&self, code: &NumCode<'m>) -> Option<Rc<[Op]>> {
        self.flat.get(&address(code)).cloned()
    }

    /// The concatenated programs of `codes` followed by `last`, if all have one.
    fn ops_then(&self, codes: &[&NumCode<'m>], last: &[Op]) -> Option<Vec<Op>> {
        let mut out = Vec::new();
        for c in codes {
            out.extend_from_slice(&self.ops(c)?);
        }
        out.extend_from_slice(last);
        Some(out)
    }

    /// The value of `code`, if it is a constant.
    fn known_value(&self, code: &NumCode<'m>) -> Option<f64> {
        match self.flat.get(&address(code)).map(|ops| &ops[..]) {
            Some([Op::Const(x)]) => Some(*x),
            _ => None,
        }
    }

    /// Whether the body being compiled has no evaluator frame of its own.
    fn confined(&self) -> bool {
        matches!(self.frame, Frame::Nums(_) | Frame::Let)
    }

    /// Notes that the code being compiled reads the evaluator's frame.
    fn reads_frame(&mut self) {
        self.framed = true;
        self.impure |= self.confined();
    }

    /// The fast evaluator's code for `e` (which needs the evaluator's frame).
    fn delegate_num(&mut self, e: &'m Expr) -> NumCode<'m> {
        self.reads_frame();
        Rc::new(move |f| Ok(f.num(e)?))
    }

    fn num(&mut self, e: &'m Expr) -> NumCode<'m> {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(Value::Num(x)) => self.constant(*x),
            ExprKind::Param(id) => match self.state.params.get(*id) {
                Some(Value::Num(x)) => self.constant(*x),
                _ => self.delegate_num(e),
            },
            ExprKind::Local(slot) => self.local(*slot, span),
            ExprKind::Let(id) => self.global_let(*id, span),
            ExprKind::MarketPrice(id) => {
                let id = *id;
                self.with_ops(
                    Rc::new(move |f| Ok(as_num(&f.env().market_price(id, span)?, span)?)),
                    Some(vec![Op::Price(id, span)]),
                )
            }
            ExprKind::Member { actor, member, of } => self.member(*actor, *member, of, span),
            ExprKind::AuditProb(id) => self.audit(*id, span),
            ExprKind::Unary(UnOp::Neg, x) => {
                let x = self.num(x);
                if let Some(v) = self.known_value(&x) {
                    return self.constant(-v);
                }
                let ops = self.ops_then(&[&x], &[Op::Neg]);
                self.with_ops(Rc::new(move |f| Ok(-x(f)?)), ops)
            }
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow), a, b) => {
                let (op, rhs) = (*op, b.span);
                let (a, b) = (self.num(a), self.num(b));
                // Folded only when it succeeds: a failure must happen when it is reached.
                if let (Some(x), Some(y)) = (self.known_value(&a), self.known_value(&b)) {
                    if let Ok(r) = arithmetic(op, x, y, span, rhs) {
                        return self.constant(r);
                    }
                }
                let ops = self.ops_then(&[&a, &b], &[Op::Arith(op, span, rhs)]);
                // A constant operand is not a call (evaluating it does nothing else).
                match (self.known_value(&a), self.known_value(&b)) {
                    (Some(x), _) => {
                        return self.with_ops(Rc::new(move |f| lift(arithmetic(op, x, b(f)?, span, rhs))), ops)
                    }
                    (_, Some(y)) => {
                        return self.with_ops(Rc::new(move |f| lift(arithmetic(op, a(f)?, y, span, rhs))), ops)
                    }
                    _ => {}
                }
                let code: NumCode<'m> = match op {
                    BinOp::Add => Rc::new(move |f| {
                        let x = a(f)?;
                        lift(not_nan(x + b(f)?, span))
                    }),
                    BinOp::Sub => Rc::new(move |f| {
                        let x = a(f)?;
                        lift(not_nan(x - b(f)?, span))
                    }),
                    _ => Rc::new(move |f| {
                        let x = a(f)?;
                        lift(arithmetic(op, x, b(f)?, span, rhs))
                    }),
                };
                self.with_ops(code, ops)
            }
            ExprKind::Builtin(b, args) if args.len() <= 3 => self.builtin(*b, args, span),
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.truth(c), self.num(a), self.num(b));
                Rc::new(move |f| if c(f)? { a(f) } else { b(f) })
            }
            ExprKind::Aggregate { op: op @ (AggOp::Count | AggOp::All | AggOp::Any), var, domain, filter, body } => {
                match self.logical(*op, *var, domain, filter.as_deref(), body) {
                    Some(code) => Rc::new(move |f| Ok(as_num(&code(f)?, span)?)),
                    None => self.delegate_num(e),
                }
            }
            ExprKind::Aggregate { op, var, domain, filter, body } => {
                match self.aggregate(*op, *var, domain, filter.as_deref(), body, span) {
                    Some(code) => code,
                    None => self.delegate_num(e),
                }
            }
            ExprKind::Call(id, _) if self.model.detection(*id).is_some() => self.detection(e, *id),
            ExprKind::Call(id, args) if self.depth < MAX_INLINE && args.len() <= MAX_ARGS => {
                match self.model.fns.get(*id) {
                    Some(func) if args.iter().all(|a| self.numeric(a)) => {
                        self.call(Call { e, owner: None, id: *id, func, of: None, args })
                    }
                    Some(func) => self.call_values(Call { e, owner: None, id: *id, func, of: None, args }),
                    None => self.delegate_num(e),
                }
            }
            ExprKind::MemberCall { actor, func, of, args } if self.depth < MAX_INLINE && args.len() <= MAX_ARGS => {
                match self.model.actors.get(*actor).and_then(|a| a.fns.get(*func)) {
                    Some(fun) if args.iter().all(|a| self.numeric(a)) => {
                        self.call(Call { e, owner: Some(*actor), id: *func, func: fun, of: Some(of), args })
                    }
                    Some(fun) => {
                        self.call_values(Call { e, owner: Some(*actor), id: *func, func: fun, of: Some(of), args })
                    }
                    None => self.delegate_num(e),
                }
            }
            _ => self.delegate_num(e),
        }
    }

    /// A global let: folded when it depends on parameters alone and is a number (as
    /// parameters are), else its memoised value, evaluated at file scope (no frame read).
    fn global_let(&mut self, id: LetId, span: Span) -> NumCode<'m> {
        let (model, state) = (self.model, self.state);
        let folded = self.folded.get(id).and_then(|cell| {
            *cell.get_or_init(|| {
                let l = model.lets.get(id).filter(|l| parameters_alone(model, &l.value))?;
                RunEnv::new(model, state).eval_num(&l.value).ok()
            })
        });
        match folded {
            Some(x) => self.constant(x),
            None => Rc::new(move |f| Ok(as_num(&f.global_let(id, span)?, span)?)),
        }
    }

    /// A call of audit's detection function `id` as [`Fast`] reads it: inside the audited
    /// family the evaluated member's detection (`Env::detect_of`), elsewhere its value.
    /// Never folded: in a simulation round it is a draw. (Should the call itself fall back
    /// to the fast evaluator, which applies the detection too, applying it again changes
    /// nothing: a 0 or 1 is detected as itself.)
    fn detection(&mut self, e: &'m Expr, id: FnId) -> NumCode<'m> {
        let ExprKind::Call(_, args) = &e.kind else { return self.delegate_num(e) };
        let Some((audit, on)) = self.model.detection(id) else { return self.delegate_num(e) };
        let p = match self.model.fns.get(id) {
            Some(func) if self.depth < MAX_INLINE && args.len() <= MAX_ARGS && args.iter().all(|a| self.numeric(a)) => {
                self.call(Call { e, owner: None, id, func, of: None, args })
            }
            _ => return self.delegate_num(e),
        };
        let span = e.span;
        if let Who::Known(a, index) = self.who {
            if a == on {
                let ops = self.ops_then(&[&p], &[Op::Detect(audit, index, span)]);
                let code: NumCode<'m> = Rc::new(move |f| {
                    let p = p(f)?;
                    Ok(as_num(&f.env().detect_of(audit, index.get(f), p, span)?, span)?)
                });
                return self.with_ops(code, ops);
            }
        }
        Rc::new(move |f| {
            let p = p(f)?;
            match f.evaluated_member(on, span) {
                Some(index) => Ok(as_num(&f.env().detect_of(audit, index, p, span)?, span)?),
                None => Ok(p),
            }
        })
    }

    /// An audit's name as [`Fast`] reads it: inside its family the evaluated member's own
    /// audit, elsewhere its probability (reads no local, so any frame may run it).
    fn audit(&mut self, id: AuditId, span: Span) -> NumCode<'m> {
        let asked = self.audit_asked(id, span);
        let Some(rule) = self.audit_rule(id) else { return asked };
        // In equilibrium analysis the name is the probability rule, run here compiled;
        // in a simulation round (or removed by a scenario) what the environment says.
        let ops = match (self.ops(&asked).as_deref(), self.ops(&rule)) {
            (Some([Op::Audit(id, index, span, 0)]), Some(rule)) if Program::new(&rule).is_some() => {
                let mut ops = vec![Op::Audit(*id, *index, *span, rule.len())];
                ops.extend_from_slice(&rule);
                Some(ops)
            }
            (asked, _) => asked.map(<[Op]>::to_vec),
        };
        let code: NumCode<'m> = Rc::new(move |f| if f.env().audit_by_rule(id) { rule(f) } else { asked(f) });
        self.with_ops(code, ops)
    }

    /// Audit `id`'s name as the session reports it (see [`Fast::audit`]).
    fn audit_asked(&mut self, id: AuditId, span: Span) -> NumCode<'m> {
        let Some(on) = self.model.audits.get(id).and_then(|a| a.on) else {
            return Rc::new(move |f| Ok(as_num(&f.audit(id, None, span)?, span)?));
        };
        if let Who::Known(a, index) = self.who {
            if a == on {
                let code: NumCode<'m> = Rc::new(move |f| {
                    let index = index.get(f);
                    Ok(as_num(&f.audit(id, Some(index), span)?, span)?)
                });
                return self.with_ops(code, Some(vec![Op::Audit(id, index, span, 0)]));
            }
        }
        Rc::new(move |f| {
            let index = f.evaluated_member(on, span);
            Ok(as_num(&f.audit(id, index, span)?, span)?)
        })
    }

    /// Audit `id`'s probability rule compiled at file scope, if its code reads no frame
    /// (so it runs the same wherever the name appears); `None` otherwise.
    fn audit_rule(&mut self, id: AuditId) -> Option<NumCode<'m>> {
        if let Some(code) = self.rules.get(&id) {
            return code.clone();
        }
        let audit = self.model.audits.get(id)?;
        // A rule that names its own audit is not compiled into itself.
        self.rules.insert(id, None);
        let saved = (self.who, self.frame, self.row, self.framed, self.impure);
        (self.who, self.frame, self.row, self.framed) = (Who::Unknown, Frame::Top, None, false);
        let code = self.num(&audit.prob);
        let code = (!self.framed).then_some(code);
        (self.who, self.frame, self.row, self.framed, self.impure) = saved;
        self.rules.insert(id, code.clone());
        code
    }

    /// Whether `e` is a number (by its type, or, in a generic function's body, by its shape).
    fn numeric(&self, e: &Expr) -> bool {
        match &e.kind {
            _ if matches!(e.ty, Type::Num(..)) => true,
            ExprKind::Const(Value::Num(_))
            | ExprKind::Builtin(..)
            | ExprKind::Unary(UnOp::Neg, _)
            | ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow, ..) => true,
            ExprKind::Local(k) => matches!(self.frame, Frame::Nums(n) if *k < n),
            _ => false,
        }
    }

    /// The compiled body of member let `i` of `actor` for `who`, if it is a number.
    fn let_body(&mut self, actor: ActorId, i: usize, who: Who) -> Option<NumCode<'m>> {
        if let Some(code) = self.lets.get(&(actor, i, who)) {
            return code.clone();
        }
        let l = self.model.actors.get(actor)?.lets.get(i)?;
        if !matches!(l.value.ty, Type::Num(..)) {
            return None;
        }
        // Marks the let as in progress (lets are acyclic; this only bounds the work).
        self.lets.insert((actor, i, who), None);
        let saved = (self.who, self.frame, self.impure, self.row, self.framed);
        (self.who, self.frame, self.impure, self.row, self.framed) = (who, Frame::Top, false, None, false);
        self.depth += 1;
        let code = self.num(&l.value);
        self.depth -= 1;
        (self.who, self.frame, self.impure, self.row, self.framed) = saved;
        self.lets.insert((actor, i, who), Some(code.clone()));
        Some(code)
    }

    /// Let `i` of the known member `index` of `actor` compiled into where it is used, if
    /// it is small and needs no frame (it is then recomputed instead of memoised: the
    /// same value either way).
    fn inline_let(&mut self, actor: ActorId, index: Index, i: usize) -> Option<NumCode<'m>> {
        let who = Who::Known(actor, index);
        if let Some(code) = self.inlined.get(&(actor, i, who)) {
            return code.clone();
        }
        let l = self.small_let(actor, i).filter(|l| matches!(l.value.ty, Type::Num(..)))?;
        self.inlined.insert((actor, i, who), None);
        let (code, pure) = self.in_place(who, |c| c.num(&l.value));
        // Its operations marked as the let's, so a flat program computes it once.
        if let Some(ops) = self.ops(&code).filter(|ops| ops.len() > 1) {
            let mut marked = vec![Op::Let(actor, i, index, ops.len())];
            marked.extend_from_slice(&ops);
            self.flat.insert(address(&code), marked.into());
        }
        let code = pure.then_some(code);
        self.inlined.insert((actor, i, who), code.clone());
        code
    }

    /// Let `i` of the known member `index` of `actor`, of any type, compiled into where it
    /// is used if it is small and needs no frame (as [`Compiler::inline_let`] for numbers).
    fn inline_value_let(&mut self, actor: ActorId, index: Index, i: usize) -> Option<ValueCode<'m>> {
        let who = Who::Known(actor, index);
        if let Some(code) = self.inlined_values.get(&(actor, i, who)) {
            return code.clone();
        }
        let l = self.small_let(actor, i)?;
        self.inlined_values.insert((actor, i, who), None);
        let (code, pure) = self.in_place(who, |c| c.value(&l.value));
        let code = pure.then_some(code);
        self.inlined_values.insert((actor, i, who), code.clone());
        code
    }

    /// Let `i` of `actor`, if it is small enough to compile into where it is used (and
    /// inlining has not gone too deep).
    fn small_let(&self, actor: ActorId, i: usize) -> Option<&'m Let> {
        let l = self.model.actors.get(actor)?.lets.get(i)?;
        let mut size = 0;
        crate::check::visit(&l.value, &mut |_| size += 1);
        (self.depth < MAX_INLINE && size <= INLINE_LET).then_some(l)
    }

    /// Code `compile` makes for a let of member `who` with no frame of its own, and
    /// whether it needed none.
    fn in_place<T>(&mut self, who: Who, compile: impl FnOnce(&mut Self) -> T) -> (T, bool) {
        let saved = (self.who, self.frame, self.impure, self.row, self.framed);
        (self.who, self.frame, self.impure, self.row, self.framed) = (who, Frame::Let, false, None, false);
        self.depth += 1;
        let code = compile(self);
        self.depth -= 1;
        let pure = !self.impure;
        (self.who, self.frame, self.impure, self.row, self.framed) = saved;
        (code, pure)
    }

    fn local(&mut self, slot: LocalId, span: Span) -> NumCode<'m> {
        match (self.frame, self.who) {
            (Frame::Top | Frame::Let, Who::Known(_, index)) if slot == 0 => self.index(index),
            (Frame::Nums(n), _) if slot < n => {
                self.with_ops(Rc::new(move |f| Ok(f.num_local(slot))), Some(vec![Op::Arg(slot)]))
            }
            _ => {
                self.reads_frame();
                Rc::new(move |f| Ok(as_num(f.local(slot, span)?, span)?))
            }
        }
    }

    /// Code yielding a member's index.
    fn index(&mut self, index: Index) -> NumCode<'m> {
        match index {
            Index::At(i) => self.constant(i as f64),
            Index::Row => self.with_ops(Rc::new(move |f| Ok(f.row() as f64)), Some(vec![Op::Row])),
        }
    }

    fn builtin(&mut self, b: Builtin, args: &'m [Expr], span: Span) -> NumCode<'m> {
        let args: Vec<NumCode<'m>> = args.iter().map(|a| self.num(a)).collect();
        let known: Option<Vec<f64>> = args.iter().map(|a| self.known_value(a)).collect();
        if let Some(Ok(r)) = known.map(|xs| builtin_nums(b, &xs, span)) {
            return self.constant(r);
        }
        let ops = self.ops_then(&args.iter().collect::<Vec<_>>(), &[Op::Builtin(b, args.len(), span)]);
        let code: NumCode<'m> = match args.as_slice() {
            [x] => {
                let x = x.clone();
                Rc::new(move |f| Ok(builtin_nums(b, &[x(f)?], span)?))
            }
            [x, y] => {
                let (x, y) = (x.clone(), y.clone());
                Rc::new(move |f| {
                    let a = x(f)?;
                    Ok(builtin_nums(b, &[a, y(f)?], span)?)
                })
            }
            _ => Rc::new(move |f| {
                let mut nums = [0.0; 3];
                for (slot, a) in nums.iter_mut().zip(&args) {
                    *slot = a(f)?;
                }
                Ok(builtin_nums(b, &nums[..args.len()], span)?)
            }),
        };
        self.with_ops(code, ops)
    }

    /// A call of a function (`owner` `None`) or member function, with numeric arguments:
    /// the arguments first, then the instance, then the body in a new frame.
    fn call(&mut self, Call { e, owner, id, func, of, args }: Call<'m>) -> NumCode<'m> {
        let n = args.len();
        let args: Vec<NumCode<'m>> = args.iter().map(|a| self.num(a)).collect();
        let arg_codes = args.clone();
        let eval_args = move |f: &mut Session<'_, '_>, values: &mut [f64]| -> Run<()> {
            for (v, a) in values.iter_mut().zip(&args) {
                *v = a(f)?;
            }
            Ok(())
        };
        if let Some(who) = self.callee(owner, of) {
            // A member function's frame starts with its instance's index.
            let first = match (owner, who) {
                (Some(_), Who::Known(_, i)) => Some(i),
                _ => None,
            };
            let slots = n + usize::from(first.is_some());
            if let Some(body) = self.body((owner, id, who, Frame::Nums(slots)), &func.body) {
                let mut ops = match first {
                    Some(Index::At(i)) => vec![Op::Const(i as f64)],
                    Some(Index::Row) => vec![Op::Row],
                    None => Vec::new(),
                };
                let flat = self.ops_then(&arg_codes.iter().collect::<Vec<_>>(), &[Op::Call(slots)]).and_then(|call| {
                    let body = self.ops(&body)?;
                    ops.extend(call);
                    ops.extend_from_slice(&body);
                    ops.push(Op::Return);
                    Some(ops)
                });
                // A call that reads nothing (constant arguments, a pure body) is its value.
                if let Some(x) = flat.as_deref().and_then(Program::new).and_then(|p| p.constant()) {
                    return self.constant(x);
                }
                // Arguments as numbers, no evaluator frame: the body needs none.
                let code: NumCode<'m> = Rc::new(move |f| {
                    let mut values = [0.0; MAX_ARGS + 1];
                    let (head, rest) = values.split_at_mut(usize::from(first.is_some()));
                    if let (Some(x), Some(slot)) = (first, head.first_mut()) {
                        *slot = x.get(f) as f64;
                    }
                    eval_args(f, rest)?;
                    let saved = f.push_num_frame(&values[..slots]);
                    let r = body(f);
                    f.pop_num_frame(saved);
                    r
                });
                return self.with_ops(code, flat);
            }
        }
        let Some(body) = self.body((owner, id, Who::Unknown, Frame::Values), &func.body) else {
            return self.delegate_num(e);
        };
        let size = func.frame_size;
        match (owner, of) {
            (Some(actor), Some(of)) => {
                let of = self.member_of(of);
                Rc::new(move |f| {
                    let mut values = [0.0; MAX_ARGS];
                    eval_args(f, &mut values)?;
                    let (_, index) = of(f)?;
                    let frame = f.open_frame_nums(Some(index as f64), &values[..n], size);
                    f.in_scope(f.base(), frame, Callees::Push(actor, index), |s| body(s))
                })
            }
            _ => {
                self.impure |= self.confined();
                Rc::new(move |f| {
                    let mut values = [0.0; MAX_ARGS];
                    eval_args(f, &mut values)?;
                    let frame = f.open_frame_nums(None, &values[..n], size);
                    f.in_scope(f.base(), frame, Callees::Keep, |s| body(s))
                })
            }
        }
    }

    /// The instance a call of a function (`owner` `None`: the caller's) or member function
    /// runs in, when it is known now.
    fn callee(&self, owner: Option<ActorId>, of: Option<&'m Expr>) -> Option<Who> {
        match (owner, of.map(|o| &o.kind)) {
            (None, _) => Some(self.who),
            (Some(a), Some(ExprKind::SelfMember(s))) if *s == a => match self.who {
                Who::Known(w, i) if w == a => Some(Who::Known(w, i)),
                _ => None,
            },
            (Some(_), Some(ExprKind::Const(Value::Member(a, i)))) => Some(Who::Known(*a, Index::At(*i))),
            (Some(a), Some(ExprKind::Local(_))) => match of.and_then(|o| self.known(o)) {
                Some((k, index)) if k == a => Some(Who::Known(k, index)),
                _ => None,
            },
            _ => None,
        }
    }

    /// A call whose arguments are not all numbers (an enumeration's variant, a truth
    /// value): the arguments as values on the evaluator's frame, as [`Fast`] passes them,
    /// and the body compiled for that frame (for its instance, when it is known now).
    fn call_values(&mut self, Call { e, owner, id, func, of, args }: Call<'m>) -> NumCode<'m> {
        let who = self.callee(owner, of).unwrap_or(Who::Unknown);
        let Some(body) = self.body((owner, id, who, Frame::Values), &func.body) else {
            return self.delegate_num(e);
        };
        let args: Vec<ValueCode<'m>> = args.iter().map(|a| self.value(a)).collect();
        let size = func.frame_size;
        // Pushes the arguments in order; on a failure, takes back those pushed.
        let push = move |f: &mut Session<'_, '_>| -> Run<usize> {
            let start = f.args_mark();
            for a in &args {
                match a(f) {
                    Ok(v) => f.push_arg(v),
                    Err(e) => {
                        f.truncate_args(start);
                        return Err(e);
                    }
                }
            }
            Ok(start)
        };
        match (owner, of) {
            (Some(actor), Some(of)) => {
                let of = self.member_of(of);
                Rc::new(move |f| {
                    let start = push(f)?;
                    let index = match of(f) {
                        Ok((_, index)) => index,
                        Err(e) => {
                            f.truncate_args(start);
                            return Err(e);
                        }
                    };
                    let frame = f.open_frame(Some(Value::Num(index as f64)), start, size);
                    f.in_scope(f.base(), frame, Callees::Push(actor, index), |s| body(s))
                })
            }
            _ => {
                self.impure |= self.confined();
                Rc::new(move |f| {
                    let start = push(f)?;
                    let frame = f.open_frame(None, start, size);
                    f.in_scope(f.base(), frame, Callees::Keep, |s| body(s))
                })
            }
        }
    }

    /// A function body compiled for a context, once; `None` when a body meant for a frame
    /// of numbers needs more, or for a recursive call.
    fn body(&mut self, key: (Option<ActorId>, usize, Who, Frame), body: &'m Expr) -> Option<NumCode<'m>> {
        if let Some(code) = self.fns.get(&key) {
            return Some(code.clone());
        }
        let (owner, id, who, frame) = key;
        if self.busy.contains(&(owner, id)) {
            return None;
        }
        self.busy.push((owner, id));
        let saved = (self.who, self.frame, self.impure, self.row, self.framed);
        (self.who, self.frame, self.impure, self.row, self.framed) = (who, frame, false, None, false);
        self.depth += 1;
        let code = self.num(body);
        self.depth -= 1;
        let pure = !self.impure;
        (self.who, self.frame, self.impure, self.row, self.framed) = saved;
        self.busy.pop();
        if matches!(frame, Frame::Nums(_)) && !pure {
            return None;
        }
        self.fns.insert(key, code.clone());
        Some(code)
    }

    fn member(&mut self, actor: ActorId, member: MemberRef, of: &'m Expr, span: Span) -> NumCode<'m> {
        match self.known(of) {
            Some((a, Index::At(index))) if a == actor => return self.known_member(a, index, member, span),
            Some((a, Index::Row)) if a == actor => {
                if let Some(code) = self.row_member(a, member, span) {
                    return code;
                }
            }
            _ => {}
        }
        if self.confined() && !matches!(of.kind, ExprKind::Const(_)) {
            self.impure = true;
        }
        let of = self.member_of(of);
        let check = move |a: ActorId| -> Run<()> {
            if a != actor {
                return Ok(err(EvalErrorKind::Shape("member of another actor".into()), span)?);
            }
            Ok(())
        };
        match member {
            MemberRef::Let(i) => {
                let body = if self.depth < MAX_INLINE { self.let_body(actor, i, Who::Unknown) } else { None };
                // A let of parameters alone has one value per member for the whole solve.
                let size = self.state.actors.get(actor).map_or(0, |a| a.size);
                let cache: Rc<[OnceCell<f64>]> = match (self.statics)(actor, i) && size <= MAX_CACHED {
                    true => (0..size).map(|_| OnceCell::new()).collect(),
                    false => Rc::new([]),
                };
                Rc::new(move |f| {
                    let (a, index) = of(f)?;
                    check(a)?;
                    f.env().check_member(a, index, span)?;
                    let cell = usize::try_from(index - 1).ok().and_then(|k| cache.get(k));
                    if let Some(x) = cell.and_then(OnceCell::get) {
                        return Ok(*x);
                    }
                    let v = match &body {
                        Some(body) => f.member_let_with(a, index, i, |s| body(s).map(Value::Num).map_err(|e| *e)),
                        None => f.member_let(a, index, i, span),
                    };
                    let x = as_num(&v?, span)?;
                    if let Some(cell) = cell {
                        let _ = cell.set(x);
                    }
                    Ok(x)
                })
            }
            MemberRef::Param(_) | MemberRef::Choice(_) => Rc::new(move |f| {
                let (a, index) = of(f)?;
                check(a)?;
                // Straight from the state when it holds a number; otherwise the
                // environment's path, which also reports what is wrong.
                match stored(f.env().state, a, index, member) {
                    Some(Value::Num(x)) => Ok(*x),
                    _ => Ok(as_num(&f.env().member(a, index, member, span)?, span)?),
                }
            }),
            _ => Rc::new(move |f| {
                let (a, index) = of(f)?;
                check(a)?;
                Ok(as_num(&f.env().member(a, index, member, span)?, span)?)
            }),
        }
    }

    /// The instance `of` names, if it is known now (the row register's member is).
    fn known(&self, of: &Expr) -> Option<(ActorId, Index)> {
        match (&of.kind, self.who, self.row) {
            (ExprKind::SelfMember(s), Who::Known(a, i), _) if *s == a => Some((a, i)),
            (ExprKind::Const(Value::Member(a, i)), ..) => Some((*a, Index::At(*i))),
            (ExprKind::Local(slot), _, Some((var, a))) if *slot == var => Some((a, Index::Row)),
            // `Family[i]` with `i` known here and one of the family's members (outside it,
            // reading the member reports the index, as the fast evaluator does).
            (ExprKind::Index(base, i), ..) => match (&base.kind, &base.ty, self.known_index(i)) {
                (ExprKind::Const(Value::Member(a, _)), Type::Family(_), Some(i))
                    if self.state.actors.get(*a).is_some_and(|s| i >= 1 && i <= s.size as i64) =>
                {
                    Some((*a, Index::At(i)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// An index known while compiling: a whole-number constant or parameter, or slot 0 of
    /// a known member's body (its own index).
    fn known_index(&self, e: &Expr) -> Option<i64> {
        let x = match (&e.kind, self.frame, self.who) {
            (ExprKind::Const(Value::Num(x)), ..) => *x,
            (ExprKind::Param(id), ..) => match self.state.params.get(*id) {
                Some(Value::Num(x)) => *x,
                _ => return None,
            },
            (ExprKind::Local(0), Frame::Top | Frame::Let, Who::Known(_, Index::At(i))) => return Some(i),
            _ => return None,
        };
        (x.fract() == 0.0 && x.abs() < 1e15).then_some(x as i64)
    }

    /// A member of the member in the row register, if there is code for it here (else
    /// the code for any member serves): its parameters, choices and draws are read, and
    /// its small lets that depend on more than parameters compiled in.
    fn row_member(&mut self, a: ActorId, member: MemberRef, span: Span) -> Option<NumCode<'m>> {
        match member {
            MemberRef::Param(_) | MemberRef::Choice(_) | MemberRef::Random(_) => {
                Some(self.read(a, Index::Row, member, span))
            }
            // A let of parameters alone is cached per member by the code for any member.
            MemberRef::Let(i) if (self.statics)(a, i) => None,
            MemberRef::Let(i) => self.inline_let(a, Index::Row, i),
            MemberRef::Payoff | MemberRef::Licence(_) => None,
        }
    }

    /// A member's parameter, choice or draw: the state's number, else the environment's
    /// answer (which also reports what is wrong).
    fn read(&mut self, a: ActorId, index: Index, member: MemberRef, span: Span) -> NumCode<'m> {
        let code: NumCode<'m> = Rc::new(move |f| {
            let i = index.get(f);
            match stored(f.env().state, a, i, member) {
                Some(Value::Num(x)) => Ok(*x),
                _ => ask(f, a, i, member, span),
            }
        });
        self.with_ops(code, Some(vec![Op::Read(a, index, member, span)]))
    }

    /// A member of a known instance: parameters and parameter-only lets are constants.
    fn known_member(&mut self, a: ActorId, index: i64, member: MemberRef, span: Span) -> NumCode<'m> {
        match member {
            MemberRef::Param(_) => {
                if let Some(Value::Num(x)) = stored(self.state, a, index, member) {
                    return self.constant(*x);
                }
            }
            MemberRef::Let(i) => {
                if let Some(x) = self.fold.as_mut().and_then(|fold| fold(a, index, i)) {
                    return self.constant(x);
                }
                if let Some(code) = self.inline_let(a, Index::At(index), i) {
                    return code;
                }
                let who = Who::Known(a, Index::At(index));
                let body = if self.depth < MAX_INLINE { self.let_body(a, i, who) } else { None };
                return Rc::new(move |f| {
                    f.env().check_member(a, index, span)?;
                    let v = match &body {
                        Some(body) => f.member_let_with(a, index, i, |s| body(s).map(Value::Num).map_err(|e| *e)),
                        None => f.member_let(a, index, i, span),
                    };
                    Ok(as_num(&v?, span)?)
                });
            }
            MemberRef::Choice(_) | MemberRef::Random(_) => {}
            // Asked each time: who holds a licence is the state's, not the model's.
            MemberRef::Payoff | MemberRef::Licence(_) => {
                return Rc::new(move |f| Ok(as_num(&f.env().member(a, index, member, span)?, span)?));
            }
        }
        self.read(a, Index::At(index), member, span)
    }

    fn member_of(&mut self, of: &'m Expr) -> MemberCode<'m> {
        let span = of.span;
        match self.known(of) {
            Some((a, Index::At(i))) => return Rc::new(move |_| Ok((a, i))),
            Some((a, Index::Row)) => return Rc::new(move |f| Ok((a, f.row()))),
            None => {}
        }
        match &of.kind {
            ExprKind::SelfMember(a) => {
                let a = *a;
                Rc::new(move |f| match f.self_index(a) {
                    Some(i) => Ok((a, i)),
                    None => match f.current_member(a, span)? {
                        Value::Member(a, i) => Ok((a, i)),
                        other => Ok(err(EvalErrorKind::Shape(format!("expected an actor, found {other:?}")), span)?),
                    },
                })
            }
            ExprKind::Local(slot) => {
                let slot = *slot;
                self.reads_frame();
                Rc::new(move |f| match f.local(slot, span)? {
                    Value::Member(a, i) => Ok((*a, *i)),
                    other => Ok(err(EvalErrorKind::Shape(format!("expected an actor, found {other:?}")), span)?),
                })
            }
            _ => {
                self.reads_frame();
                Rc::new(move |f| Ok(f.member_of(of)?))
            }
        }
    }

    fn truth(&mut self, e: &'m Expr) -> TruthCode<'m> {
        match &e.kind {
            ExprKind::Member { actor, member: member @ MemberRef::Licence(_), of } => {
                self.licence(*actor, *member, of, e.span)
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let x = self.truth(x);
                Rc::new(move |f| Ok(!x(f)?))
            }
            ExprKind::Binary(BinOp::And, a, b) => {
                let (a, b) = (self.truth(a), self.truth(b));
                Rc::new(move |f| Ok(a(f)? && b(f)?))
            }
            ExprKind::Binary(BinOp::Or, a, b) => {
                let (a, b) = (self.truth(a), self.truth(b));
                Rc::new(move |f| Ok(a(f)? || b(f)?))
            }
            ExprKind::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                match op {
                    BinOp::Lt => Rc::new(move |f| {
                        let x = a(f)?;
                        Ok(x < b(f)?)
                    }),
                    BinOp::Le => Rc::new(move |f| {
                        let x = a(f)?;
                        Ok(x <= b(f)?)
                    }),
                    BinOp::Gt => Rc::new(move |f| {
                        let x = a(f)?;
                        Ok(x > b(f)?)
                    }),
                    _ => Rc::new(move |f| {
                        let x = a(f)?;
                        Ok(x >= b(f)?)
                    }),
                }
            }
            ExprKind::Member { .. } | ExprKind::Aggregate { op: AggOp::All | AggOp::Any, .. } => {
                let v = self.value(e);
                Rc::new(move |f| Ok(as_bool(&v(f)?, e.span)?))
            }
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
                // As `Fast` compares: values other than numbers as values, numbers as numbers.
                let (eq, spans) = (*op == BinOp::Eq, (a.span, b.span));
                let (a, b) = (self.value(a), self.value(b));
                Rc::new(move |f| {
                    let (x, y) = (a(f)?, b(f)?);
                    let same = match x {
                        Value::Num(_) => as_num(&x, spans.0)? == as_num(&y, spans.1)?,
                        _ => x == y,
                    };
                    Ok(same == eq)
                })
            }
            _ => {
                self.reads_frame();
                Rc::new(move |f| Ok(f.truth(e)?))
            }
        }
    }

    /// Whether a member holds a licence: asked of the environment each time, since who
    /// holds one is the state's (it changes between simulation rounds), not the model's.
    fn licence(&mut self, actor: ActorId, member: MemberRef, of: &'m Expr, span: Span) -> TruthCode<'m> {
        if self.confined() && self.known(of).is_none() && !matches!(of.kind, ExprKind::Const(_)) {
            self.impure = true;
        }
        let of = self.member_of(of);
        Rc::new(move |f| {
            let (a, index) = of(f)?;
            if a != actor {
                return Ok(err(EvalErrorKind::Shape("member of another actor".into()), span)?);
            }
            Ok(as_bool(&f.env().member(a, index, member, span)?, span)?)
        })
    }

    fn value(&mut self, e: &'m Expr) -> ValueCode<'m> {
        match &e.kind {
            ExprKind::Const(v) => Rc::new(move |_| Ok(v.clone())),
            ExprKind::Local(slot) if matches!(self.frame, Frame::Top | Frame::Values) => {
                self.reads_frame();
                let (slot, span) = (*slot, e.span);
                Rc::new(move |f| Ok(f.local(slot, span)?.clone()))
            }
            ExprKind::Member { actor, member, of } => self.member_value(*actor, *member, of, e.span),
            ExprKind::Aggregate { op: op @ (AggOp::Count | AggOp::All | AggOp::Any), var, domain, filter, body } => {
                match self.logical(*op, *var, domain, filter.as_deref(), body) {
                    Some(code) => code,
                    None => self.delegate_value(e),
                }
            }
            ExprKind::Unary(UnOp::Not, _)
            | ExprKind::Binary(
                BinOp::And | BinOp::Or | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne,
                ..,
            ) => {
                let t = self.truth(e);
                Rc::new(move |f| t(f).map(Value::Bool))
            }
            ExprKind::Builtin(..)
            | ExprKind::Unary(UnOp::Neg, _)
            | ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow, ..) => {
                let n = self.num(e);
                Rc::new(move |f| n(f).map(Value::Num))
            }
            _ => self.delegate_value(e),
        }
    }

    /// Whether `e`'s value is `true` (any other value is not, as `count`, `all` and `any`
    /// see it).
    fn is_true(&mut self, e: &'m Expr) -> TruthCode<'m> {
        if let Some((a, index, member, span)) = self.stored_truth(e) {
            // As the state holds it, without a copy.
            return Rc::new(move |f| {
                let i = index.get(f);
                match stored(f.env().state, a, i, member) {
                    Some(v) => Ok(*v == Value::Bool(true)),
                    None => Ok(f.env().member(a, i, member, span)? == Value::Bool(true)),
                }
            });
        }
        let v = self.value(e);
        Rc::new(move |f| Ok(v(f)? == Value::Bool(true)))
    }

    /// The fast evaluator's code for the value of `e` (which needs the evaluator's frame).
    fn delegate_value(&mut self, e: &'m Expr) -> ValueCode<'m> {
        self.reads_frame();
        Rc::new(move |f| Ok(f.val(e)?))
    }

    /// A member of any type, as [`Fast`] reads it.
    fn member_value(&mut self, actor: ActorId, member: MemberRef, of: &'m Expr, span: Span) -> ValueCode<'m> {
        let get = move |f: &mut Session<'_, '_>, a: ActorId, index: i64| -> Run<Value> {
            if a != actor {
                return Ok(err(EvalErrorKind::Shape("member of another actor".into()), span)?);
            }
            Ok(match member {
                MemberRef::Let(i) => {
                    f.env().check_member(a, index, span)?;
                    f.member_let(a, index, i, span)?
                }
                // As the environment holds it, without asking.
                _ => match stored(f.env().state, a, index, member) {
                    Some(v) => v.clone(),
                    None => f.env().member(a, index, member, span)?,
                },
            })
        };
        if let Some((a, index)) = self.known(of) {
            // A small let of any type compiled in, as `inline_let` does for numbers.
            if let Some(code) = match member {
                MemberRef::Let(i) if a == actor => self.inline_value_let(a, index, i),
                _ => None,
            } {
                return Rc::new(move |f| {
                    f.env().check_member(a, index.get(f), span)?;
                    code(f)
                });
            }
            return Rc::new(move |f| get(f, a, index.get(f)));
        }
        if self.confined() && !matches!(of.kind, ExprKind::Const(_)) {
            self.impure = true;
        }
        let of = self.member_of(of);
        Rc::new(move |f| {
            let (a, index) = of(f)?;
            get(f, a, index)
        })
    }
}

/// A member's number as the environment answers (and reports what is wrong with it):
/// out of line, as compiled code reads the state's numbers directly.
#[cold]
#[inline(never)]
fn ask(f: &mut Session<'_, '_>, a: ActorId, index: i64, member: MemberRef, span: Span) -> Run<f64> {
    Ok(as_num(&f.env().member(a, index, member, span)?, span)?)
}

/// A result of compiled code, its failure boxed out of line (so the code that succeeds
/// stays small).
#[inline(always)]
fn lift<T>(r: EvalResult<T>) -> Run<T> {
    match r {
        Ok(x) => Ok(x),
        Err(e) => failed(e),
    }
}

/// A failure of compiled code.
#[cold]
#[inline(never)]
fn failed<T>(e: EvalError) -> Run<T> {
    Err(Box::new(e))
}

/// A sum or difference, refusing NaN (`inf − inf`) as [`arithmetic`] does.
fn not_nan(r: f64, span: Span) -> EvalResult<f64> {
    if r.is_nan() {
        return err(EvalErrorKind::NonFinite, span);
    }
    Ok(r)
}

mod aggregate;
#[cfg(test)]
mod tests;
