// The TIM face: the official tim-js-sdk API on top of the wasm core. This file holds only what
// must be JavaScript: the synchronous create() that queues calls until the wasm module is
// ready, the event emitter, and the names of the official methods. Every rule lives in Rust.

import { EVENT, TYPES } from './constants.js';

/** The official SDK version whose API this package reproduces. */
const VERSION = '2.27.6';

/** The official error code for an API this package does not implement yet. */
const NOT_IMPLEMENTED = 2998;

// Official instance methods that tim-wasm does not implement yet: they exist (so apps do not
// crash on a missing function) and reject with a clear IMError.
const NOT_YET = (
  'acceptFriendApplication addConversationsToGroup addFriend addGroupMember addToBlacklist ' +
  'addToFriendGroup callExperimentalAPI changeGroupOwner checkFriend ' +
  'createAudioMessage createConversationGroup createFileMessage ' +
  'createFriendGroup createGroup createImageMessage ' +
  'createTopicInCommunity createVideoMessage decreaseGroupCounter ' +
  'deleteConversationGroup deleteConversationsFromGroup deleteFriend deleteFriendApplication ' +
  'deleteFriendGroup deleteGroupAttributes deleteGroupMember ' +
  'deleteMessageExtensions deleteTopicFromCommunity dismissGroup ' +
  'getBlacklist getConversationGroupList ' +
  'getFriendApplicationList getFriendGroupList getFriendList ' +
  'getFriendProfile getGroupApplicationList getGroupAttributes getGroupCounters getGroupList ' +
  'getGroupMemberList getGroupMemberProfile getGroupMessageReadMemberList ' +
  'getGroupOnlineMemberCount getGroupProfile getJoinedCommunityList getMessageExtensions ' +
  'getMyProfile getTopicList ' +
  'getUserProfile getUserStatus handleGroupApplication ' +
  'increaseGroupCounter initGroupAttributes joinGroup markGroupMemberList ' +
  'quitGroup refuseFriendApplication removeFromBlacklist ' +
  'removeFromFriendGroup renameConversationGroup renameFriendGroup ' +
  'searchGroupByID ' +
  'setFriendApplicationRead setGroupAttributes setGroupCounters setGroupMemberCustomField ' +
  'setGroupMemberMuteTime setGroupMemberNameCard setGroupMemberRole setMessageExtensions ' +
  'setMessageRemindType setSelfStatus subscribeUserStatus translateText ' +
  'unsubscribeUserStatus updateFriend updateGroupProfile updateMyProfile updateTopicProfile'
).split(' ');

function imError(code, message, data = {}) {
  const e = new Error(message);
  e.code = code;
  e.data = data;
  return e;
}

/** Tell the SDK what the browser knows of the network: reconnect at once when it comes back. */
function watchNetwork(sdk) {
  const target = globalThis.addEventListener ? globalThis : null;
  if (!target) return;
  target.addEventListener('online', () => sdk.setOnline(true));
  target.addEventListener('offline', () => sdk.setOnline(false));
  const doc = globalThis.document;
  if (doc && doc.addEventListener) {
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'visible') sdk.wake();
    });
  }
}

function wsURL(serverURL) {
  const base = serverURL || (globalThis.location && globalThis.location.origin) || '';
  return base.replace(/^http/, 'ws').replace(/\/+$/, '') + '/v1/ws';
}

/**
 * Builds the TIM default export around a loader that resolves to the wasm-bindgen module
 * (`{Sdk}`) once its wasm is instantiated. Each entry point (browser, Node, Mini Program)
 * supplies its own loader.
 */
