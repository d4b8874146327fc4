//! The SQLite store (rusqlite, bundled SQLite, WAL).
//!
//! One writer thread owns the only write connection and commits everything that queued up
//! while the previous commit ran in one transaction (group commit), each request in its own
//! savepoint: a sender is answered only after the commit that holds its message, with
//! `synchronous=FULL`, so an acknowledged message survives a crash, and throughput still grows
//! with load. Reads run on a small pool of read-only connections on tokio's blocking threads.
//! rusqlite over sqlx: no async driver needed for a single-writer design, fewer dependencies,
//! and the bundled SQLite is the same everywhere.

use super::{
    c2c_key, message_id, ConversationChange, DeliverySink, HistoryRange, InboxPage, NewMessage,
    Store, StoreError, StoreResult,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tim_proto::{Conversation, ConversationType, ConversationsOk, InboxEvent, InboxItem, Message};
use tokio::sync::{mpsc, oneshot};

/// Version 1: users, conversations (sequence counters), messages, inbox.
const SCHEMA_V1: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    inbox_seq  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id)
) WITHOUT ROWID;
-- One row per conversation (C2C pair or, later, group): its last message sequence.
CREATE TABLE IF NOT EXISTS conversations (
    app        INTEGER NOT NULL,
    conv       TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (app, conv)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id            INTEGER PRIMARY KEY,
    app           INTEGER NOT NULL,
    conv          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    conv_type     INTEGER NOT NULL,
    sender        TEXT    NOT NULL,
    receiver      TEXT    NOT NULL,
    client_msg_id TEXT    NOT NULL,
    random        INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    elements      TEXT    NOT NULL,
    cloud_custom_data TEXT NOT NULL DEFAULT '',
    UNIQUE (app, conv, seq),
    UNIQUE (app, sender, client_msg_id)
);
-- Every event a user must see, numbered per user.
CREATE TABLE IF NOT EXISTS inbox (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    msg        INTEGER NOT NULL REFERENCES messages(id),
    PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
"#;

/// Version 2: revocation, each user's view of their conversations, inbox items with a body.
const SCHEMA_V2: &str = r#"
ALTER TABLE messages ADD COLUMN revoker TEXT NOT NULL DEFAULT '';
-- Items that are not about one message have no `msg`; they carry a JSON `body` instead.
CREATE TABLE inbox_v2 (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    msg        INTEGER,
    body       TEXT,
    PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
INSERT INTO inbox_v2 (app, user_id, seq, kind, msg) SELECT app, user_id, seq, kind, msg FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_v2 RENAME TO inbox;
CREATE TABLE user_conversations (
    app           INTEGER NOT NULL,
    user_id       TEXT    NOT NULL,
    peer          TEXT    NOT NULL,
    conv          TEXT    NOT NULL,
    conv_type     INTEGER NOT NULL,
    last_msg      INTEGER,
    unread        INTEGER NOT NULL DEFAULT 0,
    peer_read_seq INTEGER NOT NULL DEFAULT 0,
    cleared_seq   INTEGER NOT NULL DEFAULT 0,
    pinned        INTEGER NOT NULL DEFAULT 0,
    mark          INTEGER NOT NULL DEFAULT 0,
    custom_data   TEXT    NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL,
    PRIMARY KEY (app, user_id, peer)
) WITHOUT ROWID;
INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, updated)
    SELECT app, sender, receiver, conv, conv_type, MAX(id), MAX(time) FROM messages
    GROUP BY app, sender, receiver
    ON CONFLICT DO UPDATE SET last_msg = MAX(last_msg, excluded.last_msg),
                              updated = MAX(updated, excluded.updated);
INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, updated)
    SELECT app, receiver, sender, conv, conv_type, MAX(id), MAX(time) FROM messages
    GROUP BY app, receiver, sender
    ON CONFLICT DO UPDATE SET last_msg = MAX(last_msg, excluded.last_msg),
                              updated = MAX(updated, excluded.updated);
