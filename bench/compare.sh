#!/usr/bin/env bash
# Side by side in one run: tim-server (SQLite, every message durable), ejabberd (Debian's, no
# storage) and the raw relay under the same load, alternating targets each round; prints one
# line per run (docs/ARCHITECTURE.md, "Throughput", has the table).
#   ./bench/compare.sh [rounds]      (installs ejabberd from Debian when missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
if ! command -v ejabberdctl >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ejabberd >/dev/null
fi
cargo build --release -q -p tim-server -p tim-loadgen
for round in $(seq "$rounds"); do
  for mode in "--window 1" "--window 8" "--rate 3000"; do
    for target in tim ejabberd relay; do
      # shellcheck disable=SC2086
      target/release/tim-loadgen --target "$target" --pairs 50 $mode
    done
  done
done
