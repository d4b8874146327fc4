// The TIM face: the official tim-js-sdk API on top of the wasm core. This file holds only what
// must be JavaScript: the synchronous create() that queues calls until the wasm module is
// ready, the event emitter, and the official method names (from surface.js, which the build
// makes from the official API's fixture), each forwarded to the one entry point of the wasm
// module. Every rule, and what an official method not implemented yet does, lives in Rust.

import { EVENT, TYPES, VERSION, METHODS } from './surface.js';

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

/** Stands in for an absent WebSocket: connecting fails, and the driver logs this message. */
class Missing {
  constructor() {
    throw new Error('no WebSocket constructor: pass WebSocket to TIM.create');
  }
}

function wsURL(serverURL) {
  const base = serverURL || (globalThis.location && globalThis.location.origin) || '';
  return base.replace(/^http/, 'ws').replace(/\/+$/, '') + '/v1/ws';
}

/**
 * Builds the TIM default export around a loader that resolves to the wasm-bindgen module
 * (`{Sdk}`) once its wasm is instantiated, with the entry's `platform` (web when absent), its
 * own fallback `WebSocket` and what to say (`missing`) when there is none. Each entry point (browser, Node, Mini Program)
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
        const socket = options.WebSocket || globalThis.WebSocket || mod.WebSocket;
        // Without a WebSocket every connection fails (2800): say why, once, where it shows.
        if (!socket && mod.missing) console.error(mod.missing);
        this._missing = socket ? null : mod.missing;
        const sdk = new mod.Sdk(
          options.SDKAppID,
          wsURL(options.serverURL),
          socket || Missing,
          (name, data) => this._emit(name, data),
          options,
          String(options.platform || mod.platform || 'web'),
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

    /** An official method: in the wasm module, once it is loaded (until then, nobody is logged in). */
    _call(api, a, b) {
      if (this._sdk) return this._sdk.call(api, a, b);
      return this._ready.then((sdk) => sdk.call(api, a, b));
    }

    setLogLevel(level) {
      this._logLevel = level;
      if (this._sdk) this._sdk.setLogLevel(level);
    }

    registerPlugin(plugins) {
      Object.assign(this._plugins, plugins);
    }

    login(options) {
      // Checked here: the official throws at once, and the wasm module may not be loaded yet.
      if (!options || !options.userID || !options.userSig) throw new Error('Params validate failed.');
      return this._call('login', String(options.userID), String(options.userSig)).catch((e) => {
        if (this._missing && e && e.code === 2800) e.message = `${e.message}: ${this._missing}`;
        throw e;
      });
    }

    destroy() {
      instances.delete(this._options.SDKAppID);
      return this._call('destroy').then((res) => {
        this._emit(EVENT.SDK_DESTROY, {});
        return res;
      });
    }
  }

  for (const api of METHODS) {
    if (!(api in ChatSDK.prototype)) {
      ChatSDK.prototype[api] = function official(a, b) {
        return this._call(api, a, b);
      };
    }
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
