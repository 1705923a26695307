//! `gov run` reproduces the closed forms of the source models (SEED-MODELS.md): the
//! compute-permit market for v = A·√c and v = A·ln(1+c), the cost-minimising audit
//! probability and enforcement cost, permits versus uniform command and control, and
//! the OR-1 openness game's best responses, and the outcome-based intermediary's contract
//! (MI-1) with its 200 participants.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::model::{Model, Value};
use gov::run::{run, RunReport, Scenarios};
use gov::session::check_source;

struct Base(Model);

impl Scenarios for Base {
    fn model_for(&self, _: &str) -> Result<Model, Vec<gov::diag::Diagnostic>> {
        Ok(self.0.clone())
    }
}

fn solve(src: &str) -> (Model, RunReport) {
    let outcome = check_source("test.gov", src);
    let model = outcome.model.unwrap_or_else(|| panic!("does not check: {:?}", outcome.diagnostics));
    let report = run(&model, &Base(model.clone()), None).unwrap_or_else(|d| panic!("does not solve: {d:?}"));
    (model, report)
}

fn choices(report: &RunReport, actor: usize) -> Vec<f64> {
    report.solution.state.actors[actor]
        .choices
        .iter()
        .map(|c| match c[0] {
            Value::Num(x) => x,
            _ => f64::NAN,
        })
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (1.0 + b.abs())
}

const SQRT_MARKET: &str = r#"
unit usd
unit pflop
param Q: pflop = 100 pflop
param alpha: Real = 2
actor Developer[i in 1..4] {
    param A: usd/pflop^0.5 = [10, 20, 30, 15][i] usd/pflop^0.5
    param pH: Prob = [0.1, 0.3, 0.6, 0.9][i]
    let lambda_bar = 1 + (alpha - 1) * pH
    choose c: pflop in [0, inf)
    payoff A * sqrt(c) - permits.price * lambda_bar * c
}
market permits {
    supply Q
    demand sum(d in Developer: d.lambda_bar * d.c)
    price: usd/pflop
}
"#;

#[test]
fn sqrt_benefits_clear_at_the_closed_form_price() {
    let (_, report) = solve(SQRT_MARKET);
    let a = [10.0f64, 20.0, 30.0, 15.0];
    let lam = [1.1f64, 1.3, 1.6, 1.9];
    let s: f64 = a.iter().zip(&lam).map(|(a, l)| a * a / l).sum();
    let p = 0.5 * (s / 100.0).sqrt();
    assert!(close(report.solution.state.prices[0], p, 1e-8), "price {} vs {p}", report.solution.state.prices[0]);
    for (i, c) in choices(&report, 0).iter().enumerate() {
        let want = a[i] * a[i] / (4.0 * p * p * lam[i] * lam[i]);
        assert!(close(*c, want, 1e-6), "c_{i} = {c} vs {want}");
    }
}

#[test]
fn log_benefits_have_corners_and_the_active_set_price() {
    let src = r#"
unit usd
unit pflop
param Q: pflop = 10 pflop
actor Developer[i in 1..4] {
    param A: usd = [10, 4, 2, 1][i] usd
    param lambda_bar: Real = [1, 1.5, 1, 2][i]
    choose c: pflop in [0, inf)
    payoff A * ln(1 + c / 1 pflop) - permits.price * lambda_bar * c
}
market permits {
    supply Q
    demand sum(d in Developer: d.lambda_bar * d.c)
    price: usd/pflop
}
"#;
    let (_, report) = solve(src);
    // Active set by A/λ̄ descending: 10, 2.67, 2, 0.5; p* = Σ_S A / (Q + Σ_S λ̄).
    let (a, lam) = ([10.0f64, 4.0, 2.0, 1.0], [1.0f64, 1.5, 1.0, 2.0]);
    let mut p = 0.0;
    for k in 1..=4 {
        let cand = a[..k].iter().sum::<f64>() / (10.0 + lam[..k].iter().sum::<f64>());
        if a[k - 1] / lam[k - 1] > cand {
            p = cand;
        }
    }
    assert!(close(report.solution.state.prices[0], p, 1e-7), "price {} vs {p}", report.solution.state.prices[0]);
    for (i, c) in choices(&report, 0).iter().enumerate() {
        let want = (a[i] / (p * lam[i]) - 1.0).max(0.0);
        assert!((c - want).abs() < 1e-5, "c_{i} = {c} vs {want}");
    }
}

