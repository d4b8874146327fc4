//! The state of one login, from `login` to logout, kick or failure: credentials, the connection
//! phase, requests awaiting answers, the inbox cursor and what was learnt about messages. Keeping
//! all of it in one value makes "clear every in-memory state" a matter of dropping it.

use crate::conversation::Conversations;
use crate::message::SdkMessage;
use crate::output::{OpId, ReadReceipt};
use crate::vecmap::{VecMap, VecSet};
use tim_proto::{InboxEvent, InboxItem, Request};

/// Out messages kept per conversation, to report them when the peer reads them.
const KEPT_OUT_MESSAGES: usize = 100;
/// Messages kept for `findMessage`, newest seen last.
const KEPT_MESSAGES: usize = 1000;

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
        matches!(
            self,
            Kind::Send { .. }
                | Kind::History { .. }
                | Kind::ConversationChange { .. }
                | Kind::Revoke { .. }
                | Kind::Modify { .. }
        )
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
    /// A page of the conversation list while logging in.
    Conversations,
    /// A change to conversations; `result` says how the official API reports it.
    ConversationChange {
        op: OpId,
        result: ChangeResult,
    },
    Revoke {
        op: OpId,
        /// The message's ID, forgotten from the own revokes if this fails.
        id: String,
    },
    Modify {
        op: OpId,
        /// The message's ID, forgotten from the own modifications if this fails.
        id: String,
    },
}

/// The official result shape of a conversation-changing API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChangeResult {
    /// `{}`
    Empty,
    /// `{conversationID}`
    ConversationID(String),
    /// `{conversationIDList}`
    ConversationIDList(Vec<String>),
    /// `{successConversationIDList, failureConversationIDList}`
    SuccessList(Vec<String>),
}

/// What new inbox items mean for the app, gathered to fire as few events as possible.
#[derive(Debug, Default)]
pub(crate) struct News {
    pub received: Vec<SdkMessage>,
    pub revoked: Vec<SdkMessage>,
    pub modified: Vec<SdkMessage>,
    pub read_by_peer: Vec<SdkMessage>,
    pub receipts: Vec<ReadReceipt>,
    pub conversations_changed: bool,
}

impl News {
    pub fn append(&mut self, other: &mut News) {
        self.received.append(&mut other.received);
        self.revoked.append(&mut other.revoked);
        self.modified.append(&mut other.modified);
        self.read_by_peer.append(&mut other.read_by_peer);
        self.receipts.append(&mut other.receipts);
        self.conversations_changed |= other.conversations_changed;
    }
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
    /// What came while syncing, delivered in one go when caught up.
    pub batch: News,
    /// The conversation list, once loaded at the first login.
    pub conversations: Conversations,
    /// The list was loaded; inbox items up to `conv_seq` were already in it.
    pub convs_loaded: bool,
    pub conv_seq: u64,
    /// Messages this instance revoked itself: their `revoked` echo is no news to the app.
    pub own_revokes: VecSet<String>,
    /// Likewise for messages this instance modified.
    pub own_modifies: VecSet<String>,
    /// The total unread count last told to the app.
    pub told_unread: Option<u32>,
    /// The messages seen most recently, for `findMessage`: by ID, and in the order seen.
    pub recent: VecMap<String, SdkMessage>,
    pub recent_order: std::collections::VecDeque<String>,
    /// Recent out messages per conversation, for MESSAGE_READ_BY_PEER.
    pub out_messages: VecMap<String, Vec<SdkMessage>>,
    /// By frame id.
    pub pending: VecMap<u64, Pending>,
    /// clientMsgIDs this instance sent whose inbox echo has not come yet.
    pub own_sends: VecSet<String>,
}

