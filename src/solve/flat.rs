//! Straight-line numeric code — constants, a known member's parameters, choices, draws
//! (or their truth as 1 or 0), audit and detection, prices, arithmetic, builtins and calls
//! whose bodies are such code — as a flat postfix program run over a stack of numbers, or,
//! over all members of a family at once, over a stack of columns ([`columns`]).
//! [`compiled`](super::compiled) emits it next to its closures for the nodes that allow
//! it; each operation calls the same arithmetic as the closure it stands for, operands are
//! evaluated left to right as there, so a program computes exactly what its closure does
//! (the first failure included) with a fraction of the calls.

use super::compiled::{Run, Session};
use super::state::State;
use crate::eval::fast::arithmetic;
use crate::eval::{as_num, builtin_nums, Env, EvalError, EvalErrorKind};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::BinOp;

mod columns;
pub use columns::Columns;

/// Which member of a family code reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    /// The member with this index.
    At(i64),
    /// The member in the session's row register: the one an aggregate over its family is at.
    Row,
}

impl Index {
    /// The index, in session `f`.
    #[inline]
    pub fn get(self, f: &Session<'_, '_>) -> i64 {
        self.at(f.row())
    }

    /// The index, with `row` in the row register.
    #[inline]
    fn at(self, row: i64) -> i64 {
        match self {
            Index::At(i) => i,
            Index::Row => row,
        }
    }
}

/// One operation of a program, as the compiler builds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// Push a number.
    Const(f64),
    /// Push the index in the row register.
    Row,
    /// Push a member's parameter, choice or draw (the state's number, else the
    /// environment's answer, which also reports what is wrong).
    Read(ActorId, Index, MemberRef, Span),
    /// Push 1 if a member's parameter, choice or draw is `true`, else 0 (the state's
    /// value, else the environment's answer, which also reports what is wrong).
    Truth(ActorId, Index, MemberRef, Span),
    /// Push what an audit's name is for a member of its family; when the audit goes by its
    /// probability rule (`Env::audit_by_rule`) and the rule follows as a whole program of
    /// this many operations, that program computes it, and is skipped otherwise.
    Audit(AuditId, Index, Span, usize),
    /// Push a market's price.
    Price(MarketId, Span),
    /// Replace the top, a detection function's value for a member of the audited family,
    /// by what the environment makes of it (`Env::detect_of`: a draw in a simulation round).
    Detect(AuditId, Index, Span),
    /// Push slot `k` of the innermost call frame.
    Arg(usize),
    /// Negate the top.
    Neg,
    /// Replace the top two by their combination (the spans of the operation and of its
    /// right operand).
    Arith(BinOp, Span, Span),
    /// Replace the top `n` by a builtin of them.
    Builtin(Builtin, usize, Span),
    /// The top `n` numbers become a call's frame.
    Call(usize),
    /// Replace the frame by the call's result (the top).
    Return,
    /// The next this many operations compute member let `(actor, let)` of the member at
    /// the index: the same number wherever it stands in one run, so it is computed at its
    /// first place and kept.
    Let(ActorId, usize, Index, usize),
}

/// Member lets a program keeps after their first place (more are computed each time).
const REGISTERS: usize = 8;

/// One operation of a program ready to run: frames resolved to stack positions, the
/// common arithmetic apart, spans kept aside (they are read only when a step fails).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Const(f64),
    Row,
    Read(ActorId, Index, MemberRef),
    Truth(ActorId, Index, MemberRef),
    /// The audit's name; its rule, when it has one, is the next this many steps.
    Audit(AuditId, Index, usize),
    Price(MarketId),
    Detect(AuditId, Index),
    /// Push a copy of stack position `k`.
    Copy(usize),
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    /// Any other arithmetic (a power).
    Arith(BinOp),
    Builtin(Builtin, usize),
    /// Keep the top, dropping everything from position `k` below it.
    Collapse(usize),
    /// Copy the top into register `r` (a let's value, at its first place).
    Keep(usize),
    /// Push register `r` (the let again).
    Recall(usize),
}

/// A program ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    steps: Vec<Step>,
    /// `[step]`: the spans of its operation and of its right operand, for its errors.
    spans: Vec<(Span, Span)>,
    /// The deepest the stack gets.
    depth: usize,
}

