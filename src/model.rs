//! The checked regime: the contract between the front end (parse, resolve, check) and
//! the back end (evaluate, solve, simulate). Names are bound to ids, every expression
//! carries its [`Type`], and numbers are in canonical base units (units are erased).

use crate::check::units::Dimension;
use crate::source::Span;
use crate::syntax::ast::{AggOp, BinOp, Quantifier, UnOp};

/// Index of a global parameter in [`Model::params`].
pub type ParamId = usize;
/// Index of a global let in [`Model::lets`].
pub type LetId = usize;
/// Index of a function in [`Model::fns`].
pub type FnId = usize;
/// Index of an actor in [`Model::actors`].
pub type ActorId = usize;
/// Index of an enumeration in [`Model::enums`].
pub type EnumId = usize;
/// Index of a random quantity in [`Model::randoms`].
pub type RandomId = usize;
/// Index of a market in [`Model::markets`].
pub type MarketId = usize;
/// Index of an audit in [`Model::audits`].
pub type AuditId = usize;
/// Index of a licence in [`Model::licenses`].
pub type LicenseId = usize;
/// Slot of a bound variable (function argument, binder, family index) in an evaluation frame.
pub type LocalId = usize;

/// The static type of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A number with a dimension (dimensionless for `Real`, `Int`, `Prob`).
    Num(NumKind, Dimension),
    /// `true` / `false`.
    Bool,
    /// A variant of an enumeration.
    Enum(EnumId),
    /// A list of values of one type.
    List(Box<Type>),
    /// One member of an actor or family (a bound `d` in `sum(d in Developer: ..)`).
    Member(ActorId),
    /// A whole family, usable only as a domain.
    Family(ActorId),
    /// A function, usable as `detect` or called.
    Fn(FnId),
    /// A probability distribution producing values of the inner type.
    Dist(Box<Type>),
    /// A generic function parameter: checked at each call instead.
    Generic,
    /// The type of an expression that already produced an error (suppresses cascades).
    Error,
}

/// Which kind of number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NumKind {
    /// An integer.
    Int,
    /// A probability in [0, 1].
    Prob,
    /// Any real number.
    Real,
}

impl Type {
    /// A dimensionless real.
    pub fn real() -> Type {
        Type::Num(NumKind::Real, Dimension::one())
    }

    /// An integer.
    pub fn int() -> Type {
        Type::Num(NumKind::Int, Dimension::one())
    }

    /// A probability.
    pub fn prob() -> Type {
        Type::Num(NumKind::Prob, Dimension::one())
    }

    /// A real quantity of `dim`.
    pub fn quantity(dim: Dimension) -> Type {
        Type::Num(NumKind::Real, dim)
    }

    /// The dimension of a number type.
    pub fn dim(&self) -> Option<&Dimension> {
        match self {
            Type::Num(_, d) => Some(d),
            _ => None,
        }
    }

    /// True for `Error` and `Generic`, which never cause further diagnostics.
    pub fn is_lenient(&self) -> bool {
        matches!(self, Type::Error | Type::Generic)
    }
}

/// A compile-time or run-time value (numbers in canonical base units).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Num(f64),
    /// A truth value.
    Bool(bool),
    /// An enumeration variant: (enumeration, variant index).
    Enum(EnumId, usize),
    /// A list.
    List(Vec<Value>),
    /// A member of a family: (actor, 1-based member index; 1 for a single actor).
    Member(ActorId, i64),
}

/// A typed, resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its static type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
}

/// The shapes of a resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant (literals and units, already scaled).
    Const(Value),
    /// A global parameter.
    Param(ParamId),
    /// A global let.
    Let(LetId),
    /// A global random quantity.
    Random(RandomId),
    /// A bound variable in the current frame.
    Local(LocalId),
    /// A member of an actor: `of` evaluates to the member value (the actor instance).
    Member {
        /// Which actor.
        actor: ActorId,
        /// Which member.
        member: MemberRef,
        /// The instance (`d` in `d.c`, the current one inside the actor, `Generalist` for a single actor).
        of: Box<Expr>,
    },
    /// The actor instance whose body is being evaluated (inside an actor block).
    SelfMember(ActorId),
    /// The clearing price of a market.
    MarketPrice(MarketId),
    /// The probability of an audit.
    AuditProb(AuditId),
    /// A function value (for `detect`).
    FnRef(FnId),
    /// A call of a user function.
    Call(FnId, Vec<Expr>),
    /// A call of a member function of an actor instance.
    MemberCall {
        /// Which actor.
        actor: ActorId,
        /// Which function among its members.
        func: usize,
        /// The instance.
        of: Box<Expr>,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// A call of a builtin.
    Builtin(Builtin, Vec<Expr>),
    /// A distribution (`Normal(mu, sd)`).
    Dist(DistKind, Vec<Expr>),
    /// `-x`, `not p`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `xs[i]` (1-based), or `Family[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `sum(x in D where f: body)` etc.
    Aggregate {
        /// Which reduction.
        op: AggOp,
        /// The bound variable's slot.
        var: LocalId,
        /// Where it ranges.
        domain: Box<Domain>,
        /// Optional filter.
        filter: Option<Box<Expr>>,
        /// The reduced expression.
        body: Box<Expr>,
    },
    /// `forall` / `exists`.
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The bound variables.
        binders: Vec<Binder>,
        /// The proposition.
        body: Box<Expr>,
    },
}

