// What the soaks share: peers logged in through the fault-injecting proxy, each peer's
// ordered sends, a random cut, and what a peer received.
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { startPeer } from '../node/harness.mjs';

/** Start a peer for each of `names` on `url` and log it in (`sig(name)`), into `peers` as each
 * starts (so the caller stops them whatever happens); resolves once every one is ready.
 * Reconnects are fast (the backoff's cap is 1 s), so the runs stay short. */
export async function loginPeers(peers, app, url, names, sig) {
  for (const name of names) {
    const p = await startPeer(app, url, { reconnectMaxDelay: 1000 });
    peers.push(p);
    const r = await p.run(`return await tim.login({userID: '${name}', userSig: ${JSON.stringify(sig(name))}})`);
    assert.ok(r.ok, JSON.stringify(r));
    await p.take(TIM.EVENT.SDK_READY);
  }
}

/** `count` messages sent by `p` one after the other, each made by `create` (the text of an
 * expression in `n`, the message's number); resolves `{sent: [ID...], failed}`: the IDs of the
 * resolved sends in order, and how many were rejected (timeouts). */
export function sendInOrder(p, count, create) {
  return p.value(`
    state.sent = []; state.failed = 0;
    for (let n = 0; n < ${count}; n++) {
      const m = ${create};
      try { state.sent.push((await tim.sendMessage(m)).data.message.ID); } catch (e) { state.failed++; }
    }
    return {sent: state.sent, failed: state.failed};`);
}

/** Cut every connection through `proxy`, or one of them, at random. */
export function cutAtRandom(proxy) {
  if (Math.random() < 0.5) proxy.cutAll();
  else proxy.cutRandom();
}

/** Every message `p` was given with MESSAGE_RECEIVED, in order. */
export const receivedBy = (p) => p.events.filter((e) => e.event === TIM.EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data);
