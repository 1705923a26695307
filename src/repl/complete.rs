//! Tab completion: what could come next at the cursor. After `:` the command names;
//! after `:explain` the codes, after `:scenario` the scenarios, after `:simulate` the
//! simulations, after `:set` the
//! parameters, after `:load` a path (the frontend completes it); after `Actor.`,
//! `Actor[i].`, `market.` or a variable bound by `d in Actor`, the members; elsewhere
//! keywords, built-ins and every name the session's regime declares.

use super::command::COMMANDS;
use crate::diag::Code;
use crate::model::{Builtin, DistKind, Model};
use crate::syntax::RESERVED_WORDS;

/// The names a session can complete, taken from its checked model.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    names: Vec<String>,
    members: Vec<(String, Vec<String>)>,
    params: Vec<String>,
    scenarios: Vec<String>,
    simulations: Vec<String>,
}

/// Candidates for the word that starts at byte `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace `line[start..pos]` with one of these (sorted, without duplicates).
    Words {
        /// Where the word being completed starts.
        start: usize,
        /// What it could be.
        candidates: Vec<String>,
    },
    /// A file path starts at `start` (the frontend completes paths).
    Path {
        /// Where the path starts.
        start: usize,
    },
}

const TYPES: &[&str] = &["Int", "Real", "Bool", "Prob"];
const AGGREGATES: &[&str] = &["sum", "mean", "min", "max", "product", "count", "all", "any"];

impl Scope {
    /// The names declared in `model` (the regime, its stdlib modules and prompt declarations).
    pub fn of(model: &Model) -> Scope {
        let mut names: Vec<String> = Vec::new();
        names.extend(model.units.iter().map(|u| u.name.clone()));
        names.extend(model.params.iter().map(|p| p.name.clone()));
        names.extend(model.lets.iter().map(|l| l.name.clone()));
        names.extend(model.fns.iter().map(|f| f.name.clone()));
        names.extend(model.randoms.iter().map(|r| r.name.clone()));
        names.extend(model.actors.iter().map(|a| a.name.clone()));
        names.extend(model.markets.iter().map(|m| m.name.clone()));
        names.extend(model.audits.iter().map(|a| a.name.clone()));
        for e in &model.enums {
            if !e.name.starts_with('{') {
                names.push(e.name.clone());
            }
            names.extend(e.variants.iter().cloned());
        }
        let mut members: Vec<(String, Vec<String>)> = model
            .actors
            .iter()
            .enumerate()
            .map(|(id, a)| {
                let mut m: Vec<String> = Vec::new();
                m.extend(a.params.iter().map(|p| p.name.clone()));
                m.extend(a.lets.iter().map(|l| l.name.clone()));
                m.extend(a.fns.iter().map(|f| f.name.clone()));
                m.extend(a.randoms.iter().map(|r| r.name.clone()));
                m.extend(a.choices.iter().map(|c| c.name.clone()));
                m.extend(model.licenses.iter().filter(|l| l.holders == id).map(|l| l.name.clone()));
                (a.name.clone(), m)
            })
            .collect();
        members.extend(model.markets.iter().map(|m| (m.name.clone(), vec!["price".to_string()])));
        Scope {
            names,
            members,
            params: model.params.iter().map(|p| p.name.clone()).collect(),
            scenarios: model.scenarios.iter().map(|s| s.name.clone()).collect(),
            simulations: model.simulations.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// What could complete the word before `pos` in `line`.
    pub fn complete(&self, line: &str, pos: usize) -> Completion {
        let pos = crate::source::floor_char_boundary(line, pos);
        let before = &line[..pos];
        let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + char_len(before, i));
        let word = &before[start..];
        if let Some(command) = before.trim_start().strip_prefix(':') {
            return self.complete_command(command, start, word, before.len() - command.len());
        }
        let prefix = &before[..start];
        let pool: Vec<String> = if let Some(owner) = prefix.strip_suffix('.') {
            self.members_of(owner, line)
        } else {
            let fixed = RESERVED_WORDS.iter().chain(TYPES).chain(Builtin::NAMES).chain(DistKind::NAMES);
            fixed.chain(AGGREGATES).map(|s| s.to_string()).chain(self.names.iter().cloned()).collect()
        };
        words(start, word, pool)
    }

    fn complete_command(&self, command: &str, start: usize, word: &str, name_at: usize) -> Completion {
        let Some(space) = command.find(char::is_whitespace) else {
            let names = COMMANDS.iter().map(|c| format!(":{}", c.name)).collect();
            return words(name_at - 1, &format!(":{command}"), names);
        };
        let name = super::command::lookup(&command[..space]).map(|c| c.name).unwrap_or("");
        let args = command[space..].trim_start();
        match name {
            "load" => Completion::Path { start: name_at + command.len() - args.len() },
            "explain" => words(start, word, Code::ALL.iter().map(|c| c.as_str().to_string()).collect()),
            "scenario" => {
                words(start, word, std::iter::once("base".to_string()).chain(self.scenarios.clone()).collect())
            }
            "simulate" if !args.contains(char::is_whitespace) => words(start, word, self.simulations.clone()),
            "set" if !args.contains('=') => words(start, word, self.params.clone()),
            "help" => words(start, word, COMMANDS.iter().map(|c| c.name.to_string()).collect()),
            "set" | "type" => {
                let line = &command[space..];
                match self.complete(line, line.len()) {
                    Completion::Words { start: s, candidates } => {
                        Completion::Words { start: name_at + space + s, candidates }
                    }
                    path => path,
                }
            }
            _ => Completion::Words { start, candidates: Vec::new() },
        }
    }

    /// The members of what precedes the dot: `Actor`, `Actor[i]`, `market`, or a
    /// variable the line binds with `d in Actor`.
    fn members_of(&self, owner: &str, line: &str) -> Vec<String> {
        let owner = strip_index(owner.trim_end());
        let name_start =
            owner.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + char_len(owner, i));
        let name = &owner[name_start..];
        let find = |n: &str| self.members.iter().find(|(o, _)| o == n).map(|(_, m)| m.clone());
        find(name).or_else(|| bound_family(line, name).and_then(|f| find(&f))).unwrap_or_default()
    }
}

