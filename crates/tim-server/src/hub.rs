//! Who is online: the sessions of every user in login order, each attached to a connection
//! (its outbound queue and kill switch) or detached for a grace period after its connection
//! dropped, so a reconnecting client can `resume` it. Pushes are serialized once per user and
//! the bytes shared by all of that user's sessions.

use crate::store::DeliverySink;
use axum::extract::ws::Utf8Bytes;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tim_proto::{InboxItem, ServerFrame, KICK_MULTIPLE_ACCOUNT, KICK_USERSIG_EXPIRED};
use tokio::sync::{mpsc, Notify};

/// Frames queued for one connection. A session whose queue is full is detached from its
/// connection: the client resumes and catches up from its inbox sequence, memory stays bounded.
pub const OUTBOUND_QUEUE: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Ended by the server; the official KICKED_OUT type.
    Kicked(&'static str),
    /// Its outbound queue overflowed.
    TooSlow,
}

/// How the hub ends a connection's session: the connection task waits on this.
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

/// A connection's side of a session: where its frames go and how to end it.
#[derive(Clone)]
pub struct Link {
    pub tx: mpsc::Sender<Utf8Bytes>,
    pub kill: Arc<Kill>,
}

struct Session {
    id: u64,
    token: String,
    /// Unix seconds at which the UserSig it logged in with expires.
    sig_expires_at: u64,
    /// `None` while detached.
    link: Option<Link>,
    /// When a detached session is forgotten.
    detached_until: Option<Instant>,
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
    /// Two independently keyed hashers: resume tokens are unpredictable without a RNG crate.
    token_keys: (RandomState, RandomState),
}

pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    serde_json::to_string(frame)
        .expect("server frames always serialize")
        .into()
}

fn now_secs() -> u64 {
    crate::now_secs()
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
        Hub {
            state: Mutex::default(),
            next_id: AtomicU64::new(1),
            grace,
            token_keys: (RandomState::new(), RandomState::new()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("hub lock")
    }

    /// Add a logged-in session; returns its id and resume token. When the user now has more
    /// than `limit` sessions, the oldest are kicked (`multipleAccount`).
    pub fn register(
        &self,
        app: u64,
        user: &str,
        link: Link,
        sig_expires_at: u64,
        limit: usize,
    ) -> (u64, String) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let token = {
            let (a, b) = (
                self.token_keys.0.hash_one(id),
                self.token_keys.1.hash_one(id),
            );
            format!("{a:016x}{b:016x}")
        };
        let mut state = self.state();
        state.sweep(Instant::now());
        let list = state.sessions.entry((app, user.to_owned())).or_default();
        list.push(Session {
            id,
            token: token.clone(),
            sig_expires_at,
            link: Some(link),
            detached_until: None,
        });
        let excess = list.len().saturating_sub(limit.max(1));
        let kicked: Vec<Session> = list.drain(..excess).collect();
        state.tokens.insert(
            token.clone(),
            Token::Live {
                app,
                user: user.to_owned(),
            },
        );
        state.kick(kicked, KICK_MULTIPLE_ACCOUNT, self.grace);
        (id, token)
    }

    /// The session's connection is gone; keep the session for `grace` so it can be resumed.
    pub fn detach(&self, app: u64, user: &str, id: u64) {
        let until = Instant::now() + self.grace;
        let mut state = self.state();
        if let Some(s) = state.find(app, user, id) {
            s.link = None;
            s.detached_until = Some(until);
        }
    }

    /// The session is over (logout, or kicked by its own connection): forget it.
    pub fn remove(&self, app: u64, user: &str, id: u64) {
        let mut state = self.state();
        let key = (app, user.to_owned());
        let Some(list) = state.sessions.get_mut(&key) else {
            return;
        };
        let Some(pos) = list.iter().position(|s| s.id == id) else {
            return;
        };
        let s = list.remove(pos);
        if list.is_empty() {
            state.sessions.remove(&key);
        }
        state.tokens.remove(&s.token);
    }

    /// Attach a detached session to a new connection.
    pub fn resume(&self, token: &str, link: Link) -> Result<Resumed, ResumeRefused> {
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

    /// Hand a frame that is not an inbox item to the user's attached sessions, but `except`
    /// (a session id); a full queue just misses it (online-only means best effort).
    pub fn push_online(&self, app: u64, user: &str, frame: &Utf8Bytes, except: u64) {
        let state = self.state();
        if let Some(list) = state.sessions.get(&(app, user.to_owned())) {
            for s in list.iter().filter(|s| s.id != except) {
                if let Some(link) = &s.link {
                    let _ = link.tx.try_send(frame.clone());
                }
            }
        }
    }

    /// End every session of a user with a kick of type `reason`.
    pub fn kick_user(&self, app: u64, user: &str, reason: &'static str) {
        let mut state = self.state();
        if let Some(list) = state.sessions.remove(&(app, user.to_owned())) {
            state.kick(list, reason, self.grace);
        }
    }
}

impl DeliverySink for Hub {
    fn deliver(&self, app: u64, user: &str, item: &InboxItem) {
        let mut state = self.state();
        let Some(list) = state.sessions.get_mut(&(app, user.to_owned())) else {
            return;
        };
        let frame = encode(&ServerFrame::Inbox(item.clone()));
        for s in list.iter_mut() {
            let Some(link) = &s.link else { continue };
            if let Err(mpsc::error::TrySendError::Full(_)) = link.tx.try_send(frame.clone()) {
                link.kill.fire(EndReason::TooSlow);
                s.link = None;
                s.detached_until = Some(Instant::now() + self.grace);
            }
        }
    }
}
