//! Typing expressions: names are bound (locals, actor members, file scope, modules),
//! units and types are inferred bottom-up, and every mismatch becomes a diagnostic with
//! both sides labelled. The result is a [`model::Expr`](crate::model::Expr).

use super::scope::{error_expr, suggest};
use super::types::show_dim;
use super::units::{suggest_fix, Dimension, Exponent};
use super::{Checker, Ctx, MemberKind, Sym};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, AggOp, BinOp, ExprKind as A, UnOp};

fn typed(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

/// True for literals that adopt any unit: `0` and `inf` (possibly negated or parenthesised).
pub fn is_polymorphic(e: &ast::Expr) -> bool {
    match &e.kind {
        A::Number(v, _) => *v == 0.0,
        A::Inf => true,
        A::Paren(inner) | A::Unary(UnOp::Neg, inner) => is_polymorphic(inner),
        _ => false,
    }
}

impl<'a> Checker<'a> {
    /// Types an expression.
    pub(super) fn expr(&mut self, e: &ast::Expr, ctx: &mut Ctx) -> Expr {
        let span = e.span;
        match &e.kind {
            A::Number(v, text) => {
                let int = !text.contains(['.', 'e', 'E']);
                typed(ExprKind::Const(Value::Num(*v)), if int { Type::int() } else { Type::real() }, span)
            }
            A::Bool(b) => typed(ExprKind::Const(Value::Bool(*b)), Type::Bool, span),
            A::Inf => typed(ExprKind::Const(Value::Num(f64::INFINITY)), Type::real(), span),
            A::Paren(inner) => {
                let mut x = self.expr(inner, ctx);
                x.span = span;
                x
            }
            A::Name(id) => self.name(id, ctx),
            A::Member(base, name) => self.member(base, name, ctx, span),
            A::Call(callee, args) => self.call(callee, args, ctx, span),
            A::Index(base, index) => self.index(base, index, ctx, span),
            A::WithUnit(value, unit, exp) => self.with_unit(value, unit, exp.as_ref(), ctx, span),
            A::Percent(inner) => {
                let x = self.expr(inner, ctx);
                self.require_dimensionless(&x, "a percentage");
                self.fold_scale(x, 0.01, Dimension::one(), span)
            }
            A::Unary(op, inner) => {
                let x = self.expr(inner, ctx);
                let ty = match op {
                    UnOp::Neg => {
                        self.require_number(&x, "`-`");
                        match &x.ty {
                            Type::Num(NumKind::Prob, d) => Type::Num(NumKind::Real, d.clone()),
                            t => t.clone(),
                        }
                    }
                    UnOp::Not => {
                        self.require_bool(&x, "`not`");
                        Type::Bool
                    }
                };
                if let (UnOp::Neg, ExprKind::Const(Value::Num(v))) = (op, &x.kind) {
                    return typed(ExprKind::Const(Value::Num(-v)), ty, span);
                }
                typed(ExprKind::Unary(*op, Box::new(x)), ty, span)
            }
            A::Binary(op, l, r) => self.binary(*op, l, r, ctx, span),
            A::If(c, a, b) => {
                let cond = self.expr(c, ctx);
                self.require_bool(&cond, "an `if` condition");
                let (x, y, ty) = self.unify_pair(a, b, ctx, "the two branches of `if`");
                typed(ExprKind::If(Box::new(cond), Box::new(x), Box::new(y)), ty, span)
            }
            A::List(items) => self.list(items, ctx, span),
            A::Aggregate { op, binder, filter, body } => {
                self.aggregate(*op, binder, filter.as_deref(), body, ctx, span)
            }
            A::Quantified { quantifier, binders, body } => {
                let mut bound = Vec::new();
                for b in binders {
                    let (domain, elem) = self.domain(&b.domain, ctx, None);
                    self.warn_shadow(&b.var, ctx);
                    let slot = self.bind_named(ctx, &b.var, elem, span);
                    bound.push(Binder { name: b.var.name.clone(), slot, domain });
                }
                let body_e = self.expr(body, ctx);
                self.require_bool(&body_e, "a quantified proposition");
                ctx.unbind(binders.len());
                typed(
                    ExprKind::Quantified { quantifier: *quantifier, binders: bound, body: Box::new(body_e) },
                    Type::Bool,
                    span,
                )
            }
        }
    }

    /// Types `e` and requires it to fit `want` (unit, kind); `what` names the slot in messages.
    pub(super) fn expect_type(&mut self, e: &ast::Expr, want: &Type, ctx: &mut Ctx, what: &str) -> Expr {
        let mut x = self.expr(e, ctx);
        if is_polymorphic(e) && matches!(want, Type::Num(..)) && x.ty.dim().is_some_and(Dimension::is_one) {
            x.ty = want.clone();
            return x;
        }
        self.require_fits(&x, want, what);
        x
    }

    /// Reports when a typed expression does not fit `want`.
    pub(super) fn require_fits(&mut self, x: &Expr, want: &Type, what: &str) {
        if x.ty.is_lenient() || want.is_lenient() {
            return;
        }
        match (&x.ty, want) {
            (Type::Num(fk, fd), Type::Num(wk, wd)) => {
                if fd != wd {
                    let mut d = Diagnostic::new(Code::E0301, x.span, "mismatched units")
                        .label(format!("this is `{}`", show_dim(fd)))
                        .note(format!("{what} must be `{}`", show_dim(wd)));
                    if let Some(fix) = suggest_fix(wd, fd) {
                        d = d.help(fix);
                    }
                    self.error(d);
                } else if *wk == NumKind::Int && *fk != NumKind::Int {
                    self.error(
                        Diagnostic::new(Code::E0303, x.span, "type mismatch")
                            .label(format!("this is `{}`, not an integer", self.show_type(&x.ty)))
                            .help(format!("{what} must be an `Int`; use `floor` or `ceil` to convert")),
                    );
                }
            }
            (f, w) if self.same_type(f, w) => {}
            (f, w) => {
                let (fs, ws) = (self.show_type(f), self.show_type(w));
                self.error(
                    Diagnostic::new(Code::E0303, x.span, "type mismatch")
                        .label(format!("this is `{fs}`"))
                        .help(format!("{what} must be `{ws}`")),
                );
            }
        }
    }

    fn same_type(&self, a: &Type, b: &Type) -> bool {
        match (a, b) {
            (Type::List(x), Type::List(y)) | (Type::Dist(x), Type::Dist(y)) => self.same_type(x, y),
            (Type::Num(_, x), Type::Num(_, y)) => x == y,
            (x, y) => x == y || x.is_lenient() || y.is_lenient(),
        }
    }

    pub(super) fn require_bool(&mut self, x: &Expr, what: &str) {
        if !x.ty.is_lenient() && x.ty != Type::Bool {
            let found = self.show_type(&x.ty);
            self.error(
                Diagnostic::new(Code::E0303, x.span, "type mismatch")
                    .label(format!("this is `{found}`, not `Bool`"))
                    .help(format!("{what} must be true or false; compare it, e.g. `x > 0`")),
            );
        }
    }

    pub(super) fn require_number(&mut self, x: &Expr, what: &str) -> bool {
        if x.ty.is_lenient() || matches!(x.ty, Type::Num(..)) {
            return true;
        }
        let found = self.show_type(&x.ty);
        self.error(
            Diagnostic::new(Code::E0303, x.span, "type mismatch")
                .label(format!("this is `{found}`, not a number"))
                .help(format!("{what} needs a number")),
        );
        false
    }

    pub(super) fn require_dimensionless(&mut self, x: &Expr, what: &str) {
        if let Some(d) = x.ty.dim() {
            if !d.is_one() {
                self.error(
                    Diagnostic::new(Code::E0305, x.span, "dimensionless value required")
                        .label(format!("this is `{d}`"))
                        .help(format!("{what} needs a plain number; divide by a quantity in `{d}`")),
                );
            }
        } else {
            self.require_number(x, what);
        }
    }

    /// Types two expressions that must share a unit (`+`, `-`, comparisons, branches).
    fn unify_pair(&mut self, a: &ast::Expr, b: &ast::Expr, ctx: &mut Ctx, what: &str) -> (Expr, Expr, Type) {
        let mut x = self.expr(a, ctx);
        let mut y = self.expr(b, ctx);
        if x.ty.is_lenient() || y.ty.is_lenient() {
            let ty = if x.ty == Type::Generic || y.ty == Type::Generic {
                Type::Generic
            } else if x.ty.is_lenient() {
                y.ty.clone()
            } else {
                x.ty.clone()
            };
            return (x, y, ty);
        }
        match (x.ty.clone(), y.ty.clone()) {
            (Type::Num(kx, dx), Type::Num(ky, dy)) => {
                if dx != dy {
                    if is_polymorphic(a) && dx.is_one() {
                        x.ty = y.ty.clone();
                    } else if is_polymorphic(b) && dy.is_one() {
                        y.ty = x.ty.clone();
                    } else {
                        self.mismatched_units(&x, &y, &dx, &dy, what);
                        return (x, y, Type::Error);
                    }
                }
                let kind = kx.max(ky);
                let dim = x.ty.dim().cloned().unwrap_or_default();
                (x, y, Type::Num(kind, dim))
            }
            (tx, ty) if self.same_type(&tx, &ty) => (x, y, tx),
            (tx, ty) => {
                let (sx, sy) = (self.show_type(&tx), self.show_type(&ty));
                self.error(
                    Diagnostic::new(Code::E0303, y.span, "type mismatch")
                        .label(format!("this is `{sy}`"))
                        .with(x.span, format!("this is `{sx}`"))
                        .help(format!("{what} must have the same type")),
                );
                (x, y, Type::Error)
            }
        }
    }

    pub(super) fn mismatched_units(&mut self, x: &Expr, y: &Expr, dx: &Dimension, dy: &Dimension, what: &str) {
        let mut d = Diagnostic::new(Code::E0301, y.span, "mismatched units")
            .label(format!("this is `{}`", show_dim(dy)))
            .with(x.span, format!("this is `{}`", show_dim(dx)))
            .note(format!("{what} must have the same unit"));
        if let Some(fix) = suggest_fix(dx, dy) {
            d = d.help(format!("on the right, {fix}"));
        }
        self.error(d);
    }

    fn binary(&mut self, op: BinOp, l: &ast::Expr, r: &ast::Expr, ctx: &mut Ctx, span: Span) -> Expr {
        match op {
            BinOp::And | BinOp::Or => {
                let x = self.expr(l, ctx);
                let y = self.expr(r, ctx);
                self.require_bool(&x, &format!("the left side of `{}`", op.symbol()));
                self.require_bool(&y, &format!("the right side of `{}`", op.symbol()));
                typed(ExprKind::Binary(op, Box::new(x), Box::new(y)), Type::Bool, span)
            }
            BinOp::Add | BinOp::Sub => {
                let (x, y, ty) = self.unify_pair(l, r, ctx, &format!("both sides of `{}`", op.symbol()));
                self.require_number(&x, &format!("`{}`", op.symbol()));
                self.require_number(&y, &format!("`{}`", op.symbol()));
                let ty = match ty {
                    Type::Num(NumKind::Prob, d) => Type::Num(NumKind::Real, d),
                    t => t,
                };
                typed(ExprKind::Binary(op, Box::new(x), Box::new(y)), ty, span)
            }
            _ if op.is_comparison() => {
                let (x, y, ty) = self.unify_pair(l, r, ctx, &format!("both sides of `{}`", op.symbol()));
                if !matches!(op, BinOp::Eq | BinOp::Ne) && !matches!(ty, Type::Num(..)) && !ty.is_lenient() {
                    self.require_number(&x, &format!("`{}`", op.symbol()));
                }
                typed(ExprKind::Binary(op, Box::new(x), Box::new(y)), Type::Bool, span)
            }
            BinOp::Mul | BinOp::Div => {
                let x = self.expr(l, ctx);
                let y = self.expr(r, ctx);
                let ok = self.require_number(&x, &format!("`{}`", op.symbol()))
                    & self.require_number(&y, &format!("`{}`", op.symbol()));
                let ty = match (&x.ty, &y.ty) {
                    (Type::Num(kx, dx), Type::Num(ky, dy)) if ok => {
                        let dim = if op == BinOp::Mul { dx.mul(dy) } else { dx.div(dy) };
                        let kind = match (op, kx, ky) {
                            (BinOp::Mul, NumKind::Int, NumKind::Int) => NumKind::Int,
                            (BinOp::Mul, NumKind::Prob, NumKind::Prob) => NumKind::Prob,
                            _ => NumKind::Real,
                        };
                        Type::Num(kind, dim)
                    }
                    (a, b) if *a == Type::Generic || *b == Type::Generic => Type::Generic,
                    _ => Type::Error,
                };
                typed(ExprKind::Binary(op, Box::new(x), Box::new(y)), ty, span)
            }
            _ => {
                let x = self.expr(l, ctx);
                let y = self.expr(r, ctx);
                let ty = self.power_type(&x, &y, r);
                typed(ExprKind::Binary(BinOp::Pow, Box::new(x), Box::new(y)), ty, span)
            }
        }
    }

    /// The type of `x ^ y`: a dimensioned base needs a constant rational exponent.
    pub(super) fn power_type(&mut self, x: &Expr, y: &Expr, y_ast: &ast::Expr) -> Type {
        if !(self.require_number(x, "`^`") & self.require_number(y, "`^`")) {
            return Type::Error;
        }
        self.require_dimensionless(y, "an exponent");
        let Some(dx) = x.ty.dim().cloned() else { return Type::Generic };
        if dx.is_one() {
            return match (&x.ty, &y.ty) {
                (Type::Num(NumKind::Int, _), Type::Num(NumKind::Int, _)) if literal_nonneg(y_ast) => Type::int(),
                _ => Type::real(),
            };
        }
        let k = match self.literal_value(y) {
            Some(v) => super::units::exponent_from_f64(v),
            None => {
                self.error(
                    Diagnostic::new(Code::E0306, y.span, "exponent must be a constant")
                        .label("this exponent is not a literal number")
                        .with(x.span, format!("the base is `{dx}`"))
                        .help("a quantity with a unit can only be raised to a literal power such as `2` or `0.5`"),
                );
                return Type::Error;
            }
        };
        match k {
            Some(k) => Type::quantity(dx.pow(k)),
            None => {
                self.error(
                    Diagnostic::new(Code::E0306, y.span, "exponent must be a simple fraction")
                        .label("this exponent is not a ratio of small integers")
                        .with(x.span, format!("the base is `{dx}`"))
                        .help("use an exponent such as `2`, `0.5` or `(1/3)`"),
                );
                Type::Error
            }
        }
    }

    /// The value of an expression built only from literals.
    fn literal_value(&self, e: &Expr) -> Option<f64> {
        match &e.kind {
            ExprKind::Const(Value::Num(v)) => Some(*v),
            ExprKind::Unary(UnOp::Neg, x) => self.literal_value(x).map(|v| -v),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.literal_value(a)?, self.literal_value(b)?);
                match op {
                    BinOp::Add => Some(a + b),
                    BinOp::Sub => Some(a - b),
                    BinOp::Mul => Some(a * b),
                    BinOp::Div if b != 0.0 => Some(a / b),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn list(&mut self, items: &[ast::Expr], ctx: &mut Ctx, span: Span) -> Expr {
        let mut typed_items: Vec<Expr> = Vec::with_capacity(items.len());
        let mut elem: Option<Type> = None;
        for (i, item) in items.iter().enumerate() {
            let x = self.expr(item, ctx);
            match &elem {
                None => elem = Some(x.ty.clone()),
                Some(t) if x.ty.is_lenient() || t.is_lenient() => {}
                Some(Type::Num(k, d)) if matches!(&x.ty, Type::Num(_, d2) if d2 == d) => {
                    if let Type::Num(k2, _) = &x.ty {
                        elem = Some(Type::Num((*k).max(*k2), d.clone()));
                    }
                }
                Some(Type::Num(..)) if is_polymorphic(item) => {}
                Some(t) if self.same_type(t, &x.ty) && !matches!(t, Type::Num(..)) => {}
                Some(t) => {
                    let (want, found) = (self.show_type(t), self.show_type(&x.ty));
                    let first = typed_items.first().map(|f| f.span).unwrap_or(span);
                    let code = if matches!((t, &x.ty), (Type::Num(..), Type::Num(..))) { "units" } else { "types" };
                    self.error(
                        Diagnostic::new(Code::E0311, x.span, format!("list elements of different {code}"))
                            .label(format!("element {} is `{found}`", i + 1))
                            .with(first, format!("the first element is `{want}`"))
                            .help("every element of a list must have the same type and unit"),
                    );
                }
            }
            typed_items.push(x);
        }
        let ty = Type::List(Box::new(elem.unwrap_or(Type::Error)));
        typed(ExprKind::List(typed_items), ty, span)
    }

    fn index(&mut self, base: &ast::Expr, index: &ast::Expr, ctx: &mut Ctx, span: Span) -> Expr {
        let b = self.expr(base, ctx);
        let i = self.expr(index, ctx);
        let int_ok = matches!(&i.ty, Type::Num(NumKind::Int, d) if d.is_one()) || i.ty.is_lenient();
        if !int_ok {
            let found = self.show_type(&i.ty);
            self.error(
                Diagnostic::new(Code::E0310, i.span, "invalid index")
                    .label(format!("this is `{found}`, not an `Int`"))
                    .help("index with an integer, e.g. the family index `i`"),
            );
        }
        let ty = match &b.ty {
            Type::List(t) => (**t).clone(),
            Type::Family(a) => Type::Member(*a),
            t if t.is_lenient() => t.clone(),
            t => {
                let found = self.show_type(t);
                self.error(
                    Diagnostic::new(Code::E0310, b.span, "invalid index")
                        .label(format!("this is `{found}`, which cannot be indexed"))
                        .help("only lists and actor families can be indexed"),
                );
                Type::Error
            }
        };
        typed(ExprKind::Index(Box::new(b), Box::new(i)), ty, span)
    }

    /// Multiplies by a constant factor and dimension, folding constants.
    fn fold_scale(&self, x: Expr, factor: f64, dim: Dimension, span: Span) -> Expr {
        let ty = match &x.ty {
            Type::Num(k, d) if dim.is_one() && factor == 0.01 => {
                Type::Num(if *k == NumKind::Int { NumKind::Real } else { *k }, d.clone())
            }
            Type::Num(_, d) => Type::quantity(d.mul(&dim)),
            t => t.clone(),
        };
        if let ExprKind::Const(Value::Num(v)) = x.kind {
            return typed(ExprKind::Const(Value::Num(v * factor)), ty, span);
        }
        let c = typed(ExprKind::Const(Value::Num(factor)), Type::quantity(dim), span);
        typed(ExprKind::Binary(BinOp::Mul, Box::new(x), Box::new(c)), ty, span)
    }

    fn with_unit(
        &mut self,
        value: &ast::Expr,
        unit: &ast::Ident,
        exp: Option<&ast::ExponentLit>,
        ctx: &mut Ctx,
        span: Span,
    ) -> Expr {
        let x = self.expr(value, ctx);
        self.require_number(&x, "a value with a unit");
        let decl =
            if ctx.lookup(&unit.name).is_some() { None } else { self.lookup_global(&unit.name, ctx.module.as_deref()) };
        if let Some(d) = decl.as_ref().filter(|d| matches!(d.sym, Sym::Unit(_))) {
            self.refer(unit.span, d.span);
        }
        let (dim, scale) = match decl.map(|d| d.sym) {
            Some(Sym::Unit(i)) => {
                self.check_unit(i);
                match self.model.units.get(i) {
                    Some(u) => (u.dim.clone(), u.scale),
                    None => return error_expr(span),
                }
            }
            None if ctx.lookup(&unit.name).is_none() && !self.is_member_name(&unit.name, ctx) => {
                let units: Vec<String> = self.model.units.iter().map(|u| u.name.clone()).collect();
                let mut d = Diagnostic::new(Code::E0201, unit.span, format!("unknown unit `{}`", unit.name))
                    .label("not declared");
                d = match suggest(&unit.name, units.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("declare it with `unit {}`", unit.name)),
                };
                self.error(d);
                return error_expr(span);
            }
            _ => {
                self.error(
                    Diagnostic::new(Code::E0309, unit.span, "implicit multiplication needs a unit")
                        .label(format!("`{}` is not a unit", unit.name))
                        .with(x.span, "this value is followed by a name")
                        .help(format!("write `*` to multiply by a value: `... * {}`", unit.name)),
                );
                return error_expr(span);
            }
        };
        let (dim, scale) = match exp {
            None => (dim, scale),
            Some(e) => match self.exponent(e) {
                Some(k) => (dim.pow(k), scale.powf(ratio(k))),
                None => return error_expr(span),
            },
        };
        let folded = self.fold_scale(x, scale, dim.clone(), span);
        match folded.ty.clone() {
            Type::Num(..) => folded,
            _ => typed(folded.kind, Type::Error, span),
        }
    }

    fn is_member_name(&self, name: &str, ctx: &Ctx) -> bool {
        ctx.actor.and_then(|a| self.actor_members.get(a)).is_some_and(|t| t.contains_key(name))
    }

    /// Resolves a bare name.
    fn name(&mut self, id: &ast::Ident, ctx: &mut Ctx) -> Expr {
        let span = id.span;
        if let Some(local) = ctx.lookup(&id.name) {
            let x = typed(ExprKind::Local(local.slot), local.ty.clone(), span);
            self.refer(span, local.span);
            return x;
        }
        if let Some(actor) = ctx.actor {
            if let Some(&(kind, index, target)) = self.actor_members.get(actor).and_then(|t| t.get(&id.name)) {
                self.refer(span, target);
                return self.member_value(
                    actor,
                    kind,
                    index,
                    typed(ExprKind::SelfMember(actor), Type::Member(actor), span),
                    span,
                    &id.name,
                );
            }
            if let Some(x) = self.own_licence(actor, id) {
                return x;
            }
        }
        match self.lookup_global(&id.name, ctx.module.as_deref()) {
            Some(decl) => {
                self.refer(span, decl.span);
                self.global_value(&decl.sym, &id.name, span)
            }
            None => {
                self.unknown_name(id, ctx);
                error_expr(span)
            }
        }
    }

    /// Reports `E0201` with the closest visible name.
    pub(super) fn unknown_name(&mut self, id: &ast::Ident, ctx: &Ctx) {
        let mut candidates: Vec<String> = ctx.locals.iter().map(|l| l.name.clone()).collect();
        if let Some(t) = ctx.actor.and_then(|a| self.actor_members.get(a)) {
            candidates.extend(t.keys().cloned());
        }
        if let Some(m) = &ctx.module {
            candidates.extend(self.module_members(m));
        }
        candidates.extend(self.visible_names());
        let mut d = Diagnostic::new(Code::E0201, id.span, format!("unknown name `{}`", id.name))
            .label("not found in this scope");
        if let Some(s) = suggest(&id.name, candidates.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        } else if let Some(hint) = self.member_hint(&id.name) {
            d = d.help(hint);
        } else {
            let starts_upper = id.name.chars().next().is_some_and(char::is_uppercase);
            d = d.help(if starts_upper {
                format!("declare it, e.g. `actor {} {{ ... }}`", id.name)
            } else {
                format!("declare it, e.g. `param {}: Real = 1`", id.name)
            });
        }
        self.error(d);
    }

    /// "`c` is a member of `Developer`; write `d.c` ..." when an actor has a member of that name.
    fn member_hint(&self, name: &str) -> Option<String> {
        self.actor_members.iter().enumerate().find(|(_, t)| t.contains_key(name)).map(|(a, _)| {
            let actor = self.actor_name(a);
            let family = self.actor_asts.get(a).is_some_and(|x| x.family.is_some());
            if family {
                format!(
                    "`{name}` is a member of `{actor}`; reach it through a member, e.g. `sum(x in {actor}: x.{name})`"
                )
            } else {
                format!("`{name}` is a member of `{actor}`; write `{actor}.{name}`")
            }
        })
    }

    /// The value of a file-scope symbol.
    fn global_value(&mut self, sym: &Sym, name: &str, span: Span) -> Expr {
        match sym {
            Sym::Unit(i) => {
                self.check_unit(*i);
                match self.model.units.get(*i) {
                    Some(u) => typed(ExprKind::Const(Value::Num(u.scale)), Type::quantity(u.dim.clone()), span),
                    None => error_expr(span),
                }
            }
            Sym::Variant(e, v) => typed(ExprKind::Const(Value::Enum(*e, *v)), Type::Enum(*e), span),
            Sym::Param(p) => {
                if let Some(u) = self.used_params.get_mut(*p) {
                    *u = true;
                }
                let ty = self.model.params.get(*p).map(|p| p.ty.clone()).unwrap_or(Type::Error);
                typed(ExprKind::Param(*p), ty, span)
            }
            Sym::Let(l) => {
                if let Some(u) = self.used_lets.get_mut(*l) {
                    *u = true;
                }
                let ty = self.ensure_let(*l);
                typed(ExprKind::Let(*l), ty, span)
            }
            Sym::Fn(f) => {
                if let Some(u) = self.used_fns.get_mut(*f) {
                    *u = true;
                }
                typed(ExprKind::FnRef(*f), Type::Fn(*f), span)
            }
            Sym::Random(r) => {
                let ty = self.model.randoms.get(*r).map(|r| r.ty.clone()).unwrap_or(Type::Error);
                typed(ExprKind::Random(*r), ty, span)
            }
            Sym::Actor(a) => {
                let family = self.actor_asts.get(*a).is_some_and(|x| x.family.is_some());
                if family {
                    typed(ExprKind::Const(Value::Member(*a, 0)), Type::Family(*a), span)
                } else {
                    typed(ExprKind::Const(Value::Member(*a, 1)), Type::Member(*a), span)
                }
            }
            Sym::Audit(a) => typed(ExprKind::AuditProb(*a), Type::prob(), span),
            other => {
                let what = other.describe();
                let help = match other {
                    Sym::Market(_) => format!("use its price: `{name}.price`"),
                    Sym::Module(_) => format!("name one of its definitions: `{name}.<name>`"),
                    Sym::Enum(_) => "use one of its variants".to_string(),
                    Sym::Rule("license") => self
                        .licence_value_help(name)
                        .unwrap_or_else(|| format!("{} {what} cannot be used as a value", super::scope::article(what))),
                    _ => format!("{} {what} cannot be used as a value", super::scope::article(what)),
                };
                self.error(
                    Diagnostic::new(
                        Code::E0303,
                        span,
                        format!("`{name}` is {} {what}, not a value", super::scope::article(what)),
                    )
                    .label(format!("this {what} is not a value"))
                    .help(help),
                );
                error_expr(span)
            }
        }
    }

    /// The value of an actor member, reached through `of` (an instance expression).
    fn member_value(
        &mut self,
        actor: ActorId,
        kind: MemberKind,
        index: usize,
        of: Expr,
        span: Span,
        name: &str,
    ) -> Expr {
        if index == usize::MAX {
            return typed(ExprKind::Local(0), Type::int(), span);
        }
        let (member, ty) = match kind {
            MemberKind::Param => (
                MemberRef::Param(index),
                self.model.actors[actor].params.get(index).map(|p| p.ty.clone()).unwrap_or(Type::Error),
            ),
            MemberKind::Let => (MemberRef::Let(index), self.ensure_member_let(actor, index)),
            MemberKind::Choice => (
                MemberRef::Choice(index),
                self.model.actors[actor].choices.get(index).map(|c| c.ty.clone()).unwrap_or(Type::Error),
            ),
            MemberKind::Random => (
                MemberRef::Random(index),
                self.model.actors[actor].randoms.get(index).map(|r| r.ty.clone()).unwrap_or(Type::Error),
            ),
            MemberKind::Fn => {
                self.error(
                    Diagnostic::new(Code::E0303, span, format!("`{name}` is a function, not a value"))
                        .label("this function is not called")
                        .help(format!("call it: `{name}(...)`")),
                );
                return error_expr(span);
            }
        };
        typed(ExprKind::Member { actor, member, of: Box::new(of) }, ty, span)
    }

    fn member(&mut self, base: &ast::Expr, name: &ast::Ident, ctx: &mut Ctx, span: Span) -> Expr {
        if let A::Name(b) = &base.kind {
            if ctx.lookup(&b.name).is_none() && !self.is_member_name(&b.name, ctx) {
                let decl = self.lookup_global(&b.name, ctx.module.as_deref());
                if let Some(d) = decl.as_ref().filter(|d| matches!(d.sym, Sym::Module(_) | Sym::Market(_))) {
                    self.refer(b.span, d.span);
                }
                match decl.map(|d| d.sym) {
                    Some(Sym::Module(m)) => {
                        return match self.globals.get(&format!("{m}.{}", name.name)).cloned() {
                            Some(decl) => {
                                self.refer(name.span, decl.span);
                                self.global_value(&decl.sym, &name.name, span)
                            }
                            None => {
                                self.unknown_member_of_module(&m, name);
                                error_expr(span)
                            }
                        };
                    }
                    Some(Sym::Market(id)) => {
                        if name.name == "price" {
                            let dim = self.model.markets.get(id).map(|m| m.price_dim.clone()).unwrap_or_default();
                            return typed(ExprKind::MarketPrice(id), Type::quantity(dim), span);
                        }
                        self.error(
                            Diagnostic::new(
                                Code::E0205,
                                name.span,
                                format!("market `{}` has no `{}`", b.name, name.name),
                            )
                            .label("unknown member")
                            .help(format!("a market's value is its clearing price: `{}.price`", b.name)),
                        );
                        return error_expr(span);
                    }
                    _ => {}
                }
            }
        }
        let b = self.expr(base, ctx);
        match b.ty.clone() {
            Type::Member(actor) => match self.actor_members.get(actor).and_then(|t| t.get(&name.name)).copied() {
                Some((kind, index, target)) => {
                    self.refer(name.span, target);
                    self.member_value(actor, kind, index, b, span, &name.name)
                }
                None if self.licences.contains_key(&name.name) => {
                    self.licence_member(actor, name, b, span).unwrap_or_else(|| error_expr(span))
                }
                None => {
                    let mut members: Vec<String> =
                        self.actor_members.get(actor).map(|t| t.keys().cloned().collect()).unwrap_or_default();
                    members.extend(self.licences_of(actor));
                    let actor_name = self.actor_name(actor).to_string();
                    let mut d = Diagnostic::new(
                        Code::E0205,
                        name.span,
                        format!("`{actor_name}` has no member `{}`", name.name),
                    )
                    .label("unknown member");
                    d = match suggest(&name.name, members.iter().map(String::as_str)) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help(format!("its members are: {}", members.join(", "))),
                    };
                    self.error(d);
                    error_expr(span)
                }
            },
            Type::Family(actor) => {
                let actor_name = self.actor_name(actor).to_string();
                self.error(
                    Diagnostic::new(Code::E0208, b.span, format!("`{actor_name}` is a family, not one actor"))
                        .label(format!("which member of `{actor_name}`?"))
                        .help(format!(
                            "aggregate over its members, e.g. `sum(x in {actor_name}: x.{})`, or pick one: `{actor_name}[1].{}`",
                            name.name, name.name
                        )),
                );
                error_expr(span)
            }
            t if t.is_lenient() => typed(ExprKind::Const(Value::Num(0.0)), t, span),
            t => {
                let found = self.show_type(&t);
                self.error(
                    Diagnostic::new(Code::E0205, name.span, format!("`{found}` has no member `{}`", name.name))
                        .label("unknown member")
                        .with(b.span, format!("this is `{found}`"))
                        .help("only actors, markets and modules have members"),
                );
                error_expr(span)
            }
        }
    }

    fn unknown_member_of_module(&mut self, module: &str, name: &ast::Ident) {
        let members = self.module_members(module);
        let mut d = Diagnostic::new(Code::E0205, name.span, format!("module `{module}` has no `{}`", name.name))
            .label("not defined in this module");
        if let Some(s) = suggest(&name.name, members.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.error(d);
    }

    fn aggregate(
        &mut self,
        op: AggOp,
        binder: &ast::Binder,
        filter: Option<&ast::Expr>,
        body: &ast::Expr,
        ctx: &mut Ctx,
        span: Span,
    ) -> Expr {
        let (domain, elem) = self.domain(&binder.domain, ctx, None);
        if matches!(domain.kind, DomainKind::Interval { .. }) {
            self.error(
                Diagnostic::new(Code::E0313, domain.span, format!("cannot take `{}` over an interval", op.name()))
                    .label("an interval has infinitely many points")
                    .help(
                        "aggregate over a family, a range `1..n`, a set or a list; use `forall`/`exists` for intervals",
                    ),
            );
        }
        self.warn_shadow(&binder.var, ctx);
        let var = self.bind_named(ctx, &binder.var, elem, span);
        let f = filter.map(|f| {
            let x = self.expr(f, ctx);
            self.require_bool(&x, "a `where` filter");
            Box::new(x)
        });
        let b = self.expr(body, ctx);
        ctx.unbind(1);
        let ty = match op {
            AggOp::Count | AggOp::All | AggOp::Any => {
                self.require_bool(&b, &format!("the body of `{}`", op.name()));
                if op == AggOp::Count {
                    Type::int()
                } else {
                    Type::Bool
                }
            }
            AggOp::Product => {
                self.require_dimensionless(&b, "the body of `product`");
                Type::real()
            }
            AggOp::Mean => {
                self.require_number(&b, "the body of `mean`");
                b.ty.dim().map_or(b.ty.clone(), |d| Type::quantity(d.clone()))
            }
            _ => {
                self.require_number(&b, &format!("the body of `{}`", op.name()));
                match &b.ty {
                    Type::Num(NumKind::Prob, d) if op == AggOp::Sum => Type::quantity(d.clone()),
                    t => t.clone(),
                }
            }
        };
        typed(ExprKind::Aggregate { op, var, domain: Box::new(domain), filter: f, body: Box::new(b) }, ty, span)
    }

    /// Types a domain; `want` is the element type it must hold (for choices).
    pub(super) fn domain(&mut self, d: &ast::Domain, ctx: &mut Ctx, want: Option<&Type>) -> (Domain, Type) {
        let span = d.span;
        let (kind, elem) = match &d.kind {
            ast::DomainKind::Interval { lo, hi, lo_open, hi_open } => {
                let (l, h, ty) = match want {
                    Some(w @ Type::Num(..)) => {
                        let l = self.expect_type(lo, w, ctx, "the interval's lower bound");
                        let h = self.expect_type(hi, w, ctx, "the interval's upper bound");
                        (l, h, w.clone())
                    }
                    _ => {
                        let (l, h, ty) = self.unify_pair(lo, hi, ctx, "both bounds of an interval");
                        self.require_number(&l, "an interval bound");
                        (l, h, ty)
                    }
                };
                let elem = match ty {
                    Type::Num(NumKind::Int, d) => Type::Num(NumKind::Real, d),
                    t => t,
                };
                (DomainKind::Interval { lo: l, hi: h, lo_open: *lo_open, hi_open: *hi_open }, elem)
            }
            ast::DomainKind::Range(lo, hi) => {
                let l = self.expect_type(lo, &Type::int(), ctx, "a range bound");
                let h = self.expect_type(hi, &Type::int(), ctx, "a range bound");
                (DomainKind::Range(l, h), Type::int())
            }
            ast::DomainKind::Set(items) => {
                let list = self.list(items, ctx, span);
                let elem = match &list.ty {
                    Type::List(t) => (**t).clone(),
                    _ => Type::Error,
                };
                let ExprKind::List(items) = list.kind else {
                    return (Domain { kind: DomainKind::Set(vec![]), span }, Type::Error);
                };
                (DomainKind::Set(items), elem)
            }
            ast::DomainKind::Expr(e) => {
                if let A::Name(n) = &e.kind {
                    if ctx.lookup(&n.name).is_none() {
                        let decl = self.lookup_global(&n.name, ctx.module.as_deref());
                        if let Some(d) = decl.as_ref().filter(|d| matches!(d.sym, Sym::Actor(_) | Sym::Enum(_))) {
                            self.refer(n.span, d.span);
                        }
                        match decl.map(|d| d.sym) {
                            Some(Sym::Actor(a)) => {
                                return (Domain { kind: DomainKind::Family(a), span }, Type::Member(a))
                            }
                            Some(Sym::Enum(id)) => {
                                return (Domain { kind: DomainKind::Enum(id), span }, Type::Enum(id))
                            }
                            _ => {}
                        }
                    }
                }
                let x = self.expr(e, ctx);
                match x.ty.clone() {
                    Type::List(t) => (DomainKind::List(x), *t),
                    t if t.is_lenient() => (DomainKind::List(x), t),
                    t => {
                        let found = self.show_type(&t);
                        self.error(
                            Diagnostic::new(Code::E0313, x.span, "invalid domain")
                                .label(format!("this is `{found}`, not a domain"))
                                .help("a domain is an interval `[lo, hi]`, a range `lo..hi`, a set `{a, b}`, a family or a list"),
                        );
                        (DomainKind::List(x), Type::Error)
                    }
                }
            }
        };
        if let (Some(w), false) = (want, matches!(kind, DomainKind::Interval { .. })) {
            if !elem.is_lenient() && !w.is_lenient() && !self.same_type(&elem, w) {
                let (found, wanted) = (self.show_type(&elem), self.show_type(w));
                self.error(
                    Diagnostic::new(Code::E0313, span, "invalid domain")
                        .label(format!("this domain holds `{found}`"))
                        .help(format!("the choice is declared `{wanted}`; make the domain hold `{wanted}`")),
                );
            }
        }
        (Domain { kind, span }, elem)
    }

    /// W0002 when a bound name hides a file-scope name.
    pub(super) fn warn_shadow(&mut self, id: &ast::Ident, ctx: &Ctx) {
        if let Some(decl) = self.lookup_global(&id.name, ctx.module.as_deref()) {
            if matches!(decl.sym, Sym::Module(_)) || ctx.module.is_some() {
                return;
            }
            let what = decl.sym.describe();
            self.error(
                Diagnostic::new(
                    Code::W0002,
                    id.span,
                    format!("`{}` shadows {} {what}", id.name, super::scope::article(what)),
                )
                .label("this name hides another")
                .with(decl.span, format!("the {what} declared here"))
                .help(format!("rename it, e.g. `{}_`", id.name)),
            );
        }
    }
}

fn ratio(k: Exponent) -> f64 {
    *k.numer() as f64 / *k.denom() as f64
}

fn literal_nonneg(e: &ast::Expr) -> bool {
    match &e.kind {
        A::Number(..) => true,
        A::Paren(x) => literal_nonneg(x),
        _ => false,
    }
}
