// A fault-injecting TCP proxy for tests (plain node:net, no dependencies).
//
// Sits between a client (e.g. the SDK's WebSocket) and a server on 127.0.0.1,
// forwarding bytes both ways, and lets a test drop, stall, delay or refuse
// connections. It works at the TCP level and never parses the traffic.
//
//   const proxy = await startProxy({ upstreamPort });
//   proxy.url                  // 'http://127.0.0.1:PORT' (ws URL: proxy.url.replace('http', 'ws') + '/v1/ws')
//   proxy.setUpstream(port)    // later connections go to this upstream port
//   proxy.cutAll()             // reset every open pair (both sides see an abrupt close)
//   proxy.cutRandom()          // reset one random pair; true if one was cut
//   proxy.stall() / unstall()  // silent dead link (no bytes, no FIN, no RST) / resume, buffered bytes flow on
//   proxy.setDelay(ms)         // delay every chunk by ms in both directions (order kept)
//   proxy.refuse(bool)         // while true, new connections are accepted and reset at once
//   proxy.connections, proxy.totalAccepted
//   await proxy.close()
import net from 'node:net';

const HOST = '127.0.0.1';
// Stop reading from a source once this many bytes wait in the proxy for one direction.
const HIGH_WATER = 1 << 20;

function checkHost(host) {
  if (host === 'localhost') return HOST;
  if (typeof host !== 'string' || !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`proxy only connects to loopback addresses, not ${host}`);
  }
  return host;
}

