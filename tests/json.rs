//! `gov check --json` follows the schema in docs/json.md.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::process::Command;

/// Runs `gov SUBCOMMAND --json ARGS...`; returns the exit code and the parsed document.
fn gov_json(subcommand: &str, args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_gov"))
        .arg(subcommand)
        .arg("--json")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gov runs");
    assert!(out.stderr.is_empty(), "--json prints nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    (out.status.code().unwrap_or(-1), doc)
}

fn check_json(args: &[&str]) -> (i32, Value) {
    gov_json("check", args)
}

#[test]
fn clean_file_is_ok() {
    let (code, doc) = check_json(&["examples/compute_permits.gov"]);
    assert_eq!(code, 0);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["errors"], 0);
    assert_eq!(doc["files"][0]["file"], "examples/compute_permits.gov");
    assert_eq!(doc["files"][0]["diagnostics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn unit_error_has_code_labels_and_positions() {
    let (code, doc) = check_json(&["tests/golden/diagnostics/E0301-add-usd-pflop.gov"]);
    assert_eq!(code, 2);
    assert_eq!(doc["ok"], false);
    let d = &doc["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "E0301");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "mismatched units");
    assert!(d["help"].as_str().is_some_and(|h| h.contains("usd/pflop")));
    assert_eq!(d["file"], "tests/golden/diagnostics/E0301-add-usd-pflop.gov");
    let labels = d["labels"].as_array().expect("labels");
    assert_eq!(labels.len(), 2);
    let primary = labels.iter().find(|l| l["primary"] == true).expect("a primary label");
    assert_eq!(primary["line"], 5);
    assert_eq!(primary["column"], 21);
    assert_eq!(primary["span"]["offset"].as_u64().map(|o| o > 0), Some(true));
    assert_eq!(primary["label"], "this is `pflop`");
    assert!(d["notes"].as_array().is_some_and(|n| !n.is_empty()));
}

#[test]
fn several_files_and_unreadable_ones() {
    let (code, doc) = check_json(&["examples/compute_permits.gov", "no/such/file.gov"]);
    assert_eq!(code, 2);
    assert_eq!(doc["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["files"][1]["diagnostics"][0]["code"], "E0104");
    assert_eq!(doc["errors"], 1);
}

fn run_json(args: &[&str]) -> (i32, Value) {
    gov_json("run", args)
}

#[test]
fn run_report_follows_the_schema() {
    let (code, doc) = run_json(&["examples/compute_permits.gov"]);
    assert_eq!(code, 0);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["ok"], true);
    assert!(doc["equilibrium"]["concept"].as_str().is_some_and(|c| c.contains("competitive")));
    assert!(doc["equilibrium"]["method"].as_array().is_some_and(|m| !m.is_empty()));
    assert_eq!(doc["equilibrium"]["payoff_unit"], "usd");
    let market = &doc["markets"][0];
    assert_eq!(market["name"], "permits");
    assert_eq!(market["unit"], "usd/pflop");
    let p = market["price"].as_f64().expect("a price");
    assert!((p - 1.55008).abs() < 1e-4, "{p}");
    let members = doc["members"].as_array().expect("members");
    assert_eq!(members.len(), 6, "three developers and their three flagged evaluations");
    assert_eq!(members[0]["name"], "Developer[1]");
    assert_eq!(members[3]["name"], "Flagged[1]");
    assert!(members[0]["choices"]["c"].as_f64().is_some());
    assert!(doc["checks"].as_array().is_some_and(|c| c.iter().all(|v| v["holds"] == true && v["method"].is_string())));
    let comparisons = doc["comparisons"].as_array().expect("comparisons");
    let welfare = comparisons.iter().find(|c| c["name"] == "welfare").expect("the welfare comparison");
    assert_eq!(welfare["rows"][1]["scenario"], "command_and_control");
}

#[test]
fn run_failures_are_documents_too() {
    let (code, doc) = run_json(&["--set", "alpah=3", "examples/compute_permits.gov"]);
    assert_eq!(code, 2);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["diagnostics"][0]["code"], "E0507");
    let (code, doc) = run_json(&["tests/golden/nfg/battle-of-the-sexes.nfg"]);
    assert_eq!(code, 0);
    assert_eq!(doc["games"][0]["mixed"].as_array().map(Vec::len), Some(3));
    assert_eq!(doc["games"][0]["mixed"][1]["probabilities"][0][0], "3/5");
}

#[test]
fn simulate_json_follows_the_schema() {
    let (code, doc) = gov_json("simulate", &["--reps", "3", "--rounds", "5", "examples/compute_permits.gov"]);
    assert_eq!(code, 0);
    for key in
        ["version", "ok", "file", "simulation", "scenario", "rounds", "reps", "seed", "start", "strategies", "metrics"]
    {
        assert!(doc.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!((doc["rounds"].as_u64(), doc["reps"].as_u64(), doc["seed"].as_u64()), (Some(5), Some(3), Some(42)));
    let metrics = doc["metrics"].as_array().expect("metrics");
    assert_eq!(metrics[0]["name"], "price");
    assert_eq!(metrics[0]["unit"], "usd/pflop");
    for m in metrics {
        for of in ["over_rounds", "final_round"] {
            let s = &m[of];
            assert_eq!(s["n"].as_u64(), Some(3));
            for key in ["mean", "sd", "p5", "p50", "p95", "min", "max"] {
                assert!(s[key].is_number(), "{of}.{key}");
            }
            let ci = s["ci95"].as_array().expect("ci95 is a pair");
            let mean = s["mean"].as_f64().unwrap_or(f64::NAN);
            assert!(ci[0].as_f64() <= Some(mean) && Some(mean) <= ci[1].as_f64());
        }
    }
    let (code, doc) = gov_json("simulate", &["--sim", "nope", "examples/compute_permits.gov"]);
    assert_eq!((code, doc["ok"].as_bool()), (2, Some(false)));
    assert_eq!(doc["diagnostics"][0]["code"], "E0604");
}

#[test]
fn sweep_document_follows_the_schema() {
    let out = Command::new(env!("CARGO_BIN_EXE_gov"))
        .args([
            "sweep",
            "examples/openness.gov",
            "--json",
            "-q",
            "--vary",
            "theta=0.5,0.9",
            "--vary",
            "alpha0=0usd,4usd",
        ])
        .args(["--metric", "open_source", "--metric", "omega=Generalist.omega"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("gov runs");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["file"], "examples/openness.gov");
    assert_eq!(doc["sweep"], "command line");
    assert_eq!(doc["points"], 4);
    assert_eq!((doc["solved"].as_u64(), doc["failed"].as_u64()), (Some(2), Some(2)));
    assert_eq!(doc["complete"], true);
    assert!(doc["shard"].is_null());
    for key in ["model_hash", "grid_hash"] {
        assert!(doc[key].as_str().is_some_and(|h| h.starts_with("sha256:") && h.len() == 71), "{key}");
    }
    assert_eq!(doc["axes"][1]["name"], "alpha0");
    assert_eq!(doc["axes"][1]["unit"], "usd");
    assert_eq!(doc["axes"][1]["spacing"], "list");
    let columns: Vec<(&str, &str, &str)> = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["role"].as_str().unwrap(), c["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        columns,
        [
            ("point", "point", "integer"),
            ("theta", "axis", "number"),
            ("alpha0", "axis", "number"),
            ("status", "status", "category"),
            ("open_source", "metric", "category"),
            ("omega", "metric", "number"),
            ("code", "error", "text"),
            ("message", "error", "text"),
        ]
    );
    let rows = doc["rows"].as_array().unwrap();
    let failed = &rows[0];
    assert_eq!((failed["point"].as_u64(), failed["status"].as_str()), (Some(1), Some("failed")));
    assert_eq!(failed["code"], "E0308");
    assert_eq!(failed["diagnostic"]["code"], "E0308");
    assert!(failed["diagnostic"]["labels"].as_array().is_some_and(|l| !l.is_empty()));
    let ok = &rows[1];
    assert_eq!(ok["status"], "ok");
    assert_eq!(ok["alpha0"], 4.0);
    assert!(ok["open_source"].as_str().is_some_and(|s| ["complies", "pays", "abstains"].contains(&s)));
    assert!(ok["omega"].is_f64());
    assert!(ok.get("code").is_none());
}
