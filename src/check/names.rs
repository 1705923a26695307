//! What every name in a regime is, for editors: each declaration (its kind, type, doc
//! and where it is visible) and each use of a name, resolved to its declaration. The
//! checker records these as it binds names; `gov lsp` answers hover, go to definition,
//! completion and document symbols from them. Nothing here affects checking.

use std::collections::HashMap;

use super::types::show_dim;
use super::{Checker, Ctx};
use crate::model::{Func, LocalId, Type};
use crate::report;
use crate::source::{SourceId, Span};
use crate::syntax::ast;

/// One declared name.
#[derive(Debug, Clone, PartialEq)]
pub struct Def {
    /// The name as written.
    pub name: String,
    /// What declares it: the declaration keyword (`param`, `unit`, `actor`, …), or
    /// `variant`, `module`, `index` (a family's index) or `local` (a function parameter
    /// or a bound variable).
    pub kind: &'static str,
    /// The name in its declaration.
    pub span: Span,
    /// The whole declaration.
    pub extent: Span,
    /// The declaration as one line, e.g. `param Q: pflop` or `fn v(c: pflop): usd`.
    pub signature: String,
    /// The value's dimension in base units, when it differs from the written type.
    pub base_unit: Option<String>,
    /// Doc string or `///` comment.
    pub doc: Option<String>,
    /// Where the bare name is visible: `None` for file scope, else the actor block or
    /// the expression that binds it.
    pub scope: Option<Span>,
    /// True for names visible at the main file's scope (its own declarations, the
    /// modules it uses, the names it imports, enumeration variants).
    pub global: bool,
    /// The stdlib module that declares it.
    pub module: Option<String>,
    /// The enclosing declaration (an actor for its members, a type for its variants).
    pub parent: Option<usize>,
    /// The actor whose members `.name` reaches from this name (an actor, or a variable
    /// bound to one of its members).
    pub members_of: Option<usize>,
    /// For a licence, the actor whose members hold it (`.name` on them reads it).
    pub licence_of: Option<usize>,
    written_type: Option<String>,
}

/// Every declaration and resolved use of a name in one checked regime.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    defs: Vec<Def>,
    by_span: HashMap<Span, usize>,
    refs: Vec<(Span, usize)>,
    /// Types of locals, shown once checking is done.
    local_types: Vec<(usize, Type)>,
}

impl NameIndex {
    /// Every declaration, in the order the checker met them.
    pub fn defs(&self) -> &[Def] {
        &self.defs
    }

    /// The declaration at `index`.
    pub fn def(&self, index: usize) -> Option<&Def> {
        self.defs.get(index)
    }

    /// The name written at byte `offset` of `source` (a use or a declaration; the end
    /// of a name counts, so a cursor just after it finds it): its span and declaration.
    pub fn at(&self, source: SourceId, offset: usize) -> Option<(Span, &Def)> {
        let hit = |s: &Span| s.source == source && (s.start as usize) <= offset && offset <= s.end as usize;
        let used = self.refs.iter().filter(|(s, _)| hit(s)).map(|(s, d)| (*s, *d));
        let declared = self.defs.iter().enumerate().filter(|(_, d)| hit(&d.span)).map(|(i, d)| (d.span, i));
        // Prefer the narrowest (a member name over the expression around it).
        let (span, def) = used.chain(declared).min_by_key(|(s, _)| s.end - s.start)?;
        Some((span, self.defs.get(def)?))
    }

    /// The names visible as bare names at byte `offset` of `source`, innermost first.
    pub fn visible(&self, source: SourceId, offset: usize) -> Vec<&Def> {
        let mut scoped: Vec<&Def> = self
            .defs
            .iter()
            .filter(|d| {
                d.scope.is_some_and(|s| s.source == source && (s.start as usize) <= offset && offset <= s.end as usize)
            })
            .collect();
        scoped.sort_by_key(|d| d.scope.map_or(0, |s| s.end - s.start));
        scoped.extend(self.defs.iter().filter(|d| d.global && d.scope.is_none()));
        let mut seen = std::collections::HashSet::new();
        scoped.retain(|d| seen.insert(d.name.as_str()));
        scoped
    }

    /// The names reachable with `.name` from the declaration at `index`: a module's
    /// definitions, or an actor's members and the licences they hold.
    pub fn members(&self, index: usize) -> Vec<&Def> {
        let Some(def) = self.defs.get(index) else { return Vec::new() };
        if def.kind == "module" {
            let module = Some(def.name.as_str());
            return self.defs.iter().filter(|d| d.module.as_deref() == module && d.scope.is_none()).collect();
        }
        let Some(actor) = def.members_of else { return Vec::new() };
        let member = |d: &&Def| (d.parent == Some(actor) && d.kind != "index") || d.licence_of == Some(actor);
        self.defs.iter().filter(member).collect()
    }

    /// The index of a declaration, found by its name's span.
    pub fn index_of(&self, def: &Def) -> Option<usize> {
        self.by_span.get(&def.span).copied()
    }

