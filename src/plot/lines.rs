//! Line plots: numeric metrics against one varied parameter. With a second parameter,
//! one line per value of it (at most ten, evenly chosen); failed points leave gaps.

use super::{label, place, tick, Table, PALETTE};
use crate::sweep::point::Cell;
use crate::sweep::table::Kind;
use plotters::prelude::*;

/// Most lines drawn for the values of a second parameter.
const MAX_LINES: usize = 10;

/// One line: its legend and its points (a `None` breaks the line).
type Series = (String, Vec<Option<(f64, f64)>>);

pub(super) fn draw(
    table: &Table,
    metrics: &[usize],
    x: usize,
    title: &str,
    size: (u32, u32),
) -> Result<String, String> {
    for &m in metrics {
        if table.columns[m].kind == Kind::Category {
            return Err(format!(
                "`{}` is a category; draw it as a map over two parameters (`--kind map`)",
                table.columns[m].name
            ));
        }
    }
    let series = collect(table, metrics, x);
    let xs: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().flatten().map(|q| q.0)).collect();
    let ys: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().flatten().map(|q| q.1)).collect();
    let (x0, x1) = bounds(&xs, 0.0);
    let (y0, y1) = bounds(&ys, 0.05);
    let axis = &table.axes[x];
    let units: Vec<Option<&str>> = metrics.iter().map(|&m| table.columns[m].unit.as_deref()).collect();
    let y_desc = match metrics {
        [m] => label(&table.columns[*m].name, units[0]),
        _ if units.windows(2).all(|w| w[0] == w[1]) => label("value", units[0]),
        _ => "value (canonical units)".to_string(),
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| format!("cannot draw: {e}");
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        let x_fmt = |t: &f64| tick(axis, *t);
        let y_fmt = |t: &f64| crate::report::number(*t);
        chart
            .configure_mesh()
            .x_desc(label(&axis.name, axis.unit.as_deref()))
            .y_desc(y_desc)
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 15))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(e)?;
        for (k, (name, points)) in series.iter().enumerate() {
            let (r, g, b) = PALETTE[k % PALETTE.len()];
            let style = ShapeStyle::from(RGBColor(r, g, b)).stroke_width(2);
            for run in points.split(Option::is_none) {
                let run: Vec<(f64, f64)> = run.iter().flatten().copied().collect();
                chart.draw_series(LineSeries::new(run.clone(), style)).map_err(e)?;
                chart.draw_series(run.iter().map(|p| Circle::new(*p, 2, style.filled()))).map_err(e)?;
            }
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(e)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(160, 160, 160))
                .label_font(("sans-serif", 16))
                .draw()
                .map_err(e)?;
        }
        root.present().map_err(e)?;
    }
    Ok(out)
}

/// The lines: one per metric, times one per value of the other parameter if any.
fn collect(table: &Table, metrics: &[usize], x: usize) -> Vec<Series> {
    let other = (0..table.axes.len()).find(|&a| a != x);
    let mut values: Vec<f64> = match other {
        Some(o) => table.rows.iter().map(|r| r.coords[o]).collect(),
        None => vec![0.0],
    };
    values.sort_by(f64::total_cmp);
    values.dedup();
    if values.len() > MAX_LINES {
        let last = values.len() - 1;
        values = (0..MAX_LINES).map(|k| values[k * last / (MAX_LINES - 1)]).collect();
    }
    let mut out = Vec::new();
    for &m in metrics {
        for &v in &values {
            let column = &table.columns[m];
            let name = match other {
                Some(o) => {
                    let a = &table.axes[o];
                    let at = match &a.unit {
                        Some(u) => format!("{} {u}", crate::report::number(v)),
                        None => crate::report::number(v),
                    };
                    if metrics.len() > 1 {
                        format!("{}, {} = {at}", column.name, a.name)
                    } else {
                        format!("{} = {at}", a.name)
                    }
                }
                None => column.name.clone(),
            };
            let mut points: Vec<(f64, Option<(f64, f64)>)> = table
                .rows
                .iter()
                .filter(|r| other.is_none_or(|o| r.coords[o] == v))
                .map(|r| {
                    let px = place(&table.axes[x], r.coords[x]);
                    match r.cells.get(m) {
                        Some(Cell::Num(y)) if y.is_finite() && !r.failed => (px, Some((px, *y))),
                        _ => (px, None),
                    }
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            out.push((name, points.into_iter().map(|(_, p)| p).collect()));
        }
    }
    out
}

/// The range of `v` widened by `pad` of its width (a flat range by one unit).
fn bounds(v: &[f64], pad: f64) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let w = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - w, hi + w);
    }
    let w = (hi - lo) * pad;
    (lo - w, hi + w)
}
