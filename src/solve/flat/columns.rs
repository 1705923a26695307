//! A flat program folded over every member of a family at once: each step runs over a
//! column (one number per member) rather than once per member, so the dispatch and the
//! lookups of where the state keeps a family's numbers are paid once per family. Anything
//! out of the ordinary — a read the state does not hold as a number, a failing operation
//! — gives up, and [`Program::fold`] runs the members one by one instead, which computes
//! the same and reports the first failure exactly (a program only reads, so having tried
//! changes nothing).

use super::{audited, quick, stored, Index, Program, Step, REGISTERS};
use crate::eval::fast::{arithmetic, Acc};
use crate::eval::{as_num, builtin_nums, Env};
use crate::model::*;
use crate::solve::compiled::{Run, Session};
use crate::solve::state::State;

/// Families smaller than this are folded member by member (one member has no dispatch
/// to share).
const COLUMNS_FROM: i64 = 2;

/// Scratch space of folds, reused across runs.
#[derive(Debug, Default)]
pub struct Columns {
    /// The stack: `depth` columns of `n`.
    stack: Vec<f64>,
    /// The let registers: `REGISTERS` columns of `n`.
    registers: Vec<f64>,
    /// One member's numbers: a builtin's arguments, or the stack of a run member by member.
    one: Vec<f64>,
}

impl Program {
    /// Adds the program's value for each member `1..=n` of the family in the row register
    /// to `acc`, in order (the register is restored); stops at the first failure.
    pub fn fold(&self, f: &mut Session<'_, '_>, n: i64, acc: &mut Acc, scratch: &mut Columns) -> Run<()> {
        if n >= COLUMNS_FROM {
            let rows = usize::try_from(n).unwrap_or(0);
            if let Some(values) = self.columns(f, rows, scratch) {
                values.iter().for_each(|x| acc.add(*x));
                return Ok(());
            }
        }
        f.each_row(n, |f| {
            acc.add(self.run(f, &mut scratch.one)?);
            Ok(())
        })
    }