impl Program {
    /// Resolves the frames of `ops` (a whole program: every frame closed, one result);
    /// `None` if it is not one.
    pub fn new(ops: &[Op]) -> Option<Program> {
        let (mut depth, mut deepest) = (0usize, 0usize);
        let mut frames: Vec<usize> = Vec::new();
        let mut steps = Vec::with_capacity(ops.len());
        let mut spans = Vec::with_capacity(ops.len());
        // Audits whose rules are being laid out: (their step, the op their rule ends before).
        let mut rules: Vec<(usize, usize)> = Vec::new();
        // Each audit whose rule ends before op `at` learns how many steps the rule took.
        let close = |steps: &mut Vec<Step>, rules: &mut Vec<(usize, usize)>, at: usize| {
            while let Some(&(step, _)) = rules.last().filter(|(_, end)| *end == at) {
                rules.pop();
                let len = steps.len() - step - 1;
                if let Some(Step::Audit(.., rule)) = steps.get_mut(step) {
                    *rule = len;
                }
            }
        };
        // Lets kept in registers (by position), and those laid out: (register, the op
        // their first place ends before).
        let mut kept: Vec<(ActorId, usize, Index)> = Vec::new();
        let mut open: Vec<(usize, usize)> = Vec::new();
        let none = Span::default();
        let mut at = 0;
        while let Some(op) = ops.get(at) {
            close(&mut steps, &mut rules, at);
            while let Some(&(r, _)) = open.last().filter(|(_, end)| *end == at) {
                open.pop();
                steps.push(Step::Keep(r));
                spans.push((none, none));
            }
            at += 1;
            let (step, span, rhs) = match *op {
                Op::Let(a, i, index, len) => {
                    match kept.iter().position(|k| *k == (a, i, index)) {
                        // Again: its register, and past its operations.
                        Some(r) => {
                            at += len;
                            (Step::Recall(r), none, none)
                        }
                        // First, outside a rule that may be skipped: computed, then kept.
                        None if rules.is_empty() && kept.len() < REGISTERS => {
                            open.push((kept.len(), at + len));
                            kept.push((a, i, index));
                            continue;
                        }
                        None => continue,
                    }
                }
                Op::Const(x) => (Step::Const(x), none, none),
                Op::Row => (Step::Row, none, none),
                Op::Read(a, i, m, span) => (Step::Read(a, i, m), span, none),
                Op::Truth(a, i, m, span) => (Step::Truth(a, i, m), span, none),
                Op::Audit(id, i, span, rule) => {
                    if rule > 0 {
                        // The rule that follows pushes the number (or is skipped, and this does).
                        rules.push((steps.len(), at + rule));
                        steps.push(Step::Audit(id, i, 0));
                        spans.push((span, none));
                        continue;
                    }
                    (Step::Audit(id, i, 0), span, none)
                }
                Op::Price(id, span) => (Step::Price(id), span, none),
                Op::Detect(id, i, span) => (Step::Detect(id, i), span, none),
                Op::Arg(k) => (Step::Copy(frames.last()? + k), none, none),
                Op::Neg => (Step::Neg, none, none),
                Op::Arith(op, span, rhs) => {
                    let step = match op {
                        BinOp::Add => Step::Add,
                        BinOp::Sub => Step::Sub,
                        BinOp::Mul => Step::Mul,
                        BinOp::Div => Step::Div,
                        _ => Step::Arith(op),
                    };
                    (step, span, rhs)
                }
                Op::Builtin(b, n, span) => (Step::Builtin(b, n), span, none),
                Op::Call(n) => {
                    frames.push(depth.checked_sub(n)?);
                    continue;
                }
                Op::Return => (Step::Collapse(frames.pop()?), none, none),
            };
            depth = match step {
                Step::Const(_)
                | Step::Row
                | Step::Read(..)
                | Step::Truth(..)
                | Step::Audit(..)
                | Step::Price(..)
                | Step::Copy(_)
                | Step::Recall(_) => depth + 1,
                Step::Neg | Step::Detect(..) | Step::Keep(_) => depth,
                Step::Add | Step::Sub | Step::Mul | Step::Div | Step::Arith(_) => depth.checked_sub(1)?,
                Step::Builtin(_, n) => depth.checked_sub(n)? + 1,
                Step::Collapse(k) => k + 1,
            };
            if depth == 0 {
                return None;
            }
            deepest = deepest.max(depth);
            steps.push(step);
            spans.push((span, rhs));
        }
        close(&mut steps, &mut rules, ops.len());
        while let Some((r, _)) = open.pop() {
            steps.push(Step::Keep(r));
            spans.push((none, none));
        }
        (depth == 1 && frames.is_empty() && rules.is_empty()).then_some(Program { steps, spans, depth: deepest })
    }

