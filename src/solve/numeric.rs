//! One-dimensional numerics for the equilibrium solver: bracketed root finding (Brent),
//! market clearing with complementary slackness, and global maximisation of payoffs that
//! may have kinks and jumps at known points (thresholds, `max`/`min`, penalty kinks).
//!
//! Every function takes a closure that can fail with the caller's error type `E` (an
//! evaluation error, typically) and hands that error back unchanged inside `Eval`, so a
//! failure deep inside a best response still points at the expression that failed. When a
//! method cannot succeed, the error says what was tried (points, values, iterations), so
//! a diagnostic can be honest about why there is no answer instead of printing a number.
//!
//! Everything here is deterministic: no randomness, no dependence on timing or threads,
//! and the order in which points are evaluated is fixed, so the same model gives the same
//! equilibrium (and the same evaluation counts) on every machine.
//!
//! Brent's methods are written out here rather than taken from a crate: the closures can
//! fail with a caller-chosen error and are `FnMut` (they reuse an evaluation
//! environment), while the optimisation crates we looked at (`argmin`) want `&self` cost
//! functions returning their own boxed error type, which would lose `E` or need a side
//! channel, and they report neither the brackets nor the tried points we need.

use std::fmt;

/// Largest price [`clear_market`] tries before concluding that excess demand never falls
/// to zero; beyond this, doubling would overflow to infinity.
const MAX_PRICE: f64 = 1e300;

/// Iteration cap for the Brent stage of [`clear_market`]. Generous because the bracket
/// can start as wide as `[0, 1e300]`, and each bisection step only halves it.
const CLEAR_MAX_ITER: usize = 2000;

/// How near (relative) an open end, or a side of a breakpoint, is approached.
const OPEN_GAP: f64 = 1e-9;

/// `√ε`: the smallest useful relative step when comparing values near a smooth maximum.
const SQRT_EPS: f64 = 1.490_116_119_384_765_6e-8;

/// Points probed beyond the scan of an infinite end: 2b, 4b, … 2¹⁰b.
const PROBES: u32 = 10;

/// The golden-section fraction, `(3 − √5) / 2`.
const GOLDEN: f64 = 0.381_966_011_250_105_1;

/// A root and how it was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    /// The root (the bracket end with the smaller `|f|`).
    pub x: f64,
    /// `f(x)`: near zero for a continuous `f`; possibly large when `f` jumps across zero
    /// (then `x` is the jump point, located to within the bracket).
    pub residual: f64,
    /// Brent iterations (one evaluation each), excluding the bracket ends.
    pub iterations: usize,
    /// Total evaluations of `f`, including the bracket ends and, for [`clear_market`], the
    /// search for an upper end.
    pub evaluations: usize,
    /// The final bracket `(low, high)` known to contain a sign change (or the root).
    pub bracket: (f64, f64),
    /// The search stopped because `|f(x)|` was within the noise of its value (see
    /// [`Excess`]), not because the bracket was narrow.
    pub within_noise: bool,
}

/// Why root finding failed, with what was tried (for honest diagnostics).
#[derive(Debug, Clone, PartialEq)]
pub enum RootError<E> {
    /// The function itself failed.
    Eval(E),
    /// The function has the same sign at every point tried, so there is no bracket.
    NoSignChange {
        /// Every `(x, f(x))` evaluated, in order.
        tried: Vec<(f64, f64)>,
    },
    /// A bracket end is not a finite number, or the function returned NaN at `x`.
    NotFinite {
        /// Where.
        x: f64,
    },
    /// The iteration cap was reached before the bracket shrank to the tolerance.
    NoConvergence {
        /// The best point so far.
        x: f64,
        /// `f(x)`.
        residual: f64,
        /// Iterations done.
        iterations: usize,
    },
}