/// A variable bound by a quantifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Binder {
    /// Its name, for witnesses and counterexamples.
    pub name: String,
    /// Its slot in the frame.
    pub slot: LocalId,
    /// Where it ranges.
    pub domain: Domain,
}

/// Which member of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRef {
    /// A member parameter.
    Param(usize),
    /// A member let.
    Let(usize),
    /// A decision variable.
    Choice(usize),
    /// A member random quantity.
    Random(usize),
    /// The actor's payoff.
    Payoff,
    /// Whether the member holds a licence of its family (`r.north_licence`): always in
    /// equilibrium analysis, until revoked in a simulation.
    Licence(LicenseId),
}

/// A domain a variable ranges over.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// Which shape.
    pub kind: DomainKind,
    /// Where.
    pub span: Span,
}

/// The shapes of a domain.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainKind {
    /// A real interval.
    Interval {
        /// Lower bound.
        lo: Expr,
        /// Upper bound.
        hi: Expr,
        /// Excludes `lo`.
        lo_open: bool,
        /// Excludes `hi`.
        hi_open: bool,
    },
    /// Integers `lo..=hi`.
    Range(Expr, Expr),
    /// A finite set of values.
    Set(Vec<Expr>),
    /// The members of a family.
    Family(ActorId),
    /// The variants of an enumeration.
    Enum(EnumId),
    /// The elements of a list-valued expression.
    List(Expr),
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// √x (halves exponents).
    Sqrt,
    /// eˣ.
    Exp,
    /// Natural log.
    Ln,
    /// Base-10 log.
    Log10,
    /// `pow(x, k)`.
    Pow,
    /// |x|.
    Abs,
    /// Smallest argument.
    Min,
    /// Largest argument.
    Max,
    /// ⌊x⌋.
    Floor,
    /// ⌈x⌉.
    Ceil,
    /// `clamp(x, lo, hi)`.
    Clamp,
    /// max(x, 0).
    Pos,
    /// Standard normal CDF Φ.
    NormCdf,
    /// Standard normal density φ.
    NormPdf,
}

impl Builtin {
    /// Looks a builtin up by name.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "sqrt" => Builtin::Sqrt,
            "exp" => Builtin::Exp,
            "ln" => Builtin::Ln,
            "log10" => Builtin::Log10,
            "pow" => Builtin::Pow,
            "abs" => Builtin::Abs,
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "floor" => Builtin::Floor,
            "ceil" => Builtin::Ceil,
            "clamp" => Builtin::Clamp,
            "pos" => Builtin::Pos,
            "norm_cdf" => Builtin::NormCdf,
            "norm_pdf" => Builtin::NormPdf,
            _ => return None,
        })
    }

    /// Every builtin name (for completion and suggestions).
    pub const NAMES: &'static [&'static str] = &[
        "sqrt", "exp", "ln", "log10", "pow", "abs", "min", "max", "floor", "ceil", "clamp", "pos", "norm_cdf",
        "norm_pdf",
    ];
}

/// Probability distributions for `random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistKind {
    /// Bernoulli(p) → Bool.
    Bernoulli,
    /// Normal(mean, sd).
    Normal,
    /// Uniform(lo, hi).
    Uniform,
    /// LogNormal(mu, sigma).
    LogNormal,
    /// Exponential(rate).
    Exponential,
    /// Poisson(lambda) → Int.
    Poisson,
    /// Binomial(n, p) → Int.
    Binomial,
    /// Beta(a, b) → Prob.
    Beta,
}