    /// Runs the program in session `f` (`stack` is scratch space, reused across runs).
    pub fn run(&self, f: &mut Session<'_, '_>, stack: &mut Vec<f64>) -> Run<f64> {
        let env = f.env();
        let by_rule = |id| env.audit_by_rule(id);
        let held = Held { state: env.state, row: f.row() };
        self.execute(stack, Some(held), by_rule, |step, top, pc| match *step {
            Step::Row => Ok(f.row() as f64),
            // What the state does not hold as a number (`execute` read the rest).
            Step::Read(a, index, member) => ask(f, a, index.get(f), member, self.span(pc)),
            Step::Truth(a, index, member) => truth(f, a, index.get(f), member, self.span(pc)),
            Step::Audit(id, index, _) => {
                let span = self.span(pc);
                Ok(as_num(&f.audit(id, Some(index.get(f)), span)?, span)?)
            }
            Step::Price(id) => {
                let span = self.span(pc);
                Ok(as_num(&env.market_price(id, span)?, span)?)
            }
            Step::Detect(id, index) => {
                let span = self.span(pc);
                Ok(as_num(&env.detect_of(id, index.get(f), top, span)?, span)?)
            }
            _ => Ok(0.0),
        })
    }

    /// The program's value when it reads nothing (constants and arithmetic alone) and
    /// succeeds: what running it would give every time.
    pub fn constant(&self) -> Option<f64> {
        let reads = || Box::new(EvalError { kind: EvalErrorKind::NotConstant(String::new()), span: Span::default() });
        self.execute(&mut Vec::new(), None, |_| false, |_, _, _| Err(reads())).ok()
    }

    /// Runs the steps, asking `read` for the value of every step that reads something
    /// (given the top of the stack, which a detection replaces, and the step's position,
    /// for its span) unless `held` holds it, and `by_rule` whether an audit goes by its rule.
    #[inline(always)]
    fn execute(
        &self,
        stack: &mut Vec<f64>,
        held: Option<Held<'_>>,
        by_rule: impl Fn(AuditId) -> bool,
        mut read: impl FnMut(&Step, f64, usize) -> Run<f64>,
    ) -> Run<f64> {
        if stack.len() < self.depth {
            stack.resize(self.depth, 0.0);
        }
        // `sp` is the number of operands; `Program::new` checked every step's depth.
        let s = &mut stack[..];
        let mut sp = 0usize;
        let mut registers = [0.0; REGISTERS];
        let push = |s: &mut [f64], sp: &mut usize, x: f64| {
            if let Some(slot) = s.get_mut(*sp) {
                *slot = x;
            }
            *sp += 1;
        };
        let mut pc = 0usize;
        while let Some(step) = self.steps.get(pc) {
            match *step {
                Step::Const(x) => push(s, &mut sp, x),
                // Into the rule that follows.
                Step::Audit(id, _, rule) if rule > 0 && by_rule(id) => {}
                // Whether a round's audit examined the member as the state holds it, else
                // as `read` answers; past the rule, if one follows.
                Step::Audit(id, index, rule) => {
                    let drawn = held.and_then(|h| {
                        let m = usize::try_from(index.at(h.row) - 1).ok()?;
                        audited(h.state, id)?.get(m).copied()
                    });
                    let x = match drawn {
                        Some(hit) => f64::from(u8::from(hit)),
                        None => read(step, 0.0, pc)?,
                    };
                    push(s, &mut sp, x);
                    pc += rule;
                }
                // A known member's number and a price as the state holds them; the rest,
                // and what is not a number, as `read` answers.
                Step::Read(a, index, member) => {
                    let x = match held.and_then(|h| stored(h.state, a, index.at(h.row), member)) {
                        Some(Value::Num(x)) => *x,
                        _ => read(step, 0.0, pc)?,
                    };
                    push(s, &mut sp, x);
                }
                Step::Truth(a, index, member) => {
                    let x = match held.and_then(|h| stored(h.state, a, index.at(h.row), member)) {
                        Some(v) => f64::from(u8::from(*v == Value::Bool(true))),
                        None => read(step, 0.0, pc)?,
                    };
                    push(s, &mut sp, x);
                }
                Step::Price(id) => {
                    let x = match held.map(|h| (h.state.prices.get(id), h.state.inactive.markets.get(id))) {
                        Some((Some(p), Some(false))) => *p,
                        _ => read(step, 0.0, pc)?,
                    };
                    push(s, &mut sp, x);
                }
                Step::Row => {
                    let x = read(step, 0.0, pc)?;
                    push(s, &mut sp, x);
                }
                Step::Detect(..) => {
                    if let Some(x) = s.get_mut(sp.wrapping_sub(1)) {
                        *x = read(step, *x, pc)?;
                    }
                }
                Step::Copy(k) => {
                    let x = s.get(k).copied().unwrap_or(0.0);
                    push(s, &mut sp, x);
                }
                Step::Neg => {
                    if let Some(x) = s.get_mut(sp.wrapping_sub(1)) {
                        *x = -*x;
                    }
                }
                Step::Add | Step::Sub | Step::Mul | Step::Div | Step::Arith(_) => {
                    sp -= 1;
                    let y = s.get(sp).copied().unwrap_or(0.0);
                    if let Some(x) = s.get_mut(sp.wrapping_sub(1)) {
                        let r = quick(*step, *x, y);
                        *x = if r.is_nan() { self.arithmetic(pc, *x, y)? } else { r };
                    }
                }
                Step::Builtin(b, n) => {
                    let from = sp.saturating_sub(n);
                    let r = builtin_nums(b, s.get(from..sp).unwrap_or(&[]), self.span(pc))?;
                    sp = from;
                    push(s, &mut sp, r);
                }
                Step::Keep(r) => {
                    if let (Some(x), Some(slot)) = (s.get(sp.wrapping_sub(1)), registers.get_mut(r)) {
                        *slot = *x;
                    }
                }
                Step::Recall(r) => push(s, &mut sp, registers.get(r).copied().unwrap_or(0.0)),
                Step::Collapse(k) => {
                    let r = s.get(sp.wrapping_sub(1)).copied().unwrap_or(0.0);
                    sp = k;
                    push(s, &mut sp, r);
                }
            }
            pc += 1;
        }
        Ok(s.get(sp.wrapping_sub(1)).copied().unwrap_or(0.0))
    }

