// The tim-wasm demo chat: a plain page on top of the SDK's official API. It only uses what
// tim-wasm implements today: create, on/off, login/logout, createTextMessage, sendMessage,
// getMessageList and the events. getConversationList is not implemented yet, so the page keeps
// its own list of conversations (the peers of this session) and counts unread messages itself.

import TIM from './sdk/index.js';

const $ = (id) => document.getElementById(id);
const ui = {
  netState: $('net-state'),
  me: $('me'),
  logout: $('logout-btn'),
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
};

/** The SDK instance (TIM.create returns the same one for the same SDKAppID). */
let tim = null;
/** The logged-in user ID, '' when logged out. */
let me = '';
/** Between SDK_READY and SDK_NOT_READY. */
let ready = false;
/** The last state shown by the indicator: 'offline', or a NET_STATE_CHANGE state. */
let netState = 'offline';
/** conversationID -> {id, peer, messages (oldest first), liveIDs, unread, loaded, loading, nextReqMessageID, isCompleted, touched} */
const conversations = new Map();
/** The open conversation's ID, or null. */
let activeID = null;
/** Why a send failed, for messages whose sendMessage rejected. */
const sendErrors = new WeakMap();

// ---------------------------------------------------------------------------------------------
// SDK events

const handlers = {
  [TIM.EVENT.SDK_READY]() {
    ready = true;
    setNetState(TIM.TYPES.NET_STATE_CONNECTED);
    render();
  },
  [TIM.EVENT.SDK_NOT_READY]() {
    endSession();
  },
  [TIM.EVENT.MESSAGE_RECEIVED](event) {
    for (const message of event.data) receive(message);
    render();
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
    const expire = new URLSearchParams(location.search).get('expire');
    const res = await fetch('/dev/usersig?userID=' + encodeURIComponent(userID) + (expire ? '&expire=' + encodeURIComponent(expire) : ''));
    if (res.status === 404) throw new Error('this server has no /dev/usersig: start tim-server with --dev');
    if (!res.ok) throw new Error(`/dev/usersig: ${(await res.text()) || res.status}`);
    const sig = await res.json();
    attach(TIM.create({ SDKAppID: sig.SDKAppID }));
    tim.setLogLevel(1);
    setNetState(TIM.TYPES.NET_STATE_CONNECTING);
    const result = await tim.login({ userID: sig.userID, userSig: sig.userSig });
    if (result && result.data && result.data.repeatLogin && result.data.errorInfo) {
      showError(result.data.errorInfo);
    }
    me = sig.userID;
    ui.kicked.hidden = true;
    showChat();
  } catch (e) {
    setNetState('offline');
    ui.loginError.textContent = 'Login failed: ' + describe(e);
    ui.loginError.hidden = false;
  } finally {
    ui.loginBtn.disabled = false;
    ui.loginBtn.textContent = 'Log in';
  }
}

async function logout() {
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
  ready = false;
  me = '';
  conversations.clear();
  activeID = null;
  setNetState('offline');
  ui.chatView.hidden = true;
  ui.chatView.classList.remove('show-pane');
  ui.loginView.hidden = false;
  ui.me.hidden = true;
  ui.logout.hidden = true;
  ui.sendInput.value = '';
  ui.loginUser.focus();
}

function showChat() {
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.me.textContent = me;
  ui.me.hidden = false;
  ui.logout.hidden = false;
  render();
  ui.newChatInput.focus();
}

// ---------------------------------------------------------------------------------------------
// Conversations, kept by the page

function conversation(id) {
  let c = conversations.get(id);
  if (!c) {
    c = {
      id,
      peer: id.startsWith(TIM.TYPES.CONV_C2C) ? id.slice(TIM.TYPES.CONV_C2C.length) : id,
      messages: [],
      liveIDs: new Set(),
      unread: 0,
      loaded: false,
      loading: false,
      nextReqMessageID: '',
      isCompleted: false,
      historyError: '',
      touched: Date.now(),
    };
    conversations.set(id, c);
  }
  return c;
}

function hasMessage(c, message) {
  return c.messages.some((m) => m === message || (message.ID && m.ID === message.ID));
}

