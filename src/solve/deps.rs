//! Whose choices a member's best response reads, found once per solve from the model: its
//! payoff, the thresholds on it, its choice domains and the active caps, followed through
//! lets, functions, random quantities and audits. A read names a member relative to the
//! reader — its own index (`Buyer[k]` inside `Provider[k]`), a fixed member (a single
//! actor, `Buyer[3]`) or any member (an aggregate, a computed index) — so a stage can
//! re-solve only the members whose inputs moved ([`Deps::mark`]).

use crate::check::visit;
use crate::model::*;
use std::ops::Range;

/// Which member of an actor a read names, relative to the member that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    /// The reader's own index.
    Own,
    /// This member (1-based).
    At(i64),
    /// Any member.
    Any,
}

/// Per actor, the members whose choices or abstention a member's best response reads.
#[derive(Debug, Clone, Default)]
pub struct Deps {
    reads: Vec<Vec<(ActorId, Index)>>,
}

impl Deps {
    /// What every actor's members read in `model`, with the caps `inactive` marks removed.
    pub fn new(model: &Model, inactive_caps: &[bool]) -> Deps {
        let reads = (0..model.actors.len()).map(|a| reads_of(model, a, inactive_caps)).collect();
        Deps { reads }
    }

    /// Everyone reads everyone, so every move re-solves every later member: the plain
    /// backward induction the sparse one is tested against.
    pub fn complete(model: &Model) -> Deps {
        let all: Vec<(ActorId, Index)> = (0..model.actors.len()).map(|b| (b, Index::Any)).collect();
        Deps { reads: vec![all; model.actors.len()] }
    }

    /// `[actor]`: whether its members' choices can move what `exprs` (read at file scope)
    /// evaluate to: the actors these read, and in turn those whose choices the best
    /// responses of those actors read.
    pub fn reaching(&self, model: &Model, exprs: &[&Expr]) -> Vec<bool> {
        let mut walk = Walk { model, seen: Vec::new(), reads: Vec::new() };
        for e in exprs {
            walk.expr(e, None);
        }
        let mut on = vec![false; model.actors.len()];
        let mut todo: Vec<ActorId> = walk.reads.iter().map(|(a, _)| *a).collect();
        while let Some(a) = todo.pop() {
            if let Some(flag) = on.get_mut(a).filter(|f| !**f) {
                *flag = true;
                todo.extend(self.reads.get(a).into_iter().flatten().map(|(b, _)| *b));
            }
        }
        on
    }

    /// Calls `mark` with the positions in a stage of the members whose best responses read
    /// member `moved` (`(actor, 1-based index)`); `ranges[a]` holds the positions of actor
    /// `a`'s members in the stage, in index order (`None` if it has none there).
    pub fn mark(&self, ranges: &[Option<Range<usize>>], moved: (ActorId, i64), mark: &mut dyn FnMut(Range<usize>)) {
        for (a, range) in ranges.iter().enumerate() {
            let Some(range) = range else { continue };
            let reads = self.reads.get(a).map(Vec::as_slice).unwrap_or_default();
            let mut own = false;
            let mut all = false;
            for &(_, index) in reads.iter().filter(|(b, _)| *b == moved.0) {
                match index {
                    Index::Own => own = true,
                    Index::At(i) => all |= i == moved.1,
                    Index::Any => all = true,
                }
            }
            if all {
                mark(range.clone());
            } else if own {
                let p = usize::try_from(moved.1 - 1).ok().and_then(|i| range.start.checked_add(i));
                if let Some(p) = p.filter(|p| range.contains(p)) {
                    mark(p..p + 1);
                }
            }
        }
    }
}

/// The scope an expression is read in: the member whose body it is (relative to the
/// reader), `None` at file scope or in a function of the file.
type Scope = Option<Index>;

/// What a member of `actor` reads.
fn reads_of(model: &Model, actor: ActorId, inactive_caps: &[bool]) -> Vec<(ActorId, Index)> {
    let Some(a) = model.actors.get(actor) else { return Vec::new() };
    let mut walk = Walk { model, seen: Vec::new(), reads: vec![(actor, Index::Own)] };
    let own = Some(Index::Own);
    if let Some(p) = &a.payoff {
        walk.expr(p, own);
    }
    for c in &a.choices {
        match &c.domain.kind {
            DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => {
                walk.expr(lo, own);
                walk.expr(hi, own);
            }
            DomainKind::Set(items) => items.iter().for_each(|e| walk.expr(e, own)),
            DomainKind::List(e) => walk.expr(e, own),
            DomainKind::Family(_) | DomainKind::Enum(_) => {}
        }
    }
    walk.thresholds(actor);
    // A binding cap charges every member its shadow price times the capped quantity.
    for (k, cap) in model.caps.iter().enumerate() {
        if !inactive_caps.get(k).copied().unwrap_or(false) {
            walk.expr(&cap.lhs, None);
            walk.expr(&cap.rhs, None);
        }
    }
    walk.reads
}

