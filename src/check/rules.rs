//! The governance constructs (market, cap, audit, licence, threshold, sequence, game)
//! and the questions (check, expect, scenario, compare, simulate): each has its own
//! rules and codes (E04xx) on top of ordinary typing.

use super::{Checker, Ctx, MemberKind, Origin, Sym};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, BinOp, ItemKind, ScenarioChange, SimClause};

impl<'a> Checker<'a> {
    pub(super) fn check_rules(&mut self) {
        for (item, origin) in self.rule_items.clone() {
            self.check_rule(item, origin);
        }
    }

    fn check_rule(&mut self, item: &'a ast::Item, origin: Origin<'a>) {
        let mut ctx = Ctx::new(None, origin.module);
        match &item.kind {
            ItemKind::Market(m) => self.check_market(m, &mut ctx),
            ItemKind::Cap(c) => {
                if let Some(cap) = self.check_cap(c, &mut ctx) {
                    self.model.caps.push(cap);
                }
            }
            ItemKind::Audit(a) => self.check_audit(a, &mut ctx),
            ItemKind::License(l) => self.check_license(l, item.span, &mut ctx),
            ItemKind::Threshold(t) => self.check_threshold(t, &mut ctx),
            ItemKind::Sequence(s) => self.check_sequence(s),
            ItemKind::Game(g) => self.check_game(g, &mut ctx),
            ItemKind::Check(c) => {
                let prop = self.expr(&c.prop, &mut ctx);
                self.require_bool(&prop, "a check");
                self.warn_vacuous(&c.name, &prop);
                self.model.checks.push(Check {
                    name: c.name.name.clone(),
                    prop,
                    frame_size: ctx.max_slot,
                    span: item.span,
                });
            }
            ItemKind::Expect(e) => self.check_expect(e, item.span, &mut ctx),
            ItemKind::Scenario(s) => self.check_scenario(s, item.span),
            ItemKind::Compare(c) => self.check_compare(c, item.span, &mut ctx),
            ItemKind::Simulate(s) => self.check_simulate(s, item.span, &mut ctx),
            ItemKind::Sweep(s) => self.check_sweep(s, item.span),
            _ => {}
        }
    }

    fn check_market(&mut self, m: &ast::MarketDecl, ctx: &mut Ctx) {
        let Some(id) = self.model.markets.iter().position(|x| x.span == m.name.span) else { return };
        for (clauses, what) in [(&m.supply, "supply"), (&m.demand, "demand")] {
            match clauses.len() {
                0 => self.error(
                    Diagnostic::new(Code::E0411, m.name.span, format!("market `{}` has no {what}", m.name.name))
                        .label(format!("missing `{what}`"))
                        .help(format!("add `{what} EXPR`")),
                ),
                1 => {}
                _ => self.error(
                    Diagnostic::new(Code::E0202, clauses[1].span, format!("{what} declared twice"))
                        .label(format!("second `{what}`"))
                        .help(format!("keep one `{what}` clause")),
                ),
            }
        }
        let (Some(s), Some(d)) = (m.supply.first(), m.demand.first()) else { return };
        let supply = self.expr(s, ctx);
        let demand = self.expr(d, ctx);
        self.require_number(&supply, "a market's supply");
        self.require_number(&demand, "a market's demand");
        if let (Some(ds), Some(dd)) = (supply.ty.dim(), demand.ty.dim()) {
            if ds != dd {
                let mut diag = Diagnostic::new(Code::E0301, demand.span, "mismatched units")
                    .label(format!("demand is `{}`", super::types::show_dim(dd)))
                    .with(supply.span, format!("supply is `{}`", super::types::show_dim(ds)))
                    .note("supply and demand of a market must have the same unit");
                if let Some(fix) = super::units::suggest_fix(ds, dd) {
                    diag = diag.help(fix);
                }
                self.error(diag);
            }
        }
        self.model.markets[id].supply = supply;
        self.model.markets[id].demand = demand;
    }

    fn check_cap(&mut self, c: &ast::CapDecl, ctx: &mut Ctx) -> Option<Cap> {
        let ast::ExprKind::Binary(op, _, _) = &c.constraint.kind else {
            self.error(
                Diagnostic::new(Code::E0411, c.constraint.span, "a cap must be a limit `lhs <= rhs`")
                    .label("this is not a comparison")
                    .help("write the limit as a comparison, e.g. `sum(d in Developer: d.c) <= Q`"),
            );
            return None;
        };
        if !matches!(op, BinOp::Le | BinOp::Lt | BinOp::Ge | BinOp::Gt) {
            self.error(
                Diagnostic::new(Code::E0411, c.constraint.span, "a cap must be a limit `lhs <= rhs`")
                    .label(format!("`{}` is not an upper or lower limit", op.symbol()))
                    .help("use `<=` (or `>=`)"),
            );
            return None;
        }
        let prop = self.expr(&c.constraint, ctx);
        let ExprKind::Binary(_, lhs, rhs) = prop.kind else { return None };
        let (lhs, rhs) = if matches!(op, BinOp::Ge | BinOp::Gt) { (*rhs, *lhs) } else { (*lhs, *rhs) };
        Some(Cap { name: c.name.name.clone(), lhs, rhs, span: c.name.span })
    }

