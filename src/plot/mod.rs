//! Pictures of a sweep: line plots of metrics against one varied parameter (one line per
//! value of a second parameter), and maps over two parameters — a region map with a
//! legend for a categorical outcome (comply / pay / abstain, the scenario that wins a
//! compare), a heatmap with a colour bar for a number. Axis labels carry units; failed
//! points are grey. SVG is drawn with plotters (no system fonts: text is left to the
//! viewer); `png` renders that SVG with resvg and a bundled font, so PNGs are the same
//! on every machine. Input is a sweep's JSON document or its CSV.

mod lines;
mod map;
pub mod png;

use crate::sweep::point::Cell;
use crate::sweep::table::{Header, Kind, Row};

/// A sweep's table, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The varied parameters.
    pub axes: Vec<TableAxis>,
    /// The recorded columns.
    pub columns: Vec<TableColumn>,
    /// One per point.
    pub rows: Vec<TableRow>,
}

/// A varied parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct TableAxis {
    /// Its name.
    pub name: String,
    /// Its unit, if known.
    pub unit: Option<String>,
    /// Log-spaced: drawn on a log scale.
    pub log: bool,
}

/// A recorded column.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// Its name.
    pub name: String,
    /// Its unit, if known.
    pub unit: Option<String>,
    /// Numbers or categories.
    pub kind: Kind,
}

/// One point.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// The axes' values.
    pub coords: Vec<f64>,
    /// The point failed to solve.
    pub failed: bool,
    /// One cell per column (`Empty` when not recorded).
    pub cells: Vec<Cell>,
}

impl Table {
    /// The table of a sweep document.
    pub fn from_document(header: &Header, rows: &[Row]) -> Table {
        let mut names: Vec<String> = Vec::new();
        for r in rows {
            for (c, _) in r.outcome.iter().flatten() {
                if !names.contains(c) {
                    names.push(c.clone());
                }
            }
        }
        let columns: Vec<TableColumn> = names
            .iter()
            .map(|n| {
                let info = header.columns.get(n);
                TableColumn {
                    name: n.clone(),
                    unit: info.and_then(|i| i.unit.clone()),
                    kind: info.map(|i| i.kind).unwrap_or(Kind::Number),
                }
            })
            .collect();
        let rows = rows
            .iter()
            .map(|r| TableRow {
                coords: r.values.clone(),
                failed: r.outcome.is_err(),
                cells: names
                    .iter()
                    .map(|n| {
                        let cells = r.outcome.as_ref().ok();
                        cells
                            .and_then(|c| c.iter().find(|(k, _)| k == n))
                            .map(|(_, v)| v.clone())
                            .unwrap_or(Cell::Empty)
                    })
                    .collect(),
            })
            .collect();
        let axes = header
            .axes
            .iter()
            .map(|a| TableAxis { name: a.name.clone(), unit: a.unit.clone(), log: a.spacing == "log" })
            .collect();
        Table { axes, columns, rows }
    }

    /// The table of a sweep's CSV: the axes are the columns between `point` and
    /// `status`; a column is numeric when every value in it reads as a number. Units are
    /// not in a CSV (pass the JSON document for labels with units).
    pub fn from_csv(text: &str) -> Result<Table, String> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let head: Vec<String> =
            reader.headers().map_err(|e| format!("not CSV: {e}"))?.iter().map(str::to_string).collect();
        let status = head.iter().position(|h| h == "status");
        let (Some(0), Some(status)) = (head.iter().position(|h| h == "point"), status) else {
            return Err("not a sweep table: the columns must start `point, <parameters>, status`".into());
        };
        let end = head.iter().rposition(|h| h == "code").unwrap_or(head.len()).max(status + 1);
        let mut raw: Vec<Vec<String>> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("not CSV: {e}"))?;
            raw.push(record.iter().map(str::to_string).collect());
        }
        let axes: Vec<TableAxis> =
            head[1..status].iter().map(|n| TableAxis { name: n.clone(), unit: None, log: false }).collect();
        let numeric = |k: usize| raw.iter().all(|r| r.get(k).is_none_or(|v| v.is_empty() || parse_num(v).is_some()));
        let columns: Vec<TableColumn> = (status + 1..end)
            .map(|k| TableColumn {
                name: head[k].clone(),
                unit: None,
                kind: if numeric(k) { Kind::Number } else { Kind::Category },
            })
            .collect();
        let mut rows = Vec::with_capacity(raw.len());
        for (line, r) in raw.iter().enumerate() {
            let field = |k: usize| r.get(k).map(String::as_str).unwrap_or("");
            let coords = (1..status)
                .map(|k| {
                    parse_num(field(k)).ok_or_else(|| format!("line {}: `{}` is not a number", line + 2, field(k)))
                })
                .collect::<Result<Vec<f64>, String>>()?;
            let cells = (status + 1..end)
                .zip(&columns)
                .map(|(k, c)| match (field(k), c.kind) {
                    ("", _) => Cell::Empty,
                    (v, Kind::Number) => parse_num(v).map(Cell::Num).unwrap_or(Cell::Empty),
                    (v, Kind::Category) => Cell::Category(v.to_string()),
                })
                .collect();
            rows.push(TableRow { coords, failed: field(status) == "failed", cells });
        }
        Ok(Table { axes, columns, rows })
    }
}

