//! Storage behind one trait per domain ([`UserStore`], [`InboxStore`], [`MessageStore`],
//! [`GroupStore`], [`ConversationStore`], [`ProfileStore`], [`RelationStore`]; [`Store`] is their sum), so ops never see SQL. The domain rules that
//! are not SQL (who may revoke or modify, the unread and last-message rules, message IDs) live
//! in [`rules`], which every backend calls; tests/conformance holds the suite every backend
//! must pass. SQLite ([`sqlite`]) is the default engine; PostgreSQL ([`postgres`]) is shared
//! by several server nodes.
//!
//! Delivery is part of the contract: every inbox item a write creates is published on the
//! [`Bus`](crate::bus::Bus) after its transaction commits and in commit order, so pushes to a
//! user's sessions arrive in inbox order with no gaps.

pub mod conversations;
pub mod groups;
pub mod inbox;
pub mod messages;
pub mod postgres;
pub mod profiles;
pub mod relations;
pub mod rules;
pub mod sql;
pub mod sqlite;
pub mod users;

pub use conversations::{ConversationChange, ConversationStore};
pub use groups::{GroupStore, NewGroupMessage};
pub use inbox::InboxStore;
pub use messages::{Deleted, HistoryRange, MessageStore, NewMessage};
pub use profiles::{ProfilePatch, ProfileStore};
pub use relations::{Key, Kind, Plan, Relation, RelationStore};
pub use users::UserStore;

use crate::bus::Bus;
use std::sync::Arc;

/// Why a store call failed. Backend errors arrive as [`StoreError::Internal`] text: no backend's
/// error type appears here.
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
    /// The sender's stored messages would pass their quota (bytes).
    #[error("the storage quota of {0} bytes is used up")]
    QuotaExceeded(u64),
    #[error("{0}")]
    Invalid(String),
    /// A C2C message to a user who has the sender in their blacklist.
    #[error("the recipient has blocked the sender")]
    Blocked,
    /// A group message from a user who is not a member of the group.
    #[error("not a member of the group")]
    NotMember,
    /// A relation plan's expectations no longer hold: read again and decide again.
    #[error("the relations changed since they were read")]
    Stale,
    /// A concurrent writer (on this node or another) got there first; the backend runs the
    /// write again, and only gives this up after several tries.
    #[error("conflicting with a concurrent write: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every domain's storage: what the server needs of a backend.
pub trait Store:
    UserStore
    + InboxStore
    + MessageStore
    + GroupStore
    + ConversationStore
    + ProfileStore
    + RelationStore
{
}

impl<T> Store for T where
    T: UserStore
        + InboxStore
        + MessageStore
        + GroupStore
        + ConversationStore
        + ProfileStore
        + RelationStore
{
}

/// The database a URL names.
pub enum Database<'a> {
    /// `sqlite://PATH` (or `sqlite:PATH`): a file of this node's.
    Sqlite(&'a str),
    /// `postgres://…` or `postgresql://…`: shared by every node.
    Postgres(&'a str),
}

impl<'a> Database<'a> {
    pub fn parse(url: &'a str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url));
        }
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .map(Database::Sqlite)
            .ok_or_else(|| {
                format!("unsupported database URL {url:?}: expected sqlite://PATH or postgres://…")
            })
    }
}

/// Opens the SQLite store at `path`.
pub fn open_sqlite(path: &str, bus: Arc<dyn Bus>) -> Result<sqlite::SqliteStore, String> {
    sqlite::SqliteStore::open(path.as_ref(), bus).map_err(|e| e.to_string())
}

/// Connects to the PostgreSQL store at `url`.
pub async fn open_postgres(url: &str, bus: Arc<dyn Bus>) -> Result<postgres::PgStore, String> {
    postgres::PgStore::open(url, bus)
        .await
        .map_err(|e| format!("{url}: {e}"))
}
