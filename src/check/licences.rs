//! Licences read as members of their holders' family: `r.north_licence` is whether `r`
//! holds the licence (a `Bool`), and inside the holders' actor block the bare name is the
//! member's own. Payoffs and lets read them, so licences are declared before bodies are
//! checked (the rule itself is checked with the other rules). A licence read on a member
//! of another family is `E0210`; a licence named like a member of its family, `E0202`.

use super::scope::error_expr;
use super::{Checker, Decl, Sym};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind};

impl<'a> Checker<'a> {
    /// Allocates each licence whose holders name an actor (its clauses are filled in by
    /// `check_license`), so that member bodies can read it.
    pub(super) fn declare_licences(&mut self) {
        for (item, _) in self.rule_items.clone() {
            let ItemKind::License(l) = &item.kind else { continue };
            let Some(Decl { sym: Sym::Actor(holders), .. }) = self.lookup_global(&l.holders.name, None) else {
                continue;
            };
            let id = self.model.licenses.len();
            self.model.licenses.push(License {
                name: l.name.name.clone(),
                holders,
                licensor: None,
                metric: None,
                require: None,
                audit: None,
                span: l.name.span,
            });
            self.licences.entry(l.name.name.clone()).or_insert(id);
            self.name_licence(l.name.span, holders);
            if let Some(&(_, _, member)) = self.actor_members.get(holders).and_then(|t| t.get(&l.name.name)) {
                let family = self.actor_name(holders).to_string();
                self.error(
                    Diagnostic::new(
                        Code::E0202,
                        l.name.span,
                        format!("`{}` is both a licence and a member of `{family}`", l.name.name),
                    )
                    .label(format!("whether a member holds this licence is read as `{}.{}`", l.var.name, l.name.name))
                    .with(member, format!("a member of `{family}` with the same name"))
                    .help("rename one of them"),
                );
            }
        }
    }

    /// The licence `name` read on `of`, a member of `actor`: whether it holds the licence,
    /// or `E0210` when the licence is another family's. `None` when no licence has that name.
    pub(super) fn licence_member(&mut self, actor: ActorId, name: &ast::Ident, of: Expr, span: Span) -> Option<Expr> {
        let id = *self.licences.get(&name.name)?;
        let licence = self.model.licenses.get(id)?;
        let (holders, declared) = (licence.holders, licence.span);
        self.refer(name.span, declared);
        if holders == actor {
            let member = MemberRef::Licence(id);
            return Some(Expr { kind: ExprKind::Member { actor, member, of: Box::new(of) }, ty: Type::Bool, span });
        }
        let (family, reader) = (self.actor_name(holders).to_string(), self.actor_name(actor).to_string());
        let example = match self.actor_asts.get(holders).is_some_and(|a| a.family.is_some()) {
            true => format!("count(x in {family}: x.{})", name.name),
            false => format!("{family}.{}", name.name),
        };
        self.error(
            Diagnostic::new(
                Code::E0210,
                name.span,
                format!("licence `{}` is held by `{family}`, not `{reader}`", name.name),
            )
            .label(format!("`{reader}` holds no licence `{}`", name.name))
            .with(declared, format!("held by `{family}`"))
            .help(format!("read it on a member of `{family}`, e.g. `{example}`")),
        );
        Some(error_expr(span))
    }

    /// Inside an actor block, a bare licence name of that actor's family: the member's own.
    pub(super) fn own_licence(&mut self, actor: ActorId, name: &ast::Ident) -> Option<Expr> {
        let id = *self.licences.get(&name.name)?;
        if self.model.licenses.get(id)?.holders != actor {
            return None;
        }
        let me = Expr { kind: ExprKind::SelfMember(actor), ty: Type::Member(actor), span: name.span };
        self.licence_member(actor, name, me, name.span)
    }

    /// The licences members of `actor` hold, by name (for suggestions).
    pub(super) fn licences_of(&self, actor: ActorId) -> Vec<String> {
        self.model.licenses.iter().filter(|l| l.holders == actor).map(|l| l.name.clone()).collect()
    }

    /// The help for a licence named where a value is wanted: how to read who holds it.
    pub(super) fn licence_value_help(&self, name: &str) -> Option<String> {
        let licence = self.model.licenses.get(*self.licences.get(name)?)?;
        let family = self.actor_name(licence.holders);
        Some(format!("a licence is not a value; whether a member `x` of `{family}` holds it is `x.{name}`"))
    }
}
