// Entry point for Node (>= 20): the wasm file is read from disk. The WebSocket is the one
// passed to TIM.create, else Node's global one (Node >= 22, or 20 with
// `--experimental-websocket`), else the `ws` package when the app has it installed.
import { readFile } from 'node:fs/promises';
import init, { Sdk } from './tim_wasm.js';
import { makeTIM } from './tim.js';

const MISSING =
  'tim-wasm: this Node has no WebSocket: run Node 20 with --experimental-websocket ' +
  '(Node 22 has it), install the "ws" package, or pass WebSocket to TIM.create';

async function webSocket() {
  if (globalThis.WebSocket) return globalThis.WebSocket;
  try {
    const ws = await import('ws');
    return ws.WebSocket || ws.default;
  } catch {
    return undefined;
  }
}

export default makeTIM(async () => {
  const [WebSocket] = await Promise.all([
    webSocket(),
    init({ module_or_path: await readFile(new URL('./tim_wasm_bg.wasm', import.meta.url)) }),
  ]);
  return { Sdk, WebSocket, missing: MISSING, platform: 'node' };
});
