//! `gov repl` on a real (pseudo-)terminal: Tab completion, multi-line input, Ctrl-C,
//! Ctrl-D, and history kept across sessions in the file `GOV_HISTORY` names. The scripted
//! mode is covered by the transcripts in `tests/golden/repl/`.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use rexpect::session::{spawn_command, PtySession};
use std::path::{Path, PathBuf};
use std::process::Command;

const ENTER: &str = "\r";
const UP: &str = "\x1b[A";

fn repl(history: &Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gov"));
    command
        .args(["repl", "examples/compute_permits.gov"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GOV_HISTORY", history)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = spawn_command(command, Some(60_000)).expect("gov repl starts on a pseudo-terminal");
    session.exp_string("loaded `examples/compute_permits.gov`").expect("the file loads");
    session
}

/// Waits for the next prompt. Keys typed while gov works on the previous line are
/// dropped when the editor takes the terminal back, so tests wait as a person would.
fn prompt(p: &mut PtySession) {
    p.exp_string("> ").expect("a prompt");
}

/// Types keys and sends them at once.
fn keys(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("the terminal takes input");
    p.flush().expect("the terminal takes input");
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

#[test]
fn completion_multiline_input_control_keys_and_history() {
    // The history directory does not exist yet: gov creates it.
    let history = fresh_dir("repl-terminal").join("state").join("gov").join("history");
    let mut p = repl(&history);

    prompt(&mut p);
    // Tab completes the market's name, then its member; the value proves the line was `permits.price`.
    keys(&mut p, "perm\t");
    keys(&mut p, ".pri\t");
    keys(&mut p, ENTER);
    p.exp_string("1.55008 usd/pflop").unwrap();

    prompt(&mut p);
    // An open bracket keeps the input open across lines.
    keys(&mut p, "fn triple(x: pflop): usd = (");
    keys(&mut p, ENTER);
    keys(&mut p, "3 usd/pflop * x)");
    keys(&mut p, ENTER);
    p.exp_string("3 usd/pflop * x)").unwrap();
    prompt(&mut p);
    keys(&mut p, "triple(14 pflop)");
    keys(&mut p, ENTER);
    p.exp_string("42 usd").unwrap();

    // Ctrl-C cancels the line being typed, not the session.
    prompt(&mut p);
    keys(&mut p, "Developer[1].");
    p.exp_string("Developer[1].").unwrap();
    keys(&mut p, "\x03");
    prompt(&mut p);
    keys(&mut p, "6 * 111");
    keys(&mut p, ENTER);
    p.exp_string("666").unwrap();

    // Ctrl-D leaves.
    prompt(&mut p);
    keys(&mut p, "\x04");
    p.exp_eof().unwrap();

    let saved = std::fs::read_to_string(&history).expect("the history was saved");
    assert!(saved.contains("permits.price"), "completed line in history:\n{saved}");
    assert!(saved.contains("6 * 111"), "{saved}");
    assert!(!saved.contains("Developer[1]."), "a cancelled line is not history:\n{saved}");

    // A new session recalls the last input with the Up arrow.
    let mut p = repl(&history);
    prompt(&mut p);
    keys(&mut p, UP);
    keys(&mut p, ENTER);
    p.exp_string("666").unwrap();
    prompt(&mut p);
    keys(&mut p, ":quit");
    keys(&mut p, ENTER);
    p.exp_eof().unwrap();
}
