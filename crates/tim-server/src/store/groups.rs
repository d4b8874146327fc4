//! Group messages: each is stored once, in its group's own sequence (1, 2, 3 … per group, the
//! official `sequence`), and pushed to the members online; nothing is written per member. A
//! member's client keeps, per group, the last sequence it has, and asks for what follows after
//! a gap or a reconnection ([`GroupStore::group_after`]), so every member gets each message
//! once and in order without an inbox row per member (docs/ARCHITECTURE.md, Group messages).

use super::{HistoryRange, NewMessage, StoreResult};
use std::future::Future;
use std::sync::Arc;
use tim_proto::Message;

/// A group message as its sender asked for it (`to` is the groupID), with the members to push
/// it to once stored.
#[derive(Debug, Clone)]
pub struct NewGroupMessage {
    pub message: NewMessage,
    pub members: Arc<[String]>,
    /// The sender must be a member (not for the app's administrator, through the REST API).
    pub from_member: bool,
}

/// The most unread messages a group conversation counts.
pub const MAX_UNREAD: u32 = 10_000;

/// The most unread mentioning messages a group conversation lists (the newest).
pub const MAX_MENTIONING: u32 = 20;

/// A member's view of a group's conversation ([`GroupStore::group_view`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupView {
    pub last: Option<Message>,
    pub unread: u32,
    /// The unread ones that mention someone (the op decides whom), oldest first.
    pub mentioning: Vec<Message>,
}

/// The key of a group's conversation (its messages' `conv`): distinct from every C2C key.
pub fn group_key(group: &str) -> String {
    format!("group:{group}")
}

pub trait GroupStore: Send + Sync + 'static {
    /// Store a group message durably in the group's next sequence and push it to `members`
    /// (a `group` frame each) once committed, in commit order. The sender must be a member
    /// of the group when it is stored ([`StoreError::NotMember`](super::StoreError::NotMember)
    /// otherwise) unless not `from_member`. A retry (same sender and client message ID) returns the message stored
    /// first and creates nothing.
    fn send_group(&self, msg: NewGroupMessage)
        -> impl Future<Output = StoreResult<Message>> + Send;

    /// Up to `count` messages of `group` after sequence `from` (`who` is `(me, group, from)`)
    /// next to the bound of `range`,
    /// oldest first, and whether no more exist in that direction; messages `me` deleted are
    /// not shown.
    fn group_history(
        &self,
        app: u64,
        who: (&str, &str, u64),
        range: HistoryRange,
        count: u32,
    ) -> impl Future<Output = StoreResult<(Vec<Message>, bool)>> + Send;

    /// The last sequence of each of `groups` (0 before its first message), in that order.
    fn group_seqs(
        &self,
        app: u64,
        groups: Vec<String>,
    ) -> impl Future<Output = StoreResult<Vec<u64>>> + Send;

    /// `me`'s view of `group`'s conversation: its last message after `cleared` (one that may
    /// be a last message, not deleted by `me`), how many after `read` are unread for `me`
    /// (not `me`'s own, not excluded from unread counts), at most [`MAX_UNREAD`], and the
    /// newest [`MAX_MENTIONING`] of those with an atUserList (not deleted by `me`).
    fn group_view(
        &self,
        app: u64,
        me: &str,
        group: &str,
        read: u64,
        cleared: u64,
    ) -> impl Future<Output = StoreResult<GroupView>> + Send;

    /// Up to `limit` messages of `group` with a sequence above `after`, in sequence order.
    fn group_after(
        &self,
        app: u64,
        group: &str,
        after: u64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Message>>> + Send;
}