/// The walk behind [`reads_of`]: each body is followed once per scope.
struct Walk<'m> {
    model: &'m Model,
    seen: Vec<(u8, ActorId, usize, Scope)>,
    reads: Vec<(ActorId, Index)>,
}

impl<'m> Walk<'m> {
    fn read(&mut self, actor: ActorId, index: Index) {
        if !self.reads.contains(&(actor, index)) {
            self.reads.push((actor, index));
        }
    }

    /// Follows `body` in `scope` unless it was followed there already.
    fn follow(&mut self, (kind, actor, id): (u8, ActorId, usize), body: &'m Expr, scope: Scope) {
        if !self.seen.contains(&(kind, actor, id, scope)) {
            self.seen.push((kind, actor, id, scope));
            self.expr(body, scope);
        }
    }

    /// The thresholds on `actor`: part of its members' payoffs, read at file scope.
    fn thresholds(&mut self, actor: ActorId) {
        let model = self.model;
        for (t, threshold) in model.thresholds.iter().enumerate().filter(|(_, t)| t.on == actor) {
            self.follow((7, actor, t), &threshold.condition, None);
            if let Some(p) = &threshold.penalty {
                self.follow((8, actor, t), p, None);
            }
        }
    }

    /// Records what `e`, read in `scope`, reads.
    fn expr(&mut self, e: &'m Expr, scope: Scope) {
        let model = self.model;
        let mut next: Vec<((u8, ActorId, usize), &'m Expr, Scope)> = Vec::new();
        let mut reads: Vec<(ActorId, Index)> = Vec::new();
        let mut payoffs: Vec<(ActorId, Index)> = Vec::new();
        visit(e, &mut |x| match &x.kind {
            ExprKind::Member { actor, member, of } => {
                let index = target(of, scope);
                let Some(b) = model.actors.get(*actor) else { return };
                match member {
                    // Licences, like parameters, do not move while a stage is solved.
                    MemberRef::Param(_) | MemberRef::Licence(_) => {}
                    MemberRef::Choice(_) => reads.push((*actor, index)),
                    MemberRef::Let(i) => {
                        if let Some(l) = b.lets.get(*i) {
                            next.push(((0, *actor, *i), &l.value, Some(index)));
                        }
                    }
                    MemberRef::Random(i) => {
                        if let Some(r) = b.randoms.get(*i) {
                            next.push(((1, *actor, *i), &r.dist, Some(index)));
                        }
                    }
                    MemberRef::Payoff => {
                        reads.push((*actor, index));
                        payoffs.push((*actor, index));
                        if let Some(p) = &b.payoff {
                            next.push(((2, *actor, 0), p, Some(index)));
                        }
                    }
                }
            }
            ExprKind::MemberCall { actor, func, of, .. } => {
                if let Some(f) = model.actors.get(*actor).and_then(|b| b.fns.get(*func)) {
                    next.push(((3, *actor, *func), &f.body, Some(target(of, scope))));
                }
            }
            ExprKind::Call(f, _) => {
                if let Some(func) = model.fns.get(*f) {
                    next.push(((4, 0, *f), &func.body, None));
                }
            }
            ExprKind::Let(i) => {
                if let Some(l) = model.lets.get(*i) {
                    next.push(((5, 0, *i), &l.value, None));
                }
            }
            ExprKind::Random(i) => {
                if let Some(r) = model.randoms.get(*i) {
                    next.push(((6, 0, *i), &r.dist, None));
                }
            }
            ExprKind::AuditProb(i) => {
                if let Some(audit) = model.audits.get(*i) {
                    next.push(((9, 0, *i), &audit.prob, None));
                }
            }
            _ => {}
        });
        for (b, index) in reads {
            self.read(b, index);
        }
        for (b, _) in payoffs {
            self.thresholds(b);
        }
        for (what, body, scope) in next {
            self.follow(what, body, scope);
        }
    }
}

/// The member `of` denotes, relative to the reader, when read in `scope`.
fn target(of: &Expr, scope: Scope) -> Index {
    match &of.kind {
        ExprKind::SelfMember(_) => scope.unwrap_or(Index::Any),
        ExprKind::Const(Value::Member(_, i)) if *i >= 1 => Index::At(*i),
        ExprKind::Index(base, i) if matches!(base.kind, ExprKind::Const(Value::Member(_, 0))) => match &i.kind {
            // Slot 0 of a member's body (and of its functions) is its index.
            ExprKind::Local(0) => scope.unwrap_or(Index::Any),
            ExprKind::Const(Value::Num(x)) if x.fract() == 0.0 && *x >= 1.0 && *x < 1e15 => Index::At(*x as i64),
            _ => Index::Any,
        },
        _ => Index::Any,
    }
}

#[cfg(test)]
mod tests;
