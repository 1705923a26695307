//! Which sweep to run: one declared in the file (`--sweep NAME`, or the only one), the
//! `--vary` and `--metric` arguments, or both — a `--vary` of a parameter the declared
//! sweep also varies replaces its values, and `--metric`s are added. The result is a
//! `sweep` declaration in the regime's syntax tree (its parts in sources of their own,
//! so mistakes point into the argument), checked with the rest of the file.

use crate::diag::{Code, Diagnostic};
use crate::session::Regime;
use crate::source::Span;
use crate::syntax::ast::{Ident, Item, ItemKind, SweepClause, SweepDecl};
use crate::syntax::{parse_metric, parse_vary};

/// The name of a sweep built from the command line alone.
pub const COMMAND_LINE: &str = "command line";

/// What the command line asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--sweep NAME`.
    pub sweep: Option<String>,
    /// `--vary NAME=VALUES`, in order.
    pub varies: Vec<String>,
    /// `--metric [NAME=]EXPR`, in order.
    pub metrics: Vec<String>,
}

/// Puts the sweep `request` asks for into `regime`'s syntax tree; returns its name.
pub fn attach(regime: &mut Regime, request: &Request) -> Result<String, Vec<Diagnostic>> {
    let declared: Vec<(usize, String)> = regime
        .ast
        .items
        .iter()
        .enumerate()
        .filter_map(|(k, i)| if let ItemKind::Sweep(s) = &i.kind { Some((k, s.name.name.clone())) } else { None })
        .collect();
    let names: Vec<&str> = declared.iter().map(|(_, n)| n.as_str()).collect();
    let base = match &request.sweep {
        Some(name) => match declared.iter().find(|(_, n)| n == name) {
            Some((k, _)) => Some(*k),
            None => {
                let arg = format!("--sweep {name}");
                let id = regime.sources.add(arg.clone(), arg.clone());
                let span = Span::new(id, "--sweep ".len()..arg.len());
                let d = Diagnostic::new(Code::E0413, span, format!("no sweep named `{name}`")).label("not declared");
                return Err(vec![match crate::check::suggest_name(name, names.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if names.is_empty() => d.help("this file declares no sweep; use `--vary NAME=LO..HI:STEPS`"),
                    None => d.help(format!("the sweeps are: {}", names.join(", "))),
                }]);
            }
        },
        None if !request.varies.is_empty() => None,
        None => match declared.as_slice() {
            [(k, _)] => Some(*k),
            _ => return Err(vec![nothing_to_sweep(regime, &names)]),
        },
    };
    if request.varies.is_empty() && request.metrics.is_empty() {
        if let Some(k) = base {
            return Ok(declared.iter().find(|(i, _)| *i == k).map(|(_, n)| n.clone()).unwrap_or_default());
        }
    }
    let mut errors = Vec::new();
    let mut varies = Vec::new();
    for arg in &request.varies {
        let id = regime.sources.add(format!("--vary {arg}"), arg.clone());
        match parse_vary(arg, id) {
            Ok(v) => varies.push(v),
            Err(d) => errors.push(d),
        }
    }
    let mut metrics = Vec::new();
    for arg in &request.metrics {
        let id = regime.sources.add(format!("--metric {arg}"), arg.clone());
        match parse_metric(arg, id) {
            Ok((name, e)) => metrics.push(SweepClause::Metric(name, e)),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut clauses = Vec::new();
    let mut decl_metrics = Vec::new();
    let mut name = None;
    if let Some(ItemKind::Sweep(s)) = base.and_then(|k| regime.ast.items.get(k)).map(|i| &i.kind) {
        name = Some(s.name.clone());
        for c in &s.clauses {
            match c {
                SweepClause::Vary(v) if varies.iter().any(|x| x.param.name == v.param.name) => {}
                SweepClause::Vary(_) => clauses.push(c.clone()),
                SweepClause::Metric(..) => decl_metrics.push(c.clone()),
            }
        }
    }
    let first = varies.first().map(|v| v.span).or_else(|| metrics.first().and_then(metric_span)).unwrap_or_default();
    clauses.extend(varies.into_iter().map(|v| SweepClause::Vary(Box::new(v))));
    clauses.extend(decl_metrics);
    clauses.extend(metrics);
    let name = name.unwrap_or(Ident { name: COMMAND_LINE.to_string(), span: first });
    let result = name.name.clone();
    let item = Item { kind: ItemKind::Sweep(SweepDecl { name, clauses }), span: first, doc: None };
    match base {
        Some(k) => regime.ast.items[k].kind = item.kind,
        None => regime.ast.items.push(item),
    }
    Ok(result)
}

fn metric_span(c: &SweepClause) -> Option<Span> {
    match c {
        SweepClause::Metric(n, _) => Some(n.span),
        SweepClause::Vary(v) => Some(v.span),
    }
}

fn nothing_to_sweep(regime: &Regime, names: &[&str]) -> Diagnostic {
    let file = regime.sources.get(regime.main).map(|f| f.name.clone()).unwrap_or_default();
    let span = Span::new(regime.main, 0..0);
    if names.is_empty() {
        Diagnostic::new(Code::E0413, span, format!("nothing to sweep in `{file}`"))
            .label("this file declares no sweep")
            .help("vary a parameter: `--vary NAME=LO..HI:STEPS`, or declare `sweep NAME { vary ... }`")
    } else {
        Diagnostic::new(Code::E0413, span, format!("`{file}` declares several sweeps"))
            .label("which one to run is not said")
            .help(format!("choose one with `--sweep NAME`: {}", names.join(", ")))
    }
}
