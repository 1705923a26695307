//! Aggregates and quantifiers of the fast evaluator: the items of a domain (families and
//! ranges counted, not listed) and folds over them in the tree evaluator's order. Code
//! compiled for an aggregate over a family's members may also have each member's index
//! put in the row register, where it reads the members of the member at hand.

use super::Fast;
use crate::eval::{as_num, err, finite, Env, EvalError, EvalErrorKind, EvalResult};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{AggOp, Quantifier};

/// How an aggregate binds each item in turn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Binding {
    /// The binder's local slot.
    pub var: LocalId,
    /// Whether the item goes into the slot (code that reads the item's members from the
    /// row register alone does without).
    pub local: bool,
    /// Whether a family member's index goes into the row register.
    pub row: bool,
}

impl Binding {
    /// The binder in slot `var`, as the tree evaluator binds it.
    pub(crate) fn local(var: LocalId) -> Binding {
        Binding { var, local: true, row: false }
    }
}

impl<E: Env + ?Sized> Fast<'_, E> {
    /// The members of a family (1 for a single actor), counted as [`Evaluator::family_size`](crate::eval::Evaluator::family_size) does.
    fn family_size(&mut self, actor: ActorId) -> EvalResult<i64> {
        let model = self.model;
        let Some(a) = model.actors.get(actor) else { return Ok(0) };
        match &a.family {
            None => Ok(1),
            Some((lo, hi)) => {
                let lo = self.num(lo)?;
                let hi = self.num(hi)?;
                Ok(((hi - lo).floor() as i64 + 1).max(0))
            }
        }
    }

    /// The items of a domain: families and ranges are counted, not listed.
    pub(crate) fn items(&mut self, d: &Domain) -> EvalResult<Items> {
        match &d.kind {
            DomainKind::Interval { .. } => err(EvalErrorKind::Continuous, d.span),
            DomainKind::Range(lo, hi) => {
                let lo = self.num(lo)?;
                let hi = self.num(hi)?;
                let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
                if hi.saturating_sub(lo) > 10_000_000 {
                    return err(EvalErrorKind::Domain(format!("the range {lo}..{hi} is too large")), d.span);
                }
                Ok(Items::Range(lo, hi))
            }
            DomainKind::Family(actor) => Ok(Items::Family(*actor, self.family_size(*actor)?)),
            DomainKind::Set(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.val(i)?);
                }
                Ok(Items::List(out))
            }
            DomainKind::Enum(id) => {
                Ok(Items::Enum(*id, self.model.enums.get(*id).map(|e| e.variants.len()).unwrap_or(0)))
            }
            DomainKind::List(e) => match self.val(e)? {
                Value::List(items) => Ok(Items::List(items)),
                other => err(EvalErrorKind::Shape(format!("expected a list, found {other:?}")), e.span),
            },
        }
    }

    pub(super) fn numeric_aggregate(
        &mut self,
        op: AggOp,
        var: LocalId,
        domain: &Domain,
        filter: Option<&Expr>,
        body: &Expr,
        span: Span,
    ) -> EvalResult<f64> {
        let items = self.items(domain)?;
        let filter = |s: &mut Self| filter.map_or(Ok(true), |f| s.truth(f));
        self.aggregate_num(op, Binding::local(var), items, filter, |s| s.num(body), span)
    }

    /// `sum`, `product`, `mean`, `min` or `max` of `body` over `items` bound as `bind`
    /// says, skipping items that fail `filter`, accumulated in order as
    /// [`Evaluator`](crate::eval::Evaluator) does. The row register is restored afterwards.
    pub(crate) fn aggregate_num(
        &mut self,
        op: AggOp,
        bind: Binding,
        items: Items,
        mut filter: impl FnMut(&mut Self) -> EvalResult<bool>,
        mut body: impl FnMut(&mut Self) -> EvalResult<f64>,
        span: Span,
    ) -> EvalResult<f64> {
        let mut acc = Acc::new(op);
        let saved = self.start(bind);
        let mut each = |s: &mut Self, k: usize| -> EvalResult<()> {
            s.bind(bind, &items, k);
            if filter(s)? {
                acc.add(body(s)?);
            }
            Ok(())
        };
        let folded = (0..items.len()).try_for_each(|k| each(self, k));
        self.memo.row = saved;
        folded?;
        acc.finish(span)
    }

    /// Runs `body` with each member `1..=n` of a family in the row register in turn (the
    /// register restored after); stops at the first failure.
    pub(crate) fn each_row(
        &mut self,
        n: i64,
        mut body: impl FnMut(&mut Self) -> Result<(), Box<EvalError>>,
    ) -> Result<(), Box<EvalError>> {
        let saved = self.memo.row;
        let done = (1..=n).try_for_each(|k| {
            self.memo.row = k;
            body(self)
        });
        self.memo.row = saved;
        done
    }

    pub(super) fn logical_aggregate(
        &mut self,
        op: AggOp,
        var: LocalId,
        domain: &Domain,
        filter: Option<&Expr>,
        body: &Expr,
    ) -> EvalResult<Value> {
        let items = self.items(domain)?;
        let filter = |s: &mut Self| filter.map_or(Ok(true), |f| s.truth(f));
        let (trues, all) =
            self.count_true(Binding::local(var), items, filter, |s| Ok(s.val(body)? == Value::Bool(true)))?;
        Ok(logical(op, trues, all))
    }

    /// How many items (passing `filter`, bound as `bind` says) `body` finds true (its
    /// value is `true`; any other value is not), and whether all are; every item is
    /// evaluated. The row register is restored afterwards.
    pub(crate) fn count_true(
        &mut self,
        bind: Binding,
        items: Items,
        mut filter: impl FnMut(&mut Self) -> EvalResult<bool>,
        mut body: impl FnMut(&mut Self) -> EvalResult<bool>,
    ) -> EvalResult<(usize, bool)> {
        let (mut trues, mut all) = (0usize, true);
        let saved = self.start(bind);
        let mut each = |s: &mut Self, k: usize| -> EvalResult<()> {
            s.bind(bind, &items, k);
            if !filter(s)? {
                return Ok(());
            }
            if body(s)? {
                trues += 1;
            } else {
                all = false;
            }
            Ok(())
        };
        let counted = (0..items.len()).try_for_each(|k| each(self, k));
        self.memo.row = saved;
        counted.map(|()| (trues, all))
    }

    /// Prepares the binder's slot; returns the row register to restore.
    fn start(&mut self, bind: Binding) -> i64 {
        if bind.local {
            self.reserve(bind.var);
        }
        self.memo.row
    }

    /// Binds item `k` of `items` as `bind` says.
    #[inline]
    fn bind(&mut self, bind: Binding, items: &Items, k: usize) {
        if bind.local {
            self.set_local(bind.var, items.get(k));
        }
        if let (true, Items::Family(..)) = (bind.row, items) {
            self.memo.row = k as i64 + 1;
        }
    }

    pub(super) fn quantified(&mut self, q: Quantifier, binders: &[Binder], body: &Expr) -> EvalResult<bool> {
        let Some((Binder { slot: var, domain, .. }, rest)) = binders.split_first() else {
            return self.truth(body);
        };
        let items = self.items(domain)?;
        self.reserve(*var);
        for k in 0..items.len() {
            self.set_local(*var, items.get(k));
            let holds = self.quantified(q, rest, body)?;
            match q {
                Quantifier::Forall if !holds => return Ok(false),
                Quantifier::Exists if holds => return Ok(true),
                _ => {}
            }
        }
        Ok(q == Quantifier::Forall)
    }
}