export function makeTIM(loadWasm) {
  let loading = null;
  const instances = new Map();

  class ChatSDK {
    constructor(options) {
      this._options = options;
      this._handlers = new Map();
      this._logLevel = 0;
      this._plugins = {};
      this._sdk = null;
      loading = loading || loadWasm();
      this._ready = loading.then((mod) => {
        const sdk = new mod.Sdk(
          options.SDKAppID,
          wsURL(options.serverURL),
          options.WebSocket || globalThis.WebSocket,
          (name, data) => this._emit(name, data),
          options,
        );
        sdk.setLogLevel(this._logLevel);
        watchNetwork(sdk);
        this._sdk = sdk;
        return sdk;
      });
    }

    on(eventName, handler, context) {
      if (typeof handler !== 'function') return;
      const list = this._handlers.get(eventName) || [];
      list.push({ handler, context, once: false });
      this._handlers.set(eventName, list);
    }

    once(eventName, handler, context) {
      this.on(eventName, handler, context);
      const list = this._handlers.get(eventName);
      if (list) list[list.length - 1].once = true;
    }

    off(eventName, handler, context) {
      const list = this._handlers.get(eventName);
      if (!list) return;
      const rest = list.filter((h) => h.handler !== handler || (context !== undefined && h.context !== context));
      this._handlers.set(eventName, rest);
    }

    _emit(name, data) {
      const list = this._handlers.get(name);
      if (!list) return;
      const event = { name, data };
      for (const h of list.slice()) {
        if (h.once) this.off(name, h.handler, h.context);
        try {
          h.handler.call(h.context, event);
        } catch (e) {
          // An app's handler throwing must not break the SDK or the other handlers.
          if (this._logLevel < 4) console.error('TIM event handler threw', e);
        }
      }
    }

    /** Rejects like the official SDK when the wasm core is not even loaded (not logged in). */
    _notReady(api) {
      const err = imError(2024, 'not logged in | ' + api);
      this._emit(EVENT.ERROR, { code: err.code, message: err.message });
      return Promise.reject(err);
    }

    setLogLevel(level) {
      this._logLevel = level;
      if (this._sdk) this._sdk.setLogLevel(level);
    }

    registerPlugin(plugins) {
      Object.assign(this._plugins, plugins);
    }

    login(options) {
      if (!options || !options.userID || !options.userSig) throw new Error('Params validate failed.');
      return this._ready.then((sdk) => sdk.call('login', String(options.userID), String(options.userSig)));
    }

    logout() {
      return this._ready.then((sdk) => sdk.call('logout'));
    }

    destroy() {
      instances.delete(this._options.SDKAppID);
      return this._ready.then((sdk) => sdk.call('destroy')).then((res) => {
        this._emit(EVENT.SDK_DESTROY, {});
        return res;
      });
    }

    _create(type, api, options) {
      if (!this._sdk) return this._notReady(api);
      return this._sdk.call('createMessage', type, options || {});
    }

    createTextMessage(options) {
      return this._create(TYPES.MSG_TEXT, 'createTextMessage', options);
    }

    createCustomMessage(options) {
      return this._create(TYPES.MSG_CUSTOM, 'createCustomMessage', options);
    }

    createFaceMessage(options) {
      return this._create(TYPES.MSG_FACE, 'createFaceMessage', options);
    }

    createLocationMessage(options) {
      return this._create(TYPES.MSG_LOCATION, 'createLocationMessage', options);
    }

    /** A text message mentioning `payload.atUserList` (userIDs, or TIM.TYPES.MSG_AT_ALL). */
    createTextAtMessage(options) {
      return this._create(TYPES.MSG_TEXT, 'createTextAtMessage', options);
    }

    /** A "chat history" message carrying `payload.messageList` (whole Message objects). */
    createMergerMessage(options) {
      return this._create(TYPES.MSG_MERGER, 'createMergerMessage', options);
    }

    /** The messages of a merger message (they travel inline: nothing to download). */
    downloadMergerMessage(message) {
      if (!this._sdk) return this._notReady('downloadMergerMessage');
      const list = message && message.type === TYPES.MSG_MERGER ? message.payload.messageList : null;
      if (!Array.isArray(list)) return Promise.reject(imError(2450, 'not a merger message'));
      return Promise.resolve({ code: 0, data: list });
    }

    /** A new message to `to` with the content of `payload`, a received or sent Message. */
    createForwardMessage(options) {
      const m = (options && options.payload) || {};
      return this._create(m.type, 'createForwardMessage', {
        to: options && options.to,
        conversationType: options && options.conversationType,
        payload: m.payload,
        cloudCustomData: m.cloudCustomData,
      });
    }

    /** Sends a message whose sendMessage failed, once more (the server stores it once). */
    resendMessage(message) {
      return this.sendMessage(message);
    }

    sendMessage(message, options) {
      if (!this._sdk) return this._notReady('sendMessage');
      // The official SDK updates the app's own message object in place (status, ID, time…).
      const update = (m) => (message && m && typeof message === 'object' ? Object.assign(message, m) : m);
      return this._sdk.call('sendMessage', message, options || {}).then(
        (res) => {
          res.data.message = update(res.data.message);
          return res;
        },
        (err) => {
          if (err && err.data && err.data.message) err.data.message = update(err.data.message);
          throw err;
        },
      );
    }

    getMessageList(options) {
      if (!this._sdk) return this._notReady('getMessageList');
      return this._sdk.call('getMessageList', options || {});
    }

    revokeMessage(message) {
      if (!this._sdk) return this._notReady('revokeMessage');
      // As sendMessage: the app's own message object shows the revocation.
      return this._sdk.call('revokeMessage', message).then((res) => {
        if (message && typeof message === 'object') res.data.message = Object.assign(message, res.data.message);
        return res;
      });
    }

    /** Deletes messages from this user's history; resolves `{messageList}` marked isDeleted. */
    deleteMessage(messageList) {
      if (!this._sdk) return this._notReady('deleteMessage');
      return this._sdk.call('deleteMessage', messageList).then(() => {
        for (const m of messageList) m.isDeleted = true;
        return { code: 0, data: { messageList } };
      });
    }

    /** A message this instance has seen lately, by ID; null when unknown (synchronous). */
    findMessage(messageID) {
      return this._sdk ? this._sdk.call('findMessage', messageID) : null;
    }

    /** Tells the sender(s) these received messages were read (C2C: the conversation is read). */
    sendMessageReadReceipt(messageList) {
      if (!this._sdk) return this._notReady('sendMessageReadReceipt');
      return this._sdk.call('sendMessageReadReceipt', messageList || []);
    }

    /** Each message with `readReceiptInfo` {readCount, unreadCount}: for C2C, 1/0 once read. */
    getMessageReadReceiptList(messageList) {
      if (!this._sdk) return this._notReady('getMessageReadReceiptList');
      const list = messageList || [];
      const conversationID = list.length ? list[0].conversationID : '';
      const seq = this._sdk.call('peerReadSeq', conversationID);
      if (typeof seq !== 'number') return seq;
      for (const m of list) {
        const read = m.flow === 'out' && m.sequence > 0 && m.sequence <= seq ? 1 : 0;
        m.readReceiptInfo = { readCount: read, unreadCount: 1 - read };
      }
      return Promise.resolve({ code: 0, data: { messageList: list } });
    }

    /** Saves the app's changes to a message's payload or cloudCustomData; 2480 on a conflict. */
    modifyMessage(message) {
      if (!this._sdk) return this._notReady('modifyMessage');
      return this._sdk.call('modifyMessage', message).then((res) => {
        res.data.message = Object.assign(message, res.data.message);
        return res;
      });
    }

    getTotalUnreadMessageCount() {
      if (!this._sdk) return this._notReady('getTotalUnreadMessageCount');
      return this._sdk.call('getTotalUnreadMessageCount');
    }
  }

  // Conversation APIs: straight to the core (which checks readiness and arguments).
  for (const api of [
    'getConversationList',
    'getConversationProfile',
    'getMessageListHopping',
    'setMessageRead',
    'setAllMessageRead',
    'deleteConversation',
    'clearHistoryMessage',
    'pinConversation',
    'markConversation',
    'setConversationCustomData',
  ]) {
    ChatSDK.prototype[api] = function conversationApi(options) {
      if (!this._sdk) return this._notReady(api);
      return this._sdk.call(api, options);
    };
  }

  for (const api of NOT_YET) {
    ChatSDK.prototype[api] = function notYet() {
      if (!this._sdk || !this._sdk.call('isReady')) return this._sdk ? this._sdk.call('notReady', api) : this._notReady(api);
      return Promise.reject(imError(NOT_IMPLEMENTED, api + ' is not implemented by tim-wasm yet'));
    };
  }

  return {
    VERSION,
    EVENT,
    TYPES,
    /** Synchronous, as the official: the same instance for the same SDKAppID. */
    create(options) {
      if (!options || !options.SDKAppID) throw new Error('Params validate failed.');
      let tim = instances.get(options.SDKAppID);
      if (!tim) {
        tim = new ChatSDK(options);
        instances.set(options.SDKAppID, tim);
      }
      return tim;
    },
  };
}
