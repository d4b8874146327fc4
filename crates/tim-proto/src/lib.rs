//! Wire protocol v1 of tim-wasm, shared by the SDK and tim-server.
//!
//! Every WebSocket text frame is one JSON object. The client sends [`ClientFrame`]s (a request
//! with an `id`); the server sends [`ServerFrame`]s (the `hello` greeting, `ok`/`err` answers
//! that echo the request `id`, and pushes). docs/PROTOCOL.md is the prose form of this file.

use serde::{Deserialize, Serialize};

pub mod codes;

/// The protocol version this crate speaks; `hello` announces it and `login` must carry it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket endpoint path on tim-server.
pub const WS_PATH: &str = "/v1/ws";

/// A client-to-server frame: `{"id": 7, "op": "sendMessage", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    /// Chosen by the client, echoed in the answer; unique among the client's pending requests.
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// The operation a client asks for, tagged by `op` with its arguments under `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "data", rename_all = "camelCase")]
pub enum Request {
    Login(Login),
    Resume(Resume),
    Logout,
    Heartbeat,
    SendMessage(SendMessage),
    Sync(Sync),
    GetHistory(GetHistory),
    GetConversations(GetConversations),
    SetRead(ConversationRef),
    /// Every conversation with unread messages, read.
    SetAllRead,
    RevokeMessage(RevokeMessage),
    ModifyMessage(ModifyMessage),
    DeleteMessages(DeleteMessages),
    DeleteConversation(ConversationRef),
    ClearHistory(ConversationRef),
    PinConversation(PinConversation),
    MarkConversations(MarkConversations),
    SetCustomData(SetCustomData),
}

impl Request {
    /// Every `op` this protocol version knows.
    pub const OPS: &'static [&'static str] = &[
        "login",
        "resume",
        "logout",
        "heartbeat",
        "sendMessage",
        "sync",
        "getHistory",
        "getConversations",
        "setRead",
        "setAllRead",
        "revokeMessage",
        "modifyMessage",
        "deleteMessages",
        "deleteConversation",
        "clearHistory",
        "pinConversation",
        "markConversations",
        "setCustomData",
    ];

    /// The `op` string of this request, as it appears on the wire.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Login(_) => "login",
            Request::Resume(_) => "resume",
            Request::Logout => "logout",
            Request::Heartbeat => "heartbeat",
            Request::SendMessage(_) => "sendMessage",
            Request::Sync(_) => "sync",
            Request::GetHistory(_) => "getHistory",
            Request::GetConversations(_) => "getConversations",
            Request::SetRead(_) => "setRead",
            Request::SetAllRead => "setAllRead",
            Request::RevokeMessage(_) => "revokeMessage",
            Request::ModifyMessage(_) => "modifyMessage",
            Request::DeleteMessages(_) => "deleteMessages",
            Request::DeleteConversation(_) => "deleteConversation",
            Request::ClearHistory(_) => "clearHistory",
            Request::PinConversation(_) => "pinConversation",
            Request::MarkConversations(_) => "markConversations",
            Request::SetCustomData(_) => "setCustomData",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    /// Must equal [`PROTOCOL_VERSION`].
    pub protocol: u32,
    #[serde(rename = "SDKAppID")]
    pub sdk_app_id: u64,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub user_sig: String,
}

/// Take over a session of an earlier connection without a new UserSig check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    /// The `resumeToken` of that session's login.
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    /// `C2C` today; `GROUP` later.
    pub conversation_type: ConversationType,
    /// The peer's userID for C2C.
    pub to: String,
    /// Chosen by the sender and unique among its messages: a retried send with the same ID is
    /// stored once and answered with the original message.
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    pub random: u32,
    pub elements: Vec<Element>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_custom_data: String,
    /// The sender wants to know when the peer has read it (read receipts).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_read_receipt: bool,
    /// Deliver only to sessions online now; not stored, no history, no unread count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online_only: bool,
    /// The official messageControlInfo: not counted as unread for the recipient.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded_from_unread: bool,
    /// The official messageControlInfo: does not become the conversation's last message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded_from_last_message: bool,
    /// The userIDs a text message mentions (createTextAtMessage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_user_list: Vec<String>,
}

/// Ask for every inbox item with a sequence greater than `after`, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sync {
    pub after: u64,
    /// At most [`MAX_SYNC_LIMIT`]; the server clamps larger values.
    #[serde(default = "default_sync_limit")]
    pub limit: u32,
}

pub const MAX_SYNC_LIMIT: u32 = 500;

