//! Backward induction over the `sequence` stages, Gauss–Seidel best-response iteration
//! inside a stage. Every candidate choice of a leader re-solves the later stages; there,
//! only the members whose inputs moved respond ([`Deps`]): the members that read the
//! leader, and in turn those that read a member that moved by more than the tolerance.
//! When everyone reads everyone this is plain Gauss–Seidel, round for round; when it is
//! sparse (a buyer's deviation moves its own provider alone) the members left out are the
//! ones whose best responses the round could not change beyond that tolerance.

use super::context::Cx;
use super::respond::{respond, Follow};
use super::state::State;
use super::SolveError;
use crate::check::visit;
use crate::model::*;
use std::ops::Range;

/// Rounds of best-response iteration before giving up.
const MAX_ROUNDS: usize = 200;
/// A change below this (relative) counts as settled.
const TOL: f64 = 1e-7;
/// States of a group whose best responses are kept for reuse across rounds and stages.
const RESPONSES_KEPT: usize = 16;

/// Who moves in which stage: members of actors with choices.
pub struct Plan {
    /// The stages, first mover first.
    pub stages: Vec<Stage>,
    /// No payoff reads another member's choice: one round of best responses settles.
    pub independent: bool,
}

/// The movers of one stage.
pub struct Stage {
    /// Their actors, in the order they respond.
    pub actors: Vec<ActorId>,
    /// Their members (`(actor, 1-based index)`), in the order they respond.
    members: Vec<(ActorId, i64)>,
    /// `[actor]`: the positions of its members in `members`.
    ranges: Vec<Option<Range<usize>>>,
}

/// What moved since the stages were last solved.
#[derive(Debug, Clone, Copy)]
pub enum Trigger<'a> {
    /// Anything: every member responds.
    All,
    /// Anything, for the actors flagged here (`[actor]`): their members respond, and
    /// only they respond to one another's moves (the rest is left as it is: what they
    /// do cannot move the flagged actors' best responses). Single-stage plans only.
    Actors(&'a [bool]),
    /// This member of an earlier stage (`(actor, 1-based index)`).
    Member((ActorId, i64)),
}

/// Members that responded, `(actor, 1-based index)`, each once.
#[derive(Debug, Default)]
pub struct Touched {
    list: Vec<(ActorId, i64)>,
    /// `[actor][member]`, once the list is long enough for a linear search to cost more.
    seen: Vec<Vec<bool>>,
}

/// Members a [`Touched`] holds before it indexes them.
const LINEAR: usize = 16;

impl Touched {
    fn insert(&mut self, state: &State, (a, m): (ActorId, i64)) {
        if self.seen.is_empty() {
            if self.list.contains(&(a, m)) {
                return;
            }
            self.list.push((a, m));
            if self.list.len() >= LINEAR {
                self.seen = state.actors.iter().map(|s| vec![false; s.size]).collect();
                for &(b, n) in &self.list {
                    if let Some(seen) = self.seen.get_mut(b).and_then(|s| s.get_mut((n - 1) as usize)) {
                        *seen = true;
                    }
                }
            }
            return;
        }
        if let Some(seen) = self.seen.get_mut(a).and_then(|s| s.get_mut((m - 1) as usize)) {
            if !*seen {
                *seen = true;
                self.list.push((a, m));
            }
        }
    }

