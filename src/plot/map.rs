//! Maps over two parameters: each point is a cell reaching halfway to its neighbours.
//! A categorical metric gives a region map (one colour per category, a legend of
//! swatches); a number gives a heatmap (viridis, with a colour bar). Failed points are
//! grey and listed in the legend.

use super::{label, place, tick, Table, FAILED, PALETTE};
use crate::sweep::point::Cell;
use crate::sweep::table::Kind;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

/// Width of the legend panel, pixels.
const LEGEND: u32 = 230;

pub(super) fn draw(table: &Table, metric: usize, x: usize, title: &str, size: (u32, u32)) -> Result<String, String> {
    let y = 1 - x;
    let (xa, ya) = (&table.axes[x], &table.axes[y]);
    let x_edges = edges(table.rows.iter().map(|r| place(xa, r.coords[x])).collect());
    let y_edges = edges(table.rows.iter().map(|r| place(ya, r.coords[y])).collect());
    let column = &table.columns[metric];
    let fills = fills(table, metric);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| format!("cannot draw: {e}");
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(title, ("sans-serif", 24)).map_err(e)?;
        let (plot, legend) = root.split_horizontally(size.0.saturating_sub(LEGEND));
        let (Some(&(x0, _)), Some(&(_, x1)), Some(&(y0, _)), Some(&(_, y1))) = (
            x_edges.first().map(|e| &e.1),
            x_edges.last().map(|e| &e.1),
            y_edges.first().map(|e| &e.1),
            y_edges.last().map(|e| &e.1),
        ) else {
            return Err("the sweep has no points".into());
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        let (x_fmt, y_fmt) = (|t: &f64| tick(xa, *t), |t: &f64| tick(ya, *t));
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(label(&xa.name, xa.unit.as_deref()))
            .y_desc(label(&ya.name, ya.unit.as_deref()))
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 15))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(e)?;
        let cells = runs(table, &fills.colors, (x, &x_edges), (y, &y_edges))
            .into_iter()
            .map(|(a, b, (r, g, bl))| Rectangle::new([a, b], RGBColor(r, g, bl).filled()));
        chart.draw_series(cells).map_err(e)?;
        draw_legend(&legend, column.name.as_str(), column.unit.as_deref(), &fills).map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(out)
}

/// The colour of each row and what the legend shows.
struct Fills {
    colors: Vec<Option<(u8, u8, u8)>>,
    legend: Legend,
    failed: bool,
}

enum Legend {
    Categories(Vec<(String, (u8, u8, u8))>),
    Scale(f64, f64),
}

fn fills(table: &Table, metric: usize) -> Fills {
    let cell = |r: &super::TableRow| r.cells.get(metric).cloned().unwrap_or(Cell::Empty);
    let failed = table.rows.iter().any(|r| r.failed);
    if table.columns[metric].kind == Kind::Category {
        let mut cats: Vec<String> =
            table.rows.iter().filter_map(|r| if let Cell::Category(c) = cell(r) { Some(c) } else { None }).collect();
        cats.sort();
        cats.dedup();
        let color = |c: &str| cats.iter().position(|x| x == c).map(|k| PALETTE[k % PALETTE.len()]);
        let colors = table
            .rows
            .iter()
            .map(|r| match cell(r) {
                _ if r.failed => Some(FAILED),
                Cell::Category(c) => color(&c),
                _ => None,
            })
            .collect();
        let legend = cats.iter().map(|c| (c.clone(), color(c).unwrap_or(FAILED))).collect();
        return Fills { colors, legend: Legend::Categories(legend), failed };
    }
    let values: Vec<f64> =
        table.rows.iter().filter_map(|r| if let Cell::Num(v) = cell(r) { Some(v) } else { None }).collect();
    let lo = values.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let colors = table
        .rows
        .iter()
        .map(|r| match cell(r) {
            _ if r.failed => Some(FAILED),
            Cell::Num(v) if v.is_finite() => Some(viridis(v, lo, hi)),
            _ => None,
        })
        .collect();
    Fills { colors, legend: Legend::Scale(lo, hi), failed }
}

