// The one-command demo's options: `--addr` moves it, and a busy address says what to do.
// Runs scripts/demo.sh with --skip-build on the package and server the test command built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, SERVER_BIN } from '../lib/server.mjs';

const DEMO = join(ROOT, 'scripts', 'demo.sh');

/** Run demo.sh with `args` in its own process group; resolves with its output and a stop(). */
function demo(args) {
  const child = spawn(DEMO, ['--skip-build', ...args], {
    cwd: ROOT,
    env: { ...process.env, TIM_DEMO_SERVER: SERVER_BIN },
    detached: true,
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await exited;
  };
  return { out, exited, stop };
}

async function until(check, what, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free a moment ago. */
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test('demo.sh --addr serves the demo page there', async () => {
  const port = await freePort();
  const d = demo(['--addr', `127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(() => d.out.stdout.includes(`Open ${url}/`), `the URL ${url}`);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  } finally {
    await d.stop();
  }
});

test('demo.sh on a busy address says how to pick another and exits non-zero', async () => {
  const busy = createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', r));
  const { port } = busy.address();
  try {
    const d = demo([`--addr=127.0.0.1:${port}`]);
    const code = await d.exited;
    assert.notEqual(code, 0);
    assert.match(d.out.stderr, /in use/i);
    assert.match(d.out.stderr, /--addr 127\.0\.0\.1:9000/);
  } finally {
    busy.close();
  }
});

test('demo.sh refuses an option it does not know, naming the ones it has', async () => {
  const d = demo(['--port', '9000']);
  assert.equal(await d.exited, 2);
  assert.match(d.out.stderr, /unknown option --port/);
  assert.match(d.out.stderr, /--addr/);
});
