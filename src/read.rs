//! Server frames from the objects `JSON.parse` makes, read field by field. serde's derived
//! readers for tagged enums would bring its buffering and error-formatting machinery into the
//! wasm file (tens of kilobytes); the few frame shapes of docs/PROTOCOL.md are read here
//! instead. A frame that does not match gives `None` and is dropped.

use js_sys::{Array, Reflect, JSON};
use tim_proto::conversation::GroupAtInfo;
use tim_proto::group::{GroupPush, SyncGroupsOk};
use tim_proto::relation::List;
use tim_proto::{
    Conversation, ConversationGroup, ConversationId, ConversationType, ConversationsOk, Element,
    ErrFrame, GetHistoryOk, HeartbeatOk, Hello, InboxEvent, InboxItem, Json, Kicked, LoginOk,
    Message, MessageBody, MessageOk, OkFrame, OnlineMessage, Op, Response, ResumeOk, SendMessageOk,
    ServerFrame, SyncOk,
};
use wasm_bindgen::JsValue;

pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// A string field that may be absent (the protocol omits empty optional strings).
fn string_or_empty(v: &JsValue, key: &str) -> String {
    string(v, key).unwrap_or_default()
}

fn number(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

fn uint(v: &JsValue, key: &str) -> Option<u64> {
    number(v, key)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64)
}

fn conversation_id(v: &JsValue, key: &str) -> Option<ConversationId> {
    ConversationId::parse(&string(v, key)?)
}

fn flag(v: &JsValue, key: &str) -> Option<bool> {
    get(v, key).as_bool()
}

/// `[groupID, sequence]`.
fn group_seq(v: &JsValue) -> Option<(String, u64)> {
    let pair = Array::from(v);
    let seq = pair
        .get(1)
        .as_f64()
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)?;
    Some((pair.get(0).as_string()?, seq as u64))
}

fn list<T>(v: &JsValue, key: &str, item: impl Fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    let value = get(v, key);
    if !Array::is_array(&value) {
        return None;
    }
    Array::from(&value).iter().map(|x| item(&x)).collect()
}

pub(crate) fn frame(v: &JsValue) -> Option<ServerFrame> {
    Some(match string(v, "type")?.as_str() {
        "hello" => ServerFrame::Hello(Hello {
            protocol: uint(v, "protocol")? as u32,
            server: string_or_empty(v, "server"),
            heartbeat_ms: uint(v, "heartbeatMs")?,
            idle_timeout_ms: uint(v, "idleTimeoutMs")?,
            max_frame_bytes: uint(v, "maxFrameBytes")?,
        }),
        "ok" => ServerFrame::Ok(OkFrame {
            id: uint(v, "id")?,
            response: response(&string(v, "op")?, &get(v, "data"))?,
        }),
        "err" => ServerFrame::Err(ErrFrame {
            id: uint(v, "id"),
            code: uint(v, "code")? as u32,
            message: string_or_empty(v, "message"),
        }),
        "inbox" => ServerFrame::Inbox(inbox_item(v)?),
        "online" => ServerFrame::Online(OnlineMessage {
            message: message(&get(v, "message"))?,
        }),
        "kicked" => ServerFrame::Kicked(Kicked {
            reason: string(v, "reason")?,
        }),
        "group" => ServerFrame::Group(GroupPush {
            message: message(&get(v, "message"))?,
        }),
        "status" => ServerFrame::Status(tim_proto::status::StatusPush {
            user_status_list: json(&get(v, "userStatusList")),
        }),
        "groupEvent" => ServerFrame::GroupEvent(tim_proto::group::GroupEvent {
            event: string(v, "event")?,
            data: json(&get(v, "data")),
        }),
        _ => return None,
    })
}

/// JSON text of a value `JSON.parse` made (`null` for none).
fn json(v: &JsValue) -> Json {
    let text = JSON::stringify(v).ok().and_then(|s| s.as_string());
    Json(text.unwrap_or_else(|| "null".into()))
}