fn viridis(v: f64, lo: f64, hi: f64) -> (u8, u8, u8) {
    let t = if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.5 };
    let c = ViridisRGB::get_color(t);
    (c.0, c.1, c.2)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    name: &str,
    unit: Option<&str>,
    fills: &Fills,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let font = ("sans-serif", 17).into_font().color(&BLACK);
    area.draw(&Text::new(label(name, unit), (8, 24), font.clone()))?;
    let mut rows: Vec<(String, (u8, u8, u8))> = Vec::new();
    match &fills.legend {
        Legend::Categories(cats) => rows.extend(cats.iter().cloned()),
        Legend::Scale(lo, hi) => {
            let (top, height) = (48, 240);
            for k in 0..height {
                let v = hi - (hi - lo) * f64::from(k) / f64::from(height - 1);
                let (r, g, b) = viridis(v, *lo, *hi);
                area.draw(&Rectangle::new([(12, top + k), (36, top + k + 1)], RGBColor(r, g, b).filled()))?;
            }
            area.draw(&Rectangle::new([(12, top), (36, top + height)], BLACK.stroke_width(1)))?;
            for k in 0..=4 {
                let v = hi - (hi - lo) * f64::from(k) / 4.0;
                let at = top + (height - 1) * k / 4;
                area.draw(&Text::new(crate::report::number(v), (42, at - 6), font.clone()))?;
            }
            if fills.failed {
                area.draw(&Rectangle::new([(12, top + height + 20), (36, top + height + 36)], rgb(FAILED).filled()))?;
                area.draw(&Text::new("failed", (42, top + height + 22), font))?;
            }
            return Ok(());
        }
    }
    if fills.failed {
        rows.push(("failed".to_string(), FAILED));
    }
    for (k, (text, color)) in rows.iter().enumerate() {
        let at = 44 + 24 * k as i32;
        area.draw(&Rectangle::new([(12, at), (30, at + 16)], rgb(*color).filled()))?;
        area.draw(&Text::new(text.clone(), (38, at + 1), font.clone()))?;
    }
    Ok(())
}

/// The cells as rectangles, neighbours of one colour along a row joined (a region map
/// then has a few shapes per row instead of one per point).
fn runs(
    table: &Table,
    colors: &[Option<(u8, u8, u8)>],
    (x, x_edges): (usize, &[Edge]),
    (y, y_edges): (usize, &[Edge]),
) -> Vec<Rect> {
    let at = |edges: &[Edge], v: f64| edges.iter().position(|(e, _)| *e == v);
    let mut cells: Vec<(usize, usize, (u8, u8, u8))> = table
        .rows
        .iter()
        .zip(colors)
        .filter_map(|(r, c)| {
            let i = at(x_edges, place(&table.axes[x], r.coords[x]))?;
            let j = at(y_edges, place(&table.axes[y], r.coords[y]))?;
            Some((j, i, (*c)?))
        })
        .collect();
    cells.sort_by_key(|&(j, i, _)| (j, i));
    // (row, first column, last column) and the colour of each run.
    let mut out: Vec<((usize, usize, usize), Rgb)> = Vec::new();
    for (j, i, c) in cells {
        match out.last_mut() {
            Some(((row, _, last), color)) if *row == j && *last + 1 == i && *color == c => *last = i,
            _ => out.push(((j, i, i), c)),
        }
    }
    out.into_iter()
        .map(|((j, first, last), c)| ((x_edges[first].1 .0, y_edges[j].1 .0), (x_edges[last].1 .1, y_edges[j].1 .1), c))
        .collect()
}

/// A colour.
type Rgb = (u8, u8, u8);

/// A filled rectangle: two corners and a colour.
type Rect = ((f64, f64), (f64, f64), Rgb);

/// A distinct axis value and the cell around it.
type Edge = (f64, (f64, f64));

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// For each distinct value (sorted), the cell from halfway to the previous value to
/// halfway to the next (half a step beyond the ends; one unit for a single value).
fn edges(mut v: Vec<f64>) -> Vec<Edge> {
    v.sort_by(f64::total_cmp);
    v.dedup();
    let n = v.len();
    (0..n)
        .map(|k| {
            let left = if k > 0 {
                (v[k] + v[k - 1]) / 2.0
            } else if n > 1 {
                v[0] - (v[1] - v[0]) / 2.0
            } else {
                v[0] - 0.5
            };
            let right = if k + 1 < n {
                (v[k] + v[k + 1]) / 2.0
            } else if n > 1 {
                v[k] + (v[k] - v[k - 1]) / 2.0
            } else {
                v[0] + 0.5
            };
            (v[k], (left, right))
        })
        .collect()
}
