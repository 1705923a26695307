//! The REPL's `:commands`: one table ([`COMMANDS`]) gives each command its name, its
//! arguments, its help line and how its arguments are read; `:help`, completion and
//! the parser all read that table. Names may be shortened to a unique prefix (`:r`).
//!
//! Adding a command is an entry in [`COMMANDS`], a [`Command`] variant, and an arm in
//! `Session::command` (`repl/session.rs`) that does the work.

use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// A parsed `:command`. Positions are byte offsets into the input, so diagnostics about
/// an argument point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:load FILE`.
    Load(String),
    /// `:reload`.
    Reload,
    /// `:set NAME = VALUE` (where `NAME` starts).
    Set(usize),
    /// `:solve`.
    Solve,
    /// `:check`.
    Check,
    /// `:scenario [NAME]` (the name and where it starts).
    Scenario(Option<(String, usize)>),
    /// `:explain [CODE]` (the code and where it starts).
    Explain(Option<(String, usize)>),
    /// `:type EXPR` (where the expression starts).
    Type(usize),
    /// `:simulate [NAME] [ROUNDS]` (the name and where it starts; the rounds).
    Simulate(Option<(String, usize)>, Option<u64>),
    /// `:help [COMMAND]`.
    Help(Option<String>),
    /// `:quit`.
    Quit,
}

/// One row of the command table.
pub struct CommandSpec {
    /// The name without the colon.
    pub name: &'static str,
    /// Its arguments as shown in help (`NAME = VALUE`, `[CODE]`).
    pub args: &'static str,
    /// What it does, one line.
    pub summary: &'static str,
    /// Reads the arguments.
    parse: fn(&Args<'_>) -> Result<Command, Diagnostic>,
}

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "load",
        args: "FILE",
        summary: "load a regime file, replacing the session (prompt declarations and :set values are dropped)",
        parse: |a| a.required("a file to load").map(|(f, _)| Command::Load(f.trim_matches('"').to_string())),
    },
    CommandSpec {
        name: "reload",
        args: "",
        summary: "load the current file again (after editing it)",
        parse: |a| a.none(Command::Reload),
    },
    CommandSpec {
        name: "set",
        args: "NAME = VALUE",
        summary: "give a parameter a value, re-solve, and show what changed in the equilibrium",
        parse: |a| a.required("`NAME = VALUE`").map(|(_, at)| Command::Set(at)),
    },
    CommandSpec {
        name: "solve",
        args: "",
        summary: "solve the regime: the report of `gov run`, and what changed since the last equilibrium",
        parse: |a| a.none(Command::Solve),
    },
    CommandSpec {
        name: "check",
        args: "",
        summary: "re-check the whole regime (file and prompt declarations) and show every warning",
        parse: |a| a.none(Command::Check),
    },
    CommandSpec {
        name: "scenario",
        args: "[NAME]",
        summary: "solve under a scenario from now on (`base` for none); without a name, list them",
        parse: |a| Ok(Command::Scenario(a.optional())),
    },
    CommandSpec {
        name: "simulate",
        args: "[NAME] [ROUNDS]",
        summary: "run a `simulate` block (the first without a name) under the scenario and `:set` values in force",
        parse: |a| a.simulate(),
    },
    CommandSpec {
        name: "type",
        args: "EXPR",
        summary: "show the type and unit of an expression without evaluating it",
        parse: |a| a.required("an expression").map(|(_, at)| Command::Type(at)),
    },
    CommandSpec {
        name: "explain",
        args: "[CODE]",
        summary: "explain a diagnostic code, e.g. `:explain E0301`; without a code, list them",
        parse: |a| Ok(Command::Explain(a.optional())),
    },
    CommandSpec {
        name: "help",
        args: "[COMMAND]",
        summary: "show this help, or one command's",
        parse: |a| Ok(Command::Help(a.optional().map(|(c, _)| c.trim_start_matches(':').to_string()))),
    },
    CommandSpec { name: "quit", args: "", summary: "leave (Ctrl-D does the same)", parse: |a| a.none(Command::Quit) },
];

