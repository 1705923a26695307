//! gov: a language and interpreter for governance mechanisms.
//!
//! The pipeline is source → [`syntax`] (parse) → [`resolve`] → [`check`] → `Model`
//! → solve / simulate → report. See `ARCHITECTURE.md` for the map.

pub mod check;
pub mod diag;
pub mod source;
pub mod syntax;
pub mod eval;
pub mod model;
pub mod stdlib;
pub mod session;
pub mod fmt;
pub mod games;
pub mod report;
pub mod run;
pub mod solve;
pub mod verify;
