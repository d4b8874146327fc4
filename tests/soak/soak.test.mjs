// Soak: two users exchange messages through our fault-injecting proxy while it cuts their
// connections at random and tim-server is killed (SIGKILL) and restarted on the same database.
// Every message whose sendMessage resolved must reach the peer exactly once, in order.
//   SOAK_MESSAGES=10000 (default), SOAK_CUTS=50 (minimum), SOAK_RESTARTS=2, SOAK_CUT_MS=250
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer } from '../lib/server.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { startNats } from '../lib/nats.mjs';
import { cutAtRandom, loginPeers, receivedBy, sendInOrder } from '../lib/soak.mjs';

const APP = 1400000041;
const KEY = 'soak-secret-key';
const MESSAGES = Number(process.env.SOAK_MESSAGES || 10000);
const MIN_CUTS = Number(process.env.SOAK_CUTS || 50);
const RESTARTS = Number(process.env.SOAK_RESTARTS || 2);
/** Mean time between cuts while sending (each wait is 0.5x to 1.5x of it). */
const CUT_MS = Number(process.env.SOAK_CUT_MS || 250);
const sig = (user) => new TLSSigAPIv2.Api(APP, KEY).genUserSig(user, 3600);
// About 6 ms a message on a 2-core machine under these faults (100,000 took 619 s): allow 15,
// plus two minutes for the start and the final wait, never under 10 minutes.
const TIMEOUT_MS = Math.max(600_000, MESSAGES * 15 + 120_000);

test(`soak: ${MESSAGES} messages, >= ${MIN_CUTS} cuts, ${RESTARTS} server kills`, { timeout: TIMEOUT_MS }, async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'tim-soak-'));
  // A load test: the per-user and per-connection rate limits (docs/ARCHITECTURE.md) are off.
  const args = ['--app', `${APP}:${KEY}`, '--messages-per-sec', '0', '--requests-per-sec', '0'];
  // With TIM_TEST_NODES (several nodes on PostgreSQL + NATS behind a balancer) the kills are of
  // one node at a time, and NATS is restarted once halfway.
  const cluster = Number(process.env.TIM_TEST_NODES || 1) > 1;
  const nats = cluster ? await startNats() : null;
  let natsRestarts = 0;
  let server = await startServer(args, { dir, nats: nats?.url });
  const proxy = await startProxy({ upstreamPort: server.port });
  const names = ['soak-alice', 'soak-bob'];
  const peers = [];
  try {
    await loginPeers(peers, APP, proxy.url, names, sig);
    // Each peer sends its half in order, one after the other; failures (timeouts) are counted,
    // resolved sends are recorded with their IDs.
    const half = MESSAGES / 2;
    const sending = peers.map((p, i) =>
      sendInOrder(p, half, `tim.createTextMessage({to: '${names[1 - i]}', conversationType: 'C2C', payload: {text: '${names[i]}:' + n}})`),
    );
    let done = false;
    const finished = Promise.all(sending).finally(() => (done = true));

    // Faults while the peers send: a cut every CUT_MS on average (at random), and server kills
    // spread over the run.
    let cuts = 0;
    let restarts = 0;
    const progress = () => peers.reduce((n, p) => n + receivedBy(p).length, 0);
    while (!done) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, CUT_MS * (0.5 + Math.random())))]);
      if (done) break;
      cutAtRandom(proxy);
      cuts++;
      if (restarts < RESTARTS && progress() >= ((restarts + 1) * MESSAGES) / (RESTARTS + 1)) {
        if (cluster) {
          await server.restartNode(restarts % server.nodes.length); // SIGKILL one node
        } else {
          await server.stop(); // SIGKILL
          server = await startServer(args, { dir });
          proxy.setUpstream(server.port);
        }
        restarts++;
      }
      if (nats && natsRestarts === 0 && progress() >= MESSAGES / 2) {
        await nats.restart();
        natsRestarts++;
      }
    }
    const results = await finished;

    // Wait until each side has received everything the other side had acknowledged.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const complete = peers.every((p, i) => {
        const want = new Set(results[1 - i].sent);
        return receivedBy(p).filter((m) => want.has(m.ID)).length >= want.size;
      });
      if (complete || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const [i, p] of peers.entries()) {
      const got = receivedBy(p);
      const ids = got.map((m) => m.ID);
      duplicated += ids.length - new Set(ids).size;
      const have = new Set(ids);
      lost += results[1 - i].sent.filter((id) => !have.has(id)).length;
      // In order: as sent (the number in the text) and by conversation sequence.
      const numbers = got.filter((m) => m.from === names[1 - i]).map((m) => Number(m.payload.text.split(':')[1]));
      const sequences = got.map((m) => m.sequence);
      for (let k = 1; k < numbers.length; k++) if (numbers[k] <= numbers[k - 1]) outOfOrder++;
      for (let k = 1; k < sequences.length; k++) if (sequences[k] <= sequences[k - 1]) outOfOrder++;
    }
    const resolved = results.reduce((n, r) => n + r.sent.length, 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const where = cluster ? `${server.nodes.length} nodes, ${natsRestarts} NATS restart, ` : '';
    console.log(`soak: ${where}${MESSAGES} messages (${resolved} acknowledged, ${failed} rejected), ${cuts} cuts, ${restarts} server kills, ` +
      `lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}, ${seconds} s`);
    assert.equal(lost, 0, 'lost');
    assert.equal(duplicated, 0, 'duplicated');
    assert.equal(outOfOrder, 0, 'out of order');
    assert.ok(cuts >= MIN_CUTS, `only ${cuts} cuts while the messages were exchanged`);
    assert.equal(restarts, RESTARTS);
    if (nats) assert.equal(natsRestarts, 1, 'NATS was restarted once');
    assert.ok(resolved >= MESSAGES * 0.9, `only ${resolved} of ${MESSAGES} acknowledged`);
  } finally {
    for (const p of peers) p.stop();
    await proxy.close();
    await server.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