/// The arguments of one command: the text after its name.
struct Args<'a> {
    name: &'static str,
    text: &'a str,
    /// Where the arguments start in `text`.
    start: usize,
    source: SourceId,
}

impl Args<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.start..).unwrap_or_default()
    }

    /// The trimmed arguments and where they start, or `None` when there are none.
    fn optional(&self) -> Option<(String, usize)> {
        let rest = self.rest();
        let trimmed = rest.trim();
        (!trimmed.is_empty()).then(|| (trimmed.to_string(), self.start + rest.len() - rest.trim_start().len()))
    }

    fn required(&self, what: &str) -> Result<(String, usize), Diagnostic> {
        self.optional().ok_or_else(|| {
            let end = self.text.trim_end().len();
            Diagnostic::new(Code::E0106, Span::new(self.source, end..end), format!("`:{}` needs {what}", self.name))
                .label("expected here")
                .help(format!("write `{}`", usage(self.spec())))
        })
    }

    fn none(&self, command: Command) -> Result<Command, Diagnostic> {
        match self.optional() {
            None => Ok(command),
            Some((extra, at)) => Err(Diagnostic::new(
                Code::E0106,
                Span::new(self.source, at..at + extra.len()),
                format!("`:{}` takes no arguments", self.name),
            )
            .label("unexpected")
            .help(format!("write `:{}` alone", self.name))),
        }
    }

    /// `[NAME] [ROUNDS]`: a word that is a whole number is the rounds.
    fn simulate(&self) -> Result<Command, Diagnostic> {
        let mut name = None;
        let mut rounds = None;
        let rest = self.rest();
        let mut at = self.start;
        for word in rest.split_whitespace() {
            let offset = at + rest[at - self.start..].find(word).unwrap_or(0);
            at = offset + word.len();
            let span = Span::new(self.source, offset..at);
            match word.parse::<u64>() {
                Ok(n) if n > 0 && rounds.is_none() => rounds = Some(n),
                _ if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
                    return Err(Diagnostic::new(Code::E0106, span, format!("`{word}` is not a number of rounds"))
                        .label("expected a whole number of at least 1")
                        .help(format!("write `{}`", usage(self.spec()))))
                }
                _ if name.is_none() && rounds.is_none() => name = Some((word.to_string(), offset)),
                _ => {
                    return Err(Diagnostic::new(Code::E0106, span, format!("unexpected `{word}`"))
                        .label("`:simulate` takes a name, then a number of rounds")
                        .help(format!("write `{}`", usage(self.spec()))))
                }
            }
        }
        Ok(Command::Simulate(name, rounds))
    }

    fn spec(&self) -> &'static CommandSpec {
        COMMANDS.iter().find(|c| c.name == self.name).unwrap_or(&COMMANDS[0])
    }
}

/// `:set NAME = VALUE`: how a command is written.
pub fn usage(spec: &CommandSpec) -> String {
    if spec.args.is_empty() {
        format!(":{}", spec.name)
    } else {
        format!(":{} {}", spec.name, spec.args)
    }
}

/// Finds a command by its name or a unique prefix of it.
pub fn lookup(word: &str) -> Result<&'static CommandSpec, Vec<&'static CommandSpec>> {
    if let Some(exact) = COMMANDS.iter().find(|c| c.name == word) {
        return Ok(exact);
    }
    let matches: Vec<&CommandSpec> =
        if word.is_empty() { Vec::new() } else { COMMANDS.iter().filter(|c| c.name.starts_with(word)).collect() };
    match matches.as_slice() {
        [one] => Ok(one),
        _ => Err(matches),
    }
}

