//! The wasm-bindgen layer of tim-wasm: drives the sans-IO `tim_core::Core` with a WebSocket,
//! one timer, JS Promises and JS objects. It holds no rule of its own: it turns JS calls and
//! socket events into core inputs, and core effects into socket sends, promise settlements and
//! events. It never names `window`, `document` or `fetch`; the WebSocket constructor is handed
//! in (the browser's, Node's, or a Mini Program shim's).

mod json;
mod read;
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use read::get;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use tim_core::vecmap::VecMap;
use tim_core::{
    ApiError, Config, Core, Effect, Event, MessageDraft, OpId, OpOk, SdkMessage, SendOptions,
};
use tim_proto::{ClientFrame, ConversationType};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// Anything shaped like a WebSocket: `send`, `close` and the `on*` handler properties.
    type Socket;
    #[wasm_bindgen(method, catch)]
    fn send(this: &Socket, data: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &Socket) -> Result<(), JsValue>;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &Socket, f: Option<&Function>);
    #[wasm_bindgen(method, setter)]
    fn set_onclose(this: &Socket, f: Option<&Function>);

    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
}

/// Official log levels: 0 everything, 1 release, 2 warnings, 3 errors, 4 nothing.
const LOG_DEBUG: u8 = 0;
const LOG_WARN: u8 = 2;

