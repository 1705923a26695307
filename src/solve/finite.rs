//! Exact equilibria of finite games in strategic (normal) form.
//!
//! Everything here computes with exact rationals ([`Q`], a `BigRational`), so
//! results can be compared for equality with published values and with other
//! exact solvers (Gambit's `enumpure` / `enummixed` with rational arithmetic).
//!
//! * [`NormalForm`] stores a finite game with payoffs listed per pure-strategy
//!   profile in Gambit order: the *first* player's strategy varies fastest.
//! * [`pure_equilibria`] lists every pure-strategy Nash equilibrium of a game
//!   with any number of players.
//! * [`extreme_equilibria_2p`] lists every extreme Nash equilibrium of a
//!   two-player game, degenerate games included, by enumerating the vertices
//!   of both best-response polytopes and pairing the completely labelled ones
//!   (Avis, Rosenberg, Savani, von Stengel, "Enumeration of Nash equilibria
//!   for two-player games", Economic Theory 42, 2010).
//!
//! The vertex enumeration walks the graph of each polytope by exact integer
//! (fraction-free) simplex pivoting from the origin, with the lexicographic
//! ratio test: the walk visits the vertices of the polytope whose right-hand
//! side is perturbed by `(ε, ε², …)`, which is nondegenerate, connected, and
//! has every vertex of the original polytope as the image of one of its own.
//! So every vertex is reached even when the game is degenerate, with far
//! fewer bases than enumerating all feasible bases. Vertices are identified by
//! their label sets (the tight constraints determine a vertex), and pairs are
//! matched by exact complement lookups, so 10×10 games take milliseconds.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// Exact rational number used for every payoff and probability.
pub type Q = BigRational;

/// A finite game in strategic form.
///
/// Payoffs are stored per pure-strategy profile, in Gambit order: profile
/// index `k` decodes with the first player's strategy varying fastest, i.e.
/// `k = s_0 + n_0 * (s_1 + n_1 * (s_2 + ...))` where `n_i` is the number of
/// strategies of player `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalForm {
    /// Title of the game (the `.nfg` title string, or any label).
    pub title: String,
    /// Player names, one per player.
    pub players: Vec<String>,
    /// Strategy names of each player; `strategies[i].len()` is player `i`'s
    /// number of strategies.
    pub strategies: Vec<Vec<String>>,
    /// `payoffs[k][i]`: payoff to player `i` at the profile with index `k`.
    payoffs: Vec<Vec<Q>>,
    /// A zero returned by [`NormalForm::payoff`] for out-of-range queries.
    zero: Q,
}

impl NormalForm {
    /// Builds from payoff vectors listed per profile in Gambit order (the
    /// FIRST player's strategy varies fastest); errors if counts mismatch.
    ///
    /// Requires at least one player, at least one strategy per player, one
    /// strategy list per player, exactly one payoff vector per profile and
    /// exactly one payoff per player in each vector.
    pub fn new(
        title: String,
        players: Vec<String>,
        strategies: Vec<Vec<String>>,
        payoffs: Vec<Vec<Q>>,
    ) -> Result<NormalForm, String> {
        if players.is_empty() {
            return Err("a game needs at least one player".to_string());
        }
        if strategies.len() != players.len() {
            return Err(format!("{} players but {} strategy lists", players.len(), strategies.len()));
        }
        let mut profiles: usize = 1;
        for (i, s) in strategies.iter().enumerate() {
            if s.is_empty() {
                return Err(format!("player {} has no strategies", i + 1));
            }
            profiles = profiles.checked_mul(s.len()).ok_or_else(|| "too many strategy profiles".to_string())?;
        }
        if payoffs.len() != profiles {
            return Err(format!("expected payoffs for {} profiles, got {}", profiles, payoffs.len()));
        }
        for (k, p) in payoffs.iter().enumerate() {
            if p.len() != players.len() {
                return Err(format!("profile {} has {} payoffs, expected {}", k + 1, p.len(), players.len()));
            }
        }
        Ok(NormalForm { title, players, strategies, payoffs, zero: Q::zero() })
    }

