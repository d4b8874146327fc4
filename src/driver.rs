//! The driver: the one `tim_core::Core` of an SDK instance, carried out. It owns the socket
//! (constructed from the `WebSocket` class it is handed, typed with web-sys's bindings, which
//! call methods by name, so Node's and a Mini Program shim's sockets work), one gloo timer
//! re-armed to the core's next wakeup, and the resolve/reject pair of every pending Promise.
//! App code (event handlers, Promise reactions) runs only after the driver's state is released,
//! so it may call the SDK again.

use crate::api;
use crate::json;
use crate::read;
use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Object, Reflect, JSON};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use tim_core::vecmap::VecMap;
use tim_core::{ApiError, Core, Effect, Event, OpId, OpOk, SdkMessage, STATUS_FAIL};
use tim_proto::ClientFrame;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
}

/// Official log levels: 0 everything, 1 release, 2 warnings, 3 errors, 4 nothing.
pub const LOG_DEBUG: u8 = 0;
pub const LOG_WARN: u8 = 2;

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A plain JS object (as the official SDK's objects are) of a serializable value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    json::to_json(value)
        .ok()
        .and_then(|text| JSON::parse(&text).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `{code: 0, data}`: the official IMResponse.
pub fn im_response(data: JsValue) -> JsValue {
    let r = Object::new();
    set(&r, "code", &JsValue::from(0));
    set(&r, "data", &data);
    r.into()
}

/// An Error with `code` and `data`: the official IMError.
pub fn im_error(e: &ApiError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    set(&err, "code", &JsValue::from(e.code));
    set(&err, "data", &to_js(&e.data));
    err.into()
}

/// The JS handlers of the current socket; they go when it does.
struct Listeners {
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(JsValue)>,
}

/// A pending API Promise: how to settle it, and the app's own object(s) the result is about
/// (a message or a list of messages), which the official SDK updates in place and returns.
pub struct Settle {
    pub resolve: Function,
    pub reject: Function,
    pub own: JsValue,
}

/// An API call made again when the SDK gets ready; `resolve` takes what it returns (a
/// Promise is adopted).
pub struct Rerun {
    pub api: String,
    pub args: (JsValue, JsValue),
    pub resolve: Function,
}

pub struct Driver {
    pub core: Core,
    url: String,
    websocket: Function,
    pub emit: Function,
    socket: Option<(WebSocket, Listeners)>,
    /// Bumped per socket, so events of a socket the core already dropped are ignored.
    socket_gen: u32,
    pending: VecMap<OpId, Settle>,
    reruns: VecMap<OpId, Rerun>,
    /// Messages made by createXxxMessage (or that failed) and not yet sent, by ID.
    pub drafts: VecMap<String, SdkMessage>,
    timer: Option<(u64, Timeout)>,
    pub log_level: u8,
}

pub type Shared = Rc<RefCell<Driver>>;

/// A JS call to make once the driver is no longer borrowed (it may re-enter the SDK).
enum Call {
    Emit(Event),
    Settle(Settle, Result<OpOk, ApiError>),
    Rerun(Rerun, Result<OpOk, ApiError>),
}

impl Driver {
    pub fn new(core: Core, url: String, websocket: Function, emit: Function) -> Driver {
        Driver {
            core,
            url,
            websocket,
            emit,
            socket: None,
            socket_gen: 0,
            pending: VecMap::default(),
            reruns: VecMap::default(),
            drafts: VecMap::default(),
            timer: None,
            log_level: 0,
        }
    }

    pub fn log(&self, level: u8, msg: &str) {
        if self.log_level <= level {
            if level >= LOG_WARN {
                console_warn(msg);
            } else {
                console_log(msg);
            }
        }
    }

    /// Settle `op` with `settle` when the core completes it.
    pub fn wait(&mut self, op: OpId, settle: Settle) {
        self.pending.insert(op, settle);
    }

    /// Make `rerun`'s call again when the core completes `op` (the SDK is ready).
    pub fn rerun(&mut self, op: OpId, rerun: Rerun) {
        self.reruns.insert(op, rerun);
    }

    fn connect(&mut self, shared: &Weak<RefCell<Driver>>) {
        self.detach();
        self.socket_gen = self.socket_gen.wrapping_add(1);
        let gen = self.socket_gen;
        self.log(LOG_DEBUG, "TIM connect");
        let args = Array::of1(&JsValue::from_str(&self.url));
        let socket = match Reflect::construct(&self.websocket, &args) {
            Ok(s) => s.unchecked_into::<WebSocket>(),
            Err(_) => {
                self.log(LOG_WARN, "TIM could not create a WebSocket");
                self.core.on_close(now_ms());
                return;
            }
        };
        let weak = shared.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(s) = weak.upgrade() {
                on_message(&s, gen, ev.data());
            }
        });
        let weak = shared.clone();
        let close = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(s) = weak.upgrade() {
                on_socket_closed(&s, gen);
            }
        });
        socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        let listeners = Listeners {
            _message: message,
            _close: close,
        };
        self.socket = Some((socket, listeners));
    }

    fn detach(&mut self) {
        if let Some((socket, _)) = self.socket.take() {
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close();
        }
    }

    fn send(&mut self, frame: &ClientFrame) {
        let Some((socket, _)) = &self.socket else {
            return;
        };
        if let Ok(text) = json::to_json(frame) {
            if socket.send_with_str(&text).is_err() {
                self.log(LOG_WARN, "TIM socket send failed");
            }
        }
    }

    fn arm_timer(&mut self, shared: &Weak<RefCell<Driver>>) {
        let Some(at) = self.core.next_wakeup() else {
            self.timer = None;
            return;
        };
        if self.timer.as_ref().is_some_and(|(t, _)| *t == at) {
            return;
        }
        let delay = at.saturating_sub(now_ms()).min(u32::MAX as u64) as u32;
        let weak = shared.clone();
        let timeout = Timeout::new(delay, move || {
            if let Some(s) = weak.upgrade() {
                s.borrow_mut().timer = None;
                s.borrow_mut().core.tick(now_ms());
                pump(&s);
            }
        });
        self.timer = Some((at, timeout));
    }
}

