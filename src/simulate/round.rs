//! One replication, round by round. Order within a round: choices (fixed values, best
//! responses to the previous round, learners' picks; members that lost every licence of
//! their family stay out), then chance (random quantities, audits), then licensors audit
//! and revoke, learners learn from the realised payoffs, metrics are recorded, state
//! variables updated together, tâtonnement prices move, and revocations take effect (a
//! member holds its licences for the whole round: `State::licensed`).

use super::code::RoundCode;
use super::draw::{bernoulli, draw_round, Fixed};
use super::learn::{Action, Learner};
use super::plan::{Plan, PriceRule};
use super::SimError;
use crate::eval::{EvalError, EvalErrorKind, Evaluator};
use crate::model::*;
use crate::solve::respond::{respond, stay_out};
use crate::solve::state::{RunEnv, State, Work};
use rand::rngs::ChaCha12Rng;
use rand::SeedableRng;

/// Plays replication `rep` and returns its metrics, `[round][metric]`.
pub(super) fn replicate(plan: &Plan<'_>, rep: u64, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Vec<f64>>, SimError> {
    let model = plan.model;
    let mut rng = ChaCha12Rng::seed_from_u64(plan.settings.seed);
    rng.set_stream(rep);
    let mut state = plan.start.clone();
    state.licensed = model.licenses.iter().map(|l| vec![true; plan.start.actors[l.holders].size]).collect();
    let mut run = Replication {
        plan,
        code: RoundCode::new(model, plan.sim, &plan.start),
        fixed: Fixed::default(),
        state,
        learners: plan
            .choices
            .iter()
            .map(|p| match &p.learning {
                Some((params, actions)) => actions.iter().map(|a| Learner::new(*params, a.len())).collect(),
                None => Vec::new(),
            })
            .collect(),
        frame: vec![Value::Num(0.0); plan.sim.frame_size.max(plan.sim.states.len())],
        rng,
    };
    run.state.work = Work::default();
    for (i, s) in plan.sim.states.iter().enumerate() {
        run.frame[i] = run.eval(&s.init)?;
    }
    let mut rows = Vec::with_capacity(plan.settings.rounds as usize);
    for round in 1..=plan.settings.rounds {
        let row = run.round(round).map_err(|e| SimError::InRound { round, rep, inner: Box::new(e) })?;
        rows.push(row);
        progress(1);
    }
    Ok(rows)
}

struct Replication<'p, 'm> {
    plan: &'p Plan<'m>,
    /// What the rounds evaluate, compiled for this replication.
    code: RoundCode<'m>,
    /// Distribution parameters that never change.
    fixed: Fixed,
    state: State,
    /// `[choice plan][member]`.
    learners: Vec<Vec<Learner>>,
    /// State variables in slots `0..states.len()`, then the metrics' binders.
    frame: Vec<Value>,
    rng: ChaCha12Rng,
}

impl Replication<'_, '_> {
    fn round(&mut self, round: u64) -> Result<Vec<f64>, SimError> {
        let model = self.plan.model;
        self.choose(round)?;
        // Last round's draws (which best responses answered) are overwritten in place.
        let mut draws = self.state.draws.take().unwrap_or_default();
        draw_round(&self.code, &self.state, &mut draws, &mut self.fixed, &mut self.rng)?;
        self.state.draws = Some(draws);
        let kept = self.license()?;
        self.learn()?;
        let mut row = Vec::with_capacity(self.plan.sim.metrics.len() + model.licenses.len());
        let mut next = Vec::new();
        let states = self.plan.sim.states.len();
        let locals = self.frame.get(..states).unwrap_or_default();
        self.code.record(&self.state, locals, &mut row, &mut next)?;
        row.extend(kept.iter().map(|l| l.iter().filter(|x| **x).count() as f64));
        for (i, v) in next {
            self.frame[i] = v;
        }
        self.move_prices()?;
        self.state.licensed = kept;
        Ok(row)
    }

    /// Evaluates a state variable's initial value (earlier states in the frame).
    fn eval(&mut self, e: &Expr) -> Result<Value, SimError> {
        let env = RunEnv::new(self.plan.model, &self.state);
        Evaluator { model: self.plan.model, env: &env }.eval(e, &mut self.frame).map_err(SimError::Eval)
    }

    /// Sets every non-equilibrium choice for this round.
    fn choose(&mut self, round: u64) -> Result<(), SimError> {
        let plan = self.plan;
        for p in &plan.choices {
            if let Some(v) = &p.fixed {
                for member in &mut self.state.actors[p.actor].choices {
                    member[p.choice] = v.clone();
                }
            }
        }
        if round > 1 {
            self.best_responses()?;
        }
        for (k, p) in plan.choices.iter().enumerate() {
            let Some((_, actions)) = &p.learning else { continue };
            for (m, learner) in self.learners[k].iter_mut().enumerate() {
                let pick = learner.choose(&mut self.rng);
                apply(&mut self.state, p.actor, m, p.choice, &actions[m][pick]);
            }
        }
        // Only families that hold licences can lose them (no per-member pass for the rest).
        let licensed = |a: &ActorId| plan.model.licenses.iter().any(|l| l.holders == *a);
        for a in (0..self.state.actors.len()).filter(licensed) {
            let s = &mut self.state.actors[a];
            for m in 0..s.size {
                if lost_all(plan.model, &self.state.licensed, a, m) {
                    s.abstained[m] = true;
                    s.choices[m] = stay_out(&s.choices[m]);
                }
            }
        }
        Ok(())
    }

