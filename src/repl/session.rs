//! One REPL session and what each kind of input does: a `:command`, declarations, an
//! expression. An input works on a copy of the [`State`] and the copy replaces the
//! state only when the input succeeded.

use super::changes::Snapshot;
use super::command::{self, Command};
use super::complete::Scope;
use super::state::State;
use super::{Files, Reply, Status};
use crate::check::show_type;
use crate::diag::render::check_summary;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::eval::defaults::{ConstCache, ConstEnv};
use crate::eval::EvalErrorKind;
use crate::model::{Check, Model, Type};
use crate::report::{run_text, show_value};
use crate::run::{scenario_hint, Scenarios};
use crate::session::{parse_override_at, Regime};
use crate::simulate::{sim_text, simulate, Options};
use crate::solve::eval_diagnostic;
use crate::solve::state::RunEnv;
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::ast::{Expr, Ident, Item, ItemKind, LetDecl};
use crate::syntax::{self, ITEM_KEYWORDS};
use crate::verify::decide_check;

/// The name of the `let` an expression typed at the prompt is checked as (no source
/// text can declare it).
const INPUT: &str = "<input>";

/// A REPL session.
pub struct Session {
    state: State,
    color: bool,
    /// Inputs so far, numbering the `<repl:N>` sources.
    inputs: usize,
    /// The equilibrium shown last, for `:solve` to say what changed since.
    shown: Option<Snapshot>,
}

impl Session {
    /// An empty session; `color` colours rendered diagnostics.
    pub fn new(color: bool) -> Session {
        let regime = Regime::empty("<repl>");
        let state = State {
            regime,
            path: None,
            overrides: Vec::new(),
            scenario: None,
            model: Model::default(),
            typed: 0,
            solution: None,
            snapshot: None,
        };
        Session { state, color, inputs: 0, shown: None }
    }

    /// Loads the file the session starts with. If it fails, the session is empty but
    /// remembers the path, so `:reload` tries it again.
    pub fn open(&mut self, path: &str, files: &dyn Files) -> Reply {
        let reply = self.load(path, files);
        if self.state.path.is_none() {
            self.state.path = Some(path.to_string());
        }
        reply
    }

    /// The names the session's regime declares, for completion.
    pub fn scope(&self) -> Scope {
        Scope::of(&self.state.model)
    }

    /// Executes one complete input (see [`super::input::is_complete`]): a `:command`,
    /// declarations, or an expression.
    pub fn enter(&mut self, text: &str, files: &dyn Files) -> Reply {
        if text.trim().is_empty() {
            return Reply::default();
        }
        self.inputs += 1;
        let mut next = self.state.clone();
        let id = next.regime.sources.add(format!("<repl:{}>", self.inputs), text);
        if text.trim_start().starts_with(':') {
            match command::parse(text, id) {
                Ok(c) => self.command(c, next, id, text, files),
                Err(d) => Reply::of_diagnostics(&[d], &next.regime.sources, self.color),
            }
        } else {
            self.code(next, id, text)
        }
    }

    fn command(&mut self, command: Command, next: State, id: SourceId, text: &str, files: &dyn Files) -> Reply {
        match command {
            Command::Load(path) => self.load(&path, files),
            Command::Reload => match self.state.path.clone() {
                Some(path) => self.load(&path, files),
                None => self.fail(
                    &next,
                    Diagnostic::new(Code::E0106, Span::new(id, 0..text.trim_end().len()), "no file to reload")
                        .label("the session did not start from a file")
                        .help("load one with `:load FILE`"),
                ),
            },
            Command::Set(at) => self.set(next, id, at),
            Command::Solve => self.solve(),
            Command::Check => self.check(),
            Command::Simulate(name, rounds) => self.simulate(next, id, name, rounds),
            Command::Scenario(None) => self.list_scenarios(),
            Command::Scenario(Some((name, at))) => self.scenario(next, id, &name, at),
            Command::Type(at) => match syntax::parse_expr_at(text, at, id) {
                Ok(e) => self.evaluate(next, id, e, true),
                Err(d) => self.fail(&next, d),
            },
            Command::Explain(None) => reply_out(Code::list()),
            Command::Explain(Some((code, at))) => match Code::parse(&code) {
                Some(c) => reply_out(c.explanation()),
                None => self.fail(
                    &next,
                    Diagnostic::new(
                        Code::E0106,
                        Span::new(id, at..at + code.len()),
                        format!("unknown diagnostic code `{code}`"),
                    )
                    .label("not a code")
                    .help(Code::unknown_help(&code)),
                ),
            },
            Command::Help(None) => reply_out(command::help()),
            Command::Help(Some(name)) => match command::help_for(&name) {
                Some(h) => reply_out(h),
                None => reply_out(command::help()),
            },
            Command::Quit => Reply { chunks: Vec::new(), status: Status::Quit },
        }
    }

