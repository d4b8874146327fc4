// The demo's groups: the user's group list (GROUP_LIST_UPDATED), creating a group of any type,
// joining one by its ID (at once, or by a request the owner and admins see and approve), the
// member list with roles (the owner makes admins), leaving, handing over and dismissing, and
// the group's chat (in the Chats tab) — all official methods.

import { actor, button, node } from './ui.js';

const $ = (id) => document.getElementById(id);

/** `env`: {TIM, tim(), me(), chat(groupID), toast, showError, describe}. Returns the SDK event handlers,
 * `reset()` for a logout and `name(groupID)`. */
export function groups(env) {
  const { TIM } = env;
  const ui = {
    tab: $('tab-groups'),
    others: [$('tab-chats'), $('tab-contacts')],
    panels: [$('chats-panel'), $('contacts-panel')],
    panel: $('groups-panel'),
    createForm: $('create-group-form'),
    createName: $('create-group-name'),
    createType: $('create-group-type'),
    joinForm: $('join-group-form'),
    joinInput: $('join-group-input'),
    list: $('group-list'),
    requests: $('group-request-list'),
    members: $('member-list'),
    membersTitle: $('member-title'),
  };
  let list = [];
  let open = null;

  const act = actor(env);

  function showTab(on) {
    ui.panel.hidden = !on;
    ui.tab.setAttribute('aria-selected', String(on));
    if (!on) return;
    for (const p of ui.panels) p.hidden = true;
    for (const t of ui.others) t.setAttribute('aria-selected', 'false');
    loadRequests();
  }

  const typeName = {
    [TIM.TYPES.GRP_WORK]: 'Work',
    [TIM.TYPES.GRP_PUBLIC]: 'Public',
    [TIM.TYPES.GRP_MEETING]: 'Meeting',
    [TIM.TYPES.GRP_AVCHATROOM]: 'Live',
    [TIM.TYPES.GRP_COMMUNITY]: 'Community',
  };

  function render() {
    ui.list.replaceChildren(
      ...list.map((g) => {
        const li = node('li', 'contact wrap');
        li.dataset.testid = 'group';
        li.dataset.group = g.groupID;
        const role = g.selfInfo && g.selfInfo.role;
        const label = node('span', 'contact-name', g.name);
        const members = g.memberCount === 1 ? '1 member' : `${g.memberCount} members`;
        label.append(node('span', 'contact-meta', `${typeName[g.type] || g.type} · ${members} · ${g.groupID}`));
        const owner = role === TIM.TYPES.GRP_MBR_ROLE_OWNER;
        const chat = () => {
          // To the Chats tab, with the group's conversation open.
          showTab(false);
          ui.panels[0].hidden = false;
          ui.others[0].setAttribute('aria-selected', 'true');
          env.chat(g.groupID);
        };
        const actions = [
          button('Chat', 'group-chat', chat, 'btn-primary'),
          button('Members', 'group-members', () => showMembers(g.groupID)),
        ];
        actions.push(
          owner && g.type !== TIM.TYPES.GRP_WORK
            ? button('Dismiss', 'group-dismiss', () => act('Dismissing', () => env.tim().dismissGroup(g.groupID)))
            : button('Leave', 'group-quit', () => act('Leaving', () => env.tim().quitGroup(g.groupID))),
        );
        li.append(label, ...actions);
        return li;
      }),
    );
    if (!list.length) ui.list.append(node('li', 'empty muted', 'No groups yet. Create one, or join one by its ID.'));
  }

  async function loadRequests() {
    const res = await act('Reading join requests', () => env.tim().getGroupApplicationList());
    if (!res) return;
    const items = res.data.applicationList || [];
    ui.requests.replaceChildren(
      ...items.map((a) => {
        const li = node('li', 'contact wrap');
        li.dataset.testid = 'group-request';
        const who = a.applicantNick ? `${a.applicantNick} (${a.applicant})` : a.applicant;
        li.append(
          node('span', 'contact-name', `${who} → ${a.groupName}`),
          button('Approve', 'group-request-approve', () => handle(a, 'Agree'), 'btn-primary'),
          button('Refuse', 'group-request-refuse', () => handle(a, 'Reject')),
        );
        return li;
      }),
    );
    if (!items.length) ui.requests.append(node('li', 'empty muted', 'No join requests.'));
  }

  async function handle(application, handleAction) {
    if (await act('Handling the request', () => env.tim().handleGroupApplication({ handleAction, application }))) {
      loadRequests();
    }
  }

  async function showMembers(groupID) {
    open = groupID;
    const res = await act('Reading members', () => env.tim().getGroupMemberList({ groupID, count: 100, offset: 0 }));
    if (!res || open !== groupID) return;
    const group = list.find((g) => g.groupID === groupID);
    const mine = group && group.selfInfo && group.selfInfo.role;
    ui.membersTitle.textContent = `Members of ${group ? group.name : groupID}`;
    ui.members.replaceChildren(
      ...res.data.memberList.map((m) => {
        const li = node('li', 'contact wrap');
        li.dataset.testid = 'member';
        li.dataset.user = m.userID;
        const label = node('span', 'contact-name', m.nameCard || m.nick || m.userID);
        label.append(node('span', 'contact-meta', m.role));
        li.append(label);
        if (mine === TIM.TYPES.GRP_MBR_ROLE_OWNER && m.userID !== env.me() && group.type !== TIM.TYPES.GRP_WORK) {
          const admin = m.role === TIM.TYPES.GRP_MBR_ROLE_ADMIN;
          const role = admin ? TIM.TYPES.GRP_MBR_ROLE_MEMBER : TIM.TYPES.GRP_MBR_ROLE_ADMIN;
          li.append(
            button(admin ? 'Make member' : 'Make admin', 'member-role', async () => {
              if (await act('Changing the role', () => env.tim().setGroupMemberRole({ groupID, userID: m.userID, role }))) {
                showMembers(groupID);
              }
            }),
            button('Make owner', 'member-owner', async () => {
              if (await act('Handing over', () => env.tim().changeGroupOwner({ groupID, newOwnerID: m.userID }))) {
                showMembers(groupID);
              }
            }),
          );
        }
        return li;
      }),
    );
  }

  async function create(name, type) {
    const res = await act('Creating the group', () => env.tim().createGroup({ name, type }));
    if (res) env.toast(`Group "${name}" created: its ID is ${res.data.group.groupID}`);
  }

  async function join(groupID) {
    const res = await act('Joining', () => env.tim().joinGroup({ groupID }));
    if (!res) return;
    const status = res.data.status;
    env.toast(
      status === TIM.TYPES.JOIN_STATUS_WAIT_APPROVAL
        ? `Asked to join ${groupID}: waiting for approval`
        : status === TIM.TYPES.JOIN_STATUS_ALREADY_IN_GROUP
          ? `You are in ${groupID} already`
          : `Joined ${groupID}`,
    );
  }

  ui.tab.addEventListener('click', () => showTab(true));
  for (const t of ui.others) t.addEventListener('click', () => showTab(false));
  ui.createForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = ui.createName.value.trim();
    if (!name) return;
    ui.createName.value = '';
    create(name, ui.createType.value);
  });
  ui.joinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const groupID = ui.joinInput.value.trim();
    if (!groupID) return;
    ui.joinInput.value = '';
    join(groupID);
  });

  const handlers = {
    [TIM.EVENT.GROUP_LIST_UPDATED](event) {
      list = event.data || [];
      render();
      if (open && !list.some((g) => g.groupID === open)) {
        open = null;
        ui.membersTitle.textContent = 'Members';
        ui.members.replaceChildren();
      } else if (open) {
        showMembers(open);
      }
      if (!ui.panel.hidden) loadRequests();
    },
  };

  function reset() {
    list = [];
    open = null;
    ui.members.replaceChildren();
    ui.requests.replaceChildren();
    showTab(false);
    render();
  }

  /** A group system notice (TIMGroupSystemNoticeElem, operationType numbers of the SDK) told as a toast. */
  function notice(m) {
    const p = m.payload || {};
    const group = (p.groupProfile && (p.groupProfile.name || p.groupProfile.groupID)) || 'a group';
    const by = p.operatorID;
    const text = {
      1: `${by} asks to join ${group}`,
      2: `${group} accepted your request`,
      3: `${group} refused your request${p.handleMessage ? `: ${p.handleMessage}` : ''}`,
      4: `${by} removed you from ${group}`,
      5: `${by} dismissed ${group}`,
      7: `${by} added you to ${group}`,
      9: `You are now an admin of ${group}`,
      10: `You are no longer an admin of ${group}`,
      255: `${group}: ${p.userDefinedField}`,
    }[p.operationType];
    if (text) env.toast(text);
    if (p.operationType === 1 && !ui.panel.hidden) loadRequests();
  }

  render();
  /** The name of group `groupID` from the group list, if the user is in it. */
  const name = (groupID) => (list.find((g) => g.groupID === groupID) || {}).name;

  return { handlers, reset, name, notice };
}