    /// Every `best_response` member responds to the previous round (others' choices,
    /// prices and draws as they were), all at once.
    fn best_responses(&mut self) -> Result<(), SimError> {
        let model = self.plan.model;
        let mut moves = Vec::new();
        // The replication's context: its compiled code folds only the parameters, and its
        // members are never pooled (each has its own draws).
        let cx = &self.code.cx;
        for a in 0..model.actors.len() {
            let free: Vec<usize> = self
                .plan
                .choices
                .iter()
                .filter(|p| p.actor == a && p.rule == Rule::BestResponse)
                .map(|p| p.choice)
                .collect();
            if free.is_empty() {
                continue;
            }
            for m in 0..self.state.actors[a].size {
                let saved_fixed = self.state.actors[a].fixed[m].clone();
                let saved_choices = self.state.actors[a].choices[m].clone();
                let saved_out = self.state.actors[a].abstained[m];
                for (c, fixed) in saved_fixed.iter().enumerate() {
                    self.state.actors[a].fixed[m][c] = *fixed || !free.contains(&c);
                }
                self.state.work = Work::default();
                let result = respond(cx, &mut self.state, a, m as i64 + 1, &mut |_| Ok(()));
                let s = &mut self.state.actors[a];
                moves.push((a, m, s.choices[m].clone(), s.abstained[m]));
                s.choices[m] = saved_choices;
                s.abstained[m] = saved_out;
                s.fixed[m] = saved_fixed;
                result.map_err(SimError::Solve)?;
            }
        }
        for (a, m, choices, out) in moves {
            self.state.actors[a].choices[m] = choices;
            self.state.actors[a].abstained[m] = out;
        }
        Ok(())
    }

    /// Licensors audit their holders; returns who holds each licence after the audits (a
    /// holder failing `require` loses it from the next round).
    fn license(&mut self) -> Result<Vec<Vec<bool>>, SimError> {
        let model = self.plan.model;
        let mut kept = self.state.licensed.clone();
        let (code, licensed, rng) = (&self.code, &mut kept, &mut self.rng);
        code.cx.with(&self.state, |f| {
            for (l, licence) in model.licenses.iter().enumerate() {
                if licence.require.is_none() {
                    continue;
                }
                for (m, ok) in licensed[l].iter_mut().enumerate() {
                    if !*ok {
                        continue;
                    }
                    let holder = Value::Member(licence.holders, m as i64 + 1);
                    if !bernoulli(code.licence_audit(f, l, holder.clone())?, rng) {
                        continue;
                    }
                    *ok = code.keeps_licence(f, l, holder)?;
                }
            }
            Ok(())
        })?;
        Ok(kept)
    }

    /// Learners score this round: fictitious play every action in this round's world,
    /// the others the action they played.
    fn learn(&mut self) -> Result<(), SimError> {
        let plan = self.plan;
        for (k, p) in plan.choices.iter().enumerate() {
            let Some((_, actions)) = &p.learning else { continue };
            for (m, actions) in actions.iter().enumerate() {
                if lost_all(plan.model, &self.state.licensed, p.actor, m) {
                    continue;
                }
                if self.learners[k][m].wants_every_payoff() {
                    let saved = (
                        self.state.actors[p.actor].choices[m][p.choice].clone(),
                        self.state.actors[p.actor].abstained[m],
                    );
                    let mut payoffs = Vec::with_capacity(actions.len());
                    for action in actions {
                        apply(&mut self.state, p.actor, m, p.choice, action);
                        payoffs.push(self.payoff(p.actor, m)?);
                    }
                    self.state.actors[p.actor].choices[m][p.choice] = saved.0;
                    self.state.actors[p.actor].abstained[m] = saved.1;
                    self.learners[k][m].observe_all(&payoffs);
                } else {
                    let realised = self.payoff(p.actor, m)?;
                    self.learners[k][m].observe(realised);
                }
            }
        }
        Ok(())
    }

    fn payoff(&self, actor: ActorId, m: usize) -> Result<f64, SimError> {
        Ok(self.code.cx.payoff(&self.state, actor, m as i64 + 1).map_err(SimError::Eval)?.unwrap_or(0.0))
    }

    /// Tâtonnement: each such price moves with the round's relative excess demand.
    fn move_prices(&mut self) -> Result<(), SimError> {
        let model = self.plan.model;
        for (k, rule) in self.plan.prices.iter().enumerate() {
            let PriceRule::Tatonnement { step } = *rule else { continue };
            let market = &model.markets[k];
            let (supply, demand) = self.code.cx.supply_demand(&self.state, k).map_err(SimError::Eval)?;
            if supply <= 0.0 {
                return Err(SimError::Eval(EvalError {
                    kind: EvalErrorKind::Domain("tâtonnement needs a positive supply".into()),
                    span: market.supply.span,
                }));
            }
            let p = self.state.prices[k] + step * (demand - supply) / supply;
            self.state.prices[k] = p.max(0.0);
        }
        Ok(())
    }
}

/// Whether member `m` (0-based) of `actor` has lost every licence of its family (and its
/// family has some): it can no longer act. Losing some of them changes only what reads them.
fn lost_all(model: &Model, licensed: &[Vec<bool>], actor: ActorId, m: usize) -> bool {
    let mut held = model
        .licenses
        .iter()
        .zip(licensed)
        .filter(|(l, _)| l.holders == actor)
        .map(|(_, h)| h.get(m).copied().unwrap_or(true))
        .peekable();
    held.peek().is_some() && held.all(|h| !h)
}

/// Puts a learner's action into the state.
fn apply(state: &mut State, actor: ActorId, m: usize, choice: usize, action: &Action) {
    let s = &mut state.actors[actor];
    match action {
        Action::Value(v) => {
            s.choices[m][choice] = v.clone();
            s.abstained[m] = false;
        }
        Action::Abstain => {
            s.abstained[m] = true;
            s.choices[m] = stay_out(&s.choices[m]);
        }
    }
}
