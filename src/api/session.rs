//! login, logout, destroy.

use super::{Api, Reply};
use crate::driver::{now_ms, Driver};
use js_sys::Object;
use wasm_bindgen::JsValue;

pub(crate) const APIS: &[(&str, Api)] =
    &[("login", login), ("logout", logout), ("destroy", destroy)];

const NONE: JsValue = JsValue::UNDEFINED;

/// `login({userID, userSig})`: the JS face has checked both are there (it must throw at once,
/// perhaps before this module is loaded) and passes them as strings.
fn login(d: &mut Driver, user_id: JsValue, user_sig: JsValue) -> Reply {
    let (user, sig) = (user_id.as_string(), user_sig.as_string());
    let (user, sig) = (user.unwrap_or_default(), sig.unwrap_or_default());
    Reply::Later(d.core.login(now_ms(), &user, &sig, None), NONE)
}

fn logout(d: &mut Driver, _: JsValue, _: JsValue) -> Reply {
    Reply::Later(d.core.logout(), NONE)
}

/// Logs out if logged in; resolves either way.
fn destroy(d: &mut Driver, _: JsValue, _: JsValue) -> Reply {
    match d.core.logout() {
        Ok(op) => Reply::Later(Ok(op), NONE),
        Err(_) => Reply::Resolved(Object::new().into()),
    }
}
