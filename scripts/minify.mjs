// Minifies the package's JavaScript in place (the wasm-bindgen glue, the TIM face, the
// generated surface), as the official SDK ships minified: comments and whitespace out, local
// names shortened, exported names kept. The readable sources stay in js/. Uses the minifier
// of rolldown (vite's bundler, already a dev dependency).
import { minifySync } from 'rolldown/experimental';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || 'pkg';
for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  const path = join(dir, f);
  const out = minifySync(f, readFileSync(path, 'utf8'), { compress: true, mangle: true, module: true });
  if (out.errors && out.errors.length) throw new Error(`${f}: ${out.errors.map((e) => e.message).join('; ')}`);
  writeFileSync(path, out.code);
}
