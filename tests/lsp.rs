//! The language server end to end: a client talks to `gov::lsp::serve` through an
//! in-memory connection (initialize, didOpen, didChange, hover, definition, completion,
//! symbols, formatting, shutdown), and each session's messages are compared with golden
//! JSON in `tests/golden/lsp/<test>.json`. Re-bless with
//! `GOV_BLESS=1 cargo test --release --test lsp` and review the diff.
//!
//! Positions are computed here from the text (UTF-16 code units, or bytes when UTF-8 is
//! negotiated), independently of the server's own conversion.

// Tests fail by panicking.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use gov::lsp::{serve, Options};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

/// How long to wait for one message before declaring the server stuck.
const TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// A scripted client that records what it sent and received.
struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    utf8: bool,
    next_id: i32,
    log: Vec<Value>,
}

impl Client {
    /// Starts a server and initialises it; `utf8` offers UTF-8 positions.
    fn start(utf8: bool) -> Client {
        let (server_side, client_side) = Connection::memory();
        let options = Options { stdlib_dir: Some(PathBuf::from("/stdlib")) };
        let server = std::thread::spawn(move || serve(server_side, options));
        let mut client = Client { connection: client_side, server: Some(server), utf8, next_id: 0, log: Vec::new() };
        let encodings = if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) };
        client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": { "general": { "positionEncodings": encodings } } }),
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&self, message: Message) {
        self.connection.sender.send(message).expect("the server is listening");
    }

    fn receive(&self) -> Message {
        self.connection.receiver.recv_timeout(TIMEOUT).expect("the server answers in time")
    }

    /// Sends a request and returns its result; messages that arrive first are logged too.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Request::new(id.clone(), method.to_string(), params.clone()).into());
        loop {
            match self.receive() {
                Message::Response(r) if r.id == id => {
                    let reply = match r.response_result {
                        Err(e) => json!({ "error": { "code": e.code, "message": e.message } }),
                        Ok(result) => json!({ "result": result }),
                    };
                    self.log.push(json!({ "request": method, "params": params, "reply": reply }));
                    return reply.get("result").cloned().unwrap_or(Value::Null);
                }
                other => self.log_received(other),
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.to_string(), params).into());
    }

    /// Waits for the next notification from the server (diagnostics) and returns its params.
    fn next_notification(&mut self) -> Value {
        let message = self.receive();
        let params = match &message {
            Message::Notification(n) => n.params.clone(),
            other => panic!("expected a notification, got {other:?}"),
        };
        self.log_received(message);
        params
    }

    fn log_received(&mut self, message: Message) {
        match message {
            Message::Notification(n) => self.log.push(json!({ "notification": n.method, "params": n.params })),
            other => self.log.push(json!({ "unexpected": format!("{other:?}") })),
        }
    }

    /// Opens `text` as `uri` (logged by `label` instead of the text) and returns the diagnostics.
    fn open(&mut self, uri: &str, label: &str, text: &str) -> Value {
        self.log.push(json!({ "open": uri, "text": label }));
        let item = json!({ "uri": uri, "languageId": "gov", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": item }));
        self.next_notification()
    }

    /// Sends one change and returns the diagnostics of the new version.
    fn change(&mut self, uri: &str, version: i32, change: Value) -> Value {
        self.log.push(json!({ "change": uri, "version": version, "edit": change }));
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] });
        self.notify("textDocument/didChange", params);
        self.next_notification()
    }

    /// The position of the `nth` (0-based) occurrence of `needle` in `text`, plus `delta` characters.
    fn pos(&self, text: &str, needle: &str, nth: usize, delta: usize) -> Value {
        let start = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("the needle occurs");
        let mut offset = start;
        for c in text[start..].chars().take(delta) {
            offset += c.len_utf8();
        }
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[line_start..offset];
        let column = if self.utf8 { prefix.len() } else { prefix.encode_utf16().count() };
        json!({ "line": text[..offset].matches('\n').count(), "character": column })
    }

    /// `textDocument/<method>` at a position.
    fn at(&mut self, method: &str, uri: &str, position: Value) -> Value {
        self.request(&format!("textDocument/{method}"), json!({ "textDocument": { "uri": uri }, "position": position }))
    }

    /// Shuts the server down, checks it stopped cleanly, and compares the log with the golden file.
    fn finish(mut self, name: &str) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().expect("started").join().expect("the server thread ends");
        assert_eq!(result, Ok(()));
        compare(&root().join("tests/golden/lsp").join(format!("{name}.json")), &self.log);
    }
}

fn compare(path: &Path, log: &[Value]) {
    let actual = format!("{}\n", serde_json::to_string_pretty(log).unwrap());
    if std::env::var_os("GOV_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!("missing {}; run `GOV_BLESS=1 cargo test --release --test lsp` and review it", path.display())
    });
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{} differs at line {}:\nexpected: {}\nactual:   {}\n(re-bless with `GOV_BLESS=1 cargo test --release --test lsp` after reviewing)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or(""),
            actual.lines().nth(line).unwrap_or("")
        );
    }
}

