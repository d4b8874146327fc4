//! Relations: rows `(owner, kind, other) → data` of one table: a user's blacklist, friends,
//! friend applications (each one a row on both sides) and friend groups, conversation groups,
//! and groups with their members (a group's rows are owned by its groupID). The store only reads
//! rows and applies a [`Plan`] atomically; what a relation op means (who may add whom, what
//! an acceptance writes) is decided in `ops/relations/` the same for every backend, from rows
//! it read, and the plan's `expect` makes the write fail with [`StoreError::Stale`] when those
//! rows changed in between, so the op reads again and decides again.
//!
//! [`StoreError::Stale`]: super::StoreError::Stale

use super::{NewGroupMessage, StoreResult};
use std::future::Future;
use tim_proto::relation::List;
use tim_proto::InboxEvent;

/// What a row is, and whose list it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `other` is in the owner's blacklist.
    Black = 1,
    /// `other` is in the owner's friend list; data: remark, source, wording, addTime,
    /// friendCustomField.
    Friend = 2,
    /// `other` asked the owner to be friends; data: source, wording, remark, read.
    ComeIn = 3,
    /// The owner asked `other` to be friends; data: source, wording, remark, groupName, type.
    SendOut = 4,
    /// The owner's friend group named `other`; data: userIDList.
    FriendGroup = 5,
    /// The owner subscribed to `other`'s status.
    Subscribe = 6,
    /// The owner's custom status (`other` empty); data: customStatus.
    Status = 7,
    /// The owner's conversation group named `other`; data: conversationIDList.
    ConversationGroup = 8,
    /// The group profile of the owner, a groupID (`other` empty); data: ops/groups' Profile.
    Group = 9,
    /// `other` is a member of the owner, a groupID; data: ops/groups' MemberRow.
    Member = 10,
    /// The owner is in group `other` (the user's group list).
    Joined = 11,
    /// `other` asked to join the owner, a groupID; data: applyMessage.
    GroupApply = 12,
    /// `other` read the owner, a group message's ID (sendMessageReadReceipt).
    Receipt = 13,
    /// The owner's (a groupID's) attribute named `other`; data: its value as a JSON string.
    Attribute = 14,
    /// The owner's (a groupID's) counter named `other`; data: its value as a JSON number
    /// (changed by [`RelationStore::add`]).
    Counter = 15,
}

impl Kind {
    pub fn code(self) -> i64 {
        self as i64
    }
}

/// One row: its key and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub other: String,
    /// A JSON object.
    pub data: String,
    /// When it was written, seconds since the epoch.
    pub time: u64,
}

/// A row's key within an app.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub owner: String,
    pub kind: Kind,
    pub other: String,
}

impl Key {
    pub fn new(owner: &str, kind: Kind, other: &str) -> Key {
        Key {
            owner: owner.to_owned(),
            kind,
            other: other.to_owned(),
        }
    }
}

/// A write of relation rows, all or nothing.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Each key's data as the op read it (`None`: absent); any other state fails the plan.
    pub expect: Vec<(Key, Option<String>)>,
    /// Rows to write (`Some(data)`, stamped now) or delete (`None`), in order.
    pub changes: Vec<(Key, Option<String>)>,
    /// Users whose list changed: each gets a `changed` inbox item for it (once per pair).
    pub tell: Vec<(String, List)>,
    /// Other inbox items to add, each to its user's inbox.
    pub items: Vec<(String, InboxEvent)>,
    /// Group messages stored with the plan (a group's tips), each in its group's next
    /// sequence, pushed to its members once committed; the sender need not be a member.
    pub posts: Vec<NewGroupMessage>,
}

impl Plan {
    /// `key` must be as read (`None`: absent); a key expected already keeps its first reading.
    pub fn expect(&mut self, key: Key, data: Option<&Relation>) {
        if !self.expect.iter().any(|(k, _)| *k == key) {
            self.expect.push((key, data.map(|r| r.data.clone())));
        }
    }

    /// Deletes each of `rows` (keys with their rows as read) that is there, expecting it as
    /// read; its owner is told `list` changed.
    pub fn drop_present<'a>(
        &mut self,
        rows: impl IntoIterator<Item = (&'a Key, &'a Option<Relation>)>,
        list: List,
    ) {
        for (key, row) in rows {
            if let Some(row) = row {
                self.expect(key.clone(), Some(row));
                self.delete(key.clone(), list);
            }
        }
    }

    pub fn put(&mut self, key: Key, data: String, list: List) {
        self.tell(&key.owner, list);
        self.changes.push((key, Some(data)));
    }

    /// A row written (`Some`) or deleted (`None`) that is in none of the four lists: nobody
    /// is told.
    pub fn set(&mut self, key: Key, data: Option<String>) {
        self.changes.push((key, data));
    }

    pub fn delete(&mut self, key: Key, list: List) {
        self.tell(&key.owner, list);
        self.changes.push((key, None));
    }

    pub fn tell(&mut self, user: &str, list: List) {
        if !self.tell.iter().any(|(u, l)| u == user && *l == list) {
            self.tell.push((user.to_owned(), list));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.tell.is_empty()
            && self.items.is_empty()
            && self.posts.is_empty()
    }

    /// `event` goes to `user`'s inbox with the plan.
    pub fn item(&mut self, user: &str, event: InboxEvent) {
        self.items.push((user.to_owned(), event));
    }

    /// `message` goes into its group's sequence with the plan.
    pub fn post(&mut self, message: NewGroupMessage) {
        self.posts.push(message);
    }
}

pub trait RelationStore: Send + Sync + 'static {
    /// The owner's rows of `kind`, oldest first.
    fn relations(
        &self,
        app: u64,
        owner: &str,
        kind: Kind,
    ) -> impl Future<Output = StoreResult<Vec<Relation>>> + Send;

    /// How many rows of `kind` the owner has.
    fn count(
        &self,
        app: u64,
        owner: &str,
        kind: Kind,
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The rows of `keys` (in that order, `None` for absent ones), read at one moment.
    fn relations_at(
        &self,
        app: u64,
        keys: Vec<Key>,
    ) -> impl Future<Output = StoreResult<Vec<Option<Relation>>>> + Send;

    /// Who watches `user`'s status: the users subscribed to it or who have `user` as a friend.
    fn watchers(
        &self,
        app: u64,
        user: &str,
    ) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// Adds `delta` to the number the row of `key` holds (a missing row holds 0) and gives the
    /// sum, atomically: concurrent additions all count. Past the range of an `i64`:
    /// [`StoreError::Invalid`](super::StoreError::Invalid), nothing changed.
    fn add(&self, app: u64, key: Key, delta: i64) -> impl Future<Output = StoreResult<i64>> + Send;

    /// Applies `plan` in one transaction: [`StoreError::Stale`](super::StoreError::Stale)
    /// (and nothing written) when a row is not as `expect` says; each `tell` user gets a
    /// `changed` item and each `items` user that item (users unknown to the store nothing);
    /// each of `posts` is stored and pushed as [`GroupStore::send_group`] does.
    ///
    /// [`GroupStore::send_group`]: super::GroupStore::send_group
    fn relate(&self, app: u64, plan: Plan) -> impl Future<Output = StoreResult<()>> + Send;
}
