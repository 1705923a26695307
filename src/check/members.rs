//! Declarations with bodies: parameters (defaults, `where`), lets (typed on demand so
//! order does not matter), functions, random quantities, and actors with their members.

use super::scope::error_expr;
use super::{Checker, Ctx, LetState, MemberKind};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::syntax::ast::{self, ItemKind};

impl<'a> Checker<'a> {
    /// Resolves declared types: params, function signatures, actor members, market prices.
    pub(super) fn declare_signatures(&mut self) {
        for id in 0..self.param_asts.len() {
            let (p, origin) = self.param_asts[id];
            let ty = self.resolve_type(&p.ty, origin.module);
            self.model.params[id].ty = ty;
        }
        for id in 0..self.fn_asts.len() {
            let (f, origin) = self.fn_asts[id];
            let func = self.signature(f, origin.module, id);
            self.model.fns[id].params = func.0;
            self.model.fns[id].ret = func.1;
        }
        for actor in 0..self.actor_asts.len() {
            self.declare_members(actor);
        }
        for (item, origin) in self.rule_items.clone() {
            if let ItemKind::Market(m) = &item.kind {
                let Some(id) = self.model.markets.iter().position(|x| x.span == m.name.span) else { continue };
                match m.price.as_slice() {
                    [ty] => {
                        if let Type::Num(_, d) = self.resolve_type(ty, origin.module) {
                            self.model.markets[id].price_dim = d;
                        }
                    }
                    [] => self.error(
                        Diagnostic::new(
                            Code::E0411,
                            m.name.span,
                            format!("market `{}` has no price unit", m.name.name),
                        )
                        .label("missing `price: UNIT`")
                        .help("add a clause such as `price: usd/pflop`"),
                    ),
                    [_, extra, ..] => self.error(
                        Diagnostic::new(Code::E0202, extra.span, "price declared twice")
                            .label("second `price` clause")
                            .help("keep one `price:` clause"),
                    ),
                }
            }
        }
    }

    fn signature(&mut self, f: &ast::FnDecl, module: Option<&str>, id: FnId) -> (Vec<(String, Type)>, Type) {
        let is_penalty = self.model.fns.get(id).is_some_and(|f| f.is_penalty);
        if is_penalty && f.params.len() != 1 {
            let span = f.params.get(1).map(|p| p.name.span).unwrap_or(f.name.span);
            self.error(
                Diagnostic::new(Code::E0409, span, "penalty must take one violation size")
                    .label(format!("`{}` takes {} arguments", f.name.name, f.params.len()))
                    .help("a penalty is a function of the size of a violation, e.g. `penalty phi(D: pflop): usd = a*D`; make the rest parameters"),
            );
        }
        let params = f
            .params
            .iter()
            .map(|p| {
                let ty = p.ty.as_ref().map_or(Type::Generic, |t| self.resolve_type(t, module));
                (p.name.name.clone(), ty)
            })
            .collect();
        let ret = f.ret.as_ref().map_or(Type::Generic, |t| self.resolve_type(t, module));
        (params, ret)
    }

    fn declare_members(&mut self, actor: ActorId) {
        let a = self.actor_asts[actor];
        for m in &a.members {
            match &m.kind {
                ItemKind::Param(p) => {
                    let ty = self.resolve_type(&p.ty, None);
                    self.model.actors[actor].params.push(Param {
                        name: p.name.name.clone(),
                        ty,
                        default: None,
                        constraint: None,
                        doc: p.doc.clone().or(m.doc.clone()),
                        span: p.name.span,
                    });
                }
                ItemKind::Let(l) => self.model.actors[actor].lets.push(Let {
                    name: l.name.name.clone(),
                    value: error_expr(l.name.span),
                    span: l.name.span,
                }),
                ItemKind::Fn(f) => {
                    let (mut params, ret) = self.signature(f, None, usize::MAX);
                    let func = Func {
                        name: format!("{}.{}", a.name.name, f.name.name),
                        params: std::mem::take(&mut params),
                        ret,
                        body: error_expr(f.name.span),
                        frame_size: 0,
                        is_penalty: false,
                        span: f.name.span,
                    };
                    self.model.actors[actor].fns.push(func);
                }
                ItemKind::Random(r) => self.model.actors[actor].randoms.push(Random {
                    name: r.name.name.clone(),
                    dist: error_expr(r.name.span),
                    ty: Type::Error,
                    span: r.name.span,
                }),
                ItemKind::Choose(c) => {
                    let ty = self.resolve_type(&c.ty, None);
                    self.model.actors[actor].choices.push(Choice {
                        name: c.name.name.clone(),
                        ty,
                        domain: Domain { kind: DomainKind::Set(vec![]), span: c.name.span },
                        abstain: c.abstain.is_some(),
                        span: c.name.span,
                    });
                }
                _ => {}
            }
        }
        // Random types are needed before bodies refer to them.
        let randoms: Vec<&ast::RandomDecl> =
            a.members.iter().filter_map(|m| if let ItemKind::Random(r) = &m.kind { Some(r) } else { None }).collect();
        for (i, r) in randoms.into_iter().enumerate() {
            let mut ctx = self.actor_ctx(actor);
            let (dist, ty) = self.random_body(r, &mut ctx);
            self.model.actors[actor].randoms[i].dist = dist;
            self.model.actors[actor].randoms[i].ty = ty;
        }
    }

