//! Conversations on SQLite: `user_conversations`, one row per user and peer, changed in the
//! same transaction as the message or change that moves it.

use super::inbox::inbox_seq;
use super::rows::{conversation, conversation_row, load_message, message, message_at};
use super::writer::Writes;
use super::{inbox, messages, SqliteStore};
use crate::now_secs;
use crate::store::rules::{self, c2c_key};
use crate::store::{ConversationChange, ConversationStore, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use tim_proto::{Conversation, ConversationId, ConversationsOk, InboxEvent};

/// `user`'s conversation with `peer`, with its last message.
pub(super) fn load(
    conn: &Connection,
    app: u64,
    user: &str,
    peer: &str,
) -> StoreResult<Option<Conversation>> {
    let sql = format!(
        "SELECT {} FROM user_conversations c WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer = ?3",
        conversation::LIST
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row(params![app as i64, user, peer], conversation_row)
        .optional()?;
    let Some((mut c, last)) = row else {
        return Ok(None);
    };
    if let Some(rowid) = last {
        c.last_message = load_message(conn, app, rowid)?;
    }
    Ok(Some(c))
}

fn not_found(peer: &str) -> StoreError {
    StoreError::NotFound(ConversationId::C2C(peer.to_owned()).to_id_string())
}

fn change(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
    peer: &str,
    change: &ConversationChange,
) -> StoreResult<Conversation> {
    let a = app as i64;
    let now = now_secs() as i64;
    let last_seq = messages::last_seq(conn, app, &c2c_key(user, peer))?;
    // Each change is one UPDATE of the row; `?5` is its value where it has one.
    let run = |set: &str, value: Option<Value>| -> StoreResult<usize> {
        let sql = format!(
            "UPDATE user_conversations SET {set}, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3"
        );
        let values: [Value; 4] = [
            a.into(),
            user.to_owned().into(),
            peer.to_owned().into(),
            now.into(),
        ];
        let values = values.into_iter().chain(value);
        Ok(conn
            .prepare_cached(&sql)?
            .execute(params_from_iter(values))?)
    };
    let changed = match change {
        ConversationChange::Read => run("unread = 0", None)?,
        ConversationChange::Delete => run(
            "unread = 0, deleted = 1, last_msg = NULL, cleared_seq = ?5",
            Some(last_seq.into()),
        )?,
        ConversationChange::ClearHistory => run(
            "unread = 0, last_msg = NULL, cleared_seq = ?5",
            Some(last_seq.into()),
        )?,
        ConversationChange::Pin(pinned) => run("pinned = ?5", Some(i64::from(*pinned).into()))?,
        ConversationChange::Mark(bits, true) => {
            run("mark = mark | ?5", Some(i64::from(*bits).into()))?
        }
        ConversationChange::Mark(bits, false) => {
            run("mark = mark & ~?5", Some(i64::from(*bits).into()))?
        }
        ConversationChange::CustomData(data) => run("custom_data = ?5", Some(data.clone().into()))?,
    };
    if changed == 0 {
        return Err(not_found(peer));
    }
    let conversation = load(conn, app, user, peer)?.ok_or_else(|| not_found(peer))?;
    let event = InboxEvent::Conversation {
        conversation: conversation.clone(),
    };
    inbox::push(conn, writes, app, user, None, event)?;
    if *change == ConversationChange::Read && rules::read_tells_peer(user, peer, last_seq as u64) {
        // The peer learns how far its messages were read.
        conn.prepare_cached(
            "UPDATE user_conversations SET peer_read_seq = MAX(peer_read_seq, ?4)
             WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
        )?
        .execute(params![a, peer, user, last_seq])?;
        let event = InboxEvent::PeerRead {
            conversation_id: ConversationId::C2C(user.to_owned()),
            read_seq: last_seq as u64,
        };
        inbox::push(conn, writes, app, peer, None, event)?;
    }
    Ok(conversation)
}

fn change_all(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
    peers: &[String],
    how: &ConversationChange,
) -> StoreResult<ConversationsOk> {
    let conversations = peers
        .iter()
        .map(|peer| change(conn, writes, app, user, peer, how))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(ConversationsOk {
        conversation_groups: Vec::new(),
        conversations,
        inbox_seq: inbox_seq(conn, app, user)?,
        complete: true,
    })
}

impl ConversationStore for SqliteStore {
    async fn conversations(
        &self,
        app: u64,
        user: &str,
        after: Option<String>,
        limit: u32,
    ) -> StoreResult<ConversationsOk> {
        let user = user.to_owned();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let inbox_seq = inbox_seq(&tx, app, &user)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {}, {} FROM user_conversations c
                 LEFT JOIN messages m ON m.id = c.last_msg
                 WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer > ?3 AND c.deleted = 0
                 ORDER BY c.peer LIMIT ?4",
                conversation::LIST,
                message::LIST
            ))?;
            let after = after.unwrap_or_default();
            let mut conversations = stmt
                .query_map(params![app as i64, user, after, limit + 1], |r| {
                    let (mut c, last) = conversation_row(r)?;
                    if last.is_some() {
                        c.last_message = Some(message_at(r, conversation::COUNT)?);
                    }
                    Ok(c)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = conversations.len() <= limit as usize;
            conversations.truncate(limit as usize);
            Ok(ConversationsOk {
                conversation_groups: Vec::new(),
                conversations,
                inbox_seq,
                complete,
            })
        })
        .await
    }

    async fn change_conversations(
        &self,
        app: u64,
        user: &str,
        peers: Vec<String>,
        how: ConversationChange,
    ) -> StoreResult<ConversationsOk> {
        let user = user.to_owned();
        self.write(move |conn, writes| change_all(conn, writes, app, &user, &peers, &how))
            .await
    }

    async fn set_all_read(&self, app: u64, user: &str) -> StoreResult<ConversationsOk> {
        let user = user.to_owned();
        self.write(move |conn, writes| {
            let peers = conn
                .prepare_cached(
                    "SELECT peer FROM user_conversations
                     WHERE app = ?1 AND user_id = ?2 AND unread > 0 AND deleted = 0 ORDER BY peer",
                )?
                .query_map(params![app as i64, user], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            change_all(conn, writes, app, &user, &peers, &ConversationChange::Read)
        })
        .await
    }
}
