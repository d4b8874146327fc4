//! The state of one login, from `login` to logout, kick or failure: credentials, the
//! connection phase, requests awaiting answers (and those waiting for the connection), the
//! inbox cursor. Keeping all of it in one value makes "clear every in-memory state" a matter of
//! dropping it.

use super::Link;
use crate::output::OpId;
use crate::vecmap::VecMap;
use tim_proto::Request;

/// What a pending request is for.
#[derive(Debug)]
pub(super) enum Kind<W> {
    Login,
    Resume,
    Heartbeat,
    Sync,
    /// `syncGroups`: what the groups' pushes missed.
    GroupSync,
    /// An app's request: it waits out reconnections until its deadline.
    App(W),
    /// A domain's load at the first login: lost with the link, made again at the next login.
    Load(W),
}

/// A request awaiting its answer (or, queued, a connection to go out on). The request is kept
/// so an app's request can go out again after a reconnect.
#[derive(Debug)]
pub(super) struct Pending<W> {
    pub(super) deadline: u64,
    pub(super) request: Request,
    pub(super) kind: Kind<W>,
}

/// The state of one login, from `login` to logout, kick or failure.
pub(super) struct Session<W> {
    pub(super) user_id: String,
    pub(super) user_sig: String,
    /// Where the app asked the first sync to start; `None` starts at the login's inbox sequence.
    pub(super) resume_after: Option<u64>,
    /// The app's `login` call, until the server answers the first login frame.
    pub(super) login_op: Option<OpId>,
    /// SDK_READY was fired.
    pub(super) ready: bool,
    pub(super) link: Link,
    /// Failed connection attempts in a row, for the reconnect backoff.
    pub(super) retries: u32,
    pub(super) heartbeat_ms: u64,
    pub(super) next_heartbeat: u64,
    /// When the current connection last received a frame.
    pub(super) last_rx: u64,
    /// From the last login answer: lets a reconnection take the session over without a login.
    pub(super) resume_token: Option<String>,
    /// App requests waiting for the connection to come back, oldest first.
    pub(super) queued: Vec<Pending<W>>,
    /// The last NET_STATE_CHANGE state the app was told (`connected` from SDK_READY on).
    pub(super) net_state: &'static str,
    /// The environment says the network is gone: no reconnection attempts until it is back.
    pub(super) offline: bool,
    /// The last inbox sequence handled; `None` before the first login answer.
    pub(super) cursor: Option<u64>,
    pub(super) sync_pending: bool,
    /// A gap showed while a sync was in flight, whose page may predate the gap's items.
    pub(super) resync: bool,
    /// Per group the last sequence handled; `None` until the first login answer (which says
    /// where each group stands).
    pub(super) groups: Option<VecMap<String, u64>>,
    pub(super) group_sync_pending: bool,
    /// A gap in a group showed while a group sync was in flight.
    pub(super) group_resync: bool,
    /// The domains' loads are done: inbox items apply from now on.
    pub(super) loaded: bool,
    /// Loads in flight.
    pub(super) loading: u32,
    /// By frame id.
    pub(super) pending: VecMap<u64, Pending<W>>,
    /// API calls made after the login resolved and before SDK_READY, with their deadlines:
    /// they go on once the SDK is ready.
    pub(super) awaiting_ready: Vec<(OpId, u64)>,
}

impl<W> Session<W> {
    pub(super) fn new(
        user_id: &str,
        user_sig: &str,
        resume_after: Option<u64>,
        op: OpId,
        deadline: u64,
    ) -> Self {
        Session {
            user_id: user_id.into(),
            user_sig: user_sig.into(),
            resume_after,
            login_op: Some(op),
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
            groups: None,
            group_sync_pending: false,
            group_resync: false,
            loaded: false,
            loading: 0,
            pending: VecMap::default(),
            awaiting_ready: Vec::new(),
        }
    }
}

/// Pending requests oldest first, so they fail in the order they were made. There are only a
/// few at a time: picking the smallest each time beats pulling a sort into the wasm file.
pub(super) fn in_order<W>(mut pending: VecMap<u64, Pending<W>>) -> Vec<Pending<W>> {
    let mut out = Vec::with_capacity(pending.len());
    while let Some(id) = pending.keys().min().copied() {
        out.extend(pending.remove(&id));
    }
    out
}
