// Relations through the built package against the real server, each user in its own process:
// addFriend by each allowType, applications accepted and refused, the blacklist's effect on
// messages and friend requests, friend groups, the list events (the whole list, on every
// session of the users concerned, converging after a reconnect), and PROFILE_UPDATED for
// friends' profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { startProxy } from '../lib/proxy.mjs';
import { suiteServer } from './harness.mjs';

const E = TIM.EVENT;
const LISTS = [E.BLACKLIST_UPDATED, E.FRIEND_LIST_UPDATED, E.FRIEND_APPLICATION_LIST_UPDATED, E.FRIEND_GROUP_LIST_UPDATED];
const suite = suiteServer(1400000053, 'node-relations-key', ['--web-instances', '2']);

/** A logged-in user whose login-time list events (one of each, all empty) are taken. */
async function user(userID, via) {
  const p = await suite.user(userID, via);
  for (const name of LISTS) await p.take(name);
  return p;
}

const codeOf = (p, call) => p.value(`try { await ${call}; return 0 } catch (e) { return e.code }`);
const ids = (friends) => friends.map((f) => f.userID).sort();
const call = (p, method, options) => p.value(`return await tim.${method}(${JSON.stringify(options)})`);

test('addFriend by allowType, applications and FRIEND_LIST_UPDATED on both sides', async () => {
  const alice = await user('r-alice');
  const alice2 = await user('r-alice');
  const bob = await user('r-bob');
  const carol = await user('r-carol');
  const dave = await user('r-dave');
  await call(bob, 'updateMyProfile', { allowType: TIM.TYPES.ALLOW_TYPE_ALLOW_ANY });
  await call(dave, 'updateMyProfile', { allowType: TIM.TYPES.ALLOW_TYPE_DENY_ANY });

  // Allow any: friends at once, both ways; every session hears the whole list.
  const added = await call(alice, 'addFriend', { to: 'r-bob', source: 'AddSource_Type_Web', remark: 'Bobby' });
  assert.equal(added.code, 0);
  assert.deepEqual(added.data, { userID: 'r-bob', code: 0, message: '' });
  for (const session of [alice, alice2]) {
    const list = await session.take(E.FRIEND_LIST_UPDATED);
    assert.deepEqual(ids(list), ['r-bob']);
    assert.equal(list[0].remark, 'Bobby');
    assert.equal(list[0].profile.userID, 'r-bob');
  }
  assert.deepEqual(ids(await bob.take(E.FRIEND_LIST_UPDATED)), ['r-alice']);
  assert.equal(await codeOf(alice, `tim.addFriend({to: 'r-bob', source: 'AddSource_Type_Web'})`), 2701);
  // A friend's profile change reaches those who have them as a friend (and no one else).
  await call(bob, 'updateMyProfile', { nick: 'Bob' });
  for (const session of [alice, alice2]) {
    const [changed] = await session.take(E.PROFILE_UPDATED);
    assert.deepEqual([changed.userID, changed.nick], ['r-bob', 'Bob']);
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(carol.count(E.PROFILE_UPDATED), 0);

  // Deny any: rejected with 30516.
  assert.equal(await codeOf(alice, `tim.addFriend({to: 'r-dave', source: 'AddSource_Type_Web'})`), 30516);

  // Need confirm (the default): resolves with 30539, an application on both sides.
  const pending = await call(alice, 'addFriend', { to: 'r-carol', source: 'AddSource_Type_Web', wording: 'hi' });
  assert.equal(pending.code, 0);
  assert.equal(pending.data.code, 30539);
  const theirs = await carol.take(E.FRIEND_APPLICATION_LIST_UPDATED);
  assert.equal(theirs.unreadCount, 1);
  assert.equal(theirs.friendApplicationList[0].userID, 'r-alice');
  assert.equal(theirs.friendApplicationList[0].type, TIM.TYPES.SNS_APPLICATION_SENT_TO_ME);
  assert.equal(theirs.friendApplicationList[0].wording, 'hi');
  const mine = await alice.take(E.FRIEND_APPLICATION_LIST_UPDATED);
  assert.equal(mine.friendApplicationList[0].type, TIM.TYPES.SNS_APPLICATION_SENT_BY_ME);
  await call(carol, 'setFriendApplicationRead');
  assert.equal((await carol.take(E.FRIEND_APPLICATION_LIST_UPDATED)).unreadCount, 0);

  // Accepted: carol is in alice's list, and the application is gone on both sides.
  await call(carol, 'acceptFriendApplication', { userID: 'r-alice', type: TIM.TYPES.SNS_APPLICATION_AGREE_AND_ADD });
  await alice.take(E.FRIEND_LIST_UPDATED, (l) => ids(l).includes('r-carol'));
  await alice2.take(E.FRIEND_LIST_UPDATED, (l) => ids(l).includes('r-carol'));
  assert.deepEqual(ids(await carol.take(E.FRIEND_LIST_UPDATED)), ['r-alice']);
  await alice.take(E.FRIEND_APPLICATION_LIST_UPDATED, (a) => a.friendApplicationList.length === 0);
  const list = await call(alice, 'getFriendList');
  assert.deepEqual(ids(list.data), ['r-bob', 'r-carol']);
  const check = await call(alice, 'checkFriend', { userIDList: ['r-carol', 'r-dave'], type: TIM.TYPES.SNS_CHECK_TYPE_BOTH });
  assert.deepEqual(
    check.data.successUserIDList.map((c) => c.relation),
    [TIM.TYPES.SNS_TYPE_BOTH_WAY, TIM.TYPES.SNS_TYPE_NO_RELATION],
  );

  // Refused: carol asks dave (now asking for confirmation), who refuses.
  await call(dave, 'updateMyProfile', { allowType: TIM.TYPES.ALLOW_TYPE_NEED_CONFIRM });
  assert.equal((await call(carol, 'addFriend', { to: 'r-dave', source: 'AddSource_Type_Web' })).data.code, 30539);
  await dave.take(E.FRIEND_APPLICATION_LIST_UPDATED, (a) => a.friendApplicationList.length === 1);
  await call(dave, 'refuseFriendApplication', { userID: 'r-carol' });
  await carol.take(E.FRIEND_APPLICATION_LIST_UPDATED, (a) => a.friendApplicationList.length === 0);
  assert.equal(await codeOf(dave, `tim.acceptFriendApplication({userID: 'r-carol'})`), 2716);

  // updateFriend, getFriendProfile, deleteFriend.
  const updated = await call(alice, 'updateFriend', { userID: 'r-carol', remark: 'Caz' });
  assert.equal(updated.data.remark, 'Caz');
  await alice2.take(E.FRIEND_LIST_UPDATED, (l) => l.some((f) => f.remark === 'Caz'));
  const profile = await call(alice, 'getFriendProfile', { userIDList: ['r-carol', 'r-dave'] });
  assert.equal(profile.data.friendList[0].remark, 'Caz');
  assert.equal(profile.data.failureUserIDList[0].code, 2700);
  const deleted = await call(alice, 'deleteFriend', { userIDList: ['r-carol'], type: TIM.TYPES.SNS_DELETE_TYPE_BOTH });
  assert.deepEqual(deleted.data.successUserIDList, [{ userID: 'r-carol' }]);
  await carol.take(E.FRIEND_LIST_UPDATED, (l) => l.length === 0);
  // A wrong parameter type throws, as the official check does.
  const thrown = await alice.run(`return tim.addFriend({to: 5, source: 'AddSource_Type_Web'})`);
  assert.equal(thrown.ok, false);
  assert.match(JSON.stringify(thrown.error), /Params validate failed/);
});

test('the blacklist: 20007 for messages, 30525 for requests, BLACKLIST_UPDATED', async () => {
  const erin = await user('r-erin');
  const frank = await user('r-frank');
  await call(erin, 'updateMyProfile', { allowType: TIM.TYPES.ALLOW_TYPE_ALLOW_ANY });
  await call(frank, 'addFriend', { to: 'r-erin', source: 'AddSource_Type_Web' });
  await erin.take(E.FRIEND_LIST_UPDATED, (l) => l.length === 1);

  assert.equal(await codeOf(erin, `tim.addToBlacklist({userIDList: ['r-erin']})`), 2742);
  const blocked = await call(erin, 'addToBlacklist', { userIDList: ['r-frank'] });
  assert.deepEqual(blocked.data, ['r-frank']);
  assert.deepEqual(await erin.take(E.BLACKLIST_UPDATED), ['r-frank']);
  assert.deepEqual(await frank.take(E.FRIEND_LIST_UPDATED, (l) => l.length === 0), []);
  assert.deepEqual((await call(erin, 'getBlacklist')).data, ['r-frank']);

  const sent = await frank.run(`return await tim.sendMessage(tim.createTextMessage({to: 'r-erin', conversationType: 'C2C', payload: {text: 'let me in'}}))`);
  assert.equal(sent.ok, false);
  assert.equal(sent.error.code, 20007);
  assert.equal(await codeOf(frank, `tim.addFriend({to: 'r-erin', source: 'AddSource_Type_Web'})`), 30525);
  assert.equal(await codeOf(erin, `tim.addFriend({to: 'r-frank', source: 'AddSource_Type_Web'})`), 30515);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(erin.count(E.MESSAGE_RECEIVED), 0, 'nothing of the blocked user reaches the blocker');

  const unblocked = await call(erin, 'removeFromBlacklist', { userIDList: ['r-frank'] });
  assert.deepEqual(unblocked.data, []);
  assert.deepEqual(await erin.take(E.BLACKLIST_UPDATED, (l) => l.length === 0), []);
  await frank.value(`return await tim.sendMessage(tim.createTextMessage({to: 'r-erin', conversationType: 'C2C', payload: {text: 'hello again'}}))`);
  const [m] = await erin.take(E.MESSAGE_RECEIVED);
  assert.equal(m.payload.text, 'hello again');
});

test('friend groups, and a second session converging after a reconnect', async () => {
  const proxy = await startProxy({ upstreamPort: suite.server().port });
  try {
    const gina = await user('r-gina');
    const gina2 = await user('r-gina', proxy.url);
    const hal = await user('r-hal');
    await call(hal, 'updateMyProfile', { allowType: TIM.TYPES.ALLOW_TYPE_ALLOW_ANY });
    await call(gina, 'addFriend', { to: 'r-hal', source: 'AddSource_Type_Web' });
    await gina2.take(E.FRIEND_LIST_UPDATED, (l) => l.length === 1);

    const made = await call(gina, 'createFriendGroup', { name: 'work', userIDList: ['r-hal', 'r-nobody'] });
    assert.deepEqual(made.data.friendGroup, { name: 'work', userIDList: ['r-hal'], count: 1 });
    assert.equal(made.data.failureUserIDList[0].code, 2700);
    assert.deepEqual(await gina2.take(E.FRIEND_GROUP_LIST_UPDATED), [{ name: 'work', userIDList: ['r-hal'], count: 1 }]);
    assert.equal(await codeOf(gina, `tim.createFriendGroup({name: 'work', userIDList: []})`), 2710);

    // gina2 is cut off; meanwhile the group is renamed and hal unfriends gina. Once back, gina2
    // has the lists as they are now.
    proxy.refuse(true);
    proxy.cutAll();
    await gina2.take(E.NET_STATE_CHANGE, (d) => d.state === 'connecting');
    await call(gina, 'renameFriendGroup', { oldName: 'work', newName: 'job' });
    await call(hal, 'deleteFriend', { userIDList: ['r-gina'] });
    proxy.refuse(false);
    await gina2.take(E.NET_STATE_CHANGE, (d) => d.state === 'connected', 40000);
    await gina2.take(E.FRIEND_GROUP_LIST_UPDATED, (l) => l.length === 1 && l[0].name === 'job' && l[0].count === 0);
    await gina2.take(E.FRIEND_LIST_UPDATED, (l) => l.length === 0);
    assert.equal(await codeOf(gina2, `tim.deleteFriendGroup({name: 'work'})`), 2711);
    assert.equal((await call(gina2, 'deleteFriendGroup', { name: 'job' })).data.name, 'job');
  } finally {
    await proxy.close();
  }
});
