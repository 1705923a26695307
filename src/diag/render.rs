//! Turning [`Diagnostic`]s into text at the edge of the program.
//!
//! miette is the *protocol* (codes, labels, help, JSON) and ariadne is the one *human*
//! renderer: [`render_human`] draws reports with ariadne, [`render_json`] goes through
//! miette's `JSONReportHandler` and then adds the keys that handler lacks (notes, file
//! names, 1-based line/column per label, labels in other files).
//!
//! Every span is clamped to its source text and to UTF-8 character boundaries before it
//! reaches ariadne or miette, and labels pointing into sources the [`SourceMap`] does not
//! know are dropped, so rendering never panics on a bad span.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use ariadne::{Color, Config, Fmt, IndexType, Report, ReportKind};
use miette::{JSONReportHandler, LabeledSpan, NamedSource, SourceCode};
use serde_json::{Map, Value};

use super::{Diagnostic, Label, Severity};
use crate::source::{floor_char_boundary, SourceFile, SourceId, SourceMap, Span};

/// Options for human rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Emit ANSI colours; `false` gives plain text (what golden tests compare).
    pub color: bool,
}

/// Renders diagnostics for humans with ariadne, one report after another (separated by
/// a blank line), each line stripped of trailing whitespace and the whole ending in a
/// newline. The summary line (`error: could not check ... due to 2 errors`) is not
/// included; the caller writes it.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, opts: RenderOptions) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in render_one(d, sources, opts).lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The closing line of a check: `ok: `path`` or `error: could not check `path` due to 2
/// errors` (`failed` when warnings are denied).
pub fn check_summary(path: &str, errors: usize, warnings: usize, failed: bool) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings, failed) {
        (0, 0, _) => format!("ok: `{path}`\n"),
        (0, w, false) => format!("ok: `{path}` ({})\n", plural(w, "warning")),
        (0, w, true) => format!("error: `{path}` has {} (denied)\n", plural(w, "warning")),
        (e, 0, _) => format!("error: could not check `{path}` due to {}\n", plural(e, "error")),
        (e, w, _) => {
            format!("error: could not check `{path}` due to {}; {} emitted\n", plural(e, "error"), plural(w, "warning"))
        }
    }
}

/// Renders one diagnostic as a JSON value via miette's `JSONReportHandler` (`message`,
/// `code`, `severity`, `causes`, `help`, `filename`, `labels` with byte `span`s,
/// `related`), then appends the keys the handler lacks: `notes`, `file` (the primary
/// label's file name, `null` if its source is unknown) and `secondary_in_other_files`
/// (labels outside the primary's file, in the same shape as `labels`). Each label object
/// also gets `line` and `column` (1-based, columns in characters), `file` and `primary`.
pub fn render_json(d: &Diagnostic, sources: &SourceMap) -> Value {
    let primary = resolve(sources, &d.primary, true);
    let primary_source = primary.as_ref().map(|p| p.source);
    let (same_file, other_files): (Vec<Resolved<'_>>, Vec<Resolved<'_>>) =
        d.secondary.iter().filter_map(|l| resolve(sources, l, false)).partition(|l| Some(l.source) == primary_source);
    let source = primary.as_ref().map(|p| NamedSource::new(&p.file.name, p.file.text.clone()));
    let in_file: Vec<Resolved<'_>> = primary.into_iter().chain(same_file).collect();

    let view = JsonView { d, labels: in_file.iter().map(Resolved::labeled_span).collect(), source };
    let mut text = String::new();
    let parsed = match JSONReportHandler::new().render_report(&mut text, &view) {
        Ok(()) => serde_json::from_str::<Value>(&text).ok(),
        Err(fmt::Error) => None,
    };
    let mut obj = match parsed {
        Some(Value::Object(map)) => map,
        // The handler does not escape every control character; rebuild the same shape.
        _ => handler_fallback(&view),
    };

    if let Some(Value::Array(labels)) = obj.get_mut("labels") {
        for (value, label) in labels.iter_mut().zip(&in_file) {
            if let Value::Object(map) = value {
                label.add_position(map, sources);
            }
        }
    }
    obj.insert("notes".into(), Value::Array(d.notes.iter().cloned().map(Value::String).collect()));
    let file = in_file.first().map_or(Value::Null, |p| Value::String(p.file.name.clone()));
    obj.insert("file".into(), file);
    let others = other_files
        .iter()
        .map(|l| {
            let mut map = label_json(l.message, &l.range);
            l.add_position(&mut map, sources);
            Value::Object(map)
        })
        .collect();
    obj.insert("secondary_in_other_files".into(), Value::Array(others));
    Value::Object(obj)
}