    /// Declarations join the regime; anything else is an expression to evaluate.
    fn code(&mut self, next: State, id: SourceId, text: &str) -> Reply {
        match syntax::parse_file(text, id) {
            Ok(file) if file.items.is_empty() => Reply::default(),
            Ok(file) => self.declare(next, id, file.items),
            Err(d) if ITEM_KEYWORDS.contains(&first_word(text)) => self.fail(&next, d),
            Err(_) => match syntax::parse_expr(text, id) {
                Ok(e) => self.evaluate(next, id, e, false),
                Err(d) => {
                    let d = match assignment(text) {
                        Some(name) => d.help(format!("to give a parameter a value, write `:set {name} = ...`")),
                        None => d,
                    };
                    self.fail(&next, d)
                }
            },
        }
    }

    fn fail(&self, next: &State, d: Diagnostic) -> Reply {
        Reply::of_diagnostics(&[d], &next.regime.sources, self.color)
    }

    fn load(&mut self, path: &str, files: &dyn Files) -> Reply {
        let mut sources = SourceMap::new();
        let text = match files.read(path, &mut sources) {
            Ok(t) => t,
            Err(d) => return Reply::of_diagnostics(&[d], &sources, self.color),
        };
        let main = sources.add(path, text);
        let regime = match Regime::load(sources, main) {
            Ok(r) => r,
            Err((sources, d)) => return Reply::of_diagnostics(&d.into_vec(), &sources, self.color),
        };
        let (model, diags) = regime.check(&[]);
        let mut reply = Reply::of_diagnostics(&diags.clone().into_vec(), &regime.sources, self.color);
        let Some(model) = model else { return reply };
        let dropped = dropped(self.state.typed, self.state.overrides.len());
        self.state = State {
            regime,
            path: Some(path.to_string()),
            overrides: Vec::new(),
            scenario: None,
            model,
            typed: 0,
            solution: None,
            snapshot: None,
        };
        reply.out(format!("loaded `{path}`{dropped}\n"));
        reply
    }

    fn declare(&mut self, mut next: State, id: SourceId, items: Vec<Item>) -> Reply {
        let params: Vec<String> = items
            .iter()
            .filter_map(|i| if let ItemKind::Param(p) = &i.kind { Some(p.name.name.clone()) } else { None })
            .collect();
        next.typed += items.len();
        let replaced = next.regime.declare(items);
        next.overrides.retain(|o| !params.contains(&o.name));
        let mut reply = Reply::default();
        let warnings = match next.recheck() {
            Ok(w) => w,
            Err(errors) => return Reply::of_diagnostics(&errors.into_vec(), &next.regime.sources, self.color),
        };
        reply.diagnostics(&about_input(&warnings, id), &next.regime.sources, self.color);
        for item in &replaced {
            let what = item.name().map(|n| format!(" `{}`", n.name)).unwrap_or_default();
            reply.out(format!("replaced {}{what}\n", item.keyword()));
        }
        if let Err(d) = next.decide_questions(id, &mut reply) {
            return Reply::of_diagnostics(&d, &next.regime.sources, self.color);
        }
        self.state = next;
        reply
    }

    /// Evaluates an expression (or only types it) at the current equilibrium: it is
    /// checked as a `let` of the regime, then evaluated from parameter values alone when
    /// it needs nothing else, otherwise from the equilibrium (solved once per state).
    fn evaluate(&mut self, mut next: State, id: SourceId, expr: Expr, type_only: bool) -> Reply {
        let span = expr.span;
        let text = next.regime.sources.slice(span).to_string();
        let value = LetDecl { name: Ident { name: INPUT.into(), span }, ty: None, value: expr };
        next.regime.declare(vec![Item { kind: ItemKind::Let(value), span, doc: None }]);
        let (model, diags) = next.regime.check(&next.overrides);
        let mut reply = Reply::default();
        let Some(base) = model else {
            return Reply::of_diagnostics(&diags.into_vec(), &next.regime.sources, self.color);
        };
        reply.diagnostics(&about_input(&diags, id), &next.regime.sources, self.color);
        let own = match next.own_model() {
            Ok(own) => own,
            Err(d) => return Reply::of_diagnostics(&d.into_vec(), &next.regime.sources, self.color),
        };
        let model = own.as_ref().unwrap_or(&base);
        let Some(input) = model.lets.iter().find(|l| l.name == INPUT) else { return reply };
        let ty = &input.value.ty;
        if type_only || matches!(ty, Type::Fn(_) | Type::Family(_) | Type::Dist(_)) {
            let shown = if type_only { format!("{text} : {}", describe(model, ty)) } else { describe(model, ty) };
            reply.out(format!("{shown}\n"));
            return reply;
        }
        let sets = model.scenarios.iter().find(|s| Some(&s.name) == next.scenario.as_ref()).map(|s| s.sets.as_slice());
        let cache = ConstCache::new(model);
        let value = match ConstEnv::with_overrides(model, &cache, sets.unwrap_or(&[])).eval(&input.value) {
            Err(e) if matches!(e.kind, EvalErrorKind::NotConstant(_)) => match self.state.solve() {
                Ok(solution) => RunEnv::new(model, &solution.state).eval(&input.value),
                Err(d) => return Reply::of_diagnostics(&d, &next.regime.sources, self.color),
            },
            other => other,
        };
        let value = match value {
            // A proposition over an interval is decided as a `check` is: search, not enumeration.
            Err(e) if e.kind == EvalErrorKind::Continuous && *ty == Type::Bool => {
                let check = Check { name: INPUT.into(), prop: input.value.clone(), frame_size: 0, span };
                match self.state.solve().and_then(|s| decide_check(model, &s.state, &check).map_err(|d| vec![d])) {
                    Ok(v) => {
                        let detail = if v.detail.is_empty() { String::new() } else { format!("  {}\n", v.detail) };
                        reply.out(format!("{}\n  decided by {}\n{detail}", v.holds, v.method));
                        return reply;
                    }
                    Err(d) => return Reply::of_diagnostics(&d, &next.regime.sources, self.color),
                }
            }
            other => other,
        };
        match value {
            Ok(v) => reply.out(format!("{}\n", show_value(model, &v, ty))),
            Err(e) => reply.diagnostics(&[eval_diagnostic(&e)], &next.regime.sources, self.color),
        }
        reply
    }

