//! The abstract syntax tree: what a `.gov` file says, before names are bound or units
//! checked. Every node keeps its source [`Span`]; nothing here is resolved.

use crate::source::{SourceId, Span};

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The text of the name.
    pub name: String,
    /// Where it appears.
    pub span: Span,
}

/// One parsed source file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Which source this came from.
    pub source: SourceId,
    /// The `//!` doc comment at the top, if any.
    pub doc: Option<String>,
    /// Declarations in order.
    pub items: Vec<Item>,
}

/// A declaration: top-level, inside an actor, or inside a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// What kind of declaration.
    pub kind: ItemKind,
    /// The whole declaration.
    pub span: Span,
    /// `///` doc comment lines directly above it, joined by newlines.
    pub doc: Option<String>,
}

/// The declarations of the language.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// `use module` / `use module.{a, b}`.
    Use(UseDecl),
    /// `unit name [= expr]`.
    Unit(UnitDecl),
    /// `type Name = {a, b}`.
    Type(TypeDecl),
    /// `param name: T [= default] ["doc"] [where cond]`.
    Param(ParamDecl),
    /// `let name [: T] = expr`.
    Let(LetDecl),
    /// `fn name(args) [: T] = expr`.
    Fn(FnDecl),
    /// `random name [: T] ~ Dist(...)`.
    Random(RandomDecl),
    /// `choose name: T [in domain] [or abstain]` (actors only).
    Choose(ChooseDecl),
    /// `payoff expr` (actors only).
    Payoff(Expr),
    /// `actor Name[i in lo..hi] { members }`.
    Actor(ActorDecl),
    /// `market name { supply .. demand .. price: T }`.
    Market(MarketDecl),
    /// `cap name: lhs <= rhs`.
    Cap(CapDecl),
    /// `penalty name(D: T): T = expr`.
    Penalty(FnDecl),
    /// `audit name [: T] = prob cost .. budget .. on .. detect ..`.
    Audit(AuditDecl),
    /// `license name for x in Family [by Actor] { ... }`.
    License(LicenseDecl),
    /// `threshold name: cond else penalty p [on A]` / `else ban`.
    Threshold(ThresholdDecl),
    /// `sequence { A; B, C }`.
    Sequence(SequenceDecl),
    /// `game name { players .. strategies .. payoffs .. }`.
    Game(GameDecl),
    /// `check name: prop`.
    Check(CheckDecl),
    /// `expect [name:] expr [+- tol]`.
    Expect(ExpectDecl),
    /// `scenario name { changes }`.
    Scenario(ScenarioDecl),
    /// `compare name = expr over s1, s2`.
    Compare(CompareDecl),
    /// `simulate name { clauses }`.
    Simulate(SimulateDecl),
    /// `sweep name { vary ..  metric .. }`.
    Sweep(SweepDecl),
}

/// `use module [.{names}]`.
#[derive(Debug, Clone, PartialEq)]
pub struct UseDecl {
    /// The stdlib module (`stdlib/<module>.gov`).
    pub module: Ident,
    /// Names imported unqualified; `None` imports the module name only.
    pub names: Option<Vec<Ident>>,
}

/// `unit name [= definition] ["doc"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDecl {
    /// The unit's name.
    pub name: Ident,
    /// For a derived unit, what one of it equals (`1000 pflop`).
    pub definition: Option<Expr>,
    /// Doc string.
    pub doc: Option<String>,
}

/// `type Name = {a, b}`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    /// The enumeration's name.
    pub name: Ident,
    /// Its variants.
    pub variants: Vec<Ident>,
}

/// `param name: T [= default] ["doc"] [where cond]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// The parameter's name.
    pub name: Ident,
    /// Declared type.
    pub ty: TypeExpr,
    /// Default value (required unless set from outside).
    pub default: Option<Expr>,
    /// Doc string.
    pub doc: Option<String>,
    /// A constraint every value must satisfy.
    pub constraint: Option<Expr>,
}

/// `let name [: T] = expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    /// The name.
    pub name: Ident,
    /// Optional declared type.
    pub ty: Option<TypeExpr>,
    /// Its definition.
    pub value: Expr,
}

/// `fn name(a: T, ...) [: T] = body` (also penalties).
#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    /// The function's name.
    pub name: Ident,
    /// Typed parameters.
    pub params: Vec<FnParam>,
    /// Declared result type.
    pub ret: Option<TypeExpr>,
    /// The body.
    pub body: Expr,
}

/// One typed function parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct FnParam {
    /// Its name.
    pub name: Ident,
    /// Its type; `None` makes the function generic in this parameter.
    pub ty: Option<TypeExpr>,
}

/// `random name [: T] ~ Dist(args)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomDecl {
    /// The drawn quantity's name.
    pub name: Ident,
    /// Optional declared type.
    pub ty: Option<TypeExpr>,
    /// The distribution, a call like `Normal(0 pflop, sigma)`.
    pub dist: Expr,
}

