//! A connection's session: `login` (UserSig check, registration with the web-instance limit),
//! `resume` of a dropped connection's session, `logout`, `heartbeat`. It is the only place a
//! [`Caller`] is made, so every other op acts for the user this connection logged in as.

use crate::bus::{Push, Target};
use crate::failure::{fail, Failure, Outcome};
use crate::ops::groups::messages::standing;
use crate::registry::{Kill, Link, LoginInfo, ResumeRefused};
use crate::store::Store;
use crate::{now_secs, usersig, Shared};
use axum::extract::ws::Utf8Bytes;
use std::net::IpAddr;
use std::sync::Arc;
use tim_proto::codes;
use tim_proto::{HeartbeatOk, Login, LoginOk, Response, Resume, ResumeOk, PROTOCOL_VERSION};
use tokio::sync::mpsc;

/// A userID the server accepts: 1–32 bytes with no control, whitespace or invisible
/// formatting characters (so that no two IDs look alike only by what cannot be seen: a trailing
/// space, a zero-width joiner, a bidi override, a BOM, a line separator).
pub fn valid_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && !id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_format(c))
}

/// Unicode's format characters (category Cf), which render as nothing.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Who asks: the app, user and session of a logged-in connection. Only this module can make
/// one (its `made_here` field is private), at login or resume, or for the REST API once it
/// checked the administrator's UserSig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub app: u64,
    pub user: String,
    pub session: u64,
    made_here: MadeHere,
}

impl Caller {
    /// The REST API's caller: the app's administrator, whose UserSig `rest.rs` checked, acting
    /// for `user` (an app back end's call for one of its users); no session.
    pub(crate) fn administrator_for(app: u64, user: &str) -> Caller {
        Caller {
            app,
            user: user.to_owned(),
            session: 0,
            made_here: MadeHere,
        }
    }
}

/// The proof that a [`Caller`] was made by a login, a resume or the REST API's check.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MadeHere;

struct LoggedIn {
    caller: Caller,
    /// The resume token of the session, repeated in a repeat login's answer.
    token: String,
    kill: Arc<Kill>,
    /// Unix seconds: the session is kicked (`userSigExpired`) then.
    sig_expires_at: u64,
}

/// How a connection's session ends when the connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The connection dropped: keep the session for a `resume`.
    Detach,
    /// The session is over: logout, or kicked (the registry already forgot it).
    Remove,
}

/// The session state of one connection.
pub struct Session {
    /// The connection's outbound queue, which pushes to this session go into.
    tx: mpsc::Sender<Utf8Bytes>,
    login: Option<LoggedIn>,
    /// Set when a request showed this connection must be kicked (a `resume` of a session that
    /// was kicked while away): the kicked frame goes out instead of an answer.
    pub kick_now: Option<&'static str>,
    /// The client's address, for the delay of failed logins.
    pub peer: IpAddr,
}

impl Session {
    pub fn new(tx: mpsc::Sender<Utf8Bytes>, peer: IpAddr) -> Session {
        Session {
            tx,
            login: None,
            kick_now: None,
            peer,
        }
    }

    /// Who this connection acts for, or the official not-logged-in failure.
    pub fn caller(&self) -> Result<&Caller, Failure> {
        match &self.login {
            Some(l) => Ok(&l.caller),
            None => fail(codes::USER_NOT_LOGGED_IN, "not logged in: send login first"),
        }
    }

    /// The kill switch of the logged-in session, for the connection to wait on.
    pub fn kill(&self) -> Option<Arc<Kill>> {
        self.login.as_ref().map(|l| l.kill.clone())
    }

    /// When the logged-in session's UserSig expires (Unix seconds).
    pub fn sig_expires_at(&self) -> Option<u64> {
        self.login.as_ref().map(|l| l.sig_expires_at)
    }

    /// The connection is over: tell the registry how the session ends.
    pub async fn end<S: Store>(&mut self, shared: &Shared<S>, end: SessionEnd) {
        if let Some(l) = self.login.take() {
            let Caller {
                app, user, session, ..
            } = l.caller;
            let mine = &l.kill;
            match end {
                SessionEnd::Detach => shared.sessions.detach(app, &user, session, mine).await,
                SessionEnd::Remove => shared.sessions.remove(app, &user, session, mine).await,
            }
            crate::ops::status::announce(shared, app, &user, false).await;
        }
    }

    fn link(&self) -> (Link, Arc<Kill>) {
        let kill = Arc::new(Kill::default());
        let link = Link {
            tx: self.tx.clone(),
            kill: kill.clone(),
        };
        (link, kill)
    }

