//! Messages: their body (elements and the options the sender gave), the stored message both
//! sides see, and the requests that send, page through, revoke, modify and delete them.

use crate::ids::{ConversationId, ConversationType};
use serde::{Deserialize, Serialize};

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
    /// A group tip (TIMGroupTipElem): who joined, quit, was removed, became or stopped being an
    /// admin, was muted, or what of the group's profile changed; its content is the official
    /// payload (`operationType`, `operatorID`, `userIDList` …). Made by the server only.
    #[serde(rename = "TIMGroupTipElem")]
    GroupTip(crate::Json),
    /// A group system notice (TIMGroupSystemNoticeElem), in the `@TIM#SYSTEM` conversation: a
    /// join request, its answer, a removal, a dismissal …; its content is the official payload
    /// (`operationType`, `operatorID`, `groupProfile` …). Made by the server only.
    #[serde(rename = "TIMGroupSystemNoticeElem")]
    GroupNotice(crate::Json),
}

impl Element {
    /// Made by the server, never sent by a client (a tip, a notice).
    pub fn is_server_made(&self) -> bool {
        matches!(self, Element::GroupTip(_) | Element::GroupNotice(_))
    }
}

/// The official limit on a message body (elements, cloudCustomData and atUserList): 12 KB.
pub const MAX_MESSAGE_BODY_BYTES: usize = 12 * 1024;

/// Bytes of a body's content as stored and counted against [`MAX_MESSAGE_BODY_BYTES`]: the
/// elements as JSON (so that empty elements count too) and cloudCustomData.
pub fn body_bytes(elements: &[Element], cloud_custom_data: &str) -> usize {
    crate::json_len(elements) + cloud_custom_data.len()
}

/// What a sender writes: the content and the options that travel with it. The same value goes
/// from the send request to the store and into every copy of the stored message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageBody {
    pub elements: Vec<Element>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_custom_data: String,
    /// The sender wants to know when the peer has read it (read receipts).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub need_read_receipt: bool,
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

impl MessageBody {
    /// [`body_bytes`] and the atUserList (one line per userID).
    pub fn bytes(&self) -> usize {
        let mentions: usize = self.at_user_list.iter().map(|u| u.len() + 1).sum();
        body_bytes(&self.elements, &self.cloud_custom_data) + mentions
    }
}

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
    #[serde(flatten)]
    pub body: MessageBody,
    /// Who revoked the message; empty while it is not revoked.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revoker: String,
    /// How many times the message was modified.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
    /// Who modified the message last; empty while it is not modified.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modifier: String,
    /// The sender's nick and avatar when it was sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nick: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avatar: String,
    /// The sender's name card in the group when it was sent (group messages).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_card: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Message {
    /// The other side of a C2C message, as `me` sees it.
    pub fn peer_of(&self, me: &str) -> &str {
        if self.from == me {
            &self.to
        } else {
            &self.from
        }
    }

    /// The conversation this message belongs to, as `me` sees it.
    pub fn conversation_of(&self, me: &str) -> ConversationId {
        match self.conversation_type {
            ConversationType::C2C => ConversationId::C2C(self.peer_of(me).to_owned()),
            ConversationType::Group => ConversationId::Group(self.to.clone()),
            ConversationType::System => ConversationId::System,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    pub conversation_type: ConversationType,
    /// The peer's userID for C2C, the groupID for GROUP.
    pub to: String,
    /// Chosen by the sender and unique among its messages: a retried send with the same ID is
    /// stored once and answered with the original message.
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    pub random: u32,
    #[serde(flatten)]
    pub body: MessageBody,
    /// Deliver only to sessions online now; not stored, no history, no unread count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageOk {
    pub message: Message,
}

/// One page of a conversation's history, newest page first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetHistory {
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetHistoryOk {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// No more messages exist in the direction asked (older, or newer for `after*`).
    pub complete: bool,
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

/// A message as it is after a revoke or a modification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageOk {
    pub message: Message,
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
