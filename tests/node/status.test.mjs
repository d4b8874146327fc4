// User status through the built package against the real server, each user in its own
// process: setSelfStatus, getUserStatus, subscribeUserStatus / unsubscribeUserStatus, and
// USER_STATUS_UPDATED across login, a dropped connection, logout and a kick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { suiteServer } from './harness.mjs';

const E = TIM.EVENT;
const T = TIM.TYPES;
const { user } = suiteServer(1400000054, 'node-status-key');

const call = (p, method, options) => p.value(`return await tim.${method}(${JSON.stringify(options)})`);
const statusOf = (p, userID, statusType) =>
  p.take(E.USER_STATUS_UPDATED, (l) => l.some((s) => s.userID === userID && s.statusType === statusType));

test('USER_STATUS_UPDATED for subscribers across login, a drop, logout and a kick', async () => {
  const watcher = await user('s-watcher');
  const amy = await user('s-amy');

  const sub = await call(watcher, 'subscribeUserStatus', { userIDList: ['s-amy', 's-nobody'] });
  assert.equal(sub.code, 0);
  assert.deepEqual(sub.data.failureUserList.map((f) => f.userID), ['s-nobody']);
  await statusOf(watcher, 's-amy', T.USER_STATUS_ONLINE);

  const set = await call(amy, 'setSelfStatus', { customStatus: 'in a meeting' });
  assert.deepEqual(set.data, { userID: 's-amy', statusType: T.USER_STATUS_ONLINE, customStatus: 'in a meeting' });
  const [heard] = await statusOf(watcher, 's-amy', T.USER_STATUS_ONLINE);
  assert.equal(heard.customStatus, 'in a meeting');
  const [own] = await amy.take(E.USER_STATUS_UPDATED);
  assert.equal(own.customStatus, 'in a meeting', "the user's own sessions hear it too");

  const got = await call(watcher, 'getUserStatus', { userIDList: ['s-amy'] });
  assert.deepEqual(got.data.successUserList, [{ userID: 's-amy', statusType: T.USER_STATUS_ONLINE, customStatus: 'in a meeting' }]);

  // The process dies: its session waits for a resume (offline).
  amy.stop();
  await statusOf(watcher, 's-amy', T.USER_STATUS_OFFLINE);
  // Back, then logged out.
  const amy2 = await user('s-amy');
  await statusOf(watcher, 's-amy', T.USER_STATUS_ONLINE);
  await amy2.value('return await tim.logout()');
  await statusOf(watcher, 's-amy', T.USER_STATUS_UNLOGINED);
  // Kicked by a newer login of the same user (web instance limit 1): still online.
  const amy3 = await user('s-amy');
  await statusOf(watcher, 's-amy', T.USER_STATUS_ONLINE);
  const amy4 = await user('s-amy');
  await amy3.take(E.KICKED_OUT);
  const after = await call(watcher, 'getUserStatus', { userIDList: ['s-amy'] });
  assert.equal(after.data.successUserList[0].statusType, T.USER_STATUS_ONLINE);

  // Unsubscribed: no more events.
  await call(watcher, 'unsubscribeUserStatus', { userIDList: ['s-amy'] });
  await amy4.value('return await tim.logout()');
  await new Promise((r) => setTimeout(r, 400));
  const late = watcher.events.filter((e) => e.event === E.USER_STATUS_UPDATED && e.data.some((s) => s.statusType === T.USER_STATUS_UNLOGINED));
  assert.deepEqual(late, []);
});
