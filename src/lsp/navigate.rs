//! Hover, go to definition and document symbols, answered from the checker's name
//! index (`check::names`).

use lsp_types::{
    DocumentSymbol, GotoDefinitionResponse, Hover, HoverContents, MarkupContent, MarkupKind, Position, SymbolKind,
};

use super::document::Document;
use super::locate::Locator;
use super::position::Lines;
use crate::check::names::Def;

/// What the name under the cursor is: its declaration, unit and doc.
pub fn hover(doc: &Document, at: &Locator<'_>, pos: Position) -> Option<Hover> {
    let lines = Lines::new(&doc.text, at.encoding);
    let analysis = &doc.analysis;
    let (span, def) = analysis.names.at(analysis.main, lines.offset(pos))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: describe(def) }),
        range: Some(lines.range(span)),
    })
}

/// A declaration in Markdown: its signature as code, its unit in base units when that
/// differs from what was written, the module it comes from, and its doc.
pub fn describe(def: &Def) -> String {
    let mut text = format!("```gov\n{}\n```", def.signature);
    if let Some(base) = &def.base_unit {
        text.push_str(&format!("\n\nin base units: `{base}`"));
    }
    if let Some(module) = def.module.as_ref().filter(|_| def.kind != "module") {
        text.push_str(&format!("\n\nfrom `use {module}`"));
    }
    if let Some(doc) = def.doc.as_ref().filter(|d| !d.trim().is_empty()) {
        text.push_str(&format!("\n\n---\n\n{}", doc.trim()));
    }
    text
}

/// Where the name under the cursor is declared.
pub fn definition(doc: &Document, at: &Locator<'_>, pos: Position) -> Option<GotoDefinitionResponse> {
    let lines = Lines::new(&doc.text, at.encoding);
    let analysis = &doc.analysis;
    let (_, def) = analysis.names.at(analysis.main, lines.offset(pos))?;
    at.location(def.span).map(GotoDefinitionResponse::Scalar)
}

/// The document's declarations, actor members and enumeration variants nested in theirs.
pub fn symbols(doc: &Document, at: &Locator<'_>) -> Vec<DocumentSymbol> {
    let lines = Lines::new(&doc.text, at.encoding);
    let analysis = &doc.analysis;
    let names = &analysis.names;
    let in_doc = |d: &Def| d.span.source == analysis.main;
    let top = names.defs().iter().enumerate().filter(|(_, d)| {
        in_doc(d) && d.scope.is_none() && d.parent.is_none() && !matches!(d.kind, "variant" | "module" | "local")
    });
    top.map(|(i, d)| {
        let children: Vec<DocumentSymbol> = names
            .defs()
            .iter()
            .filter(|c| {
                in_doc(c)
                    && (c.parent == Some(i) && c.kind != "index"
                        || d.kind == "type" && c.kind == "variant" && within(c, d))
            })
            .map(|c| symbol(c, &lines, Vec::new()))
            .collect();
        symbol(d, &lines, children)
    })
    .collect()
}

fn within(inner: &Def, outer: &Def) -> bool {
    inner.span.start >= outer.extent.start && inner.span.end <= outer.extent.end
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol's struct
fn symbol(d: &Def, lines: &Lines<'_>, children: Vec<DocumentSymbol>) -> DocumentSymbol {
    DocumentSymbol {
        name: d.name.clone(),
        detail: Some(d.signature.clone()),
        kind: symbol_kind(d.kind),
        tags: None,
        deprecated: None,
        range: lines.range(d.extent.to(d.span)),
        selection_range: lines.range(d.span),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The outline icon for each kind of declaration.
fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "unit" => SymbolKind::TYPE_PARAMETER,
        "type" => SymbolKind::ENUM,
        "variant" => SymbolKind::ENUM_MEMBER,
        "param" => SymbolKind::CONSTANT,
        "fn" | "penalty" => SymbolKind::FUNCTION,
        "actor" => SymbolKind::CLASS,
        "choose" => SymbolKind::FIELD,
        "market" | "cap" | "audit" | "license" | "threshold" => SymbolKind::OBJECT,
        "game" => SymbolKind::STRUCT,
        "check" | "expect" => SymbolKind::BOOLEAN,
        "scenario" => SymbolKind::NAMESPACE,
        "compare" | "simulate" | "sweep" => SymbolKind::EVENT,
        "module" => SymbolKind::MODULE,
        _ => SymbolKind::VARIABLE,
    }
}
