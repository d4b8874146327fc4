// The tim-wasm demo chat: a plain page on top of the SDK's official API. The conversation list,
// its unread counts, the total unread count, read receipts, revocation and pinning all come from
// the SDK (getConversationList and its events), names and avatars from the peers' profiles
// (conversation.userProfile); the page keeps only the messages of the conversations it has
// shown, and a placeholder entry for a new chat until its first message creates the
// conversation. Contacts and the profile editor are in contacts.js, groups in groups.js.

import TIM from './sdk/index.js';
import { contacts } from './contacts.js';
import { groups } from './groups.js';

const C2C = TIM.TYPES.CONV_C2C;
const GROUP = TIM.TYPES.CONV_GROUP;

const $ = (id) => document.getElementById(id);
const ui = {
  netState: $('net-state'),
  total: $('total-unread'),
  totalCount: $('total-count'),
  me: $('me'),
  logout: $('logout-btn'),
  profile: $('profile-btn'),
  kicked: $('kicked-banner'),
  kickedText: $('kicked-text'),
  kickedClose: $('kicked-close'),
  errorBar: $('error-bar'),
  errorText: $('error-text'),
  errorClose: $('error-close'),
  loginView: $('login-view'),
  loginForm: $('login-form'),
  loginUser: $('login-user'),
  loginBtn: $('login-btn'),
  loginError: $('login-error'),
  chatView: $('chat-view'),
  newChatForm: $('new-chat-form'),
  newChatInput: $('new-chat-input'),
  convList: $('conv-list'),
  convEmpty: $('conv-empty'),
  pane: $('pane'),
  back: $('back-btn'),
  paneTitle: $('pane-title'),
  messages: $('messages'),
  loadOlder: $('load-older'),
  historyState: $('history-state'),
  items: $('message-items'),
  paneEmpty: $('pane-empty'),
  sendForm: $('send-form'),
  sendInput: $('send-input'),
  sendBtn: $('send-btn'),
  convMenuBtn: $('conv-menu-btn'),
  menu: $('menu'),
  toast: $('toast'),
};
const query = new URLSearchParams(location.search);
/** Seconds after sending during which the server lets the sender revoke (officially 2 minutes;
 * ?revokeLimit= when the server is configured otherwise). */
const REVOKE_LIMIT = Number(query.get('revokeLimit')) || 120;
/** Where a reload finds who was logged in and what was open (this tab only). */
const STORED = 'tim-demo-session';
const baseTitle = document.title;

/** The SDK instance (TIM.create returns the same one for the same SDKAppID). */
let tim = null;
/** The logged-in user ID, '' when logged out. */
let me = '';
/** Counts sessions, so that an answer for an ended session is dropped. */
let session = 0;
/** Between SDK_READY and SDK_NOT_READY. */
let ready = false;
/** After a reload, the conversation to open again once ready. */
let restoreOpen = null;
/** The last state shown by the indicator: 'offline', or a NET_STATE_CHANGE state. */
let netState = 'offline';

/** The SDK's conversation list as it last gave it: pinned first, then the most recent. */
let conversationList = [];
/** Counts CONVERSATION_LIST_UPDATED events, so that an older getConversationList answer loses. */
let listVersion = 0;
/** The SDK's total unread count. */
let totalUnread = 0;
/** New chats the server does not know yet: conversationID -> Conversation (getConversationProfile). */
const placeholders = new Map();
/** Messages of the conversations shown this session: conversationID -> pane state. */
const panes = new Map();
/** The open conversation's ID, or null. */
let activeID = null;
/** Conversations with a setMessageRead in flight, and whether unread came in meanwhile. */
const reading = new Map();
/** Why a send failed, for messages whose sendMessage rejected. */
const sendErrors = new WeakMap();
/** Own messages with a revokeMessage in flight, and those the server refused to revoke. */
const revoking = new WeakSet();
const unrevocable = new WeakSet();

// ---------------------------------------------------------------------------------------------
// SDK events

const handlers = {
  [TIM.EVENT.SDK_READY]() {
    ready = true;
    setNetState(TIM.TYPES.NET_STATE_CONNECTED);
    loadConversations();
    loadMyProfile();
    render();
    // After a reload: the conversation that was open.
    if (restoreOpen && !activeID) openConversation(restoreOpen);
    restoreOpen = null;
  },
  [TIM.EVENT.SDK_NOT_READY]() {
    endSession();
  },
  [TIM.EVENT.CONVERSATION_LIST_UPDATED](event) {
    listVersion += 1;
    setConversationList(event.data);
  },
  [TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED](event) {
    setTotalUnread(event.data);
  },
  [TIM.EVENT.MESSAGE_RECEIVED](event) {
    for (const message of event.data) {
      // Group system notices are in no chat: the Groups tab tells them.
      if (message.conversationType === TIM.TYPES.CONV_SYSTEM) circles.notice(message);
      else receive(message);
    }
    renderPane(false);
  },
  [TIM.EVENT.MESSAGE_READ_BY_PEER](event) {
    // The peer read up to these messages of ours.
    for (const m of event.data) updateMessage(m, { isPeerRead: true });
    renderPane(false);
  },
  [TIM.EVENT.MESSAGE_REVOKED](event) {
    for (const m of event.data) updateMessage(m, { isRevoked: true, revoker: m.revoker });
    renderPane(false);
  },
  [TIM.EVENT.KICKED_OUT](event) {
    const type = event.data && event.data.type;
    const why =
      type === TIM.TYPES.KICKED_OUT_MULT_ACCOUNT
        ? 'You were logged out because this account logged in elsewhere (multipleAccount)'
        : type === TIM.TYPES.KICKED_OUT_MULT_DEVICE
          ? 'You were logged out because this account logged in on another device (multipleDevice)'
          : type === TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED
            ? 'You were logged out because your UserSig expired (userSigExpired)'
            : type === TIM.TYPES.KICKED_OUT_REST_API
              ? 'You were logged out by the administrator (REST_API_Kick)'
              : `You were logged out by the server (${type})`;
    ui.kickedText.textContent = why;
    ui.kicked.dataset.type = type || '';
    ui.kicked.hidden = false;
    if (me) ui.loginUser.value = me;
    // A reload must not log in again and kick the other session back.
    sessionStorage.removeItem(STORED);
    endSession();
  },
  [TIM.EVENT.NET_STATE_CHANGE](event) {
    setNetState(event.data && event.data.state);
  },
  [TIM.EVENT.ERROR](event) {
    const d = event.data || {};
    showError(`SDK error ${d.code}: ${d.message}`);
  },
};

