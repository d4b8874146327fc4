//! Messages: create, send, history, revoke, modify, delete, find, read receipts, merger
//! messages.

use super::{each, string, strings, Api, Reply};
use crate::driver::{now_ms, to_js, Driver};
use crate::read::{self, get};
use js_sys::Array;
use tim_core::error::{
    CANNOT_DELETE_GROUP_SYSTEM_NOTICE, MESSAGE_MERGER_TYPE_INVALID,
    MESSAGE_SEND_NEED_MESSAGE_INSTANCE,
};
use tim_core::{ApiError, MessageDraft, SendOptions};
use tim_proto::ConversationType;
use wasm_bindgen::JsValue;

pub(crate) const APIS: &[(&str, Api)] = &[
    ("createTextMessage", |d, o, _| create(d, "TIMTextElem", &o)),
    ("createTextAtMessage", |d, o, _| {
        create(d, "TIMTextElem", &o)
    }),
    ("createCustomMessage", |d, o, _| {
        create(d, "TIMCustomElem", &o)
    }),
    ("createFaceMessage", |d, o, _| create(d, "TIMFaceElem", &o)),
    ("createLocationMessage", |d, o, _| {
        create(d, "TIMLocationElem", &o)
    }),
    ("createMergerMessage", |d, o, _| {
        create(d, "TIMRelayElem", &o)
    }),
    ("createForwardMessage", create_forward_message),
    ("sendMessage", send_message),
    ("resendMessage", send_message),
    ("getMessageList", get_message_list),
    ("getMessageListHopping", get_message_list_hopping),
    ("revokeMessage", revoke_message),
    ("modifyMessage", modify_message),
    ("deleteMessage", delete_message),
    ("findMessage", find_message),
    ("sendMessageReadReceipt", send_message_read_receipt),
    ("getMessageReadReceiptList", get_message_read_receipt_list),
    ("downloadMergerMessage", download_merger_message),
];

const NONE: JsValue = JsValue::UNDEFINED;

/// `createXxxMessage(options)`: the Message object (kept to be sent), from the moment `login`
/// resolved; before, a rejected Promise with the not-ready reason; wrong options throw.
fn create(d: &mut Driver, type_: &str, options: &JsValue) -> Reply {
    let payload = get(options, "payload");
    create_from(
        d,
        type_,
        options,
        &payload,
        string(options, "cloudCustomData"),
    )
}

/// `createForwardMessage({to, conversationType, payload: message})`: a new message with the
/// content of a received or sent one.
fn create_forward_message(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let message = get(&options, "payload");
    let type_ = string(&message, "type");
    let ccd = string(&message, "cloudCustomData");
    create_from(d, &type_, &options, &get(&message, "payload"), ccd)
}