impl<E: fmt::Display> fmt::Display for RootError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootError::Eval(e) => write!(f, "{e}"),
            RootError::NoSignChange { tried } => {
                write!(f, "no sign change in {} evaluation(s)", tried.len())?;
                // The first and last points are the informative ones (the original bracket
                // or the range of the expansion); the list itself is in the value.
                if let (Some(first), Some(last)) = (tried.first(), tried.last()) {
                    write!(f, ": f({}) = {}", first.0, first.1)?;
                    if tried.len() > 1 {
                        write!(f, " … f({}) = {}", last.0, last.1)?;
                    }
                }
                Ok(())
            }
            RootError::NotFinite { x } => write!(f, "not a finite number at x = {x}"),
            RootError::NoConvergence { x, residual, iterations } => {
                write!(f, "no convergence after {iterations} iterations (x = {x}, f(x) = {residual})")
            }
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for RootError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RootError::Eval(e) => Some(e),
            _ => None,
        }
    }
}

/// Brent's method on `[lo, hi]`, where `f(lo)` and `f(hi)` have opposite signs (or one is
/// zero). The ends may be given in either order and `f` may be `±inf` at them (the sign is
/// what matters, e.g. excess demand at a zero price); NaN anywhere is [`RootError::NotFinite`].
///
/// Stops when the bracket is narrower than about `xtol · (1 + |x|)` (absolute near zero,
/// relative far from it), or `f(x) = 0` exactly, or after `max_iter` iterations
/// ([`RootError::NoConvergence`]). A function that jumps across zero converges to the
/// jump, with a residual that says so.
///
/// # Errors
/// `Eval` if `f` fails; `NotFinite` for an infinite end or a NaN value; `NoSignChange`
/// (with both ends) if `f` has the same sign at both; `NoConvergence` at the cap.
pub fn brent_root<E>(
    mut f: impl FnMut(f64) -> Result<f64, E>,
    lo: f64,
    hi: f64,
    xtol: f64,
    max_iter: usize,
) -> Result<Root, RootError<E>> {
    for x in [lo, hi] {
        if !x.is_finite() {
            return Err(RootError::NotFinite { x });
        }
    }
    let mut f = |x: f64| f(x).map(Excess::exact);
    let at_lo = eval_root(&mut f, lo)?;
    let at_hi = eval_root(&mut f, hi)?;
    let mut root = brent_bracketed(&mut f, (lo, at_lo), (hi, at_hi), xtol, max_iter)?;
    root.evaluations += 2;
    Ok(root)
}

/// Excess demand at a price, and how precisely it is known: demand is a sum of best
/// responses, each found only to within a relative `√ε` or so, so near the clearing price
/// its sign below `noise` is chance, and the search stops there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Excess {
    /// Demand − supply.
    pub z: f64,
    /// How far from 0 `z` may be by the imprecision of its parts alone (0 for exact values).
    pub noise: f64,
}

impl Excess {
    /// An exactly known value.
    pub fn exact(z: f64) -> Excess {
        Excess { z, noise: 0.0 }
    }

    /// `demand − supply` where both are sums of best responses (or of a cap's quantity):
    /// known to a relative `√ε` of their size.
    pub fn between(demand: f64, supply: f64) -> Excess {
        Excess { z: demand - supply, noise: SQRT_EPS * (demand.abs() + supply.abs()) }
    }
}