    fn check_audit(&mut self, a: &ast::AuditDecl, ctx: &mut Ctx) {
        let Some(id) = self.model.audits.iter().position(|x| x.span == a.name.span) else { return };
        if let Some(t) = &a.ty {
            let ty = self.resolve_type(t, ctx.module.clone().as_deref());
            if !matches!(ty, Type::Num(NumKind::Prob, _)) && !ty.is_lenient() {
                let found = self.show_type(&ty);
                self.error(
                    Diagnostic::new(Code::E0405, t.span, "an audit probability must be a `Prob`")
                        .label(format!("declared `{found}`"))
                        .help("write `audit NAME: Prob = ...` or omit the type"),
                );
            }
        }
        let prob = self.expect_type(&a.prob, &Type::prob(), ctx, "an audit probability");
        self.check_prob_literal(&prob, &Type::prob());
        let cost = a.cost.as_ref().map(|c| self.expr(c, ctx));
        let budget = a.budget.as_ref().map(|b| self.expr(b, ctx));
        if let (Some(c), Some(b)) = (&cost, &budget) {
            if let (Some(dc), Some(db)) = (c.ty.dim(), b.ty.dim()) {
                if dc != db {
                    self.error(
                        Diagnostic::new(Code::E0405, b.span, "audit budget and cost in different units")
                            .label(format!("the budget is `{}`", super::types::show_dim(db)))
                            .with(c.span, format!("the cost of one audit is `{}`", super::types::show_dim(dc)))
                            .help("express the budget and the cost per audit in the same currency"),
                    );
                }
            }
        }
        let on = a.on.as_ref().and_then(|o| self.actor_ref(o));
        let detect = a.detect.as_ref().and_then(|d| {
            let x = self.expr(d, ctx);
            match x.ty {
                Type::Fn(f) => {
                    let arity = self.model.fns.get(f).map(|f| f.params.len()).unwrap_or(0);
                    if arity != 1 {
                        self.error(
                            Diagnostic::new(Code::E0405, x.span, "a detection function takes one argument")
                                .label(format!("this function takes {arity}"))
                                .help("declare `fn d(D: UNIT): Prob = ...`, the probability of detecting a violation of size D"),
                        );
                    }
                    Some(f)
                }
                t if t.is_lenient() => None,
                t => {
                    let found = self.show_type(&t);
                    self.error(
                        Diagnostic::new(Code::E0405, x.span, "`detect` needs a function")
                            .label(format!("this is `{found}`"))
                            .help("name a function of the violation size, e.g. `detect d` with `fn d(D: pflop): Prob = ...`"),
                    );
                    None
                }
            }
        });
        let audit = &mut self.model.audits[id];
        audit.prob = prob;
        audit.cost = cost;
        audit.budget = budget;
        audit.on = on;
        audit.detect = detect;
    }

    /// Resolves an actor name (E0201 when unknown, E0303 when not an actor).
    fn actor_ref(&mut self, id: &ast::Ident) -> Option<ActorId> {
        let decl = self.lookup_global(&id.name, None);
        if let Some(d) = &decl {
            self.refer(id.span, d.span);
        }
        match decl.map(|d| d.sym) {
            Some(Sym::Actor(a)) => Some(a),
            Some(other) => {
                let what = other.describe();
                self.error(
                    Diagnostic::new(
                        Code::E0303,
                        id.span,
                        format!("`{}` is {} {what}, not an actor", id.name, super::scope::article(what)),
                    )
                    .label("an actor is needed here")
                    .help("name an actor or family declared with `actor`"),
                );
                None
            }
            None => {
                let ctx = Ctx::default();
                self.unknown_name(id, &ctx);
                None
            }
        }
    }

    fn check_license(&mut self, l: &ast::LicenseDecl, span: Span, ctx: &mut Ctx) {
        let Some(holders) = self.actor_ref(&l.holders) else { return };
        // Allocated by `declare_licences`, whose lookup succeeds exactly when `actor_ref`'s does.
        let Some(id) = self.model.licenses.iter().position(|x| x.span == l.name.span) else { return };
        let licensor = l.licensor.as_ref().and_then(|x| self.actor_ref(x));
        self.warn_shadow(&l.var, ctx);
        self.bind_named(ctx, &l.var, Type::Member(holders), span);
        let metric = l.metric.as_ref().map(|m| {
            let x = self.expr(m, ctx);
            self.require_number(&x, "a licence metric");
            x
        });
        let require = l.require.as_ref().map(|r| {
            let x = self.expr(r, ctx);
            self.require_bool(&x, "a licence requirement");
            x
        });
        let audit = l.audit.as_ref().map(|a| {
            let x = self.expect_type(a, &Type::prob(), ctx, "a licence audit probability");
            self.check_prob_literal(&x, &Type::prob());
            x
        });
        if require.is_none() {
            self.error(
                Diagnostic::new(Code::E0410, l.name.span, format!("licence `{}` has no requirement", l.name.name))
                    .label("missing `require`")
                    .help(format!("add `require COND`, the condition under which a holder keeps the licence, e.g. `require {}.harm <= tau`", l.var.name)),
            );
        }
        self.model.licenses[id] =
            License { name: l.name.name.clone(), holders, licensor, metric, require, audit, span: l.name.span };
    }

