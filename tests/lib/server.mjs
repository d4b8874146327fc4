// Starts the real tim-server binary on a free port with a temp SQLite file.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_BIN = process.env.TIM_SERVER_BIN || join(ROOT, 'target', 'debug', 'tim-server');

/**
 * The database of a server whose data lives in `dir`: a SQLite file there, or with
 * TIM_TEST_POSTGRES=postgres://USER@HOST:PORT (scripts/pg.sh starts one) a database of its own
 * on that server, named after `dir`, so a server restarted on the same `dir` finds its data.
 */
function database(dir) {
  const pg = process.env.TIM_TEST_POSTGRES;
  if (!pg) return `sqlite://${join(dir, 'tim.db')}`;
  const name = 'tim_' + basename(dir).replace(/[^a-zA-Z0-9]/g, '_').toLowerCase();
  const url = new URL(pg);
  const exists = execFileSync('psql', ['-h', url.hostname, '-p', url.port, '-U', url.username || 'postgres', '-d', 'postgres', '-tAc',
    `SELECT 1 FROM pg_database WHERE datname = '${name}'`]).toString().trim();
  if (!exists) {
    execFileSync('psql', ['-h', url.hostname, '-p', url.port, '-U', url.username || 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
  }
  return `${pg.replace(/\/+$/, '')}/${name}`;
}

/**
 * Start tim-server with `args` on a free port. Its database lives in a fresh temp folder,
 * removed on stop(), or in `dir` when given (kept, so a restarted server finds its data).
 */
export async function startServer(args = [], { dir: keep } = {}) {
  const dir = keep || mkdtempSync(join(tmpdir(), 'tim-test-'));
  const child = spawn(SERVER_BIN, ['serve', '--addr', '127.0.0.1:0', '--db', database(dir), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`tim-server exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  const url = m[1];
  return {
    url,
    port: Number(new URL(url).port),
    wsURL: url.replace('http', 'ws') + '/v1/ws',
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A minimal protocol-v1 client over the global WebSocket (node --experimental-websocket).
export async function connect(wsURL) {
  const ws = new WebSocket(wsURL);
  const frames = [];
  let wake = null;
  ws.onmessage = (e) => {
    frames.push(JSON.parse(e.data));
    if (wake) wake();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 0;
  const next = async () => {
    while (frames.length === 0) await new Promise((r) => (wake = r));
    return frames.shift();
  };
  const hello = await next();
  return {
    hello,
    async call(op, data) {
      const id = ++nextId;
      ws.send(JSON.stringify(data === undefined ? { id, op } : { id, op, data }));
      for (;;) {
        const f = await next();
        if ((f.type === 'ok' || f.type === 'err') && f.id === id) return f;
      }
    },
    close() {
      ws.close();
    },
  };
}