    /// The program's values for members `1..=n` of the family in the row register, each
    /// step over all of them; `None` where a step is out of the ordinary.
    fn columns<'s>(&self, f: &mut Session<'_, '_>, n: usize, scratch: &'s mut Columns) -> Option<&'s [f64]> {
        let env = f.env();
        let state = env.state;
        let Columns { stack, registers, one } = scratch;
        stack.resize(self.depth * n, 0.0);
        registers.resize(REGISTERS * n, 0.0);
        // `sp` columns are on the stack; `Program::new` checked every step's depth.
        let mut sp = 0usize;
        let mut pc = 0usize;
        while let Some(step) = self.steps.get(pc) {
            let span = self.span(pc);
            match *step {
                Step::Const(x) => column(stack, n, sp)?.fill(x),
                Step::Row => column(stack, n, sp)?.iter_mut().zip(1..).for_each(|(x, k)| *x = f64::from(k)),
                Step::Read(a, Index::Row, member) => {
                    each_stored(state, a, member, column(stack, n, sp)?, |v| match v {
                        Value::Num(x) => Some(*x),
                        _ => None,
                    })?
                }
                Step::Truth(a, Index::Row, member) => each_stored(state, a, member, column(stack, n, sp)?, |v| {
                    Some(f64::from(u8::from(*v == Value::Bool(true))))
                })?,
                // A known member's number: the same for every member of the family.
                Step::Read(a, Index::At(i), member) => {
                    let x = match stored(state, a, i, member) {
                        Some(Value::Num(x)) => *x,
                        _ => as_num(&env.member(a, i, member, span).ok()?, span).ok()?,
                    };
                    column(stack, n, sp)?.fill(x);
                }
                Step::Truth(a, Index::At(i), member) => {
                    let v = match stored(state, a, i, member) {
                        Some(v) => v.clone(),
                        None => env.member(a, i, member, span).ok()?,
                    };
                    column(stack, n, sp)?.fill(f64::from(u8::from(v == Value::Bool(true))));
                }
                // Into the rule that follows.
                Step::Audit(id, _, rule) if rule > 0 && env.audit_by_rule(id) => {
                    pc += 1;
                    continue;
                }
                Step::Audit(id, index, rule) => {
                    let out = column(stack, n, sp)?;
                    match (index, audited(state, id)) {
                        (Index::Row, Some(hit)) => {
                            out.iter_mut().zip(hit.get(..n)?).for_each(|(x, h)| *x = f64::from(u8::from(*h)))
                        }
                        _ => {
                            for (x, k) in out.iter_mut().zip(1..) {
                                *x = as_num(&f.audit(id, Some(index.at(k)), span).ok()?, span).ok()?;
                            }
                        }
                    }
                    pc += rule;
                }
                Step::Price(id) => {
                    let x = match (state.prices.get(id), state.inactive.markets.get(id)) {
                        (Some(p), Some(false)) => *p,
                        _ => as_num(&env.market_price(id, span).ok()?, span).ok()?,
                    };
                    column(stack, n, sp)?.fill(x);
                }
                Step::Detect(id, index) => {
                    for (x, k) in column(stack, n, sp.checked_sub(1)?)?.iter_mut().zip(1..) {
                        *x = as_num(&env.detect_of(id, index.at(k), *x, span).ok()?, span).ok()?;
                    }
                }
                Step::Copy(k) => copy(stack, n, k, sp)?,
                Step::Neg => column(stack, n, sp.checked_sub(1)?)?.iter_mut().for_each(|x| *x = -*x),
                Step::Add | Step::Sub | Step::Mul | Step::Div | Step::Arith(_) => {
                    let (left, right) = pair(stack, n, sp.checked_sub(2)?)?;
                    let (op, rhs) = (self.operation(pc), self.spans.get(pc)?.1);
                    for (x, y) in left.iter_mut().zip(right.iter()) {
                        let r = quick(*step, *x, *y);
                        *x = if r.is_nan() { arithmetic(op, *x, *y, span, rhs).ok()? } else { r };
                    }
                }
                Step::Builtin(b, k) => {
                    let from = sp.checked_sub(k)?;
                    for m in 0..n {
                        one.clear();
                        one.extend((from..sp).map(|c| stack.get(c * n + m).copied().unwrap_or(0.0)));
                        *stack.get_mut(from * n + m)? = builtin_nums(b, one, span).ok()?;
                    }
                }
                Step::Keep(r) => {
                    let top = stack.get((sp.checked_sub(1)?) * n..sp * n)?;
                    registers.get_mut(r * n..(r + 1) * n)?.copy_from_slice(top);
                }
                Step::Recall(r) => {
                    let kept = registers.get(r * n..(r + 1) * n)?;
                    column(stack, n, sp)?.copy_from_slice(kept);
                }
                Step::Collapse(k) => copy(stack, n, sp.checked_sub(1)?, k)?,
            }
            sp = match *step {
                Step::Neg | Step::Detect(..) | Step::Keep(_) => sp,
                Step::Add | Step::Sub | Step::Mul | Step::Div | Step::Arith(_) => sp - 1,
                Step::Builtin(_, k) => sp - k + 1,
                Step::Collapse(k) => k + 1,
                _ => sp + 1,
            };
            pc += 1;
        }
        stack.get(sp.checked_sub(1)? * n..sp * n)
    }
}

/// Column `c` of a stack of columns of `n`.
fn column(stack: &mut [f64], n: usize, c: usize) -> Option<&mut [f64]> {
    stack.get_mut(c * n..(c + 1) * n)
}

/// Columns `c` and `c + 1`, the left and right operands of an operation.
fn pair(stack: &mut [f64], n: usize, c: usize) -> Option<(&mut [f64], &[f64])> {
    let (left, right) = stack.get_mut(c * n..(c + 2) * n)?.split_at_mut(n);
    Some((left, right))
}

/// Copies column `from` into column `to`.
fn copy(stack: &mut [f64], n: usize, from: usize, to: usize) -> Option<()> {
    if from != to {
        stack.get(from * n..(from + 1) * n)?;
        stack.get(to * n..(to + 1) * n)?;
        stack.copy_within(from * n..(from + 1) * n, to * n);
    }
    Some(())
}

/// Each member's value of a family's parameter, choice or draw into `out` (members
/// `1..=out.len()`), as `number` makes it one; `None` if the state does not hold them all.
#[inline]
fn each_stored(
    state: &State,
    a: ActorId,
    member: MemberRef,
    out: &mut [f64],
    number: impl Fn(&Value) -> Option<f64>,
) -> Option<()> {
    let s = state.actors.get(a)?;
    let n = out.len();
    if n > s.size {
        return None;
    }
    let rows = match member {
        MemberRef::Param(i) => (s.params.get(..n)?, i),
        MemberRef::Choice(i) => (s.choices.get(..n)?, i),
        MemberRef::Random(i) => {
            let drawn = state.draws.as_ref()?.members.get(a)?.get(i)?.get(..n)?;
            for (x, v) in out.iter_mut().zip(drawn) {
                *x = number(v)?;
            }
            return Some(());
        }
        _ => return None,
    };
    for (x, values) in out.iter_mut().zip(rows.0) {
        *x = number(values.get(rows.1)?)?;
    }
    Some(())
}