impl DistKind {
    /// Looks a distribution up by name.
    pub fn from_name(name: &str) -> Option<DistKind> {
        Some(match name {
            "Bernoulli" => DistKind::Bernoulli,
            "Normal" => DistKind::Normal,
            "Uniform" => DistKind::Uniform,
            "LogNormal" => DistKind::LogNormal,
            "Exponential" => DistKind::Exponential,
            "Poisson" => DistKind::Poisson,
            "Binomial" => DistKind::Binomial,
            "Beta" => DistKind::Beta,
            _ => return None,
        })
    }

    /// Every distribution name.
    pub const NAMES: &'static [&'static str] =
        &["Bernoulli", "Normal", "Uniform", "LogNormal", "Exponential", "Poisson", "Binomial", "Beta"];

    /// The first parameter that is out of range, with why; unknown (`None`) values pass.
    pub fn invalid_param(self, values: &[Option<f64>]) -> Option<(usize, &'static str)> {
        let v = |i: usize| values.get(i).copied().flatten();
        let not_prob = |i: usize| v(i).is_some_and(|p| !(0.0..=1.0).contains(&p));
        match self {
            DistKind::Bernoulli if not_prob(0) => Some((0, "is not a probability")),
            DistKind::Binomial if v(0).is_some_and(|n| n < 0.0) => Some((0, "is a negative number of trials")),
            DistKind::Binomial if not_prob(1) => Some((1, "is not a probability")),
            DistKind::Normal | DistKind::LogNormal if v(1).is_some_and(|s| s < 0.0) => {
                Some((1, "is a negative standard deviation"))
            }
            DistKind::Uniform if matches!((v(0), v(1)), (Some(lo), Some(hi)) if lo > hi) => {
                Some((1, "is below the lower bound"))
            }
            DistKind::Exponential if v(0).is_some_and(|r| r <= 0.0) => Some((0, "is not a positive rate")),
            DistKind::Poisson if v(0).is_some_and(|l| l < 0.0) => Some((0, "is a negative mean")),
            DistKind::Beta if v(0).is_some_and(|a| a <= 0.0) => Some((0, "is not positive")),
            DistKind::Beta if v(1).is_some_and(|b| b <= 0.0) => Some((1, "is not positive")),
            _ => values.iter().position(|x| x.is_some_and(|x| !x.is_finite())).map(|i| (i, "is not finite")),
        }
    }

    /// What the parameters must satisfy, in words.
    pub fn requirements(self) -> &'static str {
        match self {
            DistKind::Bernoulli => "a probability p in [0, 1]",
            DistKind::Binomial => "n >= 0 trials and a probability p in [0, 1]",
            DistKind::Normal => "a standard deviation sd >= 0",
            DistKind::LogNormal => "sigma >= 0",
            DistKind::Uniform => "lo <= hi",
            DistKind::Exponential => "a rate > 0",
            DistKind::Poisson => "lambda >= 0",
            DistKind::Beta => "a > 0 and b > 0",
        }
    }

    /// Parameter names, in order.
    pub fn param_names(self) -> &'static [&'static str] {
        match self {
            DistKind::Bernoulli => &["p"],
            DistKind::Normal => &["mean", "sd"],
            DistKind::Uniform => &["lo", "hi"],
            DistKind::LogNormal => &["mu", "sigma"],
            DistKind::Exponential => &["rate"],
            DistKind::Poisson => &["lambda"],
            DistKind::Binomial => &["n", "p"],
            DistKind::Beta => &["a", "b"],
        }
    }
}

/// A declared unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDef {
    /// Its name.
    pub name: String,
    /// Its dimension.
    pub dim: Dimension,
    /// Canonical value of one of it.
    pub scale: f64,
    /// Where declared.
    pub span: Span,
    /// Doc string.
    pub doc: Option<String>,
}

/// A declared enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Its name (generated for inline enumerations).
    pub name: String,
    /// Variant names.
    pub variants: Vec<String>,
    /// Where declared.
    pub span: Span,
}

/// A parameter (global or member).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Declared type.
    pub ty: Type,
    /// Default, if any.
    pub default: Option<Expr>,
    /// `where` constraint.
    pub constraint: Option<Expr>,
    /// Doc string or `///` comment.
    pub doc: Option<String>,
    /// Where declared.
    pub span: Span,
}

/// A let binding (global or member).
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// Its name.
    pub name: String,
    /// Its definition.
    pub value: Expr,
    /// Where declared.
    pub span: Span,
}

