//! The wasm-bindgen layer of tim-wasm: drives the sans-IO `tim_core::Core` with a WebSocket,
//! one timer, JS Promises and JS objects. It holds no rule of its own: it turns JS calls and
//! socket events into core inputs, and core effects into socket sends, promise settlements and
//! events. It never names `window`, `document` or `fetch`; the WebSocket constructor is handed
//! in (the browser's, Node's, or a Mini Program shim's).
//!
//! [`driver`] carries out the core's effects; [`api`] has the official methods, one file per
//! domain, behind the one exported entry point [`Sdk::call`]; [`read`] reads server frames
//! and [`json`] writes JSON, both without serde's deserializers or serde_json, for size.

mod api;
mod driver;
mod json;
mod read;
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

use driver::{get_config, now_ms, pump, Driver, Shared};
use js_sys::Function;
use std::cell::RefCell;
use std::rc::Rc;
use tim_core::Core;
use tim_proto::Platform;
use wasm_bindgen::prelude::*;

/// Talc instead of the default dlmalloc: smaller in the wasm file and faster (measured in
/// docs/ARCHITECTURE.md, The crates of the wasm SDK).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(what: &str, message: &str, file: &str, line: u32);
}

/// A panic (a bug) shows in the console with its message and place. Written without
/// formatting machinery, which a formatted report would bring to the wasm file (1.2 kB gzip).
fn panicked(info: &std::panic::PanicHookInfo<'_>) {
    let message = info.payload_as_str().unwrap_or("(a formatted message)");
    let (file, line) = info.location().map_or(("", 0), |l| (l.file(), l.line()));
    console_error("tim-wasm panicked:", message, file, line);
}

/// One SDK instance (one per SDKAppID), wrapped by the JS `TIM` face.
#[wasm_bindgen]
pub struct Sdk {
    shared: Shared,
}

#[wasm_bindgen]
impl Sdk {
    /// `emit(name, data)` fires an event on the JS instance. `options` may set, in ms,
    /// `heartbeatInterval`, `deadSocketTimeout` and `reconnectMaxDelay`. `platform` is what the
    /// login reports (docs/PROTOCOL.md: `web`, `node`, `miniprogram`, …; unknown: web).
    #[wasm_bindgen(constructor)]
    pub fn new(
        sdk_app_id: f64,
        url: String,
        websocket: Function,
        emit: Function,
        options: JsValue,
        platform: &str,
    ) -> Sdk {
        std::panic::set_hook(Box::new(panicked));
        let seed = ((js_sys::Math::random() * 4_294_967_296.0) as u64) << 32
            | (js_sys::Math::random() * 4_294_967_296.0) as u64 ^ now_ms();
        let platform = Platform::from_name(platform).unwrap_or_default();
        let config = tim_core::Config {
            platform,
            ..get_config(&options)
        };
        let core = Core::with_config(sdk_app_id as u64, seed, config);
        Sdk {
            shared: Rc::new(RefCell::new(Driver::new(core, url, websocket, emit))),
        }
    }

    /// The environment's word on the network (`online`/`offline` events).
    #[wasm_bindgen(js_name = setOnline)]
    pub fn set_online(&self, online: bool) {
        self.core(|c| c.set_online(now_ms(), online));
        pump(&self.shared);
    }

    /// A good moment to reconnect if disconnected (the page became visible).
    pub fn wake(&self) {
        self.core(|c| c.wake(now_ms()));
        pump(&self.shared);
    }

    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&self, level: u8) {
        self.shared.borrow_mut().log_level = level.min(4);
    }

    /// The official instance method `api` with its arguments: what that method returns (a
    /// Promise, or the value of a synchronous one); throws where the official throws. One
    /// entry point instead of one export per method keeps the wasm file small (each export
    /// costs a generated shim). Official methods not implemented yet reject (2998).
    pub fn call(&self, api: &str, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
        api::call(&self.shared, api, a, b)
    }
}

impl Sdk {
    pub(crate) fn core<T>(&self, f: impl FnOnce(&mut Core) -> T) -> T {
        f(&mut self.shared.borrow_mut().core)
    }
}
