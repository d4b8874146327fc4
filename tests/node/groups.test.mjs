// Groups through the built package against the real server, each user in its own process:
// createGroup with members, GROUP_LIST_UPDATED (the whole list, as an array) on every member's
// sessions, joinGroup by join option with the application handled, member paging, roles, name
// cards and muting with the official codes, handing over, quitting and dismissing; group
// messages live to every member, as history, and what a cut connection missed, once each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { suiteServer } from './harness.mjs';
import { startProxy } from '../lib/proxy.mjs';

const E = TIM.EVENT;
const suite = suiteServer(1400000057, 'node-groups-key', ['--web-instances', '3']);

/** A logged-in user whose login-time group list (empty) is taken. */
async function user(userID) {
  const p = await suite.user(userID);
  assert.deepEqual(await p.take(E.GROUP_LIST_UPDATED), []);
  return p;
}

const codeOf = (p, call) => p.value(`try { await ${call}; return 0 } catch (e) { return e.code }`);
const call = (p, method, options) => p.value(`return await tim.${method}(${JSON.stringify(options)})`);
const ids = (groups) => groups.map((g) => g.groupID).sort();

test('createGroup, GROUP_LIST_UPDATED on every member, joinGroup and its application', async () => {
  const alice = await user('g-alice');
  const alice2 = await user('g-alice');
  const bob = await user('g-bob');
  const carol = await user('g-carol');

  const created = await call(alice, 'createGroup', {
    name: 'team', type: TIM.TYPES.GRP_PUBLIC, groupID: 'team', memberList: [{ userID: 'g-bob' }],
  });
  assert.equal(created.code, 0);
  assert.equal(created.data.group.groupID, 'team');
  assert.equal(created.data.group.type, TIM.TYPES.GRP_PUBLIC);
  assert.equal(created.data.group.selfInfo.role, TIM.TYPES.GRP_MBR_ROLE_OWNER);
  assert.deepEqual(created.data.overLimitUserIDList, []);
  for (const session of [alice, alice2, bob]) {
    const list = await session.take(E.GROUP_LIST_UPDATED, (l) => l.length === 1);
    assert.deepEqual(ids(list), ['team']);
    assert.equal(list[0].memberCount, 2);
  }
  assert.equal(carol.count(E.GROUP_LIST_UPDATED), 0, 'nothing after the login-time list');

  // Public: NeedPermission; the owner agrees, carol's list then has it.
  const asked = await call(carol, 'joinGroup', { groupID: 'team', applyMessage: 'me too' });
  assert.deepEqual(asked.data, { status: TIM.TYPES.JOIN_STATUS_WAIT_APPROVAL });
  const { data } = await call(alice, 'getGroupApplicationList');
  assert.equal(data.applicationList.length, 1);
  assert.equal(data.applicationList[0].applicant, 'g-carol');
  const handled = await call(alice, 'handleGroupApplication', { handleAction: 'Agree', application: data.applicationList[0] });
  assert.equal(handled.data.group.memberCount, 3);
  const carols = await carol.take(E.GROUP_LIST_UPDATED, (l) => l.length === 1);
  assert.equal(carols[0].selfInfo.role, TIM.TYPES.GRP_MBR_ROLE_MEMBER);
  await bob.take(E.GROUP_LIST_UPDATED, (l) => l[0]?.memberCount === 3);

  // A Meeting group is joined at once; a Work group not at all.
  await call(alice, 'createGroup', { name: 'meet', type: TIM.TYPES.GRP_MEETING, groupID: 'meet' });
  const joined = await call(bob, 'joinGroup', { groupID: 'meet' });
  assert.equal(joined.data.status, TIM.TYPES.JOIN_STATUS_SUCCESS);
  assert.equal(joined.data.group.groupID, 'meet');
  await bob.take(E.GROUP_LIST_UPDATED, (l) => l.length === 2);
  await call(alice, 'createGroup', { name: 'work', groupID: 'work' });
  assert.equal(await codeOf(bob, `tim.joinGroup({groupID: 'work'})`), 2601);

  // The official parameter checks throw; the server's rules answer their codes.
  const thrown = await alice.run(`return tim.createGroup({type: 'Public'})`);
  assert.equal(thrown.ok, false);
  assert.match(JSON.stringify(thrown.error), /Params validate failed/);
  assert.equal(await codeOf(alice, `tim.createGroup({name: 'x', type: 'Nope'})`), 2600);
  assert.equal(await codeOf(bob, `tim.createGroup({name: 'x', groupID: 'team'})`), 10021);
});