/// A function (global, member or penalty).
#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    /// Its name (qualified for stdlib modules: `penalties.quadratic`).
    pub name: String,
    /// Parameter names and types (`Generic` when untyped).
    pub params: Vec<(String, Type)>,
    /// Result type (`Generic` when it depends on generic parameters).
    pub ret: Type,
    /// The body; arguments are locals `0..params.len()`.
    pub body: Expr,
    /// Number of local slots the body needs.
    pub frame_size: usize,
    /// Declared with `penalty`.
    pub is_penalty: bool,
    /// Where declared.
    pub span: Span,
}

/// A random quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Random {
    /// Its name.
    pub name: String,
    /// The distribution expression (`ExprKind::Dist`).
    pub dist: Expr,
    /// The type of one draw.
    pub ty: Type,
    /// Where declared.
    pub span: Span,
}

/// A decision variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Where it ranges.
    pub domain: Domain,
    /// `or abstain` allowed.
    pub abstain: bool,
    /// Where declared.
    pub span: Span,
}

/// An actor or an indexed family of actors.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Its name.
    pub name: String,
    /// For a family: the bounds of the index (the index is local slot 0 in member bodies).
    pub family: Option<(Expr, Expr)>,
    /// Member parameters.
    pub params: Vec<Param>,
    /// Member lets, in dependency order of evaluation (`let_order`).
    pub lets: Vec<Let>,
    /// Order in which member lets must be evaluated.
    pub let_order: Vec<usize>,
    /// Member functions.
    pub fns: Vec<Func>,
    /// Member random quantities.
    pub randoms: Vec<Random>,
    /// Decision variables.
    pub choices: Vec<Choice>,
    /// What the actor maximises.
    pub payoff: Option<Expr>,
    /// Where declared.
    pub span: Span,
}

/// A market whose price clears supply and demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Market {
    /// Its name.
    pub name: String,
    /// Supply (the cap).
    pub supply: Expr,
    /// Aggregate demand.
    pub demand: Expr,
    /// Unit of the price.
    pub price_dim: Dimension,
    /// Where declared.
    pub span: Span,
}

/// A hard aggregate limit (command and control).
#[derive(Debug, Clone, PartialEq)]
pub struct Cap {
    /// Its name.
    pub name: String,
    /// The constraint as `lhs <= rhs` (a `>=` is flipped).
    pub lhs: Expr,
    /// Right-hand side.
    pub rhs: Expr,
    /// Where declared.
    pub span: Span,
}

/// An audit rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// Its name.
    pub name: String,
    /// Audit probability.
    pub prob: Expr,
    /// Cost per audit.
    pub cost: Option<Expr>,
    /// Enforcement budget.
    pub budget: Option<Expr>,
    /// Audited actor or family.
    pub on: Option<ActorId>,
    /// Detection probability function.
    pub detect: Option<FnId>,
    /// Where declared.
    pub span: Span,
}

/// A licence rule.
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    /// Its name.
    pub name: String,
    /// The licensed actor or family; the holder is local slot 0 in the clauses.
    pub holders: ActorId,
    /// The licensor.
    pub licensor: Option<ActorId>,
    /// The audited metric.
    pub metric: Option<Expr>,
    /// Condition to keep the licence.
    pub require: Option<Expr>,
    /// Audit probability per round.
    pub audit: Option<Expr>,
    /// Where declared.
    pub span: Span,
}

/// A threshold rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Its name.
    pub name: String,
    /// The requirement.
    pub condition: Expr,
    /// Who bears the consequence.
    pub on: ActorId,
    /// The penalty, or `None` for a ban.
    pub penalty: Option<Expr>,
    /// Where declared.
    pub span: Span,
}

/// A finite strategic-form game.
#[derive(Debug, Clone, PartialEq)]
pub struct Game {
    /// Its name.
    pub name: String,
    /// Player names.
    pub players: Vec<String>,
    /// Strategy names per player.
    pub strategies: Vec<Vec<String>>,
    /// Payoff vectors, one per profile in row-major order (first player slowest).
    pub payoffs: Vec<Vec<Expr>>,
    /// Where declared.
    pub span: Span,
}

/// A `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Its name.
    pub name: String,
    /// The proposition.
    pub prop: Expr,
    /// Local slots the proposition needs.
    pub frame_size: usize,
    /// Where declared.
    pub span: Span,
}