    /// Records a declaration (the first one wins for a span declared again, as generic
    /// functions are checked once per call).
    fn declare(&mut self, def: Def) -> usize {
        if let Some(&i) = self.by_span.get(&def.span) {
            return i;
        }
        self.by_span.insert(def.span, self.defs.len());
        self.defs.push(def);
        self.defs.len() - 1
    }

    /// Records that the name at `used` refers to the declaration whose name is at `target`.
    fn refer(&mut self, used: Span, target: Span) {
        if used == target {
            return;
        }
        if let Some(&def) = self.by_span.get(&target) {
            self.refs.push((used, def));
        }
    }

    /// Sorts and deduplicates uses (generic functions are checked once per call).
    fn finish(&mut self) {
        self.refs.sort_by_key(|(s, d)| (s.source, s.start, s.end, *d));
        self.refs.dedup();
    }
}

/// A new declaration with no type yet.
fn def(name: &str, kind: &'static str, span: Span, extent: Span) -> Def {
    Def {
        name: name.to_string(),
        kind,
        span,
        extent,
        signature: String::new(),
        base_unit: None,
        doc: None,
        scope: None,
        global: false,
        module: None,
        parent: None,
        members_of: None,
        licence_of: None,
        written_type: None,
    }
}

/// The type as written in the declaration, if one is.
fn written_type(item: &ast::Item) -> Option<Span> {
    match &item.kind {
        ast::ItemKind::Param(p) => Some(p.ty.span),
        ast::ItemKind::Choose(c) => Some(c.ty.span),
        ast::ItemKind::Let(ast::LetDecl { ty, .. })
        | ast::ItemKind::Random(ast::RandomDecl { ty, .. })
        | ast::ItemKind::Audit(ast::AuditDecl { ty, .. }) => ty.as_ref().map(|t| t.span),
        _ => None,
    }
}

impl<'a> Checker<'a> {
    /// Records the declaration an item makes; `scope` and `parent` for actor members.
    pub(super) fn name_item(
        &mut self,
        item: &ast::Item,
        module: Option<&str>,
        scope: Option<Span>,
        parent: Option<usize>,
    ) -> Option<usize> {
        if !self.naming {
            return None;
        }
        let name = item.name().filter(|_| !matches!(item.kind, ast::ItemKind::Use(_)))?;
        let mut d = def(&name.name, item.keyword(), name.span, item.span);
        d.doc = match &item.kind {
            ast::ItemKind::Param(p) => p.doc.clone().or(item.doc.clone()),
            ast::ItemKind::Unit(u) => u.doc.clone().or(item.doc.clone()),
            _ => item.doc.clone(),
        };
        d.written_type = written_type(item).map(|s| self.program.sources.slice(s).to_string());
        d.scope = scope;
        d.global = module.is_none() && scope.is_none();
        d.module = module.map(str::to_string);
        d.parent = parent;
        let index = self.names.declare(d);
        if matches!(item.kind, ast::ItemKind::Actor(_)) {
            self.names.defs[index].members_of = Some(index);
        }
        Some(index)
    }

    /// Records an enumeration variant (variants are file-scope names).
    pub(super) fn name_variant(&mut self, variant: &ast::Ident, enum_name: &str) {
        if !self.naming {
            return;
        }
        let mut d = def(&variant.name, "variant", variant.span, variant.span);
        d.signature = format!("{} (a variant of `{enum_name}`)", variant.name);
        d.global = true;
        self.names.declare(d);
    }

    /// Records a family's index variable (visible inside the actor block).
    pub(super) fn name_index(&mut self, var: &ast::Ident, actor: &ast::Item, parent: Option<usize>) {
        if !self.naming {
            return;
        }
        let mut d = def(&var.name, "index", var.span, var.span);
        d.signature = format!("{}: Int (the member's index)", var.name);
        d.scope = Some(actor.span);
        d.parent = parent;
        self.names.declare(d);
    }

    /// Records the stdlib module `name` (declared by its source) and the `use` naming it.
    pub(super) fn name_module(&mut self, name: &str, used: Span) {
        if !self.naming {
            return;
        }
        let Some(file) = self.program.modules.iter().find(|(n, _)| n == name).map(|(_, f)| *f) else { return };
        let len = self.program.sources.get(file.source).map_or(0, |f| f.text.len());
        let span = Span::new(file.source, 0..0);
        let mut d = def(name, "module", span, Span::new(file.source, 0..len));
        d.signature = format!("use {name}");
        d.doc = file.doc.clone();
        d.global = true;
        let index = self.names.declare(d);
        self.names.by_span.insert(used, index);
        self.names.refer(used, span);
    }

    /// Records `use m.{a}`: `a` becomes a file-scope name referring to `m.a`.
    pub(super) fn name_import(&mut self, used: Span, target: Span) {
        if !self.naming {
            return;
        }
        if let Some(&i) = self.names.by_span.get(&target) {
            self.names.defs[i].global = true;
            self.names.by_span.insert(used, i);
            self.names.refs.push((used, i));
        }
    }

