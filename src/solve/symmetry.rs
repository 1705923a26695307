//! Members of a family that face the same problem. A member's best response is a
//! deterministic function of what its payoff, thresholds and choice domain read. When
//! those read nothing that tells members apart but their own parameters and choices and
//! the choices of other actors' members of the same index (`Buyer[k]` inside
//! `Provider[k]`) — not the index itself, not another member of the family, no active cap
//! (whose shadow charge sums over everyone) — two members with bit-identical parameters,
//! fixed choices, current choices and such reads compute bit-identical best responses and
//! gains, so one computation serves them all. A family of 10,000 price-taking developers
//! of 35 types then costs 35 best responses per price. What every member reads alike
//! (prices, other actors' choices, whether the search starts warm) is the context of the
//! outcomes kept: when it changes, they are dropped.

use super::state::State;
use crate::check::visit;
use crate::model::*;
use foldhash::{HashMap, HashMapExt};

/// For each actor whose members may share work, a group per member (`None` otherwise).
#[derive(Debug, Clone, Default)]
pub struct Groups {
    of: Vec<Option<Vec<u32>>>,
    /// `[actor]`: what its members read besides their own parameters and choices.
    inputs: Vec<Inputs>,
}

/// Other actors whose choices a member's best response reads.
#[derive(Debug, Clone, Default)]
struct Inputs {
    /// Read at the member's own index: part of each member's key.
    own: Vec<ActorId>,
    /// Read at a fixed or any index: the same for every member, part of the context.
    shared: Vec<ActorId>,
}

impl Groups {
    /// The groups of `state`'s members: equal when parameters and fixed choices are
    /// bit-identical. None while some licence is revoked (a simulation's state), so what
    /// members read of licences is the same for all.
    pub fn new(model: &Model, state: &State) -> Groups {
        let caps = state.inactive.caps.iter().any(|removed| !removed);
        let mut inputs = vec![Inputs::default(); model.actors.len()];
        let of = (0..model.actors.len())
            .map(|a| {
                let s = state.actors.get(a)?;
                if caps || s.size < 2 || !state.licensed.is_empty() {
                    return None;
                }
                inputs[a] = exchangeable(model, a)?;
                let mut ids: HashMap<Vec<u64>, u32> = HashMap::new();
                let groups = (0..s.size)
                    .map(|m| {
                        let mut key = Vec::new();
                        s.params.get(m).into_iter().flatten().for_each(|v| bits(v, &mut key));
                        key.extend(s.fixed.get(m).into_iter().flatten().map(|f| u64::from(*f)));
                        let next = ids.len() as u32;
                        *ids.entry(key).or_insert(next)
                    })
                    .collect::<Vec<u32>>();
                // Worth it only if some members share a group.
                (ids.len() < s.size).then_some(groups)
            })
            .collect();
        Groups { of, inputs }
    }

    /// The group of member `m` (0-based) of `actor`, if its members may share work.
    pub fn of(&self, actor: ActorId, m: usize) -> Option<u32> {
        self.of.get(actor)?.as_ref()?.get(m).copied()
    }

    /// What member `m` (0-based) of `actor` is in `state`: its group, its choices and those
    /// it reads at its own index, and whether it abstains (`None` if it shares nothing).
    pub fn key(&self, state: &State, actor: ActorId, m: usize) -> Option<Key> {
        let group = self.of(actor, m)?;
        let s = state.actors.get(actor)?;
        let mut values = s.choices.get(m)?.clone();
        for &b in &self.inputs.get(actor)?.own {
            values.extend(state.actors.get(b)?.choices.get(m)?.iter().cloned());
        }
        Some(Key { actor, group, values, abstained: *s.abstained.get(m)? })
    }

    /// Whether member `m` (0-based) of `actor` is in state `key` in `state`.
    fn matches(&self, key: &Key, state: &State, actor: ActorId, m: usize) -> bool {
        let Some(s) = state.actors.get(actor) else { return false };
        let Some(own) = s.choices.get(m) else { return false };
        if s.abstained.get(m) != Some(&key.abstained) || key.values.len() < own.len() {
            return false;
        }
        let (mine, rest) = key.values.split_at(own.len());
        if !same(mine, own) {
            return false;
        }
        let mut rest = rest;
        for &b in self.inputs.get(actor).map(|i| i.own.as_slice()).unwrap_or_default() {
            let Some(theirs) = state.actors.get(b).and_then(|s| s.choices.get(m)) else { return false };
            if rest.len() < theirs.len() || !same(&rest[..theirs.len()], theirs) {
                return false;
            }
            rest = &rest[theirs.len()..];
        }
        rest.is_empty()
    }