fn default_sync_limit() -> u32 {
    100
}

/// One page of a conversation's history, newest page first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetHistory {
    /// `C2C<peer userID>`.
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    /// Only messages with a conversation sequence below this; absent for the newest page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_seq: Option<u64>,
    /// Instead, the messages right after this sequence (newer ones, oldest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_seq: Option<u64>,
    /// Instead, the messages right before this time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_time: Option<u64>,
    /// Instead, the messages right after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_time: Option<u64>,
    /// 1 ..= [`MAX_HISTORY_COUNT`].
    pub count: u32,
}

pub const MAX_HISTORY_COUNT: u32 = 100;

/// A page of the caller's conversations, in conversationID order after `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConversations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// 1 ..= [`MAX_CONVERSATIONS_PAGE`].
    pub limit: u32,
}

pub const MAX_CONVERSATIONS_PAGE: u32 = 1000;

/// One of the caller's conversations: `C2C<peer userID>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRef {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeMessage {
    #[serde(rename = "messageID")]
    pub message_id: String,
}

/// Change a message's content (same element types) or cloudCustomData. `version` is the
/// version the caller last saw: if someone changed it since, the request fails (2480).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyMessage {
    #[serde(rename = "messageID")]
    pub message_id: String,
    pub elements: Vec<Element>,
    #[serde(default)]
    pub cloud_custom_data: String,
    #[serde(default)]
    pub version: u64,
}

/// Hide messages from the caller's own history (the peer keeps them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteMessages {
    /// 1 ..= [`MAX_DELETE_MESSAGES`] message IDs of the caller's conversations.
    #[serde(rename = "messageIDList")]
    pub message_ids: Vec<String>,
}

/// The official limit of one deleteMessage call.
pub const MAX_DELETE_MESSAGES: usize = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinConversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub is_pinned: bool,
}

/// Set (`enable`) or clear the mark bits `mark_type` (the official CONV_MARK_TYPE_* values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkConversations {
    #[serde(rename = "conversationIDList")]
    pub conversation_ids: Vec<String>,
    pub mark_type: u32,
    pub enable_mark: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCustomData {
    #[serde(rename = "conversationIDList")]
    pub conversation_ids: Vec<String>,
    pub custom_data: String,
}

/// At most this many conversations in one mark or custom-data request.
pub const MAX_CONVERSATIONS_PER_REQUEST: usize = 100;
/// The official limit on a conversation's custom data.
pub const MAX_CUSTOM_DATA_BYTES: usize = 256;

/// One user's view of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    pub conversation_type: ConversationType,
    /// The other side's userID (C2C).
    pub peer: String,
    pub unread_count: u32,
    pub is_pinned: bool,
    /// Bitmask of CONV_MARK_TYPE_* values.
    pub mark: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub custom_data: String,
    /// The peer has read the caller's messages up to this conversation sequence.
    pub peer_read_seq: u64,
    /// The newest message still in the caller's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Message>,
    /// Server time of the last change (Unix seconds); the list is newest first.
    pub updated: u64,
    /// Deleted by the caller: gone from the list until a new message comes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConversationType {
    #[default]
    C2C,
    #[serde(rename = "GROUP")]
    Group,
}

/// One element of a message body, tagged with the official `TIM*Elem` type names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "content")]
pub enum Element {
    #[serde(rename = "TIMTextElem")]
    Text { text: String },
    #[serde(rename = "TIMCustomElem")]
    Custom {
        #[serde(default)]
        data: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        extension: String,
    },
    #[serde(rename = "TIMFaceElem")]
    Face {
        index: i64,
        #[serde(default)]
        data: String,
    },
    #[serde(rename = "TIMLocationElem")]
    Location {
        #[serde(default)]
        description: String,
        longitude: f64,
        latitude: f64,
    },
    /// A merged ("chat history") message: the official TIMRelayElem.
    #[serde(rename = "TIMRelayElem", rename_all = "camelCase")]
    Merger {
        #[serde(default)]
        title: String,
        #[serde(default)]
        abstract_list: Vec<String>,
        #[serde(default)]
        compatible_text: String,
        /// The merged messages as the app gave them, JSON text (an array of Message objects).
        message_list: String,
    },
}

impl Element {
    /// Bytes this element adds to the message body, as counted against the body size limit.
    pub fn body_bytes(&self) -> usize {
        match self {
            Element::Text { text } => text.len(),
            Element::Custom {
                data,
                description,
                extension,
            } => data.len() + description.len() + extension.len(),
            Element::Face { data, .. } => 8 + data.len(),
            Element::Location { description, .. } => 16 + description.len(),
            Element::Merger {
                title,
                abstract_list,
                compatible_text,
                message_list,
            } => {
                title.len()
                    + abstract_list.iter().map(String::len).sum::<usize>()
                    + compatible_text.len()
                    + message_list.len()
            }
        }
    }
}