/// A `sum`, `product`, `mean`, `min` or `max` accumulated in order, as the tree evaluator does.
pub(crate) struct Acc {
    op: AggOp,
    acc: f64,
    count: usize,
}

impl Acc {
    /// Nothing accumulated yet.
    pub(crate) fn new(op: AggOp) -> Acc {
        let acc = match op {
            AggOp::Sum | AggOp::Mean => std::iter::empty::<f64>().sum(),
            AggOp::Product => std::iter::empty::<f64>().product(),
            AggOp::Min => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        };
        Acc { op, acc, count: 0 }
    }

    /// Accumulates `x`.
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        self.count += 1;
        self.acc = match self.op {
            AggOp::Sum | AggOp::Mean => self.acc + x,
            AggOp::Product => self.acc * x,
            AggOp::Min => self.acc.min(x),
            _ => self.acc.max(x),
        };
    }

    /// The aggregate (`span` is the aggregate's, for its errors).
    pub(crate) fn finish(self, span: Span) -> EvalResult<f64> {
        let r = match self.op {
            AggOp::Mean if self.count == 0 => {
                return err(EvalErrorKind::Domain("the mean of an empty domain".into()), span)
            }
            AggOp::Mean => self.acc / self.count as f64,
            _ => self.acc,
        };
        as_num(&finite(r, span)?, span)
    }
}

/// The value of `count`, `all` or `any` from how many items were true and whether all were.
pub(crate) fn logical(op: AggOp, trues: usize, all: bool) -> Value {
    match op {
        AggOp::Count => Value::Num(trues as f64),
        AggOp::All => Value::Bool(all),
        _ => Value::Bool(trues > 0),
    }
}

/// The items of a finite domain.
pub(crate) enum Items {
    Range(i64, i64),
    Family(ActorId, i64),
    Enum(EnumId, usize),
    List(Vec<Value>),
}

impl Items {
    /// How many.
    pub(crate) fn len(&self) -> usize {
        match self {
            Items::Range(lo, hi) => usize::try_from(hi.saturating_sub(*lo).saturating_add(1)).unwrap_or(0),
            Items::Family(_, n) => usize::try_from(*n).unwrap_or(0),
            Items::Enum(_, n) => *n,
            Items::List(items) => items.len(),
        }
    }

    /// Item `k` (0-based).
    pub(crate) fn get(&self, k: usize) -> Value {
        match self {
            Items::Range(lo, _) => Value::Num((lo + k as i64) as f64),
            Items::Family(a, _) => Value::Member(*a, k as i64 + 1),
            Items::Enum(id, _) => Value::Enum(*id, k),
            Items::List(items) => items.get(k).cloned().unwrap_or(Value::Num(0.0)),
        }
    }
}
