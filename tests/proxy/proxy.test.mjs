// Tests of the fault-injecting proxy (tests/lib/proxy.mjs) against small echo servers.
// Run: node --test tests/proxy/
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProxy } from '../lib/proxy.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (buf) => createHash('sha256').update(buf).digest('hex');

const cleanups = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });

// Echo server on 127.0.0.1:0 that remembers its sockets.
async function startEcho() {
  const sockets = new Set();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const echo = {
    port: server.address().port,
    sockets,
    get accepted() { return accepted; },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  cleanups.push(() => echo.close());
  return echo;
}

async function proxyTo(echo) {
  const proxy = await startProxy({ upstreamPort: echo.port });
  cleanups.push(() => proxy.close());
  return proxy;
}

// A client socket with a byte log and promises for its events.
function client(port) {
  const sock = net.connect({ port, host: '127.0.0.1' });
  const c = { sock, chunks: [], closed: false, errored: null, waiters: [] };
  c.bytes = () => Buffer.concat(c.chunks);
  sock.on('data', (d) => { c.chunks.push(d); c.waiters.forEach((w) => w()); });
  sock.on('error', (e) => { c.errored = e; });
  sock.on('close', () => { c.closed = true; c.waiters.forEach((w) => w()); });
  c.connected = new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  c.connected.catch(() => {}); // a refused/reset connect is expected in some tests
  c.closedP = new Promise((r) => sock.once('close', r));
  // Resolves once `n` bytes have arrived; rejects on close or timeout.
  c.waitBytes = (n, ms = 2000) => new Promise((resolve, reject) => {
    const t = setTimeout(() => { done(); reject(new Error(`timeout: got ${c.bytes().length}/${n} bytes`)); }, ms);
    const check = () => {
      if (c.bytes().length >= n) { done(); resolve(c.bytes()); } else if (c.closed) { done(); reject(new Error('closed early')); }
    };
    const done = () => { clearTimeout(t); c.waiters = c.waiters.filter((w) => w !== check); };
    c.waiters.push(check);
    check();
  });
  cleanups.push(() => sock.destroy());
  return c;
}

function within(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what} not within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

async function roundTrip(c, text) {
  const before = c.bytes().length;
  c.sock.write(text);
  const got = await c.waitBytes(before + Buffer.byteLength(text));
  assert.equal(got.subarray(before).toString(), text);
}

// Sends `data` in pieces, ends, collects the echo until 'end'.
async function pushThrough(port, data, piece = 100_000) {
  const sock = net.connect({ port, host: '127.0.0.1' });
  cleanups.push(() => sock.destroy());
  const chunks = [];
  const received = new Promise((resolve, reject) => {
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => resolve(Buffer.concat(chunks)));
    sock.on('error', reject);
  });
  for (let i = 0; i < data.length; i += piece) {
    if (!sock.write(data.subarray(i, i + piece))) await new Promise((r) => sock.once('drain', r));
  }
  sock.end();
  return received;
}

test('forwards 5 MB both ways intact, and half-close', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const data = randomBytes(5 * 1024 * 1024);
  const got = await within(pushThrough(proxy.port, data), 4000, '5 MB echo');
  assert.equal(got.length, data.length);
  assert.equal(sha(got), sha(data));
  assert.equal(proxy.totalAccepted, 1);
});

test('keeps order under delay changes and stall/unstall toggling', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  proxy.setDelay(10);
  const data = randomBytes(1024 * 1024);
  let stop = false;
  const toggler = (async () => {
    for (let i = 0; !stop; i++) {
      if (i % 2) proxy.unstall(); else proxy.stall();
      proxy.setDelay(i % 3 ? 0 : 15);
      await sleep(40);
    }
    proxy.unstall();
  })();
  try {
    const got = await within(pushThrough(proxy.port, data, 7_000), 5000, 'echo under faults');
    assert.equal(sha(got), sha(data));
  } finally {
    stop = true;
    await toggler;
  }
  proxy.setDelay(0);
});

test('cutAll: the client sees the close within 1 s, and the upstream side is gone too', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  const a = client(proxy.port);
  const b = client(proxy.port);
  await roundTrip(a, 'hello a');
  await roundTrip(b, 'hello b');
  assert.equal(proxy.connections, 2);
  assert.equal(echo.sockets.size, 2);
  proxy.cutAll();
  assert.equal(proxy.connections, 0);
  await within(Promise.all([a.closedP, b.closedP]), 1000, 'client close');
  const t0 = Date.now();
  while (echo.sockets.size && Date.now() - t0 < 1000) await sleep(10);
  assert.equal(echo.sockets.size, 0, 'upstream sockets closed');
  // The proxy still works for new connections.
  const c = client(proxy.port);
  await roundTrip(c, 'after cut');
});

test('cutRandom cuts exactly one pair', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  assert.equal(proxy.cutRandom(), false);
  const a = client(proxy.port);
  const b = client(proxy.port);
  await roundTrip(a, 'a');
  await roundTrip(b, 'b');
  assert.equal(proxy.cutRandom(), true);
  assert.equal(proxy.connections, 1);
  await within(Promise.race([a.closedP, b.closedP]), 1000, 'one close');
  await sleep(50);
  assert.equal([a, b].filter((c) => c.closed).length, 1);
  const alive = a.closed ? b : a;
  await roundTrip(alive, 'still here');
});

