//! Tests for `gov::solve::numeric`: closed-form optima and roots (interior, corner, jump,
//! kink, open ends, market clearing), the errors and what they report, and property tests
//! on random concave quadratics and monotone cubics.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::solve::numeric::*;
use proptest::prelude::*;
use std::convert::Infallible;

const INF: f64 = f64::INFINITY;

fn ok(x: f64) -> Result<f64, Infallible> {
    Ok(x)
}

fn max1(f: impl FnMut(f64) -> Result<f64, Infallible>, lo: f64, hi: f64, bps: &[f64]) -> Maximum {
    maximize_1d(f, lo, hi, false, false, bps, &MaximizeOptions::default()).unwrap()
}

// ---- maximisation: closed forms ----

#[test]
fn sqrt_benefit_linear_cost_interior_on_half_line() {
    for (a, p) in [(10.0, 1.0), (3.0, 2.0), (1.0, 50.0), (200.0, 0.5)] {
        let m = max1(|c: f64| ok(a * c.sqrt() - p * c), 0.0, INF, &[]);
        let c_star = a * a / (4.0 * p * p);
        assert!((m.x - c_star).abs() <= 1e-7 * (1.0 + c_star), "A={a} p={p}: {m:?} vs {c_star}");
        assert!((m.value - a * a / (4.0 * p)).abs() <= 1e-9 * (1.0 + m.value.abs()));
        assert!(m.evaluations < 2000, "{m:?}");
    }
}

#[test]
fn log_benefit_interior_and_corner() {
    // Interior: c* = A/p − 1 when A > p.
    let (a, p) = (5.0, 2.0);
    let m = max1(|c: f64| ok(a * (1.0 + c).ln() - p * c), 0.0, INF, &[]);
    assert!((m.x - (a / p - 1.0)).abs() < 1e-7, "{m:?}");
    // Corner at 0 when A ≤ p (including A = p, where f'(0) = 0).
    for (a, p) in [(1.0, 2.0), (2.0, 2.0)] {
        let m = max1(|c: f64| ok(a * (1.0 + c).ln() - p * c), 0.0, INF, &[]);
        assert_eq!(m.x, 0.0, "A={a} p={p}: {m:?}");
        assert_eq!(m.value, 0.0);
        assert_eq!(m.method, "endpoint");
    }
}

/// Unconstrained optimum u = 1 below the threshold θ = 2; being below costs `penalty`.
fn threshold_payoff(penalty: f64) -> impl FnMut(f64) -> Result<f64, Infallible> {
    move |c: f64| ok(-(c - 1.0) * (c - 1.0) - if c < 2.0 { penalty } else { 0.0 })
}

#[test]
fn jump_at_threshold_complies_when_penalty_is_large() {
    // Complying costs (θ − u)² = 1 < penalty 2: the optimum is θ itself.
    let m = max1(threshold_payoff(2.0), 0.0, 5.0, &[2.0]);
    assert_eq!(m.x, 2.0, "{m:?}");
    assert_eq!(m.value, -1.0);
    assert_eq!(m.method, "breakpoint");
}

#[test]
fn jump_at_threshold_pays_penalty_when_small() {
    let m = max1(threshold_payoff(0.5), 0.0, 5.0, &[2.0]);
    assert!((m.x - 1.0).abs() < 1e-7, "{m:?}");
    assert!((m.value + 0.5).abs() < 1e-12);
}

#[test]
fn jump_at_threshold_on_unbounded_interval() {
    let m = max1(threshold_payoff(2.0), 0.0, INF, &[2.0]);
    assert_eq!(m.x, 2.0, "{m:?}");
}

#[test]
fn a_far_jump_on_an_unbounded_interval_is_found() {
    // A leader's payoff that jumps up where followers switch, at x = 40, far beyond the
    // first scan of [0, 1] and with no breakpoint the checker could see: the probes beyond
    // the scan find it, and the expansion settles on the jump's first point scanned.
    let m = max1(|x: f64| ok(if x < 40.0 { -(x - 0.3) * (x - 0.3) } else { 5.0 }), 0.0, INF, &[]);
    assert!(m.x >= 40.0 && m.value == 5.0, "{m:?}");
    // Where the payoff fails far out (an overflow), the probe is passed over.
    let fails_far = |x: f64| if x > 100.0 { Err(()) } else { Ok(-(x - 0.3) * (x - 0.3)) };
    let m = maximize_1d(fails_far, 0.0, INF, false, false, &[], &MaximizeOptions::default()).unwrap();
    assert!((m.x - 0.3).abs() < 1e-7, "{m:?}");
}

