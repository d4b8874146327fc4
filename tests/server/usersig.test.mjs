// UserSigs made by Tencent's official generator (npm tls-sig-api-v2) against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { inflateSync } from 'node:zlib';
import { startServer, connect } from '../lib/server.mjs';

/** What zlib itself inflates a sig to, or null. */
function inflate(sig) {
  try {
    return inflateSync(Buffer.from(sig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64')).toString();
  } catch {
    return null;
  }
}

const APP = 1400000007;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const OTHER_APP = 1400000008;
const OTHER_KEY = 'another-apps-secret-key';
const official = new TLSSigAPIv2.Api(APP, KEY);

let server;
before(async () => {
  // Thousands of failed logins from one address, as fast as they are answered: at once here,
  // not later and later (docs/ARCHITECTURE.md, Limits and defences).
  const unlimited = ['--free-login-failures', '1000000', '--requests-per-sec', '0'];
  server = await startServer(['--app', `${APP}:${KEY}`, '--app', `${OTHER_APP}:${OTHER_KEY}`, ...unlimited]);
});
after(() => server.stop());

const login = (c, userID, userSig, SDKAppID = APP) =>
  c.call('login', { protocol: 1, SDKAppID, userID, userSig });

test('an official sig logs in', async () => {
  const c = await connect(server.wsURL);
  const r = await login(c, 'alice', official.genUserSig('alice', 86400));
  assert.equal(r.type, 'ok', JSON.stringify(r));
  assert.equal(r.data.userID, 'alice');
  c.close();
});

test('an official sig with userbuf logs in', async () => {
  const c = await connect(server.wsURL);
  const r = await login(c, 'bob', official.genSig('bob', 600, Buffer.from('room-7')));
  assert.equal(r.type, 'ok', JSON.stringify(r));
  c.close();
});

test('refusals carry the official codes', async () => {
  const c = await connect(server.wsURL);
  const cases = [
    ['wrong key', APP, 'alice', new TLSSigAPIv2.Api(APP, 'not-the-key').genUserSig('alice', 600), 70009],
    ['wrong user', APP, 'alice', official.genUserSig('mallory', 600), 70013],
    ['wrong SDKAppID', APP, 'alice', new TLSSigAPIv2.Api(OTHER_APP, OTHER_KEY).genUserSig('alice', 600), 70014],
    ['unknown SDKAppID', 1234, 'alice', official.genUserSig('alice', 600), 70020],
    ['expired', APP, 'alice', official.genUserSig('alice', 0), 70001],
    ['empty', APP, 'alice', '', 70002],
  ];
  // genUserSig(…, 0) expires at issue time: wait past that second.
  await new Promise((r) => setTimeout(r, 1100));
  for (const [what, app, user, sig, code] of cases) {
    const r = await login(c, user, sig, app);
    assert.equal(r.type, 'err', what);
    assert.equal(r.code, code, `${what}: ${JSON.stringify(r)}`);
  }
  c.close();
});

test('every tampered character of an official sig is refused unless it is the same document', async () => {
  const c = await connect(server.wsURL);
  // Several users, so altered characters land on every part of the encoding.
  for (let n = 0; n < 10; n++) {
    const sig = official.genUserSig(`carol${n}`, 600);
    for (let i = 0; i < sig.length; i++) {
      const swap = sig[i] === 'A' ? 'B' : 'A';
      const bad = sig.slice(0, i) + swap + sig.slice(i + 1);
      const r = await login(c, `carol${n}`, bad);
      if (r.type === 'ok') {
        // Deflate encodes one document in more than one way; only the same document may pass.
        assert.equal(inflate(bad), inflate(sig), `${sig} tampered at ${i} accepted`);
        assert.equal(r.data.repeatLogin, false);
        await c.call('logout');
        continue;
      }
      assert.ok([70003, 70009].includes(r.code), `tampered at ${i}: ${JSON.stringify(r)}`);
    }
  }
  const good = official.genUserSig('carol', 600);
  // Cut short and extended sigs too (also with the padding cut or added).
  const cuts = [good.slice(0, -1), good.slice(0, good.length / 2), good + 'A', good + '*-_', good + 'AA__'];
  for (const bad of cuts) {
    const r = await login(c, 'carol', bad);
    assert.equal(r.type, 'err', `altered length ${bad.length} accepted`);
  }
  assert.equal((await login(c, 'carol', good)).type, 'ok');
  c.close();
});
