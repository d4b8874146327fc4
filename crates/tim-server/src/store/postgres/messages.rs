//! Messages on PostgreSQL: `messages` rows (unique per conversation sequence and per sender's
//! clientMsgID), `hidden_messages` for per-user deletion, and the inbox items and conversation
//! changes each write causes, decided by [`rules`] as on SQLite.

use super::conversations::load as load_conversation;
use super::inbox::{self, inbox_seq};
use super::relations;
use super::rows::{
    at_users_column, control_bits, conv_type_code, load_message, message, message_at,
    CONTROL_NOT_LAST,
};
use super::{execute, internal, lock_users, row, rows, snapshot, transaction, PgStore, Writes};
use crate::now_secs;
use crate::store::rules::{self, c2c_key, MessageIds, Standing};
use crate::store::{
    Deleted, HistoryRange, Key, Kind, MessageStore, NewMessage, StoreError, StoreResult,
};
use deadpool_postgres::Transaction;
use tim_proto::{ConversationType, ConversationsOk, InboxEvent, Message, ModifyMessage};

/// The message `id` names, if `user` may see it (see [`rules::named`]), with its row number
/// and where `user` stands in its group (a group message's).
pub(super) async fn named(
    tx: &Transaction<'_>,
    ids: MessageIds,
    app: u64,
    user: &str,
    id: &str,
) -> StoreResult<(i64, Message, Standing)> {
    let rowid = ids.rowid(id).unwrap_or(0);
    let stored = if rowid > 0 {
        load_message(tx, ids, app, rowid).await?
    } else {
        None
    };
    let standing = match &stored {
        Some(m) if m.conversation_type == ConversationType::Group => {
            let key = Key::new(&m.to, Kind::Member, user);
            let row = relations::relation_at(tx, app, &key).await?;
            Standing::of(row.as_ref().map(|r| r.data.as_str()))
        }
        _ => Standing::Outside,
    };
    Ok((rowid, rules::named(stored, id, user, standing)?, standing))
}

/// An inbox item about message row `rowid` for each who has it: its sender and its recipient,
/// or the members of its group.
async fn push_to_parties(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    app: u64,
    message: &Message,
    rowid: i64,
    event: impl Fn(Message) -> InboxEvent,
) -> StoreResult<()> {
    let audience: Vec<String> = match message.conversation_type {
        ConversationType::Group => relations::owned(tx, app, &message.to, Kind::Member).await?,
        _ => rules::parties(message).map(str::to_owned).collect(),
    };
    let audience: Vec<&str> = audience.iter().map(String::as_str).collect();
    lock_users(tx, app, &audience).await?;
    for user in audience {
        let event = event(message.clone());
        inbox::push_known(tx, writes, app, user, Some(rowid), event).await?;
    }
    Ok(())
}

/// The last sequence of conversation `conv` (0 before its first message).
pub(super) async fn last_seq(tx: &Transaction<'_>, app: u64, conv: &str) -> StoreResult<i64> {
    let r = row(
        tx,
        "SELECT last_seq FROM conversations WHERE app = $1 AND conv = $2",
        &[&(app as i64), &conv],
    )
    .await?;
    Ok(match r {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}

/// Takes the next sequence of conversation `conv`, which locks its counter row until the
/// transaction ends (a refusal after this rolls it back).
pub(super) async fn take_seq(tx: &Transaction<'_>, app: u64, conv: &str) -> StoreResult<i64> {
    Ok(row(
        tx,
        "INSERT INTO conversations (app, conv, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (app, conv) DO UPDATE SET last_seq = conversations.last_seq + 1
         RETURNING last_seq",
        &[&(app as i64), &conv],
    )
    .await?
    .ok_or_else(|| internal("INSERT … RETURNING gave no row"))?
    .try_get(0)?)
}

/// The stored message of `msg`'s sender and clientMsgID, if any.
pub(super) async fn stored(
    tx: &Transaction<'_>,
    ids: MessageIds,
    msg: &NewMessage,
) -> StoreResult<Option<Message>> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.app = $1 AND m.sender = $2 AND m.client_msg_id = $3",
        message::LIST
    );
    let r = row(
        tx,
        &sql,
        &[&(msg.app as i64), &msg.from, &msg.client_msg_id],
    )
    .await?;
    r.map(|r| message_at(ids, &r, 0)).transpose()
}

