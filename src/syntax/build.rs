//! pest pairs → AST nodes: one function per grammar rule, precedence in one
//! [`PrattParser`]. The grammar guarantees the shapes matched here; where a shape is
//! missing anyway, [`Builder::internal`] returns an `E0901` instead of panicking.

use super::ast::*;
use super::errors;
use super::trivia::{doc_before, Comment};
use super::Rule;
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

/// Most operators one expression may hold; longer ones are rejected with `E0103` so that
/// later recursive passes stay within the stack.
pub const OPERATOR_LIMIT: usize = 10_000;

/// Deepest nesting of `expr` inside `expr` (parentheses, `if`, quantifiers, arguments).
const NESTING_LIMIT: usize = 500;
/// Deepest expression tree accepted (a sum of n terms is n deep).
const DEPTH_LIMIT: usize = 5_000;

/// Longest run of prefix operators, or of `^` operators, one expression may hold.
const CHAIN_LIMIT: usize = 200;

type Result<T> = std::result::Result<T, Diagnostic>;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::eq_op, Assoc::Left)
            | Op::infix(Rule::ne_op, Assoc::Left)
            | Op::infix(Rule::lt_op, Assoc::Left)
            | Op::infix(Rule::le_op, Assoc::Left)
            | Op::infix(Rule::gt_op, Assoc::Left)
            | Op::infix(Rule::ge_op, Assoc::Left))
        .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left) | Op::infix(Rule::div_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
        .op(Op::infix(Rule::pow_op, Assoc::Right))
        .op(Op::postfix(Rule::member_op)
            | Op::postfix(Rule::call_op)
            | Op::postfix(Rule::index_op)
            | Op::postfix(Rule::unit_op_postfix)
            | Op::postfix(Rule::percent_op))
});

/// Builds AST nodes for one source.
pub(super) struct Builder<'a> {
    pub source: SourceId,
    pub text: &'a str,
    pub comments: &'a [Comment],
    /// Nesting of `expr` calls now (bounded so that `if`/`forall` chains cannot exhaust the stack).
    pub depth: std::cell::Cell<usize>,
}

