#!/usr/bin/env bash
# The one command that runs every test. Installs what is missing, then: lints; Rust unit and
# tim-server integration tests (real server, real WebSockets); the SDK's wasm bindings in
# headless Chromium; the built package in Node against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
need_node_deps
need_wasm_tools
need_chromium
need_postgres
need_nats

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p tim-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings

step "Rust tests (tim-proto, tim-core, tim-server with its integration tests; the store suite on SQLite and on a private PostgreSQL; nodes on PostgreSQL + NATS)"
cargo test --workspace

step "wasm bindings in headless Chromium"
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --mode no-install .

step "build the npm package"
./scripts/build-sdk.sh
cargo build -p tim-server

step "TypeScript: index.d.ts accepts code written for the official typings"
node --test tests/types/

step "Node: the real server and the built package"
node --experimental-websocket --test tests/proxy/ tests/server/ tests/node/

step "PostgreSQL and NATS: the Node suites on one node on PostgreSQL, then with users spread over three nodes (round-robin balancer), and the fault soak across them"
pg_dir=$(mktemp -d /tmp/tim-pg-node-XXXXXX)
nats_dir=$(mktemp -d /tmp/tim-nats-XXXXXX)
trap './scripts/pg.sh stop "$pg_dir"; ./scripts/nats.sh stop "$nats_dir"' EXIT
pg_url=$(FAST=1 ./scripts/pg.sh start "$pg_dir")
nats_url=$(./scripts/nats.sh start "$nats_dir")
TIM_TEST_POSTGRES="$pg_url" node --experimental-websocket --test tests/server/ tests/node/
TIM_TEST_NODES=3 TIM_TEST_POSTGRES="$pg_url" TIM_TEST_NATS="$nats_url" \
  node --experimental-websocket --test tests/node/ tests/browser/policies.test.mjs
TIM_TEST_NODES=3 TIM_TEST_POSTGRES="$pg_url" node --experimental-websocket --test tests/soak/
./scripts/pg.sh stop "$pg_dir"
./scripts/nats.sh stop "$nats_dir"
trap - EXIT

step "Load generator, short: tim-server and the raw relay under load, nothing lost or refused"
cargo build -q -p tim-loadgen
for target in tim relay; do
  target/debug/tim-loadgen --target "$target" --server target/debug/tim-server \
    --pairs 10 --window 4 --warmup 1 --secs 3 --check
done

step "Soak: 10,000 messages through random cuts and two server kills, and a 20-member group's 5,000 through cuts and a kill, exactly once"
node --experimental-websocket --test tests/soak/

step "Fuzzing, short: the frame decoder, the UserSig decoder, the core reading frames (15 s each)"
./scripts/fuzz.sh 15

step "Browsers: the demo page, the package bundled by Vite, the README snippet (Node and a plain page)"
node --test tests/browser/ tests/bundler/ tests/readme/