// Contacts and the profile editor (contacts.js): their events join the page's.
const people = contacts({
  TIM,
  tim: () => tim,
  me: () => me,
  chat: (userID) => openConversation(C2C + userID),
  toast: (text) => toast(text),
  showError: (text) => showError(text),
  describe: (e) => describe(e),
  onProfile: (profile) => showMe(profile),
});
Object.assign(handlers, people.handlers);

// Groups (groups.js): the group list, create / join / leave, members and roles, group chat.
const circles = groups({
  TIM,
  tim: () => tim,
  me: () => me,
  chat: (groupID) => openConversation(GROUP + groupID),
  toast: (text) => toast(text),
  showError: (text) => showError(text),
  describe: (e) => describe(e),
});
Object.assign(handlers, circles.handlers);

/** The user's own nick beside their userID in the top bar. */
function showMe(profile) {
  const nick = profile && profile.nick;
  ui.me.textContent = nick ? `${nick} (${me})` : me;
}

async function loadMyProfile() {
  const s = session;
  try {
    const res = await tim.getMyProfile();
    if (s === session) showMe(res.data);
  } catch (e) {
    if (s === session) showError('Could not read your profile: ' + describe(e));
  }
}

function attach(instance) {
  if (tim === instance) return;
  if (tim) for (const [name, h] of Object.entries(handlers)) tim.off(name, h);
  tim = instance;
  for (const [name, h] of Object.entries(handlers)) tim.on(name, h);
}

// ---------------------------------------------------------------------------------------------
// Login and logout

async function login(userID) {
  ui.loginError.hidden = true;
  ui.loginBtn.disabled = true;
  ui.loginBtn.textContent = 'Logging in…';
  try {
    // ?expire=SECONDS asks for a short-lived UserSig (to see the userSigExpired kick).
    const expire = query.get('expire');
    const res = await fetch('/dev/usersig?userID=' + encodeURIComponent(userID) + (expire ? '&expire=' + encodeURIComponent(expire) : ''));
    if (res.status === 404) throw new Error('this server has no /dev/usersig: start tim-server with --dev');
    if (!res.ok) throw new Error(`/dev/usersig: ${(await res.text()) || res.status}`);
    const sig = await res.json();
    attach(TIM.create({ SDKAppID: sig.SDKAppID }));
    tim.setLogLevel(1);
    setNetState(TIM.TYPES.NET_STATE_CONNECTING);
    // Set first: the list events of the new session may come before login resolves.
    me = sig.userID;
    const result = await tim.login({ userID: sig.userID, userSig: sig.userSig });
    if (result && result.data && result.data.repeatLogin && result.data.errorInfo) {
      showError(result.data.errorInfo);
    }
    ui.kicked.hidden = true;
    remember();
    showChat();
  } catch (e) {
    me = '';
    sessionStorage.removeItem(STORED);
    setNetState('offline');
    ui.loginError.textContent = 'Login failed: ' + describe(e);
    ui.loginError.hidden = false;
  } finally {
    ui.loginBtn.disabled = false;
    ui.loginBtn.textContent = 'Log in';
  }
}

async function logout() {
  sessionStorage.removeItem(STORED);
  if (!tim) return endSession();
  ui.logout.disabled = true;
  try {
    await tim.logout();
  } catch (e) {
    showError('Logout failed: ' + describe(e));
  } finally {
    ui.logout.disabled = false;
  }
  endSession();
}

/** Back to the login form (after logout, kick or SDK_NOT_READY); safe to call twice. */
function endSession() {
  session += 1;
  ready = false;
  me = '';
  conversationList = [];
  placeholders.clear();
  panes.clear();
  reading.clear();
  activeID = null;
  setTotalUnread(0);
  setNetState('offline');
  ui.chatView.hidden = true;
  ui.chatView.classList.remove('show-pane');
  ui.loginView.hidden = false;
  ui.me.hidden = true;
  ui.logout.hidden = true;
  ui.profile.hidden = true;
  people.reset();
  circles.reset();
  ui.sendInput.value = '';
  ui.loginUser.focus();
}