#[test]
fn permits_beat_uniform_command_and_control_and_audits_cost_nkp_over_a() {
    let src = format!(
        "{SQRT_MARKET}
param a: usd/pflop = 4 usd/pflop
param b: usd/pflop^2 = 0.1 usd/pflop^2
param k: usd = 5 usd
penalty phi(D: pflop): usd = a * D + b * D^2
audit rho: Prob = permits.price / a  cost k
check deterrence: forall D in [0 pflop, 1000 pflop]: rho * phi(D) >= permits.price * D
check weaker_audit_fails: forall D in [0 pflop, 1000 pflop]: 0.9 * rho * phi(D) >= permits.price * D
expect cost: 4 * k * rho == 4 * k * permits.price / a +- 1e-9
scenario cc {{
    remove permits
    fix Developer.c = Q / sum(d in Developer: d.lambda_bar)
}}
compare welfare = sum(d in Developer: d.A * sqrt(d.c)) over base, cc
"
    );
    let (_, report) = solve(&src);
    assert!(report.checks[0].holds, "rho* = p/a deters: {:?}", report.checks[0]);
    assert!(!report.checks[1].holds, "a lower audit probability does not: {:?}", report.checks[1]);
    assert!(report.checks[1].detail.contains("counterexample"));
    assert!(report.expects[0].holds);
    let rows = &report.comparisons[0].rows;
    let (permit, cc) = (rows[0].1, rows[1].1);
    // W_permit = √(Q Σ A²/λ̄); W_CC = (Σ A)·√(Q/Σλ̄) (Cauchy–Schwarz).
    let s: f64 = [(10.0f64, 1.1f64), (20.0, 1.3), (30.0, 1.6), (15.0, 1.9)].iter().map(|(a, l)| a * a / l).sum();
    assert!(close(permit, (100.0 * s).sqrt(), 1e-7), "{permit}");
    assert!(close(cc, 75.0 * (100.0f64 / 5.9).sqrt(), 1e-9), "{cc}");
    assert!(permit > cc);
}

