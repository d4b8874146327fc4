// Test side of peer.mjs: start users in their own processes and drive them.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../lib/server.mjs';

const PEER = join(dirname(fileURLToPath(import.meta.url)), 'peer.mjs');

/** A user process; `options` are extra TIM.create options (e.g. reconnectMaxDelay). */
export async function startPeer(sdkAppID, serverURL, options = {}) {
  const args = ['--experimental-websocket', '--no-warnings', PEER, String(sdkAppID), serverURL, JSON.stringify(options)];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events = [];
  const waiters = [];
  const answers = new Map();
  let nextId = 0;
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let ready;
  const started = new Promise((r) => (ready = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    if (msg.ready) ready();
    else if (msg.event) events.push(msg);
    else answers.get(msg.id)(msg);
    wake();
  });
  await started;
  const peer = {
    events,
    /** Run `code` (an async function body of tim, TIM, state) in the peer; resolves its answer. */
    run(code) {
      const id = ++nextId;
      return new Promise((resolve) => {
        answers.set(id, resolve);
        child.stdin.write(JSON.stringify({ id, code }) + '\n');
      });
    },
    /** Like run, but throws when the code threw. */
    async value(code) {
      const r = await peer.run(code);
      if (!r.ok) throw new Error(`peer failed: ${JSON.stringify(r.error)}`);
      return r.value;
    },
    /** Wait for the first event `name` not yet taken that satisfies `pred`; removes it. */
    async take(name, pred = () => true, ms = 10000) {
      return (await peer.takeTimed(name, pred, ms)).data;
    },
    /** Like take, but gives the whole record: {event, data, at}. */
    async takeTimed(name, pred = () => true, ms = 10000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = events.findIndex((e) => e.event === name && pred(e.data));
        if (i >= 0) return events.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`no ${name} event within ${ms} ms; have ${JSON.stringify(events.map((e) => e.event))}`);
        await new Promise((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    count(name) {
      return events.filter((e) => e.event === name).length;
    },
    stop() {
      child.kill('SIGKILL');
    },
  };
  return peer;
}

/** A user process logged in as `userID`, once SDK_READY has fired (each process stands in for a
 * browser tab, so several of one user are web sessions). */
export async function loggedInPeer(sdkAppID, serverURL, userID, userSig) {
  const p = await startPeer(sdkAppID, serverURL, { platform: 'web' });
  const r = await p.run(`return await tim.login({userID: ${JSON.stringify(userID)}, userSig: ${JSON.stringify(userSig)}})`);
  if (!r.ok) {
    p.stop();
    throw new Error(`login of ${userID} failed: ${JSON.stringify(r)}`);
  }
  await p.take('sdkStateReady');
  return p;
}

/** A suite's server for app `sdkAppID` with secret `key` (started before its tests with the
 * extra server `args`, stopped after them with every user it made): `user(userID, url?)` is a
 * logged-in user process (through `url`, e.g. a proxy, when given), `sig(userID)` a UserSig,
 * `server()` the running server. */
export function suiteServer(sdkAppID, key, args = []) {
  let server;
  const peers = [];
  before(async () => {
    server = await startServer(['--app', `${sdkAppID}:${key}`, ...args]);
  });
  after(async () => {
    for (const p of peers) p.stop();
    await server.stop();
  });
  const sig = (userID) => new TLSSigAPIv2.Api(sdkAppID, key).genUserSig(userID, 3600);
  return {
    sig,
    server: () => server,
    async user(userID, url = server.url) {
      const p = await loggedInPeer(sdkAppID, url, userID, sig(userID));
      peers.push(p);
      return p;
    },
  };
}
