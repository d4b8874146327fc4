//! Storage behind one trait per domain ([`UserStore`], [`InboxStore`], [`MessageStore`],
//! [`ConversationStore`]; [`Store`] is their sum), so ops never see SQL. The domain rules that
//! are not SQL (who may revoke or modify, the unread and last-message rules, message IDs) live
//! in [`rules`], which every backend calls; tests/conformance holds the suite every backend
//! must pass. SQLite ([`sqlite`]) is the default engine.
//!
//! Delivery is part of the contract: every inbox item a write creates is published on the
//! [`Bus`](crate::bus::Bus) after its transaction commits and in commit order, so pushes to a
//! user's sessions arrive in inbox order with no gaps.

pub mod conversations;
pub mod inbox;
pub mod messages;
pub mod rules;
pub mod sqlite;
pub mod users;

pub use conversations::{ConversationChange, ConversationStore};
pub use inbox::InboxStore;
pub use messages::{HistoryRange, MessageStore, NewMessage};
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
    #[error("storage failure: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every domain's storage: what the server needs of a backend.
pub trait Store: UserStore + InboxStore + MessageStore + ConversationStore {}

impl<T: UserStore + InboxStore + MessageStore + ConversationStore> Store for T {}

/// Opens the store a database URL names (`sqlite://PATH`).
pub fn open(url: &str, bus: Arc<dyn Bus>) -> Result<sqlite::SqliteStore, String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| format!("unsupported database URL {url:?}: expected sqlite://PATH"))?;
    sqlite::SqliteStore::open(path.as_ref(), bus).map_err(|e| e.to_string())
}