impl<'a> Builder<'a> {
    /// The pair's span without trailing whitespace (pest includes the whitespace it
    /// skipped before an optional part that did not match).
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let end = s.start() + pair.as_str().trim_end().len();
        Span::new(self.source, s.start()..end)
    }

    fn internal(&self, pair: &Pair<'_, Rule>, what: &str) -> Diagnostic {
        errors::internal_at(self.span(pair), what)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { name: pair.as_str().to_string(), span: self.span(&pair) }
    }

    /// Takes the next inner pair, which the grammar guarantees.
    fn next<'i>(&self, parent: &Pair<'i, Rule>, it: &mut Pairs<'i, Rule>) -> Result<Pair<'i, Rule>> {
        it.next().ok_or_else(|| self.internal(parent, "missing grammar node"))
    }

    /// Skips keyword tokens (rules named `kw_*`) so builders see only content.
    fn content<'i>(&self, pair: &Pair<'i, Rule>) -> Pairs<'i, Rule> {
        pair.clone().into_inner()
    }

    /// Items in order (EOI ignored).
    pub fn items<'i>(&self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> Result<Vec<Item>> {
        pairs.filter(|p| p.as_rule() != Rule::EOI).map(|p| self.item(p)).collect()
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Result<Item> {
        let span = self.span(&pair);
        let doc = doc_before(self.text, self.comments, span.start as usize);
        let kind = match pair.as_rule() {
            Rule::use_decl => ItemKind::Use(self.use_decl(pair)?),
            Rule::unit_decl => ItemKind::Unit(self.unit_decl(pair)?),
            Rule::type_decl => ItemKind::Type(self.type_decl(pair)?),
            Rule::param_decl => ItemKind::Param(self.param_decl(pair)?),
            Rule::let_decl => ItemKind::Let(self.let_decl(pair)?),
            Rule::fn_decl | Rule::penalty_decl => {
                let is_penalty = pair.as_rule() == Rule::penalty_decl;
                let f = self.fn_decl(pair)?;
                if is_penalty {
                    ItemKind::Penalty(f)
                } else {
                    ItemKind::Fn(f)
                }
            }
            Rule::random_decl => ItemKind::Random(self.random_decl(pair)?),
            Rule::choose_decl => ItemKind::Choose(self.choose_decl(pair)?),
            Rule::payoff_decl => ItemKind::Payoff(self.single_expr(pair)?),
            Rule::actor_decl => ItemKind::Actor(self.actor_decl(pair)?),
            Rule::market_decl => ItemKind::Market(self.market_decl(pair)?),
            Rule::cap_decl => ItemKind::Cap(self.cap_decl(pair)?),
            Rule::audit_decl => ItemKind::Audit(self.audit_decl(pair)?),
            Rule::license_decl => ItemKind::License(self.license_decl(pair)?),
            Rule::threshold_decl => ItemKind::Threshold(self.threshold_decl(pair)?),
            Rule::sequence_decl => ItemKind::Sequence(self.sequence_decl(pair)?),
            Rule::game_decl => ItemKind::Game(self.game_decl(pair)?),
            Rule::check_decl => ItemKind::Check(self.check_decl(pair)?),
            Rule::expect_decl => ItemKind::Expect(self.expect_decl(pair)?),
            Rule::scenario_decl => ItemKind::Scenario(self.scenario_decl(pair)?),
            Rule::compare_decl => ItemKind::Compare(self.compare_decl(pair)?),
            Rule::simulate_decl => ItemKind::Simulate(self.simulate_decl(pair)?),
            Rule::sweep_decl => ItemKind::Sweep(self.sweep_decl(pair)?),
            _ => return Err(self.internal(&pair, "unexpected declaration")),
        };
        Ok(Item { kind, span, doc })
    }

    /// Content pairs of a declaration with keyword tokens removed.
    fn parts<'i>(&self, pair: &Pair<'i, Rule>) -> Vec<Pair<'i, Rule>> {
        self.content(pair).filter(|p| !is_keyword(p.as_rule())).collect()
    }

    fn use_decl(&self, pair: Pair<'_, Rule>) -> Result<UseDecl> {
        let mut it = self.parts(&pair).into_iter();
        let module = self.ident(it.next().ok_or_else(|| self.internal(&pair, "use without module"))?);
        let names = it.next().map(|list| self.ident_list(list));
        Ok(UseDecl { module, names })
    }

    fn unit_decl(&self, pair: Pair<'_, Rule>) -> Result<UnitDecl> {
        let mut name = None;
        let mut definition = None;
        let mut doc = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::expr => definition = Some(self.expr(p)?),
                Rule::doc_string => doc = Some(unescape(p.as_str())),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "unit without name"))?;
        Ok(UnitDecl { name, definition, doc })
    }

    fn type_decl(&self, pair: Pair<'_, Rule>) -> Result<TypeDecl> {
        let mut it = self.parts(&pair).into_iter();
        let name = self.ident(it.next().ok_or_else(|| self.internal(&pair, "type without name"))?);
        let enum_ty = it.next().ok_or_else(|| self.internal(&pair, "type without variants"))?;
        let list = self.next(&enum_ty, &mut enum_ty.clone().into_inner())?;
        Ok(TypeDecl { name, variants: self.ident_list(list) })
    }

    fn param_decl(&self, pair: Pair<'_, Rule>) -> Result<ParamDecl> {
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        let mut doc = None;
        let mut constraint = None;
        let mut after_where = false;
        for p in self.content(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_expr => ty = Some(self.type_expr(p)?),
                Rule::kw_where => after_where = true,
                Rule::expr if after_where => constraint = Some(self.expr(p)?),
                Rule::expr => default = Some(self.expr(p)?),
                Rule::doc_string => doc = Some(unescape(p.as_str())),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "param without name"))?;
        let ty = ty.ok_or_else(|| self.internal(&pair, "param without type"))?;
        Ok(ParamDecl { name, ty, default, doc, constraint })
    }

    fn let_decl(&self, pair: Pair<'_, Rule>) -> Result<LetDecl> {
        let mut name = None;
        let mut ty = None;
        let mut value = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_expr => ty = Some(self.type_expr(p)?),
                Rule::expr => value = Some(self.expr(p)?),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "let without name"))?;
        let value = value.ok_or_else(|| self.internal(&pair, "let without value"))?;
        Ok(LetDecl { name, ty, value })
    }

    fn fn_decl(&self, pair: Pair<'_, Rule>) -> Result<FnDecl> {
        let mut name = None;
        let mut params = Vec::new();
        let mut ret = None;
        let mut body = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::fn_params => {
                    for fp in p.into_inner() {
                        let mut inner = fp.clone().into_inner();
                        let pname = self.ident(self.next(&fp, &mut inner)?);
                        let pty = inner.next().map(|t| self.type_expr(t)).transpose()?;
                        params.push(FnParam { name: pname, ty: pty });
                    }
                }
                Rule::type_expr => ret = Some(self.type_expr(p)?),
                Rule::expr => body = Some(self.expr(p)?),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "fn without name"))?;
        let body = body.ok_or_else(|| self.internal(&pair, "fn without body"))?;
        Ok(FnDecl { name, params, ret, body })
    }

    fn random_decl(&self, pair: Pair<'_, Rule>) -> Result<RandomDecl> {
        let mut name = None;
        let mut ty = None;
        let mut dist = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_expr => ty = Some(self.type_expr(p)?),
                Rule::expr => dist = Some(self.expr(p)?),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "random without name"))?;
        let dist = dist.ok_or_else(|| self.internal(&pair, "random without distribution"))?;
        Ok(RandomDecl { name, ty, dist })
    }

    fn choose_decl(&self, pair: Pair<'_, Rule>) -> Result<ChooseDecl> {
        let mut name = None;
        let mut ty = None;
        let mut domain = None;
        let mut abstain = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_expr => ty = Some(self.type_expr(p)?),
                Rule::domain => domain = Some(self.domain(p)?),
                Rule::abstain => abstain = Some(self.span(&p)),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "choose without name"))?;
        let ty = ty.ok_or_else(|| self.internal(&pair, "choose without type"))?;
        Ok(ChooseDecl { name, ty, domain, abstain })
    }

    fn actor_decl(&self, pair: Pair<'_, Rule>) -> Result<ActorDecl> {
        let mut name = None;
        let mut family = None;
        let mut members = Vec::new();
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::family_index => {
                    let mut inner = p.clone().into_inner().filter(|q| !is_keyword(q.as_rule()));
                    let var = self.ident(inner.next().ok_or_else(|| self.internal(&p, "family without index"))?);
                    let range = inner.next().ok_or_else(|| self.internal(&p, "family without range"))?;
                    let (lo, hi) = self.range(range)?;
                    family = Some(FamilyIndex { var, lo, hi });
                }
                _ => members.push(self.item(p)?),
            }
        }
        let name = name.ok_or_else(|| self.internal(&pair, "actor without name"))?;
        Ok(ActorDecl { name, family, members })
    }

    fn market_decl(&self, pair: Pair<'_, Rule>) -> Result<MarketDecl> {
        let mut m = MarketDecl { name: self.first_ident(&pair)?, supply: vec![], demand: vec![], price: vec![] };
        for p in self.parts(&pair).into_iter().skip(1) {
            match p.as_rule() {
                Rule::market_supply => m.supply.push(self.single_expr(p)?),
                Rule::market_demand => m.demand.push(self.single_expr(p)?),
                Rule::market_price => {
                    let ty = self.parts(&p).into_iter().next().ok_or_else(|| self.internal(&p, "price"))?;
                    m.price.push(self.type_expr(ty)?);
                }
                _ => {}
            }
        }
        Ok(m)
    }

    fn cap_decl(&self, pair: Pair<'_, Rule>) -> Result<CapDecl> {
        Ok(CapDecl { name: self.first_ident(&pair)?, constraint: self.single_expr(pair)? })
    }

    fn audit_decl(&self, pair: Pair<'_, Rule>) -> Result<AuditDecl> {
        let name = self.first_ident(&pair)?;
        let mut a = AuditDecl {
            name,
            ty: None,
            prob: placeholder(&pair, self),
            cost: None,
            budget: None,
            on: None,
            detect: None,
        };
        let mut has_prob = false;
        for p in self.parts(&pair).into_iter().skip(1) {
            match p.as_rule() {
                Rule::type_expr => a.ty = Some(self.type_expr(p)?),
                Rule::expr => {
                    a.prob = self.expr(p)?;
                    has_prob = true;
                }
                Rule::audit_cost => once(&mut a.cost, self.single_expr(p.clone())?, &p, self)?,
                Rule::audit_budget => once(&mut a.budget, self.single_expr(p.clone())?, &p, self)?,
                Rule::audit_on => once(&mut a.on, self.first_ident(&p)?, &p, self)?,
                Rule::audit_detect => once(&mut a.detect, self.single_expr(p.clone())?, &p, self)?,
                _ => {}
            }
        }
        if !has_prob {
            return Err(self.internal(&pair, "audit without probability"));
        }
        Ok(a)
    }

    fn license_decl(&self, pair: Pair<'_, Rule>) -> Result<LicenseDecl> {
        let parts = self.parts(&pair);
        let idents: Vec<Ident> =
            parts.iter().filter(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p.clone())).collect();
        let [name, var, holders, rest @ ..] = idents.as_slice() else {
            return Err(self.internal(&pair, "license header"));
        };
        let mut l = LicenseDecl {
            name: name.clone(),
            var: var.clone(),
            holders: holders.clone(),
            licensor: rest.first().cloned(),
            metric: None,
            require: None,
            audit: None,
        };
        for p in parts {
            match p.as_rule() {
                Rule::license_metric => once(&mut l.metric, self.single_expr(p.clone())?, &p, self)?,
                Rule::license_require => once(&mut l.require, self.single_expr(p.clone())?, &p, self)?,
                Rule::license_audit => once(&mut l.audit, self.single_expr(p.clone())?, &p, self)?,
                _ => {}
            }
        }
        Ok(l)
    }

    fn threshold_decl(&self, pair: Pair<'_, Rule>) -> Result<ThresholdDecl> {
        let parts = self.parts(&pair);
        let name = self.first_ident(&pair)?;
        let condition = self.single_expr(pair.clone())?;
        let cons = parts
            .iter()
            .find(|p| matches!(p.as_rule(), Rule::consequence_penalty | Rule::consequence_ban))
            .ok_or_else(|| self.internal(&pair, "threshold without consequence"))?;
        let on = self.parts(cons).into_iter().find(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p));
        let consequence = if cons.as_rule() == Rule::consequence_penalty {
            Consequence::Penalty { amount: self.single_expr(cons.clone())?, on }
        } else {
            Consequence::Ban { on }
        };
        Ok(ThresholdDecl { name, condition, consequence })
    }

    fn sequence_decl(&self, pair: Pair<'_, Rule>) -> Result<SequenceDecl> {
        let stages = self
            .parts(&pair)
            .into_iter()
            .filter(|p| p.as_rule() == Rule::stage)
            .map(|s| s.into_inner().map(|i| self.ident(i)).collect())
            .collect();
        Ok(SequenceDecl { stages })
    }

    fn game_decl(&self, pair: Pair<'_, Rule>) -> Result<GameDecl> {
        let name = self.first_ident(&pair)?;
        let mut players = Vec::new();
        let mut strategies = Vec::new();
        let mut payoffs = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::game_players => {
                    if let Some(list) = self.parts(&p).into_iter().next() {
                        players = self.ident_list(list);
                    }
                }
                Rule::game_strategies => {
                    for set in self.parts(&p) {
                        let mut inner = set.clone().into_inner();
                        let who = self.ident(self.next(&set, &mut inner)?);
                        let list = self.ident_list(self.next(&set, &mut inner)?);
                        strategies.push((who, list));
                    }
                }
                Rule::game_payoffs => {
                    let table = self.parts(&p).into_iter().next().ok_or_else(|| self.internal(&p, "payoffs"))?;
                    payoffs = Some(self.payoff_table(table)?);
                }
                _ => {}
            }
        }
        let payoffs = payoffs.ok_or_else(|| self.internal(&pair, "game without payoffs"))?;
        Ok(GameDecl { name, players, strategies, payoffs })
    }

    fn payoff_table(&self, pair: Pair<'_, Rule>) -> Result<PayoffTable> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::payoff_table => {
                Ok(PayoffTable::Rows(pair.into_inner().map(|p| self.payoff_table(p)).collect::<Result<_>>()?, span))
            }
            _ => Ok(PayoffTable::Tuple(pair.into_inner().map(|p| self.expr(p)).collect::<Result<_>>()?, span)),
        }
    }

    fn check_decl(&self, pair: Pair<'_, Rule>) -> Result<CheckDecl> {
        Ok(CheckDecl { name: self.first_ident(&pair)?, prop: self.single_expr(pair)? })
    }

    fn expect_decl(&self, pair: Pair<'_, Rule>) -> Result<ExpectDecl> {
        let mut name = None;
        let mut expr = None;
        let mut tolerance = None;
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::expr => expr = Some(self.expr(p)?),
                Rule::tolerance => tolerance = Some(self.single_expr(p)?),
                _ => {}
            }
        }
        let expr = expr.ok_or_else(|| self.internal(&pair, "expect without expression"))?;
        Ok(ExpectDecl { name, expr, tolerance })
    }

    fn scenario_decl(&self, pair: Pair<'_, Rule>) -> Result<ScenarioDecl> {
        let name = self.first_ident(&pair)?;
        let mut changes = Vec::new();
        for p in self.parts(&pair).into_iter().skip(1) {
            let span = self.span(&p);
            let change = match p.as_rule() {
                Rule::scenario_set | Rule::scenario_fix => {
                    let parts = self.parts(&p);
                    let [path, value] = parts.as_slice() else {
                        return Err(self.internal(&p, "set/fix shape"));
                    };
                    let path = self.path(path.clone());
                    let value = self.expr(value.clone())?;
                    if p.as_rule() == Rule::scenario_set {
                        ScenarioChange::Set(path, value, span)
                    } else {
                        ScenarioChange::Fix(path, value, span)
                    }
                }
                Rule::scenario_remove => {
                    ScenarioChange::Remove(self.parts(&p).into_iter().map(|i| self.ident(i)).collect(), span)
                }
                _ => ScenarioChange::Item(Box::new(self.item(p)?)),
            };
            changes.push(change);
        }
        Ok(ScenarioDecl { name, changes })
    }

    fn compare_decl(&self, pair: Pair<'_, Rule>) -> Result<CompareDecl> {
        let parts = self.parts(&pair);
        let [name, metric, list] = parts.as_slice() else {
            return Err(self.internal(&pair, "compare shape"));
        };
        Ok(CompareDecl {
            name: self.ident(name.clone()),
            metric: self.expr(metric.clone())?,
            scenarios: self.ident_list(list.clone()),
        })
    }

    fn simulate_decl(&self, pair: Pair<'_, Rule>) -> Result<SimulateDecl> {
        let name = self.first_ident(&pair)?;
        let mut clauses = Vec::new();
        for p in self.parts(&pair).into_iter().skip(1) {
            let parts = self.parts(&p);
            let clause = match (p.as_rule(), parts.as_slice()) {
                (Rule::sim_rounds, [e]) => SimClause::Rounds(self.expr(e.clone())?),
                (Rule::sim_reps, [e]) => SimClause::Reps(self.expr(e.clone())?),
                (Rule::sim_seed, [e]) => SimClause::Seed(self.expr(e.clone())?),
                (Rule::sim_strategy, [path, e]) => SimClause::Strategy(self.path(path.clone()), self.expr(e.clone())?),
                (Rule::sim_state, [n, e]) => SimClause::State(self.ident(n.clone()), None, self.expr(e.clone())?),
                (Rule::sim_state, [n, t, e]) => {
                    SimClause::State(self.ident(n.clone()), Some(self.type_expr(t.clone())?), self.expr(e.clone())?)
                }
                (Rule::sim_update, [n, e]) => SimClause::Update(self.ident(n.clone()), self.expr(e.clone())?),
                (Rule::sim_metric, [n, e]) => SimClause::Metric(self.ident(n.clone()), self.expr(e.clone())?),
                _ => return Err(self.internal(&p, "simulate clause shape")),
            };
            clauses.push(clause);
        }
        Ok(SimulateDecl { name, clauses })
    }

    fn sweep_decl(&self, pair: Pair<'_, Rule>) -> Result<SweepDecl> {
        let name = self.first_ident(&pair)?;
        let mut clauses = Vec::new();
        for p in self.parts(&pair).into_iter().skip(1) {
            let parts = self.parts(&p);
            let clause = match (p.as_rule(), parts.as_slice()) {
                (Rule::sweep_vary, [param, values]) => SweepClause::Vary(Box::new(Vary {
                    param: self.ident(param.clone()),
                    values: self.vary_values(values.clone())?,
                    span: self.span(&p),
                })),
                (Rule::sweep_metric, [n, e]) => SweepClause::Metric(self.ident(n.clone()), self.expr(e.clone())?),
                _ => return Err(self.internal(&p, "sweep clause shape")),
            };
            clauses.push(clause);
        }
        Ok(SweepDecl { name, clauses })
    }

    /// `lo..hi:steps[:log]` or `a, b, c`.
    pub fn vary_values(&self, pair: Pair<'_, Rule>) -> Result<VaryValues> {
        let inner = self.next(&pair, &mut pair.clone().into_inner())?;
        let parts = self.parts(&inner);
        match (inner.as_rule(), parts.as_slice()) {
            (Rule::vary_grid, [lo, hi, steps, rest @ ..]) => Ok(VaryValues::Grid {
                lo: Box::new(self.expr(lo.clone())?),
                hi: Box::new(self.expr(hi.clone())?),
                steps: Box::new(self.expr(steps.clone())?),
                log: rest.iter().any(|p| p.as_rule() == Rule::vary_log),
            }),
            (Rule::vary_list, items) => {
                Ok(VaryValues::List(items.iter().map(|e| self.expr(e.clone())).collect::<Result<Vec<_>>>()?))
            }
            _ => Err(self.internal(&inner, "vary values shape")),
        }
    }

    /// A `--vary NAME=VALUES` argument: the whole text is the clause.
    pub fn vary_input(&self, pair: Pair<'_, Rule>) -> Result<Vary> {
        let span = Span::new(self.source, 0..self.text.trim_end().len());
        let parts: Vec<Pair<'_, Rule>> = pair.clone().into_inner().filter(|p| p.as_rule() != Rule::EOI).collect();
        let [param, values] = parts.as_slice() else {
            return Err(self.internal(&pair, "vary input shape"));
        };
        Ok(Vary { param: self.ident(param.clone()), values: self.vary_values(values.clone())?, span })
    }

    /// A `--metric [NAME=]EXPR` argument; an unnamed metric is named by its text.
    pub fn metric_input(&self, pair: Pair<'_, Rule>) -> Result<(Ident, Expr)> {
        let parts: Vec<Pair<'_, Rule>> = pair.clone().into_inner().filter(|p| p.as_rule() != Rule::EOI).collect();
        match parts.as_slice() {
            [name, e] => Ok((self.ident(name.clone()), self.expr(e.clone())?)),
            [e] => {
                let span = self.span(e);
                let name = Ident { name: e.as_str().trim().to_string(), span };
                Ok((name, self.expr(e.clone())?))
            }
            _ => Err(self.internal(&pair, "metric input shape")),
        }
    }

    // ───────────── helpers for shared shapes ─────────────

    fn first_ident(&self, pair: &Pair<'_, Rule>) -> Result<Ident> {
        self.parts(pair)
            .into_iter()
            .find(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(p))
            .ok_or_else(|| self.internal(pair, "missing name"))
    }

    /// The one `expr` child of a clause.
    fn single_expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let e = self
            .parts(&pair)
            .into_iter()
            .find(|p| p.as_rule() == Rule::expr)
            .ok_or_else(|| self.internal(&pair, "missing expression"))?;
        self.expr(e)
    }

    fn ident_list(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        pair.into_inner().map(|p| self.ident(p)).collect()
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Path {
        let span = self.span(&pair);
        Path { segments: pair.into_inner().map(|p| self.ident(p)).collect(), span }
    }

    fn range(&self, pair: Pair<'_, Rule>) -> Result<(Expr, Expr)> {
        let mut inner = pair.clone().into_inner();
        let lo = self.expr(self.next(&pair, &mut inner)?)?;
        let hi = self.expr(self.next(&pair, &mut inner)?)?;
        Ok((lo, hi))
    }

    // ───────────── types ─────────────

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Result<TypeExpr> {
        let span = self.span(&pair);
        let inner = self.next(&pair, &mut pair.clone().into_inner())?;
        let kind = match inner.as_rule() {
            Rule::enum_type => {
                let list = self.next(&inner, &mut inner.clone().into_inner())?;
                TypeKind::Enum(self.ident_list(list))
            }
            _ => TypeKind::Unit(self.unit_expr(inner)?),
        };
        Ok(TypeExpr { kind, span })
    }

    fn unit_expr(&self, pair: Pair<'_, Rule>) -> Result<UnitExpr> {
        let mut it = pair.clone().into_inner();
        let mut acc = self.unit_term(self.next(&pair, &mut it)?)?;
        while let Some(op) = it.next() {
            let rhs = self.unit_term(self.next(&pair, &mut it)?)?;
            acc = if op.as_str() == "*" {
                UnitExpr::Mul(Box::new(acc), Box::new(rhs))
            } else {
                UnitExpr::Div(Box::new(acc), Box::new(rhs))
            };
        }
        Ok(acc)
    }

    fn unit_term(&self, pair: Pair<'_, Rule>) -> Result<UnitExpr> {
        let mut it = pair.clone().into_inner();
        let base = self.next(&pair, &mut it)?;
        let mut term = match base.as_rule() {
            Rule::ident => UnitExpr::Name(self.ident(base)),
            Rule::one => UnitExpr::One(self.span(&base)),
            _ => {
                let span = self.span(&base);
                UnitExpr::Paren(Box::new(self.unit_expr(base)?), span)
            }
        };
        if let Some(exp) = it.next() {
            term = UnitExpr::Pow(Box::new(term), self.exponent(exp));
        }
        Ok(term)
    }

    fn exponent(&self, pair: Pair<'_, Rule>) -> ExponentLit {
        let text: String = pair.as_str().chars().filter(|c| !c.is_whitespace() && *c != '(' && *c != ')').collect();
        ExponentLit { text: text.replace('_', ""), span: self.span(&pair) }
    }

    fn domain(&self, pair: Pair<'_, Rule>) -> Result<Domain> {
        let span = self.span(&pair);
        let inner = self.next(&pair, &mut pair.clone().into_inner())?;
        let kind = match inner.as_rule() {
            Rule::interval => {
                let mut it = inner.clone().into_inner();
                let open = self.next(&inner, &mut it)?;
                let lo = self.expr(self.next(&inner, &mut it)?)?;
                let hi = self.expr(self.next(&inner, &mut it)?)?;
                let close = self.next(&inner, &mut it)?;
                DomainKind::Interval { lo, hi, lo_open: open.as_str() == "(", hi_open: close.as_str() == ")" }
            }
            Rule::set_lit => DomainKind::Set(inner.into_inner().map(|p| self.expr(p)).collect::<Result<_>>()?),
            _ => {
                let mut parts = inner.clone().into_inner();
                let first = self.expr(self.next(&inner, &mut parts)?)?;
                match parts.next() {
                    Some(hi) => DomainKind::Range(first, self.expr(hi)?),
                    None => DomainKind::Expr(first),
                }
            }
        };
        Ok(Domain { kind, span })
    }

    // ───────────── expressions ─────────────

    /// Builds an `expr` pair; at the outermost level also bounds the depth of the whole tree.
    pub fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let depth = self.depth.get();
        if depth >= NESTING_LIMIT {
            return Err(Diagnostic::new(Code::E0103, self.span(&pair), "nesting too deep")
                .label(format!("expressions nested more than {NESTING_LIMIT} deep"))
                .help("name intermediate results with `let`"));
        }
        self.depth.set(depth + 1);
        let built = self.expr_flat(pair);
        self.depth.set(depth);
        let built = built?;
        if depth == 0 {
            let tree = tree_depth(&built);
            if tree > DEPTH_LIMIT {
                return Err(Diagnostic::new(Code::E0103, built.span, "expression nested too deeply")
                    .label(format!("this expression is {tree} levels deep"))
                    .help(format!("split it with `let` into parts less than {DEPTH_LIMIT} deep")));
            }
        }
        Ok(built)
    }

    /// Builds one `expr` pair with the Pratt parser.
    fn expr_flat(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let operators = pair.clone().into_inner().count();
        if operators > OPERATOR_LIMIT {
            return Err(Diagnostic::new(Code::E0103, self.span(&pair), "expression too long")
                .label(format!("this expression has {operators} operators and operands"))
                .help(format!("split it with `let` into parts of fewer than {OPERATOR_LIMIT}")));
        }
        self.check_chains(&pair)?;
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).to(rhs.span);
                let op = if op.as_rule() == Rule::neg_op { UnOp::Neg } else { UnOp::Not };
                Ok(Expr { kind: ExprKind::Unary(op, Box::new(rhs)), span })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.to(rhs.span);
                let op = binop(op.as_rule()).ok_or_else(|| self.internal(&op, "unknown operator"))?;
                Ok(Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span })
            })
            .map_postfix(|lhs, op| self.postfix(lhs?, op))
            .parse(pair.into_inner())
    }

    /// Prefix operators and `^` chains nest to the right, and the Pratt parser recurses
    /// once per level: reject absurd runs before they can exhaust the stack.
    fn check_chains(&self, pair: &Pair<'_, Rule>) -> Result<()> {
        let (mut prefix, mut power) = (0usize, 0usize);
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::neg_op | Rule::not_op => prefix += 1,
                Rule::pow_op => power += 1,
                Rule::primary | Rule::number | Rule::ident | Rule::paren => prefix = 0,
                r if binop(r).is_some() => {}
                _ => {}
            }
            if matches!(
                p.as_rule(),
                Rule::or_op | Rule::and_op | Rule::add_op | Rule::sub_op | Rule::mul_op | Rule::div_op
            ) || binop(p.as_rule()).is_some_and(BinOp::is_comparison)
            {
                power = 0;
            }
            if prefix > CHAIN_LIMIT || power > CHAIN_LIMIT {
                let what = if prefix > CHAIN_LIMIT { "prefix operators" } else { "`^` operators" };
                return Err(Diagnostic::new(Code::E0103, self.span(&p), "nesting too deep")
                    .label(format!("more than {CHAIN_LIMIT} {what} in a row"))
                    .help("name intermediate results with `let`"));
            }
        }
        Ok(())
    }

    fn postfix(&self, lhs: Expr, op: Pair<'_, Rule>) -> Result<Expr> {
        let span = lhs.span.to(self.span(&op));
        let kind = match op.as_rule() {
            Rule::member_op => {
                let name = self.next(&op, &mut op.clone().into_inner())?;
                ExprKind::Member(Box::new(lhs), self.ident(name))
            }
            Rule::call_op => {
                let args = op.into_inner().map(|a| self.arg(a)).collect::<Result<_>>()?;
                ExprKind::Call(Box::new(lhs), args)
            }
            Rule::index_op => {
                let index = self.expr(self.next(&op, &mut op.clone().into_inner())?)?;
                ExprKind::Index(Box::new(lhs), Box::new(index))
            }
            Rule::unit_op_postfix => {
                let mut it = op.clone().into_inner();
                let unit = self.ident(self.next(&op, &mut it)?);
                let exp = it.next().map(|e| self.exponent(e));
                ExprKind::WithUnit(Box::new(lhs), unit, exp)
            }
            _ => ExprKind::Percent(Box::new(lhs)),
        };
        Ok(Expr { kind, span })
    }

    fn arg(&self, pair: Pair<'_, Rule>) -> Result<Arg> {
        let mut name = None;
        let mut value = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                _ => value = Some(self.expr(p)?),
            }
        }
        let value = value.ok_or_else(|| self.internal(&pair, "argument without value"))?;
        Ok(Arg { name, value })
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => {
                let text = pair.as_str().to_string();
                let value = parse_number(&text).ok_or_else(|| {
                    Diagnostic::new(Code::E0102, span, "number literal out of range")
                        .label(format!("`{text}` is too large to represent"))
                        .help("use a larger unit or a smaller exponent")
                })?;
                ExprKind::Number(value, text)
            }
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::infinity => ExprKind::Inf,
            Rule::ident => ExprKind::Name(self.ident(pair)),
            Rule::paren => {
                let inner = self.next(&pair, &mut pair.clone().into_inner())?;
                ExprKind::Paren(Box::new(self.expr(inner)?))
            }
            Rule::list => ExprKind::List(pair.into_inner().map(|p| self.expr(p)).collect::<Result<_>>()?),
            Rule::if_expr => {
                let parts: Vec<_> = self.parts(&pair);
                let [c, a, b] = parts.as_slice() else {
                    return Err(self.internal(&pair, "if shape"));
                };
                ExprKind::If(
                    Box::new(self.expr(c.clone())?),
                    Box::new(self.expr(a.clone())?),
                    Box::new(self.expr(b.clone())?),
                )
            }
            Rule::aggregate => self.aggregate(pair)?,
            Rule::quantified => self.quantified(pair)?,
            _ => return Err(self.internal(&pair, "unexpected operand")),
        };
        Ok(Expr { kind, span })
    }

    fn binder(&self, pair: Pair<'_, Rule>) -> Result<Binder> {
        let parts = self.parts(&pair);
        let [var, domain] = parts.as_slice() else {
            return Err(self.internal(&pair, "binder shape"));
        };
        Ok(Binder { var: self.ident(var.clone()), domain: self.domain(domain.clone())? })
    }

    fn aggregate(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut op = None;
        let mut binder = None;
        let mut exprs = Vec::new();
        for p in self.parts(&pair) {
            match p.as_rule() {
                Rule::aggregate_name => op = AggOp::from_name(p.as_str()),
                Rule::binder => binder = Some(self.binder(p)?),
                _ => exprs.push(self.expr(p)?),
            }
        }
        let op = op.ok_or_else(|| self.internal(&pair, "aggregate name"))?;
        let binder = binder.ok_or_else(|| self.internal(&pair, "aggregate binder"))?;
        let body = exprs.pop().ok_or_else(|| self.internal(&pair, "aggregate body"))?;
        let filter = exprs.pop().map(Box::new);
        Ok(ExprKind::Aggregate { op, binder: Box::new(binder), filter, body: Box::new(body) })
    }

    fn quantified(&self, pair: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut quantifier = Quantifier::Forall;
        let mut binders = Vec::new();
        let mut body = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_exists => quantifier = Quantifier::Exists,
                Rule::binder => binders.push(self.binder(p)?),
                Rule::expr => body = Some(self.expr(p)?),
                _ => {}
            }
        }
        let body = body.ok_or_else(|| self.internal(&pair, "quantifier body"))?;
        Ok(ExprKind::Quantified { quantifier, binders, body: Box::new(body) })
    }
}

