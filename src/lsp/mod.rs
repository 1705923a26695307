//! `gov lsp`: a language server for `.gov` files over any `lsp-server` connection (stdio
//! in the binary, in memory in the tests). Diagnostics come from the `gov check`
//! pipeline, formatting from `gov fmt`; hover, go to definition, completion and document
//! symbols from the checker's name index. Positions are UTF-8 when the client offers it,
//! else UTF-16.
//!
//! The server runs on a thread with a large stack, as `main.rs` runs the command line:
//! checking long expressions recurses deeply.

mod complete;
mod diagnostics;
mod document;
mod locate;
mod navigate;
pub mod position;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionOptions, DocumentSymbolResponse, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};

use document::Document;
use locate::Locator;
use position::{Encoding, Lines};

/// Stack size of the server's thread (the same as the command line's).
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// How the server is set up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A folder holding a copy of each stdlib module as `<module>.gov`, so that go to
    /// definition can open them; without one, definitions in the stdlib are not offered.
    pub stdlib_dir: Option<PathBuf>,
}

/// Serves one client until it sends `exit` or the connection closes: the
/// initialisation handshake, then requests and notifications in order.
pub fn serve(connection: Connection, options: Options) -> Result<(), String> {
    std::thread::Builder::new()
        .name("gov-lsp".to_string())
        .stack_size(STACK_SIZE)
        .spawn(move || Server::start(connection, options))
        .map_err(|e| format!("cannot start the server's thread: {e}"))?
        .join()
        .map_err(|_| "the server's thread failed".to_string())?
}

/// The server's state: the open documents and what was negotiated.
struct Server {
    connection: Connection,
    encoding: Encoding,
    stdlib_dir: Option<PathBuf>,
    documents: HashMap<String, Document>,
}

impl Server {
    fn start(connection: Connection, options: Options) -> Result<(), String> {
        let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
        let params: lsp_types::InitializeParams = serde_json::from_value(params).unwrap_or_default();
        let encoding = Encoding::negotiate(&params.capabilities);
        let result = serde_json::json!({
            "capabilities": capabilities(encoding),
            "serverInfo": { "name": "gov", "version": env!("CARGO_PKG_VERSION") },
        });
        connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
        let mut server = Server { connection, encoding, stdlib_dir: options.stdlib_dir, documents: HashMap::new() };
        server.run()
    }

    fn run(&mut self) -> Result<(), String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    let id = request.id.clone();
                    let response = catch_unwind(AssertUnwindSafe(|| self.respond(request))).unwrap_or_else(|_| {
                        Response::new_err(id, ErrorCode::InternalError as i32, "internal error in gov lsp".to_string())
                    });
                    self.send(response.into());
                }
                Message::Notification(n) if n.method == "exit" => return Ok(()),
                Message::Notification(n) => {
                    // A failure on one notification must not end the session.
                    let _ = catch_unwind(AssertUnwindSafe(|| self.notify(n)));
                }
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // The client is gone when this fails; `run` then ends as the receiver closes.
        let _ = self.connection.sender.send(message);
    }

    fn respond(&self, request: Request) -> Response {
        match request.method.as_str() {
            HoverRequest::METHOD => self.answer::<HoverRequest>(request, |s, p| {
                let at = &p.text_document_position_params;
                s.with_document(&at.text_document.uri, |doc, loc| navigate::hover(doc, loc, at.position))
            }),
            GotoDefinition::METHOD => self.answer::<GotoDefinition>(request, |s, p| {
                let at = &p.text_document_position_params;
                s.with_document(&at.text_document.uri, |doc, loc| navigate::definition(doc, loc, at.position))
            }),
            Completion::METHOD => self.answer::<Completion>(request, |s, p| {
                let at = &p.text_document_position;
                s.with_document(&at.text_document.uri, |doc, loc| {
                    Some(complete::complete(doc, loc.encoding, at.position))
                })
            }),
            DocumentSymbolRequest::METHOD => self.answer::<DocumentSymbolRequest>(request, |s, p| {
                s.with_document(&p.text_document.uri, |doc, loc| {
                    Some(DocumentSymbolResponse::Nested(navigate::symbols(doc, loc)))
                })
            }),
            Formatting::METHOD => self.answer::<Formatting>(request, |s, p| {
                s.with_document(&p.text_document.uri, |doc, loc| format(doc, loc.encoding))
            }),
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("gov lsp does not handle `{}`", request.method),
            ),
        }
    }

    /// Decodes a request's parameters and answers it with `f`.
    fn answer<R: lsp_types::request::Request>(
        &self,
        request: Request,
        f: impl FnOnce(&Server, R::Params) -> R::Result,
    ) -> Response {
        match serde_json::from_value::<R::Params>(request.params) {
            Ok(params) => Response::new_ok(request.id, f(self, params)),
            Err(e) => Response::new_err(request.id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// Runs `f` on an open document (`None` for one the client never opened).
    fn with_document<T>(&self, uri: &Uri, f: impl FnOnce(&Document, &Locator<'_>) -> Option<T>) -> Option<T> {
        let doc = self.documents.get(uri.as_str())?;
        f(doc, &self.locator(doc))
    }

    fn locator<'a>(&'a self, doc: &'a Document) -> Locator<'a> {
        Locator {
            uri: &doc.uri,
            analysis: &doc.analysis,
            encoding: self.encoding,
            stdlib_dir: self.stdlib_dir.as_deref(),
        }
    }

    fn notify(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    let key = d.uri.as_str().to_string();
                    self.documents.insert(key.clone(), Document::open(d.uri, d.text, d.version));
                    self.publish(&key);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    let key = p.text_document.uri.as_str().to_string();
                    if let Some(doc) = self.documents.get_mut(&key) {
                        doc.change(p.content_changes, p.text_document.version, self.encoding);
                        self.publish(&key);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    if self.documents.remove(p.text_document.uri.as_str()).is_some() {
                        let params = PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
                        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into());
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends the diagnostics of a document's current version.
    fn publish(&self, key: &str) {
        let Some(doc) = self.documents.get(key) else { return };
        let at = self.locator(doc);
        let diagnostics = doc.analysis.diagnostics.iter().map(|d| diagnostics::convert(d, &at)).collect();
        let params = PublishDiagnosticsParams::new(doc.uri.clone(), diagnostics, Some(doc.version));
        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into());
    }
}

/// What the server offers.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// `gov fmt` of the document as one edit (none when it is formatted; `None` when it does
/// not parse, which its diagnostics already say).
fn format(doc: &Document, encoding: Encoding) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format_source(&doc.text, doc.analysis.main).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit { range: Lines::new(&doc.text, encoding).whole(), new_text: formatted }])
}