    /// Payoff to `player` at the pure profile `profile` (one strategy index
    /// per player). Out-of-range indices yield zero; check them first with
    /// [`NormalForm::profile_index`] when they are not known to be valid.
    pub fn payoff(&self, profile: &[usize], player: usize) -> &Q {
        self.profile_index(profile).and_then(|k| self.payoffs.get(k)).and_then(|v| v.get(player)).unwrap_or(&self.zero)
    }

    /// Number of pure-strategy profiles (the product of the strategy counts).
    pub fn num_profiles(&self) -> usize {
        self.payoffs.len()
    }

    /// Number of players.
    pub fn num_players(&self) -> usize {
        self.players.len()
    }

    /// Number of strategies of each player.
    pub fn shape(&self) -> Vec<usize> {
        self.strategies.iter().map(Vec::len).collect()
    }

    /// Index of a pure profile in Gambit order, or `None` if the profile has
    /// the wrong length or a strategy index is out of range.
    pub fn profile_index(&self, profile: &[usize]) -> Option<usize> {
        if profile.len() != self.strategies.len() {
            return None;
        }
        let mut index = 0usize;
        let mut stride = 1usize;
        for (s, names) in profile.iter().zip(&self.strategies) {
            if *s >= names.len() {
                return None;
            }
            index = index.checked_add(s.checked_mul(stride)?)?;
            stride = stride.checked_mul(names.len())?;
        }
        (index < self.payoffs.len()).then_some(index)
    }

    /// The pure profile with the given Gambit-order index, or `None` if out
    /// of range.
    pub fn profile_at(&self, index: usize) -> Option<Vec<usize>> {
        if index >= self.payoffs.len() {
            return None;
        }
        let mut rest = index;
        let mut profile = Vec::with_capacity(self.strategies.len());
        for names in &self.strategies {
            let n = names.len().max(1);
            profile.push(rest % n);
            rest /= n;
        }
        Some(profile)
    }

    /// All payoffs at the profile with the given Gambit-order index.
    pub fn payoffs_at(&self, index: usize) -> Option<&[Q]> {
        self.payoffs.get(index).map(Vec::as_slice)
    }

    /// Expected payoff of every player under the mixed profile `probs`
    /// (`probs[i][s]` = probability that player `i` plays `s`), or `None` if
    /// the shape of `probs` does not match the game.
    pub fn expected_payoffs(&self, probs: &[Vec<Q>]) -> Option<Vec<Q>> {
        if !self.shape_matches(probs) {
            return None;
        }
        let mut total = vec![Q::zero(); self.players.len()];
        for (k, pay) in self.payoffs.iter().enumerate() {
            let profile = self.profile_at(k)?;
            let mut weight = Q::one();
            for (i, s) in profile.iter().enumerate() {
                weight *= probs.get(i)?.get(*s)?;
                if weight.is_zero() {
                    break;
                }
            }
            if weight.is_zero() {
                continue;
            }
            for (t, u) in total.iter_mut().zip(pay) {
                *t += &weight * u;
            }
        }
        Some(total)
    }

    /// Expected payoff to `player` of each of its pure strategies when the
    /// other players follow `probs` (player `player`'s own entry is ignored),
    /// or `None` if the shapes do not match.
    pub fn strategy_values(&self, probs: &[Vec<Q>], player: usize) -> Option<Vec<Q>> {
        if !self.shape_matches(probs) || player >= self.players.len() {
            return None;
        }
        let mut values = vec![Q::zero(); self.strategies.get(player)?.len()];
        for (k, pay) in self.payoffs.iter().enumerate() {
            let profile = self.profile_at(k)?;
            let mut weight = Q::one();
            for (i, s) in profile.iter().enumerate() {
                if i != player {
                    weight *= probs.get(i)?.get(*s)?;
                }
            }
            if weight.is_zero() {
                continue;
            }
            let own = *profile.get(player)?;
            *values.get_mut(own)? += weight * pay.get(player)?;
        }
        Some(values)
    }

    /// Whether `probs` is a Nash equilibrium: every entry is a probability
    /// distribution and no player gains by a pure deviation. Exact.
    pub fn is_nash(&self, probs: &[Vec<Q>]) -> bool {
        if !self.shape_matches(probs) {
            return false;
        }
        for dist in probs {
            if dist.iter().any(Signed::is_negative) || dist.iter().sum::<Q>() != Q::one() {
                return false;
            }
        }
        for (player, dist) in probs.iter().enumerate() {
            let Some(values) = self.strategy_values(probs, player) else {
                return false;
            };
            let Some(best) = values.iter().max() else {
                return false;
            };
            // Every strategy played with positive probability must be a best response.
            for (p, v) in dist.iter().zip(&values) {
                if p.is_positive() && v != best {
                    return false;
                }
            }
        }
        true
    }

