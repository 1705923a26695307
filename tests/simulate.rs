//! `gov simulate` end to end: statistical properties with tolerances taken from the
//! reported confidence intervals (not magic numbers), the paper's compliance result for
//! learning developers, and reproducibility (same seed → same bytes, whatever the threads).

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::Command;

const COMPLIANCE: &str = "tests/data/sim/compliance.gov";

fn gov(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("gov runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    (out.status.code().unwrap_or(-1), text + &String::from_utf8_lossy(&out.stderr))
}

fn simulate_json(args: &[&str]) -> Value {
    let mut all = vec!["simulate", "--json"];
    all.extend_from_slice(args);
    let (code, text) = gov(&all);
    assert_eq!(code, 0, "{text}");
    serde_json::from_str(text.trim_end()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// (mean, standard error, 95% CI) of a metric's statistic (`over_rounds` or `final_round`).
fn stat(doc: &Value, metric: &str, of: &str) -> (f64, f64, (f64, f64)) {
    let m = doc["metrics"].as_array().unwrap().iter().find(|m| m["name"] == metric).expect("metric exists");
    let s = &m[of];
    let n = s["n"].as_f64().unwrap();
    let ci = s["ci95"].as_array().unwrap();
    (
        s["mean"].as_f64().unwrap(),
        s["sd"].as_f64().unwrap() / n.sqrt(),
        (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap()),
    )
}

#[test]
fn audit_frequency_converges_to_rho_and_the_mean_fine_to_rho_phi() {
    for rho in [0.2, 0.6] {
        let doc = simulate_json(&["--sim", "audits", "--set", &format!("rho_level={rho}"), COMPLIANCE]);
        let (mean, se, _) = stat(&doc, "audit_rate", "over_rounds");
        assert!(se > 0.0 && se < 0.01, "the test must be able to fail: se = {se}");
        assert!((mean - rho).abs() <= 4.0 * se, "audit rate {mean} vs ρ = {rho} (±4 se = {})", 4.0 * se);
        // φ(5 pflop) = 4·5 + 0.1·25 = 22.5 usd.
        let expected = rho * 22.5;
        let (fine, se, _) = stat(&doc, "mean_fine", "over_rounds");
        assert!(se > 0.0 && se < 0.05 * expected, "se = {se}");
        assert!((fine - expected).abs() <= 4.0 * se, "mean fine {fine} vs ρφ(Δ) = {expected} (±{})", 4.0 * se);
    }
}

#[test]
fn noisy_detection_is_drawn_and_the_mean_fine_converges_to_rho_d_phi() {
    let doc = simulate_json(&["tests/data/sim/noisy_detection.gov"]);
    // Each member is caught (audited and detected) or not: never a fraction.
    let (partial, _, _) = stat(&doc, "neither_0_nor_1", "over_rounds");
    assert_eq!(partial, 0.0);
    // ρ·d(Δ) with ρ = 0.6, d(5 pflop) = Φ(1); φ(5 pflop) = 22.5 usd.
    let caught = 0.6 * 0.841_344_746_068_542_9;
    for metric in ["caught", "caught_at_5"] {
        let (mean, se, _) = stat(&doc, metric, "over_rounds");
        assert!(se > 0.0 && se < 0.01, "the test must be able to fail: se = {se}");
        assert!((mean - caught).abs() <= 4.0 * se, "{metric} {mean} vs ρ·d(Δ) = {caught} (±{})", 4.0 * se);
    }
    let (fine, se, _) = stat(&doc, "mean_fine", "over_rounds");
    assert!(se > 0.0 && se < 0.05 * caught * 22.5, "se = {se}");
    assert!((fine - caught * 22.5).abs() <= 4.0 * se, "mean fine {fine} vs ρ·d(Δ)·φ(Δ) = {}", caught * 22.5);
    // In equilibrium the same expression is the probability ρ·d(Δ) (the file's `expect`;
    // exit 1 if it fails).
    let (code, text) = gov(&["run", "tests/data/sim/noisy_detection.gov"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ok    probability_in_equilibrium"), "{text}");
}

#[test]
fn learners_retire_truthfully_when_rho_reaches_rho_star_and_evade_when_it_is_well_below() {
    // ρ* = p/a = 1.55/4 = 0.3875. Above it every rule ends truthful (ε-greedy up to its
    // exploration); at ρ = 0.1 the best shortfall is the largest (Δ_dev = 57.5 > 10).
    for sim in ["fp", "greedy", "logit"] {
        let high = simulate_json(&["--sim", sim, "--set", "rho_level=0.6", COMPLIANCE]);
        let (share, _, (lo, _)) = stat(&high, "truthful", "final_round");
        assert!(lo > 0.8, "{sim}: at ρ = 0.6 the truthful share ends at {share}, CI low {lo}");
        let low = simulate_json(&["--sim", sim, "--set", "rho_level=0.1", COMPLIANCE]);
        let (share, _, (_, hi)) = stat(&low, "truthful", "final_round");
        assert!(hi < 0.05, "{sim}: at ρ = 0.1 the truthful share ends at {share}, CI high {hi}");
        let (d, _, (lo, _)) = stat(&low, "mean_D", "final_round");
        assert!(lo > 7.0, "{sim}: at ρ = 0.1 the mean shortfall ends at {d} pflop, CI low {lo}");
    }
}

#[test]
fn best_responses_answer_the_realised_audit_not_its_probability() {
    // Each developer best-responds to the previous round as it happened: audited (the
    // audit's name is 1, φ > pΔ) it retires truthfully, unaudited (0) it evades fully. So the
    // truthful share is ρ = 0.6, not the 1 that the expected fine ρφ(Δ) would give.
    let doc = simulate_json(&["--sim", "respond", COMPLIANCE]);
    for (metric, expected) in [("truthful", 0.6), ("evading", 0.4)] {
        let (mean, se, _) = stat(&doc, metric, "over_rounds");
        assert!(se > 0.0 && se < 0.02, "the test must be able to fail: se = {se}");
        assert!((mean - expected).abs() <= 4.0 * se + 0.01, "{metric}: {mean} vs {expected} (se {se})");
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_whatever_the_threads() {
    let file = "examples/compute_permits.gov";
    let one = gov(&["simulate", "--threads", "1", "--reps", "6", file]);
    let four = gov(&["simulate", "--threads", "4", "--reps", "6", file]);
    assert_eq!(one.0, 0, "{}", one.1);
    assert_eq!(one, four);
    let other = gov(&["simulate", "--threads", "2", "--reps", "6", "--seed", "43", file]);
    assert_ne!(one.1, other.1, "another seed must give other draws");
}

#[test]
fn csv_output_has_a_row_per_replication_and_round() {
    let dir = std::env::temp_dir().join(format!("gov-sim-csv-{}", std::process::id()));
    let d = dir.to_string_lossy().to_string();
    let (code, text) = gov(&["simulate", "--reps", "3", "--rounds", "7", "--out", &d, "examples/compute_permits.gov"]);
    assert_eq!(code, 0, "{text}");
    let rounds = std::fs::read_to_string(dir.join("rounds.rounds.csv")).unwrap();
    let mut lines = rounds.lines();
    assert_eq!(
        lines.next(),
        Some("rep,round,price,audit_rate,shortfall,truthful_share,metering_error,risk_weighted,fines")
    );
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 21);
    assert_eq!((rows[0][0], rows[0][1], rows[20][0], rows[20][1]), (1.0, 1.0, 3.0, 7.0));
    let summary = std::fs::read_to_string(dir.join("rounds.summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 2 * 7);
    let _ = std::fs::remove_dir_all(dir);
}
