//! Sweep benchmark (`cargo bench --bench sweep`): points solved per second for a 100×100
//! sweep of examples/compute_permits.gov over (B, a) on a 2-thread pool — the
//! equilibrium alone, and with the permit-vs-command-and-control `welfare` compare (a
//! second solve per point). Under `cargo test` (divan's `--test`) the grid is 10×10 so
//! the suite stays quick. Target (issue 8): the 10,000 points in under 5 s.

use gov::session::{Regime, ScenarioModels};
use gov::source::SourceMap;
use gov::sweep::{spec, Plan};
use std::sync::atomic::AtomicBool;
use std::sync::LazyLock;

fn main() {
    divan::main();
}

/// Grid side: 100, or 10 when run as a test.
static SIDE: LazyLock<usize> = LazyLock::new(|| if std::env::args().any(|a| a == "--test") { 10 } else { 100 });

fn plan(metrics: &[&str]) -> Plan {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/compute_permits.gov"))
        .expect("the example exists");
    let mut sources = SourceMap::new();
    let id = sources.add("compute_permits.gov", text);
    let mut regime = Regime::load(sources, id).map_err(|_| "parse error").expect("the example parses");
    let side = *SIDE;
    let request = spec::Request {
        sweep: None,
        varies: vec![format!("B=1usd..40usd:{side}"), format!("a=1usd/pflop..8usd/pflop:{side}")],
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
    };
    let name = spec::attach(&mut regime, &request).expect("the sweep is valid");
    let model = regime.check(&[]).0.expect("the example checks");
    let sweep = model.sweeps.iter().find(|s| s.name == name).expect("the sweep is in the model");
    let scenarios = ScenarioModels { regime: &regime, base: &model, overrides: &[] };
    Plan::new(&model, sweep, &scenarios, None).expect("the plan builds")
}

fn bench_plan(bencher: divan::Bencher, plan: &Plan) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a 2-thread pool");
    let stop = AtomicBool::new(false);
    bencher
        .counter(divan::counter::ItemsCount::new(plan.grid.len))
        .bench(|| pool.install(|| gov::sweep::run(divan::black_box(plan), 0..plan.grid.len, &stop, &|| {})));
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn compute_permits_equilibrium(bencher: divan::Bencher) {
    bench_plan(bencher, &plan(&[]));
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn compute_permits_with_welfare_compare(bencher: divan::Bencher) {
    bench_plan(bencher, &plan(&["welfare"]));
}
