//! Declarations at file scope: collecting them (duplicates are `E0202`), `use` of stdlib
//! modules (`E0204`), and lookup with "did you mean" suggestions (`E0201`).

use super::{Checker, Decl, LetState, MemberKind, Origin};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind};
use indexmap::IndexMap;

/// What a name at file scope denotes.
#[derive(Debug, Clone, PartialEq)]
pub enum Sym {
    /// A unit (index into `Model::units`).
    Unit(usize),
    /// An enumeration type.
    Enum(EnumId),
    /// A variant of an enumeration.
    Variant(EnumId, usize),
    /// A global parameter.
    Param(ParamId),
    /// A global let.
    Let(LetId),
    /// A function or penalty.
    Fn(FnId),
    /// A global random quantity.
    Random(RandomId),
    /// An actor or family.
    Actor(ActorId),
    /// A market.
    Market(MarketId),
    /// An audit.
    Audit(AuditId),
    /// Another named rule (cap, licence, threshold, game), by keyword.
    Rule(&'static str),
    /// A scenario.
    Scenario,
    /// A question (check, expect, compare, simulate), by keyword.
    Question(&'static str),
    /// A stdlib module.
    Module(String),
}

/// `a` or `an` before a word.
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

impl Sym {
    /// What to call it in a message ("parameter", "unit", ...).
    pub fn describe(&self) -> &'static str {
        match self {
            Sym::Unit(_) => "unit",
            Sym::Enum(_) => "type",
            Sym::Variant(..) => "enumeration variant",
            Sym::Param(_) => "parameter",
            Sym::Let(_) => "let",
            Sym::Fn(_) => "function",
            Sym::Random(_) => "random quantity",
            Sym::Actor(_) => "actor",
            Sym::Market(_) => "market",
            Sym::Audit(_) => "audit",
            Sym::Rule(kw) | Sym::Question(kw) => kw,
            Sym::Scenario => "scenario",
            Sym::Module(_) => "module",
        }
    }
}

/// Names that are never user declarations.
const RESERVED_TYPES: &[&str] = &["Int", "Real", "Bool", "Prob"];

fn qualify(origin: Origin<'_>, name: &str) -> String {
    match origin.module {
        Some(m) => format!("{m}.{name}"),
        None => name.to_string(),
    }
}

impl<'a> Checker<'a> {
    /// Declares a name, reporting a duplicate.
    pub(super) fn declare(&mut self, key: String, sym: Sym, span: Span) -> bool {
        if RESERVED_TYPES.contains(&key.as_str()) {
            self.error(
                Diagnostic::new(Code::E0202, span, format!("`{key}` is a built-in type"))
                    .label("this redefines a built-in type")
                    .help(format!("rename it, e.g. `{}_`", key.to_lowercase())),
            );
            return false;
        }
        if let Some(prev) = self.globals.get(&key) {
            let what = prev.sym.describe();
            let prev_span = prev.span;
            self.error(
                Diagnostic::new(Code::E0202, span, format!("`{key}` is defined twice"))
                    .label("defined again here")
                    .with(prev_span, format!("first defined here as {} {what}", article(what)))
                    .help("rename one of them"),
            );
            return false;
        }
        self.globals.insert(key, Decl { sym, span });
        true
    }

    /// First pass over items: allocate ids and declare names.
    pub(super) fn collect_items(&mut self, items: &'a [ast::Item], origin: Origin<'a>) {
        for item in items {
            self.collect_item(item, origin);
        }
    }

