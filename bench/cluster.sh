#!/usr/bin/env bash
# Several nodes side by side in one run: tim-server on SQLite (one process) and on PostgreSQL
# with 1, 2 and 3 nodes joined by NATS, under the same load (50 pairs, the two users of a pair
# on different nodes), alternating configurations each round; one line per run
# (docs/ARCHITECTURE.md, "Several nodes", has the table). PostgreSQL runs with its durable
# defaults (fsync on): a message is answered after its COMMIT.
#   ./bench/cluster.sh [rounds] [mode]     mode: "--window 8" (default) or "--rate N"
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
mode=${2:---window 8}
source scripts/setup.sh
need_postgres
need_nats
cargo build --release -q -p tim-server -p tim-loadgen
work=$(mktemp -d /tmp/tim-cluster-bench-XXXXXX)
chmod 755 "$work"
trap './scripts/pg.sh stop "$work/pg"; ./scripts/nats.sh stop "$work/nats"; rm -rf "$work"' EXIT
pg=$(./scripts/pg.sh start "$work/pg")
nats=$(./scripts/nats.sh start "$work/nats")
run=0
for round in $(seq "$rounds"); do
  # shellcheck disable=SC2086
  echo "sqlite $(target/release/tim-loadgen --target tim --pairs 50 $mode)"
  for nodes in 1 2 3; do
    run=$((run + 1))
    db="bench_$run"
    psql "$pg/postgres" -qc "CREATE DATABASE $db"
    bus=()
    [ "$nodes" -gt 1 ] && bus=(--bus "$nats")
    # shellcheck disable=SC2086
    echo "postgres $(target/release/tim-loadgen --target tim --db "$pg/$db" --nodes "$nodes" "${bus[@]}" --pairs 50 $mode)"
  done
done