    /// Records that the licence named at `licence` is held by members of `holders`.
    pub(super) fn name_licence(&mut self, licence: Span, holders: crate::model::ActorId) {
        if !self.naming {
            return;
        }
        let actor = self.model.actors.get(holders).and_then(|a| self.names.by_span.get(&a.span)).copied();
        if let Some(&i) = self.names.by_span.get(&licence) {
            self.names.defs[i].licence_of = actor;
        }
    }

    /// Records that the name at `used` refers to the declaration named at `target`.
    pub(super) fn refer(&mut self, used: Span, target: Span) {
        if self.naming {
            self.names.refer(used, target);
        }
    }

    /// Binds a local (function parameter, bound variable) and records its declaration.
    pub(super) fn bind_named(&mut self, ctx: &mut Ctx, id: &ast::Ident, ty: Type, scope: Span) -> LocalId {
        if self.naming && !self.names.by_span.contains_key(&id.span) {
            let mut d = def(&id.name, "local", id.span, id.span);
            d.scope = Some(scope);
            if let Type::Member(a) = ty {
                d.members_of = self.model.actors.get(a).and_then(|a| self.names.by_span.get(&a.span)).copied();
            }
            let index = self.names.declare(d);
            self.names.local_types.push((index, ty.clone()));
        }
        ctx.bind(&id.name, ty, id.span)
    }

    /// Fills in every declaration's signature from the checked model, then sorts uses.
    pub(super) fn describe_names(&mut self) {
        if !self.naming {
            return;
        }
        let mut typed: Vec<(Span, Type)> = Vec::new();
        let mut fns: Vec<&Func> = self.model.fns.iter().collect();
        typed.extend(self.model.params.iter().map(|p| (p.span, p.ty.clone())));
        typed.extend(self.model.lets.iter().map(|l| (l.span, l.value.ty.clone())));
        typed.extend(self.model.randoms.iter().map(|r| (r.span, r.ty.clone())));
        typed.extend(self.model.audits.iter().map(|a| (a.span, Type::prob())));
        for a in &self.model.actors {
            typed.extend(a.params.iter().map(|p| (p.span, p.ty.clone())));
            typed.extend(a.lets.iter().map(|l| (l.span, l.value.ty.clone())));
            typed.extend(a.randoms.iter().map(|r| (r.span, r.ty.clone())));
            typed.extend(a.choices.iter().map(|c| (c.span, c.ty.clone())));
            fns.extend(a.fns.iter());
        }
        let mut signatures: HashMap<Span, (String, Option<String>)> = HashMap::new();
        for (span, ty) in &typed {
            let shown = self.show_type(ty);
            let base = ty.dim().filter(|d| !d.is_one()).map(show_dim);
            signatures.insert(*span, (shown, base));
        }
        for f in &fns {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|(n, t)| if *t == Type::Generic { n.clone() } else { format!("{n}: {}", self.show_type(t)) })
                .collect();
            let ret = match &f.ret {
                Type::Generic | Type::Error => String::new(),
                t => format!(": {}", self.show_type(t)),
            };
            signatures.insert(f.span, (format!("({}){ret}", params.join(", ")), None));
        }
        for u in &self.model.units {
            let shown = if u.scale == 1.0 && u.dim.to_string() == u.name {
                String::new()
            } else {
                format!(" = {} {}", report::number(u.scale), show_dim(&u.dim))
            };
            signatures.insert(u.span, (shown, None));
        }
        for m in &self.model.markets {
            signatures.insert(m.span, (String::new(), Some(show_dim(&m.price_dim))));
        }
        for (index, ty) in std::mem::take(&mut self.names.local_types) {
            let shown = self.show_type(&ty);
            if let Some(d) = self.names.defs.get_mut(index) {
                d.signature = format!("{}: {shown}", d.name);
            }
        }
        for d in &mut self.names.defs {
            if !d.signature.is_empty() {
                continue;
            }
            let (shown, base) = signatures.remove(&d.span).unwrap_or_default();
            d.signature = match d.kind {
                "param" | "let" | "random" | "choose" | "audit" => {
                    let ty = d.written_type.clone().unwrap_or(shown);
                    d.base_unit = base.filter(|b| *b != ty);
                    format!("{} {}: {ty}", d.kind, d.name)
                }
                "fn" | "penalty" => format!("{} {}{shown}", d.kind, d.name),
                "unit" => format!("unit {}{shown}", d.name),
                "market" => {
                    let price = base.unwrap_or_default();
                    format!("market {} (price: {price})", d.name)
                }
                _ => header(self.program.sources.slice(d.extent), &d.name, d.kind),
            };
        }
        self.names.finish();
    }
}

/// The start of a declaration as written, up to its body (`actor Developer[i in 1..3]`).
fn header(text: &str, name: &str, kind: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let body = if kind == "type" { None } else { line.find(['{', '=', ':']) };
    let cut = body.map_or(line, |i| &line[..i]);
    let cut = cut.trim();
    if cut.is_empty() {
        format!("{kind} {name}")
    } else {
        cut.to_string()
    }
}