/// The depth of an expression tree, computed without recursion.
fn tree_depth(root: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Expr, usize)> = vec![(root, 1)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        match &e.kind {
            ExprKind::Number(..) | ExprKind::Bool(_) | ExprKind::Inf | ExprKind::Name(_) => {}
            ExprKind::Member(x, _)
            | ExprKind::WithUnit(x, _, _)
            | ExprKind::Percent(x)
            | ExprKind::Unary(_, x)
            | ExprKind::Paren(x) => stack.push((x, d + 1)),
            ExprKind::Call(f, args) => {
                stack.push((f, d + 1));
                stack.extend(args.iter().map(|a| (&a.value, d + 1)));
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            ExprKind::If(a, b, c) => stack.extend([(&**a, d + 1), (&**b, d + 1), (&**c, d + 1)]),
            ExprKind::List(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            ExprKind::Aggregate { binder, filter, body, .. } => {
                stack.extend(domain_exprs(&binder.domain).into_iter().map(|x| (x, d + 1)));
                stack.extend(filter.iter().map(|f| (&**f, d + 1)));
                stack.push((body, d + 1));
            }
            ExprKind::Quantified { binders, body, .. } => {
                for b in binders {
                    stack.extend(domain_exprs(&b.domain).into_iter().map(|x| (x, d + 1)));
                }
                stack.push((body, d + 1));
            }
        }
    }
    deepest
}

fn domain_exprs(d: &Domain) -> Vec<&Expr> {
    match &d.kind {
        DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => vec![lo, hi],
        DomainKind::Set(items) => items.iter().collect(),
        DomainKind::Expr(e) => vec![e],
    }
}

/// Stores a clause that may appear once; a second one is `E0202`.
fn once<T>(slot: &mut Option<T>, value: T, pair: &Pair<'_, Rule>, b: &Builder<'_>) -> Result<()> {
    if slot.is_some() {
        let word = pair.as_str().split_whitespace().next().unwrap_or("clause").to_string();
        return Err(Diagnostic::new(Code::E0202, b.span(pair), format!("`{word}` is given twice"))
            .label("second clause")
            .help(format!("keep one `{word}` clause")));
    }
    *slot = Some(value);
    Ok(())
}

/// A stand-in expression replaced before the node is returned.
fn placeholder(pair: &Pair<'_, Rule>, b: &Builder<'_>) -> Expr {
    Expr { kind: ExprKind::Bool(false), span: b.span(pair) }
}

fn binop(rule: Rule) -> Option<BinOp> {
    Some(match rule {
        Rule::or_op => BinOp::Or,
        Rule::and_op => BinOp::And,
        Rule::eq_op => BinOp::Eq,
        Rule::ne_op => BinOp::Ne,
        Rule::lt_op => BinOp::Lt,
        Rule::le_op => BinOp::Le,
        Rule::gt_op => BinOp::Gt,
        Rule::ge_op => BinOp::Ge,
        Rule::add_op => BinOp::Add,
        Rule::sub_op => BinOp::Sub,
        Rule::mul_op => BinOp::Mul,
        Rule::div_op => BinOp::Div,
        Rule::pow_op => BinOp::Pow,
        _ => return None,
    })
}

/// True for keyword token rules, which carry no content.
fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// Parses a number literal (underscores allowed); `None` if it overflows to infinity.
pub fn parse_number(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    clean.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Removes the quotes and escapes of a doc string.
fn unescape(quoted: &str) -> String {
    let inner = quoted.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(quoted);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
