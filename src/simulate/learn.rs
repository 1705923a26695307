//! Learning rules over a finite set of actions, one learner per member and choice.
//! Fictitious play best-responds to the empirical history: it scores every action by its
//! payoff in each past round's world (others' play, prices and draws) and plays the best
//! average, optionally over a window of recent rounds (`best_response` on a finite set is
//! the same with a window of one). Reinforcement and ε-greedy see only the payoff of the
//! action they played. Ties go to the first action, so play is reproducible.

use super::draw::bernoulli;
use crate::model::{Rule, Value};
use rand::rngs::ChaCha12Rng;
use rand::RngExt;
use std::collections::VecDeque;

/// What a member can do: take a value, or stay out (`or abstain`).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Set the choice to this value.
    Value(Value),
    /// Stay out (payoff 0).
    Abstain,
}

/// The parameters of a learning rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Params {
    /// Fictitious play over the last `memory` rounds (all rounds when `None`).
    Fictitious {
        /// Window length.
        memory: Option<usize>,
    },
    /// Recency-weighted action values with logit choice at `temperature` (payoff units).
    Reinforcement {
        /// Weight of the newest payoff, in (0, 1].
        recency: f64,
        /// Logit temperature.
        temperature: f64,
    },
    /// The best sample mean, or a uniformly random action with probability `epsilon`.
    EpsilonGreedy {
        /// Exploration probability.
        epsilon: f64,
    },
}

impl Params {
    /// The rule these parameters belong to.
    pub fn rule(&self) -> Rule {
        match self {
            Params::Fictitious { .. } => Rule::FictitiousPlay,
            Params::Reinforcement { .. } => Rule::Reinforcement,
            Params::EpsilonGreedy { .. } => Rule::EpsilonGreedy,
        }
    }
}

/// One member's learning state for one choice.
#[derive(Debug, Clone)]
pub struct Learner {
    params: Params,
    /// Fictitious play: summed payoff of each action over the window; others: value estimates.
    scores: Vec<f64>,
    /// Rounds each action was played (reinforcement, ε-greedy) or rounds seen (fictitious play, index 0).
    counts: Vec<u64>,
    /// Fictitious play with a window: each remembered round's payoffs, oldest first.
    window: VecDeque<Vec<f64>>,
    /// The action played this round.
    played: usize,
}

impl Learner {
    /// A learner that has seen nothing, over `n` actions.
    pub fn new(params: Params, n: usize) -> Learner {
        Learner { params, scores: vec![0.0; n], counts: vec![0; n], window: VecDeque::new(), played: 0 }
    }

    /// True when the learner wants every action's payoff each round, not just its own.
    pub fn wants_every_payoff(&self) -> bool {
        matches!(self.params, Params::Fictitious { .. })
    }

    /// Picks this round's action (an index into the action set).
    pub fn choose(&mut self, rng: &mut ChaCha12Rng) -> usize {
        let n = self.scores.len();
        self.played = match self.params {
            Params::Fictitious { .. } if self.counts[0] == 0 => rng.random_range(0..n),
            Params::Fictitious { .. } => argmax(&self.scores),
            Params::Reinforcement { temperature, .. } => match self.counts.iter().position(|c| *c == 0) {
                Some(untried) => untried,
                None => logit(&self.scores, temperature, rng),
            },
            Params::EpsilonGreedy { epsilon } => match self.counts.iter().position(|c| *c == 0) {
                Some(untried) => untried,
                None if bernoulli(epsilon, rng) => rng.random_range(0..n),
                None => argmax(&self.scores),
            },
        };
        self.played
    }

