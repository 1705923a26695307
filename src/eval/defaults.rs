//! Parameter values before any solving: defaults (or a scenario's overrides), memoised,
//! and the member parameters and lets computed from them. The checker uses them for
//! constant checks; the solver builds its starting state from them. Choices, prices,
//! audits, draws and who holds a licence are not known here (`NotConstant`).

use super::{Env, EvalError, EvalErrorKind, EvalResult, Evaluator};
use crate::model::*;
use crate::source::Span;
use std::cell::RefCell;

/// Memoised parameter defaults shared by every view of a [`ConstEnv`].
#[derive(Default)]
pub struct ConstCache {
    params: RefCell<Vec<Option<EvalResult<Value>>>>,
    busy: RefCell<Vec<bool>>,
}

impl ConstCache {
    /// A cache sized for `model`.
    pub fn new(model: &Model) -> ConstCache {
        ConstCache {
            params: RefCell::new(vec![None; model.params.len()]),
            busy: RefCell::new(vec![false; model.params.len()]),
        }
    }
}

/// Values known at check time: parameter defaults and lets built from them.
#[derive(Clone, Copy)]
pub struct ConstEnv<'m> {
    model: &'m Model,
    cache: &'m ConstCache,
    overrides: &'m [(ParamId, Expr)],
    current: Option<(ActorId, i64)>,
}

impl<'m> ConstEnv<'m> {
    /// An environment over `model`'s defaults.
    pub fn new(model: &'m Model, cache: &'m ConstCache) -> ConstEnv<'m> {
        ConstEnv { model, cache, overrides: &[], current: None }
    }

    /// An environment where `overrides` replace some defaults (a scenario's `set`s).
    pub fn with_overrides(model: &'m Model, cache: &'m ConstCache, overrides: &'m [(ParamId, Expr)]) -> ConstEnv<'m> {
        ConstEnv { model, cache, overrides, current: None }
    }

    fn not_constant<T>(what: &str, span: Span) -> EvalResult<T> {
        Err(EvalError { kind: EvalErrorKind::NotConstant(what.to_string()), span })
    }

    /// Evaluates an expression in this environment (a fresh frame; slot 0 is the member index).
    pub fn eval(&self, e: &Expr) -> EvalResult<Value> {
        let mut frame = match self.current {
            Some((_, i)) => vec![Value::Num(i as f64)],
            None => Vec::new(),
        };
        Evaluator { model: self.model, env: self }.eval(e, &mut frame)
    }

    /// The same values inside member `index` of `actor`.
    pub fn at(&self, actor: ActorId, index: i64) -> ConstEnv<'m> {
        ConstEnv { current: Some((actor, index)), ..*self }
    }

    fn top(&self) -> ConstEnv<'m> {
        ConstEnv { current: None, ..*self }
    }
}

impl Env for ConstEnv<'_> {
    fn param(&self, id: ParamId, span: Span) -> EvalResult<Value> {
        if let Some(Some(v)) = self.cache.params.borrow().get(id) {
            return v.clone();
        }
        if self.cache.busy.borrow().get(id).copied().unwrap_or(true) {
            return Self::not_constant("a cyclic definition", span);
        }
        let written = self.overrides.iter().rev().find(|(p, _)| *p == id).map(|(_, e)| e);
        let Some(default) = written.or_else(|| self.model.params.get(id).and_then(|p| p.default.as_ref())) else {
            let name = self.model.params.get(id).map(|p| p.name.as_str()).unwrap_or("?");
            return Self::not_constant(&format!("parameter `{name}` has no value"), span);
        };
        // A value already reported as wrong (an unknown name in `--set Q=abc`) is no number
        // to compute with: what depends on it is not constant, not a consequent error.
        if default.ty.is_lenient() {
            return Self::not_constant("an erroneous parameter value", span);
        }
        self.cache.busy.borrow_mut()[id] = true;
        let v = self.top().eval(default);
        self.cache.busy.borrow_mut()[id] = false;
        self.cache.params.borrow_mut()[id] = Some(v.clone());
        v
    }

    fn global_let(&self, id: LetId, span: Span) -> EvalResult<Value> {
        match self.model.lets.get(id) {
            Some(l) if l.value.ty.is_lenient() => Self::not_constant("an erroneous let", span),
            Some(l) => self.top().eval(&l.value),
            None => Self::not_constant("an unknown let", span),
        }
    }

    fn member(&self, actor: ActorId, index: i64, member: MemberRef, span: Span) -> EvalResult<Value> {
        let a = self.model.actors.get(actor);
        let expr = match member {
            MemberRef::Param(i) => a.and_then(|a| a.params.get(i)).and_then(|p| p.default.as_ref()),
            MemberRef::Let(i) => a.and_then(|a| a.lets.get(i)).map(|l| &l.value),
            MemberRef::Licence(_) => return Self::not_constant("a licence's holding status", span),
            _ => return Self::not_constant("a choice or draw", span),
        };
        match expr {
            Some(e) if !e.ty.is_lenient() => self.at(actor, index).eval(e),
            _ => Self::not_constant("a member without a value", span),
        }
    }

    fn market_price(&self, _: MarketId, span: Span) -> EvalResult<Value> {
        Self::not_constant("a market price", span)
    }

    fn audit_prob(&self, _: AuditId, span: Span) -> EvalResult<Value> {
        Self::not_constant("an audit probability", span)
    }

    fn random(&self, _: RandomId, span: Span) -> EvalResult<Value> {
        Self::not_constant("a random draw", span)
    }

    fn current_member(&self, actor: ActorId, span: Span) -> EvalResult<Value> {
        match self.current {
            Some((a, i)) if a == actor => Ok(Value::Member(a, i)),
            _ => Self::not_constant("an actor instance", span),
        }
    }
}