/// Stores `msg` as the message `seq` of `conv` (of `conv_type`) sent now, charged to its
/// sender's quota (refused past it) and stamped with their nick and avatar: its row number and
/// the message as stored.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    ids: MessageIds,
    msg: &NewMessage,
    (conv, conv_type, seq): (&str, ConversationType, i64),
) -> StoreResult<(i64, Message)> {
    let time = now_secs();
    let app = msg.app as i64;
    let elements = serde_json::to_string(&msg.body.elements).map_err(internal)?;
    let at_users = at_users_column(&msg.body.at_user_list);
    // The quota counts the bytes of the stored columns.
    let size = (elements.len() + msg.body.cloud_custom_data.len() + at_users.len()) as i64;
    let used = row(
        tx,
        "UPDATE users SET stored_bytes = stored_bytes + $3 WHERE app = $1 AND user_id = $2 RETURNING stored_bytes, profile",
        &[&app, &msg.from, &size],
    )
    .await?
    .ok_or_else(|| internal("the sender has no account"))?;
    let (nick, avatar) = rules::sender_stamp(&used.try_get::<_, String>(1)?);
    let used: i64 = used.try_get(0)?;
    if msg.quota_bytes > 0 && used > msg.quota_bytes as i64 {
        return Err(StoreError::QuotaExceeded(msg.quota_bytes));
    }
    let inserted = row(
        tx,
        "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements, cloud_custom_data, need_receipt, control, at_users, nick, avatar, name_card)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
        &[
            &app,
            &conv,
            &seq,
            &conv_type_code(conv_type),
            &msg.from,
            &msg.to,
            &msg.client_msg_id,
            &i64::from(msg.random),
            &(time as i64),
            &elements,
            &msg.body.cloud_custom_data,
            &msg.body.need_read_receipt,
            &control_bits(&msg.body),
            &at_users,
            &nick,
            &avatar,
            &msg.name_card,
        ],
    )
    .await?
    .ok_or_else(|| internal("INSERT … RETURNING gave no row"))?;
    let rowid: i64 = inserted.try_get(0)?;
    let message = Message {
        id: ids.id(rowid, time, msg.random),
        conversation_type: conv_type,
        from: msg.from.clone(),
        to: msg.to.clone(),
        sequence: seq as u64,
        time,
        random: msg.random,
        client_msg_id: msg.client_msg_id.clone(),
        body: msg.body.clone(),
        nick,
        avatar,
        name_card: msg.name_card.clone(),
        ..Message::default()
    };
    Ok((rowid, message))
}

