//! The Bus across server nodes, on NATS (`--bus nats://HOST:PORT`): every push is delivered to
//! this node's sessions at once (through the in-process [`Hub`]) and published on NATS for the
//! other nodes, which deliver it to theirs; a node ignores what it published itself.
//!
//! Pushes of one node go out in the order they were published (one publishing task), so a
//! user's inbox items from one node arrive in order; items from two nodes may interleave, and
//! pushes lost in a NATS outage are made good when NATS is back: every connection of the node
//! is ended then, and its client resumes and syncs from its inbox (the truth; docs/PROTOCOL.md). All nodes share one subject: each
//! receives every push and keeps those for its own sessions.

use crate::bus::{Bus, Push, Target};
use crate::hub::Hub;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tim_proto::{InboxItem, Message};
use tokio::sync::mpsc;

/// The one subject of the pushes between nodes.
const SUBJECT: &str = "tim.push";

/// A push as it travels between nodes.
#[derive(Serialize, Deserialize)]
struct Wire {
    /// The node that published it.
    node: u64,
    app: u64,
    user: String,
    /// `Target::Others`: every session but this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    except: Option<u64>,
    /// `Target::Session`: this session only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<u64>,
    push: WirePush,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum WirePush {
    Inbox {
        item: InboxItem,
    },
    /// A group message to these members (a push to one user names one).
    Group {
        message: Message,
        users: Vec<String>,
    },
    Online {
        message: Message,
    },
    Status {
        list: tim_proto::Json,
    },
    GroupEvent {
        event: tim_proto::group::GroupEvent,
    },
    Kick {
        reason: String,
    },
    Moved,
}

impl Wire {
    fn of(node: u64, target: Target<'_>, push: Push) -> Wire {
        let (app, user) = target.user();
        let (except, session) = match target {
            Target::User { .. } => (None, None),
            Target::Others { except, .. } => (Some(except), None),
            Target::Session { session, .. } => (None, Some(session)),
        };
        let push = match push {
            Push::Inbox(item) => WirePush::Inbox { item },
            Push::Group(message) => WirePush::Group {
                message,
                users: vec![user.to_owned()],
            },
            Push::Online(message) => WirePush::Online { message },
            Push::Status(list) => WirePush::Status { list },
            Push::GroupEvent(event) => WirePush::GroupEvent { event },
            Push::Kick(reason) => WirePush::Kick {
                reason: reason.to_owned(),
            },
            Push::Moved => WirePush::Moved,
        };
        Wire {
            node,
            app,
            user: user.to_owned(),
            except,
            session,
            push,
        }
    }

    /// Deliver it to this node's sessions.
    fn deliver(self, hub: &Hub) {
        let (app, user) = (self.app, self.user.as_str());
        let target = match (self.except, self.session) {
            (_, Some(session)) => Target::Session { app, user, session },
            (Some(except), None) => Target::Others { app, user, except },
            (None, None) => Target::User { app, user },
        };
        let push = match self.push {
            WirePush::Inbox { item } => Push::Inbox(item),
            WirePush::Group { message, users } => return hub.publish_group(app, &users, &message),
            WirePush::Online { message } => Push::Online(message),
            WirePush::Status { list } => Push::Status(list),
            WirePush::GroupEvent { event } => Push::GroupEvent(event),
            WirePush::Kick { reason } => match tim_proto::kick_type(&reason) {
                Some(reason) => Push::Kick(reason),
                None => return tracing::warn!("NATS: a kick of unknown type {reason:?}"),
            },
            WirePush::Moved => Push::Moved,
        };
        hub.publish(target, push);
    }
}

/// Pushes waiting for the publishing task; past this (NATS far behind) a push is dropped for
/// the other nodes, a gap their clients fill with a sync.
const QUEUE: usize = 1 << 16;

pub struct NatsBus {
    hub: Arc<Hub>,
    node: u64,
    out: mpsc::Sender<Vec<u8>>,
}

impl NatsBus {
    /// Connect to the NATS server at `url` and start relaying pushes between it and `hub`.
    pub async fn connect(url: &str, hub: Arc<Hub>) -> Result<NatsBus, String> {
        // Pushes published while this node was cut off from NATS are lost for its sessions,
        // and a client only notices at its next push: once NATS is back (or dropped pushes
        // for being slow), every connection here is ended, its client resumes and syncs.
        let lost = Arc::new(AtomicBool::new(false));
        let local = hub.clone();
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .event_callback(move |event| {
                let (lost, local) = (lost.clone(), local.clone());
                async move {
                    match event {
                        async_nats::Event::Disconnected => lost.store(true, Ordering::Relaxed),
                        async_nats::Event::Connected if lost.swap(false, Ordering::Relaxed) => {
                            tracing::warn!("NATS: connected again; this node's clients resync");
                            local.drop_links();
                        }
                        async_nats::Event::SlowConsumer(_) => {
                            tracing::warn!(
                                "NATS: pushes dropped for being slow; this node's clients resync"
                            );
                            local.drop_links();
                        }
                        _ => {}
                    }
                }
            })
            .connect(url)
            .await
            .map_err(|e| format!("NATS at {url}: {e}"))?;
        let mut subscription = client
            .subscribe(SUBJECT)
            .await
            .map_err(|e| format!("NATS at {url}: subscribing: {e}"))?;
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
        let node = u64::from_le_bytes(bytes);
        let (out, mut queued) = mpsc::channel::<Vec<u8>>(QUEUE);
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(bytes) = queued.recv().await {
                if let Err(e) = publisher.publish(SUBJECT, bytes.into()).await {
                    tracing::warn!("NATS: publishing a push: {e}");
                }
            }
        });
        let local = hub.clone();
        tokio::spawn(async move {
            while let Some(message) = subscription.next().await {
                match serde_json::from_slice::<Wire>(&message.payload) {
                    Ok(wire) if wire.node == node => {}
                    Ok(wire) => wire.deliver(&local),
                    Err(e) => tracing::warn!("NATS: a push this node cannot read: {e}"),
                }
            }
        });
        Ok(NatsBus { hub, node, out })
    }
}

impl NatsBus {
    /// Hands `wire` to the publishing task, for the other nodes.
    fn send(&self, wire: &Wire) {
        match serde_json::to_vec(wire) {
            Ok(bytes) => {
                if self.out.try_send(bytes).is_err() {
                    tracing::warn!(
                        "NATS: the publishing queue is full; a push to other nodes is dropped"
                    );
                }
            }
            Err(e) => tracing::error!("NATS: encoding a push: {e}"),
        }
    }
}

impl Bus for NatsBus {
    fn publish(&self, target: Target<'_>, push: Push) {
        self.send(&Wire::of(self.node, target, push.clone()));
        self.hub.publish(target, push);
    }

    /// One NATS message for all the members.
    fn publish_group(&self, app: u64, users: &[String], message: &Message) {
        self.send(&Wire {
            node: self.node,
            app,
            user: String::new(),
            except: None,
            session: None,
            push: WirePush::Group {
                message: message.clone(),
                users: users.to_vec(),
            },
        });
        self.hub.publish_group(app, users, message);
    }
}
