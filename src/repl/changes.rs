//! What an equilibrium says, as named lines (`permits.price`, `Developer[2]`, `check
//! deterrence`), and what changed between two of them (`old → new`): how `:set`,
//! `:scenario` and `:solve` show the effect of a change. Values are compared as printed
//! (six significant digits), so rounding noise of the solver is not a change.

use crate::model::Model;
use crate::model::Type;
use crate::report::{member_name, show_value, value_with_unit};
use crate::run::RunReport;

/// The named values of one solved regime, in report order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    rows: Vec<(String, String)>,
}

impl Snapshot {
    /// Market prices, every member's choices (or `abstains`), and the verdict of every check and expect.
    pub fn of(model: &Model, report: &RunReport) -> Snapshot {
        let state = &report.solution.state;
        let mut rows = Vec::new();
        for (m, market) in model.markets.iter().enumerate() {
            let price = if state.inactive.markets.get(m).copied().unwrap_or(false) {
                "removed".to_string()
            } else {
                value_with_unit(state.prices.get(m).copied().unwrap_or(0.0), &Type::quantity(market.price_dim.clone()))
            };
            rows.push((format!("{}.price", market.name), price));
        }
        for (a, actor) in model.actors.iter().enumerate() {
            let Some(s) = state.actors.get(a) else { continue };
            if actor.choices.is_empty() {
                continue;
            }
            for m in 0..s.size {
                let choices = if s.abstained.get(m).copied().unwrap_or(false) {
                    "abstains".to_string()
                } else {
                    actor
                        .choices
                        .iter()
                        .zip(s.choices.get(m).into_iter().flatten())
                        .map(|(c, v)| format!("{} = {}", c.name, show_value(model, v, &c.ty)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                rows.push((member_name(model, a, m as i64 + 1), choices));
            }
        }
        for (kind, list, yes) in [("check", &report.checks, "holds"), ("expect", &report.expects, "ok")] {
            for v in list {
                rows.push((format!("{kind} {}", v.name), if v.holds { yes } else { "FAILS" }.to_string()));
            }
        }
        Snapshot { rows }
    }

    /// The lines that differ, `name  old → new`, aligned; a name present on one side only
    /// shows `—` on the other. Empty when nothing changed.
    pub fn changes(&self, new: &Snapshot) -> String {
        let old_value = |k: &str| self.rows.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let mut lines: Vec<(&str, &str, &str)> = Vec::new();
        for (name, value) in &new.rows {
            match old_value(name) {
                Some(old) if old == value => {}
                old => lines.push((name, old.unwrap_or("—"), value)),
            }
        }
        for (name, value) in &self.rows {
            if !new.rows.iter().any(|(n, _)| n == name) {
                lines.push((name, value, "—"));
            }
        }
        let width = lines.iter().map(|(n, _, _)| n.chars().count()).max().unwrap_or(0);
        lines.iter().map(|(n, old, new)| format!("  {n:width$}  {old} → {new}\n")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Snapshot;

    fn snap(rows: &[(&str, &str)]) -> Snapshot {
        Snapshot { rows: rows.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() }
    }

    #[test]
    fn only_differences_are_listed() {
        let old = snap(&[("permits.price", "2 usd/pflop"), ("Firm[1]", "c = 3 pflop"), ("Firm[2]", "c = 1 pflop")]);
        let new = snap(&[("permits.price", "2 usd/pflop"), ("Firm[1]", "abstains"), ("check cheap", "holds")]);
        assert_eq!(
            old.changes(&new),
            "  Firm[1]      c = 3 pflop → abstains\n  check cheap  — → holds\n  Firm[2]      c = 1 pflop → —\n"
        );
        assert_eq!(new.changes(&new), "");
    }
}
