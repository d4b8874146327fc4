//! Messages on SQLite: `messages` rows (unique per conversation sequence and per sender's
//! clientMsgID), `hidden_messages` for per-user deletion, and the inbox items and conversation
//! changes each write causes, decided by [`rules`].

use super::conversations::load as load_conversation;
use super::inbox::inbox_seq;
use super::rows::{
    at_users_column, control_bits, conv_type_code, ids, load_message, message, message_row,
    CONTROL_NOT_LAST,
};
use super::writer::{Counter, Writes};
use super::{inbox, internal, relations, SqliteStore};
use crate::now_secs;
use crate::store::rules::{self, c2c_key, Standing};
use crate::store::{
    Deleted, HistoryRange, Key, Kind, MessageStore, NewMessage, StoreError, StoreResult,
};
use rusqlite::{params, Connection};
use tim_proto::{ConversationType, ConversationsOk, InboxEvent, Message, ModifyMessage};

/// The message `id` names, if `user` may see it (see [`rules::named`]), with its row number
/// and where `user` stands in its group (a group message's).
pub(super) fn named(
    conn: &Connection,
    app: u64,
    user: &str,
    id: &str,
) -> StoreResult<(i64, Message, Standing)> {
    let rowid = ids().rowid(id).unwrap_or(0);
    let stored = if rowid > 0 {
        load_message(conn, app, rowid)?
    } else {
        None
    };
    let standing = match &stored {
        Some(m) if m.conversation_type == ConversationType::Group => {
            let row = relations::relation_at(conn, app, &Key::new(&m.to, Kind::Member, user))?;
            Standing::of(row.as_ref().map(|r| r.data.as_str()))
        }
        _ => Standing::Outside,
    };
    Ok((rowid, rules::named(stored, id, user, standing)?, standing))
}

/// An inbox item about message row `rowid` for each who has it: its sender and its recipient,
/// or the members of its group.
fn push_to_parties(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    message: &Message,
    rowid: i64,
    event: impl Fn(Message) -> InboxEvent,
) -> StoreResult<()> {
    let audience: Vec<String> = match message.conversation_type {
        ConversationType::Group => relations::owned(conn, app, &message.to, Kind::Member)?,
        _ => rules::parties(message).map(str::to_owned).collect(),
    };
    for user in audience {
        let event = event(message.clone());
        inbox::push(conn, writes, app, &user, Some(rowid), event)?;
    }
    Ok(())
}

/// Whether `msg` was stored already (then sending it again is answered with it).
fn is_sent(conn: &Connection, msg: &NewMessage) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE app = ?1 AND sender = ?2 AND client_msg_id = ?3)",
        )?
        .query_row(params![msg.app as i64, msg.from, msg.client_msg_id], |r| r.get(0))?)
}

/// The bytes of the message bodies `sender` has stored (their stored columns).
fn stored_bytes(conn: &Connection, app: u64, sender: &str) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(octet_length(elements) + octet_length(cloud_custom_data) + octet_length(at_users)), 0)
             FROM messages WHERE app = ?1 AND sender = ?2",
        )?
        .query_row(params![app as i64, sender], |r| r.get(0))?)
}

/// The last sequence of conversation `conv` (0 before its first message).
pub(super) fn last_seq(conn: &Connection, app: u64, conv: &str) -> StoreResult<i64> {
    let last: Option<i64> = conn
        .prepare_cached("SELECT MAX(seq) FROM messages WHERE app = ?1 AND conv = ?2")?
        .query_row(params![app as i64, conv], |r| r.get(0))?;
    Ok(last.unwrap_or(0))
}

/// The columns of a new message row besides what [`NewMessage`] has.
struct Row<'a> {
    pub conv: &'a str,
    pub conv_type: ConversationType,
    pub seq: i64,
    pub time: u64,
    pub elements: &'a str,
    pub at_users: &'a str,
    pub nick: &'a str,
    pub avatar: &'a str,
}

/// What [`insert`] did.
enum Inserted {
    /// The new row's number.
    Row(i64),
    /// The sender had stored this message already: the original (checked to be the same).
    Retry(Box<Message>),
}

