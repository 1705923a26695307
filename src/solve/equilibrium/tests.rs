//! The several-equilibria restart spends the solve's budget, and a spent budget says in
//! which step it ran out; members a market cannot see are left out while it clears.

use super::{check_unique, solve_with};
use crate::solve::context::{Cx, Settings};
use crate::solve::stages::plan;
use crate::solve::state::Work;
use crate::solve::{Phase, SolveError};

/// A Cournot duopoly: a Nash equilibrium, so the solve restarts to look for another.
const COURNOT: &str = r#"
actor Firm[i in 1..2] {
    choose q: Real in [0, inf)
    payoff q * (10 - sum(f in Firm: f.q)) - q
}
"#;

fn budget_phase(limit: u64) -> Result<(), SolveError> {
    let model = crate::session::check_source("cournot.gov", COURNOT).model.expect("checks");
    solve_with(&model, None, Settings { budget: Some(limit), ..Settings::default() }).map(|_| ())
}

#[test]
fn the_restart_is_charged_to_the_budget() {
    let result = crate::testing::deep(|| {
        let model = crate::session::check_source("cournot.gov", COURNOT).model.expect("checks");
        let solution = solve_with(&model, None, Settings::default()).expect("solves");
        let total = solution.state.work.spent();
        // What the restart alone costs, on a counter of its own.
        let mut found = solution.state.clone();
        found.work = Work::default();
        let cx = Cx::new(&model, &found, Settings::default());
        check_unique(&cx, None, &plan(&model, &found), &found).expect("one equilibrium");
        let restart = found.work.spent();
        assert!(restart > 10 && restart < total, "restart {restart} of {total}");
        // A budget the search and the certificate fit in but the restart does not.
        (budget_phase(total - restart / 2), budget_phase(10), budget_phase(total))
    });
    let (short, tiny, enough) = result;
    assert!(matches!(short, Err(SolveError::Budget { phase: Phase::Restart, .. })), "{short:?}");
    assert!(matches!(tiny, Err(SolveError::Budget { phase: Phase::Search, limit: 10, .. })), "{tiny:?}");
    assert!(enough.is_ok(), "{enough:?}");
    let Err(short) = short else { return };
    let note = short.to_diagnostic().notes.join("\n");
    assert!(note.contains("restarting from the other end of every domain"), "{note}");
}

/// A market whose demand reads the buyers alone, and watchers that read the buyers and
/// the price but move nothing the market reads.
const WATCHED: &str = r#"
actor Buyer[i in 1..3] {
    param A: Real = [1, 2, 3][i]
    choose q: Real in [0, inf)
    payoff A * sqrt(q) - m.price * q
}
actor Watcher[i in 1..3] {
    choose w: Real in [0, 10]
    payoff -(w - Buyer[i].q * m.price)^2
}
market m {
    supply 5
    demand sum(b in Buyer: b.q)
    price: Real
}
"#;

#[test]
fn members_the_market_cannot_see_respond_once_it_clears() {
    let (fast, full) = crate::testing::deep(|| {
        let model = crate::session::check_source("watched.gov", WATCHED).model.expect("checks");
        let start = crate::solve::init::initial_state(&model, None).expect("a start");
        let cx = Cx::new(&model, &start, Settings::default());
        let (reaching, rest) = super::clearing_actors(&cx, &plan(&model, &start), 0);
        assert_eq!((reaching, rest), (Some(vec![true, false]), Some(vec![false, true])));
        // Without sparse reads everyone reaches the market: nothing is left for later.
        let fast = solve_with(&model, None, Settings::default()).expect("solves");
        let full = solve_with(&model, None, Settings { sparse: false, ..Settings::default() }).expect("solves");
        (fast, full)
    });
    // The same equilibrium, to the best responses' precision (the watchers answer the
    // clearing price from where they started, not from their answer to the last price).
    let (x, y) = (fast.state.choice_vector(), full.state.choice_vector());
    let apart = x.iter().zip(&y).chain(fast.state.prices.iter().zip(&full.state.prices));
    assert!(apart.clone().all(|(a, b)| (a - b).abs() <= 1e-6 * (1.0 + a.abs())), "{x:?} against {y:?}");
    assert!(
        fast.state.work.spent() < full.state.work.spent(),
        "{} evaluations against {}",
        fast.state.work.spent(),
        full.state.work.spent()
    );
}
