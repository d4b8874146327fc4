// The package through a bundler: a small app importing 'tim-wasm' is built with Vite, served by
// the real tim-server, and logs in and chats in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { startServer, ROOT } from '../lib/server.mjs';
import { launchChromium } from '../lib/browser.mjs';

// Inside the repository, so 'tim-wasm' resolves through node_modules like an installed package.
const app = join(ROOT, 'target', 'vite-app');
let server;
let browser;

before(async () => {
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(app, 'main.js'), `
    import TIM from 'tim-wasm';
    window.chat = async (userID, peer, text) => {
      const { userSig, SDKAppID } = await (await fetch('/dev/usersig?userID=' + userID)).json();
      const tim = TIM.create({ SDKAppID });
      const ready = new Promise((r) => tim.on(TIM.EVENT.SDK_READY, r));
      await tim.login({ userID, userSig });
      await ready;
      window.received = [];
      tim.on(TIM.EVENT.MESSAGE_RECEIVED, (e) => window.received.push(...e.data.map((m) => m.payload.text)));
      if (peer) {
        const m = tim.createTextMessage({ to: peer, conversationType: TIM.TYPES.CONV_C2C, payload: { text } });
        return (await tim.sendMessage(m)).data.message.status;
      }
      return 'ready';
    };`);
  await build({ root: app, logLevel: 'error', build: { outDir: join(app, 'dist') } });
  server = await startServer(['--dev', '--static', join(app, 'dist')]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('vite emits the wasm file as an asset', () => {
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `assets: ${assets}`);
});

test('the bundled app logs in and chats in Chromium', async () => {
  const [bob, alice] = [await browser.newPage(), await browser.newPage()];
  for (const p of [bob, alice]) {
    await p.goto(server.url + '/index.html');
    await p.waitForFunction(() => window.chat);
  }
  assert.equal(await bob.evaluate(() => window.chat('vbob')), 'ready');
  assert.equal(await alice.evaluate(() => window.chat('valice', 'vbob', 'bundled hello')), 'success');
  await bob.waitForFunction(() => window.received.length > 0);
  assert.deepEqual(await bob.evaluate(() => window.received), ['bundled hello']);
});

test("the README's snippet, bundled by Vite with its defaults, runs in Chromium", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippet = /<!-- readme-test: app -->\n```js\n([\s\S]*?)\n```/.exec(readme)[1];
  const dir = join(ROOT, 'target', 'vite-readme-app');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>');
  writeFileSync(join(dir, 'app.js'), snippet.replaceAll('http://127.0.0.1:8080', server.url));
  await build({ root: dir, logLevel: 'error', build: { outDir: join(dir, 'dist') } });
  const readmeServer = await startServer(['--dev', '--static', join(dir, 'dist')]);
  try {
    // The snippet writes to bob: he exists once logged in (with the first app's page).
    const bob = await browser.newPage();
    await bob.goto(server.url + '/index.html');
    await bob.waitForFunction(() => window.chat);
    assert.equal(await bob.evaluate(() => window.chat('bob')), 'ready');
    const page = await browser.newPage();
    const logs = [];
    const errors = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(readmeServer.url + '/index.html');
    const deadline = Date.now() + 15000;
    while (!logs.some((l) => l.startsWith('sent')) && !errors.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(errors, []);
    assert.deepEqual(logs.filter((l) => l === 'ready' || l.startsWith('sent')), ['ready', 'sent success']);
  } finally {
    await readmeServer.stop();
  }
});
