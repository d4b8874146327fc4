// The demo's contacts and profile: the friend list, friend requests (accept / refuse), the
// blacklist and the user's own profile (nick and avatar), all from the SDK's official methods
// and their list events (FRIEND_LIST_UPDATED, FRIEND_APPLICATION_LIST_UPDATED,
// BLACKLIST_UPDATED, PROFILE_UPDATED). The page keeps only the last list each event gave.

import { actor, button, node } from './ui.js';

const $ = (id) => document.getElementById(id);

/** `env`: {TIM, tim() (the SDK instance), me() (the userID), chat(userID), toast, showError,
 * describe, onProfile(profile)}. Returns the SDK event handlers and `reset()` for a logout. */
export function contacts(env) {
  const { TIM } = env;
  const ui = {
    tabChats: $('tab-chats'),
    tabContacts: $('tab-contacts'),
    chats: $('chats-panel'),
    panel: $('contacts-panel'),
    requestBadge: $('request-badge'),
    addForm: $('add-friend-form'),
    addInput: $('add-friend-input'),
    requests: $('application-list'),
    friends: $('friend-list'),
    blocked: $('black-list'),
    profileBtn: $('profile-btn'),
    dialog: $('profile-dialog'),
    profileForm: $('profile-form'),
    nick: $('profile-nick'),
    avatar: $('profile-avatar'),
    profileCancel: $('profile-cancel'),
  };
  let friends = [];
  let applications = { friendApplicationList: [], unreadCount: 0 };
  let blacklist = [];

  const act = actor(env);

  function showTab(contactsTab) {
    ui.chats.hidden = contactsTab;
    ui.panel.hidden = !contactsTab;
    ui.tabChats.setAttribute('aria-selected', String(!contactsTab));
    ui.tabContacts.setAttribute('aria-selected', String(contactsTab));
    if (contactsTab && applications.unreadCount > 0) {
      act('Marking requests read', () => env.tim().setFriendApplicationRead());
    }
  }

  function item(testid, userID, name, actions) {
    const li = node('li', 'contact');
    li.dataset.testid = testid;
    li.dataset.user = userID;
    const label = node('span', 'contact-name', name);
    li.append(label, ...actions);
    return li;
  }

  function render() {
    ui.friends.replaceChildren(
      ...friends.map((f) => {
        const nick = (f.profile && f.profile.nick) || '';
        const name = f.remark || nick || f.userID;
        return item('friend', f.userID, name === f.userID ? name : `${name} (${f.userID})`, [
          button('Chat', 'friend-chat', () => {
            showTab(false);
            env.chat(f.userID);
          }, 'btn-primary'),
          button('Block', 'friend-block', () =>
            act('Blocking', () => env.tim().addToBlacklist({ userIDList: [f.userID] })),
          ),
          button('Remove', 'friend-remove', () =>
            act('Removing the friend', () => env.tim().deleteFriend({ userIDList: [f.userID] })),
          ),
        ]);
      }),
    );
    if (!friends.length) ui.friends.append(node('li', 'empty muted', 'No friends yet.'));
    const list = applications.friendApplicationList || [];
    ui.requests.replaceChildren(
      ...list.map((a) => {
        const name = a.nick ? `${a.nick} (${a.userID})` : a.userID;
        if (a.type === TIM.TYPES.SNS_APPLICATION_SENT_BY_ME) {
          return item('request-sent', a.userID, `${name}: waiting for them`, []);
        }
        const li = item('request', a.userID, name, [
          button('Accept', 'request-accept', () =>
            act('Accepting', () =>
              env.tim().acceptFriendApplication({ userID: a.userID, type: TIM.TYPES.SNS_APPLICATION_AGREE_AND_ADD }),
            ),
          'btn-primary'),
          button('Refuse', 'request-refuse', () =>
            act('Refusing', () => env.tim().refuseFriendApplication({ userID: a.userID })),
          ),
        ]);
        if (a.wording) li.querySelector('.contact-name').append(node('span', 'muted wording', ` "${a.wording}"`));
        return li;
      }),
    );
    if (!list.length) ui.requests.append(node('li', 'empty muted', 'No friend requests.'));
    ui.blocked.replaceChildren(
      ...blacklist.map((userID) =>
        item('blocked', userID, userID, [
          button('Unblock', 'blocked-remove', () =>
            act('Unblocking', () => env.tim().removeFromBlacklist({ userIDList: [userID] })),
          ),
        ]),
      ),
    );
    if (!blacklist.length) ui.blocked.append(node('li', 'empty muted', 'Nobody is blocked.'));
    const unread = applications.unreadCount || 0;
    ui.requestBadge.hidden = unread === 0;
    ui.requestBadge.textContent = String(unread);
  }

  async function addFriend(userID) {
    const res = await act('Adding a friend', () =>
      env.tim().addFriend({ to: userID, source: 'AddSource_Type_Demo', type: TIM.TYPES.SNS_ADD_TYPE_BOTH }),
    );
    if (!res) return;
    env.toast(res.data.code === 30539 ? `Request sent to ${userID}` : `${userID} is now your friend`);
  }

  async function openProfile() {
    const res = await act('Reading your profile', () => env.tim().getMyProfile());
    if (!res) return;
    ui.nick.value = res.data.nick || '';
    ui.avatar.value = res.data.avatar || '';
    ui.dialog.showModal();
    ui.nick.focus();
  }

  async function saveProfile() {
    const res = await act('Saving your profile', () =>
      env.tim().updateMyProfile({ nick: ui.nick.value.trim(), avatar: ui.avatar.value.trim() }),
    );
    if (!res) return;
    ui.dialog.close();
    env.onProfile(res.data);
    env.toast('Profile saved');
  }

  ui.tabChats.addEventListener('click', () => showTab(false));
  ui.tabContacts.addEventListener('click', () => showTab(true));
  ui.addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const userID = ui.addInput.value.trim();
    if (!userID) return;
    ui.addInput.value = '';
    addFriend(userID);
  });
  ui.profileBtn.addEventListener('click', () => openProfile());
  ui.profileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    saveProfile();
  });
  ui.profileCancel.addEventListener('click', () => ui.dialog.close());

  const handlers = {
    [TIM.EVENT.FRIEND_LIST_UPDATED](event) {
      friends = event.data || [];
      render();
    },
    [TIM.EVENT.FRIEND_APPLICATION_LIST_UPDATED](event) {
      applications = event.data || applications;
      render();
      if (!ui.panel.hidden && applications.unreadCount > 0) showTab(true);
    },
    [TIM.EVENT.BLACKLIST_UPDATED](event) {
      blacklist = event.data || [];
      render();
    },
    [TIM.EVENT.PROFILE_UPDATED](event) {
      const mine = (event.data || []).find((p) => p.userID === env.me());
      if (mine) env.onProfile(mine);
    },
  };

  function reset() {
    friends = [];
    applications = { friendApplicationList: [], unreadCount: 0 };
    blacklist = [];
    showTab(false);
    if (ui.dialog.open) ui.dialog.close();
    render();
  }

  render();
  return { handlers, reset };
}
