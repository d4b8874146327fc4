#!/usr/bin/env bash
# A private nats-server for tests and benchmarks:
#   scripts/nats.sh start DIR   start it on a free port (pid and log in DIR), print its URL
#   scripts/nats.sh stop DIR    stop it and remove DIR
set -euo pipefail
cmd=${1:?start or stop}; dir=${2:?a folder}
case "$cmd" in
  start)
    command -v nats-server >/dev/null || { echo "nats-server is missing: ./scripts/setup.sh installs it" >&2; exit 1; }
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    nats-server -a 127.0.0.1 -p "$port" -P "$dir/pid" -l "$dir/log" </dev/null >/dev/null 2>&1 &
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.05
    done
    echo "nats://127.0.0.1:$port"
    ;;
  stop)
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
