//! The fast evaluator agrees with the tree evaluator — values bit for bit, errors with
//! their kind and span — on random regimes: random lets, functions, member functions,
//! payoffs and aggregates, evaluated at random choices and prices, with one memo reused
//! across states (so a stale memoised let would show).

use super::{Fast, Memo};
use crate::model::{ActorId, Expr, Model, Value};
use crate::solve::state::{RunEnv, State};
use proptest::prelude::*;

/// An expression template; atoms are picked from what is in scope when it is rendered.
#[derive(Debug, Clone)]
pub(crate) enum T {
    Atom(u8),
    Num(u8),
    Bin(u8, Box<T>, Box<T>),
    Neg(Box<T>),
    Fn1(u8, Box<T>),
    Fn2(u8, Box<T>, Box<T>),
    If(Box<C>, Box<T>, Box<T>),
    Agg(u8, Option<Box<C>>, Box<T>),
    Pick(Box<T>),
}

/// A condition template.
#[derive(Debug, Clone)]
pub(crate) enum C {
    Cmp(u8, T, T),
    And(Box<C>, Box<C>),
    Or(Box<C>, Box<C>),
    Not(Box<C>),
    Exists(Box<C>),
}

pub(crate) fn tree() -> BoxedStrategy<T> {
    let leaf = prop_oneof![any::<u8>().prop_map(T::Atom), any::<u8>().prop_map(T::Num)];
    leaf.prop_recursive(4, 24, 3, |t| {
        let c = cond(t.clone());
        prop_oneof![
            (any::<u8>(), t.clone(), t.clone()).prop_map(|(o, a, b)| T::Bin(o, Box::new(a), Box::new(b))),
            t.clone().prop_map(|a| T::Neg(Box::new(a))),
            (any::<u8>(), t.clone()).prop_map(|(f, a)| T::Fn1(f, Box::new(a))),
            (any::<u8>(), t.clone(), t.clone()).prop_map(|(f, a, b)| T::Fn2(f, Box::new(a), Box::new(b))),
            (c.clone(), t.clone(), t.clone()).prop_map(|(c, a, b)| T::If(Box::new(c), Box::new(a), Box::new(b))),
            (any::<u8>(), proptest::option::of(c), t.clone()).prop_map(|(o, f, b)| T::Agg(
                o,
                f.map(Box::new),
                Box::new(b)
            )),
            t.prop_map(|a| T::Pick(Box::new(a))),
        ]
    })
    .boxed()
}

pub(crate) fn cond(t: impl Strategy<Value = T> + Clone + 'static) -> BoxedStrategy<C> {
    let cmp = (any::<u8>(), t.clone(), t).prop_map(|(o, a, b)| C::Cmp(o, a, b));
    cmp.prop_recursive(2, 6, 2, |c| {
        prop_oneof![
            (c.clone(), c.clone()).prop_map(|(a, b)| C::And(Box::new(a), Box::new(b))),
            (c.clone(), c.clone()).prop_map(|(a, b)| C::Or(Box::new(a), Box::new(b))),
            c.clone().prop_map(|a| C::Not(Box::new(a))),
            c.prop_map(|a| C::Exists(Box::new(a))),
        ]
    })
    .boxed()
}

/// What a template may refer to where it is rendered.
#[derive(Clone)]
pub(crate) struct Ctx {
    /// Names in scope.
    pub atoms: Vec<String>,
    /// Member expressions of the family, with `#` for the bound member (`#.c`).
    pub members: Vec<String>,
    /// Nesting of aggregates and quantifiers (for fresh binder names).
    pub depth: usize,
    /// Inside `g` itself (which must not call itself).
    pub in_g: bool,
}

const NUMS: [&str; 8] = ["0", "1", "2.5", "0.5", "3", "0.1", "10", "1e3"];
const BIN: [&str; 6] = ["+", "-", "*", "/", "^", "*"];
const FN1: [&str; 7] = ["sqrt", "abs", "ln", "exp", "pos", "floor", "norm_cdf"];
const FN2: [&str; 3] = ["min", "max", "g"];
const AGG: [&str; 5] = ["sum", "mean", "min", "max", "product"];
const CMP: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];