    pub async fn login<S: Store>(&mut self, shared: &Shared<S>, l: Login) -> Outcome {
        if l.protocol != PROTOCOL_VERSION {
            return fail(
                codes::INVALID_PARAMETER,
                format!(
                    "protocol {} is not supported; this server speaks {PROTOCOL_VERSION}",
                    l.protocol
                ),
            );
        }
        if let Some(me) = &self.login {
            if me.caller.app == l.sdk_app_id && me.caller.user == l.user_id {
                let (app, user) = (me.caller.app, &me.caller.user);
                let inbox_seq = shared.store.login_user(app, user).await?;
                let groups = standing(&shared.store, app, user).await?;
                return Ok(Response::Login(LoginOk {
                    user_id: l.user_id,
                    repeat_login: true,
                    inbox_seq,
                    server_time: now_secs(),
                    resume_token: me.token.clone(),
                    groups,
                }));
            }
            return fail(
                codes::REPEAT_LOGIN,
                format!(
                    "this connection is logged in as {:?}; log out first",
                    me.caller.user
                ),
            );
        }
        let Some(app) = shared.cfg.apps.get(&l.sdk_app_id) else {
            return fail(
                codes::SDKAPPID_NOT_FOUND,
                format!("SDKAppID {} is not configured on this server", l.sdk_app_id),
            );
        };
        if !valid_user_id(&l.user_id) {
            return fail(
                codes::INVALID_PARAMETER,
                "userID must be 1-32 bytes without control characters",
            );
        }
        let sig_expires_at =
            usersig::verify(&l.user_sig, app.sdkappid, &app.key, &l.user_id, now_secs())
                .map_err(|e| Failure(e.code(), e.to_string()))?;
        let inbox_seq = shared.store.login_user(app.sdkappid, &l.user_id).await?;
        let groups = standing(&shared.store, app.sdkappid, &l.user_id).await?;
        let (link, kill) = self.link();
        let login = LoginInfo {
            app: app.sdkappid,
            platform: l.platform,
            sig_expires_at,
            policy: app.login_policy,
            web_limit: app.web_instances,
        };
        let registered = shared
            .sessions
            .register(&l.user_id, link, login)
            .await
            .map_err(|e| Failure(codes::INTERNAL_ERROR, e.0))?;
        for &(session, reason) in &registered.kick {
            let (app, user) = (app.sdkappid, l.user_id.as_str());
            let target = Target::Session { app, user, session };
            shared.bus.publish(target, Push::Kick(reason));
        }
        self.login = Some(LoggedIn {
            caller: Caller {
                app: app.sdkappid,
                user: l.user_id.clone(),
                session: registered.id,
                made_here: MadeHere,
            },
            token: registered.token.clone(),
            kill,
            sig_expires_at,
        });
        crate::ops::status::announce(shared, app.sdkappid, &l.user_id, false).await;
        Ok(Response::Login(LoginOk {
            user_id: l.user_id,
            repeat_login: false,
            inbox_seq,
            server_time: now_secs(),
            resume_token: registered.token,
            groups,
        }))
    }

    pub async fn resume<S: Store>(&mut self, shared: &Shared<S>, r: Resume) -> Outcome {
        if self.login.is_some() {
            return fail(
                codes::REPEAT_LOGIN,
                "this connection is logged in; log out first",
            );
        }
        let (link, kill) = self.link();
        let resumed = match shared.sessions.resume(&r.token, link).await {
            Ok(resumed) => resumed,
            Err(ResumeRefused::Gone) => {
                return fail(
                    codes::SESSION_GONE,
                    "no such session (any more): log in again",
                )
            }
            Err(ResumeRefused::Kicked(reason)) => {
                self.kick_now = Some(reason);
                return fail(codes::SESSION_GONE, reason);
            }
        };
        let inbox_seq = shared.store.login_user(resumed.app, &resumed.user).await?;
        let user_id = resumed.user.clone();
        self.login = Some(LoggedIn {
            caller: Caller {
                app: resumed.app,
                user: resumed.user,
                session: resumed.id,
                made_here: MadeHere,
            },
            token: resumed.token,
            kill,
            sig_expires_at: resumed.sig_expires_at,
        });
        crate::ops::status::announce(shared, resumed.app, &user_id, false).await;
        Ok(Response::Resume(ResumeOk {
            user_id,
            inbox_seq,
            server_time: now_secs(),
        }))
    }

    /// Ends this session only; the connection stays and may log in again.
    pub async fn logout<S: Store>(&mut self, shared: &Shared<S>) -> Outcome {
        self.caller()?;
        self.end(shared, SessionEnd::Remove).await;
        Ok(Response::Logout)
    }
}

/// Works before login too; the answer doubles as the client's liveness check of the socket.
pub fn heartbeat() -> Response {
    Response::Heartbeat(HeartbeatOk {
        server_time: now_secs(),
    })
}
