// Prints the size of the package's shipped files: raw, gzip -9 and brotli (max quality).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dir = process.argv[2] || 'pkg';
const shipped = readdirSync(dir).filter((f) => /\.(js|wasm)$/.test(f)).sort();
let total = { raw: 0, gzip: 0, brotli: 0 };
for (const f of shipped) {
  const bytes = readFileSync(join(dir, f));
  const s = {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  for (const k in total) total[k] += s[k];
  console.log(`${f.padEnd(24)} ${String(s.raw).padStart(8)} raw ${String(s.gzip).padStart(7)} gzip ${String(s.brotli).padStart(7)} brotli`);
}
console.log(`${'total (wasm + JS)'.padEnd(24)} ${String(total.raw).padStart(8)} raw ${String(total.gzip).padStart(7)} gzip ${String(total.brotli).padStart(7)} brotli`);
