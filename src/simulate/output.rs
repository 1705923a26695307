//! A simulation as users read it: the text report (a summary table), the JSON document
//! (schema in docs/json.md) and tidy CSV (one row per replication and round; one row per
//! metric and statistic).

use super::stats::Summary;
use super::SimResult;
use crate::model::Type;
use crate::report::data_number;
use crate::report::number;
use comfy_table::{presets::NOTHING, CellAlignment, Table};
use serde_json::json;

fn unit(ty: &Type) -> String {
    ty.dim().filter(|d| !d.is_one()).map(ToString::to_string).unwrap_or_default()
}

/// The text report of a simulation.
pub fn sim_text(r: &SimResult, file: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let scenario = r.scenario.as_deref().map(|s| format!(", scenario `{s}`")).unwrap_or_default();
    let s = r.settings;
    let plural = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(out, "simulation `{}` of {file}{scenario}", r.name);
    let _ = writeln!(out, "  {} × {}, seed {}", plural(s.rounds, "round"), plural(s.reps, "replication"), s.seed);
    if let Some(start) = &r.start {
        let _ = writeln!(out, "  start: {start}");
    }
    let _ = writeln!(out, "\nstrategies");
    for line in &r.strategies {
        let _ = writeln!(out, "  {line}");
    }
    if r.metrics.is_empty() {
        let _ = writeln!(out, "\nno metrics recorded (add `metric NAME = EXPR` to the simulate block)");
        return out;
    }
    let _ = writeln!(
        out,
        "\nmetrics across {}: each replication's mean over its rounds, and its final round",
        plural(s.reps, "replication")
    );
    let mut table = Table::new();
    table.load_preset(NOTHING);
    table.set_header(vec!["metric", "unit", "of", "mean", "sd", "95% CI", "p5", "median", "p95"]);
    for ((name, ty), (over, last)) in r.metrics.iter().zip(&r.summary) {
        for (label, sum) in [("rounds", over), ("final", last)] {
            let first = label == "rounds";
            table.add_row(vec![
                if first { name.clone() } else { String::new() },
                if first { unit(ty) } else { String::new() },
                label.to_string(),
                number(sum.mean),
                sum.sd.map(number).unwrap_or_else(|| "-".into()),
                sum.ci95.map(|(a, b)| format!("[{}, {}]", number(a), number(b))).unwrap_or_else(|| "-".into()),
                number(sum.quantiles[0]),
                number(sum.quantiles[1]),
                number(sum.quantiles[2]),
            ]);
        }
    }
    for i in 3..9 {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    for line in table.lines() {
        let _ = writeln!(out, " {}", line.trim_end());
    }
    out
}

fn summary_json(s: &Summary) -> serde_json::Value {
    json!({
        "n": s.n,
        "mean": s.mean,
        "sd": s.sd,
        "ci95": s.ci95.map(|(a, b)| vec![a, b]),
        "p5": s.quantiles[0],
        "p50": s.quantiles[1],
        "p95": s.quantiles[2],
        "min": s.range.0,
        "max": s.range.1,
    })
}

/// The JSON document of a simulation (docs/json.md, "gov simulate").
pub fn sim_json(r: &SimResult, file: &str) -> serde_json::Value {
    json!({
        "version": 1,
        "ok": true,
        "file": file,
        "simulation": r.name,
        "scenario": r.scenario,
        "rounds": r.settings.rounds,
        "reps": r.settings.reps,
        "seed": r.settings.seed,
        "start": r.start,
        "strategies": r.strategies,
        "metrics": r.metrics.iter().zip(&r.summary).map(|((name, ty), (over, last))| json!({
            "name": name,
            "unit": unit(ty),
            "over_rounds": summary_json(over),
            "final_round": summary_json(last),
        })).collect::<Vec<_>>(),
    })
}

/// Every replication's every round: `rep,round,<metric>...` (numbers round-trip exactly).
pub fn csv_rounds(r: &SimResult) -> String {
    let mut head = vec!["rep".to_string(), "round".to_string()];
    head.extend(r.metrics.iter().map(|(name, _)| name.clone()));
    let mut lines = vec![head];
    for (rep, rows) in r.series.iter().enumerate() {
        for (round, row) in rows.iter().enumerate() {
            let mut line = vec![(rep + 1).to_string(), (round + 1).to_string()];
            line.extend(row.iter().map(|v| data_number(*v)));
            lines.push(line);
        }
    }
    csv_text(&lines)
}

/// The summary table: one row per metric and statistic.
pub fn csv_summary(r: &SimResult) -> String {
    let head = "metric,unit,of,n,mean,sd,ci95_lo,ci95_hi,p5,p50,p95,min,max";
    let mut lines = vec![head.split(',').map(str::to_string).collect::<Vec<_>>()];
    let opt = |x: Option<f64>| x.map(data_number).unwrap_or_default();
    for ((name, ty), (over, last)) in r.metrics.iter().zip(&r.summary) {
        for (label, s) in [("rounds", over), ("final", last)] {
            let mut line = vec![name.clone(), unit(ty), label.to_string(), s.n.to_string(), data_number(s.mean)];
            line.extend([opt(s.sd), opt(s.ci95.map(|c| c.0)), opt(s.ci95.map(|c| c.1))]);
            line.extend(s.quantiles.iter().map(|q| data_number(*q)));
            line.extend([data_number(s.range.0), data_number(s.range.1)]);
            lines.push(line);
        }
    }
    csv_text(&lines)
}

/// Lines as CSV (quoted where needed, `\n` line ends).
fn csv_text(lines: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for line in lines {
        // Writing to memory cannot fail.
        let _ = w.write_record(line);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
