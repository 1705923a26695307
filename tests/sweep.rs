//! `gov sweep`, `gov merge` and `gov plot`: shards merge into exactly the unsharded
//! output (for any grid and any number of shards), a sweep's point is exactly what
//! `gov run --set` computes there, results do not depend on the number of threads, and
//! merge refuses shards that do not make one sweep.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use gov::session::{Regime, ScenarioModels};
use gov::source::SourceMap;
use gov::sweep::table::{self, AxisInfo, Header, Shard};
use gov::sweep::{spec, Plan};
use proptest::prelude::*;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

fn gov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gov"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("gov runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sweep-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(p: PathBuf) -> Vec<u8> {
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const PERMITS: &str = "examples/compute_permits.gov";
/// Includes a point that fails (`alpha = 1` breaks `where alpha > 1`) and a compare.
const GRID: &[&str] = &["--vary", "Q=50pflop..0.2eflop:4", "--vary", "alpha=1,2,3", "--metric", "welfare", "-q"];

#[test]
fn merged_shards_are_the_unsharded_sweep_byte_for_byte() {
    let dir = scratch("merge");
    let full = dir.join("full");
    let out = gov(&[&["sweep", PERMITS, "--out", full.to_str().unwrap()][..], GRID].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for n in [1usize, 2, 5, 13] {
        let mut files = Vec::new();
        for i in (1..=n).rev() {
            let prefix = dir.join(format!("s{n}"));
            let shard = format!("{i}/{n}");
            let mut args = vec!["sweep", PERMITS, "--shard", &shard, "--out", prefix.to_str().unwrap()];
            args.extend_from_slice(GRID);
            let out = gov(&args);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            files.push(format!("{}.shard-{i}-of-{n}.json", prefix.display()));
        }
        let merged = dir.join(format!("merged{n}"));
        let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
        args.extend(files.iter().map(String::as_str));
        let out = gov(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        for ext in ["csv", "json"] {
            assert!(
                read(full.with_extension(ext)) == read(merged.with_extension(ext)),
                "{n} shards: merged .{ext} differs from the unsharded sweep"
            );
        }
    }
    let csv = String::from_utf8(read(full.with_extension("csv"))).unwrap();
    assert!(csv.lines().any(|l| l.contains(",failed,") && l.contains("E0308")), "the failed point is a row:\n{csv}");
}

#[test]
fn merge_refuses_shards_that_do_not_make_one_sweep() {
    let dir = scratch("refuse");
    let p = |s: &str| dir.join(s).to_str().unwrap().to_string();
    let shard = |vary: &str, i: &str, prefix: &str| {
        let out = gov(&["sweep", PERMITS, "-q", "--vary", vary, "--shard", i, "--out", &p(prefix)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    shard("Q=50pflop..100pflop:3", "1/2", "a");
    shard("Q=50pflop..100pflop:3", "2/2", "a");
    shard("Q=50pflop..120pflop:3", "2/2", "b");
    let refused = |files: &[String], why: &str| {
        let mut args = vec!["merge".to_string()];
        args.extend(files.iter().cloned());
        let out = gov(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("E0108") && err.contains(why), "expected `{why}` in:\n{err}");
    };
    refused(&[p("a.shard-1-of-2.json"), p("b.shard-2-of-2.json")], "grid hash");
    refused(&[p("a.shard-1-of-2.json")], "shard 2 of 2 is missing");
    refused(&[p("a.shard-1-of-2.json"), p("a.shard-1-of-2.json")], "given twice");
    let ok = gov(&["merge", &p("a.shard-2-of-2.json"), &p("a.shard-1-of-2.json")]);
    assert!(ok.status.success());
    // A shard cut short (as by Ctrl-C) is refused until it is run again.
    let text = String::from_utf8(read(dir.join("a.shard-1-of-2.json"))).unwrap();
    std::fs::write(dir.join("cut.json"), text.replace("\"complete\": true", "\"complete\": false")).unwrap();
    refused(&[p("cut.json"), p("a.shard-2-of-2.json")], "incomplete");
}

#[test]
fn a_point_is_what_gov_run_computes_there() {
    let out = gov(&[
        "sweep",
        PERMITS,
        "-q",
        "--json",
        "--vary",
        "Q=60pflop,0.09eflop",
        "--vary",
        "b=0.2usd/pflop^2,0.05usd/pflop^2",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let (q, b) = (row["Q"].as_f64().unwrap(), row["b"].as_f64().unwrap());
        let run = gov(&[
            "run",
            PERMITS,
            "--json",
            "--set",
            &format!("Q={q:?}pflop"),
            "--set",
            &format!("b={b:?}usd/pflop^2"),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(row["permits.price"], report["markets"][0]["price"], "price at Q = {q}, b = {b}");
        for m in report["members"].as_array().unwrap() {
            let name = m["name"].as_str().unwrap();
            for (choice, value) in m["choices"].as_object().unwrap() {
                assert_eq!(&row[format!("{name}.{choice}")], value, "{name}.{choice} at Q = {q}, b = {b}");
            }
            assert_eq!(row[format!("{name}.payoff")], m["payoff"], "{name}'s payoff at Q = {q}, b = {b}");
        }
    }
}

#[test]
fn threads_do_not_change_the_result() {
    let args = |j: &'static str| [&["sweep", PERMITS, "--jobs", j][..], GRID].concat();
    let one = gov(&args("1"));
    let two = gov(&args("2"));
    assert!(one.status.success());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn plots_have_units_and_legends_and_png_renders() {
    let dir = scratch("plot");
    let prefix = dir.join("open");
    let out = gov(&[
        "sweep",
        "examples/openness.gov",
        "-q",
        "--vary",
        "theta=0..1:5",
        "--vary",
        "p=0usd..0.4usd:3",
        "--metric",
        "open_source",
        "--metric",
        "omega=Generalist.omega",
        "--out",
        prefix.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (input, metric, file, must) in [
        ("json", "open_source", "map.svg", vec!["p [usd]", "theta", "complies", "pays"]),
        ("csv", "omega", "heat.svg", vec!["p [usd]", "omega"]),
        ("csv", "omega", "line.svg", vec!["p = 0.2 usd", "omega"]),
    ] {
        let (target, table) = (dir.join(file), prefix.with_extension(input));
        let mut args = vec!["plot", table.to_str().unwrap(), "--metric", metric, "--out", target.to_str().unwrap()];
        if file == "line.svg" {
            args.extend(["--kind", "line"]);
        }
        let out = gov(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let svg = String::from_utf8(read(target)).unwrap();
        for text in must {
            assert!(svg.contains(text), "{file} lacks `{text}`");
        }
    }
    let png = dir.join("map.png");
    let out = gov(&["plot", prefix.with_extension("json").to_str().unwrap(), "--out", png.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(read(png.clone()).starts_with(b"\x89PNG"));
    let again = dir.join("again.png");
    gov(&["plot", prefix.with_extension("json").to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(read(png), read(again), "the same table gives the same PNG");
    let refused = gov(&[
        "plot",
        prefix.with_extension("json").to_str().unwrap(),
        "--kind",
        "line",
        "--metric",
        "open_source",
        "--out",
        "x.svg",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is a category"));
}

const FIRM: &str = "unit usd
param k: Int = 2
param c: usd = 1 usd   where c > 0 usd
actor Firm {
    choose q: Real in [0, 10]
    payoff k * 1 usd * q - c * q^2
}
";

/// The document of shard `shard` (or the whole sweep) of a sweep of `FIRM`, solved through the library.
fn library_sweep(varies: &[String], shard: Option<Shard>) -> (Header, Vec<table::Row>) {
    let mut sources = SourceMap::new();
    let id = sources.add("firm.gov", FIRM);
    let mut regime = Regime::load(sources, id).ok().unwrap();
    let request = spec::Request { varies: varies.to_vec(), ..Default::default() };
    let name = spec::attach(&mut regime, &request).unwrap();
    let (model, _) = regime.check(&[]);
    let model = model.unwrap();
    let sweep = model.sweeps.iter().find(|s| s.name == name).unwrap();
    let provider = ScenarioModels { regime: &regime, base: &model, overrides: &[] };
    let plan = Plan::new(&model, sweep, &provider, None).unwrap();
    let points = shard.map(|s| plan.grid.shard(s.index, s.count)).unwrap_or(0..plan.grid.len);
    let results = gov::sweep::run(&plan, points, &AtomicBool::new(false), &|| {});
    let (rows, columns) = table::rows(results, &regime.sources);
    let header = Header {
        gov: "test".into(),
        file: "firm.gov".into(),
        sweep: name,
        scenario: None,
        model_hash: gov::sweep::model_hash(FIRM, &[]),
        grid_hash: plan.grid.hash(&[]),
        points: plan.grid.len,
        axes: AxisInfo::of(&plan.grid),
        shard,
        complete: true,
        columns,
    };
    (header, rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any grid, any number of shards: the merged shards print exactly as the whole sweep.
    #[test]
    fn shard_merge_invariance(ks in 2usize..5, cs in proptest::collection::vec(-1i32..5, 1..4), n in 1usize..9) {
        let varies = vec![
            format!("k=1..{}:{}", ks, ks),
            format!("c={}", cs.iter().map(|c| format!("{c}usd")).collect::<Vec<_>>().join(",")),
        ];
        let (whole, rows) = library_sweep(&varies, None);
        let shards: Vec<_> = (1..=n)
            .map(|i| {
                let (h, r) = library_sweep(&varies, Some(Shard { index: i, count: n }));
                let text = serde_json::to_string_pretty(&table::document(&h, &r)).unwrap();
                let (h, r) = table::parse(&text).unwrap();
                (format!("shard {i}"), h, r)
            })
            .collect();
        let (merged, merged_rows) = table::merge(shards).unwrap();
        prop_assert_eq!(table::csv(&whole, &rows), table::csv(&merged, &merged_rows));
        prop_assert_eq!(
            serde_json::to_string_pretty(&table::document(&whole, &rows)).unwrap(),
            serde_json::to_string_pretty(&table::document(&merged, &merged_rows)).unwrap()
        );
    }
}

/// Ctrl-C (SIGINT) stops dispatching points; the points solved are written, marked incomplete.
#[cfg(unix)]
#[test]
fn interrupt_keeps_the_points_solved() {
    let dir = scratch("interrupt");
    let prefix = dir.join("long");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args([
            "sweep",
            "examples/openness.gov",
            "-q",
            "--jobs",
            "1",
            "--vary",
            "theta=0..1:200",
            "--vary",
            "p=0usd..1usd:200",
        ])
        .args(["--out", prefix.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("gov runs");
    // Long enough to solve some points, far shorter than the 40,000 of the grid.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let (header, rows) = table::parse(&String::from_utf8(read(prefix.with_extension("json"))).unwrap()).unwrap();
    assert!(!header.complete);
    assert!(!rows.is_empty() && rows.len() < header.points, "{} of {} points", rows.len(), header.points);
    assert!(rows.windows(2).all(|w| w[0].index < w[1].index), "rows stay in grid order");
    let csv = String::from_utf8(read(prefix.with_extension("csv"))).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1);
}

/// `--shard slurm` takes the shard from a job array's environment (0- or 1-based ids).
#[test]
fn slurm_shards_come_from_the_environment() {
    let run = |env: &[(&str, &str)], shard: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_gov"))
            .args(["sweep", PERMITS, "-q", "--json", "--vary", "Q=50pflop..100pflop:5", "--shard", shard])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("SLURM_ARRAY_TASK_MIN")
            .env_remove("SLURM_ARRAY_TASK_COUNT")
            .envs(env.iter().copied())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("gov runs");
        (out.status.code(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let explicit = run(&[], "2/3");
    let one_based =
        run(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")], "slurm");
    let zero_based =
        run(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3")], "slurm");
    assert_eq!(explicit.0, Some(0));
    assert_eq!(explicit.1, one_based.1);
    assert_eq!(explicit.1, zero_based.1);
    let outside = run(&[], "slurm");
    assert_eq!(outside.0, Some(2));
    assert!(outside.2.contains("E0106") && outside.2.contains("SLURM_ARRAY_TASK_ID"), "{}", outside.2);
}
