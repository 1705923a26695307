//! Typing calls: builtins (`sqrt` halves exponents, `ln` needs a plain number),
//! distributions, user functions (generic ones are checked again at every call with the
//! argument types), and member functions of actors.

use super::scope::{error_expr, suggest};
use super::units::{Dimension, Exponent};
use super::{Checker, Ctx, Decl, MemberKind, Sym};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind as A};

fn typed(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

impl<'a> Checker<'a> {
    pub(super) fn call(&mut self, callee: &ast::Expr, args: &[ast::Arg], ctx: &mut Ctx, span: Span) -> Expr {
        match &callee.kind {
            A::Name(id) => self.call_name(id, args, ctx, span),
            A::Member(base, name) => {
                if let A::Name(b) = &base.kind {
                    if ctx.lookup(&b.name).is_none() {
                        if let Some(Decl { sym: Sym::Module(m), span: module }) =
                            self.lookup_global(&b.name, ctx.module.as_deref())
                        {
                            self.refer(b.span, module);
                            let decl = self.globals.get(&format!("{m}.{}", name.name)).cloned();
                            if let Some(d) = &decl {
                                self.refer(name.span, d.span);
                            }
                            return match decl.map(|d| d.sym) {
                                Some(Sym::Fn(f)) => self.call_fn(f, args, ctx, span),
                                Some(other) => self.not_callable(&name.name, other.describe(), name.span),
                                None => {
                                    let members = self.module_members(&m);
                                    let mut d = Diagnostic::new(
                                        Code::E0205,
                                        name.span,
                                        format!("module `{m}` has no `{}`", name.name),
                                    )
                                    .label("not defined in this module");
                                    if let Some(s) = suggest(&name.name, members.iter().map(String::as_str)) {
                                        d = d.help(format!("did you mean `{s}`?"));
                                    }
                                    self.error(d);
                                    error_expr(span)
                                }
                            };
                        }
                    }
                }
                let of = self.expr(base, ctx);
                match of.ty.clone() {
                    Type::Member(actor) => match self.actor_members.get(actor).and_then(|t| t.get(&name.name)).copied()
                    {
                        Some((MemberKind::Fn, index, target)) => {
                            self.refer(name.span, target);
                            self.call_member_fn(actor, index, of, args, ctx, span)
                        }
                        Some(_) => self.not_callable(&name.name, "member", name.span),
                        None => {
                            let actor_name = self.actor_name(actor).to_string();
                            self.error(
                                Diagnostic::new(
                                    Code::E0205,
                                    name.span,
                                    format!("`{actor_name}` has no member `{}`", name.name),
                                )
                                .label("unknown member")
                                .help("declare it in the actor with `fn`"),
                            );
                            error_expr(span)
                        }
                    },
                    t if t.is_lenient() => error_expr(span),
                    _ => self.not_callable(&name.name, "value", name.span),
                }
            }
            _ => {
                let x = self.expr(callee, ctx);
                if x.ty.is_lenient() {
                    return error_expr(span);
                }
                self.not_callable("this expression", "value", callee.span)
            }
        }
    }

    fn not_callable(&mut self, name: &str, what: &str, span: Span) -> Expr {
        self.error(
            Diagnostic::new(Code::E0207, span, format!("`{name}` is not a function"))
                .label(format!("this is {} {what}", super::scope::article(what)))
                .help("only functions, penalties, builtins and distributions can be called"),
        );
        error_expr(span)
    }

    fn call_name(&mut self, id: &ast::Ident, args: &[ast::Arg], ctx: &mut Ctx, span: Span) -> Expr {
        if let Some(local) = ctx.lookup(&id.name) {
            self.refer(id.span, local.span);
            let what = if local.ty == Type::Generic { "parameter" } else { "local value" };
            return self.not_callable(&id.name, what, id.span);
        }
        if let Some(actor) = ctx.actor {
            if let Some(&(kind, index, target)) = self.actor_members.get(actor).and_then(|t| t.get(&id.name)) {
                self.refer(id.span, target);
                if kind == MemberKind::Fn {
                    let of = typed(ExprKind::SelfMember(actor), Type::Member(actor), id.span);
                    return self.call_member_fn(actor, index, of, args, ctx, span);
                }
                return self.not_callable(&id.name, "member", id.span);
            }
        }
        let decl = self.lookup_global(&id.name, ctx.module.as_deref());
        if let Some(d) = &decl {
            self.refer(id.span, d.span);
        }
        match decl.map(|d| d.sym) {
            Some(Sym::Fn(f)) => {
                if let Some(u) = self.used_fns.get_mut(f) {
                    *u = true;
                }
                self.call_fn(f, args, ctx, span)
            }
            Some(other) => self.not_callable(&id.name, other.describe(), id.span),
            None => {
                if let Some(b) = Builtin::from_name(&id.name) {
                    return self.call_builtin(b, id, args, ctx, span);
                }
                if let Some(d) = DistKind::from_name(&id.name) {
                    return self.call_dist(d, args, ctx, span);
                }
                let mut candidates: Vec<String> =
                    Builtin::NAMES.iter().chain(DistKind::NAMES).map(|s| s.to_string()).collect();
                candidates.extend(self.visible_names());
                let mut d = Diagnostic::new(Code::E0201, id.span, format!("unknown function `{}`", id.name))
                    .label("not found in this scope");
                d = match suggest(&id.name, candidates.iter().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("declare it with `fn {}(x: Real) = ...`", id.name)),
                };
                self.error(d);
                for a in args {
                    self.expr(&a.value, ctx);
                }
                error_expr(span)
            }
        }
    }

    /// Matches arguments to parameter names (positional first, then named).
    fn order_args<'e>(
        &mut self,
        names: &[String],
        args: &'e [ast::Arg],
        what: &str,
        span: Span,
    ) -> Option<Vec<&'e ast::Expr>> {
        let mut slots: Vec<Option<&ast::Expr>> = vec![None; names.len()];
        let mut ok = true;
        for (i, a) in args.iter().enumerate() {
            let pos = match &a.name {
                None => Some(i),
                Some(n) => match names.iter().position(|p| *p == n.name) {
                    Some(p) => Some(p),
                    None => {
                        let mut d =
                            Diagnostic::new(Code::E0206, n.span, format!("{what} has no parameter `{}`", n.name))
                                .label("unknown argument name");
                        d = match suggest(&n.name, names.iter().map(String::as_str)) {
                            Some(s) => d.help(format!("did you mean `{s}`?")),
                            None => d.help(format!("its parameters are: {}", names.join(", "))),
                        };
                        self.error(d);
                        ok = false;
                        None
                    }
                },
            };
            if let Some(p) = pos {
                if p < slots.len() {
                    slots[p] = Some(&a.value);
                }
            }
        }
        if args.len() != names.len() && ok {
            let plural = if names.len() == 1 { "" } else { "s" };
            self.error(
                Diagnostic::new(Code::E0206, span, "wrong number of arguments")
                    .label(format!("{} argument{} given", args.len(), if args.len() == 1 { "" } else { "s" }))
                    .help(format!("{what} takes {} argument{plural}: {}", names.len(), names.join(", "))),
            );
            return None;
        }
        if !ok {
            return None;
        }
        slots.into_iter().collect()
    }

    fn call_fn(&mut self, f: FnId, args: &[ast::Arg], ctx: &mut Ctx, span: Span) -> Expr {
        let Some(func) = self.model.fns.get(f).cloned() else { return error_expr(span) };
        let names: Vec<String> = func.params.iter().map(|(n, _)| n.clone()).collect();
        let what = format!("`{}`", func.name);
        let Some(ordered) = self.order_args(&names, args, &what, span) else {
            for a in args {
                self.expr(&a.value, ctx);
            }
            return error_expr(span);
        };
        let mut typed_args = Vec::new();
        for (arg, (pname, pty)) in ordered.iter().zip(&func.params) {
            let x = if *pty == Type::Generic {
                self.expr(arg, ctx)
            } else {
                self.expect_type(arg, pty, ctx, &format!("argument `{pname}` of {what}"))
            };
            typed_args.push(x);
        }
        let ret = if func.params.iter().any(|(_, t)| *t == Type::Generic) || func.ret == Type::Generic {
            let types: Vec<Type> = typed_args.iter().map(|a| a.ty.clone()).collect();
            self.instantiate(f, types, span)
        } else {
            func.ret.clone()
        };
        typed(ExprKind::Call(f, typed_args), ret, span)
    }

    /// Checks a generic function's body with concrete argument types; returns the result type.
    fn instantiate(&mut self, f: FnId, types: Vec<Type>, span: Span) -> Type {
        if let Some((_, _, ret)) = self.instances.iter().find(|(g, t, _)| *g == f && *t == types) {
            return ret.clone();
        }
        if self.instance_depth > 16 || types.iter().any(Type::is_lenient) {
            return Type::Generic;
        }
        let Some((decl, origin)) = self.fn_asts.get(f).copied() else { return Type::Error };
        self.instance_depth += 1;
        let before = self.diags.len();
        let mut ctx = Ctx::new(None, origin.module);
        for (p, t) in decl.params.iter().zip(&types) {
            ctx.bind(&p.name.name, t.clone(), p.name.span);
        }
        let body = self.expr(&decl.body, &mut ctx);
        let declared = self.model.fns.get(f).map(|x| x.ret.clone()).unwrap_or(Type::Error);
        if declared != Type::Generic {
            self.require_fits(&body, &declared, "the function's result");
        }
        self.instance_depth -= 1;
        self.mark_call_site(before, span);
        let ret = if declared == Type::Generic { body.ty } else { declared };
        self.instances.push((f, types, ret.clone()));
        ret
    }

    /// Adds "in this call" to diagnostics raised while checking a generic body.
    fn mark_call_site(&mut self, from: usize, call: Span) {
        let mut all = std::mem::take(&mut self.diags).into_vec();
        for d in all.iter_mut().skip(from) {
            d.secondary.push(crate::diag::Label { span: call, message: "in this call".into() });
        }
        for d in all {
            self.diags.push(d);
        }
    }

    fn call_member_fn(
        &mut self,
        actor: ActorId,
        index: usize,
        of: Expr,
        args: &[ast::Arg],
        ctx: &mut Ctx,
        span: Span,
    ) -> Expr {
        let Some(func) = self.model.actors.get(actor).and_then(|a| a.fns.get(index)).cloned() else {
            return error_expr(span);
        };
        let names: Vec<String> = func.params.iter().map(|(n, _)| n.clone()).collect();
        let what = format!("`{}`", func.name);
        let Some(ordered) = self.order_args(&names, args, &what, span) else {
            return error_expr(span);
        };
        let mut typed_args = Vec::new();
        for (arg, (pname, pty)) in ordered.iter().zip(&func.params) {
            typed_args.push(if *pty == Type::Generic {
                self.expr(arg, ctx)
            } else {
                self.expect_type(arg, pty, ctx, &format!("argument `{pname}` of {what}"))
            });
        }
        typed(ExprKind::MemberCall { actor, func: index, of: Box::new(of), args: typed_args }, func.ret.clone(), span)
    }

    fn positional(&mut self, id: &ast::Ident, args: &[ast::Arg], ctx: &mut Ctx) -> Vec<Expr> {
        if let Some(named) = args.iter().find_map(|a| a.name.as_ref()) {
            self.error(
                Diagnostic::new(Code::E0206, named.span, format!("`{}` takes positional arguments", id.name))
                    .label("named argument")
                    .help(format!("remove `{} =`", named.name)),
            );
        }
        args.iter().map(|a| self.expr(&a.value, ctx)).collect()
    }

    fn call_builtin(&mut self, b: Builtin, id: &ast::Ident, args: &[ast::Arg], ctx: &mut Ctx, span: Span) -> Expr {
        let xs = self.positional(id, args, ctx);
        let (min, max) = match b {
            Builtin::Pow => (2, 2),
            Builtin::Clamp => (3, 3),
            Builtin::Min | Builtin::Max => (2, usize::MAX),
            _ => (1, 1),
        };
        if xs.len() < min || xs.len() > max {
            let expected = match (min, max) {
                (a, b) if a == b => format!("{a}"),
                (a, _) => format!("at least {a}"),
            };
            self.error(
                Diagnostic::new(Code::E0206, span, "wrong number of arguments")
                    .label(format!("{} given", xs.len()))
                    .help(format!(
                        "`{}` takes {expected} argument{}",
                        id.name,
                        if min == 1 && max == 1 { "" } else { "s" }
                    )),
            );
            return error_expr(span);
        }
        for x in &xs {
            self.require_number(x, &format!("`{}`", id.name));
        }
        let first = xs[0].ty.clone();
        let ty = match b {
            Builtin::Sqrt => match first.dim() {
                Some(d) => Type::quantity(d.pow(Exponent::new(1, 2))),
                None => first,
            },
            Builtin::Exp | Builtin::Ln | Builtin::Log10 | Builtin::NormPdf => {
                self.require_dimensionless(&xs[0], &format!("`{}`", id.name));
                Type::real()
            }
            Builtin::NormCdf => {
                self.require_dimensionless(&xs[0], "`norm_cdf`");
                Type::prob()
            }
            Builtin::Pow => self.power_type(&xs[0], &xs[1], &args[1].value),
            Builtin::Abs | Builtin::Pos => first,
            Builtin::Floor | Builtin::Ceil => match first {
                Type::Num(_, d) if d.is_one() => Type::int(),
                t => t,
            },
            Builtin::Min | Builtin::Max | Builtin::Clamp => self.same_units(&xs, args, &id.name),
        };
        typed(ExprKind::Builtin(b, xs), ty, span)
    }

    /// `min`, `max`, `clamp`: all arguments share a unit (the literals `0` and `inf` adopt it).
    fn same_units(&mut self, xs: &[Expr], args: &[ast::Arg], name: &str) -> Type {
        let anchor = xs.iter().zip(args).find(|(x, a)| !super::expr::is_polymorphic(&a.value) && !x.ty.is_lenient());
        let Some((first, _)) = anchor else { return xs[0].ty.clone() };
        let want = first.ty.dim().cloned().unwrap_or_else(Dimension::one);
        let mut kind = NumKind::Int;
        for (x, a) in xs.iter().zip(args) {
            if let Type::Num(k, d) = &x.ty {
                kind = kind.max(*k);
                if *d != want && !super::expr::is_polymorphic(&a.value) {
                    self.mismatched_units(first, x, &want, d, &format!("all arguments of `{name}`"));
                    return Type::Error;
                }
            }
        }
        Type::Num(kind, want)
    }

    fn call_dist(&mut self, d: DistKind, args: &[ast::Arg], ctx: &mut Ctx, span: Span) -> Expr {
        let names: Vec<String> = d.param_names().iter().map(|s| s.to_string()).collect();
        let what = format!("`{d:?}`");
        let Some(ordered) = self.order_args(&names, args, &what, span) else {
            return error_expr(span);
        };
        let xs: Vec<Expr> = ordered.iter().map(|a| self.expr(a, ctx)).collect();
        for x in &xs {
            self.require_number(x, &what);
        }
        let prob = |c: &mut Self, x: &Expr| c.require_fits(x, &Type::prob(), &format!("a probability of {what}"));
        let out = match d {
            DistKind::Bernoulli => {
                prob(self, &xs[0]);
                Type::Bool
            }
            DistKind::Normal | DistKind::Uniform => {
                let (a, b) = (&xs[0], &xs[1]);
                match (a.ty.dim(), b.ty.dim()) {
                    (Some(da), Some(db)) if da != db && !super::expr::is_polymorphic(&ordered[0].clone()) => {
                        let diag = Diagnostic::new(Code::E0301, b.span, "mismatched units")
                            .label(format!("this is `{}`", super::types::show_dim(db)))
                            .with(a.span, format!("this is `{}`", super::types::show_dim(da)))
                            .help(format!("both parameters of {what} must have the same unit"));
                        self.error(diag);
                        Type::Error
                    }
                    (Some(_), Some(db)) if super::expr::is_polymorphic(ordered[0]) => Type::quantity(db.clone()),
                    (Some(da), _) => Type::quantity(da.clone()),
                    _ => Type::Error,
                }
            }
            DistKind::LogNormal => {
                self.require_dimensionless(&xs[0], &what);
                self.require_dimensionless(&xs[1], &what);
                Type::real()
            }
            DistKind::Exponential => xs[0].ty.dim().map_or(Type::Error, |d| Type::quantity(d.recip())),
            DistKind::Poisson => {
                self.require_dimensionless(&xs[0], &what);
                Type::int()
            }
            DistKind::Binomial => {
                self.require_fits(&xs[0], &Type::int(), "the number of trials of `Binomial`");
                prob(self, &xs[1]);
                Type::int()
            }
            DistKind::Beta => {
                self.require_dimensionless(&xs[0], &what);
                self.require_dimensionless(&xs[1], &what);
                Type::prob()
            }
        };
        typed(ExprKind::Dist(d, xs), Type::Dist(Box::new(out)), span)
    }
}
