// Many short-lived clients logging in at once, over and over, in one process (one SDK instance
// per SDKAppID, so 20 apps give 20 instances): every login must resolve (or reject with a
// code) well within its deadline, and SDK_READY follow, on a loaded 2-core machine.
//   LOGIN_SOAK_ROUNDS=10 (default), LOGIN_SOAK_CLIENTS=20
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer } from '../lib/server.mjs';

const ROUNDS = Number(process.env.LOGIN_SOAK_ROUNDS || 10);
const CLIENTS = Number(process.env.LOGIN_SOAK_CLIENTS || 20);
const FIRST_APP = 1400000100;
const KEY = 'login-soak-secret-key';
const sig = (app, user) => new TLSSigAPIv2.Api(app, KEY).genUserSig(user, 3600);

let dir;
let server;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tim-logins-'));
  let apps = '';
  for (let i = 0; i < CLIENTS; i++) apps += `[[app]]\nsdkappid = ${FIRST_APP + i}\nkey = "${KEY}"\n`;
  writeFileSync(join(dir, 'tim.toml'), apps);
  server = await startServer(['--config', join(dir, 'tim.toml'), '--free-login-failures', '0']);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Log one instance in as `user`, wait for SDK_READY, send one message (to `peer`, a user of
 * the same app, if any), log out: the times. */
async function session(tim, app, user, peer) {
  const t0 = Date.now();
  const ready = new Promise((r) => tim.once(TIM.EVENT.SDK_READY, r));
  await tim.login({ userID: user, userSig: sig(app, user) });
  const loggedIn = Date.now() - t0;
  await ready;
  const readyAt = Date.now() - t0;
  if (peer) {
    const m = tim.createTextMessage({ to: peer, conversationType: TIM.TYPES.CONV_C2C, payload: { text: 'hello' } });
    await tim.sendMessage(m);
  }
  await tim.logout();
  return { loggedIn, readyAt };
}

test(`${ROUNDS} rounds of ${CLIENTS} clients logging in at once: none hangs`, { timeout: 60_000 + ROUNDS * 30_000 }, async () => {
  const tims = Array.from({ length: CLIENTS }, (_, i) => {
    const tim = TIM.create({ SDKAppID: FIRST_APP + i, serverURL: server.url });
    tim.setLogLevel(4);
    return tim;
  });
  const times = [];
  for (let round = 0; round < ROUNDS; round++) {
    const all = tims.map((tim, i) => {
      const app = FIRST_APP + i;
      // Each settles or fails within 20 s, or it counts as a hang.
      const hang = new Promise((_, reject) => setTimeout(() => reject(new Error(`hang: round ${round} client ${i}`)), 20_000).unref());
      return Promise.race([session(tim, app, `u${round}-${i}`, round > 0 && `u${round - 1}-${i}`), hang]);
    });
    times.push(...(await Promise.all(all)));
  }
  const worst = (k) => Math.max(...times.map((t) => t[k]));
  const median = (k) => times.map((t) => t[k]).sort((a, b) => a - b)[times.length >> 1];
  console.log(`${times.length} logins: login resolved median ${median('loggedIn')} ms, worst ${worst('loggedIn')} ms; ` +
    `SDK_READY median ${median('readyAt')} ms, worst ${worst('readyAt')} ms`);
  assert.equal(times.length, ROUNDS * CLIENTS);
  for (const tim of tims) await tim.destroy();
});