/** Keep the user and the open conversation for a reload of this tab. */
function remember() {
  if (me) sessionStorage.setItem(STORED, JSON.stringify({ userID: me, open: activeID || restoreOpen }));
}

function showChat() {
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.me.textContent = me;
  ui.me.hidden = false;
  ui.logout.hidden = false;
  ui.profile.hidden = false;
  renderTotal();
  render();
  ui.newChatInput.focus();
}

// ---------------------------------------------------------------------------------------------
// Conversations: the SDK's list, plus placeholders for new chats

/** After SDK_READY: the list and the total as the SDK has them (the events keep them current). */
async function loadConversations() {
  const s = session;
  const version = listVersion;
  try {
    const res = await tim.getConversationList();
    // A CONVERSATION_LIST_UPDATED that came meanwhile is at least as new.
    if (s === session && version === listVersion) setConversationList(res.data.conversationList);
  } catch (e) {
    if (s === session) showError('Could not load the conversations: ' + describe(e));
  }
  try {
    const n = tim.getTotalUnreadMessageCount();
    if (s === session && typeof n === 'number') setTotalUnread(n);
  } catch (e) {
    if (s === session) showError('Could not get the unread count: ' + describe(e));
  }
}

function setConversationList(list) {
  conversationList = Array.isArray(list) ? list : [];
  // A new chat's first message made the real conversation: it replaces the placeholder.
  for (const c of conversationList) placeholders.delete(c.conversationID);
  renderConversations();
  if (activeID) renderPaneHead();
  if (activeID) markRead(activeID);
}

function setTotalUnread(n) {
  totalUnread = Number(n) || 0;
  renderTotal();
}

function known(id) {
  return conversationList.find((c) => c.conversationID === id);
}

function findConversation(id) {
  return known(id) || placeholders.get(id);
}

/** Pinned conversations, then new chats not on the server yet, then the others (SDK order). */
function shownConversations() {
  const pinned = conversationList.filter((c) => c.isPinned);
  const others = conversationList.filter((c) => !c.isPinned);
  return [...pinned, ...[...placeholders.values()].reverse(), ...others];
}

/** The C2C peer's userID, or the group's ID. */
function peerOf(c) {
  const id = typeof c === 'string' ? c : c.conversationID;
  if (id.startsWith(GROUP)) return id.slice(GROUP.length);
  const profile = typeof c === 'string' ? null : c.userProfile;
  return (profile && profile.userID) || (id.startsWith(C2C) ? id.slice(C2C.length) : id);
}

const isGroup = (id) => id.startsWith(GROUP);

/** A new chat: a placeholder entry until the server has the conversation. */
function addPlaceholder(id) {
  const peer = peerOf(id);
  placeholders.set(id, {
    conversationID: id,
    type: isGroup(id) ? GROUP : C2C,
    unreadCount: 0,
    lastMessage: {},
    userProfile: { userID: peer },
    isPinned: false,
  });
  const s = session;
  tim.getConversationProfile(id).then(
    (res) => {
      const conversation = res && res.data && res.data.conversation;
      if (s !== session || !conversation || !placeholders.has(id)) return;
      placeholders.set(id, conversation);
      renderConversations();
    },
    (e) => {
      if (s === session) showError(`Could not open a chat with ${peer}: ${describe(e)}`);
    },
  );
}

function openConversation(id) {
  if (!findConversation(id)) addPlaceholder(id);
  activeID = id;
  remember();
  closeMenu();
  const p = pane(id);
  ui.chatView.classList.add('show-pane');
  render({ toBottom: true });
  if (!p.loaded) loadHistory(p, false);
  markRead(id);
  if (ready) ui.sendInput.focus();
}

/** Whether the user can see the open conversation (tab shown, pane not behind the list). */
function paneOnScreen() {
  return !document.hidden && ui.pane.getClientRects().length > 0;
}

/**
 * Report the open conversation read when it has unread messages and is on screen. The badges
 * and the total drop when the SDK says so (on every session of the user), not here.
 */
function markRead(id) {
  if (!ready || id !== activeID || !paneOnScreen()) return;
  const c = known(id);
  if (!c || !(c.unreadCount > 0)) return;
  if (reading.has(id)) {
    reading.set(id, true); // again once this one is answered
    return;
  }
  reading.set(id, false);
  const s = session;
  tim
    .setMessageRead({ conversationID: id })
    .catch((e) => {
      if (s === session) showError('Could not mark the conversation read: ' + describe(e));
    })
    .finally(() => {
      if (s !== session) return;
      const again = reading.get(id);
      reading.delete(id);
      if (again) markRead(id);
    });
}

