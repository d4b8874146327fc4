// The README's own snippet, taken from README.md (so the two cannot drift), run as a new app
// would: the package packed with `npm pack` and installed from the tarball into a fresh app
// folder; the snippet run in Node (20 with --experimental-websocket, 20 with the `ws` package,
// 20 with neither) and in a plain page in Chromium with the README's import map. Only the
// server address is replaced, by the test server's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ROOT } from '../lib/server.mjs';
import { startPeer } from '../node/harness.mjs';
import { launchChromium } from '../lib/browser.mjs';

/** The block after `<!-- readme-test: name -->` in README.md. */
function block(name) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  assert.ok(m, `README.md has no readme-test block "${name}"`);
  return m[1];
}

const README_SERVER = 'http://127.0.0.1:8080';
let server;
let dir;
let app;

before(async () => {
  server = await startServer(['--dev']);
  dir = mkdtempSync(join(tmpdir(), 'tim-readme-'));
  // As the README says: pack the built package, install the tarball into the app.
  execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', dir], { stdio: 'ignore' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name": "readme-app", "private": true}');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: app, stdio: 'ignore' });
  const snippet = block('app');
  assert.ok(snippet.includes(README_SERVER), 'the snippet names the server it talks to');
  const code = snippet.replaceAll(README_SERVER, server.url);
  writeFileSync(join(app, 'app.mjs'), code);
  writeFileSync(join(app, 'app.js'), code);
  writeFileSync(join(app, 'index.html'), block('page'));
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node [flags] app.mjs` until `done(stdout)` holds or it exits; returns its output. */
function runNode(flags, done, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, 'app.mjs'], { cwd: app, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    const finish = (code) => {
      child.kill('SIGKILL');
      resolve({ out, err, code });
    };
    const timer = setTimeout(() => finish('timeout'), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (done(out)) {
        clearTimeout(timer);
        // Still alive after the snippet's last line: nothing rejected unhandled.
        setTimeout(() => finish(child.exitCode), 300);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, err, code });
    });
  });
}

/** What the snippet itself printed (the SDK logs too, at the default log level). */
const said = (out) => out.split('\n').filter((l) => l === 'ready' || l.startsWith('sent') || l.startsWith('received'));

/** Runs `run` while bob is logged in; checks bob received alice's 'hi'. */
async function bobHears(run) {
  const bob = await startPeer(1400000000, server.url);
  try {
    const login = await bob.run(`
      const { userSig } = await (await fetch(${JSON.stringify(server.url)} + '/dev/usersig?userID=bob')).json();
      await tim.login({ userID: 'bob', userSig });`);
    assert.ok(login.ok, JSON.stringify(login));
    await bob.take('sdkStateReady');
    const result = await run();
    const [m] = await bob.take('onMessageReceived', (list) => list.some((x) => x.from === 'alice'));
    assert.equal(m.payload.text, 'hi');
    return result;
  } finally {
    bob.stop();
  }
}

test('the snippet runs in Node 20 with --experimental-websocket', async () => {
  const r = await bobHears(() => runNode(['--experimental-websocket', '--no-warnings'], (out) => out.includes('sent success')));
  assert.deepEqual(said(r.out), ['ready', 'sent success'], `stdout: ${r.out}\nstderr: ${r.err}`);
  assert.equal(r.code, null, `exited early (${r.code}): ${r.err}`);
});

test('the snippet runs in Node 20 without the flag when the app has the ws package', async () => {
  symlinkSync(join(ROOT, 'node_modules', 'ws'), join(app, 'node_modules', 'ws'), 'dir');
  try {
    const r = await bobHears(() => runNode([], (out) => out.includes('sent success')));
    assert.deepEqual(said(r.out), ['ready', 'sent success'], `stdout: ${r.out}\nstderr: ${r.err}`);
  } finally {
    rmSync(join(app, 'node_modules', 'ws'));
  }
});

test('without a WebSocket the failure names the flag', async () => {
  const r = await runNode([], () => false);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /2800/);
  assert.match(r.err, /--experimental-websocket/);
  assert.match(r.err, /"ws" package/);
});

test('the snippet runs in a plain page with the README import map, in Chromium', async () => {
  // The app folder, served as it is: the page, app.js and node_modules/tim-wasm.
  const page = await startServer(['--dev', '--static', app]);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const logs = [];
    const errors = [];
    tab.on('console', (m) => logs.push(m.text()));
    tab.on('pageerror', (e) => errors.push(String(e)));
    await bobHears(async () => {
      await tab.goto(page.url + '/index.html');
      const deadline = Date.now() + 20_000;
      while (!logs.includes('sent success') && !errors.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(said(logs.join('\n')), ['ready', 'sent success']);
  } finally {
    await browser.close();
    await page.stop();
  }
});