fn response(op: &str, data: &JsValue) -> Option<Response> {
    // A stateless op's data is the official result: kept as it is.
    if let Some((op, _)) = Op::stateless(op) {
        return Response::stateless(op, json(data));
    }
    Some(match op {
        "login" => Response::Login(LoginOk {
            user_id: string(data, "userID")?,
            repeat_login: flag(data, "repeatLogin")?,
            inbox_seq: uint(data, "inboxSeq")?,
            server_time: uint(data, "serverTime")?,
            resume_token: string(data, "resumeToken")?,
            groups: list(data, "groups", group_seq).unwrap_or_default(),
        }),
        "resume" => Response::Resume(ResumeOk {
            user_id: string(data, "userID")?,
            inbox_seq: uint(data, "inboxSeq")?,
            server_time: uint(data, "serverTime")?,
        }),
        "logout" => Response::Logout,
        "heartbeat" => Response::Heartbeat(HeartbeatOk {
            server_time: uint(data, "serverTime")?,
        }),
        "sendMessage" => Response::SendMessage(SendMessageOk {
            message: message(&get(data, "message"))?,
        }),
        "sync" => Response::Sync(SyncOk {
            items: list(data, "items", inbox_item)?,
            inbox_seq: uint(data, "inboxSeq")?,
            complete: flag(data, "complete")?,
        }),
        "getHistory" => Response::GetHistory(GetHistoryOk {
            messages: list(data, "messages", message)?,
            complete: flag(data, "complete")?,
        }),
        "getConversations" => Response::GetConversations(conversations(data)?),
        "setRead" => Response::SetRead(conversations(data)?),
        "setAllRead" => Response::SetAllRead(conversations(data)?),
        "deleteConversation" => Response::DeleteConversation(conversations(data)?),
        "deleteMessages" => Response::DeleteMessages(conversations(data)?),
        "clearHistory" => Response::ClearHistory(conversations(data)?),
        "pinConversation" => Response::PinConversation(conversations(data)?),
        "markConversations" => Response::MarkConversations(conversations(data)?),
        "setCustomData" => Response::SetCustomData(conversations(data)?),
        "revokeMessage" => Response::RevokeMessage(MessageOk {
            message: message(&get(data, "message"))?,
        }),
        "modifyMessage" => Response::ModifyMessage(MessageOk {
            message: message(&get(data, "message"))?,
        }),
        "syncGroups" => Response::SyncGroups(SyncGroupsOk {
            messages: list(data, "messages", message)?,
            groups: list(data, "groups", group_seq)?,
            complete: flag(data, "complete")?,
        }),
        _ => return None,
    })
}

fn conversations(data: &JsValue) -> Option<ConversationsOk> {
    Some(ConversationsOk {
        conversations: list(data, "conversations", conversation)?,
        conversation_groups: conversation_groups(data).unwrap_or_default(),
        inbox_seq: uint(data, "inboxSeq")?,
        complete: flag(data, "complete")?,
    })
}

fn conversation_groups(v: &JsValue) -> Option<Vec<ConversationGroup>> {
    list(v, "conversationGroups", |g| {
        Some(ConversationGroup {
            name: string(g, "name")?,
            conversation_id_list: list(g, "conversationIDList", JsValue::as_string)?,
        })
    })
}

fn conversation(v: &JsValue) -> Option<Conversation> {
    let last = get(v, "lastMessage");
    Some(Conversation {
        id: conversation_id(v, "conversationID")?,
        unread_count: uint(v, "unreadCount")? as u32,
        is_pinned: flag(v, "isPinned")?,
        mark: uint(v, "mark")? as u32,
        custom_data: string_or_empty(v, "customData"),
        peer_read_seq: uint(v, "peerReadSeq")?,
        last_message: if last.is_undefined() || last.is_null() {
            None
        } else {
            Some(message(&last)?)
        },
        updated: uint(v, "updated")?,
        deleted: flag(v, "deleted").unwrap_or(false),
        peer_nick: string_or_empty(v, "peerNick"),
        peer_avatar: string_or_empty(v, "peerAvatar"),
        group_at_info_list: list(v, "groupAtInfoList", |a| {
            Some(GroupAtInfo {
                message_sequence: uint(a, "messageSequence")?,
                at_type: uint(a, "atType")? as u32,
            })
        })
        .unwrap_or_default(),
    })
}

fn conversation_type(v: &JsValue) -> Option<ConversationType> {
    match string(v, "conversationType")?.as_str() {
        "C2C" => Some(ConversationType::C2C),
        "GROUP" => Some(ConversationType::Group),
        "@TIM#SYSTEM" => Some(ConversationType::System),
        _ => None,
    }
}

