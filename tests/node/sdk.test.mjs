// The built package (pkg/, imported as 'tim-wasm') against the real tim-server, each user in
// its own Node process, UserSigs from Tencent's official npm generator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer, ROOT } from '../lib/server.mjs';
import { startPeer } from './harness.mjs';

const APP = 1400000021;
const KEY = 'node-e2e-secret-key';
const sig = (user) => new TLSSigAPIv2.Api(APP, KEY).genUserSig(user, 3600);
const surface = JSON.parse(readFileSync(`${ROOT}/tests/fixtures/tim-api-surface.json`, 'utf8'))['tim-js-sdk@2.27.6'];

let server;
const peers = [];
before(async () => {
  server = await startServer(['--app', `${APP}:${KEY}`]);
});
after(async () => {
  for (const p of peers) p.stop();
  await server.stop();
});

async function user(userID, { login = true } = {}) {
  const p = await startPeer(APP, server.url);
  peers.push(p);
  if (login) {
    const r = await p.run(`return await tim.login({userID: ${JSON.stringify(userID)}, userSig: ${JSON.stringify(sig(userID))}})`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value, { code: 0, data: { repeatLogin: false } });
    await p.take(TIM.EVENT.SDK_READY);
  }
  return p;
}

test('the module has the official shape', () => {
  assert.equal(typeof TIM.create, 'function');
  assert.deepEqual(TIM.EVENT, surface.EVENT);
  assert.deepEqual(TIM.TYPES, surface.TYPES);
  assert.equal(TIM.VERSION, surface.VERSION);
  const tim = TIM.create({ SDKAppID: 7 });
  assert.equal(TIM.create({ SDKAppID: 7 }), tim, 'same instance for the same SDKAppID');
  assert.notEqual(TIM.create({ SDKAppID: 8 }), tim);
  for (const m of surface.instanceMethods) assert.equal(typeof tim[m], 'function', m);
  assert.throws(() => tim.login({ userID: 'a' }), /Params validate failed/);
  assert.throws(() => tim.login({ userSig: 's' }), /Params validate failed/);
  assert.throws(() => tim.login(), /Params validate failed/);
});

test('alice and bob exchange messages with the official fields', async () => {
  const alice = await user('alice');
  const bob = await user('bob');
  const sent = await alice.value(`
    const m = tim.createTextMessage({to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: {text: 'hello bob'}});
    state.created = {status: m.status, flow: m.flow, ID: m.ID};
    const r = await tim.sendMessage(m);
    return {code: r.code, same: r.data.message === m, message: m};`);
  assert.equal(sent.code, 0);
  assert.equal(sent.same, true, 'sendMessage resolves with the app\'s own (updated) message object');
  const out = sent.message;
  assert.equal(out.status, 'success');
  assert.equal(out.flow, 'out');
  assert.equal(out.conversationID, 'C2Cbob');
  assert.match(out.ID, /^\d+-\d+-\d+$/);
  assert.equal(out.sequence, 1);

  const [got] = await bob.take(TIM.EVENT.MESSAGE_RECEIVED);
  const expected = {
    ID: out.ID, type: 'TIMTextElem', payload: { text: 'hello bob' }, conversationID: 'C2Calice',
    conversationType: 'C2C', to: 'bob', from: 'alice', flow: 'in', time: out.time, status: 'success',
    isRevoked: false, isPeerRead: false, isRead: false, priority: 'Normal', nick: '', avatar: '',
    sequence: 1, random: out.random, isResend: false, revoker: '', cloudCustomData: '',
    isDeleted: false, isModified: false, needReadReceipt: false, nameCard: '', atUserList: [],
  };
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(got[k], v, k);
  assert.ok(Math.abs(got.time - Date.now() / 1000) < 30);

  // And back, with the other element kinds.
  await bob.value(`
    for (const m of [
      tim.createCustomMessage({to: 'alice', conversationType: 'C2C', payload: {data: 'd', description: 'desc', extension: 'ext'}}),
      tim.createFaceMessage({to: 'alice', conversationType: 'C2C', payload: {index: 3, data: 'tt00'}}),
      tim.createLocationMessage({to: 'alice', conversationType: 'C2C', payload: {description: 'here', longitude: 113.9, latitude: 22.5}}),
      tim.createTextMessage({to: 'alice', conversationType: 'C2C', payload: {text: 'bye'}, cloudCustomData: 'cc'}),
    ]) await tim.sendMessage(m);`);
  const received = [];
  while (received.length < 4) received.push(...(await alice.take(TIM.EVENT.MESSAGE_RECEIVED)));
  assert.deepEqual(received.map((m) => [m.type, m.payload, m.flow, m.sequence]), [
    ['TIMCustomElem', { data: 'd', description: 'desc', extension: 'ext' }, 'in', 2],
    ['TIMFaceElem', { index: 3, data: 'tt00' }, 'in', 3],
    ['TIMLocationElem', { description: 'here', longitude: 113.9, latitude: 22.5 }, 'in', 4],
    ['TIMTextElem', { text: 'bye' }, 'in', 5],
  ]);
  assert.equal(received[3].cloudCustomData, 'cc');
  // The sender's own instance does not get its own sends as MESSAGE_RECEIVED.
  assert.equal(alice.count(TIM.EVENT.MESSAGE_RECEIVED), 0);

  // History, newest page first, with official paging fields.
  const page = await alice.value(`
    const r = await tim.getMessageList({conversationID: 'C2Cbob', count: 3});
    const older = await tim.getMessageList({conversationID: 'C2Cbob', nextReqMessageID: r.data.nextReqMessageID});
    return {first: r.data, older: older.data};`);
  assert.deepEqual(page.first.messageList.map((m) => m.sequence), [3, 4, 5]);
  assert.equal(page.first.isCompleted, false);
  assert.deepEqual(page.older.messageList.map((m) => m.sequence), [1, 2]);
  assert.equal(page.older.isCompleted, true);
  assert.equal(page.first.messageList[0].flow, 'in');
  assert.equal(page.older.messageList[0].flow, 'out');

  // Logout: SDK_NOT_READY, then APIs reject with 3005 (LOGGED_OUT) and fire ERROR.
  assert.deepEqual(await alice.value('return await tim.logout()'), { code: 0, data: {} });
  await alice.take(TIM.EVENT.SDK_NOT_READY);
  const r = await alice.run(`return await tim.createTextMessage({to: 'bob', conversationType: 'C2C', payload: {text: 'x'}})`);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 3005);
  assert.equal((await alice.take(TIM.EVENT.ERROR)).code, 3005);
});