/// The official code for "sendMessage needs a message made by createXxxMessage".
const NEED_MESSAGE_INSTANCE: u32 = 2105;

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A plain JS object (as the official SDK's objects are) of a serializable value.
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    json::to_json(value)
        .ok()
        .and_then(|text| JSON::parse(&text).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `{code: 0, data}`: the official IMResponse.
fn im_response(data: JsValue) -> JsValue {
    let r = Object::new();
    set(&r, "code", &JsValue::from(0));
    set(&r, "data", &data);
    r.into()
}

/// An Error with `code` and `data`: the official IMError.
fn im_error(e: &ApiError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    set(&err, "code", &JsValue::from(e.code));
    set(&err, "data", &to_js(&e.data));
    err.into()
}

fn is_not_ready(code: u32) -> bool {
    code == 2024 || (3000..=3006).contains(&code)
}

struct Listeners {
    _message: Closure<dyn FnMut(JsValue)>,
    _close: Closure<dyn FnMut(JsValue)>,
}

struct Driver {
    core: Core,
    url: String,
    websocket: Function,
    emit: Function,
    socket: Option<(Socket, Listeners)>,
    /// Bumped per socket, so events of a socket the core already dropped are ignored.
    socket_gen: u32,
    pending: VecMap<OpId, (Function, Function)>,
    /// Messages made by createXxxMessage (or that failed) and not yet sent, by ID.
    drafts: VecMap<String, SdkMessage>,
    timer: Option<(u64, Timeout)>,
    log_level: u8,
}

/// A JS call to make once the driver is no longer borrowed (it may re-enter the SDK).
enum Call {
    Emit(Event),
    Settle((Function, Function), Result<OpOk, ApiError>),
}

type Shared = Rc<RefCell<Driver>>;

impl Driver {
    fn log(&self, level: u8, msg: &str) {
        if self.log_level <= level {
            if level >= LOG_WARN {
                console_warn(msg);
            } else {
                console_log(msg);
            }
        }
    }

    fn connect(&mut self, shared: &Weak<RefCell<Driver>>) {
        self.detach();
        self.socket_gen = self.socket_gen.wrapping_add(1);
        let gen = self.socket_gen;
        self.log(LOG_DEBUG, "TIM connect");
        let args = Array::of1(&JsValue::from_str(&self.url));
        let socket = match Reflect::construct(&self.websocket, &args) {
            Ok(s) => s.unchecked_into::<Socket>(),
            Err(_) => {
                self.log(LOG_WARN, "TIM could not create a WebSocket");
                self.core.on_close(now_ms());
                return;
            }
        };
        let weak = shared.clone();
        let message = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
            if let Some(s) = weak.upgrade() {
                on_message(&s, gen, get(&ev, "data"));
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
        self.socket = Some((
            socket,
            Listeners {
                _message: message,
                _close: close,
            },
        ));
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
            if socket.send(&text).is_err() {
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
fn pump(shared: &Shared) {
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
                            if let Some(m) = data.message.as_ref().filter(|m| m.status == "fail") {
                                d.drafts.insert(m.id.clone(), (**m).clone());
                            }
                        }
                        if let Some(slots) = d.pending.remove(&op) {
                            calls.push(Call::Settle(slots, result));
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
                    let _ = emit.call2(
                        &JsValue::NULL,
                        &JsValue::from_str(event.name()),
                        &to_js(&event),
                    );
                }
                Call::Settle((resolve, reject), result) => {
                    let _ = match result {
                        Ok(ok) => resolve.call1(&JsValue::NULL, &im_response(to_js(&ok))),
                        Err(e) => reject.call1(&JsValue::NULL, &im_error(&e)),
                    };
                }
            }
        }
    }
}

/// The official sendMessage options: `onlineUserOnly` and `messageControlInfo`.
fn send_options(options: &JsValue) -> SendOptions {
    let control = get(options, "messageControlInfo");
    let on = |v: &JsValue, key: &str| get(v, key).as_bool() == Some(true);
    SendOptions {
        online_user_only: on(options, "onlineUserOnly"),
        excluded_from_unread_count: on(&control, "excludedFromUnreadCount"),
        excluded_from_last_message: on(&control, "excludedFromLastMessage"),
    }
}

/// The core's tunables, from the create options the app gave (positive numbers of ms).
fn config(options: &JsValue) -> Config {
    let ms = |key: &str, default: u64| {
        get(options, key)
            .as_f64()
            .filter(|v| *v > 0.0)
            .map_or(default, |v| v as u64)
    };
    let d = Config::default();
    Config {
        heartbeat_ms: ms("heartbeatInterval", d.heartbeat_ms),
        dead_after_ms: ms("deadSocketTimeout", d.dead_after_ms),
        reconnect_max_ms: ms("reconnectMaxDelay", d.reconnect_max_ms),
        ..d
    }
}

/// Thrown synchronously for invalid arguments, as the official parameter check does.
fn params_invalid() -> JsValue {
    js_sys::Error::new("Params validate failed.").into()
}

/// One SDK instance (one per SDKAppID), wrapped by the JS `TIM` face.
#[wasm_bindgen]
pub struct Sdk {
    shared: Shared,
}

#[wasm_bindgen]
impl Sdk {
    /// `emit(name, data)` fires an event on the JS instance. `options` may set, in ms,
    /// `heartbeatInterval`, `deadSocketTimeout` and `reconnectMaxDelay`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        sdk_app_id: f64,
        url: String,
        websocket: Function,
        emit: Function,
        options: JsValue,
    ) -> Sdk {
        console_error_panic_hook::set_once();
        let seed = ((js_sys::Math::random() * 4_294_967_296.0) as u64) << 32
            | (js_sys::Math::random() * 4_294_967_296.0) as u64 ^ now_ms();
        Sdk {
            shared: Rc::new(RefCell::new(Driver {
                core: Core::with_config(sdk_app_id as u64, seed, config(&options)),
                url,
                websocket,
                emit,
                socket: None,
                socket_gen: 0,
                pending: VecMap::default(),
                drafts: VecMap::default(),
                timer: None,
                log_level: 0,
            })),
        }
    }

    /// The environment's word on the network (`online`/`offline` events).
    #[wasm_bindgen(js_name = setOnline)]
    pub fn set_online(&self, online: bool) {
        self.shared.borrow_mut().core.set_online(now_ms(), online);
        pump(&self.shared);
    }

    /// A good moment to reconnect if disconnected (the page became visible).
    pub fn wake(&self) {
        self.shared.borrow_mut().core.wake(now_ms());
        pump(&self.shared);
    }

    /// Every API of the JS face, by its official name: one entry point instead of one export
    /// per method keeps the wasm file small (each export costs a generated shim).
    pub fn call(&self, api: &str, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
        let str_of = |v: &JsValue| v.as_string().unwrap_or_default();
        Ok(match api {
            "login" => self.login(&str_of(&a), &str_of(&b)).into(),
            "logout" => self.logout().into(),
            "destroy" => self.destroy().into(),
            "isReady" => self.is_ready().into(),
            "notReady" => self.not_ready(&str_of(&a)).into(),
            "createMessage" => self.create_message(&str_of(&a), b)?,
            "sendMessage" => self.send_message(a, b).into(),
            "getMessageList" => self.get_message_list(a).into(),
            "getConversationList" => self.get_conversation_list(a).into(),
            "getConversationProfile" => self.get_conversation_profile(a).into(),
            "getTotalUnreadMessageCount" => self.get_total_unread_message_count(),
            "setMessageRead" => self.set_message_read(a).into(),
            "setAllMessageRead" => {
                let r = self.shared.borrow_mut().core.set_all_message_read(now_ms());
                self.settle_later(r).into()
            }
            "deleteConversation" => self.delete_conversation(a).into(),
            "clearHistoryMessage" => self.clear_history_message(a).into(),
            "pinConversation" => self.pin_conversation(a).into(),
            "markConversation" => self.mark_conversation(a).into(),
            "setConversationCustomData" => self.set_conversation_custom_data(a).into(),
            "revokeMessage" => self.revoke_message(a).into(),
            "getMessageListHopping" => {
                let id = get(&a, "conversationID").as_string().unwrap_or_default();
                let num = |k: &str| get(&a, k).as_f64().filter(|v| *v >= 0.0).map(|v| v as u64);
                let newer = get(&a, "direction").as_f64() == Some(1.0);
                let count = num("count").unwrap_or(0) as u32;
                let r = self.shared.borrow_mut().core.get_message_list_hopping(
                    now_ms(),
                    &id,
                    num("sequence"),
                    num("time"),
                    newer,
                    count,
                );
                self.settle_later(r).into()
            }
            "sendMessageReadReceipt" => {
                let ids = if Array::is_array(&a) {
                    Array::from(&a)
                        .iter()
                        .filter_map(|m| get(&m, "conversationID").as_string())
                        .collect()
                } else {
                    Vec::new()
                };
                let r = self
                    .shared
                    .borrow_mut()
                    .core
                    .send_read_receipt(now_ms(), ids);
                self.settle_later(r).into()
            }
            "peerReadSeq" => {
                let r = self.shared.borrow().core.peer_read_seq(&str_of(&a));
                match r {
                    Ok(seq) => JsValue::from(seq as f64),
                    Err(e) => self.reject_now(e).into(),
                }
            }
            "findMessage" => {
                let found = self.shared.borrow().core.find_message(&str_of(&a));
                found.map_or(JsValue::NULL, |m| to_js(&m))
            }
            "modifyMessage" => {
                let payload = read::element(
                    &get(&a, "type").as_string().unwrap_or_default(),
                    &get(&a, "payload"),
                )
                .ok_or_else(params_invalid)?;
                let cloud = get(&a, "cloudCustomData").as_string().unwrap_or_default();
                let id = get(&a, "ID").as_string().unwrap_or_default();
                let r = self
                    .shared
                    .borrow_mut()
                    .core
                    .modify_message(now_ms(), &id, payload, cloud);
                self.settle_later(r).into()
            }
            "deleteMessage" => {
                let ids = if Array::is_array(&a) {
                    Array::from(&a)
                        .iter()
                        .filter_map(|m| get(&m, "ID").as_string())
                        .collect()
                } else {
                    Vec::new()
                };
                let r = self.shared.borrow_mut().core.delete_messages(now_ms(), ids);
                self.settle_later(r).into()
            }
            _ => return Err(js_sys::Error::new("unknown API").into()),
        })
    }

    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(&self, level: u8) {
        self.shared.borrow_mut().log_level = level.min(4);
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.shared.borrow().core.check_ready().is_ok()
    }

    /// The rejected Promise (and EVENT.ERROR) of an API called while not ready.
    pub(crate) fn not_ready(&self, api: &str) -> Promise {
        match self.shared.borrow().core.check_ready() {
            Err(mut e) => {
                e.message.push_str(" | ");
                e.message.push_str(api);
                self.reject_now(e)
            }
            Ok(()) => Promise::resolve(&im_response(Object::new().into())),
        }
    }

    pub(crate) fn login(&self, user_id: &str, user_sig: &str) -> Promise {
        let r = self
            .shared
            .borrow_mut()
            .core
            .login(now_ms(), user_id, user_sig, None);
        self.settle_later(r)
    }

    pub(crate) fn logout(&self) -> Promise {
        let r = self.shared.borrow_mut().core.logout();
        self.settle_later(r)
    }

    /// Logs out if logged in; resolves either way.
    pub(crate) fn destroy(&self) -> Promise {
        let r = self.shared.borrow_mut().core.logout();
        match r {
            Ok(_) => self.settle_later(r),
            Err(_) => Promise::resolve(&im_response(Object::new().into())),
        }
    }

    /// `createTextMessage` & co.: the Message object, or a rejected Promise when not ready.
    pub(crate) fn create_message(&self, type_: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let ready = self.shared.borrow().core.check_ready();
        if let Err(e) = ready {
            return Ok(self.reject_now(e).into());
        }
        let conversation_type = match get(&options, "conversationType").as_string().as_deref() {
            Some("C2C") => ConversationType::C2C,
            Some("GROUP") => ConversationType::Group,
            _ => return Err(params_invalid()),
        };
        let draft = MessageDraft {
            to: get(&options, "to").as_string().ok_or_else(params_invalid)?,
            conversation_type,
            payload: read::element(type_, &get(&options, "payload")).ok_or_else(params_invalid)?,
            cloud_custom_data: get(&options, "cloudCustomData")
                .as_string()
                .unwrap_or_default(),
            need_read_receipt: get(&options, "needReadReceipt").as_bool() == Some(true),
            at_user_list: strings(&get(&get(&options, "payload"), "atUserList"))
                .unwrap_or_default(),
        };
        let created = self
            .shared
            .borrow_mut()
            .core
            .create_message(now_ms(), draft);
        match created {
            Ok(message) => {
                let js = to_js(&message);
                self.shared
                    .borrow_mut()
                    .drafts
                    .insert(message.id.clone(), message);
                Ok(js)
            }
            Err(e) => Ok(self.reject_now(e).into()),
        }
    }

    pub(crate) fn send_message(&self, message: JsValue, options: JsValue) -> Promise {
        let result = {
            let mut d = self.shared.borrow_mut();
            match d.core.check_ready() {
                Err(e) => Err(e),
                Ok(()) => {
                    let id = get(&message, "ID").as_string().unwrap_or_default();
                    match d.drafts.remove(&id) {
                        Some(m) => d
                            .core
                            .send_message_with(now_ms(), m, send_options(&options)),
                        None => Err(ApiError::new(
                            NEED_MESSAGE_INSTANCE,
                            "sendMessage needs a message made by createXxxMessage",
                        )),
                    }
                }
            }
        };
        self.settle_later(result)
    }

    pub(crate) fn get_message_list(&self, options: JsValue) -> Promise {
        let conversation_id = get(&options, "conversationID")
            .as_string()
            .unwrap_or_default();
        let next = get(&options, "nextReqMessageID").as_string();
        let count = get(&options, "count").as_f64().unwrap_or(0.0) as u32;
        let r = self.shared.borrow_mut().core.get_message_list(
            now_ms(),
            &conversation_id,
            next.as_deref(),
            count,
        );
        self.settle_later(r)
    }
}

/// The strings of a JS array (non-strings are skipped); `None` when it is not an array.
fn strings(v: &JsValue) -> Option<Vec<String>> {
    Array::is_array(v).then(|| {
        Array::from(v)
            .iter()
            .filter_map(|x| x.as_string())
            .collect()
    })
}

/// `options.conversationIDList`, or `options` itself when it is the list.
fn id_list(options: &JsValue) -> Vec<String> {
    strings(options)
        .or_else(|| strings(&get(options, "conversationIDList")))
        .unwrap_or_default()
}

impl Sdk {
    /// `getConversationList()`, `getConversationList([ids])` or `({conversationIDList})`.
    pub(crate) fn get_conversation_list(&self, options: JsValue) -> Promise {
        let ids = (!options.is_undefined() && !options.is_null()).then(|| id_list(&options));
        let r = self.shared.borrow_mut().core.get_conversation_list(ids);
        self.settle_later(r)
    }

    pub(crate) fn get_conversation_profile(&self, conversation_id: JsValue) -> Promise {
        let id = conversation_id.as_string().unwrap_or_default();
        let r = self.shared.borrow_mut().core.get_conversation_profile(&id);
        self.settle_later(r)
    }

    /// A number, as the official; a rejected Promise while not ready.
    pub(crate) fn get_total_unread_message_count(&self) -> JsValue {
        let r = self.shared.borrow().core.total_unread_count();
        match r {
            Ok(n) => JsValue::from(n),
            Err(e) => self.reject_now(e).into(),
        }
    }

    pub(crate) fn set_message_read(&self, options: JsValue) -> Promise {
        let id = get(&options, "conversationID")
            .as_string()
            .unwrap_or_default();
        let r = self
            .shared
            .borrow_mut()
            .core
            .set_message_read(now_ms(), &id);
        self.settle_later(r)
    }

    /// `deleteConversation(conversationID)` (2.x) or `({conversationIDList})` (3.x).
    pub(crate) fn delete_conversation(&self, options: JsValue) -> Promise {
        let (ids, as_list) = match options.as_string() {
            Some(id) => (vec![id], false),
            None => (id_list(&options), true),
        };
        let r = self
            .shared
            .borrow_mut()
            .core
            .delete_conversation(now_ms(), ids, as_list);
        self.settle_later(r)
    }

    pub(crate) fn clear_history_message(&self, conversation_id: JsValue) -> Promise {
        let id = conversation_id.as_string().unwrap_or_default();
        let r = self.shared.borrow_mut().core.clear_history(now_ms(), &id);
        self.settle_later(r)
    }

    pub(crate) fn pin_conversation(&self, options: JsValue) -> Promise {
        let id = get(&options, "conversationID")
            .as_string()
            .unwrap_or_default();
        let pinned = get(&options, "isPinned").as_bool().unwrap_or(false);
        let r = self
            .shared
            .borrow_mut()
            .core
            .pin_conversation(now_ms(), &id, pinned);
        self.settle_later(r)
    }

    pub(crate) fn mark_conversation(&self, options: JsValue) -> Promise {
        let mark = get(&options, "markType").as_f64().unwrap_or(0.0) as u32;
        let enable = get(&options, "enableMark").as_bool().unwrap_or(false);
        let ids = id_list(&options);
        let r = self
            .shared
            .borrow_mut()
            .core
            .mark_conversations(now_ms(), ids, mark, enable);
        self.settle_later(r)
    }

    pub(crate) fn set_conversation_custom_data(&self, options: JsValue) -> Promise {
        let data = get(&options, "customData").as_string().unwrap_or_default();
        let ids = id_list(&options);
        let r = self
            .shared
            .borrow_mut()
            .core
            .set_conversation_custom_data(now_ms(), ids, data);
        self.settle_later(r)
    }

    pub(crate) fn revoke_message(&self, message: JsValue) -> Promise {
        let id = get(&message, "ID").as_string().unwrap_or_default();
        let r = self.shared.borrow_mut().core.revoke_message(now_ms(), &id);
        self.settle_later(r)
    }
}

impl Sdk {
    /// A Promise settled when the core completes `op`; an immediate error rejects now.
    fn settle_later(&self, r: Result<OpId, ApiError>) -> Promise {
        let op = match r {
            Ok(op) => op,
            Err(e) => return self.reject_now(e),
        };
        let mut slots = None;
        let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
        if let Some(slots) = slots {
            self.shared.borrow_mut().pending.insert(op, slots);
        }
        pump(&self.shared);
        promise
    }

    /// Rejects with `e`; a not-ready reason also fires EVENT.ERROR, as the official SDK does.
    fn reject_now(&self, e: ApiError) -> Promise {
        if is_not_ready(e.code) {
            let emit = self.shared.borrow().emit.clone();
            let data = Object::new();
            set(&data, "code", &JsValue::from(e.code));
            set(&data, "message", &JsValue::from_str(&e.message));
            let _ = emit.call2(&JsValue::NULL, &JsValue::from_str("error"), &data);
        }
        Promise::reject(&im_error(&e))
    }
}