#[test]
fn supremum_just_below_a_downward_jump() {
    // f = x below θ = 3, x − 10 from θ on: the supremum 3 is approached from the left.
    let m = max1(|x: f64| ok(if x < 3.0 { x } else { x - 10.0 }), 0.0, 5.0, &[3.0]);
    assert!(m.x < 3.0 && 3.0 - m.x < 1e-8, "{m:?}");
    assert_eq!(m.method, "breakpoint side");
}

#[test]
fn kinked_function() {
    // max(0, x − 1) − 0.1x²: on x > 1 the optimum is 5 (value 1.5); below 1 the best is 0.
    let f = |x: f64| ok((x - 1.0).max(0.0) - 0.1 * x * x);
    for bps in [&[1.0][..], &[]] {
        let m = max1(f, -3.0, 10.0, bps);
        assert!((m.x - 5.0).abs() < 1e-7, "{bps:?}: {m:?}");
        assert!((m.value - 1.5).abs() < 1e-12);
    }
    // On [-3, 1.1] the right of the kink (at most −0.021) loses to x = 0.
    let m = max1(f, -3.0, 1.1, &[1.0]);
    assert!(m.x.abs() < 1e-7, "{m:?}");
    // min(x, 1) − 0.01x² peaks at its kink, x = 1.
    let m = max1(|x: f64| ok(x.min(1.0) - 0.01 * x * x), -3.0, 10.0, &[1.0]);
    assert_eq!(m.x, 1.0, "{m:?}");
    assert_eq!(m.method, "breakpoint");
}

#[test]
fn open_intervals() {
    let opts = MaximizeOptions::default();
    // Increasing on (0, 1): approaches 1 from below, never evaluates it.
    let mut seen_one = false;
    let m = maximize_1d(
        |x: f64| {
            seen_one |= x == 1.0;
            ok(x)
        },
        0.0,
        1.0,
        false,
        true,
        &[],
        &opts,
    )
    .unwrap();
    assert!(!seen_one);
    assert!(m.x < 1.0 && 1.0 - m.x <= 1e-9 * 1.0001, "{m:?}");
    assert_eq!(m.method, "open end");
    // Decreasing on (0, 1]: approaches 0 from above.
    let m = maximize_1d(|x: f64| ok(-x), 0.0, 1.0, true, false, &[], &opts).unwrap();
    assert!(m.x > 0.0 && m.x <= 1e-9, "{m:?}");
    // Open ends on a tiny interval are approached relative to its width.
    let m = maximize_1d(|x: f64| ok(-x), 0.0, 1e-6, true, true, &[], &opts).unwrap();
    assert!(m.x > 0.0 && m.x <= 1e-14, "{m:?}");
    // An interior maximum is unaffected by open ends.
    let m = maximize_1d(|x: f64| ok(-(x - 0.3) * (x - 0.3)), 0.0, 1.0, true, true, &[], &opts).unwrap();
    assert!((m.x - 0.3).abs() < 1e-8, "{m:?}");
}

#[test]
fn degenerate_and_empty_intervals() {
    let opts = MaximizeOptions::default();
    let m = maximize_1d(|x: f64| ok(x * 2.0), 3.0, 3.0, false, false, &[], &opts).unwrap();
    assert_eq!((m.x, m.value, m.evaluations, m.method), (3.0, 6.0, 1, "point"));
    for (lo, hi, lo_open, hi_open) in
        [(3.0, 3.0, true, false), (3.0, 3.0, false, true), (4.0, 3.0, false, false), (f64::NAN, 1.0, false, false)]
    {
        let r = maximize_1d(ok, lo, hi, lo_open, hi_open, &[], &opts);
        assert_eq!(r, Err(MaxError::EmptyInterval), "{lo} {hi} {lo_open} {hi_open}");
    }
}

#[test]
fn negative_half_line_and_whole_line() {
    // −(x + 7)² on (−inf, 0]: optimum −7, found by expanding to the left.
    let m = max1(|x: f64| ok(-(x + 7.0) * (x + 7.0)), -INF, 0.0, &[]);
    assert!((m.x + 7.0).abs() < 1e-7, "{m:?}");
    // −(x − 40)² on the whole line.
    let m = max1(|x: f64| ok(-(x - 40.0) * (x - 40.0)), -INF, INF, &[]);
    assert!((m.x - 40.0).abs() < 1e-7, "{m:?}");
}

