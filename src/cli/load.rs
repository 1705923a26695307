//! Loading a regime for the commands that solve or simulate it: read the file, parse
//! `--set` overrides, check, validate `--scenario`, print warnings, and pick the model
//! the scenario changes. Failures are rendered here and come back as an exit code.

use super::{err, input, out, EXIT_INPUT};
use gov::diag::render::{render_human, render_json, RenderOptions};
use gov::diag::{Code, Diagnostic};
use gov::model::Model;
use gov::session::{Override, Regime, ScenarioModels};
use gov::source::SourceMap;

/// A checked regime ready to solve or simulate.
pub struct Loaded {
    /// The regime (sources for rendering later diagnostics).
    pub regime: Regime,
    /// The checked base model.
    pub model: Model,
    /// The `--set` overrides.
    pub overrides: Vec<Override>,
}

impl Loaded {
    /// The scenarios of the regime as `gov run` compares them.
    pub fn scenarios(&self) -> ScenarioModels<'_> {
        ScenarioModels { regime: &self.regime, base: &self.model, overrides: &self.overrides }
    }
}

/// What to load and how to report failures.
pub struct Request<'a> {
    /// The regime file.
    pub file: &'a str,
    /// The `--set` values.
    pub sets: &'a [String],
    /// The `--scenario`, validated once the regime is checked.
    pub scenario: Option<&'a str>,
    /// Colour diagnostics.
    pub color: bool,
    /// Diagnostics as JSON on stdout.
    pub json: bool,
}

/// Reads and checks the requested file; `text` is its contents when already read.
pub fn load(req: &Request<'_>, text: Option<String>, sources: SourceMap) -> Result<Loaded, i32> {
    load_prepared(req, text, sources, |_| Ok(()))
}

/// [`load`], letting `prepare` add to the regime (e.g. a sweep from the command line)
/// after `--set` values are read and before it is checked.
pub fn load_prepared(
    req: &Request<'_>,
    text: Option<String>,
    mut sources: SourceMap,
    prepare: impl FnOnce(&mut Regime) -> Result<(), Vec<Diagnostic>>,
) -> Result<Loaded, i32> {
    let Request { file, sets, scenario, color, json } = *req;
    let text = match text {
        Some(t) => t,
        None => input::read(file, &mut sources).map_err(|d| fail(&[d], &sources, color, json, EXIT_INPUT))?,
    };
    let id = sources.add(file, text);
    let mut regime =
        Regime::load(sources, id).map_err(|(sources, d)| fail(&d.into_vec(), &sources, color, json, EXIT_INPUT))?;
    let mut overrides = Vec::new();
    for s in sets {
        match regime.parse_override(s) {
            Ok(o) => overrides.push(o),
            Err(d) => return Err(fail(&[d], &regime.sources, color, json, EXIT_INPUT)),
        }
    }
    prepare(&mut regime).map_err(|d| fail(&d, &regime.sources, color, json, EXIT_INPUT))?;
    let (model, diags) = regime.check(&overrides);
    let warnings: Vec<Diagnostic> = diags.iter().filter(|d| !d.is_error()).cloned().collect();
    let Some(model) = model else { return Err(fail(&diags.into_vec(), &regime.sources, color, json, EXIT_INPUT)) };
    if let Some(name) = scenario {
        if !model.scenarios.iter().any(|s| s.name == name) && name != "base" {
            let hint = gov::run::scenario_hint(&model, name);
            err(&format!("error[{}]: unknown scenario `{name}`\n  Help: {hint}\n", Code::E0209));
            return Err(EXIT_INPUT);
        }
    }
    if !warnings.is_empty() && !json {
        err(&render_human(&warnings, &regime.sources, RenderOptions { color }));
    }
    Ok(Loaded { regime, model, overrides })
}

/// Renders diagnostics (JSON on stdout, or human on stderr) and returns `code`.
pub fn fail(diags: &[Diagnostic], sources: &SourceMap, color: bool, json: bool, code: i32) -> i32 {
    if json {
        let doc = serde_json::json!({ "version": 1, "ok": false, "diagnostics": diags.iter().map(|d| render_json(d, sources)).collect::<Vec<_>>() });
        out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
    } else {
        err(&render_human(diags, sources, RenderOptions { color }));
    }
    code
}
