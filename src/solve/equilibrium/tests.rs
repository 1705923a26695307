//! The several-equilibria restart spends the solve's budget, and a spent budget says in
//! which step it ran out.

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
    let result = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
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
        })
        .expect("a thread")
        .join()
        .expect("no panic");
    let (short, tiny, enough) = result;
    assert!(matches!(short, Err(SolveError::Budget { phase: Phase::Restart, .. })), "{short:?}");
    assert!(matches!(tiny, Err(SolveError::Budget { phase: Phase::Search, limit: 10, .. })), "{tiny:?}");
    assert!(enough.is_ok(), "{enough:?}");
    let Err(short) = short else { return };
    let note = short.to_diagnostic().notes.join("\n");
    assert!(note.contains("restarting from the other end of every domain"), "{note}");
}