async function togglePin(c) {
  const s = session;
  try {
    await tim.pinConversation({ conversationID: c.conversationID, isPinned: !c.isPinned });
    // The list comes back, reordered, in CONVERSATION_LIST_UPDATED.
  } catch (e) {
    if (s === session) showError(`Could not ${c.isPinned ? 'unpin' : 'pin'} the conversation: ${describe(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages, kept by the page for the conversations it shows

function pane(id) {
  let p = panes.get(id);
  if (!p) {
    p = {
      id,
      peer: peerOf(id),
      messages: [],
      liveIDs: new Set(),
      loaded: false,
      loading: false,
      nextReqMessageID: '',
      isCompleted: false,
      historyError: '',
    };
    panes.set(id, p);
  }
  return p;
}

function hasMessage(p, message) {
  return p.messages.some((m) => m === message || (message.ID && m.ID === message.ID));
}

function receive(message) {
  const p = pane(message.conversationID);
  // Not hidden by the merge below: the SDK must deliver each message once, to its own
  // conversation. (The browser test fails on console errors.)
  if (p.liveIDs.has(message.ID)) console.error(`tim-wasm: MESSAGE_RECEIVED delivered ${message.ID} twice`);
  // A C2C message's other side, or a group message's group.
  const peer = message.flow === 'in' && message.conversationType !== GROUP ? message.from : message.to;
  if (p.peer !== peer) console.error(`tim-wasm: message ${message.ID} in ${p.id} is from ${message.from} to ${message.to}`);
  p.liveIDs.add(message.ID);
  // The history page of an open conversation may already hold a message the push brings.
  if (!hasMessage(p, message)) p.messages.push(message);
  order(p);
}

/**
 * One order on every screen: stored messages by their sequence in the conversation (the
 * server's order, the same for both sides), then those not stored yet, as written. A message
 * written offline takes its place once it is stored, after what the peer wrote meanwhile.
 */
function order(p) {
  const stored = p.messages.filter((m) => m.sequence > 0).sort((a, b) => a.sequence - b.sequence);
  p.messages = stored.concat(p.messages.filter((m) => !(m.sequence > 0)));
}

/** Apply a read receipt or a revocation to the page's copy of the message, if it has one. */
function updateMessage(m, fields) {
  const p = panes.get(m.conversationID);
  const mine = p && p.messages.find((x) => x === m || (m.ID && x.ID === m.ID));
  if (mine && mine !== m) Object.assign(mine, fields);
}

/** The newest page of history (older = false) or the page before the oldest loaded one. */
async function loadHistory(p, older) {
  if (p.loading || !tim) return;
  p.loading = true;
  p.historyError = '';
  render();
  const box = ui.messages;
  const fromBottom = box.scrollHeight - box.scrollTop;
  try {
    const options = { conversationID: p.id };
    if (older) options.nextReqMessageID = p.nextReqMessageID;
    const res = await tim.getMessageList(options);
    if (panes.get(p.id) !== p) return; // logged out meanwhile
    const { messageList, nextReqMessageID, isCompleted } = res.data;
    const page = messageList.filter((m) => !hasMessage(p, m));
    p.messages = page.concat(p.messages);
    order(p);
    p.nextReqMessageID = nextReqMessageID;
    p.isCompleted = isCompleted;
    p.loaded = true;
  } catch (e) {
    p.historyError = describe(e);
  } finally {
    p.loading = false;
  }
  if (panes.get(p.id) !== p) return;
  render({ toBottom: !older });
  // Keep the reader where they were when older messages arrive above.
  if (older) box.scrollTop = box.scrollHeight - fromBottom;
}

async function send(text) {
  const p = activeID && panes.get(activeID);
  if (!p || !ready) return;
  let message;
  try {
    const conversationType = isGroup(p.id) ? GROUP : C2C;
    // In a group, "@userID" mentions a member and "@all" everyone (createTextAtMessage).
    const atUserList = [...text.matchAll(/(?:^|\s)@([\w.-]+)/g)].map((m) => (m[1] === 'all' ? TIM.TYPES.MSG_AT_ALL : m[1]));
    message =
      conversationType === GROUP && atUserList.length
        ? tim.createTextAtMessage({ to: p.peer, conversationType, payload: { text, atUserList: [...new Set(atUserList)] } })
        : tim.createTextMessage({ to: p.peer, conversationType, payload: { text } });
  } catch (e) {
    showError('createTextMessage failed: ' + describe(e));
    return;
  }
  p.messages.push(message);
  ui.sendInput.value = '';
  fitInput();
  render({ toBottom: true });
  try {
    // sendMessage updates `message` in place (status, ID, time, sequence), as the official SDK.
    await tim.sendMessage(message);
  } catch (e) {
    // Shown under the message itself (see renderMessage).
    sendErrors.set(message, describe(e));
  }
  if (panes.get(p.id) !== p) return;
  order(p);
  renderPane(false);
}

async function revoke(message) {
  if (revoking.has(message)) return;
  revoking.add(message);
  renderPane(false);
  const s = session;
  try {
    // Resolves with the same object, now isRevoked (the peer learns it from MESSAGE_REVOKED).
    await tim.revokeMessage(message);
  } catch (e) {
    // Past the time limit (20016) it never will be: stop offering it.
    if (e && e.code === 20016) unrevocable.add(message);
    if (s === session) showError('Could not revoke the message: ' + describe(e));
  } finally {
    revoking.delete(message);
  }
  if (s === session) render();
}

/** Whether a revoke of `m` can succeed now: an own message, stored, within the time limit. */
function canRevoke(m) {
  return m.flow === 'out' && m.status === 'success' && !m.isRevoked && !unrevocable.has(m) &&
    Date.now() / 1000 - m.time < REVOKE_LIMIT;
}

/** Deletes a message from this user's history on every device; the peer keeps it. */
async function deleteForMe(message) {
  const s = session;
  try {
    await tim.deleteMessage([message]);
  } catch (e) {
    if (s === session) showError('Could not delete the message: ' + describe(e));
    return;
  }
  const p = panes.get(message.conversationID);
  if (s !== session || !p) return;
  p.messages = p.messages.filter((m) => m !== message && m.ID !== message.ID);
  renderPane(false);
}

async function copyText(message) {
  try {
    await navigator.clipboard.writeText(message.payload.text);
    toast('Copied');
  } catch (e) {
    showError('Could not copy: ' + describe(e));
  }
}

/** Deletes the open conversation from this user's list (and its history, for this user). */
async function deleteConversation(id) {
  const s = session;
  try {
    await tim.deleteConversation(id);
  } catch (e) {
    if (s === session) showError('Could not delete the conversation: ' + describe(e));
    return;
  }
  if (s !== session) return;
  placeholders.delete(id);
  panes.delete(id);
  conversationList = conversationList.filter((c) => c.conversationID !== id);
  if (activeID === id) {
    activeID = null;
    remember();
    ui.chatView.classList.remove('show-pane');
  }
  render();
}

// ---------------------------------------------------------------------------------------------
// The menu: one element, filled for the message or conversation it opens for

/** The button that opened the menu, while it is open. */
let menuFor = null;

/** Open the menu under `button` with `items`: [label, testid, action, danger?]. */
function openMenu(button, items) {
  if (menuFor === button) return closeMenu();
  closeMenu();
  menuFor = button;
  button.setAttribute('aria-expanded', 'true');
  ui.menu.replaceChildren(
    ...items.map(([label, testid, action, danger]) => {
      const li = node('li');
      li.setAttribute('role', 'none');
      const b = node('button', danger ? 'danger' : '', label);
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.dataset.testid = testid;
      b.addEventListener('click', () => {
        closeMenu();
        action();
      });
      li.append(b);
      return li;
    }),
  );
  ui.menu.hidden = false;
  const r = button.getBoundingClientRect();
  const w = ui.menu.offsetWidth;
  const h = ui.menu.offsetHeight;
  ui.menu.style.left = `${Math.max(8, Math.min(r.right - w, innerWidth - w - 8))}px`;
  ui.menu.style.top = `${r.bottom + h + 4 > innerHeight ? r.top - h - 4 : r.bottom + 4}px`;
  ui.menu.querySelector('button').focus();
}

function closeMenu() {
  if (!menuFor) return;
  menuFor.setAttribute('aria-expanded', 'false');
  menuFor = null;
  ui.menu.hidden = true;
  ui.menu.replaceChildren();
}

function messageMenu(button, m) {
  const items = [];
  if (m.type === TIM.TYPES.MSG_TEXT) items.push(['Copy text', 'copy-message', () => copyText(m)]);
  if (canRevoke(m)) items.push(['Revoke', 'revoke-button', () => revoke(m)]);
  if (m.status === 'success') items.push(['Delete for me', 'delete-message', () => deleteForMe(m), true]);
  openMenu(button, items);
}

function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (ui.toast.hidden = true), 1500);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render({ toBottom = false } = {}) {
  renderConversations();
  renderPane(toBottom);
}

function renderTotal() {
  const n = totalUnread;
  ui.total.hidden = !me || n === 0;
  ui.total.dataset.count = String(n);
  ui.total.classList.toggle('has-unread', n > 0);
  ui.totalCount.textContent = n > 99 ? '99+' : String(n);
  const label = n === 1 ? '1 unread message' : `${n} unread messages`;
  ui.total.title = label;
  ui.total.setAttribute('aria-label', label);
  document.title = n > 0 && me ? `(${n}) ${baseTitle}` : baseTitle;
}

function renderConversations() {
  // Rebuilt on every update: keep the keyboard focus on the same control.
  const focused = ui.convList.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused && [focused.closest('li').dataset.conversationId, focused.dataset.role];

  const list = shownConversations();
  ui.convEmpty.hidden = list.length > 0;
  ui.convList.replaceChildren(...list.map(renderConversation));

  if (focusKey) {
    const again = [...ui.convList.children].find((li) => li.dataset.conversationId === focusKey[0]);
    const control = again && again.querySelector(`[data-role="${focusKey[1]}"]`);
    if (control) control.focus();
  }
}

function renderConversation(c) {
  const id = c.conversationID;
  const peer = peerOf(c);
  const isPlaceholder = placeholders.has(id);
  const name = nameOf(c);
  const li = node('li', 'conv-item' + (id === activeID ? ' active' : '') + (c.isPinned ? ' pinned' : ''));
  li.dataset.testid = 'conversation-item';
  li.dataset.peer = peer;
  li.dataset.conversationId = id;
  li.dataset.pinned = String(!!c.isPinned);
  if (isPlaceholder) li.dataset.placeholder = 'true';

  const btn = node('button', 'conv');
  btn.type = 'button';
  btn.dataset.role = 'open';
  if (id === activeID) btn.setAttribute('aria-current', 'true');
  btn.addEventListener('click', () => openConversation(id));

  const avatar = avatarOf(c, name);
  const body = node('span', 'conv-body');
  const top = node('span', 'conv-top');
  const label = node('span', 'conv-name', name);
  label.dataset.testid = 'conversation-name';
  top.append(label);
  const last = c.lastMessage || {};
  if (last.lastTime) top.append(node('span', 'conv-time muted', formatTime(last.lastTime)));
  const bottom = node('span', 'conv-bottom');
  const preview = node('span', 'conv-last muted', lastPreview(c));
  // Unread mentions first, as the official apps show them.
  const ats = (c.groupAtInfoList || []).map((a) => a.atTypeArray[0]);
  if (ats.length) {
    const atMe = ats.some((t) => t !== TIM.TYPES.CONV_AT_ALL);
    const atAll = ats.some((t) => t !== TIM.TYPES.CONV_AT_ME);
    const badge = node('span', 'conv-at', [atMe && '[@me]', atAll && '[@all]'].filter(Boolean).join(''));
    badge.dataset.testid = 'conversation-at';
    preview.prepend(badge, ' ');
  }
  preview.dataset.testid = 'conversation-last';
  bottom.append(preview);
  if (c.unreadCount > 0) {
    const badge = node('span', 'badge', c.unreadCount > 99 ? '99+' : String(c.unreadCount));
    badge.dataset.testid = 'unread-badge';
    badge.setAttribute('aria-label', `${c.unreadCount} unread`);
    bottom.append(badge);
  }
  body.append(top, bottom);
  btn.append(avatar, body);
  li.append(btn);

  // A placeholder is not on the server yet, so there is nothing to pin.
  if (!isPlaceholder) {
    const pin = node('button', 'pin-btn');
    pin.type = 'button';
    pin.dataset.role = 'pin';
    pin.dataset.testid = 'pin-button';
    pin.setAttribute('aria-pressed', String(!!c.isPinned));
    pin.setAttribute('aria-label', c.isPinned ? `Unpin ${peer}` : `Pin ${peer} to the top`);
    pin.title = c.isPinned ? 'Unpin' : 'Pin to the top';
    pin.innerHTML = PIN_ICON;
    pin.addEventListener('click', () => togglePin(c));
    li.append(pin);
  }
  return li;
}

/** The peer's nick (from the SDK's userProfile) or userID; the group's name or ID. */
function nameOf(c) {
  if (isGroup(c.conversationID)) return circles.name(peerOf(c)) || peerOf(c);
  return (c.userProfile && c.userProfile.nick) || peerOf(c);
}

/** The peer's avatar image, or a colored initial when they have none. */
function avatarOf(c, name) {
  const url = c.userProfile && c.userProfile.avatar;
  if (url) {
    const img = node('img', 'avatar');
    img.src = url;
    img.alt = '';
    img.dataset.testid = 'conversation-avatar';
    return img;
  }
  const avatar = node('span', 'avatar', initials(name));
  avatar.style.background = colorFor(peerOf(c));
  return avatar;
}

function lastPreview(c) {
  const m = c.lastMessage;
  if (!m || (!m.lastTime && !m.messageForShow)) return 'No messages yet';
  if (m.isRevoked) return revokedText(m.revoker || m.fromAccount);
  const tip = tipText({ ...m, from: m.fromAccount });
  if (tip !== undefined) return tip;
  const text = m.messageForShow || (m.payload && m.payload.text) || `[${m.type}]`;
  return (m.fromAccount === me ? 'You: ' : '') + text;
}

function revokedText(revoker) {
  return revoker === me ? 'You revoked a message' : `${revoker} revoked a message`;
}

function renderPaneHead() {
  const p = activeID && panes.get(activeID);
  const c = p && findConversation(p.id);
  ui.paneTitle.textContent = p ? (c ? nameOf(c) : p.peer) : 'No conversation open';
  // Only a conversation the server has can be deleted.
  ui.convMenuBtn.hidden = !p || !known(p.id);
}

function renderPane(toBottom) {
  const p = activeID && panes.get(activeID);
  const box = ui.messages;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  renderPaneHead();
  ui.paneEmpty.hidden = !!p;
  // While reconnecting, messages wait in the SDK and go out once the connection is back.
  const online = ready && netState === TIM.TYPES.NET_STATE_CONNECTED;
  ui.sendInput.disabled = ui.sendBtn.disabled = !p || !ready;
  if (menuFor && !document.body.contains(menuFor)) closeMenu();
  ui.sendInput.placeholder = !p ? 'Open a conversation to write' : online ? `Message ${p.peer}` : `Message ${p.peer} (sent when back online)`;
  ui.loadOlder.hidden = !p || !p.loaded || p.isCompleted || p.loading;
  if (!p) {
    ui.historyState.hidden = true;
    ui.items.replaceChildren();
    return;
  }
  const state = p.loading
    ? 'Loading history…'
    : p.historyError
      ? 'Could not load history: ' + p.historyError
      : p.loaded && p.isCompleted && p.messages.length === 0
        ? 'No messages yet. Say hello!'
        : p.loaded && p.isCompleted
          ? 'Start of the conversation'
          : '';
  ui.historyState.textContent = state;
  ui.historyState.hidden = !state;
  ui.historyState.classList.toggle('error', !!p.historyError && !p.loading);

  // A day separator before the first message of each day.
  const items = [];
  let day = '';
  p.messages.forEach((m, i) => {
    const d = dayOf(m.time);
    if (d !== day) {
      day = d;
      const sep = node('li', 'day-sep', dayLabel(m.time));
      sep.dataset.testid = 'day-separator';
      sep.setAttribute('role', 'separator');
      items.push(sep);
    }
    const next = p.messages[i + 1];
    items.push(renderMessage(m, next && dayOf(next.time) === d ? next : undefined));
  });
  const focused = menuFor && menuFor.closest('li[data-testid="message"]');
  const focusID = focused && focused.dataset.id;
  ui.items.replaceChildren(...items);
  // The menu stays open on its message across a re-render.
  if (focusID) {
    const again = ui.items.querySelector(`li[data-id="${CSS.escape(focusID)}"] .msg-action`);
    if (again) {
      menuFor = again;
      again.setAttribute('aria-expanded', 'true');
    } else closeMenu();
  }
  if (toBottom || atBottom) box.scrollTop = box.scrollHeight;
}

/** One message; its time (and read mark) shows under the last of a run. */
function renderMessage(m, next) {
  const li = document.createElement('li');
  const flow = m.flow === 'out' ? 'out' : 'in';
  li.dataset.testid = 'message';
  li.dataset.flow = m.flow;
  li.dataset.status = m.status;
  li.dataset.id = m.ID || '';

  const notice = tipText(m);
  if (notice !== undefined) {
    li.className = 'tip';
    li.dataset.testid = 'group-tip';
    li.append(node('span', 'tip-text', notice));
    return li;
  }

  if (m.isRevoked) {
    li.className = `msg ${flow} revoked`;
    li.dataset.revoked = 'true';
    const text = node('span', 'revoked-text', revokedText(m.revoker || m.from));
    text.dataset.testid = 'revoked-text';
    li.append(text);
    return li;
  }

  li.className = `msg ${flow} status-${m.status}`;
  const sent = flow === 'out' && m.status === 'success';
  if (sent) li.dataset.peerRead = String(!!m.isPeerRead);
  const row = node('div', 'msg-row');
  const bubble = node('div', 'bubble');
  // In a group, who said it (their group name card, nick or userID).
  if (flow === 'in' && m.conversationType === GROUP) {
    const author = node('span', 'msg-author muted', m.nameCard || m.nick || m.from);
    author.dataset.testid = 'message-author';
    bubble.append(author);
  }
  // A message that mentions me (or everyone) stands out.
  const at = m.atUserList || [];
  if (flow === 'in' && (at.includes(me) || at.includes(TIM.TYPES.MSG_AT_ALL))) {
    li.classList.add('mention');
    li.dataset.mention = 'true';
  }
  const text = node('span', 'msg-text');
  text.append(linkify(summary(m)));
  text.dataset.testid = 'message-text';
  bubble.append(text);
  if (m.status !== 'unSend') {
    const more = node('button', 'msg-action', revoking.has(m) ? '…' : '\u22ef');
    more.type = 'button';
    more.dataset.testid = 'message-menu-button';
    more.setAttribute('aria-haspopup', 'menu');
    more.setAttribute('aria-expanded', 'false');
    more.setAttribute('aria-label', 'Message actions');
    more.disabled = revoking.has(m);
    more.addEventListener('click', (e) => {
      e.stopPropagation();
      messageMenu(more, m);
    });
    row.append(more);
  }
  row.append(bubble);
  li.append(row);

  // A run: same side, same minute, both sent, and (own messages) the same read state.
  const error = sendErrors.get(m);
  const sameRun =
    next && !next.isRevoked && next.flow === m.flow && m.status === 'success' && next.status === 'success' &&
    !!next.isPeerRead === !!m.isPeerRead && Math.floor(next.time / 60) === Math.floor(m.time / 60);
  if (sameRun) {
    li.classList.add('grouped');
    return li;
  }
  const meta = node(
    'div',
    'meta muted',
    m.status === 'unSend'
      ? 'sending…'
      : m.status === 'fail'
        ? `not sent${error ? ': ' + error : ''}`
        : formatTime(m.time),
  );
  meta.dataset.testid = 'message-meta';
  if (sent && m.isPeerRead) {
    const read = node('span', 'read-mark', 'Read');
    read.dataset.testid = 'read-mark';
    meta.append(' · ', read);
  }
  li.append(meta);
  return li;
}

function setNetState(state) {
  netState = state || 'offline';
  ui.netState.dataset.state = netState;
  ui.netState.querySelector('.net-label').textContent = netState;
  if (me) renderPane(false);
}

function showError(text) {
  ui.errorText.textContent = text;
  ui.errorBar.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const PIN_ICON =
  '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">' +
  '<path d="M9 3h6l-1 6 3 3v2H7v-2l3-3-1-6z M12 14v7" fill="currentColor" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"/>' +
  '</svg>';

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

function summary(m) {
  if (m.type === TIM.TYPES.MSG_TEXT) return m.payload.text;
  if (m.type === TIM.TYPES.MSG_CUSTOM) return `[custom] ${m.payload.description || m.payload.data || ''}`;
  if (m.type === TIM.TYPES.MSG_FACE) return '[sticker]';
  if (m.type === TIM.TYPES.MSG_LOCATION) return `[location] ${m.payload.description || ''}`;
  return `[${m.type}]`;
}

/** What a group tip (or the post-create message) says; undefined for other messages. */
function tipText(m) {
  const p = m.payload || {};
  if (m.type === TIM.TYPES.MSG_CUSTOM && p.data === 'group_create') return `${m.from} created the group`;
  if (m.type !== TIM.TYPES.MSG_GRP_TIP) return undefined;
  const users = (p.userIDList || []).join(', ');
  const T = TIM.TYPES;
  switch (p.operationType) {
    case T.GRP_TIP_MBR_JOIN:
      return `${users} joined the group`;
    case T.GRP_TIP_MBR_QUIT:
      return `${users} left the group`;
    case T.GRP_TIP_MBR_KICKED_OUT:
      return `${p.operatorID} removed ${users}`;
    case T.GRP_TIP_MBR_SET_ADMIN:
      return `${users} is now an admin`;
    case T.GRP_TIP_MBR_CANCELED_ADMIN:
      return `${users} is no longer an admin`;
    case T.GRP_TIP_GRP_PROFILE_UPDATED: {
      const n = p.newGroupProfile || {};
      if (n.ownerID) return `${p.operatorID} handed the group over to ${n.ownerID}`;
      if (n.muteAllMembers !== undefined) return n.muteAllMembers ? 'Everyone is muted' : 'Everyone may speak again';
      if (n.groupName !== undefined) return `${p.operatorID} renamed the group to “${n.groupName}”`;
      return `${p.operatorID} changed the group's profile`;
    }
    case T.GRP_TIP_MBR_PROFILE_UPDATED:
      return (p.memberList || [])
        .map((x) => (x.muteTime > 0 ? `${x.userID} is muted for ${x.muteTime} s` : `${x.userID} may speak again`))
        .join(', ');
    default:
      return '[group tip]';
  }
}