    pub(super) fn actor_ctx(&self, actor: ActorId) -> Ctx {
        Ctx::new(Some(actor), None)
    }

    pub(super) fn check_param_body(&mut self, id: ParamId) {
        let (p, origin) = self.param_asts[id];
        let ty = self.model.params[id].ty.clone();
        let mut ctx = Ctx::new(None, origin.module);
        let (default, constraint) = self.param_parts(p, &ty, &mut ctx);
        self.model.params[id].default = default;
        self.model.params[id].constraint = constraint;
    }

    /// Types a param's default (against its declared type) and `where` constraint.
    fn param_parts(&mut self, p: &ast::ParamDecl, ty: &Type, ctx: &mut Ctx) -> (Option<Expr>, Option<Expr>) {
        let default = p.default.as_ref().map(|d| {
            let what = format!("the value of `{}`", p.name.name);
            let x = self.expect_type(d, ty, ctx, &what);
            self.check_prob_literal(&x, ty);
            x
        });
        let constraint = p.constraint.as_ref().map(|c| {
            let x = self.expr(c, ctx);
            self.require_bool(&x, "a `where` constraint");
            x
        });
        (default, constraint)
    }

    /// `E0304` for a literal probability outside [0, 1] (lists and branches included).
    pub(super) fn check_prob_literal(&mut self, x: &Expr, ty: &Type) {
        let is_prob = |t: &Type| matches!(t, Type::Num(NumKind::Prob, _));
        let elem_prob = match ty {
            Type::List(t) => is_prob(t),
            t => is_prob(t),
        };
        if !elem_prob {
            return;
        }
        match &x.kind {
            ExprKind::Const(Value::Num(v)) if !(0.0..=1.0).contains(v) => self.error(
                Diagnostic::new(Code::E0304, x.span, "probability out of range")
                    .label(format!("`{v}` is not in [0, 1]"))
                    .help("a `Prob` is between 0 and 1; use `Real` for other numbers"),
            ),
            ExprKind::List(items) => {
                for i in items {
                    self.check_prob_literal(i, &Type::prob());
                }
            }
            ExprKind::Index(base, _) => self.check_prob_literal(base, &Type::List(Box::new(Type::prob()))),
            ExprKind::If(_, a, b) => {
                self.check_prob_literal(a, ty);
                self.check_prob_literal(b, ty);
            }
            _ => {}
        }
    }

    /// Types a global let if it has not been yet; returns its type.
    pub(super) fn ensure_let(&mut self, id: LetId) -> Type {
        match self.let_state.get(id) {
            Some(LetState::Done) => return self.model.lets[id].value.ty.clone(),
            Some(LetState::InProgress) | None => return Type::Error,
            Some(LetState::Pending) => {}
        }
        self.let_state[id] = LetState::InProgress;
        let (l, origin) = self.let_asts[id];
        let mut ctx = Ctx::new(None, origin.module);
        let value = self.let_value(l, &mut ctx);
        self.model.lets[id].value = value;
        self.let_state[id] = LetState::Done;
        self.model.lets[id].value.ty.clone()
    }

    fn let_value(&mut self, l: &ast::LetDecl, ctx: &mut Ctx) -> Expr {
        match &l.ty {
            Some(t) => {
                let ty = self.resolve_type(t, ctx.module.clone().as_deref());
                let mut x = self.expect_type(&l.value, &ty, ctx, &format!("the value of `{}`", l.name.name));
                self.check_prob_literal(&x, &ty);
                if !x.ty.is_lenient() {
                    x.ty = ty;
                }
                x
            }
            None => self.expr(&l.value, ctx),
        }
    }

