//! Newton's method on one member's payoff over its interval choices, for ridges. Where the
//! best value of one choice moves with another (a shortfall and the compute it is a share
//! of), coordinate ascent zigzags along the ridge, each pass a fixed fraction closer; a
//! Newton step, with the gradient and Hessian by finite differences, goes along it. Only
//! steps that gain payoff are taken, and coordinate ascent checks every choice again
//! afterwards, so this changes how fast a best response is found, not what it is.

use super::context::Cx;
use super::respond::{interval, payoff, state_choice, Follow};
use super::state::State;
use super::SolveError;
use crate::model::*;

/// Most Newton steps in one move.
const STEPS: usize = 8;
/// Most choices searched jointly (a step costs 1 + n(n + 3)/2 evaluations).
const MOST: usize = 4;
/// Finite-difference step, relative to the choice (or to 1e-3, near 0).
const RELATIVE_H: f64 = 1e-4;
/// Step-length halvings tried (by 4 each) before a step is given up.
const BACKTRACKS: usize = 4;

/// Newton steps from the member's current choices over those of its `free` choices that
/// are intervals and lie strictly inside them (from 2 to [`MOST`]), while each gains payoff
/// over `best` (the payoff there) and moves more than `settled`. Leaves the state at the
/// best point reached; returns its payoff if a step was taken.
#[allow(clippy::too_many_arguments)]
pub fn newton_move(
    cx: &Cx<'_>,
    state: &mut State,
    actor: ActorId,
    m: i64,
    free: &[usize],
    best: f64,
    settled: f64,
    follow: &mut Follow<'_>,
) -> Result<Option<f64>, SolveError> {
    let idx = (m - 1) as usize;
    // (choice, lower end, upper end), and where each is
    let (mut vars, mut x) = (Vec::new(), Vec::new());
    for &c in free {
        let Some(v) = state_choice(&state.actors[actor].choices[idx][c]) else { continue };
        if let Some(((lo, _), (hi, _))) = interval(cx, state, actor, m, c)? {
            vars.push((c, lo, hi));
            x.push(v);
        }
    }
    if vars.len() < 2 || vars.len() > MOST {
        return Ok(None);
    }
    let (mut best, mut taken) = (best, false);
    let mut at = |state: &mut State, point: &[f64]| -> Result<f64, SolveError> {
        for (&(c, ..), &v) in vars.iter().zip(point) {
            state.actors[actor].choices[idx][c] = Value::Num(v);
        }
        follow(state)?;
        // A payoff that fails here is a point not to go to (the coordinate searches
        // report failures where they matter).
        match payoff(cx, state, actor, m) {
            Err(SolveError::Eval(_)) => Ok(f64::NAN),
            r => r,
        }
    };
    for _ in 0..STEPS {
        let h: Vec<f64> = x.iter().map(|v| RELATIVE_H * v.abs().max(1e-3)).collect();
        // The stencil must stay inside the domain, away from its ends (corners, kinks).
        if vars.iter().zip(&x).zip(&h).any(|((&(_, lo, hi), &v), &h)| v - 2.0 * h <= lo || v + 2.0 * h >= hi) {
            break;
        }
        let Some(step) = newton_step(&mut |p| at(state, p), &x, &h, best)? else { break };
        // As far along the step as the domain allows, shortened until it gains.
        let mut t: f64 = 1.0;
        for ((&(_, lo, hi), &v), &s) in vars.iter().zip(&x).zip(&step) {
            let room = if s > 0.0 {
                (hi - v) / s
            } else if s < 0.0 {
                (lo - v) / s
            } else {
                f64::INFINITY
            };
            t = t.min(room * (1.0 - 1e-9));
        }
        let mut next = None;
        for _ in 0..BACKTRACKS {
            let y: Vec<f64> = x.iter().zip(&step).map(|(v, s)| v + t * s).collect();
            let value = at(state, &y)?;
            if value > best {
                next = Some((y, value));
                break;
            }
            t *= 0.25;
        }
        let Some((y, value)) = next else { break };
        let moved = x.iter().zip(&y).map(|(a, b)| (a - b).abs() / (1.0 + a.abs().max(b.abs()))).fold(0.0, f64::max);
        (x, best, taken) = (y, value, true);
        if moved <= settled {
            break;
        }
    }
    // Back to the best point (the last evaluation may have been elsewhere).
    at(state, &x)?;
    Ok(taken.then_some(best))
}