    fn collect_item(&mut self, item: &'a ast::Item, origin: Origin<'a>) {
        let doc = item.doc.clone();
        // A module's own questions (its self-tests) are not part of the regime that uses it.
        let question = matches!(
            item.kind,
            ItemKind::Check(_)
                | ItemKind::Expect(_)
                | ItemKind::Scenario(_)
                | ItemKind::Compare(_)
                | ItemKind::Simulate(_)
                | ItemKind::Sweep(_)
        );
        if question && origin.module.is_some() {
            return;
        }
        let named = self.name_item(item, origin.module, None, None);
        match &item.kind {
            ItemKind::Use(_) | ItemKind::Choose(_) | ItemKind::Payoff(_) => {}
            ItemKind::Unit(u) => {
                let id = self.model.units.len();
                if self.declare(u.name.name.clone(), Sym::Unit(id), u.name.span) {
                    self.model.units.push(UnitDef {
                        name: u.name.name.clone(),
                        dim: units::Dimension::base(&u.name.name),
                        scale: 1.0,
                        span: u.name.span,
                        doc: u.doc.clone().or(doc),
                    });
                    self.unit_asts.push((u, item.span));
                    self.unit_state.push(LetState::Pending);
                }
            }
            ItemKind::Type(t) => {
                let id = self.declare_enum(&t.name.name, &t.variants, t.name.span);
                self.declare(qualify(origin, &t.name.name), Sym::Enum(id), t.name.span);
            }
            ItemKind::Param(p) => {
                let id = self.param_asts.len();
                self.declare(qualify(origin, &p.name.name), Sym::Param(id), p.name.span);
                self.param_asts.push((p, origin));
                self.used_params.push(origin.module.is_some());
                self.model.params.push(Param {
                    name: qualify(origin, &p.name.name),
                    ty: Type::Error,
                    default: None,
                    constraint: None,
                    doc: p.doc.clone().or(doc),
                    span: p.name.span,
                });
            }
            ItemKind::Let(l) => {
                let id = self.let_asts.len();
                self.declare(qualify(origin, &l.name.name), Sym::Let(id), l.name.span);
                self.let_asts.push((l, origin));
                self.let_state.push(LetState::Pending);
                self.used_lets.push(origin.module.is_some());
                self.model.lets.push(Let {
                    name: qualify(origin, &l.name.name),
                    value: error_expr(l.name.span),
                    span: l.name.span,
                });
            }
            ItemKind::Fn(f) | ItemKind::Penalty(f) => {
                let id = self.fn_asts.len();
                let is_penalty = matches!(item.kind, ItemKind::Penalty(_));
                self.declare(qualify(origin, &f.name.name), Sym::Fn(id), f.name.span);
                self.fn_asts.push((f, origin));
                self.used_fns.push(origin.module.is_some() || is_penalty);
                if is_penalty {
                    self.penalties.push(id);
                }
                self.model.fns.push(Func {
                    name: qualify(origin, &f.name.name),
                    params: Vec::new(),
                    ret: Type::Error,
                    body: error_expr(f.name.span),
                    frame_size: 0,
                    is_penalty,
                    span: f.name.span,
                });
            }
            ItemKind::Random(r) => {
                let id = self.random_asts.len();
                self.declare(qualify(origin, &r.name.name), Sym::Random(id), r.name.span);
                self.random_asts.push((r, origin));
                self.model.randoms.push(Random {
                    name: r.name.name.clone(),
                    dist: error_expr(r.name.span),
                    ty: Type::Error,
                    span: r.name.span,
                });
            }
            ItemKind::Actor(a) => {
                let id = self.actor_asts.len();
                self.declare(qualify(origin, &a.name.name), Sym::Actor(id), a.name.span);
                self.actor_asts.push(a);
                self.collect_members(a, item, named);
            }
            ItemKind::Market(m) => {
                let id = self.model.markets.len();
                self.declare(m.name.name.clone(), Sym::Market(id), m.name.span);
                self.model.markets.push(Market {
                    name: m.name.name.clone(),
                    supply: error_expr(m.name.span),
                    demand: error_expr(m.name.span),
                    price_dim: units::Dimension::one(),
                    span: m.name.span,
                });
                self.rule_items.push((item, origin));
            }
            ItemKind::Audit(a) => {
                let id = self.model.audits.len();
                self.declare(a.name.name.clone(), Sym::Audit(id), a.name.span);
                self.model.audits.push(Audit {
                    name: a.name.name.clone(),
                    prob: error_expr(a.name.span),
                    cost: None,
                    budget: None,
                    on: None,
                    detect: None,
                    span: a.name.span,
                });
                self.rule_items.push((item, origin));
            }
            ItemKind::Cap(_) | ItemKind::License(_) | ItemKind::Threshold(_) | ItemKind::Game(_) => {
                if let Some(name) = item.name() {
                    self.declare(name.name.clone(), Sym::Rule(item.keyword()), name.span);
                }
                self.rule_items.push((item, origin));
            }
            ItemKind::Scenario(s) => {
                self.declare(s.name.name.clone(), Sym::Scenario, s.name.span);
                self.rule_items.push((item, origin));
            }
            ItemKind::Check(_)
            | ItemKind::Compare(_)
            | ItemKind::Simulate(_)
            | ItemKind::Sweep(_)
            | ItemKind::Expect(_) => {
                if let Some(name) = item.name() {
                    self.declare(name.name.clone(), Sym::Question(item.keyword()), name.span);
                }
                self.rule_items.push((item, origin));
            }
            ItemKind::Sequence(_) => self.rule_items.push((item, origin)),
        }
    }

    /// Declares an enumeration and its variants (variants are global names).
    pub(super) fn declare_enum(&mut self, name: &str, variants: &[ast::Ident], span: Span) -> EnumId {
        let id = self.model.enums.len();
        self.model.enums.push(EnumDef {
            name: name.to_string(),
            variants: variants.iter().map(|v| v.name.clone()).collect(),
            span,
        });
        for (i, v) in variants.iter().enumerate() {
            self.declare(v.name.clone(), Sym::Variant(id, i), v.span);
            self.name_variant(v, name);
        }
        id
    }

