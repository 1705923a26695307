//! `gov lsp`: the language server on stdin and stdout, for editors. Before serving it
//! copies the stdlib modules into a cache folder, so that go to definition can open them.

use super::{err, EXIT_FAILED, EXIT_OK};
use gov::lsp::{serve, Options};
use lsp_server::Connection;
use std::path::PathBuf;

/// Arguments of `gov lsp`.
#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only transport; accepted because clients pass it).
    #[arg(long)]
    stdio: bool,
}

/// Runs `gov lsp` until the client exits.
pub fn run(_args: &LspArgs) -> i32 {
    let stdlib_dir = copy_stdlib();
    let (connection, io_threads) = Connection::stdio();
    let served = serve(connection, Options { stdlib_dir });
    let closed = io_threads.join();
    match served.and(closed.map_err(|e| e.to_string())) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            err(&format!("error: gov lsp: {e}\n"));
            EXIT_FAILED
        }
    }
}

/// Writes each stdlib module to `<cache>/gov/<version>/stdlib/<module>.gov` (where
/// `<cache>` is `$XDG_CACHE_HOME`, `~/.cache` or the temporary folder); `None` if that fails.
fn copy_stdlib() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let dir = cache.join("gov").join(env!("CARGO_PKG_VERSION")).join("stdlib");
    std::fs::create_dir_all(&dir).ok()?;
    for (name, text) in gov::stdlib::MODULES {
        let path = dir.join(format!("{name}.gov"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
            std::fs::write(&path, text).ok()?;
        }
    }
    Some(dir)
}
