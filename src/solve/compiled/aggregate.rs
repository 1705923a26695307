//! Aggregates over a family or a range, compiled. Over a family's members the body reads
//! the binder's members through the row register (unless it is already compiled inside
//! such a body, whose binder holds the register): its parameters, choices and draws are
//! read directly and its small lets compiled in, so a body of straight-line code runs as
//! one flat program per member without binding the member to its slot at all.

use super::{Compiler, Index, NumCode, Row, Session, ValueCode, Who};
use crate::eval::fast::{logical, Acc, Binding};
use crate::model::*;
use crate::solve::flat::{Columns, Op, Program};
use crate::source::Span;
use crate::syntax::ast::AggOp;
use std::cell::RefCell;
use std::rc::Rc;

impl<'m> Compiler<'m, '_, '_> {
    /// `sum`, `product`, `mean`, `min` or `max` over a family or a range (`None` for other
    /// domains, or where there is no evaluator frame to bind the items in).
    pub(super) fn aggregate(
        &mut self,
        op: AggOp,
        var: LocalId,
        domain: &'m Domain,
        filter: Option<&'m Expr>,
        body: &'m Expr,
        span: Span,
    ) -> Option<NumCode<'m>> {
        if !matches!(op, AggOp::Sum | AggOp::Product | AggOp::Mean | AggOp::Min | AggOp::Max) || !self.countable(domain)
        {
            return None;
        }
        let (row, saved) = self.enter_body(var, domain);
        let filter = filter.map(|x| self.truth(x));
        let body = self.num(body);
        let bind = self.leave_body(var, row, saved);
        // Code that reads the members through the row register alone, without a filter:
        // the members are only put in the register, or, for a flat program, taken all at once.
        if bind.row && !bind.local && filter.is_none() {
            if let Some(program) = self.ops(&body).and_then(|ops| Program::new(&ops)) {
                return Some(fold(program, op, domain, span));
            }
            return Some(Rc::new(move |f| {
                let n = f.items(domain)?.len();
                let mut acc = Acc::new(op);
                f.each_row(n as i64, |f| {
                    acc.add(body(f)?);
                    Ok(())
                })?;
                Ok(acc.finish(span)?)
            }));
        }
        Some(Rc::new(move |f| {
            let items = f.items(domain)?;
            let filter = |s: &mut Session<'_, '_>| filter.as_ref().map_or(Ok(true), |c| c(s).map_err(|e| *e));
            Ok(f.aggregate_num(op, bind, items, filter, |s| body(s).map_err(|e| *e), span)?)
        }))
    }

    /// `count`, `all` or `any` over a family or a range (`None` for other domains, or
    /// where there is no evaluator frame to bind the items in).
    pub(super) fn logical(
        &mut self,
        op: AggOp,
        var: LocalId,
        domain: &'m Domain,
        filter: Option<&'m Expr>,
        body: &'m Expr,
    ) -> Option<ValueCode<'m>> {
        if !self.countable(domain) {
            return None;
        }
        let (row, saved) = self.enter_body(var, domain);
        let filter = filter.map(|x| self.truth(x));
        let truth = self.stored_truth(body);
        let body = self.is_true(body);
        let bind = self.leave_body(var, row, saved);
        if bind.row && !bind.local && filter.is_none() {
            // A member's own truth value, all members at once: how many are true.
            let row_truth = truth.filter(|(_, index, ..)| *index == Index::Row);
            if let Some((program, span)) = row_truth
                .and_then(|(a, index, member, span)| Some((Program::new(&[Op::Truth(a, index, member, span)])?, span)))
            {
                let count = fold(program, AggOp::Sum, domain, span);
                return Some(Rc::new(move |f| {
                    let n = f.items(domain)?.len();
                    let trues = count(f)? as usize;
                    Ok(logical(op, trues, trues == n))
                }));
            }
            // The members only put in the register.
            return Some(Rc::new(move |f| {
                let n = f.items(domain)?.len();
                let mut trues = 0usize;
                f.each_row(n as i64, |f| {
                    trues += usize::from(body(f)?);
                    Ok(())
                })?;
                Ok(logical(op, trues, trues == n))
            }));
        }
        Some(Rc::new(move |f| {
            let items = f.items(domain)?;
            let filter = |s: &mut Session<'_, '_>| filter.as_ref().map_or(Ok(true), |c| c(s).map_err(|e| *e));
            let (trues, all) = f.count_true(bind, items, filter, |s| body(s).map_err(|e| *e))?;
            Ok(logical(op, trues, all))
        }))
    }

    /// The family member, if `e` is one of its parameters, choices or draws, whose truth
    /// value `is_true` reads as the state holds it.
    pub(super) fn stored_truth(&self, e: &Expr) -> Option<(ActorId, Index, MemberRef, Span)> {
        let ExprKind::Member {
            actor,
            member: member @ (MemberRef::Param(_) | MemberRef::Choice(_) | MemberRef::Random(_)),
            of,
        } = &e.kind
        else {
            return None;
        };
        let (a, index) = self.known(of).filter(|(a, _)| a == actor)?;
        Some((a, index, *member, e.span))
    }

    /// Whether an aggregate over `domain` is compiled here: a family or a range, with an
    /// evaluator frame to bind the items in.
    fn countable(&self, domain: &Domain) -> bool {
        matches!(domain.kind, DomainKind::Family(_) | DomainKind::Range(..)) && !self.confined()
    }

    /// Starts compiling the filter and body of an aggregate binding `var` to the items of
    /// `domain`: its row binding, if it has one, and what [`Compiler::leave_body`] restores.
    fn enter_body(&mut self, var: LocalId, domain: &Domain) -> (Option<(LocalId, ActorId)>, (Row, bool)) {
        if matches!(domain.kind, DomainKind::Range(..)) {
            // The bounds are evaluated by the fast evaluator, in this frame.
            self.reads_frame();
        }
        let row = self.rows(var, domain);
        let saved = (self.row, self.framed);
        self.row = row.or(self.row);
        self.framed = false;
        (row, saved)
    }

    /// Ends compiling an aggregate's filter and body: how its items are bound (in their
    /// slot unless the code reads the members through the row register alone).
    fn leave_body(&mut self, var: LocalId, row: Row, (outer, framed): (Row, bool)) -> Binding {
        let local = row.is_none() || self.framed;
        (self.row, self.framed) = (outer, framed || self.framed);
        Binding { var, local, row: row.is_some() }
    }

    /// The row binding of an aggregate binding `var` to the members of `domain`, when it
    /// may have one: not for a range, nor inside another row's body or a body compiled
    /// for the row's member (both read the register).
    fn rows(&self, var: LocalId, domain: &Domain) -> Option<(LocalId, ActorId)> {
        match domain.kind {
            DomainKind::Family(a) if self.row.is_none() && !matches!(self.who, Who::Known(_, Index::Row)) => {
                Some((var, a))
            }
            _ => None,
        }
    }
}

/// A `sum`, `product`, `mean`, `min` or `max` over the members of a family, each the
/// value of `program` with the member in the row register.
fn fold<'m>(program: Program, op: AggOp, domain: &'m Domain, span: Span) -> NumCode<'m> {
    let scratch = RefCell::new(Columns::default());
    Rc::new(move |f| {
        let n = f.items(domain)?.len() as i64;
        let mut acc = Acc::new(op);
        match scratch.try_borrow_mut() {
            Ok(mut scratch) => program.fold(f, n, &mut acc, &mut scratch)?,
            // Folding inside itself (through the fast evaluator): scratch space of its own.
            Err(_) => program.fold(f, n, &mut acc, &mut Columns::default())?,
        }
        Ok(acc.finish(span)?)
    })
}