#[test]
fn constant_function_ties_go_left() {
    let m = max1(|_| ok(1.0), -2.0, 5.0, &[0.0, 1.0]);
    assert_eq!(m.x, -2.0, "{m:?}");
}

#[test]
fn deterministic() {
    let f = |x: f64| ok((3.0 * x).sin() + 0.1 * x - if x > 2.0 { 0.3 } else { 0.0 });
    let a = max1(f, -4.0, 7.0, &[2.0]);
    let b = max1(f, -4.0, 7.0, &[2.0]);
    assert_eq!(a, b);
}

#[test]
fn finite_candidates() {
    let m = maximize_finite(|x: f64| ok(-(x - 2.0).abs()), &[0.0, 1.0, 3.0, 4.0]).unwrap();
    assert_eq!((m.x, m.value, m.evaluations, m.method), (1.0, -1.0, 4, "finite"));
    assert_eq!(maximize_finite(ok, &[]), Err(MaxError::EmptyInterval));
    assert_eq!(maximize_finite(|_| ok(f64::NAN), &[1.0]), Err(MaxError::NotFinite { x: 1.0 }));
    assert_eq!(maximize_finite(|_| Err::<f64, _>("bad"), &[1.0]), Err(MaxError::Eval("bad")));
}

// ---- maximisation: errors ----

#[test]
fn unbounded_increasing() {
    match maximize_1d(ok, 0.0, INF, false, false, &[], &MaximizeOptions::default()) {
        Err(MaxError::Unbounded { x, value }) => assert!(x >= 1e15 && value == x, "{x} {value}"),
        other => panic!("{other:?}"),
    }
    match maximize_1d(|x: f64| ok(-x), -INF, 0.0, false, false, &[], &MaximizeOptions::default()) {
        Err(MaxError::Unbounded { x, .. }) => assert!(x <= -1e15),
        other => panic!("{other:?}"),
    }
    // +inf as a value is unbounded too.
    let r = maximize_1d(|x: f64| ok(1.0 / (x - 0.5).abs()), 0.0, 1.0, false, false, &[0.5], &Default::default());
    assert_eq!(r, Err(MaxError::Unbounded { x: 0.5, value: INF }));
}

#[test]
fn eval_errors_propagate() {
    let r = maximize_1d(
        |x: f64| if x > 0.5 { Err("boom") } else { Ok(x) },
        0.0,
        1.0,
        false,
        false,
        &[],
        &MaximizeOptions::default(),
    );
    assert_eq!(r, Err(MaxError::Eval("boom")));
    let r = maximize_1d(|_| Ok::<_, &str>(f64::NAN), 0.0, 1.0, false, false, &[], &MaximizeOptions::default());
    assert_eq!(r, Err(MaxError::NotFinite { x: 0.0 }));
}

// ---- roots ----

#[test]
fn cube_root_of_two() {
    let r = brent_root(|x: f64| ok(x * x * x - 2.0), 0.0, 2.0, 1e-14, 100).unwrap();
    let exact = 2f64.cbrt();
    assert!((r.x - exact).abs() < 1e-13, "{r:?}");
    assert!(r.residual.abs() < 1e-12);
    assert!(r.bracket.0 <= r.x && r.x <= r.bracket.1 && r.bracket.1 - r.bracket.0 < 1e-13);
    assert_eq!(r.evaluations, r.iterations + 2);
    // Ends in either order, and a root at an end.
    let r2 = brent_root(|x: f64| ok(x * x * x - 2.0), 2.0, 0.0, 1e-14, 100).unwrap();
    assert!((r2.x - exact).abs() < 1e-13);
    let r3 = brent_root(|x: f64| ok(x - 1.0), 1.0, 3.0, 1e-12, 100).unwrap();
    assert_eq!((r3.x, r3.iterations), (1.0, 0));
}

#[test]
fn root_at_a_jump() {
    // A step from −1 to +1 at 0.3: the bracket closes on the jump, residual says so.
    let r = brent_root(|x: f64| ok(if x < 0.3 { -1.0 } else { 1.0 }), 0.0, 1.0, 1e-12, 200).unwrap();
    assert!((r.x - 0.3).abs() < 1e-11, "{r:?}");
    assert_eq!(r.residual.abs(), 1.0);
}

#[test]
fn no_sign_change_reports_tried_points() {
    let r = brent_root(|x: f64| ok(x * x + 1.0), -1.0, 1.0, 1e-12, 100);
    assert_eq!(r, Err(RootError::NoSignChange { tried: vec![(-1.0, 2.0), (1.0, 2.0)] }));
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("no sign change"), "{msg}");
}

