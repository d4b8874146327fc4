// Group soak: the members of one group (each in its own process) write into it at once through
// our fault-injecting proxy while it cuts their connections at random and tim-server is killed
// (SIGKILL) and restarted on the same database. Every message whose sendMessage resolved must
// reach every other member exactly once, and each member sees the group's messages in sequence
// order with no gap.
//   GROUP_SOAK_USERS=20, GROUP_SOAK_MESSAGES=5000 (in all), GROUP_SOAK_CUT_MS=250
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

const APP = 1400000042;
const KEY = 'group-soak-key';
const USERS = Number(process.env.GROUP_SOAK_USERS || 20);
const MESSAGES = Number(process.env.GROUP_SOAK_MESSAGES || 5000);
const CUT_MS = Number(process.env.GROUP_SOAK_CUT_MS || 250);
const GROUP = 'soak-group';
const sig = (user) => new TLSSigAPIv2.Api(APP, KEY).genUserSig(user, 3600);

test(`group soak: ${USERS} members, ${MESSAGES} messages, random cuts, a server kill`, { timeout: 900_000 }, async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'tim-group-soak-'));
  const args = ['--app', `${APP}:${KEY}`, '--messages-per-sec', '0', '--requests-per-sec', '0'];
  // With TIM_TEST_NODES (several nodes on PostgreSQL + NATS behind a balancer) the kill is of
  // one node.
  const cluster = Number(process.env.TIM_TEST_NODES || 1) > 1;
  const nats = cluster ? await startNats() : null;
  let server = await startServer(args, { dir, nats: nats?.url });
  const proxy = await startProxy({ upstreamPort: server.port });
  const names = Array.from({ length: USERS }, (_, i) => `gs-${i}`);
  const peers = [];
  try {
    await loginPeers(peers, APP, proxy.url, names, sig);
    const memberList = names.slice(1).map((userID) => ({ userID }));
    await peers[0].value(`await tim.createGroup(${JSON.stringify({ name: 'soak', type: 'Private', groupID: GROUP, memberList })})`);
    // Every member has it before anyone writes.
    await Promise.all(peers.map((p) => p.take(TIM.EVENT.GROUP_LIST_UPDATED, (l) => l.some((g) => g.groupID === GROUP), 30000)));

    const each = Math.ceil(MESSAGES / USERS);
    const sending = peers.map((p, i) =>
      sendInOrder(p, each, `tim.createTextMessage({to: '${GROUP}', conversationType: 'GROUP', payload: {text: '${names[i]}:' + n}})`),
    );
    let done = false;
    const finished = Promise.all(sending).finally(() => (done = true));
    const progress = () => peers.reduce((n, p) => n + receivedBy(p).length, 0);
    let cuts = 0;
    let killed = false;
    while (!done) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, CUT_MS * (0.5 + Math.random())))]);
      if (done) break;
      cutAtRandom(proxy);
      cuts++;
      // One kill once about half the deliveries are in (each message goes to USERS - 1).
      if (!killed && progress() >= ((USERS - 1) * MESSAGES) / 2) {
        if (cluster) {
          await server.restartNode(0); // SIGKILL
        } else {
          await server.stop(); // SIGKILL
          server = await startServer(args, { dir });
          proxy.setUpstream(server.port);
        }
        killed = true;
      }
    }
    const results = await finished;
    const acked = results.flatMap((r) => r.sent);
    const author = new Map(results.flatMap((r, i) => r.sent.map((id) => [id, i])));

    // Wait until every member has every acknowledged message of the others.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const complete = peers.every((p, i) => {
        const have = new Set(receivedBy(p).map((m) => m.ID));
        return acked.every((id) => author.get(id) === i || have.has(id));
      });
      if (complete || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const [i, p] of peers.entries()) {
      const got = receivedBy(p).filter((m) => m.conversationID === `GROUP${GROUP}`);
      const ids = got.map((m) => m.ID);
      duplicated += ids.length - new Set(ids).size;
      const have = new Set(ids);
      lost += acked.filter((id) => author.get(id) !== i && !have.has(id)).length;
      // The group's sequence, increasing in the order received (nothing twice, nothing back).
      for (let k = 1; k < got.length; k++) if (got[k].sequence <= got[k - 1].sequence) outOfOrder++;
      // Each author's messages in the order written.
      const last = new Map();
      for (const m of got) {
        if (m.type !== TIM.TYPES.MSG_TEXT) continue;
        const [who, n] = m.payload.text.split(':');
        if (Number(n) <= (last.get(who) ?? -1)) outOfOrder++;
        last.set(who, Number(n));
      }
    }
    const failed = results.reduce((n, r) => n + r.failed, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`group soak: ${USERS} members, ${MESSAGES} messages (${acked.length} acknowledged, ${failed} rejected), ${cuts} cuts, ` +
      `${killed ? 1 : 0} server kill, lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}, ${seconds} s`);
    assert.equal(lost, 0, 'lost');
    assert.equal(duplicated, 0, 'duplicated');
    assert.equal(outOfOrder, 0, 'out of order');
    assert.ok(killed, 'the server was killed once');
    assert.ok(cuts >= 10, `only ${cuts} cuts`);
    assert.ok(acked.length >= MESSAGES * 0.9, `only ${acked.length} of ${MESSAGES} acknowledged`);
  } finally {
    for (const p of peers) p.stop();
    await proxy.close();
    await server.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
