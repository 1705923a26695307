//! What a simulation will do, settled once before any round: which `simulate` block, how
//! many rounds and replications from which seed, the starting point (the solved
//! equilibrium when any choice or price plays it), and each choice's and market's rule
//! with its parameters and, for learners, each member's set of actions.

use super::learn::{Action, Params};
use super::{Options, SimError};
use crate::eval::{EvalError, EvalErrorKind, Evaluator};
use crate::model::*;
use crate::solve::state::{RunEnv, State};
use crate::solve::{init::initial_state, solve};

/// Actions a learner gets on an interval when `actions` is not given.
const DEFAULT_ACTIONS: usize = 11;
/// Most actions a learner may have (an integer range can be large).
const MAX_ACTIONS: usize = 10_000;

/// Rounds, replications and seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Rounds per replication.
    pub rounds: u64,
    /// Replications.
    pub reps: u64,
    /// Master seed.
    pub seed: u64,
}

/// How one choice of an actor (every member) plays.
pub(super) struct ChoicePlan {
    pub actor: ActorId,
    pub choice: usize,
    pub rule: Rule,
    /// `fixed`: the value.
    pub fixed: Option<Value>,
    /// Learning rules: parameters and each member's actions.
    pub learning: Option<(Params, Vec<Vec<Action>>)>,
}

/// How a market's price moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PriceRule {
    /// Stays at the starting (equilibrium) price.
    Hold,
    /// `p ← max(0, p + step · (demand − supply) / supply)` after every round.
    Tatonnement { step: f64 },
}

/// Everything fixed before the first round.
pub(super) struct Plan<'m> {
    pub model: &'m Model,
    pub sim: &'m Simulate,
    pub settings: Settings,
    /// The state every replication starts from.
    pub start: State,
    /// The solution concept of the start, when it is an equilibrium.
    pub start_method: Option<String>,
    /// Choices that do not play the equilibrium.
    pub choices: Vec<ChoicePlan>,
    /// Per market.
    pub prices: Vec<PriceRule>,
}

