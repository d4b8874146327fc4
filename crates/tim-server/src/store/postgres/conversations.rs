//! Conversations on PostgreSQL: `user_conversations`, one row per user and peer, changed in the
//! same transaction as the message or change that moves it.

use super::inbox::{self, inbox_seq};
use super::messages::last_seq;
use super::rows::{conversation, conversation_row, load_message, message, message_at};
use super::{execute, lock_users, row, rows, snapshot, transaction, PgStore, Writes};
use crate::now_secs;
use crate::store::rules::{self, c2c_key, MessageIds};
use crate::store::{ConversationChange, ConversationStore, StoreError, StoreResult};
use deadpool_postgres::Transaction;
use tim_proto::{Conversation, ConversationId, ConversationsOk, InboxEvent};
use tokio_postgres::types::ToSql;

/// `user`'s conversation with `peer`, with its last message.
pub(super) async fn load(
    tx: &Transaction<'_>,
    ids: MessageIds,
    app: u64,
    user: &str,
    peer: &str,
) -> StoreResult<Option<Conversation>> {
    let sql = format!(
        "SELECT {} FROM user_conversations c WHERE c.app = $1 AND c.user_id = $2 AND c.peer = $3",
        conversation::LIST
    );
    let Some(r) = row(tx, &sql, &[&(app as i64), &user, &peer]).await? else {
        return Ok(None);
    };
    let (mut c, last) = conversation_row(&r)?;
    if let Some(rowid) = last {
        c.last_message = load_message(tx, ids, app, rowid).await?;
    }
    Ok(Some(c))
}

fn not_found(peer: &str) -> StoreError {
    StoreError::NotFound(ConversationId::C2C(peer.to_owned()).to_id_string())
}

async fn change(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    (app, user, peer): (u64, &str, &str),
    change: &ConversationChange,
) -> StoreResult<Conversation> {
    let a = app as i64;
    let now = now_secs() as i64;
    let last_seq = last_seq(tx, app, &c2c_key(user, peer)).await?;
    // Each change is one UPDATE of the row; `$5` is its value where it has one.
    let (set, value): (&str, Option<Box<dyn ToSql + Sync + Send>>) = match change {
        ConversationChange::Read => ("unread = 0", None),
        ConversationChange::Delete => (
            "unread = 0, deleted = 1, last_msg = NULL, cleared_seq = $5",
            Some(Box::new(last_seq)),
        ),
        ConversationChange::ClearHistory => (
            "unread = 0, last_msg = NULL, cleared_seq = $5",
            Some(Box::new(last_seq)),
        ),
        ConversationChange::Pin(pinned) => ("pinned = $5", Some(Box::new(i64::from(*pinned)))),
        ConversationChange::Mark(bits, true) => {
            ("mark = mark | $5", Some(Box::new(i64::from(*bits))))
        }
        ConversationChange::Mark(bits, false) => (
            "mark = mark & ~($5::BIGINT)",
            Some(Box::new(i64::from(*bits))),
        ),
        ConversationChange::CustomData(data) => ("custom_data = $5", Some(Box::new(data.clone()))),
    };
    let sql = format!(
        "UPDATE user_conversations SET {set}, updated = $4 WHERE app = $1 AND user_id = $2 AND peer = $3"
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&a, &user, &peer, &now];
    if let Some(v) = &value {
        params.push(v.as_ref() as &(dyn ToSql + Sync));
    }
    let changed = execute(tx, &sql, &params).await?;
    if changed == 0 {
        return Err(not_found(peer));
    }
    let conversation = load(tx, ids, app, user, peer)
        .await?
        .ok_or_else(|| not_found(peer))?;
    let event = InboxEvent::Conversation {
        conversation: conversation.clone(),
    };
    inbox::push_known(tx, writes, app, user, None, event).await?;
    if *change == ConversationChange::Read && rules::read_tells_peer(user, peer, last_seq as u64) {
        // The peer learns how far its messages were read.
        execute(
            tx,
            "UPDATE user_conversations SET peer_read_seq = GREATEST(peer_read_seq, $4)
             WHERE app = $1 AND user_id = $2 AND peer = $3",
            &[&a, &peer, &user, &last_seq],
        )
        .await?;
        let event = InboxEvent::PeerRead {
            conversation_id: ConversationId::C2C(user.to_owned()),
            read_seq: last_seq as u64,
        };
        // A peer without an account has no inbox to tell.
        inbox::push(tx, writes, app, peer, None, event).await?;
    }
    Ok(conversation)
}

