//! The property part of the suite: random interleavings of send, read, delete, clear, revoke
//! and delete-message between users always leave unread counts, last messages and histories
//! as a simple model says.

use super::{send, text, APP};
use proptest::prelude::*;
use std::collections::HashMap;
use tim_server::store::{ConversationChange, HistoryRange, Store, StoreError};

const USERS: [&str; 3] = ["ann", "ben", "cat"];

#[derive(Debug, Clone)]
pub enum Op {
    Send(usize, usize),
    Read(usize, usize),
    Delete(usize, usize),
    Clear(usize, usize),
    /// The user revokes the n-th message sent so far (modulo), whoever sent it.
    Revoke(usize, usize),
    /// The user deletes the n-th message sent so far (modulo) from their history.
    DeleteMessage(usize, usize),
}

pub fn op() -> impl Strategy<Value = Op> {
    let pair = (0..USERS.len(), 0..USERS.len()).prop_filter("two users", |(a, b)| a != b);
    prop_oneof![
        4 => pair.clone().prop_map(|(a, b)| Op::Send(a, b)),
        2 => pair.clone().prop_map(|(a, b)| Op::Read(a, b)),
        1 => pair.clone().prop_map(|(a, b)| Op::Delete(a, b)),
        1 => pair.prop_map(|(a, b)| Op::Clear(a, b)),
        1 => (0..USERS.len(), 0..50usize).prop_map(|(u, n)| Op::Revoke(u, n)),
        1 => (0..USERS.len(), 0..50usize).prop_map(|(u, n)| Op::DeleteMessage(u, n)),
    ]
}

/// One user's view of a conversation, as the model keeps it.
#[derive(Debug, Default, Clone)]
struct View {
    unread: u32,
    deleted: bool,
    /// Visible history: message numbers.
    history: Vec<usize>,
}

#[derive(Default)]
struct Model {
    /// (user, peer) → view; present once they exchanged a message.
    views: HashMap<(usize, usize), View>,
    /// Message number → (from, to, revoked, server ID).
    messages: Vec<(usize, usize, bool, String)>,
}

async fn check<S: Store>(store: &S, model: &Model) {
    for (u, user) in USERS.iter().enumerate() {
        let page = store.conversations(APP, user, None, 100).await.unwrap();
        let mut expected: Vec<(String, u32, Option<String>, bool)> = model
            .views
            .iter()
            .filter(|((owner, _), v)| *owner == u && !v.deleted)
            .map(|((_, peer), v)| {
                let last = v.history.last().map(|n| model.messages[*n].3.clone());
                let revoked = v.history.last().is_some_and(|n| model.messages[*n].2);
                (format!("C2C{}", USERS[*peer]), v.unread, last, revoked)
            })
            .collect();
        expected.sort();
        let actual: Vec<(String, u32, Option<String>, bool)> = page
            .conversations
            .iter()
            .map(|c| {
                let last = c.last_message.as_ref();
                (
                    c.id.to_id_string(),
                    c.unread_count,
                    last.map(|m| m.id.clone()),
                    last.is_some_and(|m| !m.revoker.is_empty()),
                )
            })
            .collect();
        assert_eq!(actual, expected, "conversations of {user}");
        for (p, peer) in USERS.iter().enumerate() {
            if p == u {
                continue;
            }
            let (history, _) = store
                .history_c2c(APP, user, peer, HistoryRange::BeforeSeq(None), 100)
                .await
                .unwrap();
            let want: Vec<(String, bool)> = model
                .views
                .get(&(u, p))
                .map(|v| {
                    v.history
                        .iter()
                        .map(|n| (model.messages[*n].3.clone(), model.messages[*n].2))
                        .collect()
                })
                .unwrap_or_default();
            let got: Vec<(String, bool)> = history
                .iter()
                .map(|m| (m.id.clone(), !m.revoker.is_empty()))
                .collect();
            assert_eq!(got, want, "history of {user} with {peer}");
        }
    }
}

pub async fn run<S: Store>(store: S, ops: Vec<Op>) {
    for user in USERS {
        store.login_user(APP, user).await.unwrap();
    }
    let mut model = Model::default();
    for (i, op) in ops.into_iter().enumerate() {
        match op {
            Op::Send(a, b) => {
                let m = send(
                    &store,
                    USERS[a],
                    USERS[b],
                    &format!("m{i}"),
                    text(&format!("t{i}")),
                )
                .await;
                let n = model.messages.len();
                model.messages.push((a, b, false, m.id));
                let mine = model.views.entry((a, b)).or_default();
                mine.deleted = false;
                mine.history.push(n);
                let theirs = model.views.entry((b, a)).or_default();
                theirs.deleted = false;
                theirs.unread += 1;
                theirs.history.push(n);
            }
            Op::Read(u, p) | Op::Delete(u, p) | Op::Clear(u, p) => {
                let change = match op {
                    Op::Read(..) => ConversationChange::Read,
                    Op::Delete(..) => ConversationChange::Delete,
                    _ => ConversationChange::ClearHistory,
                };
                let r = store
                    .change_conversations(APP, USERS[u], vec![USERS[p].into()], change.clone())
                    .await;
                match model.views.get_mut(&(u, p)) {
                    None => assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}"),
                    Some(v) => {
                        r.unwrap();
                        v.unread = 0;
                        if change != ConversationChange::Read {
                            v.history.clear();
                            v.deleted |= change == ConversationChange::Delete;
                        }
                    }
                }
            }
            Op::Revoke(u, n) => {
                if model.messages.is_empty() {
                    continue;
                }
                let n = n % model.messages.len();
                let (from, to, _, id) = model.messages[n].clone();
                let r = store.revoke(APP, USERS[u], &id, 3600).await;
                if u == from {
                    r.unwrap();
                    model.messages[n].2 = true;
                } else if u == to {
                    assert!(matches!(r, Err(StoreError::NotSender)), "{r:?}");
                } else {
                    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
                }
            }
            Op::DeleteMessage(u, n) => {
                if model.messages.is_empty() {
                    continue;
                }
                let n = n % model.messages.len();
                let (from, to, _, id) = model.messages[n].clone();
                let r = store.delete_messages(APP, USERS[u], vec![id]).await;
                if u == from || u == to {
                    r.unwrap();
                    let peer = if u == from { to } else { from };
                    if let Some(v) = model.views.get_mut(&(u, peer)) {
                        v.history.retain(|m| *m != n);
                    }
                } else {
                    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
                }
            }
        }
        check(&store, &model).await;
    }
}
