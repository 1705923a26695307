//! Printing expressions, types and domains on one line.
//!
//! The AST keeps every pair of parentheses the user wrote (`ExprKind::Paren`,
//! `UnitExpr::Paren`), so printing exactly those parentheses and no others reproduces the
//! token sequence the parser saw, and hence the same tree: no precedence logic is needed
//! here. Only spacing is canonical: binary operators get one space each side except `^`,
//! and operator aliases (`≤`, `·`, …) print as ASCII.

use super::writer::Printer;
use crate::syntax::ast::*;

impl Printer<'_> {
    /// Prints a name, after the comments before it.
    pub(super) fn ident(&mut self, id: &Ident) {
        self.flush_inline(id.span.start as usize);
        self.word(&id.name);
    }

    /// Prints names separated by `, `.
    pub(super) fn ident_list(&mut self, ids: &[Ident]) {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.ident(id);
        }
    }

    /// Prints `a.b.c`.
    pub(super) fn path(&mut self, p: &Path) {
        for (i, seg) in p.segments.iter().enumerate() {
            if i > 0 {
                self.word(".");
            }
            self.ident(seg);
        }
    }

    /// Prints expressions separated by `, `.
    pub(super) fn expr_list(&mut self, xs: &[Expr]) {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.expr(x);
        }
    }

    /// Prints an expression, after the comments before it.
    pub(super) fn expr(&mut self, e: &Expr) {
        // Operator chains nest on the left (`a + b + c` is `(a + b) + c`) and may hold
        // thousands of operands; walking the left spine in a loop keeps the recursion
        // depth down to the nesting of brackets.
        let mut spine = Vec::new();
        let mut head = e;
        while let ExprKind::Binary(op, lhs, rhs) = &head.kind {
            spine.push((*op, lhs.span.end as usize, rhs.as_ref()));
            head = lhs;
        }
        self.expr_inner(head);
        let mut quantity = matches!(head.kind, ExprKind::WithUnit(..));
        for (op, lhs_end, rhs) in spine.into_iter().rev() {
            self.flush_to_token(lhs_end);
            // `4 usd/pflop`: a unit quotient after a quantity reads as one unit.
            quantity = quantity && op == BinOp::Div && is_unit_factor(rhs);
            if quantity {
                self.word("/");
                self.tight(rhs);
            } else {
                self.operator(op);
                self.expr(rhs);
            }
        }
    }

    /// Prints a unit factor (see [`is_unit_factor`]) without spaces: `pflop^(1/3)`.
    fn tight(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary(op, lhs, rhs) => {
                self.tight(lhs);
                self.flush_to_token(lhs.span.end as usize);
                self.word(op.symbol());
                self.tight(rhs);
            }
            ExprKind::Paren(inner) => {
                self.flush_inline(e.span.start as usize);
                self.word("(");
                self.tight(inner);
                self.flush_closer_at_end(e.span.end as usize);
                self.word(")");
            }
            _ => self.expr(e),
        }
    }

    fn expr_inner(&mut self, e: &Expr) {
        self.flush_inline(e.span.start as usize);
        let end = e.span.end as usize;
        match &e.kind {
            ExprKind::Number(_, text) => self.word(text),
            ExprKind::Bool(b) => self.word(if *b { "true" } else { "false" }),
            ExprKind::Inf => self.word("inf"),
            ExprKind::Name(id) => self.ident(id),
            ExprKind::Member(base, id) => {
                self.expr(base);
                self.word(".");
                self.ident(id);
            }
            ExprKind::Call(callee, args) => self.call(callee, args, end),
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.word("[");
                self.expr(index);
                self.flush_closer_at_end(end);
                self.word("]");
            }
            ExprKind::WithUnit(base, unit, exp) => {
                self.expr(base);
                self.word(" ");
                self.ident(unit);
                if let Some(exp) = exp {
                    self.exponent(exp);
                }
            }
            ExprKind::Percent(base) => {
                self.expr(base);
                self.word("%");
            }
            ExprKind::Unary(op, operand) => {
                self.word(if *op == UnOp::Neg { "-" } else { "not " });
                self.expr(operand);
            }
            ExprKind::Binary(op, lhs, rhs) => {
                self.expr(lhs);
                self.flush_to_token(lhs.span.end as usize);
                self.operator(*op);
                self.expr(rhs);
            }
            ExprKind::If(c, a, b) => self.if_expr(c, a, b),
            ExprKind::List(items) => {
                self.word("[");
                self.expr_list(items);
                self.flush_closer_at_end(end);
                self.word("]");
            }
            ExprKind::Paren(inner) => {
                self.word("(");
                self.expr(inner);
                self.flush_closer_at_end(end);
                self.word(")");
            }
            ExprKind::Aggregate { op, binder, filter, body } => {
                self.aggregate(*op, binder, filter.as_deref(), body, end)
            }
            ExprKind::Quantified { quantifier, binders, body } => self.quantified(*quantifier, binders, body),
        }
    }

    fn call(&mut self, callee: &Expr, args: &[Arg], end: usize) {
        self.expr(callee);
        self.word("(");
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            if let Some(name) = &arg.name {
                self.ident(name);
                self.keyword(" = ", arg.value.span.start);
            }
            self.expr(&arg.value);
        }
        self.flush_closer_at_end(end);
        self.word(")");
    }

    /// ` op ` with a space each side, but `^` tight (`D^2`).
    fn operator(&mut self, op: BinOp) {
        if op == BinOp::Pow {
            self.word("^");
        } else {
            self.word(&format!(" {} ", op.symbol()));
        }
    }

    fn if_expr(&mut self, c: &Expr, a: &Expr, b: &Expr) {
        self.word("if ");
        self.expr(c);
        self.keyword(" then ", a.span.start);
        self.expr(a);
        self.keyword(" else ", b.span.start);
        self.expr(b);
    }

    fn aggregate(&mut self, op: AggOp, binder: &Binder, filter: Option<&Expr>, body: &Expr, end: usize) {
        self.word(op.name());
        self.word("(");
        self.binder(binder);
        if let Some(filter) = filter {
            self.keyword(" where ", filter.span.start);
            self.expr(filter);
        }
        self.keyword(": ", body.span.start);
        self.expr(body);
        self.flush_closer_at_end(end);
        self.word(")");
    }

    fn quantified(&mut self, q: Quantifier, binders: &[Binder], body: &Expr) {
        self.word(if q == Quantifier::Forall { "forall " } else { "exists " });
        for (i, b) in binders.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.binder(b);
        }
        self.keyword(": ", body.span.start);
        self.expr(body);
    }

    /// Prints `x in D`.
    pub(super) fn binder(&mut self, b: &Binder) {
        self.ident(&b.var);
        self.keyword(" in ", b.domain.span.start);
        self.domain(&b.domain);
    }

    /// Prints a domain: `[lo, hi)`, `lo..hi`, `{a, b}` or an expression.
    pub(super) fn domain(&mut self, d: &Domain) {
        self.flush_inline(d.span.start as usize);
        let end = d.span.end as usize;
        match &d.kind {
            DomainKind::Interval { lo, hi, lo_open, hi_open } => {
                self.word(if *lo_open { "(" } else { "[" });
                self.expr(lo);
                self.word(", ");
                self.expr(hi);
                self.flush_closer_at_end(end);
                self.word(if *hi_open { ")" } else { "]" });
            }
            DomainKind::Range(lo, hi) => self.range(lo, hi),
            DomainKind::Set(items) => {
                self.word("{");
                self.expr_list(items);
                self.flush_closer_at_end(end);
                self.word("}");
            }
            DomainKind::Expr(e) => self.expr(e),
        }
    }

    /// Prints `lo..hi`.
    pub(super) fn range(&mut self, lo: &Expr, hi: &Expr) {
        self.expr(lo);
        self.word("..");
        self.expr(hi);
    }

    /// Prints `^2`, `^-1`, `^0.5` or `^(1/3)` (a fraction needs its parentheses).
    pub(super) fn exponent(&mut self, exp: &ExponentLit) {
        self.keyword("^", exp.span.start);
        let (start, end) = (exp.span.start as usize, exp.span.end as usize);
        self.flush_inline(start);
        if self.has_comment_within(start, end) {
            // The parser keeps comments inside an exponent in its text (`^(/* c */ 1/3)`
            // reads as `/*c*/1/3`), so only the text as written reproduces the tree.
            self.verbatim(start, end);
        } else if exp.text.contains('/') {
            self.word(&format!("({})", exp.text));
        } else {
            self.word(&exp.text);
        }
    }

    /// Prints a type: an enumeration `{a, b}` or a unit expression.
    pub(super) fn type_expr(&mut self, t: &TypeExpr) {
        self.flush_inline(t.span.start as usize);
        match &t.kind {
            TypeKind::Enum(variants) => {
                self.word("{");
                self.ident_list(variants);
                self.flush_closer_at_end(t.span.end as usize);
                self.word("}");
            }
            TypeKind::Unit(u) => self.unit_expr(u),
        }
    }

    fn unit_expr(&mut self, u: &UnitExpr) {
        match u {
            UnitExpr::Name(id) => self.ident(id),
            UnitExpr::One(span) => {
                self.flush_inline(span.start as usize);
                self.word("1");
            }
            UnitExpr::Mul(a, b) | UnitExpr::Div(a, b) => {
                self.unit_expr(a);
                self.word(if matches!(u, UnitExpr::Mul(..)) { "*" } else { "/" });
                self.unit_expr(b);
            }
            UnitExpr::Pow(base, exp) => {
                self.unit_expr(base);
                self.exponent(exp);
            }
            UnitExpr::Paren(inner, span) => {
                self.word("(");
                self.unit_expr(inner);
                // `span` is the inner unit's: the `)` is the next token after it.
                self.flush_closer_after(span.end as usize);
                self.word(")");
            }
        }
    }
}

/// True for `pflop`, `pflop^2`, `pflop^-1` or `pflop^(1/3)`: what may follow `/` in a
/// unit written after a number.
fn is_unit_factor(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Binary(BinOp::Pow, base, exp) => matches!(base.kind, ExprKind::Name(_)) && is_exponent(exp),
        _ => false,
    }
}

/// True for `2`, `-1`, `(2)`, `(-1)`, `(1/3)`: an exponent literal in expression syntax.
fn is_exponent(e: &Expr) -> bool {
    let signed = |e: &Expr| match &e.kind {
        ExprKind::Unary(UnOp::Neg, inner) => matches!(inner.kind, ExprKind::Number(..)),
        kind => matches!(kind, ExprKind::Number(..)),
    };
    match &e.kind {
        ExprKind::Paren(inner) => match &inner.kind {
            ExprKind::Binary(BinOp::Div, n, d) => signed(n) && matches!(d.kind, ExprKind::Number(..)),
            _ => signed(inner),
        },
        _ => signed(e),
    }
}

/// A doc string with quotes and escapes, as the grammar reads it back.
pub(super) fn quote(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + 2);
    out.push('"');
    for c in doc.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}
