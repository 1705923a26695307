//! Summaries across replications: mean, sample standard deviation, a 95% confidence
//! interval for the mean (Student's t), and quantiles. Sums run in replication order, so
//! summaries are identical whatever the thread count.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A summary of independent observations (one per replication).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Observations.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (`None` with one observation).
    pub sd: Option<f64>,
    /// 95% confidence interval of the mean (`None` with one observation).
    pub ci95: Option<(f64, f64)>,
    /// 5%, 50% and 95% quantiles.
    pub quantiles: [f64; 3],
    /// Smallest and largest observation.
    pub range: (f64, f64),
}

/// The arithmetic mean, summed in order as deviations from the first value, so equal
/// values have exactly their value as mean (and a standard deviation of exactly 0).
pub fn mean(mut xs: impl Iterator<Item = f64>) -> f64 {
    let Some(first) = xs.next() else { return 0.0 };
    let (sum, n) = xs.fold((0.0, 1usize), |(s, n), x| (s + (x - first), n + 1));
    first + sum / n as f64
}

/// Summarises `xs` (at least one value; an empty slice gives zeros).
pub fn summarize(xs: &[f64]) -> Summary {
    let n = xs.len();
    let m = mean(xs.iter().copied());
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let range = (sorted.first().copied().unwrap_or(0.0), sorted.last().copied().unwrap_or(0.0));
    let quantiles = [quantile(&sorted, 0.05), quantile(&sorted, 0.5), quantile(&sorted, 0.95)];
    if n < 2 {
        return Summary { n, mean: m, sd: None, ci95: None, quantiles, range };
    }
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let t = t_quantile(0.975, (n - 1) as f64);
    let half = t * sd / (n as f64).sqrt();
    Summary { n, mean: m, sd: Some(sd), ci95: Some((m - half, m + half)), quantiles, range }
}

/// The `p` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map(|t| t.inverse_cdf(p)).unwrap_or(f64::NAN)
}

/// The `p` quantile of sorted data, linearly interpolated (Hyndman–Fan type 7, R's default).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        let sd = (5.0_f64 / 3.0).sqrt();
        assert!((s.sd.unwrap_or(0.0) - sd).abs() < 1e-12);
        // t(0.975, 3) = 3.182446305284263
        let half = 3.182446305284263 * sd / 2.0;
        let (lo, hi) = s.ci95.unwrap_or_default();
        assert!((lo - (2.5 - half)).abs() < 1e-9 && (hi - (2.5 + half)).abs() < 1e-9);
        // R: quantile(1:4, c(.05, .5, .95)) = 1.15 2.50 3.85
        for (q, r) in s.quantiles.iter().zip([1.15, 2.5, 3.85]) {
            assert!((q - r).abs() < 1e-12, "{q} vs {r}");
        }
    }

    #[test]
    fn equal_observations_have_exactly_no_spread() {
        let s = summarize(&[1.55008; 20]);
        assert_eq!((s.mean, s.sd), (1.55008, Some(0.0)));
    }

    #[test]
    fn one_observation_has_no_spread() {
        let s = summarize(&[7.0]);
        assert_eq!((s.mean, s.sd, s.ci95, s.quantiles), (7.0, None, None, [7.0; 3]));
    }
}
