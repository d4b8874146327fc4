#!/usr/bin/env bash
# A private PostgreSQL for tests and benchmarks, never the system's cluster:
#   scripts/pg.sh start DIR   initdb in DIR (as the postgres user when root), start it on a free
#                             port, print its URL (postgres://postgres@127.0.0.1:PORT)
#   scripts/pg.sh stop DIR    stop it and remove DIR
# FAST=1 turns fsync off (tests that are not about durability).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is missing: ./scripts/setup.sh installs it" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cmd=${1:?start or stop}; dir=${2:?a folder}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300"
    [ "${FAST:-}" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "$opts" -w -s start
    echo "postgres://postgres@127.0.0.1:$port"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast -s || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
