//! `sweep` blocks (declared in a file or built from `gov sweep --vary/--metric`): each
//! `vary` names a file-level parameter and gives constant values of its type; each
//! `metric` is an expression at the equilibrium, or the name of a check, expect, compare
//! or threshold whose outcome is recorded. Mistakes are `E0413`.

use super::scope::Sym;
use super::{Checker, Ctx};
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::ast::{self, SweepClause, VaryValues};

impl<'a> Checker<'a> {
    pub(super) fn check_sweep(&mut self, s: &ast::SweepDecl, span: Span) {
        let mut sweep = Sweep { name: s.name.name.clone(), axes: Vec::new(), metrics: Vec::new(), span };
        for clause in &s.clauses {
            match clause {
                SweepClause::Vary(v) => {
                    if let Some(axis) = self.sweep_axis(v, &sweep) {
                        sweep.axes.push(axis);
                    }
                }
                SweepClause::Metric(name, e) => {
                    if let Some(m) = self.sweep_metric(name, e, &sweep) {
                        sweep.metrics.push(m);
                    }
                }
            }
        }
        self.check_column_names(s, &sweep);
        self.model.sweeps.push(sweep);
    }

    /// Every column of the sweep's table needs its own name.
    fn check_column_names(&mut self, s: &ast::SweepDecl, sweep: &Sweep) {
        let axes: Vec<String> = sweep.axes.iter().map(|a| self.model.params[a.param].name.clone()).collect();
        for clause in &s.clauses {
            let (name, what) = match clause {
                SweepClause::Vary(v) => (&v.param, "parameter"),
                SweepClause::Metric(n, _) => (n, "metric"),
            };
            let taken = crate::sweep::table::RESERVED.contains(&name.name.as_str())
                || (what == "metric" && axes.contains(&name.name));
            if taken {
                self.sweep_error(
                    name.span,
                    format!("the sweep's table already has a column `{}`", name.name),
                    &format!("this {what} would be a second column `{}`", name.name),
                    format!(
                        "the table's own columns are {} and the varied parameters; {}",
                        crate::sweep::table::RESERVED.join(", "),
                        if what == "metric" {
                            "name the metric otherwise: `--metric NAME=EXPR`"
                        } else {
                            "rename the parameter"
                        }
                    ),
                );
            }
        }
    }

    fn sweep_error(&mut self, span: Span, message: String, label: &str, help: String) {
        self.error(Diagnostic::new(Code::E0413, span, message).label(label.to_string()).help(help));
    }

