//! Sharing best responses between members that face the same problem changes nothing:
//! random markets (several member types, corner and interior optima, thresholds, a second
//! choice, abstention, integer choices, a strategic outsider, members told apart by their
//! index) solve bit for bit as when every member computes its own best response.

use crate::solve::context::Settings;
use crate::solve::equilibrium::solve_with;
use crate::solve::{Solution, SolveError};
use proptest::prelude::*;

/// One random market regime.
#[derive(Debug, Clone)]
struct Market {
    n: u8,
    types: u8,
    shape: u8,
    bounded: bool,
    second: bool,
    abstain: bool,
    integer: bool,
    outsider: bool,
    by_index: bool,
    supply: u8,
}

fn market() -> impl Strategy<Value = Market> {
    (
        1u8..=12,
        1u8..=4,
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        1u8..=60,
    )
        .prop_map(|(n, types, shape, bounded, second, abstain, integer, outsider, by_index, supply)| Market {
            n,
            types,
            shape,
            bounded,
            second,
            abstain,
            integer,
            outsider,
            by_index,
            supply,
        })
}

fn regime(m: &Market) -> String {
    let kind = |k: u8| format!("(i - {k} * floor((i - 1) / {k}))", k = k);
    let domain = match (m.integer, m.bounded || m.abstain) {
        (true, _) => "Int in 0..30".to_string(),
        (false, true) => "Real in [0, 40]".to_string(),
        (false, false) => "Real in [0, inf)".to_string(),
    };
    let abstain = if m.abstain && !m.integer { " or abstain" } else { "" };
    let benefit = match m.shape {
        0 => "A * sqrt(c)",
        1 => "A * ln(1 + c) - w * c^2 / 10",
        2 => "A * c - c^2 / (1 + w) - (if c > theta then 2 else 0)",
        _ => "A * sqrt(c) - (if c >= theta then 0 else 1) - pos(c - 2 * theta)",
    };
    let mut payoff = format!("{benefit} - m.price * lam * c");
    if m.second {
        payoff.push_str(" + x * (A - 2 * x) / 4");
    }
    if m.abstain {
        payoff.push_str(" - 0.5");
    }
    if m.outsider {
        payoff.push_str(" + G.g * c / 100");
    }
    if m.by_index {
        payoff.push_str(" + i * c / 1000");
    }
    let mut out = format!(
        "param n: Int = {n}\nparam Q: Real = {q}\nparam theta: Real = 3\n\
         actor D[i in 1..n] {{\n    param A: Real = [2, 5, 3.5, 8][{ka}]\n    param w: Real = [0.5, 0, 1, 0.25][{kw}]\n    \
         let lam = 1 + w / 2\n    choose c: {domain}{abstain}\n",
        n = m.n,
        q = m.supply,
        ka = kind(m.types),
        kw = kind(m.types.max(2) - 1),
    );
    if m.second {
        out.push_str("    choose x: Real in [0, 5]\n");
    }
    out.push_str(&format!("    payoff {payoff}\n}}\n"));
    if m.outsider {
        out.push_str("actor G {\n    choose g: Real in [0, 1]\n    payoff g * sum(d in D: d.c) / 100 - g^2\n}\n");
    }
    out.push_str("market m {\n    supply Q\n    demand sum(d in D: d.lam * d.c)\n    price: Real\n}\n");
    out
}

/// Everything a solution reports, bit for bit (evaluation counts aside).
fn summary(r: &Result<Solution, SolveError>) -> String {
    match r {
        Ok(s) => format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            s.state.actors.iter().map(|a| (&a.choices, &a.abstained)).collect::<Vec<_>>(),
            s.state.prices,
            s.certificate.to_bits(),
            s.excess_demand.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            s.rounds,
            s.method,
            s.concept,
            s.state.shadow,
        ),
        Err(SolveError::Budget { .. }) => "budget".to_string(),
        Err(e) => format!("{e:?}"),
    }
}

fn agree(m: &Market) -> Result<(), TestCaseError> {
    let text = regime(m);
    let checked = crate::session::check_source("market.gov", &text);
    let Some(model) = checked.model else {
        return Err(TestCaseError::fail(format!("does not check:\n{text}")));
    };
    let shared = solve_with(&model, None, Settings::default());
    let alone = solve_with(&model, None, Settings { share: false, ..Settings::default() });
    prop_assert_eq!(summary(&shared), summary(&alone), "in\n{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sharing_changes_nothing(m in market()) {
        // The checker recurses deeper than a test thread's stack allows (see ARCHITECTURE.md).
        let result = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || agree(&m))
            .expect("a thread")
            .join()
            .expect("no panic");
        result?;
    }
}

#[test]
fn exchangeable_members_share_and_index_readers_do_not() {
    let base = Market {
        n: 9,
        types: 3,
        shape: 0,
        bounded: false,
        second: false,
        abstain: false,
        integer: false,
        outsider: false,
        by_index: false,
        supply: 30,
    };
    let groups = |m: &Market| {
        let text = regime(m);
        let model = crate::session::check_source("market.gov", &text).model.expect("checks");
        let state = crate::solve::init::initial_state(&model, None).expect("starts");
        let g = super::Groups::new(&model, &state);
        (0..9).map(|i| g.of(0, i)).collect::<Vec<_>>()
    };
    let std = std::thread::Builder::new().stack_size(256 << 20);
    let (shared, by_index) = std
        .spawn(move || (groups(&base), groups(&Market { by_index: true, ..base })))
        .expect("a thread")
        .join()
        .expect("no panic");
    // A repeats every 3 members and w every 2: six types.
    assert_eq!(shared, [0, 1, 2, 3, 4, 5, 0, 1, 2].map(Some).to_vec());
    assert_eq!(by_index, vec![None; 9]);
}

#[test]
fn members_reading_their_own_partner_share_and_those_reading_a_neighbour_do_not() {
    let source = |index: &str| {
        format!(
            "actor B[k in 1..4] {{\n    choose x: Real in [0, 1]\n    payoff x - x^2\n}}\n\
             actor P[k in 1..4] {{\n    choose e: Real in [0, 2]\n    payoff B[{index}].x * e - e^2\n}}\n"
        )
    };
    let groups = move |index: &'static str| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let model = crate::session::check_source("pairs.gov", &source(index)).model.expect("checks");
                let state = crate::solve::init::initial_state(&model, None).expect("starts");
                let g = super::Groups::new(&model, &state);
                (0..4).map(|i| g.of(1, i)).collect::<Vec<_>>()
            })
            .expect("a thread")
            .join()
            .expect("no panic")
    };
    // `B[k]` is part of each member's state; `B[k - 1]` reads the index itself.
    assert_eq!(groups("k"), vec![Some(0); 4]);
    assert_eq!(groups("max(k - 1, 1)"), vec![None; 4]);
}
