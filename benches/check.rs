//! Front-end throughput on a generated, realistic 20,000-line regime.
//!
//! The regime is the compute-permits mechanism of `examples/compute_permits.gov`, copied
//! block after block with every name renamed per block (`Developer17`, `permits17`, ...),
//! plus the other constructs of the language: enumerations, derived units, licences,
//! thresholds, games, caps, stdlib penalties, scenarios, comparisons and simulations.
//! It checks clean (no errors, no warnings); `main` verifies that before benchmarking.
//!
//! Three benchmarks, each reporting lines per second (`item/s`):
//! - `parse`: text → AST (`gov::syntax::parse_file`);
//! - `check_only`: the semantic check of an already parsed AST (`gov::check::check`);
//! - `check`: the whole front end as `gov check` runs it (`gov::session::check_source`).
//!
//! Run with `cargo bench --bench check`; the target for `check` is under 200 ms.

use std::fmt::Write as _;
use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use gov::check::Program;
use gov::source::{SourceId, SourceMap};

/// Lines in the generated regime (at least; the last block is completed).
const TARGET_LINES: usize = 20_000;

/// The generated regime, built once.
static REGIME: LazyLock<String> = LazyLock::new(|| generate(TARGET_LINES));

fn main() {
    let text = &*REGIME;
    let outcome = gov::session::check_source("bench.gov", text);
    let diagnostics: Vec<_> = outcome.diagnostics.iter().collect();
    if !diagnostics.is_empty() {
        let shown: Vec<gov::diag::Diagnostic> = diagnostics.iter().take(5).map(|d| (*d).clone()).collect();
        eprint!("{}", gov::diag::render::render_human(&shown, &outcome.sources, Default::default()));
    }
    assert!(diagnostics.is_empty(), "the generated regime must check clean; it has {} diagnostics", diagnostics.len());
    assert!(outcome.model.is_some(), "a clean regime yields a model");
    println!(
        "generated regime: {} lines, {} bytes, {} blocks; checks clean",
        line_count(text),
        text.len(),
        text.matches("// ─── block ").count()
    );
    divan::main();
}

fn line_count(text: &str) -> usize {
    text.lines().count()
}

/// Text → AST.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn parse(bencher: Bencher) {
    let text = &*REGIME;
    bencher
        .counter(ItemsCount::new(line_count(text)))
        .bench(|| gov::syntax::parse_file(black_box(text), SourceId(0)).map(|f| f.items.len()));
}

/// The semantic check of a parsed regime: names, types, units, rules (no parsing).
#[divan::bench(sample_count = 30, sample_size = 1)]
fn check_only(bencher: Bencher) {
    let text = &*REGIME;
    let mut sources = SourceMap::new();
    let main = sources.add("bench.gov", text.as_str());
    let penalties_text = gov::stdlib::module("penalties").unwrap_or_default();
    let penalties_id = sources.add("<stdlib>/penalties.gov", penalties_text);
    let (Ok(ast), Ok(penalties)) =
        (gov::syntax::parse_file(text, main), gov::syntax::parse_file(penalties_text, penalties_id))
    else {
        return;
    };
    let program = Program { main: &ast, modules: vec![("penalties".to_string(), &penalties)], sources: &sources };
    bencher
        .counter(ItemsCount::new(line_count(text)))
        .bench(|| gov::check::check(black_box(&program)).diagnostics.len());
}

/// The whole front end, as `gov check` runs it: parse, load stdlib modules, check.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn check(bencher: Bencher) {
    let text = &*REGIME;
    bencher
        .counter(ItemsCount::new(line_count(text)))
        .bench(|| gov::session::check_source("bench.gov", black_box(text)).diagnostics.len());
}

/// A regime of at least `target_lines` lines: a header, then renamed blocks.
fn generate(target_lines: usize) -> String {
    let mut out = String::with_capacity(target_lines * 45);
    out.push_str(HEADER);
    let mut lines = line_count(&out);
    let mut i = 0;
    while lines < target_lines {
        let start = out.len();
        block(&mut out, i);
        lines += out[start..].matches('\n').count();
        i += 1;
    }
    out
}

const HEADER: &str = "\
//! A generated regime for benchmarking: renamed copies of the compute-permits mechanism
//! with licences, thresholds, games and simulations.

use penalties
unit usd
";