    fn merge(&mut self, state: &State, other: &Touched) {
        for &x in &other.list {
            self.insert(state, x);
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(ActorId, i64)> {
        self.list.iter()
    }
}

/// The positions of a stage's members still to respond in a round, taken in order.
struct Worklist {
    on: Vec<bool>,
    /// Positions before this one are taken.
    at: usize,
    /// Positions on.
    left: usize,
}

impl Worklist {
    fn new(n: usize) -> Worklist {
        Worklist { on: vec![false; n], at: 0, left: 0 }
    }

    /// Puts the positions of `r` on (none that [`Worklist::pop`] has passed).
    fn add(&mut self, r: Range<usize>) {
        for flag in self.on.get_mut(r).into_iter().flatten() {
            if !*flag {
                *flag = true;
                self.left += 1;
            }
        }
    }

    /// The next position on, in order.
    fn pop(&mut self) -> Option<usize> {
        while self.left > 0 {
            let p = self.at;
            self.at += 1;
            if std::mem::take(self.on.get_mut(p)?) {
                self.left -= 1;
                return Some(p);
            }
        }
        None
    }
}

/// The cache of shared best responses: the choices and abstention they lead to, and how far they moved.
pub type Responses = super::symmetry::Reuse<(Vec<Value>, bool, f64)>;

/// A new cache of shared best responses.
pub fn responses() -> Responses {
    Responses::new(RESPONSES_KEPT)
}

/// The stages of `model` with the family sizes of `state`.
pub fn plan(model: &Model, state: &State) -> Plan {
    let movers: Vec<ActorId> = (0..model.actors.len()).filter(|a| !model.actors[*a].choices.is_empty()).collect();
    let mut stages: Vec<Vec<ActorId>> =
        model.sequence.iter().map(|s| s.iter().copied().filter(|a| movers.contains(a)).collect()).collect();
    stages.retain(|s| !s.is_empty());
    let staged: Vec<ActorId> = stages.iter().flatten().copied().collect();
    let rest: Vec<ActorId> = movers.iter().copied().filter(|a| !staged.contains(a)).collect();
    match stages.last_mut() {
        Some(last) => last.extend(rest),
        None if !rest.is_empty() => stages.push(rest),
        None => {}
    }
    let stages = stages
        .into_iter()
        .map(|actors| {
            let mut members = Vec::new();
            let mut ranges = vec![None; model.actors.len()];
            for &a in &actors {
                let size = state.actors.get(a).map_or(0, |s| s.size);
                if let Some(r) = ranges.get_mut(a) {
                    *r = Some(members.len()..members.len() + size);
                }
                members.extend((1..=size as i64).map(|m| (a, m)));
            }
            Stage { actors, members, ranges }
        })
        .collect();
    Plan { independent: independent(model), stages }
}

/// True when no payoff (or threshold) reads another member's choice, directly or through
/// lets, functions and audits: one round of best responses is then an equilibrium.
fn independent(model: &Model) -> bool {
    model.actors.iter().enumerate().all(|(a, actor)| {
        let mut seen = Vec::new();
        let payoff_ok = actor.payoff.as_ref().is_none_or(|p| !reads_others(model, a, p, &mut seen));
        payoff_ok
            && model.thresholds.iter().filter(|t| t.on == a).all(|t| !reads_others(model, a, &t.condition, &mut seen))
    })
}

/// Whether `e`, evaluated for a member of `a`, depends on another member's choices.
fn reads_others(model: &Model, a: ActorId, e: &Expr, seen: &mut Vec<(u8, usize, usize)>) -> bool {
    let mut found = false;
    let mut follow: Vec<&Expr> = Vec::new();
    visit(e, &mut |x| match &x.kind {
        ExprKind::Member { actor, member, of } => {
            let own = *actor == a && matches!(of.kind, ExprKind::SelfMember(s) if s == a);
            match member {
                MemberRef::Param(_) => {}
                MemberRef::Let(i) if own => {
                    if !seen.contains(&(0, a, *i)) {
                        seen.push((0, a, *i));
                        if let Some(l) = model.actors[a].lets.get(*i) {
                            follow.push(&l.value);
                        }
                    }
                }
                MemberRef::Choice(_) | MemberRef::Random(_) if own => {}
                _ => found = true,
            }
        }
        ExprKind::Let(i) if !seen.contains(&(1, 0, *i)) => {
            seen.push((1, 0, *i));
            if let Some(l) = model.lets.get(*i) {
                follow.push(&l.value);
            }
        }
        ExprKind::Call(f, _) if !seen.contains(&(2, 0, *f)) => {
            seen.push((2, 0, *f));
            if let Some(func) = model.fns.get(*f) {
                follow.push(&func.body);
            }
        }
        ExprKind::MemberCall { actor, func, of, .. } => {
            let own = *actor == a && matches!(of.kind, ExprKind::SelfMember(s) if s == a);
            if !own {
                found = true;
            } else if !seen.contains(&(3, a, *func)) {
                seen.push((3, a, *func));
                if let Some(f) = model.actors[a].fns.get(*func) {
                    follow.push(&f.body);
                }
            }
        }
        ExprKind::AuditProb(id) => {
            if let Some(audit) = model.audits.get(*id) {
                follow.push(&audit.prob);
            }
        }
        _ => {}
    });
    found || follow.into_iter().any(|f| reads_others(model, a, f, seen))
}

/// Solves stages `k..` given earlier stages' choices, after `trigger` moved; adds every
/// member of these stages that responded to `touched`. Returns the best-response rounds
/// used in stage `k`.
pub fn solve_stages(
    cx: &Cx<'_>,
    plan: &Plan,
    state: &mut State,
    k: usize,
    trigger: Trigger<'_>,
    touched: &mut Touched,
) -> Result<usize, SolveError> {
    let Some(stage) = plan.stages.get(k) else { return Ok(0) };
    let n = stage.members.len();
    let final_stage = k + 1 == plan.stages.len();
    // The later stages answer the trigger first; whoever reads them or it responds.
    let mut later = Touched::default();
    if !final_stage {
        solve_stages(cx, plan, state, k + 1, trigger, &mut later)?;
    }
    let mut dirty = Worklist::new(n);
    match trigger {
        Trigger::All => dirty.add(0..n),
        Trigger::Actors(on) => {
            for (a, r) in stage.ranges.iter().enumerate() {
                if let (Some(true), Some(r)) = (on.get(a), r) {
                    dirty.add(r.clone());
                }
            }
        }
        Trigger::Member(moved) => {
            for &x in later.iter().chain([&moved]) {
                cx.deps.mark(&stage.ranges, x, &mut |r| dirty.add(r));
            }
        }
    }
    touched.merge(state, &later);
    let max_rounds = if plan.independent && final_stage { 1 } else { MAX_ROUNDS };
    let mut last = 0.0;
    for round in 1..=max_rounds {
        let mut change: f64 = 0.0;
        let mut next = Worklist::new(n);
        let mut entered = None;
        while let Some(p) = dirty.pop() {
            let Some(&(a, m)) = stage.members.get(p) else { continue };
            let mut followers = Touched::default();
            let moved = if final_stage && cx.groups.of(a, (m - 1) as usize).is_some() {
                // What the actor's members read alike is settled until its last member here.
                if entered != Some(a) {
                    cx.responses.borrow_mut().enter(&cx.groups, state, a);
                    entered = Some(a);
                }
                shared_response(cx, state, a, m)?
            } else {
                let mut follow = |s: &mut State| -> Result<(), SolveError> {
                    solve_stages(cx, plan, s, k + 1, Trigger::Member((a, m)), &mut followers).map(|_| ())
                };
                respond(cx, state, a, m, &mut follow)?.change
            };
            if moved > TOL {
                // Everyone who reads it or a follower it moved responds to the move: those
                // after it in this round, those before it next round. Not the mover itself
                // (its response already answers all its move caused, and nothing else it
                // reads has moved since), except in a sequential game.
                let mut mark = |r: Range<usize>| {
                    if let (Trigger::Actors(on), Some(&(b, _))) = (trigger, stage.members.get(r.start)) {
                        if on.get(b) != Some(&true) {
                            return;
                        }
                    }
                    next.add(r.start..r.end.min(p));
                    dirty.add(r.start.max(p + 1)..r.end);
                };
                for &x in followers.iter().chain([&(a, m)]) {
                    cx.deps.mark(&stage.ranges, x, &mut mark);
                }
                if plan.stages.len() > 1 {
                    // In a sequential game a mover that moved responds once more, from its
                    // new choice: leaders search over the followers' responses, which must
                    // be as smooth in their choices as the 1-D searches can make them.
                    next.add(p..p + 1);
                }
            }
            change = change.max(moved);
            touched.insert(state, (a, m));
            touched.merge(state, &followers);
        }
        last = change;
        if change <= TOL || max_rounds == 1 || next.left == 0 {
            return Ok(round);
        }
        dirty = next;
    }
    let span = stage.actors.first().map(|a| cx.model.actors[*a].span).unwrap_or_default();
    Err(SolveError::NoConvergence {
        what: "best-response iteration".into(),
        iterations: max_rounds,
        residual: last,
        span,
    })
}

/// The best response of member `m` of `actor` in the last stage, reused when a member of
/// its group was in the same state in the same context, computed and kept otherwise.
fn shared_response(cx: &Cx<'_>, state: &mut State, actor: ActorId, m: i64) -> Result<f64, SolveError> {
    let i = (m - 1) as usize;
    let known = cx.responses.borrow().find(&cx.groups, state, actor, i).cloned();
    if let Some((choices, abstained, moved)) = known {
        state.actors[actor].choices[i] = choices;
        state.actors[actor].abstained[i] = abstained;
        return Ok(moved);
    }
    let key = cx.groups.key(state, actor, i);
    let follow: &mut Follow<'_> = &mut |_| Ok(());
    let moved = respond(cx, state, actor, m, follow)?.change;
    if let Some(key) = key {
        let after = (state.actors[actor].choices[i].clone(), state.actors[actor].abstained[i], moved);
        cx.responses.borrow_mut().put(key, after);
    }
    Ok(moved)
}

#[cfg(test)]
mod tests;
