//! Printing declarations: one item, member or clause per line; blocks (`actor`,
//! `market`, `license`, `scenario`, `simulate`, `game`) indent their contents by one
//! level. Clauses stored in separate fields (market, licence, audit) are printed in the
//! order they were written, recovered from their spans.

use super::expr::quote;
use super::writer::Printer;
use crate::source::Span;
use crate::syntax::ast::*;

/// One line of a `market` or `license` block, with the source position used for ordering.
enum Line<'a> {
    /// `keyword EXPR`.
    Expr(&'static str, &'a Expr),
    /// `price: UNIT`.
    Price(&'a TypeExpr),
}

impl Line<'_> {
    fn pos(&self) -> usize {
        match self {
            Line::Expr(_, e) => e.span.start as usize,
            Line::Price(t) => t.span.start as usize,
        }
    }
}

/// One trailing clause of an `audit` declaration.
enum AuditPart<'a> {
    /// `cost`, `budget` or `detect` with its expression.
    Expr(&'static str, &'a Expr),
    /// `on Family`.
    On(&'a Ident),
}

impl AuditPart<'_> {
    fn pos(&self) -> usize {
        match self {
            AuditPart::Expr(_, e) => e.span.start as usize,
            AuditPart::On(id) => id.span.start as usize,
        }
    }
}

