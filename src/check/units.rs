//! Dimension algebra for the `.gov` type checker: exact rational exponents over named
//! base units, canonical form, user-facing formatting and "how to fix" hints.

use num_integer::Integer;
use std::fmt;

/// An exact rational exponent of a base unit.
pub type Exponent = num_rational::Rational64;

/// A dimension: canonical sorted vector of (base unit name, non-zero rational exponent).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Dimension {
    factors: Vec<(String, Exponent)>,
}

/// Builds a reduced exponent from an i128 ratio; None if the denominator is zero or it overflows i64.
fn ratio(n: i128, d: i128) -> Option<Exponent> {
    if d == 0 {
        return None;
    }
    let g = n.gcd(&d);
    let (mut n, mut d) = (n / g, d / g);
    if d < 0 {
        (n, d) = (n.checked_neg()?, d.checked_neg()?);
    }
    Some(Exponent::new_raw(i64::try_from(n).ok()?, i64::try_from(d).ok()?))
}

/// Clamps an overflowed exponent (never reached by real programs) to a huge integer of the right sign.
fn saturate(r: Option<Exponent>, positive: bool) -> Exponent {
    r.unwrap_or_else(|| Exponent::from_integer(if positive { i64::MAX } else { -i64::MAX }))
}

/// Overflow-safe exponent addition.
fn add_exp(a: Exponent, b: Exponent) -> Exponent {
    let (an, ad) = (*a.numer() as i128, *a.denom() as i128);
    let (bn, bd) = (*b.numer() as i128, *b.denom() as i128);
    let sum = (an * bd).checked_add(bn * ad);
    saturate(sum.and_then(|n| ratio(n, ad * bd)), sum.is_none_or(|n| n > 0))
}

/// Overflow-safe exponent multiplication.
fn mul_exp(a: Exponent, b: Exponent) -> Exponent {
    let n = *a.numer() as i128 * *b.numer() as i128;
    saturate(ratio(n, *a.denom() as i128 * *b.denom() as i128), n > 0)
}

impl Dimension {
    /// The dimensionless dimension.
    pub fn one() -> Dimension {
        Dimension::default()
    }

    /// A single base unit to the first power, e.g. `usd`.
    pub fn base(name: &str) -> Dimension {
        Dimension { factors: vec![(name.to_string(), Exponent::from_integer(1))] }
    }

    /// Builds a canonical dimension from arbitrary factors (merging repeated names, dropping zeros).
    pub fn from_factors<I: IntoIterator<Item = (String, Exponent)>>(factors: I) -> Dimension {
        let mut v: Vec<(String, Exponent)> = factors.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Exponent)> = Vec::with_capacity(v.len());
        for (name, e) in v {
            match out.last_mut() {
                Some(last) if last.0 == name => last.1 = add_exp(last.1, e),
                _ => out.push((name, e)),
            }
        }
        out.retain(|(_, e)| *e.numer() != 0);
        Dimension { factors: out }
    }

    /// True when the dimension has no factors (dimensionless).
    pub fn is_one(&self) -> bool {
        self.factors.is_empty()
    }

    /// Product of two dimensions (exponents add).
    pub fn mul(&self, other: &Dimension) -> Dimension {
        Dimension::from_factors(self.factors.iter().chain(other.factors.iter()).cloned())
    }

    /// Quotient of two dimensions (exponents subtract).
    pub fn div(&self, other: &Dimension) -> Dimension {
        self.mul(&other.recip())
    }

    /// Raises the dimension to a rational power (`sqrt` is `pow(1/2)`).
    pub fn pow(&self, e: Exponent) -> Dimension {
        Dimension::from_factors(self.factors.iter().map(|(n, x)| (n.clone(), mul_exp(*x, e))))
    }

    /// The reciprocal dimension.
    pub fn recip(&self) -> Dimension {
        self.pow(Exponent::from_integer(-1))
    }

    /// The canonical factors: sorted by name, no zero exponents.
    pub fn factors(&self) -> &[(String, Exponent)] {
        &self.factors
    }
}

