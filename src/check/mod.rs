//! AST → [`Model`]: binds every name, infers and checks types and units, and enforces the
//! rules of the governance constructs. Several errors are reported per run; warnings
//! (unused parameters, shadowing, vacuous checks, penalty properties) go with them.
//!
//! The work is split by concern: `scope` collects declarations (duplicates, `use`),
//! `types` turns written types into [`Type`]s, `expr` types expressions, `members`
//! checks actors, `licences` reads licences as members of their holders, `rules` the
//! mechanism constructs and questions, `consts` evaluates what is constant (defaults,
//! constraints, distribution parameters), `graph` finds cycles and unused definitions.

mod calls;
mod consts;
mod expr;
mod graph;
mod licences;
mod members;
pub mod names;
mod rules;
mod scope;
mod sweep;
mod types;
pub mod units;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast;
use indexmap::IndexMap;
use units::Dimension;

pub use consts::constant_diagnostics;
pub use rules::visit;
pub use scope::suggest as suggest_name;
use scope::Sym;
pub use types::show_type;

/// The files of one regime: the main file and the stdlib modules it (transitively) uses.
pub struct Program<'a> {
    /// The file being checked.
    pub main: &'a ast::File,
    /// Loaded stdlib modules by name.
    pub modules: Vec<(String, &'a ast::File)>,
    /// The texts, for messages that quote the source.
    pub sources: &'a crate::source::SourceMap,
}

/// Result of checking: the model (complete only when there are no errors) and diagnostics.
pub struct Checked {
    /// The checked regime.
    pub model: Model,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Diagnostics,
    /// Every declaration and resolved use of a name (from [`check_named`]; empty otherwise).
    pub names: names::NameIndex,
}

/// Checks a program.
pub fn check(program: &Program<'_>) -> Checked {
    check_with(program, false)
}

/// Checks a program and records what every name is (`Checked::names`), for editors.
pub fn check_named(program: &Program<'_>) -> Checked {
    check_with(program, true)
}

fn check_with(program: &Program<'_>, naming: bool) -> Checked {
    let mut c = Checker::new(program);
    c.naming = naming;
    c.run();
    let mut diagnostics = std::mem::take(&mut c.diags);
    diagnostics.sort();
    Checked { model: c.model, diagnostics, names: c.names }
}

/// A declared name at file scope.
#[derive(Debug, Clone)]
struct Decl {
    sym: Sym,
    span: Span,
}

/// Where an item came from (the main file or a stdlib module).
#[derive(Debug, Clone, Copy)]
struct Origin<'a> {
    module: Option<&'a str>,
}

/// Typing state of a let, for on-demand checking and cycle detection.
#[derive(Debug, Clone, PartialEq)]
enum LetState {
    Pending,
    InProgress,
    Done,
}

/// The expression-checking context: bound variables, the enclosing actor and module.
#[derive(Debug, Clone, Default)]
struct Ctx {
    locals: Vec<Local>,
    actor: Option<ActorId>,
    module: Option<String>,
    next_slot: usize,
    max_slot: usize,
}

#[derive(Debug, Clone)]
struct Local {
    name: String,
    slot: LocalId,
    ty: Type,
    span: Span,
}

impl Ctx {
    fn new(actor: Option<ActorId>, module: Option<&str>) -> Ctx {
        let mut ctx = Ctx { actor, module: module.map(str::to_string), ..Ctx::default() };
        if actor.is_some() {
            ctx.next_slot = 1;
            ctx.max_slot = 1;
        }
        ctx
    }

    fn bind(&mut self, name: &str, ty: Type, span: Span) -> LocalId {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.max_slot = self.max_slot.max(self.next_slot);
        self.locals.push(Local { name: name.to_string(), slot, ty, span });
        slot
    }

    fn unbind(&mut self, count: usize) {
        for _ in 0..count {
            self.locals.pop();
            self.next_slot -= 1;
        }
    }

    fn lookup(&self, name: &str) -> Option<&Local> {
        self.locals.iter().rev().find(|l| l.name == name)
    }
}

/// The checker's state across passes.
struct Checker<'a> {
    program: &'a Program<'a>,
    model: Model,
    diags: Diagnostics,
    globals: IndexMap<String, Decl>,
    unit_asts: Vec<(&'a ast::UnitDecl, Span)>,
    unit_state: Vec<LetState>,
    param_asts: Vec<(&'a ast::ParamDecl, Origin<'a>)>,
    let_asts: Vec<(&'a ast::LetDecl, Origin<'a>)>,
    let_state: Vec<LetState>,
    fn_asts: Vec<(&'a ast::FnDecl, Origin<'a>)>,
    random_asts: Vec<(&'a ast::RandomDecl, Origin<'a>)>,
    actor_asts: Vec<&'a ast::ActorDecl>,
    /// Per actor: member name → (kind, index, span).
    actor_members: Vec<IndexMap<String, (MemberKind, usize, Span)>>,
    actor_let_state: Vec<Vec<LetState>>,
    /// Licence name → id, for licences whose holders are an actor (read as members).
    licences: IndexMap<String, LicenseId>,
    /// Items checked after declarations: (item, origin).
    rule_items: Vec<(&'a ast::Item, Origin<'a>)>,
    /// Generic instantiations already checked: (fn, argument types).
    instances: Vec<(FnId, Vec<Type>, Type)>,
    instance_depth: usize,
    /// Names used (for unused warnings), by kind and id.
    used_params: Vec<bool>,
    used_lets: Vec<bool>,
    used_fns: Vec<bool>,
    /// Declaration order of penalties (fn ids).
    penalties: Vec<FnId>,
    /// Parameter defaults evaluated so far, shared once every default is typed.
    const_cache: Option<crate::eval::defaults::ConstCache>,
    /// What each name is and where it is used, for editors (recorded when `naming`).
    names: names::NameIndex,
    naming: bool,
}