/// `Developer[i + 1]` → `Developer` (a trailing index is skipped, brackets balanced).
fn strip_index(text: &str) -> &str {
    if !text.ends_with(']') {
        return text;
    }
    let mut depth = 0;
    for (i, c) in text.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// The family a line binds `var` to, as in `sum(d in Developer: d.c)`.
fn bound_family(line: &str, var: &str) -> Option<String> {
    let tokens: Vec<&str> =
        line.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|t| !t.is_empty()).collect();
    tokens.windows(3).find(|w| w[0] == var && w[1] == "in").map(|w| w[2].to_string())
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

fn words(start: usize, word: &str, pool: Vec<String>) -> Completion {
    let mut candidates: Vec<String> = pool.into_iter().filter(|c| c.starts_with(word)).collect();
    candidates.sort();
    candidates.dedup();
    Completion::Words { start, candidates }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let src = "unit usd\nunit pflop\nparam price_cap: usd/pflop = 3 usd/pflop\nparam n: Int = 2\n\
                   actor Developer[i in 1..n] {\n  param A: Real = 1\n  choose c: pflop in [0, 10 pflop]\n  \
                   payoff A * 1 usd/pflop * c - permits.price * c\n}\n\
                   market permits { supply 5 pflop  demand sum(d in Developer: d.c)  price: usd/pflop }\n\
                   scenario loose { set n = 3 }\n\
                   simulate rounds { rounds 3  metric p = permits.price }\n";
        let outcome = crate::session::check_source("t.gov", src);
        assert!(outcome.ok(), "{:?}", outcome.diagnostics);
        Scope::of(&outcome.model.expect("checks"))
    }

    fn candidates(line: &str) -> Vec<String> {
        match scope().complete(line, line.len()) {
            Completion::Words { candidates, .. } => candidates,
            Completion::Path { .. } => vec!["<path>".into()],
        }
    }

    #[test]
    fn names_members_and_commands() {
        assert_eq!(candidates("perm"), ["permits"]);
        assert_eq!(candidates("permits.p"), ["price"]);
        assert_eq!(candidates("Developer[2]."), ["A", "c"]);
        assert_eq!(candidates("sum(d in Developer: d.c"), ["c"]);
        assert_eq!(candidates("price"), ["price_cap"]);
        assert_eq!(candidates("fora"), ["forall"]);
        assert_eq!(candidates("sq"), ["sqrt"]);
        assert_eq!(candidates(":re"), [":reload"]);
        assert_eq!(candidates(":s"), [":scenario", ":set", ":simulate", ":solve"]);
        assert_eq!(candidates(":simulate r"), ["rounds"]);
        assert_eq!(candidates(":scenario "), ["base", "loose"]);
        assert_eq!(candidates(":set pri"), ["price_cap"]);
        assert_eq!(candidates(":set n = Dev"), ["Developer"]);
        assert_eq!(
            candidates(":explain E030"),
            ["E0301", "E0302", "E0303", "E0304", "E0305", "E0306", "E0308", "E0309"]
        );
        assert_eq!(candidates(":load ex"), ["<path>"]);
    }

    #[test]
    fn the_replaced_span_is_the_word() {
        assert_eq!(scope().complete("1 + perm", 8), Completion::Words { start: 4, candidates: vec!["permits".into()] });
        assert_eq!(
            scope().complete(":type permits.pr", 16),
            Completion::Words { start: 14, candidates: vec!["price".into()] }
        );
        assert_eq!(scope().complete(":load examples/", 15), Completion::Path { start: 6 });
    }
}