test('members: paging, roles, name cards, muting, handing over, quitting, dismissing', async () => {
  const owner = await user('m-owner');
  const admin = await user('m-admin');
  const member = await user('m-member');
  const memberList = [{ userID: 'm-admin' }, { userID: 'm-member' }];
  await call(owner, 'createGroup', { name: 'club', type: TIM.TYPES.GRP_PUBLIC, groupID: 'club', memberList });

  const first = await call(owner, 'getGroupMemberList', { groupID: 'club', count: 2, offset: 0 });
  assert.deepEqual(first.data.memberList.map((m) => m.userID), ['m-owner', 'm-admin']);
  assert.equal(first.data.offset, 2, 'the next offset');
  const last = await call(owner, 'getGroupMemberList', { groupID: 'club', count: 2, offset: 2 });
  assert.deepEqual(last.data.memberList.map((m) => m.userID), ['m-member']);
  assert.equal(last.data.offset, 0, 'done');

  const role = (userID, r) => `tim.setGroupMemberRole({groupID: 'club', userID: '${userID}', role: '${r}'})`;
  assert.equal(await codeOf(admin, role('m-member', 'Admin')), 2681);
  assert.equal(await codeOf(owner, role('m-owner', 'Member')), 2684);
  const promoted = await call(owner, 'setGroupMemberRole', { groupID: 'club', userID: 'm-admin', role: TIM.TYPES.GRP_MBR_ROLE_ADMIN });
  assert.equal(promoted.data.member.role, TIM.TYPES.GRP_MBR_ROLE_ADMIN);
  await admin.take(E.GROUP_LIST_UPDATED, (l) => l[0]?.selfInfo.role === TIM.TYPES.GRP_MBR_ROLE_ADMIN);

  const card = await call(member, 'setGroupMemberNameCard', { groupID: 'club', nameCard: 'Mem' });
  assert.equal(card.data.member.nameCard, 'Mem');
  assert.equal(await codeOf(member, `tim.setGroupMemberNameCard({groupID: 'club', userID: 'm-admin', nameCard: 'x'})`), 10007);
  assert.equal(await codeOf(admin, `tim.setGroupMemberMuteTime({groupID: 'club', userID: 'm-admin', muteTime: 60})`), 2685);
  const muted = await call(admin, 'setGroupMemberMuteTime', { groupID: 'club', userID: 'm-member', muteTime: 60 });
  assert.ok(muted.data.member.muteUntil >= Math.floor(Date.now() / 1000) + 58, JSON.stringify(muted.data.member));
  const profile = await call(owner, 'getGroupMemberProfile', { groupID: 'club', userIDList: ['m-member'] });
  assert.equal(profile.data.memberList[0].nameCard, 'Mem');

  assert.equal(await codeOf(owner, `tim.quitGroup('club')`), 10009);
  const handed = await call(owner, 'changeGroupOwner', { groupID: 'club', newOwnerID: 'm-admin' });
  assert.equal(handed.data.group.ownerID, 'm-admin');
  const quit = await call(owner, 'quitGroup', 'club');
  assert.deepEqual(quit.data, { groupID: 'club' });
  await owner.take(E.GROUP_LIST_UPDATED, (l) => l.length === 0);
  assert.equal(await codeOf(member, `tim.dismissGroup('club')`), 10007);
  await call(admin, 'dismissGroup', 'club');
  await member.take(E.GROUP_LIST_UPDATED, (l) => l.length === 0);
  assert.equal(await codeOf(member, `tim.getGroupProfile({groupID: 'club'})`), 10010);
});

const sayTo = (p, groupID, text) =>
  p.value(`return (await tim.sendMessage(tim.createTextMessage({to: ${JSON.stringify(groupID)}, conversationType: TIM.TYPES.CONV_GROUP, payload: {text: ${JSON.stringify(text)}}}))).data.message`);