    /// Types a member let on demand.
    pub(super) fn ensure_member_let(&mut self, actor: ActorId, index: usize) -> Type {
        let state = self.actor_let_state.get(actor).and_then(|s| s.get(index)).cloned();
        match state {
            Some(LetState::Done) => return self.model.actors[actor].lets[index].value.ty.clone(),
            Some(LetState::InProgress) | None => return Type::Error,
            Some(LetState::Pending) => {}
        }
        self.actor_let_state[actor][index] = LetState::InProgress;
        let decl = self.actor_asts[actor]
            .members
            .iter()
            .filter_map(|m| if let ItemKind::Let(l) = &m.kind { Some(l) } else { None })
            .nth(index);
        if let Some(l) = decl {
            let mut ctx = self.actor_ctx(actor);
            let value = self.let_value(l, &mut ctx);
            self.model.actors[actor].lets[index].value = value;
        }
        self.actor_let_state[actor][index] = LetState::Done;
        self.model.actors[actor].lets[index].value.ty.clone()
    }

    pub(super) fn check_fn_body(&mut self, id: FnId) {
        let (f, origin) = self.fn_asts[id];
        let func = self.model.fns[id].clone();
        let mut ctx = Ctx::new(None, origin.module);
        let (body, frame) = self.fn_body(f, &func, &mut ctx);
        if func.ret == Type::Generic && !func.params.iter().any(|(_, t)| *t == Type::Generic) {
            self.model.fns[id].ret = body.ty.clone();
        }
        self.model.fns[id].body = body;
        self.model.fns[id].frame_size = frame;
    }

    fn fn_body(&mut self, f: &ast::FnDecl, func: &Func, ctx: &mut Ctx) -> (Expr, usize) {
        let scope = f.name.span.to(f.body.span);
        for (p, (_, ty)) in f.params.iter().zip(&func.params) {
            self.warn_shadow(&p.name, ctx);
            self.bind_named(ctx, &p.name, ty.clone(), scope);
        }
        let body = self.expr(&f.body, ctx);
        if func.ret != Type::Generic {
            self.require_fits(&body, &func.ret, &format!("the result of `{}`", f.name.name));
        }
        (body, ctx.max_slot)
    }

    pub(super) fn check_random(&mut self, id: RandomId) {
        let (r, origin) = self.random_asts[id];
        let mut ctx = Ctx::new(None, origin.module);
        let (dist, ty) = self.random_body(r, &mut ctx);
        self.model.randoms[id].dist = dist;
        self.model.randoms[id].ty = ty;
    }

    fn random_body(&mut self, r: &ast::RandomDecl, ctx: &mut Ctx) -> (Expr, Type) {
        let dist = self.expr(&r.dist, ctx);
        let ty = match &dist.ty {
            Type::Dist(t) => (**t).clone(),
            t if t.is_lenient() => Type::Error,
            t => {
                let found = self.show_type(t);
                self.error(
                    Diagnostic::new(Code::E0303, dist.span, "type mismatch")
                        .label(format!("this is `{found}`, not a distribution"))
                        .help("draw from a distribution, e.g. `Normal(0 pflop, sigma)` or `Bernoulli(p)`"),
                );
                Type::Error
            }
        };
        if let Some(t) = &r.ty {
            let want = self.resolve_type(t, ctx.module.clone().as_deref());
            let probe = Expr { kind: ExprKind::Const(Value::Num(0.0)), ty: ty.clone(), span: dist.span };
            self.require_fits(&probe, &want, &format!("a draw of `{}`", r.name.name));
        }
        (dist, ty)
    }

