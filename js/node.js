// Entry point for Node (>= 20): the wasm file is read from disk. Node 20 needs
// `--experimental-websocket` for globalThis.WebSocket (or pass `WebSocket` to TIM.create).
import { readFile } from 'node:fs/promises';
import init, { Sdk } from './tim_wasm.js';
import { makeTIM } from './tim.js';

export default makeTIM(async () => {
  await init({ module_or_path: await readFile(new URL('./tim_wasm_bg.wasm', import.meta.url)) });
  return { Sdk };
});