    /// `:set NAME = VALUE`: re-check with the new value, re-solve, show what changed.
    fn set(&mut self, mut next: State, id: SourceId, at: usize) -> Reply {
        let o = match parse_override_at(&next.regime.sources, id, at, "`:set` needs `NAME = VALUE`") {
            Ok(o) => o,
            Err(d) => return self.fail(&next, d),
        };
        let name = o.name.clone();
        next.overrides.retain(|x| x.name != name);
        next.overrides.push(o);
        if let Err(errors) = next.recheck() {
            return Reply::of_diagnostics(&errors.into_vec(), &next.regime.sources, self.color);
        }
        let was = param_value(&self.state.model, &name);
        let now = param_value(&next.model, &name);
        self.re_solve(next, format!("{name}: {was} → {now}\n"))
    }

    /// `:scenario NAME`: solve under the scenario from now on, showing what changed.
    fn scenario(&mut self, mut next: State, id: SourceId, name: &str, at: usize) -> Reply {
        if name != "base" && !self.state.model.scenarios.iter().any(|s| s.name == name) {
            let span = Span::new(id, at..at + name.len());
            let d = Diagnostic::new(Code::E0209, span, format!("unknown scenario `{name}`"))
                .label("no scenario of this name")
                .help(scenario_hint(&self.state.model, name));
            return self.fail(&next, d);
        }
        next.scenario = (name != "base").then(|| name.to_string());
        if let Err(errors) = next.recheck() {
            return Reply::of_diagnostics(&errors.into_vec(), &next.regime.sources, self.color);
        }
        self.re_solve(next, format!("scenario `{name}`\n"))
    }

    /// Solves the changed state and shows its differences from the current one; the
    /// change is kept only if the solve succeeds.
    fn re_solve(&mut self, mut next: State, headline: String) -> Reply {
        let old = self.state.snapshot();
        let report = match next.run() {
            Ok(r) => r,
            Err(d) => return Reply::of_diagnostics(&d, &next.regime.sources, self.color),
        };
        let new = Snapshot::of(&next.model, &report);
        let mut reply = reply_out(headline);
        match old {
            Some(old) if old == new => reply.out("equilibrium unchanged\n"),
            Some(old) => reply.out(format!("changed in the equilibrium:\n{}", old.changes(&new))),
            None => {
                reply.out(format!("the equilibrium (none before to compare):\n{}", Snapshot::default().changes(&new)))
            }
        }
        if !report.all_hold() {
            reply.status = Status::Failed;
        }
        self.shown = Some(new);
        self.state = next;
        reply
    }

    /// `:solve`: the report of `gov run`, and what changed since the equilibrium shown last.
    fn solve(&mut self) -> Reply {
        let report = match self.state.run() {
            Ok(r) => r,
            Err(d) => return Reply::of_diagnostics(&d, &self.state.regime.sources, self.color),
        };
        let mut reply = reply_out(run_text(&self.state.model, &report, &self.state.label()));
        let new = Snapshot::of(&self.state.model, &report);
        if let Some(old) = &self.shown {
            let changes = old.changes(&new);
            if !changes.is_empty() {
                reply.out(format!("\nchanged since the last equilibrium shown\n{changes}"));
            }
        }
        if !report.all_hold() {
            reply.status = Status::Failed;
        }
        self.shown = Some(new);
        reply
    }