    pub(super) fn check_actor(&mut self, actor: ActorId) {
        let a = self.actor_asts[actor];
        if let Some(f) = &a.family {
            let mut ctx = Ctx::new(None, None);
            let lo = self.expect_type(&f.lo, &Type::int(), &mut ctx, "a family's first index");
            let hi = self.expect_type(&f.hi, &Type::int(), &mut ctx, "a family's last index");
            self.model.actors[actor].family = Some((lo, hi));
            self.warn_shadow(&f.var, &ctx);
        }
        let (mut params, mut fns, mut choices) = (0, 0, 0);
        let mut payoffs: Vec<&ast::Item> = Vec::new();
        for m in &a.members {
            let mut ctx = self.actor_ctx(actor);
            match &m.kind {
                ItemKind::Param(p) => {
                    self.warn_member_shadow(&p.name);
                    let ty = self.model.actors[actor].params[params].ty.clone();
                    let (d, c) = self.param_parts(p, &ty, &mut ctx);
                    self.model.actors[actor].params[params].default = d;
                    self.model.actors[actor].params[params].constraint = c;
                    params += 1;
                }
                ItemKind::Let(l) => {
                    self.warn_member_shadow(&l.name);
                    if let Some(&(MemberKind::Let, i, _)) = self.actor_members[actor].get(&l.name.name) {
                        self.ensure_member_let(actor, i);
                    }
                }
                ItemKind::Fn(f) => {
                    let func = self.model.actors[actor].fns[fns].clone();
                    let (body, size) = self.fn_body(f, &func, &mut ctx);
                    if func.ret == Type::Generic {
                        self.model.actors[actor].fns[fns].ret = body.ty.clone();
                    }
                    self.model.actors[actor].fns[fns].body = body;
                    self.model.actors[actor].fns[fns].frame_size = size;
                    fns += 1;
                }
                ItemKind::Choose(c) => {
                    let ty = self.model.actors[actor].choices[choices].ty.clone();
                    let domain = self.choice_domain(c, &ty, &mut ctx);
                    self.model.actors[actor].choices[choices].domain = domain;
                    choices += 1;
                }
                ItemKind::Payoff(p) => {
                    payoffs.push(m);
                    let x = self.expr(p, &mut ctx);
                    self.require_number(&x, "a payoff");
                    if self.model.actors[actor].payoff.is_none() {
                        self.model.actors[actor].payoff = Some(x);
                    }
                }
                _ => {}
            }
        }
        if payoffs.len() > 1 {
            self.error(
                Diagnostic::new(Code::E0402, payoffs[1].span, format!("`{}` has more than one payoff", a.name.name))
                    .label("second payoff")
                    .with(payoffs[0].span, "first payoff")
                    .help("combine them into one expression with `+`"),
            );
        }
        if payoffs.is_empty() && choices > 0 {
            let first =
                a.members.iter().find(|m| matches!(m.kind, ItemKind::Choose(_))).map(|m| m.span).unwrap_or(a.name.span);
            self.error(
                Diagnostic::new(Code::E0401, a.name.span, format!("`{}` chooses without a payoff", a.name.name))
                    .label("this actor has no `payoff`")
                    .with(first, "it chooses here")
                    .help("add `payoff EXPR`: what the actor maximises"),
            );
        }
    }

    /// E0313 for a choice domain that is constant and empty (`[10, 0]`, `5..1`, `(1, 1)`).
    fn check_nonempty(&mut self, d: &Domain, name: &str) {
        let (lo, hi, open) = match &d.kind {
            DomainKind::Interval { lo, hi, lo_open, hi_open } => (lo, hi, *lo_open || *hi_open),
            DomainKind::Range(lo, hi) => (lo, hi, false),
            _ => return,
        };
        let (Ok(Value::Num(l)), Ok(Value::Num(h))) = (self.const_value(lo), self.const_value(hi)) else { return };
        if l > h || (l == h && open) {
            self.error(
                Diagnostic::new(Code::E0313, d.span, format!("the domain of `{name}` is empty"))
                    .label(format!("no value lies between `{l}` and `{h}`"))
                    .help("write the lower bound first, e.g. `[0, 10]`"),
            );
        }
    }

    fn warn_member_shadow(&mut self, id: &ast::Ident) {
        let ctx = Ctx::default();
        self.warn_shadow(id, &ctx);
    }

    fn choice_domain(&mut self, c: &ast::ChooseDecl, ty: &Type, ctx: &mut Ctx) -> Domain {
        match (&c.domain, ty) {
            (Some(d), _) => {
                let domain = self.domain(d, ctx, Some(ty)).0;
                self.check_nonempty(&domain, &c.name.name);
                domain
            }
            (None, Type::Enum(id)) => Domain { kind: DomainKind::Enum(*id), span: c.ty.span },
            (None, Type::Bool) => Domain {
                kind: DomainKind::Set(vec![
                    Expr { kind: ExprKind::Const(Value::Bool(false)), ty: Type::Bool, span: c.ty.span },
                    Expr { kind: ExprKind::Const(Value::Bool(true)), ty: Type::Bool, span: c.ty.span },
                ]),
                span: c.ty.span,
            },
            (None, _) => {
                self.error(
                    Diagnostic::new(Code::E0313, c.name.span, format!("choice `{}` has no domain", c.name.name))
                        .label("where does this choice range?")
                        .help(format!("add a domain, e.g. `choose {}: ... in [0, inf)` or `in 0..10`", c.name.name)),
                );
                Domain { kind: DomainKind::Set(vec![]), span: c.name.span }
            }
        }
    }
}
