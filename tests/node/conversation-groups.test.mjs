// Conversation groups through the built package against the real server, each session in its
// own process: create, add, remove, rename, delete; CONVERSATION_GROUP_LIST_UPDATED and each
// conversation's conversationGroupList on every session of the user, and after a new login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { suiteServer } from './harness.mjs';

const E = TIM.EVENT;
const { user } = suiteServer(1400000055, 'node-conversation-groups-key', ['--web-instances', '3']);

const call = (p, method, options) => p.value(`return await tim.${method}(${JSON.stringify(options)})`);
const codeOf = (p, code) => p.value(`try { ${code}; return 0 } catch (e) { return e.code }`);
const groupsOf = (list, id) => (list.find((c) => c.conversationID === id) || {}).conversationGroupList;

test('conversation groups: the methods, their events and conversationGroupList on every session', async () => {
  const bea = await user('g-bea');
  const bea2 = await user('g-bea');
  await user('g-cal');
  await bea.value(`return (await tim.sendMessage(tim.createTextMessage({to: 'g-cal', conversationType: 'C2C', payload: {text: 'hi'}}))).code`);
  await bea2.take(E.CONVERSATION_LIST_UPDATED, (l) => l.some((c) => c.conversationID === 'C2Cg-cal'));

  const made = await call(bea, 'createConversationGroup', { groupName: 'work', conversationIDList: ['C2Cg-cal'] });
  assert.deepEqual(made.data.successConversationIDList, ['C2Cg-cal']);
  for (const session of [bea, bea2]) {
    assert.deepEqual(await session.take(E.CONVERSATION_GROUP_LIST_UPDATED), ['work']);
    await session.take(E.CONVERSATION_LIST_UPDATED, (l) => groupsOf(l, 'C2Cg-cal')?.[0] === 'work');
  }
  const list = await bea2.value(`return (await tim.getConversationList()).data.conversationList`);
  assert.deepEqual(groupsOf(list, 'C2Cg-cal'), ['work']);
  assert.deepEqual((await call(bea2, 'getConversationGroupList')).data, ['work']);
  assert.equal(await codeOf(bea, `await tim.createConversationGroup({groupName: 'work', conversationIDList: []})`), 51012);

  await call(bea, 'createConversationGroup', { groupName: 'fav', conversationIDList: [] });
  await call(bea, 'addConversationsToGroup', { groupName: 'fav', conversationIDList: ['C2Cg-cal'] });
  await bea2.take(E.CONVERSATION_LIST_UPDATED, (l) => groupsOf(l, 'C2Cg-cal')?.length === 2);
  await call(bea, 'deleteConversationsFromGroup', { groupName: 'work', conversationIDList: ['C2Cg-cal'] });
  await call(bea, 'renameConversationGroup', { oldName: 'fav', newName: 'favourites' });
  await bea2.take(E.CONVERSATION_GROUP_LIST_UPDATED, (names) => names.includes('favourites'));
  await bea2.take(E.CONVERSATION_LIST_UPDATED, (l) => JSON.stringify(groupsOf(l, 'C2Cg-cal')) === '["favourites"]');
  assert.equal((await call(bea, 'deleteConversationGroup', 'work')).code, 0);
  assert.equal(await codeOf(bea, `await tim.deleteConversationGroup('work')`), 51009);
  await bea2.take(E.CONVERSATION_GROUP_LIST_UPDATED, (names) => !names.includes('work'));

  // A new session loads them with the list.
  const bea3 = await user('g-bea');
  const fresh = await bea3.value(`return (await tim.getConversationList()).data.conversationList`);
  assert.deepEqual(groupsOf(fresh, 'C2Cg-cal'), ['favourites']);
  assert.deepEqual((await call(bea3, 'getConversationGroupList')).data, ['favourites']);
});