    fn collect_members(&mut self, a: &'a ast::ActorDecl, item: &ast::Item, named: Option<usize>) {
        let mut table: IndexMap<String, (MemberKind, usize, Span)> = IndexMap::new();
        let mut counts = [0usize; 5];
        let mut lets = Vec::new();
        if let Some(f) = &a.family {
            table.insert(f.var.name.clone(), (MemberKind::Param, usize::MAX, f.var.span));
            self.name_index(&f.var, item, named);
        }
        for m in &a.members {
            self.name_item(m, None, Some(item.span), named);
            let (kind, slot) = match &m.kind {
                ItemKind::Param(_) => (MemberKind::Param, 0),
                ItemKind::Let(_) => (MemberKind::Let, 1),
                ItemKind::Fn(_) => (MemberKind::Fn, 2),
                ItemKind::Random(_) => (MemberKind::Random, 3),
                ItemKind::Choose(_) => (MemberKind::Choice, 4),
                _ => continue,
            };
            let Some(name) = m.name() else { continue };
            let index = counts[slot];
            counts[slot] += 1;
            if kind == MemberKind::Let {
                lets.push(LetState::Pending);
            }
            if let Some((_, _, prev)) = table.get(&name.name) {
                let prev = *prev;
                self.error(
                    Diagnostic::new(
                        Code::E0202,
                        name.span,
                        format!("`{}` is defined twice in `{}`", name.name, a.name.name),
                    )
                    .label("defined again here")
                    .with(prev, "first defined here")
                    .help("rename one of them"),
                );
                continue;
            }
            table.insert(name.name.clone(), (kind, index, name.span));
        }
        self.actor_members.push(table);
        self.actor_let_state.push(lets);
        self.model.actors.push(Actor {
            name: a.name.name.clone(),
            family: None,
            params: Vec::new(),
            lets: Vec::new(),
            let_order: Vec::new(),
            fns: Vec::new(),
            randoms: Vec::new(),
            choices: Vec::new(),
            payoff: None,
            span: a.name.span,
        });
    }

    /// Handles `use` items: unknown modules are `E0204`; `use m.{a}` aliases `a` to `m.a`.
    pub(super) fn resolve_uses(&mut self, items: &'a [ast::Item], from: Option<&str>) {
        for item in items {
            let ItemKind::Use(u) = &item.kind else { continue };
            let module = &u.module.name;
            let known = self.program.modules.iter().any(|(n, _)| n == module);
            if !known {
                let names: Vec<&str> = crate::stdlib::MODULES.iter().map(|(n, _)| *n).collect();
                let mut d = Diagnostic::new(Code::E0204, u.module.span, format!("unknown module `{module}`"))
                    .label("no stdlib module has this name");
                d = match suggest(module, names.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("the stdlib modules are: {}", names.join(", "))),
                };
                self.error(d);
                continue;
            }
            if from.is_none() && !self.globals.contains_key(module) {
                self.globals.insert(module.clone(), Decl { sym: Sym::Module(module.clone()), span: u.module.span });
            }
            if from.is_none() {
                self.name_module(module, u.module.span);
            }
            for name in u.names.iter().flatten() {
                let key = format!("{module}.{}", name.name);
                match self.globals.get(&key).cloned() {
                    Some(decl) if from.is_none() => {
                        self.declare(name.name.clone(), decl.sym, name.span);
                        self.name_import(name.span, decl.span);
                    }
                    Some(_) => {}
                    None => {
                        let members = self.module_members(module);
                        let mut d = Diagnostic::new(
                            Code::E0205,
                            name.span,
                            format!("module `{module}` has no `{}`", name.name),
                        )
                        .label("not defined in this module");
                        if let Some(s) = suggest(&name.name, members.iter().map(String::as_str)) {
                            d = d.help(format!("did you mean `{s}`?"));
                        }
                        self.error(d);
                    }
                }
            }
        }
    }

    /// Names a module defines (unqualified).
    pub(super) fn module_members(&self, module: &str) -> Vec<String> {
        let prefix = format!("{module}.");
        self.globals.keys().filter_map(|k| k.strip_prefix(&prefix).map(str::to_string)).collect()
    }

    /// Looks a name up at file scope from `module` (its own names first).
    pub(super) fn lookup_global(&self, name: &str, module: Option<&str>) -> Option<Decl> {
        if let Some(m) = module {
            if let Some(d) = self.globals.get(&format!("{m}.{name}")) {
                return Some(d.clone());
            }
            if let Some(d @ Decl { sym: Sym::Unit(_) | Sym::Enum(_) | Sym::Variant(..), .. }) = self.globals.get(name) {
                return Some(d.clone());
            }
            return None;
        }
        self.globals.get(name).cloned()
    }

    /// Every name visible at file scope (unqualified), for suggestions.
    pub(super) fn visible_names(&self) -> Vec<String> {
        self.globals.keys().filter(|k| !k.contains('.')).cloned().collect()
    }
}

/// The candidate closest to `name`, if close enough to be a plausible typo.
pub fn suggest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        let dist = strsim::damerau_levenshtein(name, c);
        let close = dist <= (name.chars().count().max(c.chars().count()) / 3).max(1) || score >= 0.9;
        if close && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// A placeholder expression for a definition not yet (or never successfully) checked.
pub fn error_expr(span: Span) -> Expr {
    Expr { kind: ExprKind::Const(Value::Num(0.0)), ty: Type::Error, span }
}

use super::units;
