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
        let modules = load_modules(&ast, &mut sources, &mut load_diagnostics);
        Ok(Regime { sources, main, ast, modules, load_diagnostics })
    }

    /// Parses `NAME=VALUE` from the command line into an override (its value is a source of its own).
    pub fn parse_override(&mut self, arg: &str) -> Result<Override, Diagnostic> {
        let id = self.sources.add(format!("--set {arg}"), arg);
        let Some((name, value)) = arg.split_once('=') else {
            return Err(Diagnostic::new(Code::E0507, Span::new(id, 0..arg.len()), "`--set` needs `NAME=VALUE`")
                .label("no `=` here")
                .help("write e.g. `--set Q=2eflop` or `--set alpha=3`"));
        };
        let name_span = Span::new(id, 0..name.len());
        let name = name.trim().to_string();
        let offset = arg.len() - value.len();
        let padded = format!("{}{value}", " ".repeat(offset));
        let value = syntax::parse_expr(&padded, id)?;
        Ok(Override { name, name_span, value })
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
            let key = item.name().map(|n| n.name.clone());
            let slot = file
                .items
                .iter()
                .position(|i| i.name().map(|n| &n.name) == key.as_ref() && !matches!(i.kind, ItemKind::Scenario(_)));
            match slot {
                Some(k) => file.items[k] = item.clone(),
                None => file.items.push(item.clone()),
            }
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

/// Loads the stdlib modules a file uses, and the ones they use, each once.
fn load_modules(ast: &File, sources: &mut SourceMap, diags: &mut Diagnostics) -> Vec<(String, File)> {
    let mut loaded: Vec<(String, File)> = Vec::new();
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
    loaded
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
