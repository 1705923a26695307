//! Model → equilibrium. Price-taking actors best-respond to prices and markets clear
//! (competitive equilibrium); simultaneous movers reach a Nash equilibrium by
//! best-response iteration with a convergence certificate; staged games are solved by
//! backward induction; finite `game`s get every pure and (for two players) every extreme
//! mixed equilibrium, exactly. Failures say what was tried and what was found.

pub(crate) mod compiled;
pub(crate) mod context;
mod deps;
pub(crate) mod equilibrium;
pub mod finite;
mod flat;
pub mod init;
pub mod nfg;
pub mod numeric;
pub mod respond;
mod ridge;
mod stages;
pub mod state;
mod symmetry;

pub use equilibrium::{solve, Solution};

use crate::diag::{Code, Diagnostic};
use crate::eval::{EvalError, EvalErrorKind};
use crate::source::Span;

/// Why a regime could not be solved.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveError {
    /// An expression failed to evaluate (division by zero, `sqrt` of a negative, ...).
    Eval(EvalError),
    /// An expression failed while a member's best response was sought.
    InResponse {
        /// The failure.
        inner: EvalError,
        /// The member, as reports name it (`Developer[2]`).
        who: String,
        /// Its actor's payoff (or declaration, without one).
        span: Span,
    },
    /// A parameter value violates its `where` constraint.
    Constraint {
        /// The parameter.
        name: String,
        /// The overriding value.
        value: Span,
        /// The constraint.
        constraint: Span,
    },
    /// Best-response iteration did not settle.
    NoConvergence {
        /// What was iterated.
        what: String,
        /// Rounds tried.
        iterations: usize,
        /// The last largest change.
        residual: f64,
        /// Where (the actor or regime).
        span: Span,
    },
    /// The solver spent its budget of payoff evaluations.
    Budget {
        /// Evaluations spent.
        evaluations: u64,
        /// Evaluations allowed.
        limit: u64,
        /// What the solver was doing.
        phase: Phase,
        /// Where (the member that was to respond).
        span: Span,
    },
    /// The solution leaves a member a profitable deviation.
    NotEquilibrium {
        /// Who could gain.
        who: String,
        /// How much (payoff units, formatted).
        gain: String,
        /// Where the actor is declared.
        span: Span,
    },
    /// Different starting points led to different equilibria.
    Several {
        /// The equilibria found, described.
        found: Vec<String>,
        /// Where.
        span: Span,
    },
    /// No price clears a market.
    NoClearing {
        /// The market.
        market: String,
        /// Prices tried with the excess demand at each.
        tried: Vec<(f64, f64)>,
        /// Where.
        span: Span,
    },
    /// A payoff grows without bound in a choice.
    Unbounded {
        /// `Actor.choice`.
        what: String,
        /// The largest choice tried and the payoff there.
        x: f64,
        /// Payoff at `x`.
        value: f64,
        /// Where the choice is declared.
        span: Span,
    },
}

/// The steps of a solve that spend its budget of payoff evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Finding the equilibrium (best responses, market clearing, backward induction).
    Search,
    /// Certifying it: every member's best deviation.
    Certificate,
    /// Restarting from the other end of every domain to look for other equilibria.
    Restart,
}

impl Phase {
    /// What the solver was doing, for messages.
    pub fn doing(self) -> &'static str {
        match self {
            Phase::Search => "searching for the equilibrium",
            Phase::Certificate => "certifying the equilibrium (every member's best deviation)",
            Phase::Restart => "restarting from the other end of every domain to look for other equilibria",
        }
    }
}

impl SolveError {
    /// Says that a spent budget ran out in `phase` (other errors are unchanged).
    pub fn during(self, phase: Phase) -> SolveError {
        match self {
            SolveError::Budget { evaluations, limit, span, .. } => {
                SolveError::Budget { evaluations, limit, phase, span }
            }
            other => other,
        }
    }

    /// Wraps an evaluation error.
    pub fn from_eval(e: EvalError) -> SolveError {
        SolveError::Eval(e)
    }

