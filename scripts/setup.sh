#!/usr/bin/env bash
# Installs what the build and tests need and skips what is present. Sourced by test.sh and
# demo.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

need_node_deps() {
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules ]; then
    log "installing test dependencies (npm ci in tests/)"
    (cd tests && npm ci --no-audit --no-fund >/dev/null)
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  need_node_deps
fi
