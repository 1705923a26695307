//! One replication, round by round. Order within a round: choices (fixed values, best
//! responses to the previous round, learners' picks; members without a licence stay
//! out), then chance (random quantities, audits), then licensors audit and revoke
//! (effective next round), learners learn from the realised payoffs, metrics are
//! recorded, state variables updated together, and tâtonnement prices move.

use super::draw::{bernoulli, draw_round, probability};
use super::learn::{Action, Learner};
use super::plan::{Plan, PriceRule};
use super::SimError;
use crate::eval::{as_num, EvalError, EvalErrorKind, Evaluator};
use crate::model::*;
use crate::solve::context::{Cx, Settings};
use crate::solve::respond::{respond, stay_out};
use crate::solve::state::{RunEnv, State, Work};
use rand::rngs::ChaCha12Rng;
use rand::SeedableRng;

/// Plays replication `rep` and returns its metrics, `[round][metric]`.
pub(super) fn replicate(plan: &Plan<'_>, rep: u64, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Vec<f64>>, SimError> {
    let model = plan.model;
    let mut rng = ChaCha12Rng::seed_from_u64(plan.settings.seed);
    rng.set_stream(rep);
    let mut run = Replication {
        plan,
        state: plan.start.clone(),
        learners: plan
            .choices
            .iter()
            .map(|p| match &p.learning {
                Some((params, actions)) => actions.iter().map(|a| Learner::new(*params, a.len())).collect(),
                None => Vec::new(),
            })
            .collect(),
        licensed: model.licenses.iter().map(|l| vec![true; plan.start.actors[l.holders].size]).collect(),
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
    state: State,
    /// `[choice plan][member]`.
    learners: Vec<Vec<Learner>>,
    /// `[licence][holder]`.
    licensed: Vec<Vec<bool>>,
    /// State variables in slots `0..states.len()`, then the metrics' binders.
    frame: Vec<Value>,
    rng: ChaCha12Rng,
}

impl Replication<'_, '_> {
    fn round(&mut self, round: u64) -> Result<Vec<f64>, SimError> {
        let model = self.plan.model;
        self.choose(round)?;
        self.state.draws = None;
        let draws = draw_round(model, &self.state, &mut self.rng)?;
        self.state.draws = Some(Box::new(draws));
        self.license()?;
        self.learn()?;
        let mut row = Vec::with_capacity(self.plan.sim.metrics.len() + model.licenses.len());
        for (_, e) in &self.plan.sim.metrics {
            let v = as_num(&self.eval(e)?, e.span).map_err(SimError::Eval)?;
            if !v.is_finite() {
                return Err(SimError::Eval(EvalError { kind: EvalErrorKind::NonFinite, span: e.span }));
            }
            row.push(v);
        }
        row.extend(self.licensed.iter().map(|l| l.iter().filter(|x| **x).count() as f64));
        let mut next = Vec::new();
        for (i, s) in self.plan.sim.states.iter().enumerate() {
            if let Some(u) = &s.update {
                next.push((i, self.eval(u)?));
            }
        }
        for (i, v) in next {
            self.frame[i] = v;
        }
        self.move_prices()?;
        Ok(row)
    }

    /// Evaluates a simulation-level expression (states in the frame) in the current round.
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
        for (l, licence) in plan.model.licenses.iter().enumerate() {
            for (m, ok) in self.licensed[l].iter().enumerate() {
                if !ok {
                    self.state.actors[licence.holders].abstained[m] = true;
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
        // A fresh context each round: compiled code folds the parameters and states as
        // they are now, and members are never pooled (each has its own draws).
        let cx = Cx::new(model, &self.state, Settings { share: false, sparse: false, budget: None });
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
                let result = respond(&cx, &mut self.state, a, m as i64 + 1, &mut |_| Ok(()));
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

    /// Licensors audit their holders; a holder failing `require` loses its licence from the next round.
    fn license(&mut self) -> Result<(), SimError> {
        let model = self.plan.model;
        for (l, licence) in model.licenses.iter().enumerate() {
            let Some(require) = &licence.require else { continue };
            for m in 0..self.licensed[l].len() {
                if !self.licensed[l][m] {
                    continue;
                }
                let env = RunEnv::new(model, &self.state);
                let mut frame = vec![Value::Member(licence.holders, m as i64 + 1)];
                let p = match &licence.audit {
                    Some(a) => probability(model, &env, a, &mut frame)?,
                    None => 1.0,
                };
                if !bernoulli(p, &mut self.rng) {
                    continue;
                }
                let kept = Evaluator { model, env: &env }.eval(require, &mut frame).map_err(SimError::Eval)?;
                if kept == Value::Bool(false) {
                    self.licensed[l][m] = false;
                }
            }
        }
        Ok(())
    }

    /// Learners score this round: fictitious play every action in this round's world,
    /// the others the action they played.
    fn learn(&mut self) -> Result<(), SimError> {
        let plan = self.plan;
        for (k, p) in plan.choices.iter().enumerate() {
            let Some((_, actions)) = &p.learning else { continue };
            for (m, actions) in actions.iter().enumerate() {
                if self.is_unlicensed(p.actor, m) {
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
        let env = RunEnv::new(self.plan.model, &self.state);
        Ok(env.payoff(actor, m as i64 + 1).map_err(SimError::Eval)?.unwrap_or(0.0))
    }

    fn is_unlicensed(&self, actor: ActorId, m: usize) -> bool {
        self.plan.model.licenses.iter().zip(&self.licensed).any(|(l, ok)| l.holders == actor && !ok[m])
    }

    /// Tâtonnement: each such price moves with the round's relative excess demand.
    fn move_prices(&mut self) -> Result<(), SimError> {
        let model = self.plan.model;
        for (k, rule) in self.plan.prices.iter().enumerate() {
            let PriceRule::Tatonnement { step } = *rule else { continue };
            let market = &model.markets[k];
            let env = RunEnv::new(model, &self.state);
            let supply = env.eval_num(&market.supply).map_err(SimError::Eval)?;
            let demand = env.eval_num(&market.demand).map_err(SimError::Eval)?;
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
