// Writes the package's surface.js from the official API's fixture (tests/fixtures): TIM.EVENT,
// TIM.TYPES and TIM.VERSION with the official values, and the names of every official instance
// method, which the JS face forwards to the wasm module. Run by build-sdk.sh.
//   node scripts/surface.mjs OUT.js
import { readFileSync, writeFileSync } from 'node:fs';

const OFFICIAL = 'tim-js-sdk@2.27.6';
const fixture = JSON.parse(readFileSync(new URL('../tests/fixtures/tim-api-surface.json', import.meta.url), 'utf8'));
const api = fixture[OFFICIAL];
const out = [
  `// Made by scripts/surface.mjs from the API of the official ${OFFICIAL}: do not edit.`,
  `export const VERSION = ${JSON.stringify(api.VERSION)};`,
  `export const EVENT = Object.freeze(${JSON.stringify(api.EVENT)});`,
  `export const TYPES = Object.freeze(${JSON.stringify(api.TYPES)});`,
  `export const METHODS = ${JSON.stringify(api.instanceMethods.join(' '))}.split(' ');`,
  '',
];
writeFileSync(process.argv[2], out.join('\n'));