/// Market clearing for a decreasing excess demand `z(p)` on `p ≥ 0`, with complementary
/// slackness: the price is 0 when `z(0) ≤ 0` (the cap does not bind). The first price
/// tried is `scale` (1 if it is not a positive finite number): with excess demand there,
/// the upper end is doubled up to `1e300` until `z ≤ 0` and the price lies above `scale`
/// (so `z(0)`, often the costliest value — demand that runs off to infinity — is never
/// needed); otherwise `z(0)` decides between price 0 and a price in `[0, scale]`. Brent's
/// method then finds the price between the last point with excess demand and the first
/// without, stopping when the bracket is narrower than `xtol` (relative) or `|z|` is within
/// its noise. `z(0)` may be `+inf`. The result reports the final bracket and all
/// evaluations; when `z` never falls to zero, [`RootError::NoSignChange`] lists every
/// point tried.
///
/// # Errors
/// `Eval` if `z` fails; `NotFinite` for a NaN value; `NoSignChange` if `z > 0` up to
/// `1e300`; `NoConvergence` if Brent's 2000 iterations do not suffice.
pub fn clear_market<E>(
    mut z: impl FnMut(f64) -> Result<Excess, E>,
    scale: f64,
    xtol: f64,
) -> Result<Root, RootError<E>> {
    let mut hi = if scale.is_finite() && scale > 0.0 { scale.min(MAX_PRICE) } else { 1.0 };
    let first = eval_root(&mut z, hi)?;
    let mut tried = vec![(hi, first.z)];
    let (lo, at_lo, at_hi) = if first.z > 0.0 {
        let (mut lo, mut at_lo) = (hi, first);
        let at_hi = loop {
            if hi >= MAX_PRICE {
                return Err(RootError::NoSignChange { tried });
            }
            hi = (hi * 2.0).min(MAX_PRICE);
            let at = eval_root(&mut z, hi)?;
            tried.push((hi, at.z));
            if at.z <= 0.0 {
                break at;
            }
            (lo, at_lo) = (hi, at);
        };
        (lo, at_lo, at_hi)
    } else {
        let at_zero = eval_root(&mut z, 0.0)?;
        if at_zero.z <= 0.0 {
            return Ok(Root {
                x: 0.0,
                residual: at_zero.z,
                iterations: 0,
                evaluations: 2,
                bracket: (0.0, 0.0),
                within_noise: false,
            });
        }
        tried.push((0.0, at_zero.z));
        (0.0, at_zero, first)
    };
    let evaluations = tried.len();
    if at_hi.z == 0.0 {
        return Ok(Root { x: hi, residual: 0.0, iterations: 0, evaluations, bracket: (hi, hi), within_noise: false });
    }
    let mut root = brent_bracketed(&mut z, (lo, at_lo), (hi, at_hi), xtol, CLEAR_MAX_ITER)?;
    root.evaluations += evaluations;
    Ok(root)
}

/// Evaluates `f` for root finding: caller errors become `Eval`, NaN becomes `NotFinite`.
fn eval_root<E>(f: &mut impl FnMut(f64) -> Result<Excess, E>, x: f64) -> Result<Excess, RootError<E>> {
    let y = f(x).map_err(RootError::Eval)?;
    if y.z.is_nan() {
        return Err(RootError::NotFinite { x });
    }
    Ok(y)
}