function checkPort(port) {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad upstream port: ${port}`);
  return port;
}

// Abrupt close: RST when the platform supports it, else a plain destroy.
function abort(sock) {
  if (sock.destroyed) return;
  if (typeof sock.resetAndDestroy === 'function' && !sock.connecting) {
    try { sock.resetAndDestroy(); } catch { /* fall through */ }
  }
  // resetAndDestroy is a no-op without a handle and defers while connecting.
  if (!sock.destroyed) sock.destroy();
}

// One direction of a pair: src's bytes, queued in order, written to dst.
class Direction {
  constructor(pair, src, dst) {
    this.pair = pair;
    this.src = src;
    this.dst = dst;
    this.queue = []; // { chunk, due }
    this.bytes = 0;
    this.ended = false; // src sent FIN
    this.finished = false; // we ended dst
    this.timer = null;
    this.drainWait = false;
  }

  push(chunk) {
    this.queue.push({ chunk, due: Date.now() + this.pair.proxy.delay });
    this.bytes += chunk.length;
    this.pump();
  }

  end() {
    this.ended = true;
    this.pump();
  }

  drop() {
    this.queue = [];
    this.bytes = 0;
  }

  clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  pump() {
    const { pair, dst } = this;
    if (pair.dead) return;
    const { proxy } = pair;
    if (!proxy.stalled && pair.ready) {
      while (this.queue.length) {
        if (dst.destroyed || dst.writableEnded) { this.drop(); break; }
        if (dst.writableNeedDrain) {
          if (!this.drainWait) {
            this.drainWait = true;
            dst.once('drain', () => { this.drainWait = false; this.pump(); });
          }
          break;
        }
        const head = this.queue[0];
        const wait = head.due - Date.now();
        if (wait > 0) {
          if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.pump(); }, wait);
          break;
        }
        this.queue.shift();
        this.bytes -= head.chunk.length;
        dst.write(head.chunk);
      }
      if (!this.queue.length && this.ended && !this.finished) {
        this.finished = true;
        if (!dst.destroyed && !dst.writableEnded) dst.end();
      }
    }
    this.flow();
  }

  // Read from src only while forwarding and the queue is short.
  flow() {
    const { src } = this;
    if (src.destroyed) return;
    const want = !this.pair.proxy.stalled && !this.ended && this.bytes < HIGH_WATER;
    if (want) src.resume();
    else src.pause();
  }
}

class Pair {
  constructor(proxy, client, port, host) {
    this.proxy = proxy;
    this.client = client;
    this.dead = false;
    this.ready = false;
    this.closed = new Set();
    const upstream = net.connect({ port, host, allowHalfOpen: true });
    this.upstream = upstream;
    this.up = new Direction(this, client, upstream); // client -> upstream
    this.down = new Direction(this, upstream, client); // upstream -> client

    for (const [sock, dir] of [[client, this.up], [upstream, this.down]]) {
      sock.on('error', () => { /* ECONNRESET, EPIPE, ECONNREFUSED...: handled on 'close' */ });
      sock.on('data', (chunk) => dir.push(chunk));
      sock.on('end', () => dir.end());
      sock.on('close', (hadError) => this.onClose(sock, hadError));
    }
    upstream.once('connect', () => {
      upstream.setNoDelay(true);
      this.ready = true;
      this.up.pump();
      this.down.pump();
    });
    client.setNoDelay(true);
    this.up.flow();
    this.down.flow();
  }

  onClose(sock, hadError) {
    this.closed.add(sock);
    if (this.dead) return;
    // A reset (or failed upstream connect) on one side is mirrored as a reset on the other.
    if (hadError || (sock === this.upstream && !this.ready)) { this.kill(); return; }
    const from = sock === this.client ? this.up : this.down;
    const to = sock === this.client ? this.down : this.up;
    to.drop(); // nothing more can be written to sock
    if (!from.ended) from.end();
    if (this.closed.size === 2) this.remove();
  }

  kill() {
    if (this.dead) return;
    this.dead = true;
    this.up.clearTimer();
    this.down.clearTimer();
    this.up.drop();
    this.down.drop();
    abort(this.client);
    abort(this.upstream);
    this.remove();
  }

  remove() {
    this.dead = true;
    this.up.clearTimer();
    this.down.clearTimer();
    this.proxy.pairs.delete(this);
  }

  pump() {
    this.up.pump();
    this.down.pump();
  }
}

class Proxy {
  constructor(upstreamPort, upstreamHost) {
    this.upstreamPort = checkPort(upstreamPort);
    this.upstreamHost = checkHost(upstreamHost);
    this.pairs = new Set();
    this.stalled = false;
    this.delay = 0;
    this.refusing = false;
    this.closing = false;
    this.totalAccepted = 0;
    this.server = net.createServer({ allowHalfOpen: true }, (sock) => this.onConnection(sock));
  }

  onConnection(sock) {
    this.totalAccepted++;
    if (this.refusing || this.closing) {
      sock.on('error', () => {});
      abort(sock);
      return;
    }
    this.pairs.add(new Pair(this, sock, this.upstreamPort, this.upstreamHost));
  }

  get port() { return this.server.address().port; }
  get url() { return `http://${HOST}:${this.port}`; }
  get connections() { return this.pairs.size; }

  setUpstream(port, host = this.upstreamHost) {
    this.upstreamPort = checkPort(port);
    this.upstreamHost = checkHost(host);
  }

  cutAll() {
    for (const p of [...this.pairs]) p.kill();
  }

  cutRandom() {
    const live = [...this.pairs];
    if (!live.length) return false;
    live[Math.floor(Math.random() * live.length)].kill();
    return true;
  }

  stall() {
    this.stalled = true;
    for (const p of this.pairs) p.pump(); // pauses the sources
  }

  unstall() {
    this.stalled = false;
    for (const p of [...this.pairs]) p.pump();
  }

  setDelay(ms) {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`bad delay: ${ms}`);
    this.delay = ms;
  }

  refuse(on = true) {
    this.refusing = !!on;
  }

  async close() {
    if (this.closing) return this.closed;
    this.closing = true;
    this.closed = new Promise((resolve) => this.server.close(() => resolve()));
    this.cutAll();
    return this.closed;
  }
}

export async function startProxy({ upstreamPort, upstreamHost = HOST } = {}) {
  const proxy = new Proxy(upstreamPort, upstreamHost);
  await new Promise((resolve, reject) => {
    proxy.server.once('error', reject);
    proxy.server.listen(0, HOST, () => {
      proxy.server.off('error', reject);
      resolve();
    });
  });
  proxy.server.on('error', () => {});
  return proxy;
}
