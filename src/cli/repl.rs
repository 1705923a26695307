//! `gov repl [FILE]`: the front end of [`gov::repl::Session`]. On a terminal it is a
//! rustyline editor (history in the user's state directory, multi-line input while
//! brackets are open, Tab completion, highlighting, Ctrl-C cancels the line, Ctrl-D
//! leaves); otherwise it reads inputs line by line from stdin so sessions can be
//! scripted, and exits with the code of the first input that failed (0 if none did).

use super::{err, input, out, EXIT_FAILED, EXIT_INPUT, EXIT_NUMERIC, EXIT_OK};
use gov::diag::Diagnostic;
use gov::repl::complete::{Completion, Scope};
use gov::repl::highlight::{classes, Class};
use gov::repl::input::is_complete;
use gov::repl::{Chunk, Files, Reply, Session, Status};
use gov::source::SourceMap;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Context, Editor};
use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

/// Arguments of `gov repl`.
#[derive(clap::Args, Debug)]
pub struct ReplArgs {
    /// A regime file to load first.
    file: Option<String>,
    /// When reading a script from stdin, print each input after a `> ` prompt, so the
    /// output reads as a transcript.
    #[arg(long)]
    echo: bool,
}

/// Reads `:load` files from disk.
struct Disk;

impl Files for Disk {
    fn read(&self, path: &str, sources: &mut SourceMap) -> Result<String, Diagnostic> {
        input::read(path, sources)
    }
}

/// Runs `gov repl`.
pub fn run(args: &ReplArgs, color: bool) -> i32 {
    let mut session = Session::new(color);
    if std::io::stdin().is_terminal() {
        interactive(&mut session, args, color)
    } else {
        script(&mut session, args)
    }
}

fn print(reply: &Reply) {
    for chunk in &reply.chunks {
        match chunk {
            Chunk::Out(text) => out(text),
            Chunk::Err(text) => {
                let _ = std::io::stdout().flush();
                err(text);
            }
        }
    }
    let _ = std::io::stdout().flush();
}

/// Inputs from stdin, one per line, a line continuing the previous one while brackets are
/// open. Only results and diagnostics are printed (with `--echo`, the inputs too).
fn script(session: &mut Session, args: &ReplArgs) -> i32 {
    let mut first_failure = Status::Ok;
    let mut note = |status: Status| {
        if first_failure == Status::Ok && status != Status::Quit {
            first_failure = status;
        }
    };
    if let Some(file) = &args.file {
        let reply = session.open(file, &Disk);
        print(&Reply { chunks: reply.chunks.into_iter().filter(|c| matches!(c, Chunk::Err(_))).collect(), ..reply });
        note(reply.status);
    }
    let mut stdin = std::io::stdin().lock();
    let mut pending = String::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let eof = !matches!(stdin.read_until(b'\n', &mut line), Ok(n) if n > 0);
        if !eof {
            number += 1;
            match std::str::from_utf8(&line) {
                Ok(text) => pending.push_str(text),
                Err(_) => {
                    err(&format!("error[E0105]: line {number} of the input is not valid UTF-8\n  Help: save the script as UTF-8\n"));
                    note(Status::Input);
                    continue;
                }
            }
            if !is_complete(&pending) {
                continue;
            }
        }
        let input = std::mem::take(&mut pending);
        let input = input.trim_end_matches(['\n', '\r']);
        if !input.trim().is_empty() {
            if args.echo {
                out(&echoed(input));
            }
            let reply = session.enter(input, &Disk);
            print(&reply);
            note(reply.status);
            if reply.status == Status::Quit {
                break;
            }
        }
        if eof {
            break;
        }
    }
    match first_failure {
        Status::Ok | Status::Quit => EXIT_OK,
        Status::Failed => EXIT_FAILED,
        Status::Input => EXIT_INPUT,
        Status::Numeric => EXIT_NUMERIC,
    }
}

/// An input as it would have been typed: `> ` before its first line, `. ` before the others.
fn echoed(input: &str) -> String {
    input.lines().enumerate().map(|(i, l)| format!("{}{l}\n", if i == 0 { "> " } else { ". " })).collect()
}

/// The terminal: a line editor with history, completion, highlighting and multi-line input.
fn interactive(session: &mut Session, args: &ReplArgs, color: bool) -> i32 {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map(|b| b.build());
    let editor = config.and_then(Editor::<Helper, FileHistory>::with_config);
    let mut editor = match editor {
        Ok(e) => e,
        Err(e) => {
            err(&format!("error: cannot start the line editor ({e}); reading stdin line by line\n"));
            return script(session, args);
        }
    };
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is the normal first run.
        let _ = editor.load_history(path);
    }
    out(&format!("gov {} — :help for commands, Tab completes, Ctrl-D leaves\n", env!("CARGO_PKG_VERSION")));
    if let Some(file) = &args.file {
        print(&session.open(file, &Disk));
    }
    editor.set_helper(Some(Helper { scope: session.scope(), color, paths: FilenameCompleter::new() }));
    let mut history_failed = false;
    loop {
        match editor.readline("> ") {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                if let Some(path) = &history {
                    if let Err(e) = save_history(&mut editor, path) {
                        if !history_failed {
                            err(&format!("note: cannot save the history in `{}`: {e}\n", path.display()));
                        }
                        history_failed = true;
                    }
                }
                let reply = session.enter(&line, &Disk);
                print(&reply);
                if let Some(helper) = editor.helper_mut() {
                    helper.scope = session.scope();
                }
                if reply.status == Status::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                err(&format!("error: the line editor failed: {e}\n"));
                break;
            }
        }
    }
    EXIT_OK
}

/// `$GOV_HISTORY` (empty: no history), else `$XDG_STATE_HOME/gov/history`, else
/// `~/.local/state/gov/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("GOV_HISTORY") {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local").join("state")))?;
    Some(state.join("gov").join("history"))
}

fn save_history(editor: &mut Editor<Helper, FileHistory>, path: &std::path::Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    editor.append_history(path).map_err(|e| e.to_string())
}

/// Completion, highlighting and multi-line validation for the editor.
#[derive(rustyline::Helper)]
struct Helper {
    scope: Scope,
    color: bool,
    paths: FilenameCompleter,
}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        match self.scope.complete(line, pos) {
            Completion::Words { start, candidates } => {
                Ok((start, candidates.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect()))
            }
            Completion::Path { .. } => self.paths.complete(line, pos, ctx),
        }
    }
}

impl Hinter for Helper {
    type Hint = String;
}

impl Validator for Helper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) { ValidationResult::Valid(None) } else { ValidationResult::Incomplete })
    }
}

impl Highlighter for Helper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        let mut text = String::with_capacity(line.len() + 32);
        let mut at = 0;
        for (range, class) in classes(line) {
            text.push_str(&line[at..range.start]);
            let style = match class {
                Class::Keyword => "\x1b[1;34m",
                Class::Number => "\x1b[36m",
                Class::String => "\x1b[32m",
                Class::Comment => "\x1b[2m",
                Class::Command => "\x1b[1;35m",
            };
            text.push_str(&format!("{style}{}\x1b[0m", &line[range.clone()]));
            at = range.end;
        }
        text.push_str(&line[at..]);
        Cow::Owned(text)
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _default: bool) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}