impl Printer<'_> {
    /// Prints every item of a file at depth 0.
    pub(super) fn file(&mut self, file: &File) {
        for item in &file.items {
            self.item(item, 0);
        }
    }

    /// Prints one declaration on a new line at `depth` (blocks span several lines).
    pub(super) fn item(&mut self, item: &Item, depth: usize) {
        self.element(item.span.start as usize, depth);
        let span = item.span;
        match &item.kind {
            ItemKind::Use(u) => self.use_decl(u, span),
            ItemKind::Unit(u) => self.unit_decl(u),
            ItemKind::Type(t) => self.type_decl(t, span),
            ItemKind::Param(p) => self.param_decl(p),
            ItemKind::Let(l) => self.let_decl(l),
            ItemKind::Fn(f) => self.fn_decl("fn ", f),
            ItemKind::Penalty(f) => self.fn_decl("penalty ", f),
            ItemKind::Random(r) => self.random_decl(r),
            ItemKind::Choose(c) => self.choose_decl(c),
            ItemKind::Payoff(e) => self.keyword_expr("payoff ", e),
            ItemKind::Actor(a) => self.actor_decl(a, span, depth),
            ItemKind::Market(m) => self.market_decl(m, span, depth),
            ItemKind::Cap(c) => self.named_colon("cap ", &c.name, &c.constraint),
            ItemKind::Audit(a) => self.audit_decl(a),
            ItemKind::License(l) => self.license_decl(l, span, depth),
            ItemKind::Threshold(t) => self.threshold_decl(t),
            ItemKind::Sequence(s) => self.sequence_decl(s, span),
            ItemKind::Game(g) => self.game_decl(g, span, depth),
            ItemKind::Check(c) => self.named_colon("check ", &c.name, &c.prop),
            ItemKind::Expect(e) => self.expect_decl(e),
            ItemKind::Scenario(s) => self.scenario_decl(s, span, depth),
            ItemKind::Compare(c) => self.compare_decl(c),
            ItemKind::Simulate(s) => self.simulate_decl(s, span, depth),
            ItemKind::Sweep(s) => self.sweep_decl(s, span, depth),
        }
    }

    /// `keyword EXPR` on the open line.
    fn keyword_expr(&mut self, keyword: &str, e: &Expr) {
        self.keyword(keyword, e.span.start);
        self.expr(e);
    }

    /// `keyword name: EXPR` (cap, check).
    fn named_colon(&mut self, keyword: &str, name: &Ident, e: &Expr) {
        self.word(keyword);
        self.ident(name);
        self.keyword_expr(": ", e);
    }

    /// `keyword name = EXPR`, `keyword name: T = EXPR` (simulate clauses).
    fn named_assign(&mut self, keyword: &str, name: &Ident, ty: Option<&TypeExpr>, e: &Expr) {
        self.word(keyword);
        self.ident(name);
        self.opt_type(ty);
        self.keyword_expr(" = ", e);
    }

    /// `: T` when a type is given.
    fn opt_type(&mut self, ty: Option<&TypeExpr>) {
        if let Some(ty) = ty {
            self.keyword(": ", ty.span.start);
            self.type_expr(ty);
        }
    }

    fn use_decl(&mut self, u: &UseDecl, span: Span) {
        self.word("use ");
        self.ident(&u.module);
        if let Some(names) = &u.names {
            self.word(".{");
            self.ident_list(names);
            self.flush_closer_at_end(span.end as usize);
            self.word("}");
        }
    }

    fn unit_decl(&mut self, u: &UnitDecl) {
        self.word("unit ");
        self.ident(&u.name);
        if let Some(def) = &u.definition {
            self.keyword_expr(" = ", def);
        }
        if let Some(doc) = &u.doc {
            let before = u.definition.as_ref().map_or(u.name.span.end, |d| d.span.end);
            self.doc_string(before, doc);
        }
    }

    /// A doc string, after the comments between the node ending at `before` and it.
    fn doc_string(&mut self, before: u32, doc: &str) {
        self.flush_to_token(before as usize);
        self.word(&format!(" {}", quote(doc)));
    }

    fn type_decl(&mut self, t: &TypeDecl, span: Span) {
        self.word("type ");
        self.ident(&t.name);
        self.word(" = {");
        self.ident_list(&t.variants);
        self.flush_closer_at_end(span.end as usize);
        self.word("}");
    }

    fn param_decl(&mut self, p: &ParamDecl) {
        self.word("param ");
        self.ident(&p.name);
        self.keyword(": ", p.ty.span.start);
        self.type_expr(&p.ty);
        if let Some(default) = &p.default {
            self.keyword_expr(" = ", default);
        }
        if let Some(doc) = &p.doc {
            let before = p.default.as_ref().map_or(p.ty.span.end, |d| d.span.end);
            self.doc_string(before, doc);
        }
        if let Some(c) = &p.constraint {
            self.keyword_expr(" where ", c);
        }
    }

    fn let_decl(&mut self, l: &LetDecl) {
        self.named_assign("let ", &l.name, l.ty.as_ref(), &l.value);
    }

    fn fn_decl(&mut self, keyword: &str, f: &FnDecl) {
        self.word(keyword);
        self.ident(&f.name);
        self.word("(");
        for (i, p) in f.params.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.ident(&p.name);
            self.opt_type(p.ty.as_ref());
        }
        if let Some(last) = f.params.last() {
            let end = last.ty.as_ref().map_or(last.name.span.end, |t| t.span.end);
            self.flush_closer_after(end as usize);
        }
        self.word(")");
        self.opt_type(f.ret.as_ref());
        self.keyword_expr(" = ", &f.body);
    }

    fn random_decl(&mut self, r: &RandomDecl) {
        self.word("random ");
        self.ident(&r.name);
        self.opt_type(r.ty.as_ref());
        self.keyword_expr(" ~ ", &r.dist);
    }

    fn choose_decl(&mut self, c: &ChooseDecl) {
        self.word("choose ");
        self.ident(&c.name);
        self.keyword(": ", c.ty.span.start);
        self.type_expr(&c.ty);
        if let Some(d) = &c.domain {
            self.keyword(" in ", d.span.start);
            self.domain(d);
        }
        if let Some(abstain) = c.abstain {
            self.flush_inline(abstain.start as usize);
            self.word(" or");
            // `or` is two bytes; comments between it and `abstain` stay between them.
            self.flush_to_token(abstain.start as usize + 2);
            self.word(" abstain");
        }
    }

    fn actor_decl(&mut self, a: &ActorDecl, span: Span, depth: usize) {
        self.word("actor ");
        self.ident(&a.name);
        if let Some(f) = &a.family {
            self.word("[");
            self.ident(&f.var);
            self.keyword(" in ", f.lo.span.start);
            self.range(&f.lo, &f.hi);
            self.flush_closer_after(f.hi.span.end as usize);
            self.word("]");
        }
        let header_end = match &a.family {
            Some(f) => self.next_token_end(f.hi.span.end as usize),
            None => a.name.span.end as usize,
        };
        let mark = self.open_block(header_end);
        for m in &a.members {
            self.item(m, depth + 1);
        }
        self.close_block(span.end as usize, depth, mark);
    }

    fn market_decl(&mut self, m: &MarketDecl, span: Span, depth: usize) {
        self.word("market ");
        self.ident(&m.name);
        let mut lines: Vec<Line<'_>> = m.supply.iter().map(|e| Line::Expr("supply ", e)).collect();
        lines.extend(m.demand.iter().map(|e| Line::Expr("demand ", e)));
        lines.extend(m.price.iter().map(Line::Price));
        self.block_lines(lines, m.name.span.end, span, depth);
    }

    fn license_decl(&mut self, l: &LicenseDecl, span: Span, depth: usize) {
        self.word("license ");
        self.ident(&l.name);
        self.keyword(" for ", l.var.span.start);
        self.ident(&l.var);
        self.keyword(" in ", l.holders.span.start);
        self.ident(&l.holders);
        if let Some(by) = &l.licensor {
            self.keyword(" by ", by.span.start);
            self.ident(by);
        }
        let fields = [("metric ", &l.metric), ("require ", &l.require), ("audit ", &l.audit)];
        let lines = fields.into_iter().filter_map(|(kw, e)| e.as_ref().map(|e| Line::Expr(kw, e))).collect();
        let header_end = l.licensor.as_ref().unwrap_or(&l.holders).span.end;
        self.block_lines(lines, header_end, span, depth);
    }

    /// A `{ ... }` block of market or licence lines, in source order.
    fn block_lines(&mut self, mut lines: Vec<Line<'_>>, header_end: u32, span: Span, depth: usize) {
        lines.sort_by_key(Line::pos);
        let mark = self.open_block(header_end as usize);
        for line in lines {
            match line {
                Line::Expr(kw, e) => {
                    self.element(self.token_before(e.span.start as usize), depth + 1);
                    self.keyword_expr(kw, e);
                }
                Line::Price(t) => {
                    let colon = self.token_before(t.span.start as usize);
                    self.element(self.token_before(colon), depth + 1);
                    self.word("price: ");
                    self.type_expr(t);
                }
            }
        }
        self.close_block(span.end as usize, depth, mark);
    }

    fn audit_decl(&mut self, a: &AuditDecl) {
        self.word("audit ");
        self.ident(&a.name);
        self.opt_type(a.ty.as_ref());
        self.keyword_expr(" = ", &a.prob);
        let mut parts: Vec<AuditPart<'_>> = Vec::new();
        for (kw, e) in [(" cost ", &a.cost), (" budget ", &a.budget), (" detect ", &a.detect)] {
            parts.extend(e.as_ref().map(|e| AuditPart::Expr(kw, e)));
        }
        parts.extend(a.on.as_ref().map(AuditPart::On));
        parts.sort_by_key(AuditPart::pos);
        for part in parts {
            match part {
                AuditPart::Expr(kw, e) => self.keyword_expr(kw, e),
                AuditPart::On(id) => {
                    self.keyword(" on ", id.span.start);
                    self.ident(id);
                }
            }
        }
    }

    fn threshold_decl(&mut self, t: &ThresholdDecl) {
        self.named_colon("threshold ", &t.name, &t.condition);
        let on = match &t.consequence {
            Consequence::Penalty { amount, on } => {
                self.keyword_expr(" else penalty ", amount);
                on
            }
            Consequence::Ban { on } => {
                self.word(" else");
                self.flush_to_token(t.condition.span.end as usize);
                // The token found is `else`; the comments after it come before `ban`.
                let after_else = self.next_token_end(t.condition.span.end as usize);
                self.flush_to_token(after_else);
                self.word(" ban");
                on
            }
        };
        if let Some(on) = on {
            self.keyword(" on ", on.span.start);
            self.ident(on);
        }
    }

    fn sequence_decl(&mut self, s: &SequenceDecl, span: Span) {
        self.word("sequence { ");
        for (i, stage) in s.stages.iter().enumerate() {
            if let (true, Some(first)) = (i > 0, stage.first()) {
                self.keyword("; ", first.span.start);
            }
            self.ident_list(stage);
        }
        self.flush_closer_at_end(span.end as usize);
        self.word(" }");
    }

    fn expect_decl(&mut self, e: &ExpectDecl) {
        self.word("expect ");
        if let Some(name) = &e.name {
            self.ident(name);
            self.keyword(": ", e.expr.span.start);
        }
        self.expr(&e.expr);
        if let Some(tol) = &e.tolerance {
            self.keyword_expr(" +- ", tol);
        }
    }

    fn compare_decl(&mut self, c: &CompareDecl) {
        self.word("compare ");
        self.ident(&c.name);
        self.keyword_expr(" = ", &c.metric);
        if let Some(first) = c.scenarios.first() {
            self.keyword(" over ", first.span.start);
        }
        self.ident_list(&c.scenarios);
    }

    fn scenario_decl(&mut self, s: &ScenarioDecl, span: Span, depth: usize) {
        self.word("scenario ");
        self.ident(&s.name);
        let mark = self.open_block(s.name.span.end as usize);
        for change in &s.changes {
            self.scenario_change(change, depth + 1);
        }
        self.close_block(span.end as usize, depth, mark);
    }

    fn scenario_change(&mut self, change: &ScenarioChange, depth: usize) {
        match change {
            ScenarioChange::Set(path, e, span) | ScenarioChange::Fix(path, e, span) => {
                self.element(span.start as usize, depth);
                self.word(if matches!(change, ScenarioChange::Set(..)) { "set " } else { "fix " });
                self.path(path);
                self.keyword_expr(" = ", e);
            }
            ScenarioChange::Remove(names, span) => {
                self.element(span.start as usize, depth);
                self.word("remove ");
                self.ident_list(names);
            }
            ScenarioChange::Item(item) => self.item(item, depth),
        }
    }

    fn simulate_decl(&mut self, s: &SimulateDecl, span: Span, depth: usize) {
        self.word("simulate ");
        self.ident(&s.name);
        let mark = self.open_block(s.name.span.end as usize);
        for clause in &s.clauses {
            self.sim_clause(clause, depth + 1);
        }
        self.close_block(span.end as usize, depth, mark);
    }

    fn sim_clause(&mut self, clause: &SimClause, depth: usize) {
        let first = match clause {
            SimClause::Rounds(e) | SimClause::Reps(e) | SimClause::Seed(e) => e.span.start,
            SimClause::Strategy(path, _) => path.span.start,
            SimClause::State(name, ..) | SimClause::Update(name, _) | SimClause::Metric(name, _) => name.span.start,
        };
        self.element(self.token_before(first as usize), depth);
        match clause {
            SimClause::Rounds(e) => self.keyword_expr("rounds ", e),
            SimClause::Reps(e) => self.keyword_expr("reps ", e),
            SimClause::Seed(e) => self.keyword_expr("seed ", e),
            SimClause::Strategy(path, e) => {
                self.word("strategy ");
                self.path(path);
                self.keyword_expr(" = ", e);
            }
            SimClause::State(name, ty, e) => self.named_assign("state ", name, ty.as_ref(), e),
            SimClause::Update(name, e) => self.named_assign("update ", name, None, e),
            SimClause::Metric(name, e) => self.named_assign("metric ", name, None, e),
        }
    }

    fn sweep_decl(&mut self, s: &SweepDecl, span: Span, depth: usize) {
        self.word("sweep ");
        self.ident(&s.name);
        let mark = self.open_block(s.name.span.end as usize);
        for clause in &s.clauses {
            match clause {
                SweepClause::Vary(v) => {
                    self.element(self.token_before(v.param.span.start as usize), depth + 1);
                    self.word("vary ");
                    self.ident(&v.param);
                    self.word(" = ");
                    self.vary_values(&v.values);
                }
                SweepClause::Metric(name, e) => {
                    self.element(self.token_before(name.span.start as usize), depth + 1);
                    self.named_assign("metric ", name, None, e);
                }
            }
        }
        self.close_block(span.end as usize, depth, mark);
    }

    /// `lo..hi:steps[:log]` or `a, b, c`.
    fn vary_values(&mut self, values: &VaryValues) {
        match values {
            VaryValues::Grid { lo, hi, steps, log } => {
                self.range(lo, hi);
                self.keyword(":", steps.span.start);
                self.expr(steps);
                if *log {
                    self.word(":log");
                }
            }
            VaryValues::List(items) => self.expr_list(items),
        }
    }

    fn game_decl(&mut self, g: &GameDecl, span: Span, depth: usize) {
        self.word("game ");
        self.ident(&g.name);
        let mark = self.open_block(g.name.span.end as usize);
        let inner = depth + 1;
        if let Some(first) = g.players.first() {
            self.element(self.token_before(first.span.start as usize), inner);
        }
        self.word("players ");
        self.ident_list(&g.players);
        if let Some((first, _)) = g.strategies.first() {
            self.element(self.token_before(first.span.start as usize), inner);
        }
        self.word("strategies");
        for (who, strategies) in &g.strategies {
            self.word(" ");
            self.ident(who);
            self.word(" {");
            self.ident_list(strategies);
            if let Some(last) = strategies.last() {
                self.flush_closer_after(last.span.end as usize);
            }
            self.word("}");
        }
        self.element(self.token_before(table_span(&g.payoffs).start as usize), inner);
        self.word("payoffs ");
        self.payoff_table(&g.payoffs, inner);
        self.close_block(span.end as usize, depth, mark);
    }

    /// A payoff table: inline when it holds only tuples, else one row per line.
    fn payoff_table(&mut self, table: &PayoffTable, depth: usize) {
        let span = table_span(table);
        self.flush_inline(span.start as usize);
        match table {
            PayoffTable::Tuple(values, _) => {
                self.word("(");
                self.expr_list(values);
                self.flush_closer_at_end(span.end as usize);
                self.word(")");
            }
            PayoffTable::Rows(rows, _) if rows.iter().all(|r| matches!(r, PayoffTable::Tuple(..))) => {
                self.word("[");
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        self.word(", ");
                    }
                    self.payoff_table(row, depth);
                }
                self.flush_closer_at_end(span.end as usize);
                self.word("]");
            }
            PayoffTable::Rows(rows, _) => self.payoff_rows(rows, span, depth),
        }
    }

    /// `[` newline, each row on its own line one level deeper with a trailing comma, `]`.
    fn payoff_rows(&mut self, rows: &[PayoffTable], span: Span, depth: usize) {
        let cont = self.cont;
        self.word("[");
        for row in rows {
            self.flush_lines(table_span(row).start as usize, depth + 1, false);
            self.begin_line(depth + 1, false);
            self.cont = depth + 2;
            self.payoff_table(row, depth + 1);
            self.word(",");
        }
        if let Some(close) = self.closer_at_end(span.end as usize) {
            self.flush_lines(close, depth + 1, false);
        }
        self.begin_line(depth, false);
        self.word("]");
        self.cont = cont;
    }
}

/// The span of a payoff table or tuple.
fn table_span(table: &PayoffTable) -> Span {
    match table {
        PayoffTable::Rows(_, span) | PayoffTable::Tuple(_, span) => *span,
    }
}