test('a second Node process of the same user kicks the first (multipleDevice: one per platform)', async () => {
  const first = await user('carol');
  const second = await user('carol');
  assert.deepEqual(await first.take(TIM.EVENT.KICKED_OUT), { type: TIM.TYPES.KICKED_OUT_MULT_DEVICE });
  await first.take(TIM.EVENT.SDK_NOT_READY);
  const r = await first.run(`return await tim.getMessageList({conversationID: 'C2Cdave'})`);
  assert.equal(r.error.code, 3002);
  // The second one is unaffected.
  const ok = await second.value(`return (await tim.getMessageList({conversationID: 'C2Cdave'})).code`);
  assert.equal(ok, 0);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(second.count(TIM.EVENT.KICKED_OUT), 0);
});

test('login errors: 2024 before login, 2025 while pending, repeat login, a refused sig', async () => {
  const p = await user('erin', { login: false });
  let r = await p.run(`return await tim.sendMessage({})`);
  assert.equal(r.error.code, 2024);
  assert.equal(r.error.isError, true, 'IMError is an Error');
  assert.equal((await p.take(TIM.EVENT.ERROR)).code, 2024);

  // A sig of another user is refused with the server's code; the SDK is not ready after it.
  r = await p.run(`return await tim.login({userID: 'erin', userSig: ${JSON.stringify(sig('frank'))}})`);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 70013, JSON.stringify(r.error));
  r = await p.run(`return await tim.getMessageList({conversationID: 'C2Cx'})`);
  assert.equal(r.error.code, 3001);

  r = await p.run(`
    const first = tim.login({userID: 'erin', userSig: ${JSON.stringify(sig('erin'))}});
    const second = await tim.login({userID: 'erin', userSig: ${JSON.stringify(sig('erin'))}}).catch((e) => e.code);
    return {second, first: (await first).data};`);
  assert.deepEqual(r.value, { second: 2025, first: { repeatLogin: false } });
  await p.take(TIM.EVENT.SDK_READY);
  r = await p.value(`return (await tim.login({userID: 'erin', userSig: 'whatever'})).data.repeatLogin`);
  assert.equal(r, true);
});

test('between login resolving and SDK_READY: messages are made, calls wait for ready, no 3000', async () => {
  await user('gap-bob');
  const p = await user('gap-amy', { login: false });
  const r = await p.value(`
    const order = [];
    tim.on(TIM.EVENT.SDK_READY, () => order.push('SDK_READY'));
    tim.on(TIM.EVENT.ERROR, (e) => order.push('ERROR ' + e.data.code));
    // While the login is in flight: the official rejection (3000) and EVENT.ERROR.
    const pending = tim.login({userID: 'gap-amy', userSig: ${JSON.stringify(sig('gap-amy'))}});
    const early = await tim.getConversationList().catch((e) => e.code);
    await pending;
    // The login resolved; SDK_READY has not fired yet.
    const readyAtLogin = order.includes('SDK_READY');
    const m = tim.createTextMessage({to: 'gap-bob', conversationType: 'C2C', payload: {text: 'in the gap'}});
    const [sent, list, groups] = await Promise.all([
      tim.sendMessage(m).then((res) => { order.push('sent'); return res.data.message.status; }),
      tim.getConversationList().then((res) => res.data.conversationList.length),
      tim.getGroupList().then((res) => res.data.groupList.length),
    ]);
    return {early, readyAtLogin, isMessage: typeof m.ID === 'string' && !(m instanceof Promise), sent, list, groups, order};`);
  assert.deepEqual(r, {
    early: 3000,
    readyAtLogin: false,
    isMessage: true,
    sent: 'success',
    list: 0,
    groups: 0,
    order: ['ERROR 3000', 'SDK_READY', 'sent'],
  });
});

