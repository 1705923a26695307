//! Property tests for the dimension algebra in `gov::check::units`.

use gov::check::units::*;
use proptest::prelude::*;

const NAMES: &[&str] = &["usd", "pflop", "hour", "token", "gpu"];

/// A small rational exponent (possibly zero).
fn exponent() -> impl Strategy<Value = Exponent> {
    (-6i64..=6, 1i64..=6).prop_map(|(n, d)| Exponent::new(n, d))
}

/// A small non-zero rational exponent.
fn nonzero_exponent() -> impl Strategy<Value = Exponent> {
    exponent().prop_filter("non-zero", |e| *e.numer() != 0)
}

/// A dimension built from up to five (possibly repeated, possibly zero) factors.
fn dimension() -> impl Strategy<Value = Dimension> {
    prop::collection::vec((prop::sample::select(NAMES), exponent()), 0..5)
        .prop_map(|fs| Dimension::from_factors(fs.into_iter().map(|(n, e)| (n.to_string(), e))))
}

/// Checks the canonical-form invariant: sorted strictly by name, no zero exponents.
fn canonical(d: &Dimension) -> bool {
    d.factors().windows(2).all(|w| w[0].0 < w[1].0) && d.factors().iter().all(|(_, e)| *e.numer() != 0)
}

proptest! {
    #[test]
    fn mul_is_associative(a in dimension(), b in dimension(), c in dimension()) {
        prop_assert_eq!(a.mul(&b).mul(&c), a.mul(&b.mul(&c)));
    }

    #[test]
    fn mul_is_commutative(a in dimension(), b in dimension()) {
        prop_assert_eq!(a.mul(&b), b.mul(&a));
    }

    #[test]
    fn one_is_identity(a in dimension()) {
        prop_assert_eq!(a.mul(&Dimension::one()), a.clone());
        prop_assert_eq!(Dimension::one().mul(&a), a);
    }

    #[test]
    fn self_division_is_one(a in dimension()) {
        prop_assert!(a.div(&a).is_one());
        prop_assert!(a.mul(&a.recip()).is_one());
    }

    #[test]
    fn div_is_mul_by_recip(a in dimension(), b in dimension()) {
        prop_assert_eq!(a.div(&b), a.mul(&b.recip()));
        prop_assert_eq!(a.div(&b).mul(&b), a);
    }

    #[test]
    fn pow_composes(a in dimension(), x in exponent(), y in exponent()) {
        prop_assert_eq!(a.pow(x).pow(y), a.pow(x * y));
    }

    #[test]
    fn pow_distributes_over_mul(a in dimension(), b in dimension(), x in exponent()) {
        prop_assert_eq!(a.mul(&b).pow(x), a.pow(x).mul(&b.pow(x)));
    }

    #[test]
    fn pow_round_trips(a in dimension(), e in nonzero_exponent()) {
        prop_assert_eq!(a.pow(e).pow(e.recip()), a);
    }

    #[test]
    fn pow_zero_is_one(a in dimension()) {
        prop_assert!(a.pow(Exponent::from_integer(0)).is_one());
    }

    #[test]
    fn results_are_canonical(a in dimension(), b in dimension(), e in exponent()) {
        for d in [a.clone(), a.mul(&b), a.div(&b), a.pow(e), a.recip()] {
            prop_assert!(canonical(&d), "not canonical: {:?}", d);
        }
    }

    #[test]
    fn display_is_never_empty(a in dimension()) {
        let s = a.to_string();
        prop_assert!(!s.is_empty());
        prop_assert_eq!(s == "1", a.is_one());
    }

    #[test]
    fn display_exponents_parse_back(n in -40i64..=40, d in 1i64..=40) {
        let e = Exponent::new(n, d);
        prop_assume!(*e.numer() > 0 && e != Exponent::from_integer(1));
        let s = Dimension::base("x").pow(e).to_string();
        let text = s.strip_prefix("x^").unwrap_or("");
        prop_assert_eq!(exponent_from_decimal(text), Some(e));
    }

    #[test]
    fn decimal_parse_matches_f64(n in -100_000i64..=100_000, places in 0u32..=4) {
        let text = if places == 0 { n.to_string() } else {
            let p = 10i64.pow(places);
            let sign = if n < 0 { "-" } else { "" };
            format!("{sign}{}.{:0w$}", n.abs() / p, n.abs() % p, w = places as usize)
        };
        prop_assert_eq!(exponent_from_decimal(&text), Some(Exponent::new(n, 10i64.pow(places))));
    }

    #[test]
    fn f64_conversion_recovers_small_ratios(n in -3000i64..=3000, d in 1i64..=1000) {
        let e = Exponent::new(n, d);
        prop_assert_eq!(exponent_from_f64(n as f64 / d as f64), Some(e));
    }

    #[test]
    fn suggestion_is_consistent(a in dimension(), b in dimension()) {
        match suggest_fix(&a, &b) {
            None => prop_assert!(a == b || a.div(&b).factors().len() > 2),
            Some(s) => prop_assert!(s.starts_with("multiply by") || s.starts_with("divide by")),
        }
    }

    #[test]
    fn unit_scales_compose(x in 0.001f64..1000.0, y in 0.001f64..1000.0) {
        let a = Unit { dim: Dimension::base("usd"), scale: x };
        let b = Unit { dim: Dimension::base("pflop"), scale: y };
        let q = a.mul(&b).div(&b);
        prop_assert_eq!(&q.dim, &a.dim);
        prop_assert!((q.scale - x).abs() <= 1e-9 * x);
    }
}