    fn sweep_axis(&mut self, v: &ast::Vary, sweep: &Sweep) -> Option<Axis> {
        let mut ctx = Ctx::new(None, None);
        let param = match self.lookup_global(&v.param.name, None).map(|d| d.sym) {
            Some(Sym::Param(p)) => p,
            Some(other) => {
                let what = other.describe();
                self.sweep_error(
                    v.param.span,
                    format!("`{}` is {} {what}, not a parameter", v.param.name, super::scope::article(what)),
                    "not a file-level `param`",
                    "a sweep varies parameters declared with `param` at the top of the file".into(),
                );
                return None;
            }
            None => {
                self.unknown_name(&v.param, &ctx);
                return None;
            }
        };
        if let Some(first) = sweep.axes.iter().find(|a| a.param == param) {
            let d = Diagnostic::new(Code::E0413, v.param.span, format!("`{}` is varied twice", v.param.name))
                .label("varied again here")
                .with(first.span, "first varied here")
                .help("give all its values in one `vary`");
            self.error(d);
            return None;
        }
        let ty = self.model.params[param].ty.clone();
        let what = format!("a value of `{}`", v.param.name);
        let mut typed = |c: &mut Checker<'a>, e: &ast::Expr| {
            let x = c.expect_type(e, &ty, &mut ctx, &what);
            c.check_prob_literal(&x, &ty);
            x
        };
        let values = match &v.values {
            VaryValues::Grid { lo, hi, steps, log } => {
                let lo = typed(self, lo);
                let hi = typed(self, hi);
                let steps = self.expect_type(steps, &Type::int(), &mut Ctx::new(None, None), "the number of steps");
                AxisValues::Grid { lo: Box::new(lo), hi: Box::new(hi), steps: Box::new(steps), log: *log }
            }
            VaryValues::List(items) => AxisValues::List(items.iter().map(|e| typed(self, e)).collect()),
        };
        self.check_axis_constants(&values, &ty, &v.param.name);
        Some(Axis { param, values, span: v.span })
    }

    /// The values must be constants; a grid needs 2 or more steps, positive ends when
    /// geometric, and whole-number steps for an `Int`; a `Prob` stays in [0, 1].
    fn check_axis_constants(&mut self, values: &AxisValues, ty: &Type, name: &str) {
        let exprs: Vec<&Expr> = match values {
            AxisValues::Grid { lo, hi, steps, .. } => vec![lo, hi, steps],
            AxisValues::List(items) => items.iter().collect(),
        };
        let mut numbers = Vec::new();
        for x in &exprs {
            if super::rules::has_error(x) {
                return;
            }
            match self.const_value(x) {
                Ok(Value::Num(v)) => numbers.push(v),
                _ => {
                    self.sweep_error(
                        x.span,
                        "the values of a sweep must be constants".into(),
                        "this depends on the equilibrium",
                        "write numbers with units, or expressions of parameters".into(),
                    );
                    return;
                }
            }
        }
        let is_prob = matches!(ty, Type::Num(NumKind::Prob, _));
        let is_int = matches!(ty, Type::Num(NumKind::Int, _));
        let ends: Vec<(&Expr, f64)> = match values {
            AxisValues::Grid { lo, hi, .. } => vec![(lo, numbers[0]), (hi, numbers[1])],
            AxisValues::List(items) => items.iter().zip(numbers.iter().copied()).collect(),
        };
        for (x, v) in &ends {
            if is_prob && !(0.0..=1.0).contains(v) && !matches!(x.kind, ExprKind::Const(_)) {
                self.error(
                    Diagnostic::new(Code::E0304, x.span, "probability out of range")
                        .label(format!("this is `{}`, not in [0, 1]", crate::report::number(*v)))
                        .help(format!("`{name}` is a `Prob`: keep its values between 0 and 1")),
                );
            }
        }
        let AxisValues::Grid { lo, hi, steps, log } = values else { return };
        let (a, b, n) = (numbers[0], numbers[1], numbers[2]);
        if n < 2.0 {
            self.sweep_error(
                steps.span,
                "a grid needs at least 2 steps".into(),
                &format!("this is `{}`", crate::report::number(n)),
                "give the number of values from the first to the last, e.g. `0..1:11`; for one value write it alone"
                    .into(),
            );
            return;
        }
        if *log && (a <= 0.0 || b <= 0.0) {
            let at = if a <= 0.0 { lo } else { hi };
            self.sweep_error(
                at.span,
                "a log-spaced grid needs positive ends".into(),
                "this is not above zero",
                "start the grid above zero, or drop `:log` for even spacing".into(),
            );
            return;
        }
        if is_int {
            let width = (b - a) / (n - 1.0);
            if *log || width.fract() != 0.0 {
                let whole = (b - a).abs() + 1.0;
                self.sweep_error(
                    steps.span,
                    format!("the grid does not land on whole numbers, and `{name}` is an `Int`"),
                    if *log { "log spacing gives fractions" } else { "these steps are fractional" },
                    format!(
                        "use `{}..{}:{}` for every whole number, or list the values: `{name} = 1, 2, 4`",
                        crate::report::number(a),
                        crate::report::number(b),
                        crate::report::number(whole)
                    ),
                );
            }
        }
    }

    fn sweep_metric(&mut self, name: &ast::Ident, e: &ast::Expr, sweep: &Sweep) -> Option<SweepMetric> {
        if sweep.metrics.iter().any(|m| m.name == name.name) {
            self.sweep_error(
                name.span,
                format!("metric `{}` is recorded twice", name.name),
                "a second metric with this name",
                "give each metric its own name: `--metric NAME=EXPR`".into(),
            );
            return None;
        }
        if let ast::ExprKind::Name(n) = &e.kind {
            let kind = match self.lookup_global(&n.name, None).map(|d| d.sym) {
                Some(Sym::Question("check")) => Some(SweepMetricKind::Check(n.name.clone())),
                Some(Sym::Question("expect")) => Some(SweepMetricKind::Expect(n.name.clone())),
                Some(Sym::Question("compare")) => Some(SweepMetricKind::Compare(n.name.clone())),
                Some(Sym::Rule("threshold")) => Some(SweepMetricKind::Threshold(n.name.clone())),
                _ => None,
            };
            if let Some(kind) = kind {
                return Some(SweepMetric { name: name.name.clone(), kind, span: e.span });
            }
        }
        let x = self.expr(e, &mut Ctx::new(None, None));
        let recordable = matches!(x.ty, Type::Num(..) | Type::Bool | Type::Enum(_) | Type::Member(_));
        if !recordable && !x.ty.is_lenient() {
            let found = self.show_type(&x.ty);
            self.sweep_error(
                x.span,
                "a metric must be a number or a category".into(),
                &format!("this is `{found}`"),
                "record a number, a truth value, an enumeration variant, or name a check, compare or threshold".into(),
            );
            return None;
        }
        Some(SweepMetric { name: name.name.clone(), kind: SweepMetricKind::Value(x), span: e.span })
    }
}