/// Brent's zeroin with both ends already evaluated (so callers that searched for the
/// bracket do not pay for the ends twice). `evaluations` in the result counts only the
/// evaluations made here.
fn brent_bracketed<E>(
    f: &mut impl FnMut(f64) -> Result<Excess, E>,
    (lo, at_lo): (f64, Excess),
    (hi, at_hi): (f64, Excess),
    xtol: f64,
    max_iter: usize,
) -> Result<Root, RootError<E>> {
    let done = |x: f64, fx: f64, iterations: usize, bracket: (f64, f64)| Root {
        x,
        residual: fx,
        iterations,
        evaluations: iterations,
        bracket: (bracket.0.min(bracket.1), bracket.0.max(bracket.1)),
        within_noise: false,
    };
    let (flo, fhi) = (at_lo.z, at_hi.z);
    if flo == 0.0 {
        return Ok(done(lo, flo, 0, (lo, lo)));
    }
    if fhi == 0.0 {
        return Ok(done(hi, fhi, 0, (hi, hi)));
    }
    if (flo > 0.0) == (fhi > 0.0) {
        return Err(RootError::NoSignChange { tried: vec![(lo, flo), (hi, fhi)] });
    }
    // A negative or NaN tolerance would make the stopping test never pass; treat it as 0,
    // leaving the 2ε|b| floor (and the iteration cap) to end the search.
    let xtol = if xtol.is_finite() && xtol > 0.0 { xtol } else { 0.0 };

    // Brent (1973), "zeroin": b is the best estimate, a the previous one, c the
    // contrapoint (f(b) and f(c) have opposite signs), so [b, c] always brackets the root.
    // Each point carries the noise of its value.
    let (mut a, mut fa, mut b, mut fb) = (lo, at_lo, hi, at_hi);
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let mut iterations = 0;
    loop {
        if (fb.z > 0.0) == (fc.z > 0.0) {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.z.abs() < fb.z.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol * (1.0 + b.abs());
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb.z == 0.0 {
            return Ok(done(b, fb.z, iterations, (b, c)));
        }
        // (An infinite value is never within its noise.)
        if fb.z.is_finite() && fb.z.abs() <= fb.noise {
            return Ok(Root { within_noise: true, ..done(b, fb.z, iterations, (b, c)) });
        }
        if iterations >= max_iter {
            return Err(RootError::NoConvergence { x: b, residual: fb.z, iterations });
        }
        // Interpolation needs finite values; an infinite end (demand at a zero price)
        // carries only its sign, so bisect until the bracket leaves it.
        let (za, zb, zc) = (fa.z, fb.z, fc.z);
        let finite = za.is_finite() && zb.is_finite() && zc.is_finite();
        if finite && e.abs() >= tol && za.abs() > zb.abs() {
            let s = zb / za;
            let (mut p, mut q);
            if a == c {
                // Secant step (only two distinct points).
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                // Inverse quadratic interpolation.
                let qq = za / zc;
                let r = zb / zc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            // Accept the interpolated step only if it stays well inside the bracket and
            // shrinks faster than bisection would; otherwise bisect.
            if p.is_finite() && q.is_finite() && 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = eval_root(f, b)?;
        iterations += 1;
    }
}

/// The result of a 1-D global maximisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Maximum {
    /// The maximiser (for a supremum approached at an open end or at one side of a jump,
    /// the point within a relative `1e-9` of it that was evaluated).
    pub x: f64,
    /// `f(x)`.
    pub value: f64,
    /// Total evaluations of `f`.
    pub evaluations: usize,
    /// Grid points scanned (all pieces together; for [`maximize_finite`], the candidates).
    pub grid: usize,
    /// How the maximiser was found: `"grid"`, `"grid+brent"` (refined inside a grid cell),
    /// `"endpoint"` (a closed end), `"open end"` (approaching an open end),
    /// `"breakpoint"` (at a breakpoint itself), `"breakpoint side"` (approaching a
    /// breakpoint from one side: the supremum of a jump), `"point"` (a one-point
    /// interval) or `"finite"` ([`maximize_finite`]).
    pub method: &'static str,
}

/// Options for [`maximize_1d`].
#[derive(Debug, Clone, PartialEq)]
pub struct MaximizeOptions {
    /// Grid points per piece, ends included (at least 2 are used). Default 64.
    pub grid: usize,
    /// Grid points per piece added while expanding towards an infinite end, `[b, 2b]`
    /// (at least 2). Default 8: such a piece lies beyond every breakpoint, where the
    /// payoff is smooth, and is only reached while the payoff still rises towards the end.
    pub expansion_grid: usize,
    /// Refinement tolerance, relative to `|x|` plus the grid cell: refinement stops when
    /// the maximiser is bracketed within about `xtol · (|x| + cell)`. Default (and floor)
    /// `√ε ≈ 1.5e-8`: near a smooth maximum `f` changes by only about `(Δx)²`, so closer
    /// probes compare rounding noise and can shrink the bracket away from the maximiser.
    /// (The parabolic steps usually land much closer than this; exactly, for a quadratic.)
    pub xtol: f64,
    /// Grid local maxima refined per piece, best first. Default 3.
    pub refine: usize,
    /// Iteration cap for each refinement. Default 100.
    pub max_refine_iter: usize,
    /// For an unbounded interval: if the best point is still at the search's end, and `f`
    /// still increasing, once the end passes this magnitude, the result is
    /// [`MaxError::Unbounded`]. Default `1e15`.
    pub unbounded_limit: f64,
}

impl Default for MaximizeOptions {
    fn default() -> Self {
        MaximizeOptions {
            grid: 64,
            expansion_grid: 8,
            xtol: SQRT_EPS,
            refine: 3,
            max_refine_iter: 100,
            unbounded_limit: 1e15,
        }
    }
}

/// Why maximisation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum MaxError<E> {
    /// The function itself failed.
    Eval(E),
    /// No finite maximiser: `f` kept increasing towards an infinite end past
    /// [`MaximizeOptions::unbounded_limit`], or returned `+inf`.
    Unbounded {
        /// The last (best) point evaluated.
        x: f64,
        /// `f(x)`.
        value: f64,
    },
    /// The interval has no points (`lo > hi`, an open one-point interval, a NaN end), or
    /// there are no candidates.
    EmptyInterval,
    /// The function returned NaN at `x`, so values cannot be compared.
    NotFinite {
        /// Where.
        x: f64,
    },
}

impl<E: fmt::Display> fmt::Display for MaxError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxError::Eval(e) => write!(f, "{e}"),
            MaxError::Unbounded { x, value } => {
                write!(f, "no finite maximum: the value is still increasing at x = {x} (value {value})")
            }
            MaxError::EmptyInterval => write!(f, "nothing to maximise over: the set of choices is empty"),
            MaxError::NotFinite { x } => write!(f, "the value is not a number at x = {x}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for MaxError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MaxError::Eval(e) => Some(e),
            _ => None,
        }
    }
}