impl<'m> Plan<'m> {
    /// Settles the plan of `options` for `model`.
    pub fn new(model: &'m Model, options: &Options) -> Result<Plan<'m>, SimError> {
        let sim = pick(model, options.name.as_deref())?;
        let scenario = options.scenario.as_deref().and_then(|n| model.scenarios.iter().find(|s| s.name == n));
        let rule_of = |actor: ActorId, choice: usize| {
            sim.strategies.iter().find(|s| match s.target {
                StrategyTarget::Choice { actor: a, choice: c } => a == actor && c.is_none_or(|c| c == choice),
                StrategyTarget::Market(_) => false,
            })
        };
        let market_rule = |m: MarketId| sim.strategies.iter().find(|s| s.target == StrategyTarget::Market(m));
        let plays_equilibrium = model.actors.iter().enumerate().any(|(a, actor)| {
            (0..actor.choices.len()).any(|c| rule_of(a, c).is_none_or(|s| s.rule == Rule::Equilibrium))
        }) || (0..model.markets.len())
            .any(|m| market_rule(m).is_none_or(|s| s.rule == Rule::Equilibrium));
        let (start, start_method) = if plays_equilibrium {
            let solution = solve(model, scenario).map_err(SimError::Solve)?;
            (solution.state, Some(solution.concept))
        } else {
            (initial_state(model, scenario).map_err(SimError::Solve)?, None)
        };
        let env = RunEnv::new(model, &start);
        let count = |e: &Option<Expr>, given: Option<u64>, default: u64, min: u64, what: &str| match (given, e) {
            (Some(v), _) => Ok(v),
            (None, None) => Ok(default),
            (None, Some(e)) => {
                let v = env.eval_num(e).map_err(SimError::Eval)?;
                if v < min as f64 || v.fract() != 0.0 {
                    let why =
                        format!("`{what}` must be a whole number of at least {min}, not {}", crate::report::number(v));
                    return Err(SimError::Eval(EvalError { kind: EvalErrorKind::Domain(why), span: e.span }));
                }
                Ok(v as u64)
            }
        };
        let settings = Settings {
            rounds: count(&sim.rounds, options.rounds, 100, 1, "rounds")?,
            reps: count(&sim.reps, options.reps, 1, 1, "reps")?,
            seed: count(&sim.seed, options.seed, 0, 0, "seed")?,
        };
        let mut choices = Vec::new();
        for (a, actor) in model.actors.iter().enumerate() {
            for c in 0..actor.choices.len() {
                let Some(s) = rule_of(a, c).filter(|s| s.rule != Rule::Equilibrium) else { continue };
                let fixed = match arg(s, "value") {
                    Some(e) if s.rule == Rule::Fixed => Some(env.eval(e).map_err(SimError::Eval)?),
                    _ => None,
                };
                let learning = if s.rule.learns() { Some(learning(model, &start, s, a, c)?) } else { None };
                choices.push(ChoicePlan { actor: a, choice: c, rule: s.rule, fixed, learning });
            }
        }
        let mut prices = Vec::new();
        for m in 0..model.markets.len() {
            prices.push(match market_rule(m).and_then(|s| arg(s, "step")) {
                Some(step) => PriceRule::Tatonnement { step: env.eval_num(step).map_err(SimError::Eval)? },
                None => PriceRule::Hold,
            });
        }
        Ok(Plan { model, sim, settings, start, start_method, choices, prices })
    }

    /// Metric names and types: the block's metrics, then a licence-holder count per licence.
    pub fn metric_names(&self) -> Vec<(String, Type)> {
        let mut out: Vec<(String, Type)> = self.sim.metrics.iter().map(|(n, e)| (n.clone(), e.ty.clone())).collect();
        out.extend(self.model.licenses.iter().map(|l| (format!("{}.licensed", l.name), Type::int())));
        out
    }

    /// One line per choice and market saying how it plays.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (a, actor) in self.model.actors.iter().enumerate() {
            for (c, choice) in actor.choices.iter().enumerate() {
                let how = match self.choices.iter().find(|p| p.actor == a && p.choice == c) {
                    None => "equilibrium".to_string(),
                    Some(p) => match (&p.fixed, &p.learning) {
                        (Some(v), _) => format!("fixed at {}", crate::report::show_value(self.model, v, &choice.ty)),
                        (_, Some((params, actions))) => {
                            let n = actions.first().map(Vec::len).unwrap_or(0);
                            format!("{} over {n} actions", describe_params(params, self.model))
                        }
                        _ => p.rule.name().replace('_', " "),
                    },
                };
                lines.push(format!("{}.{}: {how}", actor.name, choice.name));
            }
        }
        for (m, market) in self.model.markets.iter().enumerate() {
            let how = match self.prices[m] {
                PriceRule::Hold => "price held at the equilibrium".to_string(),
                PriceRule::Tatonnement { step } => format!(
                    "tâtonnement, step {}",
                    crate::report::value_with_unit(step, &Type::quantity(market.price_dim.clone()))
                ),
            };
            lines.push(format!("{}: {how}", market.name));
        }
        lines
    }
}

fn describe_params(p: &Params, model: &Model) -> String {
    let unit = model.payoff_dim.clone().map(Type::quantity).unwrap_or_else(Type::real);
    match p {
        Params::Fictitious { memory: None } => "fictitious play".to_string(),
        Params::Fictitious { memory: Some(1) } => "best response to the last round".to_string(),
        Params::Fictitious { memory: Some(m) } => format!("fictitious play (memory {m})"),
        Params::Reinforcement { recency, temperature } => format!(
            "reinforcement (recency {}, temperature {})",
            crate::report::number(*recency),
            crate::report::value_with_unit(*temperature, &unit)
        ),
        Params::EpsilonGreedy { epsilon } => format!("ε-greedy (ε = {})", crate::report::number(*epsilon)),
    }
}

fn pick<'m>(model: &'m Model, name: Option<&str>) -> Result<&'m Simulate, SimError> {
    let found = match name {
        Some(n) => model.simulations.iter().find(|s| s.name == n),
        None => model.simulations.first(),
    };
    found.ok_or_else(|| SimError::NoSimulation {
        name: name.map(str::to_string),
        available: model.simulations.iter().map(|s| s.name.clone()).collect(),
        span: model.simulations.first().map(|s| s.span).unwrap_or_default(),
    })
}

