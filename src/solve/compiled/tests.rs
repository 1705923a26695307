//! Compiled code agrees with the tree evaluator — values bit for bit, errors with their
//! kind and span — on the random regimes of the fast evaluator's tests: each member's
//! payoff (compiled for any member and for that member, thresholds included) and each
//! market's excess demand, at random choices and prices, with one solve context (memo
//! and compiled code) reused across states.

use crate::eval::fast::tests::{parts, perturb, regime, Parts};
use crate::model::Value;
use crate::solve::context::{Cx, Settings};
use crate::solve::state::RunEnv;
use proptest::prelude::*;

fn agree(p: &Parts, seed: u64) -> Result<(), TestCaseError> {
    let text = regime(p);
    let checked = crate::session::check_source("compiled.gov", &text);
    prop_assume!(checked.model.is_some());
    let model = checked.model.unwrap_or_default();
    let Ok(mut state) = crate::solve::init::initial_state(&model, None) else { return Ok(()) };
    let cx = Cx::new(&model, &state, Settings { share: false, ..Settings::default() });
    for round in 0..3 {
        perturb(&mut state, seed, round);
        let env = RunEnv::new(&model, &state);
        for (a, actor) in model.actors.iter().enumerate() {
            for m in 1..=state.actors[a].size as i64 {
                let tree = env.payoff(a, m);
                let compiled = cx.payoff(&state, a, m);
                prop_assert_eq!(
                    format!("{tree:?}"),
                    format!("{compiled:?}"),
                    "payoff of {}[{}] in\n{}",
                    actor.name,
                    m,
                    text
                );
                if let Some(p) = &actor.payoff {
                    let tree = env.at(a, m).eval_num(p);
                    let generic = cx.generic_payoff(&state, a, m);
                    prop_assert_eq!(format!("{tree:?}"), format!("{generic:?}"), "generic payoff in\n{}", text);
                }
            }
        }
        for (k, market) in model.markets.iter().enumerate() {
            let tree = env.eval_num(&market.demand).and_then(|d| Ok(d - env.eval_num(&market.supply)?));
            let compiled = cx.excess(&state, k).map(|e| e.z);
            let tree = tree.map_err(crate::solve::SolveError::from_eval);
            prop_assert_eq!(format!("{tree:?}"), format!("{compiled:?}"), "excess demand in\n{}", text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_tree(p in parts(), seed in any::<u64>()) {
        // The checker recurses deeper than a test thread's stack allows (see ARCHITECTURE.md).
        let result = crate::testing::deep(move || agree(&p, seed));
        result?;
    }
}

/// What the random regimes lack: an audit with a detection function inside the audited
/// family and the audit's name, which a member's flat program computes by its rule in
/// equilibrium analysis and reads as a draw in a round (`D`); calls with enumeration
/// arguments, a member function calling a file function (`E`).
const AUDITED: &str = "type S = {L, H}
param a: Real = 2.5
param n: Int = 3
fn lam(s: S): Real = if s == H then a else 1
fn d(x: Real): Prob = min(1, 0.25 + x / 10)
actor D[i in 1..n] {
    param A: Real = [1.5, 2, 3][i]
    choose c: Real in [0, inf)
    choose e: Real in [0, 1]
    let x = e * c
    payoff A * sqrt(c) - m.price * (c - x) - rho * d(x) * (a * x + x^2)
}
actor E[i in 1..n] {
    choose s: S
    fn cost(r: S): Real = lam(r) * D[i].c + (if r == L then a else 0)
    payoff -cost(s) - rho
}
market m {
    supply 10
    demand sum(k in D: k.c - k.x)
    price: Real
}
audit rho: Prob = min(m.price / a, 0.5)   cost 1   on D   detect d
";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_tree_on_audits_and_variants(seed in any::<u64>(), drawn in any::<bool>()) {
        let checked = crate::session::check_source("audited.gov", AUDITED);
        let model = checked.model.expect("the regime checks");
        let mut state = crate::solve::init::initial_state(&model, None).expect("a start");
        let cx = Cx::new(&model, &state, Settings { share: false, ..Settings::default() });
        for round in 0..3 {
            perturb(&mut state, seed, round);
            let n = state.actors[0].size;
            let bit = |k: usize| (seed >> ((k + 3 * round as usize) % 64)) & 1 == 1;
            for (m, choices) in state.actors[0].choices.iter_mut().enumerate() {
                choices[1] = Value::Num(if bit(m) { 0.5 } else { 1.0 });
            }
            for (m, choices) in state.actors[1].choices.iter_mut().enumerate() {
                choices[0] = Value::Enum(0, usize::from(bit(m + n)));
            }
            // A round's draws (who was audited, each member's detection uniform), or none.
            state.draws = drawn.then(|| {
                Box::new(crate::solve::state::Draws {
                    members: vec![Vec::new(); model.actors.len()],
                    audited: vec![(0..n).map(|m| bit(m + 2 * n)).collect()],
                    detection: vec![(0..n).map(|m| [0.1, 0.6, 0.95][(m + round as usize) % 3]).collect()],
                    ..Default::default()
                })
            });
            let env = RunEnv::new(&model, &state);
            for (a, m) in (0..2).flat_map(|a| (1..=n as i64).map(move |m| (a, m))) {
                let tree = env.payoff(a, m);
                let compiled = cx.payoff(&state, a, m);
                prop_assert_eq!(format!("{tree:?}"), format!("{compiled:?}"), "payoff of {}[{}]", model.actors[a].name, m);
            }
        }
    }
}
