// Profiles through the built package against the real server: getMyProfile, getUserProfile,
// updateMyProfile with the official checks and codes, and PROFILE_UPDATED on every session of
// the user (and nobody else).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer } from '../lib/server.mjs';
import { loggedInPeer } from './harness.mjs';

const APP = 1400000052;
const KEY = 'node-profiles-key';
const sig = (user) => new TLSSigAPIv2.Api(APP, KEY).genUserSig(user, 3600);

let server;
const peers = [];
before(async () => {
  server = await startServer([
    '--app', `${APP}:${KEY}`, '--web-instances', '2',
    '--profile-custom-field', 'Tag_Profile_Custom_Hobby',
  ]);
});
after(async () => {
  for (const p of peers) p.stop();
  await server.stop();
});

async function user(userID) {
  const p = await loggedInPeer(APP, server.url, userID, sig(userID));
  peers.push(p);
  return p;
}

const codeOf = (p, call) => p.value(`try { await ${call}; return 0 } catch (e) { return e.code }`);

test('getMyProfile, updateMyProfile and PROFILE_UPDATED on each of the user\'s sessions', async () => {
  const alice = await user('p-alice');
  const alice2 = await user('p-alice');
  const bob = await user('p-bob');

  const mine = await alice.value('return await tim.getMyProfile()');
  assert.equal(mine.code, 0);
  assert.equal(mine.data.userID, 'p-alice');
  assert.equal(mine.data.nick, '');
  assert.equal(mine.data.gender, TIM.TYPES.GENDER_UNKNOWN);
  assert.deepEqual(mine.data.profileCustomField, []);

  const r = await alice.value(`return await tim.updateMyProfile({
    nick: 'Alice', avatar: 'https://example.com/a.png', gender: TIM.TYPES.GENDER_FEMALE,
    allowType: TIM.TYPES.ALLOW_TYPE_ALLOW_ANY,
    profileCustomField: [{key: 'Tag_Profile_Custom_Hobby', value: 'chess'}],
  })`);
  assert.equal(r.code, 0);
  assert.equal(r.data.nick, 'Alice');
  assert.equal(r.data.allowType, TIM.TYPES.ALLOW_TYPE_ALLOW_ANY);
  assert.deepEqual(r.data.profileCustomField, [{ key: 'Tag_Profile_Custom_Hobby', value: 'chess' }]);
  for (const session of [alice, alice2]) {
    const [changed] = await session.take(TIM.EVENT.PROFILE_UPDATED);
    assert.equal(changed.userID, 'p-alice');
    assert.equal(changed.nick, 'Alice');
    assert.equal(changed.avatar, 'https://example.com/a.png');
  }
  assert.equal((await alice2.value('return await tim.getMyProfile()')).data.nick, 'Alice');

  // Others read it; unknown users are left out.
  const others = await bob.value(`return await tim.getUserProfile({userIDList: ['p-alice', 'p-nobody']})`);
  assert.equal(others.code, 0);
  assert.deepEqual(others.data.map((p) => [p.userID, p.nick]), [['p-alice', 'Alice']]);

  // The official checks: a wrong parameter type throws; bad values reject with 2721, none 2722.
  const thrown = await bob.run(`return tim.getUserProfile({userIDList: 'p-alice'})`);
  assert.equal(thrown.ok, false);
  assert.match(JSON.stringify(thrown.error), /Params validate failed/);
  assert.equal(await codeOf(bob, `tim.updateMyProfile({gender: 'male'})`), 2721);
  assert.equal(await codeOf(bob, `tim.updateMyProfile({fly: 1})`), 2721);
  assert.equal(await codeOf(bob, `tim.updateMyProfile({})`), 2722);
  assert.equal(
    await codeOf(bob, `tim.updateMyProfile({profileCustomField: [{key: 'Tag_Profile_Custom_Pet', value: 'cat'}]})`),
    40009,
  );

  // The same values again change nothing: no event; and bob never heard of alice's change.
  await alice.value(`return await tim.updateMyProfile({nick: 'Alice'})`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(alice.count(TIM.EVENT.PROFILE_UPDATED), 0);
  assert.equal(alice2.count(TIM.EVENT.PROFILE_UPDATED), 0);
  assert.equal(bob.count(TIM.EVENT.PROFILE_UPDATED), 0);
});