/// The Newton step at `x` for the function `f` (whose value there is `fx`), with steps `h`
/// for the finite differences: `None` unless the Hessian is negative definite (a maximum
/// nearby) and every value is finite.
fn newton_step(
    f: &mut dyn FnMut(&[f64]) -> Result<f64, SolveError>,
    x: &[f64],
    h: &[f64],
    fx: f64,
) -> Result<Option<Vec<f64>>, SolveError> {
    let n = x.len();
    let shifted = |moves: &[(usize, f64)]| {
        let mut p = x.to_vec();
        for &(i, d) in moves {
            p[i] += d;
        }
        p
    };
    let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        up[i] = f(&shifted(&[(i, h[i])]))?;
        down[i] = f(&shifted(&[(i, -h[i])]))?;
    }
    // −H (positive definite at a maximum) and the gradient g.
    let mut a = vec![vec![0.0; n]; n];
    let mut g = vec![0.0; n];
    for i in 0..n {
        g[i] = (up[i] - down[i]) / (2.0 * h[i]);
        a[i][i] = -(up[i] - 2.0 * fx + down[i]) / (h[i] * h[i]);
        for j in 0..i {
            let both = f(&shifted(&[(i, h[i]), (j, h[j])]))?;
            let hij = (both - up[i] - up[j] + fx) / (h[i] * h[j]);
            a[i][j] = -hij;
            a[j][i] = -hij;
        }
    }
    if !g.iter().chain(a.iter().flatten()).all(|v| v.is_finite()) {
        return Ok(None);
    }
    Ok(cholesky_solve(a, g))
}

/// Solves `a·s = b` for a symmetric positive definite `a` by its Cholesky factor; `None`
/// when `a` is not positive definite. (The systems here are 2×2 to 4×4: a linear-algebra
/// crate would be a large dependency for a dozen lines.)
fn cholesky_solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    // a's lower triangle becomes L, a = L·Lᵀ.
    for j in 0..n {
        let d = a[j][j] - (0..j).map(|k| a[j][k] * a[j][k]).sum::<f64>();
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        a[j][j] = d.sqrt();
        for i in j + 1..n {
            a[i][j] = (a[i][j] - (0..j).map(|k| a[i][k] * a[j][k]).sum::<f64>()) / a[j][j];
        }
    }
    // L·y = b, then Lᵀ·s = y.
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|k| a[i][k] * b[k]).sum::<f64>()) / a[i][i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|k| a[k][i] * b[k]).sum::<f64>()) / a[i][i];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_positive_definite_system() {
        let s = cholesky_solve(vec![vec![4.0, 2.0], vec![2.0, 3.0]], vec![2.0, 1.0]).expect("positive definite");
        assert!((s[0] - 0.5).abs() < 1e-15 && s[1].abs() < 1e-15, "{s:?}");
    }

    #[test]
    fn cholesky_refuses_an_indefinite_matrix() {
        assert!(cholesky_solve(vec![vec![1.0, 2.0], vec![2.0, 1.0]], vec![1.0, 1.0]).is_none());
    }

    #[test]
    fn a_newton_step_reaches_the_top_of_a_quadratic_ridge() {
        // f = −(x − y)² − 0.01·(x + y − 2)²: a narrow ridge along x = y, top at (1, 1).
        let mut f =
            |p: &[f64]| -> Result<f64, SolveError> { Ok(-(p[0] - p[1]).powi(2) - 0.01 * (p[0] + p[1] - 2.0).powi(2)) };
        let x = [3.0, 2.5];
        let fx = f(&x).expect("finite");
        let s = newton_step(&mut f, &x, &[1e-4, 1e-4], fx).expect("finite").expect("a maximum");
        assert!((x[0] + s[0] - 1.0).abs() < 1e-6 && (x[1] + s[1] - 1.0).abs() < 1e-6, "{s:?}");
    }
}