/// What [`store`] did.
pub(super) enum Stored {
    /// The new row's number and the message as stored.
    New(i64, Message),
    /// The sender had stored this message already: the original.
    Retry(Message),
}

/// Stores `msg` in conversation `conv` (of `conv_type`) at its next sequence, charged to the
/// sender's quota (refused past it) and stamped with their nick and avatar; a retry stores
/// nothing and is answered with the original. It refuses only before it writes.
pub(super) fn store(
    conn: &Connection,
    writes: &mut Writes,
    msg: NewMessage,
    conv: &str,
    conv_type: ConversationType,
) -> StoreResult<Stored> {
    let counter = Counter::Conversation(msg.app, conv.to_owned());
    let seq = writes
        .next(&counter, || last_seq(conn, msg.app, conv).map(Some))?
        .unwrap_or(1);
    let time = now_secs();
    let elements = serde_json::to_string(&msg.body.elements).map_err(internal)?;
    let at_users = at_users_column(&msg.body.at_user_list);
    let quota = check_quota(conn, writes, &msg, &elements, &at_users)?;
    let (nick, avatar) = stamp(conn, writes, msg.app, &msg.from)?;
    let fields = Row {
        conv,
        conv_type,
        seq,
        time,
        elements: &elements,
        at_users: &at_users,
        nick: &nick,
        avatar: &avatar,
    };
    let rowid = match insert(conn, &msg, fields)? {
        Inserted::Row(rowid) => rowid,
        Inserted::Retry(stored) => return Ok(Stored::Retry(*stored)),
    };
    // (From here on a failure is a storage failure: it undoes the batch.)
    writes.take(counter, seq);
    if let Some((counter, stored)) = quota {
        writes.take(counter, stored);
    }
    let message = Message {
        id: ids().id(rowid, time, msg.random),
        conversation_type: conv_type,
        from: msg.from,
        to: msg.to,
        sequence: seq as u64,
        time,
        random: msg.random,
        client_msg_id: msg.client_msg_id,
        body: msg.body,
        nick,
        avatar,
        name_card: msg.name_card,
        ..Message::default()
    };
    Ok(Stored::New(rowid, message))
}

/// Inserts `msg` as row `row`; a retry (same sender and clientMsgID) inserts nothing and is
/// answered with the original.
fn insert(conn: &Connection, msg: &NewMessage, row: Row<'_>) -> StoreResult<Inserted> {
    let app = msg.app as i64;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements, cloud_custom_data, need_receipt, control, at_users, nick, avatar, name_card)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT (app, sender, client_msg_id) DO NOTHING",
        )?
        .execute(params![
            app,
            row.conv,
            row.seq,
            conv_type_code(row.conv_type),
            msg.from,
            msg.to,
            msg.client_msg_id,
            msg.random,
            row.time as i64,
            row.elements,
            msg.body.cloud_custom_data,
            msg.body.need_read_receipt,
            control_bits(&msg.body),
            row.at_users,
            row.nick,
            row.avatar,
            msg.name_card
        ])?;
    if inserted > 0 {
        return Ok(Inserted::Row(conn.last_insert_rowid()));
    }
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.app = ?1 AND m.sender = ?2 AND m.client_msg_id = ?3",
        message::LIST
    );
    let stored = conn
        .prepare_cached(&sql)?
        .query_row(params![app, msg.from, msg.client_msg_id], message_row)?;
    rules::is_retry(&stored, msg)?;
    Ok(Inserted::Retry(Box::new(stored)))
}

/// The bytes the sender will have stored with `msg` (whose columns are `elements` and
/// `at_users`), to take once it is stored, when the app has a quota; past the quota a message
/// not sent before is refused.
fn check_quota(
    conn: &Connection,
    writes: &mut Writes,
    msg: &NewMessage,
    elements: &str,
    at_users: &str,
) -> StoreResult<Option<(Counter, i64)>> {
    if msg.quota_bytes == 0 {
        return Ok(None);
    }
    // The quota counts the bytes of the stored columns, as `stored_bytes` sums them.
    let size = (elements.len() + msg.body.cloud_custom_data.len() + at_users.len()) as i64;
    let counter = Counter::Stored(msg.app, msg.from.clone());
    let stored = writes
        .current(&counter, || {
            stored_bytes(conn, msg.app, &msg.from).map(Some)
        })?
        .unwrap_or(0);
    if stored + size > msg.quota_bytes as i64 && !is_sent(conn, msg)? {
        return Err(StoreError::QuotaExceeded(msg.quota_bytes));
    }
    Ok(Some((counter, stored + size)))
}