const PERMITS: &str = "file:///work/permits.gov";

/// Hover, definition, completion, symbols and formatting on a regime with `€`, `θ`
/// and `≥` before the names asked about, in UTF-16 columns (the protocol's default).
#[test]
fn navigation_in_utf16() {
    navigation(false, "navigation-utf16");
}

/// The same session when the client offers UTF-8: columns are bytes.
#[test]
fn navigation_in_utf8() {
    navigation(true, "navigation-utf8");
}

fn navigation(utf8: bool, golden: &str) {
    let text = read("tests/lsp/permits.gov");
    let mut c = Client::start(utf8);
    let diagnostics = c.open(PERMITS, "tests/lsp/permits.gov", &text);
    assert_eq!(diagnostics["diagnostics"], json!([]), "the regime checks");

    // θ after `€/pflop)"  where` and before `≥`: a parameter with a doc string.
    let theta = c.pos(&text, "θ ≥", 0, 0);
    c.at("hover", PERMITS, theta.clone());
    let def = c.at("definition", PERMITS, theta);
    assert_eq!(def["range"]["start"], c.pos(&text, "θ: eur", 0, 0));
    // The end of a name counts (a cursor just after `θ`).
    c.at("hover", PERMITS, c.pos(&text, "θ ≥", 0, 1));
    // `Q` is declared in `eflop`, a derived unit: hover names its base unit too.
    c.at("hover", PERMITS, c.pos(&text, "supply Q", 0, 7));
    // A unit inside a type.
    let eflop = c.pos(&text, "eflop = 0.1", 0, 0);
    c.at("hover", PERMITS, eflop.clone());
    c.at("definition", PERMITS, eflop);
    // A member through a bound variable, and the variable itself.
    let member = c.pos(&text, "d.c", 0, 2);
    c.at("hover", PERMITS, member.clone());
    let def = c.at("definition", PERMITS, member);
    assert_eq!(def["range"]["start"], c.pos(&text, "c: pflop in", 0, 0));
    c.at("definition", PERMITS, c.pos(&text, "d.c", 0, 0));
    // A function parameter and an actor member used in a member function's body.
    c.at("definition", PERMITS, c.pos(&text, "sqrt(c)", 0, 5));
    c.at("hover", PERMITS, c.pos(&text, "A * sqrt", 0, 0));
    // A market, and a stdlib function and module (definitions open the stdlib copy).
    c.at("hover", PERMITS, c.pos(&text, "permits.price * c", 0, 0));
    let stdlib_fn = c.pos(&text, "min_deterrent_prob", 0, 0);
    c.at("hover", PERMITS, stdlib_fn.clone());
    let def = c.at("definition", PERMITS, stdlib_fn);
    assert_eq!(def["uri"], "file:///stdlib/audits.gov");
    c.at("definition", PERMITS, c.pos(&text, "use audits", 0, 4));
    // Nothing to say about a keyword or a number.
    c.at("hover", PERMITS, c.pos(&text, "actor", 0, 1));

    // Completion after `d.` (the members of `Developer`), of `audits.`, and of a prefix.
    let members = c.at("completion", PERMITS, c.pos(&text, "d.c", 0, 2));
    let labels: Vec<&str> = members.as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["A", "v", "c"]);
    c.at("completion", PERMITS, c.pos(&text, "min_deterrent_prob", 0, 3));
    c.at("completion", PERMITS, c.pos(&text, "v(c) - permits", 0, 1));

    c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": PERMITS } }));
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": PERMITS }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let formatted = gov::fmt::format_source(&text, gov::source::SourceId(0)).unwrap();
    assert_eq!(edits[0]["newText"], formatted, "formatting is `gov fmt`");
    c.finish(golden);
}

const BROKEN: &str = "file:///work/broken.gov";

