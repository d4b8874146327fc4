//! The per-user inbox: every event a user must see, numbered 1, 2, 3 … per user, pushed as it
//! is stored and fetched again with `sync` after any gap. Each event belongs to a domain
//! (messages, conversations, …); its data types live in that domain's file.

use crate::conversation::{Conversation, ConversationGroup};
use crate::ids::ConversationId;
use crate::json::Json;
use crate::message::Message;
use crate::relation::List;
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOk {
    pub items: Vec<InboxItem>,
    /// The highest sequence in the inbox when the page was read.
    pub inbox_seq: u64,
    /// No items after the last one returned.
    pub complete: bool,
}

/// An entry of a user's inbox.
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
        conversation_id: ConversationId,
        #[serde(rename = "readSeq")]
        read_seq: u64,
    },
    /// The user's profile changed (from any session): the official Profile, as it is now.
    Profile { profile: Json },
    /// One of the user's relation lists changed (blacklist, friends, applications, friend
    /// groups): the SDK fetches it again and fires its list event.
    Changed { list: List },
    /// The user's conversation groups changed: all of them as they are now.
    ConversationGroups {
        #[serde(rename = "conversationGroups")]
        conversation_groups: Vec<ConversationGroup>,
    },
    /// A group system notice for the user (a `@TIM#SYSTEM` message, in no conversation list
    /// and no history): the SDK fires MESSAGE_RECEIVED with it.
    Notice { message: Message },
    /// Members of a group read messages of the user's that asked for read receipts: the data
    /// of MESSAGE_READ_RECEIPT_RECEIVED, each message's counts now
    /// (`[{groupID, conversationID, messageID, readCount, unreadCount}]`).
    Receipts { receipts: Json },
}