/// Where the budget cannot buy ρ* = p/a, developers evade: with ρ = B/(n·k) < p/a the
/// shortfall that pays is Δ* = (p/ρ − a)/(2b), capped at all a developer owes (λ̄·c), and
/// compute is still A²/(4p²λ̄²). The solver chooses compute and the share left
/// unretired — a ridge in those two choices (Δ = share·λ̄·c) — and must still clear the
/// market at the price of these closed forms.
#[test]
fn evasion_clears_at_the_closed_form_price() {
    let src = format!(
        "{SQRT_MARKET}
param a: usd/pflop = 1 usd/pflop
param b: usd/pflop^2 = 0.1 usd/pflop^2
param B: usd = 1 usd
param k: usd = 5 usd
penalty phi(D: pflop): usd = a * D + b * D^2
audit rho: Prob = min(permits.price / a, B / (4 * k), 1)  cost k  on Developer
"
    )
    .replace(
        "    choose c: pflop in [0, inf)\n    payoff A * sqrt(c) - permits.price * lambda_bar * c",
        "    choose c: pflop in [0, inf)
    choose unretired: Prob in [0, 1]
    let D: pflop = unretired * lambda_bar * c
    payoff A * sqrt(c) - permits.price * (lambda_bar * c - D) - rho * phi(D)",
    )
    .replace("demand sum(d in Developer: d.lambda_bar * d.c)", "demand sum(d in Developer: d.lambda_bar * d.c - d.D)");
    assert!(src.contains("choose unretired"), "the market is rewritten");
    let (_, report) = solve(&src);
    let developers = [(10.0f64, 0.1f64), (20.0, 0.3), (30.0, 0.6), (15.0, 0.9)];
    let excess = |p: f64| -> f64 {
        let rho = (p / 1.0).min(1.0 / 20.0);
        let demand: f64 = developers
            .iter()
            .map(|(a, ph)| {
                let lambda = 1.0 + ph;
                let c = a * a / (4.0 * p * p * lambda * lambda);
                let shortfall = ((p / rho - 1.0) / 0.2).clamp(0.0, lambda * c);
                lambda * c - shortfall
            })
            .sum();
        demand - 100.0
    };
    let (mut lo, mut hi) = (1e-3, 100.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if excess(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let price = report.solution.state.prices[0];
    assert!(close(price, lo, 1e-7), "price {price}, closed form {lo}");
    let evading = report.solution.state.actors[0].choices.iter().filter(|c| matches!(c[1], Value::Num(u) if u > 0.01));
    assert!(evading.count() >= 2, "developers evade: {:?}", report.solution.state.actors[0].choices);
}

#[test]
fn openness_best_responses_match_or1() {
    let src = r#"
unit usd
param theta: Prob = 0.6
param p: usd = 0.05 usd
param delta: Prob = 0.4
param alpha0: Real = 2
param epsilon: Real = 0.3
param kappa: Real = 0.5
param c_D: Real = 1.5
actor Generalist {
    choose omega: Real in [0, 1]
    payoff (delta * Specialist.alpha1 + epsilon * omega - kappa * alpha0 / 2 * omega^2) * 1 usd
}
actor Specialist {
    choose alpha1: Real in [alpha0, inf)
    payoff ((1 - delta) * alpha1 - c_D * (alpha1 - alpha0)^2 / (1 + Generalist.omega)) * 1 usd
}
threshold open_source: Generalist.omega >= theta else penalty p on Generalist
sequence { Generalist; Specialist }
"#;
    let (_, report) = solve(src);
    let (delta, alpha0, eps, kappa, c_d, theta, p) = (0.4f64, 2.0, 0.3, 0.5, 1.5, 0.6, 0.05);
    let m = eps + delta * (1.0 - delta) / (2.0 * c_d);
    let omega_u = (m / (kappa * alpha0)).min(1.0);
    let loss = kappa * alpha0 / 2.0 * (theta - omega_u).powi(2);
    let omega = if theta > omega_u && p >= loss { theta } else { omega_u };
    let alpha1 = alpha0 + (1.0 - delta) * (1.0 + omega) / (2.0 * c_d);
    assert!(close(choices(&report, 0)[0], omega, 1e-7), "omega {:?} vs {omega}", choices(&report, 0));
    assert!(close(choices(&report, 1)[0], alpha1, 1e-7), "alpha1 {:?} vs {alpha1}", choices(&report, 1));
}

#[test]
fn classic_finite_games() {
    let src = r#"
game bos {
    players Ann, Bob
    strategies Ann {opera, football}  Bob {opera, football}
    payoffs [[(2, 1), (0, 0)], [(0, 0), (1, 2)]]
}
"#;
    let (_, report) = solve(src);
    let g = &report.games[0];
    assert_eq!(g.pure.len(), 2);
    let mixed = g.mixed.as_ref().unwrap();
    assert_eq!(mixed.len(), 3);
    let shown: Vec<String> = mixed.iter().map(|m| gov::games::show_q(&m.probs[0][0])).collect();
    assert!(shown.contains(&"2/3".to_string()), "{shown:?}");
}

/// Prop. 9: manipulating the signal from H to L at cost γ pays without insurance iff
/// γ < p(α−1)c, and with an insurer's premium gap δ iff γ < [p(α−1) − δ]c.
#[test]
fn insurance_manipulation_thresholds() {
    let regime = |gamma: f64, delta: f64| {
        format!(
            r#"
unit usd
unit pflop
param p: usd/pflop = 2 usd/pflop
param alpha: Real = 2
param c: pflop = 10 pflop
param gamma: usd = {gamma} usd
param delta: usd/pflop = {delta} usd/pflop
actor Developer {{
    choose manipulate: Bool
    payoff if manipulate then -gamma - (p + delta) * c else -p * alpha * c
}}
"#
        )
    };
    // Without insurance (δ = 0) the threshold is p(α−1)c = 20 usd.
    for (gamma, delta, expected) in [(19.0, 0.0, true), (21.0, 0.0, false), (14.0, 0.5, true), (16.0, 0.5, false)] {
        let (_, report) = solve(&regime(gamma, delta));
        let chosen = report.solution.state.actors[0].choices[0][0] == Value::Bool(true);
        let threshold = (2.0 * (2.0 - 1.0) - delta) * 10.0;
        assert_eq!(chosen, expected, "gamma {gamma}, delta {delta}: threshold {threshold}");
        assert_eq!(chosen, gamma < threshold);
    }
}

#[test]
fn the_intermediary_offers_the_optimal_contract_to_all_100_pairs() {
    // 100 buyers and 100 providers behind one intermediary: three stages of backward
    // induction, each buyer's deviation re-solving only its own provider.
    let (model, report) = solve(include_str!("../examples/outcome_intermediary.gov"));
    let actor = |name: &str| model.actors.iter().position(|a| a.name == name).unwrap();
    let (v_o, c, c_z, r_a, sigma2) = (1.0, 1.0, 2.0, 0.5, 0.5f64.powi(2) * 2.0);
    let beta1 = v_o / (1.0 + c / c_z + r_a * c * sigma2);
    assert!(close(choices(&report, actor("Intermediary"))[0], beta1, 1e-6));
    let providers = &report.solution.state.actors[actor("Provider")];
    assert_eq!(providers.size, 100);
    for p in &providers.choices {
        let [Value::Num(e), Value::Num(g), Value::Num(z)] = p.as_slice() else { panic!("three numbers: {p:?}") };
        assert!(close(*e, beta1 / c, 1e-6) && g.abs() <= 1e-9 && close(*z, beta1 / c_z, 1e-6), "{p:?}");
    }
    // Among them `all_use_intermediary` and the scenarios' slopes.
    assert!(report.expects.iter().all(|e| e.holds), "{:?}", report.expects);
    assert!(report.solution.certificate < 1e-6);
}
