//! Simulation benchmark (`cargo bench --bench simulate`): the compute-permit regime with
//! 1,000 developers over 1,000 rounds (signals, metering noise, random audits, fines),
//! in gov and in a hand-written Rust implementation of the same rounds with the same
//! generator. The equilibrium gov starts from is timed on its own, so the per-round cost
//! is `simulate − solve`; the hand-written version gets its equilibrium in closed form.

use gov::model::Model;
use gov::session::check_source;
use gov::simulate::{simulate, Options};
use rand::rngs::ChaCha12Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

const DEVELOPERS: usize = 1000;
const ROUNDS: u64 = 1000;

fn main() {
    divan::main();
}

fn model() -> Model {
    let src = include_str!("data/permits_1000.gov");
    check_source("permits_1000.gov", src).model.expect("the benchmark regime checks")
}

#[divan::bench(sample_count = 10)]
fn gov_solve_only(bencher: divan::Bencher) {
    let m = model();
    bencher.bench(|| gov::solve::solve(&m, None).expect("solves"));
}

#[divan::bench(sample_count = 10)]
fn gov_simulate(bencher: divan::Bencher) {
    let m = model();
    let options = Options { rounds: Some(ROUNDS), ..Options::default() };
    bencher.bench(|| simulate(&m, &options, &|_| {}).expect("simulates"));
}

/// The same rounds written by hand: per developer a Bernoulli signal, a normal meter
/// error and a Bernoulli audit; the round's audit rate, high-risk share, metered compute
/// and fines (truthful developers, so fines are φ(0) = 0 when audited).
#[divan::bench(sample_count = 10)]
fn hand_written(bencher: divan::Bencher) {
    bencher.bench(|| {
        let n = DEVELOPERS as f64;
        let (alpha, a, b, k, budget, q, sigma) = (2.0, 4.0, 0.1, 5.0, n * 10.0 / 3.0, n * 33.0, 0.5);
        let types: Vec<(f64, f64)> = (0..DEVELOPERS)
            .map(|i| {
                let x = i as f64 / (n - 1.0);
                let ph = 0.1 + 0.5 * x;
                (10.0 + 20.0 * x, 1.0 + (alpha - 1.0) * ph)
            })
            .collect();
        // p* = ½·√(Σ A²/λ̄ / Q), c = (A / (2 p λ̄))².
        let price = 0.5 * (types.iter().map(|(a2, l)| a2 * a2 / l).sum::<f64>() / q).sqrt();
        let c: Vec<f64> = types.iter().map(|(aa, l)| (aa / (2.0 * price * l)).powi(2)).collect();
        let rho = (price / a).min(budget / (n * k));
        let noise = Normal::new(0.0, sigma).expect("sd is valid");
        let mut rng = ChaCha12Rng::seed_from_u64(1);
        rng.set_stream(0);
        let mut rows = Vec::with_capacity(ROUNDS as usize);
        for _ in 0..ROUNDS {
            let (mut high, mut metered, mut audited, mut fines) = (0.0, 0.0, 0.0, 0.0);
            for (i, (_, _)) in types.iter().enumerate() {
                let ph = 0.1 + 0.5 * (i as f64 / (n - 1.0));
                high += f64::from(u8::from(rng.random::<f64>() < ph));
                metered += c[i] + noise.sample(&mut rng);
            }
            for _ in 0..DEVELOPERS {
                let hit = rng.random::<f64>() < rho;
                audited += f64::from(u8::from(hit));
                fines += if hit { a * 0.0 + b * 0.0 } else { 0.0 };
            }
            rows.push([audited / n, high / n, metered, fines]);
        }
        rows
    });
}