#[test]
fn root_errors() {
    assert_eq!(brent_root(|_| Err::<f64, _>("e"), 0.0, 1.0, 1e-12, 10), Err(RootError::Eval("e")));
    assert_eq!(brent_root(|_| ok(f64::NAN), 0.0, 1.0, 1e-12, 10), Err(RootError::NotFinite { x: 0.0 }));
    assert_eq!(brent_root(ok, 0.0, INF, 1e-12, 10), Err(RootError::NotFinite { x: INF }));
    match brent_root(|x: f64| ok(x.powi(5) - 0.123456789), 0.0, 1.0, 1e-15, 2) {
        Err(RootError::NoConvergence { iterations, .. }) => assert_eq!(iterations, 2),
        other => panic!("{other:?}"),
    }
}

// ---- market clearing ----

/// An exactly known excess demand.
fn z_ok(x: f64) -> Result<Excess, Infallible> {
    Ok(Excess::exact(x))
}

#[test]
fn market_clearing_sqrt_demands() {
    // Firm i maximises A_i√c − p·c, so demands A_i²/(4p²); supply Q (the cap).
    let a = [3.0, 5.0, 8.0, 1.5];
    let sum_a2: f64 = a.iter().map(|x| x * x).sum();
    for q in [0.01, 1.0, 40.0, 1e6] {
        let z = |p: f64| z_ok(a.iter().map(|ai| ai * ai / (4.0 * p * p)).sum::<f64>() - q);
        let exact = 0.5 * (sum_a2 / q).sqrt();
        for scale in [0.0, 1.0, 1e3, 1e-3] {
            let r = clear_market(z, scale, 1e-13).unwrap();
            assert!((r.x - exact).abs() <= 1e-11 * exact, "Q={q} scale={scale}: {r:?} vs {exact}");
            assert!(r.bracket.0 <= r.x && r.x <= r.bracket.1);
            assert!(r.evaluations >= r.iterations + 2);
        }
    }
}

#[test]
fn market_clearing_zero_price_when_cap_does_not_bind() {
    // Quadratic utility A_i c − c²/2: demand max(0, A_i − p); total demand at p = 0 is 12.
    let a = [2.0, 4.0, 6.0];
    let z = |q: f64| move |p: f64| z_ok(a.iter().map(|ai| (ai - p).max(0.0)).sum::<f64>() - q);
    // No excess demand at the first price tried (1): then z(0) decides.
    let r = clear_market(z(20.0), 1.0, 1e-12).unwrap();
    assert_eq!((r.x, r.residual, r.evaluations), (0.0, -8.0, 2));
    // Exactly at the cap: still a zero price.
    assert_eq!(clear_market(z(12.0), 1.0, 1e-12).unwrap().x, 0.0);
    // A binding cap Q = 6: all three active, 12 − 3p = 6, p = 2.
    let r = clear_market(z(6.0), 1.0, 1e-14).unwrap();
    assert!((r.x - 2.0).abs() < 1e-12, "{r:?}");
    // Q = 1: only the largest active, 6 − p = 1, p = 5.
    let r = clear_market(z(1.0), 1.0, 1e-14).unwrap();
    assert!((r.x - 5.0).abs() < 1e-12, "{r:?}");
}

#[test]
fn excess_demand_at_the_first_price_skips_the_zero_price() {
    // Demand 1/p runs off to infinity at p = 0 (the costliest value to find); with excess
    // demand at p = 1 the price is above 1 and z(0) is never asked for.
    let mut asked = Vec::new();
    let r = clear_market(
        |p: f64| {
            asked.push(p);
            z_ok(1.0 / p - 0.25)
        },
        1.0,
        1e-14,
    )
    .unwrap();
    assert!((r.x - 4.0).abs() < 1e-12, "{r:?}");
    assert!(!asked.contains(&0.0), "{asked:?}");
}

#[test]
fn market_clearing_stops_at_the_noise_of_demand() {
    // Demand 100/p known to ±1e-6 (a deterministic wobble): the search stops once |z| is
    // within that noise, with the price as close as the noise allows, and in fewer
    // evaluations than chasing a 1e-15 bracket through the wobble.
    let noisy = |p: f64| {
        let wobble = 1e-6 * (p * 1e7).sin();
        Ok::<_, Infallible>(Excess { z: 100.0 / p + wobble - 50.0, noise: 2e-6 })
    };
    let r = clear_market(noisy, 1.0, 1e-15).unwrap();
    assert!(r.residual.abs() <= 2e-6, "{r:?}");
    assert!((r.x - 2.0).abs() <= 1e-7, "{r:?}");
    let exact = clear_market(|p: f64| z_ok(100.0 / p + 1e-6 * (p * 1e7).sin() - 50.0), 1.0, 1e-15).unwrap();
    assert!(r.evaluations < exact.evaluations, "{r:?} vs {exact:?}");
}

