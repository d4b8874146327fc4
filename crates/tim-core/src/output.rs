//! Everything the core hands its driver: [`Effect`]s to carry out, the [`Event`]s to fire on
//! the SDK instance, and the results API promises resolve with. Events and results serialize to
//! the official `data` shapes so the driver can pass them to JS unchanged.

use crate::conversations::list::SdkConversation;
use crate::error::ApiError;
use crate::messages::object::{ReadReceiptInfo, SdkMessage};
use serde::Serialize;
use tim_proto::relation::List;
use tim_proto::{ClientFrame, Json};

/// Names one API call; its result comes later as [`Effect::Complete`].
pub type OpId = u64;

pub const NET_STATE_CONNECTED: &str = "connected";
pub const NET_STATE_CONNECTING: &str = "connecting";
pub const NET_STATE_DISCONNECTED: &str = "disconnected";

/// Work for the driver, in the order the core queued it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a WebSocket to the server, then feed its frames to `on_frame` and its end to
    /// `on_close`.
    Connect,
    /// Serialize and send this frame on the open socket.
    Send(ClientFrame),
    /// Close the socket and deliver no more of its frames or its close: the core has already
    /// forgotten it.
    Close,
    /// Fire this event on the SDK instance.
    Emit(Event),
    /// Settle the promise of this API call.
    Complete(OpId, Result<OpOk, ApiError>),
}

/// An official `TIM.EVENT`; serializes to the event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Event {
    SdkReady,
    SdkNotReady,
    MessageReceived(Vec<SdkMessage>),
    MessageRevoked(Vec<SdkMessage>),
    MessageModified(Vec<SdkMessage>),
    MessageReadByPeer(Vec<SdkMessage>),
    MessageReadReceiptReceived(Vec<ReadReceipt>),
    /// The same event for group messages, its data as the server wrote it.
    GroupReadReceiptReceived(Json),
    ConversationListUpdated(Vec<SdkConversation>),
    TotalUnreadMessageCountUpdated(u32),
    /// The changed profiles, as the server sent them.
    ProfileUpdated(Vec<Json>),
    /// BLACKLIST_UPDATED, FRIEND_LIST_UPDATED, FRIEND_APPLICATION_LIST_UPDATED or
    /// FRIEND_GROUP_LIST_UPDATED: a whole list.
    ListUpdated(ListUpdate),
    /// The names of the user's conversation groups.
    ConversationGroupListUpdated(Vec<String>),
    /// `[{userID, statusType, customStatus}]`, as the server sent it.
    UserStatusUpdated(Json),
    /// `{groupID, groupAttributes, updatedKeyList, deletedKeyList}`, as the server sent it.
    GroupAttributesUpdated(Json),
    /// `{groupID, key, value}`, as the server sent it.
    GroupCounterUpdated(Json),
    KickedOut {
        #[serde(rename = "type")]
        type_: String,
    },
    NetStateChange {
        state: &'static str,
    },
    Error {
        code: u32,
        message: String,
    },
}

impl Event {
    /// The event's `TIM.EVENT` value, the `name` listeners receive.
    pub fn name(&self) -> &'static str {
        match self {
            Event::SdkReady => "sdkStateReady",
            Event::SdkNotReady => "sdkStateNotReady",
            Event::MessageReceived(_) => "onMessageReceived",
            Event::MessageRevoked(_) => "onMessageRevoked",
            Event::MessageModified(_) => "onMessageModified",
            Event::MessageReadByPeer(_) => "onMessageReadByPeer",
            Event::MessageReadReceiptReceived(_) | Event::GroupReadReceiptReceived(_) => {
                "onMessageReadReceiptReceived"
            }
            Event::ConversationListUpdated(_) => "onConversationListUpdated",
            Event::TotalUnreadMessageCountUpdated(_) => "onTotalUnreadMessageCountUpdated",
            Event::ProfileUpdated(_) => "onProfileUpdated",
            Event::ListUpdated(u) => match u.list {
                List::Blacklist => "blacklistUpdated",
                List::Friends => "onFriendListUpdated",
                List::FriendApplications => "onFriendApplicationListUpdated",
                List::FriendGroups => "onFriendGroupListUpdated",
                List::Groups => "onGroupListUpdated",
            },
            Event::UserStatusUpdated(_) => "onUserStatusUpdated",
            Event::GroupAttributesUpdated(_) => "groupAttributesUpdated",
            Event::GroupCounterUpdated(_) => "onGroupCounterUpdated",
            Event::ConversationGroupListUpdated(_) => "onConversationGroupListUpdated",
            Event::KickedOut { .. } => "kickedOut",
            Event::NetStateChange { .. } => "netStateChange",
            Event::Error { .. } => "error",
        }
    }
}