/// `choose name: T [in domain] [or abstain]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChooseDecl {
    /// The decision variable.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Where it ranges (enumerations need none).
    pub domain: Option<Domain>,
    /// `or abstain` was written (span of those words).
    pub abstain: Option<Span>,
}

/// `actor Name[i in lo..hi] { members }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorDecl {
    /// The actor (or family) name.
    pub name: Ident,
    /// For a family: index variable and range.
    pub family: Option<FamilyIndex>,
    /// Members: params, lets, fns, randoms, choices, the payoff.
    pub members: Vec<Item>,
}

/// `[i in lo..hi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyIndex {
    /// The index variable.
    pub var: Ident,
    /// First index.
    pub lo: Expr,
    /// Last index (inclusive).
    pub hi: Expr,
}

/// `market name { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketDecl {
    /// The market's name.
    pub name: Ident,
    /// `supply` clauses (exactly one expected).
    pub supply: Vec<Expr>,
    /// `demand` clauses (exactly one expected).
    pub demand: Vec<Expr>,
    /// `price:` clauses (exactly one expected).
    pub price: Vec<TypeExpr>,
}

/// `cap name: constraint`.
#[derive(Debug, Clone, PartialEq)]
pub struct CapDecl {
    /// The cap's name.
    pub name: Ident,
    /// A comparison like `sum(..) <= Q`.
    pub constraint: Expr,
}

/// `audit name [: T] = prob ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditDecl {
    /// The audit probability's name.
    pub name: Ident,
    /// Declared type (normally `Prob`).
    pub ty: Option<TypeExpr>,
    /// The audit probability.
    pub prob: Expr,
    /// Cost of one audit.
    pub cost: Option<Expr>,
    /// Total enforcement budget.
    pub budget: Option<Expr>,
    /// The audited family or actor.
    pub on: Option<Ident>,
    /// Detection probability as a function of the violation size.
    pub detect: Option<Expr>,
}

/// `license name for x in Family [by Actor] { metric .. require .. audit .. }`.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseDecl {
    /// The licence's name.
    pub name: Ident,
    /// The variable naming one holder.
    pub var: Ident,
    /// The licensed family or actor.
    pub holders: Ident,
    /// The licensor.
    pub licensor: Option<Ident>,
    /// The audited outcome metric.
    pub metric: Option<Expr>,
    /// The condition to keep the licence.
    pub require: Option<Expr>,
    /// Probability of an audit per round.
    pub audit: Option<Expr>,
}

/// `threshold name: cond else consequence`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdDecl {
    /// The rule's name.
    pub name: Ident,
    /// The requirement.
    pub condition: Expr,
    /// What missing it costs.
    pub consequence: Consequence,
}

/// The consequence of missing a threshold.
#[derive(Debug, Clone, PartialEq)]
pub enum Consequence {
    /// `penalty amount [on Actor]`.
    Penalty {
        /// How much.
        amount: Expr,
        /// Who pays (defaults to the chooser).
        on: Option<Ident>,
    },
    /// `ban [on Actor]`: the actor must abstain.
    Ban {
        /// Who is banned (defaults to the chooser).
        on: Option<Ident>,
    },
}

/// `sequence { A; B, C }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceDecl {
    /// Stages in order; each names the actors moving simultaneously.
    pub stages: Vec<Vec<Ident>>,
}

/// A finite strategic-form game.
#[derive(Debug, Clone, PartialEq)]
pub struct GameDecl {
    /// The game's name.
    pub name: Ident,
    /// Players in order.
    pub players: Vec<Ident>,
    /// Each player's strategies, as written.
    pub strategies: Vec<(Ident, Vec<Ident>)>,
    /// Nested payoff table.
    pub payoffs: PayoffTable,
}

/// A nested payoff table.
#[derive(Debug, Clone, PartialEq)]
pub enum PayoffTable {
    /// `[ ... ]` of sub-tables or tuples.
    Rows(Vec<PayoffTable>, Span),
    /// `(u1, u2, ...)`: one payoff per player.
    Tuple(Vec<Expr>, Span),
}

/// `check name: prop`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDecl {
    /// The check's name.
    pub name: Ident,
    /// The proposition.
    pub prop: Expr,
}

/// `expect [name:] expr [+- tol]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectDecl {
    /// Optional name.
    pub name: Option<Ident>,
    /// Usually `lhs == rhs`; any Bool otherwise.
    pub expr: Expr,
    /// Allowed absolute (or, with `%`, relative) error.
    pub tolerance: Option<Expr>,
}

/// `scenario name { changes }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDecl {
    /// The scenario's name.
    pub name: Ident,
    /// Its changes, in order.
    pub changes: Vec<ScenarioChange>,
}

