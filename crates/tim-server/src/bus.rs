//! The fan-out seam: every frame the server pushes to users (inbox items, online-only
//! messages, kicks) goes through [`Bus::publish`]. The in-process [`Hub`](crate::hub::Hub) is
//! the one implementation today; one on a message broker replaces it without touching ops,
//! sessions or stores, since none of them reaches a connection any other way.

use tim_proto::{InboxItem, Message};

/// Whom a push is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Every session of a user.
    User { app: u64, user: &'a str },
    /// Every session of a user but one (the session that caused it).
    Others {
        app: u64,
        user: &'a str,
        except: u64,
    },
}

/// What is pushed.
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    /// A committed inbox item: sessions that cannot take it are detached (they resync).
    Inbox(InboxItem),
    /// An online-only message: best effort, not stored.
    Online(Message),
    /// End the sessions with this official KICKED_OUT type.
    Kick(&'static str),
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, target: Target<'_>, push: Push);
}