/** Text with its http(s) links as links; everything stays text (never parsed as HTML). */
function linkify(text) {
  const out = document.createDocumentFragment();
  const re = /\bhttps?:\/\/[^\s<>"']+/gi;
  let at = 0;
  for (const match of text.matchAll(re)) {
    // Trailing punctuation is the sentence's, not the link's.
    const url = match[0].replace(/[.,;:!?)\]]+$/, '');
    if (match.index > at) out.append(text.slice(at, match.index));
    const a = node('a', '', url);
    a.href = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    out.append(a);
    at = match.index + url.length;
  }
  out.append(text.slice(at));
  return out;
}

function dayOf(seconds) {
  return new Date((seconds || Date.now() / 1000) * 1000).toDateString();
}

function dayLabel(seconds) {
  const d = new Date((seconds || Date.now() / 1000) * 1000);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (d.toDateString() === today.toDateString()) return 'Today';
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  const opts = { weekday: 'short', month: 'short', day: 'numeric' };
  if (d.getFullYear() !== today.getFullYear()) opts.year = 'numeric';
  return d.toLocaleDateString(undefined, opts);
}

/** The input grows with its lines, up to its CSS max-height. */
function fitInput() {
  ui.sendInput.style.height = 'auto';
  ui.sendInput.style.height = `${ui.sendInput.scrollHeight + 2}px`;
}