pub(crate) fn render(t: &T, cx: &Ctx) -> String {
    match t {
        T::Atom(k) => cx.atoms[*k as usize % cx.atoms.len()].clone(),
        T::Num(k) => NUMS[*k as usize % NUMS.len()].to_string(),
        T::Bin(o, a, b) => {
            let op = BIN[*o as usize % BIN.len()];
            // Only small constant exponents: `x ^ y` with a computed `y` overflows at once.
            let rhs = if op == "^" { NUMS[*o as usize % 5].to_string() } else { render(b, cx) };
            format!("({} {op} {rhs})", render(a, cx))
        }
        T::Neg(a) => format!("(-{})", render(a, cx)),
        T::Fn1(f, a) => format!("{}({})", FN1[*f as usize % FN1.len()], render(a, cx)),
        T::Fn2(f, a, b) => {
            let name = match FN2[*f as usize % FN2.len()] {
                "g" if cx.in_g => "max",
                other => other,
            };
            format!("{name}({}, {})", render(a, cx), render(b, cx))
        }
        T::If(c, a, b) => format!("(if {} then {} else {})", render_c(c, cx), render(a, cx), render(b, cx)),
        T::Agg(o, f, b) => {
            let d = format!("d{}", cx.depth);
            let mut inner = cx.clone();
            inner.depth += 1;
            inner.atoms.extend(cx.members.iter().map(|m| m.replace('#', &d)));
            let filter = f.as_ref().map(|c| format!(" where {}", render_c(c, &inner))).unwrap_or_default();
            // A family's own truth value (a member written `(if #.s then 1 else 0)` in the
            // context) counted, or quantified, as it is stored.
            let flag = cx.members.iter().find_map(|m| m.strip_prefix("(if #.")?.strip_suffix(" then 1 else 0)"));
            if let Some(flag) = flag.filter(|_| *o % 6 == 5 && *o % 4 != 0) {
                let agg = ["count", "all", "any"][*o as usize % 4 - 1];
                let counted = format!("{agg}({d} in D{filter}: {d}.{flag})");
                return if agg == "count" { counted } else { format!("(if {counted} then 1 else 0)") };
            }
            if *o % 6 == 5 {
                let body = render_c(&C::Cmp(*o, (**b).clone(), T::Num(*o)), &inner);
                return format!("count({d} in D{filter}: {body})");
            }
            format!("{}({d} in D{filter}: {})", AGG[*o as usize % AGG.len()], render(b, &inner))
        }
        T::Pick(a) => format!("([1.5, -2, 4, 0][D[n].k] + [0.5, 3][floor(G.w * 3) + 1] + {})", render(a, cx)),
    }
}

pub(crate) fn render_c(c: &C, cx: &Ctx) -> String {
    match c {
        C::Cmp(o, a, b) => format!("({} {} {})", render(a, cx), CMP[*o as usize % CMP.len()], render(b, cx)),
        C::And(a, b) => format!("({} and {})", render_c(a, cx), render_c(b, cx)),
        C::Or(a, b) => format!("({} or {})", render_c(a, cx), render_c(b, cx)),
        C::Not(a) => format!("(not {})", render_c(a, cx)),
        C::Exists(a) => {
            let q = format!("q{}", cx.depth);
            let mut inner = cx.clone();
            inner.depth += 1;
            inner.atoms.push(q.clone());
            format!("(exists {q} in 1..3: {})", render_c(a, &inner))
        }
    }
}

/// Templates for the regime's lets, functions and payoffs.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    n: u8,
    g: T,
    b: T,
    lets: Vec<T>,
    v: T,
    payoff: T,
    h: T,
    g_payoff: T,
    globals: Vec<T>,
    demand: T,
    threshold: (C, T),
}

pub(crate) fn parts() -> impl Strategy<Value = Parts> {
    (1u8..=4, tree(), tree(), proptest::collection::vec(tree(), 1..4), tree(), tree(), tree(), tree()).prop_flat_map(
        |(n, g, b, lets, v, payoff, h, g_payoff)| {
            (proptest::collection::vec(tree(), 1..3), tree(), cond(tree()), tree()).prop_map(
                move |(globals, demand, condition, penalty)| Parts {
                    n,
                    g: g.clone(),
                    b: b.clone(),
                    lets: lets.clone(),
                    v: v.clone(),
                    payoff: payoff.clone(),
                    h: h.clone(),
                    g_payoff: g_payoff.clone(),
                    globals,
                    demand,
                    threshold: (condition, penalty),
                },
            )
        },
    )
}

