//! The points of a sweep: each axis's values in canonical units (evenly or geometrically
//! spaced, or as listed), the grid as their product (first axis slowest, so point `k`
//! has the same coordinates however the grid is split), deterministic shards of it, and
//! the hash that identifies it in shard files.

use crate::diag::{Code, Diagnostic};
use crate::eval::defaults::{ConstCache, ConstEnv};
use crate::model::*;
use crate::source::Span;
use sha2::{Digest, Sha256};
use std::ops::Range;

/// Most points one sweep may have (a larger grid is almost certainly a typo).
pub const MAX_POINTS: u64 = 100_000_000;

/// How an axis's values are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// `lo..hi:n`.
    Linear,
    /// `lo..hi:n:log`.
    Log,
    /// `a, b, c`.
    List,
}

impl Spacing {
    /// As written in sweep documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Spacing::Linear => "linear",
            Spacing::Log => "log",
            Spacing::List => "list",
        }
    }
}

/// One varied parameter with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisPoints {
    /// The parameter's name.
    pub name: String,
    /// The parameter's type (its unit, and whether it is an `Int`).
    pub ty: Type,
    /// Its values, canonical units.
    pub values: Vec<f64>,
    /// How they are spaced.
    pub spacing: Spacing,
    /// The `vary` clause, for diagnostics about these values.
    pub span: Span,
}

/// The product of the axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The axes, first one slowest.
    pub axes: Vec<AxisPoints>,
    /// Number of points.
    pub len: usize,
}

impl Grid {
    /// Evaluates the axes of `sweep` (their values are constants of `model`'s defaults).
    pub fn new(model: &Model, sweep: &Sweep) -> Result<Grid, Diagnostic> {
        let cache = ConstCache::new(model);
        let env = ConstEnv::new(model, &cache);
        let mut axes = Vec::with_capacity(sweep.axes.len());
        let mut len: u64 = 1;
        for axis in &sweep.axes {
            let points = axis_points(model, &env, axis)?;
            len = len.saturating_mul(points.values.len() as u64);
            if len > MAX_POINTS {
                return Err(Diagnostic::new(Code::E0413, axis.span, "the sweep has too many points")
                    .label(format!("the grid has more than {MAX_POINTS} points with this axis"))
                    .help("use fewer steps, or split the question into several sweeps"));
            }
            axes.push(points);
        }
        Ok(Grid { axes, len: len as usize })
    }

    /// The axis values of point `index` (`0..len`), one per axis.
    pub fn point(&self, index: usize) -> Vec<f64> {
        let mut rest = index;
        let mut coords = vec![0.0; self.axes.len()];
        for (k, axis) in self.axes.iter().enumerate().rev() {
            let n = axis.values.len().max(1);
            coords[k] = axis.values[rest % n];
            rest /= n;
        }
        coords
    }

    /// The points of shard `i` of `n` (1-based): a contiguous block, so that shards in
    /// order are the grid in order.
    pub fn shard(&self, i: usize, n: usize) -> Range<usize> {
        shard_range(self.len, i, n)
    }

    /// A hash of the axes (names and exact values) and of `extra` (the metrics asked for):
    /// shard files of one sweep agree on it.
    pub fn hash(&self, extra: &[String]) -> String {
        let mut h = Sha256::new();
        for axis in &self.axes {
            h.update(axis.name.as_bytes());
            h.update([0, axis.spacing as u8]);
            for v in &axis.values {
                h.update(v.to_bits().to_le_bytes());
            }
        }
        for e in extra {
            h.update([1]);
            h.update(e.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// The block of `0..len` that shard `i` of `n` (1-based) covers.
pub fn shard_range(len: usize, i: usize, n: usize) -> Range<usize> {
    let n = n.max(1) as u128;
    let i = (i.max(1) as u128).min(n);
    let len = len as u128;
    ((len * (i - 1) / n) as usize)..((len * i / n) as usize)
}

/// Lower-case hex of a digest, prefixed with its algorithm.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::from("sha256:");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn axis_points(model: &Model, env: &ConstEnv<'_>, axis: &Axis) -> Result<AxisPoints, Diagnostic> {
    let param = &model.params[axis.param];
    let num = |e: &Expr| -> Result<f64, Diagnostic> {
        match env.eval(e) {
            Ok(Value::Num(v)) if v.is_finite() => Ok(v),
            Ok(_) => Err(Diagnostic::new(Code::E0413, e.span, "a sweep value must be a finite number")
                .label("this is not a finite number")
                .help("give finite values; an unbounded parameter can still be swept over a finite range")),
            Err(err) => Err(crate::solve::eval_diagnostic(&err)),
        }
    };
    let is_int = matches!(param.ty, Type::Num(NumKind::Int, _));
    let (values, spacing) = match &axis.values {
        AxisValues::List(items) => (items.iter().map(num).collect::<Result<Vec<_>, _>>()?, Spacing::List),
        AxisValues::Grid { lo, hi, steps, log } => {
            let (a, b) = (num(lo)?, num(hi)?);
            let n = num(steps)?;
            if (n as u64) > MAX_POINTS {
                return Err(Diagnostic::new(Code::E0413, steps.span, "the sweep has too many points")
                    .label(format!("more than {MAX_POINTS} steps"))
                    .help("use fewer steps"));
            }
            let n = n as usize;
            let values = if *log { log_spaced(a, b, n) } else { linear(a, b, n) };
            (values, if *log { Spacing::Log } else { Spacing::Linear })
        }
    };
    let values = if is_int { values.into_iter().map(f64::round).collect() } else { values };
    Ok(AxisPoints { name: param.name.clone(), ty: param.ty.clone(), values, spacing, span: axis.span })
}

/// `n` evenly spaced values from `a` to `b`, both exactly.
pub fn linear(a: f64, b: f64, n: usize) -> Vec<f64> {
    let last = n.saturating_sub(1).max(1) as f64;
    (0..n).map(|k| if k + 1 == n { b } else { a + (b - a) * (k as f64 / last) }).collect()
}

/// `n` geometrically spaced values from `a` to `b` (both positive), both exactly.
pub fn log_spaced(a: f64, b: f64, n: usize) -> Vec<f64> {
    let last = n.saturating_sub(1).max(1) as f64;
    (0..n)
        .map(|k| match k {
            0 => a,
            _ if k + 1 == n => b,
            _ => a * (b / a).powf(k as f64 / last),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spacing_hits_both_ends() {
        assert_eq!(linear(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let g = log_spaced(1.0, 100.0, 3);
        assert_eq!((g[0], g[2]), (1.0, 100.0));
        assert!((g[1] - 10.0).abs() < 1e-12);
    }

    proptest! {
        /// Shards in order are the whole grid in order, each point exactly once.
        #[test]
        fn shards_partition_the_grid(len in 0usize..5000, n in 1usize..64) {
            let mut next = 0;
            for i in 1..=n {
                let r = shard_range(len, i, n);
                prop_assert_eq!(r.start, next);
                prop_assert!(r.end >= r.start);
                next = r.end;
            }
            prop_assert_eq!(next, len);
        }
    }
}
