//! Conversations: each user's own view of one (unread count, pin, marks, custom
//! data, how far the peer has read, the last message), and the requests that list and change
//! them.

use crate::ids::ConversationId;
use crate::message::Message;
use serde::{Deserialize, Serialize};

/// One user's view of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(rename = "conversationID")]
    pub id: ConversationId,
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
    /// The C2C peer's nick and avatar (in the conversation list's answer; a client keeps the
    /// ones it knows when an item has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub peer_nick: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub peer_avatar: String,
    /// A group conversation's unread messages that mention the caller or everyone, oldest
    /// first (the official `groupAtInfoList`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_at_info_list: Vec<GroupAtInfo>,
}

/// The official `TIM.TYPES.MSG_AT_ALL`: in a message's `atUserList`, it mentions everyone.
pub const AT_ALL: &str = "__kImSDK_MesssageAtALL__";

/// A group message that mentions the user: its sequence and how (the official CONV_AT_ME 1,
/// CONV_AT_ALL 2, CONV_AT_ALL_AT_ME 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupAtInfo {
    pub message_sequence: u64,
    pub at_type: u32,
}

impl GroupAtInfo {
    /// How group message `m` mentions `me`, if it does (never `me`'s own).
    pub fn of(m: &Message, me: &str) -> Option<GroupAtInfo> {
        let list = &m.body.at_user_list;
        let me_too = list.iter().any(|u| u == me);
        let all = list.iter().any(|u| u == AT_ALL);
        let at_type = u32::from(me_too) + 2 * u32::from(all);
        (at_type > 0 && m.from != me).then_some(GroupAtInfo {
            message_sequence: m.sequence,
            at_type,
        })
    }
}

impl Conversation {
    /// A conversation with no state on the server yet.
    pub fn empty(id: ConversationId) -> Conversation {
        Conversation {
            id,
            unread_count: 0,
            is_pinned: false,
            mark: 0,
            custom_data: String::new(),
            peer_read_seq: 0,
            last_message: None,
            updated: 0,
            deleted: false,
            peer_nick: String::new(),
            peer_avatar: String::new(),
            group_at_info_list: Vec::new(),
        }
    }
}

/// A page of the caller's conversations, in conversationID order after `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConversations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ConversationId>,
    /// 1 ..= [`MAX_CONVERSATIONS_PAGE`].
    pub limit: u32,
}

pub const MAX_CONVERSATIONS_PAGE: u32 = 1000;

/// One of the caller's conversations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRef {
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinConversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
    pub is_pinned: bool,
}

/// Set (`enable`) or clear the mark bits `mark_type` (the official CONV_MARK_TYPE_* values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkConversations {
    #[serde(rename = "conversationIDList")]
    pub conversation_ids: Vec<ConversationId>,
    pub mark_type: u32,
    pub enable_mark: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCustomData {
    #[serde(rename = "conversationIDList")]
    pub conversation_ids: Vec<ConversationId>,
    pub custom_data: String,
}

/// At most this many conversations in one mark or custom-data request.
pub const MAX_CONVERSATIONS_PER_REQUEST: usize = 100;
/// The official limit on a conversation's custom data.
pub const MAX_CUSTOM_DATA_BYTES: usize = 256;

/// Conversations as they are now: a page of the list, or the ones a request changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationsOk {
    pub conversations: Vec<Conversation>,
    /// The user's conversation groups (in the first page of the list only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation_groups: Vec<ConversationGroup>,
    /// The user's newest inbox item when this was read.
    pub inbox_seq: u64,
    /// For a page: no conversations after the last one.
    pub complete: bool,
}

/// One of the user's conversation groups: its name and the conversations in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationGroup {
    pub name: String,
    #[serde(rename = "conversationIDList")]
    pub conversation_id_list: Vec<String>,
}

/// Byte limit of a group's name, groups per user and conversations per group (the official
/// 51011, 51010 and 51008).
pub const MAX_CONVERSATION_GROUP_NAME: usize = 32;
pub const MAX_CONVERSATION_GROUPS: usize = 20;
pub const MAX_CONVERSATIONS_IN_GROUP: usize = 1000;

/// `createConversationGroup`, `addConversationsToGroup`, `deleteConversationsFromGroup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupConversations {
    pub group_name: String,
    #[serde(rename = "conversationIDList")]
    pub conversation_id_list: Vec<String>,
}

/// `renameConversationGroup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenameConversationGroup {
    pub old_name: String,
    pub new_name: String,
}