    /// Writes what every member of `actor` reads alike in `state` to `out`, as bits.
    fn context(&self, state: &State, actor: ActorId, out: &mut Vec<u64>) {
        out.clear();
        out.push(u64::from(state.warm));
        out.extend(state.prices.iter().chain(&state.shadow).map(|x| x.to_bits()));
        for &b in self.inputs.get(actor).map(|i| i.shared.as_slice()).unwrap_or_default() {
            for member in state.actors.get(b).map(|s| s.choices.as_slice()).unwrap_or_default() {
                out.push(member.len() as u64);
                member.iter().for_each(|v| bits(v, out));
            }
        }
    }
}

/// A member's state as far as sharing goes: see [`Groups::key`].
#[derive(Debug, Clone)]
pub struct Key {
    actor: ActorId,
    group: u32,
    values: Vec<Value>,
    abstained: bool,
}

/// Whether two choice vectors are bit-identical (so `0.0` and `-0.0` differ).
pub fn same(x: &[Value], y: &[Value]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) => same(x, y),
        _ => a == b,
    }
}

/// Appends the bits of `v` to `out`, tagged by shape.
fn bits(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Num(x) => out.extend([0, x.to_bits()]),
        Value::Bool(b) => out.extend([1, u64::from(*b)]),
        Value::Enum(e, k) => out.extend([2, *e as u64, *k as u64]),
        Value::Member(a, i) => out.extend([3, *a as u64, *i as u64]),
        Value::List(items) => {
            out.extend([4, items.len() as u64]);
            items.iter().for_each(|x| bits(x, out));
        }
    }
}

/// What the best response of a member of `actor` reads besides its own parameters and
/// choices, if that is only things equal for every member and other actors' choices (at
/// its own index or any other): never its index otherwise, never another member of its
/// family beyond their parameters, never another actor's lets, draws or functions (which
/// might read the family).
fn exchangeable(model: &Model, actor: ActorId) -> Option<Inputs> {
    let a = model.actors.get(actor)?;
    let mut walk = Walk { model, actor, seen: Vec::new(), inputs: Inputs::default() };
    let mut member_scope: Vec<&Expr> = a.payoff.iter().collect();
    for c in &a.choices {
        match &c.domain.kind {
            DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => member_scope.extend([lo, hi]),
            DomainKind::Set(items) => member_scope.extend(items),
            DomainKind::List(e) => member_scope.push(e),
            DomainKind::Family(_) | DomainKind::Enum(_) => {}
        }
    }
    let file_scope =
        model.thresholds.iter().filter(|t| t.on == actor).flat_map(|t| [Some(&t.condition), t.penalty.as_ref()]);
    let ok = member_scope.into_iter().all(|e| walk.expr(e, true)) && file_scope.flatten().all(|e| walk.expr(e, false));
    ok.then_some(walk.inputs)
}

/// The walk behind [`exchangeable`]: each let, function, draw and audit is followed once.
struct Walk<'m> {
    model: &'m Model,
    actor: ActorId,
    seen: Vec<(u8, usize)>,
    inputs: Inputs,
}

