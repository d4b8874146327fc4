//! The official Message object. [`SdkMessage`] serializes to exactly the fields and names an app
//! written against tim-js-sdk reads, so the driver can hand it to JS unchanged; it is built from a
//! stored `tim_proto::Message` as seen by the logged-in user (flow, peer, conversationID) or from
//! a [`MessageDraft`] before it is sent.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tim_proto::{ConversationType, Element, Message, MessageBody};

pub const STATUS_UNSEND: &str = "unSend";
pub const STATUS_SUCCESS: &str = "success";
pub const STATUS_FAIL: &str = "fail";
pub const FLOW_IN: &str = "in";
pub const FLOW_OUT: &str = "out";

/// What `createXxxMessage` is given: one element, as every official create API makes.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageDraft {
    pub to: String,
    pub conversation_type: ConversationType,
    pub payload: Element,
    pub cloud_custom_data: String,
    /// The official `needReadReceipt` create option.
    pub need_read_receipt: bool,
    /// createTextAtMessage's `payload.atUserList`.
    pub at_user_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SdkMessage {
    /// The server's ID once stored; before that the clientMsgID, which a resend reuses so the
    /// server stores the message once.
    #[serde(rename = "ID")]
    pub id: String,
    /// The `TIM*Elem` name of `payload`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(serialize_with = "serialize_payload")]
    pub payload: Element,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub conversation_type: &'static str,
    pub to: String,
    pub from: String,
    pub flow: &'static str,
    /// Unix seconds: the server's once stored, the client's before.
    pub time: u64,
    pub status: &'static str,
    pub is_revoked: bool,
    pub is_peer_read: bool,
    pub is_read: bool,
    pub priority: &'static str,
    pub nick: String,
    pub avatar: String,
    pub name_card: String,
    pub at_user_list: Vec<String>,
    pub cloud_custom_data: String,
    pub is_deleted: bool,
    pub is_modified: bool,
    pub need_read_receipt: bool,
    pub read_receipt_info: ReadReceiptInfo,
    /// The conversation sequence; 0 until stored.
    pub sequence: u64,
    pub random: u32,
    pub is_resend: bool,
    pub revoker: String,
    pub client_sequence: u64,
    pub client_time: u64,
    /// The server's version of the content (for modifyMessage); not an official field.
    #[serde(skip)]
    pub version: u64,
}

/// Counts are only known for group receipts; the official object leaves them undefined.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceiptInfo {
    pub read_count: Option<u32>,
    pub unread_count: Option<u32>,
}

impl SdkMessage {
    /// A stored message as `me` sees it.
    pub(crate) fn stored(m: Message, me: &str) -> Self {
        let out = m.from == me;
        let conversation = m.conversation_of(me);
        let body = m.body;
        // The server refuses messages without elements, so the fallback is never shown.
        let payload = body.elements.into_iter().next().unwrap_or(Element::Text {
            text: String::new(),
        });
        SdkMessage {
            id: m.id,
            type_: element_type(&payload),
            payload,
            conversation_id: conversation.to_id_string(),
            conversation_type: conversation.type_name(),
            to: m.to,
            from: m.from,
            flow: if out { FLOW_OUT } else { FLOW_IN },
            time: m.time,
            status: STATUS_SUCCESS,
            is_revoked: !m.revoker.is_empty(),
            is_peer_read: false,
            // What the user sent is read by definition; what they received is read once the
            // app says so.
            is_read: out,
            priority: "Normal",
            nick: m.nick,
            avatar: m.avatar,
            name_card: m.name_card,
            at_user_list: body.at_user_list,
            cloud_custom_data: body.cloud_custom_data,
            is_deleted: false,
            is_modified: m.version > 0,
            need_read_receipt: body.need_read_receipt,
            read_receipt_info: ReadReceiptInfo::default(),
            sequence: m.sequence,
            random: m.random,
            is_resend: false,
            revoker: m.revoker,
            client_sequence: m.sequence,
            client_time: m.time,
            version: m.version,
        }
    }