/// Formats an exponent: integer, terminating decimal (up to 6 places) or `(n/d)`.
fn fmt_exponent(e: Exponent) -> String {
    let (n, d) = (*e.numer() as i128, *e.denom() as i128);
    if d == 1 {
        return n.to_string();
    }
    let twos = d.trailing_zeros();
    let (mut rest, mut fives) = (d >> twos, 0u32);
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    let places = twos.max(fives);
    if rest != 1 || places > 6 {
        return format!("({n}/{d})");
    }
    let pow10 = 10i128.pow(places);
    let scaled = n.abs() * (pow10 / d);
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", scaled / pow10, scaled % pow10, width = places as usize)
}

/// Joins factors with `*`, writing `name^e` unless the (absolute) exponent is 1.
fn join_factors(fs: &[&(String, Exponent)]) -> String {
    let parts: Vec<String> = fs
        .iter()
        .map(|(name, e)| {
            let e = if *e.numer() < 0 { -*e } else { *e };
            if e == Exponent::from_integer(1) {
                name.clone()
            } else {
                format!("{name}^{}", fmt_exponent(e))
            }
        })
        .collect();
    parts.join("*")
}

impl fmt::Display for Dimension {
    /// Writes e.g. `1`, `usd/pflop^2`, `usd/(pflop*hour)`, `pflop^(1/3)`, `1/pflop`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pos, neg): (Vec<_>, Vec<_>) = self.factors.iter().partition(|(_, e)| *e.numer() > 0);
        let num = if pos.is_empty() { "1".to_string() } else { join_factors(&pos) };
        match neg.len() {
            0 => write!(f, "{num}"),
            1 => write!(f, "{num}/{}", join_factors(&neg)),
            _ => write!(f, "{num}/({})", join_factors(&neg)),
        }
    }
}

/// A unit: a dimension and the factor that converts a number in this unit to canonical base units.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The unit's dimension.
    pub dim: Dimension,
    /// Multiply a value in this unit by `scale` to get canonical base units.
    pub scale: f64,
}

/// Shorthand constructor.
fn unit(dim: Dimension, scale: f64) -> Unit {
    Unit { dim, scale }
}

impl Unit {
    /// The dimensionless unit with scale 1.
    pub fn one() -> Unit {
        unit(Dimension::one(), 1.0)
    }

    /// A base unit with scale 1.
    pub fn base(name: &str) -> Unit {
        unit(Dimension::base(name), 1.0)
    }

    /// Product of two units (dimensions multiply, scales multiply).
    pub fn mul(&self, other: &Unit) -> Unit {
        unit(self.dim.mul(&other.dim), self.scale * other.scale)
    }

    /// Quotient of two units (dimensions divide, scales divide).
    pub fn div(&self, other: &Unit) -> Unit {
        unit(self.dim.div(&other.dim), self.scale / other.scale)
    }

    /// A unit raised to a rational power (the scale is raised to the same power).
    pub fn pow(&self, e: Exponent) -> Unit {
        unit(self.dim.pow(e), self.scale.powf(*e.numer() as f64 / *e.denom() as f64))
    }
}

/// Parses a non-empty run of ASCII digits into an i128.
fn digits(s: &str) -> Option<i128> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

/// Parses a decimal or fraction written in source (`2`, `-1`, `0.5`, `1/3`, `-2/3`) into an exact rational; None if not representable (too many digits, zero denominator).
pub fn exponent_from_decimal(text: &str) -> Option<Exponent> {
    let t = text.trim();
    let t = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')).unwrap_or(t);
    let (neg, body) = t.trim().strip_prefix('-').map_or((false, t.trim()), |b| (true, b));
    let sign = if neg { -1 } else { 1 };
    if let Some((n, d)) = body.split_once('/') {
        return ratio(sign * digits(n.trim())?, digits(d.trim())?);
    }
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || (body.contains('.') && frac.is_empty()) {
        return None;
    }
    let den = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    ratio(sign * digits(&format!("{int}{frac}"))?, den)
}

/// Converts an f64 exponent to a rational when it is exactly a ratio with denominator <= 1000 (used when an exponent is a constant computed at check time): Some(1/2) for 0.5, None for 0.3333333 unless it is within 1e-12 of a ratio with small denominator.
pub fn exponent_from_f64(x: f64) -> Option<Exponent> {
    if !x.is_finite() || x.abs() >= 1e15 {
        return None;
    }
    let tol = 1e-12 * x.abs().max(1.0);
    (1..=1000i64).find_map(|d| {
        let n = (x * d as f64).round();
        ((x - n / d as f64).abs() <= tol).then(|| ratio(n as i128, d as i128)).flatten()
    })
}