/// A relation list as the server answered its get method; serializes to that answer's data.
#[derive(Debug, Clone, PartialEq)]
pub struct ListUpdate {
    pub list: List,
    pub data: Json,
}

impl Serialize for ListUpdate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.data.serialize(s)
    }
}

/// One entry of MESSAGE_READ_RECEIPT_RECEIVED: a C2C message the peer has read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceipt {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "messageID")]
    pub message_id: String,
    pub read_count: u32,
    pub unread_count: u32,
}

/// A resolved API call; serializes to the official IMResponse `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OpOk {
    Login(LoginOk),
    /// A stateless method's result `data`, as the server sent it.
    Json(Json),
    /// `{}`: logout, setMessageRead, clearHistoryMessage.
    Empty {},
    Send(SendOk),
    MessageList(MessageList),
    ConversationList(ConversationList),
    ConversationProfile {
        conversation: Box<SdkConversation>,
    },
    ConversationID {
        #[serde(rename = "conversationID")]
        conversation_id: String,
    },
    ConversationIDList {
        #[serde(rename = "conversationIDList")]
        conversation_id_list: Vec<String>,
    },
    /// What changed on the app's own messages (deleteMessage, getMessageReadReceiptList): the
    /// driver assigns each onto the message the app passed at the same place.
    Patched {
        #[serde(rename = "messageList")]
        message_list: Vec<MessagePatch>,
    },
    /// markConversation and setConversationCustomData.
    SuccessList {
        #[serde(rename = "successConversationIDList")]
        success: Vec<String>,
        #[serde(rename = "failureConversationIDList")]
        failure: Vec<String>,
    },
}

/// The fields an API changes on one of the app's messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_receipt_info: Option<ReadReceiptInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationList {
    pub conversation_list: Vec<SdkConversation>,
    pub is_sync_completed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOk {
    pub repeat_login: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_info: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendOk {
    pub message: Box<SdkMessage>,
}

/// One page of `getMessageList`, oldest message first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageList {
    pub message_list: Vec<SdkMessage>,
    /// The ID to pass to get the page before this one.
    #[serde(rename = "nextReqMessageID")]
    pub next_req_message_id: String,
    pub is_completed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    #[test]
    fn events_serialize_to_their_official_data() {
        let kicked = Event::KickedOut {
            type_: "multipleAccount".into(),
        };
        assert_eq!(kicked.name(), "kickedOut");
        assert_eq!(
            to_value(&kicked).unwrap(),
            json!({"type": "multipleAccount"})
        );
        let net = Event::NetStateChange {
            state: NET_STATE_CONNECTED,
        };
        assert_eq!(to_value(&net).unwrap(), json!({"state": "connected"}));
        assert_eq!(Event::SdkReady.name(), "sdkStateReady");
        assert_eq!(to_value(Event::MessageReceived(vec![])).unwrap(), json!([]));
    }

    #[test]
    fn results_serialize_to_their_official_data() {
        let login = OpOk::Login(LoginOk {
            repeat_login: false,
            error_info: None,
        });
        assert_eq!(to_value(&login).unwrap(), json!({"repeatLogin": false}));
        assert_eq!(to_value(OpOk::Empty {}).unwrap(), json!({}));
        let list = OpOk::MessageList(MessageList {
            message_list: vec![],
            next_req_message_id: "m".into(),
            is_completed: true,
        });
        assert_eq!(
            to_value(&list).unwrap(),
            json!({"messageList": [], "nextReqMessageID": "m", "isCompleted": true})
        );
    }

    #[test]
    fn errors_serialize_to_im_error() {
        let e = ApiError::new(70001, "expired");
        assert_eq!(
            to_value(&e).unwrap(),
            json!({"code": 70001, "message": "expired", "data": {}})
        );
    }
}
