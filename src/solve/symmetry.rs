//! Members of a family that face the same problem. A member's best response is a
//! deterministic function of what its payoff, thresholds and choice domain read. When
//! those read nothing that tells members apart but their own parameters, licences and
//! choices — not the member index, not another member of the family, no active cap (whose
//! shadow charge sums over everyone) — two members with bit-identical parameters, fixed
//! choices, licences and current choices compute bit-identical best responses and gains,
//! so one computation serves them all. A family of 10,000 price-taking developers of 35 types
//! then costs 35 best responses per price.

use super::state::State;
use crate::check::visit;
use crate::model::*;
use std::collections::HashMap;

/// For each actor whose members may share work, a group per member (`None` otherwise).
#[derive(Debug, Clone, Default)]
pub struct Groups {
    of: Vec<Option<Vec<u32>>>,
}

impl Groups {
    /// The groups of `state`'s members: equal when parameters, fixed choices and the
    /// licences held are identical.
    pub fn new(model: &Model, state: &State) -> Groups {
        let caps = state.inactive.caps.iter().any(|removed| !removed);
        let of = (0..model.actors.len())
            .map(|a| {
                let s = state.actors.get(a)?;
                if caps || s.size < 2 || !exchangeable(model, a) {
                    return None;
                }
                let mut ids: HashMap<Vec<u64>, u32> = HashMap::new();
                let groups = (0..s.size)
                    .map(|m| {
                        let mut key = Vec::new();
                        s.params.get(m).into_iter().flatten().for_each(|v| bits(v, &mut key));
                        key.extend(s.fixed.get(m).into_iter().flatten().map(|f| u64::from(*f)));
                        let licences = model.licenses.iter().enumerate().filter(|(_, l)| l.holders == a);
                        key.extend(licences.map(|(l, _)| u64::from(state.holds(l, m))));
                        let next = ids.len() as u32;
                        *ids.entry(key).or_insert(next)
                    })
                    .collect::<Vec<u32>>();
                // Worth it only if some members share a group.
                (ids.len() < s.size).then_some(groups)
            })
            .collect();
        Groups { of }
    }

    /// The group of member `m` (0-based) of `actor`, if its members may share work.
    pub fn of(&self, actor: ActorId, m: usize) -> Option<u32> {
        self.of.get(actor)?.as_ref()?.get(m).copied()
    }
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

/// Whether the best response of a member of `actor` reads only its own parameters and
/// choices and things equal for every member: never its index, never another member of
/// its family beyond their parameters, never another actor's lets, draws or functions
/// (which might read the family).
fn exchangeable(model: &Model, actor: ActorId) -> bool {
    let Some(a) = model.actors.get(actor) else { return false };
    let mut walk = Walk { model, actor, seen: Vec::new() };
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
    member_scope.into_iter().all(|e| walk.expr(e, true)) && file_scope.flatten().all(|e| walk.expr(e, false))
}

/// The walk behind [`exchangeable`]: each let, function, draw and audit is followed once.
struct Walk<'m> {
    model: &'m Model,
    actor: ActorId,
    seen: Vec<(u8, usize)>,
}

impl<'m> Walk<'m> {
    /// Whether `e` is the same for every member; `member_scope` when slot 0 is the index.
    fn expr(&mut self, e: &'m Expr, member_scope: bool) -> bool {
        let me = self.actor;
        let mut ok = true;
        let mut own_of: Vec<*const Expr> = Vec::new();
        let mut follow: Vec<(u8, usize, &'m Expr, bool)> = Vec::new();
        let model = self.model;
        visit(e, &mut |x| match &x.kind {
            ExprKind::Local(0) if member_scope => ok = false,
            ExprKind::SelfMember(_) => ok &= own_of.contains(&std::ptr::from_ref(x)),
            ExprKind::Member { actor, member, of } => {
                let own = *actor == me && matches!(of.kind, ExprKind::SelfMember(s) if s == me);
                if own {
                    own_of.push(std::ptr::from_ref(&**of));
                }
                // A licence, like a parameter, stays put while members respond: one's own
                // is in the group key, anyone else's is the same for every member.
                match (member, own, *actor == me) {
                    (MemberRef::Param(_) | MemberRef::Licence(_), _, _)
                    | (MemberRef::Choice(_), true, _)
                    | (MemberRef::Choice(_), _, false) => {}
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
                        own_of.push(std::ptr::from_ref(&**of));
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

/// Outcomes computed for some members, reused by members of the same group whose choices
/// are bit-identical to those the outcome was computed from.
#[derive(Debug)]
pub struct Reuse<T> {
    /// `[actor][group]`.
    by_group: Vec<Vec<Outcomes<T>>>,
}

/// Outcomes of one group: the choices and abstention they were computed from, and the outcome.
type Outcomes<T> = Vec<(Vec<Value>, bool, T)>;

impl<T> Default for Reuse<T> {
    fn default() -> Self {
        Reuse { by_group: Vec::new() }
    }
}

/// Different states kept per group before members are simply computed one by one.
const STATES_PER_GROUP: usize = 4;

impl<T> Reuse<T> {
    /// The outcome computed for a member in the same group and state as member `m`
    /// (0-based) of `actor`, if any.
    pub fn get(&self, groups: &Groups, state: &State, actor: ActorId, m: usize) -> Option<&T> {
        let g = groups.of(actor, m)? as usize;
        let entries = self.by_group.get(actor)?.get(g)?;
        let s = state.actors.get(actor)?;
        let (choices, abstained) = (s.choices.get(m)?, *s.abstained.get(m)?);
        entries.iter().find(|(c, a, _)| *a == abstained && same(c, choices)).map(|(_, _, t)| t)
    }

    /// Records the outcome for a member of `actor` in group-state `(choices, abstained)`
    /// (its state before the outcome was computed).
    pub fn put(&mut self, groups: &Groups, actor: ActorId, m: usize, choices: Vec<Value>, abstained: bool, t: T) {
        let Some(g) = groups.of(actor, m).map(|g| g as usize) else { return };
        if self.by_group.len() <= actor {
            self.by_group.resize_with(actor + 1, Vec::new);
        }
        let groups = &mut self.by_group[actor];
        if groups.len() <= g {
            groups.resize_with(g + 1, Vec::new);
        }
        if groups[g].len() < STATES_PER_GROUP {
            groups[g].push((choices, abstained, t));
        }
    }
}

#[cfg(test)]
mod tests;