/// Pending requests oldest first, so they fail in the order they were made. There are only a
/// few at a time: picking the smallest each time beats pulling a sort into the wasm file.
pub(crate) fn in_order(mut pending: VecMap<u64, Pending>) -> Vec<Pending> {
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
            batch: News::default(),
            conversations: Conversations::default(),
            convs_loaded: false,
            conv_seq: 0,
            own_revokes: VecSet::default(),
            own_modifies: VecSet::default(),
            told_unread: None,
            recent: VecMap::default(),
            recent_order: std::collections::VecDeque::new(),
            out_messages: VecMap::default(),
            pending: VecMap::default(),
            own_sends: VecSet::default(),
        }
    }

    /// Takes the next inbox item (the caller checked it is new) into `news`. This instance's
    /// own sends and revokes are already known to the app; items the conversation list was
    /// loaded with do not change it again.
    pub(crate) fn accept(&mut self, item: InboxItem, news: &mut News) {
        self.cursor = Some(item.seq);
        let fresh = item.seq > self.conv_seq;
        news.conversations_changed |= fresh;
        match item.event {
            InboxEvent::Message { message } => {
                if fresh {
                    self.conversations.message(&self.user_id, &message);
                }
                let own = message.from == self.user_id
                    && self.own_sends.remove(&message.client_msg_id).is_some();
                let message = self.view(message);
                if !own {
                    news.received.push(message);
                }
            }
            InboxEvent::Conversation { conversation } => {
                if fresh {
                    self.conversations.replace(conversation);
                }
            }
            InboxEvent::Revoked { message } => {
                if fresh {
                    self.conversations.changed(&self.user_id, &message);
                }
                let own = self.own_revokes.remove(&message.id).is_some();
                let message = self.view(message);
                if !own {
                    news.revoked.push(message);
                }
            }
            InboxEvent::Modified { message } => {
                if fresh {
                    self.conversations.changed(&self.user_id, &message);
                }
                let own = self.own_modifies.remove(&message.id).is_some();
                let message = self.view(message);
                if !own {
                    news.modified.push(message);
                }
            }
            InboxEvent::PeerRead {
                conversation_id,
                read_seq,
            } => {
                if fresh {
                    self.conversations.peer_read(&conversation_id, read_seq);
                }
                if let Some(out) = self.out_messages.get_mut(&conversation_id.to_id_string()) {
                    for m in out.iter_mut() {
                        if !m.is_peer_read && m.sequence <= read_seq {
                            m.is_peer_read = true;
                            if m.need_read_receipt {
                                news.receipts.push(ReadReceipt {
                                    conversation_id: m.conversation_id.clone(),
                                    message_id: m.id.clone(),
                                    read_count: 1,
                                    unread_count: 0,
                                });
                            }
                            news.read_by_peer.push(m.clone());
                        }
                    }
                }
                for m in &news.read_by_peer {
                    if let Some(kept) = self.recent.get_mut(&m.id) {
                        kept.is_peer_read = true;
                    }
                }
            }
        }
    }

    /// A stored message as this user sees it, remembered for history paging and peer reads.
    pub(crate) fn view(&mut self, message: tim_proto::Message) -> SdkMessage {
        let peer_read = self
            .conversations
            .get(&message.conversation_of(&self.user_id))
            .map_or(0, |c| c.peer_read_seq);
        let mut m = SdkMessage::stored(message, &self.user_id);
        if m.flow == crate::message::FLOW_OUT {
            m.is_peer_read = m.sequence <= peer_read;
        }
        self.remember(&m);
        m
    }

    pub(crate) fn remember(&mut self, m: &SdkMessage) {
        if self.recent.insert(m.id.clone(), m.clone()).is_none() {
            self.recent_order.push_back(m.id.clone());
            if self.recent_order.len() > KEPT_MESSAGES {
                if let Some(old) = self.recent_order.pop_front() {
                    self.recent.remove(&old);
                }
            }
        }
        if m.flow == crate::message::FLOW_OUT && !m.is_peer_read {
            let out = self
                .out_messages
                .get_or_insert_with(m.conversation_id.clone(), Vec::new);
            if !out.iter().any(|o| o.id == m.id) {
                out.push(m.clone());
                if out.len() > KEPT_OUT_MESSAGES {
                    out.remove(0);
                }
            }
        }
    }
}