    /// Learns from the payoff of every action in this round's world (fictitious play).
    pub fn observe_all(&mut self, payoffs: &[f64]) {
        let Params::Fictitious { memory } = self.params else { return };
        self.counts[0] += 1;
        for (s, p) in self.scores.iter_mut().zip(payoffs) {
            *s += p;
        }
        if let Some(m) = memory {
            self.window.push_back(payoffs.to_vec());
            if self.window.len() > m {
                self.window.pop_front();
                // Re-summed rather than subtracted: a banned action's −∞ minus −∞ is NaN.
                self.scores.iter_mut().for_each(|s| *s = 0.0);
                for round in &self.window {
                    for (s, p) in self.scores.iter_mut().zip(round) {
                        *s += p;
                    }
                }
            }
        }
    }

    /// Learns from the payoff of the action it played.
    pub fn observe(&mut self, payoff: f64) {
        let i = self.played;
        self.counts[i] += 1;
        match self.params {
            Params::Fictitious { .. } => {}
            Params::Reinforcement { recency, .. } => {
                self.scores[i] =
                    if self.counts[i] == 1 { payoff } else { self.scores[i] + recency * (payoff - self.scores[i]) };
            }
            Params::EpsilonGreedy { .. } => {
                self.scores[i] += (payoff - self.scores[i]) / self.counts[i] as f64;
            }
        }
    }
}

/// The first index of the largest score (NaN never wins).
fn argmax(scores: &[f64]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] || scores[best].is_nan() {
            best = i;
        }
    }
    best
}

/// Samples an index with probability ∝ exp(score / temperature), with one uniform draw.
fn logit(scores: &[f64], temperature: f64, rng: &mut ChaCha12Rng) -> usize {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let u: f64 = rng.random();
    if !top.is_finite() {
        return ((u * scores.len() as f64) as usize).min(scores.len() - 1);
    }
    let weights: Vec<f64> = scores.iter().map(|s| ((s - top) / temperature).exp()).collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w / total;
        if u < acc {
            return i;
        }
    }
    argmax(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn fictitious_play_picks_the_best_average_in_its_window() {
        let mut l = Learner::new(Params::Fictitious { memory: Some(2) }, 2);
        l.observe_all(&[10.0, 0.0]);
        l.observe_all(&[0.0, 1.0]);
        l.observe_all(&[0.0, 1.0]);
        let mut rng = ChaCha12Rng::seed_from_u64(1);
        assert_eq!(l.choose(&mut rng), 1, "the first round fell out of the window");
        let mut all = Learner::new(Params::Fictitious { memory: None }, 2);
        for p in [[10.0, 0.0], [0.0, 1.0], [0.0, 1.0]] {
            all.observe_all(&p);
        }
        assert_eq!(all.choose(&mut rng), 0);
    }

    #[test]
    fn epsilon_greedy_tries_each_action_then_exploits() {
        let mut rng = ChaCha12Rng::seed_from_u64(2);
        let mut l = Learner::new(Params::EpsilonGreedy { epsilon: 0.0 }, 3);
        for (expected, payoff) in [(0, 1.0), (1, 5.0), (2, 2.0)] {
            assert_eq!(l.choose(&mut rng), expected);
            l.observe(payoff);
        }
        assert_eq!(l.choose(&mut rng), 1);
    }

    #[test]
    fn logit_choice_frequencies_follow_the_weights() {
        let mut rng = ChaCha12Rng::seed_from_u64(3);
        let scores = [0.0, 1.0_f64.ln() + 2.0_f64.ln()];
        let n = 40_000;
        let ones = (0..n).filter(|_| logit(&scores, 1.0, &mut rng) == 1).count() as f64 / n as f64;
        let expected = 2.0 / 3.0;
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!((ones - expected).abs() < 4.0 * se, "share {ones}, expected {expected} ± {}", 4.0 * se);
    }

    #[test]
    fn banned_actions_never_win() {
        assert_eq!(argmax(&[f64::NEG_INFINITY, -5.0]), 1);
        let mut rng = ChaCha12Rng::seed_from_u64(4);
        assert!(logit(&[f64::NEG_INFINITY, f64::NEG_INFINITY], 1.0, &mut rng) < 2);
    }
}
