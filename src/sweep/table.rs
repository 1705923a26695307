//! Sweep results as tidy tables: one row per point, one column per varied parameter and
//! per recorded value (schema: docs/json.md). The JSON document carries a header
//! (versions, the model and grid hashes, the shard, the columns with their units) and
//! the rows; the CSV carries the same rows. Shard documents read back exactly (floats
//! round-trip), so merging shards rebuilds the unsharded document byte for byte.

use super::point::{Cell, Entry};
use super::PointResult;
use crate::diag::render::render_json;
use crate::report::data_number;
use crate::source::SourceMap;
use indexmap::IndexMap;
use serde_json::{json, Map, Value};

/// The version of the sweep document format.
pub const VERSION: u64 = 1;

/// Column names a sweep uses itself; parameters and metrics cannot take them.
pub const RESERVED: &[&str] = &["point", "status", "code", "message", "diagnostic"];

/// A varied parameter, as documented.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisInfo {
    /// The parameter.
    pub name: String,
    /// Its unit (`None`: a plain number).
    pub unit: Option<String>,
    /// `linear`, `log` or `list`.
    pub spacing: String,
    /// Its values, canonical units.
    pub values: Vec<f64>,
}

impl AxisInfo {
    /// The axes of a grid, as documented.
    pub fn of(grid: &super::grid::Grid) -> Vec<AxisInfo> {
        grid.axes
            .iter()
            .map(|a| AxisInfo {
                name: a.name.clone(),
                unit: super::point::unit(&a.ty),
                spacing: a.spacing.as_str().to_string(),
                values: a.values.clone(),
            })
            .collect()
    }
}

/// Whether a recorded column holds numbers or categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numbers (canonical units).
    Number,
    /// Categories (text).
    Category,
}

/// What a recorded column holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInfo {
    /// Numbers or categories.
    pub kind: Kind,
    /// The unit of numbers.
    pub unit: Option<String>,
}

/// One shard of a sweep: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard.
    pub index: usize,
    /// How many.
    pub count: usize,
}

/// Everything about a sweep document but its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The `gov` version that wrote it.
    pub gov: String,
    /// The regime file, as given.
    pub file: String,
    /// The sweep's name.
    pub sweep: String,
    /// The scenario solved, if not the base regime.
    pub scenario: Option<String>,
    /// Identifies the regime (its text, `--set` values and the gov version).
    pub model_hash: String,
    /// Identifies the grid (axes, exact values, metrics asked for).
    pub grid_hash: String,
    /// Points in the whole grid.
    pub points: usize,
    /// The axes.
    pub axes: Vec<AxisInfo>,
    /// The shard this document holds, or `None` for the whole sweep.
    pub shard: Option<Shard>,
    /// False when the run was interrupted before every point was solved.
    pub complete: bool,
    /// The recorded columns' kinds and units, by name.
    pub columns: IndexMap<String, ColumnInfo>,
}

/// Why a point failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The diagnostic code.
    pub code: String,
    /// Its message.
    pub message: String,
    /// The whole diagnostic as JSON (docs/json.md).
    pub diagnostic: Value,
}

/// One point of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its index in the grid (`0..points`).
    pub index: usize,
    /// The varied parameters' values.
    pub values: Vec<f64>,
    /// Recorded (column, value) pairs, or why it failed.
    pub outcome: Result<Vec<(String, Cell)>, Failure>,
}

/// Rows from solved points, and the kinds and units of the columns they fill.
pub fn rows(results: Vec<PointResult>, sources: &SourceMap) -> (Vec<Row>, IndexMap<String, ColumnInfo>) {
    let mut columns: IndexMap<String, ColumnInfo> = IndexMap::new();
    let mut rows = Vec::with_capacity(results.len());
    for r in results {
        let outcome = match r.outcome {
            Ok(entries) => Ok(entries
                .into_iter()
                .map(|Entry { column, cell, unit, category }| {
                    let kind = if category { Kind::Category } else { Kind::Number };
                    columns.entry(column.clone()).or_insert(ColumnInfo { kind, unit });
                    (column, cell)
                })
                .collect()),
            Err(d) => Err(Failure {
                code: d.code.to_string(),
                message: d.message.clone(),
                diagnostic: render_json(&d, sources),
            }),
        };
        rows.push(Row { index: r.index, values: r.values, outcome });
    }
    (rows, columns)
}

