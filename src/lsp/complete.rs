//! Completion: after `x.` the members of `x` (an actor's members, a module's
//! definitions, a market's `price`); elsewhere the names visible at the cursor, then the
//! builtins, distributions, types and keywords. Candidates are those that contain the
//! typed prefix's letters in order (what editors filter by), innermost names first.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, Documentation, MarkupContent, MarkupKind, Position,
};

use super::document::{Analysis, Document};
use super::navigate::describe;
use super::position::{Encoding, Lines};
use crate::check::names::Def;
use crate::model::{Builtin, DistKind};
use crate::syntax::RESERVED_WORDS;

/// Built-in type names.
const TYPES: &[&str] = &["Int", "Real", "Bool", "Prob"];
/// Names that aggregate over a domain (`sum(d in D: ..)`); `min` and `max` are builtins too.
const AGGREGATES: &[&str] = &["sum", "mean", "product", "count", "all", "any"];

/// Completion candidates at `pos`.
pub fn complete(doc: &Document, encoding: Encoding, pos: Position) -> CompletionResponse {
    let offset = Lines::new(&doc.text, encoding).offset(pos);
    let before = doc.text.get(..offset).unwrap_or_default();
    let prefix_start =
        before.len() - before.chars().rev().take_while(|c| is_name_char(*c)).map(char::len_utf8).sum::<usize>();
    let prefix = &before[prefix_start..];
    let analysis = doc.names_for_completion();
    let mut items = match before[..prefix_start].strip_suffix('.') {
        Some(base) => members_after(analysis, base),
        None => in_scope(analysis, prefix_start),
    };
    items.retain(|i| fuzzy(prefix, &i.label));
    for (rank, item) in items.iter_mut().enumerate() {
        item.sort_text = Some(format!("{rank:05}"));
    }
    CompletionResponse::Array(items)
}

/// Candidates after `base.`.
fn members_after(analysis: &Analysis, base: &str) -> Vec<CompletionItem> {
    let name_len = base.chars().rev().take_while(|c| is_name_char(*c)).map(char::len_utf8).sum::<usize>();
    let name = &base[base.len() - name_len..];
    if name.is_empty() {
        return Vec::new();
    }
    let names = &analysis.names;
    // The name's own resolution if the checker saw it there, else the visible name.
    let def = names
        .at(analysis.main, base.len())
        .map(|(_, d)| d)
        .filter(|d| d.name == name)
        .or_else(|| names.visible(analysis.main, base.len()).into_iter().find(|d| d.name == name));
    let Some(def) = def else { return Vec::new() };
    if def.kind == "market" {
        let mut price = item("price", CompletionItemKind::PROPERTY);
        price.detail = def.base_unit.as_ref().map(|u| format!("price: {u}"));
        return vec![price];
    }
    names.index_of(def).map(|i| names.members(i)).unwrap_or_default().into_iter().map(from_def).collect()
}

/// Candidates for a bare name at `offset`.
fn in_scope(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> =
        analysis.names.visible(analysis.main, offset).into_iter().map(from_def).collect();
    let builtins = Builtin::NAMES.iter().chain(AGGREGATES).map(|n| item(n, CompletionItemKind::FUNCTION));
    let dists = DistKind::NAMES.iter().map(|n| item(n, CompletionItemKind::CONSTRUCTOR));
    let types = TYPES.iter().map(|n| item(n, CompletionItemKind::TYPE_PARAMETER));
    let keywords = RESERVED_WORDS.iter().map(|n| item(n, CompletionItemKind::KEYWORD));
    for extra in builtins.chain(dists).chain(types).chain(keywords) {
        if !items.iter().any(|i| i.label == extra.label) {
            items.push(extra);
        }
    }
    items
}

fn item(label: &str, kind: CompletionItemKind) -> CompletionItem {
    CompletionItem { label: label.to_string(), kind: Some(kind), ..CompletionItem::default() }
}

fn from_def(d: &Def) -> CompletionItem {
    CompletionItem {
        label: d.name.clone(),
        kind: Some(completion_kind(d.kind)),
        detail: Some(d.signature.clone()),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: describe(d),
        })),
        ..CompletionItem::default()
    }
}

fn completion_kind(kind: &str) -> CompletionItemKind {
    match kind {
        "unit" => CompletionItemKind::UNIT,
        "type" => CompletionItemKind::ENUM,
        "variant" => CompletionItemKind::ENUM_MEMBER,
        "param" => CompletionItemKind::CONSTANT,
        "fn" | "penalty" => CompletionItemKind::FUNCTION,
        "actor" => CompletionItemKind::CLASS,
        "choose" => CompletionItemKind::FIELD,
        "module" => CompletionItemKind::MODULE,
        "market" | "audit" | "cap" | "license" | "threshold" | "game" => CompletionItemKind::STRUCT,
        "scenario" => CompletionItemKind::FOLDER,
        "check" | "expect" | "compare" | "simulate" | "sweep" => CompletionItemKind::EVENT,
        _ => CompletionItemKind::VARIABLE,
    }
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// True when `label` contains the characters of `prefix` in order (case-insensitive).
fn fuzzy(prefix: &str, label: &str) -> bool {
    let mut rest = label.chars().flat_map(char::to_lowercase);
    prefix.chars().flat_map(char::to_lowercase).all(|p| rest.any(|c| c == p))
}