/// Parses an input that starts with `:` (after blanks) into a command.
pub fn parse(text: &str, source: SourceId) -> Result<Command, Diagnostic> {
    let colon = text.len() - text.trim_start().len();
    let after = &text[colon + 1..];
    let len = after.find(|c: char| c.is_whitespace()).unwrap_or(after.len());
    let word = &after[..len];
    let span = Span::new(source, colon..colon + 1 + len);
    match lookup(word) {
        Ok(spec) => (spec.parse)(&Args { name: spec.name, text, start: colon + 1 + len, source }),
        Err(candidates) if candidates.len() > 1 => {
            let names: Vec<String> = candidates.iter().map(|c| format!("`:{}`", c.name)).collect();
            Err(Diagnostic::new(Code::E0106, span, format!("ambiguous command `:{word}`"))
                .label(format!("this could be {}", names.join(", ")))
                .help("type more of the name"))
        }
        Err(_) => {
            let hint = crate::check::suggest_name(word, COMMANDS.iter().map(|c| c.name))
                .map(|s| format!("did you mean `:{s}`?"))
                .unwrap_or_else(|| "`:help` lists the commands".to_string());
            Err(Diagnostic::new(Code::E0106, span, format!("unknown command `:{word}`"))
                .label("not a REPL command")
                .help(hint))
        }
    }
}

/// The text of `:help`: every command, then what else can be typed.
pub fn help() -> String {
    let width = COMMANDS.iter().map(|c| usage(c).chars().count()).max().unwrap_or(0);
    let mut out = String::from("commands (a unique prefix is enough, e.g. `:r` for `:reload`):\n");
    for c in COMMANDS {
        out.push_str(&format!("  {:width$}  {}\n", usage(c), c.summary));
    }
    out.push_str(
        "\nanything else is gov code:\n  \
         a declaration (`param`, `actor`, `penalty`, `check`, ...) joins the regime; one with the\n  \
         name of an existing declaration replaces it\n  \
         an expression is evaluated at the current equilibrium and printed with its unit\n\
         \nopen brackets continue the input on the next line; Tab completes; Ctrl-C cancels a line;\n\
         Ctrl-D or `:quit` leaves\n",
    );
    out
}

/// The help of one command.
pub fn help_for(name: &str) -> Option<String> {
    let spec = lookup(name).ok()?;
    Some(format!("{}\n  {}\n", usage(spec), spec.summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Command, Code> {
        parse(text, SourceId(0)).map_err(|d| d.code)
    }

    #[test]
    fn names_prefixes_and_arguments() {
        assert_eq!(parsed(":solve"), Ok(Command::Solve));
        assert_eq!(parsed("  :r"), Ok(Command::Reload));
        assert_eq!(parsed(":q"), Ok(Command::Quit));
        assert_eq!(parsed(":set a = 1"), Ok(Command::Set(5)));
        assert_eq!(parsed(":type   x + 1"), Ok(Command::Type(8)));
        assert_eq!(parsed(":load \"x.gov\""), Ok(Command::Load("x.gov".into())));
        assert_eq!(parsed(":scenario"), Ok(Command::Scenario(None)));
        assert_eq!(parsed(":sc cc"), Ok(Command::Scenario(Some(("cc".into(), 4)))));
        assert_eq!(parsed(":help :set"), Ok(Command::Help(Some("set".into()))));
        assert_eq!(parsed(":simulate"), Ok(Command::Simulate(None, None)));
        assert_eq!(parsed(":sim fp 50"), Ok(Command::Simulate(Some(("fp".into(), 5)), Some(50))));
        assert_eq!(parsed(":simulate 20"), Ok(Command::Simulate(None, Some(20))));
    }

    #[test]
    fn mistakes_are_diagnostics() {
        assert_eq!(parsed(":s"), Err(Code::E0106));
        assert_eq!(parsed(":sovle"), Err(Code::E0106));
        assert_eq!(parsed(":set"), Err(Code::E0106));
        assert_eq!(parsed(":solve now"), Err(Code::E0106));
        assert_eq!(parsed(":"), Err(Code::E0106));
        assert_eq!(parsed(":simulate fp 0"), Err(Code::E0106));
        assert_eq!(parsed(":simulate fp -3"), Err(Code::E0106));
        assert_eq!(parsed(":simulate 10 fp"), Err(Code::E0106));
        assert_eq!(parsed(":simulate a b"), Err(Code::E0106));
        let d = parse(":sovle", SourceId(0)).err().map(|d| d.help);
        assert_eq!(d, Some(Some("did you mean `:solve`?".to_string())));
    }

    #[test]
    fn every_command_has_help() {
        for c in COMMANDS {
            assert!(help().contains(&usage(c)));
            assert!(help_for(c.name).is_some());
        }
    }
}