    /// The span of step `pc`'s operation.
    fn span(&self, pc: usize) -> Span {
        self.spans.get(pc).map_or_else(Span::default, |s| s.0)
    }

    /// Step `pc`'s arithmetic of `x` and `y` where it needs more than the quick case
    /// (a power; a division by zero or a NaN, which it reports).
    #[cold]
    fn arithmetic(&self, pc: usize, x: f64, y: f64) -> Run<f64> {
        let (span, rhs) = self.spans.get(pc).copied().unwrap_or_default();
        Ok(arithmetic(self.operation(pc), x, y, span, rhs)?)
    }

    /// The operation of arithmetic step `pc`.
    fn operation(&self, pc: usize) -> BinOp {
        match self.steps.get(pc) {
            Some(Step::Sub) => BinOp::Sub,
            Some(Step::Mul) => BinOp::Mul,
            Some(Step::Div) => BinOp::Div,
            Some(Step::Arith(op)) => *op,
            _ => BinOp::Add,
        }
    }
}

/// An arithmetic step's quick case, as [`arithmetic`] computes it (NaN: not quick, a
/// power or a failure, which `arithmetic` computes or reports).
#[inline(always)]
fn quick(step: Step, x: f64, y: f64) -> f64 {
    match step {
        Step::Add => x + y,
        Step::Sub => x - y,
        Step::Mul if x == 0.0 || y == 0.0 => 0.0,
        Step::Mul => x * y,
        Step::Div if y != 0.0 => x / y,
        Step::Arith(BinOp::Pow) if y == 2.0 => x * x,
        _ => f64::NAN,
    }
}

/// What a program reads without asking the session: the state, and the member in the row
/// register.
#[derive(Clone, Copy)]
struct Held<'s> {
    state: &'s State,
    row: i64,
}

/// A member's number as the environment answers (and reports what is wrong with it).
#[cold]
#[inline(never)]
fn ask(f: &mut Session<'_, '_>, a: ActorId, index: i64, member: MemberRef, span: Span) -> Run<f64> {
    Ok(as_num(&f.env().member(a, index, member, span)?, span)?)
}

/// Whether a member's parameter, choice or draw is `true`, as the environment answers (1 or 0).
#[cold]
#[inline(never)]
fn truth(f: &mut Session<'_, '_>, a: ActorId, index: i64, member: MemberRef, span: Span) -> Run<f64> {
    Ok(f64::from(u8::from(f.env().member(a, index, member, span)? == Value::Bool(true))))
}

/// Who a round's audit `id` examined (as `Env::audit_of` reads it), when the state holds
/// a round's draws and the audit is in force.
#[inline]
fn audited(state: &State, id: AuditId) -> Option<&[bool]> {
    let draws = state.draws.as_ref()?;
    if state.inactive.audits.get(id).copied().unwrap_or(false) {
        return None;
    }
    draws.audited.get(id).map(Vec::as_slice)
}

/// A member parameter, choice or round's draw as the state holds it, if the member exists.
#[inline]
pub fn stored(state: &State, actor: ActorId, index: i64, member: MemberRef) -> Option<&Value> {
    let s = state.actors.get(actor)?;
    let m = usize::try_from(index).ok()?.checked_sub(1).filter(|m| *m < s.size)?;
    match member {
        MemberRef::Param(i) => s.params.get(m)?.get(i),
        MemberRef::Choice(i) => s.choices.get(m)?.get(i),
        MemberRef::Random(i) => state.draws.as_ref()?.members.get(actor)?.get(i)?.get(m),
        _ => None,
    }
}