function receive(message) {
  const c = conversation(message.conversationID);
  // Not hidden by the merge below: the SDK must deliver each message once, to its own
  // conversation. (The browser test fails on console errors.)
  if (c.liveIDs.has(message.ID)) console.error(`tim-wasm: MESSAGE_RECEIVED delivered ${message.ID} twice`);
  const peer = message.flow === 'in' ? message.from : message.to;
  if (c.peer !== peer) console.error(`tim-wasm: message ${message.ID} in ${c.id} is from ${message.from} to ${message.to}`);
  c.liveIDs.add(message.ID);
  // The history page of an open conversation may already hold a message the push brings.
  if (hasMessage(c, message)) return;
  c.messages.push(message);
  c.touched = Date.now();
  if (message.flow === 'in' && (c.id !== activeID || document.hidden)) c.unread += 1;
}

function openConversation(id) {
  const c = conversation(id);
  activeID = id;
  c.unread = 0;
  ui.chatView.classList.add('show-pane');
  render({ toBottom: true });
  if (!c.loaded) loadHistory(c, false);
  if (ready) ui.sendInput.focus();
}

/** The newest page of history (older = false) or the page before the oldest loaded one. */
async function loadHistory(c, older) {
  if (c.loading || !tim) return;
  c.loading = true;
  c.historyError = '';
  render();
  const pane = ui.messages;
  const fromBottom = pane.scrollHeight - pane.scrollTop;
  try {
    const options = { conversationID: c.id };
    if (older) options.nextReqMessageID = c.nextReqMessageID;
    const res = await tim.getMessageList(options);
    if (conversations.get(c.id) !== c) return; // logged out meanwhile
    const { messageList, nextReqMessageID, isCompleted } = res.data;
    const page = messageList.filter((m) => !hasMessage(c, m));
    c.messages = page.concat(c.messages);
    c.nextReqMessageID = nextReqMessageID;
    c.isCompleted = isCompleted;
    c.loaded = true;
  } catch (e) {
    c.historyError = describe(e);
  } finally {
    c.loading = false;
  }
  render({ toBottom: !older });
  // Keep the reader where they were when older messages arrive above.
  if (older) pane.scrollTop = pane.scrollHeight - fromBottom;
}