/// A label whose source exists, with its span made safe to render.
struct Resolved<'a> {
    source: SourceId,
    file: &'a SourceFile,
    range: Range<usize>,
    message: &'a str,
    primary: bool,
}

impl Resolved<'_> {
    /// The miette form of this label (no text when the message is empty).
    fn labeled_span(&self) -> LabeledSpan {
        let text = (!self.message.is_empty()).then(|| self.message.to_owned());
        let span = (self.range.start, self.range.len());
        if self.primary {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }

    /// The clamped span as char offsets (what ariadne's char mode expects).
    fn char_range(&self) -> Range<usize> {
        let text = self.file.text.as_str();
        let chars_in = |bytes: Range<usize>| text.get(bytes).map_or(0, |t| t.chars().count());
        let start = chars_in(0..self.range.start);
        start..start + chars_in(self.range.clone())
    }

    /// Adds `line`, `column`, `file` and `primary` to a label's JSON object.
    fn add_position(&self, map: &mut Map<String, Value>, sources: &SourceMap) {
        let (line, column) = sources.line_col(self.source, self.range.start);
        map.insert("line".into(), Value::from(line));
        map.insert("column".into(), Value::from(column));
        map.insert("file".into(), Value::String(self.file.name.clone()));
        map.insert("primary".into(), Value::Bool(self.primary));
    }
}

/// Looks the label's source up and clamps its span; `None` if the source is unknown.
fn resolve<'a>(sources: &'a SourceMap, label: &'a Label, primary: bool) -> Option<Resolved<'a>> {
    let file = sources.get(label.span.source)?;
    Some(Resolved {
        source: label.span.source,
        file,
        range: clamp(&file.text, label.span),
        message: &label.message,
        primary,
    })
}