pub(crate) fn regime(p: &Parts) -> String {
    let strs = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let base = Ctx { atoms: strs(&["a", "b", "m.price"]), members: vec![], depth: 0, in_g: false };
    let g_cx = Ctx { atoms: strs(&["x", "y", "a"]), in_g: true, ..base.clone() };
    let mut member = Ctx {
        atoms: strs(&["A", "B", "c", "e", "i", "a", "m.price", "D[1].A", "G.w", "_s", "_p", "(if flag then 1 else 0)"]),
        members: strs(&["#.A", "#.c", "#.B", "(if #.flag then 1 else 0)"]),
        depth: 0,
        in_g: false,
    };
    let mut out = format!(
        "param a: Real = 2.5\nparam b: Real = 0.5\nparam Q: Real = 10\nparam n: Int = {}\n\
         let _s = a / b + 1\nlet _p = m.price * b + G.w\n\
         fn g(x, y) = {}\n\
         actor D[i in 1..n] {{\n    param A: Real = [1.5, 2, 3, 0.5][i]\n    param k: Int = [1, 2, 3, 4][i]\n    param B: Real = {}\n    choose c: Real in [0, inf)\n    choose e: Real in [0, 1]\n    let flag = c > e and D[1].c != c\n",
        p.n,
        render(&p.g, &g_cx),
        render(&p.b, &Ctx { atoms: strs(&["a", "i", "A"]), ..base.clone() }),
    );
    for (j, l) in p.lets.iter().enumerate() {
        out.push_str(&format!("    let l{j} = {}\n", render(l, &member)));
        member.atoms.push(format!("l{j}"));
        member.members.push(format!("#.l{j}"));
    }
    let v_cx = Ctx { atoms: [member.atoms.clone(), strs(&["x"])].concat(), ..member.clone() };
    out.push_str(&format!("    fn v(x: Real): Real = {}\n", render(&p.v, &v_cx)));
    let pay_cx = Ctx { atoms: [member.atoms.clone(), strs(&["v(c)", "v(e - 1)"])].concat(), ..member.clone() };
    out.push_str(&format!("    payoff {}\n}}\n", render(&p.payoff, &pay_cx)));
    let mut top = Ctx {
        atoms: strs(&["a", "b", "m.price", "G.w", "D[1].c", "D[1].l0", "D[n].v(a)", "_s", "_p"]),
        members: member.members.clone(),
        depth: 0,
        in_g: false,
    };
    let h_cx = Ctx { atoms: [top.atoms.clone(), strs(&["w"])].concat(), ..top.clone() };
    out.push_str(&format!(
        "actor G {{\n    choose w: Real in [0, 1]\n    let h = {}\n    payoff {}\n}}\n",
        render(&p.h, &h_cx),
        render(&p.g_payoff, &Ctx { atoms: [h_cx.atoms.clone(), strs(&["h"])].concat(), ..h_cx.clone() }),
    ));
    out.push_str(&format!("market m {{\n    supply Q\n    demand {}\n    price: Real\n}}\n", render(&p.demand, &top)));
    out.push_str(&format!(
        "threshold t: {} else penalty {} on D\n",
        render_c(&p.threshold.0, &top),
        render(&p.threshold.1, &top)
    ));
    for (j, t) in p.globals.iter().enumerate() {
        out.push_str(&format!("let _t{j} = {}\n", render(t, &top)));
        top.atoms.push(format!("_t{j}"));
    }
    out
}

/// Every expression worth comparing, with where it is evaluated.
fn exprs(model: &Model, state: &State) -> Vec<(Expr, Option<(ActorId, i64)>)> {
    let mut out = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        for m in 1..=state.actors[a].size as i64 {
            let at = Some((a, m));
            out.extend(actor.lets.iter().map(|l| (l.value.clone(), at)));
            out.extend(actor.payoff.iter().map(|p| (p.clone(), at)));
            out.extend(actor.params.iter().filter_map(|p| p.default.clone()).map(|d| (d, at)));
        }
    }
    out.extend(model.lets.iter().map(|l| (l.value.clone(), None)));
    out.extend(model.markets.iter().map(|m| (m.demand.clone(), None)));
    for t in &model.thresholds {
        out.push((t.condition.clone(), None));
        out.extend(t.penalty.iter().map(|p| (p.clone(), None)));
    }
    out
}

/// Choices and prices for round `r` of a case: small, zero, negative and large values.
pub(crate) fn perturb(state: &mut State, seed: u64, r: u64) {
    const VALUES: [f64; 9] = [0.0, 1.0, 0.25, 2.0, 3.5, 1e-9, 7.0, 0.5, 1e6];
    let mut x = seed ^ (r.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        VALUES[(x % VALUES.len() as u64) as usize]
    };
    for a in &mut state.actors {
        for member in &mut a.choices {
            for c in member.iter_mut() {
                *c = Value::Num(next());
            }
        }
    }
    for p in &mut state.prices {
        *p = next();
    }
}

/// Checks one case: every expression at three random states, one memo throughout.
fn agree(p: &Parts, seed: u64) -> Result<(), TestCaseError> {
    let text = regime(p);
    let checked = crate::session::check_source("fast.gov", &text);
    prop_assume!(checked.model.is_some());
    let model = checked.model.unwrap_or_default();
    let Ok(mut state) = crate::solve::init::initial_state(&model, None) else { return Ok(()) };
    let mut memo = Memo::new(&model);
    for round in 0..3 {
        perturb(&mut state, seed, round);
        let env = RunEnv::new(&model, &state);
        let mut fast = Fast::new(&model, &env, &mut memo);
        for (e, at) in exprs(&model, &state) {
            let tree = match at {
                Some((a, m)) => env.at(a, m).eval(&e),
                None => env.eval(&e),
            };
            let got = fast.eval(&e, at);
            prop_assert_eq!(format!("{tree:?}"), format!("{got:?}"), "round {} at {:?} in\n{}", round, at, text);
            if let Ok(Value::Num(x)) = tree {
                let n = fast.eval_num(&e, at);
                prop_assert_eq!(format!("{:?}", Ok::<f64, ()>(x)), format!("{:?}", n.map_err(|_| ())));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fast_agrees_with_tree(p in parts(), seed in any::<u64>()) {
        // The checker recurses deeper than a test thread's stack allows (see ARCHITECTURE.md).
        let result = crate::testing::deep(move || agree(&p, seed));
        result?;
    }
}
