//! Runs the front-end stages in order and owns their state: sources are added, parsed,
//! their `use`d stdlib modules loaded (transitively, each once), and the whole program
//! checked — as written, with `--set` overrides substituted for parameter defaults, or
//! with a scenario's replacement rules swapped in. No IO: callers hand in text.

use crate::check::names::NameIndex;
use crate::check::{self, Checked, Program};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::ast::{Expr, File, Item, ItemKind, ScenarioChange};
use crate::{stdlib, syntax};

/// The outcome of checking one regime.
pub struct CheckOutcome {
    /// Every source involved (the file and its stdlib modules).
    pub sources: SourceMap,
    /// The checked model, when there were no errors.
    pub model: Option<Model>,
    /// Errors and warnings in report order.
    pub diagnostics: Diagnostics,
    /// What each name is and where it is used: filled by [`analyse`] (for editors);
    /// empty from [`check_in`] and when the file does not parse.
    pub names: NameIndex,
}

impl CheckOutcome {
    /// True when the regime has no errors.
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

/// A parsed regime with its stdlib modules, ready to be checked in variants.
#[derive(Clone)]
pub struct Regime {
    /// Every source (the file, its modules, `--set` values).
    pub sources: SourceMap,
    /// The main file.
    pub main: SourceId,
    /// Its syntax tree.
    pub ast: File,
    modules: Vec<(String, File)>,
    /// Problems found while loading modules.
    pub load_diagnostics: Diagnostics,
}

/// The models of a regime's scenarios, for [`crate::run::run`]: a scenario that adds or
/// replaces rules is checked as its own program, the others use the base model.
pub struct ScenarioModels<'a> {
    /// The regime.
    pub regime: &'a Regime,
    /// Its checked base model.
    pub base: &'a Model,
    /// The overrides it was checked with.
    pub overrides: &'a [Override],
}

impl crate::run::Scenarios for ScenarioModels<'_> {
    fn model_for(&self, name: &str) -> Result<Model, Vec<Diagnostic>> {
        match self.regime.scenario_model(name, self.overrides) {
            None => Ok(self.base.clone().with_removed_penalties(name)),
            Some((Some(m), _)) => Ok(m.with_removed_penalties(name)),
            Some((None, d)) => Err(d.into_vec()),
        }
    }
}

/// A `--set NAME=VALUE` override, parsed.
#[derive(Debug, Clone)]
pub struct Override {
    /// The parameter's name.
    pub name: String,
    /// Where the name was written.
    pub name_span: Span,
    /// The new value.
    pub value: Expr,
}

/// Parses and checks one regime given its display name and text.
pub fn check_source(name: &str, text: &str) -> CheckOutcome {
    let mut sources = SourceMap::new();
    let main = sources.add(name, text);
    check_in(sources, main)
}

/// Checks the source `main` already added to `sources`.
pub fn check_in(sources: SourceMap, main: SourceId) -> CheckOutcome {
    check_outcome(sources, main, false)
}

/// Checks like [`check_in`] and also records what every name is (`CheckOutcome::names`).
pub fn analyse(sources: SourceMap, main: SourceId) -> CheckOutcome {
    check_outcome(sources, main, true)
}

fn check_outcome(sources: SourceMap, main: SourceId, naming: bool) -> CheckOutcome {
    match Regime::load(sources, main) {
        Ok(regime) => {
            let (model, diagnostics, names) = regime.check_file(&regime.ast, regime.load_diagnostics.clone(), naming);
            CheckOutcome { sources: regime.sources, model, diagnostics, names }
        }
        Err((sources, d)) => CheckOutcome { sources, model: None, diagnostics: d, names: NameIndex::default() },
    }
}

impl Regime {
    /// Parses the main source and loads the modules it uses.
    pub fn load(mut sources: SourceMap, main: SourceId) -> Result<Regime, (SourceMap, Diagnostics)> {
        let text = sources.get(main).map(|f| f.text.clone()).unwrap_or_default();
        let ast = match syntax::parse_file(&text, main) {
            Ok(ast) => ast,
            Err(d) => return Err((sources, d.into())),
        };
        let mut load_diagnostics = Diagnostics::new();
        let mut modules = Vec::new();
        load_modules(&ast, &mut modules, &mut sources, &mut load_diagnostics);
        Ok(Regime { sources, main, ast, modules, load_diagnostics })
    }

