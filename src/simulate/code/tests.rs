//! A round's compiled code agrees with the tree evaluator — values bit for bit, errors
//! with their kind and span — on random regimes with random quantities (global, per
//! member, with fixed and varying parameters), an audit on the family, a licence and a
//! state variable: metrics and updates, payoffs, audit and licence probabilities,
//! licence rules and market sides at random choices, prices, draws and audits, and a
//! round's draws against drawing them with the tree evaluator. One replication's code
//! (memo, compiled code, fixed parameters) serves all the states of a case, so a stale
//! memoised let or a folded draw would show.

use super::{inside, RoundCode};
use crate::eval::fast::tests::{cond, perturb, render, render_c, tree, Ctx, C, T};
use crate::eval::{as_num, EvalError, EvalErrorKind, Evaluator};
use crate::model::{ActorId, DistKind, Expr, ExprKind, Model, Simulate, Type, Value};
use crate::simulate::draw::{bernoulli, draw_round, Fixed};
use crate::simulate::SimError;
use crate::solve::state::{Draws, RunEnv, State};
use proptest::prelude::*;
use rand::rngs::ChaCha12Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::Distribution;

/// Templates for the regime's parts.
#[derive(Debug, Clone)]
struct Parts {
    n: u8,
    g: T,
    lets: Vec<T>,
    v: T,
    payoff: T,
    h: T,
    demand: T,
    eps_mean: T,
    audit: T,
    licence: (C, T),
    threshold: (C, T),
    update: T,
    metrics: Vec<T>,
}