test('group messages: to every member live, as history, and what a cut connection missed', async () => {
  const proxy = await startProxy({ upstreamPort: suite.server().port });
  try {
    const alice = await user('gm-alice');
    const bob = await suite.user('gm-bob', proxy.url);
    assert.deepEqual(await bob.take(E.GROUP_LIST_UPDATED), []);
    const carol = await user('gm-carol');
    const memberList = [{ userID: 'gm-bob' }, { userID: 'gm-carol' }];
    await call(alice, 'createGroup', { name: 'chat', type: TIM.TYPES.GRP_PUBLIC, groupID: 'chat', memberList });
    // The official post-create message first, from the creator (her other sessions see it as
    // hers).
    for (const [member, flow] of [[bob, 'in'], [carol, 'in'], [alice, 'out']]) {
      const [m] = await member.take(E.MESSAGE_RECEIVED);
      assert.equal(m.type, TIM.TYPES.MSG_CUSTOM);
      assert.deepEqual([m.payload.data, m.payload.extension], ['group_create', 'gm-alice创建群组']);
      assert.deepEqual([m.sequence, m.from, m.flow], [1, 'gm-alice', flow]);
    }

    const sent = await sayTo(alice, 'chat', 'hello all');
    assert.equal(sent.conversationID, 'GROUPchat');
    assert.equal(sent.conversationType, TIM.TYPES.CONV_GROUP);
    assert.equal(sent.sequence, 2);
    for (const member of [bob, carol]) {
      const [m] = await member.take(E.MESSAGE_RECEIVED);
      assert.equal(m.ID, sent.ID);
      assert.equal(m.conversationID, 'GROUPchat');
      assert.equal(m.to, 'chat');
      assert.equal(m.from, 'gm-alice');
      assert.equal(m.flow, 'in');
      assert.equal(m.payload.text, 'hello all');
    }
    const hello = (c) => c.conversationID === 'GROUPchat' && c.lastMessage.payload.text === 'hello all';
    const list = await carol.take(E.CONVERSATION_LIST_UPDATED, (l) => l.some(hello));
    const conversation = list.find(hello);
    assert.equal(conversation.type, TIM.TYPES.CONV_GROUP);
    assert.equal(conversation.unreadCount, 2);
    assert.equal(conversation.groupProfile.groupID, 'chat');
    assert.equal(conversation.lastMessage.payload.text, 'hello all');
    assert.equal(alice.count(E.MESSAGE_RECEIVED), 0, 'the sender is not told of its own message');

    // Bob's connection is cut while three more come: after it is back he gets each once, in order.
    proxy.refuse(true);
    proxy.cutAll();
    await bob.take(E.NET_STATE_CHANGE, (d) => d.state !== 'connected');
    for (const text of ['away 1', 'away 2', 'away 3']) await sayTo(alice, 'chat', text);
    proxy.refuse(false);
    await bob.take(E.NET_STATE_CHANGE, (d) => d.state === 'connected', 20000);
    const got = [];
    while (got.length < 3) got.push(...(await bob.take(E.MESSAGE_RECEIVED)));
    assert.deepEqual(got.map((m) => [m.sequence, m.payload.text]), [[3, 'away 1'], [4, 'away 2'], [5, 'away 3']]);
    const reply = await sayTo(bob, 'chat', 'back');
    assert.equal(reply.sequence, 6);
    const [r] = await alice.take(E.MESSAGE_RECEIVED);
    assert.equal(r.payload.text, 'back');
    await new Promise((done) => setTimeout(done, 300));
    assert.equal(bob.count(E.MESSAGE_RECEIVED), 0, 'nothing twice');

    // The conversation list: carol's unread count is hers; a read is kept on the server, so a
    // new session of hers starts from it.
    const before = (await call(carol, 'getConversationList')).data.conversationList;
    assert.equal(before.find((c) => c.conversationID === 'GROUPchat').unreadCount, 6);
    await call(carol, 'setMessageRead', { conversationID: 'GROUPchat' });
    await carol.take(E.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (n) => n === 0);
    const carol2 = await suite.user('gm-carol');
    const ready = await carol2.take(E.CONVERSATION_LIST_UPDATED, (l) => l.some((c) => c.conversationID === 'GROUPchat'));
    const chat = ready.find((c) => c.conversationID === 'GROUPchat');
    assert.equal(chat.unreadCount, 0);
    assert.equal(chat.lastMessage.payload.text, 'back');
    assert.equal(chat.groupProfile.groupID, 'chat');

    // History: the group's messages for a member; a non-member is refused (10007).
    const page = await call(carol, 'getMessageList', { conversationID: 'GROUPchat' });
    const texts = page.data.messageList.map((m) => m.payload.text ?? m.payload.data);
    assert.deepEqual(texts, ['group_create', 'hello all', 'away 1', 'away 2', 'away 3', 'back']);
    assert.equal(page.data.isCompleted, true);
    const dave = await user('gm-dave');
    assert.equal(await codeOf(dave, `tim.getMessageList({conversationID: 'GROUPchat'})`), 10007);
    assert.equal(await codeOf(dave, `tim.sendMessage(tim.createTextMessage({to: 'chat', conversationType: 'GROUP', payload: {text: 'x'}}))`), 10007);

    // A tip: dave added, as each member sees it (MESSAGE_RECEIVED, the official payload), in the
    // conversation list as its last message, never unread.
    await call(alice, 'addGroupMember', { groupID: 'chat', userIDList: ['gm-dave'] });
    const isTip = (m) => m.type === TIM.TYPES.MSG_GRP_TIP;
    for (const member of [bob, dave]) {
      const tip = (await member.take(E.MESSAGE_RECEIVED, (l) => l.some(isTip))).find(isTip);
      assert.equal(tip.conversationID, 'GROUPchat');
      assert.equal(tip.payload.operationType, TIM.TYPES.GRP_TIP_MBR_JOIN);
      assert.deepEqual([tip.payload.operatorID, tip.payload.userIDList, tip.payload.memberCount], ['gm-alice', ['gm-dave'], 4]);
    }
    const tipped = (c) => c.conversationID === 'GROUPchat' && c.lastMessage.type === TIM.TYPES.MSG_GRP_TIP;
    const daves = await dave.take(E.CONVERSATION_LIST_UPDATED, (l) => l.some(tipped));
    const joined = daves.find(tipped);
    assert.deepEqual([joined.unreadCount, joined.lastMessage.messageForShow], [0, '[群提示消息]']);
  } finally {
    await proxy.close();
  }
});