fn inbox_item(v: &JsValue) -> Option<InboxItem> {
    let event = match string(v, "kind")?.as_str() {
        "message" => InboxEvent::Message {
            message: message(&get(v, "message"))?,
        },
        "conversation" => InboxEvent::Conversation {
            conversation: conversation(&get(v, "conversation"))?,
        },
        "revoked" => InboxEvent::Revoked {
            message: message(&get(v, "message"))?,
        },
        "modified" => InboxEvent::Modified {
            message: message(&get(v, "message"))?,
        },
        "peerRead" => InboxEvent::PeerRead {
            conversation_id: conversation_id(v, "conversationID")?,
            read_seq: uint(v, "readSeq")?,
        },
        "profile" => InboxEvent::Profile {
            profile: json(&get(v, "profile")),
        },
        "conversationGroups" => InboxEvent::ConversationGroups {
            conversation_groups: conversation_groups(v)?,
        },
        "changed" => InboxEvent::Changed {
            list: List::from_name(&string(v, "list")?)?,
        },
        "notice" => InboxEvent::Notice {
            message: message(&get(v, "message"))?,
        },
        "receipts" => InboxEvent::Receipts {
            receipts: json(&get(v, "receipts")),
        },
        _ => return None,
    };
    Some(InboxItem {
        seq: uint(v, "seq")?,
        event,
    })
}

fn message(v: &JsValue) -> Option<Message> {
    Some(Message {
        id: string(v, "ID")?,
        conversation_type: conversation_type(v)?,
        from: string(v, "from")?,
        to: string(v, "to")?,
        sequence: uint(v, "sequence")?,
        time: uint(v, "time")?,
        random: uint(v, "random")? as u32,
        client_msg_id: string(v, "clientMsgID")?,
        body: MessageBody {
            elements: list(v, "elements", |e| {
                element(&string(e, "type")?, &get(e, "content"))
            })?,
            cloud_custom_data: string_or_empty(v, "cloudCustomData"),
            need_read_receipt: flag(v, "needReadReceipt").unwrap_or(false),
            excluded_from_unread: flag(v, "excludedFromUnread").unwrap_or(false),
            excluded_from_last_message: flag(v, "excludedFromLastMessage").unwrap_or(false),
            at_user_list: list(v, "atUserList", JsValue::as_string).unwrap_or_default(),
        },
        revoker: string_or_empty(v, "revoker"),
        version: uint(v, "version").unwrap_or(0),
        // Not read: nothing of the SDK shows who modified a message.
        modifier: String::new(),
        nick: string_or_empty(v, "nick"),
        avatar: string_or_empty(v, "avatar"),
        name_card: string_or_empty(v, "nameCard"),
    })
}

/// An element from its `TIM*Elem` type and its content (the wire's `content`, the official
/// `payload`).
pub(crate) fn element(type_: &str, c: &JsValue) -> Option<Element> {
    Some(match type_ {
        "TIMTextElem" => Element::Text {
            text: string(c, "text")?,
        },
        "TIMCustomElem" => Element::Custom {
            data: string_or_empty(c, "data"),
            description: string_or_empty(c, "description"),
            extension: string_or_empty(c, "extension"),
        },
        "TIMFaceElem" => Element::Face {
            index: number(c, "index").filter(|n| n.fract() == 0.0)? as i64,
            data: string_or_empty(c, "data"),
        },
        "TIMLocationElem" => Element::Location {
            description: string_or_empty(c, "description"),
            longitude: number(c, "longitude")?,
            latitude: number(c, "latitude")?,
        },
        "TIMRelayElem" => {
            // On the wire the list is JSON text; from the app (createMergerMessage) an array.
            let messages = get(c, "messageList");
            let message_list = match messages.as_string() {
                Some(text) => text,
                None if Array::is_array(&messages) => {
                    JSON::stringify(&messages).ok()?.as_string()?
                }
                None => return None,
            };
            Element::Merger {
                title: string_or_empty(c, "title"),
                abstract_list: list(c, "abstractList", JsValue::as_string).unwrap_or_default(),
                compatible_text: string_or_empty(c, "compatibleText"),
                message_list,
            }
        }
        "TIMGroupTipElem" => Element::GroupTip(json(c)),
        "TIMGroupSystemNoticeElem" => Element::GroupNotice(json(c)),
        _ => return None,
    })
}