test('official methods not implemented yet: the not-ready reason before login, 2998 after', async () => {
  const p = await user('hana', { login: false });
  let r = await p.run(`return await tim.getJoinedCommunityList()`);
  assert.equal(r.error.code, 2024);
  assert.match(r.error.message, /getJoinedCommunityList/);
  assert.equal((await p.take(TIM.EVENT.ERROR)).code, 2024);
  await p.value(`return (await tim.login({userID: 'hana', userSig: ${JSON.stringify(sig('hana'))}})).code`);
  await p.take(TIM.EVENT.SDK_READY);
  r = await p.run(`return await tim.createImageMessage({to: 'x', conversationType: 'C2C', payload: {file: {}}})`);
  assert.deepEqual([r.error.code, r.error.message], [2998, 'createImageMessage is not implemented by tim-wasm yet']);
  assert.equal(p.count(TIM.EVENT.ERROR), 0, 'no ERROR event once ready');
});

// The surface check: every official instance method called once ready (without arguments, on
// a fresh user) tells whether it is implemented; the count still rejecting 2998 is the work left.
const NOT_CALLED = new Set(['login', 'logout', 'destroy', 'on', 'off', 'once', 'registerPlugin', 'setLogLevel']);
const IMPLEMENTED = [
  'getMyProfile', 'getUserProfile', 'updateMyProfile', 'getBlacklist', 'addToBlacklist', 'removeFromBlacklist',
  'getFriendList', 'addFriend', 'deleteFriend', 'checkFriend', 'getFriendProfile', 'updateFriend',
  'getFriendApplicationList', 'acceptFriendApplication', 'refuseFriendApplication', 'deleteFriendApplication',
  'setFriendApplicationRead', 'getFriendGroupList', 'createFriendGroup', 'deleteFriendGroup', 'renameFriendGroup',
  'addToFriendGroup', 'removeFromFriendGroup',
  'setSelfStatus', 'getUserStatus', 'subscribeUserStatus', 'unsubscribeUserStatus',
  'createConversationGroup', 'getConversationGroupList', 'deleteConversationGroup', 'renameConversationGroup',
  'addConversationsToGroup', 'deleteConversationsFromGroup',
  'createGroup', 'getGroupList', 'getGroupProfile', 'searchGroupByID', 'updateGroupProfile', 'joinGroup',
  'quitGroup', 'dismissGroup', 'changeGroupOwner', 'getGroupApplicationList', 'handleGroupApplication',
  'setMessageRemindType', 'getGroupMemberList', 'getGroupMemberProfile', 'addGroupMember', 'deleteGroupMember',
  'setGroupMemberRole', 'setGroupMemberMuteTime', 'setGroupMemberNameCard', 'setGroupMemberCustomField',
  'getGroupMessageReadMemberList', 'initGroupAttributes', 'setGroupAttributes', 'deleteGroupAttributes',
  'getGroupAttributes', 'setGroupCounters', 'increaseGroupCounter', 'decreaseGroupCounter', 'getGroupCounters',
  'getGroupOnlineMemberCount',
];
test('the surface check: which official methods still reject 2998', async () => {
  const p = await user('surface-check');
  const methods = surface.instanceMethods.filter((m) => !NOT_CALLED.has(m));
  const missing = await p.value(`
    const missing = [];
    for (const m of ${JSON.stringify(methods)}) {
      let code;
      try { await tim[m](); } catch (e) { code = e && e.code; }
      if (code === 2998) missing.push(m);
    }
    return missing;`);
  console.log(`official methods still rejecting 2998: ${missing.length} of ${methods.length}: ${missing.join(' ')}`);
  assert.deepEqual(IMPLEMENTED.filter((m) => missing.includes(m)), []);
  assert.ok(missing.includes('getJoinedCommunityList') && missing.includes('createImageMessage'), 'the check tells');
});

test('a refused send rejects with the server code and the failed message', async () => {
  const gina = await user('gina');
  const r = await gina.run(`
    const m = tim.createTextMessage({to: 'nobody-here', conversationType: 'C2C', payload: {text: 'lost'}});
    try { await tim.sendMessage(m); return 'resolved'; }
    catch (e) { return {code: e.code, status: e.data.message.status, same: e.data.message === m, appStatus: m.status}; }`);
  assert.deepEqual(r.value, { code: 20003, status: 'fail', same: true, appStatus: 'fail' });
  const big = await gina.run(`
    const m = tim.createTextMessage({to: 'gina', conversationType: 'C2C', payload: {text: 'x'.repeat(13000)}});
    return await tim.sendMessage(m).catch((e) => e.code);`);
  assert.equal(big.value, 80002);
  // A message that is not from createXxxMessage is refused without a round trip.
  const bad = await gina.run(`return await tim.sendMessage({ID: 'made-up'}).catch((e) => e.code)`);
  assert.equal(bad.value, 2105);
});