fn create_from(
    d: &mut Driver,
    type_: &str,
    options: &JsValue,
    payload: &JsValue,
    ccd: String,
) -> Reply {
    let conversation_type = match get(options, "conversationType").as_string().as_deref() {
        Some("C2C") => ConversationType::C2C,
        Some("GROUP") => ConversationType::Group,
        _ => return Reply::Invalid,
    };
    let (Some(to), Some(payload_element)) = (
        get(options, "to").as_string(),
        read::element(type_, payload),
    ) else {
        return Reply::Invalid;
    };
    let draft = MessageDraft {
        to,
        conversation_type,
        payload: payload_element,
        cloud_custom_data: ccd,
        need_read_receipt: get(options, "needReadReceipt").as_bool() == Some(true),
        at_user_list: strings(&get(payload, "atUserList")).unwrap_or_default(),
    };
    Reply::Now(d.core.create_message(now_ms(), draft).map(|message| {
        let js = to_js(&message);
        d.drafts.insert(message.id.clone(), message);
        js
    }))
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

/// `sendMessage(message, options)` of a message createXxxMessage made (or that failed: then it
/// is `resendMessage`); the app's message object shows the outcome.
fn send_message(d: &mut Driver, message: JsValue, options: JsValue) -> Reply {
    let r = d.core.check_ready().and_then(|()| {
        let id = string(&message, "ID");
        match d.drafts.remove(&id) {
            Some(m) => d
                .core
                .send_message_with(now_ms(), m, send_options(&options)),
            None => Err(ApiError::sdk(MESSAGE_SEND_NEED_MESSAGE_INSTANCE)),
        }
    });
    Reply::Later(r, message)
}

fn get_message_list(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let id = string(&options, "conversationID");
    let next = get(&options, "nextReqMessageID").as_string();
    let count = get(&options, "count").as_f64().unwrap_or(0.0) as u32;
    Reply::Later(
        d.core
            .get_message_list(now_ms(), &id, next.as_deref(), count),
        NONE,
    )
}

/// `getMessageListHopping({conversationID, sequence, time, count, direction})`.
fn get_message_list_hopping(d: &mut Driver, options: JsValue, _: JsValue) -> Reply {
    let id = string(&options, "conversationID");
    let num = |k: &str| {
        get(&options, k)
            .as_f64()
            .filter(|v| *v >= 0.0)
            .map(|v| v as u64)
    };
    let newer = get(&options, "direction").as_f64() == Some(1.0);
    let (sequence, time, count) = (
        num("sequence"),
        num("time"),
        num("count").unwrap_or(0) as u32,
    );
    Reply::Later(
        d.core
            .get_message_list_hopping(now_ms(), &id, sequence, time, newer, count),
        NONE,
    )
}

/// The app's message object shows the revocation.
fn revoke_message(d: &mut Driver, message: JsValue, _: JsValue) -> Reply {
    let id = string(&message, "ID");
    Reply::Later(d.core.revoke_message(now_ms(), &id), message)
}

/// Saves the app's changes to a message's payload or cloudCustomData; 2480 on a conflict.
fn modify_message(d: &mut Driver, message: JsValue, _: JsValue) -> Reply {
    let type_ = string(&message, "type");
    let Some(payload) = read::element(&type_, &get(&message, "payload")) else {
        return Reply::Invalid;
    };
    let ccd = string(&message, "cloudCustomData");
    let id = string(&message, "ID");
    Reply::Later(d.core.modify_message(now_ms(), &id, payload, ccd), message)
}

/// Deletes messages from this user's history; resolves `{messageList}`, the app's messages
/// marked `isDeleted`.
fn delete_message(d: &mut Driver, list: JsValue, _: JsValue) -> Reply {
    if each(&list, "conversationType")
        .iter()
        .any(|t| t == "@TIM#SYSTEM")
    {
        return Reply::Now(Err(ApiError::sdk(CANNOT_DELETE_GROUP_SYSTEM_NOTICE)));
    }
    let ids = each(&list, "ID");
    Reply::Later(d.core.delete_messages(now_ms(), ids), list)
}

/// A message this instance has seen lately, by ID; null when unknown (synchronous).
fn find_message(d: &mut Driver, id: JsValue, _: JsValue) -> Reply {
    let id = id.as_string().unwrap_or_default();
    let found = d.core.find_message(&id);
    Reply::Now(Ok(found.map_or(JsValue::NULL, |m| to_js(&m))))
}

/// Tells the sender(s) these received messages were read (C2C: the conversation is read).
fn send_message_read_receipt(d: &mut Driver, list: JsValue, _: JsValue) -> Reply {
    let ids = each(&list, "conversationID");
    Reply::Later(d.core.send_read_receipt(now_ms(), ids, refs(&list)), NONE)
}

/// The messages of `list` as the group receipt ops take them: JSON of each one's `ID`,
/// `conversationID` and `sequence` alone.
fn refs(list: &JsValue) -> String {
    let keys = Array::of3(&"ID".into(), &"conversationID".into(), &"sequence".into());
    let text = js_sys::JSON::stringify_with_replacer(list, &keys).ok();
    text.and_then(|t| t.as_string())
        .unwrap_or_else(|| "[]".into())
}

/// The app's messages with `readReceiptInfo` {readCount, unreadCount}.
fn get_message_read_receipt_list(d: &mut Driver, list: JsValue, _: JsValue) -> Reply {
    let messages = if Array::is_array(&list) {
        let seq = |m: &JsValue| get(m, "sequence").as_f64().unwrap_or(0.0) as u64;
        Array::from(&list)
            .iter()
            .map(|m| (string(&m, "conversationID"), string(&m, "flow"), seq(&m)))
            .collect()
    } else {
        Vec::new()
    };
    let refs = refs(&list);
    Reply::Later(
        d.core
            .get_message_read_receipt_list(now_ms(), messages, refs),
        list,
    )
}

/// The messages of a merger message: they travel inline, so there is nothing to download.
fn download_merger_message(d: &mut Driver, message: JsValue, _: JsValue) -> Reply {
    let list = get(&get(&message, "payload"), "messageList");
    let merger = string(&message, "type") == "TIMRelayElem" && Array::is_array(&list);
    match d.core.check_ready() {
        Ok(()) if merger => Reply::Resolved(list),
        Ok(()) => Reply::Now(Err(ApiError::sdk(MESSAGE_MERGER_TYPE_INVALID))),
        Err(e) => Reply::Now(Err(e)),
    }
}