"#;

/// Version 3: messages a user deleted from their own history.
const SCHEMA_V3: &str = r#"
CREATE TABLE hidden_messages (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    msg        INTEGER NOT NULL,
    PRIMARY KEY (app, user_id, msg)
) WITHOUT ROWID;
"#;

/// Version 4: read receipts asked for.
const SCHEMA_V4: &str = r#"
ALTER TABLE messages ADD COLUMN need_receipt INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 5: message versions (modifications).
const SCHEMA_V5: &str = r#"
ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 6: messageControlInfo (1: not counted as unread, 2: not the last message).
const SCHEMA_V6: &str = r#"
ALTER TABLE messages ADD COLUMN control INTEGER NOT NULL DEFAULT 0;
"#;
/// Version 7: the userIDs a message mentions, one per line.
const SCHEMA_V7: &str = r#"
ALTER TABLE messages ADD COLUMN at_users TEXT NOT NULL DEFAULT '';
"#;

/// The mentioned userIDs from the `at_users` column (userIDs hold no line breaks).
fn at_users(column: String) -> Vec<String> {
    column.lines().map(str::to_owned).collect()
}

const CONTROL_NOT_UNREAD: i64 = 1;
const CONTROL_NOT_LAST: i64 = 2;

/// Inbox item kinds: `msg` names the message for 1 and 3, `body` holds the JSON for 2 and 4.
const KIND_MESSAGE: i64 = 1;
const KIND_CONVERSATION: i64 = 2;
const KIND_REVOKED: i64 = 3;
const KIND_PEER_READ: i64 = 4;
const KIND_MODIFIED: i64 = 5;

/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;

const MESSAGE_COLUMNS: &str = "m.id, m.seq, m.conv_type, m.sender, m.receiver, m.client_msg_id, m.random, m.time, m.elements, m.cloud_custom_data, m.revoker, m.need_receipt, m.version, m.control, m.at_users";
const CONVERSATION_COLUMNS: &str = "c.peer, c.conv_type, c.unread, c.peer_read_seq, c.pinned, c.mark, c.custom_data, c.deleted, c.updated, c.last_msg";

/// Inbox items to hand to the sessions once the transaction that made them commits.
type Deliveries = Vec<(u64, String, InboxItem)>;
/// Answers the caller of a write, with the outcome of the commit that held it.
type Settle = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One write: runs in the writer's transaction; says whether it succeeded (else its savepoint
/// is rolled back) and how to answer.
type Job = Box<dyn FnOnce(&Connection, &mut Deliveries) -> (bool, Settle) + Send>;

pub struct SqliteStore {
    writes: mpsc::UnboundedSender<Job>,
    readers: Arc<ReadPool>,
}

struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.idle.lock().expect("reader pool lock").pop();
        let conn = match conn {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().expect("reader pool lock");
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

fn open_reader(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// Bring the schema to the current version, one step per version (`PRAGMA user_version`).
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tx = conn.transaction()?;
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_V2)?;
    }
    if version < 3 {
        tx.execute_batch(SCHEMA_V3)?;
    }
    if version < 4 {
        tx.execute_batch(SCHEMA_V4)?;
    }
    if version < 5 {
        tx.execute_batch(SCHEMA_V5)?;
    }
    if version < 6 {
        tx.execute_batch(SCHEMA_V6)?;
    }
    if version < 7 {
        tx.execute_batch(SCHEMA_V7)?;
    }
    tx.pragma_update(None, "user_version", 7)?;
    tx.commit()
}

