//! The engine: one login's connection lifecycle under every domain. It owns the link (connect,
//! hello, login or resume, sync, heartbeats, dead-socket detection, backoff, offline), the
//! requests awaiting answers and those queued while the link is down, the inbox cursor, and
//! the queue of effects. It knows no domain: each request carries a waiter `W` the facade
//! defines, and what concerns the domains (answers, inbox items, the load at first login, news
//! to deliver, the end of the session) goes to them through [`Domains`], at the moment it
//! happens, so the effects come out in the order of events.

mod groups;
mod inbox;
mod link;
mod session;

use crate::vecmap::VecMap;
pub(crate) use link::Link;
use session::{Kind, Pending, Session};

use crate::error::*;
use crate::output::*;
use std::collections::VecDeque;
use tim_proto::codes::{
    INTERNAL_ERROR, LOGGED_OUT, LOGGING_IN, LOGIN_FAILED, OVERLOAD, REPEAT_LOGIN, USERSIG_EXPIRED,
    USER_NOT_LOGGED_IN,
};
use tim_proto::{
    ClientFrame, InboxItem, Login, Message, Platform, Request, Response, Resume, ServerFrame,
    KICK_USERSIG_EXPIRED, PROTOCOL_VERSION,
};

/// Tunables; the defaults are the official SDK's where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From `login` to the server's answer (the official login request timeout is 90 s).
    pub login_timeout_ms: u64,
    /// For every other request (an app's request waits out reconnections within it), and for
    /// a reconnection attempt to get its hello.
    pub request_timeout_ms: u64,
    /// The longest a live connection goes without sending: heartbeats fill the silence (the
    /// server's hello may ask for less).
    pub heartbeat_ms: u64,
    /// A connection that received nothing for this long is dead: drop it and reconnect.
    pub dead_after_ms: u64,
    /// The cap of the reconnection backoff (exponential from 1 s, full jitter).
    pub reconnect_max_ms: u64,
    /// Inbox items per sync page.
    pub sync_limit: u32,
    /// Where the SDK runs, told to the server at login (the app's login policy counts it).
    pub platform: Platform,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            login_timeout_ms: 90_000,
            request_timeout_ms: 15_000,
            heartbeat_ms: 5_000,
            dead_after_ms: 12_000,
            reconnect_max_ms: 30_000,
            sync_limit: 100,
            platform: Platform::Web,
        }
    }
}

/// What the domains are told by the engine, as it happens.
pub(crate) trait Domains<W> {
    /// The answer of a domain's request, or why it failed.
    fn answer(&mut self, eng: &mut Engine<W>, now_ms: u64, waiter: W, result: Answer);
    /// The next inbox item (the engine has checked it is the next one).
    fn item(&mut self, eng: &mut Engine<W>, item: InboxItem);
    /// An online-only message (no inbox item).
    fn online(&mut self, eng: &mut Engine<W>, message: Message);
    /// The next message of one of the user's groups (the engine has checked its sequence).
    fn group(&mut self, eng: &mut Engine<W>, message: Message);
    /// Statuses of watched users changed (a `status` frame; not in the inbox).
    fn status(&mut self, eng: &mut Engine<W>, list: tim_proto::Json);
    /// A group's attributes or counters changed (a `groupEvent` frame; not in the inbox).
    fn group_event(&mut self, eng: &mut Engine<W>, event: tim_proto::group::GroupEvent);
    /// The first login of the session: load what the domains keep (with
    /// [`Engine::load`]) before the inbox is synced.
    fn load(&mut self, eng: &mut Engine<W>, now_ms: u64);
    /// Tell the app the news gathered since the last time; `first` right after SDK_READY.
    fn flush(&mut self, eng: &mut Engine<W>, first: bool);
    /// The session is over: forget everything.
    fn clear(&mut self);
}

/// A server answer or the error a request failed with.
pub(crate) type Answer = Result<Response, ApiError>;

