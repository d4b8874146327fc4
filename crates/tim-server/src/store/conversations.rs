//! Each user's view of their conversations: the list, and the changes a user makes to it.

use super::StoreResult;
use std::future::Future;
use tim_proto::ConversationsOk;

/// A change a user makes to their own conversations.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversationChange {
    /// Everything read: unread to 0, and the peer learns how far.
    Read,
    /// Off the list (until a new message) and its history hidden for this user.
    Delete,
    /// History hidden for this user; the conversation stays.
    ClearHistory,
    Pin(bool),
    /// Set (`true`) or clear these mark bits.
    Mark(u32, bool),
    CustomData(String),
}

pub trait ConversationStore: Send + Sync + 'static {
    /// `user`'s conversations with a peer after `after`, in peer order, at most `limit`,
    /// without deleted ones.
    fn conversations(
        &self,
        app: u64,
        user: &str,
        after: Option<String>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;

    /// Apply `change` to `user`'s conversations with `peers` (all must exist, else nothing
    /// changes); returns them as they are now. Each changed conversation is an inbox item of
    /// `user`; a read also tells each peer (a `peerRead` item).
    fn change_conversations(
        &self,
        app: u64,
        user: &str,
        peers: Vec<String>,
        change: ConversationChange,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;

    /// Every conversation of `user` with unread messages, read, in one transaction.
    fn set_all_read(
        &self,
        app: u64,
        user: &str,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;
}