impl SqliteStore {
    /// Open (creating or upgrading if needed) the database file at `path` and start the
    /// writer thread.
    pub fn open(path: &Path, sink: Arc<dyn DeliverySink>) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Internal(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let (tx, mut rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_batch(&mut conn, batch, sink.as_ref());
                }
            })
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(SqliteStore {
            writes: tx,
            readers: Arc::new(ReadPool {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Run `f` in the writer's next transaction; answers after that transaction commits.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Deliveries) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, deliveries| {
            let result = f(conn, deliveries);
            let ok = result.is_ok();
            let settle: Settle = Box::new(move |committed| {
                let _ = reply.send(committed.and(result));
            });
            (ok, settle)
        });
        self.writes
            .send(job)
            .map_err(|_| StoreError::Internal("writer stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Internal("writer stopped".into()))?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>, sink: &dyn DeliverySink) {
    let mut settles = Vec::with_capacity(batch.len());
    let mut deliveries = Vec::new();
    let committed = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for job in batch {
            let mut sp = tx.savepoint()?;
            let mut made = Vec::new();
            let (ok, settle) = job(&sp, &mut made);
            if ok {
                sp.commit()?;
                deliveries.append(&mut made);
            } else {
                sp.rollback()?;
            }
            settles.push(settle);
        }
        tx.commit()
    })();
    if committed.is_ok() {
        for (app, user, item) in &deliveries {
            sink.deliver(*app, user, item);
        }
    }
    let committed = committed.map_err(StoreError::from);
    for settle in settles {
        settle(match &committed {
            Ok(()) => Ok(()),
            Err(e) => Err(StoreError::Internal(e.to_string())),
        });
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn login_user(conn: &Connection, app: u64, user: &str) -> StoreResult<u64> {
    conn.execute(
        "INSERT INTO users (app, user_id, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![app as i64, user, now_secs() as i64],
    )?;
    inbox_seq(conn, app, user)
}

/// The user's newest inbox item (0 for no items or no such user).
fn inbox_seq(conn: &Connection, app: u64, user: &str) -> StoreResult<u64> {
    Ok(conn
        .query_row(
            "SELECT inbox_seq FROM users WHERE app = ?1 AND user_id = ?2",
            params![app as i64, user],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .unwrap_or(0) as u64)
}

fn user_exists(conn: &Connection, app: u64, user: &str) -> StoreResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM users WHERE app = ?1 AND user_id = ?2",
            params![app as i64, user],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Append an item to `owner`'s inbox: `msg` names the message of message kinds, the other
/// kinds are stored as a JSON `body`.
fn push_inbox(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    owner: &str,
    msg: Option<i64>,
    event: InboxEvent,
) -> StoreResult<()> {
    let kind = match &event {
        InboxEvent::Message { .. } => KIND_MESSAGE,
        InboxEvent::Conversation { .. } => KIND_CONVERSATION,
        InboxEvent::Revoked { .. } => KIND_REVOKED,
        InboxEvent::PeerRead { .. } => KIND_PEER_READ,
        InboxEvent::Modified { .. } => KIND_MODIFIED,
    };
    let body = match kind {
        KIND_CONVERSATION | KIND_PEER_READ => {
            Some(serde_json::to_string(&event).map_err(|e| StoreError::Internal(e.to_string()))?)
        }
        _ => None,
    };
    let seq: i64 = conn.query_row(
        "UPDATE users SET inbox_seq = inbox_seq + 1 WHERE app = ?1 AND user_id = ?2 RETURNING inbox_seq",
        params![app as i64, owner],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO inbox (app, user_id, seq, kind, msg, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![app as i64, owner, seq, kind, msg, body],
    )?;
    deliveries.push((
        app,
        owner.to_owned(),
        InboxItem {
            seq: seq as u64,
            event,
        },
    ));
    Ok(())
}

/// An inbox item about message `id` (row number) for its sender and its recipient.
fn push_to_both(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    message: &Message,
    id: i64,
    event: impl Fn(Message) -> InboxEvent,
) -> StoreResult<()> {
    push_inbox(
        conn,
        deliveries,
        app,
        &message.from,
        Some(id),
        event(message.clone()),
    )?;
    if message.to != message.from {
        push_inbox(
            conn,
            deliveries,
            app,
            &message.to,
            Some(id),
            event(message.clone()),
        )?;
    }
    Ok(())
}

fn load_message(conn: &Connection, app: u64, id: i64) -> StoreResult<Option<Message>> {
    Ok(conn
        .query_row(
            &format!("SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.app = ?1 AND m.id = ?2"),
            params![app as i64, id],
            message_from_row,
        )
        .optional()?)
}

fn send_c2c(
    conn: &Connection,
    msg: NewMessage,
    deliveries: &mut Deliveries,
) -> StoreResult<Message> {
    let app = msg.app as i64;
    let existing = conn
        .query_row(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.app = ?1 AND m.sender = ?2 AND m.client_msg_id = ?3"
            ),
            params![app, msg.from, msg.client_msg_id],
            message_from_row,
        )
        .optional()?;
    if let Some(original) = existing {
        return Ok(original);
    }
    if !user_exists(conn, msg.app, &msg.to)? {
        return Err(StoreError::UnknownUser(msg.to));
    }
    let conv = c2c_key(&msg.from, &msg.to);
    let seq: i64 = conn.query_row(
        "INSERT INTO conversations (app, conv, last_seq) VALUES (?1, ?2, 1)
         ON CONFLICT DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
        params![app, conv],
        |r| r.get(0),
    )?;
    let time = now_secs();
    let elements =
        serde_json::to_string(&msg.elements).map_err(|e| StoreError::Internal(e.to_string()))?;
    let control = i64::from(msg.excluded_from_unread) * CONTROL_NOT_UNREAD
        + i64::from(msg.excluded_from_last_message) * CONTROL_NOT_LAST;
    conn.execute(
        "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements, cloud_custom_data, need_receipt, control, at_users)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![app, conv, seq, msg.from, msg.to, msg.client_msg_id, msg.random, time as i64, elements, msg.cloud_custom_data, msg.need_read_receipt, control, msg.at_user_list.join("\n")],
    )?;
    let rowid = conn.last_insert_rowid();
    let message = Message {
        id: message_id(rowid, time, msg.random),
        conversation_type: ConversationType::C2C,
        from: msg.from,
        to: msg.to,
        sequence: seq as u64,
        time,
        random: msg.random,
        client_msg_id: msg.client_msg_id,
        elements: msg.elements,
        cloud_custom_data: msg.cloud_custom_data,
        revoker: String::new(),
        need_read_receipt: msg.need_read_receipt,
        version: 0,
        excluded_from_unread: msg.excluded_from_unread,
        excluded_from_last_message: msg.excluded_from_last_message,
        at_user_list: msg.at_user_list,
    };
    let unread = i64::from(!message.excluded_from_unread);
    let mut owners = vec![(message.from.clone(), message.to.clone(), 0)];
    if message.to != message.from {
        owners.push((message.to.clone(), message.from.clone(), unread));
    }
    let last = (!message.excluded_from_last_message).then_some(rowid);
    for (owner, peer, unread) in owners {
        // The message becomes the owner's last one; a received one is unread; a conversation
        // the owner deleted comes back.
        conn.execute(
            "INSERT INTO user_conversations (app, user_id, peer, conv, conv_type, last_msg, unread, updated)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET last_msg = COALESCE(excluded.last_msg, last_msg),
                                       unread = unread + excluded.unread,
                                       deleted = 0, updated = excluded.updated",
            params![app, owner, peer, conv, last, unread, time as i64],
        )?;
        let event = InboxEvent::Message {
            message: message.clone(),
        };
        push_inbox(conn, deliveries, msg.app, &owner, Some(rowid), event)?;
    }
    Ok(message)
}

fn message_from_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    message_at(r, 0)
}

/// Reads the [`MESSAGE_COLUMNS`] of a row, starting at column `o`.
fn message_at(r: &Row<'_>, o: usize) -> rusqlite::Result<Message> {
    let rowid: i64 = r.get(o)?;
    let time = r.get::<_, i64>(o + 7)? as u64;
    let random: u32 = r.get(o + 6)?;
    let elements: String = r.get(o + 8)?;
    let elements = serde_json::from_str(&elements).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(o + 8, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Message {
        id: message_id(rowid, time, random),
        conversation_type: conversation_type(r.get(o + 2)?),
        sequence: r.get::<_, i64>(o + 1)? as u64,
        from: r.get(o + 3)?,
        to: r.get(o + 4)?,
        client_msg_id: r.get(o + 5)?,
        random,
        time,
        elements,
        cloud_custom_data: r.get(o + 9)?,
        revoker: r.get(o + 10)?,
        need_read_receipt: r.get(o + 11)?,
        version: r.get::<_, i64>(o + 12)? as u64,
        excluded_from_unread: r.get::<_, i64>(o + 13)? & CONTROL_NOT_UNREAD != 0,
        excluded_from_last_message: r.get::<_, i64>(o + 13)? & CONTROL_NOT_LAST != 0,
        at_user_list: at_users(r.get(o + 14)?),
    })
}

fn conversation_type(code: i64) -> ConversationType {
    if code == 2 {
        ConversationType::Group
    } else {
        ConversationType::C2C
    }
}

/// A user's conversation from its row (its last message loaded separately).
fn conversation_from_row(r: &Row<'_>) -> rusqlite::Result<(Conversation, Option<i64>)> {
    let peer: String = r.get(0)?;
    let conversation = Conversation {
        conversation_id: format!("C2C{peer}"),
        conversation_type: conversation_type(r.get(1)?),
        peer,
        unread_count: r.get(2)?,
        peer_read_seq: r.get::<_, i64>(3)? as u64,
        is_pinned: r.get::<_, i64>(4)? != 0,
        mark: r.get(5)?,
        custom_data: r.get(6)?,
        deleted: r.get::<_, i64>(7)? != 0,
        updated: r.get::<_, i64>(8)? as u64,
        last_message: None,
    };
    Ok((conversation, r.get(9)?))
}

fn load_conversation(
    conn: &Connection,
    app: u64,
    user: &str,
    peer: &str,
) -> StoreResult<Option<Conversation>> {
    let row = conn
        .query_row(
            &format!("SELECT {CONVERSATION_COLUMNS} FROM user_conversations c WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer = ?3"),
            params![app as i64, user, peer],
            conversation_from_row,
        )
        .optional()?;
    let Some((mut c, last)) = row else {
        return Ok(None);
    };
    if let Some(id) = last {
        c.last_message = load_message(conn, app, id)?;
    }
    Ok(Some(c))
}

fn change_conversation(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    user: &str,
    peer: &str,
    change: &ConversationChange,
) -> StoreResult<Conversation> {
    let a = app as i64;
    let now = now_secs() as i64;
    let last_seq = conn
        .query_row(
            "SELECT last_seq FROM conversations WHERE app = ?1 AND conv = ?2",
            params![a, c2c_key(user, peer)],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .unwrap_or(0);
    let (sql, value): (&str, rusqlite::types::Value) = match change {
        ConversationChange::Read => (
            "UPDATE user_conversations SET unread = 0, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            rusqlite::types::Value::Null,
        ),
        ConversationChange::Delete => (
            "UPDATE user_conversations SET unread = 0, deleted = 1, last_msg = NULL, cleared_seq = ?5, updated = ?4
             WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            last_seq.into(),
        ),
        ConversationChange::ClearHistory => (
            "UPDATE user_conversations SET unread = 0, last_msg = NULL, cleared_seq = ?5, updated = ?4
             WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            last_seq.into(),
        ),
        ConversationChange::Pin(pinned) => (
            "UPDATE user_conversations SET pinned = ?5, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            i64::from(*pinned).into(),
        ),
        ConversationChange::Mark(bits, true) => (
            "UPDATE user_conversations SET mark = mark | ?5, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            i64::from(*bits).into(),
        ),
        ConversationChange::Mark(bits, false) => (
            "UPDATE user_conversations SET mark = mark & ~?5, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            i64::from(*bits).into(),
        ),
        ConversationChange::CustomData(data) => (
            "UPDATE user_conversations SET custom_data = ?5, updated = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            data.clone().into(),
        ),
    };
    let changed = if sql.contains("?5") {
        conn.execute(sql, params![a, user, peer, now, value])?
    } else {
        conn.execute(sql, params![a, user, peer, now])?
    };
    if changed == 0 {
        return Err(StoreError::NotFound(format!("C2C{peer}")));
    }
    let conversation = load_conversation(conn, app, user, peer)?
        .ok_or_else(|| StoreError::NotFound(format!("C2C{peer}")))?;
    let event = InboxEvent::Conversation {
        conversation: conversation.clone(),
    };
    push_inbox(conn, deliveries, app, user, None, event)?;
    if *change == ConversationChange::Read && peer != user && last_seq > 0 {
        // The peer learns how far its messages were read.
        conn.execute(
            "UPDATE user_conversations SET peer_read_seq = MAX(peer_read_seq, ?4)
             WHERE app = ?1 AND user_id = ?2 AND peer = ?3",
            params![a, peer, user, last_seq],
        )?;
        let event = InboxEvent::PeerRead {
            conversation_id: format!("C2C{user}"),
            read_seq: last_seq as u64,
        };
        push_inbox(conn, deliveries, app, peer, None, event)?;
    }
    Ok(conversation)
}

fn delete_messages(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    user: &str,
    ids: &[String],
) -> StoreResult<ConversationsOk> {
    let a = app as i64;
    let mut peers: Vec<String> = Vec::new();
    for message_id in ids {
        let not_found = || StoreError::NotFound(format!("message {message_id:?}"));
        let id = super::message_rowid(message_id).ok_or_else(not_found)?;
        let message = load_message(conn, app, id)?
            .filter(|m| &m.id == message_id && (m.from == user || m.to == user))
            .ok_or_else(not_found)?;
        conn.execute(
            "INSERT INTO hidden_messages (app, user_id, msg) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![a, user, id],
        )?;
        let peer = if message.from == user {
            message.to
        } else {
            message.from
        };
        if !peers.contains(&peer) {
            peers.push(peer);
        }
    }
    let mut conversations = Vec::new();
    for peer in peers {
        // The last message is the newest one still visible to the user.
        let last: Option<i64> = conn.query_row(
            "SELECT MAX(m.id) FROM messages m, user_conversations c
             WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer = ?3 AND m.app = ?1 AND m.conv = c.conv
               AND m.seq > c.cleared_seq AND m.control & 2 = 0
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.app = ?1 AND h.user_id = ?2 AND h.msg = m.id)",
            params![a, user, peer],
            |r| r.get(0),
        )?;
        let changed = conn.execute(
            "UPDATE user_conversations SET last_msg = ?4 WHERE app = ?1 AND user_id = ?2 AND peer = ?3
               AND last_msg IS NOT ?4",
            params![a, user, peer, last],
        )?;
        if changed == 0 {
            continue;
        }
        if let Some(c) = load_conversation(conn, app, user, &peer)? {
            let event = InboxEvent::Conversation {
                conversation: c.clone(),
            };
            push_inbox(conn, deliveries, app, user, None, event)?;
            conversations.push(c);
        }
    }
    Ok(ConversationsOk {
        conversations,
        inbox_seq: inbox_seq(conn, app, user)?,
        complete: true,
    })
}

fn modify(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    user: &str,
    change: tim_proto::ModifyMessage,
) -> StoreResult<Message> {
    let not_found = || StoreError::NotFound(format!("message {:?}", change.message_id));
    let id = super::message_rowid(&change.message_id).ok_or_else(not_found)?;
    let message = load_message(conn, app, id)?
        .filter(|m| m.id == change.message_id && (m.from == user || m.to == user))
        .ok_or_else(not_found)?;
    if !message.revoker.is_empty() {
        return Err(StoreError::Invalid(
            "a revoked message cannot be modified".into(),
        ));
    }
    let kinds = |es: &[tim_proto::Element]| -> Vec<std::mem::Discriminant<tim_proto::Element>> {
        es.iter().map(std::mem::discriminant).collect()
    };
    if kinds(&message.elements) != kinds(&change.elements) {
        return Err(StoreError::Invalid(
            "the element types of a message cannot change".into(),
        ));
    }
    if message.version != change.version {
        return Err(StoreError::ModifyConflict);
    }
    let elements =
        serde_json::to_string(&change.elements).map_err(|e| StoreError::Internal(e.to_string()))?;
    conn.execute(
        "UPDATE messages SET elements = ?3, cloud_custom_data = ?4, version = version + 1 WHERE app = ?1 AND id = ?2",
        params![app as i64, id, elements, change.cloud_custom_data],
    )?;
    let message = Message {
        elements: change.elements,
        cloud_custom_data: change.cloud_custom_data,
        version: message.version + 1,
        ..message
    };
    let event = |message| InboxEvent::Modified { message };
    push_to_both(conn, deliveries, app, &message, id, event)?;
    Ok(message)
}

fn revoke(
    conn: &Connection,
    deliveries: &mut Deliveries,
    app: u64,
    user: &str,
    id: i64,
    limit_secs: u64,
) -> StoreResult<Message> {
    let not_found = || StoreError::NotFound("message".into());
    let message = load_message(conn, app, id)?.ok_or_else(not_found)?;
    if message.from != user && message.to != user {
        return Err(not_found());
    }
    if message.from != user {
        return Err(StoreError::NotSender);
    }
    if !message.revoker.is_empty() {
        return Ok(message);
    }
    if now_secs().saturating_sub(message.time) > limit_secs {
        return Err(StoreError::RevokeTooLate);
    }
    conn.execute(
        "UPDATE messages SET revoker = ?3 WHERE app = ?1 AND id = ?2",
        params![app as i64, id, user],
    )?;
    let message = Message {
        revoker: user.to_owned(),
        ..message
    };
    let event = |message| InboxEvent::Revoked { message };
    push_to_both(conn, deliveries, app, &message, id, event)?;
    Ok(message)
}

/// An inbox item from its row: `seq, kind, body`, then the message columns (NULL for kinds
/// that carry a body).
fn inbox_item(r: &Row<'_>) -> rusqlite::Result<InboxItem> {
    let seq = r.get::<_, i64>(0)? as u64;
    let kind: i64 = r.get(1)?;
    let event = match kind {
        KIND_MESSAGE => InboxEvent::Message {
            message: message_at(r, 3)?,
        },
        KIND_REVOKED => InboxEvent::Revoked {
            message: message_at(r, 3)?,
        },
        KIND_MODIFIED => InboxEvent::Modified {
            message: message_at(r, 3)?,
        },
        _ => {
            let body: String = r.get(2)?;
            serde_json::from_str(&body).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?
        }
    };
    Ok(InboxItem { seq, event })
}

impl Store for SqliteStore {
    async fn login_user(&self, app: u64, user: &str) -> StoreResult<u64> {
        let user = user.to_owned();
        self.write(move |conn, _| login_user(conn, app, &user))
            .await
    }

    async fn send_c2c(&self, msg: NewMessage) -> StoreResult<Message> {
        self.write(move |conn, deliveries| send_c2c(conn, msg, deliveries))
            .await
    }

    async fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<InboxPage> {
        let user = user.to_owned();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let inbox_seq = inbox_seq(&tx, app, &user)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT i.seq, i.kind, i.body, {MESSAGE_COLUMNS} FROM inbox i LEFT JOIN messages m ON m.id = i.msg
                 WHERE i.app = ?1 AND i.user_id = ?2 AND i.seq > ?3 ORDER BY i.seq LIMIT ?4"
            ))?;
            let items = stmt
                .query_map(
                    params![app as i64, user, after.min(i64::MAX as u64) as i64, limit],
                    inbox_item,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = items.last().is_none_or(|i| i.seq >= inbox_seq);
            Ok(InboxPage {
                items,
                inbox_seq,
                complete,
            })
        })
        .await
    }

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
                "SELECT {CONVERSATION_COLUMNS}, {MESSAGE_COLUMNS} FROM user_conversations c
                 LEFT JOIN messages m ON m.id = c.last_msg
                 WHERE c.app = ?1 AND c.user_id = ?2 AND c.peer > ?3 AND c.deleted = 0
                 ORDER BY c.peer LIMIT ?4"
            ))?;
            let mut conversations = stmt
                .query_map(
                    params![app as i64, user, after.unwrap_or_default(), limit + 1],
                    |r| {
                        let (mut c, last) = conversation_from_row(r)?;
                        if last.is_some() {
                            c.last_message = Some(message_at(r, 10)?);
                        }
                        Ok(c)
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = conversations.len() <= limit as usize;
            conversations.truncate(limit as usize);
            Ok(ConversationsOk {
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
        change: ConversationChange,
    ) -> StoreResult<ConversationsOk> {
        let user = user.to_owned();
        self.write(move |conn, deliveries| {
            let conversations = peers
                .iter()
                .map(|peer| change_conversation(conn, deliveries, app, &user, peer, &change))
                .collect::<StoreResult<Vec<_>>>()?;
            let inbox_seq = inbox_seq(conn, app, &user)?;
            Ok(ConversationsOk {
                conversations,
                inbox_seq,
                complete: true,
            })
        })
        .await
    }

    async fn revoke(
        &self,
        app: u64,
        user: &str,
        message: i64,
        limit_secs: u64,
    ) -> StoreResult<Message> {
        let user = user.to_owned();
        self.write(move |conn, deliveries| {
            revoke(conn, deliveries, app, &user, message, limit_secs)
        })
        .await
    }

    async fn modify(
        &self,
        app: u64,
        user: &str,
        change: tim_proto::ModifyMessage,
    ) -> StoreResult<Message> {
        let user = user.to_owned();
        self.write(move |conn, deliveries| modify(conn, deliveries, app, &user, change))
            .await
    }

    async fn delete_messages(
        &self,
        app: u64,
        user: &str,
        messages: Vec<String>,
    ) -> StoreResult<ConversationsOk> {
        let user = user.to_owned();
        self.write(move |conn, deliveries| delete_messages(conn, deliveries, app, &user, &messages))
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
        let clamp = |v: u64| v.min(i64::MAX as u64) as i64;
        let (bound, column, newer) = match range {
            HistoryRange::BeforeSeq(b) => (clamp(b.unwrap_or(u64::MAX)), "m.seq <", false),
            HistoryRange::AfterSeq(a) => (clamp(a), "m.seq >", true),
            HistoryRange::BeforeTime(t) => (clamp(t), "m.time <", false),
            HistoryRange::AfterTime(t) => (clamp(t), "m.time >", true),
        };
        let order = if newer { "ASC" } else { "DESC" };
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m
                 WHERE m.app = ?1 AND m.conv = ?2 AND {column} ?3
                   AND m.seq > COALESCE((SELECT cleared_seq FROM user_conversations
                                         WHERE app = ?1 AND user_id = ?5 AND peer = ?6), 0)
                   AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                   WHERE h.app = ?1 AND h.user_id = ?5 AND h.msg = m.id)
                 ORDER BY m.seq {order} LIMIT ?4"
            ))?;
            let mut messages = stmt
                .query_map(
                    params![app as i64, conv, bound, count + 1, me, peer],
                    message_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = messages.len() <= count as usize;
            messages.truncate(count as usize);
            if !newer {
                messages.reverse();
            }
            Ok((messages, complete))
        })
        .await
    }
}