    fn check_threshold(&mut self, t: &ast::ThresholdDecl, ctx: &mut Ctx) {
        let condition = self.expr(&t.condition, ctx);
        self.require_bool(&condition, "a threshold");
        let chooser = first_choice_actor(&condition);
        let (penalty, on) = match &t.consequence {
            ast::Consequence::Penalty { amount, on } => {
                let x = self.expr(amount, ctx);
                self.require_number(&x, "a threshold penalty");
                (Some(x), on.as_ref())
            }
            ast::Consequence::Ban { on } => (None, on.as_ref()),
        };
        let on = match on {
            Some(o) => self.actor_ref(o),
            None => chooser,
        };
        if chooser.is_none() && !has_error(&condition) {
            self.error(
                Diagnostic::new(Code::E0403, condition.span, "threshold on a quantity nobody chooses")
                    .label("no actor's choice appears here")
                    .help("a threshold constrains a choice, e.g. `Generalist.omega >= theta`; use `check` for fixed facts"),
            );
            return;
        }
        let Some(on) = on else { return };
        self.model.thresholds.push(Threshold { name: t.name.name.clone(), condition, on, penalty, span: t.name.span });
    }

    fn check_sequence(&mut self, s: &ast::SequenceDecl) {
        if !self.model.sequence.is_empty() {
            if let Some(first) = s.stages.first().and_then(|st| st.first()) {
                self.error(
                    Diagnostic::new(Code::E0404, first.span, "more than one sequence")
                        .label("a second `sequence`")
                        .help("a regime has one order of moves; merge the sequences"),
                );
            }
            return;
        }
        let mut seen: Vec<(ActorId, Span)> = Vec::new();
        let mut stages = Vec::new();
        for stage in &s.stages {
            let mut ids = Vec::new();
            for name in stage {
                let Some(a) = self.actor_ref(name) else { continue };
                if let Some((_, prev)) = seen.iter().find(|(x, _)| *x == a) {
                    let prev = *prev;
                    self.error(
                        Diagnostic::new(Code::E0404, name.span, format!("`{}` moves twice", name.name))
                            .label("listed again here")
                            .with(prev, "first listed here")
                            .help("each actor moves in exactly one stage"),
                    );
                    continue;
                }
                seen.push((a, name.span));
                ids.push(a);
            }
            stages.push(ids);
        }
        self.model.sequence = stages;
    }