/// What an actor member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberKind {
    Param,
    Let,
    Fn,
    Random,
    Choice,
}

impl<'a> Checker<'a> {
    fn new(program: &'a Program<'a>) -> Checker<'a> {
        Checker {
            program,
            model: Model { doc: program.main.doc.clone(), ..Model::default() },
            diags: Diagnostics::new(),
            globals: IndexMap::new(),
            unit_asts: Vec::new(),
            unit_state: Vec::new(),
            param_asts: Vec::new(),
            let_asts: Vec::new(),
            let_state: Vec::new(),
            fn_asts: Vec::new(),
            random_asts: Vec::new(),
            actor_asts: Vec::new(),
            actor_members: Vec::new(),
            actor_let_state: Vec::new(),
            licences: IndexMap::new(),
            rule_items: Vec::new(),
            instances: Vec::new(),
            instance_depth: 0,
            used_params: Vec::new(),
            used_lets: Vec::new(),
            used_fns: Vec::new(),
            penalties: Vec::new(),
            const_cache: None,
            names: names::NameIndex::default(),
            naming: false,
        }
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn run(&mut self) {
        let program = self.program;
        for (name, file) in &program.modules {
            self.collect_items(&file.items, Origin { module: Some(name.as_str()) });
        }
        self.collect_items(&program.main.items, Origin { module: None });
        self.resolve_uses(&program.main.items, None);
        for (name, file) in &program.modules {
            self.resolve_uses(&file.items, Some(name.as_str()));
        }
        for id in 0..self.unit_asts.len() {
            self.check_unit(id);
        }
        // Bodies, and the signatures of member randoms, read licences as members
        // (`r.north_licence`).
        self.declare_licences();
        self.declare_signatures();
        self.check_bodies();
        // Rules need the payoff unit (a learning rule's temperature is in it).
        self.check_payoff_units();
        self.check_rules();
        self.post_checks();
    }

    fn check_bodies(&mut self) {
        for id in 0..self.param_asts.len() {
            self.check_param_body(id);
        }
        // Defaults are final from here on, so their values can be shared.
        self.const_cache = Some(crate::eval::defaults::ConstCache::new(&self.model));
        for id in 0..self.let_asts.len() {
            self.ensure_let(id);
        }
        for id in 0..self.fn_asts.len() {
            self.check_fn_body(id);
        }
        for id in 0..self.random_asts.len() {
            self.check_random(id);
        }
        for id in 0..self.actor_asts.len() {
            self.check_actor(id);
        }
    }

    fn post_checks(&mut self) {
        self.check_market_units();
        self.check_threshold_units();
        if !self.find_cycles() {
            self.check_constants();
            self.check_penalty_properties();
        }
        self.warn_unused();
        self.describe_names();
    }

    /// Reports `E0302` when payoffs disagree on their unit.
    fn check_payoff_units(&mut self) {
        let mut first: Option<(Dimension, Span, String)> = None;
        let mut errors = Vec::new();
        for actor in &self.model.actors {
            let Some(payoff) = &actor.payoff else { continue };
            let Some(dim) = payoff.ty.dim() else { continue };
            match &first {
                None => first = Some((dim.clone(), payoff.span, actor.name.clone())),
                Some((d, span, name)) if d != dim => errors.push(
                    Diagnostic::new(Code::E0302, payoff.span, "payoffs with different units")
                        .label(format!("`{}` is paid in `{}`", actor.name, types::show_dim(dim)))
                        .with(*span, format!("`{name}` is paid in `{}`", types::show_dim(d)))
                        .help("express every payoff in one currency; convert with an exchange-rate parameter"),
                ),
                _ => {}
            }
        }
        self.model.payoff_dim = first.map(|(d, _, _)| d);
        for e in errors {
            self.error(e);
        }
    }

    /// Reports `E0301` when a threshold's penalty is not in the payoff unit it is subtracted from.
    fn check_threshold_units(&mut self) {
        let Some(payoff) = self.model.payoff_dim.clone() else { return };
        let mut errors = Vec::new();
        for t in &self.model.thresholds {
            let Some(pen) = &t.penalty else { continue };
            if let Some(d) = pen.ty.dim() {
                if *d != payoff {
                    let mut diag = Diagnostic::new(Code::E0301, pen.span, "mismatched units")
                        .label(format!("this penalty is `{}`", types::show_dim(d)))
                        .note(format!("it is subtracted from payoffs in `{}`", types::show_dim(&payoff)));
                    if let Some(fix) = units::suggest_fix(&payoff, d) {
                        diag = diag.help(fix);
                    }
                    errors.push(diag);
                }
            }
        }
        for e in errors {
            self.error(e);
        }
    }

    /// Reports `E0408` when price × quantity is not the payoff unit.
    fn check_market_units(&mut self) {
        let Some(payoff) = self.model.payoff_dim.clone() else { return };
        let mut errors = Vec::new();
        for m in &self.model.markets {
            let Some(q) = m.demand.ty.dim() else { continue };
            let value = m.price_dim.mul(q);
            if value != payoff {
                let want = payoff.div(q);
                errors.push(
                    Diagnostic::new(Code::E0408, m.span, "market price does not convert quantity into payoff")
                        .label(format!(
                            "price `{}` times quantity `{}` is `{}`",
                            types::show_dim(&m.price_dim),
                            types::show_dim(q),
                            types::show_dim(&value)
                        ))
                        .help(format!(
                            "declare `price: {}` so that price times quantity is `{}`",
                            types::show_dim(&want),
                            types::show_dim(&payoff)
                        )),
                );
            }
        }
        for e in errors {
            self.error(e);
        }
    }
}
