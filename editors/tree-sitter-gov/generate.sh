#!/usr/bin/env bash
# Regenerates the tree-sitter parser (src/) from grammar.js and runs every tree-sitter
# test: the corpus (test/corpus), the highlight assertions (test/highlight), the
# bindings, and the agreement with the pest grammar (tests/tree_sitter.rs at the root).
#   editors/tree-sitter-gov/generate.sh          regenerate, then test
#   editors/tree-sitter-gov/generate.sh --check  also fail if the committed src/ was stale
# Installs tree-sitter-cli from crates.io when it is missing (it builds QuickJS, which
# needs libclang: installed with apt-get when absent). Not part of .ci/run: building the
# CLI takes longer than the rest of CI.
set -euo pipefail
cd "$(dirname "$0")"
version=0.26.3

if ! tree-sitter --version 2>/dev/null | grep -q " $version"; then
  if ! ldconfig -p | grep -q 'libclang[.-]'; then
    apt-get update -qq && apt-get install -y -qq libclang-dev
  fi
  cargo install tree-sitter-cli --version "$version" --locked
fi

tree-sitter generate
if [[ "${1:-}" == "--check" ]] && ! git diff --quiet -- src; then
  git diff --stat -- src
  echo "src/ was not generated from grammar.js: run editors/tree-sitter-gov/generate.sh and commit src/" >&2
  exit 1
fi
tree-sitter test --config-path test/config.json
cargo test --release
(cd ../.. && cargo test --release --test tree_sitter)