#[test]
fn an_infinite_excess_is_never_within_its_noise() {
    // Demand overflows below p = 3 and supply above it: both ends of the bracket are
    // infinite, with infinite noise. The search must still close in on the jump at 3,
    // not stop at the first infinite value as if it were within its noise.
    let z = |p: f64| {
        let (demand, supply) = if p < 3.0 { (f64::INFINITY, 1.0) } else { (1.0, f64::INFINITY) };
        Ok::<_, Infallible>(Excess::between(demand, supply))
    };
    let r = clear_market(z, 1.0, 1e-12).unwrap();
    assert!((r.x - 3.0).abs() < 1e-9, "{r:?}");
    assert!(!r.within_noise);
}

#[test]
fn market_never_clears() {
    match clear_market(|_| z_ok(1.0), 1.0, 1e-12) {
        Err(RootError::NoSignChange { tried }) => {
            assert_eq!(tried[0], (1.0, 1.0));
            assert_eq!(tried[1].0, 2.0);
            assert_eq!(tried.last().map(|t| t.0), Some(1e300));
            assert!(tried.windows(2).all(|w| w[0].0 < w[1].0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clear_market(|_| Err::<Excess, _>("e"), 1.0, 1e-12), Err(RootError::Eval("e")));
    assert_eq!(
        clear_market(|p: f64| z_ok(if p > 3.0 { f64::NAN } else { 1.0 }), 1.0, 1e-12),
        Err(RootError::NotFinite { x: 4.0 })
    );
}

// ---- properties ----

proptest! {
    /// −a(x − m)² + c on a random interval: the maximiser is m clamped to the interval.
    #[test]
    fn concave_quadratics(
        a in 0.05f64..20.0,
        m in -50.0f64..50.0,
        c in -5.0f64..5.0,
        lo in -60.0f64..60.0,
        width in 1e-3f64..100.0,
        bp_frac in prop::option::of(0.0f64..1.0),
        grid in prop::sample::select(vec![3usize, 8, 64]),
    ) {
        let hi = lo + width;
        let bps: Vec<f64> = bp_frac.map(|t| lo + t * width).into_iter().collect();
        let opts = MaximizeOptions { grid, ..MaximizeOptions::default() };
        let r = maximize_1d(|x: f64| ok(-a * (x - m) * (x - m) + c), lo, hi, false, false, &bps, &opts).unwrap();
        let expected = m.clamp(lo, hi);
        prop_assert!((r.x - expected).abs() <= 1e-7, "{:?} vs {}", r, expected);
    }

    /// Same on a half line [lo, inf).
    #[test]
    fn concave_quadratics_half_line(a in 0.05f64..20.0, m in -50.0f64..500.0, lo in -60.0f64..60.0) {
        let r = max1(|x: f64| ok(-a * (x - m) * (x - m)), lo, INF, &[]);
        prop_assert!((r.x - m.max(lo)).abs() <= 1e-7, "{:?} vs {}", r, m.max(lo));
    }

    /// a(x − r)³ + b(x − r) with a, b > 0 is increasing with its only root at r.
    #[test]
    fn monotone_cubics(
        a in 0.01f64..10.0,
        b in 0.01f64..10.0,
        r in -100.0f64..100.0,
        left in 1e-6f64..50.0,
        right in 1e-6f64..50.0,
    ) {
        let f = |x: f64| ok(a * (x - r).powi(3) + b * (x - r));
        let root = brent_root(f, r - left, r + right, 1e-13, 200).unwrap();
        prop_assert!(root.residual.abs() <= 1e-9, "{:?}", root);
        prop_assert!((root.x - r).abs() <= 1e-10 * (1.0 + r.abs()), "{:?}", root);
        prop_assert!(root.iterations <= 100, "{:?}", root);
    }
}

#[test]
fn evaluation_counts_for_sqrt_case() {
    // Printed with `--nocapture` for the record; bounded here so regressions show.
    let m = max1(|c: f64| ok(10.0 * c.sqrt() - c), 0.0, INF, &[]);
    println!("A=10 p=1: {m:?}");
    assert!(m.evaluations <= 600 && m.grid <= 600, "{m:?}");
}
