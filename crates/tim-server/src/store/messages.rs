//! Message storage: sending (idempotent by clientMsgID), history pages, revoking, modifying and
//! per-user deletion. Each write also appends the inbox items it causes.

use super::StoreResult;
use std::future::Future;
use tim_proto::{ConversationsOk, Message, MessageBody, ModifyMessage};

/// A one-to-one message as the sender asked for it; the store adds ID, sequence and time.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub app: u64,
    pub from: String,
    pub to: String,
    pub client_msg_id: String,
    pub random: u32,
    pub body: MessageBody,
    /// The most bytes of message bodies the sender may have stored, this one included (0: no
    /// limit); past it the send is refused with
    /// [`StoreError::QuotaExceeded`](super::StoreError::QuotaExceeded).
    pub quota_bytes: u64,
    /// The sender's name card in the group (a group message's; the op read it with the
    /// sender's member row), stored with the message as the official does.
    pub name_card: String,
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

/// What a deletion changed: the C2C conversations whose last message moved (each also an
/// inbox item), and the groups of the group messages deleted (their conversations are views the
/// op reads again).
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    pub page: ConversationsOk,
    pub groups: Vec<String>,
}

pub trait MessageStore: Send + Sync + 'static {
    /// Store a one-to-one message durably. A retry (same sender and client message ID)
    /// returns the message stored first and creates nothing. The recipient must exist.
    fn send_c2c(&self, msg: NewMessage) -> impl Future<Output = StoreResult<Message>> + Send;

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

    /// Revoke the message with ID `message_id` if `user` may ([`rules::revoke`](super::rules::revoke):
    /// its sender within `limit_secs`, or a manager of its group); both sides (or every member
    /// of its group) get a `revoked` inbox item.
    /// Revoking it again changes nothing.
    fn revoke(
        &self,
        app: u64,
        user: &str,
        message_id: &str,
        limit_secs: u64,
    ) -> impl Future<Output = StoreResult<Message>> + Send;

    /// Replace the content of a message of `user`'s conversations (or groups) if
    /// [`rules::modify`](super::rules::modify) allows it (only its sender's when `sender_only`),
    /// recording `user` as its modifier; both sides (or every member) get a `modified` item.
    fn modify(
        &self,
        app: u64,
        user: &str,
        change: ModifyMessage,
        sender_only: bool,
    ) -> impl Future<Output = StoreResult<Message>> + Send;

    /// Hide the messages with these IDs from `user`'s history; each must be in one of `user`'s
    /// conversations (or groups), else nothing changes.
    fn delete_messages(
        &self,
        app: u64,
        user: &str,
        messages: Vec<String>,
    ) -> impl Future<Output = StoreResult<Deleted>> + Send;
}