async fn send_c2c(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    msg: &NewMessage,
) -> StoreResult<Message> {
    let app = msg.app as i64;
    let conv = c2c_key(&msg.from, &msg.to);
    // A retry (same sender and clientMsgID) is answered with the original, and writes nothing.
    // (Two nodes storing one at once: the second's INSERT conflicts, and its transaction runs
    // again, finding the first's.)
    if let Some(stored) = stored(tx, ids, msg).await? {
        rules::is_retry(&stored, msg)?;
        return Ok(stored);
    }
    // The conversation's row first (taking the next sequence locks it), then the users' rows:
    // the order every writer takes them. A refusal below rolls the sequence back.
    let seq = take_seq(tx, msg.app, &conv).await?;
    let locked = lock_users(tx, msg.app, &[&msg.from, &msg.to]).await?;
    if !locked.contains(&msg.to) {
        return Err(StoreError::UnknownUser(msg.to.clone()));
    }
    if relations::blocks(tx, msg.app, &msg.to, &msg.from).await? {
        return Err(StoreError::Blocked);
    }
    let (rowid, message) = insert(tx, ids, msg, (&conv, ConversationType::C2C, seq)).await?;
    let time = message.time;
    let last = rules::becomes_last(&message).then_some(rowid);
    // Each owner's conversation row and inbox item, all sent at once (pipelined on the
    // connection): they touch rows already locked or of their own.
    let owners = rules::owners(&message);
    let changes = owners.iter().map(|owner| async {
        execute(
            tx,
            "INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, unread, updated)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (app, user_id, peer) DO UPDATE SET
                 last_msg = COALESCE(EXCLUDED.last_msg, user_conversations.last_msg),
                 unread = user_conversations.unread + EXCLUDED.unread,
                 deleted = 0, updated = EXCLUDED.updated",
            &[
                &app,
                &owner.owner,
                &owner.peer,
                &conv,
                &conv_type_code(ConversationType::C2C),
                &last,
                &i64::from(owner.unread),
                &(time as i64),
            ],
        )
        .await?;
        let event = InboxEvent::Message {
            message: message.clone(),
        };
        inbox::append(tx, msg.app, owner.owner, Some(rowid), event)
            .await?
            .ok_or_else(|| internal("an inbox of no user"))
    });
    let items = futures_util::future::try_join_all(changes).await?;
    for (owner, item) in owners.iter().zip(items) {
        writes.deliver(msg.app, owner.owner, item);
    }
    Ok(message)
}

async fn revoke(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    (app, user, id, limit_secs): (u64, &str, &str, u64),
) -> StoreResult<Message> {
    let (rowid, message, standing) = named(tx, ids, app, user, id).await?;
    if !rules::revoke(&message, user, standing, now_secs(), limit_secs)? {
        return Ok(message);
    }
    execute(
        tx,
        "UPDATE messages SET revoker = $3 WHERE app = $1 AND id = $2",
        &[&(app as i64), &rowid, &user],
    )
    .await?;
    let message = Message {
        revoker: user.to_owned(),
        ..message
    };
    let event = |message| InboxEvent::Revoked { message };
    push_to_parties(tx, writes, app, &message, rowid, event).await?;
    Ok(message)
}

async fn modify(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    (app, user, change, sender_only): (u64, &str, &ModifyMessage, bool),
) -> StoreResult<Message> {
    let (rowid, message, _) = named(tx, ids, app, user, &change.message_id).await?;
    // The row is locked from here, so the version check holds until the commit.
    rows(
        tx,
        "SELECT 1 FROM messages WHERE app = $1 AND id = $2 FOR UPDATE",
        &[&(app as i64), &rowid],
    )
    .await?;
    let (_, message) = match load_message(tx, ids, app, rowid).await? {
        Some(now) => (rowid, now),
        None => (rowid, message),
    };
    rules::modify(&message, change, user, sender_only)?;
    let elements = serde_json::to_string(&change.elements).map_err(internal)?;
    execute(
        tx,
        "UPDATE messages SET elements = $3, cloud_custom_data = $4, version = version + 1, modifier = $5 WHERE app = $1 AND id = $2",
        &[&(app as i64), &rowid, &elements, &change.cloud_custom_data, &user],
    )
    .await?;
    let mut message = message;
    message.body.elements = change.elements.clone();
    message.body.cloud_custom_data = change.cloud_custom_data.clone();
    message.version += 1;
    message.modifier = user.to_owned();
    let event = |message| InboxEvent::Modified { message };
    push_to_parties(tx, writes, app, &message, rowid, event).await?;
    Ok(message)
}

