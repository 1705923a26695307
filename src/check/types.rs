//! Written types → [`Type`]s, and the vocabulary for talking about types in messages.

use super::units::{exponent_from_decimal, Dimension, Exponent};
use super::{Checker, Sym};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::syntax::ast::{self, TypeKind, UnitExpr};

/// A dimension as users read it: `dimensionless` for 1.
pub fn show_dim(d: &Dimension) -> String {
    if d.is_one() {
        "dimensionless".to_string()
    } else {
        d.to_string()
    }
}

/// A type as users read it: `Real`, `Prob`, `usd/pflop`, `list of Int`, `family `Developer``.
pub fn show_type(model: &Model, t: &Type) -> String {
    let actor = |a: &ActorId| model.actors.get(*a).map(|a| a.name.as_str()).unwrap_or("?");
    match t {
        Type::Num(NumKind::Int, d) if d.is_one() => "Int".into(),
        Type::Num(NumKind::Prob, d) if d.is_one() => "Prob".into(),
        Type::Num(NumKind::Real, d) if d.is_one() => "Real".into(),
        Type::Num(_, d) => d.to_string(),
        Type::Bool => "Bool".into(),
        Type::Enum(id) => model.enums.get(*id).map(|e| e.name.clone()).unwrap_or_default(),
        Type::List(t) => format!("list of {}", show_type(model, t)),
        Type::Member(a) => format!("member of `{}`", actor(a)),
        Type::Family(a) => format!("family `{}`", actor(a)),
        Type::Fn(f) => format!("function `{}`", model.fns.get(*f).map(|f| f.name.as_str()).unwrap_or("?")),
        Type::Dist(t) => format!("distribution of {}", show_type(model, t)),
        Type::Generic => "any".into(),
        Type::Error => "unknown".into(),
    }
}

impl<'a> Checker<'a> {
    /// A type as users read it.
    pub(super) fn show_type(&self, t: &Type) -> String {
        show_type(&self.model, t)
    }

    pub(super) fn actor_name(&self, a: ActorId) -> &str {
        self.model.actors.get(a).map(|a| a.name.as_str()).unwrap_or("?")
    }

