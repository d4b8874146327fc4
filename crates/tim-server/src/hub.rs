//! The in-process [`Bus`] and [`SessionRegistry`]: the sessions of every user of this process
//! in login order, each attached to a connection (its outbound queue and kill switch) or
//! detached for a grace period after its connection dropped, so a reconnecting client can
//! `resume` it. A push is serialized once, before the lock is taken, and the bytes are shared
//! by all of the user's sessions.

use crate::bus::{Bus, Push, Target};
use crate::now_secs;
use crate::registry::{
    to_kick, EndReason, Kill, Later, Link, LoginInfo, Registered, ResumeRefused, Resumed,
    SessionRegistry, Unavailable,
};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tim_proto::group::GroupPush;
use tim_proto::status::{StatusPush, STATUS_OFFLINE, STATUS_ONLINE, STATUS_UNLOGINED};
use tim_proto::{Message, OnlineMessage, Platform, ServerFrame, KICK_USERSIG_EXPIRED};
use tokio::sync::mpsc;

/// Frames queued for one connection. A session whose queue is full is detached from its
/// connection: the client resumes and catches up from its inbox sequence, memory stays bounded.
pub const OUTBOUND_QUEUE: usize = 256;

struct Session {
    id: u64,
    token: String,
    platform: Platform,
    /// Unix seconds at which the UserSig it logged in with expires.
    sig_expires_at: u64,
    /// `None` while detached.
    link: Option<Link>,
    /// When a detached session is forgotten.
    detached_until: Option<Instant>,
}

impl Session {
    /// Whether a connection other than the one of `mine` has it now (it resumed it).
    fn is_attached_to_other(&self, mine: &Arc<Kill>) -> bool {
        self.link
            .as_ref()
            .is_some_and(|l| !Arc::ptr_eq(&l.kill, mine))
    }
}

/// What a resume token leads to.
enum Token {
    Live {
        app: u64,
        user: String,
    },
    /// The session was kicked while detached; the client learns why on `resume`.
    Kicked {
        reason: &'static str,
        until: Instant,
    },
}

type UserKey = (u64, String);

#[derive(Default)]
struct State {
    sessions: HashMap<UserKey, Vec<Session>>,
    tokens: HashMap<String, Token>,
}

pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
    grace: Duration,
}

/// A resume token: 128 bits from the operating system's CSPRNG, in hex.
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A server frame as the bytes of one WebSocket text message.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    serde_json::to_string(frame)
        .expect("server frames always serialize")
        .into()
}

impl State {
    /// Ends `sessions` (already removed from their user's list) with a kick of type `reason`.
    fn kick(&mut self, sessions: Vec<Session>, reason: &'static str, grace: Duration) {
        for s in sessions {
            match s.link {
                Some(link) => {
                    self.tokens.remove(&s.token);
                    link.kill.fire(EndReason::Kicked(reason));
                }
                None => {
                    let until = Instant::now() + grace;
                    self.tokens.insert(s.token, Token::Kicked { reason, until });
                }
            }
        }
    }

    /// Forget detached sessions and kicked tokens whose grace period is over.
    fn sweep(&mut self, now: Instant) {
        let mut gone = Vec::new();
        self.sessions.retain(|_, list| {
            list.retain(|s| {
                let keep = s.detached_until.is_none_or(|t| t > now);
                if !keep {
                    gone.push(s.token.clone());
                }
                keep
            });
            !list.is_empty()
        });
        for t in gone {
            self.tokens.remove(&t);
        }
        self.tokens
            .retain(|_, t| !matches!(t, Token::Kicked { until, .. } if *until <= now));
    }

    fn find(&mut self, app: u64, user: &str, id: u64) -> Option<&mut Session> {
        self.sessions
            .get_mut(&(app, user.to_owned()))?
            .iter_mut()
            .find(|s| s.id == id)
    }
}

