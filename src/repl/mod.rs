//! The REPL's backend. A [`Session`] holds a regime — a file plus the declarations typed
//! at the prompt, each input a source of its own (`<repl:N>`) so diagnostics point into
//! it — with the `:set` values and the scenario in force, and answers one input at a
//! time with a [`Reply`]. Every input is a transaction: if anything fails (a syntax
//! error, a unit mismatch, a solve that does not converge) the session is left as it
//! was. No IO: the frontend (`cli/repl.rs`) reads lines and files and prints replies.
//!
//! ```
//! use gov::repl::{Files, Session};
//! use gov::diag::Diagnostic;
//! use gov::source::SourceMap;
//!
//! struct NoFiles;
//! impl Files for NoFiles {
//!     fn read(&self, path: &str, sources: &mut SourceMap) -> Result<String, Diagnostic> {
//!         Err(gov::session::unreadable(sources, path, "no files here", gov::diag::Code::E0104, "check the path"))
//!     }
//! }
//!
//! let mut session = Session::new(false);
//! session.enter("unit usd", &NoFiles);
//! assert_eq!(session.enter("2 usd * 3", &NoFiles).stdout(), "6 usd\n");
//! ```

mod changes;
pub mod command;
pub mod complete;
pub mod highlight;
pub mod input;
mod session;
mod state;

pub use command::{Command, COMMANDS};
pub use session::Session;

use crate::diag::render::{render_human, RenderOptions};
use crate::diag::Diagnostic;
use crate::source::SourceMap;

/// Where `:load` gets the text of a file: the frontend reads files, the library does not.
pub trait Files {
    /// The text of `path`, or a diagnostic pointing into a source it adds to `sources`.
    fn read(&self, path: &str, sources: &mut SourceMap) -> Result<String, Diagnostic>;
}

/// One piece of output, for stdout or stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Results (values, reports, help): stdout.
    Out(String),
    /// Diagnostics: stderr.
    Err(String),
}

/// How an input ended, in the exit-code terms of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub enum Status {
    /// It did what was asked.
    #[default]
    Ok,
    /// It ran, but a check or expect fails.
    Failed,
    /// An error in the input (syntax, names, units, an unknown command).
    Input,
    /// A numerical failure (no convergence, no clearing price, ...).
    Numeric,
    /// `:quit`.
    Quit,
}

/// What one input produced, in the order produced, and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Output in order.
    pub chunks: Vec<Chunk>,
    /// How it ended.
    pub status: Status,
}

impl Reply {
    /// Everything written to stdout, joined.
    pub fn stdout(&self) -> String {
        self.chunks.iter().filter_map(|c| if let Chunk::Out(t) = c { Some(t.as_str()) } else { None }).collect()
    }

    /// Everything written to stderr, joined.
    pub fn stderr(&self) -> String {
        self.chunks.iter().filter_map(|c| if let Chunk::Err(t) = c { Some(t.as_str()) } else { None }).collect()
    }

    /// A reply that reports diagnostics (rendered as the command line renders them).
    pub fn of_diagnostics(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> Reply {
        let mut reply = Reply::default();
        reply.diagnostics(diags, sources, color);
        reply
    }

    fn out(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.chunks.push(Chunk::Out(text));
        }
    }

    /// Renders diagnostics to stderr; errors make the input fail (numerically when all
    /// of them are solving failures, as `gov run` decides its exit code).
    fn diagnostics(&mut self, diags: &[Diagnostic], sources: &SourceMap, color: bool) {
        if diags.is_empty() {
            return;
        }
        self.chunks.push(Chunk::Err(render_human(diags, sources, RenderOptions { color })));
        let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
        if errors.is_empty() {
            return;
        }
        let numeric = errors.iter().all(|d| d.is_numerical());
        self.status = self.status.max(if numeric { Status::Numeric } else { Status::Input });
    }
}