    /// Resolves a written type.
    pub(super) fn resolve_type(&mut self, t: &ast::TypeExpr, module: Option<&str>) -> Type {
        match &t.kind {
            TypeKind::Enum(variants) => {
                let name = format!("{{{}}}", variants.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", "));
                Type::Enum(self.declare_enum(&name, variants, t.span))
            }
            TypeKind::Unit(UnitExpr::Name(id)) => match id.name.as_str() {
                "Int" => Type::int(),
                "Real" => Type::real(),
                "Bool" => Type::Bool,
                "Prob" => Type::prob(),
                _ => match self.lookup_global(&id.name, module) {
                    Some(super::Decl { sym: Sym::Enum(e), span }) => {
                        self.refer(id.span, span);
                        Type::Enum(e)
                    }
                    _ => self
                        .resolve_unit_expr(&UnitExpr::Name(id.clone()), module)
                        .map_or(Type::Error, |(d, _)| Type::quantity(d)),
                },
            },
            TypeKind::Unit(u) => self.resolve_unit_expr(u, module).map_or(Type::Error, |(d, _)| Type::quantity(d)),
        }
    }

    /// Resolves a unit expression to (dimension, scale); reports unknown units.
    pub(super) fn resolve_unit_expr(&mut self, u: &UnitExpr, module: Option<&str>) -> Option<(Dimension, f64)> {
        match u {
            UnitExpr::One(_) => Some((Dimension::one(), 1.0)),
            UnitExpr::Paren(inner, _) => self.resolve_unit_expr(inner, module),
            UnitExpr::Name(id) => match self.lookup_global(&id.name, module).map(|d| (d.sym, d.span)) {
                Some((Sym::Unit(i), span)) => {
                    self.refer(id.span, span);
                    self.check_unit(i);
                    self.model.units.get(i).map(|u| (u.dim.clone(), u.scale))
                }
                Some((other, _)) => {
                    let what = other.describe();
                    self.error(
                        Diagnostic::new(Code::E0303, id.span, format!("`{}` is not a unit", id.name))
                            .label(format!("this is {} {what}", super::scope::article(what)))
                            .help("a type is `Int`, `Real`, `Bool`, `Prob`, an enumeration or a unit expression"),
                    );
                    None
                }
                None => {
                    self.unknown_unit(id);
                    None
                }
            },
            UnitExpr::Mul(a, b) | UnitExpr::Div(a, b) => {
                let (da, sa) = self.resolve_unit_expr(a, module)?;
                let (db, sb) = self.resolve_unit_expr(b, module)?;
                if matches!(u, UnitExpr::Mul(..)) {
                    Some((da.mul(&db), sa * sb))
                } else {
                    Some((da.div(&db), sa / sb))
                }
            }
            UnitExpr::Pow(base, e) => {
                let (d, s) = self.resolve_unit_expr(base, module)?;
                let k = self.exponent(e)?;
                Some((d.pow(k), s.powf(*k.numer() as f64 / *k.denom() as f64)))
            }
        }
    }

    /// Parses a written exponent.
    pub(super) fn exponent(&mut self, e: &ast::ExponentLit) -> Option<Exponent> {
        let parsed = exponent_from_decimal(&e.text).or_else(|| exponent_from_decimal(&format!("({})", e.text)));
        if parsed.is_none() {
            self.error(
                Diagnostic::new(Code::E0306, e.span, format!("exponent `{}` is not a usable rational", e.text))
                    .label("cannot represent this exponent exactly")
                    .help("write a small fraction such as `0.5`, `2` or `(1/3)`"),
            );
        }
        parsed
    }

    fn unknown_unit(&mut self, id: &ast::Ident) {
        let units: Vec<String> = self.model.units.iter().map(|u| u.name.clone()).collect();
        let mut d = Diagnostic::new(Code::E0201, id.span, format!("unknown unit `{}`", id.name)).label("not declared");
        d = match super::scope::suggest(&id.name, units.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if ["Integer", "Float", "Number", "Double", "Boolean", "Probability"].contains(&id.name.as_str()) => {
                d.help("the built-in types are `Int`, `Real`, `Bool` and `Prob`")
            }
            None => d.help(format!("declare it with `unit {}`", id.name)),
        };
        self.error(d);
    }

    /// Resolves a unit declaration (on demand, so definitions may refer to later units).
    pub(super) fn check_unit(&mut self, id: usize) {
        match self.unit_state.get(id) {
            Some(super::LetState::Pending) => {}
            Some(super::LetState::InProgress) => {
                if let Some((u, _)) = self.unit_asts.get(id) {
                    let span = u.name.span;
                    let name = u.name.name.clone();
                    self.error(
                        Diagnostic::new(Code::E0203, span, format!("unit `{name}` is defined in terms of itself"))
                            .label("this definition loops back to itself")
                            .help("define it from a base unit"),
                    );
                }
                return;
            }
            _ => return,
        }
        self.unit_state[id] = super::LetState::InProgress;
        let Some((decl, _)) = self.unit_asts.get(id).copied() else { return };
        if let Some(def) = &decl.definition {
            let mut ctx = super::Ctx::new(None, None);
            let e = self.expr(def, &mut ctx);
            let mut literal = true;
            super::rules::visit(&e, &mut |x| {
                literal &= matches!(x.kind, ExprKind::Const(_) | ExprKind::Binary(..) | ExprKind::Unary(..))
            });
            if !literal {
                self.error(
                    Diagnostic::new(Code::E0314, def.span, "a unit must be defined by a constant quantity")
                        .label("this depends on something that is not a number or a unit")
                        .help("write a number times a unit, e.g. `1000 pflop`; use a `param` for rates that vary"),
                );
            } else if let (Some(dim), Ok(Value::Num(scale))) = (e.ty.dim().cloned(), self.const_value(&e)) {
                if let Some(u) = self.model.units.get_mut(id) {
                    u.dim = dim;
                    u.scale = scale;
                }
            }
        }
        self.unit_state[id] = super::LetState::Done;
    }
}