    fn shape_matches(&self, probs: &[Vec<Q>]) -> bool {
        probs.len() == self.strategies.len() && probs.iter().zip(&self.strategies).all(|(p, s)| p.len() == s.len())
    }
}

/// Every pure-strategy Nash equilibrium (any number of players), in Gambit
/// order of profiles. Each equilibrium is a profile: one strategy index
/// (0-based) per player.
pub fn pure_equilibria(g: &NormalForm) -> Vec<Vec<usize>> {
    let shape = g.shape();
    let mut strides = Vec::with_capacity(shape.len());
    let mut stride = 1usize;
    for n in &shape {
        strides.push(stride);
        stride = stride.saturating_mul(*n);
    }
    let mut out = Vec::new();
    for k in 0..g.num_profiles() {
        let Some(profile) = g.profile_at(k) else {
            continue;
        };
        let mut stable = true;
        'players: for (player, (&s, (&n, &st))) in profile.iter().zip(shape.iter().zip(&strides)).enumerate() {
            let Some(current) = g.payoffs.get(k).and_then(|v| v.get(player)) else {
                stable = false;
                break;
            };
            let base = k - s * st;
            for t in 0..n {
                if t == s {
                    continue;
                }
                let dev = g.payoffs.get(base + t * st).and_then(|v| v.get(player));
                match dev {
                    Some(d) if d > current => {
                        stable = false;
                        break 'players;
                    }
                    Some(_) => {}
                    None => {
                        stable = false;
                        break 'players;
                    }
                }
            }
        }
        if stable {
            out.push(profile);
        }
    }
    out
}

/// A mixed profile with exact probabilities and expected payoffs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MixedProfile {
    /// `probs[i][s]`: probability that player `i` plays strategy `s`.
    pub probs: Vec<Vec<Q>>,
    /// Expected payoff of each player under `probs`.
    pub payoffs: Vec<Q>,
}

impl MixedProfile {
    /// Whether every player plays a single strategy with probability one.
    pub fn is_pure(&self) -> bool {
        self.probs.iter().all(|d| d.iter().filter(|p| !p.is_zero()).count() == 1)
    }

    /// Strategies played with positive probability, per player.
    pub fn supports(&self) -> Vec<Vec<usize>> {
        self.probs
            .iter()
            .map(|d| d.iter().enumerate().filter(|(_, p)| p.is_positive()).map(|(s, _)| s).collect())
            .collect()
    }
}