/// Diagnostics on open and on each change (ranged edits after wide characters, a
/// syntax error, a whole-text replacement), completion from the last version that
/// parsed, and diagnostics cleared on close.
#[test]
fn diagnostics_follow_edits() {
    let text = "unit usd\nunit pflop\nparam p: usd = 2 usd \"price (€)\"\n\
                param θ: usd = 3 pflop \"fine (€)\" where θ ≥ 0 usd\nparam unused: Real = 1\n";
    let mut c = Client::start(false);
    let open = c.open(BROKEN, "a unit mismatch and an unused parameter", text);
    let codes: Vec<&str> = open["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"E0301"), "{codes:?}");

    // Replace `pflop` in `3 pflop` (after `θ`) by `usd`: the range is in UTF-16 units.
    let start = c.pos(text, "pflop \"fine", 0, 0);
    let end = c.pos(text, "pflop \"fine", 0, 5);
    let fixed = c.change(BROKEN, 2, json!({ "range": { "start": start, "end": end }, "text": "usd" }));
    assert!(fixed["diagnostics"].as_array().unwrap().iter().all(|d| d["code"] != "E0301"));

    // Insert a syntax error after `≥` on the same line; completion still knows the names.
    let after_geq = c.pos(text, "≥ 0 usd", 0, 1);
    let at = json!({ "start": after_geq, "end": after_geq });
    let broken = c.change(BROKEN, 3, json!({ "range": at, "text": " =" }));
    assert_eq!(broken["diagnostics"][0]["code"], "E0101");
    let items = c.at("completion", BROKEN, json!({ "line": 5, "character": 0 }));
    assert!(items.as_array().unwrap().iter().any(|i| i["label"] == "θ"));

    c.change(BROKEN, 4, json!({ "text": "unit usd\nparam p: usd = 2 usd\ncheck positive: p > 0 usd\n" }));
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": BROKEN } }));
    let closed = c.next_notification();
    assert_eq!(closed["diagnostics"], json!([]));
    c.at("hover", BROKEN, json!({ "line": 0, "character": 5 }));
    c.request("textDocument/unknownMethod", json!({}));
    c.finish("diagnostics-follow-edits");
}

/// Every golden and example regime gets the same diagnostics from the server as from
/// `gov check`: one for one, same code, the range of the primary span, the help in the message.
#[test]
fn diagnostics_agree_with_gov_check() {
    let mut files = Vec::new();
    for dir in ["tests/golden", "examples", "stdlib"] {
        collect_gov_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "found {} files", files.len());
    let mut c = Client::start(false);
    for (n, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let uri = format!("file:///work/case{n}.gov");
        let published = c.open(&uri, &path.display().to_string(), &text);
        let outcome = gov::session::check_source(&format!("/work/case{n}.gov"), &text);
        let expected: Vec<_> = outcome.diagnostics.iter().collect();
        let got = published["diagnostics"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{}: {got:#?}", path.display());
        for (g, d) in got.iter().zip(expected) {
            assert_eq!(g["code"], d.code.as_str(), "{}", path.display());
            if d.primary.span.source == gov::source::SourceId(0) {
                let start = utf16_position(&text, d.primary.span.start as usize);
                let end = utf16_position(&text, d.primary.span.end as usize);
                assert_eq!(g["range"], json!({ "start": start, "end": end }), "{}", path.display());
            }
            let message = g["message"].as_str().unwrap();
            assert!(message.starts_with(&d.message), "{}: {message}", path.display());
            if let Some(help) = &d.help {
                assert!(message.ends_with(&format!("help: {help}")), "{}: {message}", path.display());
            }
        }
        c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        c.next_notification();
    }
    c.request("shutdown", Value::Null);
}

fn collect_gov_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_gov_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "gov") && std::fs::read_to_string(&p).is_ok() {
            out.push(p);
        }
    }
}

/// A byte offset as an LSP position in UTF-16 code units.
fn utf16_position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": text[..offset].matches('\n').count(), "character": text[line_start..offset].encode_utf16().count() })
}

/// Deeply nested and very long expressions are analysed on the server's big stack: the
/// diagnostics arrive and the server keeps answering.
#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let nested = read("tests/golden/robustness/nesting-at-the-limit.gov");
    let long = format!("let total = {}1\ncheck big: total > 0\n", "1 + ".repeat(4_900));
    let mut c = Client::start(false);
    for (n, text) in [nested, long].iter().enumerate() {
        let uri = format!("file:///work/deep{n}.gov");
        let published = c.open(&uri, "deep", text);
        assert!(published["diagnostics"].is_array());
        let hover = c.at("hover", &uri, json!({ "line": 0, "character": 5 }));
        assert!(hover.is_null() || hover["contents"].is_object());
        let edits = c.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
        );
        assert!(edits.is_array(), "{edits}");
    }
    c.request("shutdown", Value::Null);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Edits and requests at arbitrary positions (inside multi-byte characters, past the
    /// end of a line or of the text) are answered, never failed, and every edit gets its
    /// diagnostics.
    #[test]
    fn arbitrary_positions_and_edits_are_answered(
        steps in proptest::collection::vec((0u8..5, 0u32..32, 0u32..90, 0u32..3, "[a-zθ€≥ (){}=:.\n]{0,6}"), 1..12),
        utf8 in proptest::bool::ANY,
    ) {
        let text = read("tests/lsp/permits.gov");
        let mut c = Client::start(utf8);
        c.open(PERMITS, "permits", &text);
        for (version, (op, line, character, span, insert)) in steps.into_iter().enumerate() {
            let at = json!({ "line": line, "character": character });
            let reply = match op {
                0 => c.at("hover", PERMITS, at),
                1 => c.at("definition", PERMITS, at),
                2 => c.at("completion", PERMITS, at),
                3 => c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": PERMITS } })),
                _ => {
                    let end = json!({ "line": line + span, "character": character / 2 });
                    let edit = json!({ "range": { "start": at, "end": end }, "text": insert });
                    c.change(PERMITS, version as i32 + 2, edit)["diagnostics"].clone()
                }
            };
            let last = c.log.last().cloned().unwrap_or_default();
            proptest::prop_assert!(last.get("reply").is_none_or(|r| r.get("error").is_none()), "{last}");
            proptest::prop_assert!(reply.is_null() || reply.is_object() || reply.is_array());
        }
        c.request("shutdown", Value::Null);
    }
}