fn on_message(shared: &Shared, gen: u32, data: JsValue) {
    {
        let mut d = shared.borrow_mut();
        if d.socket_gen != gen || d.socket.is_none() {
            return;
        }
        let Some(text) = data.as_string() else {
            d.log(LOG_WARN, "TIM ignored a non-text frame");
            return;
        };
        let frame = JSON::parse(&text).ok().and_then(|v| read::frame(&v));
        match frame {
            Some(frame) => d.core.on_frame(now_ms(), frame),
            None => d.log(LOG_WARN, "TIM ignored a frame it could not read"),
        }
    }
    pump(shared);
}

fn on_socket_closed(shared: &Shared, gen: u32) {
    {
        let mut d = shared.borrow_mut();
        if d.socket_gen != gen || d.socket.is_none() {
            return;
        }
        d.socket = None;
        d.log(LOG_DEBUG, "TIM socket closed");
        d.core.on_close(now_ms());
    }
    pump(shared);
}

/// Carry out every queued effect; app code (events) runs only while the driver is unborrowed.
pub fn pump(shared: &Shared) {
    let weak = Rc::downgrade(shared);
    loop {
        let mut calls = Vec::new();
        {
            let mut d = shared.borrow_mut();
            while let Some(effect) = d.core.poll_effect() {
                match effect {
                    Effect::Connect => d.connect(&weak),
                    Effect::Send(frame) => d.send(&frame),
                    Effect::Close => d.detach(),
                    Effect::Emit(event) => calls.push(Call::Emit(event)),
                    Effect::Complete(op, result) => {
                        if let Err(ApiError { data, .. }) = &result {
                            // A failed send can be sent again (resendMessage).
                            if let Some(m) =
                                data.message.as_ref().filter(|m| m.status == STATUS_FAIL)
                            {
                                d.drafts.insert(m.id.clone(), (**m).clone());
                            }
                        }
                        if let Some(settle) = d.pending.remove(&op) {
                            calls.push(Call::Settle(settle, result));
                        } else if let Some(rerun) = d.reruns.remove(&op) {
                            calls.push(Call::Rerun(rerun, result));
                        }
                    }
                }
            }
            d.arm_timer(&weak);
        }
        if calls.is_empty() {
            return;
        }
        let emit = shared.borrow().emit.clone();
        for call in calls {
            match call {
                Call::Emit(event) => {
                    let name = JsValue::from_str(event.name());
                    let _ = emit.call2(&JsValue::NULL, &name, &to_js(&event));
                }
                Call::Settle(s, Ok(ok)) => {
                    let data = own(&s.own, to_js(&ok));
                    let _ = s.resolve.call1(&JsValue::NULL, &im_response(data));
                }
                Call::Settle(s, Err(e)) => {
                    let err = im_error(&e);
                    if !s.own.is_undefined() {
                        let data = read::get(&err, "data");
                        set(&err, "data", &own(&s.own, data));
                    }
                    let _ = s.reject.call1(&JsValue::NULL, &err);
                }
                Call::Rerun(r, result) => {
                    let out = match result {
                        Ok(_) => api::call(shared, &r.api, r.args.0, r.args.1),
                        Err(e) => Ok(api::reject_now(shared, e).into()),
                    };
                    let _ = r
                        .resolve
                        .call1(&JsValue::NULL, &out.unwrap_or_else(rejected));
                }
            }
        }
    }
}

/// A Promise rejected with what a call threw.
fn rejected(thrown: JsValue) -> JsValue {
    js_sys::Promise::reject(&thrown).into()
}

/// Result `data` about the app's own objects, made of them: `data.message` is assigned onto the
/// app's message and replaced by it; each of `data.messageList` onto the app's message at the
/// same place. The official SDK updates the objects the app holds, so do we.
fn own(own: &JsValue, data: JsValue) -> JsValue {
    if own.is_undefined() {
        return data;
    }
    let message = read::get(&data, "message");
    if message.is_object() && own.is_object() && !Array::is_array(own) {
        let merged = Object::assign(own.unchecked_ref::<Object>(), message.unchecked_ref());
        set(&data, "message", &merged);
    }
    let list = read::get(&data, "messageList");
    if Array::is_array(&list) && Array::is_array(own) {
        // Casts, not `Array::from`, which would copy.
        let (list, own) = (list.unchecked_ref::<Array>(), own.unchecked_ref::<Array>());
        for i in 0..list.length().min(own.length()) {
            let target = own.get(i);
            if target.is_object() {
                Object::assign(
                    target.unchecked_ref::<Object>(),
                    list.get(i).unchecked_ref(),
                );
                list.set(i, target);
            }
        }
    }
    data
}

/// The core's tunables, from the create options the app gave (positive numbers of ms).
pub fn get_config(options: &JsValue) -> tim_core::Config {
    let ms = |key: &str, default: u64| {
        read::get(options, key)
            .as_f64()
            .filter(|v| *v > 0.0)
            .map_or(default, |v| v as u64)
    };
    let d = tim_core::Config::default();
    tim_core::Config {
        heartbeat_ms: ms("heartbeatInterval", d.heartbeat_ms),
        dead_after_ms: ms("deadSocketTimeout", d.dead_after_ms),
        reconnect_max_ms: ms("reconnectMaxDelay", d.reconnect_max_ms),
        ..d
    }
}