test('group system notices: MESSAGE_RECEIVED in @TIM#SYSTEM, a request handled by its notice, kept from deleteMessage (2116)', async () => {
  const owner = await user('n-owner');
  const asker = await user('n-asker');
  await call(owner, 'createGroup', { name: 'asks', type: TIM.TYPES.GRP_PUBLIC, groupID: 'asks' });
  const notice = (p, op) =>
    p.take(E.MESSAGE_RECEIVED, (l) => l.some((m) => m.type === TIM.TYPES.MSG_GRP_SYS_NOTICE && m.payload.operationType === op));
  const find = (list, op) => list.find((m) => m.payload.operationType === op);

  await call(asker, 'joinGroup', { groupID: 'asks', applyMessage: 'hello' });
  const request = find(await notice(owner, 1), 1);
  assert.deepEqual(
    [request.conversationID, request.conversationType, request.from, request.flow],
    ['@TIM#SYSTEM', TIM.TYPES.CONV_SYSTEM, '@TIM#SYSTEM', 'in'],
  );
  assert.deepEqual([request.payload.operatorID, request.payload.groupProfile.groupID, request.payload.handleMessage], ['n-asker', 'asks', 'hello']);
  assert.equal(await codeOf(owner, `tim.deleteMessage([${JSON.stringify(request)}])`), 2116);
  // The official way: the notice itself handed to handleGroupApplication.
  const handled = await call(owner, 'handleGroupApplication', { handleAction: 'Agree', message: request });
  assert.equal(handled.data.group.memberCount, 2);
  const accepted = find(await notice(asker, 2), 2);
  assert.equal(accepted.payload.groupProfile.groupID, 'asks');
  await asker.take(E.GROUP_LIST_UPDATED, (l) => l.length === 1);

  await call(owner, 'deleteGroupMember', { groupID: 'asks', userIDList: ['n-asker'] });
  const kicked = find(await notice(asker, 4), 4);
  assert.equal(kicked.payload.operatorID, 'n-owner');
  await asker.take(E.GROUP_LIST_UPDATED, (l) => l.length === 0);
  const list = (await call(asker, 'getConversationList')).data.conversationList;
  assert.ok(!list.some((c) => c.conversationID === '@TIM#SYSTEM'), 'notices are in no conversation of the list');
});