    /// A regime with nothing declared, its main source an empty text called `name`.
    pub fn empty(name: &str) -> Regime {
        let mut sources = SourceMap::new();
        let main = sources.add(name, "");
        let ast = File { source: main, doc: None, items: Vec::new() };
        Regime { sources, main, ast, modules: Vec::new(), load_diagnostics: Diagnostics::new() }
    }

    /// Parses `NAME=VALUE` from the command line into an override (its value is a source of its own).
    pub fn parse_override(&mut self, arg: &str) -> Result<Override, Diagnostic> {
        let id = self.sources.add(format!("--set {arg}"), arg);
        parse_override_at(&self.sources, id, 0, "`--set` needs `NAME=VALUE`")
    }

    /// Adds declarations typed after loading (a REPL input): each replaces the item of the
    /// same name (or the `sequence`), else is appended; the modules they `use` are loaded.
    /// Returns the items replaced.
    pub fn declare(&mut self, items: Vec<Item>) -> Vec<Item> {
        let file = File { source: self.main, doc: None, items };
        let mut loaded = std::mem::take(&mut self.modules);
        load_modules(&file, &mut loaded, &mut self.sources, &mut self.load_diagnostics);
        self.modules = loaded;
        file.items.into_iter().filter_map(|item| put(&mut self.ast.items, item)).collect()
    }

    /// Checks the regime with overrides substituted for parameter defaults.
    pub fn check(&self, overrides: &[Override]) -> (Option<Model>, Diagnostics) {
        let diagnostics = self.load_diagnostics.clone();
        if overrides.is_empty() {
            let (model, diagnostics, _) = self.check_file(&self.ast, diagnostics, false);
            return (model, diagnostics);
        }
        let mut file = self.ast.clone();
        let mut diagnostics = diagnostics;
        for o in overrides {
            if let Err(d) = substitute(&mut file, o) {
                diagnostics.push(d);
            }
        }
        if diagnostics.has_errors() {
            return (None, diagnostics);
        }
        let (model, diagnostics, _) = self.check_file(&file, diagnostics, false);
        (model, diagnostics)
    }

    /// Checks the regime as scenario `name` changes it: replacement rules swapped in.
    /// `None` when the scenario adds no rules (the base model serves it).
    pub fn scenario_model(&self, name: &str, overrides: &[Override]) -> Option<(Option<Model>, Diagnostics)> {
        let items: Vec<&Item> = self
            .ast
            .items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Scenario(s) if s.name.name == name => Some(s),
                _ => None,
            })
            .flat_map(|s| {
                s.changes.iter().filter_map(|c| if let ScenarioChange::Item(i) = c { Some(&**i) } else { None })
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        let mut file = self.ast.clone();
        for item in items {
            put(&mut file.items, item.clone());
        }
        let mut diagnostics = self.load_diagnostics.clone();
        for o in overrides {
            if let Err(d) = substitute(&mut file, o) {
                diagnostics.push(d);
            }
        }
        let (model, diagnostics, _) = self.check_file(&file, diagnostics, false);
        Some((model, diagnostics))
    }

    fn check_file(
        &self,
        file: &File,
        mut diagnostics: Diagnostics,
        naming: bool,
    ) -> (Option<Model>, Diagnostics, NameIndex) {
        let program = Program {
            main: file,
            modules: self.modules.iter().map(|(n, f)| (n.clone(), f)).collect(),
            sources: &self.sources,
        };
        let checked = if naming { check::check_named(&program) } else { check::check(&program) };
        let Checked { model, diagnostics: found, names } = checked;
        diagnostics.extend(found);
        let model = (!diagnostics.has_errors()).then_some(model);
        (model, diagnostics, names)
    }
}