    /// A message `me` is about to send, status `unSend`.
    pub(crate) fn outgoing(
        client_msg_id: String,
        me: &str,
        draft: MessageDraft,
        random: u32,
        client_sequence: u64,
        now_s: u64,
    ) -> Self {
        let message = Message {
            id: client_msg_id.clone(),
            conversation_type: draft.conversation_type,
            from: me.into(),
            to: draft.to,
            time: now_s,
            random,
            client_msg_id,
            body: MessageBody {
                elements: vec![draft.payload],
                cloud_custom_data: draft.cloud_custom_data,
                need_read_receipt: draft.need_read_receipt,
                at_user_list: draft.at_user_list,
                ..MessageBody::default()
            },
            ..Message::default()
        };
        let mut m = Self::stored(message, me);
        m.status = STATUS_UNSEND;
        m.client_sequence = client_sequence;
        m
    }
}

pub(crate) fn element_type(e: &Element) -> &'static str {
    match e {
        Element::Text { .. } => "TIMTextElem",
        Element::Custom { .. } => "TIMCustomElem",
        Element::Face { .. } => "TIMFaceElem",
        Element::Location { .. } => "TIMLocationElem",
        Element::Merger { .. } => "TIMRelayElem",
        Element::GroupTip(_) => "TIMGroupTipElem",
        Element::GroupNotice(_) => "TIMGroupSystemNoticeElem",
    }
}

/// What a conversation list shows for a last message of this kind (the official texts).
pub(crate) fn message_for_show(e: &Element) -> String {
    match e {
        Element::Text { text } => text.clone(),
        Element::Custom { .. } => "[自定义消息]".into(),
        Element::Face { .. } => "[动画表情]".into(),
        Element::Location { .. } => "[位置]".into(),
        Element::Merger { .. } => "[聊天记录]".into(),
        Element::GroupTip(_) => "[群提示消息]".into(),
        Element::GroupNotice(_) => "[群系统通知]".into(),
    }
}

/// Text that is JSON already: the wasm layer's JSON writer inlines it instead of quoting it
/// (other serializers see a string).
struct RawJson<'a>(&'a str);

/// The newtype name by which the JSON writer recognises [`RawJson`].
pub const RAW_JSON: &str = "$tim::RawJson";

impl Serialize for RawJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(RAW_JSON, self.0)
    }
}