/// Clamps `span` into `text`: the start down to a char boundary, the end up to one (so a
/// span inside a multi-byte character covers that character), never past the end and
/// never before the start.
fn clamp(text: &str, span: Span) -> Range<usize> {
    let start = floor_char_boundary(text, span.start as usize);
    let mut end = (span.end as usize).max(start).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// `{"label": ..., "span": {"offset": ..., "length": ...}}` as miette's handler writes it.
fn label_json(message: &str, range: &Range<usize>) -> Map<String, Value> {
    let mut map = Map::new();
    if !message.is_empty() {
        map.insert("label".into(), Value::String(message.to_owned()));
    }
    let mut span = Map::new();
    span.insert("offset".into(), Value::from(range.start));
    span.insert("length".into(), Value::from(range.len()));
    map.insert("span".into(), Value::Object(span));
    map
}

/// The object miette's handler would have produced, built directly.
fn handler_fallback(view: &JsonView<'_>) -> Map<String, Value> {
    let d = view.d;
    let mut map = Map::new();
    map.insert("message".into(), Value::String(d.message.clone()));
    map.insert("code".into(), Value::String(d.code.as_str().to_owned()));
    map.insert("severity".into(), Value::String(severity_word(d.severity).to_owned()));
    map.insert("causes".into(), Value::Array(Vec::new()));
    if let Some(help) = &d.help {
        map.insert("help".into(), Value::String(help.clone()));
    }
    if let Some(source) = &view.source {
        map.insert("filename".into(), Value::String(source.name().to_owned()));
    }
    let labels = view
        .labels
        .iter()
        .map(|l| Value::Object(label_json(l.label().unwrap_or(""), &(l.offset()..l.offset() + l.len()))))
        .collect();
    map.insert("labels".into(), Value::Array(labels));
    map.insert("related".into(), Value::Array(Vec::new()));
    map
}

/// `error` or `warning`, as printed in headers and JSON.
fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Renders one report (lines may still carry trailing whitespace).
fn render_one(d: &Diagnostic, sources: &SourceMap, opts: RenderOptions) -> String {
    let (kind, kind_color) = match d.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    let colour = |c: Color| Some(c).filter(|_| opts.color);
    let header = format!(
        "{} {}",
        format!("{}[{}]:", severity_word(d.severity), d.code.as_str()).fg(colour(kind_color)),
        d.message
    );

    let labels = ordered_labels(d, sources);
    let Some(first) = labels.iter().find(|l| l.primary).or(labels.first()) else {
        return render_without_source(header, d);
    };

    // Our spans are byte offsets, but ariadne 0.6's `IndexType::Byte` mode is unsound for
    // reports spanning several files: the `file:line:col` reference of every file after the
    // first is computed from a *char* offset used as a byte offset, which gives wrong
    // columns and panics ("not a char boundary") on non-ASCII text. So the byte spans are
    // converted to char offsets here and ariadne runs in its well-trodden char mode;
    // everything it draws is identical to byte mode otherwise.
    let config = Config::default().with_index_type(IndexType::Char).with_color(opts.color);
    let primary_span = (first.source, first.char_range());
    let mut builder = Report::build(kind, primary_span).with_config(config);
    for l in &labels {
        let label = ariadne::Label::new((l.source, l.char_range()))
            .with_color(if l.primary { kind_color } else { Color::Blue })
            .with_priority(i32::from(l.primary))
            // Always give a message, even an empty one: ariadne 0.6 draws neither underline
            // nor arrow for a label without a message, so without colour it would vanish.
            .with_message(l.message);
        builder.add_label(label);
    }
    if let Some(help) = &d.help {
        builder.set_help(help);
    }
    builder.with_notes(&d.notes);
    let report = builder.finish();

    let mut files = Files::default();
    for l in &labels {
        files
            .map
            .entry(l.source)
            .or_insert_with(|| (l.file.name.as_str(), ariadne::Source::from(l.file.text.as_str())));
    }
    let mut bytes = Vec::new();
    if report.write(&mut files, &mut bytes).is_err() {
        return render_without_source(header, d);
    }
    let text = String::from_utf8_lossy(&bytes);
    // ariadne's first line is its own header (`Error:`; no message was given, so it is one
    // line); replace it with ours.
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    format!("{header}\n{body}")
}

/// Header, help and notes for a diagnostic none of whose labels can be shown (ariadne only
/// prints help and notes under a source snippet).
fn render_without_source(header: String, d: &Diagnostic) -> String {
    let mut out = header;
    out.push('\n');
    let mut footer = |prefix: &str, text: &str| {
        let mut lines = text.lines();
        out.push_str(&format!("  {prefix}: {}\n", lines.next().unwrap_or("")));
        for line in lines {
            out.push_str(&format!("  {:width$}  {line}\n", "", width = prefix.len()));
        }
    };
    if let Some(help) = &d.help {
        footer("Help", help);
    }
    let numbered = d.notes.len() > 1;
    for (i, note) in d.notes.iter().enumerate() {
        let prefix = if numbered { format!("Note {}", i + 1) } else { "Note".to_owned() };
        footer(&prefix, note);
    }
    out
}

/// The labels that can be shown, grouped by file (the primary's first, then in order of
/// first appearance) and by position within a file, so ariadne draws each file once.
fn ordered_labels<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> Vec<Resolved<'a>> {
    let mut labels: Vec<Resolved<'a>> = std::iter::once(resolve(sources, &d.primary, true))
        .chain(d.secondary.iter().map(|l| resolve(sources, l, false)))
        .flatten()
        .collect();
    let mut file_order: Vec<SourceId> = Vec::new();
    for l in &labels {
        if !file_order.contains(&l.source) {
            file_order.push(l.source);
        }
    }
    labels.sort_by_key(|l| {
        let file_rank = file_order.iter().position(|s| *s == l.source);
        (file_rank, l.range.start, l.range.end, !l.primary)
    });
    labels
}

/// ariadne's view of the sources a report touches, keyed by [`SourceId`] and displayed
/// by file name.
#[derive(Default)]
struct Files<'a> {
    map: HashMap<SourceId, (&'a str, ariadne::Source<&'a str>)>,
}

/// A source a report asked for but the cache does not hold (cannot happen: the cache is
/// filled from the report's own labels).
#[derive(Debug)]
struct MissingSource;

impl<'a> ariadne::Cache<SourceId> for Files<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &SourceId) -> Result<&ariadne::Source<&'a str>, impl fmt::Debug> {
        self.map.get(id).map(|(_, source)| source).ok_or(MissingSource)
    }

    fn display<'b>(&self, id: &'b SourceId) -> Option<impl fmt::Display + 'b> {
        self.map.get(id).map(|(name, _)| (*name).to_owned())
    }
}