/// Appends block `i`: about 100 lines, every declared name suffixed with `i`.
fn block(out: &mut String, i: usize) {
    let q = 100 + i % 50;
    let sequence = if i == 0 { "sequence { Lab0; Developer0 }\n" } else { "" };
    // `writeln!` into a `String` cannot fail.
    let _ = writeln!(
        out,
        r#"
// ─── block {i} ───
unit pflop{i}                                  "one petaFLOP of training compute, sector {i}"
unit eflop{i} = 1000 pflop{i}
type Release{i} = {{open{i}, closed{i}}}

param n{i}: Int = 3                            "number of developers"                  where n{i} >= 1
param Q{i}: pflop{i} = {q} pflop{i}            "permit cap, in risk-weighted compute"  where Q{i} > 0 pflop{i}
param alpha{i}: Real = 2                       "risk multiplier of a high-risk signal" where alpha{i} > 1
param a{i}: usd/pflop{i} = 4 usd/pflop{i}      "linear penalty coefficient"
param b{i}: usd/pflop{i}^2 = 0.1 usd/pflop{i}^2 "quadratic penalty coefficient"
param k{i}: usd = 5 usd                        "cost of one audit"
param B{i}: usd = 10 usd                       "enforcement budget"                    where B{i} >= k{i}
param theta{i}: Prob = 0.6                     "open-source threshold"
let cap_eflop{i} = Q{i} / (1 eflop{i})
let budget_share{i}: Real = k{i} / B{i}
fn scaled{i}(x: pflop{i}): usd = a{i} * x + b{i} * x^2

actor Developer{i}[i in 1..n{i}] {{
    param A: usd/pflop{i}^0.5 = [10, 20, 30][i] usd/pflop{i}^0.5   "scale of the private benefit"
    param pH: Prob = [0.1, 0.3, 0.6][i]                      "probability of a high-risk signal"
    let lambda_bar = 1 + (alpha{i} - 1) * pH                 // expected risk multiplier
    fn v(c: pflop{i}): usd = A * sqrt(c)
    random s ~ Bernoulli(pH)
    choose c: pflop{i} in [0, inf)
    payoff v(c) - permits{i}.price * lambda_bar * c
}}

actor Lab{i} {{
    choose omega: Real in [0, 1] or abstain
    choose release: Release{i}
    payoff 2 usd * omega - 1 usd * omega^2 + (if release == open{i} then 0.1 usd else 0 usd)
}}

actor Government{i} {{}}
license operating{i} for r in Developer{i} by Government{i} {{
    metric r.lambda_bar
    require r.lambda_bar <= alpha{i}
    audit 0.3
}}
{sequence}
game prisoners{i} {{
    players Row{i}, Col{i}
    strategies Row{i} {{cooperate, defect}}  Col{i} {{cooperate, defect}}
    payoffs [[(3, 3), (0, 5)],
             [(5, 0), (1, 1)]]
}}

market permits{i} {{
    supply Q{i}
    demand sum(d in Developer{i}: d.lambda_bar * d.c)
    price: usd/pflop{i}
}}

cap quota{i}: sum(d in Developer{i}: d.c) <= 2 * Q{i}
penalty phi{i}(D: pflop{i}): usd = a{i} * D + b{i} * D^2
penalty psi{i}(D: pflop{i}): usd = penalties.quadratic(D, a{i}, b{i})
fn detect{i}(D: Real): Prob = norm_cdf(D / 0.5)
audit rho{i}: Prob = permits{i}.price / a{i}   cost k{i}   budget B{i}   on Developer{i}   detect detect{i}
threshold open_source{i}: Lab{i}.omega >= theta{i} else penalty k{i} on Lab{i}

/// Proposition 2: truthful retirement is a best response when ρφ(Δ) ≥ pΔ for all Δ.
check deterrence{i}: forall D in [0 pflop{i}, 1000 pflop{i}]: rho{i} * phi{i}(D) >= permits{i}.price * D
/// Corollary 3: marginal deterrence ρφ'(0) ≥ p.
check marginal_deterrence{i}: rho{i} * a{i} >= permits{i}.price
check affordable{i}: rho{i} <= B{i} / (n{i} * k{i})
check same_penalty{i}: forall D in [0 pflop{i}, 100 pflop{i}]: phi{i}(D) == psi{i}(D) and scaled{i}(D) == phi{i}(D)
check cap_positive{i}: cap_eflop{i} > 0 and budget_share{i} <= 1

/// Closed form for v = A√c: p* = ½·√(Σ A²/λ̄ / Q).
expect price_closed_form{i}: permits{i}.price == 0.5 * sqrt(sum(d in Developer{i}: d.A^2 / d.lambda_bar) / Q{i}) +- 1e-6
expect enforcement_cost{i}: n{i} * k{i} * rho{i} == n{i} * k{i} * permits{i}.price / a{i} +- 1e-9
expect conversion{i}: 1 eflop{i} == 1000 pflop{i} +- 0.1%

scenario command_and_control{i} {{
    remove permits{i}
    fix Developer{i}.c = Q{i} / sum(d in Developer{i}: d.lambda_bar)
}}
scenario strict{i} {{
    set theta{i} = 0.9
    set a{i} = 8 usd/pflop{i}
}}

compare welfare{i} = sum(d in Developer{i}: d.v(d.c)) over base, command_and_control{i}, strict{i}

simulate rounds{i} {{
    rounds 100
    reps 20
    seed {i}
    strategy Developer{i} = equilibrium
    state spent{i}: usd = 0 usd
    update spent{i} = spent{i} + n{i} * k{i} * rho{i}
    metric price{i} = permits{i}.price
    metric audited_share{i} = rho{i}
}}"#
    );
}