impl PartialOrd for MixedProfile {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MixedProfile {
    /// Lexicographic by the probabilities (player 1 first), then payoffs.
    fn cmp(&self, other: &Self) -> Ordering {
        self.probs.cmp(&other.probs).then_with(|| self.payoffs.cmp(&other.payoffs))
    }
}

/// Default cap on the number of simplex bases visited per best-response
/// polytope by [`extreme_equilibria_2p`]. A random 10×10 game needs about a
/// thousand (tens of milliseconds); the cap stops hopeless cases after a few
/// seconds instead of running for hours.
pub const DEFAULT_MAX_BASES: usize = 100_000;

/// All extreme Nash equilibria of a two-player game (including pure ones),
/// exactly, correct on degenerate games. Sorted (lexicographically by the
/// probabilities, player 1 first), no duplicates. Errors for != 2 players,
/// or when enumerating a polytope's vertices visits more than
/// [`DEFAULT_MAX_BASES`] simplex bases.
///
/// An extreme equilibrium is a pair of vertices `(x, y)` of the
/// best-response polytopes `P = {x ≥ 0 : Bᵀx ≤ 1}` and
/// `Q = {y ≥ 0 : Ay ≤ 1}` (payoffs shifted to be positive) that is
/// completely labelled, normalised to probabilities. Every equilibrium of
/// the game is a convex combination of extreme equilibria within one
/// maximal Nash subset.
pub fn extreme_equilibria_2p(g: &NormalForm) -> Result<Vec<MixedProfile>, String> {
    extreme_equilibria_2p_with_limit(g, DEFAULT_MAX_BASES)
}

/// [`extreme_equilibria_2p`] with an explicit cap on the number of simplex
/// bases visited per polytope; errors when the cap is exceeded.
pub fn extreme_equilibria_2p_with_limit(g: &NormalForm, max_bases: usize) -> Result<Vec<MixedProfile>, String> {
    if g.num_players() != 2 {
        return Err(format!(
            "extreme equilibrium enumeration needs exactly 2 players, the game has {}",
            g.num_players()
        ));
    }
    let shape = g.shape();
    let (m, n) = match shape.as_slice() {
        [m, n] => (*m, *n),
        _ => return Err("malformed game".to_string()),
    };
    if g.num_profiles() != m * n {
        return Err("malformed game: payoff table does not match the strategy counts".to_string());
    }
    // a[i][j], b[i][j]: payoffs to players 1 and 2 when 1 plays i and 2 plays j.
    let mut a = vec![vec![Q::zero(); n]; m];
    let mut b = vec![vec![Q::zero(); n]; m];
    for i in 0..m {
        for j in 0..n {
            let pay = g.payoffs_at(i + m * j).ok_or_else(|| "malformed game".to_string())?;
            match pay {
                [u, v] => {
                    a[i][j] = u.clone();
                    b[i][j] = v.clone();
                }
                _ => return Err("malformed game".to_string()),
            }
        }
    }
    shift_positive(&mut a);
    shift_positive(&mut b);

    // P: for each column j of B, sum_i b[i][j] x_i <= 1; labels: x_i = 0 -> i,
    // slack j = 0 -> m + j.
    let p_rows: Vec<Vec<Q>> = (0..n).map(|j| (0..m).map(|i| b[i][j].clone()).collect()).collect();
    // Q: for each row i of A, sum_j a[i][j] y_j <= 1; labels: y_j = 0 -> m + j,
    // slack i = 0 -> i.
    let q_rows: Vec<Vec<Q>> = a;
    let total = m + n;
    let verts_p = enumerate_vertices(&p_rows, m, 0, m, total, max_bases)?;
    let verts_q = enumerate_vertices(&q_rows, n, m, 0, total, max_bases)?;

    // Pair the completely labelled vertices. A nondegenerate ("simple")
    // vertex of P has exactly m labels and one of Q exactly n, so two simple
    // vertices match only when their label sets are exact complements: look
    // those up by hash; vertices with extra labels (degenerate) are checked
    // against everything.
    let full = Bits::full(total);
    let mut simple_q: HashMap<&Bits, Vec<usize>> = HashMap::new();
    let mut degenerate_q: Vec<usize> = Vec::new();
    for (idx, (y, ly)) in verts_q.iter().enumerate() {
        if y.iter().all(Zero::is_zero) {
            continue;
        }
        if ly.count() == n {
            simple_q.entry(ly).or_default().push(idx);
        } else {
            degenerate_q.push(idx);
        }
    }
    let all_q: Vec<usize> = (0..verts_q.len()).filter(|&i| verts_q[i].0.iter().any(|v| !v.is_zero())).collect();
    let mut out = Vec::new();
    for (x, lx) in &verts_p {
        if x.iter().all(Zero::is_zero) {
            continue;
        }
        let need = full.minus(lx);
        let mut matches: Vec<usize> = Vec::new();
        if lx.count() == m {
            if let Some(exact) = simple_q.get(&need) {
                matches.extend(exact);
            }
            matches.extend(degenerate_q.iter().filter(|&&i| verts_q[i].1.contains(&need)));
        } else {
            matches.extend(all_q.iter().filter(|&&i| verts_q[i].1.contains(&need)));
        }
        for i in matches {
            let y = &verts_q[i].0;
            let probs = vec![normalize(x), normalize(y)];
            let payoffs = g.expected_payoffs(&probs).ok_or_else(|| "malformed game".to_string())?;
            out.push(MixedProfile { probs, payoffs });
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Replaces `mat` by `mat - min + 1`, so that every entry is at least 1.
fn shift_positive(mat: &mut [Vec<Q>]) {
    let Some(min) = mat.iter().flatten().min().cloned() else {
        return;
    };
    let shift = Q::one() - min;
    for row in mat.iter_mut() {
        for v in row.iter_mut() {
            *v += &shift;
        }
    }
}

fn normalize(v: &[Q]) -> Vec<Q> {
    let sum: Q = v.iter().sum();
    if sum.is_zero() {
        return v.to_vec();
    }
    v.iter().map(|x| x / &sum).collect()
}

/// A small fixed-size bit set over labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }
    fn full(len: usize) -> Bits {
        let mut b = Bits::empty(len);
        for i in 0..len {
            b.set(i);
        }
        b
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }
    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn minus(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }
    fn contains(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| b & !a == 0)
    }
}

/// A simplex dictionary in fraction-free integer form.
///
/// Row `r` stands for `sum_j rows[r][j] * v_j = rows[r][w-1]`; the basic
/// variable of row `r` is `basis[r]` and has coefficient `det` in row `r` and
/// zero elsewhere, so its value is `rows[r][w-1] / det`. Columns `0..l` are
/// the structural variables, `l..l+k` the slacks, and the last column the
/// right-hand side. `det > 0` throughout.
#[derive(Clone)]
struct Tableau {
    rows: Vec<Vec<BigInt>>,
    basis: Vec<usize>,
    det: BigInt,
}

impl Tableau {
    /// Integer pivot on row `pr`, column `pc` (Edmonds / Bareiss update; the
    /// division is exact).
    fn pivot(&mut self, pr: usize, pc: usize) {
        let prow = self.rows[pr].clone();
        let p = prow[pc].clone();
        for (r, row) in self.rows.iter_mut().enumerate() {
            if r == pr {
                continue;
            }
            let f = row[pc].clone();
            if f.is_zero() {
                if p != self.det {
                    for v in row.iter_mut() {
                        if !v.is_zero() {
                            *v = (&*v * &p) / &self.det;
                        }
                    }
                }
            } else {
                for (v, q) in row.iter_mut().zip(&prow) {
                    *v = (&p * &*v - &f * q) / &self.det;
                }
            }
        }
        self.det = p;
        self.basis[pr] = pc;
    }

    fn key(&self, width: usize) -> Bits {
        let mut b = Bits::empty(width);
        for &v in &self.basis {
            b.set(v);
        }
        b
    }
}

/// Whether row `r` precedes row `b` in the lexicographic ratio test for
/// entering column `c`: `(rhs, slacks)_r / T[r][c] <lex (rhs, slacks)_b / T[b][c]`.
fn lex_less(t: &Tableau, r: usize, b: usize, c: usize, l: usize, k: usize) -> bool {
    let rhs = l + k;
    let (row_r, row_b) = (&t.rows[r], &t.rows[b]);
    for j in std::iter::once(rhs).chain(l..l + k) {
        let lhs = &row_r[j] * &row_b[c];
        let rv = &row_b[j] * &row_r[c];
        match lhs.cmp(&rv) {
            Ordering::Less => return true,
            Ordering::Greater => return false,
            Ordering::Equal => {}
        }
    }
    false
}

/// Vertices of `{v ≥ 0 : M v ≤ 1}` (`M` given by rows with `l` columns, all
/// entries positive), each with its label set: structural variable `s` at
/// zero gives label `struct_label + s`, slack `r` at zero gives label
/// `slack_label + r`.
fn enumerate_vertices(
    mat: &[Vec<Q>],
    l: usize,
    struct_label: usize,
    slack_label: usize,
    nlabels: usize,
    max_bases: usize,
) -> Result<Vec<(Vec<Q>, Bits)>, String> {
    let k = mat.len();
    let nvars = l + k;
    let width = nvars + 1;
    // Integer rows: scale row r by the lcm of its denominators.
    let mut rows = Vec::with_capacity(k);
    for (r, coeffs) in mat.iter().enumerate() {
        let scale = coeffs.iter().fold(BigInt::one(), |acc, q| acc.lcm(q.denom()));
        let mut row = Vec::with_capacity(width);
        for q in coeffs {
            row.push(q.numer() * (&scale / q.denom()));
        }
        for s in 0..k {
            row.push(if s == r { BigInt::one() } else { BigInt::zero() });
        }
        row.push(scale);
        rows.push(row);
    }
    let start = Tableau { rows, basis: (l..l + k).collect(), det: BigInt::one() };
    let rhs = width - 1;
    let mut seen: HashSet<Bits> = HashSet::new();
    seen.insert(start.key(nvars));
    let mut stack = vec![start];
    let mut vertices: BTreeMap<Bits, Vec<Q>> = BTreeMap::new();
    let mut is_basic = vec![false; nvars];
    while let Some(t) = stack.pop() {
        // Record the vertex of this basis. A vertex is determined by its set
        // of tight constraints (its labels), so that set is the key and the
        // exact point is computed once per vertex.
        let mut labels = Bits::empty(nlabels);
        let mut positive = vec![false; nvars];
        for (r, &v) in t.basis.iter().enumerate() {
            positive[v] = !t.rows[r][rhs].is_zero();
        }
        for (v, &pos) in positive.iter().enumerate() {
            if !pos {
                labels.set(if v < l { struct_label + v } else { slack_label + (v - l) });
            }
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = vertices.entry(labels) {
            let mut point = vec![Q::zero(); l];
            for (r, &v) in t.basis.iter().enumerate() {
                if v < l {
                    point[v] = Q::new(t.rows[r][rhs].clone(), t.det.clone());
                }
            }
            slot.insert(point);
        }
        // Explore every feasible pivot.
        is_basic.iter_mut().for_each(|b| *b = false);
        for &v in &t.basis {
            is_basic[v] = true;
        }
        for (c, &basic) in is_basic.iter().enumerate() {
            if basic {
                continue;
            }
            // Lexicographic minimum-ratio row: compare the rows' (rhs, slack
            // columns) divided by their entry in column c. This is the ratio
            // test of the polytope with right-hand side perturbed by
            // (ε, ε², …), which is nondegenerate, so the row is unique.
            let mut best: Option<usize> = None;
            for r in 0..k {
                if !t.rows[r][c].is_positive() {
                    continue;
                }
                best = match best {
                    Some(b) if !lex_less(&t, r, b, c, l, k) => Some(b),
                    _ => Some(r),
                };
            }
            let Some(r) = best else {
                return Err("best-response polytope is unbounded (internal error)".to_string());
            };
            let mut key = Bits::empty(nvars);
            for (row, &v) in t.basis.iter().enumerate() {
                key.set(if row == r { c } else { v });
            }
            if seen.contains(&key) {
                continue;
            }
            if seen.len() >= max_bases {
                return Err(format!(
                    "vertex enumeration stopped after {max_bases} bases (game too large or too degenerate)"
                ));
            }
            seen.insert(key);
            let mut next = t.clone();
            next.pivot(r, c);
            stack.push(next);
        }
    }
    Ok(vertices.into_iter().map(|(labels, point)| (point, labels)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Q {
        Q::from_integer(BigInt::from(n))
    }

    fn bimatrix(a: &[&[i64]], b: &[&[i64]]) -> NormalForm {
        let m = a.len();
        let n = a[0].len();
        let mut pay = Vec::new();
        for j in 0..n {
            for i in 0..m {
                pay.push(vec![q(a[i][j]), q(b[i][j])]);
            }
        }
        let names = |k: usize| (1..=k).map(|s| s.to_string()).collect::<Vec<_>>();
        NormalForm::new("t".into(), vec!["1".into(), "2".into()], vec![names(m), names(n)], pay).expect("valid game")
    }

    #[test]
    fn matching_pennies() {
        let g = bimatrix(&[&[1, -1], &[-1, 1]], &[&[-1, 1], &[1, -1]]);
        let eq = extreme_equilibria_2p(&g).expect("2 players");
        assert_eq!(eq.len(), 1);
        let half = Q::new(BigInt::from(1), BigInt::from(2));
        assert_eq!(eq[0].probs, vec![vec![half.clone(), half.clone()], vec![half.clone(), half]]);
        assert!(pure_equilibria(&g).is_empty());
    }

    #[test]
    fn all_zero_game_is_every_pure_pair() {
        let g = bimatrix(&[&[0, 0], &[0, 0]], &[&[0, 0], &[0, 0]]);
        let eq = extreme_equilibria_2p(&g).expect("2 players");
        assert_eq!(eq.len(), 4);
        assert!(eq.iter().all(MixedProfile::is_pure));
    }
}
