//! Compiled code agrees with the tree evaluator — values bit for bit, errors with their
//! kind and span — on the random regimes of the fast evaluator's tests: each member's
//! payoff (compiled for any member and for that member, thresholds included) and each
//! market's excess demand, at random choices and prices, with one solve context (memo
//! and compiled code) reused across states.

use crate::eval::fast::tests::{parts, perturb, regime, Parts};
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