test('@mentions: createTextAtMessage, atUserList on the message, groupAtInfoList until read, on a new session too', async () => {
  const alice = await user('at-alice');
  const bob = await user('at-bob');
  await call(alice, 'createGroup', { name: 'at', type: TIM.TYPES.GRP_PUBLIC, groupID: 'at', memberList: [{ userID: 'at-bob' }] });
  const mention = (users) =>
    alice.value(`return (await tim.sendMessage(tim.createTextAtMessage({to: 'at', conversationType: TIM.TYPES.CONV_GROUP, payload: {text: '@ you', atUserList: ${JSON.stringify(users)}}}))).data.message`);
  const first = await mention(['at-bob']);
  const second = await mention([TIM.TYPES.MSG_AT_ALL]);
  const [m] = await bob.take(E.MESSAGE_RECEIVED, (l) => l.some((x) => x.ID === first.ID));
  assert.deepEqual(m.atUserList, ['at-bob']);
  const expected = [
    { groupID: 'at', messageSequence: first.sequence, atTypeArray: [TIM.TYPES.CONV_AT_ME] },
    { groupID: 'at', messageSequence: second.sequence, atTypeArray: [TIM.TYPES.CONV_AT_ALL] },
  ];
  const atInfo = (l) => l.find((c) => c.conversationID === 'GROUPat')?.groupAtInfoList;
  const live = await bob.take(E.CONVERSATION_LIST_UPDATED, (l) => atInfo(l)?.length === 2);
  assert.deepEqual(atInfo(live), expected);
  // The server's view, as a new session loads it; then read, and gone.
  const bob2 = await suite.user('at-bob');
  const loaded = await bob2.take(E.CONVERSATION_LIST_UPDATED, (l) => atInfo(l)?.length === 2);
  assert.deepEqual(atInfo(loaded), expected);
  assert.deepEqual(atInfo((await call(alice, 'getConversationList')).data.conversationList), [], 'not her own');
  await call(bob, 'setMessageRead', { conversationID: 'GROUPat' });
  await bob.take(E.CONVERSATION_LIST_UPDATED, (l) => atInfo(l)?.length === 0);
});

test('group message changes: the sender\'s nameCard, modify by a member, revoke by the sender or the owner (2110 for others), deleteMessage for one member', async () => {
  const owner = await user('ch-owner');
  const bob = await user('ch-bob');
  const carol = await user('ch-carol');
  const memberList = [{ userID: 'ch-bob' }, { userID: 'ch-carol' }];
  await call(owner, 'createGroup', { name: 'ch', type: TIM.TYPES.GRP_PUBLIC, groupID: 'ch', memberList });
  const byId = (id) => (l) => l.some((m) => m.ID === id);
  const pick = (p, id) => `(await tim.getMessageList({conversationID: 'GROUPch'})).data.messageList.find((m) => m.ID === ${JSON.stringify(id)})`;

  // A message carries its sender's name card in the group, live and in history.
  await call(bob, 'setGroupMemberNameCard', { groupID: 'ch', nameCard: 'Bobby' });
  const typo = await sayTo(bob, 'ch', 'teh typo');
  assert.equal(typo.nameCard, 'Bobby');
  for (const p of [owner, carol]) {
    const [m] = await p.take(E.MESSAGE_RECEIVED, byId(typo.ID));
    assert.equal(m.nameCard, 'Bobby');
  }
  assert.equal(await owner.value(`return ${pick(owner, typo.ID)}.nameCard`), 'Bobby');
  const fixed = await carol.value(`const m = ${pick(carol, typo.ID)}; m.payload = {text: 'the typo'};
    return (await tim.modifyMessage(m)).data.message.isModified`);
  assert.equal(fixed, true, 'any member modifies, as in C2C');
  for (const p of [owner, bob]) {
    const [m] = await p.take(E.MESSAGE_MODIFIED, byId(typo.ID));
    assert.deepEqual([m.payload.text, m.conversationID], ['the typo', 'GROUPch']);
  }

  assert.equal(await codeOf(carol, `tim.revokeMessage(${pick(carol, typo.ID)})`), 2110, 'not hers');
  const oops = await sayTo(carol, 'ch', 'oops');
  await carol.value(`return (await tim.revokeMessage(${pick(carol, oops.ID)})).code`);
  const byOwner = await owner.value(`return (await tim.revokeMessage(${pick(owner, typo.ID)})).data.message.revoker`);
  assert.equal(byOwner, 'ch-owner', 'the owner revokes a member\'s message');
  for (const [p, ids] of [[bob, [oops.ID, typo.ID]], [owner, [oops.ID]], [carol, [typo.ID]]]) {
    const seen = [];
    while (seen.length < ids.length) seen.push(...(await p.take(E.MESSAGE_REVOKED)));
    assert.deepEqual(seen.map((m) => [m.ID, m.isRevoked]), ids.map((id) => [id, true]));
  }

  // deleteMessage: gone from bob's history and his conversation's last message, kept for carol.
  const last = await sayTo(owner, 'ch', 'last words');
  await bob.take(E.MESSAGE_RECEIVED, byId(last.ID));
  await bob.value(`return (await tim.deleteMessage([${pick(bob, last.ID)}])).code`);
  const isLast = (id) => (l) => l.find((c) => c.conversationID === 'GROUPch')?.lastMessage.ID === id;
  await bob.take(E.CONVERSATION_LIST_UPDATED, isLast(oops.ID));
  const ids = async (p) => (await call(p, 'getMessageList', { conversationID: 'GROUPch' })).data.messageList.map((m) => m.ID);
  assert.ok(!(await ids(bob)).includes(last.ID));
  assert.ok((await ids(carol)).includes(last.ID));
});