/// The official limit on a message body (elements plus cloudCustomData): 12 KB.
pub const MAX_MESSAGE_BODY_BYTES: usize = 12 * 1024;

/// A stored message as both sides see it. (`Default` is for building one field by field.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Server-assigned, unique within the app.
    #[serde(rename = "ID")]
    pub id: String,
    pub conversation_type: ConversationType,
    pub from: String,
    pub to: String,
    /// Position in the conversation, 1, 2, 3 … shared by both sides of a C2C conversation.
    pub sequence: u64,
    /// Server time of storage, Unix seconds.
    pub time: u64,
    pub random: u32,
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    pub elements: Vec<Element>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_custom_data: String,
    /// Who revoked the message; empty while it is not revoked.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revoker: String,
    /// The sender asked for a read receipt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_read_receipt: bool,
    /// How many times the message was modified.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
    /// Sent with messageControlInfo.excludedFromUnreadCount.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded_from_unread: bool,
    /// Sent with messageControlInfo.excludedFromLastMessage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded_from_last_message: bool,
    /// The userIDs the message mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_user_list: Vec<String>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// An entry of a user's inbox: every event the user must see, numbered 1, 2, 3 … per user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub seq: u64,
    #[serde(flatten)]
    pub event: InboxEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum InboxEvent {
    /// A message sent to the user, or by the user from any session. The owner's conversation
    /// changes with it: it becomes the last message and, when the user received it, the
    /// conversation's unread count grows by one (and the conversation is no longer deleted).
    Message { message: Message },
    /// The user's conversation changed otherwise (read, pinned, marked, deleted …): its new state.
    Conversation { conversation: Conversation },
    /// A message of one of the user's conversations was revoked.
    Revoked { message: Message },
    /// A message of one of the user's conversations was modified: its new content.
    Modified { message: Message },
    /// The peer of a C2C conversation read the user's messages up to `readSeq`.
    PeerRead {
        #[serde(rename = "conversationID")]
        conversation_id: String,
        #[serde(rename = "readSeq")]
        read_seq: u64,
    },
}

/// A server-to-client frame, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerFrame {
    /// Sent once, first, on every new connection.
    Hello(Hello),
    /// A successful answer to the request with the same `id`.
    Ok(OkFrame),
    /// A failed answer (or, with `id` null, a frame that could not be read at all).
    Err(ErrFrame),
    /// A new item of the logged-in user's inbox.
    Inbox(InboxItem),
    /// This session was ended by the server; the connection closes right after.
    Kicked(Kicked),
    /// An online-only message (not stored, not in the inbox): for sessions online now.
    Online(OnlineMessage),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    pub protocol: u32,
    pub server: String,
    /// How often the client should send `heartbeat`.
    pub heartbeat_ms: u64,
    /// A connection silent for this long is closed by the server.
    pub idle_timeout_ms: u64,
    /// Larger request frames are refused with code 80002.
    pub max_frame_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OkFrame {
    pub id: u64,
    #[serde(flatten)]
    pub response: Response,
}

/// The result of a request, tagged by the request's `op` with the result under `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "data", rename_all = "camelCase")]
pub enum Response {
    Login(LoginOk),
    Resume(ResumeOk),
    Logout,
    Heartbeat(HeartbeatOk),
    SendMessage(SendMessageOk),
    Sync(SyncOk),
    GetHistory(GetHistoryOk),
    GetConversations(ConversationsOk),
    SetRead(ConversationsOk),
    SetAllRead(ConversationsOk),
    RevokeMessage(MessageOk),
    ModifyMessage(MessageOk),
    DeleteMessages(ConversationsOk),
    DeleteConversation(ConversationsOk),
    ClearHistory(ConversationsOk),
    PinConversation(ConversationsOk),
    MarkConversations(ConversationsOk),
    SetCustomData(ConversationsOk),
}