function formatTime(seconds) {
  if (!seconds) return '';
  const d = new Date(seconds * 1000);
  const now = new Date();
  const opts = d.toDateString() === now.toDateString() ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
  return d.toLocaleString(undefined, opts);
}

function initials(name) {
  return (name.match(/[\p{L}\p{N}]/u) || ['?'])[0].toUpperCase();
}

function colorFor(name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) % 360;
  return `hsl(${h} 55% 48%)`;
}

function describe(e) {
  if (!e) return 'unknown error';
  if (e.code !== undefined) return `${e.code} ${e.message}`;
  return e.message || String(e);
}

// ---------------------------------------------------------------------------------------------
// Wiring

ui.loginForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const userID = ui.loginUser.value.trim();
  if (userID) login(userID);
});
ui.logout.addEventListener('click', () => logout());
ui.newChatForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const peer = ui.newChatInput.value.trim();
  if (!peer || !me) return;
  ui.newChatInput.value = '';
  openConversation(C2C + peer);
});
ui.sendForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.sendInput.value;
  if (text.trim()) send(text);
});
// Enter sends, Shift+Enter starts a new line (not while an input method composes).
ui.sendInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    ui.sendForm.requestSubmit();
  }
});
ui.sendInput.addEventListener('input', fitInput);
ui.convMenuBtn.addEventListener('click', (e) => {
  e.stopPropagation();
  const id = activeID;
  if (!id) return;
  openMenu(ui.convMenuBtn, [['Delete conversation', 'delete-conversation', () => deleteConversation(id), true]]);
});
document.addEventListener('click', (e) => {
  if (menuFor && !ui.menu.contains(e.target)) closeMenu();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && menuFor) {
    const button = menuFor;
    closeMenu();
    button.focus();
  }
});
ui.loadOlder.addEventListener('click', () => {
  const p = activeID && panes.get(activeID);
  if (p) loadHistory(p, true);
});
ui.back.addEventListener('click', () => ui.chatView.classList.remove('show-pane'));
ui.kickedClose.addEventListener('click', () => (ui.kicked.hidden = true));
ui.errorClose.addEventListener('click', () => (ui.errorBar.hidden = true));
// Messages that came while the tab was hidden count as read when the user comes back.
document.addEventListener('visibilitychange', () => activeID && markRead(activeID));

const preset = query.get('userID');
if (preset) ui.loginUser.value = preset;
ui.loginUser.focus();
// A reload of a logged-in tab logs in again (with a fresh UserSig) and reopens the conversation.
try {
  const saved = JSON.parse(sessionStorage.getItem(STORED) || 'null');
  if (saved && saved.userID) {
    ui.loginUser.value = saved.userID;
    restoreOpen = saved.open || null;
    login(saved.userID);
  }
} catch {
  sessionStorage.removeItem(STORED);
}