/// An `expect`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// Its name or its source text.
    pub name: String,
    /// For `a == b +- tol`: (a, b).
    pub sides: Option<(Expr, Expr)>,
    /// Otherwise a Bool expression.
    pub prop: Option<Expr>,
    /// Absolute tolerance (canonical units) or relative.
    pub tolerance: Tolerance,
    /// Local slots needed.
    pub frame_size: usize,
    /// Where declared.
    pub span: Span,
}

/// How close an `expect` must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Tolerance {
    /// Exact equality (no tolerance written).
    Exact,
    /// |a − b| ≤ this (canonical units).
    Absolute(Expr),
    /// |a − b| ≤ this × |b|.
    Relative(Expr),
}

/// A scenario: changes applied to the base regime.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// Parameter overrides.
    pub sets: Vec<(ParamId, Expr)>,
    /// Removed rules, by name.
    pub removes: Vec<String>,
    /// Fixed choices: (actor, choice, value).
    pub fixes: Vec<(ActorId, usize, Expr)>,
    /// Declarations replacing or adding rules, kept as source items for the back end to re-check.
    pub items: Vec<crate::syntax::ast::Item>,
    /// Where declared.
    pub span: Span,
    /// Where its name is written.
    pub name_span: Span,
}

/// A `compare` across scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    /// The metric's name.
    pub name: String,
    /// The metric.
    pub metric: Expr,
    /// Local slots needed.
    pub frame_size: usize,
    /// Scenario names (`base` is the unchanged regime).
    pub scenarios: Vec<String>,
    /// Where declared.
    pub span: Span,
}

/// A `simulate` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulate {
    /// Its name.
    pub name: String,
    /// Number of rounds.
    pub rounds: Option<Expr>,
    /// Replications.
    pub reps: Option<Expr>,
    /// Seed.
    pub seed: Option<Expr>,
    /// Strategy rules for choices and markets (the rest play the equilibrium).
    pub strategies: Vec<Strategy>,
    /// State variables in local slots `0..states.len()`.
    pub states: Vec<SimState>,
    /// Recorded metrics.
    pub metrics: Vec<(String, Expr)>,
    /// Local slots the states, metrics and updates need.
    pub frame_size: usize,
    /// Where declared.
    pub span: Span,
}

/// A `sweep`: values of some parameters to solve the regime at (the grid is their
/// product, first axis slowest) and what to record at each point.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// Its name.
    pub name: String,
    /// The varied parameters, in order.
    pub axes: Vec<Axis>,
    /// What to record at each point (none: the equilibrium itself).
    pub metrics: Vec<SweepMetric>,
    /// Where declared.
    pub span: Span,
}

/// One varied parameter of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The file-level parameter.
    pub param: ParamId,
    /// Its values.
    pub values: AxisValues,
    /// The `vary` clause.
    pub span: Span,
}

/// The values of an axis, as written (constants in the parameter's type).
#[derive(Debug, Clone, PartialEq)]
pub enum AxisValues {
    /// `lo..hi:steps`, both ends included; geometric when `log`.
    Grid {
        /// First value.
        lo: Box<Expr>,
        /// Last value.
        hi: Box<Expr>,
        /// Number of values (an `Int` of at least 2).
        steps: Box<Expr>,
        /// Geometric spacing.
        log: bool,
    },
    /// The values as listed.
    List(Vec<Expr>),
}

/// Something recorded at each point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepMetric {
    /// Its column name.
    pub name: String,
    /// What it records.
    pub kind: SweepMetricKind,
    /// Where written.
    pub span: Span,
}

/// What a sweep metric records.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepMetricKind {
    /// An expression at the equilibrium: a number, or a category (a truth value, an
    /// enumeration variant, an actor member).
    Value(Expr),
    /// The verdict of the named `check` (`holds` / `fails`).
    Check(String),
    /// The verdict of the named `expect` (`ok` / `fails`).
    Expect(String),
    /// The named `compare`: its value in each scenario and the scenario with the largest.
    Compare(String),
    /// What the named threshold's actor does: `complies`, `pays`, `banned` or `abstains`.
    Threshold(String),
}

/// A quantity carried across the rounds of a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimState {
    /// Its name.
    pub name: String,
    /// Its value in the first round.
    pub init: Expr,
    /// Its value in the next round (unchanged without one).
    pub update: Option<Expr>,
}

/// What a strategy rule governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyTarget {
    /// The choices of an actor or family: all of them, or one.
    Choice {
        /// The actor or family.
        actor: ActorId,
        /// One choice, or every choice of the actor.
        choice: Option<usize>,
    },
    /// The price of a market.
    Market(MarketId),
}

