//! Who is online: the logged-in sessions of every user, in login order, with each one's
//! outbound queue and kill switch. Pushes are serialized once per user and the bytes shared by
//! all of that user's sessions.

use crate::store::DeliverySink;
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tim_proto::{InboxItem, ServerFrame};
use tokio::sync::{mpsc, Notify};

/// Frames queued for one connection. A session whose queue is full is disconnected: it will
/// catch up from its inbox sequence after reconnecting, and memory stays bounded.
pub const OUTBOUND_QUEUE: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Over the app's web-instance limit: the oldest session goes (`multipleAccount`).
    MultipleAccount,
    /// Its outbound queue overflowed.
    TooSlow,
}

/// How the hub ends a session: the connection task waits on this beside its socket.
#[derive(Default)]
pub struct Kill {
    notify: Notify,
    reason: Mutex<Option<EndReason>>,
}

impl Kill {
    fn fire(&self, reason: EndReason) {
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

/// The hub's handle on one logged-in session.
#[derive(Clone)]
pub struct SessionHandle {
    pub id: u64,
    pub tx: mpsc::Sender<Utf8Bytes>,
    pub kill: Arc<Kill>,
}

type UserKey = (u64, String);

#[derive(Default)]
pub struct Hub {
    sessions: Mutex<HashMap<UserKey, Vec<SessionHandle>>>,
    next_id: AtomicU64,
}

/// Serialize a frame once; the bytes are shared (not copied) by every queue they go to.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    serde_json::to_string(frame)
        .expect("server frames always serialize")
        .into()
}

impl Hub {
    pub fn new_session_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Add a logged-in session; when the user now has more than `limit` sessions, the oldest
    /// are removed and ended with [`EndReason::MultipleAccount`].
    pub fn register(&self, app: u64, user: &str, session: SessionHandle, limit: usize) {
        let kicked: Vec<SessionHandle> = {
            let mut map = self.sessions.lock().expect("hub lock");
            let list = map.entry((app, user.to_owned())).or_default();
            list.push(session);
            let excess = list.len().saturating_sub(limit.max(1));
            list.drain(..excess).collect()
        };
        for s in kicked {
            s.kill.fire(EndReason::MultipleAccount);
        }
    }

    pub fn unregister(&self, app: u64, user: &str, id: u64) {
        let mut map = self.sessions.lock().expect("hub lock");
        let key = (app, user.to_owned());
        if let Some(list) = map.get_mut(&key) {
            list.retain(|s| s.id != id);
            if list.is_empty() {
                map.remove(&key);
            }
        }
    }
}

impl DeliverySink for Hub {
    fn deliver(&self, app: u64, user: &str, item: &InboxItem) {
        let targets: Vec<SessionHandle> = {
            let map = self.sessions.lock().expect("hub lock");
            match map.get(&(app, user.to_owned())) {
                Some(list) => list.clone(),
                None => return,
            }
        };
        let frame = encode(&ServerFrame::Inbox(item.clone()));
        for s in targets {
            if let Err(mpsc::error::TrySendError::Full(_)) = s.tx.try_send(frame.clone()) {
                self.unregister(app, user, s.id);
                s.kill.fire(EndReason::TooSlow);
            }
        }
    }
}
