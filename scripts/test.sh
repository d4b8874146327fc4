#!/usr/bin/env bash
# The one command that runs every test: lints, Rust unit and integration tests (real
# tim-server, real WebSockets), and the Node end-to-end tests. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
need_node_deps

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (unit + tim-server integration)"
cargo test --workspace

step "Node tests against the real tim-server"
cargo build -p tim-server
node --experimental-websocket --test tests/server/
