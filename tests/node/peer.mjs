// One SDK user in its own process, as an app would be (one instance per SDKAppID per process).
// The test sends it JSON lines {id, code}: `code` is the body of an async function of
// (tim, TIM, state); the answer is {id, ok, value} or {id, ok: false, error}. Every SDK event
// is written as {event, data, at} (at: Date.now() when it fired).
import TIM from 'tim-wasm';
import { createInterface } from 'node:readline';

const [sdkAppID, serverURL, extra] = process.argv.slice(2);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const tim = TIM.create({ SDKAppID: Number(sdkAppID), serverURL, ...JSON.parse(extra || '{}') });
tim.setLogLevel(4);
for (const name of Object.values(TIM.EVENT)) tim.on(name, (e) => out({ event: e.name, data: e.data, at: Date.now() }));
const state = {};
const AsyncFunction = (async () => {}).constructor;
createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, code } = JSON.parse(line);
  try {
    const value = await new AsyncFunction('tim', 'TIM', 'state', code)(tim, TIM, state);
    out({ id, ok: true, value });
  } catch (e) {
    out({ id, ok: false, error: { code: e && e.code, message: e && e.message, data: e && e.data, isError: e instanceof Error } });
  }
});
out({ ready: true });