test('stall: no echo within 500 ms, socket stays open; unstall delivers it intact', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  const a = client(proxy.port);
  await roundTrip(a, 'warm');
  proxy.stall();
  const msg = randomBytes(300_000);
  a.sock.write(msg);
  const b = client(proxy.port); // a new pair while stalled is stalled too
  await b.connected;
  b.sock.write('new pair');
  await sleep(500);
  assert.equal(a.bytes().length, 4, 'nothing came back while stalled');
  assert.equal(b.bytes().length, 0, 'nothing came back on the new pair while stalled');
  assert.equal(a.closed, false);
  assert.equal(b.closed, false);
  assert.equal(a.sock.destroyed, false);
  assert.equal(proxy.connections, 2);
  proxy.unstall();
  const got = await a.waitBytes(4 + msg.length, 1500);
  assert.equal(got.length, 4 + msg.length, 'no duplicated bytes');
  assert.equal(sha(got.subarray(4)), sha(msg));
  assert.equal((await b.waitBytes(8, 1500)).toString(), 'new pair');
});

test('setDelay(200) delays a round trip by >= 400 ms and keeps order', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  const a = client(proxy.port);
  await a.connected;
  let t0 = Date.now();
  await roundTrip(a, 'fast');
  assert.ok(Date.now() - t0 < 300, `undelayed round trip took ${Date.now() - t0} ms`);
  proxy.setDelay(200);
  t0 = Date.now();
  await roundTrip(a, 'slow');
  const rtt = Date.now() - t0;
  assert.ok(rtt >= 400, `delayed round trip took only ${rtt} ms`);
  assert.ok(rtt < 1000, `delayed round trip took ${rtt} ms`);
  // A chunk sent after lowering the delay must not overtake an earlier one.
  const before = a.bytes().length;
  a.sock.write('first;');
  await sleep(30);
  proxy.setDelay(0);
  a.sock.write('second');
  const got = await a.waitBytes(before + 12, 1500);
  assert.equal(got.subarray(before).toString(), 'first;second');
});

test('setUpstream sends later connections to another server', async () => {
  const e1 = await startEcho();
  const e2 = await startEcho();
  const proxy = await proxyTo(e1);
  const a = client(proxy.port);
  await roundTrip(a, 'to e1');
  assert.deepEqual([e1.accepted, e2.accepted], [1, 0]);
  proxy.setUpstream(e2.port);
  const b = client(proxy.port);
  await roundTrip(b, 'to e2');
  assert.deepEqual([e1.accepted, e2.accepted], [1, 1]);
  await roundTrip(a, 'old pair still on e1');
  assert.throws(() => proxy.setUpstream(e2.port, '10.0.0.1'), /loopback/);
});

test('upstream connect failure closes the client', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  const dead = net.createServer();
  await new Promise((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = dead.address().port;
  await new Promise((r) => dead.close(r));
  proxy.setUpstream(deadPort);
  const a = client(proxy.port);
  await within(a.closedP, 1000, 'client close after refused upstream');
  assert.equal(proxy.connections, 0);
});

test('refuse(true) closes new connections; refuse(false) restores', async () => {
  const echo = await startEcho();
  const proxy = await proxyTo(echo);
  proxy.refuse(true);
  const a = client(proxy.port);
  a.sock.write('hi');
  await within(a.closedP, 1000, 'refused close');
  assert.equal(a.bytes().length, 0);
  assert.equal(echo.accepted, 0);
  assert.equal(proxy.totalAccepted, 1);
  assert.equal(proxy.connections, 0);
  proxy.refuse(false);
  const b = client(proxy.port);
  await roundTrip(b, 'accepted again');
  assert.equal(proxy.totalAccepted, 2);
});

test('close() leaves no open handles: a process using the proxy exits promptly', async () => {
  const lib = fileURLToPath(new URL('../lib/proxy.mjs', import.meta.url));
  // Echo server and client live in the child; the proxy is closed with a pair
  // open, stalled and delayed (so it holds a queue and a timer), and the echo
  // server is closed. Anything the proxy left behind would keep the child alive.
  const script = `
    import net from 'node:net';
    import { startProxy } from ${JSON.stringify(lib)};
    const echo = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
    await new Promise((r) => echo.listen(0, '127.0.0.1', r));
    const proxy = await startProxy({ upstreamPort: echo.address().port });
    const c = net.connect(proxy.port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise((r) => { c.once('data', r); c.write('x'); });
    proxy.setDelay(5000);
    c.write('queued');
    proxy.stall();
    c.write('more');
    await new Promise((r) => setTimeout(r, 50));
    await proxy.close();
    if (proxy.connections !== 0) throw new Error('connections left: ' + proxy.connections);
    await new Promise((r) => c.destroyed ? r() : c.once('close', r));
    await new Promise((r) => echo.close(r));
    console.log('closed');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const t0 = Date.now();
  const code = await within(new Promise((r) => child.once('exit', r)), 3000, 'child exit')
    .catch((e) => { child.kill('SIGKILL'); throw e; });
  assert.equal(code, 0, out);
  assert.match(out, /closed/);
  assert.ok(Date.now() - t0 < 3000);
});
