//! The conversation list and the changes to it.

use super::{string, strings, Api, Reply};
use crate::driver::{now_ms, Driver};
use crate::read::get;
use wasm_bindgen::JsValue;

pub(crate) const APIS: &[(&str, Api)] = &[
    ("getConversationList", get_conversation_list),
    ("getConversationProfile", get_conversation_profile),
    ("getTotalUnreadMessageCount", get_total_unread_message_count),
    ("setMessageRead", set_message_read),
    ("setAllMessageRead", set_all_message_read),
    ("deleteConversation", delete_conversation),
    ("clearHistoryMessage", clear_history_message),
    ("pinConversation", pin_conversation),
    ("markConversation", mark_conversation),
    ("setConversationCustomData", set_conversation_custom_data),
];

const NONE: JsValue = JsValue::UNDEFINED;

/// `options.conversationIDList`, or `options` itself when it is the list.
fn id_list(options: &JsValue) -> Vec<String> {
    strings(options)
        .or_else(|| strings(&get(options, "conversationIDList")))
        .unwrap_or_default()
}

/// `getConversationList()`, `getConversationList([ids])` or `({conversationIDList})`.
fn get_conversation_list(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let ids = (!options.is_undefined() && !options.is_null()).then(|| id_list(&options));
    Reply::Later(d.core.get_conversation_list(ids), NONE)
}

fn get_conversation_profile(d: &mut Driver, id: JsValue, _: JsValue) -> Reply {
    let id = id.as_string().unwrap_or_default();
    Reply::Later(d.core.get_conversation_profile(&id), NONE)
}

/// A number, as the official; a rejected Promise while not ready.
fn get_total_unread_message_count(d: &mut Driver, _: JsValue, _: JsValue) -> Reply {
    Reply::Now(d.core.total_unread_count().map(JsValue::from))
}

fn set_message_read(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let id = string(&options, "conversationID");
    Reply::Later(d.core.set_message_read(now_ms(), &id), NONE)
}

fn set_all_message_read(d: &mut Driver, _: JsValue, _: JsValue) -> Reply {
    Reply::Later(d.core.set_all_message_read(now_ms()), NONE)
}

/// `deleteConversation(conversationID)` (2.x) or `({conversationIDList})` (3.x).
fn delete_conversation(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let (ids, as_list) = match options.as_string() {
        Some(id) => (vec![id], false),
        None => (id_list(&options), true),
    };
    Reply::Later(d.core.delete_conversation(now_ms(), ids, as_list), NONE)
}

fn clear_history_message(d: &mut Driver, id: JsValue, _: JsValue) -> Reply {
    let id = id.as_string().unwrap_or_default();
    Reply::Later(d.core.clear_history(now_ms(), &id), NONE)
}

fn pin_conversation(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let id = string(&options, "conversationID");
    let pinned = get(&options, "isPinned").as_bool().unwrap_or(false);
    Reply::Later(d.core.pin_conversation(now_ms(), &id, pinned), NONE)
}

fn mark_conversation(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let mark = get(&options, "markType").as_f64().unwrap_or(0.0) as u32;
    let enable = get(&options, "enableMark").as_bool().unwrap_or(false);
    let ids = id_list(&options);
    Reply::Later(d.core.mark_conversations(now_ms(), ids, mark, enable), NONE)
}

fn set_conversation_custom_data(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let data = string(&options, "customData");
    let ids = id_list(&options);
    Reply::Later(
        d.core.set_conversation_custom_data(now_ms(), ids, data),
        NONE,
    )
}