/// One change a scenario makes.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioChange {
    /// `set path = expr`.
    Set(Path, Expr, Span),
    /// `remove a, b`.
    Remove(Vec<Ident>, Span),
    /// `fix Actor.choice = expr`.
    Fix(Path, Expr, Span),
    /// A declaration replacing the same-named rule, or adding one.
    Item(Box<Item>),
}

/// `a.b.c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Segments in order.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

/// `compare name = expr over s1, s2`.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareDecl {
    /// The metric's name.
    pub name: Ident,
    /// The metric.
    pub metric: Expr,
    /// Scenarios (`base` is the unchanged regime).
    pub scenarios: Vec<Ident>,
}

/// `simulate name { clauses }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulateDecl {
    /// The simulation's name.
    pub name: Ident,
    /// Its clauses in order.
    pub clauses: Vec<SimClause>,
}

/// One clause of a `simulate` block.
#[derive(Debug, Clone, PartialEq)]
pub enum SimClause {
    /// `rounds expr`.
    Rounds(Expr),
    /// `reps expr`.
    Reps(Expr),
    /// `seed expr`.
    Seed(Expr),
    /// `strategy Actor[.choice] = rule(args)`.
    Strategy(Path, Expr),
    /// `state name [: T] = init`.
    State(Ident, Option<TypeExpr>, Expr),
    /// `update name = expr`.
    Update(Ident, Expr),
    /// `metric name = expr`.
    Metric(Ident, Expr),
}

/// `sweep name { clauses }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepDecl {
    /// The sweep's name.
    pub name: Ident,
    /// Its clauses in order.
    pub clauses: Vec<SweepClause>,
}

/// One clause of a `sweep` block.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepClause {
    /// `vary name = values`.
    Vary(Box<Vary>),
    /// `metric name = expr`.
    Metric(Ident, Expr),
}

/// `vary name = values`: the values one parameter takes across a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The parameter.
    pub param: Ident,
    /// Its values.
    pub values: VaryValues,
    /// The whole clause.
    pub span: Span,
}

/// The values of a `vary`.
#[derive(Debug, Clone, PartialEq)]
pub enum VaryValues {
    /// `lo..hi:steps` (`:log` for geometric spacing), both ends included.
    Grid {
        /// First value.
        lo: Box<Expr>,
        /// Last value.
        hi: Box<Expr>,
        /// Number of values.
        steps: Box<Expr>,
        /// Geometric rather than even spacing.
        log: bool,
    },
    /// `a, b, c`.
    List(Vec<Expr>),
}

/// A written type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// Which shape.
    pub kind: TypeKind,
    /// Where.
    pub span: Span,
}

/// The shapes of a written type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `{a, b}`.
    Enum(Vec<Ident>),
    /// `Int`, `Real`, `Bool`, `Prob`, a named enumeration or a unit expression.
    Unit(UnitExpr),
}

/// A unit expression in a type: `usd/pflop^0.5`.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitExpr {
    /// A named unit (or a primitive / enumeration type name when alone).
    Name(Ident),
    /// `1`.
    One(Span),
    /// `a * b`.
    Mul(Box<UnitExpr>, Box<UnitExpr>),
    /// `a / b`.
    Div(Box<UnitExpr>, Box<UnitExpr>),
    /// `a ^ e`.
    Pow(Box<UnitExpr>, ExponentLit),
    /// `(a)`, kept so the formatter reproduces the grouping.
    Paren(Box<UnitExpr>, Span),
}

/// A rational exponent as written: `2`, `-1`, `0.5`, `(1/3)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExponentLit {
    /// Canonical text: `2`, `-1`, `0.5`, `1/3` (no parentheses).
    pub text: String,
    /// Where.
    pub span: Span,
}

/// Where a choice or bound variable ranges.
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
    /// `[lo, hi]` and the half-open variants.
    Interval {
        /// Lower bound.
        lo: Expr,
        /// Upper bound.
        hi: Expr,
        /// `(` rather than `[`.
        lo_open: bool,
        /// `)` rather than `]`.
        hi_open: bool,
    },
    /// `lo..hi`: integers, inclusive.
    Range(Expr, Expr),
    /// `{a, b, c}`.
    Set(Vec<Expr>),
    /// A family (`Developer`) or a list-valued expression.
    Expr(Expr),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// Which shape.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// The shapes of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number; the text is kept for the formatter.
    Number(f64, String),
    /// `true` / `false`.
    Bool(bool),
    /// `inf`.
    Inf,
    /// A name.
    Name(Ident),
    /// `e.name`.
    Member(Box<Expr>, Ident),
    /// `f(args)`.
    Call(Box<Expr>, Vec<Arg>),
    /// `e[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `e unit[^k]`: multiplication by a unit written after a value (`100 pflop`).
    WithUnit(Box<Expr>, Ident, Option<ExponentLit>),
    /// `e%`.
    Percent(Box<Expr>),
    /// `-e`, `not e`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `(e)`, kept so the formatter reproduces the grouping.
    Paren(Box<Expr>),
    /// `sum(x in D [where c]: body)` and friends.
    Aggregate {
        /// Which reduction.
        op: AggOp,
        /// The bound variable and its domain.
        binder: Box<Binder>,
        /// Optional filter.
        filter: Option<Box<Expr>>,
        /// The reduced expression.
        body: Box<Expr>,
    },
    /// `forall x in D: p` / `exists x in D: p`.
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// Bound variables.
        binders: Vec<Binder>,
        /// The proposition.
        body: Box<Expr>,
    },
}