test('group read receipts: sendMessageReadReceipt (2114 when none qualify), MESSAGE_READ_RECEIPT_RECEIVED, getMessageReadReceiptList, getGroupMessageReadMemberList', async () => {
  const alice = await user('rr-alice');
  const bob = await user('rr-bob');
  const carol = await user('rr-carol');
  const memberList = [{ userID: 'rr-bob' }, { userID: 'rr-carol' }];
  await call(alice, 'createGroup', { name: 'rr', type: TIM.TYPES.GRP_WORK, groupID: 'rr', memberList });
  const asks = await alice.value(`const m = tim.createTextMessage({to: 'rr', conversationType: TIM.TYPES.CONV_GROUP, payload: {text: 'read me'}, needReadReceipt: true});
    return (await tim.sendMessage(m, {})).data.message`);
  assert.equal(asks.needReadReceipt, true);
  const plain = await sayTo(alice, 'rr', 'no receipt');
  const received = async (p) => {
    const got = [];
    while (!got.some((m) => m.ID === plain.ID)) got.push(...(await p.take(E.MESSAGE_RECEIVED)));
    return got.filter((m) => m.ID === asks.ID || m.ID === plain.ID);
  };
  const bobs = await received(bob);
  const carols = await received(carol);
  const read = (p, list) => p.value(`return (await tim.sendMessageReadReceipt(${JSON.stringify(list)})).code`);

  assert.equal(await codeOf(bob, `tim.sendMessageReadReceipt(${JSON.stringify(bobs.filter((m) => m.ID === plain.ID))})`), 2114, 'no receipt asked');
  assert.equal(await codeOf(alice, `tim.sendMessageReadReceipt([${JSON.stringify(asks)}])`), 2114, 'her own message');
  assert.equal(await read(bob, bobs), 0);
  const [first] = await alice.take(E.MESSAGE_READ_RECEIPT_RECEIVED);
  assert.deepEqual(first, { groupID: 'rr', conversationID: 'GROUPrr', messageID: asks.ID, readCount: 1, unreadCount: 1 });

  const page = (filter) => alice.value(`return (await tim.getGroupMessageReadMemberList({message: ${JSON.stringify(asks)}, filter: ${filter}, cursor: '', count: 10})).data`);
  assert.deepEqual(await page(0), { messageID: asks.ID, cursor: '', isCompleted: true, readUserIDList: ['rr-bob'], unreadUserIDList: [] });
  assert.deepEqual((await page(1)).unreadUserIDList, ['rr-carol']);

  assert.equal(await read(carol, carols), 0);
  const [second] = await alice.take(E.MESSAGE_READ_RECEIPT_RECEIVED);
  assert.deepEqual([second.readCount, second.unreadCount], [2, 0]);
  assert.equal(await read(bob, bobs), 0, 'read again: nothing new');
  await new Promise((done) => setTimeout(done, 300));
  assert.equal(alice.count(E.MESSAGE_READ_RECEIPT_RECEIVED), 0, 'counted once');

  // The counts on the app's own message objects, in place.
  const info = await alice.value(`const list = (await tim.getMessageList({conversationID: 'GROUPrr'})).data.messageList.filter((m) => m.needReadReceipt);
    const res = await tim.getMessageReadReceiptList(list);
    return [res.data.messageList[0] === list[0], list[0].readReceiptInfo]`);
  assert.deepEqual(info, [true, { readCount: 2, unreadCount: 0 }]);
  assert.deepEqual((await page(0)).readUserIDList.sort(), ['rr-bob', 'rr-carol']);
  const dave = await user('rr-dave');
  assert.equal(await codeOf(dave, `tim.getGroupMessageReadMemberList({message: ${JSON.stringify(asks)}, filter: 0, cursor: '', count: 10})`), 10007);
});

