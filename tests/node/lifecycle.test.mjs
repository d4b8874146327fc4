// Connection lifecycle of the built package against the real server, with faults injected by
// our TCP proxy: dead-socket detection, kicks of every type, logout/login at any moment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer } from '../lib/server.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { startPeer } from './harness.mjs';

const APP = 1400000031;
const KEY = 'node-lifecycle-secret-key';
const api = new TLSSigAPIv2.Api(APP, KEY);
const sig = (user, expire = 3600) => api.genUserSig(user, expire);

let server;
let proxy;
const peers = [];
before(async () => {
  server = await startServer(['--app', `${APP}:${KEY}`, '--web-instances', '3']);
  proxy = await startProxy({ upstreamPort: server.port });
});
after(async () => {
  for (const p of peers) p.stop();
  await proxy.close();
  await server.stop();
});

async function user(userID, { via = server.url, userSig = sig(userID), options = {} } = {}) {
  // Each process stands in for a browser tab: several of one user are web sessions.
  const p = await startPeer(APP, via, { platform: 'web', ...options });
  peers.push(p);
  const r = await p.run(`return await tim.login({userID: ${JSON.stringify(userID)}, userSig: ${JSON.stringify(userSig)}})`);
  assert.ok(r.ok, JSON.stringify(r));
  await p.take(TIM.EVENT.SDK_READY);
  return p;
}

const send = (p, to, text) =>
  p.value(`return (await tim.sendMessage(tim.createTextMessage({to: ${JSON.stringify(to)}, conversationType: 'C2C', payload: {text: ${JSON.stringify(text)}}}))).data.message.ID`);

test('a silently stalled link is noticed within the dead-socket timeout, and recovers', async () => {
  const bob = await user('stall-bob');
  const alice = await user('stall-alice', { via: proxy.url });
  proxy.stall();
  const stalledAt = Date.now();
  const lost = await alice.takeTimed(TIM.EVENT.NET_STATE_CHANGE, (d) => d.state === 'connecting', 20000);
  const detection = lost.at - stalledAt;
  console.log(`dead-socket detection under a silent stall: ${detection} ms (default deadSocketTimeout 12000 ms)`);
  assert.ok(detection <= 12000 + 1500, `noticed after ${detection} ms`);
  // Sent while the link is down: waits, then goes out once it is back.
  const pending = alice.run(`return (await tim.sendMessage(tim.createTextMessage({to: 'stall-bob', conversationType: 'C2C', payload: {text: 'queued'}}))).data.message.status`);
  proxy.unstall();
  await alice.take(TIM.EVENT.NET_STATE_CHANGE, (d) => d.state === 'connected', 20000);
  assert.equal((await pending).value, 'success');
  const [m] = await bob.take(TIM.EVENT.MESSAGE_RECEIVED);
  assert.equal(m.payload.text, 'queued');
});

test('kicked for an expired UserSig: KICKED_OUT userSigExpired, not ready (3004), no reconnect', async () => {
  const p = await user('short-lived', { userSig: sig('short-lived', 3) });
  assert.deepEqual(await p.take(TIM.EVENT.KICKED_OUT, () => true, 8000), { type: TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED });
  await p.take(TIM.EVENT.SDK_NOT_READY);
  const r = await p.run(`return await tim.getMessageList({conversationID: 'C2Cx'})`);
  assert.equal(r.error.code, 3004);
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(p.count(TIM.EVENT.NET_STATE_CHANGE), 0, 'no reconnection after a kick');
});

test('kicked by the REST API: KICKED_OUT REST_API_Kick on every session (3006)', async () => {
  const a = await user('rest-kicked');
  const b = await user('rest-kicked');
  const admin = api.genUserSig('administrator', 600);
  const url = `${server.url}/v4/im_open_login_svc/kick?sdkappid=${APP}&identifier=administrator&usersig=${admin}&random=1&contenttype=json`;
  const res = await (await fetch(url, { method: 'POST', body: JSON.stringify({ UserID: 'rest-kicked' }) })).json();
  assert.deepEqual(res, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
  for (const p of [a, b]) {
    assert.deepEqual(await p.take(TIM.EVENT.KICKED_OUT), { type: TIM.TYPES.KICKED_OUT_REST_API });
    await p.take(TIM.EVENT.SDK_NOT_READY);
    assert.equal((await p.run(`return await tim.getMessageList({conversationID: 'C2Cx'})`)).error.code, 3006);
  }
});

test('logout at any moment leaves nothing for the next login', async () => {
  const bob = await user('lo-bob');
  const p = await startPeer(APP, proxy.url, { platform: 'web' });
  peers.push(p);
  // Logout while the login is still connecting.
  proxy.setDelay(300);
  let r = await p.run(`
    const pending = tim.login({userID: 'lo-alice', userSig: ${JSON.stringify(sig('lo-alice'))}});
    await tim.logout();
    return await pending.then(() => 'resolved', (e) => e.code);`);
  proxy.setDelay(0);
  assert.equal(r.value, 3005);
  // Logout with a send in flight: the send is settled, nothing else happens.
  r = await p.run(`
    await tim.login({userID: 'lo-alice', userSig: ${JSON.stringify(sig('lo-alice'))}});
    await new Promise((res) => tim.once(TIM.EVENT.SDK_READY, res));
    const m = tim.createTextMessage({to: 'lo-bob', conversationType: 'C2C', payload: {text: 'in flight'}});
    const sending = tim.sendMessage(m).then(() => 'sent', (e) => e.code);
    await tim.logout();
    return await sending;`);
  assert.ok(['sent', 3005].includes(r.value), String(r.value));
  // A different account on the same instance sees only its own world.
  p.events.length = 0;
  r = await p.run(`
    await tim.login({userID: 'lo-carol', userSig: ${JSON.stringify(sig('lo-carol'))}});
    await new Promise((res) => tim.once(TIM.EVENT.SDK_READY, res));
    return (await tim.getMessageList({conversationID: 'C2Clo-bob'})).data.messageList.length;`);
  assert.equal(r.value, 0);
  await send(bob, 'lo-alice', 'for alice only');
  await send(bob, 'lo-carol', 'for carol');
  const [m] = await p.take(TIM.EVENT.MESSAGE_RECEIVED);
  assert.equal(m.payload.text, 'for carol');
  await new Promise((res) => setTimeout(res, 300));
  const all = p.events.filter((e) => e.event === TIM.EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data);
  assert.deepEqual(all.map((x) => x.to), [], 'no stale events of the previous account');
});