/// Maximum over a finite list of candidate values (integer ranges, sets): each is
/// evaluated once, in order, and ties go to the first. No candidates is
/// [`MaxError::EmptyInterval`]; a NaN value is [`MaxError::NotFinite`] (it cannot be
/// compared). Infinite values compare as usual.
///
/// # Errors
/// `Eval` if `f` fails, `EmptyInterval` for no candidates, `NotFinite` for a NaN value.
pub fn maximize_finite<E>(
    mut f: impl FnMut(f64) -> Result<f64, E>,
    candidates: &[f64],
) -> Result<Maximum, MaxError<E>> {
    let mut best: Option<(f64, f64)> = None;
    for &x in candidates {
        let v = f(x).map_err(MaxError::Eval)?;
        if v.is_nan() {
            return Err(MaxError::NotFinite { x });
        }
        if best.is_none_or(|(_, bv)| v > bv) {
            best = Some((x, v));
        }
    }
    let (x, value) = best.ok_or(MaxError::EmptyInterval)?;
    Ok(Maximum { x, value, evaluations: candidates.len(), grid: candidates.len(), method: "finite" })
}

/// Global maximum of `f` on the interval from `lo` to `hi`; `lo_open`/`hi_open` exclude the
/// ends, which are then approached to within a relative `1e-9` (the result is that point,
/// with method `"open end"`).
///
/// The interval is split at every breakpoint strictly inside it (kinks and jumps of `f`:
/// thresholds, `max`/`min`, penalty kinks). Because `f` may jump there, each piece is
/// scanned on its own grid whose ends stop a relative `1e-9` short of the breakpoints
/// (the one-sided limits), and each breakpoint is evaluated itself. The best grid local
/// maxima of each piece are then refined by Brent's minimisation (parabolic steps with
/// golden-section fallback) on their bracketing cells, so within a piece `f` is assumed
/// smooth at the grid's resolution.
///
/// `hi` may be `+inf` (and `lo` `-inf`): the search starts at `max(1, 2|lo|)` (beyond
/// every breakpoint) and doubles while the best point is at the current end; if it is
/// still there past [`MaximizeOptions::unbounded_limit`], the result is
/// [`MaxError::Unbounded`] (also for `f` that approaches a finite supremum forever).
///
/// Deterministic; ties go to the point evaluated first (the scan runs left to right).
/// A NaN value is [`MaxError::NotFinite`]; a `+inf` value is [`MaxError::Unbounded`];
/// `-inf` is an ordinary (very bad) value.
///
/// # Errors
/// `Eval` if `f` fails; `EmptyInterval` for an interval without points; `NotFinite` for a
/// NaN value; `Unbounded` as above.
pub fn maximize_1d<E>(
    f: impl FnMut(f64) -> Result<f64, E>,
    lo: f64,
    hi: f64,
    lo_open: bool,
    hi_open: bool,
    breakpoints: &[f64],
    opts: &MaximizeOptions,
) -> Result<Maximum, MaxError<E>> {
    if lo.is_nan() || hi.is_nan() || lo > hi || lo == f64::INFINITY || hi == f64::NEG_INFINITY {
        return Err(MaxError::EmptyInterval);
    }
    let mut s = Search { f, opts, evaluations: 0, grid: 0, best: None };
    if lo == hi {
        if lo_open || hi_open {
            return Err(MaxError::EmptyInterval);
        }
        let v = s.eval(lo)?;
        s.offer(lo, v, "point");
        return s.finish();
    }

    let mut bps: Vec<f64> = breakpoints.iter().copied().filter(|b| b.is_finite() && lo < *b && *b < hi).collect();
    bps.sort_by(f64::total_cmp);
    bps.dedup();

    // Replace infinite ends by finite ones beyond every breakpoint; they are closed ends of
    // the scan (the infinite end itself is never attained), moved outwards below.
    let reach = bps.iter().fold(1.0_f64, |m, b| m.max(2.0 * b.abs()));
    let (mut a, a_kind) = if lo.is_finite() {
        (lo, if lo_open { End::Open } else { End::Closed })
    } else {
        (-reach.max(if hi.is_finite() { 2.0 * hi.abs() } else { 0.0 }), End::Closed)
    };
    let (mut b, b_kind) = if hi.is_finite() {
        (hi, if hi_open { End::Open } else { End::Closed })
    } else {
        (reach.max(if lo.is_finite() { 2.0 * lo.abs() } else { 0.0 }), End::Closed)
    };

    // Pieces left to right; each breakpoint is evaluated between its two pieces.
    let mut left = (a, a_kind);
    for &bp in &bps {
        s.piece(left, (bp, End::Side), opts.grid)?;
        let v = s.eval(bp)?;
        s.offer(bp, v, "breakpoint");
        left = (bp, End::Side);
    }
    s.piece(left, (b, b_kind), opts.grid)?;

    // A payoff may jump far out (followers switching at a high price): probe an infinite
    // end at geometrically spaced points beyond the scan, and expand towards a better one.
    if hi == f64::INFINITY {
        s.probe((1..=PROBES).map(|k| b * f64::from(1u32 << k)));
    }
    if lo == f64::NEG_INFINITY {
        s.probe((1..=PROBES).map(|k| a * f64::from(1u32 << k)));
    }

    // Expand towards an infinite end while the best point sits at it. The new pieces are
    // scanned as they come; earlier ones keep their (finer) grids.
    while let Some(best) = s.best {
        if hi == f64::INFINITY && best.x >= b {
            let next = 2.0 * b;
            s.expansion_check(b, best.value)?;
            s.piece((b, End::Seen(best.value)), (next, End::Closed), opts.expansion_grid)?;
            b = next;
        } else if lo == f64::NEG_INFINITY && best.x <= a {
            let next = 2.0 * a;
            s.expansion_check(a, best.value)?;
            s.piece((next, End::Closed), (a, End::Seen(best.value)), opts.expansion_grid)?;
            a = next;
        } else {
            break;
        }
    }
    s.finish()
}

