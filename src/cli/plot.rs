//! `gov plot TABLE`: draw a sweep's JSON document or CSV as SVG or PNG (by the output's
//! extension). Given a CSV, the JSON document beside it (same name, `.json`) supplies the
//! units, when it exists.

use super::output::write_atomic;
use super::{err, EXIT_INPUT, EXIT_OK};
use gov::diag::Code;
use gov::plot::{PlotKind, Request, Table};
use std::path::{Path, PathBuf};

/// Arguments of `gov plot`.
#[derive(clap::Args, Debug)]
pub struct PlotArgs {
    /// The sweep's table: `PREFIX.json` or `PREFIX.csv`.
    table: String,
    /// The metric(s) to draw (default: the first recorded; repeatable for lines).
    #[arg(long = "metric", value_name = "COLUMN")]
    metrics: Vec<String>,
    /// The parameter across (default: the first varied).
    #[arg(long, value_name = "PARAM")]
    x: Option<String>,
    /// `line` (metrics against one parameter) or `map` (one metric over two).
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// The title (default: the metric).
    #[arg(long)]
    title: Option<String>,
    /// Width and height in pixels.
    #[arg(long, value_name = "WxH", default_value = "800x600", value_parser = parse_size)]
    size: (u32, u32),
    /// Where to write: `.svg` or `.png`.
    #[arg(long, short)]
    out: PathBuf,
}

/// Which picture.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Kind {
    /// Metrics against one parameter.
    Line,
    /// One metric over two parameters.
    Map,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once('x').ok_or("write WIDTHxHEIGHT, e.g. 800x600")?;
    let n = |t: &str| t.parse::<u32>().ok().filter(|v| (100..=10_000).contains(v));
    match (n(w), n(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("each side is a whole number of pixels from 100 to 10000".into()),
    }
}

/// Runs `gov plot`.
pub fn run(args: &PlotArgs) -> i32 {
    let table = match load(Path::new(&args.table)) {
        Ok(t) => t,
        Err(why) => {
            err(&format!("error[{}]: `{}` is not a sweep table: {why}\n", Code::E0110, args.table));
            return EXIT_INPUT;
        }
    };
    let request = Request {
        metrics: args.metrics.clone(),
        x: args.x.clone(),
        kind: args.kind.map(|k| match k {
            Kind::Line => PlotKind::Line,
            Kind::Map => PlotKind::Map,
        }),
        title: args.title.clone(),
        size: args.size,
    };
    let svg = match gov::plot::svg(&table, &request) {
        Ok(s) => s,
        Err(why) => {
            err(&format!("error[{}]: {why}\n", Code::E0106));
            return EXIT_INPUT;
        }
    };
    let png = args.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let bytes = if png {
        match gov::plot::png::render(&svg, 2.0) {
            Ok(b) => b,
            Err(why) => {
                err(&format!("error[{}]: {why}\n", Code::E0109));
                return EXIT_INPUT;
            }
        }
    } else {
        svg.into_bytes()
    };
    if let Err(why) = write_atomic(&args.out, &bytes) {
        err(&format!("error[{}]: {why}\n", Code::E0109));
        return EXIT_INPUT;
    }
    EXIT_OK
}

/// Reads a sweep document, or a CSV (with units from its JSON sibling when present).
fn load(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        let (header, rows) = gov::sweep::table::parse(&text)?;
        return Ok(Table::from_document(&header, &rows));
    }
    let mut table = Table::from_csv(&text)?;
    let sibling = path.with_extension("json");
    if let Ok((header, _)) =
        std::fs::read_to_string(&sibling).map_err(|e| e.to_string()).and_then(|t| gov::sweep::table::parse(&t))
    {
        for a in &mut table.axes {
            if let Some(h) = header.axes.iter().find(|h| h.name == a.name) {
                a.unit.clone_from(&h.unit);
                a.log = h.spacing == "log";
            }
        }
        for c in &mut table.columns {
            if let Some(info) = header.columns.get(&c.name) {
                c.unit.clone_from(&info.unit);
            }
        }
    }
    Ok(table)
}
