// Login policies across platforms, end to end: the same user in a web page (headless Chromium,
// the package's browser entry, platform web) and in Node processes (platform node), under each
// of the four policies, one app each. A login the policy forbids beside an existing one kicks
// the older with KICKED_OUT multipleDevice; the web-instance limit stays within web.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer, ROOT } from '../lib/server.mjs';
import { startPeer } from '../node/harness.mjs';
import { launchChromium } from '../lib/browser.mjs';

const POLICIES = { single: 1400000061, dual: 1400000062, three: 1400000063, multi: 1400000064 };
const KEY = 'policies-secret-key';
const sig = (app, user) => new TLSSigAPIv2.Api(app, KEY).genUserSig(user, 3600);

let dir;
let server;
let browser;
const peers = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tim-policies-'));
  const site = join(dir, 'site');
  cpSync(join(ROOT, 'pkg'), join(site, 'tim-wasm'), { recursive: true });
  writeFileSync(join(site, 'index.html'), `<!doctype html><script type="module">
    import TIM from './tim-wasm/index.js';
    window.kicks = [];
    window.login = async (SDKAppID, userID, userSig) => {
      const tim = TIM.create({ SDKAppID });
      tim.on(TIM.EVENT.KICKED_OUT, (e) => window.kicks.push(e.data.type));
      const ready = new Promise((r) => tim.on(TIM.EVENT.SDK_READY, r));
      await tim.login({ userID, userSig });
      await ready;
    };
  </script>`);
  const apps = Object.entries(POLICIES)
    .map(([policy, app]) => `[[app]]\nsdkappid = ${app}\nkey = "${KEY}"\nlogin_policy = "${policy}"\n`)
    .join('');
  writeFileSync(join(dir, 'tim.toml'), apps);
  server = await startServer(['--config', join(dir, 'tim.toml'), '--static', site]);
  browser = await launchChromium();
});

after(async () => {
  for (const p of peers) p.stop();
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function web(app, user) {
  const page = await browser.newPage();
  await page.goto(server.url + '/index.html');
  await page.waitForFunction(() => window.login);
  await page.evaluate(([a, u, s]) => window.login(a, u, s), [app, user, sig(app, user)]);
  return { kicks: () => page.evaluate(() => window.kicks), close: () => page.close() };
}

async function node(app, user) {
  const p = await startPeer(app, server.url);
  peers.push(p);
  const r = await p.run(`return await tim.login({userID: ${JSON.stringify(user)}, userSig: ${JSON.stringify(sig(app, user))}})`);
  assert.ok(r.ok, JSON.stringify(r));
  await p.take('sdkStateReady');
  return { kicks: () => p.events.filter((e) => e.event === 'kickedOut').map((e) => e.data.type) };
}

/** Let kicks arrive, then what each client was told. */
async function kicksOf(...clients) {
  await new Promise((r) => setTimeout(r, 500));
  return Promise.all(clients.map((c) => c.kicks()));
}

for (const [policy, app] of Object.entries(POLICIES)) {
  test(`${policy}: a web page and a Node process of one user, then a second Node process`, async () => {
    const user = `pol-${policy}`;
    const page = await web(app, user);
    const first = await node(app, user);
    // Single-platform: the Node login ends the web session; the others keep both.
    const webKick = policy === 'single' ? ['multipleDevice'] : [];
    assert.deepEqual(await kicksOf(page, first), [webKick, []]);
    // A second Node process: one desktop session under every policy.
    const second = await node(app, user);
    assert.deepEqual(await kicksOf(page, first, second), [webKick, ['multipleDevice'], []]);
    await page.close();
  });
}

test('single: a web login ends the Node session', async () => {
  const app = POLICIES.single;
  const first = await node(app, 'pol-single-2');
  const page = await web(app, 'pol-single-2');
  assert.deepEqual(await kicksOf(first, page), [['multipleDevice'], []]);
  await page.close();
});