/// How a piece's end is treated by the scan.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// Evaluated exactly.
    Closed,
    /// An open end of the interval: approached, never evaluated.
    Open,
    /// A breakpoint: approached from this piece's side (the point itself is evaluated
    /// separately).
    Side,
    /// Closed and already evaluated, with this value (where an expansion joins the
    /// previous piece), so it is not evaluated twice.
    Seen(f64),
}

/// The best point so far.
#[derive(Debug, Clone, Copy)]
struct Best {
    x: f64,
    value: f64,
    method: &'static str,
}

/// State of one maximisation: the function, counts, and the best point found.
struct Search<'o, F> {
    f: F,
    opts: &'o MaximizeOptions,
    evaluations: usize,
    grid: usize,
    best: Option<Best>,
}

impl<F> Search<'_, F> {
    /// Keeps `(x, v)` if it is strictly better than the best so far, so ties go to the
    /// point evaluated first.
    fn offer(&mut self, x: f64, value: f64, method: &'static str) {
        if self.best.is_none_or(|b| value > b.value) {
            self.best = Some(Best { x, value, method });
        }
    }

    /// Offers points beyond the scanned range of an infinite end. A point where the payoff
    /// fails or is not finite is passed over: it lies outside anything scanned, and the
    /// expansion that follows a better probe evaluates (and reports) what lies between.
    fn probe<E>(&mut self, xs: impl Iterator<Item = f64>)
    where
        F: FnMut(f64) -> Result<f64, E>,
    {
        for x in xs.filter(|x| x.is_finite() && x.abs() < self.opts.unbounded_limit) {
            if let Ok(v) = (self.f)(x) {
                self.evaluations += 1;
                if v.is_finite() {
                    self.offer(x, v, "probe beyond the scanned range");
                }
            }
        }
    }

    /// Stops the expansion towards an infinite end once it has gone far enough.
    fn expansion_check<E>(&self, end: f64, value: f64) -> Result<(), MaxError<E>> {
        if end.abs() >= self.opts.unbounded_limit || !(2.0 * end).is_finite() {
            return Err(MaxError::Unbounded { x: end, value });
        }
        Ok(())
    }

    fn finish<E>(self) -> Result<Maximum, MaxError<E>> {
        let best = self.best.ok_or(MaxError::EmptyInterval)?;
        Ok(Maximum {
            x: best.x,
            value: best.value,
            evaluations: self.evaluations,
            grid: self.grid,
            method: best.method,
        })
    }
}