/// The rules a `strategy` line may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Play the solved equilibrium (markets: trade at the equilibrium price).
    Equilibrium,
    /// Always play one value.
    Fixed,
    /// Best response to the previous round.
    BestResponse,
    /// Best response to the empirical history (average payoff of each action over past rounds).
    FictitiousPlay,
    /// Reinforcement learning: recency-weighted action values, logit (softmax) choice.
    Reinforcement,
    /// The best action so far, a random one with probability ε.
    EpsilonGreedy,
    /// A market price that moves with excess demand each round.
    Tatonnement,
}

impl Rule {
    /// Every rule with its name, in the order the docs list them.
    pub const ALL: &'static [(&'static str, Rule)] = &[
        ("equilibrium", Rule::Equilibrium),
        ("fixed", Rule::Fixed),
        ("best_response", Rule::BestResponse),
        ("fictitious_play", Rule::FictitiousPlay),
        ("reinforcement", Rule::Reinforcement),
        ("epsilon_greedy", Rule::EpsilonGreedy),
        ("tatonnement", Rule::Tatonnement),
    ];

    /// Looks a rule up by name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    /// The rule's name as written.
    pub fn name(self) -> &'static str {
        Rule::ALL.iter().find(|(_, r)| *r == self).map(|(n, _)| *n).unwrap_or("?")
    }

    /// True for rules that learn over a finite set of actions.
    pub fn learns(self) -> bool {
        matches!(self, Rule::FictitiousPlay | Rule::Reinforcement | Rule::EpsilonGreedy)
    }
}

/// How a choice or a market plays in a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// What it governs.
    pub target: StrategyTarget,
    /// The rule.
    pub rule: Rule,
    /// Its arguments by name (a positional `fixed(v)` is `value`).
    pub args: Vec<(String, Expr)>,
    /// Where written.
    pub span: Span,
}

/// A checked regime.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// The file's `//!` doc.
    pub doc: Option<String>,
    /// Declared units.
    pub units: Vec<UnitDef>,
    /// Enumerations.
    pub enums: Vec<EnumDef>,
    /// Global parameters.
    pub params: Vec<Param>,
    /// Global lets.
    pub lets: Vec<Let>,
    /// Order in which global lets must be evaluated.
    pub let_order: Vec<LetId>,
    /// Functions and penalties.
    pub fns: Vec<Func>,
    /// Global random quantities.
    pub randoms: Vec<Random>,
    /// Actors and families.
    pub actors: Vec<Actor>,
    /// Markets.
    pub markets: Vec<Market>,
    /// Caps.
    pub caps: Vec<Cap>,
    /// Audits.
    pub audits: Vec<Audit>,
    /// Licences.
    pub licenses: Vec<License>,
    /// Thresholds.
    pub thresholds: Vec<Threshold>,
    /// Stages of a sequential game (actor ids per stage).
    pub sequence: Vec<Vec<ActorId>>,
    /// Finite games.
    pub games: Vec<Game>,
    /// Checks.
    pub checks: Vec<Check>,
    /// Expects.
    pub expects: Vec<Expect>,
    /// Scenarios.
    pub scenarios: Vec<Scenario>,
    /// Comparisons.
    pub compares: Vec<Compare>,
    /// Simulations.
    pub simulations: Vec<Simulate>,
    /// Sweeps.
    pub sweeps: Vec<Sweep>,
    /// The unit every payoff is in, if any payoff exists.
    pub payoff_dim: Option<Dimension>,
}

impl Model {
    /// The audit whose `detect` function is `f`, with the family it examines: inside that
    /// family, in a simulation round, a call of `f` is the detection draw.
    pub fn detection(&self, f: FnId) -> Option<(AuditId, ActorId)> {
        self.audits.iter().enumerate().find_map(|(id, a)| (a.detect == Some(f)).then_some((id, a.on?)))
    }

    /// The model scenario `name` is solved with: the penalties it removes are 0 (in their
    /// unit) wherever they are called — payoffs, lets, checks and comparisons alike.
    pub fn with_removed_penalties(mut self, name: &str) -> Model {
        let Some(scenario) = self.scenarios.iter().find(|s| s.name == name) else { return self };
        let removed = scenario.removes.clone();
        for f in self.fns.iter_mut().filter(|f| f.is_penalty && removed.contains(&f.name)) {
            f.body = Expr { kind: ExprKind::Const(Value::Num(0.0)), ty: f.ret.clone(), span: f.body.span };
        }
        self
    }
}