fn parse_num(s: &str) -> Option<f64> {
    match s {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// Which picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotKind {
    /// Metrics against one parameter.
    Line,
    /// One metric over two parameters.
    Map,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The metrics (default: the first recorded column).
    pub metrics: Vec<String>,
    /// The parameter across (default: the first; for a map the other is up).
    pub x: Option<String>,
    /// Line or map (default: a map for two parameters, lines for one).
    pub kind: Option<PlotKind>,
    /// The title (default: the metrics).
    pub title: Option<String>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

/// `name [unit]`, or the name of a plain number.
fn label(name: &str, unit: Option<&str>) -> String {
    match unit {
        Some(u) => format!("{name} [{u}]"),
        None => name.to_string(),
    }
}

/// Draws the picture as SVG text; the error says what in the request does not fit.
pub fn svg(table: &Table, request: &Request) -> Result<String, String> {
    if table.axes.is_empty() {
        return Err("the sweep varies no parameter".into());
    }
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let metrics: Vec<usize> = if request.metrics.is_empty() {
        vec![0]
    } else {
        request
            .metrics
            .iter()
            .map(|m| names.iter().position(|n| n == m).ok_or_else(|| unknown("column", m, &names)))
            .collect::<Result<_, _>>()?
    };
    if table.columns.is_empty() {
        return Err("the sweep recorded no values (every point failed?)".into());
    }
    let axis_names: Vec<&str> = table.axes.iter().map(|a| a.name.as_str()).collect();
    let x = match &request.x {
        Some(x) => axis_names.iter().position(|n| n == x).ok_or_else(|| unknown("varied parameter", x, &axis_names))?,
        None => 0,
    };
    let kind = request.kind.unwrap_or(if table.axes.len() == 2 { PlotKind::Map } else { PlotKind::Line });
    if table.axes.len() > 2 {
        return Err(format!("the sweep varies {} parameters; a picture shows one or two", table.axes.len()));
    }
    let title = request
        .title
        .clone()
        .unwrap_or_else(|| metrics.iter().map(|&m| table.columns[m].name.as_str()).collect::<Vec<_>>().join(", "));
    match kind {
        PlotKind::Line => lines::draw(table, &metrics, x, &title, request.size),
        PlotKind::Map => {
            let [metric] = metrics.as_slice() else { return Err("a map shows one metric; pass one `--metric`".into()) };
            if table.axes.len() != 2 {
                return Err("a map needs a sweep over two parameters".into());
            }
            map::draw(table, *metric, x, &title, request.size)
        }
    }
}

fn unknown(what: &str, name: &str, names: &[&str]) -> String {
    match crate::check::suggest_name(name, names.iter().copied()) {
        Some(s) => format!("no {what} `{name}`; did you mean `{s}`?"),
        None => format!("no {what} `{name}`; the {what}s are: {}", names.join(", ")),
    }
}

/// Colour-blind-safe colours (Okabe and Ito, then a grey and a brown), for lines and
/// categories: as many as the lines one plot draws.
const PALETTE: [(u8, u8, u8); 10] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
    (0, 0, 0),
    (120, 120, 120),
    (140, 86, 75),
];

/// The colour of failed points.
const FAILED: (u8, u8, u8) = (190, 190, 190);

/// Where an axis value is drawn (log10 on a log axis).
fn place(axis: &TableAxis, v: f64) -> f64 {
    if axis.log {
        v.log10()
    } else {
        v
    }
}

/// A tick label for a drawn coordinate.
fn tick(axis: &TableAxis, t: f64) -> String {
    crate::report::number(if axis.log { 10f64.powf(t) } else { t })
}
