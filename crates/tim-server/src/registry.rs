//! The session-registry seam: who is logged in where, the web-instance limit, and resume
//! tokens. A connection registers its session here with its [`Link`] (outbound queue and kill
//! switch); the in-process [`Hub`](crate::hub::Hub) is the one implementation today, and one
//! shared between server nodes replaces it without touching connections or ops.

use axum::extract::ws::Utf8Bytes;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};

/// Why a connection's session was ended from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Ended by the server; the official KICKED_OUT type.
    Kicked(&'static str),
    /// Its outbound queue overflowed (or another connection took the session over).
    TooSlow,
}

/// How a session is ended from outside: the connection task waits on this.
#[derive(Default)]
pub struct Kill {
    notify: Notify,
    reason: Mutex<Option<EndReason>>,
}

impl Kill {
    pub fn fire(&self, reason: EndReason) {
        self.reason.lock().expect("kill lock").get_or_insert(reason);
        self.notify.notify_one();
    }

    /// Resolves once the session has been ended, with the first reason given.
    pub async fn fired(&self) -> EndReason {
        loop {
            if let Some(r) = *self.reason.lock().expect("kill lock") {
                return r;
            }
            self.notify.notified().await;
        }
    }
}

/// A connection's side of a session: where its frames go and how to end it.
#[derive(Clone)]
pub struct Link {
    pub tx: mpsc::Sender<Utf8Bytes>,
    pub kill: Arc<Kill>,
}

/// A registered session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub id: u64,
    pub token: String,
    /// The user's sessions now over the web-instance limit, oldest first: the caller kicks
    /// them (`multipleAccount`) through the Bus.
    pub over_limit: Vec<u64>,
}

/// Why a `resume` did not take a session over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeRefused {
    /// Unknown, expired or logged out: log in again.
    Gone,
    /// Kicked while away: tell the client, with this KICKED_OUT type.
    Kicked(&'static str),
}

/// A resumed session.
pub struct Resumed {
    pub app: u64,
    pub user: String,
    pub id: u64,
    pub token: String,
    pub sig_expires_at: u64,
}

pub trait SessionRegistry: Send + Sync + 'static {
    /// Add a logged-in session attached to `link`. When the user now has more than `limit`
    /// sessions, the oldest are named in the answer, to be kicked.
    fn register(
        &self,
        app: u64,
        user: &str,
        link: Link,
        sig_expires_at: u64,
        limit: usize,
    ) -> Registered;

    /// The session's connection is gone; keep the session resumable for the grace period.
    fn detach(&self, app: u64, user: &str, id: u64);

    /// The session is over (logout, or kicked by its own connection): forget it.
    fn remove(&self, app: u64, user: &str, id: u64);

    /// Attach the session of `token` to a new connection.
    fn resume(&self, token: &str, link: Link) -> Result<Resumed, ResumeRefused>;
}