impl Hub {
    /// A hub keeping detached sessions for `grace`.
    pub fn new(grace: Duration) -> Hub {
        // Session IDs are unique across nodes (a kick names one through the Bus): each node
        // numbers from a random start.
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        let start = u64::from(u32::from_le_bytes(bytes)) << 32 | 1;
        Hub {
            state: Mutex::default(),
            next_id: AtomicU64::new(start),
            grace,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("hub lock")
    }
}

impl SessionRegistry for Hub {
    fn register<'a>(
        &'a self,
        user: &'a str,
        link: Link,
        login: LoginInfo,
    ) -> Later<'a, Result<Registered, Unavailable>> {
        Box::pin(std::future::ready(
            Ok(self.register_here(user, link, login)),
        ))
    }

    fn detach<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()> {
        self.detach_here(app, user, id, mine);
        Box::pin(std::future::ready(()))
    }

    fn remove<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()> {
        self.remove_here(app, user, id, mine);
        Box::pin(std::future::ready(()))
    }

    fn kick_all<'a>(&'a self, app: u64, user: &'a str, reason: &'static str) -> Later<'a, ()> {
        self.publish(Target::User { app, user }, Push::Kick(reason));
        Box::pin(std::future::ready(()))
    }

    fn resume<'a>(
        &'a self,
        token: &'a str,
        link: Link,
    ) -> Later<'a, Result<Resumed, ResumeRefused>> {
        Box::pin(std::future::ready(self.resume_here(token, link)))
    }

    fn status<'a>(&'a self, app: u64, users: &'a [String]) -> Later<'a, Vec<u32>> {
        let now = Instant::now();
        let state = self.state();
        let status = users
            .iter()
            .map(|user| {
                let list = state.sessions.get(&(app, user.clone()));
                let sessions = list.map_or(&[][..], |l| &l[..]);
                if sessions.iter().any(|s| s.link.is_some()) {
                    STATUS_ONLINE
                } else if sessions
                    .iter()
                    .any(|s| s.detached_until.is_some_and(|t| t > now))
                {
                    STATUS_OFFLINE
                } else {
                    STATUS_UNLOGINED
                }
            })
            .collect();
        Box::pin(std::future::ready(status))
    }
}

/// The sessions of this process alone: the registry when there is one node, and the local part
/// of a shared one (which decides, then tells the hub what is attached here).
impl Hub {
    fn register_here(&self, user: &str, link: Link, login: LoginInfo) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let token = new_token();
        let mut state = self.state();
        state.sweep(Instant::now());
        let app = login.app;
        let list = state.sessions.entry((app, user.to_owned())).or_default();
        let others: Vec<(u64, Platform)> = list.iter().map(|s| (s.id, s.platform)).collect();
        let kick = to_kick(login.policy, login.web_limit, &others, login.platform);
        list.push(Session {
            id,
            token: token.clone(),
            platform: login.platform,
            sig_expires_at: login.sig_expires_at,
            link: Some(link),
            detached_until: None,
        });
        let live = Token::Live {
            app,
            user: user.to_owned(),
        };
        state.tokens.insert(token.clone(), live);
        Registered { id, token, kick }
    }

    /// The connection of `mine` ended: its session stays resumable for the grace period. A
    /// session another connection took over meanwhile is that one's: untouched (`false`).
    pub fn detach_here(&self, app: u64, user: &str, id: u64, mine: &Arc<Kill>) -> bool {
        let until = Instant::now() + self.grace;
        let mut state = self.state();
        match state.find(app, user, id) {
            Some(s) if !s.is_attached_to_other(mine) => {
                s.link = None;
                s.detached_until = Some(until);
                true
            }
            Some(_) => false,
            None => true,
        }
    }

    /// The session of `mine` is over; as [`detach_here`](Self::detach_here), a session
    /// another connection took over is untouched (`false`).
    pub fn remove_here(&self, app: u64, user: &str, id: u64, mine: &Arc<Kill>) -> bool {
        let mut state = self.state();
        let key = (app, user.to_owned());
        let Some(list) = state.sessions.get_mut(&key) else {
            return true;
        };
        let Some(pos) = list.iter().position(|s| s.id == id) else {
            return true;
        };
        if list[pos].is_attached_to_other(mine) {
            return false;
        }
        let s = list.remove(pos);
        if list.is_empty() {
            state.sessions.remove(&key);
        }
        state.tokens.remove(&s.token);
        true
    }

    fn resume_here(&self, token: &str, link: Link) -> Result<Resumed, ResumeRefused> {
        let mut state = self.state();
        state.sweep(Instant::now());
        let (app, user) = match state.tokens.get(token) {
            None => return Err(ResumeRefused::Gone),
            Some(Token::Kicked { reason, .. }) => {
                let reason = *reason;
                state.tokens.remove(token);
                return Err(ResumeRefused::Kicked(reason));
            }
            Some(Token::Live { app, user }) => (*app, user.clone()),
        };
        let list = state
            .sessions
            .get_mut(&(app, user.clone()))
            .ok_or(ResumeRefused::Gone)?;
        let pos = list
            .iter()
            .position(|s| s.token == token)
            .ok_or(ResumeRefused::Gone)?;
        if now_secs() > list[pos].sig_expires_at {
            let s = list.remove(pos);
            state.tokens.remove(&s.token);
            return Err(ResumeRefused::Kicked(KICK_USERSIG_EXPIRED));
        }
        let s = &mut list[pos];
        if let Some(old) = s.link.replace(link) {
            // Still attached to a connection that has not noticed it is dead: that one goes.
            old.kill.fire(EndReason::TooSlow);
        }
        s.detached_until = None;
        Ok(Resumed {
            app,
            user,
            id: s.id,
            token: token.to_owned(),
            sig_expires_at: s.sig_expires_at,
        })
    }
}

/// What a shared registry tells the hub of a session it decided is attached here.
pub struct Attached<'a> {
    pub app: u64,
    pub user: &'a str,
    pub id: u64,
    pub token: &'a str,
    pub platform: Platform,
    pub sig_expires_at: u64,
}

