#!/usr/bin/env bash
# Side by side in one run: tim-server (SQLite, every message durable), ejabberd (Debian's, no
# storage) and the raw relay under the same load, alternating targets each round; prints one
# line per run (docs/ARCHITECTURE.md, "Throughput", has the table).
#   ./bench/compare.sh [rounds]      (installs ejabberd from Debian when missing, as root)
#   BASELINE=path/to/tim-server ./bench/compare.sh   also runs an older tim-server build
# The open-loop rate (RATE, default 12000 msg/s) is about half of tim-server's capacity here.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
rate=${RATE:-12000}
if ! command -v ejabberdctl >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ejabberd >/dev/null
fi
cargo build --release -q -p tim-server -p tim-loadgen
targets=(tim ejabberd relay)
[[ -n "${BASELINE:-}" ]] && targets+=(baseline)
for round in $(seq "$rounds"); do
  for mode in "--window 1" "--window 8" "--rate $rate"; do
    for target in "${targets[@]}"; do
      if [[ "$target" == baseline ]]; then
        # shellcheck disable=SC2086
        echo "baseline $(target/release/tim-loadgen --target tim --server "$BASELINE" --pairs 50 $mode)"
      else
        # shellcheck disable=SC2086
        target/release/tim-loadgen --target "$target" --pairs 50 $mode
      fi
    done
  done
done
