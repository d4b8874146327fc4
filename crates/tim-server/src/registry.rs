//! The session-registry seam: who is logged in where, the web-instance limit, and resume
//! tokens. A connection registers its session here with its [`Link`] (outbound queue and kill
//! switch); the in-process [`Hub`](crate::hub::Hub) is the one implementation today, and one
//! shared between server nodes replaces it without touching connections or ops.

use axum::extract::ws::Utf8Bytes;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tim_proto::{Platform, PlatformClass, KICK_MULTIPLE_ACCOUNT, KICK_MULTIPLE_DEVICE};
use tokio::sync::{mpsc, Notify};

/// Which platforms a user may be online on together: the official console's login policies.
/// Web (a Mini Program counts as web) always takes up to the app's web-instance limit; a login
/// past it kicks the oldest web session (`multipleAccount`). What a login of another platform
/// does is the policy's; a session it forbids is kicked (`multipleDevice`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LoginPolicy {
    /// One platform class at a time: a login on web kicks every non-web session and the
    /// other way round; one session of a non-web class.
    Single,
    /// Web beside one non-web session (mobile or desktop).
    Dual,
    /// Web beside one mobile and one desktop session.
    Three,
    /// Web beside one session of each other platform (Android, iPhone, iPad, Windows, Mac,
    /// Node).
    #[default]
    Multi,
}

impl LoginPolicy {
    /// Whether a session on `old` may stay beside a new login on `new` (the web-instance
    /// limit aside).
    fn allows(self, new: Platform, old: Platform) -> bool {
        let (n, o) = (new.class(), old.class());
        let web = PlatformClass::Web;
        match self {
            LoginPolicy::Single => n == o && n == web,
            LoginPolicy::Dual => n == web || o == web,
            LoginPolicy::Three => n == web || o != n,
            LoginPolicy::Multi => n == web || old != new,
        }
    }
}

