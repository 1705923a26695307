//! Straight-line numeric code — constants, a known member's parameters, choices, draws
//! and audit, prices, arithmetic, builtins and calls whose bodies are such code — as a
//! flat postfix program run over a stack of numbers. [`compiled`](super::compiled) emits it next to its closures for the
//! nodes that allow it; each operation calls the same arithmetic as the closure it stands
//! for, operands are evaluated left to right as there, so a program computes exactly what
//! its closure does (the first failure included) with a fraction of the calls.

use super::compiled::{Run, Session};
use super::state::State;
use crate::eval::fast::arithmetic;
use crate::eval::{as_num, builtin_nums, Env, EvalError, EvalErrorKind};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::BinOp;

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
        match self {
            Index::At(i) => i,
            Index::Row => f.row(),
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
    /// Push what an audit's name is for a member of its family.
    Audit(AuditId, Index, Span),
    /// Push a market's price.
    Price(MarketId, Span),
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
}

/// One operation of a program ready to run: frames resolved to stack positions.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Const(f64),
    Row,
    Read(ActorId, Index, MemberRef, Span),
    Audit(AuditId, Index, Span),
    Price(MarketId, Span),
    /// Push a copy of stack position `k`.
    Copy(usize),
    Neg,
    Arith(BinOp, Span, Span),
    Builtin(Builtin, usize, Span),
    /// Keep the top, dropping everything from position `k` below it.
    Collapse(usize),
}

/// A program ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    steps: Vec<Step>,
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
        for op in ops {
            let step = match *op {
                Op::Const(x) => Step::Const(x),
                Op::Row => Step::Row,
                Op::Read(a, i, m, span) => Step::Read(a, i, m, span),
                Op::Audit(id, i, span) => Step::Audit(id, i, span),
                Op::Price(id, span) => Step::Price(id, span),
                Op::Arg(k) => Step::Copy(frames.last()? + k),
                Op::Neg => Step::Neg,
                Op::Arith(op, span, rhs) => Step::Arith(op, span, rhs),
                Op::Builtin(b, n, span) => Step::Builtin(b, n, span),
                Op::Call(n) => {
                    frames.push(depth.checked_sub(n)?);
                    continue;
                }
                Op::Return => Step::Collapse(frames.pop()?),
            };
            depth = match step {
                Step::Const(_) | Step::Row | Step::Read(..) | Step::Audit(..) | Step::Price(..) | Step::Copy(_) => {
                    depth + 1
                }
                Step::Neg => depth,
                Step::Arith(..) => depth.checked_sub(1)?,
                Step::Builtin(_, n, _) => depth.checked_sub(n)? + 1,
                Step::Collapse(k) => k + 1,
            };
            if depth == 0 {
                return None;
            }
            deepest = deepest.max(depth);
            steps.push(step);
        }
        (depth == 1 && frames.is_empty()).then_some(Program { steps, depth: deepest })
    }

    /// Runs the program in session `f` (`stack` is scratch space, reused across runs).
    pub fn run(&self, f: &mut Session<'_, '_>, stack: &mut Vec<f64>) -> Run<f64> {
        let state = f.env().state;
        self.execute(stack, |step| match *step {
            Step::Row => Ok(f.row() as f64),
            Step::Read(a, index, member, span) => {
                let index = index.get(f);
                match stored(state, a, index, member) {
                    Some(Value::Num(x)) => Ok(*x),
                    _ => Ok(as_num(&f.env().member(a, index, member, span)?, span)?),
                }
            }
            Step::Audit(id, index, span) => {
                let index = index.get(f);
                Ok(as_num(&f.audit(id, Some(index), span)?, span)?)
            }
            Step::Price(id, span) => Ok(as_num(&f.env().market_price(id, span)?, span)?),
            _ => Ok(0.0),
        })
    }

    /// The program's value when it reads nothing (constants and arithmetic alone) and
    /// succeeds: what running it would give every time.
    pub fn constant(&self) -> Option<f64> {
        let reads = || Box::new(EvalError { kind: EvalErrorKind::NotConstant(String::new()), span: Span::default() });
        self.execute(&mut Vec::new(), |_| Err(reads())).ok()
    }

    /// Runs the steps, asking `read` for the value of every step that reads something.
    #[inline(always)]
    fn execute(&self, stack: &mut Vec<f64>, mut read: impl FnMut(&Step) -> Run<f64>) -> Run<f64> {
        if stack.len() < self.depth {
            stack.resize(self.depth, 0.0);
        }
        // `sp` is the number of operands; `Program::new` checked every step's depth.
        let s = &mut stack[..];
        let mut sp = 0usize;
        let push = |s: &mut [f64], sp: &mut usize, x: f64| {
            if let Some(slot) = s.get_mut(*sp) {
                *slot = x;
            }
            *sp += 1;
        };
        for step in &self.steps {
            match step {
                Step::Const(x) => push(s, &mut sp, *x),
                Step::Row | Step::Read(..) | Step::Audit(..) | Step::Price(..) => {
                    let x = read(step)?;
                    push(s, &mut sp, x);
                }
                Step::Copy(k) => {
                    let x = s.get(*k).copied().unwrap_or(0.0);
                    push(s, &mut sp, x);
                }
                Step::Neg => {
                    if let Some(x) = s.get_mut(sp.wrapping_sub(1)) {
                        *x = -*x;
                    }
                }
                Step::Arith(op, span, rhs) => {
                    sp -= 1;
                    let y = s.get(sp).copied().unwrap_or(0.0);
                    if let Some(x) = s.get_mut(sp.wrapping_sub(1)) {
                        *x = arithmetic(*op, *x, y, *span, *rhs)?;
                    }
                }
                Step::Builtin(b, n, span) => {
                    let from = sp.saturating_sub(*n);
                    let r = builtin_nums(*b, s.get(from..sp).unwrap_or(&[]), *span)?;
                    sp = from;
                    push(s, &mut sp, r);
                }
                Step::Collapse(k) => {
                    let r = s.get(sp.wrapping_sub(1)).copied().unwrap_or(0.0);
                    sp = *k;
                    push(s, &mut sp, r);
                }
            }
        }
        Ok(s.get(sp.wrapping_sub(1)).copied().unwrap_or(0.0))
    }
}

/// A member parameter, choice or round's draw as the state holds it, if the member exists.
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
