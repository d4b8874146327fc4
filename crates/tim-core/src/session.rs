//! The state of one login, from `login` to logout, kick or failure: credentials, the connection
//! phase, requests awaiting answers, the inbox cursor and what was learnt about messages. Keeping
//! all of it in one value makes "clear every in-memory state" a matter of dropping it.

use crate::message::SdkMessage;
use crate::output::OpId;
use std::collections::{HashMap, HashSet};
use tim_proto::{InboxEvent, InboxItem, Request};

/// Where the connection of a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// No socket; connect again at `retry_at`.
    Down { retry_at: u64 },
    /// `Connect` was asked for; waiting for the server's hello until `deadline`.
    Opening { deadline: u64 },
    /// The login frame is on its way.
    Authing,
    /// Logged in; fetching the inbox items missed before this connection.
    Syncing,
    /// Logged in and caught up; pushes are delivered as they come.
    Up,
}

impl Kind {
    /// An app's request: it waits out reconnections until its deadline.
    pub(crate) fn is_app(&self) -> bool {
        matches!(self, Kind::Send { .. } | Kind::History { .. })
    }
}

impl Link {
    pub(crate) fn has_socket(self) -> bool {
        !matches!(self, Link::Down { .. })
    }

    /// The server accepts requests on this connection.
    pub(crate) fn logged_in(self) -> bool {
        matches!(self, Link::Syncing | Link::Up)
    }
}

/// A request awaiting its answer (or, queued, a connection to go out on), and what to do with
/// the answer. The request is kept so an app's request can go out again after a reconnect.
#[derive(Debug)]
pub(crate) struct Pending {
    pub deadline: u64,
    pub request: Request,
    pub kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Login,
    Resume,
    Heartbeat,
    Sync,
    /// The message as it was before sending, for the failure report and the client fields.
    Send {
        op: OpId,
        message: Box<SdkMessage>,
    },
    History {
        op: OpId,
    },
}

#[derive(Debug)]
pub(crate) struct Session {
    pub user_id: String,
    pub user_sig: String,
    /// Where the app asked the first sync to start; `None` starts at the login's inbox sequence.
    pub resume_after: Option<u64>,
    /// The app's `login` call, until the server answers the first login frame.
    pub login_op: Option<OpId>,
    /// SDK_READY was fired.
    pub ready: bool,
    pub link: Link,
    /// Failed connection attempts in a row, for the reconnect backoff.
    pub retries: u32,
    pub heartbeat_ms: u64,
    pub next_heartbeat: u64,
    /// When the current connection last received a frame.
    pub last_rx: u64,
    /// From the last login answer: lets a reconnection take the session over without a login.
    pub resume_token: Option<String>,
    /// App requests waiting for the connection to come back, oldest first.
    pub queued: Vec<Pending>,
    /// The last NET_STATE_CHANGE state the app was told (`connected` from SDK_READY on).
    pub net_state: &'static str,
    /// The environment says the network is gone: no reconnection attempts until it is back.
    pub offline: bool,
    /// The last inbox sequence handled; `None` before the first login answer.
    pub cursor: Option<u64>,
    pub sync_pending: bool,
    /// A gap showed while a sync was in flight, whose page may predate the gap's items.
    pub resync: bool,
    /// Messages gathered while syncing, delivered as one batch when caught up.
    pub batch: Vec<SdkMessage>,
    /// By frame id.
    pub pending: HashMap<u64, Pending>,
    /// clientMsgIDs this instance sent whose inbox echo has not come yet.
    pub own_sends: HashSet<String>,
    /// conversationID → message ID → sequence, to turn nextReqMessageID into a history cursor.
    pub sequences: HashMap<String, HashMap<String, u64>>,
}

/// Pending requests oldest first, so they fail in the order they were made. There are only a
/// few at a time: picking the smallest each time beats pulling a sort into the wasm file.
pub(crate) fn in_order(mut pending: HashMap<u64, Pending>) -> Vec<Pending> {
    let mut out = Vec::with_capacity(pending.len());
    while let Some(id) = pending.keys().min().copied() {
        out.extend(pending.remove(&id));
    }
    out
}

impl Session {
    pub(crate) fn new(
        user_id: &str,
        user_sig: &str,
        resume_after: Option<u64>,
        login_op: OpId,
        deadline: u64,
    ) -> Self {
        Session {
            user_id: user_id.into(),
            user_sig: user_sig.into(),
            resume_after,
            login_op: Some(login_op),
            ready: false,
            link: Link::Opening { deadline },
            retries: 0,
            heartbeat_ms: 0,
            next_heartbeat: 0,
            last_rx: 0,
            resume_token: None,
            queued: Vec::new(),
            net_state: "",
            offline: false,
            cursor: None,
            sync_pending: false,
            resync: false,
            batch: Vec::new(),
            pending: HashMap::new(),
            own_sends: HashSet::new(),
            sequences: HashMap::new(),
        }
    }

    /// Takes the next inbox item (the caller checked it is new) and returns the message to
    /// deliver, if any: this instance's own sends are already known to the app.
    pub(crate) fn accept(&mut self, item: InboxItem) -> Option<SdkMessage> {
        self.cursor = Some(item.seq);
        let InboxEvent::Message { message } = item.event;
        let own = message.from == self.user_id && self.own_sends.remove(&message.client_msg_id);
        let message = SdkMessage::stored(message, &self.user_id);
        self.remember(&message);
        (!own).then_some(message)
    }

    pub(crate) fn remember(&mut self, m: &SdkMessage) {
        self.sequences
            .entry(m.conversation_id.clone())
            .or_default()
            .insert(m.id.clone(), m.sequence);
    }
}