async fn delete_messages(
    tx: &Transaction<'_>,
    writes: &mut Writes,
    ids: MessageIds,
    (app, user, message_ids): (u64, &str, &[String]),
) -> StoreResult<Deleted> {
    let a = app as i64;
    lock_users(tx, app, &[user]).await?;
    let (mut peers, mut groups): (Vec<String>, Vec<String>) = Default::default();
    for id in message_ids {
        let (rowid, message, _) = named(tx, ids, app, user, id).await?;
        execute(
            tx,
            "INSERT INTO hidden_messages (app, user_id, msg) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&a, &user, &rowid],
        )
        .await?;
        rules::note_conversation(&message, user, &mut peers, &mut groups);
    }
    let mut conversations = Vec::new();
    for peer in peers {
        // The last message is the newest one still visible to the user.
        let last = row(
            tx,
            &format!(
                "SELECT MAX(m.id) FROM messages m, user_conversations c
                 WHERE c.app = $1 AND c.user_id = $2 AND c.peer = $3 AND m.app = $1 AND m.conv = c.conv
                   AND m.seq > c.cleared_seq AND m.control & {CONTROL_NOT_LAST} = 0
                   AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = $1 AND h.user_id = $2 AND h.msg = m.id)"
            ),
            &[&a, &user, &peer],
        )
        .await?;
        let last: Option<i64> = match last {
            Some(r) => r.try_get(0)?,
            None => None,
        };
        let changed = execute(
            tx,
            "UPDATE user_conversations SET last_msg = $4 WHERE app = $1 AND user_id = $2 AND peer = $3
               AND last_msg IS DISTINCT FROM $4",
            &[&a, &user, &peer, &last],
        )
        .await?;
        if changed == 0 {
            continue;
        }
        if let Some(c) = load_conversation(tx, ids, app, user, &peer).await? {
            let event = InboxEvent::Conversation {
                conversation: c.clone(),
            };
            inbox::push_known(tx, writes, app, user, None, event).await?;
            conversations.push(c);
        }
    }
    let page = ConversationsOk {
        conversation_groups: Vec::new(),
        conversations,
        inbox_seq: inbox_seq(tx, app, user).await?,
        complete: true,
    };
    Ok(Deleted { page, groups })
}

impl MessageStore for PgStore {
    async fn send_c2c(&self, msg: NewMessage) -> StoreResult<Message> {
        let ids = self.ids();
        transaction!(self, |tx, writes| send_c2c(&tx, writes, ids, &msg).await)
    }

    async fn history_c2c(
        &self,
        app: u64,
        me: &str,
        peer: &str,
        range: HistoryRange,
        count: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let conv = c2c_key(me, peer);
        let (bound, column, newer) = crate::store::sql::history_bound(range);
        let order = if newer { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {} FROM messages m
             WHERE m.app = $1 AND m.conv = $2 AND {column} $3
               AND m.seq > COALESCE((SELECT cleared_seq FROM user_conversations
                                     WHERE app = $1 AND user_id = $5 AND peer = $6), 0)
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                               WHERE h.app = $1 AND h.user_id = $5 AND h.msg = m.id)
             ORDER BY m.seq {order} LIMIT $4",
            message::LIST
        );
        let mut client = self.client().await?;
        let tx = snapshot(&mut client).await?;
        let found = rows(
            &tx,
            &sql,
            &[
                &(app as i64),
                &conv,
                &bound,
                &(i64::from(count) + 1),
                &me,
                &peer,
            ],
        )
        .await?;
        tx.commit().await?;
        let messages = found
            .iter()
            .map(|r| message_at(self.ids(), r, 0))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(crate::store::sql::history_page(messages, count, newer))
    }

    async fn revoke(
        &self,
        app: u64,
        user: &str,
        message_id: &str,
        limit_secs: u64,
    ) -> StoreResult<Message> {
        let ids = self.ids();
        let args = (app, user, message_id, limit_secs);
        transaction!(self, |tx, writes| revoke(&tx, writes, ids, args).await)
    }

    async fn modify(
        &self,
        app: u64,
        user: &str,
        change: ModifyMessage,
        sender_only: bool,
    ) -> StoreResult<Message> {
        let ids = self.ids();
        let args = (app, user, &change, sender_only);
        transaction!(self, |tx, writes| modify(&tx, writes, ids, args).await)
    }

    async fn delete_messages(
        &self,
        app: u64,
        user: &str,
        messages: Vec<String>,
    ) -> StoreResult<Deleted> {
        let ids = self.ids();
        let args = (app, user, messages.as_slice());
        transaction!(self, |tx, writes| delete_messages(&tx, writes, ids, args)
            .await)
    }
}
