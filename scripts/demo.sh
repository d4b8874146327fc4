#!/usr/bin/env bash
# The one command to try tim-wasm: builds the SDK package (pkg/) and tim-server, puts the demo
# chat page and the package in one folder (target/demo-www/, the package under sdk/), and runs
# the server in the foreground with the development app and /dev/usersig. Open the printed URL
# in two windows (one private) and log in as two users. Ctrl+C stops it.
#
#   TIM_DEMO_ADDR=0.0.0.0:9000 ./scripts/demo.sh    # another address (default 127.0.0.1:8080)
#   TIM_DEMO_SKIP_BUILD=1 ./scripts/demo.sh          # reuse pkg/ and the release server as built
#
# Messages are kept in tim-data/demo.db; delete it to start over.
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${TIM_DEMO_ADDR:-127.0.0.1:8080}
www=target/demo-www
server=target/release/tim-server

log() { printf '[demo] %s\n' "$*" >&2; }

if [ -z "${TIM_DEMO_SKIP_BUILD:-}" ]; then
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
  [ -e "$f" ] || { log "$f is missing: run without TIM_DEMO_SKIP_BUILD"; exit 1; }
done

log "assembling $www/ (www-demo/ + pkg/ as sdk/)"
rm -rf "$www"
mkdir -p "$www" tim-data
cp -r www-demo/. "$www/"
cp -r pkg "$www/sdk"

log "starting tim-server on $addr (Ctrl+C stops it)"
# The server's first line is "listening on http://HOST:PORT" (the real port when it is 0).
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