impl Hub {
    /// A new session number, unique across nodes.
    pub fn new_session_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A new resume token.
    pub fn new_token(&self) -> String {
        new_token()
    }

    /// Pushes to this node may have been lost (the bus between nodes was down): every
    /// connection here is ended as too slow, so its client resumes at once and syncs.
    pub fn drop_links(&self) {
        let until = Instant::now() + self.grace;
        let mut state = self.state();
        for s in state.sessions.values_mut().flatten() {
            if let Some(link) = s.link.take() {
                link.kill.fire(EndReason::TooSlow);
                s.detached_until = Some(until);
            }
        }
    }

    /// A shared registry attached this session to `link` on this node (a login, or a resume
    /// that took it over): deliver its pushes here. A link it had here goes (`TooSlow`).
    pub fn attach(&self, s: Attached<'_>, link: Link) {
        let mut state = self.state();
        state.sweep(Instant::now());
        if let Some(old) = state.find(s.app, s.user, s.id) {
            if let Some(old) = old.link.replace(link) {
                old.kill.fire(EndReason::TooSlow);
            }
            old.detached_until = None;
            return;
        }
        let list = state
            .sessions
            .entry((s.app, s.user.to_owned()))
            .or_default();
        list.push(Session {
            id: s.id,
            token: s.token.to_owned(),
            platform: s.platform,
            sig_expires_at: s.sig_expires_at,
            link: Some(link),
            detached_until: None,
        });
    }
}

impl Bus for Hub {
    fn publish(&self, target: Target<'_>, push: Push) {
        let (app, user) = target.user();
        let key = (app, user.to_owned());
        let (frame, must_arrive) = match push {
            // The session was taken over on another node: its connection here goes, quietly.
            Push::Moved => {
                let mut state = self.state();
                if let Some(list) = state.sessions.get_mut(&key) {
                    list.retain(|s| {
                        let moved = target.picks(s.id);
                        if let (true, Some(link)) = (moved, &s.link) {
                            link.kill.fire(EndReason::TooSlow);
                        }
                        !moved
                    });
                }
                return;
            }
            Push::Kick(reason) => {
                let mut state = self.state();
                if let Some(list) = state.sessions.remove(&key) {
                    let (kicked, kept): (Vec<_>, Vec<_>) =
                        list.into_iter().partition(|s| target.picks(s.id));
                    if !kept.is_empty() {
                        state.sessions.insert(key, kept);
                    }
                    state.kick(kicked, reason, self.grace);
                }
                return;
            }
            Push::Inbox(item) => (encode(&ServerFrame::Inbox(item)), true),
            Push::Group(message) => (encode(&ServerFrame::Group(GroupPush { message })), true),
            Push::Online(message) => (
                encode(&ServerFrame::Online(OnlineMessage { message })),
                false,
            ),
            Push::Status(user_status_list) => (
                encode(&ServerFrame::Status(StatusPush { user_status_list })),
                false,
            ),
            Push::GroupEvent(event) => (encode(&ServerFrame::GroupEvent(event)), false),
        };
        let mut state = self.state();
        self.queue(&mut state, target, &frame, must_arrive);
    }

    fn publish_group(&self, app: u64, users: &[String], message: &Message) {
        // One frame for every member.
        let frame = encode(&ServerFrame::Group(GroupPush {
            message: message.clone(),
        }));
        let mut state = self.state();
        for user in users {
            self.queue(&mut state, Target::User { app, user }, &frame, true);
        }
    }
}

impl Hub {
    /// Queues `frame` to each session `target` picks; one that `must_arrive` but finds its
    /// session's queue full ends that session's link (its client resumes and syncs).
    fn queue(&self, state: &mut State, target: Target<'_>, frame: &Utf8Bytes, must_arrive: bool) {
        let (app, user) = target.user();
        let Some(list) = state.sessions.get_mut(&(app, user.to_owned())) else {
            return;
        };
        for s in list.iter_mut().filter(|s| target.picks(s.id)) {
            let Some(link) = &s.link else { continue };
            // Online-only messages take at most half of a queue, so that a flood of them
            // never leaves the inbox items of others without room.
            if !must_arrive && link.tx.capacity() <= OUTBOUND_QUEUE / 2 {
                continue;
            }
            let full = matches!(
                link.tx.try_send(frame.clone()),
                Err(mpsc::error::TrySendError::Full(_))
            );
            // An inbox item that cannot be queued ends the session's link: the client resumes
            // and syncs. An online-only message is best effort: a full queue just misses it.
            if full && must_arrive {
                tracing::warn!(
                    app,
                    user,
                    session = s.id,
                    "closing a connection that does not read its pushes ({OUTBOUND_QUEUE} queued)"
                );
                link.kill.fire(EndReason::TooSlow);
                s.link = None;
                s.detached_until = Some(Instant::now() + self.grace);
            }
        }
    }
}