impl<F, E> Search<'_, F>
where
    F: FnMut(f64) -> Result<f64, E>,
{
    /// Evaluates `f`: caller errors become `Eval`, NaN `NotFinite`, `+inf` `Unbounded`.
    fn eval(&mut self, x: f64) -> Result<f64, MaxError<E>> {
        let v = (self.f)(x).map_err(MaxError::Eval)?;
        self.evaluations += 1;
        if v.is_nan() {
            return Err(MaxError::NotFinite { x });
        }
        if v == f64::INFINITY {
            return Err(MaxError::Unbounded { x, value: v });
        }
        Ok(v)
    }

    /// Scans one piece on a grid of `n` points and refines its best local maxima.
    fn piece(&mut self, (a, ak): (f64, End), (b, bk): (f64, End), n: usize) -> Result<(), MaxError<E>> {
        let width = b - a;
        // The gap is relative to the end's magnitude, but never larger than the piece
        // allows, and not zero at an end that is 0 itself.
        let gap = |x: f64| OPEN_GAP * x.abs().max(width.min(1.0));
        let start = if matches!(ak, End::Closed | End::Seen(_)) { a } else { a + gap(a) };
        let end = if matches!(bk, End::Closed | End::Seen(_)) { b } else { b - gap(b) };
        if start >= end {
            // Narrower than the gaps (two breakpoints nearly together): one interior point.
            let mid = 0.5 * (a + b);
            if a < mid && mid < b {
                let v = self.eval(mid)?;
                self.grid += 1;
                self.offer(mid, v, "grid");
            }
            return Ok(());
        }
        let label = |k: End| match k {
            End::Closed | End::Seen(_) => "endpoint",
            End::Open => "open end",
            End::Side => "breakpoint side",
        };
        let n = n.max(2);
        let cell = (end - start) / (n - 1) as f64;
        let mut xs = Vec::with_capacity(n);
        let mut vs = Vec::with_capacity(n);
        for i in 0..n {
            // The last point is `end` exactly, not `start + (n-1)·cell` with rounding.
            let x = if i + 1 == n { end } else { start + cell * i as f64 };
            let seen = match (i, ak, bk) {
                (0, End::Seen(v), _) => Some(v),
                (_, _, End::Seen(v)) if i + 1 == n => Some(v),
                _ => None,
            };
            let v = match seen {
                Some(v) => v,
                None => self.eval(x)?,
            };
            let method = if i == 0 {
                label(ak)
            } else if i + 1 == n {
                label(bk)
            } else {
                "grid"
            };
            self.offer(x, v, method);
            xs.push(x);
            vs.push(v);
        }
        self.grid += n;

        // Local maxima of the grid: a strict rise into the point (so a plateau counts once,
        // at its left edge) and no rise after it; the ends count if the grid falls away.
        let mut peaks: Vec<usize> = (0..n)
            .filter(|&i| {
                let left_ok = i == 0 || vs[i] > vs[i - 1];
                let right_ok = i + 1 == n || vs[i] >= vs[i + 1];
                left_ok && right_ok
            })
            .collect();
        peaks.sort_by(|&i, &j| vs[j].total_cmp(&vs[i]).then(i.cmp(&j)));
        peaks.truncate(self.opts.refine);
        for i in peaks {
            if i == 0 || i + 1 == n {
                self.refine_end(&xs, &vs, i, cell)?;
            } else {
                self.refine(xs[i - 1], xs[i + 1], xs[i], vs[i], cell)?;
            }
        }
        Ok(())
    }

    /// Refinement next to an end that beat its neighbour. Brent would spend its whole
    /// budget creeping to the end when `f` is monotone there (the common case: a corner
    /// solution, or a search still expanding), so first probe just inside: only if `f`
    /// falls towards the end is there an interior maximum in the end cell to refine.
    fn refine_end(&mut self, xs: &[f64], vs: &[f64], i: usize, cell: f64) -> Result<(), MaxError<E>> {
        let n = xs.len();
        let (x, inner) = if i == 0 { (xs[0], xs[1]) } else { (xs[n - 1], xs[n - 2]) };
        let probe_step = (1e-8 * x.abs().max(cell)).min(0.25 * cell);
        let probe = if i == 0 { x + probe_step } else { x - probe_step };
        let pv = self.eval(probe)?;
        // A rise within rounding noise is no rise: the end stays the answer (at an exact
        // tie such as ρ = ρ*, the truthful corner, not a point 1e-9 inside it).
        let noise = 8.0 * f64::EPSILON * vs[i].abs().max(pv.abs());
        if pv > vs[i] + noise {
            self.offer(probe, pv, "grid+brent");
            self.refine(x.min(inner), x.max(inner), probe, pv, cell)?;
        }
        Ok(())
    }

    /// Brent's minimisation of `−f` on `[a, b]` starting from an interior point `x` with
    /// known value, offering every evaluation to the best.
    fn refine(&mut self, mut a: f64, mut b: f64, x0: f64, f0: f64, cell: f64) -> Result<(), MaxError<E>> {
        // NaN/inf tolerances fall back to the floor (see `MaximizeOptions::xtol`).
        let xtol = if self.opts.xtol.is_finite() { self.opts.xtol.max(SQRT_EPS) } else { SQRT_EPS };
        // Minimise g = −f, as in Brent (1973), "localmin": x best, w second best, v the
        // previous w; e the step before last (for the "parabola must shrink" test).
        let (mut x, mut w, mut v) = (x0, x0, x0);
        let (mut fx, mut fw, mut fv) = (-f0, -f0, -f0);
        let (mut d, mut e) = (0.0_f64, 0.0_f64);
        for _ in 0..self.opts.max_refine_iter {
            let m = 0.5 * (a + b);
            let tol = xtol * (x.abs() + cell);
            let tol2 = 2.0 * tol;
            if (x - m).abs() <= tol2 - 0.5 * (b - a) {
                break;
            }
            let mut golden = true;
            if e.abs() > tol {
                let r = (x - w) * (fx - fv);
                let mut q = (x - v) * (fx - fw);
                let mut p = (x - v) * q - (x - w) * r;
                q = 2.0 * (q - r);
                if q > 0.0 {
                    p = -p;
                }
                q = q.abs();
                let e_old = e;
                e = d;
                // Parabolic step only if finite (−inf values break it), inside the
                // bracket, and shorter than half the step before last.
                if p.is_finite()
                    && q.is_finite()
                    && p.abs() < (0.5 * q * e_old).abs()
                    && p > q * (a - x)
                    && p < q * (b - x)
                {
                    d = p / q;
                    let u = x + d;
                    if u - a < tol2 || b - u < tol2 {
                        d = tol.copysign(m - x);
                    }
                    golden = false;
                }
            }
            if golden {
                e = if x >= m { a - x } else { b - x };
                d = GOLDEN * e;
            }
            let u = if d.abs() >= tol { x + d } else { x + tol.copysign(d) };
            let fu_val = self.eval(u)?;
            self.offer(u, fu_val, "grid+brent");
            let fu = -fu_val;
            if fu <= fx {
                if u >= x {
                    a = x;
                } else {
                    b = x;
                }
                (v, fv) = (w, fw);
                (w, fw) = (x, fx);
                (x, fx) = (u, fu);
            } else {
                if u < x {
                    a = u;
                } else {
                    b = u;
                }
                if fu <= fw || w == x {
                    (v, fv) = (w, fw);
                    (w, fw) = (u, fu);
                } else if fu <= fv || v == x || v == w {
                    (v, fv) = (u, fu);
                }
            }
        }
        Ok(())
    }
}