impl<'m> Walk<'m> {
    /// Whether `e` is the same for every member up to its inputs; `member_scope` when slot 0
    /// is the index.
    fn expr(&mut self, e: &'m Expr, member_scope: bool) -> bool {
        let me = self.actor;
        let mut ok = true;
        // Nodes allowed because of where they stand: the `of` of an own member, the index
        // of another actor's member at the same index.
        let mut allowed: Vec<*const Expr> = Vec::new();
        let mut follow: Vec<(u8, usize, &'m Expr, bool)> = Vec::new();
        let model = self.model;
        let inputs = &mut self.inputs;
        visit(e, &mut |x| match &x.kind {
            ExprKind::Local(0) if member_scope => ok &= allowed.contains(&std::ptr::from_ref(x)),
            ExprKind::SelfMember(_) => ok &= allowed.contains(&std::ptr::from_ref(x)),
            ExprKind::Member { actor, member, of } => {
                let own = *actor == me && matches!(of.kind, ExprKind::SelfMember(s) if s == me);
                if own {
                    allowed.push(std::ptr::from_ref(&**of));
                }
                // A licence, like a parameter, stays put while members respond; members
                // share work only when every licence is held (see `Groups::new`).
                match (member, own, *actor == me) {
                    (MemberRef::Param(_) | MemberRef::Licence(_), _, _) | (MemberRef::Choice(_), true, _) => {}
                    (MemberRef::Choice(_), _, false) => match same_index(of) {
                        Some(index) if member_scope => {
                            allowed.push(index);
                            push(&mut inputs.own, *actor);
                        }
                        _ => push(&mut inputs.shared, *actor),
                    },
                    (MemberRef::Let(i), true, _) => match model.actors[me].lets.get(*i) {
                        Some(l) => follow.push((0, *i, &l.value, true)),
                        None => ok = false,
                    },
                    (MemberRef::Random(i), true, _) => match model.actors[me].randoms.get(*i) {
                        Some(r) => follow.push((1, *i, &r.dist, true)),
                        None => ok = false,
                    },
                    _ => ok = false,
                }
            }
            ExprKind::MemberCall { actor, func, of, .. } => {
                let own = *actor == me && matches!(of.kind, ExprKind::SelfMember(s) if s == me);
                match model.actors[*actor].fns.get(*func) {
                    Some(f) if own => {
                        allowed.push(std::ptr::from_ref(&**of));
                        follow.push((2, *func, &f.body, true));
                    }
                    _ => ok = false,
                }
            }
            ExprKind::Call(f, _) => match model.fns.get(*f) {
                Some(func) => follow.push((3, *f, &func.body, false)),
                None => ok = false,
            },
            ExprKind::Let(i) => match model.lets.get(*i) {
                Some(l) => follow.push((4, *i, &l.value, false)),
                None => ok = false,
            },
            ExprKind::Random(i) => match model.randoms.get(*i) {
                Some(r) => follow.push((5, *i, &r.dist, false)),
                None => ok = false,
            },
            ExprKind::AuditProb(i) => match model.audits.get(*i) {
                Some(audit) => follow.push((6, *i, &audit.prob, false)),
                None => ok = false,
            },
            _ => {}
        });
        ok && follow.into_iter().all(|(kind, id, body, scope)| {
            if self.seen.contains(&(kind, id)) {
                return true;
            }
            self.seen.push((kind, id));
            self.expr(body, scope)
        })
    }
}

/// The index node of `Family[k]` when `k` is slot 0 (in a member body, its own index).
fn same_index(of: &Expr) -> Option<*const Expr> {
    match &of.kind {
        ExprKind::Index(base, i)
            if matches!(base.kind, ExprKind::Const(Value::Member(_, 0))) && matches!(i.kind, ExprKind::Local(0)) =>
        {
            Some(std::ptr::from_ref(&**i))
        }
        _ => None,
    }
}

fn push(list: &mut Vec<ActorId>, a: ActorId) {
    if !list.contains(&a) {
        list.push(a);
    }
}

/// Outcomes computed for some members, reused by members in the same state (see
/// [`Groups::key`]) while the context they were computed in lasts.
#[derive(Debug)]
pub struct Reuse<T> {
    /// `[actor][group]`: the states and outcomes kept, oldest first.
    by_group: Vec<Vec<Vec<(Key, T)>>>,
    /// `[actor]`: the context of the outcomes kept.
    context: Vec<Vec<u64>>,
    /// Where a context is written before it is compared.
    scratch: Vec<u64>,
    /// States kept per group; the oldest makes way for a new one.
    capacity: usize,
}

impl<T> Reuse<T> {
    /// Keeps up to `capacity` states per group.
    pub fn new(capacity: usize) -> Reuse<T> {
        Reuse { by_group: Vec::new(), context: Vec::new(), scratch: Vec::new(), capacity }
    }

    /// Drops the outcomes of `actor`'s members unless they were computed in the context
    /// `state` gives them; call before `get` whenever that context may have changed.
    pub fn enter(&mut self, groups: &Groups, state: &State, actor: ActorId) {
        if groups.of.get(actor).is_none_or(Option::is_none) {
            return;
        }
        groups.context(state, actor, &mut self.scratch);
        if self.context.len() <= actor {
            self.context.resize_with(actor + 1, Vec::new);
        }
        if self.context[actor] != self.scratch {
            std::mem::swap(&mut self.context[actor], &mut self.scratch);
            if let Some(kept) = self.by_group.get_mut(actor) {
                kept.clear();
            }
        }
    }

    /// The outcome computed for a member in the state member `m` (0-based) of `actor` is in, if any.
    pub fn find(&self, groups: &Groups, state: &State, actor: ActorId, m: usize) -> Option<&T> {
        let group = groups.of(actor, m)?;
        let kept = self.by_group.get(actor)?.get(group as usize)?;
        kept.iter().rev().find(|(k, _)| groups.matches(k, state, actor, m)).map(|(_, t)| t)
    }

    /// Records the outcome for a member in state `key` (its state before the outcome was computed).
    pub fn put(&mut self, key: Key, t: T) {
        let (actor, group) = (key.actor, key.group as usize);
        if self.by_group.len() <= actor {
            self.by_group.resize_with(actor + 1, Vec::new);
        }
        let groups = &mut self.by_group[actor];
        if groups.len() <= group {
            groups.resize_with(group + 1, Vec::new);
        }
        let kept = &mut groups[group];
        if kept.len() >= self.capacity {
            kept.remove(0);
        }
        kept.push((key, t));
    }
}

#[cfg(test)]
mod tests;