    /// `:check`: every diagnostic of the whole regime, as `gov check` shows them.
    fn check(&self) -> Reply {
        let (_, diags) = self.state.regime.check(&self.state.overrides);
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let mut reply = Reply::of_diagnostics(&diags.clone().into_vec(), &self.state.regime.sources, self.color);
        reply.out(check_summary(&self.state.label(), errors, diags.len() - errors, false));
        reply
    }

    /// `:simulate`: `gov simulate` on the regime as the session has it (scenario and
    /// `:set` values in force). Nothing in the session changes.
    fn simulate(&self, next: State, id: SourceId, name: Option<(String, usize)>, rounds: Option<u64>) -> Reply {
        let sources = &next.regime.sources;
        let model = match &self.state.scenario {
            Some(s) => match self.state.models().model_for(s) {
                Ok(m) => m,
                Err(d) => return Reply::of_diagnostics(&d, sources, self.color),
            },
            None => self.state.model.clone(),
        };
        let options = Options {
            name: name.as_ref().map(|(n, _)| n.clone()),
            rounds,
            reps: None,
            seed: None,
            scenario: self.state.scenario.clone(),
        };
        match simulate(&model, &options, &|_| {}) {
            Ok(result) => reply_out(sim_text(&result, &self.state.label())),
            Err(e) => {
                let mut d = e.to_diagnostic();
                // An unknown name is the argument's fault: point at it.
                if let (Code::E0604, Some((n, at))) = (d.code, &name) {
                    d.primary.span = Span::new(id, *at..*at + n.len());
                    d.primary.message = "no such `simulate` block".into();
                }
                Reply::of_diagnostics(&[d], sources, self.color)
            }
        }
    }

    fn list_scenarios(&self) -> Reply {
        let current = self.state.scenario.as_deref().unwrap_or("base");
        let names = std::iter::once("base").chain(self.state.model.scenarios.iter().map(|s| s.name.as_str()));
        reply_out(names.map(|n| format!("{} {n}\n", if n == current { "*" } else { " " })).collect::<String>())
    }
}

/// The warnings about input `id` worth showing at the prompt: not "never used", since a
/// definition typed at the prompt is there to be used later.
fn about_input(diags: &Diagnostics, id: SourceId) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.primary.span.source == id && !d.is_error() && !matches!(d.code, Code::W0001 | Code::W0005))
        .cloned()
        .collect()
}

/// A type as `:type` shows it: a function with its signature (`fn(D: pflop): usd`;
/// untyped parameters of a generic function take their units from each call).
fn describe(model: &Model, ty: &Type) -> String {
    let Type::Fn(id) = ty else { return show_type(model, ty) };
    let Some(f) = model.fns.get(*id) else { return show_type(model, ty) };
    let typed = |name: &str, t: &Type| match t {
        Type::Generic => name.to_string(),
        t => format!("{name}: {}", show_type(model, t)),
    };
    let params: Vec<String> = f.params.iter().map(|(n, t)| typed(n, t)).collect();
    let ret = if f.ret == Type::Generic { String::new() } else { format!(": {}", show_type(model, &f.ret)) };
    format!("fn({}){ret}", params.join(", "))
}

/// A parameter's value as printed, or `no value`.
fn param_value(model: &Model, name: &str) -> String {
    let Some((id, p)) = model.params.iter().enumerate().find(|(_, p)| p.name == name) else {
        return "no value".into();
    };
    let cache = ConstCache::new(model);
    match crate::eval::Env::param(&ConstEnv::new(model, &cache), id, p.span) {
        Ok(v) => show_value(model, &v, &p.ty),
        Err(_) => "no value".into(),
    }
}

/// ` (dropped 2 declarations and 1 `:set` value typed at the prompt)`, or nothing.
fn dropped(declarations: usize, sets: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (declarations, sets) {
        (0, 0) => String::new(),
        (d, 0) => format!(" (dropped {} typed at the prompt)", plural(d, "declaration")),
        (0, s) => format!(" (dropped {})", plural(s, "`:set` value")),
        (d, s) => format!(" (dropped {} and {})", plural(d, "declaration"), plural(s, "`:set` value")),
    }
}

/// The first word of an input after blanks and comments.
fn first_word(text: &str) -> &str {
    let mut rest = text.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after).trim_start();
        } else {
            break;
        }
    }
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    &rest[..end]
}

/// `a = 3` typed as if assigning: the name.
fn assignment(text: &str) -> Option<&str> {
    let (name, value) = text.split_once('=')?;
    let name = name.trim();
    let is_name = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    (is_name && !value.starts_with('=')).then_some(name)
}

fn reply_out(text: impl Into<String>) -> Reply {
    let mut reply = Reply::default();
    reply.out(text);
    reply
}
