// A thin client: starts `gov lsp` for .gov files and hands everything else to it.
// Highlighting comes from the TextMate grammar; brackets and comments from
// language-configuration.json.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration("gov");
  if (!config.get("server.enabled", true)) {
    return;
  }
  const command = config.get("server.path", "gov");
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  const serverOptions = { run, debug: run };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "gov" },
      { scheme: "untitled", language: "gov" },
    ],
  };
  client = new LanguageClient("gov", "gov language server", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand("gov.restartServer", () => client && client.restart())
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `Could not start \`${command} lsp\`: ${err.message}. Install gov (cargo install --path .) or set "gov.server.path".`
    );
  }
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
