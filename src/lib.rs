//! gov: a language and interpreter for governance mechanisms.
//!
//! The pipeline is source → [`syntax`] (parse) → [`check`] (resolve names, check types
//! and units) → [`model::Model`] → [`solve`] / [`simulate`] → [`report`]. See
//! `ARCHITECTURE.md` for the map.

pub mod check;
pub mod diag;
pub mod eval;
pub mod fmt;
pub mod games;
pub mod lsp;
pub mod model;
pub mod plot;
pub mod repl;
pub mod report;
pub mod run;
pub mod session;
pub mod simulate;
pub mod solve;
pub mod source;
pub mod stdlib;
pub mod sweep;
pub mod syntax;
#[cfg(test)]
mod testing;
pub mod verify;