fn parts() -> impl Strategy<Value = Parts> {
    let member = (1u8..=4, tree(), proptest::collection::vec(tree(), 1..4), tree(), tree(), tree(), tree());
    let rules = (tree(), tree(), (cond(tree()), tree()), (cond(tree()), tree()), tree());
    (member, rules, proptest::collection::vec(tree(), 1..4)).prop_map(
        |((n, g, lets, v, payoff, h, demand), (eps_mean, audit, licence, threshold, update), metrics)| Parts {
            n,
            g,
            lets,
            v,
            payoff,
            h,
            demand,
            eps_mean,
            audit,
            licence,
            threshold,
            update,
            metrics,
        },
    )
}

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn regime(p: &Parts) -> String {
    let base = Ctx { atoms: strs(&["a", "b", "m.price"]), members: vec![], depth: 0, in_g: false };
    let g_cx = Ctx { atoms: strs(&["x", "y", "a"]), in_g: true, ..base.clone() };
    let mut member = Ctx {
        atoms: strs(&[
            "A",
            "B",
            "c",
            "e",
            "i",
            "a",
            "m.price",
            "D[1].A",
            "G.w",
            "eps",
            "z",
            "rho",
            "u",
            "(if s then 1 else 0)",
        ]),
        members: strs(&["#.A", "#.c", "#.B", "#.eps", "#.z", "(if #.s then 1 else 0)"]),
        depth: 0,
        in_g: false,
    };
    let params = Ctx { atoms: strs(&["a", "i", "A"]), ..base.clone() };
    let mut out = format!(
        "param a: Real = 2.5\nparam b: Real = 0.5\nparam Q: Real = 10\nparam n: Int = {}\n\
         random u ~ Uniform(0, 2)\n\
         fn g(x, y) = {}\n\
         actor D[i in 1..n] {{\n    param A: Real = [1.5, 2, 3, 0.5][i]\n    param k: Int = [1, 2, 3, 4][i]\n    param B: Real = 0.5 * A\n    choose c: Real in [0, inf)\n    choose e: Real in [0, 1]\n    random s ~ Bernoulli(0.25 * k)\n    random eps: Real ~ Normal({}, 1)\n    random z: Real ~ Uniform(0, 1 + abs(c))\n",
        p.n,
        render(&p.g, &g_cx),
        render(&p.eps_mean, &params),
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
    let top = Ctx {
        atoms: strs(&["a", "b", "m.price", "G.w", "D[1].c", "D[1].l0", "D[n].v(a)", "rho", "u", "D[1].eps"]),
        members: member.members.clone(),
        depth: 0,
        in_g: false,
    };
    let h_cx = Ctx { atoms: [top.atoms.clone(), strs(&["w"])].concat(), ..top.clone() };
    out.push_str(&format!(
        "actor G {{\n    choose w: Real in [0, 1]\n    let h = {}\n    payoff {}\n}}\n",
        render(&p.h, &h_cx),
        render(&p.h, &Ctx { atoms: [h_cx.atoms.clone(), strs(&["h"])].concat(), ..h_cx.clone() }),
    ));
    out.push_str(&format!("market m {{\n    supply Q\n    demand {}\n    price: Real\n}}\n", render(&p.demand, &top)));
    // Nothing that reads the audit itself (lets, `v`) is in its probability.
    let prob = Ctx {
        atoms: strs(&["a", "b", "m.price", "G.w", "D[1].c", "u", "D[1].eps"]),
        members: strs(&["#.A", "#.c", "#.B", "#.eps", "#.z"]),
        ..top.clone()
    };
    out.push_str(&format!("audit rho: Prob = min(1, max(0, {})) on D\n", render(&p.audit, &prob)));
    out.push_str(&format!(
        "threshold t: {} else penalty {} on D\n",
        render_c(&p.threshold.0, &top),
        render(&p.threshold.1, &top)
    ));
    let holder =
        Ctx { atoms: [top.atoms.clone(), strs(&["h.A", "h.c", "h.eps", "h.l0", "h.z"])].concat(), ..top.clone() };
    out.push_str(&format!(
        "license lic for h in D {{\n    require {}\n    audit min(1, max(0, {}))\n}}\n",
        render_c(&p.licence.0, &holder),
        render(&p.licence.1, &holder)
    ));
    let sim = Ctx { atoms: [top.atoms.clone(), strs(&["t0"])].concat(), ..top.clone() };
    out.push_str(&format!("simulate s {{\n    state t0: Real = 0\n    update t0 = {}\n", render(&p.update, &sim)));
    for (j, m) in p.metrics.iter().enumerate() {
        out.push_str(&format!("    metric m{j} = {}\n", render(m, &sim)));
    }
    out.push_str("}\n");
    out
}

/// Random draws and audits for a state (as a round would hold them).
fn random_draws(model: &Model, state: &State, rng: &mut ChaCha12Rng) -> Draws {
    let size = |a: ActorId| state.actors.get(a).map(|s| s.size).unwrap_or(0);
    let value = |ty: &Type, rng: &mut ChaCha12Rng| match ty {
        Type::Bool => Value::Bool(rng.random::<bool>()),
        _ => Value::Num([0.0, -1.5, 2.0, 1e6, 0.25][rng.random_range(0..5usize)]),
    };
    Draws {
        globals: model.randoms.iter().map(|r| value(&r.ty, rng)).collect(),
        members: (0..model.actors.len())
            .map(|a| {
                model.actors[a].randoms.iter().map(|r| (0..size(a)).map(|_| value(&r.ty, rng)).collect()).collect()
            })
            .collect(),
        audited: model
            .audits
            .iter()
            .map(|x| (0..x.on.map_or(1, size)).map(|_| rng.random::<bool>()).collect())
            .collect(),
        detection: model.audits.iter().map(|x| uniforms(x, size, rng)).collect(),
    }
}

/// An audit's detection draws: a uniform per member of its family if it has `detect`.
fn uniforms(audit: &crate::model::Audit, size: impl Fn(ActorId) -> usize, rng: &mut ChaCha12Rng) -> Vec<f64> {
    match (audit.detect, audit.on) {
        (Some(_), Some(on)) => (0..size(on)).map(|_| rng.random::<f64>()).collect(),
        _ => Vec::new(),
    }
}

/// A round's metrics and the state variables' new values.
type Record = (Vec<f64>, Vec<(usize, Value)>);

/// What the tree evaluator makes of the metrics and updates.
fn tree_record(model: &Model, sim: &Simulate, state: &State, t0: &Value) -> Result<Record, SimError> {
    let env = RunEnv::new(model, state);
    let eval = |e: &Expr| {
        let mut frame = vec![t0.clone()];
        Evaluator { model, env: &env }.eval(e, &mut frame).map_err(SimError::Eval)
    };
    let mut row = Vec::new();
    for (_, e) in &sim.metrics {
        let v = as_num(&eval(e)?, e.span).map_err(SimError::Eval)?;
        if !v.is_finite() {
            return Err(SimError::Eval(EvalError { kind: EvalErrorKind::NonFinite, span: e.span }));
        }
        row.push(v);
    }
    let mut next = Vec::new();
    for (i, s) in sim.states.iter().enumerate() {
        if let Some(u) = &s.update {
            next.push((i, eval(u)?));
        }
    }
    Ok((row, next))
}

/// A probability the tree evaluator computes with `frame`, checked as a round checks it.
fn tree_probability(model: &Model, state: &State, e: &Expr, mut frame: Vec<Value>) -> Result<f64, SimError> {
    let env = RunEnv::new(model, state);
    let p = as_num(&Evaluator { model, env: &env }.eval(e, &mut frame).map_err(SimError::Eval)?, e.span)
        .map_err(SimError::Eval)?;
    match (0.0..=1.0).contains(&p) {
        true => Ok(p),
        false => Err(SimError::Probability { value: p, span: e.span }),
    }
}

/// One round's draws made with the tree evaluator (what rounds did before they were compiled).
fn tree_draws(model: &Model, state: &State, rng: &mut ChaCha12Rng) -> Result<Draws, SimError> {
    let env = RunEnv::new(model, state);
    let sample = |env: &RunEnv<'_>, dist: &Expr, rng: &mut ChaCha12Rng| -> Result<Value, SimError> {
        let ExprKind::Dist(kind, args) = &dist.kind else { return env.eval(dist).map_err(SimError::Eval) };
        let mut x = Vec::new();
        for a in args {
            x.push(as_num(&env.eval(a).map_err(SimError::Eval)?, a.span).map_err(SimError::Eval)?);
        }
        if let Some((i, why)) = kind.invalid_param(&x.iter().copied().map(Some).collect::<Vec<_>>()) {
            return Err(SimError::Distribution { kind: *kind, value: x[i], why, span: args[i].span });
        }
        let bad = || SimError::Distribution { kind: *kind, value: x[0], why: "is out of range", span: dist.span };
        Ok(match kind {
            DistKind::Bernoulli => Value::Bool(bernoulli(x[0], rng)),
            DistKind::Normal if x[1] == 0.0 => Value::Num(x[0]),
            DistKind::Normal => Value::Num(rand_distr::Normal::new(x[0], x[1]).map_err(|_| bad())?.sample(rng)),
            DistKind::Uniform => Value::Num(x[0] + (x[1] - x[0]) * rng.random::<f64>()),
            _ => return Err(bad()),
        })
    };
    let globals = model.randoms.iter().map(|r| sample(&env, &r.dist, rng)).collect::<Result<Vec<_>, _>>()?;
    let mut members = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        let size = state.actors[a].size;
        let mut columns = vec![Vec::new(); actor.randoms.len()];
        for m in 1..=size as i64 {
            for (r, random) in actor.randoms.iter().enumerate() {
                columns[r].push(sample(&env.at(a, m), &random.dist, rng)?);
            }
        }
        members.push(columns);
    }
    let mut audited = Vec::new();
    for audit in &model.audits {
        let p = tree_probability(model, state, &audit.prob, Vec::new())?;
        let n = audit.on.map_or(1, |a| state.actors[a].size);
        audited.push((0..n).map(|_| bernoulli(p, rng)).collect());
    }
    let size = |a: ActorId| state.actors[a].size;
    let detection = model.audits.iter().map(|x| uniforms(x, size, rng)).collect();
    Ok(Draws { globals, members, audited, detection })
}