/// A help line suggesting how to make `found` into `expected`, e.g. "multiply by a quantity in `pflop`" or "divide by a quantity in `usd/pflop`"; None when the ratio is too complicated (more than two factors) or dims are equal.
pub fn suggest_fix(expected: &Dimension, found: &Dimension) -> Option<String> {
    let r = expected.div(found);
    if r.is_one() || r.factors.len() > 2 {
        return None;
    }
    let all_neg = r.factors.iter().all(|(_, e)| *e.numer() < 0);
    if all_neg || (expected.is_one() && r.factors.iter().any(|(_, e)| *e.numer() < 0)) {
        Some(format!("divide by a quantity in `{}`", r.recip()))
    } else {
        Some(format!("multiply by a quantity in `{r}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, m: i64) -> Exponent {
        Exponent::new(n, m)
    }

    #[test]
    fn formatting() {
        let [usd, pflop, hour] = ["usd", "pflop", "hour"].map(Dimension::base);
        let cases = [
            (Dimension::one(), "1"),
            (usd.div(&pflop), "usd/pflop"),
            (usd.div(&pflop.pow(q(2, 1))), "usd/pflop^2"),
            (usd.div(&pflop.pow(q(1, 2))), "usd/pflop^0.5"),
            (pflop.mul(&usd), "pflop*usd"),
            (pflop.pow(q(1, 3)), "pflop^(1/3)"),
            (pflop.recip(), "1/pflop"),
            (pflop.pow(q(-2, 1)), "1/pflop^2"),
            (usd.div(&pflop.mul(&hour)), "usd/(hour*pflop)"),
            (pflop.pow(q(3, 1)).pow(q(1, 2)), "pflop^1.5"),
            (pflop.pow(q(-1, 3)), "1/pflop^(1/3)"),
            (pflop.pow(q(1, 8)).mul(&usd.pow(q(3, 4))), "pflop^0.125*usd^0.75"),
        ];
        for (dim, text) in cases {
            assert_eq!(dim.to_string(), text);
        }
    }

    #[test]
    fn suggestions() {
        let [usd, pflop, hour] = ["usd", "pflop", "hour"].map(Dimension::base);
        let price = usd.div(&pflop);
        let cases = [
            (&usd, &price, Some("multiply by a quantity in `pflop`")),
            (&usd, &pflop, Some("multiply by a quantity in `usd/pflop`")),
            (&Dimension::one(), &price, Some("divide by a quantity in `usd/pflop`")),
            (&pflop, &pflop.mul(&usd), Some("divide by a quantity in `usd`")),
            (&usd, &usd, None),
            (&usd, &pflop.mul(&hour), None),
        ];
        for (expected, found, hint) in cases {
            assert_eq!(suggest_fix(expected, found).as_deref(), hint);
        }
    }

    #[test]
    fn parsing_exponents() {
        let good = [("2", q(2, 1)), ("-1", q(-1, 1)), ("0.5", q(1, 2)), ("-1.25", q(-5, 4))];
        let frac = [("1/3", q(1, 3)), ("-2/3", q(-2, 3)), ("(1/3)", q(1, 3))];
        for (text, e) in good.into_iter().chain(frac) {
            assert_eq!(exponent_from_decimal(text), Some(e), "{text}");
        }
        let tiny = "0.00000000000000000000000000000000000001";
        for bad in ["1/0", "--1", "", "-", "1.", ".5", "a", "1/-3", "1/2/3", tiny] {
            assert_eq!(exponent_from_decimal(bad), None, "{bad}");
        }
        assert_eq!(exponent_from_f64(0.5), Some(q(1, 2)));
        assert_eq!(exponent_from_f64(1.0 / 3.0), Some(q(1, 3)));
        assert_eq!(exponent_from_f64(-2.0), Some(q(-2, 1)));
        assert_eq!(exponent_from_f64(0.3333333), None);
        assert_eq!(exponent_from_f64(f64::NAN), None);
    }

    #[test]
    fn units_scale() {
        let km = Unit { dim: Dimension::base("m"), scale: 1000.0 };
        assert_eq!(km.pow(q(2, 1)).scale, 1e6);
        assert_eq!(km.pow(q(2, 1)).div(&km), km);
        assert_eq!(Unit::base("m").mul(&Unit::one()), Unit::base("m"));
    }
}