/// Parses `NAME=VALUE` from byte `start` of source `id` (a `--set` argument, a REPL
/// `:set`), so diagnostics point into that source; `usage` is the message when `=` is missing.
pub fn parse_override_at(sources: &SourceMap, id: SourceId, start: usize, usage: &str) -> Result<Override, Diagnostic> {
    let text = sources.get(id).map(|f| f.text.as_str()).unwrap_or_default();
    let arg = text.get(start..).unwrap_or_default();
    let Some(eq) = arg.find('=') else {
        return Err(Diagnostic::new(Code::E0507, Span::new(id, start..text.len()), usage)
            .label("no `=` here")
            .help("write e.g. `Q=2eflop` or `alpha=3`"));
    };
    let written = &arg[..eq];
    let lead = written.len() - written.trim_start().len();
    let name_span = Span::new(id, start + lead..start + written.trim_end().len().max(lead));
    let value = syntax::parse_expr_at(text, start + eq + 1, id)?;
    Ok(Override { name: written.trim().to_string(), name_span, value })
}

/// Puts a declaration into a list of items: in place of the item of the same name (or
/// the `sequence`), else at the end. A scenario and a rule never replace each other.
/// Returns the item replaced.
fn put(items: &mut Vec<Item>, item: Item) -> Option<Item> {
    let scenario = |i: &Item| matches!(i.kind, ItemKind::Scenario(_));
    let same = |i: &Item| match (&item.kind, item.name()) {
        (ItemKind::Sequence(_), _) => matches!(i.kind, ItemKind::Sequence(_)),
        (_, Some(name)) => i.name().is_some_and(|n| n.name == name.name) && scenario(i) == scenario(&item),
        (_, None) => false,
    };
    match items.iter().position(same) {
        Some(k) => Some(std::mem::replace(&mut items[k], item)),
        None => {
            items.push(item);
            None
        }
    }
}

/// Replaces a top-level parameter's default with an override's value.
fn substitute(file: &mut File, o: &Override) -> Result<(), Diagnostic> {
    let names: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| if let ItemKind::Param(p) = &i.kind { Some(p.name.name.clone()) } else { None })
        .collect();
    for item in &mut file.items {
        if let ItemKind::Param(p) = &mut item.kind {
            if p.name.name == o.name {
                p.default = Some(o.value.clone());
                return Ok(());
            }
        }
    }
    let mut d = Diagnostic::new(Code::E0507, o.name_span, format!("no parameter `{}` to set", o.name))
        .label("not a file-level `param`");
    d = match check::suggest_name(&o.name, names.iter().map(String::as_str)) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None if names.is_empty() => d.help("this regime declares no parameters"),
        None => d.help(format!("the parameters are: {}", names.join(", "))),
    };
    Err(d)
}

/// Loads the stdlib modules a file uses, and the ones they use, each once (`loaded` may
/// already hold some).
fn load_modules(ast: &File, loaded: &mut Vec<(String, File)>, sources: &mut SourceMap, diags: &mut Diagnostics) {
    let mut queue: Vec<String> = uses(ast);
    while let Some(name) = queue.pop() {
        if loaded.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let Some(text) = stdlib::module(&name) else { continue };
        let id = sources.add(format!("<stdlib>/{name}.gov"), text);
        match syntax::parse_file(text, id) {
            Ok(file) => {
                queue.extend(uses(&file));
                loaded.push((name, file));
            }
            Err(d) => diags.push(d),
        }
    }
    loaded.sort_by(|a, b| a.0.cmp(&b.0));
}

fn uses(file: &File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| if let ItemKind::Use(u) = &i.kind { Some(u.module.name.clone()) } else { None })
        .collect()
}

/// A diagnostic for a file that could not be read, with an empty source to point into.
pub fn unreadable(sources: &mut SourceMap, path: &str, reason: &str, code: Code, help: &str) -> Diagnostic {
    let id = sources.add(path, "");
    Diagnostic::new(code, Span::new(id, 0..0), format!("cannot read `{path}`: {reason}")).help(help.to_string())
}
