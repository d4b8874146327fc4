//! Conversations: their IDs, each user's own view of one (unread count, pin, marks, custom
//! data, how far the peer has read, the last message), and the requests that list and change
//! them.

use crate::message::Message;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConversationType {
    #[default]
    C2C,
    #[serde(rename = "GROUP")]
    Group,
}

/// The official conversationID, parsed: `C2C<userID>`, `GROUP<groupID>` or `@TIM#SYSTEM`. This
/// is the one place the string form is read and written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationId {
    C2C(String),
    Group(String),
    System,
}

const C2C_PREFIX: &str = "C2C";
const GROUP_PREFIX: &str = "GROUP";
const SYSTEM_ID: &str = "@TIM#SYSTEM";

impl ConversationId {
    /// `None` for anything but the three official forms (an empty userID or groupID included).
    pub fn parse(id: &str) -> Option<ConversationId> {
        if id == SYSTEM_ID {
            return Some(ConversationId::System);
        }
        let (kind, rest): (fn(String) -> ConversationId, _) =
            if let Some(peer) = id.strip_prefix(C2C_PREFIX) {
                (ConversationId::C2C, peer)
            } else {
                (ConversationId::Group, id.strip_prefix(GROUP_PREFIX)?)
            };
        (!rest.is_empty()).then(|| kind(rest.to_owned()))
    }

    /// The official string form (written without the formatting machinery, for the wasm file).
    pub fn to_id_string(&self) -> String {
        let (prefix, rest) = match self {
            ConversationId::C2C(peer) => (C2C_PREFIX, peer.as_str()),
            ConversationId::Group(group) => (GROUP_PREFIX, group.as_str()),
            ConversationId::System => (SYSTEM_ID, ""),
        };
        let mut id = String::with_capacity(prefix.len() + rest.len());
        id.push_str(prefix);
        id.push_str(rest);
        id
    }

    /// The peer of a C2C conversation.
    pub fn c2c_peer(&self) -> Option<&str> {
        match self {
            ConversationId::C2C(peer) => Some(peer),
            _ => None,
        }
    }

    /// The official `type` of the conversation: `C2C`, `GROUP` or `@TIM#SYSTEM`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ConversationId::C2C(_) => C2C_PREFIX,
            ConversationId::Group(_) => GROUP_PREFIX,
            ConversationId::System => SYSTEM_ID,
        }
    }
}

impl Serialize for ConversationId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_id_string())
    }
}

impl<'de> Deserialize<'de> for ConversationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        ConversationId::parse(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unsupported conversationID {id:?}")))
    }
}

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
    /// The user's newest inbox item when this was read.
    pub inbox_seq: u64,
    /// For a page: no conversations after the last one.
    pub complete: bool,
}