/// Asserts two results print the same (so values agree bit for bit and errors in kind and span).
macro_rules! same {
    ($tree:expr, $fast:expr, $($what:tt)+) => {
        prop_assert_eq!(format!("{:?}", $tree), format!("{:?}", $fast), $($what)+)
    };
}

fn agree(p: &Parts, seed: u64) -> Result<(), TestCaseError> {
    agree_on(&regime(p), seed)
}

/// Checks the regime `text` at three random states, one replication's code throughout.
fn agree_on(text: &str, seed: u64) -> Result<(), TestCaseError> {
    let checked = crate::session::check_source("round.gov", text);
    prop_assume!(checked.model.is_some());
    let model = checked.model.unwrap_or_default();
    let Some(sim) = model.simulations.first() else { return Ok(()) };
    let Ok(mut state) = crate::solve::init::initial_state(&model, None) else { return Ok(()) };
    let code = RoundCode::new(&model, sim, &state);
    let mut fixed = Fixed::default();
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    for round in 0..3 {
        perturb(&mut state, seed, round);
        state.draws = None;
        // The draws: compiled (parameters fixed after the first round) and by the tree.
        let stream = rng.random::<u64>();
        let (mut one, mut two) = (ChaCha12Rng::seed_from_u64(stream), ChaCha12Rng::seed_from_u64(stream));
        let mut draws = Draws::default();
        let fast = draw_round(&code, &state, &mut draws, &mut fixed, &mut one).map(|()| draws);
        same!(tree_draws(&model, &state, &mut two), fast, "draws of round {} in\n{}", round, text);
        // Distribution parameters where draws are not known.
        for (a, actor) in model.actors.iter().enumerate() {
            for m in 1..=state.actors[a].size as i64 {
                for (r, random) in actor.randoms.iter().enumerate() {
                    let (ExprKind::Dist(_, args), Some(super::Dist::Known { args: codes, .. })) =
                        (&random.dist.kind, code.members[a].get(r))
                    else {
                        continue;
                    };
                    for (arg, (c, _)) in args.iter().zip(codes) {
                        let env = RunEnv::new(&model, &state);
                        let fast = code.cx.with(&state, |f| inside(f, Some((a, m)), c));
                        same!(env.at(a, m).eval_num(arg), fast, "parameter of {} in\n{}", random.name, text);
                    }
                }
            }
        }
        state.draws = Some(Box::new(random_draws(&model, &state, &mut rng)));
        let env = RunEnv::new(&model, &state);
        let t0 = Value::Num([0.0, 3.5, -2.0][round as usize]);
        let (mut row, mut next) = (Vec::new(), Vec::new());
        let fast = code.record(&state, std::slice::from_ref(&t0), &mut row, &mut next).map(|()| (row, next));
        same!(tree_record(&model, sim, &state, &t0), fast, "metrics and updates of round {} in\n{}", round, text);
        for (a, actor) in model.actors.iter().enumerate() {
            for m in 1..=state.actors[a].size as i64 {
                let fast = code.cx.payoff(&state, a, m);
                same!(env.payoff(a, m), fast, "payoff of {}[{}] in\n{}", actor.name, m, text);
            }
        }
        for (i, audit) in model.audits.iter().enumerate() {
            let fast = code.cx.with(&state, |f| code.audit(f, i));
            same!(tree_probability(&model, &state, &audit.prob, Vec::new()), fast, "audit in\n{}", text);
        }
        for (l, licence) in model.licenses.iter().enumerate() {
            for m in 1..=state.actors[licence.holders].size as i64 {
                let holder = Value::Member(licence.holders, m);
                if let Some(e) = &licence.audit {
                    let fast = code.cx.with(&state, |f| code.licence_audit(f, l, holder.clone()));
                    same!(
                        tree_probability(&model, &state, e, vec![holder.clone()]),
                        fast,
                        "licence audit in\n{}",
                        text
                    );
                }
                if let Some(e) = &licence.require {
                    let tree = Evaluator { model: &model, env: &env }.eval(e, &mut vec![holder.clone()]);
                    let tree = tree.map(|v| v != Value::Bool(false)).map_err(SimError::Eval);
                    let fast = code.cx.with(&state, |f| code.keeps_licence(f, l, holder.clone()));
                    same!(tree, fast, "licence rule in\n{}", text);
                }
            }
        }
        for (k, market) in model.markets.iter().enumerate() {
            let tree = env.eval_num(&market.supply).and_then(|s| Ok((s, env.eval_num(&market.demand)?)));
            same!(tree, code.cx.supply_demand(&state, k), "market sides in\n{}", text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn round_code_agrees_with_tree(p in parts(), seed in any::<u64>()) {
        // The checker recurses deeper than a test thread's stack allows (see ARCHITECTURE.md).
        let result = crate::testing::deep(move || agree(&p, seed));
        result?;
    }
}

/// Metrics over a family large enough to be read a column at a time (see
/// `solve::flat::columns`): lets kept and recalled, calls on frames, the audit read inside
/// the family with its rule skipped, detection, prices, builtins, powers, the member's
/// index, a known member, truth values counted and quantified, and a division that fails
/// for some members (the fold gives up and the members are run one by one).
const FAMILY: &str = "param a: Real = 2.5
param n: Int = 10
fn d(x: Real): Prob = min(1, max(0, 0.25 + x / 10))
fn g(x: Real, y: Real): Real = x * y - x / (abs(y) + 3)
actor D[i in 1..n] {
    param A: Real = 1 + i / 4
    choose c: Real in [0, inf)
    choose e: Real in [0, 1]
    random s ~ Bernoulli(0.5)
    random eps: Real ~ Normal(0, 1)
    let x = e * c + eps
    let w = i * eps - x
    let fine = rho * d(x) * (a * x + x^2)
    fn v(y: Real): Real = g(y, c) + A
    payoff A * sqrt(c) - m.price * c - fine
}
market m {
    supply 10
    demand sum(k in D: k.c)
    price: Real
}
audit rho: Prob = min(m.price / a, 0.5)   cost 1   on D   detect d
simulate s {
    state t0: Real = 0
    update t0 = t0 + 1
    metric kept = sum(k in D: k.x * k.x - k.x / 2 + k.w)
    metric called = sum(k in D: g(k.c, k.eps) + k.v(k.A))
    metric fines = sum(k in D: k.fine)
    metric spread = mean(k in D: -k.eps + m.price)
    metric top = max(k in D: min(k.c, D[1].c) + sqrt(abs(k.eps)) + k.A^3 + D[2].eps)
    metric low = product(k in D: 1 + k.e / 10)
    metric least = min(k in D: k.e^0.5)
    metric heads = count(k in D: k.s)
    metric every = if all(k in D: k.s) then 1 else 0
    metric some = if any(k in D: k.s) then 1 else 0
    metric shaky = sum(k in D: k.c / k.eps)
}
";

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn round_code_agrees_with_tree_on_a_family_read_in_columns(seed in any::<u64>()) {
        let checked = crate::session::check_source("family.gov", FAMILY);
        prop_assert!(checked.model.is_some(), "the regime checks");
        let result = crate::testing::deep(move || agree_on(FAMILY, seed));
        result?;
    }
}
