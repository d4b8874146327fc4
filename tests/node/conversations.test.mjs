// Conversations, read state and revocation through the built package against the real server:
// official result shapes and events on both sides and on a second session of the same user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import TIM from 'tim-wasm';
import { startServer } from '../lib/server.mjs';
import { loggedInPeer } from './harness.mjs';

const APP = 1400000051;
const KEY = 'node-conversations-key';
const sig = (user) => new TLSSigAPIv2.Api(APP, KEY).genUserSig(user, 3600);

let server;
const peers = [];
before(async () => {
  server = await startServer(['--app', `${APP}:${KEY}`, '--web-instances', '2']);
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

const send = (p, to, text) =>
  p.value(`const m = tim.createTextMessage({to: '${to}', conversationType: 'C2C', payload: {text: ${JSON.stringify(text)}}});
           await tim.sendMessage(m); return m;`);

/** The latest CONVERSATION_LIST_UPDATED list that satisfies `pred`. */
const listWhere = (p, pred) => p.take(TIM.EVENT.CONVERSATION_LIST_UPDATED, pred);

test('unread counts, read receipts to the peer, and the same state on a second session', async () => {
  const alice = await user('c-alice');
  const bob = await user('c-bob');
  const bob2 = await user('c-bob');
  for (const text of ['one', 'two', 'three']) await send(alice, 'c-bob', text);
  const list = await listWhere(bob, (l) => l[0] && l[0].unreadCount === 3);
  const c = list[0];
  assert.equal(c.conversationID, 'C2Cc-alice');
  assert.equal(c.type, 'C2C');
  assert.deepEqual(c.userProfile, { userID: 'c-alice', nick: '', avatar: '' });
  assert.equal(c.lastMessage.messageForShow, 'three');
  assert.equal(c.lastMessage.fromAccount, 'c-alice');
  assert.equal(c.lastMessage.type, 'TIMTextElem');
  assert.deepEqual(c.lastMessage.payload, { text: 'three' });
  assert.equal(await bob.take(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 3), 3);
  assert.equal(await bob.value('return tim.getTotalUnreadMessageCount()'), 3);
  const r = await bob.value(`return await tim.getConversationList()`);
  assert.equal(r.code, 0);
  assert.equal(r.data.conversationList[0].unreadCount, 3);
  assert.equal(r.data.isSyncCompleted, true);
  const profile = await bob.value(`return await tim.getConversationProfile('C2Cc-alice')`);
  assert.equal(profile.data.conversation.unreadCount, 3);

  // bob reads on one session: zero everywhere, and alice is told her messages were read.
  assert.deepEqual(await bob.value(`return await tim.setMessageRead({conversationID: 'C2Cc-alice'})`), { code: 0, data: {} });
  await listWhere(bob2, (l) => l[0] && l[0].unreadCount === 0);
  assert.equal(await bob2.take(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 0), 0);
  assert.equal(await bob2.value('return tim.getTotalUnreadMessageCount()'), 0);
  const read = await alice.take(TIM.EVENT.MESSAGE_READ_BY_PEER);
  assert.deepEqual(read.map((m) => [m.payload.text, m.isPeerRead]), [['one', true], ['two', true], ['three', true]]);
  const mine = await listWhere(alice, (l) => l[0] && l[0].lastMessage.isPeerRead);
  assert.equal(mine[0].unreadCount, 0);
});

test('revoking: only the sender, MESSAGE_REVOKED on the peer and the sender\'s other session', async () => {
  const dan = await user('r-dan');
  const dan2 = await user('r-dan');
  const eve = await user('r-eve');
  const m = await send(dan, 'r-eve', 'oops');
  await eve.take(TIM.EVENT.MESSAGE_RECEIVED);
  // eve cannot revoke dan's message.
  const refused = await eve.run(`
    const [m] = (await tim.getMessageList({conversationID: 'C2Cr-dan'})).data.messageList;
    return await tim.revokeMessage(m);`);
  assert.equal(refused.error.code, 2110);
  const r = await dan.value(`
    const m = (await tim.getMessageList({conversationID: 'C2Cr-eve'})).data.messageList.pop();
    const res = await tim.revokeMessage(m);
    return {same: res.data.message === m, isRevoked: m.isRevoked, revoker: m.revoker, ID: m.ID};`);
  assert.deepEqual(r, { same: true, isRevoked: true, revoker: 'r-dan', ID: m.ID });
  for (const p of [eve, dan2]) {
    const [revoked] = await p.take(TIM.EVENT.MESSAGE_REVOKED);
    assert.deepEqual([revoked.ID, revoked.isRevoked, revoked.revoker], [m.ID, true, 'r-dan']);
    const list = await listWhere(p, (l) => l[0] && l[0].lastMessage.isRevoked);
    assert.equal(list[0].lastMessage.revoker, 'r-dan');
  }
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(dan.count(TIM.EVENT.MESSAGE_REVOKED), 0, 'the revoking instance is answered, not told');
  const history = await eve.value(`return (await tim.getMessageList({conversationID: 'C2Cr-dan'})).data.messageList.map((m) => [m.isRevoked, m.revoker])`);
  assert.deepEqual(history, [[true, 'r-dan']]);
});

test('pin, mark, custom data, delete and clear, with the official results and errors', async () => {
  const fay = await user('p-fay');
  await user('p-gus');
  await user('p-hal');
  await send(fay, 'p-gus', 'to gus');
  await send(fay, 'p-hal', 'to hal');
  let r = await fay.value(`return await tim.pinConversation({conversationID: 'C2Cp-gus', isPinned: true})`);
  assert.deepEqual(r, { code: 0, data: { conversationID: 'C2Cp-gus' } });
  let list = await listWhere(fay, (l) => l[0] && l[0].isPinned);
  assert.deepEqual(list.map((c) => c.conversationID), ['C2Cp-gus', 'C2Cp-hal'], 'pinned first');
  r = await fay.value(`return await tim.markConversation({conversationIDList: ['C2Cp-gus', 'C2Cp-hal'], markType: TIM.TYPES.CONV_MARK_TYPE_STAR, enableMark: true})`);
  assert.deepEqual(r.data, { successConversationIDList: ['C2Cp-gus', 'C2Cp-hal'], failureConversationIDList: [] });
  r = await fay.value(`return await tim.setConversationCustomData({conversationIDList: ['C2Cp-hal'], customData: 'draft'})`);
  assert.deepEqual(r.data.successConversationIDList, ['C2Cp-hal']);
  list = (await fay.value('return (await tim.getConversationList()).data.conversationList'));
  assert.deepEqual(list.map((c) => [c.conversationID, c.markList, c.customData]), [['C2Cp-gus', [1], ''], ['C2Cp-hal', [1], 'draft']]);
  r = await fay.value(`return await tim.getConversationList(['C2Cp-hal'])`);
  assert.deepEqual(r.data.conversationList.map((c) => c.conversationID), ['C2Cp-hal']);

  r = await fay.value(`return await tim.clearHistoryMessage('C2Cp-hal')`);
  assert.deepEqual(r, { code: 0, data: {} });
  assert.deepEqual(await fay.value(`return (await tim.getMessageList({conversationID: 'C2Cp-hal'})).data.messageList`), []);
  r = await fay.value(`return await tim.deleteConversation('C2Cp-gus')`);
  assert.deepEqual(r, { code: 0, data: { conversationID: 'C2Cp-gus' } });
  list = await listWhere(fay, (l) => l.length === 1 && l[0].conversationID === 'C2Cp-hal');
  assert.equal(list[0].customData, 'draft');

  for (const [code, call] of [
    [2500, `tim.setMessageRead({conversationID: 'C2Cnobody'})`],
    [2500, `tim.pinConversation({conversationID: 'GROUPx', isPinned: true})`],
    [2503, `tim.pinConversation({conversationID: 'bogus', isPinned: true})`],
    [2500, `tim.deleteConversation('C2Cp-gus')`],
  ]) {
    const e = await fay.run(`return await ${call}`);
    assert.equal(e.error && e.error.code, code, call);
  }
});

test('setAllMessageRead, resendMessage and createForwardMessage', async () => {
  const ivy = await user('a-ivy');
  const jo = await user('a-jo');
  const kit = await user('a-kit');
  await send(jo, 'a-ivy', 'from jo');
  await send(kit, 'a-ivy', 'from kit');
  await ivy.take(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 2);
  assert.deepEqual(await ivy.value(`return await tim.setAllMessageRead({scope: TIM.TYPES.READ_ALL_MSG})`), { code: 0, data: {} });
  await ivy.take(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 0);
  await jo.take(TIM.EVENT.MESSAGE_READ_BY_PEER);
  await kit.take(TIM.EVENT.MESSAGE_READ_BY_PEER);

  // A failed send resent: same message object, stored once.
  const r = await ivy.value(`
    const m = tim.createTextMessage({to: 'a-nobody', conversationType: 'C2C', payload: {text: 'lost'}});
    const first = await tim.sendMessage(m).catch((e) => e.code);
    const again = await tim.resendMessage(m).catch((e) => [e.code, e.data.message === m, m.status]);
    return {first, again};`);
  assert.deepEqual(r, { first: 20003, again: [20003, true, 'fail'] });

  // Forward what jo sent to kit.
  const fwd = await ivy.value(`
    const [m] = (await tim.getMessageList({conversationID: 'C2Ca-jo'})).data.messageList;
    const f = tim.createForwardMessage({to: 'a-kit', conversationType: 'C2C', payload: m});
    return (await tim.sendMessage(f)).data.message;`);
  assert.deepEqual([fwd.type, fwd.payload, fwd.to], ['TIMTextElem', { text: 'from jo' }, 'a-kit']);
  const [got] = await kit.take(TIM.EVENT.MESSAGE_RECEIVED, (list) => list.some((m) => m.from === 'a-ivy'));
  assert.equal(got.payload.text, 'from jo');
});

test('deleteMessage hides messages from one side only', async () => {
  const lou = await user('d-lou');
  const max = await user('d-max');
  await send(lou, 'd-max', 'kept');
  await send(lou, 'd-max', 'regretted');
  const r = await lou.value(`
    const list = (await tim.getMessageList({conversationID: 'C2Cd-max'})).data.messageList;
    const res = await tim.deleteMessage([list[1]]);
    return {code: res.code, deleted: res.data.messageList.map((m) => [m.payload.text, m.isDeleted]), same: res.data.messageList[0] === list[1]};`);
  assert.deepEqual(r, { code: 0, deleted: [['regretted', true]], same: true });
  const mine = await lou.value(`return (await tim.getMessageList({conversationID: 'C2Cd-max'})).data.messageList.map((m) => m.payload.text)`);
  assert.deepEqual(mine, ['kept']);
  const list = await listWhere(lou, (l) => l[0] && l[0].lastMessage && l[0].lastMessage.messageForShow === 'kept');
  assert.equal(list[0].conversationID, 'C2Cd-max');
  const theirs = await max.value(`return (await tim.getMessageList({conversationID: 'C2Cd-lou'})).data.messageList.map((m) => m.payload.text)`);
  assert.deepEqual(theirs, ['kept', 'regretted']);
});

test('findMessage returns what this instance has seen, as it is now', async () => {
  const ned = await user('f-ned');
  const oli = await user('f-oli');
  const sent = await send(ned, 'f-oli', 'find me');
  const [got] = await oli.take(TIM.EVENT.MESSAGE_RECEIVED);
  assert.equal((await oli.value(`return tim.findMessage(${JSON.stringify(got.ID)})`)).payload.text, 'find me');
  assert.equal(await oli.value(`return tim.findMessage('no-such-id')`), null);
  await ned.value(`return await tim.revokeMessage(tim.findMessage(${JSON.stringify(sent.ID)}))`);
  await oli.take(TIM.EVENT.MESSAGE_REVOKED);
  const after = await oli.value(`return tim.findMessage(${JSON.stringify(got.ID)})`);
  assert.deepEqual([after.isRevoked, after.revoker], [true, 'f-ned']);
});

test('getMessageListHopping pages older or newer from a message', async () => {
  const pia = await user('h-pia');
  await user('h-quinn');
  for (let i = 1; i <= 8; i++) await send(pia, 'h-quinn', `m${i}`);
  const r = await pia.value(`
    const newest = (await tim.getMessageList({conversationID: 'C2Ch-quinn'})).data.messageList;
    const at = newest.find((m) => m.payload.text === 'm4');
    const older = await tim.getMessageListHopping({conversationID: 'C2Ch-quinn', sequence: at.sequence, count: 3, direction: 0});
    const newer = await tim.getMessageListHopping({conversationID: 'C2Ch-quinn', sequence: at.sequence, count: 3, direction: 1});
    const text = (res) => res.data.messageList.map((m) => m.payload.text);
    return {older: text(older), newer: text(newer), done: newer.data.isCompleted};`);
  assert.deepEqual(r, { older: ['m2', 'm3', 'm4'], newer: ['m4', 'm5', 'm6'], done: false });
});

test('read receipts: needReadReceipt, sendMessageReadReceipt, MESSAGE_READ_RECEIPT_RECEIVED, getMessageReadReceiptList', async () => {
  const ray = await user('rr-ray');
  const sam = await user('rr-sam');
  const sent = await ray.value(`
    const m = tim.createTextMessage({to: 'rr-sam', conversationType: 'C2C', payload: {text: 'ack me'}, needReadReceipt: true});
    await tim.sendMessage(m);
    state.m = m;
    const before = (await tim.getMessageReadReceiptList([m])).data.messageList[0].readReceiptInfo;
    return {ID: m.ID, needReadReceipt: m.needReadReceipt, before};`);
  assert.deepEqual([sent.needReadReceipt, sent.before], [true, { readCount: 0, unreadCount: 1 }]);
  const [got] = await sam.take(TIM.EVENT.MESSAGE_RECEIVED);
  assert.equal(got.needReadReceipt, true);
  const r = await sam.value(`
    const [m] = (await tim.getMessageList({conversationID: 'C2Crr-ray'})).data.messageList;
    return await tim.sendMessageReadReceipt([m]);`);
  assert.equal(r.code, 0);
  const receipts = await ray.take(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED);
  assert.deepEqual(receipts, [{ conversationID: 'C2Crr-sam', messageID: sent.ID, readCount: 1, unreadCount: 0 }]);
  const after = await ray.value(`return (await tim.getMessageReadReceiptList([state.m])).data.messageList[0].readReceiptInfo`);
  assert.deepEqual(after, { readCount: 1, unreadCount: 0 });
  const empty = await sam.run(`return await tim.sendMessageReadReceipt([])`);
  assert.equal(empty.error.code, 2114);
});

test('modifyMessage: the app object updated, MESSAGE_MODIFIED on the peer and the list', async () => {
  const tia = await user('m-tia');
  const uma = await user('m-uma');
  await send(tia, 'm-uma', 'teh typo');
  await uma.take(TIM.EVENT.MESSAGE_RECEIVED);
  const r = await tia.value(`
    const m = (await tim.getMessageList({conversationID: 'C2Cm-uma'})).data.messageList.pop();
    m.payload = {text: 'the typo, fixed'};
    m.cloudCustomData = 'edited';
    const res = await tim.modifyMessage(m);
    return {same: res.data.message === m, text: m.payload.text, isModified: m.isModified};`);
  assert.deepEqual(r, { same: true, text: 'the typo, fixed', isModified: true });
  const [changed] = await uma.take(TIM.EVENT.MESSAGE_MODIFIED);
  assert.deepEqual([changed.payload.text, changed.cloudCustomData, changed.isModified], ['the typo, fixed', 'edited', true]);
  const list = await listWhere(uma, (l) => l[0] && l[0].lastMessage.messageForShow === 'the typo, fixed');
  assert.equal(list[0].conversationID, 'C2Cm-tia');
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(tia.count(TIM.EVENT.MESSAGE_MODIFIED), 0, 'the modifying instance is answered, not told');
  const bad = await tia.run(`
    const m = (await tim.getMessageList({conversationID: 'C2Cm-uma'})).data.messageList.pop();
    m.type = 'TIMCustomElem'; m.payload = {data: 'x'};
    return await tim.modifyMessage(m);`);
  assert.equal(bad.error.code, 20001);
});

test('sendMessage options: onlineUserOnly and messageControlInfo', async () => {
  const vic = await user('o-vic');
  const wes = await user('o-wes');
  await send(vic, 'o-wes', 'normal');
  await wes.take(TIM.EVENT.MESSAGE_RECEIVED);
  await wes.take(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 1);
  await vic.value(`
    const typing = tim.createCustomMessage({to: 'o-wes', conversationType: 'C2C', payload: {data: 'typing'}});
    await tim.sendMessage(typing, {onlineUserOnly: true});
    const quiet = tim.createTextMessage({to: 'o-wes', conversationType: 'C2C', payload: {text: 'quiet'}});
    await tim.sendMessage(quiet, {messageControlInfo: {excludedFromUnreadCount: true, excludedFromLastMessage: true}});`);
  const got = [];
  while (got.length < 2) got.push(...(await wes.take(TIM.EVENT.MESSAGE_RECEIVED)));
  assert.deepEqual(got.map((m) => m.type), ['TIMCustomElem', 'TIMTextElem']);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(await wes.value('return tim.getTotalUnreadMessageCount()'), 1, 'neither counts as unread');
  const [c] = (await wes.value('return (await tim.getConversationList()).data.conversationList'));
  assert.equal(c.lastMessage.messageForShow, 'normal');
  const history = await wes.value(`return (await tim.getMessageList({conversationID: 'C2Co-vic'})).data.messageList.map((m) => m.type)`);
  assert.deepEqual(history, ['TIMTextElem', 'TIMTextElem'], 'the online-only message is not stored');
});

test('createMergerMessage carries whole messages; downloadMergerMessage gives them back', async () => {
  const xia = await user('g-xia');
  const yan = await user('g-yan');
  await send(xia, 'g-yan', 'first');
  await send(xia, 'g-yan', 'second');
  await yan.take(TIM.EVENT.MESSAGE_RECEIVED);
  await xia.value(`
    const list = (await tim.getMessageList({conversationID: 'C2Cg-yan'})).data.messageList;
    const m = tim.createMergerMessage({to: 'g-yan', conversationType: 'C2C', payload: {
      messageList: list, title: 'Our chat', abstractList: list.map((m) => m.payload.text), compatibleText: 'please upgrade'}});
    await tim.sendMessage(m);`);
  const [merged] = await yan.take(TIM.EVENT.MESSAGE_RECEIVED, (l) => l.some((m) => m.type === TIM.TYPES.MSG_MERGER));
  assert.equal(merged.type, 'TIMRelayElem');
  assert.deepEqual([merged.payload.title, merged.payload.abstractList, merged.payload.compatibleText], ['Our chat', ['first', 'second'], 'please upgrade']);
  assert.deepEqual(merged.payload.messageList.map((m) => m.payload.text), ['first', 'second']);
  const r = await yan.value(`
    const [m] = (await tim.getMessageList({conversationID: 'C2Cg-xia'})).data.messageList.slice(-1);
    return (await tim.downloadMergerMessage(m)).data.map((x) => x.payload.text);`);
  assert.deepEqual(r, ['first', 'second']);
  const list = await listWhere(yan, (l) => l[0] && l[0].lastMessage.type === 'TIMRelayElem');
  assert.equal(list[0].lastMessage.messageForShow, '[聊天记录]');
});

test('createTextAtMessage: the mentioned userIDs reach the other side', async () => {
  const zed = await user('t-zed');
  const amy = await user('t-amy');
  const sent = await zed.value(`
    const m = tim.createTextAtMessage({to: 't-amy', conversationType: 'C2C', payload: {text: '@t-amy look', atUserList: ['t-amy']}});
    return (await tim.sendMessage(m)).data.message;`);
  assert.deepEqual([sent.type, sent.atUserList, sent.payload], ['TIMTextElem', ['t-amy'], { text: '@t-amy look' }]);
  const [got] = await amy.take(TIM.EVENT.MESSAGE_RECEIVED);
  assert.deepEqual(got.atUserList, ['t-amy']);
  const h = await amy.value(`return (await tim.getMessageList({conversationID: 'C2Ct-zed'})).data.messageList[0].atUserList`);
  assert.deepEqual(h, ['t-amy']);
});