/// The nick and avatar a message of `user` is stamped with.
fn stamp(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
) -> StoreResult<(String, String)> {
    writes.stamp(app, user, || {
        let profile: String = conn
            .prepare_cached("SELECT profile FROM users WHERE app = ?1 AND user_id = ?2")?
            .query_row(params![app as i64, user], |r| r.get(0))?;
        Ok(rules::sender_stamp(&profile))
    })
}

fn send_c2c(conn: &Connection, msg: NewMessage, writes: &mut Writes) -> StoreResult<Message> {
    let app_id = msg.app;
    // The recipient's next inbox sequence is also the check that the recipient exists.
    let Some(recipient_seq) = inbox::next_seq(conn, writes, msg.app, &msg.to)? else {
        return Err(StoreError::UnknownUser(msg.to));
    };
    let (to, from) = (&msg.to, &msg.from);
    if writes.blocks(msg.app, to, from, || {
        relations::blocks(conn, msg.app, to, from)
    })? {
        return Err(StoreError::Blocked);
    }
    let conv = c2c_key(&msg.from, &msg.to);
    let (rowid, message) = match store(conn, writes, msg, &conv, ConversationType::C2C)? {
        Stored::New(rowid, message) => (rowid, message),
        Stored::Retry(stored) => return Ok(stored),
    };
    let time = message.time;
    let last = rules::becomes_last(&message).then_some(rowid);
    let owners = rules::owners(&message);
    for owner in &owners {
        // The message becomes the owner's last one; a received one is unread; a conversation
        // the owner deleted comes back.
        conn.prepare_cached(
            "INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, unread, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO UPDATE SET last_msg = COALESCE(excluded.last_msg, last_msg),
                                       unread = unread + excluded.unread,
                                       deleted = 0, updated = excluded.updated",
        )?
        .execute(params![
            app_id as i64,
            owner.owner,
            owner.peer,
            conv,
            conv_type_code(ConversationType::C2C),
            last,
            owner.unread,
            time as i64
        ])?;
    }
    let mut slots = Vec::with_capacity(owners.len());
    for owner in &owners {
        let seq = match *owner.owner == message.to {
            true => recipient_seq,
            false => inbox::next_seq(conn, writes, app_id, owner.owner)?
                .ok_or_else(|| internal("the sender has no account"))?,
        };
        slots.push((owner.owner, seq));
    }
    inbox::push_message(conn, writes, app_id, rowid, &slots, &message)?;
    Ok(message)
}

fn revoke(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
    id: &str,
    limit_secs: u64,
) -> StoreResult<Message> {
    let (rowid, message, standing) = named(conn, app, user, id)?;
    if !rules::revoke(&message, user, standing, now_secs(), limit_secs)? {
        return Ok(message);
    }
    conn.prepare_cached("UPDATE messages SET revoker = ?3 WHERE app = ?1 AND id = ?2")?
        .execute(params![app as i64, rowid, user])?;
    let message = Message {
        revoker: user.to_owned(),
        ..message
    };
    let event = |message| InboxEvent::Revoked { message };
    push_to_parties(conn, writes, app, &message, rowid, event)?;
    Ok(message)
}

fn modify(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
    change: ModifyMessage,
    sender_only: bool,
) -> StoreResult<Message> {
    let (rowid, message, _) = named(conn, app, user, &change.message_id)?;
    rules::modify(&message, &change, user, sender_only)?;
    let elements = serde_json::to_string(&change.elements).map_err(internal)?;
    conn.prepare_cached(
        "UPDATE messages SET elements = ?3, cloud_custom_data = ?4, version = version + 1, modifier = ?5 WHERE app = ?1 AND id = ?2",
    )?
    .execute(params![app as i64, rowid, elements, change.cloud_custom_data, user])?;
    let mut message = message;
    message.body.elements = change.elements;
    message.body.cloud_custom_data = change.cloud_custom_data;
    message.version += 1;
    message.modifier = user.to_owned();
    let event = |message| InboxEvent::Modified { message };
    push_to_parties(conn, writes, app, &message, rowid, event)?;
    Ok(message)
}