/// Conversations as they are now: a page of the list, or the ones a request changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationsOk {
    pub conversations: Vec<Conversation>,
    /// The user's newest inbox item when this was read.
    pub inbox_seq: u64,
    /// For a page: no conversations after the last one.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageOk {
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOk {
    #[serde(rename = "userID")]
    pub user_id: String,
    /// True when this connection was already logged in as this user.
    pub repeat_login: bool,
    /// The highest sequence in the user's inbox right now.
    pub inbox_seq: u64,
    pub server_time: u64,
    /// Lets a later connection take this session over with `resume` (for a while after this
    /// connection drops), keeping its place among the user's web instances.
    pub resume_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeOk {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub inbox_seq: u64,
    pub server_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatOk {
    pub server_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageOk {
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOk {
    pub items: Vec<InboxItem>,
    /// The highest sequence in the inbox when the page was read.
    pub inbox_seq: u64,
    /// No items after the last one returned.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetHistoryOk {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// No more messages exist in the direction asked (older, or newer for `after*`).
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrFrame {
    pub id: Option<u64>,
    pub code: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineMessage {
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kicked {
    /// An official KICKED_OUT type: `multipleAccount`, `userSigExpired`, `REST_API_Kick`, ...
    pub reason: String,
}

/// The official KICKED_OUT type for a kick by the web-instance limit.
pub const KICK_MULTIPLE_ACCOUNT: &str = "multipleAccount";
/// The official KICKED_OUT type for a session whose UserSig expired.
pub const KICK_USERSIG_EXPIRED: &str = "userSigExpired";
/// The official KICKED_OUT type for a kick by the server REST API.
pub const KICK_REST_API: &str = "REST_API_Kick";

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip_client(json: &str) -> ClientFrame {
        let frame: ClientFrame = serde_json::from_str(json).unwrap();
        let back = serde_json::to_string(&frame).unwrap();
        assert_eq!(serde_json::from_str::<ClientFrame>(&back).unwrap(), frame);
        frame
    }

    #[test]
    fn ops_lists_every_request() {
        for r in [Request::Logout, Request::Heartbeat] {
            assert!(Request::OPS.contains(&r.op()));
        }
        assert_eq!(Request::OPS.len(), 18);
    }

    #[test]
    fn unit_requests_need_no_data() {
        let f = round_trip_client(r#"{"id":3,"op":"heartbeat"}"#);
        assert_eq!(f.request, Request::Heartbeat);
        assert_eq!(f.request.op(), "heartbeat");
    }

    #[test]
    fn send_message_reads_official_element_names() {
        let f = round_trip_client(
            r#"{"id":9,"op":"sendMessage","data":{"conversationType":"C2C","to":"bob",
            "clientMsgID":"c-1","random":7,"elements":[{"type":"TIMTextElem","content":{"text":"hi"}},
            {"type":"TIMCustomElem","content":{"data":"d"}}]}}"#,
        );
        let Request::SendMessage(s) = f.request else {
            panic!("not a send")
        };
        assert_eq!(s.elements[0], Element::Text { text: "hi".into() });
        assert_eq!(s.elements[1].body_bytes(), 1);
    }

    #[test]
    fn server_frames_are_tagged_by_type() {
        let ok = ServerFrame::Ok(OkFrame {
            id: 1,
            response: Response::Heartbeat(HeartbeatOk { server_time: 5 }),
        });
        let s = serde_json::to_string(&ok).unwrap();
        assert_eq!(
            s,
            r#"{"type":"ok","id":1,"op":"heartbeat","data":{"serverTime":5}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&s).unwrap(), ok);
        let logout = ServerFrame::Ok(OkFrame {
            id: 2,
            response: Response::Logout,
        });
        let s = serde_json::to_string(&logout).unwrap();
        assert_eq!(serde_json::from_str::<ServerFrame>(&s).unwrap(), logout);
    }

    #[test]
    fn inbox_items_flatten_their_event() {
        let item = InboxItem {
            seq: 4,
            event: InboxEvent::Message {
                message: Message {
                    id: "1-2-3".into(),
                    conversation_type: ConversationType::C2C,
                    from: "a".into(),
                    to: "b".into(),
                    sequence: 1,
                    time: 2,
                    random: 3,
                    client_msg_id: "x".into(),
                    elements: vec![Element::Face {
                        index: 1,
                        data: "tt00".into(),
                    }],
                    cloud_custom_data: String::new(),
                    ..Default::default()
                },
            },
        };
        let s = serde_json::to_string(&ServerFrame::Inbox(item.clone())).unwrap();
        assert!(
            s.starts_with(r#"{"type":"inbox","seq":4,"kind":"message","message":{"ID":"1-2-3""#)
        );
        assert_eq!(
            serde_json::from_str::<ServerFrame>(&s).unwrap(),
            ServerFrame::Inbox(item)
        );
    }
}