    /// The diagnostic users see.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            SolveError::Eval(e) => eval_diagnostic(e),
            SolveError::InResponse { inner, who, span } => {
                // Whose response it was, on the payoff when the failure is elsewhere.
                let (d, what) = (eval_diagnostic(inner), format!("while finding the best response of `{who}`"));
                if span.contains(d.primary.span) {
                    d.note(what)
                } else {
                    d.with(*span, what)
                }
            }
            SolveError::Constraint { name, value, constraint } => {
                Diagnostic::new(Code::E0308, *value, format!("the value of `{name}` violates its constraint"))
                    .label("this value")
                    .with(*constraint, "the constraint")
                    .help("choose a value that satisfies the `where` constraint")
            }
            SolveError::NoConvergence { what, iterations, residual, span } => {
                Diagnostic::new(Code::E0502, *span, format!("{what} did not converge"))
                    .label("the best responses of these actors keep changing")
                    .note(format!("tried {iterations} rounds of best-response iteration; the last round still changed a choice by {}", crate::report::number(*residual)))
                    .help("the game may have no pure-strategy equilibrium (best responses cycle); check the payoffs, or model it as a finite `game` to get mixed equilibria")
            }
            SolveError::Budget { evaluations, limit, phase, span } => Diagnostic::new(Code::E0502, *span, "the solver gave up")
                .label("solving this regime needs more work than allowed")
                .note(format!(
                    "stopped {} after {evaluations} payoff evaluations (the budget is {limit})",
                    phase.doing()
                ))
                .help("reduce the number of actors or choices, bound unbounded domains, or give choices finite sets"),
            SolveError::NotEquilibrium { who, gain, span } => Diagnostic::new(Code::E0502, *span, "no equilibrium found")
                .label("best-response iteration stopped at a point that is not an equilibrium")
                .note(format!("`{who}` gains {gain} by deviating alone"))
                .help("with several choices per actor the search is coordinate-wise; check for payoffs that reward moving two choices together, or give the choices finite sets"),
            SolveError::Several { found, span } => {
                let mut d = Diagnostic::new(Code::E0503, *span, "several equilibria")
                    .label("different starting points lead to different equilibria")
                    .help("add a rule that selects one (e.g. a `sequence` for who moves first), or report all of them with a finite `game`");
                for (i, f) in found.iter().enumerate() {
                    d = d.note(format!("equilibrium {}: {f}", i + 1));
                }
                d
            }
            SolveError::NoClearing { market, tried, span } => {
                let shown: Vec<String> = tried
                    .iter()
                    .take(8)
                    .map(|(p, z)| format!("price {} → excess demand {}", crate::report::number(*p), crate::report::number(*z)))
                    .collect();
                Diagnostic::new(Code::E0504, *span, format!("market `{market}` does not clear"))
                    .label("no price makes demand equal supply")
                    .note(format!("tried: {}", shown.join("; ")))
                    .help("check that demand falls as the price rises (the payoffs must pay the price); where demand jumps past supply at one price (members indifferent between choices there), break the tie, e.g. with a strictly convex cost")
            }
            SolveError::Unbounded { what, x, value, span } => {
                Diagnostic::new(Code::E0505, *span, format!("payoff unbounded in `{what}`"))
                    .label("the best choice runs off to infinity")
                    .note(format!("at `{what}` = {} the payoff is still rising ({})", crate::report::number(*x), crate::report::number(*value)))
                    .help("bound the choice (`in [0, MAX]`) or make the payoff concave (a cost or a price that grows with it)")
            }
        }
    }
}

/// A runtime evaluation failure as a diagnostic.
pub fn eval_diagnostic(e: &EvalError) -> Diagnostic {
    let (message, label, help) = match &e.kind {
        EvalErrorKind::DivisionByZero => {
            ("division by zero", "this is zero".to_string(), "change the parameters or guard the division with `if`")
        }
        EvalErrorKind::Domain(what) => {
            ("invalid arithmetic", what.clone(), "change the parameters so the operation is defined")
        }
        EvalErrorKind::NonFinite => (
            "a value is not a finite number",
            "this overflows or is undefined".to_string(),
            "use smaller numbers or a larger unit",
        ),
        EvalErrorKind::IndexOutOfRange { index, len } => (
            "index out of range",
            format!("index `{index}`, but there are {len}"),
            "lists and families are indexed from 1",
        ),
        EvalErrorKind::NotConstant(what) if what.contains("has no value") => {
            return Diagnostic::new(Code::E0506, e.span, what.clone())
                .label("needed here")
                .help("give it a default in the file or a value with `--set NAME=VALUE`");
        }
        EvalErrorKind::NotConstant(what) => {
            ("cannot be evaluated here", what.clone(), "restate this in terms of parameters, choices and prices")
        }
        EvalErrorKind::Continuous => {
            ("cannot enumerate a continuous domain", "an interval".to_string(), "use a range, a set or a family")
        }
        EvalErrorKind::Shape(what) => {
            return Diagnostic::new(Code::E0901, e.span, format!("internal error: {what}"))
                .help("this is a bug in gov; please report it with the input that caused it");
        }
    };
    Diagnostic::new(Code::E0501, e.span, message).label(label).help(help)
}