pub(crate) struct Engine<W> {
    sdk_app_id: u64,
    config: Config,
    rng: u64,
    /// Random per instance, so clientMsgIDs of different instances of a user never collide.
    id_prefix: String,
    /// Op ids, frame ids and client sequences, all from one increasing counter.
    next_id: u64,
    /// Why the SDK is not ready while there is no session.
    reason: u32,
    session: Option<Session<W>>,
    effects: VecDeque<Effect>,
}

impl<W> Engine<W> {
    pub fn new(sdk_app_id: u64, seed: u64, config: Config) -> Self {
        let mut engine = Engine {
            sdk_app_id,
            config,
            rng: seed,
            id_prefix: String::new(),
            next_id: 1,
            reason: USER_NOT_LOGGED_IN,
            session: None,
            effects: VecDeque::new(),
        };
        let mut bits = engine.random();
        for _ in 0..16 {
            engine
                .id_prefix
                .push(char::from(b"0123456789abcdef"[(bits & 15) as usize]));
            bits >>= 4;
        }
        engine
    }

    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// When `tick` must next be called, if ever.
    pub fn next_wakeup(&self) -> Option<u64> {
        let s = self.session.as_ref()?;
        let (link, beat) = match s.link {
            Link::Down { retry_at } => (Some(retry_at).filter(|_| !s.offline), None),
            Link::Opening { deadline } => (Some(deadline), None),
            // A login or resume in flight has its own deadline.
            Link::Authing => (None, None),
            Link::Syncing | Link::Up => (
                Some(s.last_rx + self.config.dead_after_ms),
                Some(s.next_heartbeat).filter(|_| s.heartbeat_ms > 0),
            ),
        };
        s.pending
            .values()
            .chain(&s.queued)
            .map(|p| p.deadline)
            .chain(s.awaiting_ready.iter().map(|(_, deadline)| *deadline))
            .chain(link)
            .chain(beat)
            .min()
    }

    // Services for the domains.

    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// splitmix64: small, and good enough for IDs and message randoms.
    pub fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A clientMsgID no other instance makes: this instance's prefix and a fresh number,
    /// which is returned too (the message's client sequence).
    pub fn client_msg_id(&mut self) -> (String, u64) {
        let n = self.id();
        let mut id = self.id_prefix.clone();
        id.push('-');
        id.push_str(&n.to_string());
        (id, n)
    }

    pub fn emit(&mut self, event: Event) {
        self.effects.push_back(Effect::Emit(event));
    }

    pub fn complete(&mut self, op: OpId, result: Result<OpOk, ApiError>) {
        self.effects.push_back(Effect::Complete(op, result));
    }

    /// Settles a new API call at once.
    pub fn done(&mut self, result: Result<OpOk, ApiError>) -> OpId {
        let op = self.id();
        self.complete(op, result);
        op
    }

    /// The logged-in user, if the SDK is ready; else the official not-ready reason (2024
    /// before login, 3000 while logging in, …), which every API needing SDK_READY rejects with.
    pub fn ready_user(&self) -> Result<&str, ApiError> {
        match &self.session {
            Some(s) if s.ready => Ok(&s.user_id),
            Some(_) => Err(ApiError::sdk(LOGGING_IN)),
            None => Err(ApiError::sdk(self.reason)),
        }
    }

    /// The user whose `login` resolved, ready or not yet; else the official not-ready reason.
    pub fn signed_in_user(&self) -> Result<&str, ApiError> {
        match &self.session {
            Some(s) if s.login_op.is_none() => Ok(&s.user_id),
            Some(_) => Err(ApiError::sdk(LOGGING_IN)),
            None => Err(ApiError::sdk(self.reason)),
        }
    }

    /// Between the login's answer and SDK_READY, an API call that needs the ready state waits
    /// for it: the op completes with `OpOk::Empty` right after SDK_READY, with 3000 if the SDK
    /// is not ready by the request deadline, or with the reason the session ended. `None` when
    /// there is nothing to wait for (ready, no login, or the login not answered yet).
    pub fn await_ready(&mut self, now_ms: u64) -> Option<OpId> {
        self.session
            .as_ref()
            .filter(|s| !s.ready && s.login_op.is_none())?;
        let op = self.id();
        let deadline = now_ms + self.config.request_timeout_ms;
        if let Some(s) = self.session.as_mut() {
            s.awaiting_ready.push((op, deadline));
        }
        Some(op)
    }

