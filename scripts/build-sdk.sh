#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (--target web) output, optimised by binaryen's
# wasm-opt, completed with the JS face (js/), its JavaScript minified, and pkg-template/.
# Prints the package size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
need_wasm_tools
need_node_deps

rm -rf pkg
wasm-pack build . --mode no-install --target web --no-opt --no-pack \
  --profile wasm-release --out-dir pkg --out-name tim_wasm
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  pkg/tim_wasm_bg.wasm -o pkg/tim_wasm_bg.wasm
rm -f pkg/.gitignore pkg/README.md
cp js/*.js js/index.d.ts pkg/
node scripts/surface.mjs pkg/surface.js
node scripts/minify.mjs pkg
cp -r pkg-template/. pkg/
node scripts/size.mjs pkg
# Tests and the demo import the package by its name.
ln -sfn ../pkg node_modules/tim-wasm