fn delete_messages(
    conn: &Connection,
    writes: &mut Writes,
    app: u64,
    user: &str,
    ids: &[String],
) -> StoreResult<Deleted> {
    let a = app as i64;
    let (mut peers, mut groups): (Vec<String>, Vec<String>) = Default::default();
    for id in ids {
        let (rowid, message, _) = named(conn, app, user, id)?;
        conn.prepare_cached(
            "INSERT INTO hidden_messages (app, user_id, msg) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![a, user, rowid])?;
        rules::note_conversation(&message, user, &mut peers, &mut groups);
    }
    let mut conversations = Vec::new();
    for peer in peers {
        // The last message is the newest one still visible to the user.
        let last: Option<i64> = conn
            .prepare_cached(&format!(
                "SELECT MAX(m.id) FROM messages m, user_conversations c
                 WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer = ?3 AND m.app = ?1 AND m.conv = c.conv
                   AND m.seq > c.cleared_seq AND m.control & {CONTROL_NOT_LAST} = 0
                   AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = ?1 AND h.user_id = ?2 AND h.msg = m.id)"
            ))?
            .query_row(params![a, user, peer], |r| r.get(0))?;
        let changed = conn
            .prepare_cached(
                "UPDATE user_conversations SET last_msg = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3
                   AND last_msg IS NOT ?4",
            )?
            .execute(params![a, user, peer, last])?;
        if changed == 0 {
            continue;
        }
        if let Some(c) = load_conversation(conn, app, user, &peer)? {
            let event = InboxEvent::Conversation {
                conversation: c.clone(),
            };
            inbox::push(conn, writes, app, user, None, event)?;
            conversations.push(c);
        }
    }
    let page = ConversationsOk {
        conversation_groups: Vec::new(),
        conversations,
        inbox_seq: inbox_seq(conn, app, user)?,
        complete: true,
    };
    Ok(Deleted { page, groups })
}

impl MessageStore for SqliteStore {
    async fn send_c2c(&self, msg: NewMessage) -> StoreResult<Message> {
        // `send_c2c` refuses (unknown recipient) or answers a retry before it writes anything.
        self.write_checked(move |conn, writes| send_c2c(conn, msg, writes))
            .await
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
        let (me, peer) = (me.to_owned(), peer.to_owned());
        let (bound, column, newer) = crate::store::sql::history_bound(range);
        let order = if newer { "ASC" } else { "DESC" };
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {} FROM messages m
                 WHERE m.app = ?1 AND m.conv = ?2 AND {column} ?3
                   AND m.seq > COALESCE((SELECT cleared_seq FROM user_conversations
                                         WHERE app = ?1 AND user_id = ?5 AND peer = ?6), 0)
                   AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                   WHERE h.app = ?1 AND h.user_id = ?5 AND h.msg = m.id)
                 ORDER BY m.seq {order} LIMIT ?4",
                message::LIST
            ))?;
            let messages = stmt
                .query_map(
                    params![app as i64, conv, bound, count + 1, me, peer],
                    message_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(crate::store::sql::history_page(messages, count, newer))
        })
        .await
    }

    async fn revoke(
        &self,
        app: u64,
        user: &str,
        message_id: &str,
        limit_secs: u64,
    ) -> StoreResult<Message> {
        let (user, id) = (user.to_owned(), message_id.to_owned());
        self.write(move |conn, writes| revoke(conn, writes, app, &user, &id, limit_secs))
            .await
    }

    async fn modify(
        &self,
        app: u64,
        user: &str,
        change: ModifyMessage,
        sender_only: bool,
    ) -> StoreResult<Message> {
        let user = user.to_owned();
        self.write(move |conn, writes| modify(conn, writes, app, &user, change, sender_only))
            .await
    }

    async fn delete_messages(
        &self,
        app: u64,
        user: &str,
        messages: Vec<String>,
    ) -> StoreResult<Deleted> {
        let user = user.to_owned();
        self.write(move |conn, writes| delete_messages(conn, writes, app, &user, &messages))
            .await
    }
}
