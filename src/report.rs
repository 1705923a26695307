//! Numbers and values as users read them: one number formatter for every float (so
//! output is byte-identical across runs), values shown with their units, and the
//! text and JSON forms of a run.

use crate::model::*;
use crate::solve::state::State;

/// Formats a number with up to 6 significant digits, trailing zeros trimmed; scientific
/// notation outside [1e-4, 1e9). `-0` prints as `0`.
pub fn number(x: f64) -> String {
    if let Some(s) = special(x) {
        return s;
    }
    let a = x.abs();
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = trim(mantissa);
        return format!("{mantissa}e{exp}");
    }
    let digits = 6 - (a.log10().floor() as i32 + 1);
    let decimals = digits.clamp(0, 12) as usize;
    trim(&format!("{x:.decimals$}"))
}

/// A number in a data file (CSV): the shortest text that reads back as exactly `x`, like
/// the JSON output, so no precision is lost between a sweep and its analysis (`inf`,
/// `-inf`, `NaN` for the non-finite).
pub fn data_number(x: f64) -> String {
    if let Some(s) = special(x) {
        return s;
    }
    let s = serde_json::Number::from_f64(x).map(|n| n.to_string()).unwrap_or_default();
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `NaN`, `inf`, `-inf` and `0` (for `-0` too), which both formatters write alike.
fn special(x: f64) -> Option<String> {
    if x.is_nan() {
        Some("NaN".into())
    } else if x.is_infinite() {
        Some(if x > 0.0 { "inf".into() } else { "-inf".into() })
    } else if x == 0.0 {
        Some("0".into())
    } else {
        None
    }
}

fn trim(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    let t = s.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

/// A number with the unit of `ty` (base units), e.g. `1.55008 usd/pflop`.
pub fn value_with_unit(x: f64, ty: &Type) -> String {
    match ty {
        Type::Num(_, d) if !d.is_one() => format!("{} {d}", number(x)),
        _ => number(x),
    }
}

/// Any value as users read it.
pub fn show_value(model: &Model, v: &Value, ty: &Type) -> String {
    match v {
        Value::Num(x) => value_with_unit(*x, ty),
        Value::Bool(b) => b.to_string(),
        Value::Enum(e, k) => model.enums.get(*e).and_then(|e| e.variants.get(*k)).cloned().unwrap_or_default(),
        Value::List(items) => {
            format!("[{}]", items.iter().map(|i| show_value(model, i, element(ty))).collect::<Vec<_>>().join(", "))
        }
        Value::Member(a, i) => member_name(model, *a, *i),
    }
}

fn element(ty: &Type) -> &Type {
    match ty {
        Type::List(t) => t,
        t => t,
    }
}

/// `Developer[2]` for a family member, `Generalist` for a single actor.
pub fn member_name(model: &Model, actor: ActorId, index: i64) -> String {
    match model.actors.get(actor) {
        Some(a) if a.family.is_some() => format!("{}[{index}]", a.name),
        Some(a) => a.name.clone(),
        None => "?".into(),
    }
}

/// Every member's choices on one line, for messages about several equilibria.
pub fn describe_choices(model: &Model, state: &State) -> String {
    let mut parts = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        let Some(s) = state.actors.get(a) else { continue };
        for m in 0..s.size {
            if s.abstained[m] {
                parts.push(format!("{} abstains", member_name(model, a, m as i64 + 1)));
                continue;
            }
            for (c, choice) in actor.choices.iter().enumerate() {
                let v = &s.choices[m][c];
                parts.push(format!(
                    "{}.{} = {}",
                    member_name(model, a, m as i64 + 1),
                    choice.name,
                    show_value(model, v, &choice.ty)
                ));
            }
        }
    }
    parts.join(", ")
}

/// The text report of a run.
pub fn run_text(model: &Model, report: &crate::run::RunReport, file: &str) -> String {
    use std::fmt::Write;
    let s = &report.solution;
    let mut out = String::new();
    let scenario = report.scenario.as_deref().map(|n| format!(", scenario `{n}`")).unwrap_or_default();
    let _ = writeln!(out, "regime `{file}`{scenario}");
    let _ = writeln!(out, "equilibrium: {}", s.concept);
    let movers = model.actors.iter().any(|a| !a.choices.is_empty());
    if movers {
        for m in &s.method {
            let _ = writeln!(out, "  method: {m}");
        }
        let unit = model.payoff_dim.as_ref().map(|d| Type::quantity(d.clone())).unwrap_or_else(Type::real);
        // Gains below 1e-9 are rounding noise of the search, not deviations.
        let gain = if s.certificate < 1e-9 { "below 1e-9".to_string() } else { value_with_unit(s.certificate, &unit) };
        let _ = writeln!(out, "  certificate: largest gain from a unilateral deviation {gain}");
    }
    if !model.markets.is_empty() {
        let _ = writeln!(out, "\nmarkets");
        for (m, market) in model.markets.iter().enumerate() {
            let price = Type::quantity(market.price_dim.clone());
            if s.state.inactive.markets[m] {
                let _ = writeln!(out, "  {}  removed", market.name);
                continue;
            }
            let _ = writeln!(
                out,
                "  {}.price = {}  (excess demand {})",
                market.name,
                value_with_unit(s.state.prices[m], &price),
                value_with_unit(s.excess_demand[m], &market.demand.ty)
            );
        }
    }
    let rows = actor_rows(model, &s.state);
    if !rows.is_empty() {
        let _ = writeln!(out, "\nactors");
        let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        for (who, choices, payoff) in rows {
            let _ = writeln!(out, "  {who:width$}  {choices}  payoff {payoff}");
        }
    }
    verdicts(&mut out, "checks", &report.checks, "holds", "FAILS");
    verdicts(&mut out, "expects", &report.expects, "ok", "FAILS");
    for g in &report.games {
        let _ = write!(out, "\n{}", crate::games::game_text(g));
    }
    for c in &report.comparisons {
        let _ = writeln!(out, "\ncompare {}", c.name);
        let width = c.rows.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0).max(8);
        for (name, v) in &c.rows {
            let _ = writeln!(out, "  {name:width$}  {}", value_with_unit(*v, &c.ty));
        }
    }
    out
}