async function send(text) {
  const c = activeID && conversations.get(activeID);
  if (!c || !ready) return;
  let message;
  try {
    message = tim.createTextMessage({ to: c.peer, conversationType: TIM.TYPES.CONV_C2C, payload: { text } });
  } catch (e) {
    showError('createTextMessage failed: ' + describe(e));
    return;
  }
  c.messages.push(message);
  c.touched = Date.now();
  ui.sendInput.value = '';
  render({ toBottom: true });
  try {
    // sendMessage updates `message` in place (status, ID, time, sequence), as the official SDK.
    await tim.sendMessage(message);
  } catch (e) {
    // Shown under the message itself (see renderMessage).
    sendErrors.set(message, describe(e));
  }
  if (conversations.get(c.id) === c) render({ toBottom: true });
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render({ toBottom = false } = {}) {
  renderConversations();
  renderPane(toBottom);
}

function renderConversations() {
  const list = [...conversations.values()].sort((a, b) => b.touched - a.touched);
  ui.convEmpty.hidden = list.length > 0;
  ui.convList.replaceChildren(
    ...list.map((c) => {
      const li = document.createElement('li');
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'conv' + (c.id === activeID ? ' active' : '');
      btn.dataset.testid = 'conversation-item';
      btn.dataset.peer = c.peer;
      btn.dataset.conversationId = c.id;
      if (c.id === activeID) btn.setAttribute('aria-current', 'true');
      btn.addEventListener('click', () => openConversation(c.id));

      const avatar = node('span', 'avatar', initials(c.peer));
      avatar.style.background = colorFor(c.peer);
      const body = node('span', 'conv-body');
      const top = node('span', 'conv-top');
      top.append(node('span', 'conv-name', c.peer));
      const last = c.messages[c.messages.length - 1];
      if (last) top.append(node('span', 'conv-time muted', formatTime(last.time)));
      const bottom = node('span', 'conv-bottom');
      const preview = node('span', 'conv-last muted', last ? (last.flow === 'out' ? 'You: ' : '') + summary(last) : 'No messages yet');
      preview.dataset.testid = 'conversation-last';
      bottom.append(preview);
      if (c.unread > 0) {
        const badge = node('span', 'badge', String(c.unread));
        badge.dataset.testid = 'unread-badge';
        badge.setAttribute('aria-label', `${c.unread} unread`);
        bottom.append(badge);
      }
      body.append(top, bottom);
      btn.append(avatar, body);
      li.append(btn);
      return li;
    }),
  );
}

function renderPane(toBottom) {
  const c = activeID && conversations.get(activeID);
  const pane = ui.messages;
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  ui.paneTitle.textContent = c ? c.peer : 'No conversation open';
  ui.paneEmpty.hidden = !!c;
  // While reconnecting, messages wait in the SDK and go out once the connection is back.
  const online = ready && netState === TIM.TYPES.NET_STATE_CONNECTED;
  ui.sendInput.disabled = ui.sendBtn.disabled = !c || !ready;
  ui.sendInput.placeholder = !c ? 'Open a conversation to write' : online ? `Message ${c.peer}` : `Message ${c.peer} (sent when back online)`;
  ui.loadOlder.hidden = !c || !c.loaded || c.isCompleted || c.loading;
  if (!c) {
    ui.historyState.hidden = true;
    ui.items.replaceChildren();
    return;
  }
  const state = c.loading
    ? 'Loading history…'
    : c.historyError
      ? 'Could not load history: ' + c.historyError
      : c.loaded && c.isCompleted && c.messages.length === 0
        ? 'No messages yet. Say hello!'
        : c.loaded && c.isCompleted
          ? 'Start of the conversation'
          : '';
  ui.historyState.textContent = state;
  ui.historyState.hidden = !state;
  ui.historyState.classList.toggle('error', !!c.historyError && !c.loading);

  ui.items.replaceChildren(...c.messages.map((m, i) => renderMessage(m, c.messages[i + 1])));
  if (toBottom || atBottom) pane.scrollTop = pane.scrollHeight;
}

/** One message; its time shows under the last of a run (same side, same minute). */
function renderMessage(m, next) {
  const li = document.createElement('li');
  const flow = m.flow === 'out' ? 'out' : 'in';
  li.className = `msg ${flow} status-${m.status}`;
  li.dataset.testid = 'message';
  li.dataset.flow = m.flow;
  li.dataset.status = m.status;
  li.dataset.id = m.ID || '';
  const bubble = node('div', 'bubble');
  const text = node('span', 'msg-text', summary(m));
  text.dataset.testid = 'message-text';
  bubble.append(text);
  li.append(bubble);
  const error = sendErrors.get(m);
  const sameRun =
    next && next.flow === m.flow && m.status === 'success' && next.status === 'success' &&
    Math.floor(next.time / 60) === Math.floor(m.time / 60);
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
  if (!peer) return;
  ui.newChatInput.value = '';
  openConversation(TIM.TYPES.CONV_C2C + peer);
});
ui.sendForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.sendInput.value;
  if (text.trim()) send(text);
});
ui.loadOlder.addEventListener('click', () => {
  const c = activeID && conversations.get(activeID);
  if (c) loadHistory(c, true);
});
ui.back.addEventListener('click', () => ui.chatView.classList.remove('show-pane'));
ui.kickedClose.addEventListener('click', () => (ui.kicked.hidden = true));
ui.errorClose.addEventListener('click', () => (ui.errorBar.hidden = true));
document.addEventListener('visibilitychange', () => {
  // A conversation read while the tab was hidden counts as read when the user comes back.
  const c = !document.hidden && activeID && conversations.get(activeID);
  if (c && c.unread) {
    c.unread = 0;
    renderConversations();
  }
});

const preset = new URLSearchParams(location.search).get('userID');
if (preset) ui.loginUser.value = preset;
ui.loginUser.focus();
