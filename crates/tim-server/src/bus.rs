//! The fan-out seam: every frame the server pushes to users (inbox items, group messages,
//! online-only messages, kicks) goes through [`Bus::publish`]. The in-process [`Hub`](crate::hub::Hub) is
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
    /// One session of a user.
    Session {
        app: u64,
        user: &'a str,
        session: u64,
    },
}

impl Target<'_> {
    /// The app and user whose sessions are meant.
    pub fn user(&self) -> (u64, &str) {
        match *self {
            Target::User { app, user }
            | Target::Others { app, user, .. }
            | Target::Session { app, user, .. } => (app, user),
        }
    }

    /// Whether the user's session `id` is meant.
    pub fn picks(&self, id: u64) -> bool {
        match *self {
            Target::User { .. } => true,
            Target::Others { except, .. } => id != except,
            Target::Session { session, .. } => id == session,
        }
    }
}

/// What is pushed.
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    /// A committed inbox item: sessions that cannot take it are detached (they resync).
    Inbox(InboxItem),
    /// A committed message of a group the target is a member of: as an inbox item, sessions
    /// that cannot take it are detached (they catch up with `syncGroups`).
    Group(Message),
    /// An online-only message: best effort, not stored.
    Online(Message),
    /// Statuses of users the target watches changed (the USER_STATUS_UPDATED data): best
    /// effort, not stored.
    Status(tim_proto::Json),
    /// A group's attributes or counters changed: best effort, not stored.
    GroupEvent(tim_proto::group::GroupEvent),
    /// End the sessions with this official KICKED_OUT type.
    Kick(&'static str),
    /// The session was taken over by a connection on another node (a `resume` there): its
    /// connection here, if any, ends without a word to its client.
    Moved,
}

pub trait Bus: Send + Sync + 'static {
    fn publish(&self, target: Target<'_>, push: Push);

    /// A group message to every session of each of `users` (an implementation may encode it
    /// once for all).
    fn publish_group(&self, app: u64, users: &[String], message: &Message) {
        for user in users {
            self.publish(Target::User { app, user }, Push::Group(message.clone()));
        }
    }
}