fn arg<'s>(s: &'s Strategy, name: &str) -> Option<&'s Expr> {
    s.args.iter().find(|(n, _)| n == name).map(|(_, e)| e)
}

/// A learning rule's parameters and every member's actions.
fn learning(
    model: &Model,
    start: &State,
    s: &Strategy,
    actor: ActorId,
    c: usize,
) -> Result<(Params, Vec<Vec<Action>>), SimError> {
    let env = RunEnv::new(model, start);
    let num = |name: &str, default: f64| match arg(s, name) {
        Some(e) => env.eval_num(e).map_err(SimError::Eval),
        None => Ok(default),
    };
    let params = match s.rule {
        Rule::FictitiousPlay => {
            let m = num("memory", 0.0)?;
            Params::Fictitious { memory: (m >= 1.0).then_some(m as usize) }
        }
        Rule::Reinforcement => {
            Params::Reinforcement { recency: num("recency", 0.1)?, temperature: num("temperature", 1.0)? }
        }
        _ => Params::EpsilonGreedy { epsilon: num("epsilon", 0.1)? },
    };
    let n = num("actions", DEFAULT_ACTIONS as f64)? as usize;
    let choice = &model.actors[actor].choices[c];
    let what = format!("{}.{}", model.actors[actor].name, choice.name);
    let size = start.actors.get(actor).map(|a| a.size).unwrap_or(0);
    let mut per_member = Vec::with_capacity(size);
    for m in 1..=size as i64 {
        let here = env.at(actor, m);
        let mut frame = vec![Value::Num(m as f64)];
        let mut actions: Vec<Action> = match &choice.domain.kind {
            DomainKind::Interval { lo, hi, lo_open, hi_open } => {
                let lo_v = here.eval_num(lo).map_err(SimError::Eval)?;
                let hi_v = here.eval_num(hi).map_err(SimError::Eval)?;
                if !lo_v.is_finite() || !hi_v.is_finite() || hi_v < lo_v {
                    return Err(SimError::Actions {
                        what,
                        why: format!(
                            "the interval [{}, {}] is not bounded",
                            crate::report::number(lo_v),
                            crate::report::number(hi_v)
                        ),
                        span: s.span,
                    });
                }
                grid(lo_v, hi_v, *lo_open, *hi_open, n).into_iter().map(|x| Action::Value(Value::Num(x))).collect()
            }
            _ => Evaluator { model, env: &here }
                .domain_values(&choice.domain, &mut frame)
                .map_err(SimError::Eval)?
                .into_iter()
                .map(Action::Value)
                .collect(),
        };
        if choice.abstain {
            actions.push(Action::Abstain);
        }
        if actions.is_empty() || actions.len() > MAX_ACTIONS {
            return Err(SimError::Actions {
                what,
                why: format!("{} actions (a learner needs 1 to {MAX_ACTIONS})", actions.len()),
                span: s.span,
            });
        }
        per_member.push(actions);
    }
    Ok((params, per_member))
}

/// `n` evenly spaced points of an interval; an open end is replaced by a point half a step inside.
fn grid(lo: f64, hi: f64, lo_open: bool, hi_open: bool, n: usize) -> Vec<f64> {
    if n <= 1 || hi == lo {
        return vec![0.5 * (lo + hi)];
    }
    let step = (hi - lo) / (n - 1) as f64;
    (0..n)
        .map(|i| match i {
            0 if lo_open => lo + 0.5 * step,
            i if i == n - 1 && hi_open => hi - 0.5 * step,
            i if i == n - 1 => hi,
            i => lo + step * i as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::grid;

    #[test]
    fn grids_include_closed_ends_and_avoid_open_ones() {
        assert_eq!(grid(0.0, 1.0, false, false, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(grid(0.0, 1.0, true, true, 3), vec![0.25, 0.5, 0.75]);
    }
}
