// Starts the real tim-server binary on a free port with a temp SQLite file.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import net from 'node:net';

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

/** One tim-server process on `db` with `args`; resolves once it listens. */
async function startNode(db, args) {
  const child = spawn(SERVER_BIN, ['serve', '--addr', '127.0.0.1:0', '--db', db, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`tim-server exited with ${code}`)));
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  return {
    url: m[1],
    port: Number(new URL(m[1]).port),
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
  };
}

/**
 * A load balancer in front of `nodes`: each new TCP connection goes to the next node in turn,
 * so the users (and each reconnection) of a test are spread over the nodes.
 */
async function startBalancer(nodes) {
  let next = 0;
  const open = new Set();
  const server = net.createServer((client) => {
    // Read at connection time: a restarted node is on a new port.
    const node = nodes[next++ % nodes.length];
    const upstream = net.connect(node.port, '127.0.0.1');
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
    };
    open.add(client);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    async close() {
      for (const c of open) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Start tim-server with `args` on a free port. Its database lives in a fresh temp folder,
 * removed on stop(), or in `dir` when given (kept, so a restarted server finds its data).
 * With TIM_TEST_NODES=N (and TIM_TEST_POSTGRES and TIM_TEST_NATS) it is N nodes on one
 * PostgreSQL database and one NATS behind a round-robin balancer, whose address is the URL.
 */
export async function startServer(args = [], { dir: keep, nats } = {}) {
  const dir = keep || mkdtempSync(join(tmpdir(), 'tim-test-'));
  const db = database(dir);
  const count = Number(process.env.TIM_TEST_NODES || 1);
  let nodes;
  let balancer = null;
  let nodeArgs = args;
  if (count > 1) {
    const bus = nats || process.env.TIM_TEST_NATS;
    if (!bus || !process.env.TIM_TEST_POSTGRES) throw new Error('TIM_TEST_NODES needs TIM_TEST_POSTGRES and TIM_TEST_NATS');
    nodeArgs = ['--bus', bus, ...args];
    nodes = [];
    for (let i = 0; i < count; i++) nodes.push(await startNode(db, nodeArgs));
    balancer = await startBalancer(nodes);
  } else {
    nodes = [await startNode(db, args)];
  }
  const port = balancer ? balancer.port : nodes[0].port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    wsURL: url.replace('http', 'ws') + '/v1/ws',
    /** The nodes behind the balancer (one without TIM_TEST_NODES). */
    nodes,
    /** SIGKILL node `i` and start it again on the same database (the balancer goes on). */
    async restartNode(i) {
      await nodes[i].stop();
      nodes[i] = await startNode(db, nodeArgs);
    },
    async stop() {
      await balancer?.close();
      for (const n of nodes) await n.stop();
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
