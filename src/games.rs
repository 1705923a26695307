//! Finite games: a `game` declared in a regime, or a Gambit `.nfg` file, solved exactly —
//! every pure-strategy equilibrium, and for two players every extreme mixed equilibrium —
//! with rational payoffs kept exact.

use crate::model::*;
use crate::solve::finite::{extreme_equilibria_2p, pure_equilibria, MixedProfile, NormalForm, Q};
use crate::solve::state::{RunEnv, State};
use crate::solve::SolveError;
use num_bigint::BigInt;
use num_traits::{One, Zero};

/// The equilibria of one finite game.
#[derive(Debug, Clone)]
pub struct GameSolution {
    /// The game.
    pub game: NormalForm,
    /// Pure-strategy equilibria (strategy index per player).
    pub pure: Vec<Vec<usize>>,
    /// Extreme mixed equilibria (two players only; pure ones included).
    pub mixed: Option<Vec<MixedProfile>>,
}

/// Solves a normal-form game.
pub fn solve_game(game: NormalForm) -> Result<GameSolution, String> {
    let pure = pure_equilibria(&game);
    let mixed = if game.players.len() == 2 { Some(extreme_equilibria_2p(&game)?) } else { None };
    Ok(GameSolution { game, pure, mixed })
}

/// The normal form of a declared `game`, payoffs evaluated at the parameter values.
pub fn normal_form(model: &Model, state: &State, g: &Game) -> Result<NormalForm, SolveError> {
    let env = RunEnv::new(model, state);
    let counts: Vec<usize> = g.strategies.iter().map(Vec::len).collect();
    let total: usize = counts.iter().product();
    let mut payoffs = vec![Vec::new(); total];
    // Declared tables list profiles with the first player slowest; Gambit's order has it fastest.
    for (row_major, cell) in g.payoffs.iter().enumerate() {
        let mut rest = row_major;
        let mut profile = vec![0; counts.len()];
        for (i, n) in counts.iter().enumerate().rev() {
            profile[i] = rest % n;
            rest /= n;
        }
        let mut gambit = 0;
        for (i, n) in counts.iter().enumerate().rev() {
            gambit = gambit * n + profile[i];
        }
        let values = cell
            .iter()
            .map(|e| env.eval_num(e).map(exact).map_err(SolveError::from_eval))
            .collect::<Result<Vec<Q>, _>>()?;
        if let Some(slot) = payoffs.get_mut(gambit) {
            *slot = values;
        }
    }
    NormalForm::new(g.name.clone(), g.players.clone(), g.strategies.clone(), payoffs).map_err(|m| {
        SolveError::Eval(crate::eval::EvalError { kind: crate::eval::EvalErrorKind::Shape(m), span: g.span })
    })
}

/// The exact rational a decimal payoff means (`0.1` is 1/10, not the nearest binary float).
pub fn exact(x: f64) -> Q {
    let text = format!("{x}");
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (text.clone(), 0),
    };
    let negative = mantissa.starts_with('-');
    let digits = mantissa.trim_start_matches('-');
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let numer: BigInt = format!("{int}{frac}").parse().unwrap_or_else(|_| BigInt::zero());
    let scale = exponent - frac.len() as i32;
    let ten = BigInt::from(10);
    let mut q = Q::from_integer(numer);
    if scale >= 0 {
        q *= Q::from_integer(num_traits::pow(ten, scale as usize));
    } else {
        q /= Q::from_integer(num_traits::pow(ten, (-scale) as usize));
    }
    if negative {
        -q
    } else {
        q
    }
}

/// A rational as users read it: `1/3`, `2`, `-1/2`.
pub fn show_q(q: &Q) -> String {
    if q.denom().is_one() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

/// The text report of a game's equilibria.
pub fn game_text(s: &GameSolution) -> String {
    use std::fmt::Write;
    let g = &s.game;
    let shape: Vec<String> = g.strategies.iter().map(|x| x.len().to_string()).collect();
    let mut out = String::new();
    let _ = writeln!(out, "game `{}` ({} players, {})", g.title, g.players.len(), shape.join("x"));
    let profile_text = |p: &[usize]| -> String {
        p.iter()
            .enumerate()
            .map(|(i, s)| g.strategies[i].get(*s).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let payoff_text =
        |p: &[usize]| -> String { (0..g.players.len()).map(|i| show_q(g.payoff(p, i))).collect::<Vec<_>>().join(", ") };
    let _ = writeln!(out, "  pure equilibria: {}", s.pure.len());
    for p in &s.pure {
        let _ = writeln!(out, "    ({})  payoffs ({})", profile_text(p), payoff_text(p));
    }
    if let Some(mixed) = &s.mixed {
        let _ = writeln!(out, "  extreme equilibria (pure and mixed): {}", mixed.len());
        for m in mixed {
            let players: Vec<String> = m
                .probs
                .iter()
                .enumerate()
                .map(|(i, probs)| {
                    let parts: Vec<String> = probs
                        .iter()
                        .enumerate()
                        .map(|(k, q)| format!("{} {}", g.strategies[i][k], show_q(q)))
                        .collect();
                    format!("{}: {}", g.players[i], parts.join(", "))
                })
                .collect();
            let pays: Vec<String> = m.payoffs.iter().map(show_q).collect();
            let _ = writeln!(out, "    {}  payoffs ({})", players.join("; "), pays.join(", "));
        }
    }
    out
}

/// The JSON form of a game's equilibria (exact rationals as strings).
pub fn game_json(s: &GameSolution) -> serde_json::Value {
    use serde_json::json;
    let g = &s.game;
    json!({
        "name": g.title,
        "players": g.players,
        "strategies": g.strategies,
        "pure": s.pure.iter().map(|p| json!({
            "profile": p.iter().enumerate().map(|(i, k)| g.strategies[i].get(*k).cloned()).collect::<Vec<_>>(),
            "payoffs": (0..g.players.len()).map(|i| show_q(g.payoff(p, i))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "mixed": s.mixed.as_ref().map(|m| m.iter().map(|e| json!({
            "probabilities": e.probs.iter().map(|ps| ps.iter().map(show_q).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "payoffs": e.payoffs.iter().map(show_q).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()),
    })
}
