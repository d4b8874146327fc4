#!/usr/bin/env bash
# The one command to try tim-wasm: builds the SDK package (pkg/) and tim-server, puts the demo
# chat page and the package in one folder (target/demo-www/, the package under sdk/), and runs
# the server in the foreground with the development app and /dev/usersig. Open the printed URL
# in two windows (one private) and log in as two users. Ctrl+C stops it.
#
#   ./scripts/demo.sh --addr 0.0.0.0:9000     # another address (default 127.0.0.1:8080;
#                                             # TIM_DEMO_ADDR does the same)
#   ./scripts/demo.sh --skip-build            # reuse pkg/ and the server as built
#                                             # (TIM_DEMO_SKIP_BUILD=1; TIM_DEMO_SERVER=path
#                                             # picks the binary, default the release build)
#
# Messages are kept in tim-data/demo.db; delete it to start over.
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${TIM_DEMO_ADDR:-127.0.0.1:8080}
skip_build=${TIM_DEMO_SKIP_BUILD:-}
www=target/demo-www
server=${TIM_DEMO_SERVER:-target/release/tim-server}

usage() { sed -n '7,11p' "$0" | sed 's/^#//' >&2; }
while [ $# -gt 0 ]; do
  case $1 in
    --addr) [ $# -ge 2 ] || { echo "[demo] --addr needs an address, e.g. --addr 127.0.0.1:9000" >&2; exit 2; }
      addr=$2; shift 2 ;;
    --addr=*) addr=${1#--addr=}; shift ;;
    --skip-build) skip_build=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "[demo] unknown option $1; the options are:" >&2; usage; exit 2 ;;
  esac
done

log() { printf '[demo] %s\n' "$*" >&2; }

if [ -z "$skip_build" ]; then
  if ! command -v cargo >/dev/null; then
    log "Rust is missing: install it with rustup (https://rustup.rs), then run this again"
    exit 1
  fi
  log "building the SDK package (pkg/)"
  ./scripts/build-sdk.sh
  log "building tim-server (release)"
  cargo build --release -p tim-server
fi
for f in pkg/index.js "$server"; do
  [ -e "$f" ] || { log "$f is missing: run without --skip-build"; exit 1; }
done

log "assembling $www/ (www-demo/ + pkg/ as sdk/)"
rm -rf "$www"
mkdir -p "$www" tim-data
cp -r www-demo/. "$www/"
cp -r pkg "$www/sdk"

log "starting tim-server on $addr (Ctrl+C stops it)"
# The server's first line is "listening on http://HOST:PORT" (the real port when it is 0).
set +e
"$server" serve --dev --static "$www" --addr "$addr" --db sqlite://./tim-data/demo.db |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case $line in
      "listening on "*)
        url=${line#listening on }
        printf '\n  Open %s/ in two browser windows (one private) and log in as two users,\n' "$url"
        printf '  e.g. %s/?userID=alice and %s/?userID=bob\n\n' "$url" "$url"
        ;;
    esac
  done
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && [ "$status" -lt 128 ]; then
  log "tim-server could not run on $addr (exit $status; its reason is above). If that address is"
  log "in use (another demo or server), pick another: ./scripts/demo.sh --addr 127.0.0.1:9000"
fi
exit "$status"