/// A call argument, optionally named.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// `name =` if given.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// `x in D`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binder {
    /// The bound variable.
    pub var: Ident,
    /// Its domain.
    pub domain: Domain,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-`.
    Neg,
    /// `not`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `^`.
    Pow,
}

impl BinOp {
    /// The operator as written canonically.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }

    /// True for `== != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
}

/// Reductions over a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggOp {
    /// Σ.
    Sum,
    /// Arithmetic mean.
    Mean,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Π.
    Product,
    /// Number of members where the body holds.
    Count,
    /// True if the body holds for every member.
    All,
    /// True if it holds for some member.
    Any,
}

impl AggOp {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            AggOp::Sum => "sum",
            AggOp::Mean => "mean",
            AggOp::Min => "min",
            AggOp::Max => "max",
            AggOp::Product => "product",
            AggOp::Count => "count",
            AggOp::All => "all",
            AggOp::Any => "any",
        }
    }

    /// Parses an aggregate name.
    pub fn from_name(name: &str) -> Option<AggOp> {
        [AggOp::Sum, AggOp::Mean, AggOp::Min, AggOp::Max, AggOp::Product, AggOp::Count, AggOp::All, AggOp::Any]
            .into_iter()
            .find(|op| op.name() == name)
    }
}

/// `forall` or `exists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// ∀.
    Forall,
    /// ∃.
    Exists,
}

impl Item {
    /// The declared name, for items that have one.
    pub fn name(&self) -> Option<&Ident> {
        match &self.kind {
            ItemKind::Use(u) => Some(&u.module),
            ItemKind::Unit(d) => Some(&d.name),
            ItemKind::Type(d) => Some(&d.name),
            ItemKind::Param(d) => Some(&d.name),
            ItemKind::Let(d) => Some(&d.name),
            ItemKind::Fn(d) | ItemKind::Penalty(d) => Some(&d.name),
            ItemKind::Random(d) => Some(&d.name),
            ItemKind::Choose(d) => Some(&d.name),
            ItemKind::Actor(d) => Some(&d.name),
            ItemKind::Market(d) => Some(&d.name),
            ItemKind::Cap(d) => Some(&d.name),
            ItemKind::Audit(d) => Some(&d.name),
            ItemKind::License(d) => Some(&d.name),
            ItemKind::Threshold(d) => Some(&d.name),
            ItemKind::Game(d) => Some(&d.name),
            ItemKind::Check(d) => Some(&d.name),
            ItemKind::Expect(d) => d.name.as_ref(),
            ItemKind::Scenario(d) => Some(&d.name),
            ItemKind::Compare(d) => Some(&d.name),
            ItemKind::Simulate(d) => Some(&d.name),
            ItemKind::Sweep(d) => Some(&d.name),
            ItemKind::Payoff(_) | ItemKind::Sequence(_) => None,
        }
    }

    /// The keyword that introduces this item.
    pub fn keyword(&self) -> &'static str {
        match &self.kind {
            ItemKind::Use(_) => "use",
            ItemKind::Unit(_) => "unit",
            ItemKind::Type(_) => "type",
            ItemKind::Param(_) => "param",
            ItemKind::Let(_) => "let",
            ItemKind::Fn(_) => "fn",
            ItemKind::Random(_) => "random",
            ItemKind::Choose(_) => "choose",
            ItemKind::Payoff(_) => "payoff",
            ItemKind::Actor(_) => "actor",
            ItemKind::Market(_) => "market",
            ItemKind::Cap(_) => "cap",
            ItemKind::Penalty(_) => "penalty",
            ItemKind::Audit(_) => "audit",
            ItemKind::License(_) => "license",
            ItemKind::Threshold(_) => "threshold",
            ItemKind::Sequence(_) => "sequence",
            ItemKind::Game(_) => "game",
            ItemKind::Check(_) => "check",
            ItemKind::Expect(_) => "expect",
            ItemKind::Scenario(_) => "scenario",
            ItemKind::Compare(_) => "compare",
            ItemKind::Simulate(_) => "simulate",
            ItemKind::Sweep(_) => "sweep",
        }
    }
}
