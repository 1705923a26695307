//! Runs the front-end stages in order and owns their state: sources are added, parsed,
//! their `use`d stdlib modules loaded (transitively, each once), and the whole program
//! checked. No IO: callers hand in text; results are data.

use crate::check::{self, Checked, Program};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Model;
use crate::source::{SourceId, SourceMap};
use crate::syntax::ast::{File, ItemKind};
use crate::{stdlib, syntax};

/// The outcome of checking one regime.
pub struct CheckOutcome {
    /// Every source involved (the file and its stdlib modules).
    pub sources: SourceMap,
    /// The main file's id in `sources`.
    pub main: SourceId,
    /// The parsed main file, when it parsed.
    pub ast: Option<File>,
    /// The checked model, when there were no errors.
    pub model: Option<Model>,
    /// Errors and warnings in report order.
    pub diagnostics: Diagnostics,
}

impl CheckOutcome {
    /// True when the regime has no errors.
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

/// Parses and checks one regime given its display name and text.
pub fn check_source(name: &str, text: &str) -> CheckOutcome {
    let mut sources = SourceMap::new();
    let main = sources.add(name, text);
    check_in(sources, main)
}

/// Checks the source `main` already added to `sources` (which may hold others, e.g. a REPL history).
pub fn check_in(mut sources: SourceMap, main: SourceId) -> CheckOutcome {
    let text = sources.get(main).map(|f| f.text.clone()).unwrap_or_default();
    let ast = match syntax::parse_file(&text, main) {
        Ok(ast) => ast,
        Err(d) => return CheckOutcome { sources, main, ast: None, model: None, diagnostics: d.into() },
    };
    let mut diagnostics = Diagnostics::new();
    let modules = load_modules(&ast, &mut sources, &mut diagnostics);
    let program = Program {
        main: &ast,
        modules: modules.iter().map(|(n, f)| (n.clone(), f)).collect(),
        sources: &sources,
    };
    let Checked { model, diagnostics: found } = check::check(&program);
    diagnostics.extend(found);
    let model = (!diagnostics.has_errors()).then_some(model);
    CheckOutcome { sources, main, ast: Some(ast), model, diagnostics }
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
pub fn unreadable(sources: &mut SourceMap, path: &str, reason: &str, code: crate::diag::Code, help: &str) -> Diagnostic {
    let id = sources.add(path, "");
    Diagnostic::new(code, crate::source::Span::new(id, 0..0), format!("cannot read `{path}`: {reason}")).help(help.to_string())
}
