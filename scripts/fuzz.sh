#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz) of the server's frame decoder, the UserSig decoder and
# the SDK core reading server frames: ./scripts/fuzz.sh [seconds per target, default 60]
# Each target starts from its corpus in fuzz/corpus/; what a run finds goes to a temp folder
# (FUZZ_KEEP=1 adds it to the corpus in the repo instead). A crash stops the script with the
# input in fuzz/artifacts/. Installs cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Nightly when there is one; else the stable toolchain with its unstable flags allowed
# (without a sanitizer, cargo fuzz needs no more).
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; fi
for target in client_frame usersig core_frames; do
  found=$(mktemp -d)
  dirs=("$found" "fuzz/corpus/$target")
  [[ -n "${FUZZ_KEEP:-}" ]] && dirs=("fuzz/corpus/$target")
  log=$(mktemp)
  if ! cargo "${toolchain[@]}" fuzz run --sanitizer none "$target" "${dirs[@]}" -- \
      -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target crashed (input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || echo "?")
  echo "fuzz: $target: $runs runs in ${secs}s, corpus $corpus (units/bytes), no crash"
  rm -rf "$found" "$log"
done