    fn check_game(&mut self, g: &ast::GameDecl, ctx: &mut Ctx) {
        let n = g.players.len();
        let mut strategies: Vec<Vec<String>> = vec![Vec::new(); n];
        for (who, list) in &g.strategies {
            match g.players.iter().position(|p| p.name == who.name) {
                Some(i) => strategies[i] = list.iter().map(|s| s.name.clone()).collect(),
                None => self.error(
                    Diagnostic::new(
                        Code::E0406,
                        who.span,
                        format!("`{}` is not a player of `{}`", who.name, g.name.name),
                    )
                    .label("unknown player")
                    .help(format!(
                        "the players are: {}",
                        g.players.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                ),
            }
        }
        for (i, p) in g.players.iter().enumerate() {
            if strategies[i].is_empty() {
                self.error(
                    Diagnostic::new(Code::E0406, p.span, format!("player `{}` has no strategies", p.name))
                        .label("no `strategies` entry")
                        .help(format!("add `{} {{a, b}}` to `strategies`", p.name)),
                );
                return;
            }
        }
        let mut cells = Vec::new();
        let dims: Vec<usize> = strategies.iter().map(Vec::len).collect();
        if !self.game_table(&g.payoffs, &dims, n, ctx, &mut cells) {
            return;
        }
        self.model.games.push(Game {
            name: g.name.name.clone(),
            players: g.players.iter().map(|p| p.name.clone()).collect(),
            strategies,
            payoffs: cells,
            span: g.name.span,
        });
    }

    /// Flattens a payoff table, checking its shape against the strategy counts.
    fn game_table(
        &mut self,
        t: &ast::PayoffTable,
        dims: &[usize],
        n: usize,
        ctx: &mut Ctx,
        out: &mut Vec<Vec<Expr>>,
    ) -> bool {
        match (t, dims) {
            (ast::PayoffTable::Rows(rows, span), [count, rest @ ..])
                if !rest.is_empty() || matches!(rows.first(), Some(ast::PayoffTable::Tuple(..))) =>
            {
                if rows.len() != *count {
                    self.error(
                        Diagnostic::new(Code::E0406, *span, "payoff table does not match strategies")
                            .label(format!("{} entries here", rows.len()))
                            .help(format!("this level needs one entry per strategy: {count}")),
                    );
                    return false;
                }
                if rest.is_empty() {
                    rows.iter().all(|r| self.game_table(r, &[], n, ctx, out))
                } else {
                    rows.iter().all(|r| self.game_table(r, rest, n, ctx, out))
                }
            }
            (ast::PayoffTable::Tuple(values, span), []) => {
                if values.len() != n {
                    self.error(
                        Diagnostic::new(Code::E0406, *span, "payoff table does not match strategies")
                            .label(format!("{} payoffs in this cell", values.len()))
                            .help(format!("each cell needs one payoff per player: {n}")),
                    );
                    return false;
                }
                let cell: Vec<Expr> = values.iter().map(|v| self.expr(v, ctx)).collect();
                for c in &cell {
                    self.require_number(c, "a payoff");
                }
                out.push(cell);
                true
            }
            (other, _) => {
                let span = match other {
                    ast::PayoffTable::Rows(_, s) | ast::PayoffTable::Tuple(_, s) => *s,
                };
                self.error(
                    Diagnostic::new(Code::E0406, span, "payoff table does not match strategies")
                        .label("wrong nesting here")
                        .help(format!("nest the table one level per player but the last ({} levels), with `(u1, ..., u{n})` cells", n.saturating_sub(1))),
                );
                false
            }
        }
    }

    fn warn_vacuous(&mut self, name: &ast::Ident, prop: &Expr) {
        let ExprKind::Quantified { binders, body, .. } = &prop.kind else { return };
        for Binder { slot, domain, .. } in binders {
            let empty = match &domain.kind {
                DomainKind::Set(items) => items.is_empty(),
                DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => {
                    matches!((self.const_value(lo), self.const_value(hi)), (Ok(Value::Num(a)), Ok(Value::Num(b))) if a > b)
                }
                _ => false,
            };
            if empty {
                self.error(
                    Diagnostic::new(Code::W0003, domain.span, format!("check `{}` is vacuous", name.name))
                        .label("this domain is empty")
                        .help("a `forall` over nothing always holds and an `exists` never does; fix the bounds"),
                );
            } else if !mentions_local(body, *slot) && !binders.iter().any(|b| domain_mentions(&b.domain, *slot)) {
                self.error(
                    Diagnostic::new(Code::W0003, domain.span, format!("check `{}` is vacuous", name.name))
                        .label("the bound variable is never used")
                        .help("use the variable in the proposition, or drop the quantifier"),
                );
            }
        }
    }

    fn check_expect(&mut self, e: &ast::ExpectDecl, span: Span, ctx: &mut Ctx) {
        let name = e.name.as_ref().map(|n| n.name.clone()).unwrap_or_else(|| self.source_text(e.expr.span));
        let Some(tol) = &e.tolerance else {
            let prop = self.expr(&e.expr, ctx);
            self.require_bool(&prop, "an `expect`");
            self.model.expects.push(Expect {
                name,
                sides: None,
                prop: Some(prop),
                tolerance: Tolerance::Exact,
                frame_size: ctx.max_slot,
                span,
            });
            return;
        };
        let ast::ExprKind::Binary(BinOp::Eq, _, _) = &e.expr.kind else {
            self.error(
                Diagnostic::new(Code::E0303, e.expr.span, "a tolerance needs an equation")
                    .label("this is not `a == b`")
                    .help("write `expect a == b +- tol`, or drop the tolerance"),
            );
            return;
        };
        let prop = self.expr(&e.expr, ctx);
        let ExprKind::Binary(_, a, b) = prop.kind else { return };
        let relative = matches!(tol.kind, ast::ExprKind::Percent(_));
        let t = self.expr(tol, ctx);
        let tolerance = if relative {
            Tolerance::Relative(t)
        } else {
            if let (Some(dt), Some(da)) = (t.ty.dim(), a.ty.dim()) {
                if !dt.is_one() && dt != da {
                    self.error(
                        Diagnostic::new(Code::E0301, t.span, "mismatched units")
                            .label(format!("the tolerance is `{dt}`"))
                            .with(a.span, format!("the compared value is `{}`", super::types::show_dim(da)))
                            .help("give the tolerance in the compared unit, as a bare number, or relative with `%`"),
                    );
                }
            }
            self.require_number(&t, "a tolerance");
            Tolerance::Absolute(t)
        };
        self.model.expects.push(Expect {
            name,
            sides: Some((*a, *b)),
            prop: None,
            tolerance,
            frame_size: ctx.max_slot,
            span,
        });
    }

    fn source_text(&self, span: Span) -> String {
        let text = self.program.sources.slice(span);
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn check_scenario(&mut self, s: &'a ast::ScenarioDecl, span: Span) {
        let mut scenario = Scenario {
            name: s.name.name.clone(),
            sets: Vec::new(),
            removes: Vec::new(),
            fixes: Vec::new(),
            items: Vec::new(),
            span,
            name_span: s.name.span,
        };
        for change in &s.changes {
            let mut ctx = Ctx::new(None, None);
            match change {
                ScenarioChange::Set(path, value, _) => {
                    let [name] = path.segments.as_slice() else {
                        self.scenario_error(path.span, "`set` changes a parameter", "name a file-level `param`");
                        continue;
                    };
                    let decl = self.lookup_global(&name.name, None);
                    if let Some(d) = &decl {
                        self.refer(name.span, d.span);
                    }
                    match decl.map(|d| d.sym) {
                        Some(Sym::Param(p)) => {
                            let ty = self.model.params[p].ty.clone();
                            let x =
                                self.expect_type(value, &ty, &mut ctx, &format!("the new value of `{}`", name.name));
                            self.check_prob_literal(&x, &ty);
                            scenario.sets.push((p, x));
                        }
                        Some(other) => self.scenario_error(
                            name.span,
                            &format!(
                                "`set` changes a parameter, and `{}` is {} {}",
                                name.name,
                                super::scope::article(other.describe()),
                                other.describe()
                            ),
                            "to change a rule, declare a replacement with the same name inside the scenario",
                        ),
                        None => self.unknown_name(name, &ctx),
                    }
                }
                ScenarioChange::Remove(names, _) => {
                    for n in names {
                        let decl = self.lookup_global(&n.name, None);
                        if let Some(d) = &decl {
                            self.refer(n.span, d.span);
                        }
                        match decl.map(|d| d.sym) {
                            Some(Sym::Market(_) | Sym::Audit(_) | Sym::Rule(_)) => {
                                scenario.removes.push(n.name.clone())
                            }
                            Some(Sym::Fn(f)) if self.model.fns.get(f).is_some_and(|f| f.is_penalty) => {
                                scenario.removes.push(n.name.clone())
                            }
                            Some(other) => self.scenario_error(
                                n.span,
                                &format!(
                                    "`{}` is {} {}, not a rule",
                                    n.name,
                                    super::scope::article(other.describe()),
                                    other.describe()
                                ),
                                "only markets, caps, penalties, audits, licences, thresholds and games can be removed",
                            ),
                            None => self.unknown_name(n, &ctx),
                        }
                    }
                }
                ScenarioChange::Fix(path, value, _) => self.scenario_fix(path, value, &mut scenario, &mut ctx),
                ScenarioChange::Item(item) => {
                    if matches!(
                        item.kind,
                        ItemKind::Param(_)
                            | ItemKind::Actor(_)
                            | ItemKind::Unit(_)
                            | ItemKind::Scenario(_)
                            | ItemKind::Sweep(_)
                    ) {
                        self.scenario_error(
                            item.span,
                            &format!("a scenario cannot declare a `{}`", item.keyword()),
                            "override parameters with `set NAME = VALUE`; scenarios change rules, not actors or units",
                        );
                        continue;
                    }
                    scenario.items.push((**item).clone());
                }
            }
        }
        self.model.scenarios.push(scenario);
    }

    fn scenario_fix(&mut self, path: &ast::Path, value: &ast::Expr, scenario: &mut Scenario, ctx: &mut Ctx) {
        let [actor, choice] = path.segments.as_slice() else {
            self.scenario_error(path.span, "`fix` needs `Actor.choice`", "write e.g. `fix Developer.c = Q / n`");
            return;
        };
        let Some(a) = self.actor_ref(actor) else { return };
        match self.actor_members.get(a).and_then(|t| t.get(&choice.name)).copied() {
            Some((MemberKind::Choice, index, _)) => {
                let ty = self.model.actors[a].choices[index].ty.clone();
                let x = self.expect_type(value, &ty, ctx, &format!("the fixed value of `{}`", choice.name));
                scenario.fixes.push((a, index, x));
            }
            Some(_) => self.scenario_error(
                choice.span,
                &format!("`{}.{}` is not a choice", actor.name, choice.name),
                "`fix` forces a decision variable declared with `choose`",
            ),
            None => {
                let members: Vec<String> =
                    self.actor_members.get(a).map(|t| t.keys().cloned().collect()).unwrap_or_default();
                let mut d = Diagnostic::new(
                    Code::E0205,
                    choice.span,
                    format!("`{}` has no member `{}`", actor.name, choice.name),
                )
                .label("unknown member");
                if let Some(s) = super::scope::suggest(&choice.name, members.iter().map(String::as_str)) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
            }
        }
    }

    fn scenario_error(&mut self, span: Span, message: &str, help: &str) {
        self.error(
            Diagnostic::new(Code::E0407, span, message.to_string())
                .label("invalid scenario change")
                .help(help.to_string()),
        );
    }

    fn check_compare(&mut self, c: &ast::CompareDecl, span: Span, ctx: &mut Ctx) {
        let metric = self.expr(&c.metric, ctx);
        self.require_number(&metric, "a compared metric");
        for s in &c.scenarios {
            if s.name == "base" {
                continue;
            }
            let decl = self.lookup_global(&s.name, None);
            if let Some(d) = &decl {
                self.refer(s.span, d.span);
            }
            if !matches!(decl.map(|d| d.sym), Some(Sym::Scenario)) {
                let names: Vec<String> =
                    self.model.scenarios.iter().map(|x| x.name.clone()).chain(["base".to_string()]).collect();
                let declared: Vec<String> =
                    self.globals.iter().filter(|(_, d)| d.sym == Sym::Scenario).map(|(k, _)| k.clone()).collect();
                let mut all = names;
                all.extend(declared);
                let mut d = Diagnostic::new(Code::E0209, s.span, format!("unknown scenario `{}`", s.name))
                    .label("no scenario has this name");
                d = match super::scope::suggest(&s.name, all.iter().map(String::as_str)) {
                    Some(x) => d.help(format!("did you mean `{x}`?")),
                    None => d.help(format!("declare it with `scenario {} {{ ... }}`, or compare `base`", s.name)),
                };
                self.error(d);
            }
        }
        self.model.compares.push(Compare {
            name: c.name.name.clone(),
            metric,
            frame_size: ctx.max_slot,
            scenarios: c.scenarios.iter().map(|s| s.name.clone()).collect(),
            span,
        });
    }

    fn check_simulate(&mut self, s: &ast::SimulateDecl, span: Span, ctx: &mut Ctx) {
        let mut sim = Simulate {
            name: s.name.name.clone(),
            rounds: None,
            reps: None,
            seed: None,
            strategies: Vec::new(),
            states: Vec::new(),
            metrics: Vec::new(),
            frame_size: 0,
            span,
        };
        for clause in &s.clauses {
            if let SimClause::State(name, ty, init) = clause {
                let x = match ty {
                    Some(t) => {
                        let ty = self.resolve_type(t, None);
                        self.expect_type(init, &ty, ctx, &format!("the initial value of `{}`", name.name))
                    }
                    None => self.expr(init, ctx),
                };
                self.warn_shadow(name, ctx);
                self.bind_named(ctx, name, x.ty.clone(), span);
                sim.states.push(SimState { name: name.name.clone(), init: x, update: None });
            }
        }
        for clause in &s.clauses {
            match clause {
                SimClause::Rounds(e) => sim.rounds = Some(self.sim_count(e, ctx, "rounds", 1)),
                SimClause::Reps(e) => sim.reps = Some(self.sim_count(e, ctx, "reps", 1)),
                SimClause::Seed(e) => sim.seed = Some(self.sim_count(e, ctx, "seed", 0)),
                SimClause::Strategy(path, rule) => self.sim_strategy(path, rule, ctx, &mut sim),
                SimClause::State(..) => {}
                SimClause::Update(name, e) => match sim.states.iter().position(|st| st.name == name.name) {
                    Some(i) => {
                        let ty = sim.states[i].init.ty.clone();
                        let x = self.expect_type(e, &ty, ctx, &format!("the update of `{}`", name.name));
                        sim.states[i].update = Some(x);
                    }
                    None => {
                        self.error(
                            Diagnostic::new(Code::E0412, name.span, format!("`{}` is not a state variable", name.name))
                                .label("no `state` with this name")
                                .help(format!("declare it first: `state {}: T = initial`", name.name)),
                        );
                    }
                },
                SimClause::Metric(name, e) => {
                    let x = self.expr(e, ctx);
                    self.require_number(&x, "a metric");
                    if sim.metrics.iter().any(|(n, _)| *n == name.name) {
                        self.error(
                            Diagnostic::new(
                                Code::E0412,
                                name.span,
                                format!("metric `{}` is recorded twice", name.name),
                            )
                            .label("a second metric with this name")
                            .help("give each metric its own name"),
                        );
                    }
                    sim.metrics.push((name.name.clone(), x));
                }
            }
        }
        sim.frame_size = ctx.max_slot;
        self.model.simulations.push(sim);
    }

    /// `rounds`, `reps`, `seed`: integers at least `min` when constant.
    fn sim_count(&mut self, e: &ast::Expr, ctx: &mut Ctx, what: &str, min: i64) -> Expr {
        let x = self.expect_type(e, &Type::int(), ctx, &format!("`{what}`"));
        if let Ok(Value::Num(v)) = self.const_value(&x) {
            if v < min as f64 {
                self.error(
                    Diagnostic::new(Code::E0412, x.span, format!("`{what}` must be at least {min}"))
                        .label(format!("this is `{v}`"))
                        .help(format!("give `{what}` a value of {min} or more")),
                );
            }
        }
        x
    }

    fn sim_strategy(&mut self, path: &ast::Path, rule: &ast::Expr, ctx: &mut Ctx, sim: &mut Simulate) {
        let Some(target) = self.strategy_target(path) else { return };
        let (name, args) = match &rule.kind {
            ast::ExprKind::Name(n) => (n, &[][..]),
            ast::ExprKind::Call(callee, args) => match &callee.kind {
                ast::ExprKind::Name(n) => (n, args.as_slice()),
                _ => return self.bad_strategy(rule.span),
            },
            _ => return self.bad_strategy(rule.span),
        };
        let names: Vec<&str> = Rule::ALL.iter().map(|(n, _)| *n).collect();
        let Some(r) = Rule::from_name(&name.name) else {
            let mut d = Diagnostic::new(Code::E0412, name.span, format!("unknown strategy rule `{}`", name.name))
                .label("not a strategy rule");
            d = match super::scope::suggest(&name.name, names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the rules are: {}", names.join(", "))),
            };
            self.error(d);
            return;
        };
        let market = matches!(target, StrategyTarget::Market(_));
        let fits = if market { matches!(r, Rule::Equilibrium | Rule::Tatonnement) } else { r != Rule::Tatonnement };
        if !fits {
            let (what, allowed) = if market {
                ("a market", "`equilibrium` or `tatonnement(step = ...)`")
            } else {
                ("a choice", "`equilibrium`, `fixed(v)`, `best_response`, `fictitious_play`, `reinforcement` or `epsilon_greedy`")
            };
            self.error(
                Diagnostic::new(Code::E0412, name.span, format!("`{}` is not a rule for {what}", name.name))
                    .label("this rule")
                    .with(path.span, format!("this is {what}"))
                    .help(format!("{what} can follow {allowed}")),
            );
            return;
        }
        let slots = self.strategy_slots(target, r);
        let Some(slots) = slots else {
            let StrategyTarget::Choice { actor, .. } = target else { return };
            let a = &self.model.actors[actor];
            let list: Vec<String> = a.choices.iter().map(|c| format!("`{}.{}`", a.name, c.name)).collect();
            self.error(
                Diagnostic::new(Code::E0412, path.span, format!("`{}` has several choices", a.name))
                    .label(format!("`{}` applies to one choice", name.name))
                    .help(format!("name the choice: {}", list.join(" or "))),
            );
            return;
        };
        let mut typed = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            let key = match &arg.name {
                Some(n) => n.name.clone(),
                None if r == Rule::Fixed && i == 0 => "value".to_string(),
                None => {
                    self.error(
                        Diagnostic::new(Code::E0412, arg.value.span, "strategy arguments are named")
                            .label("no name")
                            .help(format!("write `name = value`; `{}` takes {}", name.name, describe_slots(&slots))),
                    );
                    continue;
                }
            };
            let Some((_, want, min)) = slots.iter().find(|(n, _, _)| *n == key) else {
                let span = arg.name.as_ref().map(|n| n.span).unwrap_or(arg.value.span);
                self.error(
                    Diagnostic::new(Code::E0412, span, format!("`{}` has no argument `{key}`", name.name))
                        .label("unknown argument")
                        .help(format!("`{}` takes {}", name.name, describe_slots(&slots))),
                );
                continue;
            };
            let x = self.expect_type(&arg.value, want, ctx, &format!("`{key}`"));
            if let Ok(Value::Num(v)) = self.const_value(&x) {
                if let Some(words) = min.violated_by(v) {
                    self.error(
                        Diagnostic::new(Code::E0412, x.span, format!("`{key}` must be {words}"))
                            .label(format!("this is {}", crate::report::number(v)))
                            .help(format!("give `{key}` a value {words}")),
                    );
                }
            }
            typed.push((key, x));
        }
        for (key, _, _) in &slots {
            let required = matches!(
                (r, *key),
                (Rule::Fixed, "value") | (Rule::Reinforcement, "temperature") | (Rule::Tatonnement, "step")
            );
            if required && !typed.iter().any(|(k, _)| k == key) {
                self.error(
                    Diagnostic::new(Code::E0412, rule.span, format!("`{}` needs `{key}`", name.name))
                        .label(format!("no `{key}` given"))
                        .help(format!("`{}` takes {}", name.name, describe_slots(&slots))),
                );
            }
        }
        if sim.strategies.iter().any(|s| overlaps(s.target, target)) {
            self.error(
                Diagnostic::new(Code::E0412, path.span, "two strategies for the same choice")
                    .label("already given a strategy above")
                    .help("give each choice or market one `strategy` line"),
            );
        }
        sim.strategies.push(Strategy { target, rule: r, args: typed, span: path.span.to(rule.span) });
    }

    /// What a `strategy` line names: `Actor`, `Actor.choice` or a market.
    fn strategy_target(&mut self, path: &ast::Path) -> Option<StrategyTarget> {
        let first = path.segments.first()?;
        if let Some(Sym::Market(m)) = self.lookup_global(&first.name, None).map(|d| d.sym) {
            if let Some(extra) = path.segments.get(1) {
                self.error(
                    Diagnostic::new(Code::E0412, extra.span, "a market's strategy sets its price")
                        .label("nothing to select here")
                        .help(format!("write `strategy {} = tatonnement(step = ...)`", first.name)),
                );
                return None;
            }
            return Some(StrategyTarget::Market(m));
        }
        let actor = self.actor_ref(first)?;
        let choice = match path.segments.get(1) {
            None => None,
            Some(c) => {
                let a = &self.model.actors[actor];
                match a.choices.iter().position(|x| x.name == c.name) {
                    Some(i) => Some(i),
                    None => {
                        let names: Vec<&str> = a.choices.iter().map(|x| x.name.as_str()).collect();
                        let help = match super::scope::suggest(&c.name, names.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if names.is_empty() => format!("`{}` has no `choose`", a.name),
                            None => format!("the choices of `{}` are: {}", a.name, names.join(", ")),
                        };
                        self.error(
                            Diagnostic::new(Code::E0412, c.span, format!("`{}` has no choice `{}`", a.name, c.name))
                                .label("not a choice of this actor")
                                .help(help),
                        );
                        return None;
                    }
                }
            }
        };
        if path.segments.len() > 2 {
            self.bad_strategy(path.span);
            return None;
        }
        Some(StrategyTarget::Choice { actor, choice })
    }

    /// The arguments a rule takes for a target: (name, type, lower bound), or `None` when
    /// the rule needs one choice and the target has several.
    fn strategy_slots(&self, target: StrategyTarget, rule: Rule) -> Option<Vec<(&'static str, Type, Bound)>> {
        let payoff = self.model.payoff_dim.clone().map(Type::quantity).unwrap_or_else(Type::real);
        let choice_ty = match target {
            StrategyTarget::Choice { actor, choice } => {
                let a = &self.model.actors[actor];
                match choice {
                    Some(c) => a.choices.get(c).map(|c| c.ty.clone()),
                    None if a.choices.len() == 1 => a.choices.first().map(|c| c.ty.clone()),
                    None if rule == Rule::Equilibrium || rule == Rule::BestResponse => Some(Type::Error),
                    None => return None,
                }
            }
            StrategyTarget::Market(_) => None,
        };
        let actions = ("actions", Type::int(), Bound::AtLeast(2.0));
        Some(match rule {
            Rule::Equilibrium | Rule::BestResponse => Vec::new(),
            Rule::Fixed => vec![("value", choice_ty.unwrap_or(Type::Error), Bound::None)],
            Rule::FictitiousPlay => vec![("memory", Type::int(), Bound::AtLeast(1.0)), actions],
            Rule::Reinforcement => {
                vec![("recency", Type::prob(), Bound::Positive), ("temperature", payoff, Bound::Positive), actions]
            }
            Rule::EpsilonGreedy => vec![("epsilon", Type::prob(), Bound::None), actions],
            Rule::Tatonnement => {
                let dim = match target {
                    StrategyTarget::Market(m) => self.model.markets.get(m).map(|m| m.price_dim.clone()),
                    StrategyTarget::Choice { .. } => None,
                };
                vec![("step", dim.map(Type::quantity).unwrap_or(Type::Error), Bound::Positive)]
            }
        })
    }

    fn bad_strategy(&mut self, span: Span) {
        let names: Vec<&str> = Rule::ALL.iter().map(|(n, _)| *n).collect();
        self.error(
            Diagnostic::new(Code::E0412, span, "invalid strategy")
                .label("expected a rule such as `fictitious_play(memory = 10)`")
                .help(format!("the rules are: {}", names.join(", "))),
        );
    }
}

/// Two targets that govern a common choice or market.
fn overlaps(a: StrategyTarget, b: StrategyTarget) -> bool {
    match (a, b) {
        (StrategyTarget::Market(x), StrategyTarget::Market(y)) => x == y,
        (StrategyTarget::Choice { actor: x, choice: c }, StrategyTarget::Choice { actor: y, choice: d }) => {
            x == y && (c.is_none() || d.is_none() || c == d)
        }
        _ => false,
    }
}

fn describe_slots(slots: &[(&str, Type, Bound)]) -> String {
    if slots.is_empty() {
        return "no arguments".to_string();
    }
    slots.iter().map(|(n, _, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// The range a constant strategy argument must lie in (a `Prob` is checked by its type).
#[derive(Debug, Clone, Copy)]
enum Bound {
    None,
    AtLeast(f64),
    Positive,
}

impl Bound {
    /// The requirement in words, when `v` breaks it.
    fn violated_by(self, v: f64) -> Option<String> {
        match self {
            Bound::AtLeast(min) if v < min => Some(format!("at least {}", crate::report::number(min))),
            Bound::Positive if v <= 0.0 => Some("greater than 0".to_string()),
            _ => None,
        }
    }
}

/// The actor whose choice first appears in an expression.
pub(super) fn first_choice_actor(e: &Expr) -> Option<ActorId> {
    let mut found = None;
    visit(e, &mut |x| {
        if let ExprKind::Member { actor, member: MemberRef::Choice(_), .. } = &x.kind {
            if found.is_none() {
                found = Some(*actor);
            }
        }
    });
    found
}

/// True if any part of `e` failed to check (so follow-up errors would be noise).
pub(super) fn has_error(e: &Expr) -> bool {
    let mut hit = false;
    visit(e, &mut |x| hit |= x.ty == Type::Error);
    hit
}

/// True if `e` reads local `slot`.
pub(super) fn mentions_local(e: &Expr, slot: LocalId) -> bool {
    let mut hit = false;
    visit(e, &mut |x| hit |= x.kind == ExprKind::Local(slot));
    hit
}

fn domain_mentions(d: &Domain, slot: LocalId) -> bool {
    match &d.kind {
        DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => {
            mentions_local(lo, slot) || mentions_local(hi, slot)
        }
        DomainKind::Set(items) => items.iter().any(|i| mentions_local(i, slot)),
        DomainKind::List(e) => mentions_local(e, slot),
        _ => false,
    }
}

/// Calls `f` on every sub-expression (pre-order), including domains.
pub fn visit<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Member { of, .. } => visit(of, f),
        ExprKind::Call(_, args) | ExprKind::Builtin(_, args) | ExprKind::Dist(_, args) | ExprKind::List(args) => {
            args.iter().for_each(|a| visit(a, f))
        }
        ExprKind::MemberCall { of, args, .. } => {
            visit(of, f);
            args.iter().for_each(|a| visit(a, f));
        }
        ExprKind::Unary(_, x) => visit(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::If(c, a, b) => {
            visit(c, f);
            visit(a, f);
            visit(b, f);
        }
        ExprKind::Aggregate { domain, filter, body, .. } => {
            visit_domain(domain, f);
            if let Some(x) = filter {
                visit(x, f);
            }
            visit(body, f);
        }
        ExprKind::Quantified { binders, body, .. } => {
            binders.iter().for_each(|b| visit_domain(&b.domain, f));
            visit(body, f);
        }
        _ => {}
    }
}

fn visit_domain<'e>(d: &'e Domain, f: &mut dyn FnMut(&'e Expr)) {
    match &d.kind {
        DomainKind::Interval { lo, hi, .. } | DomainKind::Range(lo, hi) => {
            visit(lo, f);
            visit(hi, f);
        }
        DomainKind::Set(items) => items.iter().for_each(|i| visit(i, f)),
        DomainKind::List(e) => visit(e, f),
        _ => {}
    }
}
