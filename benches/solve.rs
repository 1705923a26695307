//! Solver benchmarks (`cargo bench --bench solve`): market clearing with many
//! developers, a two-stage game with a thresholded payoff, all extreme equilibria of a
//! 10×10 bimatrix game, and one solve of the base regime of each example in `examples/`
//! (the 200 participants of `outcome_intermediary` among them).
//! Figures are printed by divan; targets are in the issue notes.

use gov::model::Model;
use gov::session::check_source;
use gov::solve::finite::{extreme_equilibria_2p, NormalForm, Q};

fn main() {
    divan::main();
}

fn model(src: &str) -> Model {
    check_source("bench.gov", src).model.expect("the benchmark regime checks")
}

/// The compute-permit market with `n` developers of 35 types.
fn market(n: usize) -> Model {
    model(&format!(
        r#"
unit usd
unit pflop
param n: Int = {n}
param Q: pflop = {q} pflop
param alpha: Real = 2
actor Developer[i in 1..n] {{
    param A: usd/pflop^0.5 = (10 + i - 7 * floor(i / 7)) * 1 usd/pflop^0.5
    param pH: Prob = 0.1 + 0.1 * (i - 5 * floor(i / 5))
    let lambda_bar = 1 + (alpha - 1) * pH
    choose c: pflop in [0, inf)
    payoff A * sqrt(c) - permits.price * lambda_bar * c
}}
market permits {{
    supply Q
    demand sum(d in Developer: d.lambda_bar * d.c)
    price: usd/pflop
}}
"#,
        q = 10 * n
    ))
}

#[divan::bench(args = [100, 1000, 10_000], sample_count = 5, sample_size = 1)]
fn market_clearing(bencher: divan::Bencher, n: usize) {
    let m = market(n);
    bencher.bench(|| gov::solve::solve(divan::black_box(&m), None).expect("clears"));
}

#[divan::bench(sample_count = 20)]
fn two_stage_threshold_game(bencher: divan::Bencher) {
    let m = model(
        r#"
unit usd
param theta: Prob = 0.6
param p: usd = 0.05 usd
actor Generalist {
    choose omega: Real in [0, 1]
    payoff (0.5 * Specialist.alpha1 + 0.1 * omega - 0.5 * omega^2) * 1 usd
}
actor Specialist {
    choose alpha1: Real in [1, inf)
    payoff (0.5 * alpha1 - (alpha1 - 1)^2 / (1 + Generalist.omega)) * 1 usd
}
threshold open_source: Generalist.omega >= theta else penalty p on Generalist
sequence { Generalist; Specialist }
"#,
    );
    bencher.bench(|| gov::solve::solve(divan::black_box(&m), None).expect("solves"));
}

/// A deterministic pseudo-random 10×10 bimatrix game (payoffs 0..99).
fn bimatrix() -> NormalForm {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Q::from_integer((x % 100).into())
    };
    let names: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    let payoffs = (0..100).map(|_| vec![next(), next()]).collect();
    NormalForm::new("random".into(), vec!["A".into(), "B".into()], vec![names.clone(), names], payoffs)
        .expect("a 10×10 game")
}

#[divan::bench(sample_count = 10)]
fn mixed_equilibria_10x10(bencher: divan::Bencher) {
    let g = bimatrix();
    bencher.bench(|| extreme_equilibria_2p(divan::black_box(&g)).expect("solves"));
}

/// The examples (`outcome_intermediary`: three stages, 1 intermediary, 100 buyers and
/// 100 providers).
const EXAMPLES: &[(&str, &str)] = &[
    ("compute_permits", include_str!("../examples/compute_permits.gov")),
    ("openness", include_str!("../examples/openness.gov")),
    ("outcome_intermediary", include_str!("../examples/outcome_intermediary.gov")),
    ("regulatory_markets", include_str!("../examples/regulatory_markets.gov")),
];

#[divan::bench(
    args = ["compute_permits", "openness", "outcome_intermediary", "regulatory_markets"],
    sample_count = 5,
    sample_size = 1
)]
fn example(bencher: divan::Bencher, name: &str) {
    let (_, src) = EXAMPLES.iter().find(|(n, _)| *n == name).expect("a known example");
    let m = model(src);
    bencher.bench(|| gov::solve::solve(divan::black_box(&m), None).expect("solves"));
}
