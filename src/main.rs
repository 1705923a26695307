//! The `gov` binary: runs the command line on a thread with a large stack (deeply nested
//! input is rejected by the parser, but long expressions still recurse) and exits with
//! its code.

mod cli;

fn main() {
    let code = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(cli::main)
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or_else(gov_internal_error);
    std::process::exit(code);
}

/// Exit code when the worker thread could not run (reported as an internal error).
fn gov_internal_error() -> i32 {
    eprintln!("error[E0901]: internal error: the worker thread failed");
    70
}