/// The sessions (`(id, platform)`, oldest first, the new one not among them) a new login on
/// `new` ends, with the KICKED_OUT type each gets.
pub fn to_kick(
    policy: LoginPolicy,
    web_limit: usize,
    sessions: &[(u64, Platform)],
    new: Platform,
) -> Vec<(u64, &'static str)> {
    let mut kick: Vec<(u64, &'static str)> = sessions
        .iter()
        .filter(|(_, old)| !policy.allows(new, *old))
        .map(|(id, _)| (*id, KICK_MULTIPLE_DEVICE))
        .collect();
    if new.class() == PlatformClass::Web {
        let web: Vec<u64> = sessions
            .iter()
            .filter(|(id, p)| p.class() == PlatformClass::Web && !kick.iter().any(|k| k.0 == *id))
            .map(|(id, _)| *id)
            .collect();
        // The new one counts too.
        let excess = (web.len() + 1).saturating_sub(web_limit.max(1));
        kick.extend(web[..excess].iter().map(|id| (*id, KICK_MULTIPLE_ACCOUNT)));
    }
    kick
}

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
    /// The user's sessions the login policy ends, with their KICKED_OUT types ([`to_kick`]):
    /// the caller kicks them through the Bus.
    pub kick: Vec<(u64, &'static str)>,
}

/// What a login brings to the registry beside its user and link.
#[derive(Debug, Clone, Copy)]
pub struct LoginInfo {
    pub app: u64,
    pub platform: Platform,
    /// Unix seconds at which its UserSig expires.
    pub sig_expires_at: u64,
    pub policy: LoginPolicy,
    pub web_limit: usize,
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
#[derive(Debug)]
pub struct Resumed {
    pub app: u64,
    pub user: String,
    pub id: u64,
    pub token: String,
    pub sig_expires_at: u64,
}

/// What a registry call gives, later (a shared registry asks its database).
pub type Later<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The registry could not register a session (its database failed); the login fails.
#[derive(Debug)]
pub struct Unavailable(pub String);

pub trait SessionRegistry: Send + Sync + 'static {
    /// Add a logged-in session on `platform` attached to `link`; the sessions the app's login
    /// policy (and web-instance limit) no longer allows are named in the answer, to be kicked.
    fn register<'a>(
        &'a self,
        user: &'a str,
        link: Link,
        login: LoginInfo,
    ) -> Later<'a, Result<Registered, Unavailable>>;

    /// The session's connection (the one of kill switch `mine`) is gone; keep the session
    /// resumable for the grace period. Nothing happens if another connection took it over.
    fn detach<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()>;

    /// The session is over (logout, or kicked by its own connection, the one of `mine`):
    /// forget it. Nothing happens if another connection took it over.
    fn remove<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()>;

    /// End every session of the user with the KICKED_OUT type `reason`, on every node; a
    /// detached one learns it at its next resume (the REST API's kick).
    fn kick_all<'a>(&'a self, app: u64, user: &'a str, reason: &'static str) -> Later<'a, ()>;

    /// Attach the session of `token` to a new connection.
    fn resume<'a>(
        &'a self,
        token: &'a str,
        link: Link,
    ) -> Later<'a, Result<Resumed, ResumeRefused>>;

    /// Each of `users`' status, on every node: online (a session attached to a connection),
    /// offline (only sessions kept for a resume) or not logged in (the official
    /// USER_STATUS_* values).
    fn status<'a>(&'a self, app: u64, users: &'a [String]) -> Later<'a, Vec<u32>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use Platform::*;

    const ALL: [LoginPolicy; 4] = [
        LoginPolicy::Single,
        LoginPolicy::Dual,
        LoginPolicy::Three,
        LoginPolicy::Multi,
    ];

    /// The kicked sessions, by position among `old`: "1:multipleDevice".
    fn kicked(policy: LoginPolicy, limit: usize, old: &[Platform], new: Platform) -> Vec<String> {
        let sessions: Vec<(u64, Platform)> = (1..).zip(old.iter().copied()).collect();
        let kick = to_kick(policy, limit, &sessions, new);
        kick.iter().map(|(id, why)| format!("{id}:{why}")).collect()
    }

    #[test]
    fn web_keeps_its_instance_limit_under_every_policy() {
        for policy in ALL {
            assert_eq!(kicked(policy, 1, &[Web], Web), ["1:multipleAccount"]);
            assert_eq!(kicked(policy, 2, &[Web], MiniProgram), Vec::<&str>::new());
            assert_eq!(
                kicked(policy, 2, &[MiniProgram, Web], Web),
                ["1:multipleAccount"],
                "a Mini Program counts as web"
            );
        }
    }

    #[test]
    fn single_allows_one_class_at_a_time() {
        let p = LoginPolicy::Single;
        assert_eq!(
            kicked(p, 2, &[Web, Web], Node),
            ["1:multipleDevice", "2:multipleDevice"]
        );
        assert_eq!(kicked(p, 2, &[Node], Web), ["1:multipleDevice"]);
        assert_eq!(kicked(p, 2, &[Android], Node), ["1:multipleDevice"]);
        assert_eq!(kicked(p, 2, &[Node], Node), ["1:multipleDevice"]);
    }

    #[test]
    fn dual_allows_web_beside_one_other() {
        let p = LoginPolicy::Dual;
        assert_eq!(kicked(p, 1, &[Web], Node), Vec::<&str>::new());
        assert_eq!(kicked(p, 1, &[Node], Web), Vec::<&str>::new());
        assert_eq!(kicked(p, 1, &[Web, Ios], Node), ["2:multipleDevice"]);
        assert_eq!(kicked(p, 1, &[Node, Web], Web), ["2:multipleAccount"]);
    }

    #[test]
    fn three_allows_web_one_mobile_one_desktop() {
        let p = LoginPolicy::Three;
        assert_eq!(kicked(p, 1, &[Web, Ios], Node), Vec::<&str>::new());
        assert_eq!(kicked(p, 1, &[Web, Ios, Mac], Node), ["3:multipleDevice"]);
        assert_eq!(kicked(p, 1, &[Android, Mac], Ipad), ["1:multipleDevice"]);
    }

    #[test]
    fn wire_names_round_trip() {
        for p in [Web, MiniProgram, Node, Android, Ios, Ipad, Windows, Mac] {
            let name = serde_json::to_value(p).unwrap();
            assert_eq!(name, p.name(), "the wire name is serde's");
            assert_eq!(Platform::from_name(p.name()), Some(p));
        }
        assert_eq!(Platform::from_name("amiga"), None);
    }

    #[test]
    fn multi_allows_one_of_each_platform() {
        let p = LoginPolicy::Multi;
        assert_eq!(
            kicked(p, 1, &[Web, Ios, Mac, Windows], Node),
            Vec::<&str>::new()
        );
        assert_eq!(kicked(p, 1, &[Web, Node, Mac], Node), ["2:multipleDevice"]);
    }
}
