// Groups through the built package against the real server, each user in its own process:
// createGroup with members, GROUP_LIST_UPDATED (the whole list, as an array) on every member's
// sessions, joinGroup by join option with the application handled, member paging, roles, name
// cards and muting with the official codes, handing over, quitting and dismissing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import TIM from 'tim-wasm';
import { suiteServer } from './harness.mjs';

const E = TIM.EVENT;
const suite = suiteServer(1400000057, 'node-groups-key', ['--web-instances', '2']);

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