/// Recorded column names in order of first appearance.
fn recorded(rows: &[Row]) -> Vec<String> {
    let mut seen: IndexMap<&str, ()> = IndexMap::new();
    for r in rows {
        if let Ok(cells) = &r.outcome {
            for (c, _) in cells {
                seen.entry(c.as_str()).or_insert(());
            }
        }
    }
    seen.into_keys().map(str::to_string).collect()
}

fn number_json(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        json!(data_number(x))
    }
}

fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Num(x) => number_json(*x),
        Cell::Category(s) => json!(s),
        Cell::Empty => Value::Null,
    }
}

/// The JSON document (schema: docs/json.md).
pub fn document(header: &Header, rows: &[Row]) -> Value {
    let names = recorded(rows);
    let mut columns = vec![json!({ "name": "point", "role": "point", "type": "integer" })];
    for a in &header.axes {
        columns.push(json!({ "name": a.name, "role": "axis", "type": "number", "unit": a.unit }));
    }
    columns.push(json!({ "name": "status", "role": "status", "type": "category", "categories": ["ok", "failed"] }));
    for name in &names {
        let info = header.columns.get(name).cloned().unwrap_or(ColumnInfo { kind: Kind::Number, unit: None });
        columns.push(match info.kind {
            Kind::Number => json!({ "name": name, "role": "metric", "type": "number", "unit": info.unit }),
            Kind::Category => {
                let mut cats: IndexMap<&str, ()> = IndexMap::new();
                for r in rows {
                    let Ok(cells) = &r.outcome else { continue };
                    for (c, v) in cells {
                        if let (true, Cell::Category(s)) = (c == name, v) {
                            cats.entry(s.as_str()).or_insert(());
                        }
                    }
                }
                let cats: Vec<&str> = cats.into_keys().collect();
                json!({ "name": name, "role": "metric", "type": "category", "categories": cats })
            }
        });
    }
    columns.push(json!({ "name": "code", "role": "error", "type": "text" }));
    columns.push(json!({ "name": "message", "role": "error", "type": "text" }));
    let failed = rows.iter().filter(|r| r.outcome.is_err()).count();
    let rows_json: Vec<Value> = rows.iter().map(|r| row_json(header, r)).collect();
    json!({
        "version": VERSION,
        "gov": header.gov,
        "file": header.file,
        "sweep": header.sweep,
        "scenario": header.scenario,
        "model_hash": header.model_hash,
        "grid_hash": header.grid_hash,
        "points": header.points,
        "shard": header.shard.map(|s| {
            let range = super::grid::shard_range(header.points, s.index, s.count);
            json!({ "index": s.index, "count": s.count, "first_point": range.start + 1, "last_point": range.end })
        }),
        "complete": header.complete,
        "solved": rows.len() - failed,
        "failed": failed,
        "axes": header.axes.iter().map(|a| json!({
            "name": a.name,
            "unit": a.unit,
            "spacing": a.spacing,
            "values": a.values.iter().map(|v| number_json(*v)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "columns": columns,
        "rows": rows_json,
    })
}

fn row_json(header: &Header, r: &Row) -> Value {
    let mut row = Map::new();
    row.insert("point".into(), json!(r.index + 1));
    for (a, v) in header.axes.iter().zip(&r.values) {
        row.insert(a.name.clone(), number_json(*v));
    }
    match &r.outcome {
        Ok(cells) => {
            row.insert("status".into(), json!("ok"));
            for (c, cell) in cells {
                row.insert(c.clone(), cell_json(cell));
            }
        }
        Err(f) => {
            row.insert("status".into(), json!("failed"));
            row.insert("code".into(), json!(f.code));
            row.insert("message".into(), json!(f.message));
            row.insert("diagnostic".into(), f.diagnostic.clone());
        }
    }
    Value::Object(row)
}

/// The tidy CSV: a header line of column names, then one line per point. Numbers are in
/// canonical units, written exactly; an empty field is a value not recorded.
pub fn csv(header: &Header, rows: &[Row]) -> String {
    let names = recorded(rows);
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut head: Vec<&str> = vec!["point"];
    head.extend(header.axes.iter().map(|a| a.name.as_str()));
    head.push("status");
    head.extend(names.iter().map(String::as_str));
    head.extend(["code", "message"]);
    let _ = w.write_record(&head);
    for r in rows {
        let mut line: Vec<String> = vec![(r.index + 1).to_string()];
        line.extend(r.values.iter().map(|v| data_number(*v)));
        match &r.outcome {
            Ok(cells) => {
                line.push("ok".into());
                for name in &names {
                    line.push(match cells.iter().find(|(c, _)| c == name).map(|(_, v)| v) {
                        Some(Cell::Num(x)) => data_number(*x),
                        Some(Cell::Category(s)) => s.clone(),
                        Some(Cell::Empty) | None => String::new(),
                    });
                }
                line.extend([String::new(), String::new()]);
            }
            Err(f) => {
                line.push("failed".into());
                line.extend(names.iter().map(|_| String::new()));
                line.extend([f.code.clone(), f.message.clone()]);
            }
        }
        let _ = w.write_record(&line);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Reads a sweep document back (a shard, or a whole sweep).
pub fn parse(text: &str) -> Result<(Header, Vec<Row>), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if doc.get("version").and_then(Value::as_u64) != Some(VERSION) || doc.get("grid_hash").is_none() {
        return Err(format!("not a version-{VERSION} sweep document (`gov sweep --json` or a shard file)"));
    }
    let text_of = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    let field = |k: &str| text_of(k).ok_or_else(|| format!("the field `{k}` is missing"));
    let axes = doc
        .get("axes")
        .and_then(Value::as_array)
        .ok_or("the field `axes` is missing")?
        .iter()
        .map(|a| AxisInfo {
            name: a.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
            unit: a.get("unit").and_then(Value::as_str).map(str::to_string),
            spacing: a.get("spacing").and_then(Value::as_str).unwrap_or_default().to_string(),
            values: a
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().map(number).collect())
                .unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let mut columns = IndexMap::new();
    for c in doc.get("columns").and_then(Value::as_array).into_iter().flatten() {
        if c.get("role").and_then(Value::as_str) != Some("metric") {
            continue;
        }
        let kind =
            if c.get("type").and_then(Value::as_str) == Some("category") { Kind::Category } else { Kind::Number };
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        columns.insert(name, ColumnInfo { kind, unit: c.get("unit").and_then(Value::as_str).map(str::to_string) });
    }
    let shard = doc.get("shard").filter(|s| !s.is_null()).map(|s| Shard {
        index: s.get("index").and_then(Value::as_u64).unwrap_or(0) as usize,
        count: s.get("count").and_then(Value::as_u64).unwrap_or(0) as usize,
    });
    let header = Header {
        gov: field("gov")?,
        file: field("file")?,
        sweep: field("sweep")?,
        scenario: text_of("scenario"),
        model_hash: field("model_hash")?,
        grid_hash: field("grid_hash")?,
        points: doc.get("points").and_then(Value::as_u64).ok_or("the field `points` is missing")? as usize,
        axes,
        shard,
        complete: doc.get("complete").and_then(Value::as_bool).unwrap_or(false),
        columns,
    };
    let mut rows = Vec::new();
    for (k, r) in doc.get("rows").and_then(Value::as_array).ok_or("the field `rows` is missing")?.iter().enumerate() {
        rows.push(parse_row(&header, r).ok_or_else(|| format!("row {} is malformed", k + 1))?);
    }
    Ok((header, rows))
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            _ => f64::NAN,
        },
        _ => f64::NAN,
    }
}

fn parse_row(header: &Header, r: &Value) -> Option<Row> {
    let obj = r.as_object()?;
    let index = (obj.get("point")?.as_u64()? as usize).checked_sub(1)?;
    let values: Vec<f64> = header.axes.iter().map(|a| obj.get(&a.name).map(number)).collect::<Option<_>>()?;
    let outcome = match obj.get("status")?.as_str()? {
        "failed" => Err(Failure {
            code: obj.get("code")?.as_str()?.to_string(),
            message: obj.get("message")?.as_str()?.to_string(),
            diagnostic: obj.get("diagnostic").cloned().unwrap_or(Value::Null),
        }),
        _ => {
            let axes: Vec<&str> = header.axes.iter().map(|a| a.name.as_str()).collect();
            let cells = obj
                .iter()
                .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !axes.contains(&k.as_str()))
                .map(|(k, v)| {
                    let kind = header.columns.get(k).map(|c| c.kind).unwrap_or(Kind::Number);
                    let cell = match (v, kind) {
                        (Value::Null, _) => Cell::Empty,
                        (Value::String(s), Kind::Category) => Cell::Category(s.clone()),
                        (v, _) => Cell::Num(number(v)),
                    };
                    (k.clone(), cell)
                })
                .collect();
            Ok(cells)
        }
    };
    Some(Row { index, values, outcome })
}

/// Joins the shards of one sweep (each `(file name, header, rows)`) into the document of
/// the whole sweep. Refuses shards of different sweeps, missing or repeated shards, and
/// interrupted ones; the message says which.
pub fn merge(mut shards: Vec<(String, Header, Vec<Row>)>) -> Result<(Header, Vec<Row>), String> {
    let Some((first_name, first, _)) = shards.first().cloned() else { return Err("no shard files given".into()) };
    let Some(count) = first.shard.map(|s| s.count) else {
        return Err(format!("`{first_name}` is a whole sweep, not a shard (made without `--shard`)"));
    };
    let mut columns = first.columns.clone();
    for (name, h, rows) in &shards {
        let differs = [
            ("gov version", h.gov != first.gov),
            ("regime file", h.file != first.file),
            ("sweep", h.sweep != first.sweep),
            ("scenario", h.scenario != first.scenario),
            ("model hash (the regime or its `--set` values)", h.model_hash != first.model_hash),
            ("grid hash (the varied values or the metrics)", h.grid_hash != first.grid_hash),
            ("number of shards", h.shard.map(|s| s.count) != Some(count)),
        ];
        if let Some((what, _)) = differs.iter().find(|(_, d)| *d) {
            return Err(format!("`{name}` and `{first_name}` are not shards of one sweep: their {what} differ"));
        }
        let Some(shard) = h.shard else { return Err(format!("`{name}` is a whole sweep, not a shard")) };
        if shard.index == 0 || shard.index > count {
            return Err(format!("`{name}` claims to be shard {} of {count}", shard.index));
        }
        let range = super::grid::shard_range(h.points, shard.index, shard.count);
        if !h.complete || rows.len() != range.len() || rows.iter().zip(range.clone()).any(|(r, k)| r.index != k) {
            return Err(format!(
                "shard {} of {count} (`{name}`) is incomplete: {} of its {} points were solved; run it again",
                shard.index,
                rows.len(),
                range.len()
            ));
        }
        for (k, v) in &h.columns {
            columns.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    shards.sort_by_key(|(_, h, _)| h.shard.map(|s| s.index).unwrap_or(0));
    for (k, (name, h, _)) in shards.iter().enumerate() {
        let index = h.shard.map(|s| s.index).unwrap_or(0);
        if index != k + 1 {
            return Err(if index == k {
                format!("shard {index} of {count} is given twice (again in `{name}`)")
            } else {
                format!("shard {} of {count} is missing", k + 1)
            });
        }
    }
    if shards.len() != count {
        return Err(format!("shard {} of {count} is missing", shards.len() + 1));
    }
    let rows: Vec<Row> = shards.into_iter().flat_map(|(_, _, r)| r).collect();
    Ok((Header { shard: None, complete: true, columns, ..first }, rows))
}