    /// The user of the session, ready or not yet.
    pub fn user(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.user_id.as_str())
    }

    pub fn is_ready(&self) -> bool {
        self.ready_user().is_ok()
    }

    /// The inbox sequence handled last.
    pub fn inbox_cursor(&self) -> Option<u64> {
        self.session.as_ref()?.cursor
    }

    /// Sends an app's request, or queues it until the connection is back; its answer goes to
    /// the domains with `waiter`.
    pub fn start(&mut self, now_ms: u64, request: Request, waiter: W) {
        let deadline = now_ms + self.config.request_timeout_ms;
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let kind = Kind::App(waiter);
        if s.link.logged_in() {
            self.request(deadline, request, kind);
        } else {
            s.queued.push(Pending {
                deadline,
                request,
                kind,
            });
        }
    }

    /// A domain's load request at the first login: the inbox is synced once every load is
    /// answered (and the domains made no new ones).
    pub fn load(&mut self, now_ms: u64, request: Request, waiter: W) {
        if let Some(s) = self.session.as_mut() {
            s.loading += 1;
            let deadline = now_ms + self.config.request_timeout_ms;
            self.request(deadline, request, Kind::Load(waiter));
        }
    }

    /// A load's answer made no sense: drop the connection and try again.
    pub fn broken(&mut self, d: &mut impl Domains<W>, now_ms: u64) {
        self.lose_link(d, now_ms, NETWORK_ERROR, true);
    }

    // The API of the lifecycle.

    /// Logs in, resolving when the server accepts; SDK_READY follows once the inbox is synced.
    pub fn login(
        &mut self,
        now_ms: u64,
        user_id: &str,
        user_sig: &str,
        resume_after: Option<u64>,
    ) -> Result<OpId, ApiError> {
        if self.session.as_ref().is_some_and(|s| s.login_op.is_some()) {
            return Err(ApiError::sdk(REPEAT_LOGIN));
        }
        let op = self.id();
        if let Some(s) = &self.session {
            let mut info = String::from("already logged in as ");
            info.push_str(&s.user_id);
            info.push_str("; call logout before logging in again");
            let result = OpOk::Login(LoginOk {
                repeat_login: true,
                error_info: Some(info),
            });
            self.complete(op, Ok(result));
            return Ok(op);
        }
        let deadline = now_ms + self.config.login_timeout_ms;
        self.session = Some(Session::new(user_id, user_sig, resume_after, op, deadline));
        self.effects.push_back(Effect::Connect);
        Ok(op)
    }

    /// Logs out at once: the server is told if it can be, but not waited for.
    pub fn logout(&mut self, d: &mut impl Domains<W>) -> Result<OpId, ApiError> {
        let Some(s) = &self.session else {
            return Err(ApiError::sdk(USER_NOT_LOGGED_IN));
        };
        if matches!(s.link, Link::Authing | Link::Syncing | Link::Up) {
            let id = self.id();
            self.effects.push_back(Effect::Send(ClientFrame {
                id,
                request: Request::Logout,
            }));
        }
        self.end_session(d, LOGGED_OUT);
        Ok(self.done(Ok(OpOk::Empty {})))
    }

    /// The environment's word on the network (the browser's `online`/`offline`): offline, the
    /// connection is dropped and the app told `disconnected`; back online, reconnect at once.
    pub fn set_online(&mut self, d: &mut impl Domains<W>, now_ms: u64, online: bool) {
        let Some(s) = self.session.as_mut().filter(|s| s.ready) else {
            return;
        };
        s.offline = !online;
        if !online {
            if s.link.has_socket() {
                self.lose_link(d, now_ms, NETWORK_ERROR, true);
            }
            self.set_net(NET_STATE_DISCONNECTED);
        } else if let Link::Down { .. } = s.link {
            s.link = Link::Down { retry_at: now_ms };
            s.retries = 0;
            self.set_net(NET_STATE_CONNECTING);
        }
    }

    /// A hint that now is a good time to reconnect (e.g. the page became visible).
    pub fn wake(&mut self, now_ms: u64) {
        if let Some(s) = self.session.as_mut().filter(|s| !s.offline) {
            if let Link::Down { retry_at } = &mut s.link {
                *retry_at = (*retry_at).min(now_ms);
            }
        }
    }

    /// A frame from the socket of the last `Connect`.
    pub fn on_frame(&mut self, d: &mut impl Domains<W>, now_ms: u64, frame: ServerFrame) {
        let Some(s) = self.session.as_mut().filter(|s| s.link.has_socket()) else {
            return;
        };
        s.last_rx = now_ms;
        if s.heartbeat_ms > 0 {
            s.next_heartbeat = now_ms + s.heartbeat_ms;
        }
        match frame {
            ServerFrame::Hello(hello) => {
                let Link::Opening { deadline } = s.link else {
                    return;
                };
                s.heartbeat_ms = hello.heartbeat_ms.min(self.config.heartbeat_ms);
                s.link = Link::Authing;
                if s.login_op.is_some() {
                    self.send_login(deadline);
                } else if let Some(token) = s.resume_token.clone() {
                    let deadline = now_ms + self.config.request_timeout_ms;
                    self.request(deadline, Request::Resume(Resume { token }), Kind::Resume);
                } else {
                    self.send_login(now_ms + self.config.request_timeout_ms);
                }
            }
            ServerFrame::Ok(ok) => {
                if let Some(p) = s.pending.remove(&ok.id) {
                    self.answer(d, now_ms, p.kind, Ok(ok.response));
                }
            }
            ServerFrame::Err(err) => {
                if let Some(p) = err.id.and_then(|id| s.pending.remove(&id)) {
                    let err = ApiError::new(err.code, err.message);
                    self.answer(d, now_ms, p.kind, Err(err));
                }
            }
            ServerFrame::Inbox(item) => {
                // Until the domains have loaded, pushes wait in the inbox: the sync that
                // follows the loads fetches them, so none is applied twice or missed.
                if !s.loaded {
                    return;
                }
                let Some(cursor) = s.cursor else { return };
                if item.seq <= cursor {
                    return;
                }
                if item.seq > cursor + 1 {
                    // A push went missing; the inbox has it, since pushes follow commits.
                    if s.sync_pending {
                        s.resync = true;
                    } else {
                        self.sync(now_ms);
                    }
                    return;
                }
                s.cursor = Some(item.seq);
                let syncing = s.link == Link::Syncing;
                d.item(self, item);
                // While syncing, news waits until caught up.
                if !syncing {
                    d.flush(self, false);
                }
            }
            ServerFrame::Group(push) => self.group_push(d, now_ms, push.message),
            ServerFrame::Kicked(kicked) => self.kicked(d, kicked.reason),
            ServerFrame::Online(online) => d.online(self, online.message),
            // News for a ready SDK only (a status comes again with the next change).
            ServerFrame::Status(status) if s.ready => d.status(self, status.user_status_list),
            ServerFrame::Status(_) => {}
            ServerFrame::GroupEvent(event) if s.ready => d.group_event(self, event),
            ServerFrame::GroupEvent(_) => {}
        }
    }

    /// The socket of the last `Connect` closed or failed to open.
    pub fn on_close(&mut self, d: &mut impl Domains<W>, now_ms: u64) {
        if self.session.as_ref().is_some_and(|s| s.link.has_socket()) {
            self.lose_link(d, now_ms, NETWORK_ERROR, false);
        }
    }

    /// Time passed: reconnect, expire requests, send heartbeats.
    pub fn tick(&mut self, d: &mut impl Domains<W>, now_ms: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.link {
            Link::Down { retry_at } if now_ms >= retry_at && !s.offline => {
                s.link = Link::Opening {
                    deadline: now_ms + self.config.request_timeout_ms,
                };
                self.effects.push_back(Effect::Connect);
            }
            Link::Opening { deadline } if now_ms >= deadline => {
                self.lose_link(d, now_ms, NETWORK_TIMEOUT, true)
            }
            // Nothing came for too long, not even heartbeat answers: the socket is dead even
            // if it never closed.
            Link::Syncing | Link::Up if now_ms >= s.last_rx + self.config.dead_after_ms => {
                self.lose_link(d, now_ms, NETWORK_TIMEOUT, true)
            }
            _ => {}
        }
        while let Some(s) = self.session.as_mut() {
            let Some(i) = s.awaiting_ready.iter().position(|(_, at)| *at <= now_ms) else {
                break;
            };
            let (op, _) = s.awaiting_ready.remove(i);
            self.complete(op, Err(ApiError::sdk(LOGGING_IN)));
        }
        if let Some(s) = self.session.as_mut() {
            let (late, waiting): (Vec<Pending<W>>, Vec<Pending<W>>) = std::mem::take(&mut s.queued)
                .into_iter()
                .partition(|p| p.deadline <= now_ms);
            s.queued = waiting;
            for p in late {
                self.fail(d, now_ms, p.kind, ApiError::sdk(NETWORK_TIMEOUT));
            }
        }
        while let Some(s) = self.session.as_mut() {
            let Some(id) = s
                .pending
                .iter()
                .filter(|(_, p)| p.deadline <= now_ms)
                .map(|(id, _)| *id)
                .min()
            else {
                break;
            };
            if let Some(p) = s.pending.remove(&id) {
                self.expire(d, now_ms, p.kind);
            }
        }
        if let Some(s) = self.session.as_mut() {
            if s.link.logged_in() && s.heartbeat_ms > 0 && now_ms >= s.next_heartbeat {
                s.next_heartbeat = now_ms + s.heartbeat_ms;
                // Its answer only matters as traffic: silence is caught by `dead_after_ms`.
                self.request(u64::MAX, Request::Heartbeat, Kind::Heartbeat);
            }
        }
    }

    // The lifecycle.

    /// Tells the app the connection state, once per change, from SDK_READY on.
    fn set_net(&mut self, state: &'static str) {
        if let Some(s) = self.session.as_mut().filter(|s| s.ready) {
            if s.net_state != state {
                s.net_state = state;
                self.emit(Event::NetStateChange { state });
            }
        }
    }

    fn send_login(&mut self, deadline: u64) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let request = Request::Login(Login {
            protocol: PROTOCOL_VERSION,
            sdk_app_id: self.sdk_app_id,
            user_id: s.user_id.clone(),
            user_sig: s.user_sig.clone(),
            platform: self.config.platform,
        });
        self.request(deadline, request, Kind::Login);
    }

    fn request(&mut self, deadline: u64, request: Request, kind: Kind<W>) {
        let id = self.id();
        if let Some(s) = self.session.as_mut() {
            self.effects.push_back(Effect::Send(ClientFrame {
                id,
                request: request.clone(),
            }));
            s.pending.insert(
                id,
                Pending {
                    deadline,
                    request,
                    kind,
                },
            );
        }
    }

    /// Settles a request with an error: an app's request through its domain.
    fn fail(&mut self, d: &mut impl Domains<W>, now_ms: u64, kind: Kind<W>, err: ApiError) {
        if let Kind::App(waiter) = kind {
            d.answer(self, now_ms, waiter, Err(err));
        }
    }

    fn answer(&mut self, d: &mut impl Domains<W>, now_ms: u64, kind: Kind<W>, result: Answer) {
        if let Err(err) = &result {
            let live = self.session.as_ref().is_some_and(|s| s.login_op.is_none());
            if live && matches!(err.code, USERSIG_EXPIRED | MESSAGE_A2KEY_EXPIRED) {
                self.fail(d, now_ms, kind, err.clone());
                return self.kicked(d, KICK_USERSIG_EXPIRED.into());
            }
        }
        match (kind, result) {
            (Kind::Login, Ok(Response::Login(ok))) => {
                if let Some(s) = self.session.as_mut() {
                    s.resume_token = Some(ok.resume_token);
                    // A fresh session's groups start where they stood at the login, as its
                    // inbox does: what came since, the first group sync fetches.
                    s.groups.get_or_insert_with(|| {
                        let mut groups = VecMap::default();
                        for (id, seq) in ok.groups {
                            groups.push_new(id, seq);
                        }
                        groups
                    });
                }
                self.logged_in(d, now_ms, ok.inbox_seq)
            }
            (Kind::Login, Err(err)) => self.login_refused(d, now_ms, err),
            (Kind::Resume, Ok(Response::Resume(ok))) => self.logged_in(d, now_ms, ok.inbox_seq),
            // The server no longer has the session: log in with the kept sig instead.
            (Kind::Resume, Err(_)) => {
                if let Some(s) = self.session.as_mut() {
                    s.resume_token = None;
                }
                self.send_login(now_ms + self.config.request_timeout_ms)
            }
            (Kind::Sync, Ok(Response::Sync(page))) => self.synced(d, now_ms, page),
            (Kind::GroupSync, Ok(Response::SyncGroups(page))) => {
                self.groups_synced(d, now_ms, page)
            }
            (Kind::Login | Kind::Resume | Kind::Sync | Kind::GroupSync, _) => {
                self.lose_link(d, now_ms, NETWORK_ERROR, true)
            }
            (Kind::Heartbeat, _) => {}
            (Kind::Load(waiter), Ok(response)) => {
                if let Some(s) = self.session.as_mut() {
                    s.loading = s.loading.saturating_sub(1);
                }
                d.answer(self, now_ms, waiter, Ok(response));
                self.check_loaded(now_ms);
            }
            (Kind::Load(_), Err(_)) => self.lose_link(d, now_ms, NETWORK_ERROR, true),
            (Kind::App(waiter), result) => d.answer(self, now_ms, waiter, result),
        }
    }

    fn logged_in(&mut self, d: &mut impl Domains<W>, now_ms: u64, inbox_seq: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.link = Link::Syncing;
        s.retries = 0;
        s.next_heartbeat = now_ms + s.heartbeat_ms;
        // A fresh session starts at the inbox's end unless the app resumes an earlier one:
        // everything before is history, which getMessageList serves.
        let start = s.resume_after.map_or(inbox_seq, |r| r.min(inbox_seq));
        s.cursor.get_or_insert(start);
        let queued = std::mem::take(&mut s.queued);
        let loaded = s.loaded;
        if let Some(op) = s.login_op.take() {
            let result = OpOk::Login(LoginOk {
                repeat_login: false,
                error_info: None,
            });
            self.complete(op, Ok(result));
        }
        if loaded {
            self.sync(now_ms);
        } else {
            d.load(self, now_ms);
            self.check_loaded(now_ms);
        }
        // What the app asked for while the connection was down goes out now, in order; a send
        // keeps its clientMsgID, so one that was stored before the drop is not stored twice.
        for p in queued {
            self.request(p.deadline, p.request, p.kind);
        }
    }

    /// Once no load is in flight, the domains are loaded: sync the inbox.
    fn check_loaded(&mut self, now_ms: u64) {
        if let Some(s) = self
            .session
            .as_mut()
            .filter(|s| !s.loaded && s.loading == 0)
        {
            s.loaded = true;
            self.sync(now_ms);
        }
    }

    fn login_refused(&mut self, d: &mut impl Domains<W>, now_ms: u64, err: ApiError) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if let Some(op) = s.login_op.take() {
            self.complete(op, Err(err));
            return self.end_session(d, LOGIN_FAILED);
        }
        // A reconnection's login: only a passing server trouble is worth retrying.
        match err.code {
            OVERLOAD | INTERNAL_ERROR => self.lose_link(d, now_ms, NETWORK_ERROR, true),
            code => {
                self.emit(Event::Error {
                    code,
                    message: err.message,
                });
                self.end_session(d, LOGIN_FAILED);
            }
        }
    }
}