/// The official payload is the element's content without its type tag.
pub(crate) fn serialize_payload<S: Serializer>(e: &Element, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Element::Text { text } => {
            let mut p = s.serialize_struct("Payload", 1)?;
            p.serialize_field("text", text)?;
            p.end()
        }
        Element::Custom {
            data,
            description,
            extension,
        } => {
            let mut p = s.serialize_struct("Payload", 3)?;
            p.serialize_field("data", data)?;
            p.serialize_field("description", description)?;
            p.serialize_field("extension", extension)?;
            p.end()
        }
        Element::Face { index, data } => {
            let mut p = s.serialize_struct("Payload", 2)?;
            p.serialize_field("index", index)?;
            p.serialize_field("data", data)?;
            p.end()
        }
        Element::Location {
            description,
            longitude,
            latitude,
        } => {
            let mut p = s.serialize_struct("Payload", 3)?;
            p.serialize_field("description", description)?;
            p.serialize_field("longitude", longitude)?;
            p.serialize_field("latitude", latitude)?;
            p.end()
        }
        Element::Merger {
            title,
            abstract_list,
            compatible_text,
            message_list,
        } => {
            let mut p = s.serialize_struct("Payload", 4)?;
            p.serialize_field("title", title)?;
            p.serialize_field("abstractList", abstract_list)?;
            p.serialize_field("compatibleText", compatible_text)?;
            p.serialize_field("messageList", &RawJson(message_list))?;
            p.end()
        }
        // The server writes the official payload.
        Element::GroupTip(payload) | Element::GroupNotice(payload) => payload.serialize(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    fn message(from: &str, to: &str, element: Element) -> Message {
        Message {
            id: "m-1".into(),
            conversation_type: ConversationType::C2C,
            from: from.into(),
            to: to.into(),
            sequence: 4,
            time: 1_700_000_000,
            random: 9,
            client_msg_id: "c-1".into(),
            body: MessageBody {
                elements: vec![element],
                cloud_custom_data: "ccd".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn received_message_has_official_fields() {
        let m = SdkMessage::stored(
            message("bob", "alice", Element::Text { text: "hi".into() }),
            "alice",
        );
        assert_eq!(
            to_value(&m).unwrap(),
            json!({
                "ID": "m-1", "type": "TIMTextElem", "payload": {"text": "hi"},
                "conversationID": "C2Cbob", "conversationType": "C2C",
                "to": "alice", "from": "bob", "flow": "in", "time": 1_700_000_000,
                "status": "success", "isRevoked": false, "isPeerRead": false, "isRead": false,
                "priority": "Normal", "nick": "", "avatar": "", "nameCard": "",
                "atUserList": [], "cloudCustomData": "ccd", "isDeleted": false,
                "isModified": false, "needReadReceipt": false,
                "readReceiptInfo": {"readCount": null, "unreadCount": null},
                "sequence": 4, "random": 9, "isResend": false, "revoker": "",
                "clientSequence": 4, "clientTime": 1_700_000_000
            })
        );
    }

    #[test]
    fn sent_message_belongs_to_the_recipients_conversation() {
        let m = SdkMessage::stored(
            message("alice", "bob", Element::Text { text: "hi".into() }),
            "alice",
        );
        assert_eq!((m.flow, m.conversation_id.as_str()), (FLOW_OUT, "C2Cbob"));
        assert!(m.is_read);
    }

    #[test]
    fn payloads_drop_the_type_tag() {
        let cases = [
            (
                Element::Custom {
                    data: "d".into(),
                    description: "x".into(),
                    extension: "e".into(),
                },
                "TIMCustomElem",
                json!({"data": "d", "description": "x", "extension": "e"}),
            ),
            (
                Element::Face {
                    index: 2,
                    data: "tt".into(),
                },
                "TIMFaceElem",
                json!({"index": 2, "data": "tt"}),
            ),
            (
                Element::Location {
                    description: "here".into(),
                    longitude: 1.5,
                    latitude: -2.25,
                },
                "TIMLocationElem",
                json!({"description": "here", "longitude": 1.5, "latitude": -2.25}),
            ),
            (
                Element::GroupTip(tim_proto::Json(
                    r#"{"operationType":1,"userIDList":["b"]}"#.into(),
                )),
                "TIMGroupTipElem",
                json!({"operationType": 1, "userIDList": ["b"]}),
            ),
        ];
        for (element, type_, payload) in cases {
            let v = to_value(SdkMessage::stored(message("a", "b", element), "b")).unwrap();
            assert_eq!((&v["type"], &v["payload"]), (&json!(type_), &payload));
        }
    }

    #[test]
    fn outgoing_message_is_unsent_until_stored() {
        let draft = MessageDraft {
            to: "bob".into(),
            conversation_type: ConversationType::C2C,
            payload: Element::Text { text: "yo".into() },
            cloud_custom_data: String::new(),
            need_read_receipt: false,
            at_user_list: Vec::new(),
        };
        let m = SdkMessage::outgoing("c-7".into(), "alice", draft, 5, 7, 1_000);
        assert_eq!(
            (
                m.id.as_str(),
                m.status,
                m.flow,
                m.sequence,
                m.client_sequence
            ),
            ("c-7", STATUS_UNSEND, FLOW_OUT, 0, 7)
        );
        assert_eq!((m.time, m.client_time, m.random), (1_000, 1_000, 5));
    }
}
