// Benchmark: a user with 10,000 conversations logs in with the built package in Node; prints
// the time from login() to SDK_READY (the list is loaded before) and the list's size.
//   mkdir -p /tmp/hub && BENCH_KEEP=/tmp/hub/tim.db cargo run --release -p tim-server --example bench_store 1000 10000
//   node --experimental-websocket bench/conversations-login.mjs /tmp/hub
import { execFileSync } from 'node:child_process';
import TIM from 'tim-wasm';
import { startServer, SERVER_BIN } from '../tests/lib/server.mjs';

// The folder holding the benchmark's tim.db.
const dir = process.argv[2] || '/tmp/hub';
const KEY = 'bench-key';
const server = await startServer(['--app', `1:${KEY}`], { dir });
try {
  const userSig = execFileSync(SERVER_BIN, ['usersig', '--sdkappid', '1', '--key', KEY, '--user', 'hub']).toString().trim();
  const tim = TIM.create({ SDKAppID: 1, serverURL: server.url });
  tim.setLogLevel(4);
  let size = 0;
  tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, (e) => (size = e.data.length));
  const ready = new Promise((r) => tim.on(TIM.EVENT.SDK_READY, r));
  const t0 = performance.now();
  await tim.login({ userID: 'hub', userSig });
  await ready;
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  const unread = tim.getTotalUnreadMessageCount();
  console.log(`login -> SDK_READY with ${size} conversations (total unread ${unread}): ${(t1 - t0).toFixed(0)} ms`);
  await tim.logout();
} finally {
  await server.stop();
}
