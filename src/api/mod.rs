//! The official instance API, one file per domain. Each file has a table of rows (official
//! method name, function); [`call`] looks a name up in them. Every function takes the
//! driver and the two arguments the JS face got, and says with a [`Reply`] what the official
//! method returns: a Promise for the asynchronous ones, the value for the synchronous ones
//! (createXxxMessage, findMessage, getTotalUnreadMessageCount), or the throw of the official
//! parameter check. [`call`] makes the Promise (or throws) once the driver is released, and
//! makes a call refused while the SDK gets ready again once it is.

pub(crate) mod conversations;
pub(crate) mod messages;
pub(crate) mod session;

use crate::driver::{im_error, im_response, now_ms, pump, set, Driver, Rerun, Settle, Shared};
use crate::read::get;
use js_sys::{Array, Function, Object, Promise};
use tim_core::{ApiError, OpId};
use tim_proto::codes::{is_not_ready, LOGGING_IN, NOT_IMPLEMENTED};
use tim_proto::ops::Schema;
use tim_proto::Op;
use wasm_bindgen::JsValue;

/// An official method.
pub(crate) type Api = fn(&mut Driver, JsValue, JsValue) -> Reply;

/// What an official method returns.
pub(crate) enum Reply {
    /// A Promise settled when the core completes the op (rejected at once with an error);
    /// the value is the app's object (or list) the result is about, updated in place.
    Later(Result<OpId, ApiError>, JsValue),
    /// A synchronous method's value, or a rejected Promise of the error.
    Now(Result<JsValue, ApiError>),
    /// A Promise resolved at once with this `data`.
    Resolved(JsValue),
    /// Thrown: the official parameter check failed.
    Invalid,
    /// A Promise of the call (`api` with its arguments) made again when `OpId` completes.
    Deferred(OpId, String, (JsValue, JsValue)),
}

/// Every implemented method, by domain.
const TABLES: &[&[(&str, Api)]] = &[session::APIS, messages::APIS, conversations::APIS];

/// The function of the official method `name`; `None` for those not implemented yet.
pub(crate) fn find(name: &str) -> Option<Api> {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
}

/// An official method that is not implemented yet: rejects with the not-ready reason while
/// the SDK is not ready (as every method that needs SDK_READY does), 2998 after.
pub(crate) fn not_implemented(d: &mut Driver, name: &str) -> Reply {
    // Strings pushed, not concatenated: `concat` would bring its own code to the SDK.
    let e = match d.core.check_ready() {
        Err(mut e) => {
            e.message.push_str(" | ");
            e.message.push_str(name);
            e
        }
        Ok(()) => {
            let mut message = name.to_owned();
            message.push_str(" is not implemented by tim-wasm yet");
            ApiError::new(NOT_IMPLEMENTED, message)
        }
    };
    Reply::Now(Err(e))
}

pub(crate) fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

/// The strings of a JS array (non-strings are skipped); `None` when it is not an array.
pub(crate) fn strings(v: &JsValue) -> Option<Vec<String>> {
    Array::is_array(v).then(|| {
        Array::from(v)
            .iter()
            .filter_map(|x| x.as_string())
            .collect()
    })
}

/// The `key` strings of each object of a JS array (empty when it is not an array).
pub(crate) fn each(list: &JsValue, key: &str) -> Vec<String> {
    if !Array::is_array(list) {
        return Vec::new();
    }
    Array::from(list)
        .iter()
        .filter_map(|m| get(&m, key).as_string())
        .collect()
}

/// The official method `api` with its arguments: what it returns, or what it throws. A call
/// refused with 3000 after `login` resolved (the inbox still syncing) does not reject: it is
/// made again right after SDK_READY, and its Promise settles as that call's does.
#[inline(never)]
pub(crate) fn call(shared: &Shared, api: &str, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
    let reply = {
        let mut d = shared.borrow_mut();
        let args = (a.clone(), b.clone());
        let stateless = Op::stateless(api);
        let reply = match (find(api), stateless) {
            (Some(f), _) => f(&mut d, a, b),
            (None, Some((op, schema))) => stateless_call(&mut d, op, schema, a),
            (None, None) => not_implemented(&mut d, api),
        };
        match &reply {
            Reply::Now(Err(e)) | Reply::Later(Err(e), _) if e.code == LOGGING_IN => {
                match d.core.await_ready(now_ms()) {
                    Some(op) => Reply::Deferred(op, api.into(), args),
                    None => reply,
                }
            }
            _ => reply,
        }
    };
    let out = settle(shared, reply);
    // What the call queued goes out now, once its Promise waits for it.
    pump(shared);
    out
}

/// A stateless method (docs/ARCHITECTURE.md, Stateless calls): the options checked against
/// the op's schema as the official parameter check does (it throws), then sent as they are.
fn stateless_call(d: &mut Driver, op: Op, schema: Schema, options: JsValue) -> Reply {
    for &(name, kind) in schema {
        let value = get(&options, name);
        let fits = match kind {
            "array" => Array::is_array(&value),
            kind => value.js_typeof().as_string().as_deref() == Some(kind),
        };
        if !fits {
            return Reply::Invalid;
        }
    }
    let params = match options.is_undefined() || options.is_null() {
        true => None,
        false => js_sys::JSON::stringify(&options)
            .ok()
            .and_then(|s| s.as_string()),
    };
    let params = params.unwrap_or_else(|| "{}".into());
    Reply::Later(d.core.call(now_ms(), op, params), JsValue::UNDEFINED)
}

/// A Promise and its resolve and reject functions (the executor runs at once, so they are
/// always there).
fn promise() -> (Promise, Option<(Function, Function)>) {
    let mut slots = None;
    let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
    (promise, slots)
}

/// What `reply` means in JS, now that the driver is released (a rejection may run the app's
/// ERROR handler).
fn settle(shared: &Shared, reply: Reply) -> Result<JsValue, JsValue> {
    Ok(match reply {
        Reply::Later(Ok(op), own) => {
            let (promise, slots) = promise();
            if let Some((resolve, reject)) = slots {
                let settle = Settle {
                    resolve,
                    reject,
                    own,
                };
                shared.borrow_mut().wait(op, settle);
            }
            promise.into()
        }
        Reply::Deferred(op, api, args) => {
            let (promise, slots) = promise();
            if let Some((resolve, _)) = slots {
                shared.borrow_mut().rerun(op, Rerun { api, args, resolve });
            }
            promise.into()
        }
        Reply::Now(Ok(value)) => value,
        Reply::Later(Err(e), _) | Reply::Now(Err(e)) => reject_now(shared, e).into(),
        Reply::Resolved(data) => Promise::resolve(&im_response(data)).into(),
        Reply::Invalid => return Err(js_sys::Error::new("Params validate failed.").into()),
    })
}

/// Rejects with `e`; a not-ready reason also fires EVENT.ERROR, as the official SDK does.
pub(crate) fn reject_now(shared: &Shared, e: ApiError) -> Promise {
    if is_not_ready(e.code) {
        let emit = shared.borrow().emit.clone();
        let data = Object::new();
        set(&data, "code", &JsValue::from(e.code));
        set(&data, "message", &JsValue::from_str(&e.message));
        let _ = emit.call2(&JsValue::NULL, &JsValue::from_str("error"), &data);
    }
    Promise::reject(&im_error(&e))
}