/// A diagnostic seen through miette's protocol, for the JSON handler.
#[derive(Debug)]
struct JsonView<'a> {
    d: &'a Diagnostic,
    /// Labels in the primary's file, primary first.
    labels: Vec<LabeledSpan>,
    /// The primary's file, if known.
    source: Option<NamedSource<String>>,
}

impl fmt::Display for JsonView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for JsonView<'_> {}

impl miette::Diagnostic for JsonView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
        render_human(diags, sources, RenderOptions { color: false })
    }

    fn units_example() -> (SourceMap, Diagnostic) {
        let mut sm = SourceMap::new();
        let id = sm.add("budget.gov", "param price: usd = 3\nlet total = price + 2 kg\n");
        let d = Diagnostic::new(Code::E0301, Span::new(id, 33..43), "mismatched units")
            .label("cannot add `kg` to `usd`")
            .with(Span::new(id, 13..16), "this is `usd`")
            .help("convert one side first")
            .note("units must agree in a sum");
        (sm, d)
    }

    #[test]
    fn two_labels_plain() {
        let (sm, d) = units_example();
        let expected = "\
error[E0301]: mismatched units
   ╭─[ budget.gov:2:13 ]
   │
 1 │ param price: usd = 3
   │              ─┬─
   │               ╰─── this is `usd`
 2 │ let total = price + 2 kg
   │             ─────┬────
   │                  ╰────── cannot add `kg` to `usd`
   │
   │ Help: convert one side first
   │
   │ Note: units must agree in a sum
───╯
";
        assert_eq!(plain(std::slice::from_ref(&d), &sm), expected);
    }

    #[test]
    fn reports_are_separated_by_a_blank_line_and_have_no_trailing_space() {
        let (sm, d) = units_example();
        let out = plain(&[d.clone(), d], &sm);
        assert_eq!(out.matches("error[E0301]: mismatched units").count(), 2);
        assert!(out.contains("───╯\n\nerror[E0301]"));
        assert!(out.lines().all(|l| l == l.trim_end()));
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn colour_only_when_asked() {
        let (sm, d) = units_example();
        let coloured = render_human(std::slice::from_ref(&d), &sm, RenderOptions { color: true });
        assert!(coloured.contains('\u{1b}'));
        assert!(coloured.contains("error[E0301]:"));
        assert!(!plain(&[d], &sm).contains('\u{1b}'));
    }

    #[test]
    fn warning_header() {
        let mut sm = SourceMap::new();
        let id = sm.add("w.gov", "param unused: usd = 1\n");
        let d = Diagnostic::new(Code::W0001, Span::new(id, 6..12), "unused parameter `unused`");
        // An empty primary message still draws the underline, with no text.
        let expected = "\
warning[W0001]: unused parameter `unused`
   ╭─[ w.gov:1:7 ]
   │
 1 │ param unused: usd = 1
   │       ───┬──
   │          ╰────
───╯
";
        assert_eq!(plain(&[d], &sm), expected);
    }

    #[test]
    fn span_at_end_of_input() {
        let mut sm = SourceMap::new();
        let with_newline = sm.add("a.gov", "let x = 1 +\n");
        let without = sm.add("b.gov", "let x = 1 +");
        let empty = sm.add("c.gov", "");
        let eof = |id, at| {
            Diagnostic::new(Code::E0101, Span::new(id, at..at), "unexpected end of input")
                .label("expected an expression")
        };
        let expected = "\
error[E0101]: unexpected end of input
   ╭─[ b.gov:1:12 ]
   │
 1 │ let x = 1 +
   │            │
   │            ╰─ expected an expression
───╯
";
        assert_eq!(plain(&[eof(without, 11)], &sm), expected);
        let out = plain(&[eof(with_newline, 12)], &sm);
        assert!(out.contains(" 1 │ let x = 1 +\n"), "{out}");
        assert!(out.contains("╰─ expected an expression"), "{out}");
        let out = plain(&[eof(empty, 0), eof(empty, 5)], &sm);
        assert_eq!(out.matches("╰─ expected an expression").count(), 2, "{out}");
    }

    #[test]
    fn span_inside_multibyte_char_is_clamped() {
        let mut sm = SourceMap::new();
        // θ is bytes 6..8, ≥ is 9..12, € is 13..16.
        let id = sm.add("m.gov", "check θ ≥ €5\n");
        let d = Diagnostic::new(Code::E0301, Span::new(id, 7..8), "mismatched units")
            .label("inside θ")
            .with(Span::new(id, 11..14), "from ≥ into €")
            .with(Span::new(id, 15..15), "empty, inside €");
        let out = plain(std::slice::from_ref(&d), &sm);
        assert!(out.contains(" 1 │ check θ ≥ €5\n"), "{out}");
        assert!(out.contains("inside θ") && out.contains("from ≥ into €"), "{out}");
        let json = render_json(&d, &sm);
        let spans: Vec<(u64, u64)> = json["labels"]
            .as_array()
            .map(|ls| {
                ls.iter().filter_map(|l| Some((l["span"]["offset"].as_u64()?, l["span"]["length"].as_u64()?))).collect()
            })
            .unwrap_or_default();
        assert_eq!(spans, vec![(6, 2), (9, 7), (13, 3)]);
        assert_eq!(json["labels"][0]["column"], 7);
        assert_eq!(json["labels"][1]["column"], 9);
        assert_eq!(json["labels"][2]["column"], 11);
    }

    #[test]
    fn labels_in_several_files() {
        let mut sm = SourceMap::new();
        let main = sm.add("main.gov", "let fee = 3 usd + 2 kg\n");
        let units = sm.add("<stdlib>/units.gov", "unit usd\nunit kg\n");
        let d = Diagnostic::new(Code::E0301, Span::new(main, 10..22), "mismatched units")
            .label("cannot add `kg` to `usd`")
            .with(Span::new(units, 14..16), "`kg` declared here")
            .with(Span::new(units, 5..8), "`usd` declared here");
        let expected = "\
error[E0301]: mismatched units
   ╭─[ main.gov:1:11 ]
   │
 1 │ let fee = 3 usd + 2 kg
   │           ──────┬─────
   │                 ╰─────── cannot add `kg` to `usd`
   │
   ├─[ <stdlib>/units.gov:1:6 ]
   │
 1 │ unit usd
   │      ─┬─
   │       ╰─── `usd` declared here
 2 │ unit kg
   │      ─┬
   │       ╰── `kg` declared here
───╯
";
        assert_eq!(plain(std::slice::from_ref(&d), &sm), expected);

        let json = render_json(&d, &sm);
        assert_eq!(json["labels"].as_array().map(Vec::len), Some(1));
        assert_eq!(json["file"], "main.gov");
        let others = &json["secondary_in_other_files"];
        assert_eq!(others[0]["file"], "<stdlib>/units.gov");
        assert_eq!(others[0]["label"], "`kg` declared here");
        assert_eq!((others[0]["line"].as_u64(), others[0]["column"].as_u64()), (Some(2), Some(6)));
        assert_eq!(others[1]["span"]["offset"], 5);
    }

    #[test]
    fn non_ascii_text_in_a_second_file() {
        let mut sm = SourceMap::new();
        let main = sm.add("main.gov", "let θ = 3 €\n");
        let lib = sm.add("lib.gov", "// ≥≥≥ αβγ\nunit €\n");
        let d = Diagnostic::new(Code::E0301, Span::new(main, 11..14), "mismatched units")
            .label("this is `€`")
            .with(Span::new(lib, 25..28), "declared here");
        let expected = "\
error[E0301]: mismatched units
   ╭─[ main.gov:1:11 ]
   │
 1 │ let θ = 3 €
   │           ┬
   │           ╰── this is `€`
   │
   ├─[ lib.gov:2:6 ]
   │
 2 │ unit €
   │      ┬
   │      ╰── declared here
───╯
";
        assert_eq!(plain(std::slice::from_ref(&d), &sm), expected);
        let other = &render_json(&d, &sm)["secondary_in_other_files"][0];
        assert_eq!((other["line"].as_u64(), other["column"].as_u64()), (Some(2), Some(6)));
    }

    #[test]
    fn unknown_sources_are_skipped() {
        let mut sm = SourceMap::new();
        let id = sm.add("a.gov", "let x = 1\n");
        let d = Diagnostic::new(Code::W0001, Span::new(SourceId(9), 0..3), "unused parameter")
            .label("lost")
            .with(Span::new(id, 4..5), "still shown")
            .with(Span::new(SourceId(7), 0..1), "also lost")
            .help("remove it");
        let out = plain(std::slice::from_ref(&d), &sm);
        assert!(out.starts_with("warning[W0001]: unused parameter\n   ╭─[ a.gov:1:5 ]\n"), "{out}");
        assert!(out.contains("still shown") && out.contains("│ Help: remove it"), "{out}");
        assert!(!out.contains("lost"), "{out}");

        let nowhere = Diagnostic::new(Code::E0104, Span::new(SourceId(9), 0..3), "cannot read source file")
            .help("check the path")
            .note("first")
            .note("second");
        let expected = "\
error[E0104]: cannot read source file
  Help: check the path
  Note 1: first
  Note 2: second
";
        assert_eq!(plain(std::slice::from_ref(&nowhere), &sm), expected);

        let json = render_json(&d, &sm);
        assert_eq!(json["file"], Value::Null);
        assert_eq!(json["labels"], Value::Array(Vec::new()));
        assert_eq!(json["secondary_in_other_files"][0]["label"], "still shown");
        let json = render_json(&nowhere, &sm);
        assert_eq!(json["notes"], serde_json::json!(["first", "second"]));
    }

    #[test]
    fn json_has_protocol_and_positions() {
        let (sm, d) = units_example();
        let json = render_json(&d, &sm);
        let keys: Vec<&str> = json.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(
            keys,
            [
                "message",
                "code",
                "severity",
                "causes",
                "help",
                "filename",
                "labels",
                "related",
                "notes",
                "file",
                "secondary_in_other_files"
            ]
        );
        assert_eq!(json["code"], "E0301");
        assert_eq!(json["severity"], "error");
        assert_eq!(json["message"], "mismatched units");
        assert_eq!(json["help"], "convert one side first");
        assert_eq!(json["filename"], "budget.gov");
        assert_eq!(json["notes"][0], "units must agree in a sum");
        let primary = &json["labels"][0];
        assert_eq!(primary["label"], "cannot add `kg` to `usd`");
        assert_eq!(primary["span"]["offset"], 33);
        assert_eq!(primary["span"]["length"], 10);
        assert_eq!((primary["line"].as_u64(), primary["column"].as_u64()), (Some(2), Some(13)));
        assert_eq!(primary["file"], "budget.gov");
        assert_eq!(primary["primary"], true);
        let secondary = &json["labels"][1];
        assert_eq!((secondary["line"].as_u64(), secondary["column"].as_u64()), (Some(1), Some(14)));
        assert_eq!(secondary["primary"], false);
        // Stable across calls.
        assert_eq!(render_json(&d, &sm), json);
    }

    #[test]
    fn json_survives_control_characters() {
        let mut sm = SourceMap::new();
        let id = sm.add("c.gov", "x\u{1}y\n");
        let d = Diagnostic::new(Code::E0101, Span::new(id, 1..2), "unexpected \u{1} character")
            .label("here \u{1b}")
            .help("delete \u{1}");
        let json = render_json(&d, &sm);
        assert_eq!(json["message"], "unexpected \u{1} character");
        assert_eq!(json["labels"][0]["label"], "here \u{1b}");
        assert_eq!(json["labels"][0]["column"], 2);
        assert_eq!(json["filename"], "c.gov");
        assert_eq!(json["help"], "delete \u{1}");
    }

    #[test]
    fn arbitrary_spans_never_panic() {
        let texts = ["", "a", "θ ≥ €\n", "x\r\ny\r\n", "\tτ\u{2028}z", "l1\n\nl3", "€"];
        let mut sm = SourceMap::new();
        let ids: Vec<SourceId> = texts.iter().enumerate().map(|(i, t)| sm.add(format!("f{i}.gov"), *t)).collect();
        for (&id, text) in ids.iter().zip(texts) {
            let n = text.len() as u32 + 3;
            for start in 0..n {
                for end in 0..n {
                    let other = ids[(id.0 as usize + 1) % ids.len()];
                    let d = Diagnostic::new(Code::E0101, Span { source: id, start, end }, "m")
                        .label("p")
                        .with(Span { source: id, start: end, end: start }, "s")
                        .with(Span { source: other, start, end }, "o");
                    let out = plain(std::slice::from_ref(&d), &sm);
                    assert!(out.starts_with("error[E0101]: m\n"));
                    let json = render_json(&d, &sm);
                    assert_eq!(json["code"], "E0101");
                }
            }
        }
    }
}
