#!/usr/bin/env bash
# Installs what the build and tests need and skips what is present. Sourced by the other
# scripts (which call the need_* functions they use); run alone, it installs everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# npm writes node_modules/.package-lock.json last: without it an install was cut short.
need_node_deps() {
  local done=node_modules/.package-lock.json
  if [ ! -f "$done" ] || [ package-lock.json -nt "$done" ]; then
    log "installing build and test tools from npm (npm ci)"
    npm ci --no-audit --no-fund >/dev/null
    touch "$done"
  fi
}

# The wasm-bindgen CLI must be exactly the version the crate pins.
wasm_bindgen_pin() {
  sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1
}

need_wasm_tools() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local pin
  pin=$(wasm_bindgen_pin)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $pin\$"; then
    log "installing wasm-bindgen-cli $pin (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$pin"
  fi
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack (a few minutes, once)"
    cargo install wasm-pack
  fi
}

need_chromium() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "Chromium is missing: install Debian's chromium and chromium-driver packages"
    return 1
  fi
  log "installing Debian's chromium and chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
}

# PostgreSQL's server binaries (Debian's package; the tests start private instances of it in
# temp folders, never the system's cluster).
need_postgres() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is missing: install Debian's postgresql package"
    return 1
  fi
  log "installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

# Debian's nats-server (the tests start private ones on free ports).
need_nats() {
  if command -v nats-server >/dev/null; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "nats-server is missing: install Debian's nats-server package"
    return 1
  fi
  log "installing Debian's nats-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  need_node_deps
  need_wasm_tools
  need_chromium
  need_postgres
  need_nats
fi