test('group attributes and counters: the official results, GROUP_ATTRIBUTES_UPDATED and GROUP_COUNTER_UPDATED on both sides', async () => {
  const alice = await user('ac-alice');
  const bob = await user('ac-bob');
  const carol = await user('ac-carol');
  await call(alice, 'createGroup', { name: 'ac', type: TIM.TYPES.GRP_PUBLIC, groupID: 'ac', memberList: [{ userID: 'ac-bob' }] });

  const set = await call(alice, 'setGroupAttributes', { groupID: 'ac', groupAttributes: { seat: 'ac-alice' } });
  assert.deepEqual(set.data, { groupAttributes: { seat: 'ac-alice' } });
  const expected = { groupID: 'ac', groupAttributes: { seat: 'ac-alice' }, updatedKeyList: ['seat'], deletedKeyList: [] };
  for (const p of [bob, alice]) assert.deepEqual(await p.take(E.GROUP_ATTRIBUTES_UPDATED), expected);
  assert.deepEqual((await call(bob, 'getGroupAttributes', { groupID: 'ac', keyList: [] })).data, { groupAttributes: { seat: 'ac-alice' } });
  const removed = await call(bob, 'deleteGroupAttributes', { groupID: 'ac', keyList: [] });
  assert.deepEqual(removed.data, { keyList: ['seat'] });
  const gone = await alice.take(E.GROUP_ATTRIBUTES_UPDATED);
  assert.deepEqual([gone.groupAttributes, gone.deletedKeyList], [{}, ['seat']]);

  const up = await call(bob, 'increaseGroupCounter', { groupID: 'ac', key: 'likes', value: 3 });
  assert.deepEqual(up.data, { counters: { likes: 3 } });
  assert.deepEqual(await alice.take(E.GROUP_COUNTER_UPDATED), { groupID: 'ac', key: 'likes', value: 3 });
  const down = await call(alice, 'decreaseGroupCounter', { groupID: 'ac', key: 'likes', value: 1 });
  assert.deepEqual(down.data, { counters: { likes: 2 } });
  assert.deepEqual((await call(bob, 'getGroupCounters', { groupID: 'ac' })).data, { counters: { likes: 2 } });

  assert.equal(await codeOf(carol, `tim.getGroupAttributes({groupID: 'ac', keyList: []})`), 2642);
  assert.equal(await codeOf(carol, `tim.increaseGroupCounter({groupID: 'ac', key: 'likes', value: 1})`), 10007);
  const thrown = await alice.run(`return tim.setGroupAttributes({groupID: 'ac'})`);
  assert.match(JSON.stringify(thrown.error), /Params validate failed/);
});

test('getGroupOnlineMemberCount: the members of an AVChatRoom online now, 0 for other groups and outsiders', async () => {
  const host = await user('oc-host');
  const viewer = await user('oc-viewer');
  const outsider = await user('oc-outsider');
  await call(host, 'createGroup', { name: 'live', type: TIM.TYPES.GRP_AVCHATROOM, groupID: 'oc-live' });
  await call(host, 'createGroup', { name: 'pub', type: TIM.TYPES.GRP_PUBLIC, groupID: 'oc-pub' });
  const count = (p, id) => p.value(`return (await tim.getGroupOnlineMemberCount(${JSON.stringify(id)})).data`);
  assert.deepEqual(await count(host, 'oc-live'), { memberCount: 1 });
  await call(viewer, 'joinGroup', { groupID: 'oc-live' });
  assert.deepEqual(await count(viewer, 'oc-live'), { memberCount: 2 });
  await viewer.value('return (await tim.logout()).code');
  // The server learns the logout at once; the count follows.
  let n;
  for (let i = 0; i < 50 && n !== 1; i++) {
    n = (await count(host, 'oc-live')).memberCount;
    if (n !== 1) await new Promise((done) => setTimeout(done, 100));
  }
  assert.equal(n, 1);
  assert.deepEqual(await count(host, 'oc-pub'), { memberCount: 0 });
  assert.deepEqual(await count(outsider, 'oc-live'), { memberCount: 0 });
});