async fn change_all(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    (app, user, peers): (u64, &str, &[String]),
    how: &ConversationChange,
) -> StoreResult<ConversationsOk> {
    // The user and every peer that may be told, locked in one order up front.
    let mut locked: Vec<&str> = peers.iter().map(String::as_str).collect();
    locked.push(user);
    lock_users(tx, app, &locked).await?;
    let mut conversations = Vec::with_capacity(peers.len());
    for peer in peers {
        conversations.push(change(tx, writes, ids, (app, user, peer), how).await?);
    }
    Ok(ConversationsOk {
        conversation_groups: Vec::new(),
        conversations,
        inbox_seq: inbox_seq(tx, app, user).await?,
        complete: true,
    })
}

/// Every conversation of `user` with unread messages, read.
async fn all_read(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    app: u64,
    user: &str,
) -> StoreResult<ConversationsOk> {
    let found = rows(
        tx,
        "SELECT peer FROM user_conversations
         WHERE app = $1 AND user_id = $2 AND unread > 0 AND deleted = 0 ORDER BY peer",
        &[&(app as i64), &user],
    )
    .await?;
    let peers = found
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    change_all(
        tx,
        writes,
        ids,
        (app, user, &peers),
        &ConversationChange::Read,
    )
    .await
}

impl ConversationStore for PgStore {
    async fn conversations(
        &self,
        app: u64,
        user: &str,
        after: Option<String>,
        limit: u32,
    ) -> StoreResult<ConversationsOk> {
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let inbox_seq = inbox_seq(&tx, app, user).await?;
        let sql = format!(
            "SELECT {}, {} FROM user_conversations c
             LEFT JOIN messages m ON m.id = c.last_msg
             WHERE c.app = $1 AND c.user_id = $2 AND c.peer > $3 AND c.deleted = 0
             ORDER BY c.peer LIMIT $4",
            conversation::LIST,
            message::LIST
        );
        let after = after.unwrap_or_default();
        let found = rows(
            &tx,
            &sql,
            &[&(app as i64), &user, &after, &(i64::from(limit) + 1)],
        )
        .await?;
        tx.commit().await?;
        let mut conversations = Vec::with_capacity(found.len());
        for r in &found {
            let (mut c, last) = conversation_row(r)?;
            if last.is_some() {
                c.last_message = Some(message_at(self.ids(), r, conversation::COUNT)?);
            }
            conversations.push(c);
        }
        let complete = conversations.len() <= limit as usize;
        conversations.truncate(limit as usize);
        Ok(ConversationsOk {
            conversation_groups: Vec::new(),
            conversations,
            inbox_seq,
            complete,
        })
    }

    async fn change_conversations(
        &self,
        app: u64,
        user: &str,
        peers: Vec<String>,
        how: ConversationChange,
    ) -> StoreResult<ConversationsOk> {
        let ids = self.ids();
        let args = (app, user, peers.as_slice());
        transaction!(self, |tx, writes| change_all(&tx, writes, ids, args, &how)
            .await)
    }

    async fn set_all_read(&self, app: u64, user: &str) -> StoreResult<ConversationsOk> {
        let ids = self.ids();
        transaction!(self, |tx, writes| all_read(&tx, writes, ids, app, user)
            .await)
    }
}
