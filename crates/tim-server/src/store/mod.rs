//! Storage behind one trait, so the session and message code never sees SQL. SQLite is the
//! default engine; a PostgreSQL implementation plugs in here without touching the callers.
//!
//! Delivery is part of the contract: every inbox item a write creates is handed to the
//! [`DeliverySink`] after its transaction commits and in commit order, so pushes to a user's
//! sessions arrive in inbox order with no gaps.

use std::future::Future;
use std::sync::Arc;
use tim_proto::{ConversationsOk, Element, InboxItem, Message};

pub mod sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("no such conversation or message: {0}")]
    NotFound(String),
    #[error("only the sender may revoke a message")]
    NotSender,
    #[error("the message is older than the revoke time limit")]
    RevokeTooLate,
    #[error("the message was modified since")]
    ModifyConflict,
    #[error("{0}")]
    Invalid(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A one-to-one message as the sender asked for it; the store adds ID, sequence and time.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub app: u64,
    pub from: String,
    pub to: String,
    pub client_msg_id: String,
    pub random: u32,
    pub elements: Vec<Element>,
    pub cloud_custom_data: String,
    pub need_read_receipt: bool,
    pub excluded_from_unread: bool,
    pub excluded_from_last_message: bool,
    pub at_user_list: Vec<String>,
}

/// Where a page of history is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryRange {
    /// The newest messages with a sequence below this (the newest of all when `None`).
    BeforeSeq(Option<u64>),
    /// The oldest messages with a sequence above this.
    AfterSeq(u64),
    /// The newest messages sent before this time.
    BeforeTime(u64),
    /// The oldest messages sent after this time.
    AfterTime(u64),
}

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

/// Receives every committed inbox item, in commit order.
pub trait DeliverySink: Send + Sync + 'static {
    fn deliver(&self, app: u64, user: &str, item: &InboxItem);
}

/// A page of a user's inbox.
#[derive(Debug, Clone)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub inbox_seq: u64,
    pub complete: bool,
}

pub trait Store: Send + Sync + 'static {
    /// Create the user if new; returns the user's current inbox sequence.
    fn login_user(&self, app: u64, user: &str) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Store a one-to-one message durably. A retry (same sender and client message ID)
    /// returns the message stored first and creates nothing.
    fn send_c2c(&self, msg: NewMessage) -> impl Future<Output = StoreResult<Message>> + Send;

    /// Items of `user`'s inbox with a sequence above `after`, oldest first, at most `limit`.
    fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<InboxPage>> + Send;

    /// `user`'s conversations with a peer after `after`, in peer order, at most `limit`.
    fn conversations(
        &self,
        app: u64,
        user: &str,
        after: Option<String>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;

    /// Apply `change` to `user`'s conversations with `peers` (all must exist); returns them as
    /// they are now. Each changed conversation is an inbox item of `user`; a read also tells
    /// each peer (a `peerRead` item).
    fn change_conversations(
        &self,
        app: u64,
        user: &str,
        peers: Vec<String>,
        change: ConversationChange,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;

    /// Revoke the message with row number `message` if `user` sent it at most `limit_secs`
    /// ago; both sides get a `revoked` inbox item. Revoking it again changes nothing.
    fn revoke(
        &self,
        app: u64,
        user: &str,
        message: i64,
        limit_secs: u64,
    ) -> impl Future<Output = StoreResult<Message>> + Send;

    /// Replace the content of a message of `user`'s conversations (same element types) if its
    /// version is still `version`; both sides get a `modified` inbox item.
    fn modify(
        &self,
        app: u64,
        user: &str,
        change: tim_proto::ModifyMessage,
    ) -> impl Future<Output = StoreResult<Message>> + Send;

    /// Hide the messages with these IDs from `user`'s history; each must be in one of `user`'s
    /// conversations. Returns the conversations whose last message changed (each also an
    /// inbox item of `user`).
    fn delete_messages(
        &self,
        app: u64,
        user: &str,
        messages: Vec<String>,
    ) -> impl Future<Output = StoreResult<ConversationsOk>> + Send;

    /// Up to `count` messages of the conversation of `me` and `peer` next to the bound of
    /// `range`, oldest first, and whether no more exist in that direction. Messages `me`
    /// cleared or deleted (or whose conversation `me` deleted) are not shown.
    fn history_c2c(
        &self,
        app: u64,
        me: &str,
        peer: &str,
        range: HistoryRange,
        count: u32,
    ) -> impl Future<Output = StoreResult<(Vec<Message>, bool)>> + Send;
}

/// `${rowid}-${time}-${random}`: the official `${senderTinyID}-${clientTime}-${random}` shape,
/// with the app-wide row number of the message where the official puts the sender's ID.
pub fn message_id(rowid: i64, time: u64, random: u32) -> String {
    format!("{rowid}-{time}-{random}")
}

/// The row number in a message ID made by [`message_id`].
pub fn message_rowid(id: &str) -> Option<i64> {
    let (rowid, rest) = id.split_once('-')?;
    rest.contains('-').then_some(())?;
    rowid.parse().ok().filter(|n| *n > 0)
}

/// The key of the conversation of two users: the same for both sides, unambiguous for any IDs.
pub fn c2c_key(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("c2c:{}:{lo}{hi}", lo.len())
}

/// Opens the store a database URL names (`sqlite://PATH`).
pub fn open_sqlite(url: &str, sink: Arc<dyn DeliverySink>) -> Result<sqlite::SqliteStore, String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| format!("unsupported database URL {url:?}: expected sqlite://PATH"))?;
    sqlite::SqliteStore::open(path.as_ref(), sink).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::c2c_key;

    #[test]
    fn message_ids_give_back_their_row() {
        assert_eq!(
            super::message_rowid(&super::message_id(12, 1_700_000_000, 7)),
            Some(12)
        );
        for bad in ["", "12", "12-3", "x-1-2", "0-1-2", "-1-2-3"] {
            assert_eq!(super::message_rowid(bad), None, "{bad}");
        }
    }

    #[test]
    fn c2c_keys_are_symmetric_and_unambiguous() {
        assert_eq!(c2c_key("alice", "bob"), c2c_key("bob", "alice"));
        assert_ne!(c2c_key("ab", "c"), c2c_key("a", "bc"));
    }
}