fn verdicts(out: &mut String, title: &str, list: &[crate::verify::Verdict], yes: &str, no: &str) {
    use std::fmt::Write;
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    out.push_str(&verdict_lines(list, yes, no));
}

/// One line per verdict (`holds name  method`), its detail indented below: how the run
/// report lists checks (`holds`/`FAILS`) and expects (`ok`/`FAILS`).
pub fn verdict_lines(list: &[crate::verify::Verdict], yes: &str, no: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let width = list.iter().map(|v| v.name.chars().count()).max().unwrap_or(0);
    for v in list {
        let mark = if v.holds { yes } else { no };
        let _ = writeln!(out, "  {mark:5} {:width$}  {}", v.name, v.method);
        if !v.detail.is_empty() {
            let _ = writeln!(out, "        {:width$}  {}", "", v.detail);
        }
    }
    out
}

/// (member, choices, payoff) for every actor member with choices or a payoff.
fn actor_rows(model: &Model, state: &State) -> Vec<(String, String, String)> {
    let env = crate::solve::state::RunEnv::new(model, state);
    let unit = model.payoff_dim.as_ref().map(|d| Type::quantity(d.clone())).unwrap_or_else(Type::real);
    let mut rows = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        if actor.payoff.is_none() && actor.choices.is_empty() {
            continue;
        }
        for m in 0..state.actors[a].size {
            let who = member_name(model, a, m as i64 + 1);
            let choices = if state.actors[a].abstained[m] {
                "abstains".to_string()
            } else {
                actor
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(c, ch)| {
                        format!("{} = {}", ch.name, show_value(model, &state.actors[a].choices[m][c], &ch.ty))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let payoff = match env.payoff(a, m as i64 + 1) {
                Ok(Some(v)) => value_with_unit(v, &unit),
                Ok(None) => value_with_unit(0.0, &unit),
                Err(_) => "undefined".into(),
            };
            rows.push((who, choices, payoff));
        }
    }
    rows
}

/// The JSON document of a run (schema: docs/json.md).
pub fn run_json(model: &Model, report: &crate::run::RunReport, file: &str) -> serde_json::Value {
    use serde_json::json;
    let s = &report.solution;
    let env = crate::solve::state::RunEnv::new(model, &s.state);
    let markets: Vec<_> = model
        .markets
        .iter()
        .enumerate()
        .map(|(m, market)| {
            json!({
                "name": market.name,
                "active": !s.state.inactive.markets[m],
                "price": s.state.prices[m],
                "unit": market.price_dim.to_string(),
                "excess_demand": s.excess_demand[m],
            })
        })
        .collect();
    let mut members = Vec::new();
    for (a, actor) in model.actors.iter().enumerate() {
        if actor.payoff.is_none() && actor.choices.is_empty() {
            continue;
        }
        for m in 0..s.state.actors[a].size {
            let choices: serde_json::Map<String, serde_json::Value> = actor
                .choices
                .iter()
                .enumerate()
                .map(|(c, ch)| (ch.name.clone(), value_json(model, &s.state.actors[a].choices[m][c])))
                .collect();
            members.push(json!({
                "actor": actor.name,
                "index": m + 1,
                "name": member_name(model, a, m as i64 + 1),
                "abstains": s.state.actors[a].abstained[m],
                "choices": choices,
                "payoff": env.payoff(a, m as i64 + 1).ok().flatten(),
            }));
        }
    }
    let verdict = |v: &crate::verify::Verdict| json!({ "name": v.name, "holds": v.holds, "method": v.method, "detail": v.detail });
    json!({
        "version": 1,
        "file": file,
        "scenario": report.scenario,
        "ok": report.all_hold(),
        "equilibrium": {
            "concept": s.concept,
            "method": s.method,
            "certificate": s.certificate,
            "rounds": s.rounds,
            "payoff_unit": model.payoff_dim.as_ref().map(ToString::to_string),
        },
        "markets": markets,
        "members": members,
        "checks": report.checks.iter().map(verdict).collect::<Vec<_>>(),
        "expects": report.expects.iter().map(verdict).collect::<Vec<_>>(),
        "games": report.games.iter().map(crate::games::game_json).collect::<Vec<_>>(),
        "comparisons": report.comparisons.iter().map(|c| json!({
            "name": c.name,
            "unit": c.ty.dim().map(ToString::to_string),
            "rows": c.rows.iter().map(|(n, v)| json!({ "scenario": n, "value": v })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn value_json(model: &Model, v: &Value) -> serde_json::Value {
    match v {
        Value::Num(x) => serde_json::json!(x),
        Value::Bool(b) => serde_json::json!(b),
        Value::Enum(e, k) => serde_json::json!(model.enums.get(*e).and_then(|e| e.variants.get(*k)).cloned()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(|i| value_json(model, i)).collect()),
        Value::Member(a, i) => serde_json::json!(member_name(model, *a, *i)),
    }
}
